//! Provenance: who wrote each version of each object. Every write to the store is recorded with
//! the actor that made it (a learner's command, a controller, the scheduler, a kubelet, the
//! cluster's setup), what it changed (created, spec, status, labels, finalizers, ...), and the
//! decision of that actor it acted on (an index into the narration). The inspector's "Why" tab
//! reads it back as a chain of causes.
//!
//! Deterministic: the actor is set by the simulation itself (per engine task) or by the shell (per
//! command), never from outside state. Cheap to clone (time travel keeps snapshots): full chunks of
//! the log are shared `Rc` slices, only the short tail is copied.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::object::Object;

/// Who acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ActorKind {
    /// Building the cluster: kind's own setup, or a command of a lesson's setup.
    Setup,
    /// A command line the learner ran.
    Command,
    /// A control-plane or node component (`replicaset-controller`, `default-scheduler`, `kubelet/x`).
    Component,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub name: Rc<str>,
}

/// What a write changed, as bit flags.
pub mod change {
    pub const CREATED: u16 = 1;
    /// Removed from the store (the object is gone).
    pub const REMOVED: u16 = 1 << 1;
    /// `deletionTimestamp` set: Terminating.
    pub const TERMINATING: u16 = 1 << 2;
    pub const FINALIZERS: u16 = 1 << 3;
    pub const LABELS: u16 = 1 << 4;
    pub const ANNOTATIONS: u16 = 1 << 5;
    pub const OWNERS: u16 = 1 << 6;
    /// The desired state: `spec` (a new generation), or a ConfigMap's / Secret's data.
    pub const SPEC: u16 = 1 << 7;
    /// A pod's `spec.nodeName` set (the scheduler's binding).
    pub const BOUND: u16 = 1 << 8;
    /// Anything else: the observed state in `status`.
    pub const STATUS: u16 = 1 << 9;
}

/// One write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Virtual ms of the write.
    pub at_ms: u64,
    /// The store revision it made (the object's new `resourceVersion`).
    pub revision: u64,
    /// FNV-1a of the object's uid.
    pub uid: u64,
    pub change: u16,
    /// Index into the actor table.
    pub actor: u32,
    /// The last decision recorded before the write, if it was this actor's at this moment.
    pub decision: Option<u32>,
}

const CHUNK: usize = 512;

/// The write log with its actor table, and the stamp (actor, time, decision) of writes made now.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    actors: Vec<Actor>,
    index: BTreeMap<(ActorKind, Rc<str>), u32>,
    full: Vec<Rc<[Write]>>,
    tail: Vec<Write>,
    /// The current actor, the virtual time it acts at, and the last decision recorded.
    actor: u32,
    at_ms: u64,
    last_decision: Option<(u32, u64, u32)>,
    /// Writes of the current actor, at this moment, made before any decision of it: the next
    /// decision it records explains them (`created X` is often worded after the write).
    pending: Vec<usize>,
    /// Commands run now are a lesson's setup, not the learner's.
    pub(crate) setup_commands: bool,
}

