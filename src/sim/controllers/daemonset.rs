//! The DaemonSet controller (`pkg/controller/daemon`): one pod on every eligible node (nodeSelector,
//! required node affinity, taints against the template's tolerations plus the automatic DaemonSet
//! ones). Pods are placed by the default scheduler through a required node-affinity term
//! `matchFields metadata.name In [<node>]`. Updates roll node by node within maxUnavailable.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodSpec, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::super::engine::Task;
use super::super::labels::Selector;
use super::super::object::{new_controller_ref, Kind, Object};
use super::super::podutil;
use super::super::store::{ObjKey, WatchEvent};
use super::super::Sim;
use super::statefulset::{sync_update_revision, truncate_history, REVISION_LABEL};
use super::{enqueue, Ctrl};

const COMPONENT: &str = "daemonset-controller";
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";

/// `SetDefaults_DaemonSet`.
pub(crate) fn set_defaults(d: &mut DaemonSet) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.revision_history_limit.get_or_insert(10);
    let strategy = spec.update_strategy.get_or_insert_with(Default::default);
    let t = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
    if t == "RollingUpdate" {
        let ru = strategy.rolling_update.get_or_insert_with(Default::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    super::super::defaults::template(&mut spec.template);
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::DaemonSet => enqueue(sim, Ctrl::DaemonSet, ev.key.clone()),
        Kind::Pod => {
            for obj in std::iter::once(&ev.object).chain(ev.old.iter()) {
                if let Some(r) = obj.controller_ref() {
                    if r.kind == "DaemonSet" {
                        enqueue(
                            sim,
                            Ctrl::DaemonSet,
                            ObjKey::new(Kind::DaemonSet, &ev.key.namespace, &r.name),
                        );
                    }
                }
            }
        }
        Kind::Node => {
            // A node came, went or changed (labels, taints): every DaemonSet looks again.
            let keys: Vec<ObjKey> = sim
                .store
                .list(Kind::DaemonSet, None)
                .iter()
                .map(|o| ObjKey::of(o))
                .collect();
            for k in keys {
                enqueue(sim, Ctrl::DaemonSet, k);
            }
        }
        _ => {}
    }
}

/// `AddOrUpdateDaemonPodTolerations`.
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    let host_network = spec.host_network == Some(true);
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    let mut want: Vec<(&str, &str)> = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        want.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    for (key, effect) in want {
        let t = Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Default::default()
        };
        // AddOrUpdateTolerationInPodSpec: a toleration with the same key and effect is replaced.
        match tols
            .iter_mut()
            .find(|x| x.key.as_deref() == Some(key) && x.effect.as_deref() == Some(effect))
        {
            Some(x) => *x = t,
            None => tols.push(t),
        }
    }
}

/// Whether `tolerations` tolerate a taint (`Toleration.ToleratesTaint`).
pub fn tolerates(tolerations: &[Toleration], key: &str, value: Option<&str>, effect: &str) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t
            .effect
            .as_deref()
            .is_none_or(|e| e.is_empty() || e == effect);
        let exists = t.operator.as_deref() == Some("Exists");
        let key_ok = if t.key.as_deref().is_none_or(|k| k.is_empty()) {
            exists
        } else {
            t.key.as_deref() == Some(key)
                && (exists || t.value.as_deref().unwrap_or("") == value.unwrap_or(""))
        };
        effect_ok && key_ok
    })
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = r.values.clone().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(w)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|w| w.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if r.operator == "Gt" {
                v > w
            } else {
                v < w
            }
        }
        _ => false,
    }
}

/// A node selector term: every expression (labels) and field (`metadata.name`) requirement holds.
pub(crate) fn term_matches(t: &NodeSelectorTerm, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let exprs = t.match_expressions.as_deref().unwrap_or(&[]);
    let fields = t.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs
        .iter()
        .all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
        && fields.iter().all(|r| {
            r.key == "metadata.name" && requirement_matches(r, node.metadata.name.as_deref())
        })
}

