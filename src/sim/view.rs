//! A read-only picture of the cluster for the page (and tests): what the cluster view draws.
//! Built from the store's indexes; every string is what `kubectl get` would print.

/// One pod chip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// The STATUS column of `kubectl get pods` (Pending, ContainerCreating, Running, Terminating, ...).
    pub status: String,
    /// The READY column, e.g. `1/1`.
    pub ready: String,
    /// `status.phase`.
    pub phase: String,
    /// True when every container is ready (the pod's Ready condition).
    pub is_ready: bool,
    pub restarts: u32,
    pub node: Option<String>,
    /// `Kind/name` of the controlling owner, if any.
    pub owner: Option<String>,
    pub pod_ip: Option<String>,
    /// `metadata.finalizers` (drawn as a lock on the chip).
    pub finalizers: Vec<String>,
    /// `deletionTimestamp` is set (it goes once its containers stop and no finalizer holds it).
    pub deleting: bool,
    /// A ready endpoint of some Service (it gets traffic): the chip wears a socket.
    pub serving: bool,
}

/// One node column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    /// STATUS as `kubectl get nodes` prints it.
    pub status: String,
    /// ROLES as `kubectl get nodes` prints it.
    pub roles: String,
    /// Pods bound to this node, in creation order (a pod never moves once placed).
    pub pods: Vec<PodView>,
}

/// One owner row (Deployment or ReplicaSet), with the numbers `kubectl get` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerView {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// `READY` column for deployments (`2/3`), `DESIRED/CURRENT/READY` folded for replicasets.
    pub ready: String,
    pub desired: i32,
    pub current: i32,
    pub ready_count: i32,
    pub updated: i32,
    pub available: i32,
    /// For a ReplicaSet: its Deployment revision annotation, if any.
    pub revision: Option<String>,
    /// For a ReplicaSet: the owning Deployment's name.
    pub parent: Option<String>,
}

/// One endpoint of a Service, from its EndpointSlices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointView {
    /// The pod behind it (`targetRef`), if any.
    pub pod: Option<String>,
    pub ip: String,
    /// `conditions.ready`: kube-proxy sends traffic only to ready endpoints.
    pub ready: bool,
    pub terminating: bool,
}

/// One Service card: the columns of `kubectl get svc` and the pods behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceView {
    pub namespace: String,
    pub name: String,
    /// TYPE, CLUSTER-IP, EXTERNAL-IP and PORT(S) as `kubectl get svc` prints them.
    pub type_: String,
    pub cluster_ip: String,
    pub external_ip: String,
    pub ports: String,
    /// False for a Service without a selector (its endpoints are managed by hand).
    pub has_selector: bool,
    pub endpoints: Vec<EndpointView>,
    pub finalizers: Vec<String>,
    pub terminating: bool,
}

/// An object other than a pod or a Service that carries finalizers (drawn with its locks), or a
/// Terminating namespace (held by `spec.finalizers` until it is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldView {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub finalizers: Vec<String>,
    /// `deletionTimestamp` is set: it goes once the last finalizer is removed.
    pub terminating: bool,
}

/// One controller decision or component action, in words (narration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Virtual time, milliseconds since the simulation's start instant.
    pub at_ms: u64,
    /// e.g. `replicaset-controller`, `default-scheduler`, `kubelet/kind-worker`.
    pub component: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterView {
    /// Virtual milliseconds since the start instant.
    pub elapsed_ms: u64,
    /// The virtual wall-clock instant, RFC 3339.
    pub now: String,
    /// etcd-like global revision (bumps on every write).
    pub revision: u64,
    pub nodes: Vec<NodeView>,
    /// Pods with no node yet (drawn in the "tray").
    pub unscheduled: Vec<PodView>,
    pub owners: Vec<OwnerView>,
    /// Services outside kube-system, with their endpoints.
    pub services: Vec<ServiceView>,
    /// Objects held by finalizers (outside kube-system; pods and Services carry theirs).
    pub held: Vec<HeldView>,
}

use super::object::{Kind, Object};
use super::podutil;
use super::Sim;

fn pod_view(o: &Object) -> Option<PodView> {
    let p = o.as_pod()?;
    let s = podutil::summary(p);
    Some(PodView {
        namespace: o.namespace().to_string(),
        name: o.name().to_string(),
        status: s.status,
        ready: s.ready,
        phase: podutil::phase(p).to_string(),
        is_ready: podutil::is_ready(p),
        restarts: s.restarts.max(0) as u32,
        node: podutil::node(p).map(str::to_string),
        owner: o.controller_ref().map(|r| format!("{}/{}", r.kind, r.name)),
        pod_ip: p.status.as_ref().and_then(|s| s.pod_ip.clone()),
        finalizers: o.meta().finalizers.clone().unwrap_or_default(),
        deleting: o.meta().deletion_timestamp.is_some(),
        serving: false,
    })
}

