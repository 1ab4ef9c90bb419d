//! The kubelet on each node and its simulated container runtime: admit a bound pod, create its
//! sandbox (pod IP), pull images (cached per node, one pull per image at a time), start containers,
//! report status; on deletion stop containers within the grace period and remove the pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, HostIP,
    Pod, PodCondition, PodIP, PodStatus,
};

use super::engine::Task;
use super::images::{self, Behaviour};
use super::object::{Kind, Object};
use super::podutil;
use super::store::{ObjKey, WatchEvent, WatchType};
use super::Sim;

/// One step of a pod's life on its node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KStep {
    /// First sync: report Pending / ContainerCreating.
    Admit,
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
    /// Deletion: stop the containers.
    Kill,
    /// The containers have stopped: report and remove the pod.
    Killed,
}

#[derive(Clone, Debug)]
enum ImageState {
    Present,
    /// Being pulled; (pod uid, container index, when it asked) wait for it.
    Pulling { started_ms: u64, waiters: Vec<(String, usize, u64)> },
}

#[derive(Clone, Debug)]
struct PodRt {
    key: ObjKey,
    killing: bool,
    /// Image-pull back-off per container (ms).
    backoff: BTreeMap<usize, u64>,
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

impl Kubelet {
    pub fn new(node: &str, node_ip: &str, pod_net: &str, preloaded: &[&str]) -> Self {
        Kubelet {
            node: node.to_string(),
            node_ip: node_ip.to_string(),
            pod_net: pod_net.to_string(),
            next_ip: 2,
            images: preloaded.iter().map(|i| (images::full_name(i), ImageState::Present)).collect(),
            pods: BTreeMap::new(),
        }
    }
    pub fn has_image(&self, image: &str) -> bool {
        matches!(self.images.get(&images::full_name(image)), Some(ImageState::Present))
    }
    fn alloc_ip(&mut self) -> String {
        let ip = format!("{}.{}", self.pod_net, self.next_ip);
        self.next_ip = if self.next_ip >= 254 { 2 } else { self.next_ip + 1 };
        ip
    }
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    if ev.key.kind != Kind::Pod {
        return;
    }
    let Some(pod) = ev.object.as_pod() else { return };
    let Some(node) = podutil::node(pod).map(str::to_string) else { return };
    let uid = ev.object.uid().to_string();
    let Some(k) = sim.kubelets.get_mut(&node) else { return };
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
                k.pods.insert(uid.clone(), PodRt { key: ev.key.clone(), killing: false, backoff: BTreeMap::new() });
                if podutil::terminating(pod) {
                    sim.schedule(ADMIT_MS, Task::Kubelet { node, uid, step: KStep::Kill });
                } else {
                    sim.schedule(ADMIT_MS, Task::Kubelet { node, uid, step: KStep::Admit });
                }
            } else if podutil::terminating(pod) {
                let rt = k.pods.get_mut(&uid).expect("known");
                if !rt.killing {
                    rt.killing = true;
                    sim.schedule(50, Task::Kubelet { node, uid, step: KStep::Kill });
                }
            }
        }
    }
}

fn component(node: &str) -> String {
    format!("kubelet/{node}")
}