/// The NodeAffinity filter: `nodeSelector` and the required node-affinity terms (any term may match).
pub fn node_affinity_matches(spec: &PodSpec, node: &Node) -> bool {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    if let Some(sel) = &spec.node_selector {
        if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| {
            n.required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    match required {
        Some(r) => r.node_selector_terms.iter().any(|t| term_matches(t, node)),
        None => true,
    }
}

/// `NodeShouldRunDaemonPod`: the node fits the pod's node affinity and its NoSchedule/NoExecute
/// taints are tolerated (the DaemonSet's automatic tolerations included).
pub fn node_should_run(template_spec: &PodSpec, node: &Node) -> bool {
    // The automatic tolerations change nothing of the affinity: it is read from the template.
    if !node_affinity_matches(template_spec, node) {
        return false;
    }
    let mut taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .peekable();
    if taints.peek().is_none() {
        return true;
    }
    // Only the tolerations of the pod the DaemonSet would create (template + automatic ones).
    let mut probe = PodSpec {
        host_network: template_spec.host_network,
        tolerations: template_spec.tolerations.clone(),
        ..Default::default()
    };
    add_daemon_tolerations(&mut probe);
    let tols = probe.tolerations.unwrap_or_default();
    taints.all(|t| tolerates(&tols, &t.key, t.value.as_deref(), &t.effect))
}

/// `GetTargetNodeName`: `spec.nodeName`, or the node the affinity term pins the pod to.
pub fn target_node(p: &Pod) -> Option<String> {
    let spec = p.spec.as_ref()?;
    if let Some(n) = &spec.node_name {
        return Some(n.clone());
    }
    let terms = &spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    terms
        .iter()
        .flat_map(|t| t.match_fields.iter().flatten())
        .find(|r| r.key == "metadata.name" && r.operator == "In")
        .and_then(|r| r.values.as_ref()?.first().cloned())
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required terms become one `matchFields` term.
fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let term = NodeSelectorTerm {
        match_expressions: None,
        match_fields: Some(vec![NodeSelectorRequirement {
            key: "metadata.name".into(),
            operator: "In".into(),
            values: Some(vec![node.to_string()]),
        }]),
    };
    let aff = spec.affinity.get_or_insert_with(Affinity::default);
    let na = aff.node_affinity.get_or_insert_with(NodeAffinity::default);
    na.required_during_scheduling_ignored_during_execution = Some(NodeSelector {
        node_selector_terms: vec![term],
    });
}

/// The nodes in registration order (shared, not copied: the caller reads them as `&Node` through
/// [`as_nodes`] while it writes to the store).
fn nodes_in_order(sim: &Sim) -> Vec<Rc<Object>> {
    let mut nodes: Vec<(u64, Rc<Object>)> = sim
        .store
        .list(Kind::Node, None)
        .iter()
        .filter(|o| o.as_node().is_some())
        .map(|o| {
            (
                sim.store.created_rev(&ObjKey::of(o)).unwrap_or(0),
                o.clone(),
            )
        })
        .collect();
    crate::sort::sort_by_key(&mut nodes, |(r, _)| *r);
    nodes.into_iter().map(|(_, n)| n).collect()
}

fn as_nodes(objs: &[Rc<Object>]) -> Vec<&Node> {
    objs.iter().filter_map(|o| o.as_node()).collect()
}

fn as_pods(objs: &[Rc<Object>]) -> Vec<&Pod> {
    objs.iter().filter_map(|o| o.as_pod()).collect()
}

fn hash_of(p: &Pod) -> Option<&str> {
    p.metadata
        .labels
        .as_ref()?
        .get(REVISION_LABEL)
        .map(String::as_str)
}

fn create_pod(sim: &mut Sim, owner: &Object, ds: &DaemonSet, node: &str, hash: &str) {
    let spec = ds.spec.clone().unwrap_or_default();
    let tmeta = spec.template.metadata.clone().unwrap_or_default();
    let mut labels = tmeta.labels.clone().unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), hash.to_string());
    labels.insert(
        TEMPLATE_GENERATION_LABEL.into(),
        ds.metadata.generation.unwrap_or(1).to_string(),
    );
    let mut pspec = spec.template.spec.clone().unwrap_or_default();
    add_daemon_tolerations(&mut pspec);
    pin_to_node(&mut pspec, node);
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", owner.name())),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            annotations: tmeta.annotations,
            owner_references: Some(vec![new_controller_ref(Kind::DaemonSet, owner.meta())]),
            ..Default::default()
        },
        spec: Some(pspec),
        status: None,
    };
    match sim.create(Object::Pod(pod)) {
        Ok(p) => {
            let name = p.name().to_string();
            sim.decide(
                COMPONENT,
                format!("{} needs a pod on {node}; created {name}", owner.name()),
            );
            sim.event(
                owner,
                "Normal",
                "SuccessfulCreate",
                format!("Created pod: {name}"),
                COMPONENT,
                None,
            );
            super::forget_failures(sim, Ctrl::DaemonSet, &ObjKey::of(owner));
        }
        Err(e) => {
            super::failed_create(
                sim,
                Ctrl::DaemonSet,
                owner,
                format!("Error creating: {}", e.message),
            );
        }
    }
}

