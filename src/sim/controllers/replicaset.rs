//! The ReplicaSet controller (`pkg/controller/replicaset`): keep `spec.replicas` active pods.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::super::labels::Selector;
use super::super::object::{new_controller_ref, Kind, Object};
use super::super::podutil;
use super::super::store::ObjKey;
use super::super::Sim;
use super::Ctrl;

/// At most this many creations or deletions per sync (`BurstReplicas`).
pub const BURST_REPLICAS: usize = 500;

const COMPONENT: &str = "replicaset-controller";

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(rs) = obj.as_replicaset() else {
        return;
    };
    if rs.metadata.deletion_timestamp.is_some() {
        return;
    }
    let uid = obj.uid().to_string();
    let spec = rs.spec.clone().unwrap_or_default();
    let want = spec.replicas.unwrap_or(1).max(0) as usize;

    let Ok(selector) = Selector::from_label_selector(Some(&spec.selector)) else {
        sim.decide(
            COMPONENT,
            format!("{} has an invalid selector; not syncing", key.name),
        );
        return;
    };
    let pods = claim_pods(sim, &obj, &uid, &selector);
    let active: Vec<&Pod> = pods.iter().filter_map(|o| o.as_pod()).collect();
    let have = active.len();

    if have < want {
        let n = (want - have).min(BURST_REPLICAS);
        sim.decide(
            COMPONENT,
            format!(
                "{} has {} of {} pods; creating {}",
                key.name,
                have,
                want,
                plural(n, "pod")
            ),
        );
        // Slow start: batches of 1, 2, 4, ...; a batch with a failed creation (the API server
        // refused the pod; `create_pod` has the sync retried with back-off) ends it.
        let mut remaining = n;
        let mut batch = 1;
        let mut failed = false;
        while remaining > 0 && !failed {
            let size = batch.min(remaining);
            for _ in 0..size {
                failed |= !create_pod(sim, &obj, rs);
            }
            remaining -= size;
            batch *= 2;
        }
        if !failed {
            super::forget_failures(sim, Ctrl::ReplicaSet, key);
        }
    } else if have > want {
        let n = (have - want).min(BURST_REPLICAS);
        let victims = pods_to_delete(sim, &active, n);
        sim.decide(
            COMPONENT,
            format!(
                "{} has {} of {} pods; deleting {}",
                key.name,
                have,
                want,
                victims.join(", ")
            ),
        );
        for name in victims {
            let pk = ObjKey::new(Kind::Pod, &key.namespace, &name);
            if sim.delete(&pk, None).is_ok() {
                sim.event(
                    &obj,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {name}"),
                    COMPONENT,
                    None,
                );
            }
        }
    }

    update_status(sim, key);
}

/// `claimPods` (`PodControllerRefManager.ClaimPods` over the active pods): keeps the pods this
/// ReplicaSet controls whose labels still match its selector, releases those that no longer match
/// (removes its ownerReference, so they live on as orphans and a replacement is created), and adopts
/// active orphans in its namespace that match (adds a controllerRef). Returns the claimed pods.
fn claim_pods(
    sim: &mut Sim,
    owner: &Rc<Object>,
    uid: &str,
    selector: &Selector,
) -> Vec<Rc<Object>> {
    static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();
    fn labels_of(o: &Object) -> &BTreeMap<String, String> {
        o.meta().labels.as_ref().unwrap_or(&NO_LABELS)
    }
    let is_active = |o: &Object| o.as_pod().is_some_and(podutil::is_active);
    let mut claimed = Vec::new();
    // Pods this RS controls that match its selector, terminating or not: every one of them carries
    // the selector's required labels, which lets `orphans_matching` skip its scan when no other pod does.
    let mut owned_matching = 0;
    for o in sim.store.owned_by(uid) {
        if o.kind() != Kind::Pod || o.controller_ref().is_none_or(|r| r.uid != uid) {
            continue;
        }
        let matches = selector.matches(labels_of(&o));
        owned_matching += usize::from(matches);
        if !is_active(&o) {
            continue;
        }
        if matches {
            claimed.push(o);
            continue;
        }
        let mut pod = (*o).clone();
        let refs: Vec<_> = pod
            .meta()
            .owner_references
            .iter()
            .flatten()
            .filter(|r| r.uid != uid)
            .cloned()
            .collect();
        pod.meta_mut().owner_references = if refs.is_empty() { None } else { Some(refs) };
        if sim.update(pod).is_ok() {
            sim.decide(
                COMPONENT,
                format!(
                    "{} releases pod {}: its labels no longer match the selector {selector}",
                    owner.name(),
                    o.name()
                ),
            );
        }
    }
    for o in orphans_matching(sim, owner.namespace(), selector, owned_matching) {
        if !is_active(&o) {
            continue;
        }
        let mut pod = (*o).clone();
        pod.meta_mut()
            .owner_references
            .get_or_insert_with(Vec::new)
            .push(new_controller_ref(Kind::ReplicaSet, owner.meta()));
        if let Ok(adopted) = sim.update(pod) {
            sim.decide(
                COMPONENT,
                format!(
                    "{} adopts orphan pod {}: it matches the selector {selector}",
                    owner.name(),
                    o.name()
                ),
            );
            claimed.push(adopted);
        }
    }
    claimed
}

