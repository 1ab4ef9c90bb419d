//! The kubelet on each node and its simulated container runtime: admit a bound pod, create its
//! sandbox (pod IP), pull images (cached per node, one pull per image at a time), run init
//! containers in order and then the app containers, each running its program (`program.rs`) in
//! virtual time; restart exited containers as `restartPolicy` says with the CrashLoopBackOff
//! back-off; report status (phase, container states, conditions); on deletion stop containers within
//! the grace period and remove the pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, HostIP, Pod, PodCondition, PodIP, PodStatus, Probe,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::engine::Task;
use super::images;
use super::object::{Kind, Object};
use super::podutil;
use super::program::{self, Ctx, Program};
use super::store::{ObjKey, WatchEvent, WatchType};
use super::Sim;

/// One step of a pod's life on its node. Container steps name a slot: init containers first
/// (0..n_init), then the app containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KStep {
    /// First sync: report Pending / ContainerCreating.
    Admit,
    /// The volume manager mounts the pod's volumes; the sandbox waits until it can.
    MountVolumes,
    /// The sandbox is up: the pod has its IP; images are next.
    SandboxReady,
    /// Container `i` is created and started.
    StartContainer(usize),
    /// A pull of container `i`'s image failed.
    PullFailed(usize),
    /// The failed pull of container `i` is now in back-off.
    PullBackOff(usize),
    /// Try the pull of container `i` again.
    RetryPull(usize),
    /// The program of container `i` ended (instance `epoch`).
    Exited(usize, u32),
    /// The kubelet syncs container `i` after it ended: restart it now or wait out the back-off.
    SyncExited(usize, u32),
    /// Deletion: stop the containers.
    Kill,
    /// The containers have stopped: report and remove the pod.
    Killed,
    /// A probe of container `i` (instance `epoch`) is due.
    Probe(usize, ProbeKind, u32),
    /// Container `i` (instance `epoch`), killed after failing a probe, has stopped with this code.
    ProbeKilled(usize, u32, i32),
}

/// The kubelet's three probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    Startup,
    Readiness,
    Liveness,
}

impl ProbeKind {
    fn word(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
        }
    }
    fn probe(self, c: &Container) -> Option<&Probe> {
        match self {
            ProbeKind::Startup => c.startup_probe.as_ref(),
            ProbeKind::Readiness => c.readiness_probe.as_ref(),
            ProbeKind::Liveness => c.liveness_probe.as_ref(),
        }
    }
}

/// A probe worker's state (`prober/worker.go`): the last result and how many times in a row.
#[derive(Clone, Debug, Default)]
struct ProbeRun {
    last: Option<bool>,
    run: i32,
}

#[derive(Clone, Debug)]
enum ImageState {
    Present,
    /// Being pulled; (pod uid, container slot, when it asked) wait for it.
    Pulling {
        started_ms: u64,
        waiters: Vec<(String, usize, u64)>,
    },
}

/// One run of a container: what it runs and when; kept for `kubectl logs` (current and previous).
#[derive(Clone, Debug)]
pub struct Instance {
    /// `containerd://…`
    pub id: String,
    pub started_ms: u64,
    pub program: Program,
    pub ctx: Ctx,
    /// (virtual ms, exit code) once it has ended.
    pub finished: Option<(u64, i32)>,
}

impl Instance {
    /// What the instance printed up to `now_ms` (or its end).
    pub fn trace(&self, now_ms: u64) -> program::Trace {
        let until = self.finished.map_or(now_ms, |(f, _)| f.min(now_ms));
        let mut t = self
            .program
            .run(&self.ctx, Some(until.saturating_sub(self.started_ms)));
        if self.finished.is_none() || until < self.finished.map_or(0, |f| f.0) {
            t.exit = None;
        }
        t
    }
}

/// The kubelet's record of one container of a pod.
#[derive(Clone, Debug, Default)]
struct CtrRt {
    restarts: i32,
    /// Bumped at every start, so a stale `Exited` of an older instance is ignored.
    epoch: u32,
    current: Option<Instance>,
    previous: Option<Instance>,
    /// Restart back-off (`flowcontrol.Backoff`): current delay and the finish time it was set at.
    backoff: Option<(u64, u64)>,
    /// On deletion: (when it stops, exit code).
    stopping: Option<(u64, i32)>,
    /// Probe workers of the current instance; reset at every start.
    probes: BTreeMap<ProbeKind, ProbeRun>,
    /// The startup probe has succeeded (or there is none).
    started: bool,
    /// Being killed after a failed liveness or startup probe.
    probe_killed: bool,
}

#[derive(Clone, Debug)]
struct PodRt {
    key: ObjKey,
    killing: bool,
    /// Image-pull back-off per slot (ms).
    backoff: BTreeMap<usize, u64>,
    ctrs: BTreeMap<usize, CtrRt>,
}

/// One node's kubelet and runtime.
#[derive(Clone, Debug)]
pub struct Kubelet {
    pub node: String,
    pub node_ip: String,
    /// First three octets of the node's pod CIDR, e.g. `10.244.1`.
    pod_net: String,
    next_ip: u32,
    images: BTreeMap<String, ImageState>,
    pods: BTreeMap<String, PodRt>,
}

/// Virtual latencies of the kubelet's steps (ms).
const ADMIT_MS: u64 = 150;
const SANDBOX_MS: u64 = 900;
const CREATE_START_MS: u64 = 350;
const PULL_FAIL_MS: u64 = 1_200;
const BACKOFF_START_MS: u64 = 10_000;
const BACKOFF_MAX_MS: u64 = 300_000;
/// PLEG notices a container exit within about a second; the pod worker then syncs.
const EXIT_SYNC_MS: u64 = 1_000;

/// `MaxContainerBackOff` and the 10 s base: 10 s, 20 s, 40 s … 300 s.
pub fn next_backoff(prev: Option<u64>) -> u64 {
    match prev {
        None => BACKOFF_START_MS,
        Some(d) => (d * 2).min(BACKOFF_MAX_MS),
    }
}

impl Kubelet {
    pub fn new(node: &str, node_ip: &str, pod_net: &str, preloaded: &[&str]) -> Self {
        Kubelet {
            node: node.to_string(),
            node_ip: node_ip.to_string(),
            pod_net: pod_net.to_string(),
            next_ip: 2,
            images: preloaded
                .iter()
                .map(|i| (images::full_name(i), ImageState::Present))
                .collect(),
            pods: BTreeMap::new(),
        }
    }
    pub fn has_image(&self, image: &str) -> bool {
        matches!(
            self.images.get(&images::full_name(image)),
            Some(ImageState::Present)
        )
    }
    fn alloc_ip(&mut self) -> String {
        let ip = format!("{}.{}", self.pod_net, self.next_ip);
        self.next_ip = if self.next_ip >= 254 {
            2
        } else {
            self.next_ip + 1
        };
        ip
    }
    /// The container instance with this `containerd://…` id, in the pod with this uid.
    pub fn instance(&self, pod_uid: &str, container_id: &str) -> Option<&Instance> {
        let rt = self.pods.get(pod_uid)?;
        rt.ctrs
            .values()
            .flat_map(|c| c.current.iter().chain(c.previous.iter()))
            .find(|i| i.id == container_id)
    }
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    if ev.key.kind != Kind::Pod {
        return;
    }
    let Some(pod) = ev.object.as_pod() else {
        return;
    };
    let Some(node) = podutil::node(pod).map(str::to_string) else {
        return;
    };
    let uid = ev.object.uid().to_string();
    let Some(k) = sim.kubelets.get_mut(&node) else {
        return;
    };
    match ev.kind {
        WatchType::Deleted => {
            k.pods.remove(&uid);
        }
        WatchType::Added | WatchType::Modified => {
            let known = k.pods.contains_key(&uid);
            if !known {
                if matches!(podutil::phase(pod), "Succeeded" | "Failed") {
                    return;
                }
                k.pods.insert(
                    uid.clone(),
                    PodRt {
                        key: ev.key.clone(),
                        killing: false,
                        backoff: BTreeMap::new(),
                        ctrs: BTreeMap::new(),
                    },
                );
                if podutil::terminating(pod) {
                    sim.schedule(
                        ADMIT_MS,
                        Task::Kubelet {
                            node,
                            uid,
                            step: KStep::Kill,
                        },
                    );
                } else {
                    sim.schedule(
                        ADMIT_MS,
                        Task::Kubelet {
                            node,
                            uid,
                            step: KStep::Admit,
                        },
                    );
                }
            } else if podutil::terminating(pod) {
                let Some(rt) = k.pods.get_mut(&uid) else {
                    return;
                };
                if !rt.killing {
                    rt.killing = true;
                    sim.schedule(
                        50,
                        Task::Kubelet {
                            node,
                            uid,
                            step: KStep::Kill,
                        },
                    );
                }
            }
        }
    }
}

fn component(node: &str) -> String {
    format!("kubelet/{node}")
}

fn condition(
    type_: &str,
    ok: bool,
    reason: Option<&str>,
    message: Option<String>,
    now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: if ok { "True" } else { "False" }.into(),
        reason: reason.map(Into::into),
        message,
        last_transition_time: Some(now.clone()),
        last_probe_time: None,
    }
}

/// Sets a condition, keeping `lastTransitionTime` when the status does not change.
fn set_condition(conds: &mut Vec<PodCondition>, c: PodCondition) {
    if let Some(e) = conds.iter_mut().find(|e| e.type_ == c.type_) {
        if e.status == c.status {
            e.reason = c.reason;
            e.message = c.message;
            return;
        }
        *e = c;
    } else {
        conds.push(c);
    }
}

