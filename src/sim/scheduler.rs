//! kube-scheduler: filter nodes, score the ones that fit, bind; or report why nothing fits.
//!
//! Filters, in the default profile's order: NodeUnschedulable, NodeName, TaintToleration,
//! NodeAffinity, NodePorts, VolumeBinding, NodeResourcesFit, PodTopologySpread, InterPodAffinity.
//! Scores (each 0..100 times its weight): NodeResourcesFit LeastAllocated (1),
//! BalancedAllocation (1), TaintToleration (3), NodeAffinity preferred terms (2),
//! PodTopologySpread (2, with the system default spreading for pods of Services, ReplicaSets and
//! StatefulSets), InterPodAffinity (2), ImageLocality (1).
//! Ties between equal totals go to the node registered first (the real scheduler picks at random;
//! a deterministic simulation cannot).
//!
//! Cost: per-node usage, host ports and the pods carrying affinity terms are kept incrementally;
//! "pods matching selector S on each node" comes from counters kept per distinct selector
//! (`counts.rs`), so a scheduling cycle costs O(nodes + pods with affinity terms), not O(pods).

mod counts;
mod interpod;
mod score;
mod spread;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::controllers::WorkQueue;
use super::engine::Task;
use super::object::{Kind, Object};
use super::podutil;
use super::store::{ObjKey, WatchEvent, WatchType};
use super::Sim;
pub(crate) use counts::{Matcher, NodeCounts, NsSet};

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
    /// Pods that fit nowhere; retried when a node changes or a pod goes away.
    unschedulable: BTreeSet<ObjKey>,
    /// Those of them that failed pod affinity or topology spreading somewhere: a newly bound pod
    /// may satisfy them, so they are retried on every bind too.
    waiting_for_pods: BTreeSet<ObjKey>,
    /// pod uid -> what the scheduler's cache holds for a bound, unfinished pod.
    bound: BTreeMap<String, BoundPod>,
    /// node -> (requested milli-cpu, memory, non-zero milli-cpu, non-zero memory, pods)
    usage: BTreeMap<String, Usage>,
    /// node -> host ports in use (protocol, hostIP, hostPort) -> pods using them.
    ports: BTreeMap<String, BTreeMap<HostPort, u32>>,
    /// uids of bound pods with pod affinity or anti-affinity terms (`PodsWithAffinity`).
    with_affinity: BTreeSet<String>,
    /// Per-node counts of pods matching a selector, per selector asked about.
    counters: counts::Counters,
}

/// A bound pod as the scheduler's cache holds it.
#[derive(Clone, Debug)]
struct BoundPod {
    node: String,
    usage: Usage,
    pod: Rc<Object>,
    terminating: bool,
    ports: Vec<HostPort>,
}

/// (protocol, hostIP, hostPort) of a container port with a hostPort.
pub(crate) type HostPort = (String, String, i32);

/// A filter's verdict on a node: its reasons, and whether preemption could help there
/// (`Unschedulable`) or not (`UnschedulableAndUnresolvable`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub reasons: Vec<String>,
    pub resolvable: bool,
}

impl Failure {
    pub fn unresolvable(r: &str) -> Option<Failure> {
        Some(Failure {
            reasons: vec![r.to_string()],
            resolvable: false,
        })
    }
    pub fn resolvable(r: &str) -> Option<Failure> {
        Some(Failure {
            reasons: vec![r.to_string()],
            resolvable: true,
        })
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    cpu: i64,
    mem: i64,
    nz_cpu: i64,
    nz_mem: i64,
    pods: i64,
}

/// The nodes of one scheduling batch, in registration order, with a by-name index.
pub(crate) struct Nodes {
    pub list: Vec<Node>,
    pub by_name: BTreeMap<String, usize>,
}

impl Nodes {
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.by_name.get(name).and_then(|i| self.list.get(*i))
    }
    pub fn label<'a>(&'a self, name: &str, key: &str) -> Option<&'a str> {
        self.get(name)?
            .metadata
            .labels
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }
}