/// Pods in `namespace` without a controller whose labels match `selector`, found through the label
/// index (the rarest `k=v` the selector requires), not by scanning every pod. `owned_matching` pods
/// are known to be in that set and not orphans: when they are all it holds, there is nothing to scan.
fn orphans_matching(
    sim: &Sim,
    namespace: &str,
    selector: &Selector,
    owned_matching: usize,
) -> Vec<Rc<Object>> {
    if selector.is_nothing() {
        return Vec::new();
    }
    let pairs = selector.required_pairs();
    let mut rarest: Option<&std::collections::BTreeSet<ObjKey>> = None;
    for (k, v) in &pairs {
        match sim.store.with_label(Kind::Pod, namespace, k, v) {
            None => return Vec::new(),
            Some(set) if rarest.is_none_or(|r| set.len() < r.len()) => rarest = Some(set),
            Some(_) => {}
        }
    }
    let candidates: Vec<Rc<Object>> = match rarest {
        Some(set) if set.len() <= owned_matching => return Vec::new(),
        Some(set) => set
            .iter()
            .filter_map(|k| sim.store.get(k).cloned())
            .collect(),
        None => sim.store.list(Kind::Pod, Some(namespace)),
    };
    candidates
        .into_iter()
        .filter(|o| {
            o.controller_ref().is_none()
                && selector.matches(o.meta().labels.as_ref().unwrap_or(&BTreeMap::new()))
        })
        .collect()
}