fn delete_pod(sim: &mut Sim, owner: &Object, p: &Pod, why: &str) {
    let name = p.metadata.name.clone().unwrap_or_default();
    if sim
        .delete(&ObjKey::new(Kind::Pod, owner.namespace(), &name), None)
        .is_ok()
    {
        sim.decide(
            COMPONENT,
            format!("{} deletes pod {name}: {why}", owner.name()),
        );
        sim.event(
            owner,
            "Normal",
            "SuccessfulDelete",
            format!("Deleted pod: {name}"),
            COMPONENT,
            None,
        );
    }
}

/// The DaemonSet's pods by target node (oldest first), and those with no target at all.
/// The DaemonSet's pods by the node they are for (shared, not copied: read them with [`as_pods`]).
fn pods_by_node(sim: &Sim, uid: &str) -> BTreeMap<String, Vec<Rc<Object>>> {
    let mut m: BTreeMap<String, Vec<Rc<Object>>> = BTreeMap::new();
    for o in sim.store.owned_by(uid) {
        let Some(p) = o.as_pod() else { continue };
        if o.controller_ref().is_none_or(|r| r.uid != uid) {
            continue;
        }
        m.entry(target_node(p).unwrap_or_default())
            .or_default()
            .push(o.clone());
    }
    m
}

