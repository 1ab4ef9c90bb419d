//! kube-controller-manager: level-triggered reconcilers. Informer handlers only put keys on
//! de-duplicating work queues; each controller's worker runs later (a small virtual latency) and
//! reconciles one key at a time: read the store, compare desired with observed, write.

pub mod ccm_node;
pub mod ccm_route;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod endpointslice;
pub mod gc;
pub mod job;
pub mod namespace;
pub mod pvc;
pub mod replicaset;
pub mod root_ca;
pub mod service_lb;
pub mod serviceaccount;
pub mod statefulset;

use std::collections::{BTreeSet, VecDeque};

use super::engine::Task;
use super::object::Kind;
use super::store::{ObjKey, WatchEvent, WatchType};
use super::Sim;

/// Which controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ctrl {
    Deployment,
    ReplicaSet,
    GarbageCollector,
    Namespace,
    EndpointSlice,
    Endpoints,
    /// The cloud-controller-manager's service controller (load balancers).
    ServiceLB,
    Job,
    CronJob,
    /// The TTL-after-finished controller (deletes finished Jobs).
    TtlAfterFinished,
    StatefulSet,
    DaemonSet,
    /// The PersistentVolume controller (binder) with the local-path provisioner beside it.
    PersistentVolume,
    /// The root-ca-cert-publisher (`kube-root-ca.crt` in every namespace).
    RootCaPublisher,
    /// The serviceaccount controller (`default` in every namespace).
    ServiceAccount,
}

impl Ctrl {
    /// The name the controller reports Events and decisions under.
    pub fn component(self) -> &'static str {
        match self {
            Ctrl::Deployment => "deployment-controller",
            Ctrl::ReplicaSet => "replicaset-controller",
            Ctrl::GarbageCollector => "garbage-collector",
            Ctrl::Namespace => "namespace-controller",
            Ctrl::EndpointSlice => "endpointslice-controller",
            Ctrl::Endpoints => "endpoint-controller",
            Ctrl::ServiceLB => "service-controller",
            Ctrl::StatefulSet => "statefulset-controller",
            Ctrl::DaemonSet => "daemonset-controller",
            Ctrl::PersistentVolume => "persistentvolume-controller",
            Ctrl::Job => "job-controller",
            Ctrl::CronJob => "cronjob-controller",
            Ctrl::TtlAfterFinished => "ttl-after-finished-controller",
            Ctrl::RootCaPublisher => root_ca::COMPONENT,
            Ctrl::ServiceAccount => serviceaccount::COMPONENT,
        }
    }
    /// Virtual delay between a key being queued and the worker picking it up (watch latency).
    fn latency_ms(self) -> u64 {
        match self {
            Ctrl::Deployment => 15,
            Ctrl::ReplicaSet => 20,
            Ctrl::GarbageCollector => 25,
            Ctrl::Namespace => 40,
            Ctrl::EndpointSlice => 15,
            Ctrl::Endpoints => 18,
            Ctrl::ServiceLB => 30,
            Ctrl::StatefulSet => 15,
            Ctrl::DaemonSet => 5,
            Ctrl::PersistentVolume => 20,
            Ctrl::Job => 15,
            Ctrl::CronJob => 20,
            Ctrl::TtlAfterFinished => 25,
            Ctrl::RootCaPublisher => 20,
            Ctrl::ServiceAccount => 20,
        }
    }
}

/// A work queue that holds each key at most once (client-go's `workqueue` semantics).
#[derive(Clone, Debug, Default)]
pub struct WorkQueue {
    order: VecDeque<ObjKey>,
    queued: BTreeSet<ObjKey>,
    worker_scheduled: bool,
}

