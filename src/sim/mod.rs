//! The simulated control plane: API server and store, controllers, scheduler, kubelets, all on a
//! discrete-event engine with a virtual clock and a seeded RNG. No DOM, no wall clock, no OS
//! randomness: the same seed and inputs give the same run, natively and in WASM.

pub mod api;
pub mod bootstrap;
pub mod clock;
pub mod cloud;
pub mod controllers;
pub mod cron;
pub mod defaults;
pub mod engine;
pub mod faults;
pub mod images;
pub mod kubelet;
pub mod labels;
pub mod network;
pub mod nodelifecycle;
pub mod object;
pub mod podutil;
pub mod program;
pub mod provenance;
pub mod scheduler;
pub mod store;
pub mod view;

use std::collections::BTreeMap;
use std::rc::Rc;

use chrono::{DateTime, Utc};

pub use api::ApiError;
pub use clock::{Clock, Rng};
use engine::{Engine, Task};
pub use object::{Kind, Object};
use store::{ObjKey, Store, WatchEvent, WatchType};
use view::Decision;

/// How a simulation starts.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub seed: u64,
    /// The virtual clock's starting instant.
    pub start: DateTime<Utc>,
    /// Worker nodes besides the control-plane node.
    pub workers: usize,
    /// Name prefix of the cluster's nodes, as kind names them (`kind-control-plane`, `kind-worker`).
    pub cluster_name: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            start: clock::default_start(),
            workers: 2,
            cluster_name: "kind".into(),
        }
    }
}

/// A Kubernetes Event (core/v1 Event), kept as the API server would store it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    pub first_ms: u64,
    pub last_ms: u64,
    pub count: u32,
    /// `Normal` or `Warning`.
    pub type_: String,
    pub reason: String,
    pub object: ObjKey,
    pub object_uid: String,
    pub message: String,
    /// The reporting component (`default-scheduler`, `kubelet`, `replicaset-controller`).
    pub source: String,
    pub host: Option<String>,
    /// Its place in the event log (0, 1, 2, ...): what tells apart two Events of one object
    /// recorded in the same virtual millisecond (their names add it as nanoseconds).
    pub seq: u32,
}

impl EventRecord {
    /// The namespace the Event is stored in: its object's, or `default` for a cluster-scoped
    /// object (a Node's Events), as client-go's event recorder does.
    pub fn namespace(&self) -> &str {
        if self.object.namespace.is_empty() {
            "default"
        } else {
            &self.object.namespace
        }
    }

    /// The Event's name: its object's name and the time it was first seen in nanoseconds, in
    /// hex (client-go's recorder); the log position stands in for the nanoseconds within the
    /// virtual millisecond, so that two Events of one object at the same millisecond differ.
    pub fn name(&self) -> String {
        format!(
            "{}.{:x}",
            self.object.name,
            0x1800_0000_0000_0000u64 + self.first_ms * 1_000_000 + u64::from(self.seq % 1_000_000)
        )
    }
}

/// The whole simulated cluster. Cloning is cheap-ish (objects are shared `Rc`s): time travel
/// keeps clones as snapshots.
#[derive(Clone)]
pub struct Sim {
    pub(crate) clock: Clock,
    pub(crate) rng: Rng,
    /// kube-proxy's choice of endpoint per connection: a stream of its own, so traffic never
    /// changes the names of later objects.
    pub(crate) net_rng: Option<Rng>,
    /// sessionAffinity ClientIP: (service uid, client IP) -> the pod it sticks to.
    pub(crate) affinity: BTreeMap<(String, String), ObjKey>,
    /// State kept by the simulated apps (carts of `kubeplay/session-shop`), by store and key.
    pub(crate) app_state: BTreeMap<String, u64>,
    pub(crate) store: Store,
    pub(crate) engine: Engine,
    pub(crate) config: SimConfig,
    decisions: Vec<Decision>,
    events: Vec<EventRecord>,
    /// (object uid, reason, message) -> index in `events`, for aggregation of repeats.
    event_index: BTreeMap<(String, String, String), usize>,
    pub(crate) controllers: controllers::Controllers,
    pub(crate) scheduler: scheduler::Scheduler,
    pub(crate) kubelets: BTreeMap<String, kubelet::Kubelet>,
    /// Allocated Service ClusterIPs and NodePorts (the API server's allocators).
    pub(crate) service_ips: std::collections::BTreeSet<u32>,
    pub(crate) node_ports: std::collections::BTreeSet<i32>,
    /// The simulated cloud provider (load balancers) behind the cloud-controller-manager.
    pub(crate) cloud: cloud::Cloud,
    /// Node heartbeats and health, the node controllers' state, injected faults.
    pub(crate) nodelife: nodelifecycle::NodeLife,
    /// A throwaway copy answering a `dryRun=All` request: writes go through validation, defaulting
    /// and admission as usual, but what they return carries no new `resourceVersion` (the API
    /// server's dry-run storage never persists).
    dry_run: bool,
}

