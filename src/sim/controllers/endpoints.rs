//! The Endpoints controller (`pkg/controller/endpoint`): one `v1 Endpoints` object per Service with
//! a selector, named after the Service, whose subsets list ready pods under `addresses` and the
//! others under `notReadyAddresses` (terminating pods are left out unless the Service publishes
//! not-ready addresses), each with `nodeName` and a `targetRef` to the pod, grouped by the ports
//! they serve and sorted as `endpoints.RepackSubsets` sorts them. It deletes the Endpoints of a
//! Service that is gone.
//!
//! Also the API server's own endpoint reconciler for the `kubernetes` Service: the Endpoints and
//! the EndpointSlice `kubernetes` point at the API server on the control-plane node (`:6443`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod};
use k8s_openapi::api::discovery::v1::{
    Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::super::object::{Kind, Object};
use super::super::podutil;
use super::super::store::ObjKey;
use super::super::Sim;
use super::endpointslice::{
    find_port, hostname, is_headless, pod_ip, pod_ref, pods_for, publish_not_ready, selector,
    service_labels, set_trigger, should_be_in_endpoints, trigger_time, with_own_rng,
    LABEL_SERVICE_NAME,
};

const COMPONENT: &str = "endpoint-controller";
const APISERVER: &str = "kube-apiserver";
/// The API server's secure port on the control-plane node.
pub const APISERVER_PORT: i32 = 6443;

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    with_own_rng(sim, |sim| sync(sim, key));
}

fn sync(sim: &mut Sim, key: &ObjKey) {
    let ep_key = ObjKey::new(Kind::Endpoints, &key.namespace, &key.name);
    let Some(obj) = sim.store.get(key).cloned() else {
        // The Service is gone: so are its Endpoints (if this controller made them).
        if sim.store.contains(&ep_key) && sim.delete(&ep_key, None).is_ok() {
            sim.decide(
                COMPONENT,
                format!("Service {} is gone; deleted its Endpoints", key.name),
            );
        }
        return;
    };
    let Some(svc) = obj.as_service() else { return };
    if key.namespace == "default" && key.name == "kubernetes" {
        apiserver_endpoints(sim);
        return;
    }
    if svc.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(sel) = selector(svc).cloned() else {
        return;
    };
    // Services of type ExternalName get no Endpoints from this controller.
    if svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName") {
        return;
    }

    let include_terminating = publish_not_ready(svc);
    let pods = pods_for(sim, &key.namespace, &sel);
    let members: Vec<&Pod> = pods
        .iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| should_be_in_endpoints(p, include_terminating))
        .collect();
    let svc_ports = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();

    // Port set -> (ready, not ready) addresses.
    type Group = (
        Vec<EndpointPort>,
        Vec<EndpointAddress>,
        Vec<EndpointAddress>,
    );
    let mut groups: BTreeMap<Vec<(String, i32, String)>, Group> = BTreeMap::new();
    for pod in &members {
        let Some(ip) = pod_ip(pod) else { continue };
        let addr = EndpointAddress {
            ip,
            hostname: hostname(pod, svc),
            node_name: podutil::node(pod).map(str::to_string),
            target_ref: Some(pod_ref(pod)),
        };
        let ready = publish_not_ready(svc) || podutil::is_ready(pod);
        let ports: Vec<EndpointPort> = svc_ports
            .iter()
            .filter_map(|sp| {
                Some(EndpointPort {
                    name: sp.name.clone().filter(|n| !n.is_empty()),
                    port: find_port(pod, sp)?,
                    protocol: Some(sp.protocol.clone().unwrap_or_else(|| "TCP".into())),
                    app_protocol: sp.app_protocol.clone(),
                })
            })
            .collect();
        if ports.is_empty() && !(is_headless(svc) && svc_ports.is_empty()) {
            continue;
        }
        let k = ports
            .iter()
            .map(|p| {
                (
                    p.name.clone().unwrap_or_default(),
                    p.port,
                    p.protocol.clone().unwrap_or_default(),
                )
            })
            .collect();
        let g = groups
            .entry(k)
            .or_insert_with(|| (ports, Vec::new(), Vec::new()));
        if ready {
            g.1.push(addr);
        } else {
            g.2.push(addr);
        }
    }
    let by_ip = |a: &EndpointAddress, b: &EndpointAddress| {
        a.ip.cmp(&b.ip).then_with(|| {
            let uid = |x: &EndpointAddress| x.target_ref.as_ref().and_then(|r| r.uid.clone());
            uid(a).cmp(&uid(b))
        })
    };
    let subsets: Vec<EndpointSubset> = groups
        .into_values()
        .map(|(ports, mut ready, mut not_ready)| {
            crate::sort::sort_by(&mut ready, by_ip);
            crate::sort::sort_by(&mut not_ready, by_ip);
            EndpointSubset {
                addresses: if ready.is_empty() { None } else { Some(ready) },
                not_ready_addresses: if not_ready.is_empty() {
                    None
                } else {
                    Some(not_ready)
                },
                ports: if ports.is_empty() { None } else { Some(ports) },
            }
        })
        .collect();
    let subsets = if subsets.is_empty() {
        None
    } else {
        Some(subsets)
    };
    let labels = service_labels(svc);
    let labels = if labels.is_empty() {
        None
    } else {
        Some(labels)
    };
    let trigger = trigger_time(svc, &members);

    match sim.store.get(&ep_key).cloned() {
        Some(o) => {
            let Some(old) = o.as_endpoints() else { return };
            if old.subsets == subsets && old.metadata.labels == labels {
                return;
            }
            let mut e = old.clone();
            e.subsets = subsets;
            e.metadata.labels = labels;
            set_trigger(&mut e.metadata, &trigger);
            if sim.update(Object::Endpoints(e.clone())).is_ok() {
                sim.decide(
                    COMPONENT,
                    format!("Endpoints {}: {}", key.name, summary(&e)),
                );
            }
        }
        None => {
            let mut meta = ObjectMeta {
                name: Some(key.name.clone()),
                namespace: Some(key.namespace.clone()),
                labels,
                ..Default::default()
            };
            set_trigger(&mut meta, &trigger);
            let e = Endpoints {
                metadata: meta,
                subsets,
            };
            if sim.create(Object::Endpoints(e.clone())).is_ok() {
                sim.decide(
                    COMPONENT,
                    format!("created Endpoints {}: {}", key.name, summary(&e)),
                );
            }
        }
    }
}

