//! kube-scheduler: filter nodes, score the ones that fit, bind; or report why nothing fits.
//! Ties between equal scores go to the node registered first (the real scheduler picks at random;
//! a deterministic simulation cannot).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::controllers::WorkQueue;
use super::engine::Task;
use super::object::{Kind, Object};
use super::podutil;
use super::store::{ObjKey, WatchEvent, WatchType};
use super::Sim;

const COMPONENT: &str = "default-scheduler";
/// Virtual delay between a pod appearing and the scheduler's next cycle.
const LATENCY_MS: u64 = 30;
/// Pods without requests count as this much for scoring (`schedutil.DefaultMilliCPURequest` etc.).
const NONZERO_MILLI_CPU: i64 = 100;
const NONZERO_MEMORY: i64 = 200 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    queue: WorkQueue,
    worker_scheduled: bool,
    /// Pods that fit nowhere; retried when a node changes.
    unschedulable: BTreeSet<ObjKey>,
    /// pod uid -> (node, what the pod counts for on that node).
    bound: BTreeMap<String, (String, Usage)>,
    /// node -> (requested milli-cpu, memory, non-zero milli-cpu, non-zero memory, pods)
    usage: BTreeMap<String, Usage>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    cpu: i64,
    mem: i64,
    nz_cpu: i64,
    nz_mem: i64,
    pods: i64,
}

impl Scheduler {
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
}

/// Parses a CPU quantity to millicores (`500m`, `2`, `0.5`).
pub fn parse_cpu_milli(q: &Quantity) -> Option<i64> {
    let s = q.0.trim();
    if let Some(m) = s.strip_suffix('m') {
        return m.parse().ok();
    }
    s.parse::<f64>().ok().map(|v| (v * 1000.0).round() as i64)
}

/// Parses a memory quantity to bytes (`128Mi`, `1Gi`, `500M`, `1e3`, `16365100Ki`).
pub fn parse_bytes(q: &Quantity) -> Option<i64> {
    let s = q.0.trim();
    const SUFFIXES: [(&str, i64); 12] = [
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50), ("Ei", 1 << 60),
        ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000), ("P", 1_000_000_000_000_000), ("E", 1_000_000_000_000_000_000),
    ];
    for (suf, mul) in SUFFIXES {
        if let Some(n) = s.strip_suffix(suf) {
            return n.parse::<f64>().ok().map(|v| (v * mul as f64) as i64);
        }
    }
    s.parse::<f64>().ok().map(|v| v as i64)
}

fn requests(pod: &Pod) -> (i64, i64, i64, i64) {
    let (mut cpu, mut mem, mut nz_cpu, mut nz_mem) = (0, 0, 0, 0);
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let req = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        let ccpu = req.and_then(|r| r.get("cpu")).and_then(parse_cpu_milli);
        let cmem = req.and_then(|r| r.get("memory")).and_then(parse_bytes);
        cpu += ccpu.unwrap_or(0);
        mem += cmem.unwrap_or(0);
        nz_cpu += ccpu.unwrap_or(NONZERO_MILLI_CPU);
        nz_mem += cmem.unwrap_or(NONZERO_MEMORY);
    }
    (cpu, mem, nz_cpu, nz_mem)
}

fn wants_us(pod: &Pod) -> bool {
    pod.spec.as_ref().and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler") == "default-scheduler"
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Pod => {
            let Some(pod) = ev.object.as_pod() else { return };
            let uid = ev.object.uid().to_string();
            let node = podutil::node(pod).map(str::to_string);
            if ev.kind == WatchType::Deleted || podutil::terminating(pod) && node.is_none() {
                sim.scheduler.unschedulable.remove(&ev.key);
                if ev.kind == WatchType::Deleted {
                    release(sim, &uid);
                }
                return;
            }
            match node {
                Some(n) => {
                    sim.scheduler.unschedulable.remove(&ev.key);
                    if matches!(podutil::phase(pod), "Succeeded" | "Failed") {
                        release(sim, &uid);
                    } else if !sim.scheduler.bound.contains_key(&uid) {
                        account(sim, &uid, &n, pod);
                    }
                }
                None => {
                    if wants_us(pod) && !sim.scheduler.unschedulable.contains(&ev.key) {
                        enqueue(sim, ev.key.clone());
                    }
                }
            }
        }
        Kind::Node | Kind::PersistentVolumeClaim => {
            // Something about the nodes (or a claim's binding) changed: pods that fit nowhere may fit now.
            let retry: Vec<ObjKey> = std::mem::take(&mut sim.scheduler.unschedulable).into_iter().collect();
            for k in retry {
                enqueue(sim, k);
            }
        }
        _ => {}
    }
}