impl WorkQueue {
    /// Adds a key; returns false if it was already waiting.
    pub fn add(&mut self, key: ObjKey) -> bool {
        if self.queued.insert(key.clone()) {
            self.order.push_back(key);
            true
        } else {
            false
        }
    }
    pub fn pop(&mut self) -> Option<ObjKey> {
        let k = self.order.pop_front()?;
        self.queued.remove(&k);
        Some(k)
    }
    pub fn len(&self) -> usize {
        self.order.len()
    }
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Controllers {
    pub deployment: WorkQueue,
    pub replicaset: WorkQueue,
    pub gc: WorkQueue,
    pub namespace: WorkQueue,
    pub endpointslice: WorkQueue,
    pub endpoints: WorkQueue,
    pub service_lb: WorkQueue,
    pub statefulset: WorkQueue,
    pub daemonset: WorkQueue,
    pub pv: WorkQueue,
    pub job: WorkQueue,
    pub cronjob: WorkQueue,
    pub ttl: WorkQueue,
    pub root_ca: WorkQueue,
    pub serviceaccount: WorkQueue,
    /// The Job and CronJob controllers' memory (back-off records, pending wake-ups).
    pub(crate) batch: job::BatchState,
    /// The endpoint controllers' own random stream (see `endpointslice::with_own_rng`).
    pub(crate) endpoint_rng: Option<super::clock::Rng>,
    /// The root-ca-cert-publisher's own random stream (UIDs of the ConfigMaps it creates).
    pub(crate) root_ca_rng: Option<super::clock::Rng>,
    pub(crate) serviceaccount_rng: Option<super::clock::Rng>,
    /// Objects whose syncs failed to create pods: how many syncs in a row, and the virtual ms of
    /// the last (their retry back-off, `retry_after_failure`).
    pub(crate) failures: std::collections::BTreeMap<(Ctrl, ObjKey), (u32, u64)>,
    /// Delayed syncs already on the engine (`enqueue_after`): (controller, key) → due (virtual ms).
    pub(crate) wakeups: std::collections::BTreeMap<(Ctrl, ObjKey), u64>,
    /// The local-path provisioner's volumes in the making: claim uid -> virtual ms when done.
    pub(crate) provisioning: std::collections::BTreeMap<String, u64>,
}

impl Controllers {
    fn queue(&mut self, c: Ctrl) -> &mut WorkQueue {
        match c {
            Ctrl::Deployment => &mut self.deployment,
            Ctrl::ReplicaSet => &mut self.replicaset,
            Ctrl::GarbageCollector => &mut self.gc,
            Ctrl::Namespace => &mut self.namespace,
            Ctrl::EndpointSlice => &mut self.endpointslice,
            Ctrl::Endpoints => &mut self.endpoints,
            Ctrl::ServiceLB => &mut self.service_lb,
            Ctrl::StatefulSet => &mut self.statefulset,
            Ctrl::DaemonSet => &mut self.daemonset,
            Ctrl::PersistentVolume => &mut self.pv,
            Ctrl::Job => &mut self.job,
            Ctrl::CronJob => &mut self.cronjob,
            Ctrl::TtlAfterFinished => &mut self.ttl,
            Ctrl::RootCaPublisher => &mut self.root_ca,
            Ctrl::ServiceAccount => &mut self.serviceaccount,
        }
    }
    pub fn queue_len(&self, c: Ctrl) -> usize {
        match c {
            Ctrl::Deployment => self.deployment.len(),
            Ctrl::ReplicaSet => self.replicaset.len(),
            Ctrl::GarbageCollector => self.gc.len(),
            Ctrl::Namespace => self.namespace.len(),
            Ctrl::EndpointSlice => self.endpointslice.len(),
            Ctrl::Endpoints => self.endpoints.len(),
            Ctrl::ServiceLB => self.service_lb.len(),
            Ctrl::StatefulSet => self.statefulset.len(),
            Ctrl::DaemonSet => self.daemonset.len(),
            Ctrl::PersistentVolume => self.pv.len(),
            Ctrl::Job => self.job.len(),
            Ctrl::CronJob => self.cronjob.len(),
            Ctrl::TtlAfterFinished => self.ttl.len(),
            Ctrl::RootCaPublisher => self.root_ca.len(),
            Ctrl::ServiceAccount => self.serviceaccount.len(),
        }
    }
}

/// Runs `f` with a controller's own random stream (kept in `slot`, first seeded from the cluster's
/// seed xor `salt`) in place of the shared one, so what that controller names never shifts the
/// names of anything else.
pub(crate) fn with_stream<T>(
    sim: &mut Sim,
    slot: fn(&mut Controllers) -> &mut Option<super::clock::Rng>,
    salt: u64,
    f: impl FnOnce(&mut Sim) -> T,
) -> T {
    let seed = sim.config.seed ^ salt;
    let own = slot(&mut sim.controllers)
        .take()
        .unwrap_or_else(|| super::clock::Rng::new(seed));
    let shared = std::mem::replace(&mut sim.rng, own);
    let r = f(sim);
    let own = std::mem::replace(&mut sim.rng, shared);
    *slot(&mut sim.controllers) = Some(own);
    r
}

/// A sync of `key` by `c` could not create a pod (the API server refused it): the work queue adds
/// the key again after 5 ms, doubling for each failed sync in a row up to 1000 s (client-go's
/// `ItemExponentialFailureRateLimiter`). Several refusals in one sync count once.
pub(crate) fn retry_after_failure(sim: &mut Sim, c: Ctrl, key: &ObjKey) {
    let now = sim.clock.elapsed_ms();
    let entry = sim
        .controllers
        .failures
        .entry((c, key.clone()))
        .or_insert((0, u64::MAX));
    if entry.1 == now {
        return;
    }
    let delay = backoff_ms(entry.0);
    *entry = (entry.0 + 1, now);
    enqueue_after(sim, c, key, delay);
}

/// The retry delay after `failures` failed syncs in a row before this one: 5 ms × 2^failures,
/// at most 1000 s.
fn backoff_ms(failures: u32) -> u64 {
    5u64.saturating_mul(1u64 << failures.min(20)).min(1_000_000)
}

/// A creation `c` asked for was refused: the Warning `FailedCreate` Event on `owner` with
/// `message`, and a retry of its sync with back-off.
pub(crate) fn failed_create(
    sim: &mut Sim,
    c: Ctrl,
    owner: &super::object::Object,
    message: String,
) {
    sim.event(
        owner,
        "Warning",
        "FailedCreate",
        message,
        c.component(),
        None,
    );
    retry_after_failure(sim, c, &ObjKey::of(owner));
}

/// A pod creation for `key` by `c` went through: its back-off starts again from 5 ms.
pub(crate) fn forget_failures(sim: &mut Sim, c: Ctrl, key: &ObjKey) {
    sim.controllers.failures.remove(&(c, key.clone()));
}

/// Queues `key` on `c` after `delay_ms`, unless a wake-up at or before then is already pending
/// (a work queue's `AddAfter`).
pub(crate) fn enqueue_after(sim: &mut Sim, c: Ctrl, key: &ObjKey, delay_ms: u64) {
    let now = sim.clock.elapsed_ms();
    let due = now.saturating_add(delay_ms);
    let k = (c, key.clone());
    if let Some(&at) = sim.controllers.wakeups.get(&k) {
        if at > now && at <= due {
            return;
        }
    }
    sim.controllers.wakeups.insert(k, due);
    sim.schedule(delay_ms, Task::Enqueue(c, key.clone()));
}

/// Puts `key` on controller `c`'s queue and makes sure its worker will run.
pub(crate) fn enqueue(sim: &mut Sim, c: Ctrl, key: ObjKey) {
    let q = sim.controllers.queue(c);
    q.add(key);
    if !q.worker_scheduled {
        q.worker_scheduled = true;
        sim.schedule(c.latency_ms(), Task::Controller(c));
    }
}

/// The worker: reconciles every key queued so far (keys queued meanwhile wait for the next run).
pub(crate) fn run(sim: &mut Sim, c: Ctrl) {
    let q = sim.controllers.queue(c);
    q.worker_scheduled = false;
    let n = q.len();
    for _ in 0..n {
        let Some(key) = sim.controllers.queue(c).pop() else {
            break;
        };
        match c {
            Ctrl::Deployment => deployment::reconcile(sim, &key),
            Ctrl::ReplicaSet => replicaset::reconcile(sim, &key),
            Ctrl::GarbageCollector => gc::reconcile(sim, &key),
            Ctrl::Namespace => namespace::reconcile(sim, &key),
            Ctrl::EndpointSlice => endpointslice::reconcile(sim, &key),
            Ctrl::Endpoints => endpoints::reconcile(sim, &key),
            Ctrl::ServiceLB => service_lb::reconcile(sim, &key),
            Ctrl::StatefulSet => statefulset::reconcile(sim, &key),
            Ctrl::DaemonSet => daemonset::reconcile(sim, &key),
            Ctrl::PersistentVolume => pvc::reconcile(sim, &key),
            Ctrl::Job => job::reconcile(sim, &key),
            Ctrl::CronJob => cronjob::reconcile(sim, &key),
            Ctrl::TtlAfterFinished => job::reconcile_ttl(sim, &key),
            Ctrl::RootCaPublisher => root_ca::reconcile(sim, &key),
            Ctrl::ServiceAccount => serviceaccount::reconcile(sim, &key),
        }
        sim.dispatch();
    }
}

/// Informer handlers: map a change to the keys each controller must look at.
pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    gc::on_event(sim, ev);
    namespace::on_event(sim, ev);
    endpointslice::on_event(sim, ev);
    service_lb::on_event(sim, ev);
    statefulset::on_event(sim, ev);
    daemonset::on_event(sim, ev);
    pvc::on_event(sim, ev);
    job::on_event(sim, ev);
    cronjob::on_event(sim, ev);
    root_ca::on_event(sim, ev);
    serviceaccount::on_event(sim, ev);
    match ev.key.kind {
        Kind::Deployment => enqueue(sim, Ctrl::Deployment, ev.key.clone()),
        Kind::ReplicaSet => {
            enqueue(sim, Ctrl::ReplicaSet, ev.key.clone());
            for obj in std::iter::once(&ev.object).chain(ev.old.iter()) {
                if let Some(r) = obj.controller_ref() {
                    if r.kind == "Deployment" {
                        enqueue(
                            sim,
                            Ctrl::Deployment,
                            ObjKey::new(Kind::Deployment, &ev.key.namespace, &r.name),
                        );
                    }
                }
            }
        }
        Kind::Pod => {
            if let Some(r) = ev.object.controller_ref() {
                if r.kind == "ReplicaSet" {
                    enqueue(
                        sim,
                        Ctrl::ReplicaSet,
                        ObjKey::new(Kind::ReplicaSet, &ev.key.namespace, &r.name),
                    );
                }
            } else if ev.kind != WatchType::Deleted {
                // An orphan: the ReplicaSets whose selector matches it may adopt it.
                for key in replicaset::replicasets_for_orphan(sim, &ev.object) {
                    enqueue(sim, Ctrl::ReplicaSet, key);
                }
            }
        }
        Kind::Node
        | Kind::Namespace
        | Kind::Service
        | Kind::ConfigMap
        | Kind::Secret
        | Kind::ServiceAccount
        | Kind::Endpoints
        | Kind::EndpointSlice => {}
        // statefulset::on_event, daemonset::on_event and pvc::on_event map these.
        Kind::StatefulSet
        | Kind::DaemonSet
        | Kind::ControllerRevision
        | Kind::PersistentVolumeClaim
        | Kind::PersistentVolume
        | Kind::StorageClass => {}
        // job::on_event and cronjob::on_event map these.
        Kind::Job | Kind::CronJob => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_dedups() {
        let mut q = WorkQueue::default();
        let k = ObjKey::new(Kind::Pod, "default", "a");
        assert!(q.add(k.clone()));
        assert!(!q.add(k.clone()));
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop(), Some(k.clone()));
        assert!(q.add(k));
    }