impl Sim {
    pub fn new(config: SimConfig) -> Self {
        let mut sim = Sim {
            clock: Clock::new(config.start),
            rng: Rng::new(config.seed),
            net_rng: None,
            affinity: BTreeMap::new(),
            app_state: BTreeMap::new(),
            store: Store::default(),
            engine: Engine::default(),
            config,
            decisions: Vec::new(),
            events: Vec::new(),
            event_index: BTreeMap::new(),
            controllers: controllers::Controllers::default(),
            scheduler: scheduler::Scheduler::default(),
            kubelets: BTreeMap::new(),
            service_ips: Default::default(),
            node_ports: Default::default(),
            cloud: Default::default(),
            nodelife: Default::default(),
            dry_run: false,
        };
        sim.store
            .provenance
            .set_actor(provenance::ActorKind::Setup, "kind create cluster", 0);
        bootstrap::default_cluster(&mut sim);
        sim.dispatch();
        // Let the cluster settle (system pods running) before the learner's first command.
        sim.run_until_quiet(120_000);
        // The learner's objects draw from a stream of their own, so names and UIDs depend on the
        // seed and the learner's commands only, never on how the default cluster was built.
        sim.rng = Rng::new(sim.config.seed ^ 0x9e37_79b9_7f4a_7c15);
        sim
    }

    /// A copy of the cluster to run one `--dry-run=server` request against and then drop: the
    /// request sees the real store (AlreadyExists, NotFound, immutable fields), and nothing it does
    /// reaches this cluster.
    pub fn dry_run_copy(&self) -> Sim {
        let mut copy = self.clone();
        copy.dry_run = true;
        copy
    }

    /// Whether this is a [`Sim::dry_run_copy`].
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
    pub fn elapsed_ms(&self) -> u64 {
        self.clock.elapsed_ms()
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }
    pub fn events(&self) -> &[EventRecord] {
        &self.events
    }
    /// The simulated cloud provider's state (load balancers).
    pub fn cloud(&self) -> &cloud::Cloud {
        &self.cloud
    }
    /// When the next scheduled task is due (virtual ms since start), if any.
    pub fn next_task_time(&self) -> Option<u64> {
        self.engine.peek_time()
    }

    /// Number of events scheduled but not yet run.
    pub fn pending_tasks(&self) -> usize {
        self.engine.len()
    }

    /// Lets `ms` of virtual time pass, running every task due in that span, in (time, sequence) order.
    pub fn advance(&mut self, ms: u64) {
        let target = self.clock.elapsed_ms().saturating_add(ms);
        self.run_until(target);
    }

    /// Runs every task due at or before `target`, then sets the clock to `target`.
    pub fn run_until(&mut self, target: u64) {
        while let Some(at) = self.engine.peek_time() {
            if at > target {
                break;
            }
            self.step();
        }
        if target > self.clock.elapsed_ms() {
            self.clock.set_elapsed(target);
        }
    }

    /// Runs the next task, if any; returns whether one ran.
    pub fn step(&mut self) -> bool {
        let Some((at, task)) = self.engine.pop() else {
            return false;
        };
        if at > self.clock.elapsed_ms() {
            self.clock.set_elapsed(at);
        }
        self.act_as(&task);
        self.run_task(task);
        self.dispatch();
        true
    }

    /// Runs tasks until nothing is scheduled within `limit_ms` from now; returns the time used.
    pub fn run_until_quiet(&mut self, limit_ms: u64) -> u64 {
        let start = self.clock.elapsed_ms();
        let end = start.saturating_add(limit_ms);
        while let Some(at) = self.engine.peek_time() {
            if at > end {
                break;
            }
            self.step();
        }
        self.clock.elapsed_ms() - start
    }

    pub(crate) fn schedule(&mut self, delay_ms: u64, task: Task) {
        let at = self.clock.elapsed_ms().saturating_add(delay_ms);
        self.engine.push(at, task);
    }