fn account(sim: &mut Sim, uid: &str, node: &str, pod: &Pod) {
    let (cpu, mem, nz_cpu, nz_mem) = requests(pod);
    let add = Usage { cpu, mem, nz_cpu, nz_mem, pods: 1 };
    let u = sim.scheduler.usage.entry(node.to_string()).or_default();
    u.cpu += add.cpu;
    u.mem += add.mem;
    u.nz_cpu += add.nz_cpu;
    u.nz_mem += add.nz_mem;
    u.pods += add.pods;
    sim.scheduler.bound.insert(uid.to_string(), (node.to_string(), add));
}

fn release(sim: &mut Sim, uid: &str) {
    if let Some((node, sub)) = sim.scheduler.bound.remove(uid) {
        if let Some(u) = sim.scheduler.usage.get_mut(&node) {
            u.cpu -= sub.cpu;
            u.mem -= sub.mem;
            u.nz_cpu -= sub.nz_cpu;
            u.nz_mem -= sub.nz_mem;
            u.pods -= sub.pods;
        }
    }
}

fn enqueue(sim: &mut Sim, key: ObjKey) {
    sim.scheduler.queue.add(key);
    if !sim.scheduler.worker_scheduled {
        sim.scheduler.worker_scheduled = true;
        sim.schedule(LATENCY_MS, Task::Schedule);
    }
}

pub(crate) fn run(sim: &mut Sim) {
    sim.scheduler.worker_scheduled = false;
    let nodes: Vec<Node> = sim.store.list(Kind::Node, None).iter().filter_map(|o| o.as_node().cloned()).collect();
    // Registration order: by creation revision.
    let mut nodes: Vec<(u64, Node)> = nodes
        .into_iter()
        .map(|n| (sim.store.created_rev(&ObjKey::new(Kind::Node, "", n.metadata.name.as_deref().unwrap_or(""))).unwrap_or(0), n))
        .collect();
    nodes.sort_by_key(|(r, _)| *r);
    let nodes: Vec<Node> = nodes.into_iter().map(|(_, n)| n).collect();
    let n = sim.scheduler.queue.len();
    for _ in 0..n {
        let Some(key) = sim.scheduler.queue.pop() else { break };
        schedule_one(sim, &key, &nodes);
        sim.dispatch();
    }
}

fn node_ready(n: &Node) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

fn alloc<'a>(n: &'a Node, key: &str) -> Option<&'a Quantity> {
    n.status.as_ref()?.allocatable.as_ref()?.get(key)
}

