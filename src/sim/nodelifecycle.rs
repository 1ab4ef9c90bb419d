//! Node health as the control plane sees it: the kubelets' heartbeats (Lease renewals), the
//! kube-controller-manager's node lifecycle controller (Ready=Unknown after the grace period, the
//! `unreachable` / `not-ready` / `unschedulable` taints, pods marked not ready), the taint-eviction
//! controller (pods deleted once their NoExecute toleration runs out), the pod garbage collector
//! (pods of deleted nodes), and the cloud-controller-manager's node, node-lifecycle and route
//! controllers (`controllers::ccm_node`, `controllers::ccm_route`).
//!
//! Heartbeats are not stored writes: a healthy kubelet renews its Lease every 10 s from the moment
//! it registered, so the last renewal is computed when asked. The simulation only schedules work
//! when something goes wrong (a kubelet stops), which keeps a healthy cluster quiet.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, PodCondition, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::controllers::{ccm_node, ccm_route};
use super::engine::Task;
use super::object::{Kind, Object};
use super::podutil;
use super::store::{ObjKey, WatchEvent, WatchType};
use super::Sim;

/// The kubelet renews its Lease this often (`nodeLeaseDurationSeconds` 40 s / 4).
pub const HEARTBEAT_MS: u64 = 10_000;
/// `--node-monitor-grace-period`: 50 s in v1.32 (40 s up to v1.31; kubernetes PR #126287).
pub const GRACE_MS: u64 = 50_000;
/// `--node-monitor-period`: how often the node lifecycle controller looks at the nodes.
pub const MONITOR_PERIOD_MS: u64 = 5_000;
/// The pod garbage collector deletes pods of a vanished node after this quarantine.
pub const PODGC_QUARANTINE_MS: u64 = 40_000;

pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
pub const TAINT_UNINITIALIZED: &str = "node.cloudprovider.kubernetes.io/uninitialized";

const NODE_CONTROLLER: &str = "node-controller";
const LIFECYCLE: &str = "node-lifecycle-controller";
const TAINT_EVICTION: &str = "taint-eviction-controller";
const PODGC: &str = "pod-garbage-collector";

/// Why a kubelet is not heartbeating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownKind {
    /// `sim node fail`: the kubelet stopped; containers keep running unseen.
    KubeletStopped,
    /// `sim node partition`: the node is cut off from the network.
    Partitioned,
    /// `sim cloud delete-instance`: the machine is gone.
    InstanceGone,
}

impl DownKind {
    pub fn describe(self) -> &'static str {
        match self {
            DownKind::KubeletStopped => "kubelet stopped",
            DownKind::Partitioned => "network partitioned",
            DownKind::InstanceGone => "instance deleted",
        }
    }
}

/// Since when, and why, a node's kubelet is silent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Down {
    pub kind: DownKind,
    pub since_ms: u64,
}

/// What the control plane knows of one node's kubelet.
#[derive(Clone, Debug)]
pub struct NodeHealth {
    /// When the kubelet registered: its Lease renewals fall on this grid.
    pub registered_ms: u64,
    pub down: Option<Down>,
    /// When the current NoExecute taints were added (taint-eviction counts from here).
    pub no_execute_since_ms: Option<u64>,
}

/// Work of the node controllers, run as engine tasks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NlTask {
    /// Node lifecycle controller: check one node's health, conditions and taints.
    Monitor(String),
    /// Taint-eviction controller: look at one pod on a tainted node.
    Evict(ObjKey),
    /// Pod GC: delete the pods of a node that no longer exists.
    PodGc(String),
    /// CCM node controller (initialise) and cloud node-lifecycle controller (delete vanished).
    CcmNode(String),
    /// CCM route controller: a route per node pod CIDR.
    Route(String),
}

impl NlTask {
    fn latency_ms(&self) -> u64 {
        match self {
            NlTask::Monitor(_) => 25,
            NlTask::Evict(_) => 20,
            NlTask::PodGc(_) => 30,
            NlTask::CcmNode(_) => 35,
            NlTask::Route(_) => 40,
        }
    }
}