fn n_init(pod: &Pod) -> usize {
    pod.spec
        .as_ref()
        .and_then(|s| s.init_containers.as_ref())
        .map_or(0, |v| v.len())
}

/// The container in `slot` (init containers first) and whether it is an init container.
fn spec_container(pod: &Pod, slot: usize) -> Option<(&Container, bool)> {
    let spec = pod.spec.as_ref()?;
    let inits = spec.init_containers.as_deref().unwrap_or(&[]);
    if slot < inits.len() {
        Some((&inits[slot], true))
    } else {
        spec.containers.get(slot - inits.len()).map(|c| (c, false))
    }
}

fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

fn restart_policy(pod: &Pod) -> &str {
    pod.spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always")
}

fn is_running(cs: &ContainerStatus) -> bool {
    cs.state.as_ref().and_then(|s| s.running.as_ref()).is_some()
}

fn terminated(cs: &ContainerStatus) -> Option<&ContainerStateTerminated> {
    cs.state.as_ref().and_then(|s| s.terminated.as_ref())
}

fn last_terminated(cs: &ContainerStatus) -> Option<&ContainerStateTerminated> {
    cs.last_state.as_ref().and_then(|s| s.terminated.as_ref())
}

/// The kubelet's `getPhase`: Pending while initializing or while a container waits with no
/// previous termination; Running while one runs or will restart; Succeeded / Failed when nothing will.
fn compute_phase(pod: &Pod) -> String {
    let policy = restart_policy(pod).to_string();
    let spec = pod.spec.clone().unwrap_or_default();
    let st = pod.status.clone().unwrap_or_default();
    let inits = spec.init_containers.clone().unwrap_or_default();
    let init_st = st.init_container_statuses.clone().unwrap_or_default();
    let mut pending_init = false;
    for c in &inits {
        let cs = init_st.iter().find(|s| s.name == c.name);
        if is_sidecar(c) {
            if cs.is_none_or(|s| s.started != Some(true)) {
                pending_init = true;
            }
            continue;
        }
        match cs.and_then(terminated) {
            Some(t) if t.exit_code == 0 => {}
            Some(_) if policy == "Never" => return "Failed".into(),
            _ => pending_init = true,
        }
    }
    let (mut running, mut stopped, mut succeeded, mut waiting, mut unknown) = (0, 0, 0, 0, 0);
    let app_st = st.container_statuses.clone().unwrap_or_default();
    for c in &spec.containers {
        let Some(cs) = app_st.iter().find(|s| s.name == c.name) else {
            unknown += 1;
            continue;
        };
        if is_running(cs) {
            running += 1;
        } else if let Some(t) = terminated(cs) {
            stopped += 1;
            if t.exit_code == 0 {
                succeeded += 1;
            }
        } else if last_terminated(cs).is_some() {
            stopped += 1;
        } else {
            waiting += 1;
        }
    }
    if pending_init || waiting > 0 {
        return "Pending".into();
    }
    if running > 0 && unknown == 0 {
        return "Running".into();
    }
    if running == 0 && stopped > 0 && unknown == 0 {
        if policy == "Always" {
            return "Running".into();
        }
        if stopped == succeeded {
            return "Succeeded".into();
        }
        if policy == "Never" {
            return "Failed".into();
        }
        return "Running".into();
    }
    "Pending".into()
}

/// Writes the pod's status after `f` changes it, and recomputes phase, readiness and conditions.
fn update_status(sim: &mut Sim, uid: &str, f: impl FnOnce(&mut Pod, &mut Sim)) -> Option<Pod> {
    let obj = sim.store.get_by_uid(uid)?.clone();
    let mut pod = obj.as_pod()?.clone();
    f(&mut pod, sim);
    let now = sim.clock.now_time();
    let spec = pod.spec.clone().unwrap_or_default();
    let phase = {
        let old = podutil::phase(&pod).to_string();
        // A finished pod stays finished.
        if matches!(old.as_str(), "Succeeded" | "Failed") {
            old
        } else {
            compute_phase(&pod)
        }
    };
    let terminal = matches!(phase.as_str(), "Succeeded" | "Failed");
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase = Some(phase.clone());
    let statuses = status.container_statuses.clone().unwrap_or_default();
    let init_statuses = status.init_container_statuses.clone().unwrap_or_default();
    let sidecars: Vec<String> = spec
        .init_containers
        .iter()
        .flatten()
        .filter(|c| is_sidecar(c))
        .map(|c| c.name.clone())
        .collect();
    let mut not_ready: Vec<String> = Vec::new();
    for c in &spec.containers {
        if !statuses.iter().any(|s| s.name == c.name && s.ready) {
            not_ready.push(c.name.clone());
        }
    }
    for n in &sidecars {
        if !init_statuses.iter().any(|s| &s.name == n && s.ready) {
            not_ready.insert(0, n.clone());
        }
    }
    let mut incomplete: Vec<String> = Vec::new();
    for c in spec.init_containers.iter().flatten() {
        let cs = init_statuses.iter().find(|s| s.name == c.name);
        let done = if is_sidecar(c) {
            cs.is_some_and(|s| s.started == Some(true))
        } else {
            cs.and_then(terminated).is_some_and(|t| t.exit_code == 0)
        };
        if !done {
            incomplete.push(c.name.clone());
        }
    }
    let all_ready = not_ready.is_empty() && !terminal;
    let conds = status.conditions.get_or_insert_with(Vec::new);
    if terminal {
        set_condition(
            conds,
            condition("PodReadyToStartContainers", false, None, None, &now),
        );
        let reason = if phase == "Succeeded" {
            Some("PodCompleted")
        } else {
            None
        };
        set_condition(
            conds,
            condition(
                "Initialized",
                incomplete.is_empty(),
                reason.filter(|_| incomplete.is_empty()),
                None,
                &now,
            ),
        );
        set_condition(
            conds,
            condition("Ready", false, Some("PodCompleted"), None, &now),
        );
        set_condition(
            conds,
            condition("ContainersReady", false, Some("PodCompleted"), None, &now),
        );
    } else {
        if incomplete.is_empty() {
            set_condition(conds, condition("Initialized", true, None, None, &now));
        } else {
            let msg = format!(
                "containers with incomplete status: [{}]",
                incomplete.join(" ")
            );
            set_condition(
                conds,
                condition(
                    "Initialized",
                    false,
                    Some("ContainersNotInitialized"),
                    Some(msg),
                    &now,
                ),
            );
        }
        let msg = if all_ready {
            None
        } else {
            Some(format!(
                "containers with unready status: [{}]",
                not_ready.join(" ")
            ))
        };
        let reason = if all_ready {
            None
        } else {
            Some("ContainersNotReady")
        };
        set_condition(
            conds,
            condition("Ready", all_ready, reason, msg.clone(), &now),
        );
        set_condition(
            conds,
            condition("ContainersReady", all_ready, reason, msg, &now),
        );
    }
    // kubectl and the API list conditions in this order.
    let order = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ];
    crate::sort::sort_by_key(conds, |c| {
        order
            .iter()
            .position(|o| *o == c.type_)
            .unwrap_or(order.len())
    });
    let stored = sim.write_status(Object::Pod(pod.clone()))?;
    stored.as_pod().cloned()
}

fn container_status(pod: &Pod, slot: usize) -> ContainerStatus {
    let (c, _) = spec_container(pod, slot)
        .map(|(c, i)| (c.clone(), i))
        .unwrap_or_default();
    let reason = if n_init(pod) > 0 {
        "PodInitializing"
    } else {
        "ContainerCreating"
    };
    ContainerStatus {
        name: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        image_id: String::new(),
        ready: false,
        restart_count: 0,
        started: Some(false),
        state: Some(ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.into()),
                message: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Reports container slot `i` as waiting with `reason` (ErrImagePull, CreateContainerConfigError, ...).
fn set_waiting(sim: &mut Sim, uid: &str, i: usize, reason: &str, message: String) {
    update_status(sim, uid, |p, _| {
        set_container(p, i, |cs| {
            cs.state = Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.into()),
                    message: Some(message),
                }),
                ..Default::default()
            });
        });
    });
}

fn set_container<F: FnOnce(&mut ContainerStatus)>(pod: &mut Pod, slot: usize, f: F) {
    let Some((c, init)) = spec_container(pod, slot) else {
        return;
    };
    let name = c.name.clone();
    let base = container_status(pod, slot);
    let status = pod.status.get_or_insert_with(PodStatus::default);
    let list = if init {
        &mut status.init_container_statuses
    } else {
        &mut status.container_statuses
    };
    let list = list.get_or_insert_with(Vec::new);
    if let Some(cs) = list.iter_mut().find(|c| c.name == name) {
        f(cs);
    } else {
        let mut cs = base;
        f(&mut cs);
        list.push(cs);
    }
}

fn get_container_status(pod: &Pod, slot: usize) -> Option<ContainerStatus> {
    let (c, init) = spec_container(pod, slot)?;
    let st = pod.status.as_ref()?;
    let list = if init {
        st.init_container_statuses.as_ref()
    } else {
        st.container_statuses.as_ref()
    };
    list?.iter().find(|s| s.name == c.name).cloned()
}

fn slot_name(pod: &Pod, slot: usize) -> String {
    spec_container(pod, slot)
        .map(|(c, _)| c.name.clone())
        .unwrap_or_default()
}

fn slot_image(pod: &Pod, slot: usize) -> String {
    spec_container(pod, slot)
        .and_then(|(c, _)| c.image.clone())
        .unwrap_or_default()
}