/// Why `pod` cannot run on `node`, in the scheduler's words; `None` if it fits.
fn filter(sim: &Sim, pod: &Pod, node: &Node) -> Option<String> {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let spec = pod.spec.as_ref()?;
    let tolerations = spec.tolerations.clone().unwrap_or_default();
    let tolerates = |key: &str, value: Option<&str>, effect: &str| {
        tolerations.iter().any(|t| {
            let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == effect);
            let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty()) && t.operator.as_deref() == Some("Exists")
                || t.key.as_deref() == Some(key)
                    && (t.operator.as_deref() == Some("Exists") || t.value.as_deref().unwrap_or("") == value.unwrap_or(""));
            effect_ok && key_ok
        })
    };
    // NodeUnschedulable
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true)
        && !tolerates("node.kubernetes.io/unschedulable", None, "NoSchedule")
    {
        return Some("node(s) were unschedulable".into());
    }
    // NodeName
    if let Some(want) = spec.node_name.as_deref() {
        if want != name {
            return Some("node(s) didn't match the requested node name".into());
        }
    }
    // TaintToleration
    for t in node.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten() {
        if (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(&t.key, t.value.as_deref(), &t.effect) {
            return Some(format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value.as_deref().unwrap_or("")));
        }
    }
    // NodeAffinity (nodeSelector and required node-affinity terms)
    if !super::controllers::daemonset::node_affinity_matches(spec, node) {
        return Some("node(s) didn't match Pod's node affinity/selector".into());
    }
    // VolumeBinding: bound volumes with node affinity
    if !super::controllers::pvc::fits_node(sim, pod, node) {
        return Some("node(s) had volume node affinity conflict".into());
    }
    // NodeResourcesFit
    let usage = sim.scheduler.usage.get(name).copied().unwrap_or_default();
    let (cpu, mem, _, _) = requests(pod);
    let max_pods = alloc(node, "pods").and_then(|q| q.0.parse::<i64>().ok()).unwrap_or(110);
    let mut insufficient = Vec::new();
    if usage.pods + 1 > max_pods {
        insufficient.push("Too many pods".to_string());
    }
    if cpu > 0 && usage.cpu + cpu > alloc(node, "cpu").and_then(parse_cpu_milli).unwrap_or(0) {
        insufficient.push("Insufficient cpu".to_string());
    }
    if mem > 0 && usage.mem + mem > alloc(node, "memory").and_then(parse_bytes).unwrap_or(0) {
        insufficient.push("Insufficient memory".to_string());
    }
    if !insufficient.is_empty() {
        return Some(insufficient.join("\u{0}"));
    }
    if !node_ready(node) {
        return Some("node(s) had untolerated taint {node.kubernetes.io/not-ready: }".into());
    }
    None
}

/// NodeResourcesFit (LeastAllocated) averaged with BalancedAllocation, both 0..100.
fn score(sim: &Sim, pod: &Pod, node: &Node) -> i64 {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let u = sim.scheduler.usage.get(name).copied().unwrap_or_default();
    let (_, _, nz_cpu, nz_mem) = requests(pod);
    let cap_cpu = alloc(node, "cpu").and_then(parse_cpu_milli).unwrap_or(1).max(1);
    let cap_mem = alloc(node, "memory").and_then(parse_bytes).unwrap_or(1).max(1);
    let req_cpu = (u.nz_cpu + nz_cpu).min(cap_cpu);
    let req_mem = (u.nz_mem + nz_mem).min(cap_mem);
    let least = ((cap_cpu - req_cpu) * 100 / cap_cpu + (cap_mem - req_mem) * 100 / cap_mem) / 2;
    let fc = req_cpu as f64 / cap_cpu as f64;
    let fm = req_mem as f64 / cap_mem as f64;
    let balanced = ((1.0 - (fc - fm).abs() / 2.0) * 100.0) as i64;
    least + balanced
}