/// State of the node controllers and of the injected faults.
#[derive(Clone, Debug, Default)]
pub struct NodeLife {
    pub nodes: BTreeMap<String, NodeHealth>,
    /// Kubelet tasks held while the kubelet is down, replayed in order when it comes back.
    pub(crate) parked: BTreeMap<String, Vec<Task>>,
    /// Images whose pulls fail (`sim image break`), by full name.
    pub broken_images: BTreeSet<String>,
    /// Tasks queued to run soon (de-duplicated).
    queued: BTreeSet<NlTask>,
}

impl NodeLife {
    pub fn down(&self, node: &str) -> Option<Down> {
        self.nodes.get(node).and_then(|h| h.down)
    }
    pub fn image_broken(&self, full: &str) -> bool {
        self.broken_images.contains(full)
    }
}

impl Sim {
    /// When `node`'s kubelet last renewed its Lease (virtual ms), if the node is known.
    pub fn last_heartbeat_ms(&self, node: &str) -> Option<u64> {
        let h = self.nodelife.nodes.get(node)?;
        let until = h.down.map_or(self.elapsed_ms(), |d| d.since_ms);
        Some(last_tick(h.registered_ms, until))
    }
    /// Why `node`'s kubelet is silent, if it is.
    pub fn node_down(&self, node: &str) -> Option<Down> {
        self.nodelife.down(node)
    }
}

/// The last renewal at or before `until` on a grid starting at `registered`.
fn last_tick(registered: u64, until: u64) -> u64 {
    if until <= registered {
        return registered;
    }
    registered + (until - registered) / HEARTBEAT_MS * HEARTBEAT_MS
}

/// Queues a task to run after its latency (once, if it is already waiting).
pub(crate) fn queue(sim: &mut Sim, t: NlTask) {
    if sim.nodelife.queued.insert(t.clone()) {
        let d = t.latency_ms();
        sim.schedule(d, Task::NodeLife(t));
    }
}

/// Runs a task at a later instant (a timer: not de-duplicated).
pub(crate) fn later(sim: &mut Sim, delay_ms: u64, t: NlTask) {
    sim.schedule(delay_ms, Task::NodeLife(t));
}

