//! The EndpointSlice controller (`pkg/controller/endpointslice`, reconciler from
//! `k8s.io/endpointslice`): for every Service with a selector, slices named `<svc>-<5 random>` that
//! list the matching pods with an IP, their readiness (ready / serving / terminating), node and
//! target, and the Service's ports resolved against each pod (`targetPort` by number or by
//! container-port name). Slices hold at most 100 endpoints; endpoints stay in the slice they are
//! in; a Service without pods keeps one empty placeholder slice. Services without a selector get
//! nothing from this controller (their slices are written by hand and left alone).
//!
//! The informer handler here also feeds the Endpoints controller (`endpoints.rs`): both follow the
//! same Service and Pod changes.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service, ServicePort};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::super::object::{new_controller_ref, Kind, Object};
use super::super::podutil;
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

const COMPONENT: &str = "endpointslice-controller";

pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
pub const LABEL_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
pub const LABEL_HEADLESS: &str = "service.kubernetes.io/headless";
pub const ANNOTATION_TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

// ---------------------------------------------------------------------------------------------
// Shared readings (also used by the Endpoints controller)

/// The Service's selector, if it has a non-empty one (an empty map selects nothing here: the API
/// server stores it as no selector).
pub(crate) fn selector(svc: &Service) -> Option<&BTreeMap<String, String>> {
    svc.spec
        .as_ref()?
        .selector
        .as_ref()
        .filter(|s| !s.is_empty())
}

pub(crate) fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

pub(crate) fn publish_not_ready(svc: &Service) -> bool {
    svc.spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false)
}

fn protocol(p: &Option<String>) -> &str {
    p.as_deref().unwrap_or("TCP")
}

/// `podutil.FindPort`: the pod's port for a Service port: `targetPort` as a number, or the
/// container port (of a container or a restartable init container) with that name and protocol.
pub(crate) fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => {
            if let Ok(n) = name.parse::<i32>() {
                return Some(n);
            }
            let spec = pod.spec.as_ref()?;
            let sidecars = spec
                .init_containers
                .iter()
                .flatten()
                .filter(|c| c.restart_policy.as_deref() == Some("Always"));
            spec.containers
                .iter()
                .chain(sidecars)
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| {
                    p.name.as_deref() == Some(name.as_str())
                        && protocol(&p.protocol) == protocol(&sp.protocol)
                })
                .map(|p| p.container_port)
        }
    }
}

/// `ShouldPodBeInEndpoints`: not finished, has an IP, and (unless terminating pods are included)
/// not being deleted.
pub(crate) fn should_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    if matches!(podutil::phase(pod), "Succeeded" | "Failed") {
        return false;
    }
    let st = pod.status.as_ref();
    let has_ip = st
        .and_then(|s| s.pod_ip.as_deref())
        .is_some_and(|ip| !ip.is_empty())
        || st
            .and_then(|s| s.pod_ips.as_ref())
            .is_some_and(|v| !v.is_empty());
    has_ip && (include_terminating || pod.metadata.deletion_timestamp.is_none())
}

pub(crate) fn pod_ip(pod: &Pod) -> Option<String> {
    let st = pod.status.as_ref()?;
    st.pod_ip
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| st.pod_ips.as_ref()?.first().map(|i| i.ip.clone()))
}

/// The reference an endpoint keeps to its pod.
pub(crate) fn pod_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        name: pod.metadata.name.clone(),
        namespace: pod.metadata.namespace.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    }
}

/// `ShouldSetHostname`: a pod with `hostname` whose `subdomain` names the Service.
pub(crate) fn hostname(pod: &Pod, svc: &Service) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let h = spec.hostname.clone().filter(|h| !h.is_empty())?;
    (spec.subdomain.as_deref() == svc.metadata.name.as_deref()).then_some(h)
}

/// The pods a Service selects, found through the label index (intersection from the rarest
/// `key=value`), in name order.
pub(crate) fn pods_for(
    sim: &Sim,
    namespace: &str,
    sel: &BTreeMap<String, String>,
) -> Vec<Rc<Object>> {
    sim.store
        .matching_labels(Kind::Pod, namespace, sel)
        .iter()
        .filter_map(|k| sim.store.get(k).cloned())
        .collect()
}