/// Kinds whose objects with finalizers are drawn as held (pods and Services are drawn already).
const HELD_KINDS: [Kind; 10] = [
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::Job,
    Kind::CronJob,
    Kind::ConfigMap,
    Kind::Secret,
    Kind::PersistentVolumeClaim,
    Kind::PersistentVolume,
];

/// The Service's columns and the endpoints of its EndpointSlices.
fn service_view(sim: &Sim, o: &Object) -> Option<ServiceView> {
    let svc = o.as_service()?;
    let spec = svc.spec.clone().unwrap_or_default();
    let type_ = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    let cluster_ip = match spec.cluster_ip.as_deref() {
        Some(ip) if !ip.is_empty() => ip.to_string(),
        _ => "<none>".into(),
    };
    let ingress: Vec<String> = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .map(|i| {
            i.iter()
                .filter_map(|x| x.ip.clone().or_else(|| x.hostname.clone()))
                .collect()
        })
        .unwrap_or_default();
    let external_ip = if type_ == "ExternalName" {
        spec.external_name.clone().unwrap_or_default()
    } else if !ingress.is_empty() {
        ingress.join(",")
    } else if type_ == "LoadBalancer" {
        "<pending>".into()
    } else {
        match &spec.external_ips {
            Some(ips) if !ips.is_empty() => ips.join(","),
            _ => "<none>".into(),
        }
    };
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            match p.node_port {
                Some(np) => format!("{}:{np}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    let mut endpoints = Vec::new();
    if let Some(keys) = sim.store.with_label(
        Kind::EndpointSlice,
        o.namespace(),
        "kubernetes.io/service-name",
        o.name(),
    ) {
        for k in keys {
            let Some(Object::EndpointSlice(es)) = sim.store.get(k).map(|x| x.as_ref()) else {
                continue;
            };
            for ep in &es.endpoints {
                let c = ep.conditions.clone().unwrap_or_default();
                endpoints.push(EndpointView {
                    pod: ep.target_ref.as_ref().and_then(|r| r.name.clone()),
                    ip: ep.addresses.first().cloned().unwrap_or_default(),
                    ready: c.ready.unwrap_or(true),
                    terminating: c.terminating.unwrap_or(false),
                });
            }
        }
    }
    endpoints.sort_by(|a, b| (!a.ready, &a.pod, &a.ip).cmp(&(!b.ready, &b.pod, &b.ip)));
    Some(ServiceView {
        namespace: o.namespace().into(),
        name: o.name().into(),
        type_,
        cluster_ip,
        external_ip,
        ports: if ports.is_empty() {
            "<none>".into()
        } else {
            ports.join(",")
        },
        has_selector: spec.selector.as_ref().is_some_and(|s| !s.is_empty()),
        endpoints,
        finalizers: o.meta().finalizers.clone().unwrap_or_default(),
        terminating: o.meta().deletion_timestamp.is_some(),
    })
}

/// STATUS of `kubectl get nodes`.
pub fn node_status(n: &k8s_openapi::api::core::v1::Node) -> String {
    let ready = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    let mut s = match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// ROLES of `kubectl get nodes` (`findNodeRoles`).
pub fn node_roles(n: &k8s_openapi::api::core::v1::Node) -> String {
    let mut roles = std::collections::BTreeSet::new();
    for (k, v) in n.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.into_iter().collect::<Vec<_>>().join(",")
    }
}

thread_local! {
    /// The last view built, by store serial: the page asks for the view at every tick, and with
    /// thousands of pods rebuilding it costs more than a frame while nothing was written.
    static VIEW_CACHE: std::cell::RefCell<Option<(u64, ClusterView)>> = const { std::cell::RefCell::new(None) };
}

impl Sim {
    /// What the cluster view draws: nodes in registration order with their pods in creation order.
    /// Everything in it but the clock comes from the store, so an unchanged store serial reuses
    /// the last view built.
    pub fn view(&self) -> ClusterView {
        let serial = self.store.serial();
        let cached = VIEW_CACHE.with(|c| {
            c.borrow()
                .as_ref()
                .filter(|(s, _)| *s == serial)
                .map(|(_, v)| v.clone())
        });
        let mut v = match cached {
            Some(v) => v,
            None => {
                let v = self.build_view();
                VIEW_CACHE.with(|c| *c.borrow_mut() = Some((serial, v.clone())));
                v
            }
        };
        v.elapsed_ms = self.clock.elapsed_ms();
        v.now = self.clock.now_rfc3339();
        v
    }

    fn build_view(&self) -> ClusterView {
        let mut nodes: Vec<(u64, NodeView)> = self
            .store
            .list(Kind::Node, None)
            .iter()
            .filter_map(|o| {
                let n = o.as_node()?;
                let rev = self
                    .store
                    .created_rev(&super::store::ObjKey::of(o))
                    .unwrap_or(0);
                Some((
                    rev,
                    NodeView {
                        name: o.name().to_string(),
                        status: node_status(n),
                        roles: node_roles(n),
                        pods: self
                            .store
                            .pods_on_node(o.name())
                            .iter()
                            .filter_map(|p| pod_view(p))
                            .collect(),
                    },
                ))
            })
            .collect();
        crate::sort::sort_by_key(&mut nodes, |(r, _)| *r);
        let mut unscheduled = Vec::new();
        for o in self.store.list(Kind::Pod, None) {
            if o.as_pod().is_some_and(|p| podutil::node(p).is_none()) {
                unscheduled.extend(pod_view(&o));
            }
        }
        let mut owners = Vec::new();
        for o in self.store.list(Kind::Deployment, None) {
            let Some(d) = o.as_deployment() else { continue };
            let st = d.status.clone().unwrap_or_default();
            let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            owners.push(OwnerView {
                kind: "Deployment".into(),
                namespace: o.namespace().into(),
                name: o.name().into(),
                ready: format!("{}/{}", st.ready_replicas.unwrap_or(0), desired),
                desired,
                current: st.replicas.unwrap_or(0),
                ready_count: st.ready_replicas.unwrap_or(0),
                updated: st.updated_replicas.unwrap_or(0),
                available: st.available_replicas.unwrap_or(0),
                revision: d
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(super::controllers::deployment::REVISION).cloned()),
                parent: None,
            });
            for rs_obj in self.store.owned_by(o.uid()) {
                let Some(rs) = rs_obj.as_replicaset() else {
                    continue;
                };
                let st = rs.status.clone().unwrap_or_default();
                let desired = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
                owners.push(OwnerView {
                    kind: "ReplicaSet".into(),
                    namespace: rs_obj.namespace().into(),
                    name: rs_obj.name().into(),
                    ready: format!("{}/{}", st.ready_replicas.unwrap_or(0), desired),
                    desired,
                    current: st.replicas,
                    ready_count: st.ready_replicas.unwrap_or(0),
                    updated: st.replicas,
                    available: st.available_replicas.unwrap_or(0),
                    revision: rs
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get(super::controllers::deployment::REVISION).cloned()),
                    parent: Some(o.name().into()),
                });
            }
        }
        let services: Vec<ServiceView> = self
            .store
            .list(Kind::Service, None)
            .iter()
            .filter(|o| o.namespace() != "kube-system")
            .filter_map(|o| service_view(self, o))
            .collect();
        let serving: std::collections::BTreeSet<(&str, &str)> = services
            .iter()
            .flat_map(|s| {
                s.endpoints
                    .iter()
                    .filter(|e| e.ready)
                    .filter_map(|e| Some((s.namespace.as_str(), e.pod.as_deref()?)))
            })
            .collect();
        if !serving.is_empty() {
            for p in nodes.iter_mut().flat_map(|(_, n)| n.pods.iter_mut()) {
                p.serving = serving.contains(&(p.namespace.as_str(), p.name.as_str()));
            }
        }
        let mut held = Vec::new();
        for kind in HELD_KINDS {
            for o in self.store.list(kind, None) {
                let m = o.meta();
                let f = m.finalizers.clone().unwrap_or_default();
                if f.is_empty() || o.namespace() == "kube-system" {
                    continue;
                }
                held.push(HeldView {
                    kind: kind.name().into(),
                    namespace: o.namespace().into(),
                    name: o.name().into(),
                    finalizers: f,
                    terminating: m.deletion_timestamp.is_some(),
                });
            }
        }
        for o in self.store.list(Kind::Namespace, None) {
            let Object::Namespace(ns) = o.as_ref() else {
                continue;
            };
            if o.meta().deletion_timestamp.is_none() {
                continue;
            }
            let mut f = o.meta().finalizers.clone().unwrap_or_default();
            f.extend(
                ns.spec
                    .iter()
                    .flat_map(|s| s.finalizers.iter().flatten())
                    .cloned(),
            );
            held.push(HeldView {
                kind: "Namespace".into(),
                namespace: String::new(),
                name: o.name().into(),
                finalizers: f,
                terminating: true,
            });
        }
        ClusterView {
            elapsed_ms: self.clock.elapsed_ms(),
            now: self.clock.now_rfc3339(),
            revision: self.store.revision(),
            nodes: nodes.into_iter().map(|(_, n)| n).collect(),
            unscheduled,
            owners,
            services,
            held,
        }
    }
}