/// FNV-1a, 64 bits: a uid's short form in the log.
pub fn uid_hash(uid: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uid.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Provenance {
    /// Makes `kind`/`name` the actor of the writes that follow, at virtual time `at_ms`.
    pub fn set_actor(&mut self, kind: ActorKind, name: &str, at_ms: u64) {
        self.at_ms = at_ms;
        self.pending.clear();
        if let Some(a) = self.actors.get(self.actor as usize) {
            if a.kind == kind && &*a.name == name {
                return;
            }
        }
        let key: (ActorKind, Rc<str>) = (kind, Rc::from(name));
        self.actor = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.actors.len() as u32;
                self.actors.push(Actor {
                    kind,
                    name: key.1.clone(),
                });
                self.index.insert(key, i);
                i
            }
        };
    }

    /// The current actor (to restore it after a nested one).
    pub fn current(&self) -> (ActorKind, Rc<str>) {
        match self.actors.get(self.actor as usize) {
            Some(a) => (a.kind, a.name.clone()),
            None => (ActorKind::Setup, Rc::from("")),
        }
    }

    /// Notes that decision number `index` was recorded by `component` at `at_ms`.
    pub fn note_decision(&mut self, index: usize, component: &str, at_ms: u64) {
        let by = match self.actors.get(self.actor as usize) {
            Some(a) if a.kind == ActorKind::Component && &*a.name == component => self.actor,
            _ => u32::MAX,
        };
        if by == self.actor && at_ms == self.at_ms {
            for i in self.pending.drain(..) {
                if let Some(w) = self.tail.get_mut(i) {
                    w.decision = Some(index as u32);
                }
            }
        } else {
            self.pending.clear();
        }
        self.last_decision = Some((index as u32, at_ms, by));
    }

    /// Records a write: `old` is the version replaced (None for a create), `new` the version
    /// stored (for a removal, the last version with `removed` set).
    pub fn record(&mut self, old: Option<&Object>, new: &Object, revision: u64, removed: bool) {
        let change = if removed {
            change::REMOVED
        } else {
            match old {
                None => change::CREATED,
                Some(old) => diff(old, new),
            }
        };
        let decision = match self.last_decision {
            Some((i, at, by)) if at == self.at_ms && by == self.actor => Some(i),
            _ => None,
        };
        if decision.is_none() {
            self.pending.push(self.tail.len());
        }
        self.tail.push(Write {
            at_ms: self.at_ms,
            revision,
            uid: uid_hash(new.uid()),
            change,
            actor: self.actor,
            decision,
        });
        if self.tail.len() >= CHUNK {
            let chunk: Rc<[Write]> = Rc::from(std::mem::take(&mut self.tail));
            self.full.push(chunk);
            self.pending.clear();
        }
    }

    pub fn actor(&self, i: u32) -> Option<&Actor> {
        self.actors.get(i as usize)
    }

    /// Every write to the object with this uid, oldest first.
    pub fn writes_of(&self, uid: &str) -> Vec<Write> {
        let h = uid_hash(uid);
        self.full
            .iter()
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
            .filter(|w| w.uid == h)
            .copied()
            .collect()
    }

    /// Number of writes recorded.
    pub fn len(&self) -> usize {
        self.full.len() * CHUNK + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What changed from `old` to `new` (one or more flags; `STATUS` when nothing else did).
fn diff(old: &Object, new: &Object) -> u16 {
    let (a, b) = (old.meta(), new.meta());
    let mut c = 0;
    if a.deletion_timestamp.is_none() && b.deletion_timestamp.is_some() {
        c |= change::TERMINATING;
    }
    if a.finalizers != b.finalizers {
        c |= change::FINALIZERS;
    }
    if a.labels != b.labels {
        c |= change::LABELS;
    }
    if a.annotations != b.annotations {
        c |= change::ANNOTATIONS;
    }
    if a.owner_references != b.owner_references {
        c |= change::OWNERS;
    }
    if a.generation != b.generation {
        c |= change::SPEC;
    }
    match (old, new) {
        (Object::Pod(p), Object::Pod(q)) => {
            let node = |p: &k8s_openapi::api::core::v1::Pod| {
                p.spec.as_ref().and_then(|s| s.node_name.clone())
            };
            if node(p).is_none() && node(q).is_some() {
                c |= change::BOUND;
            } else if p.spec != q.spec {
                c |= change::SPEC;
            }
            if p.status != q.status {
                c |= change::STATUS;
            }
        }
        (Object::ConfigMap(x), Object::ConfigMap(y))
            if (x.data != y.data || x.binary_data != y.binary_data) =>
        {
            c |= change::SPEC;
        }
        (Object::Secret(x), Object::Secret(y))
            if (x.data != y.data || x.string_data != y.string_data) =>
        {
            c |= change::SPEC;
        }
        _ => {}
    }
    if c == 0 {
        c = change::STATUS;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_full_chunks_and_diverge_at_the_tail() {
        let mut p = Provenance::default();
        p.set_actor(
            ActorKind::Command,
            "kubectl create deployment web --image=nginx",
            5,
        );
        let mut cm = k8s_openapi::api::core::v1::ConfigMap::default();
        cm.metadata.name = Some("c".into());
        cm.metadata.uid = Some("u-1".into());
        let obj = Object::ConfigMap(cm.clone());
        for r in 0..(CHUNK as u64 + 3) {
            p.record(None, &obj, r, false);
        }
        let q = p.clone();
        assert!(Rc::ptr_eq(&p.full[0], &q.full[0]));
        p.record(None, &obj, 9_999, true);
        assert_eq!(p.writes_of("u-1").len(), CHUNK + 4);
        assert_eq!(q.writes_of("u-1").len(), CHUNK + 3);
        assert!(p.writes_of("u-2").is_empty());
    }

    #[test]
    fn diff_names_what_changed() {
        let mut cm = k8s_openapi::api::core::v1::ConfigMap::default();
        cm.metadata.name = Some("c".into());
        let a = Object::ConfigMap(cm.clone());
        cm.metadata.finalizers = Some(vec!["example.com/hold".into()]);
        let b = Object::ConfigMap(cm.clone());
        assert_eq!(diff(&a, &b), change::FINALIZERS);
        cm.data = Some([("k".to_string(), "v".to_string())].into());
        let c = Object::ConfigMap(cm);
        assert_eq!(diff(&b, &c), change::SPEC);
        assert_eq!(diff(&c, &c), change::STATUS);
    }

    #[test]
    fn a_decision_links_only_to_its_own_actor_at_the_same_moment() {
        let mut p = Provenance::default();
        let mut cm = k8s_openapi::api::core::v1::ConfigMap::default();
        cm.metadata.uid = Some("u".into());
        let obj = Object::ConfigMap(cm);
        p.set_actor(ActorKind::Component, "replicaset-controller", 10);
        p.note_decision(7, "replicaset-controller", 10);
        p.record(None, &obj, 1, false);
        p.set_actor(ActorKind::Component, "default-scheduler", 10);
        p.record(None, &obj, 2, false);
        p.set_actor(ActorKind::Component, "replicaset-controller", 20);
        p.record(None, &obj, 3, false);
        // Worded after the write, by the same actor at the same moment: it explains the write.
        p.set_actor(ActorKind::Component, "deployment-controller", 30);
        p.record(None, &obj, 4, false);
        p.note_decision(8, "deployment-controller", 30);
        let w = p.writes_of("u");
        assert_eq!(w[0].decision, Some(7));
        assert_eq!(w[1].decision, None, "another actor");
        assert_eq!(w[2].decision, None, "a later moment");
        assert_eq!(w[3].decision, Some(8), "a decision worded after its write");
        assert_eq!(
            p.actor(w[1].actor).map(|a| &*a.name),
            Some("default-scheduler")
        );
    }
}