/// The Service's labels as its endpoint objects carry them (`service.kubernetes.io/headless`
/// added for headless Services).
pub(crate) fn service_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut l = svc.metadata.labels.clone().unwrap_or_default();
    if is_headless(svc) {
        l.insert(LABEL_HEADLESS.into(), String::new());
    } else {
        l.remove(LABEL_HEADLESS);
    }
    l
}

/// `endpoints.kubernetes.io/last-change-trigger-time`: the latest change among the Service and its
/// pods that the endpoints reflect (the pod's Ready transition, else its creation).
pub(crate) fn trigger_time(svc: &Service, pods: &[&Pod]) -> Option<String> {
    let mut t = svc.metadata.creation_timestamp.as_ref().map(|t| t.0);
    for p in pods {
        let ready = p
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
        let pt = ready
            .and_then(|c| c.last_transition_time.as_ref())
            .or(p.metadata.creation_timestamp.as_ref())
            .map(|t| t.0);
        if pt > t {
            t = pt;
        }
    }
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// What about a pod matters to endpoints: a change elsewhere (say, a container restart count)
/// queues nothing.
type Fingerprint<'a> = (
    &'a Option<BTreeMap<String, String>>,
    bool,
    Option<String>,
    bool,
    &'a str,
    Option<&'a String>,
    Option<&'a String>,
    Option<&'a String>,
);

fn pod_fingerprint(pod: &Pod) -> Fingerprint<'_> {
    let spec = pod.spec.as_ref();
    (
        &pod.metadata.labels,
        pod.metadata.deletion_timestamp.is_some(),
        pod_ip(pod),
        podutil::is_ready(pod),
        podutil::phase(pod),
        spec.and_then(|s| s.node_name.as_ref()),
        spec.and_then(|s| s.hostname.as_ref()),
        spec.and_then(|s| s.subdomain.as_ref()),
    )
}

/// Informer handlers of the EndpointSlice and Endpoints controllers.
pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Service => {
            enqueue(sim, Ctrl::EndpointSlice, ev.key.clone());
            enqueue(sim, Ctrl::Endpoints, ev.key.clone());
        }
        Kind::Pod => {
            let (Some(new), old) = (ev.object.as_pod(), ev.old.as_ref().and_then(|o| o.as_pod()))
            else {
                return;
            };
            if ev.kind == WatchType::Modified
                && old.is_some_and(|o| pod_fingerprint(o) == pod_fingerprint(new))
            {
                return;
            }
            // `GetPodServiceMemberships`: the Services in the pod's namespace whose selector matches
            // the pod now or before the change.
            let empty = BTreeMap::new();
            let labels_new = new.metadata.labels.as_ref().unwrap_or(&empty);
            let labels_old = old.and_then(|o| o.metadata.labels.as_ref());
            let mut keys = Vec::new();
            for o in sim
                .store
                .list(Kind::Service, Some(ev.key.namespace.as_str()))
            {
                let Some(sel) = o.as_service().and_then(selector) else {
                    continue;
                };
                let matches =
                    |l: &BTreeMap<String, String>| sel.iter().all(|(k, v)| l.get(k) == Some(v));
                if matches(labels_new) || labels_old.is_some_and(matches) {
                    keys.push(ObjKey::of(&o));
                }
            }
            for k in keys {
                enqueue(sim, Ctrl::EndpointSlice, k.clone());
                enqueue(sim, Ctrl::Endpoints, k);
            }
        }
        Kind::EndpointSlice if ev.kind == WatchType::Deleted => {
            // A managed slice removed by someone else: put it back.
            let l = ev.object.meta().labels.clone().unwrap_or_default();
            if l.get(LABEL_MANAGED_BY).map(String::as_str) == Some(MANAGED_BY) {
                if let Some(svc) = l.get(LABEL_SERVICE_NAME) {
                    enqueue(
                        sim,
                        Ctrl::EndpointSlice,
                        ObjKey::new(Kind::Service, &ev.key.namespace, svc),
                    );
                }
            }
        }
        Kind::Endpoints if ev.kind == WatchType::Deleted => {
            enqueue(
                sim,
                Ctrl::Endpoints,
                ObjKey::new(Kind::Service, &ev.key.namespace, &ev.key.name),
            );
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The reconciler

/// A slice's port set: the grouping key of endpoints (pods that resolve named ports differently
/// land in different slices).
type PortsKey = Vec<(String, i32, String)>;

fn ports_key(ports: &[EndpointPort]) -> PortsKey {
    ports
        .iter()
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.port.unwrap_or(0),
                protocol(&p.protocol).to_string(),
            )
        })
        .collect()
}

