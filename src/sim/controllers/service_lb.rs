//! The cloud-controller-manager's service controller (`k8s.io/cloud-provider/controllers/service`)
//! over the simulated cloud (`sim::cloud`). A `type: LoadBalancer` Service first gets the finalizer
//! `service.kubernetes.io/load-balancer-cleanup`, then the controller asks the cloud for a load
//! balancer in front of the Service's NodePorts on every node not labelled
//! `node.kubernetes.io/exclude-from-external-load-balancers` (Event `EnsuringLoadBalancer`). While
//! the cloud provisions it, `kubectl get svc` shows EXTERNAL-IP `<pending>`; once it is up the
//! controller writes `status.loadBalancer.ingress[].ip` (ipMode `VIP`, Event `EnsuredLoadBalancer`).
//! When the Service is deleted (or stops being a LoadBalancer) the load balancer is torn down
//! (`DeletingLoadBalancer`, `DeletedLoadBalancer`) before the finalizer is removed, so the Service
//! stays Terminating until the cloud has let go of it. Node additions and removals update the
//! backends (`UpdatedLoadBalancer`).

use std::rc::Rc;

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service};

use super::super::cloud::{LbState, PROVISION_MS, TEARDOWN_MS};
use super::super::engine::Task;
use super::super::object::{Kind, Object};
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

pub const FINALIZER: &str = "service.kubernetes.io/load-balancer-cleanup";
pub const EXCLUDE_LABEL: &str = "node.kubernetes.io/exclude-from-external-load-balancers";
const COMPONENT: &str = "service-controller";

fn is_lb(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer")
}

fn has_finalizer(o: &Object) -> bool {
    o.meta().finalizers.iter().flatten().any(|f| f == FINALIZER)
}

/// Informer handlers: LoadBalancer Services (and those that were, or still hold the finalizer), and
/// node changes for the backends of existing load balancers.
pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Service => {
            let relevant = |o: &Object| o.as_service().is_some_and(is_lb) || has_finalizer(o);
            if relevant(&ev.object)
                || ev.old.as_deref().is_some_and(relevant)
                || sim.cloud.load_balancer(&ev.key).is_some()
            {
                enqueue(sim, Ctrl::ServiceLB, ev.key.clone());
            }
        }
        Kind::Node => {
            let excluded = |o: &Object| {
                o.meta()
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key(EXCLUDE_LABEL))
            };
            let changed = match (ev.kind, ev.old.as_deref()) {
                (WatchType::Modified, Some(old)) => excluded(old) != excluded(&ev.object),
                _ => true,
            };
            if changed {
                let keys: Vec<ObjKey> = sim.cloud.load_balancers.keys().cloned().collect();
                for k in keys {
                    enqueue(sim, Ctrl::ServiceLB, k);
                }
            }
        }
        _ => {}
    }
}

/// The nodes a load balancer sends traffic to, by name.
fn backend_nodes(sim: &Sim) -> Vec<String> {
    sim.store
        .list(Kind::Node, None)
        .iter()
        .filter(|n| {
            n.meta().deletion_timestamp.is_none()
                && !n
                    .meta()
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key(EXCLUDE_LABEL))
        })
        .map(|n| n.name().to_string())
        .collect()
}

