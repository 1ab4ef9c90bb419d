//! The store behind the API server: objects keyed by (kind, namespace, name), a global revision
//! like etcd's, watch events, and the indexes that keep every controller step proportional to what
//! changed (pods by owner, by node, objects by label).

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::object::{Kind, Object};

/// Identity of a stored object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    pub kind: Kind,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Self {
        ObjKey {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
    pub fn of(obj: &Object) -> Self {
        ObjKey::new(obj.kind(), obj.namespace(), obj.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchType {
    Added,
    Modified,
    Deleted,
}

/// One change, as a watch stream would deliver it.
#[derive(Clone, Debug)]
pub struct WatchEvent {
    pub kind: WatchType,
    pub key: ObjKey,
    pub object: Rc<Object>,
    pub old: Option<Rc<Object>>,
}

#[derive(Clone, Debug)]
struct Entry {
    obj: Rc<Object>,
    /// Revision at creation: orders objects by age without parsing timestamps.
    created_rev: u64,
}

/// The store. Cloning is cheap-ish (objects are shared `Rc`s), which snapshots rely on.
#[derive(Clone, Debug, Default)]
pub struct Store {
    objects: BTreeMap<ObjKey, Entry>,
    revision: u64,
    by_uid: BTreeMap<String, ObjKey>,
    /// owner uid -> (created_rev, key) of objects that name it in ownerReferences.
    by_owner: BTreeMap<String, BTreeSet<(u64, ObjKey)>>,
    /// node name -> (created_rev, key) of pods bound to it.
    pods_by_node: BTreeMap<String, BTreeSet<(u64, ObjKey)>>,
    /// (kind, namespace, label key, label value) -> keys.
    by_label: BTreeMap<(Kind, String, String, String), BTreeSet<ObjKey>>,
    /// Count of objects per (kind): cheap totals for the view.
    counts: BTreeMap<Kind, usize>,
    events: Vec<WatchEvent>,
    /// Who wrote what (see `provenance.rs`).
    pub(crate) provenance: super::provenance::Provenance,
    /// Changes with every write, and is never handed out twice in this thread (unlike `revision`,
    /// which a session continued from the past counts again): two stores with the same serial
    /// hold the same objects, one being a clone of the other. Keys `Sim::view`'s cache.
    serial: u64,
}

thread_local! {
    static LAST_SERIAL: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn next_serial() -> u64 {
    LAST_SERIAL.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

impl Store {
    pub fn revision(&self) -> u64 {
        self.revision
    }
    /// See the `serial` field: equal serials mean equal contents.
    pub fn serial(&self) -> u64 {
        self.serial
    }
    pub fn get(&self, key: &ObjKey) -> Option<&Rc<Object>> {
        self.objects.get(key).map(|e| &e.obj)
    }
    pub fn get_by_uid(&self, uid: &str) -> Option<&Rc<Object>> {
        self.by_uid.get(uid).and_then(|k| self.get(k))
    }
    pub fn contains(&self, key: &ObjKey) -> bool {
        self.objects.contains_key(key)
    }
    pub fn count(&self, kind: Kind) -> usize {
        self.counts.get(&kind).copied().unwrap_or(0)
    }
    /// All objects of a kind in a namespace (`None`: every namespace), in key (name) order.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Rc<Object>> {
        let lo = ObjKey::new(kind, namespace.unwrap_or(""), "");
        self.objects
            .range(lo..)
            .take_while(|(k, _)| k.kind == kind && namespace.is_none_or(|ns| k.namespace == ns))
            .map(|(_, e)| e.obj.clone())
            .collect()
    }
    /// Objects whose ownerReferences name `owner_uid`, oldest first.
    pub fn owned_by(&self, owner_uid: &str) -> Vec<Rc<Object>> {
        self.by_owner
            .get(owner_uid)
            .map(|s| s.iter().filter_map(|(_, k)| self.get(k).cloned()).collect())
            .unwrap_or_default()
    }
    /// Pods bound to `node`, oldest first.
    pub fn pods_on_node(&self, node: &str) -> Vec<Rc<Object>> {
        self.pods_by_node
            .get(node)
            .map(|s| s.iter().filter_map(|(_, k)| self.get(k).cloned()).collect())
            .unwrap_or_default()
    }
    pub fn pod_count_on_node(&self, node: &str) -> usize {
        self.pods_by_node.get(node).map_or(0, |s| s.len())
    }
    /// Keys of `kind` objects in `namespace` carrying label `key=value`.
    pub fn with_label(
        &self,
        kind: Kind,
        namespace: &str,
        key: &str,
        value: &str,
    ) -> Option<&BTreeSet<ObjKey>> {
        self.by_label.get(&(
            kind,
            namespace.to_string(),
            key.to_string(),
            value.to_string(),
        ))
    }
    /// Keys of `kind` objects in `namespace` that carry every label of `labels` (an equality selector),
    /// found by intersecting the label index from its smallest set.
    pub fn matching_labels(
        &self,
        kind: Kind,
        namespace: &str,
        labels: &BTreeMap<String, String>,
    ) -> Vec<ObjKey> {
        if labels.is_empty() {
            return self
                .list(kind, Some(namespace))
                .iter()
                .map(|o| ObjKey::of(o))
                .collect();
        }
        let mut sets: Vec<&BTreeSet<ObjKey>> = Vec::new();
        for (k, v) in labels {
            match self.with_label(kind, namespace, k, v) {
                Some(s) => sets.push(s),
                None => return Vec::new(),
            }
        }
        crate::sort::sort_by_key(&mut sets, |s| s.len());
        let Some((first, rest)) = sets.split_first() else {
            return Vec::new();
        };
        first
            .iter()
            .filter(|k| rest.iter().all(|s| s.contains(*k)))
            .cloned()
            .collect()
    }
    pub fn created_rev(&self, key: &ObjKey) -> Option<u64> {
        self.objects.get(key).map(|e| e.created_rev)
    }

    /// Takes the watch events written since the last call.
    pub fn drain_events(&mut self) -> Vec<WatchEvent> {
        std::mem::take(&mut self.events)
    }

    /// Stores a new object (the caller has validated and defaulted it) and bumps the revision.
    /// Sets `resourceVersion`. Fails if the key exists.
    pub fn insert(&mut self, mut obj: Object) -> Result<Rc<Object>, Object> {
        let key = ObjKey::of(&obj);
        if self.objects.contains_key(&key) {
            return Err(obj);
        }
        self.revision += 1;
        self.serial = next_serial();
        obj.meta_mut().resource_version = Some(self.revision.to_string());
        let rc = Rc::new(obj);
        self.index(&key, &rc, self.revision);
        *self.counts.entry(key.kind).or_insert(0) += 1;
        self.objects.insert(
            key.clone(),
            Entry {
                obj: rc.clone(),
                created_rev: self.revision,
            },
        );
        self.provenance.record(None, &rc, self.revision, false);
        self.events.push(WatchEvent {
            kind: WatchType::Added,
            key,
            object: rc.clone(),
            old: None,
        });
        Ok(rc)
    }

    /// Replaces an existing object, bumping the revision. Returns `None` if it does not exist.
    pub fn replace(&mut self, mut obj: Object) -> Option<Rc<Object>> {
        let key = ObjKey::of(&obj);
        let created_rev = self.objects.get(&key)?.created_rev;
        self.revision += 1;
        self.serial = next_serial();
        obj.meta_mut().resource_version = Some(self.revision.to_string());
        let rc = Rc::new(obj);
        let old = self
            .objects
            .insert(
                key.clone(),
                Entry {
                    obj: rc.clone(),
                    created_rev,
                },
            )?
            .obj;
        self.unindex(&key, &old, created_rev);
        self.index(&key, &rc, created_rev);
        self.provenance
            .record(Some(&old), &rc, self.revision, false);
        self.events.push(WatchEvent {
            kind: WatchType::Modified,
            key,
            object: rc.clone(),
            old: Some(old),
        });
        Some(rc)
    }

    /// Removes an object for good, bumping the revision.
    pub fn remove(&mut self, key: &ObjKey) -> Option<Rc<Object>> {
        let entry = self.objects.remove(key)?;
        self.revision += 1;
        self.serial = next_serial();
        self.unindex(key, &entry.obj, entry.created_rev);
        if let Some(c) = self.counts.get_mut(&key.kind) {
            *c = c.saturating_sub(1);
        }
        self.provenance
            .record(None, &entry.obj, self.revision, true);
        self.events.push(WatchEvent {
            kind: WatchType::Deleted,
            key: key.clone(),
            object: entry.obj.clone(),
            old: None,
        });
        Some(entry.obj)
    }

    fn index(&mut self, key: &ObjKey, obj: &Object, created_rev: u64) {
        let meta = obj.meta();
        if let Some(uid) = &meta.uid {
            self.by_uid.insert(uid.clone(), key.clone());
        }
        for r in meta.owner_references.iter().flatten() {
            self.by_owner
                .entry(r.uid.clone())
                .or_default()
                .insert((created_rev, key.clone()));
        }
        if let Some(labels) = &meta.labels {
            for (k, v) in labels {
                self.by_label
                    .entry((key.kind, key.namespace.clone(), k.clone(), v.clone()))
                    .or_default()
                    .insert(key.clone());
            }
        }
        if let Some(node) = pod_node(obj) {
            self.pods_by_node
                .entry(node.to_string())
                .or_default()
                .insert((created_rev, key.clone()));
        }
    }

    fn unindex(&mut self, key: &ObjKey, obj: &Object, created_rev: u64) {
        let meta = obj.meta();
        if let Some(uid) = &meta.uid {
            if self.by_uid.get(uid) == Some(key) {
                self.by_uid.remove(uid);
            }
        }
        for r in meta.owner_references.iter().flatten() {
            if let Some(s) = self.by_owner.get_mut(&r.uid) {
                s.remove(&(created_rev, key.clone()));
                if s.is_empty() {
                    self.by_owner.remove(&r.uid);
                }
            }
        }
        if let Some(labels) = &meta.labels {
            for (k, v) in labels {
                let ik = (key.kind, key.namespace.clone(), k.clone(), v.clone());
                if let Some(s) = self.by_label.get_mut(&ik) {
                    s.remove(key);
                    if s.is_empty() {
                        self.by_label.remove(&ik);
                    }
                }
            }
        }
        if let Some(node) = pod_node(obj) {
            if let Some(s) = self.pods_by_node.get_mut(node) {
                s.remove(&(created_rev, key.clone()));
            }
        }
    }
}

fn pod_node(obj: &Object) -> Option<&str> {
    obj.as_pod()?.spec.as_ref()?.node_name.as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Pod, PodSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    fn pod(name: &str, node: Option<&str>, owner: Option<&str>, app: &str) -> Object {
        Object::Pod(Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                uid: Some(format!("uid-{name}")),
                labels: Some([("app".to_string(), app.to_string())].into()),
                owner_references: owner.map(|o| {
                    vec![OwnerReference {
                        uid: o.into(),
                        controller: Some(true),
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            },
            spec: Some(PodSpec {
                node_name: node.map(Into::into),
                ..Default::default()
            }),
            status: None,
        })
    }

    #[test]
    fn revision_and_events() {
        let mut s = Store::default();
        let a = s.insert(pod("a", None, None, "x")).unwrap();
        assert_eq!(a.meta().resource_version.as_deref(), Some("1"));
        assert!(s.insert(pod("a", None, None, "x")).is_err());
        s.replace(pod("a", Some("n1"), None, "x")).unwrap();
        s.remove(&ObjKey::new(Kind::Pod, "default", "a")).unwrap();
        assert_eq!(s.revision(), 3);
        let ev: Vec<_> = s.drain_events().into_iter().map(|e| e.kind).collect();
        assert_eq!(
            ev,
            vec![WatchType::Added, WatchType::Modified, WatchType::Deleted]
        );
        assert_eq!(s.count(Kind::Pod), 0);
    }

    #[test]
    fn indexes_follow_updates() {
        let mut s = Store::default();
        s.insert(pod("a", Some("n1"), Some("rs1"), "x")).unwrap();
        s.insert(pod("b", None, Some("rs1"), "y")).unwrap();
        assert_eq!(s.owned_by("rs1").len(), 2);
        assert_eq!(s.pods_on_node("n1").len(), 1);
        s.replace(pod("b", Some("n1"), Some("rs2"), "x")).unwrap();
        assert_eq!(s.owned_by("rs1").len(), 1);
        assert_eq!(s.pod_count_on_node("n1"), 2);
        let sel = [("app".to_string(), "x".to_string())].into();
        assert_eq!(s.matching_labels(Kind::Pod, "default", &sel).len(), 2);
        s.remove(&ObjKey::new(Kind::Pod, "default", "a"));
        assert_eq!(s.pod_count_on_node("n1"), 1);
        assert_eq!(s.matching_labels(Kind::Pod, "default", &sel).len(), 1);
        assert!(s.get_by_uid("uid-a").is_none());
    }
}