fn ctr_rt<'a>(sim: &'a mut Sim, node: &str, uid: &str, slot: usize) -> Option<&'a mut CtrRt> {
    Some(
        sim.kubelets
            .get_mut(node)?
            .pods
            .get_mut(uid)?
            .ctrs
            .entry(slot)
            .or_default(),
    )
}

/// `format.Pod`: `name_namespace(uid)`.
fn pod_ref(pod: &Pod) -> String {
    format!(
        "{}_{}({})",
        pod.metadata.name.as_deref().unwrap_or(""),
        pod.metadata.namespace.as_deref().unwrap_or(""),
        pod.metadata.uid.as_deref().unwrap_or("")
    )
}

/// Slots to start once the sandbox is up: the first init container, or every app container.
fn first_slots(pod: &Pod) -> Vec<usize> {
    let ni = n_init(pod);
    if ni > 0 {
        vec![0]
    } else {
        (0..pod.spec.as_ref().map_or(0, |s| s.containers.len())).collect()
    }
}

pub(crate) fn run(sim: &mut Sim, node: &str, uid: &str, step: KStep) {
    if super::faults::park(
        sim,
        node,
        Task::Kubelet {
            node: node.into(),
            uid: uid.into(),
            step: step.clone(),
        },
    ) {
        return;
    }
    let Some(k) = sim.kubelets.get(node) else {
        return;
    };
    let Some(rt) = k.pods.get(uid).cloned() else {
        return;
    };
    let Some(obj) = sim.store.get(&rt.key).cloned() else {
        return;
    };
    let Some(pod) = obj.as_pod().cloned() else {
        return;
    };
    if obj.uid() != uid {
        return;
    }
    if rt.killing && !matches!(step, KStep::Kill | KStep::Killed) {
        return;
    }
    let comp = component(node);
    let n_slots = n_init(&pod) + pod.spec.as_ref().map_or(0, |s| s.containers.len());
    match step {
        KStep::Admit => {
            let node_ip = k.node_ip.clone();
            let now = sim.clock.now_time();
            update_status(sim, uid, |p, _| {
                let st = p.status.get_or_insert_with(PodStatus::default);
                st.host_ip = Some(node_ip.clone());
                st.host_ips = Some(vec![HostIP {
                    ip: node_ip.clone(),
                }]);
                st.start_time = Some(now.clone());
                st.phase = Some("Pending".into());
                let conds = st.conditions.get_or_insert_with(Vec::new);
                set_condition(
                    conds,
                    condition("PodReadyToStartContainers", false, None, None, &now),
                );
                for i in 0..n_slots {
                    set_container(p, i, |_| {});
                }
            });
            if mount_volumes(sim, node, uid, &obj, &pod) {
                sim.decide(
                    &comp,
                    format!("admitted {}; creating the pod sandbox", rt.key.name),
                );
                sim.schedule(
                    SANDBOX_MS,
                    Task::Kubelet {
                        node: node.into(),
                        uid: uid.into(),
                        step: KStep::SandboxReady,
                    },
                );
            }
        }
        KStep::MountVolumes => {
            if mount_volumes(sim, node, uid, &obj, &pod) {
                sim.decide(
                    &comp,
                    format!(
                        "mounted the volumes of {}; creating the pod sandbox",
                        rt.key.name
                    ),
                );
                sim.schedule(
                    SANDBOX_MS,
                    Task::Kubelet {
                        node: node.into(),
                        uid: uid.into(),
                        step: KStep::SandboxReady,
                    },
                );
            }
        }
        KStep::SandboxReady => {
            let host_network = pod.spec.as_ref().and_then(|s| s.host_network) == Some(true);
            let ip = match sim.kubelets.get_mut(node) {
                Some(k) if host_network => k.node_ip.clone(),
                Some(k) => k.alloc_ip(),
                None => return,
            };
            let now = sim.clock.now_time();
            let Some(pod) = update_status(sim, uid, |p, _| {
                let st = p.status.get_or_insert_with(PodStatus::default);
                st.pod_ip = Some(ip.clone());
                st.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
                let conds = st.conditions.get_or_insert_with(Vec::new);
                set_condition(
                    conds,
                    condition("PodReadyToStartContainers", true, None, None, &now),
                );
            }) else {
                return;
            };
            sim.decide(
                &comp,
                format!("sandbox for {} is up with IP {ip}", rt.key.name),
            );
            for i in first_slots(&pod) {
                ensure_image(sim, node, uid, &pod, i);
            }
        }
        KStep::StartContainer(i) => start_container(sim, node, uid, &obj, &pod, i),
        KStep::Exited(i, epoch) => exited(sim, node, uid, &pod, i, epoch),
        KStep::SyncExited(i, epoch) => sync_exited(sim, node, uid, &obj, &pod, i, epoch),
        KStep::PullFailed(i) => {
            let image = slot_image(&pod, i);
            let why = format!(
                "failed to pull and unpack image \"{}\": failed to resolve reference \"{}\": {}: not found",
                images::full_name(&image),
                images::full_name(&image),
                images::full_name(&image)
            );
            let mut msg = format!(
                "Failed to pull image \"{image}\": rpc error: code = NotFound desc = {why}"
            );
            if sim.nodelife.image_broken(&images::full_name(&image)) {
                msg = format!(
                    "Failed to pull image \"{image}\": rpc error: code = Unknown desc = {}",
                    super::faults::unavailable_reason(&image)
                );
            }
            sim.event(
                &obj,
                "Warning",
                "Failed",
                msg.clone(),
                "kubelet",
                Some(node),
            );
            sim.event(
                &obj,
                "Warning",
                "Failed",
                "Error: ErrImagePull".into(),
                "kubelet",
                Some(node),
            );
            set_waiting(sim, uid, i, "ErrImagePull", msg.clone());
            sim.decide(
                &comp,
                format!("could not pull {image} for {}: not found", rt.key.name),
            );
            sim.schedule(
                1_000,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::PullBackOff(i),
                },
            );
        }
        KStep::PullBackOff(i) => {
            let image = slot_image(&pod, i);
            let delay = {
                let Some(rt) = sim.kubelets.get_mut(node).and_then(|k| k.pods.get_mut(uid)) else {
                    return;
                };
                let d = rt.backoff.get(&i).copied().unwrap_or(BACKOFF_START_MS);
                rt.backoff.insert(i, (d * 2).min(BACKOFF_MAX_MS));
                d
            };
            sim.event(
                &obj,
                "Normal",
                "BackOff",
                format!("Back-off pulling image \"{image}\""),
                "kubelet",
                Some(node),
            );
            sim.event(
                &obj,
                "Warning",
                "Failed",
                "Error: ImagePullBackOff".into(),
                "kubelet",
                Some(node),
            );
            set_waiting(
                sim,
                uid,
                i,
                "ImagePullBackOff",
                format!("Back-off pulling image \"{image}\""),
            );
            sim.decide(
                &comp,
                format!(
                    "backing off {}s before pulling {image} again for {}",
                    delay / 1000,
                    rt.key.name
                ),
            );
            sim.schedule(
                delay,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::RetryPull(i),
                },
            );
        }
        KStep::RetryPull(i) => ensure_image(sim, node, uid, &pod, i),
        KStep::Probe(i, kind, epoch) => probe_tick(sim, node, uid, &obj, &pod, i, kind, epoch),
        KStep::ProbeKilled(i, epoch, code) => {
            exited_with(sim, node, uid, &pod, i, epoch, Some(code))
        }
        KStep::Kill => {
            let now = sim.clock.elapsed_ms();
            let grace_ms = pod
                .metadata
                .deletion_grace_period_seconds
                .unwrap_or(30)
                .max(0) as u64
                * 1000;
            let mut running: Vec<(usize, String)> = Vec::new();
            for slot in 0..n_slots {
                if get_container_status(&pod, slot).is_some_and(|cs| is_running(&cs)) {
                    running.push((slot, slot_name(&pod, slot)));
                }
            }
            let mut wait = 0u64;
            for (slot, c) in &running {
                sim.event(
                    &obj,
                    "Normal",
                    "Killing",
                    format!("Stopping container {c}"),
                    "kubelet",
                    Some(node),
                );
                let Some(ctr) = ctr_rt(sim, node, uid, *slot) else {
                    continue;
                };
                // SIGTERM: a server exits soon; a shell or `sleep` as PID 1 ignores it and is killed
                // (SIGKILL, exit 137) when the grace period ends. A program that ends on its own first
                // just ends.
                let (mut after, mut code) = match ctr
                    .current
                    .as_ref()
                    .and_then(|i| i.program.sigterm_exit_ms())
                {
                    Some(ms) if ms <= grace_ms => (ms, 0),
                    _ => (grace_ms, 137),
                };
                if let Some(inst) = &ctr.current {
                    if let Some(e) = inst.program.exit(&inst.ctx) {
                        let natural = (inst.started_ms + e.at_ms).saturating_sub(now);
                        if natural <= after {
                            after = natural;
                            code = e.code;
                        }
                    }
                }
                ctr.stopping = Some((now + after, code));
                wait = wait.max(after);
            }
            if let Some(rt) = sim.kubelets.get_mut(node).and_then(|k| k.pods.get_mut(uid)) {
                rt.killing = true;
            }
            sim.decide(
                &comp,
                format!(
                    "{} is being deleted; stopping {} container(s)",
                    rt.key.name,
                    running.len()
                ),
            );
            sim.schedule(
                wait,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::Killed,
                },
            );
        }
        KStep::Killed => {
            let now_ms = sim.clock.elapsed_ms();
            let stops: BTreeMap<usize, (u64, i32)> = rt
                .ctrs
                .iter()
                .filter_map(|(s, c)| c.stopping.map(|st| (*s, st)))
                .collect();
            if let Some(prt) = sim.kubelets.get_mut(node).and_then(|k| k.pods.get_mut(uid)) {
                for (s, (at, code)) in &stops {
                    if let Some(inst) = prt.ctrs.get_mut(s).and_then(|c| c.current.as_mut()) {
                        inst.finished.get_or_insert((*at, *code));
                    }
                }
            }
            let clock = sim.clock.clone();
            update_status(sim, uid, |p, _| {
                for slot in 0..n_slots {
                    let Some(cs) = get_container_status(p, slot) else {
                        continue;
                    };
                    if !is_running(&cs) {
                        continue;
                    }
                    let (at, code) = stops.get(&slot).copied().unwrap_or((now_ms, 0));
                    set_container(p, slot, |cs| {
                        let started = cs
                            .state
                            .as_ref()
                            .and_then(|s| s.running.as_ref())
                            .and_then(|r| r.started_at.clone());
                        cs.ready = false;
                        cs.started = Some(false);
                        cs.state = Some(ContainerState {
                            terminated: Some(ContainerStateTerminated {
                                exit_code: code,
                                reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
                                started_at: started,
                                finished_at: Some(
                                    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                                        super::clock::truncate_to_seconds(clock.at(at)),
                                    ),
                                ),
                                container_id: cs.container_id.clone(),
                                ..Default::default()
                            }),
                            ..Default::default()
                        });
                    });
                }
            });
            // The containers are gone: the kubelet confirms the deletion (grace period 0). A pod
            // with finalizers stays, in a terminal phase, until they are removed (the API server
            // removes it then).
            let finalizers: Vec<String> = sim
                .store
                .get(&rt.key)
                .and_then(|o| o.meta().finalizers.clone())
                .unwrap_or_default();
            if finalizers.is_empty() {
                let _ = sim.store.remove(&rt.key);
                sim.decide(
                    &comp,
                    format!("containers of {} stopped; pod removed", rt.key.name),
                );
            } else {
                let failed = stops.values().any(|(_, code)| *code != 0);
                if let Some(mut p) = sim.store.get(&rt.key).and_then(|o| o.as_pod().cloned()) {
                    p.status.get_or_insert_with(PodStatus::default).phase =
                        Some(if failed { "Failed" } else { "Succeeded" }.into());
                    sim.write_status(Object::Pod(p));
                }
                sim.decide(
                    &comp,
                    format!(
                        "containers of {} stopped; its finalizers ({}) keep the pod object until they are removed",
                        rt.key.name,
                        finalizers.join(", ")
                    ),
                );
            }
        }
    }
}