pub(crate) fn node_labels(n: &Node) -> &BTreeMap<String, String> {
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    n.metadata.labels.as_ref().unwrap_or(&EMPTY)
}

pub(crate) fn pod_labels(p: &Pod) -> &BTreeMap<String, String> {
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    p.metadata.labels.as_ref().unwrap_or(&EMPTY)
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
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("Ei", 1 << 60),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
        ("E", 1_000_000_000_000_000_000),
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
    pod.spec
        .as_ref()
        .and_then(|s| s.scheduler_name.as_deref())
        .unwrap_or("default-scheduler")
        == "default-scheduler"
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Pod => {
            let Some(pod) = ev.object.as_pod() else {
                return;
            };
            let uid = ev.object.uid().to_string();
            let node = podutil::node(pod).map(str::to_string);
            if ev.kind == WatchType::Deleted || podutil::terminating(pod) && node.is_none() {
                sim.scheduler.unschedulable.remove(&ev.key);
                sim.scheduler.waiting_for_pods.remove(&ev.key);
                if ev.kind == WatchType::Deleted {
                    release(sim, &uid);
                }
                return;
            }
            match node {
                Some(n) => {
                    sim.scheduler.unschedulable.remove(&ev.key);
                    sim.scheduler.waiting_for_pods.remove(&ev.key);
                    if matches!(podutil::phase(pod), "Succeeded" | "Failed") {
                        release(sim, &uid);
                    } else if !sim.scheduler.bound.contains_key(&uid) {
                        account(sim, &uid, &n, &ev.object);
                    } else {
                        refresh(sim, &uid, &ev.object);
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
            retry_unschedulable(sim);
        }
        _ => {}
    }
}

fn retry_unschedulable(sim: &mut Sim) {
    sim.scheduler.waiting_for_pods.clear();
    let retry: Vec<ObjKey> = std::mem::take(&mut sim.scheduler.unschedulable)
        .into_iter()
        .collect();
    for k in retry {
        enqueue(sim, k);
    }
}

/// A pod was bound: retry the unschedulable pods it may help (pod affinity, topology spreading).
fn retry_waiting_for_pods(sim: &mut Sim) {
    let retry: Vec<ObjKey> = std::mem::take(&mut sim.scheduler.waiting_for_pods)
        .into_iter()
        .collect();
    for k in retry {
        sim.scheduler.unschedulable.remove(&k);
        enqueue(sim, k);
    }
}

fn has_pod_affinity(pod: &Pod) -> bool {
    let a = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    a.is_some_and(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some())
}

/// The host ports a pod asks for (`hostPort > 0`), with TCP and 0.0.0.0 as the defaults.
pub(crate) fn host_ports(pod: &Pod) -> Vec<HostPort> {
    let mut out = Vec::new();
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        for p in c.ports.iter().flatten() {
            if let Some(hp) = p.host_port.filter(|hp| *hp > 0) {
                let proto = p
                    .protocol
                    .clone()
                    .filter(|x| !x.is_empty())
                    .unwrap_or_else(|| "TCP".into());
                let ip = p
                    .host_ip
                    .clone()
                    .filter(|x| !x.is_empty())
                    .unwrap_or_else(|| "0.0.0.0".into());
                out.push((proto, ip, hp));
            }
        }
    }
    out
}

fn account(sim: &mut Sim, uid: &str, node: &str, obj: &Rc<Object>) {
    let Some(pod) = obj.as_pod() else { return };
    let (cpu, mem, nz_cpu, nz_mem) = requests(pod);
    let add = Usage {
        cpu,
        mem,
        nz_cpu,
        nz_mem,
        pods: 1,
    };
    let u = sim.scheduler.usage.entry(node.to_string()).or_default();
    u.cpu += add.cpu;
    u.mem += add.mem;
    u.nz_cpu += add.nz_cpu;
    u.nz_mem += add.nz_mem;
    u.pods += add.pods;
    let ports = host_ports(pod);
    for p in &ports {
        *sim.scheduler
            .ports
            .entry(node.to_string())
            .or_default()
            .entry(p.clone())
            .or_insert(0) += 1;
    }
    if has_pod_affinity(pod) {
        sim.scheduler.with_affinity.insert(uid.to_string());
    }
    let terminating = podutil::terminating(pod);
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    sim.scheduler
        .counters
        .adjust(ns, pod_labels(pod), node, terminating, 1);
    sim.scheduler.bound.insert(
        uid.to_string(),
        BoundPod {
            node: node.to_string(),
            usage: add,
            pod: obj.clone(),
            terminating,
            ports,
        },
    );
    if !sim.scheduler.waiting_for_pods.is_empty() {
        retry_waiting_for_pods(sim);
    }
}

/// A bound pod changed: its labels or its deletion move it between selector counters.
fn refresh(sim: &mut Sim, uid: &str, obj: &Rc<Object>) {
    let Some(pod) = obj.as_pod() else { return };
    let terminating = podutil::terminating(pod);
    let Some(bp) = sim.scheduler.bound.get_mut(uid) else {
        return;
    };
    let old = bp.pod.clone();
    let old_term = bp.terminating;
    bp.pod = obj.clone();
    bp.terminating = terminating;
    let node = bp.node.clone();
    let Some(old_pod) = old.as_pod() else { return };
    if old_term != terminating || pod_labels(old_pod) != pod_labels(pod) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        sim.scheduler
            .counters
            .adjust(ns, pod_labels(old_pod), &node, old_term, -1);
        sim.scheduler
            .counters
            .adjust(ns, pod_labels(pod), &node, terminating, 1);
    }
}