fn schedule_one(sim: &mut Sim, key: &ObjKey, nodes: &[Node]) {
    let Some(obj) = sim.store.get(key).cloned() else { return };
    let Some(pod) = obj.as_pod() else { return };
    if podutil::node(pod).is_some() || podutil::terminating(pod) {
        return;
    }
    let mut best: Option<(i64, &Node)> = None;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut feasible = 0;
    // VolumeBinding PreFilter: claims must exist; unbound ones must wait for their first consumer.
    let volumes = super::controllers::pvc::prefilter(sim, pod);
    let prefilter_failure = volumes.as_ref().err().cloned();
    for n in nodes.iter().filter(|_| prefilter_failure.is_none()) {
        match filter(sim, pod, n) {
            Some(why) => {
                for r in why.split('\u{0}') {
                    *reasons.entry(r.to_string()).or_insert(0) += 1;
                }
            }
            None => {
                feasible += 1;
                let s = score(sim, pod, n);
                if best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, n));
                }
            }
        }
    }
    let now = sim.clock.now_time();
    let pod_name = key.name.clone();
    match best {
        Some((_, node)) if matches!(volumes, Ok(super::controllers::pvc::VolumeCheck::Delayed(_))) => {
            // Claims wait for this pod's node: write it on them and wait until they are bound.
            let node_name = node.metadata.name.clone().unwrap_or_default();
            if let Ok(super::controllers::pvc::VolumeCheck::Delayed(claims)) = &volumes {
                super::controllers::pvc::select_node(sim, claims, &node_name);
            }
            sim.scheduler.unschedulable.insert(key.clone());
            sim.decide(COMPONENT, format!("{pod_name} fits {node_name}; waiting for its volumes to be provisioned there"));
        }
        Some((_, node)) => {
            let node_name = node.metadata.name.clone().unwrap_or_default();
            let mut p = pod.clone();
            p.spec.get_or_insert_with(Default::default).node_name = Some(node_name.clone());
            let status = p.status.get_or_insert_with(Default::default);
            let conds = status.conditions.get_or_insert_with(Vec::new);
            conds.retain(|c| c.type_ != "PodScheduled");
            conds.push(PodCondition {
                type_: "PodScheduled".into(),
                status: "True".into(),
                last_transition_time: Some(now),
                ..Default::default()
            });
            sim.scheduler.unschedulable.remove(key);
            sim.decide(
                COMPONENT,
                format!("bound {pod_name} to {node_name} (fits {feasible} of {} nodes; least allocated)", nodes.len()),
            );
            if let Some(stored) = sim.write_status(Object::Pod(p)) {
                sim.event(
                    &stored,
                    "Normal",
                    "Scheduled",
                    format!("Successfully assigned {}/{} to {}", key.namespace, pod_name, node_name),
                    COMPONENT,
                    None,
                );
            }
        }
        None => {
            let total = nodes.len();
            let mut parts: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
            parts.sort();
            let msg = if let Some(m) = &prefilter_failure {
                format!(
                    "0/{total} nodes are available: {m}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
                )
            } else if total == 0 {
                "no nodes available to schedule pods".to_string()
            } else {
                format!(
                    "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.",
                    parts.join(", ")
                )
            };
            sim.scheduler.unschedulable.insert(key.clone());
            let mut p = pod.clone();
            let status = p.status.get_or_insert_with(Default::default);
            let conds = status.conditions.get_or_insert_with(Vec::new);
            let same = conds.iter().any(|c| c.type_ == "PodScheduled" && c.message.as_deref() == Some(msg.as_str()));
            sim.decide(COMPONENT, format!("{pod_name} fits 0 of {total} nodes; will retry when nodes change"));
            if !same {
                conds.retain(|c| c.type_ != "PodScheduled");
                conds.push(PodCondition {
                    type_: "PodScheduled".into(),
                    status: "False".into(),
                    reason: Some("Unschedulable".into()),
                    message: Some(msg.clone()),
                    last_transition_time: Some(now),
                    ..Default::default()
                });
                if let Some(stored) = sim.write_status(Object::Pod(p)) {
                    sim.event(&stored, "Warning", "FailedScheduling", msg, COMPONENT, None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_cpu_milli(&Quantity("500m".into())), Some(500));
        assert_eq!(parse_cpu_milli(&Quantity("2".into())), Some(2000));
        assert_eq!(parse_cpu_milli(&Quantity("0.5".into())), Some(500));
        assert_eq!(parse_bytes(&Quantity("128Mi".into())), Some(128 << 20));
        assert_eq!(parse_bytes(&Quantity("1G".into())), Some(1_000_000_000));
        assert_eq!(parse_bytes(&Quantity("16365100Ki".into())), Some(16365100 << 10));
    }
}