/// The container's environment, in the order `printenv` shows it: PATH, HOSTNAME, the image's ENV,
/// the container's `env` (with `$(VAR)` references and `fieldRef`s resolved), the `kubernetes`
/// Service's variables, HOME.
fn container_env(sim: &Sim, pod: &Pod, c: &Container) -> Vec<(String, String)> {
    let hostname = pod
        .spec
        .as_ref()
        .and_then(|s| s.hostname.clone())
        .or_else(|| pod.metadata.name.clone())
        .unwrap_or_default();
    let mut env: Vec<(String, String)> = vec![
        (
            "PATH".into(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        ),
        ("HOSTNAME".into(), hostname),
    ];
    let image = c.image.clone().unwrap_or_default();
    env.extend(program::image_env(&image));
    let mut declared: Vec<(String, String)> = Vec::new();
    // envFrom first (each key, with the prefix); `env` entries then override.
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    for src in c.env_from.iter().flatten() {
        let prefix = src.prefix.clone().unwrap_or_default();
        let pairs: Vec<(String, String)> = if let Some(r) = &src.config_map_ref {
            match sim
                .store
                .get(&ObjKey::new(Kind::ConfigMap, ns, &r.name))
                .map(|o| o.as_ref())
            {
                Some(Object::ConfigMap(cm)) => {
                    cm.data.clone().unwrap_or_default().into_iter().collect()
                }
                _ => Vec::new(),
            }
        } else if let Some(r) = &src.secret_ref {
            match sim
                .store
                .get(&ObjKey::new(Kind::Secret, ns, &r.name))
                .map(|o| o.as_ref())
            {
                Some(Object::Secret(sec)) => sec
                    .data
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                    .collect(),
                _ => Vec::new(),
            }
        } else {
            Vec::new()
        };
        for (k, v) in pairs {
            let name = format!("{prefix}{k}");
            declared.retain(|(x, _)| x != &name);
            declared.push((name, v));
        }
    }
    for e in c.env.iter().flatten() {
        let value = match (&e.value, &e.value_from) {
            (Some(v), _) => expand_refs(v, &declared),
            (None, Some(from)) => {
                if let Some(f) = &from.field_ref {
                    field_value(pod, &f.field_path)
                } else if let Some(r) = &from.config_map_key_ref {
                    let key = ObjKey::new(
                        Kind::ConfigMap,
                        pod.metadata.namespace.as_deref().unwrap_or("default"),
                        &r.name,
                    );
                    sim.store
                        .get(&key)
                        .and_then(|o| match o.as_ref() {
                            Object::ConfigMap(cm) => {
                                cm.data.as_ref().and_then(|d| d.get(&r.key)).cloned()
                            }
                            _ => None,
                        })
                        .unwrap_or_default()
                } else if let Some(r) = &from.secret_key_ref {
                    let key = ObjKey::new(
                        Kind::Secret,
                        pod.metadata.namespace.as_deref().unwrap_or("default"),
                        &r.name,
                    );
                    sim.store
                        .get(&key)
                        .and_then(|o| match o.as_ref() {
                            Object::Secret(s) => s
                                .data
                                .as_ref()
                                .and_then(|d| d.get(&r.key))
                                .map(|b| String::from_utf8_lossy(&b.0).to_string())
                                .or_else(|| {
                                    s.string_data.as_ref().and_then(|d| d.get(&r.key)).cloned()
                                }),
                            _ => None,
                        })
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            }
            (None, None) => String::new(),
        };
        declared.retain(|(k, _)| k != &e.name);
        declared.push((e.name.clone(), value));
    }
    for (k, v) in declared {
        env.retain(|(x, _)| x != &k);
        env.push((k, v));
    }
    // Service links (enableServiceLinks): every Service in the namespace gets host/port variables.
    if pod.spec.as_ref().and_then(|s| s.enable_service_links) != Some(false) {
        for svc in sim.store.list(Kind::Service, Some(ns)) {
            let Some(sv) = svc.as_service() else { continue };
            let spec = sv.spec.clone().unwrap_or_default();
            let ip = spec.cluster_ip.clone().unwrap_or_default();
            if ip.is_empty() || ip == "None" || svc.name() == "kubernetes" {
                continue;
            }
            let n = svc.name().to_ascii_uppercase().replace('-', "_");
            let ports = spec.ports.clone().unwrap_or_default();
            let Some(first) = ports.first() else { continue };
            let proto = |p: &k8s_openapi::api::core::v1::ServicePort| {
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            };
            let mut vars = vec![
                (format!("{n}_SERVICE_HOST"), ip.clone()),
                (format!("{n}_SERVICE_PORT"), first.port.to_string()),
                (
                    format!("{n}_PORT"),
                    format!(
                        "{}://{ip}:{}",
                        proto(first).to_ascii_lowercase(),
                        first.port
                    ),
                ),
            ];
            for p in &ports {
                if let Some(pn) = &p.name {
                    vars.push((
                        format!(
                            "{n}_SERVICE_PORT_{}",
                            pn.to_ascii_uppercase().replace('-', "_")
                        ),
                        p.port.to_string(),
                    ));
                }
                let base = format!("{n}_PORT_{}_{}", p.port, proto(p));
                vars.push((
                    base.clone(),
                    format!("{}://{ip}:{}", proto(p).to_ascii_lowercase(), p.port),
                ));
                vars.push((format!("{base}_PROTO"), proto(p).to_ascii_lowercase()));
                vars.push((format!("{base}_PORT"), p.port.to_string()));
                vars.push((format!("{base}_ADDR"), ip.clone()));
            }
            for (k, v) in vars {
                if !env.iter().any(|(x, _)| *x == k) {
                    env.push((k, v));
                }
            }
        }
    }
    for (k, v) in [
        ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
        ("KUBERNETES_SERVICE_PORT", "443"),
        ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
        ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
        ("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
        ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
        ("KUBERNETES_PORT_443_TCP_PORT", "443"),
        ("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
    ] {
        if !env.iter().any(|(x, _)| x == k) {
            env.push((k.into(), v.into()));
        }
    }
    if !env.iter().any(|(x, _)| x == "HOME") {
        env.push(("HOME".into(), "/root".into()));
    }
    env
}

fn field_value(pod: &Pod, path: &str) -> String {
    let st = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    match path {
        "metadata.name" => pod.metadata.name.clone().unwrap_or_default(),
        "metadata.namespace" => pod.metadata.namespace.clone().unwrap_or_default(),
        "metadata.uid" => pod.metadata.uid.clone().unwrap_or_default(),
        "spec.nodeName" => spec.node_name.unwrap_or_default(),
        "spec.serviceAccountName" => spec.service_account_name.unwrap_or_default(),
        "status.podIP" => st.pod_ip.unwrap_or_default(),
        "status.hostIP" => st.host_ip.unwrap_or_default(),
        p => {
            let label = p
                .strip_prefix("metadata.labels['")
                .and_then(|r| r.strip_suffix("']"));
            let ann = p
                .strip_prefix("metadata.annotations['")
                .and_then(|r| r.strip_suffix("']"));
            match (label, ann) {
                (Some(l), _) => pod
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|m| m.get(l))
                    .cloned()
                    .unwrap_or_default(),
                (_, Some(a)) => pod
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|m| m.get(a))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            }
        }
    }
}

/// Kubernetes' `$(VAR)` expansion in env values, `command` and `args`: a defined variable is
/// replaced, an undefined reference is kept as written, and `$$` escapes a `$`.
pub fn expand_refs(s: &str, env: &[(String, String)]) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == '$' && c.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
        } else if c[i] == '$' && c.get(i + 1) == Some(&'(') {
            match c[i + 2..].iter().position(|&x| x == ')') {
                Some(p) => {
                    let name: String = c[i + 2..i + 2 + p].iter().collect();
                    match env.iter().rev().find(|(k, _)| *k == name) {
                        Some((_, v)) => out.push_str(v),
                        None => out.push_str(&format!("$({name})")),
                    }
                    i += p + 3;
                }
                None => {
                    out.extend(&c[i..]);
                    break;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn node_cpus(sim: &Sim, node: &str) -> u32 {
    sim.store
        .get(&ObjKey::new(Kind::Node, "", node))
        .and_then(|o| {
            o.as_node()
                .and_then(|n| n.status.as_ref())
                .and_then(|s| s.capacity.as_ref())
                .and_then(|c| c.get("cpu"))
                .and_then(|q| q.0.parse().ok())
        })
        .unwrap_or(4)
}

/// The files a container sees in its mounted volumes: ConfigMap and Secret keys (or their
/// `items`), downward API fields, and the projected service-account token volume.
fn volume_files(sim: &Sim, pod: &Pod, c: &Container) -> Vec<(String, String)> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let volumes = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.clone())
        .unwrap_or_default();
    let cm_data = |name: &str| -> Vec<(String, String)> {
        match sim
            .store
            .get(&ObjKey::new(Kind::ConfigMap, ns, name))
            .map(|o| o.as_ref())
        {
            Some(Object::ConfigMap(cm)) => {
                cm.data.clone().unwrap_or_default().into_iter().collect()
            }
            _ => Vec::new(),
        }
    };
    let secret_data = |name: &str| -> Vec<(String, String)> {
        match sim
            .store
            .get(&ObjKey::new(Kind::Secret, ns, name))
            .map(|o| o.as_ref())
        {
            Some(Object::Secret(sec)) => sec
                .data
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let pick = |data: Vec<(String, String)>,
                items: &Option<Vec<k8s_openapi::api::core::v1::KeyToPath>>|
     -> Vec<(String, String)> {
        match items {
            Some(items) => items
                .iter()
                .filter_map(|it| {
                    data.iter()
                        .find(|(k, _)| *k == it.key)
                        .map(|(_, v)| (it.path.clone(), v.clone()))
                })
                .collect(),
            None => data,
        }
    };
    let mut out = Vec::new();
    for m in c.volume_mounts.iter().flatten() {
        let Some(v) = volumes.iter().find(|v| v.name == m.name) else {
            continue;
        };
        let mut files: Vec<(String, String)> = Vec::new();
        if let Some(cm) = &v.config_map {
            files = pick(cm_data(&cm.name), &cm.items);
        } else if let Some(sec) = &v.secret {
            files = pick(
                secret_data(sec.secret_name.as_deref().unwrap_or("")),
                &sec.items,
            );
        } else if let Some(d) = &v.downward_api {
            for it in d.items.iter().flatten() {
                if let Some(f) = &it.field_ref {
                    files.push((it.path.clone(), field_value(pod, &f.field_path)));
                }
            }
        } else if let Some(pr) = &v.projected {
            for src in pr.sources.iter().flatten() {
                if let Some(t) = &src.service_account_token {
                    files.push((
                        t.path.clone(),
                        format!(
                            "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtpbmQifQ.{}.signature",
                            pod.metadata.uid.as_deref().unwrap_or("")
                        ),
                    ));
                }
                if let Some(cm) = &src.config_map {
                    files.extend(pick(cm_data(&cm.name), &cm.items));
                }
                if let Some(sec) = &src.secret {
                    files.extend(pick(secret_data(&sec.name), &sec.items));
                }
                if let Some(d) = &src.downward_api {
                    for it in d.items.iter().flatten() {
                        if let Some(f) = &it.field_ref {
                            files.push((it.path.clone(), field_value(pod, &f.field_path)));
                        }
                    }
                }
            }
        }
        let base = m.mount_path.trim_end_matches('/');
        match &m.sub_path {
            Some(sp) if !sp.is_empty() => {
                if let Some((_, content)) = files.into_iter().find(|(p, _)| p == sp) {
                    out.push((base.to_string(), content));
                }
            }
            _ => {
                for (p, content) in files {
                    out.push((format!("{base}/{p}"), content));
                }
            }
        }
    }
    out
}

/// A ConfigMap or Secret volume whose object is missing (and not optional): `MountVolume.SetUp
/// failed for volume "config" : configmap "game-demo" not found`.
fn mount_error(sim: &Sim, pod: &Pod) -> Option<String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        if let Some(cm) = &v.config_map {
            if cm.optional != Some(true)
                && sim
                    .store
                    .get(&ObjKey::new(Kind::ConfigMap, ns, &cm.name))
                    .is_none()
            {
                return Some(format!(
                    "MountVolume.SetUp failed for volume \"{}\" : configmap \"{}\" not found",
                    v.name, cm.name
                ));
            }
        }
        if let Some(sec) = &v.secret {
            let name = sec.secret_name.clone().unwrap_or_default();
            if sec.optional != Some(true)
                && sim
                    .store
                    .get(&ObjKey::new(Kind::Secret, ns, &name))
                    .is_none()
            {
                return Some(format!(
                    "MountVolume.SetUp failed for volume \"{}\" : secret \"{name}\" not found",
                    v.name
                ));
            }
        }
    }
    None
}

/// What stops the kubelet from creating a container's config: a ConfigMap or Secret (or one of
/// their keys) it references is missing and not optional.
fn config_error(sim: &Sim, pod: &Pod, c: &Container) -> Option<String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let get = |kind: Kind, name: &str| sim.store.get(&ObjKey::new(kind, ns, name)).cloned();
    for src in c.env_from.iter().flatten() {
        if let Some(r) = &src.config_map_ref {
            if r.optional != Some(true) && get(Kind::ConfigMap, &r.name).is_none() {
                return Some(format!("configmap \"{}\" not found", r.name));
            }
        }
        if let Some(r) = &src.secret_ref {
            if r.optional != Some(true) && get(Kind::Secret, &r.name).is_none() {
                return Some(format!("secret \"{}\" not found", r.name));
            }
        }
    }
    for e in c.env.iter().flatten() {
        let Some(from) = &e.value_from else { continue };
        if let Some(r) = &from.config_map_key_ref {
            if r.optional == Some(true) {
                continue;
            }
            match get(Kind::ConfigMap, &r.name).as_deref() {
                None => return Some(format!("configmap \"{}\" not found", r.name)),
                Some(Object::ConfigMap(cm))
                    if !cm.data.as_ref().is_some_and(|d| d.contains_key(&r.key)) =>
                {
                    return Some(format!(
                        "couldn't find key {} in ConfigMap {ns}/{}",
                        r.key, r.name
                    ))
                }
                _ => {}
            }
        }
        if let Some(r) = &from.secret_key_ref {
            if r.optional == Some(true) {
                continue;
            }
            match get(Kind::Secret, &r.name).as_deref() {
                None => return Some(format!("secret \"{}\" not found", r.name)),
                Some(Object::Secret(sec))
                    if !sec.data.as_ref().is_some_and(|d| d.contains_key(&r.key)) =>
                {
                    return Some(format!(
                        "couldn't find key {} in Secret {ns}/{}",
                        r.key, r.name
                    ))
                }
                _ => {}
            }
        }
    }
    None
}

/// `WaitForAttachAndMount`, before the sandbox: a ConfigMap or Secret volume whose source is
/// missing keeps the pod ContainerCreating (no IP, no image pulled) with a FailedMount event, and
/// the volume manager tries again. True when every volume is mounted.
fn mount_volumes(sim: &mut Sim, node: &str, uid: &str, obj: &Object, pod: &Pod) -> bool {
    let Some(err) = mount_error(sim, pod) else {
        return true;
    };
    sim.event(
        obj,
        "Warning",
        "FailedMount",
        err.clone(),
        "kubelet",
        Some(node),
    );
    sim.decide(
        &component(node),
        format!(
            "cannot mount volumes of {}: {err}; retrying",
            pod.metadata.name.as_deref().unwrap_or("")
        ),
    );
    sim.schedule(
        10_000,
        Task::Kubelet {
            node: node.into(),
            uid: uid.into(),
            step: KStep::MountVolumes,
        },
    );
    false
}

fn start_container(sim: &mut Sim, node: &str, uid: &str, obj: &Object, pod: &Pod, i: usize) {
    let Some((c, _init)) = spec_container(pod, i) else {
        return;
    };
    let c = c.clone();
    let cname = c.name.clone();
    if let Some(err) = config_error(sim, pod, &c) {
        // The kubelet reports it and tries again on its next sync.
        sim.event(
            obj,
            "Warning",
            "Failed",
            format!("Error: {err}"),
            "kubelet",
            Some(node),
        );
        set_waiting(sim, uid, i, "CreateContainerConfigError", err.clone());
        sim.decide(
            &component(node),
            format!(
                "cannot start {cname} of {}: {err}; retrying",
                pod.metadata.name.as_deref().unwrap_or("")
            ),
        );
        sim.schedule(
            10_000,
            Task::Kubelet {
                node: node.into(),
                uid: uid.into(),
                step: KStep::StartContainer(i),
            },
        );
        return;
    }
    let image = c.image.clone().unwrap_or_default();
    let comp = component(node);
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let env = container_env(sim, pod, &c);
    let command: Option<Vec<String>> = c
        .command
        .as_ref()
        .map(|v| v.iter().map(|a| expand_refs(a, &env)).collect());
    let args: Option<Vec<String>> = c
        .args
        .as_ref()
        .map(|v| v.iter().map(|a| expand_refs(a, &env)).collect());
    let program = Program::resolve(&image, command.as_deref(), args.as_deref(), &env);
    let now_ms = sim.clock.elapsed_ms();
    let ctx = Ctx {
        start: sim.clock.at(now_ms),
        env,
        hostname: pod
            .spec
            .as_ref()
            .and_then(|s| s.hostname.clone())
            .unwrap_or_else(|| pod_name.clone()),
        pod_ip: pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default(),
        cpus: node_cpus(sim, node),
        mounts: volume_files(sim, pod, &c),
    };
    let cid = format!("containerd://{}", sim.rng.hex(64));
    sim.event(
        obj,
        "Normal",
        "Created",
        format!("Created container: {cname}"),
        "kubelet",
        Some(node),
    );
    let start_error = program.start_error();
    let exit = if start_error.is_some() {
        None
    } else {
        program.exit(&ctx)
    };
    let has_startup = c.startup_probe.is_some() && i >= n_init(pod);
    let has_readiness = c.readiness_probe.is_some() && i >= n_init(pod);
    let (epoch, restarts) = {
        let Some(ctr) = ctr_rt(sim, node, uid, i) else {
            return;
        };
        ctr.epoch += 1;
        ctr.probes.clear();
        ctr.started = !has_startup;
        ctr.probe_killed = false;
        if let Some(prev) = ctr.current.take() {
            ctr.previous = Some(prev);
            ctr.restarts += 1;
        }
        ctr.current = Some(Instance {
            id: cid.clone(),
            started_ms: now_ms,
            program,
            ctx,
            finished: start_error.as_ref().map(|_| (now_ms, 128)),
        });
        (ctr.epoch, ctr.restarts)
    };
    let now = sim.clock.now_time();
    if let Some(err) = start_error {
        let msg = err.message.clone();
        sim.event(
            obj,
            "Warning",
            "Failed",
            format!("Error: {msg}"),
            "kubelet",
            Some(node),
        );
        update_status(sim, uid, |p, _| {
            set_container(p, i, |cs| {
                let prev = cs.state.as_ref().and_then(|s| s.terminated.clone());
                if prev.is_some() {
                    cs.last_state = Some(ContainerState {
                        terminated: prev,
                        ..Default::default()
                    });
                }
                cs.restart_count = restarts;
                cs.ready = false;
                cs.started = Some(false);
                cs.container_id = Some(cid.clone());
                cs.image = images::full_name(&image);
                cs.image_id = images::digest(&image);
                cs.state = Some(ContainerState {
                    terminated: Some(ContainerStateTerminated {
                        exit_code: 128,
                        reason: Some("StartError".into()),
                        message: Some(msg.clone()),
                        started_at: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
                        )),
                        finished_at: Some(now.clone()),
                        container_id: Some(cid.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            });
        });
        sim.decide(
            &comp,
            format!("container {cname} of {pod_name} could not start: {msg}"),
        );
        after_exit(sim, node, uid, pod, i, epoch, 128);
        return;
    }
    sim.event(
        obj,
        "Normal",
        "Started",
        format!("Started container {cname}"),
        "kubelet",
        Some(node),
    );
    update_status(sim, uid, |p, _| {
        set_container(p, i, |cs| {
            let prev = cs.state.as_ref().and_then(|s| s.terminated.clone());
            if prev.is_some() {
                cs.last_state = Some(ContainerState {
                    terminated: prev,
                    ..Default::default()
                });
            }
            cs.restart_count = restarts;
            cs.state = Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(now.clone()),
                }),
                ..Default::default()
            });
            // A running app container is ready at once unless a startup or readiness probe has
            // to pass first; an init container is not (a sidecar is, once started).
            cs.ready = (i >= n_init(pod) && !has_startup && !has_readiness) || is_sidecar(&c);
            cs.started = Some(!has_startup);
            cs.container_id = Some(cid.clone());
            cs.image = images::full_name(&image);
            cs.image_id = images::digest(&image);
        });
    });
    match exit {
        Some(e) => {
            sim.decide(
                &comp,
                format!(
                    "started container {cname} of {pod_name}; its program ends in {}",
                    go_duration(e.at_ms)
                ),
            );
            sim.schedule(
                e.at_ms,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::Exited(i, epoch),
                },
            );
        }
        None => sim.decide(&comp, format!("started container {cname} of {pod_name}")),
    }
    if i >= n_init(pod) {
        schedule_probes(sim, node, uid, &c, i, epoch);
    }
    // A sidecar lets the next init container start once it has started.
    if i < n_init(pod) && is_sidecar(&c) && restarts == 0 {
        next_after_init(sim, node, uid, i);
    }
}