/// `getEndpointPorts`: the Service ports this pod serves (ports it cannot resolve are left out).
fn endpoint_ports(svc: &Service, pod: &Pod) -> Vec<EndpointPort> {
    let ports = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    ports
        .iter()
        .filter_map(|sp| {
            let n = find_port(pod, sp)?;
            Some(EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: Some(n),
                protocol: Some(protocol(&sp.protocol).to_string()),
                app_protocol: sp.app_protocol.clone(),
            })
        })
        .collect()
}

/// `podToEndpoint`.
fn pod_to_endpoint(sim: &Sim, svc: &Service, pod: &Pod) -> Option<Endpoint> {
    let ip = pod_ip(pod)?;
    let serving = podutil::is_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let ready = publish_not_ready(svc) || (serving && !terminating);
    let node = podutil::node(pod).map(str::to_string);
    let zone = node
        .as_ref()
        .and_then(|n| sim.store.get(&ObjKey::new(Kind::Node, "", n)))
        .and_then(|n| {
            n.meta()
                .labels
                .as_ref()?
                .get("topology.kubernetes.io/zone")
                .cloned()
        });
    Some(Endpoint {
        addresses: vec![ip],
        conditions: Some(EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname: hostname(pod, svc),
        node_name: node,
        target_ref: Some(pod_ref(pod)),
        zone,
        ..Default::default()
    })
}

/// The identity of an endpoint across syncs: its pod.
fn endpoint_id(e: &Endpoint) -> String {
    e.target_ref
        .as_ref()
        .and_then(|r| r.uid.clone())
        .unwrap_or_else(|| e.addresses.first().cloned().unwrap_or_default())
}

fn managed_slices(sim: &Sim, svc_uid: &str) -> Vec<Rc<Object>> {
    let mut v: Vec<Rc<Object>> = sim
        .store
        .owned_by(svc_uid)
        .into_iter()
        .filter(|o| {
            o.kind() == Kind::EndpointSlice
                && o.meta()
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(LABEL_MANAGED_BY))
                    .map(String::as_str)
                    == Some(MANAGED_BY)
        })
        .collect();
    crate::sort::sort_by(&mut v, |a, b| a.name().cmp(b.name()));
    v
}

/// One slice as the reconciler will leave it.
struct Planned {
    /// The existing slice it rewrites, if any.
    existing: Option<Rc<Object>>,
    ports: Vec<EndpointPort>,
    endpoints: Vec<Endpoint>,
}

/// Runs `f` with the endpoint controllers' own random stream in place of the shared one: the names
/// and UIDs of Endpoints and EndpointSlices come from it, so whether Services exist never changes
/// the names of the default cluster's or the learner's pods.
pub(crate) fn with_own_rng<T>(sim: &mut Sim, f: impl FnOnce(&mut Sim) -> T) -> T {
    super::with_stream(sim, |c| &mut c.endpoint_rng, 0x00e0_d901_5c11_ce00, f)
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    with_own_rng(sim, |sim| sync(sim, key));
}