    #[test]
    fn failed_syncs_back_off_doubling_from_5ms_to_1000s() {
        let mut sim = crate::sim::Sim::new(crate::sim::SimConfig::default());
        let key = ObjKey::new(Kind::ReplicaSet, "default", "web");
        let mut delays = Vec::new();
        let start = sim.clock.elapsed_ms();
        for step in 0..24u64 {
            // One failure per sync: each at a later moment.
            sim.clock.set_elapsed(start + step * 10_000_000);
            retry_after_failure(&mut sim, Ctrl::ReplicaSet, &key);
            // A second refusal in the same sync does not count again.
            retry_after_failure(&mut sim, Ctrl::ReplicaSet, &key);
            let (n, _) = sim.controllers.failures[&(Ctrl::ReplicaSet, key.clone())];
            assert_eq!(u64::from(n), step + 1, "one count per sync");
            delays.push(backoff_ms(n - 1));
        }
        assert_eq!(&delays[..4], &[5, 10, 20, 40]);
        assert_eq!(delays[17], 655_360);
        assert_eq!(delays[18], 1_000_000, "capped at 1000 s");
        assert_eq!(delays[23], 1_000_000);
        forget_failures(&mut sim, Ctrl::ReplicaSet, &key);
        assert!(sim.controllers.failures.is_empty());
    }
}