pub(crate) fn run(sim: &mut Sim, t: NlTask) {
    sim.nodelife.queued.remove(&t);
    match t {
        NlTask::Monitor(n) => monitor(sim, &n),
        NlTask::Evict(k) => evict(sim, &k),
        NlTask::PodGc(n) => pod_gc(sim, &n),
        NlTask::CcmNode(n) => ccm_node::reconcile(sim, &n),
        NlTask::Route(n) => ccm_route::reconcile(sim, &n),
    }
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Node => {
            let name = ev.key.name.clone();
            match ev.kind {
                WatchType::Added => {
                    let now = sim.elapsed_ms();
                    sim.nodelife
                        .nodes
                        .entry(name.clone())
                        .or_insert(NodeHealth {
                            registered_ms: now,
                            down: None,
                            no_execute_since_ms: None,
                        });
                    queue(sim, NlTask::CcmNode(name.clone()));
                    queue(sim, NlTask::Route(name.clone()));
                    queue(sim, NlTask::Monitor(name));
                }
                WatchType::Modified => {
                    let (Some(new), Some(old)) = (
                        ev.object.as_node(),
                        ev.old.as_ref().and_then(|o| o.as_node()),
                    ) else {
                        return;
                    };
                    if no_execute(new) != no_execute(old) {
                        for p in sim.store.pods_on_node(&name) {
                            queue(sim, NlTask::Evict(ObjKey::of(&p)));
                        }
                    }
                    if ready_status(new) != ready_status(old)
                        || unschedulable(new) != unschedulable(old)
                    {
                        queue(sim, NlTask::Monitor(name.clone()));
                    }
                    if ready_status(new) != ready_status(old) || has_taint(new, TAINT_UNINITIALIZED)
                    {
                        queue(sim, NlTask::CcmNode(name.clone()));
                    }
                    if new.spec.as_ref().and_then(|s| s.pod_cidr.as_ref())
                        != old.spec.as_ref().and_then(|s| s.pod_cidr.as_ref())
                    {
                        queue(sim, NlTask::Route(name));
                    }
                }
                WatchType::Deleted => {
                    let gone = sim.nodelife.nodes.remove(&name);
                    sim.nodelife.parked.remove(&name);
                    // A machine that is gone takes its kubelet with it.
                    if gone
                        .and_then(|h| h.down)
                        .is_some_and(|d| d.kind == DownKind::InstanceGone)
                        || !sim.cloud.instances.contains_key(&name)
                    {
                        sim.kubelets.remove(&name);
                    }
                    if let Some(n) = ev.object.as_node() {
                        sim.event(
                            &ev.object,
                            "Normal",
                            "RemovingNode",
                            format!(
                                "Node {} event: Removing Node {} from Controller",
                                n.metadata.name.as_deref().unwrap_or(""),
                                n.metadata.name.as_deref().unwrap_or("")
                            ),
                            NODE_CONTROLLER,
                            None,
                        );
                    }
                    queue(sim, NlTask::Route(name.clone()));
                    if sim.store.pod_count_on_node(&name) > 0 {
                        later(sim, PODGC_QUARANTINE_MS, NlTask::PodGc(name));
                    }
                }
            }
        }
        Kind::Pod if ev.kind != WatchType::Deleted => {
            let Some(pod) = ev.object.as_pod() else {
                return;
            };
            let Some(node) = podutil::node(pod) else {
                return;
            };
            if podutil::terminating(pod) {
                return;
            }
            let tainted = sim
                .store
                .get(&ObjKey::new(Kind::Node, "", node))
                .and_then(|o| o.as_node().map(no_execute))
                .is_some_and(|t| !t.is_empty());
            if tainted {
                queue(sim, NlTask::Evict(ev.key.clone()));
            }
        }
        _ => {}
    }
}

fn conditions(n: &Node) -> &[NodeCondition] {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or(&[])
}

pub fn ready_status(n: &Node) -> String {
    conditions(n)
        .iter()
        .find(|c| c.type_ == "Ready")
        .map_or_else(|| "Unknown".into(), |c| c.status.clone())
}

fn unschedulable(n: &Node) -> bool {
    n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true)
}

pub fn has_taint(n: &Node, key: &str) -> bool {
    n.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|t| t.iter().any(|t| t.key == key))
}