fn sync(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(svc) = obj.as_service() else { return };
    if svc.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(sel) = selector(svc).cloned() else {
        return;
    };
    if svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName") {
        return;
    }

    // Desired endpoints, grouped by the ports they serve.
    let pods = pods_for(sim, &key.namespace, &sel);
    let members: Vec<&Pod> = pods
        .iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| should_be_in_endpoints(p, true))
        .collect();
    let mut desired: BTreeMap<PortsKey, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
    let headless_no_ports = is_headless(svc)
        && svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .is_none_or(|p| p.is_empty());
    for pod in &members {
        let ports = endpoint_ports(svc, pod);
        if ports.is_empty() && !headless_no_ports {
            continue;
        }
        let Some(ep) = pod_to_endpoint(sim, svc, pod) else {
            continue;
        };
        let entry = desired
            .entry(ports_key(&ports))
            .or_insert_with(|| (ports, Vec::new()));
        entry.1.push(ep);
    }

    // Keep endpoints in the slice they are in; empty slices become free for reuse.
    let existing = managed_slices(sim, obj.uid());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut plans: Vec<Planned> = Vec::new();
    let mut free: Vec<Rc<Object>> = Vec::new();
    for o in &existing {
        let Some(s) = o.as_endpointslice() else {
            continue;
        };
        let pk = ports_key(s.ports.as_deref().unwrap_or(&[]));
        let Some((ports, want)) = desired.get(&pk) else {
            free.push(o.clone());
            continue;
        };
        let by_id: BTreeMap<String, &Endpoint> = want.iter().map(|e| (endpoint_id(e), e)).collect();
        let mut kept = Vec::new();
        for e in &s.endpoints {
            let id = endpoint_id(e);
            if let Some(w) = by_id.get(&id) {
                if placed.insert(id) {
                    kept.push((*w).clone());
                }
            }
        }
        if kept.is_empty() {
            free.push(o.clone());
        } else {
            plans.push(Planned {
                existing: Some(o.clone()),
                ports: ports.clone(),
                endpoints: kept,
            });
        }
    }
    // New endpoints: into slices of the same ports with room, then reused or new slices.
    for (pk, (ports, want)) in &desired {
        let mut rest: Vec<Endpoint> = want
            .iter()
            .filter(|e| !placed.contains(&endpoint_id(e)))
            .cloned()
            .collect();
        for plan in plans.iter_mut().filter(|p| ports_key(&p.ports) == *pk) {
            while plan.endpoints.len() < MAX_ENDPOINTS_PER_SLICE && !rest.is_empty() {
                plan.endpoints.push(rest.remove(0));
            }
        }
        while !rest.is_empty() {
            let n = rest.len().min(MAX_ENDPOINTS_PER_SLICE);
            let chunk: Vec<Endpoint> = rest.drain(..n).collect();
            let existing = if free.is_empty() {
                None
            } else {
                Some(free.remove(0))
            };
            plans.push(Planned {
                existing,
                ports: ports.clone(),
                endpoints: chunk,
            });
        }
    }
    // No endpoints at all: one placeholder slice without ports.
    if plans.is_empty() {
        let existing = if free.is_empty() {
            None
        } else {
            Some(free.remove(0))
        };
        plans.push(Planned {
            existing,
            ports: Vec::new(),
            endpoints: Vec::new(),
        });
    }

    let labels = slice_labels(svc);
    let trigger = trigger_time(svc, &members);
    let total: usize = plans.iter().map(|p| p.endpoints.len()).sum();
    let mut created = Vec::new();
    let mut updated = Vec::new();
    for plan in plans {
        let ports = if plan.ports.is_empty() {
            None
        } else {
            Some(plan.ports)
        };
        match plan.existing {
            Some(o) => {
                let Some(old) = o.as_endpointslice() else {
                    continue;
                };
                if old.endpoints == plan.endpoints
                    && old.ports == ports
                    && old.metadata.labels.as_ref() == Some(&labels)
                {
                    continue;
                }
                let mut s = old.clone();
                s.endpoints = plan.endpoints;
                s.ports = ports;
                s.metadata.labels = Some(labels.clone());
                set_trigger(&mut s.metadata, &trigger);
                if sim.update(Object::EndpointSlice(s)).is_ok() {
                    updated.push(o.name().to_string());
                }
            }
            None => {
                let mut meta = ObjectMeta {
                    generate_name: Some(format!("{}-", key.name)),
                    namespace: Some(key.namespace.clone()),
                    labels: Some(labels.clone()),
                    owner_references: Some(vec![new_controller_ref(Kind::Service, &svc.metadata)]),
                    ..Default::default()
                };
                set_trigger(&mut meta, &trigger);
                let s = EndpointSlice {
                    metadata: meta,
                    address_type: "IPv4".into(),
                    endpoints: plan.endpoints,
                    ports,
                };
                if let Ok(c) = sim.create(Object::EndpointSlice(s)) {
                    created.push(c.name().to_string());
                }
            }
        }
    }
    let mut deleted = Vec::new();
    for o in free {
        if sim.delete(&ObjKey::of(&o), None).is_ok() {
            deleted.push(o.name().to_string());
        }
    }
    if !(created.is_empty() && updated.is_empty() && deleted.is_empty()) {
        let ready = members
            .iter()
            .filter(|p| podutil::is_ready(p) && p.metadata.deletion_timestamp.is_none())
            .count();
        let mut what = Vec::new();
        if !created.is_empty() {
            what.push(format!("created {}", created.join(", ")));
        }
        if !updated.is_empty() {
            what.push(format!("updated {}", updated.join(", ")));
        }
        if !deleted.is_empty() {
            what.push(format!("deleted {}", deleted.join(", ")));
        }
        sim.decide(
            COMPONENT,
            format!(
                "Service {} selects {} with an IP ({} ready); {}",
                key.name,
                plural(total, "endpoint"),
                ready,
                what.join("; ")
            ),
        );
    }
}

