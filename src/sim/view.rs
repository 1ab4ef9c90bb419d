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

/// One controller decision or component action, in words (narration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Virtual time, milliseconds since the simulation's start instant.
    pub at_ms: u64,
    /// e.g. `replicaset-controller`, `default-scheduler`, `kubelet/kind-worker`.
    pub component: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
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

impl Sim {
    /// What the cluster view draws: nodes in registration order with their pods in creation order.
    pub fn view(&self) -> ClusterView {
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
        ClusterView {
            elapsed_ms: self.clock.elapsed_ms(),
            now: self.clock.now_rfc3339(),
            revision: self.store.revision(),
            nodes: nodes.into_iter().map(|(_, n)| n).collect(),
            unscheduled,
            owners,
        }
    }
}