/// The node's NoExecute taints as (key, value).
fn no_execute(n: &Node) -> Vec<(String, Option<String>)> {
    n.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .filter(|t| t.effect == "NoExecute")
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

fn secs(ms: u64) -> u64 {
    ms / 1000
}

/// The node lifecycle controller's look at one node (`monitorNodeHealth`, the tainting passes).
fn monitor(sim: &mut Sim, name: &str) {
    let key = ObjKey::new(Kind::Node, "", name);
    let Some(obj) = sim.store.get(&key).cloned() else {
        return;
    };
    let Some(node) = obj.as_node() else { return };
    let mut node = node.clone();
    let now = sim.elapsed_ms();
    let Some(h) = sim.nodelife.nodes.get(name).cloned() else {
        return;
    };
    let mut changed = false;
    if let Some(d) = h.down {
        let last = last_tick(h.registered_ms, d.since_ms);
        // The controller looks every 5 s; it gives up on the node at the first look past the grace period.
        let due = (last + GRACE_MS).div_ceil(MONITOR_PERIOD_MS) * MONITOR_PERIOD_MS;
        if now < due {
            later(sim, due - now, NlTask::Monitor(name.to_string()));
            return;
        }
        if ready_status(&node) != "Unknown" {
            let t = sim.clock.now_time();
            for c in node
                .status
                .get_or_insert_with(Default::default)
                .conditions
                .get_or_insert_with(Vec::new)
                .iter_mut()
            {
                if !matches!(
                    c.type_.as_str(),
                    "Ready" | "MemoryPressure" | "DiskPressure" | "PIDPressure"
                ) {
                    continue;
                }
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some("Kubelet stopped posting node status.".into());
                c.last_transition_time = Some(t.clone());
            }
            changed = true;
            sim.decide(
                LIFECYCLE,
                format!(
                    "{name} has not posted status for {}s; marking Ready=Unknown",
                    secs(now - last)
                ),
            );
            sim.event(
                &obj,
                "Normal",
                "NodeNotReady",
                format!("Node {name} status is now: NodeNotReady"),
                NODE_CONTROLLER,
                None,
            );
            mark_pods_not_ready(sim, name);
        }
    }
    // Taints follow the Ready condition and spec.unschedulable.
    let ready = ready_status(&node);
    let mut want: Vec<(&str, &str)> = Vec::new();
    match ready.as_str() {
        "False" => want.extend([
            (TAINT_NOT_READY, "NoSchedule"),
            (TAINT_NOT_READY, "NoExecute"),
        ]),
        "Unknown" => want.extend([
            (TAINT_UNREACHABLE, "NoSchedule"),
            (TAINT_UNREACHABLE, "NoExecute"),
        ]),
        _ => {}
    }
    if unschedulable(&node) {
        want.push((TAINT_UNSCHEDULABLE, "NoSchedule"));
    }
    let managed = [TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE];
    let spec = node.spec.get_or_insert_with(Default::default);
    let old: Vec<Taint> = spec.taints.clone().unwrap_or_default();
    let mut next: Vec<Taint> = old
        .iter()
        .filter(|t| {
            !managed.contains(&t.key.as_str())
                || want.iter().any(|(k, e)| *k == t.key && *e == t.effect)
        })
        .cloned()
        .collect();
    let mut added_no_execute = false;
    for (k, e) in &want {
        if !next.iter().any(|t| t.key == *k && t.effect == *e) {
            let time_added = if *e == "NoExecute" {
                Some(sim.clock.now_time())
            } else {
                None
            };
            added_no_execute |= *e == "NoExecute";
            next.push(Taint {
                key: k.to_string(),
                effect: e.to_string(),
                value: None,
                time_added,
            });
        }
    }
    if next != old {
        let added: Vec<String> = next
            .iter()
            .filter(|t| !old.contains(t))
            .map(|t| format!("{}:{}", t.key, t.effect))
            .collect();
        let removed: Vec<String> = old
            .iter()
            .filter(|t| !next.contains(t))
            .map(|t| format!("{}:{}", t.key, t.effect))
            .collect();
        if !added.is_empty() {
            sim.decide(
                LIFECYCLE,
                format!("tainting {name} with {}", added.join(", ")),
            );
        }
        if !removed.is_empty() {
            sim.decide(
                LIFECYCLE,
                format!("removing taint(s) {} from {name}", removed.join(", ")),
            );
        }
        spec.taints = if next.is_empty() { None } else { Some(next) };
        changed = true;
    }
    if let Some(h) = sim.nodelife.nodes.get_mut(name) {
        let has = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .is_some_and(|t| t.iter().any(|t| t.effect == "NoExecute"));
        if !has {
            h.no_execute_since_ms = None;
        } else if added_no_execute || h.no_execute_since_ms.is_none() {
            h.no_execute_since_ms = Some(now);
        }
    }
    if changed {
        sim.write_status(Object::Node(node));
    }
}

/// `MarkPodsNotReady`: every pod on the node gets Ready=False (containers still look ready).
fn mark_pods_not_ready(sim: &mut Sim, node: &str) {
    let t = sim.clock.now_time();
    for obj in sim.store.pods_on_node(node) {
        let Some(pod) = obj.as_pod() else { continue };
        if matches!(podutil::phase(pod), "Succeeded" | "Failed") {
            continue;
        }
        let mut p = pod.clone();
        let conds = p
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new);
        let mut changed = false;
        for c in conds
            .iter_mut()
            .filter(|c| c.type_ == "Ready" && c.status != "False")
        {
            c.status = "False".into();
            c.last_transition_time = Some(t.clone());
            changed = true;
        }
        if changed {
            if let Some(stored) = sim.write_status(Object::Pod(p)) {
                sim.event(
                    &stored,
                    "Warning",
                    "NodeNotReady",
                    "Node is not ready".into(),
                    NODE_CONTROLLER,
                    None,
                );
            }
        }
    }
}