fn release(sim: &mut Sim, uid: &str) {
    if let Some(bp) = sim.scheduler.bound.remove(uid) {
        let (node, sub) = (&bp.node, bp.usage);
        if let Some(u) = sim.scheduler.usage.get_mut(node) {
            u.cpu -= sub.cpu;
            u.mem -= sub.mem;
            u.nz_cpu -= sub.nz_cpu;
            u.nz_mem -= sub.nz_mem;
            u.pods -= sub.pods;
        }
        if let Some(used) = sim.scheduler.ports.get_mut(node) {
            for p in &bp.ports {
                if let Some(c) = used.get_mut(p) {
                    *c = c.saturating_sub(1);
                    if *c == 0 {
                        used.remove(p);
                    }
                }
            }
        }
        sim.scheduler.with_affinity.remove(uid);
        if let Some(pod) = bp.pod.as_pod() {
            let ns = pod.metadata.namespace.as_deref().unwrap_or("");
            sim.scheduler
                .counters
                .adjust(ns, pod_labels(pod), node, bp.terminating, -1);
        }
        // A pod went away: anything waiting on ports, anti-affinity or spreading may fit now.
        if !sim.scheduler.unschedulable.is_empty() {
            retry_unschedulable(sim);
        }
    }
}

/// Bound pods matching `m`, per node: (all, terminating). Registers a counter for `m` on first use.
pub(crate) fn counts(sim: &mut Sim, m: &Matcher) -> NodeCounts {
    if m.is_void() {
        return NodeCounts::new();
    }
    let key = m.key();
    if let Some(c) = sim.scheduler.counters.get(&key) {
        return c.clone();
    }
    let mut c = NodeCounts::new();
    for bp in sim.scheduler.bound.values() {
        let Some(pod) = bp.pod.as_pod() else { continue };
        if m.matches(
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod_labels(pod),
        ) {
            let e = c.entry(bp.node.clone()).or_insert((0, 0));
            e.0 += 1;
            if bp.terminating {
                e.1 += 1;
            }
        }
    }
    sim.scheduler.counters.insert(m.clone(), c.clone());
    c
}