fn condition(type_: &str, ok: bool, reason: Option<&str>, message: Option<String>, now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: if ok { "True" } else { "False" }.into(),
        reason: reason.map(Into::into),
        message,
        last_transition_time: Some(now.clone()),
        last_probe_time: None,
        ..Default::default()
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

/// Writes the pod's status after `f` changes it, and recomputes phase, readiness and conditions.
fn update_status(sim: &mut Sim, uid: &str, f: impl FnOnce(&mut Pod, &mut Sim)) -> Option<Pod> {
    let obj = sim.store.get_by_uid(uid)?.clone();
    let mut pod = obj.as_pod()?.clone();
    f(&mut pod, sim);
    let now = sim.clock.now_time();
    let names: Vec<String> = pod.spec.iter().flat_map(|s| s.containers.iter().map(|c| c.name.clone())).collect();
    let status = pod.status.get_or_insert_with(PodStatus::default);
    let statuses = status.container_statuses.clone().unwrap_or_default();
    let not_ready: Vec<&str> = statuses.iter().filter(|c| !c.ready).map(|c| c.name.as_str()).collect();
    let all_ready = !statuses.is_empty() && not_ready.is_empty() && statuses.len() == names.len();
    let any_running = statuses.iter().any(|c| c.state.as_ref().and_then(|s| s.running.as_ref()).is_some());
    if any_running && status.phase.as_deref() == Some("Pending") {
        status.phase = Some("Running".into());
    }
    let conds = status.conditions.get_or_insert_with(Vec::new);
    set_condition(conds, condition("Initialized", true, None, None, &now));
    let msg = if all_ready { None } else { Some(format!("containers with unready status: [{}]", not_ready.join(" "))) };
    let reason = if all_ready { None } else { Some("ContainersNotReady") };
    set_condition(conds, condition("Ready", all_ready, reason, msg.clone(), &now));
    set_condition(conds, condition("ContainersReady", all_ready, reason, msg, &now));
    // kubectl and the API list conditions in this order.
    let order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
    conds.sort_by_key(|c| order.iter().position(|o| *o == c.type_).unwrap_or(order.len()));
    let stored = sim.write_status(Object::Pod(pod.clone()))?;
    stored.as_pod().cloned()
}

fn container_status(pod: &Pod, i: usize) -> ContainerStatus {
    let c = &pod.spec.as_ref().map(|s| s.containers[i].clone()).unwrap_or_default();
    ContainerStatus {
        name: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        image_id: String::new(),
        ready: false,
        restart_count: 0,
        started: Some(false),
        state: Some(ContainerState {
            waiting: Some(ContainerStateWaiting { reason: Some("ContainerCreating".into()), message: None }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn set_container<F: FnOnce(&mut ContainerStatus)>(pod: &mut Pod, i: usize, f: F) {
    let name = pod.spec.as_ref().map(|s| s.containers[i].name.clone()).unwrap_or_default();
    let base = container_status(pod, i);
    let status = pod.status.get_or_insert_with(PodStatus::default);
    let list = status.container_statuses.get_or_insert_with(Vec::new);
    if let Some(cs) = list.iter_mut().find(|c| c.name == name) {
        f(cs);
    } else {
        let mut cs = base;
        f(&mut cs);
        list.push(cs);
    }
}

pub(crate) fn run(sim: &mut Sim, node: &str, uid: &str, step: KStep) {
    let Some(k) = sim.kubelets.get(node) else { return };
    let Some(rt) = k.pods.get(uid).cloned() else { return };
    let Some(obj) = sim.store.get(&rt.key).cloned() else { return };
    let Some(pod) = obj.as_pod().cloned() else { return };
    if obj.uid() != uid {
        return;
    }
    if rt.killing && !matches!(step, KStep::Kill | KStep::Killed) {
        return;
    }
    let comp = component(node);
    let n_containers = pod.spec.as_ref().map_or(0, |s| s.containers.len());
    match step {
        KStep::Admit => {
            let node_ip = k.node_ip.clone();
            let now = sim.clock.now_time();
            update_status(sim, uid, |p, _| {
                let st = p.status.get_or_insert_with(PodStatus::default);
                st.host_ip = Some(node_ip.clone());
                st.host_ips = Some(vec![HostIP { ip: node_ip.clone() }]);
                st.start_time = Some(now.clone());
                let conds = st.conditions.get_or_insert_with(Vec::new);
                set_condition(conds, condition("PodReadyToStartContainers", false, None, None, &now));
                for i in 0..n_containers {
                    set_container(p, i, |_| {});
                }
            });
            sim.decide(&comp, format!("admitted {}; creating the pod sandbox", rt.key.name));
            sim.schedule(SANDBOX_MS, Task::Kubelet { node: node.into(), uid: uid.into(), step: KStep::SandboxReady });
        }
        KStep::SandboxReady => {
            let host_network = pod.spec.as_ref().and_then(|s| s.host_network) == Some(true);
            let ip = match sim.kubelets.get_mut(node) {
                Some(k) if host_network => k.node_ip.clone(),
                Some(k) => k.alloc_ip(),
                None => return,
            };
            let now = sim.clock.now_time();
            update_status(sim, uid, |p, _| {
                let st = p.status.get_or_insert_with(PodStatus::default);
                st.pod_ip = Some(ip.clone());
                st.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
                let conds = st.conditions.get_or_insert_with(Vec::new);
                set_condition(conds, condition("PodReadyToStartContainers", true, None, None, &now));
            });
            sim.decide(&comp, format!("sandbox for {} is up with IP {ip}", rt.key.name));
            for i in 0..n_containers {
                ensure_image(sim, node, uid, &pod, i);
            }
        }
        KStep::StartContainer(i) => {
            let cname = pod.spec.as_ref().map(|s| s.containers[i].name.clone()).unwrap_or_default();
            let image = pod.spec.as_ref().and_then(|s| s.containers[i].image.clone()).unwrap_or_default();
            sim.event(&obj, "Normal", "Created", format!("Created container: {cname}"), "kubelet", Some(node));
            sim.event(&obj, "Normal", "Started", format!("Started container {cname}"), "kubelet", Some(node));
            let now = sim.clock.now_time();
            let cid = format!("containerd://{}", sim.rng.hex(64));
            update_status(sim, uid, |p, _| {
                set_container(p, i, |cs| {
                    cs.state = Some(ContainerState { running: Some(ContainerStateRunning { started_at: Some(now.clone()) }), ..Default::default() });
                    cs.ready = true;
                    cs.started = Some(true);
                    cs.container_id = Some(cid.clone());
                    cs.image = images::full_name(&image);
                    cs.image_id = images::digest(&image);
                });
            });
            sim.decide(&comp, format!("started container {cname} of {}", rt.key.name));
        }
        KStep::PullFailed(i) => {
            let image = pod.spec.as_ref().and_then(|s| s.containers[i].image.clone()).unwrap_or_default();
            let r = images::parse_image(&image);
            let why = format!(
                "failed to pull and unpack image \"{}\": failed to resolve reference \"{}\": {}: not found",
                images::full_name(&image),
                images::full_name(&image),
                images::full_name(&image)
            );
            let _ = r;
            let msg = format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = {why}");
            sim.event(&obj, "Warning", "Failed", msg.clone(), "kubelet", Some(node));
            sim.event(&obj, "Warning", "Failed", "Error: ErrImagePull".into(), "kubelet", Some(node));
            update_status(sim, uid, |p, _| {
                set_container(p, i, |cs| {
                    cs.state = Some(ContainerState {
                        waiting: Some(ContainerStateWaiting { reason: Some("ErrImagePull".into()), message: Some(msg.clone()) }),
                        ..Default::default()
                    });
                });
            });
            sim.decide(&comp, format!("could not pull {image} for {}: not found", rt.key.name));
            sim.schedule(1_000, Task::Kubelet { node: node.into(), uid: uid.into(), step: KStep::PullBackOff(i) });
        }
        KStep::PullBackOff(i) => {
            let image = pod.spec.as_ref().and_then(|s| s.containers[i].image.clone()).unwrap_or_default();
            let delay = {
                let Some(rt) = sim.kubelets.get_mut(node).and_then(|k| k.pods.get_mut(uid)) else { return };
                let d = rt.backoff.get(&i).copied().unwrap_or(BACKOFF_START_MS);
                rt.backoff.insert(i, (d * 2).min(BACKOFF_MAX_MS));
                d
            };
            sim.event(&obj, "Normal", "BackOff", format!("Back-off pulling image \"{image}\""), "kubelet", Some(node));
            sim.event(&obj, "Warning", "Failed", "Error: ImagePullBackOff".into(), "kubelet", Some(node));
            update_status(sim, uid, |p, _| {
                set_container(p, i, |cs| {
                    cs.state = Some(ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: Some("ImagePullBackOff".into()),
                            message: Some(format!("Back-off pulling image \"{image}\"")),
                        }),
                        ..Default::default()
                    });
                });
            });
            sim.decide(&comp, format!("backing off {}s before pulling {image} again for {}", delay / 1000, rt.key.name));
            sim.schedule(delay, Task::Kubelet { node: node.into(), uid: uid.into(), step: KStep::RetryPull(i) });
        }
        KStep::RetryPull(i) => ensure_image(sim, node, uid, &pod, i),
        KStep::Kill => {
            let stop_ms = pod
                .spec
                .iter()
                .flat_map(|s| s.containers.iter())
                .map(|c| match images::lookup(c.image.as_deref().unwrap_or("")).map(|i| i.behaviour) {
                    Some(Behaviour::Server { stop_ms }) => stop_ms,
                    _ => 0,
                })
                .max()
                .unwrap_or(0);
            let grace_ms = pod.metadata.deletion_grace_period_seconds.unwrap_or(30).max(0) as u64 * 1000;
            let running: Vec<String> = pod
                .status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
                .filter(|c| c.state.as_ref().and_then(|s| s.running.as_ref()).is_some())
                .map(|c| c.name.clone())
                .collect();
            for c in &running {
                sim.event(&obj, "Normal", "Killing", format!("Stopping container {c}"), "kubelet", Some(node));
            }
            if let Some(rt) = sim.kubelets.get_mut(node).and_then(|k| k.pods.get_mut(uid)) {
                rt.killing = true;
            }
            let wait = if running.is_empty() { 0 } else { stop_ms.min(grace_ms) };
            sim.decide(&comp, format!("{} is being deleted; stopping {} container(s)", rt.key.name, running.len()));
            sim.schedule(wait, Task::Kubelet { node: node.into(), uid: uid.into(), step: KStep::Killed });
        }
        KStep::Killed => {
            let now = sim.clock.now_time();
            update_status(sim, uid, |p, _| {
                let st = p.status.get_or_insert_with(PodStatus::default);
                for cs in st.container_statuses.iter_mut().flatten() {
                    let started = cs.state.as_ref().and_then(|s| s.running.as_ref()).and_then(|r| r.started_at.clone());
                    cs.ready = false;
                    cs.started = Some(false);
                    cs.state = Some(ContainerState {
                        terminated: Some(ContainerStateTerminated {
                            exit_code: 0,
                            reason: Some("Completed".into()),
                            started_at: started,
                            finished_at: Some(now.clone()),
                            container_id: cs.container_id.clone(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    });
                }
            });
            // The containers are gone: the kubelet confirms the deletion (grace period 0).
            let _ = sim.store.remove(&rt.key);
            sim.decide(&comp, format!("containers of {} stopped; pod removed", rt.key.name));
        }
    }
}

fn ensure_image(sim: &mut Sim, node: &str, uid: &str, pod: &Pod, i: usize) {
    let Some(obj) = sim.store.get_by_uid(uid).cloned() else { return };
    let c = pod.spec.as_ref().map(|s| s.containers[i].clone()).unwrap_or_default();
    let image = c.image.clone().unwrap_or_default();
    let full = images::full_name(&image);
    let always = c.image_pull_policy.as_deref() == Some("Always");
    let now = sim.clock.elapsed_ms();
    let comp = component(node);
    let Some(k) = sim.kubelets.get_mut(node) else { return };
    match k.images.get_mut(&full) {
        Some(ImageState::Present) if !always => {
            sim.event(&obj, "Normal", "Pulled", format!("Container image \"{image}\" already present on machine"), "kubelet", Some(node));
            sim.schedule(CREATE_START_MS, Task::Kubelet { node: node.into(), uid: uid.into(), step: KStep::StartContainer(i) });
        }
        Some(ImageState::Pulling { waiters, .. }) => {
            waiters.push((uid.to_string(), i, now));
            sim.event(&obj, "Normal", "Pulling", format!("Pulling image \"{image}\""), "kubelet", Some(node));
        }
        state => {
            let present = matches!(state, Some(ImageState::Present));
            sim.event(&obj, "Normal", "Pulling", format!("Pulling image \"{image}\""), "kubelet", Some(node));
            match images::lookup(&image) {
                None => {
                    sim.schedule(PULL_FAIL_MS, Task::Kubelet { node: node.into(), uid: uid.into(), step: KStep::PullFailed(i) });
                }
                Some(info) => {
                    // With pull policy Always and the image present, only the manifest is checked.
                    let ms = if present { 450 } else { images::pull_ms(info) };
                    if let Some(k) = sim.kubelets.get_mut(node) {
                        k.images.insert(full.clone(), ImageState::Pulling { started_ms: now, waiters: vec![(uid.to_string(), i, now)] });
                    }
                    sim.decide(&comp, format!("pulling {image} ({} MB)", info.size / 1_000_000));
                    sim.schedule(ms, Task::ImagePulled { node: node.into(), image: full });
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
    let mins = ms / 60_000;
    let rest = ms % 60_000;
    let secs = rest / 1000;
    let frac = rest % 1000;
    let mut s = String::new();
    if mins > 0 {
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
    let now = sim.clock.elapsed_ms();
    let Some(k) = sim.kubelets.get_mut(node) else { return };
    let Some(ImageState::Pulling { started_ms, waiters }) = k.images.insert(full.to_string(), ImageState::Present) else {
        return;
    };
    let size = images::lookup(full).map(|i| i.size).unwrap_or(0);
    for (idx, (uid, i, asked)) in waiters.into_iter().enumerate() {
        let Some(obj) = sim.store.get_by_uid(&uid).cloned() else { continue };
        let Some(pod) = obj.as_pod() else { continue };
        let image = pod.spec.as_ref().and_then(|s| s.containers.get(i)).and_then(|c| c.image.clone()).unwrap_or_default();
        // The first asker pulled it; the others waited for that pull and then found the layers.
        let pull = if idx == 0 { now - started_ms } else { 120 + (now - asked) % 97 };
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
        sim.schedule(CREATE_START_MS, Task::Kubelet { node: node.into(), uid, step: KStep::StartContainer(i) });
    }
    sim.decide(&component(node), format!("pulled {full}"));
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
    }
}