/// Whether toleration `t` tolerates taint (key, value, NoExecute) — `Toleration.ToleratesTaint`.
fn tolerates(t: &k8s_openapi::api::core::v1::Toleration, key: &str, value: Option<&str>) -> bool {
    let effect_ok = t
        .effect
        .as_deref()
        .is_none_or(|e| e.is_empty() || e == "NoExecute");
    let op = t.operator.as_deref().unwrap_or("Equal");
    let key_ok = match t.key.as_deref() {
        None | Some("") => op == "Exists",
        Some(k) => {
            k == key && (op == "Exists" || t.value.as_deref().unwrap_or("") == value.unwrap_or(""))
        }
    };
    effect_ok && key_ok
}

/// When a pod on a node with these NoExecute taints must go: `Some(0)` now, `Some(ms)` after that
/// long, `None` never (`getMinTolerationTime`).
pub fn toleration_ms(pod: &Pod, taints: &[(String, Option<String>)]) -> Option<u64> {
    let tols = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.clone())
        .unwrap_or_default();
    let mut min: Option<u64> = None;
    for (k, v) in taints {
        let used: Vec<_> = tols
            .iter()
            .filter(|t| tolerates(t, k, v.as_deref()))
            .collect();
        if used.is_empty() {
            return Some(0);
        }
        for t in used {
            if let Some(s) = t.toleration_seconds {
                let ms = (s.max(0) as u64).saturating_mul(1000);
                min = Some(min.map_or(ms, |m| m.min(ms)));
            }
        }
    }
    min
}

/// The taint-eviction controller on one pod.
fn evict(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(pod) = obj.as_pod() else { return };
    if podutil::terminating(pod) {
        return;
    }
    let Some(node_name) = podutil::node(pod).map(str::to_string) else {
        return;
    };
    let Some(node) = sim
        .store
        .get(&ObjKey::new(Kind::Node, "", &node_name))
        .and_then(|o| o.as_node().cloned())
    else {
        return;
    };
    let taints = no_execute(&node);
    if taints.is_empty() {
        return;
    }
    let Some(after) = toleration_ms(pod, &taints) else {
        return;
    };
    let now = sim.elapsed_ms();
    let since = sim
        .nodelife
        .nodes
        .get(&node_name)
        .and_then(|h| h.no_execute_since_ms)
        .unwrap_or(now);
    let due = since + after;
    if now < due {
        later(sim, due - now, NlTask::Evict(key.clone()));
        return;
    }
    let taint_names: Vec<String> = taints
        .iter()
        .map(|(k, _)| k.trim_start_matches("node.kubernetes.io/").to_string())
        .collect();
    sim.decide(
        TAINT_EVICTION,
        format!(
            "{} has tolerated {}:NoExecute for {}s; evicting",
            key.name,
            taint_names.join(","),
            secs(after)
        ),
    );
    sim.event(
        &obj,
        "Normal",
        "TaintManagerEviction",
        format!("Marking for deletion Pod {}/{}", key.namespace, key.name),
        TAINT_EVICTION,
        None,
    );
    let mut p = pod.clone();
    let t = sim.clock.now_time();
    let conds = p
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    conds.retain(|c| c.type_ != "DisruptionTarget");
    conds.push(PodCondition {
        type_: "DisruptionTarget".into(),
        status: "True".into(),
        reason: Some("DeletionByTaintManager".into()),
        message: Some("Taint manager: deleting due to NoExecute taint".into()),
        last_transition_time: Some(t),
        ..Default::default()
    });
    sim.write_status(Object::Pod(p));
    let _ = sim.delete(key, None);
}