/// Bound pods with pod (anti-)affinity terms and their nodes, in uid order.
pub(crate) fn pods_with_affinity(sim: &Sim) -> Vec<(Rc<Object>, String)> {
    sim.scheduler
        .with_affinity
        .iter()
        .filter_map(|uid| sim.scheduler.bound.get(uid))
        .map(|bp| (bp.pod.clone(), bp.node.clone()))
        .collect()
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
    let nodes: Vec<Node> = sim
        .store
        .list(Kind::Node, None)
        .iter()
        .filter_map(|o| o.as_node().cloned())
        .collect();
    // Registration order: by creation revision.
    let mut nodes: Vec<(u64, Node)> = nodes
        .into_iter()
        .map(|n| {
            (
                sim.store
                    .created_rev(&ObjKey::new(
                        Kind::Node,
                        "",
                        n.metadata.name.as_deref().unwrap_or(""),
                    ))
                    .unwrap_or(0),
                n,
            )
        })
        .collect();
    crate::sort::sort_by_key(&mut nodes, |(r, _)| *r);
    let list: Vec<Node> = nodes.into_iter().map(|(_, n)| n).collect();
    let by_name = list
        .iter()
        .enumerate()
        .map(|(i, n)| (n.metadata.name.clone().unwrap_or_default(), i))
        .collect();
    let nodes = Nodes { list, by_name };
    let n = sim.scheduler.queue.len();
    for _ in 0..n {
        let Some(key) = sim.scheduler.queue.pop() else {
            break;
        };
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

/// NodePorts: a wanted host port clashes with one in use on the node for the same protocol and
/// port, when either side binds 0.0.0.0 or both bind the same address (`HostPortInfo.CheckConflict`).
pub(crate) fn ports_conflict(used: &BTreeMap<HostPort, u32>, wanted: &[HostPort]) -> bool {
    wanted.iter().any(|(proto, ip, port)| {
        used.keys().any(|(p2, ip2, port2)| {
            p2 == proto && port2 == port && (ip == "0.0.0.0" || ip2 == "0.0.0.0" || ip == ip2)
        })
    })
}

/// Why `pod` cannot run on `node` by the per-node filters, in the scheduler's words; `None` if it fits.
fn filter(sim: &Sim, pod: &Pod, node: &Node, wanted_ports: &[HostPort]) -> Option<Failure> {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let spec = pod.spec.as_ref()?;
    let tolerations = spec.tolerations.clone().unwrap_or_default();
    let tolerates = |key: &str, value: Option<&str>, effect: &str| {
        tolerations.iter().any(|t| {
            let effect_ok = t
                .effect
                .as_deref()
                .is_none_or(|e| e.is_empty() || e == effect);
            let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty())
                && t.operator.as_deref() == Some("Exists")
                || t.key.as_deref() == Some(key)
                    && (t.operator.as_deref() == Some("Exists")
                        || t.value.as_deref().unwrap_or("") == value.unwrap_or(""));
            effect_ok && key_ok
        })
    };
    // NodeUnschedulable
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true)
        && !tolerates("node.kubernetes.io/unschedulable", None, "NoSchedule")
    {
        return Failure::unresolvable("node(s) were unschedulable");
    }
    // NodeName
    if let Some(want) = spec.node_name.as_deref() {
        if want != name {
            return Failure::unresolvable("node(s) didn't match the requested node name");
        }
    }
    // TaintToleration
    for t in node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
    {
        if (t.effect == "NoSchedule" || t.effect == "NoExecute")
            && !tolerates(&t.key, t.value.as_deref(), &t.effect)
        {
            return Failure::unresolvable(&format!(
                "node(s) had untolerated taint {{{}: {}}}",
                t.key,
                t.value.as_deref().unwrap_or("")
            ));
        }
    }
    // NodeAffinity (nodeSelector and required node-affinity terms)
    if !super::controllers::daemonset::node_affinity_matches(spec, node) {
        return Failure::unresolvable("node(s) didn't match Pod's node affinity/selector");
    }
    // NodePorts
    if !wanted_ports.is_empty()
        && sim
            .scheduler
            .ports
            .get(name)
            .is_some_and(|used| ports_conflict(used, wanted_ports))
    {
        return Failure::resolvable("node(s) didn't have free ports for the requested pod ports");
    }
    // VolumeBinding: bound volumes with node affinity
    if !super::controllers::pvc::fits_node(sim, pod, node) {
        return Failure::unresolvable("node(s) had volume node affinity conflict");
    }
    // NodeResourcesFit
    let usage = sim.scheduler.usage.get(name).copied().unwrap_or_default();
    let (cpu, mem, _, _) = requests(pod);
    let max_pods = alloc(node, "pods")
        .and_then(|q| q.0.parse::<i64>().ok())
        .unwrap_or(110);
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
        return Some(Failure {
            reasons: insufficient,
            resolvable: true,
        });
    }
    if !node_ready(node) {
        return Failure::unresolvable(
            "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
        );
    }
    None
}