/// Init container `i` is done (or a sidecar started): start the next init container, or the app
/// containers after the last one.
fn next_after_init(sim: &mut Sim, node: &str, uid: &str, i: usize) {
    let Some(pod) = sim.store.get_by_uid(uid).and_then(|o| o.as_pod().cloned()) else {
        return;
    };
    let ni = n_init(&pod);
    let slots: Vec<usize> = if i + 1 < ni {
        vec![i + 1]
    } else {
        (ni..ni + pod.spec.as_ref().map_or(0, |s| s.containers.len())).collect()
    };
    for s in slots {
        ensure_image(sim, node, uid, &pod, s);
    }
}

fn exited(sim: &mut Sim, node: &str, uid: &str, pod: &Pod, i: usize, epoch: u32) {
    exited_with(sim, node, uid, pod, i, epoch, None);
}

/// `sim container crash`: the running instance of container `slot` is killed (exit 137) and the
/// kubelet handles it as any other exit (restart per policy, back-off).
pub(crate) fn crash(sim: &mut Sim, node: &str, uid: &str, slot: usize) -> Result<(), String> {
    let pod = sim
        .store
        .get_by_uid(uid)
        .and_then(|o| o.as_pod().cloned())
        .ok_or("is gone")?;
    let Some(ctr) = ctr_rt(sim, node, uid, slot) else {
        return Err("is not running".into());
    };
    let epoch = ctr.epoch;
    if ctr.current.as_ref().is_none_or(|i| i.finished.is_some()) {
        return Err("is not running".into());
    }
    exited_with(sim, node, uid, &pod, slot, epoch, Some(137));
    Ok(())
}