fn max_unavailable(ds: &DaemonSet, desired: i32) -> i32 {
    let ru = ds
        .spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    let v = ru
        .and_then(|r| r.max_unavailable.clone())
        .unwrap_or(IntOrString::Int(1));
    let n = super::deployment::scaled_value(&v, desired, true).unwrap_or(1);
    let surge = ru
        .and_then(|r| r.max_surge.clone())
        .map(|s| super::deployment::scaled_value(&s, desired, true).unwrap_or(0))
        .unwrap_or(0);
    if n == 0 && surge == 0 {
        1
    } else {
        n.max(0)
    }
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(ds) = obj.as_daemonset() else { return };
    if ds.metadata.deletion_timestamp.is_some() {
        return;
    }
    let ds = ds.clone();
    let uid = obj.uid().to_string();
    let spec = ds.spec.clone().unwrap_or_default();
    if Selector::from_label_selector(Some(&spec.selector)).is_err() {
        sim.decide(
            COMPONENT,
            format!("{} has an invalid selector; not syncing", key.name),
        );
        return;
    }
    let Some((_, hash)) = sync_update_revision(sim, &obj, Kind::DaemonSet, &spec.template) else {
        return;
    };
    let tspec = spec.template.spec.clone().unwrap_or_default();
    let node_objs = nodes_in_order(sim);
    let nodes = as_nodes(&node_objs);
    let min_ready = spec.min_ready_seconds.unwrap_or(0) as i64;
    let now = sim.clock.now().timestamp();

    // manage: create where a pod is missing, delete where one should not be.
    let by_node = pods_by_node(sim, &uid);
    // Whether each node should run the daemon pod: decided once, for managing and for the
    // rolling update's count of desired pods.
    let should_run: Vec<bool> = nodes.iter().map(|n| node_should_run(&tspec, n)).collect();
    let mut known: Vec<&str> = Vec::new();
    for (node, &should) in nodes.iter().zip(&should_run) {
        let name = node.metadata.name.as_deref().unwrap_or("");
        known.push(name);
        let pods = by_node.get(name).map(|v| as_pods(v)).unwrap_or_default();
        if should {
            if pods.is_empty() {
                create_pod(sim, &obj, &ds, name, &hash);
                continue;
            }
            let mut running: Vec<&Pod> = Vec::new();
            for &p in &pods {
                if podutil::terminating(p) {
                    continue;
                }
                if podutil::phase(p) == "Failed" {
                    delete_pod(
                        sim,
                        &obj,
                        p,
                        &format!("it failed on {name}; a new one will replace it"),
                    );
                    continue;
                }
                running.push(p);
            }
            // More than one pod on the node: keep the oldest.
            for p in running.iter().skip(1) {
                delete_pod(
                    sim,
                    &obj,
                    p,
                    &format!("{name} already runs a pod of this DaemonSet"),
                );
            }
        } else {
            for p in pods.iter().filter(|p| !podutil::terminating(p)) {
                delete_pod(
                    sim,
                    &obj,
                    p,
                    &format!("node {name} is not eligible any more"),
                );
            }
        }
    }
    // Pods pinned to nodes that no longer exist (the pod GC's job in a real cluster).
    for (node, pods) in &by_node {
        if !known.contains(&node.as_str()) {
            for p in as_pods(pods)
                .into_iter()
                .filter(|p| !podutil::terminating(p))
            {
                delete_pod(sim, &obj, p, &format!("node {node} no longer exists"));
            }
        }
    }

    // rollingUpdate (maxSurge 0): replace old pods within maxUnavailable.
    let rolling = spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        != Some("OnDelete");
    if rolling {
        let by_node = pods_by_node(sim, &uid);
        let desired = should_run.iter().filter(|s| **s).count() as i32;
        let max_unavail = max_unavailable(&ds, desired);
        let mut unavailable = 0;
        let mut replace_now: Vec<&Pod> = Vec::new();
        let mut candidates: Vec<&Pod> = Vec::new();
        for node in &nodes {
            let name = node.metadata.name.as_deref().unwrap_or("");
            let Some(pods) = by_node.get(name) else {
                continue;
            };
            let live: Vec<&Pod> = as_pods(pods)
                .into_iter()
                .filter(|p| !podutil::terminating(p))
                .collect();
            if live.len() > 1 {
                unavailable += 1;
                continue;
            }
            let new = live.iter().find(|p| hash_of(p) == Some(hash.as_str()));
            let old = live.iter().find(|p| hash_of(p) != Some(hash.as_str()));
            match (new, old) {
                (None, None) | (Some(_), Some(_)) => unavailable += 1,
                (Some(p), None) => {
                    if !(podutil::is_ready(p) && podutil::is_available(p, min_ready, now)) {
                        unavailable += 1;
                    }
                }
                (None, Some(p)) => {
                    if !(podutil::is_ready(p) && podutil::is_available(p, min_ready, now)) {
                        replace_now.push(p);
                    } else if unavailable < max_unavail {
                        candidates.push(p);
                    }
                }
            }
        }
        let room = (max_unavail - unavailable).max(0) as usize;
        for p in replace_now.iter().chain(candidates.iter().take(room)) {
            delete_pod(
                sim,
                &obj,
                p,
                &format!("rolling update to {hash} (maxUnavailable {max_unavail})"),
            );
        }
    }

    update_status(sim, key, &hash);
    let in_use: Vec<String> = pods_by_node(sim, &uid)
        .values()
        .flatten()
        .filter_map(|o| o.as_pod())
        .filter_map(|p| hash_of(p).map(|h| format!("{}-{h}", key.name)))
        .collect();
    let current = format!("{}-{hash}", key.name);
    truncate_history(
        sim,
        &uid,
        spec.revision_history_limit.unwrap_or(10),
        &[current.as_str()],
        &in_use,
    );
}