/// The ReplicaSets in the pod's namespace whose selector matches an orphan pod
/// (`getPodReplicaSets`): the informer queues them so one can adopt it.
pub(crate) fn replicasets_for_orphan(sim: &Sim, pod: &Object) -> Vec<ObjKey> {
    let labels = pod.meta().labels.clone().unwrap_or_default();
    if labels.is_empty() {
        return Vec::new();
    }
    sim.store
        .list(Kind::ReplicaSet, Some(pod.namespace()))
        .iter()
        .filter(|o| {
            let sel = o
                .as_replicaset()
                .and_then(|rs| rs.spec.as_ref())
                .map(|s| &s.selector);
            sel.is_some_and(|s| {
                Selector::from_label_selector(Some(s))
                    .is_ok_and(|s| !s.is_empty() && s.matches(&labels))
            })
        })
        .map(|o| ObjKey::of(o))
        .collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Creates one pod from the template; false if the API server refused it (a FailedCreate Event).
fn create_pod(sim: &mut Sim, owner: &Object, rs: &ReplicaSet) -> bool {
    let template = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default();
    let tmeta = template.metadata.unwrap_or_default();
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", owner.name())),
            namespace: Some(owner.namespace().to_string()),
            labels: tmeta.labels.clone(),
            annotations: tmeta.annotations.clone(),
            owner_references: Some(vec![new_controller_ref(Kind::ReplicaSet, owner.meta())]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    };
    match sim.create(Object::Pod(pod)) {
        Ok(p) => {
            let name = p.name().to_string();
            sim.event(
                owner,
                "Normal",
                "SuccessfulCreate",
                format!("Created pod: {name}"),
                COMPONENT,
                None,
            );
            true
        }
        Err(e) => {
            super::failed_create(
                sim,
                Ctrl::ReplicaSet,
                owner,
                format!("Error creating: {}", e.message),
            );
            false
        }
    }
}

/// `getPodsToDelete`: rank the active pods (`ActivePodsWithRanks.Less`) and take the first `n`.
fn pods_to_delete(sim: &Sim, active: &[&Pod], n: usize) -> Vec<String> {
    if n >= active.len() {
        return active
            .iter()
            .map(|p| p.metadata.name.clone().unwrap_or_default())
            .collect();
    }
    // Rank: how many of these related pods share the pod's node (doubled-up nodes lose pods first).
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for p in active {
        if let Some(node) = podutil::node(p) {
            *per_node.entry(node).or_insert(0) += 1;
        }
    }
    let now = sim.clock.now().timestamp();
    let rank = |p: &Pod| {
        podutil::node(p)
            .and_then(|n| per_node.get(n).copied())
            .unwrap_or(0)
    };
    let phase_order = |p: &Pod| match podutil::phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 3,
    };
    let log2_bucket = |t: i64| {
        let d = (now - t).max(0) as u64 + 1;
        63 - d.leading_zeros()
    };
    let mut sorted: Vec<&Pod> = active.to_vec();
    crate::sort::sort_by(&mut sorted, |a, b| {
        let assigned = |p: &Pod| podutil::node(p).is_some();
        assigned(a)
            .cmp(&assigned(b))
            .then(phase_order(a).cmp(&phase_order(b)))
            .then(podutil::is_ready(a).cmp(&podutil::is_ready(b)))
            .then(rank(b).cmp(&rank(a)))
            .then_with(
                || match (podutil::ready_since(a), podutil::ready_since(b)) {
                    (Some(ta), Some(tb)) if ta != tb => log2_bucket(ta)
                        .cmp(&log2_bucket(tb))
                        .then_with(|| a.metadata.uid.cmp(&b.metadata.uid)),
                    _ => Ordering::Equal,
                },
            )
            .then(podutil::max_restarts(b).cmp(&podutil::max_restarts(a)))
            .then_with(|| {
                let ct = |p: &Pod| {
                    p.metadata
                        .creation_timestamp
                        .as_ref()
                        .map(|t| t.0.timestamp())
                        .unwrap_or(0)
                };
                log2_bucket(ct(a))
                    .cmp(&log2_bucket(ct(b)))
                    .then(a.metadata.uid.cmp(&b.metadata.uid))
            })
    });
    sorted
        .iter()
        .take(n)
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect()
}