/// `3 ready (10.244.1.2, ...), 1 not ready` for the narration.
fn summary(e: &Endpoints) -> String {
    let subsets = e.subsets.as_deref().unwrap_or(&[]);
    let ready: Vec<&str> = subsets
        .iter()
        .flat_map(|s| s.addresses.iter().flatten())
        .map(|a| a.ip.as_str())
        .collect();
    let not_ready = subsets
        .iter()
        .map(|s| s.not_ready_addresses.as_ref().map_or(0, |v| v.len()))
        .sum::<usize>();
    let mut s = format!("{} ready", ready.len());
    if !ready.is_empty() {
        s.push_str(&format!(" ({})", ready.join(", ")));
    }
    if not_ready > 0 {
        s.push_str(&format!(", {not_ready} not ready"));
    }
    s
}

/// The control-plane node's InternalIP, where the API server listens.
fn apiserver_ip(sim: &Sim) -> String {
    let name = format!("{}-control-plane", sim.config.cluster_name);
    sim.store
        .get(&ObjKey::new(Kind::Node, "", &name))
        .and_then(|n| {
            n.as_node()?
                .status
                .as_ref()?
                .addresses
                .as_ref()?
                .iter()
                .find(|a| a.type_ == "InternalIP")
                .map(|a| a.address.clone())
        })
        .unwrap_or_else(|| "172.18.0.2".into())
}

/// The API server's endpoint reconciler: `default/kubernetes` Endpoints and EndpointSlice.
fn apiserver_endpoints(sim: &mut Sim) {
    let ip = apiserver_ip(sim);
    let port_name = "https".to_string();
    let ep_key = ObjKey::new(Kind::Endpoints, "default", "kubernetes");
    let subsets = Some(vec![EndpointSubset {
        addresses: Some(vec![EndpointAddress {
            ip: ip.clone(),
            ..Default::default()
        }]),
        not_ready_addresses: None,
        ports: Some(vec![EndpointPort {
            name: Some(port_name.clone()),
            port: APISERVER_PORT,
            protocol: Some("TCP".into()),
            app_protocol: None,
        }]),
    }]);
    let labels: BTreeMap<String, String> = [(
        "endpointslice.kubernetes.io/skip-mirror".to_string(),
        "true".to_string(),
    )]
    .into();
    let want = Endpoints {
        metadata: ObjectMeta {
            name: Some("kubernetes".into()),
            namespace: Some("default".into()),
            labels: Some(labels),
            ..Default::default()
        },
        subsets,
    };
    match sim
        .store
        .get(&ep_key)
        .and_then(|o| o.as_endpoints().cloned())
    {
        Some(old) if old.subsets == want.subsets && old.metadata.labels == want.metadata.labels => {
        }
        Some(old) => {
            let mut e = old;
            e.subsets = want.subsets;
            e.metadata.labels = want.metadata.labels;
            let _ = sim.update(Object::Endpoints(e));
        }
        None => {
            if sim.create(Object::Endpoints(want)).is_ok() {
                sim.decide(
                    APISERVER,
                    format!("Endpoints kubernetes: the API server at {ip}:{APISERVER_PORT}"),
                );
            }
        }
    }
    let slice_key = ObjKey::new(Kind::EndpointSlice, "default", "kubernetes");
    let slice_labels: BTreeMap<String, String> =
        [(LABEL_SERVICE_NAME.to_string(), "kubernetes".to_string())].into();
    let endpoints = vec![Endpoint {
        addresses: vec![ip],
        conditions: Some(EndpointConditions {
            ready: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }];
    let ports = Some(vec![SlicePort {
        name: Some(port_name),
        port: Some(APISERVER_PORT),
        protocol: Some("TCP".into()),
        app_protocol: None,
    }]);
    match sim
        .store
        .get(&slice_key)
        .and_then(|o| o.as_endpointslice().cloned())
    {
        Some(old) if old.endpoints == endpoints && old.ports == ports => {}
        Some(old) => {
            let mut s = old;
            s.endpoints = endpoints;
            s.ports = ports;
            let _ = sim.update(Object::EndpointSlice(s));
        }
        None => {
            let s = EndpointSlice {
                metadata: ObjectMeta {
                    name: Some("kubernetes".into()),
                    namespace: Some("default".into()),
                    labels: Some(slice_labels),
                    ..Default::default()
                },
                address_type: "IPv4".into(),
                endpoints,
                ports,
            };
            let _ = sim.create(Object::EndpointSlice(s));
        }
    }
}

/// What `kubectl get endpoints` prints in ENDPOINTS (`formatEndpoints`): ready `ip:port` pairs,
/// three at most, then ` + N more...`; `<none>` without subsets.
pub fn format_endpoints(e: &Endpoints) -> String {
    let subsets = match e.subsets.as_deref() {
        None | Some([]) => return "<none>".into(),
        Some(s) => s,
    };
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let (mut more, mut count) = (false, 0);
    for ss in subsets {
        let addrs = ss.addresses.as_deref().unwrap_or(&[]);
        let ports = ss.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for p in ports {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(&a.ip, p.port));
            }
        }
    }
    let s = list.join(",");
    if more {
        format!("{s} + {} more...", count - MAX)
    } else {
        s
    }
}