/// NodeResourcesFit (LeastAllocated) plus BalancedAllocation, both 0..100, weight 1.
fn score(sim: &Sim, pod: &Pod, node: &Node) -> i64 {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let u = sim.scheduler.usage.get(name).copied().unwrap_or_default();
    let (_, _, nz_cpu, nz_mem) = requests(pod);
    let cap_cpu = alloc(node, "cpu")
        .and_then(parse_cpu_milli)
        .unwrap_or(1)
        .max(1);
    let cap_mem = alloc(node, "memory")
        .and_then(parse_bytes)
        .unwrap_or(1)
        .max(1);
    let req_cpu = (u.nz_cpu + nz_cpu).min(cap_cpu);
    let req_mem = (u.nz_mem + nz_mem).min(cap_mem);
    let least = ((cap_cpu - req_cpu) * 100 / cap_cpu + (cap_mem - req_mem) * 100 / cap_mem) / 2;
    let fc = req_cpu as f64 / cap_cpu as f64;
    let fm = req_mem as f64 / cap_mem as f64;
    let balanced = ((1.0 - (fc - fm).abs() / 2.0) * 100.0) as i64;
    least + balanced
}

/// `FitError.Error()`: the reasons counted per node and sorted as strings, then the PostFilter
/// (DefaultPreemption) part. Preemption is not modelled beyond its verdict: nodes that failed an
/// `UnschedulableAndUnresolvable` filter are "not helpful", the others find no victims (every pod
/// here has the same priority, so none can be evicted for the incoming one).
pub(crate) fn fit_error(total: usize, failures: &[Failure]) -> String {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut helpless, mut no_victims) = (0, 0);
    for f in failures {
        for r in &f.reasons {
            *reasons.entry(r.as_str()).or_insert(0) += 1;
        }
        if f.resolvable {
            no_victims += 1;
        } else {
            helpless += 1;
        }
    }
    // Nodes without a verdict (none here) would count as not helpful.
    helpless += total.saturating_sub(failures.len());
    let mut parts: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
    crate::sort::sort(&mut parts);
    let mut post = Vec::new();
    if helpless > 0 {
        post.push(format!(
            "{helpless} Preemption is not helpful for scheduling"
        ));
    }
    if no_victims > 0 {
        post.push(format!(
            "{no_victims} No preemption victims found for incoming pod"
        ));
    }
    crate::sort::sort(&mut post);
    format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
        parts.join(", "),
        post.join(", ")
    )
}