/// Counts pods and writes `status` when it changed.
pub(crate) fn update_status(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(rs) = obj.as_replicaset() else {
        return;
    };
    let uid = obj.uid();
    let spec = rs.spec.clone().unwrap_or_default();
    let min_ready = spec.min_ready_seconds.unwrap_or(0) as i64;
    let template_labels = spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let now = sim.clock.now().timestamp();
    let (mut replicas, mut fully, mut ready, mut available) = (0, 0, 0, 0);
    let mut next_available: Option<i64> = None;
    for o in sim.store.owned_by(uid) {
        let Some(p) = o.as_pod() else { continue };
        if o.controller_ref().is_none_or(|r| r.uid != uid) || !podutil::is_active(p) {
            continue;
        }
        replicas += 1;
        let labels = p.metadata.labels.clone().unwrap_or_default();
        if template_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
        {
            fully += 1;
        }
        if podutil::is_ready(p) {
            ready += 1;
            if podutil::is_available(p, min_ready, now) {
                available += 1;
            } else if let Some(t) = podutil::ready_since(p) {
                let at = t + min_ready;
                next_available = Some(next_available.map_or(at, |n: i64| n.min(at)));
            }
        }
    }
    let old = rs.status.clone().unwrap_or_default();
    let status = ReplicaSetStatus {
        replicas,
        fully_labeled_replicas: if fully > 0 { Some(fully) } else { None },
        ready_replicas: if ready > 0 { Some(ready) } else { None },
        available_replicas: if available > 0 { Some(available) } else { None },
        observed_generation: rs.metadata.generation,
        conditions: old.conditions.clone(),
    };
    if status != old {
        let mut new = rs.clone();
        new.status = Some(status);
        sim.write_status(Object::ReplicaSet(new));
    }
    if let Some(at) = next_available {
        // Look again once the first pod has been ready for minReadySeconds.
        let delay = ((at - now).max(0) as u64) * 1000 + 1;
        sim.schedule(
            delay,
            super::super::engine::Task::Enqueue(Ctrl::ReplicaSet, key.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConfig;
    use k8s_openapi::api::apps::v1::ReplicaSetSpec;
    use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    fn app(v: &str) -> BTreeMap<String, String> {
        [("app".to_string(), v.to_string())].into()
    }

    fn pods_with(sim: &Sim, v: &str) -> Vec<Rc<Object>> {
        sim.store
            .list(Kind::Pod, Some("default"))
            .into_iter()
            .filter(|o| o.meta().labels == Some(app(v)))
            .collect()
    }

    fn relabel(sim: &mut Sim, pod: &Object, v: &str) {
        let mut p = pod.clone();
        p.meta_mut().labels = Some(app(v));
        assert!(sim.update(p).is_ok());
    }

    #[test]
    fn releases_pods_that_stop_matching_and_adopts_orphans_that_match() {
        let mut sim = Sim::new(SimConfig::default());
        let rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some("rs".into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(2),
                selector: LabelSelector {
                    match_labels: Some(app("web")),
                    match_expressions: None,
                },
                template: Some(PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(app("web")),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: "c".into(),
                            image: Some("nginx".into()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                }),
                ..Default::default()
            }),
            status: None,
        };
        let uid = sim
            .create(Object::ReplicaSet(rs))
            .map(|o| o.uid().to_string())
            .unwrap_or_default();
        sim.dispatch();
        sim.advance(5_000);
        let owned = |sim: &Sim| sim.store.owned_by(&uid).len();
        assert_eq!((pods_with(&sim, "web").len(), owned(&sim)), (2, 2));

        // Relabel one pod out of the selector: it is released (no ownerReference) and replaced.
        let first = pods_with(&sim, "web")[0].clone();
        relabel(&mut sim, &first, "debug");
        sim.dispatch();
        sim.advance(5_000);
        let debug = pods_with(&sim, "debug");
        assert_eq!(debug.len(), 1);
        assert!(
            debug[0].meta().owner_references.is_none(),
            "released pods keep no ownerReference"
        );
        assert_eq!((pods_with(&sim, "web").len(), owned(&sim)), (2, 2));

        // Relabel it back: the RS adopts the orphan (controllerRef), then has 3 and deletes one.
        relabel(&mut sim, &debug[0], "web");
        sim.dispatch();
        sim.advance(60_000);
        let web = pods_with(&sim, "web");
        assert_eq!(web.len(), 2, "surplus pod deleted after adoption");
        assert!(web.iter().all(|p| p
            .controller_ref()
            .is_some_and(|r| r.uid == uid && r.controller == Some(true))));
        assert_eq!(owned(&sim), 2);
    }

    #[test]
    fn orphans_of_other_selectors_are_left_alone() {
        let sim = Sim::new(SimConfig::default());
        // kube-proxy and kindnet pods are orphans in kube-system; no ReplicaSet selects them.
        for o in sim
            .store
            .list(Kind::Pod, Some("kube-system"))
            .iter()
            .filter(|o| o.controller_ref().is_none())
        {
            assert!(replicasets_for_orphan(&sim, o).is_empty(), "{}", o.name());
        }
    }
}
