//! The garbage collector (background propagation): when an owner is gone, its dependents go too.

use super::super::store::{ObjKey, WatchEvent};
use super::super::Sim;

pub(crate) fn on_deleted(sim: &mut Sim, ev: &WatchEvent) {
    let uid = ev.object.uid();
    if uid.is_empty() {
        return;
    }
    let dependents = sim.store.owned_by(uid);
    for dep in dependents {
        // A dependent goes only when none of its owners is left.
        let alive = dep
            .meta()
            .owner_references
            .iter()
            .flatten()
            .any(|r| r.uid != uid && sim.store.get_by_uid(&r.uid).is_some());
        if alive || dep.meta().deletion_timestamp.is_some() {
            continue;
        }
        sim.decide(
            "garbage-collector",
            format!(
                "{} {} is gone; deleting its dependent {} {}",
                ev.key.kind.name(),
                ev.key.name,
                dep.kind().name(),
                dep.name()
            ),
        );
        let _ = sim.delete(&ObjKey::of(&dep), None);
    }
}