fn plural(n: usize, w: &str) -> String {
    if n == 1 {
        format!("1 {w}")
    } else {
        format!("{n} {w}s")
    }
}

fn slice_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut l = service_labels(svc);
    l.insert(
        LABEL_SERVICE_NAME.into(),
        svc.metadata.name.clone().unwrap_or_default(),
    );
    l.insert(LABEL_MANAGED_BY.into(), MANAGED_BY.into());
    l
}

pub(crate) fn set_trigger(meta: &mut ObjectMeta, trigger: &Option<String>) {
    let a = meta.annotations.get_or_insert_with(BTreeMap::new);
    match trigger {
        Some(t) => {
            a.insert(ANNOTATION_TRIGGER_TIME.into(), t.clone());
        }
        None => {
            a.remove(ANNOTATION_TRIGGER_TIME);
        }
    }
    if a.is_empty() {
        meta.annotations = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec};

    fn pod_with_ports(ports: &[(&str, i32, &str)]) -> Pod {
        Pod {
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "c".into(),
                    ports: Some(
                        ports
                            .iter()
                            .map(|(n, p, proto)| ContainerPort {
                                name: Some(n.to_string()),
                                container_port: *p,
                                protocol: Some(proto.to_string()),
                                ..Default::default()
                            })
                            .collect(),
                    ),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn find_port_by_number_and_name() {
        let pod = pod_with_ports(&[("http", 8080, "TCP"), ("dns", 53, "UDP")]);
        let sp = |t: IntOrString, proto: &str| ServicePort {
            port: 80,
            target_port: Some(t),
            protocol: Some(proto.into()),
            ..Default::default()
        };
        assert_eq!(
            find_port(&pod, &sp(IntOrString::Int(9376), "TCP")),
            Some(9376)
        );
        assert_eq!(
            find_port(&pod, &sp(IntOrString::String("http".into()), "TCP")),
            Some(8080)
        );
        assert_eq!(
            find_port(&pod, &sp(IntOrString::String("dns".into()), "TCP")),
            None,
            "protocol must match"
        );
        assert_eq!(
            find_port(&pod, &sp(IntOrString::String("dns".into()), "UDP")),
            Some(53)
        );
        assert_eq!(
            find_port(&pod, &sp(IntOrString::String("nope".into()), "TCP")),
            None
        );
    }
}