fn exited_with(
    sim: &mut Sim,
    node: &str,
    uid: &str,
    pod: &Pod,
    i: usize,
    epoch: u32,
    forced: Option<i32>,
) {
    let now_ms = sim.clock.elapsed_ms();
    let Some(ctr) = ctr_rt(sim, node, uid, i) else {
        return;
    };
    if ctr.epoch != epoch {
        return;
    }
    let Some(inst) = ctr.current.as_mut() else {
        return;
    };
    if inst.finished.is_some() {
        return;
    }
    let code = forced.unwrap_or_else(|| inst.program.exit(&inst.ctx).map_or(0, |e| e.code));
    inst.finished = Some((now_ms, code));
    let now = sim.clock.now_time();
    let cname = slot_name(pod, i);
    update_status(sim, uid, |p, _| {
        set_container(p, i, |cs| {
            let started = cs
                .state
                .as_ref()
                .and_then(|s| s.running.as_ref())
                .and_then(|r| r.started_at.clone());
            cs.ready = false;
            cs.started = Some(false);
            cs.state = Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: code,
                    reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
                    started_at: started,
                    finished_at: Some(now.clone()),
                    container_id: cs.container_id.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            });
        });
    });
    sim.decide(
        &component(node),
        format!(
            "container {cname} of {} exited with code {code}",
            pod.metadata.name.as_deref().unwrap_or("")
        ),
    );
    after_exit(sim, node, uid, pod, i, epoch, code);
}

/// After container `i` ended with `code`: carry on with the next init container, or have the kubelet
/// sync it (restart or back-off) if the restart policy says it restarts.
fn after_exit(sim: &mut Sim, node: &str, uid: &str, pod: &Pod, i: usize, epoch: u32, code: i32) {
    let Some((c, init)) = spec_container(pod, i) else {
        return;
    };
    let policy = restart_policy(pod);
    let restarts = if init && is_sidecar(c) {
        true
    } else if init {
        // Init containers restart on failure unless the pod's policy is Never.
        code != 0 && policy != "Never"
    } else {
        match policy {
            "Never" => false,
            "OnFailure" => code != 0,
            _ => true,
        }
    };
    if init && !is_sidecar(c) && code == 0 {
        let (node, uid) = (node.to_string(), uid.to_string());
        sim.schedule(
            EXIT_SYNC_MS,
            Task::Kubelet {
                node: node.clone(),
                uid: uid.clone(),
                step: KStep::SyncExited(i, epoch),
            },
        );
        return;
    }
    if restarts {
        sim.schedule(
            EXIT_SYNC_MS,
            Task::Kubelet {
                node: node.into(),
                uid: uid.into(),
                step: KStep::SyncExited(i, epoch),
            },
        );
    }
}