fn lb_ports(svc: &Service) -> Vec<(i32, i32, String)> {
    svc.spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p.port,
                        p.node_port.unwrap_or(0),
                        p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn node_list(nodes: &[String]) -> String {
    match nodes.len() {
        0 => "no nodes".into(),
        1 => format!("1 node ({})", nodes[0]),
        n => format!("{n} nodes ({})", nodes.join(", ")),
    }
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let now = sim.elapsed_ms();
    let mut obj = sim.store.get(key).cloned();
    let lb = sim.cloud.load_balancer(key).cloned();
    let wants = obj.as_ref().is_some_and(|o| {
        o.as_service().is_some_and(is_lb) && o.meta().deletion_timestamp.is_none()
    });
    // A load balancer left by an earlier Service of the same name is not this one's.
    let same = |lb: &super::super::cloud::LoadBalancer| {
        obj.as_ref().is_some_and(|o| o.uid() == lb.service_uid)
    };

    if wants && lb.as_ref().is_none_or(same) {
        let Some(o) = obj.clone() else { return };
        if !has_finalizer(&o) {
            let mut next = (*o).clone();
            next.meta_mut()
                .finalizers
                .get_or_insert_with(Vec::new)
                .push(FINALIZER.into());
            match sim.update(next) {
                Ok(stored) => obj = Some(stored),
                Err(_) => return,
            }
        }
        let Some(o) = obj else { return };
        let Some(svc) = o.as_service() else { return };
        match lb.map(|l| l.state) {
            None => {
                let nodes = backend_nodes(sim);
                sim.decide(
                    COMPONENT,
                    format!(
                        "{} needs a load balancer; ensuring one for {}",
                        key.name,
                        node_list(&nodes)
                    ),
                );
                sim.event(
                    &o,
                    "Normal",
                    "EnsuringLoadBalancer",
                    "Ensuring load balancer".into(),
                    COMPONENT,
                    None,
                );
                sim.cloud.create(o.clone(), now, nodes, lb_ports(svc));
                sim.schedule(PROVISION_MS, Task::Enqueue(Ctrl::ServiceLB, key.clone()));
            }
            Some(LbState::Provisioning { .. }) => {
                if let Some(ip) = sim.cloud.poll_provisioned(key, now) {
                    sim.decide(COMPONENT, format!("the cloud load balancer for {} is up at {ip}; writing it to the Service status", key.name));
                    write_ingress(sim, &o, Some(&ip));
                    if let Some(stored) = sim.store.get(key).cloned() {
                        sim.event(
                            &stored,
                            "Normal",
                            "EnsuredLoadBalancer",
                            "Ensured load balancer".into(),
                            COMPONENT,
                            None,
                        );
                    }
                }
            }
            Some(LbState::Active) => {
                let nodes = backend_nodes(sim);
                let ports = lb_ports(svc);
                let ip = sim.cloud.load_balancer(key).and_then(|l| l.ip.clone());
                if let Some(l) = sim.cloud.load_balancers.get_mut(key) {
                    l.last_seen = o.clone();
                    l.ports = ports;
                    if l.nodes != nodes {
                        l.nodes = nodes.clone();
                        sim.decide(COMPONENT, format!("the nodes changed; the load balancer for {} now sends traffic to {}", key.name, node_list(&nodes)));
                        sim.event(
                            &o,
                            "Normal",
                            "UpdatedLoadBalancer",
                            "Updated load balancer with new hosts".into(),
                            COMPONENT,
                            None,
                        );
                    }
                }
                write_ingress(sim, &o, ip.as_deref());
            }
            Some(LbState::Deleting { done_at_ms }) => {
                // Turned back into a LoadBalancer while the old one was going: wait, then start over.
                if sim.cloud.poll_deleted(key, now).is_some() {
                    enqueue(sim, Ctrl::ServiceLB, key.clone());
                } else {
                    sim.schedule(
                        done_at_ms.saturating_sub(now),
                        Task::Enqueue(Ctrl::ServiceLB, key.clone()),
                    );
                }
            }
        }
        return;
    }

    // Not (or no longer) wanted: tear the load balancer down, then let the Service go.
    if let Some(lb) = lb {
        let subject: Rc<Object> = match &obj {
            Some(o) if o.uid() == lb.service_uid => o.clone(),
            _ => lb.last_seen.clone(),
        };
        match lb.state {
            LbState::Provisioning { .. } | LbState::Active => {
                sim.cloud.begin_delete(key, now);
                let why = if obj.as_ref().is_some_and(|o| {
                    o.uid() == lb.service_uid && o.meta().deletion_timestamp.is_none()
                }) {
                    "is no longer of type LoadBalancer"
                } else {
                    "is being deleted"
                };
                sim.decide(
                    COMPONENT,
                    format!("{} {why}; deleting its load balancer {} before removing the finalizer {FINALIZER}", key.name, lb.name),
                );
                sim.event(
                    &subject,
                    "Normal",
                    "DeletingLoadBalancer",
                    "Deleting load balancer".into(),
                    COMPONENT,
                    None,
                );
                sim.schedule(TEARDOWN_MS, Task::Enqueue(Ctrl::ServiceLB, key.clone()));
                return;
            }
            LbState::Deleting { done_at_ms } => {
                if sim.cloud.poll_deleted(key, now).is_none() {
                    sim.schedule(
                        done_at_ms.saturating_sub(now),
                        Task::Enqueue(Ctrl::ServiceLB, key.clone()),
                    );
                    return;
                }
                sim.decide(
                    COMPONENT,
                    format!(
                        "the cloud deleted load balancer {} of {}",
                        lb.name, key.name
                    ),
                );
                sim.event(
                    &subject,
                    "Normal",
                    "DeletedLoadBalancer",
                    "Deleted load balancer".into(),
                    COMPONENT,
                    None,
                );
                if obj.as_ref().is_some_and(|o| o.uid() != lb.service_uid) {
                    // The old one is gone; the Service now of that name gets its own.
                    enqueue(sim, Ctrl::ServiceLB, key.clone());
                    return;
                }
            }
        }
    }
    let Some(o) = obj else { return };
    if !has_finalizer(&o) || wants {
        return;
    }
    let mut next = (*o).clone();
    if let Some(f) = next.meta_mut().finalizers.as_mut() {
        f.retain(|x| x != FINALIZER);
    }
    if next
        .meta()
        .finalizers
        .as_ref()
        .is_some_and(|f| f.is_empty())
    {
        next.meta_mut().finalizers = None;
    }
    let terminating = o.meta().deletion_timestamp.is_some();
    if sim.update(next).is_ok() {
        sim.decide(
            COMPONENT,
            format!("removed the finalizer {FINALIZER} from {}", key.name),
        );
        if !terminating {
            // Type changed away from LoadBalancer: the status forgets the old address.
            if let Some(stored) = sim.store.get(key).cloned() {
                write_ingress(sim, &stored, None);
            }
        }
    }
}

/// Writes `status.loadBalancer` (`ingress: [{ip, ipMode: VIP}]`, or empty) when it differs.
fn write_ingress(sim: &mut Sim, o: &Object, ip: Option<&str>) {
    let Some(svc) = o.as_service() else { return };
    let want = LoadBalancerStatus {
        ingress: ip.map(|ip| {
            vec![LoadBalancerIngress {
                ip: Some(ip.to_string()),
                ip_mode: Some("VIP".into()),
                ..Default::default()
            }]
        }),
    };
    let have = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.clone())
        .unwrap_or_default();
    if have == want {
        return;
    }
    let mut next = svc.clone();
    next.status
        .get_or_insert_with(Default::default)
        .load_balancer = Some(want);
    sim.write_status(Object::Service(next));
}