/// `updateDaemonSetStatus`.
fn update_status(sim: &mut Sim, key: &ObjKey, hash: &str) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(ds) = obj.as_daemonset() else { return };
    let uid = obj.uid().to_string();
    let spec = ds.spec.clone().unwrap_or_default();
    let tspec = spec.template.spec.clone().unwrap_or_default();
    let min_ready = spec.min_ready_seconds.unwrap_or(0) as i64;
    let now = sim.clock.now().timestamp();
    let by_node = pods_by_node(sim, &uid);
    let (mut desired, mut current, mut miss, mut ready, mut available, mut updated) =
        (0, 0, 0, 0, 0, 0);
    let mut next_available: Option<i64> = None;
    let node_objs = nodes_in_order(sim);
    for node in as_nodes(&node_objs) {
        let name = node.metadata.name.clone().unwrap_or_default();
        let pods: Vec<&Pod> = by_node
            .get(&name)
            .map(|v| {
                as_pods(v)
                    .into_iter()
                    .filter(|p| {
                        !podutil::terminating(p)
                            && !matches!(podutil::phase(p), "Succeeded" | "Failed")
                    })
                    .collect()
            })
            .unwrap_or_default();
        if node_should_run(&tspec, node) {
            desired += 1;
            if let Some(p) = pods.first() {
                current += 1;
                if podutil::is_ready(p) {
                    ready += 1;
                    if podutil::is_available(p, min_ready, now) {
                        available += 1;
                    } else if let Some(t) = podutil::ready_since(p) {
                        next_available = Some(
                            next_available.map_or(t + min_ready, |n: i64| n.min(t + min_ready)),
                        );
                    }
                }
                if hash_of(p) == Some(hash) {
                    updated += 1;
                }
            }
        } else if !pods.is_empty() {
            miss += 1;
        }
    }
    let old = ds.status.clone().unwrap_or_default();
    let status = DaemonSetStatus {
        desired_number_scheduled: desired,
        current_number_scheduled: current,
        number_misscheduled: miss,
        number_ready: ready,
        number_available: if available > 0 { Some(available) } else { None },
        number_unavailable: if desired - available > 0 {
            Some(desired - available)
        } else {
            None
        },
        updated_number_scheduled: if updated > 0 { Some(updated) } else { None },
        observed_generation: ds.metadata.generation,
        collision_count: old.collision_count,
        conditions: old.conditions.clone(),
    };
    if status != old {
        let mut new = ds.clone();
        new.status = Some(status);
        sim.write_status(Object::DaemonSet(new));
    }
    if let Some(at) = next_available {
        let delay = ((at - now).max(0) as u64) * 1000 + 1;
        sim.schedule(delay, Task::Enqueue(Ctrl::DaemonSet, key.clone()));
    }
}

/// Whether a pod is managed by a DaemonSet (for `drain`'s and the view's purposes).
pub fn is_daemon_pod(o: &Rc<Object>) -> bool {
    o.controller_ref().is_some_and(|r| r.kind == "DaemonSet")
}
