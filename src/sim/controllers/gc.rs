//! The garbage collector: dependents follow their owners. Background propagation deletes
//! dependents once the owner is gone; Foreground keeps the owner (finalizer `foregroundDeletion`)
//! until its dependents are gone; Orphan (finalizer `orphan`) strips the owner reference from the
//! dependents, then lets the owner go.

use super::super::api::{Propagation, FOREGROUND, ORPHAN};
use super::super::object::Object;
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

const COMPONENT: &str = "garbage-collector";

fn has_finalizer(obj: &Object, f: &str) -> bool {
    obj.meta().finalizers.iter().flatten().any(|x| x == f)
}

/// Informer: owners being deleted with a GC finalizer, and owners whose dependents went away.
pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    let o = &ev.object;
    if ev.kind != WatchType::Deleted
        && o.meta().deletion_timestamp.is_some()
        && (has_finalizer(o, FOREGROUND) || has_finalizer(o, ORPHAN))
    {
        enqueue(sim, Ctrl::GarbageCollector, ev.key.clone());
    }
    if ev.kind == WatchType::Deleted {
        // A dependent is gone: an owner waiting in the foreground may now be free.
        let refs: Vec<String> = o
            .meta()
            .owner_references
            .iter()
            .flatten()
            .map(|r| r.uid.clone())
            .collect();
        for uid in refs {
            if let Some(owner) = sim.store.get_by_uid(&uid).cloned() {
                if owner.meta().deletion_timestamp.is_some() && has_finalizer(&owner, FOREGROUND) {
                    enqueue(sim, Ctrl::GarbageCollector, ObjKey::of(&owner));
                }
            }
        }
    }
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(owner) = sim.store.get(key).cloned() else {
        return;
    };
    if owner.meta().deletion_timestamp.is_none() {
        return;
    }
    let uid = owner.uid().to_string();
    let dependents = sim.store.owned_by(&uid);
    if has_finalizer(&owner, ORPHAN) {
        for dep in &dependents {
            let mut d = (**dep).clone();
            if let Some(refs) = d.meta_mut().owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
            }
            if d.meta()
                .owner_references
                .as_ref()
                .is_some_and(|r| r.is_empty())
            {
                d.meta_mut().owner_references = None;
            }
            sim.write_status(d);
        }
        sim.decide(
            COMPONENT,
            format!("{} {} is deleted with orphan propagation; {} dependents keep running without an owner", key.kind.name(), key.name, dependents.len()),
        );
        remove_finalizer(sim, key, ORPHAN);
        return;
    }
    if has_finalizer(&owner, FOREGROUND) {
        let waiting: Vec<_> = dependents
            .iter()
            .filter(|d| d.meta().deletion_timestamp.is_none())
            .collect();
        if dependents.is_empty() {
            sim.decide(
                COMPONENT,
                format!(
                    "{} {} has no dependents left; removing finalizer foregroundDeletion",
                    key.kind.name(),
                    key.name
                ),
            );
            remove_finalizer(sim, key, FOREGROUND);
            return;
        }
        if !waiting.is_empty() {
            sim.decide(
                COMPONENT,
                format!(
                    "{} {} is deleted in the foreground; deleting its {} dependents first",
                    key.kind.name(),
                    key.name,
                    waiting.len()
                ),
            );
        }
        for dep in waiting {
            let _ = sim.delete_with(&ObjKey::of(dep), None, Propagation::Foreground);
        }
    }
}

fn remove_finalizer(sim: &mut Sim, key: &ObjKey, f: &str) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let mut o = (*obj).clone();
    if let Some(fins) = o.meta_mut().finalizers.as_mut() {
        fins.retain(|x| x != f);
    }
    if o.meta().finalizers.as_ref().is_some_and(|x| x.is_empty()) {
        o.meta_mut().finalizers = None;
    }
    sim.write_status(o);
    sim.finish_if_finalized(key);
}

/// Background propagation: when an owner is gone, delete the dependents it leaves behind.
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
            COMPONENT,
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