/// The pod worker's sync after container `i` ended (`doBackOff` in kuberuntime): the first
/// restart is immediate; later ones wait 10 s, 20 s, 40 s … 300 s after the last exit, and the
/// delay resets once a container ran 10 minutes between exits.
fn sync_exited(
    sim: &mut Sim,
    node: &str,
    uid: &str,
    obj: &Object,
    pod: &Pod,
    i: usize,
    epoch: u32,
) {
    let Some((c, init)) = spec_container(pod, i).map(|(c, i)| (c.clone(), i)) else {
        return;
    };
    let now = sim.clock.elapsed_ms();
    let Some(ctr) = ctr_rt(sim, node, uid, i) else {
        return;
    };
    if ctr.epoch != epoch {
        return;
    }
    let Some((finished, code)) = ctr.current.as_ref().and_then(|x| x.finished) else {
        return;
    };
    if init && !is_sidecar(&c) && code == 0 {
        next_after_init(sim, node, uid, i);
        return;
    }
    let in_backoff = match ctr.backoff {
        Some((delay, last)) if finished.saturating_sub(last) <= 2 * BACKOFF_MAX_MS => {
            now < finished + delay
        }
        _ => false,
    };
    if !in_backoff {
        // `backOff.Next`: the first delay, doubled each time, reset after 10 minutes.
        ctr.backoff = Some(match ctr.backoff {
            Some((delay, last)) if finished.saturating_sub(last) <= 2 * BACKOFF_MAX_MS => {
                (next_backoff(Some(delay)), finished)
            }
            _ => (BACKOFF_START_MS, finished),
        });
        ensure_image(sim, node, uid, pod, i);
        return;
    }
    let (delay, _) = ctr.backoff.unwrap_or((BACKOFF_START_MS, finished));
    let cname = c.name.clone();
    let pref = pod_ref(pod);
    sim.event(
        obj,
        "Warning",
        "BackOff",
        format!("Back-off restarting failed container {cname} in pod {pref}"),
        "kubelet",
        Some(node),
    );
    let msg = format!(
        "back-off {} restarting failed container={cname} pod={pref}",
        go_duration(delay)
    );
    update_status(sim, uid, |p, _| {
        set_container(p, i, |cs| {
            if let Some(t) = cs.state.as_ref().and_then(|s| s.terminated.clone()) {
                cs.last_state = Some(ContainerState {
                    terminated: Some(t),
                    ..Default::default()
                });
            }
            cs.ready = false;
            cs.started = Some(false);
            cs.state = Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("CrashLoopBackOff".into()),
                    message: Some(msg.clone()),
                }),
                ..Default::default()
            });
        });
    });
    sim.decide(
        &component(node),
        format!(
            "container {cname} of {} keeps failing; back-off {} before restarting it",
            pod.metadata.name.as_deref().unwrap_or(""),
            go_duration(delay)
        ),
    );
    sim.schedule(
        finished + delay - now,
        Task::Kubelet {
            node: node.into(),
            uid: uid.into(),
            step: KStep::SyncExited(i, epoch),
        },
    );
}

fn ensure_image(sim: &mut Sim, node: &str, uid: &str, pod: &Pod, i: usize) {
    let Some(obj) = sim.store.get_by_uid(uid).cloned() else {
        return;
    };
    let Some((c, _)) = spec_container(pod, i).map(|(c, x)| (c.clone(), x)) else {
        return;
    };
    let image = c.image.clone().unwrap_or_default();
    let full = images::full_name(&image);
    let always = c.image_pull_policy.as_deref() == Some("Always");
    let now = sim.clock.elapsed_ms();
    let comp = component(node);
    let Some(k) = sim.kubelets.get_mut(node) else {
        return;
    };
    match k.images.get_mut(&full) {
        Some(ImageState::Present) if !always => {
            sim.event(
                &obj,
                "Normal",
                "Pulled",
                format!("Container image \"{image}\" already present on machine"),
                "kubelet",
                Some(node),
            );
            sim.schedule(
                CREATE_START_MS,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::StartContainer(i),
                },
            );
        }
        Some(ImageState::Pulling { waiters, .. }) => {
            waiters.push((uid.to_string(), i, now));
            sim.event(
                &obj,
                "Normal",
                "Pulling",
                format!("Pulling image \"{image}\""),
                "kubelet",
                Some(node),
            );
        }
        state => {
            let present = matches!(state, Some(ImageState::Present));
            sim.event(
                &obj,
                "Normal",
                "Pulling",
                format!("Pulling image \"{image}\""),
                "kubelet",
                Some(node),
            );
            match images::lookup(&image).filter(|_| !sim.nodelife.image_broken(&full)) {
                None => {
                    sim.schedule(
                        PULL_FAIL_MS,
                        Task::Kubelet {
                            node: node.into(),
                            uid: uid.into(),
                            step: KStep::PullFailed(i),
                        },
                    );
                }
                Some(info) => {
                    // With pull policy Always and the image present, only the manifest is checked.
                    let ms = if present { 450 } else { images::pull_ms(info) };
                    if let Some(k) = sim.kubelets.get_mut(node) {
                        k.images.insert(
                            full.clone(),
                            ImageState::Pulling {
                                started_ms: now,
                                waiters: vec![(uid.to_string(), i, now)],
                            },
                        );
                    }
                    sim.decide(
                        &comp,
                        format!("pulling {image} ({} MB)", info.size / 1_000_000),
                    );
                    sim.schedule(
                        ms,
                        Task::ImagePulled {
                            node: node.into(),
                            image: full,
                        },
                    );
                }
            }
        }
    }
}

/// Go's `time.Duration` string, truncated to milliseconds as the kubelet prints pull times.
pub fn go_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let hours = ms / 3_600_000;
    let mins = (ms % 3_600_000) / 60_000;
    let rest = ms % 60_000;
    let secs = rest / 1000;
    let frac = rest % 1000;
    let mut s = String::new();
    if hours > 0 {
        s.push_str(&format!("{hours}h"));
    }
    if hours > 0 || mins > 0 {
        s.push_str(&format!("{mins}m"));
    }
    s.push_str(&secs.to_string());
    if frac > 0 {
        let f = format!("{frac:03}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push('s');
    s
}

pub(crate) fn image_pulled(sim: &mut Sim, node: &str, full: &str) {
    if super::faults::park(
        sim,
        node,
        Task::ImagePulled {
            node: node.into(),
            image: full.into(),
        },
    ) {
        return;
    }
    let now = sim.clock.elapsed_ms();
    let Some(k) = sim.kubelets.get_mut(node) else {
        return;
    };
    let Some(ImageState::Pulling {
        started_ms,
        waiters,
    }) = k.images.insert(full.to_string(), ImageState::Present)
    else {
        return;
    };
    let size = images::lookup(full).map(|i| i.size).unwrap_or(0);
    for (idx, (uid, i, asked)) in waiters.into_iter().enumerate() {
        let Some(obj) = sim.store.get_by_uid(&uid).cloned() else {
            continue;
        };
        let Some(pod) = obj.as_pod() else { continue };
        let image = slot_image(pod, i);
        // The first asker pulled it; the others waited for that pull and then found the layers.
        let pull = if idx == 0 {
            now - started_ms
        } else {
            120 + (now - asked) % 97
        };
        let total = (now - asked).max(pull);
        sim.event(
            &obj,
            "Normal",
            "Pulled",
            format!(
                "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {size} bytes.",
                go_duration(pull),
                go_duration(total)
            ),
            "kubelet",
            Some(node),
        );
        sim.schedule(
            CREATE_START_MS,
            Task::Kubelet {
                node: node.into(),
                uid,
                step: KStep::StartContainer(i),
            },
        );
    }
    sim.decide(&component(node), format!("pulled {full}"));
}

/// A kubelet that comes back (`sim node recover`) posts the status of its pods again: pods the node
/// lifecycle controller marked not ready are Ready again if their containers are.
pub(crate) fn resync(sim: &mut Sim, node: &str) {
    let uids: Vec<String> = sim
        .kubelets
        .get(node)
        .map(|k| k.pods.keys().cloned().collect())
        .unwrap_or_default();
    for uid in uids {
        let Some(pod) = sim.store.get_by_uid(&uid).and_then(|o| o.as_pod().cloned()) else {
            continue;
        };
        let marked = pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "False"));
        let containers_ready = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .is_some_and(|c| !c.is_empty() && c.iter().all(|c| c.ready));
        if marked && containers_ready && !matches!(podutil::phase(&pod), "Succeeded" | "Failed") {
            update_status(sim, &uid, |_, _| {});
        }
    }
}

/// Where `kubectl logs` finds a container instance: the pod's node's runtime.
pub fn find_instance<'a>(sim: &'a Sim, pod: &Pod, container_id: &str) -> Option<&'a Instance> {
    let node = podutil::node(pod)?;
    let uid = pod.metadata.uid.as_deref()?;
    sim.kubelets.get(node)?.instance(uid, container_id)
}

// ------------------------------------------------------------------------------------ probes

/// A probe's settings with the API defaults (`SetDefaults_Probe`).
struct ProbeSpec {
    initial_ms: u64,
    period_ms: u64,
    timeout_ms: u64,
    success: i32,
    failure: i32,
}