    /// Makes the component that runs `task` the actor of the writes it makes (provenance).
    fn act_as(&mut self, task: &Task) {
        use nodelifecycle::NlTask;
        let node_actor;
        let name: &str = match task {
            Task::Controller(c) | Task::Enqueue(c, _) => c.component(),
            Task::Schedule => "default-scheduler",
            Task::Kubelet { node, .. } | Task::ImagePulled { node, .. } => {
                node_actor = format!("kubelet/{node}");
                &node_actor
            }
            Task::NodeLife(NlTask::Monitor(_)) => "node-lifecycle-controller",
            Task::NodeLife(NlTask::Evict(_)) => "taint-eviction-controller",
            Task::NodeLife(NlTask::PodGc(_)) => "pod-garbage-collector",
            Task::NodeLife(NlTask::CcmNode(_)) => "cloud-node-controller",
            Task::NodeLife(NlTask::Route(_)) => "route-controller",
        };
        let now = self.clock.elapsed_ms();
        self.store
            .provenance
            .set_actor(provenance::ActorKind::Component, name, now);
    }

    /// Makes a command line the actor of the writes that follow (the shell calls this per command).
    pub fn act_for_command(&mut self, line: &str) {
        let now = self.clock.elapsed_ms();
        let kind = if self.store.provenance.setup_commands {
            provenance::ActorKind::Setup
        } else {
            provenance::ActorKind::Command
        };
        self.store.provenance.set_actor(kind, line, now);
    }

    /// While set, commands are recorded as the cluster's setup (a lesson's setup commands).
    pub fn commands_are_setup(&mut self, on: bool) {
        self.store.provenance.setup_commands = on;
    }

    /// Who wrote what, and on which decision (the inspector's "Why").
    pub fn provenance(&self) -> &provenance::Provenance {
        &self.store.provenance
    }

    fn run_task(&mut self, task: Task) {
        match task {
            Task::Controller(c) => controllers::run(self, c),
            Task::Enqueue(c, key) => controllers::enqueue(self, c, key),
            Task::Schedule => scheduler::run(self),
            Task::Kubelet { node, uid, step } => kubelet::run(self, &node, &uid, step),
            Task::ImagePulled { node, image } => kubelet::image_pulled(self, &node, &image),
            Task::NodeLife(t) => nodelifecycle::run(self, t),
        }
    }

    /// Delivers the store's watch events to the informers of every component (their handlers only
    /// enqueue keys; work happens later in each component's own task).
    pub fn dispatch(&mut self) {
        loop {
            let events = self.store.drain_events();
            if events.is_empty() {
                break;
            }
            for ev in &events {
                self.deliver(ev);
            }
        }
    }

    fn deliver(&mut self, ev: &WatchEvent) {
        controllers::on_event(self, ev);
        scheduler::on_event(self, ev);
        kubelet::on_event(self, ev);
        nodelifecycle::on_event(self, ev);
        if ev.kind == WatchType::Deleted {
            if let Some(svc) = ev.object.as_service() {
                api::release_service(self, svc);
            }
            // The garbage collector's informer acts at once: its writes are its own.
            let (kind, name) = self.store.provenance.current();
            let now = self.clock.elapsed_ms();
            self.store.provenance.set_actor(
                provenance::ActorKind::Component,
                "garbage-collector",
                now,
            );
            controllers::gc::on_deleted(self, ev);
            self.store.provenance.set_actor(kind, &name, now);
        }
    }

    /// Records a decision in words for the narration log.
    pub(crate) fn decide(&mut self, component: &str, message: String) {
        self.store.provenance.note_decision(
            self.decisions.len(),
            component,
            self.clock.elapsed_ms(),
        );
        self.decisions.push(Decision {
            at_ms: self.clock.elapsed_ms(),
            component: component.to_string(),
            message,
        });
    }

    /// Records a Kubernetes Event about `obj`, aggregating repeats as the event recorder does.
    pub(crate) fn event(
        &mut self,
        obj: &Object,
        type_: &str,
        reason: &str,
        message: String,
        source: &str,
        host: Option<&str>,
    ) {
        let uid = obj.uid().to_string();
        let now = self.clock.elapsed_ms();
        let k = (uid.clone(), reason.to_string(), message.clone());
        if let Some(&i) = self.event_index.get(&k) {
            let e = &mut self.events[i];
            e.count += 1;
            e.last_ms = now;
            return;
        }
        self.event_index.insert(k, self.events.len());
        self.events.push(EventRecord {
            first_ms: now,
            last_ms: now,
            count: 1,
            type_: type_.to_string(),
            reason: reason.to_string(),
            object: ObjKey::of(obj),
            object_uid: uid,
            message,
            source: source.to_string(),
            host: host.map(str::to_string),
            seq: self.events.len() as u32,
        });
    }

    pub fn get(&self, key: &ObjKey) -> Option<&Rc<Object>> {
        self.store.get(key)
    }
}