/// The pod garbage collector: pods bound to a node that no longer exists are deleted at once.
fn pod_gc(sim: &mut Sim, node: &str) {
    if sim.store.contains(&ObjKey::new(Kind::Node, "", node)) {
        return;
    }
    for obj in sim.store.pods_on_node(node) {
        let key = ObjKey::of(&obj);
        sim.decide(
            PODGC,
            format!("deleting {}: its node {node} no longer exists", key.name),
        );
        let _ = sim.delete(&key, Some(0));
    }
}

/// A kubelet that comes back posts its node status: conditions healthy again, heartbeat now.
pub(crate) fn post_ready_status(sim: &mut Sim, name: &str) {
    let key = ObjKey::new(Kind::Node, "", name);
    let Some(obj) = sim.store.get(&key).cloned() else {
        return;
    };
    let Some(node) = obj.as_node() else { return };
    let mut node = node.clone();
    let t: Time = sim.clock.now_time();
    let mut became_ready = false;
    for c in node
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new)
        .iter_mut()
    {
        let (status, reason, msg) = match c.type_.as_str() {
            "MemoryPressure" => (
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
            ),
            "DiskPressure" => (
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
            ),
            "PIDPressure" => (
                "False",
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
            ),
            "Ready" => ("True", "KubeletReady", "kubelet is posting ready status"),
            _ => continue,
        };
        if c.status != status {
            c.last_transition_time = Some(t.clone());
            became_ready |= c.type_ == "Ready";
        }
        c.status = status.into();
        c.reason = Some(reason.into());
        c.message = Some(msg.into());
        c.last_heartbeat_time = Some(t.clone());
    }
    if let Some(stored) = sim.write_status(Object::Node(node)) {
        if became_ready {
            sim.event(
                &stored,
                "Normal",
                "NodeReady",
                format!("Node {name} status is now: NodeReady"),
                "kubelet",
                Some(name),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_grid() {
        assert_eq!(last_tick(1_000, 1_000), 1_000);
        assert_eq!(last_tick(1_000, 10_999), 1_000);
        assert_eq!(last_tick(1_000, 11_000), 11_000);
        assert_eq!(last_tick(1_000, 500), 1_000);
    }

    #[test]
    fn default_tolerations_give_five_minutes() {
        use k8s_openapi::api::core::v1::{PodSpec, Toleration};
        let tol = |k: &str, s: Option<i64>| Toleration {
            key: Some(k.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: s,
            ..Default::default()
        };
        let mut pod = Pod {
            spec: Some(PodSpec {
                tolerations: Some(vec![
                    tol(TAINT_UNREACHABLE, Some(300)),
                    tol(TAINT_NOT_READY, Some(300)),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let taints = vec![(TAINT_UNREACHABLE.to_string(), None)];
        assert_eq!(toleration_ms(&pod, &taints), Some(300_000));
        pod.spec.as_mut().unwrap().tolerations = Some(vec![tol(TAINT_UNREACHABLE, None)]);
        assert_eq!(toleration_ms(&pod, &taints), None);
        pod.spec.as_mut().unwrap().tolerations = None;
        assert_eq!(toleration_ms(&pod, &taints), Some(0));
        let everything = Toleration {
            operator: Some("Exists".into()),
            ..Default::default()
        };
        pod.spec.as_mut().unwrap().tolerations = Some(vec![everything]);
        assert_eq!(toleration_ms(&pod, &taints), None);
    }
}