fn probe_spec(p: &Probe) -> ProbeSpec {
    ProbeSpec {
        initial_ms: p.initial_delay_seconds.unwrap_or(0).max(0) as u64 * 1000,
        period_ms: p.period_seconds.unwrap_or(10).max(1) as u64 * 1000,
        timeout_ms: p.timeout_seconds.unwrap_or(1).max(1) as u64 * 1000,
        success: p.success_threshold.unwrap_or(1).max(1),
        failure: p.failure_threshold.unwrap_or(3).max(1),
    }
}

/// How soon a probe worker first looks at a container it sees start: its first tick, skipped
/// while `initialDelaySeconds` has not passed.
const PROBE_FIRST_MS: u64 = 200;

/// Starts the probe workers of a container that has just started (only containers with probes
/// cost anything). Readiness and liveness workers tick from the start too, but skip their probe
/// until the startup probe has passed.
fn schedule_probes(sim: &mut Sim, node: &str, uid: &str, c: &Container, i: usize, epoch: u32) {
    for kind in [
        ProbeKind::Startup,
        ProbeKind::Readiness,
        ProbeKind::Liveness,
    ] {
        if let Some(p) = kind.probe(c) {
            let first = probe_spec(p).initial_ms.max(PROBE_FIRST_MS);
            sim.schedule(
                first,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::Probe(i, kind, epoch),
                },
            );
        }
    }
}

/// A named port of the container, or a number.
fn probe_port(c: &Container, port: &IntOrString) -> Option<u16> {
    match port {
        IntOrString::Int(n) => u16::try_from(*n).ok(),
        IntOrString::String(name) => c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .and_then(|p| u16::try_from(p.container_port).ok()),
    }
}

/// Runs one probe: success, or the failure output the kubelet records.
fn run_probe(
    sim: &Sim,
    pod: &Pod,
    c: &Container,
    p: &Probe,
    inst: &Instance,
    timeout_ms: u64,
) -> Result<(), String> {
    let pod_ip = pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    let now = sim.clock.elapsed_ms();
    if let Some(h) = &p.http_get {
        let host = h
            .host
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| pod_ip.clone());
        let Some(port) = probe_port(c, &h.port) else {
            return Err(format!("unknown port {:?}", h.port));
        };
        let path = h
            .path
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".into());
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        let scheme = h.scheme.clone().unwrap_or_else(|| "HTTP".into());
        return match super::network::probe_http(sim, pod, &host, &scheme, port, &path) {
            Ok(code) if (200..400).contains(&code) => Ok(()),
            Ok(code) => Err(format!("HTTP probe failed with statuscode: {code}")),
            Err(e) => Err(e),
        };
    }
    if let Some(t) = &p.tcp_socket {
        let host = t
            .host
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| pod_ip.clone());
        let Some(port) = probe_port(c, &t.port) else {
            return Err(format!("unknown port {:?}", t.port));
        };
        return super::network::probe_tcp(pod, &host, port);
    }
    if let Some(e) = &p.exec {
        let argv = e.command.clone().unwrap_or_default();
        if argv.is_empty() {
            return Err(String::new());
        }
        let image = c.image.clone().unwrap_or_default();
        if let Some(err) = Program::resolve(&image, Some(&argv), None, &inst.ctx.env).start_error()
        {
            let detail = err
                .message
                .rsplit("error during container init: ")
                .next()
                .unwrap_or(&err.message)
                .to_string();
            return Err(format!(
                "OCI runtime exec failed: exec failed: unable to start container process: {detail}"
            ));
        }
        let at = now.saturating_sub(inst.started_ms);
        // A command still running when the timeout ends counts as failed.
        let slow = Program::resolve(&image, Some(&argv), None, &inst.ctx.env)
            .run(&inst.ctx, Some(timeout_ms))
            .exit
            .is_none_or(|x| x.at_ms > timeout_ms);
        let (out, err, code) = inst.program.exec(&inst.ctx, at, &argv);
        if slow {
            return Err(format!("command {:?} timed out", argv.join(" ")));
        }
        if code != 0 {
            return Err(format!("{out}{err}").trim_end().to_string());
        }
        return Ok(());
    }
    // gRPC health checks: the simulated servers all report SERVING.
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn probe_tick(
    sim: &mut Sim,
    node: &str,
    uid: &str,
    obj: &Object,
    pod: &Pod,
    i: usize,
    kind: ProbeKind,
    epoch: u32,
) {
    let Some((c, _)) = spec_container(pod, i).map(|(c, x)| (c.clone(), x)) else {
        return;
    };
    let Some(p) = kind.probe(&c).cloned() else {
        return;
    };
    let spec = probe_spec(&p);
    let again = |sim: &mut Sim| {
        sim.schedule(
            spec.period_ms,
            Task::Kubelet {
                node: node.into(),
                uid: uid.into(),
                step: KStep::Probe(i, kind, epoch),
            },
        );
    };
    let (inst, started) = {
        let Some(ctr) = ctr_rt(sim, node, uid, i) else {
            return;
        };
        if ctr.epoch != epoch || ctr.stopping.is_some() || ctr.probe_killed {
            return;
        }
        let Some(inst) = ctr.current.clone() else {
            return;
        };
        if inst.finished.is_some() {
            return;
        }
        (inst, ctr.started)
    };
    match kind {
        // The startup worker stops once it has succeeded.
        ProbeKind::Startup if started => return,
        ProbeKind::Readiness | ProbeKind::Liveness if !started => return again(sim),
        _ => {}
    }
    let result = run_probe(sim, pod, &c, &p, &inst, spec.timeout_ms);
    let ok = result.is_ok();
    let cname = c.name.clone();
    if let Err(out) = &result {
        sim.event(
            obj,
            "Warning",
            "Unhealthy",
            format!("{} probe failed: {out}", kind.word()),
            "kubelet",
            Some(node),
        );
    }
    let (run, changed_to) = {
        let Some(ctr) = ctr_rt(sim, node, uid, i) else {
            return;
        };
        let w = ctr.probes.entry(kind).or_default();
        if w.last == Some(ok) {
            w.run += 1;
        } else {
            w.last = Some(ok);
            w.run = 1;
        }
        (w.run, ok)
    };
    let reached = if changed_to {
        run >= spec.success
    } else {
        run >= spec.failure
    };
    if !reached {
        return again(sim);
    }
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let comp = component(node);
    match (kind, ok) {
        (ProbeKind::Readiness, ok) => {
            let was = get_container_status(pod, i).is_some_and(|cs| cs.ready);
            if was != ok {
                update_status(sim, uid, |p, _| set_container(p, i, |cs| cs.ready = ok));
                let word = if ok { "ready" } else { "not ready" };
                sim.decide(
                    &comp,
                    format!("readiness probe of {cname} in {pod_name}: container is {word}"),
                );
            }
            again(sim);
        }
        (ProbeKind::Startup, true) => {
            if let Some(ctr) = ctr_rt(sim, node, uid, i) {
                ctr.started = true;
            }
            let ready = c.readiness_probe.is_none();
            update_status(sim, uid, |p, _| {
                set_container(p, i, |cs| {
                    cs.started = Some(true);
                    cs.ready = ready;
                })
            });
            sim.decide(
                &comp,
                format!("startup probe of {cname} in {pod_name} passed"),
            );
        }
        (ProbeKind::Liveness, true) => again(sim),
        (ProbeKind::Startup | ProbeKind::Liveness, false) => {
            let what = if kind == ProbeKind::Liveness {
                "liveness"
            } else {
                "startup"
            };
            sim.event(
                obj,
                "Normal",
                "Killing",
                format!("Container {cname} failed {what} probe, will be restarted"),
                "kubelet",
                Some(node),
            );
            // SIGTERM, then SIGKILL when the grace period (the probe's own, else the pod's) ends.
            let grace_ms = p
                .termination_grace_period_seconds
                .or_else(|| {
                    pod.spec
                        .as_ref()
                        .and_then(|s| s.termination_grace_period_seconds)
                })
                .unwrap_or(30)
                .max(0) as u64
                * 1000;
            let (after, code) = match inst.program.sigterm_exit_ms() {
                Some(ms) if ms <= grace_ms => (ms, 0),
                _ => (grace_ms, 137),
            };
            if let Some(ctr) = ctr_rt(sim, node, uid, i) {
                ctr.probe_killed = true;
            }
            sim.decide(
                &comp,
                format!("{cname} in {pod_name} failed its {what} probe; restarting it"),
            );
            sim.schedule(
                after,
                Task::Kubelet {
                    node: node.into(),
                    uid: uid.into(),
                    step: KStep::ProbeKilled(i, epoch, code),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(806), "806ms");
        assert_eq!(go_duration(1663), "1.663s");
        assert_eq!(go_duration(30_680), "30.68s");
        assert_eq!(go_duration(62_500), "1m2.5s");
        assert_eq!(go_duration(3_000), "3s");
        assert_eq!(go_duration(300_000), "5m0s");
        assert_eq!(go_duration(40_000), "40s");
        assert_eq!(go_duration(3_600_000), "1h0m0s");
    }

    #[test]
    fn backoff_doubles_to_five_minutes() {
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..8 {
            let n = next_backoff(d);
            seen.push(n / 1000);
            d = Some(n);
        }
        assert_eq!(seen, [10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn kubernetes_var_refs() {
        let env = vec![("A".to_string(), "x".to_string())];
        assert_eq!(expand_refs("$(A)-$(B)-$$(A)", &env), "x-$(B)-$(A)");
        assert_eq!(expand_refs("$(A", &env), "$(A");
    }
}