fn schedule_one(sim: &mut Sim, key: &ObjKey, nodes: &Nodes) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(pod) = obj.as_pod() else { return };
    if podutil::node(pod).is_some() || podutil::terminating(pod) {
        return;
    }
    let mut failures: Vec<Failure> = Vec::new();
    let mut feasible: Vec<&Node> = Vec::new();
    // VolumeBinding PreFilter: claims must exist; unbound ones must wait for their first consumer.
    let volumes = super::controllers::pvc::prefilter(sim, pod);
    let prefilter_failure = volumes.as_ref().err().cloned();
    if prefilter_failure.is_none() {
        // PreFilter of PodTopologySpread and InterPodAffinity: counts per topology domain.
        let spread = spread::prefilter(sim, pod, nodes);
        let affinity = interpod::prefilter(sim, pod, nodes);
        let wanted_ports = host_ports(pod);
        for n in &nodes.list {
            let verdict = filter(sim, pod, n, &wanted_ports)
                .or_else(|| spread.as_ref().and_then(|s| s.filter(n)))
                .or_else(|| affinity.as_ref().and_then(|a| a.filter(n)));
            match verdict {
                Some(f) => failures.push(f),
                None => feasible.push(n),
            }
        }
    }
    let mut best: Option<(i64, &Node)> = None;
    if !feasible.is_empty() {
        let mut totals: Vec<i64> = feasible.iter().map(|n| score(sim, pod, n)).collect();
        score::add(sim, pod, &feasible, nodes, &mut totals);
        spread::score(sim, pod, &feasible, nodes, &mut totals);
        interpod::score(sim, pod, &feasible, nodes, &mut totals);
        for (n, s) in feasible.iter().zip(totals) {
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, n));
            }
        }
    }
    let feasible = feasible.len();
    let now = sim.clock.now_time();
    let pod_name = key.name.clone();
    match best {
        Some((_, node))
            if matches!(
                volumes,
                Ok(super::controllers::pvc::VolumeCheck::Delayed(_))
            ) =>
        {
            // Claims wait for this pod's node: write it on them and wait until they are bound.
            let node_name = node.metadata.name.clone().unwrap_or_default();
            if let Ok(super::controllers::pvc::VolumeCheck::Delayed(claims)) = &volumes {
                super::controllers::pvc::select_node(sim, claims, &node_name);
            }
            sim.scheduler.unschedulable.insert(key.clone());
            sim.decide(
                COMPONENT,
                format!(
                    "{pod_name} fits {node_name}; waiting for its volumes to be provisioned there"
                ),
            );
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
            sim.scheduler.waiting_for_pods.remove(key);
            sim.decide(
                COMPONENT,
                format!("bound {pod_name} to {node_name} (fits {feasible} of {} nodes; least allocated)", nodes.list.len()),
            );
            if let Some(stored) = sim.write_status(Object::Pod(p)) {
                sim.event(
                    &stored,
                    "Normal",
                    "Scheduled",
                    format!(
                        "Successfully assigned {}/{} to {}",
                        key.namespace, pod_name, node_name
                    ),
                    COMPONENT,
                    None,
                );
            }
        }
        None => {
            let total = nodes.list.len();
            let msg = if let Some(m) = &prefilter_failure {
                format!(
                    "0/{total} nodes are available: {m}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
                )
            } else if total == 0 {
                "no nodes available to schedule pods".to_string()
            } else {
                fit_error(total, &failures)
            };
            sim.scheduler.unschedulable.insert(key.clone());
            let pod_sensitive = |r: &String| r == interpod::AFFINITY || r == spread::NOT_MATCH;
            if failures.iter().any(|f| f.reasons.iter().any(pod_sensitive)) {
                sim.scheduler.waiting_for_pods.insert(key.clone());
            }
            let mut p = pod.clone();
            let status = p.status.get_or_insert_with(Default::default);
            let conds = status.conditions.get_or_insert_with(Vec::new);
            let same = conds
                .iter()
                .any(|c| c.type_ == "PodScheduled" && c.message.as_deref() == Some(msg.as_str()));
            sim.decide(
                COMPONENT,
                format!("{pod_name} fits 0 of {total} nodes; will retry when nodes or pods change"),
            );
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
        assert_eq!(
            parse_bytes(&Quantity("16365100Ki".into())),
            Some(16365100 << 10)
        );
    }
}