fn join_host_port(ip: &str, port: i32) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// `kubectl get endpointslices` PORTS and ENDPOINTS (`formatDiscoveryPorts`,
/// `formatDiscoveryEndpoints`): three at most then ` + N more...`, `<unset>` when empty.
pub fn format_slice(s: &EndpointSlice) -> (String, String) {
    let ports: Vec<String> = s
        .ports
        .iter()
        .flatten()
        .map(|p| match (p.port, &p.name) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".into(),
        })
        .collect();
    let addrs: Vec<String> = s
        .endpoints
        .iter()
        .flat_map(|e| e.addresses.iter().cloned())
        .collect();
    (list_with_more(&ports), list_with_more(&addrs))
}

fn list_with_more(items: &[String]) -> String {
    const MAX: usize = 3;
    if items.len() > MAX {
        return format!("{} + {} more...", items[..MAX].join(","), items.len() - MAX);
    }
    if items.is_empty() {
        "<unset>".into()
    } else {
        items.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(ip: &str) -> EndpointAddress {
        EndpointAddress {
            ip: ip.into(),
            ..Default::default()
        }
    }

    #[test]
    fn endpoints_column() {
        let port = |n: i32| EndpointPort {
            port: n,
            ..Default::default()
        };
        let e = Endpoints {
            subsets: None,
            ..Default::default()
        };
        assert_eq!(format_endpoints(&e), "<none>");
        let e = Endpoints {
            subsets: Some(vec![EndpointSubset {
                addresses: Some(vec![
                    addr("10.244.1.2"),
                    addr("10.244.2.2"),
                    addr("10.244.1.3"),
                    addr("10.244.2.3"),
                ]),
                not_ready_addresses: Some(vec![addr("10.244.1.9")]),
                ports: Some(vec![port(80), port(443)]),
            }]),
            ..Default::default()
        };
        assert_eq!(
            format_endpoints(&e),
            "10.244.1.2:80,10.244.2.2:80,10.244.1.3:80 + 5 more..."
        );
        // Only not-ready addresses: an empty cell, as kubectl prints it.
        let e = Endpoints {
            subsets: Some(vec![EndpointSubset {
                addresses: None,
                not_ready_addresses: Some(vec![addr("10.244.1.9")]),
                ports: Some(vec![port(80)]),
            }]),
            ..Default::default()
        };
        assert_eq!(format_endpoints(&e), "");
    }

    #[test]
    fn slice_columns() {
        let s = EndpointSlice {
            address_type: "IPv4".into(),
            endpoints: vec![],
            ports: None,
            metadata: Default::default(),
        };
        assert_eq!(
            format_slice(&s),
            ("<unset>".to_string(), "<unset>".to_string())
        );
        let ep = |ip: &str| Endpoint {
            addresses: vec![ip.into()],
            ..Default::default()
        };
        let s = EndpointSlice {
            address_type: "IPv4".into(),
            endpoints: vec![
                ep("10.0.0.1"),
                ep("10.0.0.2"),
                ep("10.0.0.3"),
                ep("10.0.0.4"),
                ep("10.0.0.5"),
            ],
            ports: Some(vec![
                SlicePort {
                    port: Some(80),
                    ..Default::default()
                },
                SlicePort {
                    name: Some("x".into()),
                    ..Default::default()
                },
            ]),
            metadata: Default::default(),
        };
        assert_eq!(
            format_slice(&s),
            (
                "80,x".to_string(),
                "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...".to_string()
            )
        );
    }
}
