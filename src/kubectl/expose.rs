//! `kubectl expose (TYPE NAME | TYPE/NAME) [--port] [--target-port] [--type] [--name] ...`, as
//! kubectl 1.32 does it (`pkg/cmd/expose/expose.go`, `polymorphichelpers`): the selector comes from
//! the exposed object (a Deployment's or ReplicaSet's `matchLabels`, a pod's labels, a Service's
//! selector), the ports from its containers (or the Service's ports) unless `--port` is given, the
//! protocols from the matching container ports, the labels from the object unless `--labels`; the
//! result prints `service/NAME exposed`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodSpec, Service, ServicePort, ServiceSpec, ServiceStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::args::{self, flag, FlagSpec, Parsed};
use super::outcome::Outcome;
use super::printers::yaml;
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::{ApiError, Sim};

pub(crate) const FLAGS: &[FlagSpec] = &[
    flag("protocol", None, true),
    flag("port", None, true),
    flag("type", None, true),
    flag("load-balancer-ip", None, true),
    flag("selector", None, true),
    flag("labels", Some('l'), true),
    flag("target-port", None, true),
    flag("external-ip", None, true),
    flag("name", None, true),
    flag("session-affinity", None, true),
    flag("cluster-ip", None, true),
    flag("field-manager", None, true),
    flag("overrides", None, true),
    flag("override-type", None, true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("save-config", None, false),
    flag("record", None, false),
    flag("filename", Some('f'), true),
    flag("kustomize", Some('k'), true),
    flag("recursive", Some('R'), false),
    flag("template", None, true),
    flag("allow-missing-template-keys", None, false),
    flag("show-managed-fields", None, false),
];

/// `DNS1035LabelMaxLength`: a default name longer than this is cut.
const MAX_NAME: usize = 63;

fn err(msg: impl std::fmt::Display) -> Outcome {
    Outcome::err(format!("error: {msg}\n"))
}

/// The option values that carry over from one exposed object to the next, as kubectl's options
/// struct does (it fills empty fields from the first object and keeps them).
#[derive(Default)]
struct Opts {
    selector: String,
    port: String,
    ports: String,
    labels: String,
    protocols: BTreeMap<String, Vec<String>>,
}

pub fn expose(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, FLAGS, "kubectl expose") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let dry = p.get("dry-run").unwrap_or("none").to_string();
    if !matches!(
        dry.as_str(),
        "none" | "client" | "server" | "true" | "false"
    ) {
        return err(format!(
            "Invalid dry-run value ({dry}). Must be \"none\", \"server\", or \"client\"."
        ));
    }
    let output = p.get("output").unwrap_or("").to_string();
    if !matches!(output.as_str(), "" | "yaml" | "json" | "name") {
        return err(format!(
            "unable to match a printer suitable for the output format \"{output}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
        ));
    }
    if p.has("filename") || p.has("kustomize") {
        return err("kubectl expose -f is not available in kubeplay yet; name the object: kubectl expose TYPE NAME");
    }
    let targets = match super::cmd::split_targets(&p.args) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let ns = p.namespace();
    let mut o = Opts {
        selector: p.get("selector").unwrap_or("").to_string(),
        port: p.get("port").unwrap_or("").to_string(),
        labels: p.get("labels").unwrap_or("").to_string(),
        ..Default::default()
    };
    let mut out = Outcome::default();
    for (kind, name) in targets {
        let r = expose_one(sim, &p, &mut o, kind, &name, &ns, &dry, &output);
        out.stdout.push_str(&r.stdout);
        out.stderr.push_str(&r.stderr);
        if r.exit_code != 0 {
            out.exit_code = r.exit_code;
            break;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn expose_one(
    sim: &mut Sim,
    p: &Parsed,
    o: &mut Opts,
    kind: Kind,
    name: &str,
    ns: &str,
    dry: &str,
    output: &str,
) -> Outcome {
    let key = ObjKey::new(kind, if kind.namespaced() { ns } else { "" }, name);
    let Some(obj) = sim.get(&key).cloned() else {
        return Outcome::err(format!(
            "{}\n",
            ApiError::not_found(kind, name).kubectl_message()
        ));
    };
    if !matches!(
        kind,
        Kind::Pod | Kind::Service | Kind::Deployment | Kind::ReplicaSet
    ) {
        let gk = if kind.group().is_empty() {
            kind.name().to_string()
        } else {
            format!("{}.{}", kind.name(), kind.group())
        };
        return err(format!("cannot expose a {gk}"));
    }
    let default_name: String = name.chars().take(MAX_NAME).collect();

    if o.selector.is_empty() {
        match selector_for(&obj) {
            Ok(s) => o.selector = s,
            Err(e) => {
                return err(format!(
                    "couldn't retrieve selectors via --selector flag or introspection: {e}"
                ))
            }
        }
    }
    let headless = p.get("cluster-ip") == Some("None");
    if o.port.is_empty() {
        let ports = ports_for(&obj);
        match ports.len() {
            0 if !headless => return err("couldn't find port via --port flag or introspection"),
            0 => {}
            1 => o.port = ports[0].clone(),
            _ => o.ports = ports.join(","),
        }
    }
    let protocols = protocols_for(&obj);
    if !protocols.is_empty() {
        o.protocols = protocols;
    }
    if o.labels.is_empty() {
        o.labels = obj
            .meta()
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
    }

    let svc = match create_service(p, o, &default_name) {
        Ok(s) => s,
        Err(e) => return err(e),
    };
    let svc_name = svc.metadata.name.clone().unwrap_or_default();
    let print = |v: &serde_json::Value, suffix: &str| match output {
        "yaml" => Outcome::ok(yaml(v)),
        "json" => Outcome::ok(super::printers::json_typed(v)),
        "name" => Outcome::ok(format!("service/{svc_name}\n")),
        _ => Outcome::ok(format!("service/{svc_name} exposed{suffix}\n")),
    };
    if dry == "client" || dry == "true" {
        let mut svc = svc;
        if p.get("namespace").is_some() {
            svc.metadata.namespace = Some(ns.to_string());
        }
        let mut v = Object::Service(svc).to_json_value();
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert("creationTimestamp".into(), serde_json::Value::Null);
        }
        return print(&v, " (dry run)");
    }
    let mut svc = svc;
    svc.metadata.namespace = Some(ns.to_string());
    if let Some(e) = server_validation(&svc) {
        return Outcome::err(format!("{}\n", e.kubectl_message()));
    }
    match sim.create(Object::Service(svc)) {
        Ok(created) => print(&created.to_json_value(), ""),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

/// `MakeLabels`: `k=v` joined with commas.
fn make_labels(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Go's `%+v` of `[]metav1.LabelSelectorRequirement`.
fn expressions_go(sel: &LabelSelector) -> String {
    let items: Vec<String> = sel
        .match_expressions
        .iter()
        .flatten()
        .map(|e| {
            format!(
                "{{Key:{} Operator:{} Values:[{}]}}",
                e.key,
                e.operator,
                e.values.clone().unwrap_or_default().join(" ")
            )
        })
        .collect();
    format!("[{}]", items.join(" "))
}

/// `mapBasedSelectorForObject`.
fn selector_for(obj: &Object) -> Result<String, String> {
    let workload = |sel: Option<&LabelSelector>, what: &str| {
        let Some(sel) = sel.filter(|s| s.match_labels.as_ref().is_some_and(|m| !m.is_empty()))
        else {
            return Err(format!(
                "invalid {what}: no selectors, therefore cannot be exposed"
            ));
        };
        if sel
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            return Err(format!(
                "couldn't convert expressions - \"{}\" to map-based selector format",
                expressions_go(sel)
            ));
        }
        Ok(make_labels(
            sel.match_labels.as_ref().unwrap_or(&BTreeMap::new()),
        ))
    };
    match obj {
        Object::Pod(pod) => match pod.metadata.labels.as_ref().filter(|l| !l.is_empty()) {
            Some(l) => Ok(make_labels(l)),
            None => Err("the pod has no labels and cannot be exposed".into()),
        },
        Object::Service(svc) => match svc.spec.as_ref().and_then(|s| s.selector.as_ref()) {
            Some(s) => Ok(make_labels(s)),
            None => Err("the service has no pod selector set".into()),
        },
        Object::Deployment(d) => workload(d.spec.as_ref().map(|s| &s.selector), "deployment"),
        Object::ReplicaSet(rs) => workload(rs.spec.as_ref().map(|s| &s.selector), "replicaset"),
        _ => Err("cannot extract pod selector".into()),
    }
}

fn pod_spec(obj: &Object) -> Option<&PodSpec> {
    match obj {
        Object::Pod(p) => p.spec.as_ref(),
        Object::Deployment(d) => d.spec.as_ref()?.template.spec.as_ref(),
        Object::ReplicaSet(rs) => rs.spec.as_ref()?.template.as_ref()?.spec.as_ref(),
        _ => None,
    }
}

/// `portsForObject`: container ports (or a Service's ports), de-duplicated, in order.
fn ports_for(obj: &Object) -> Vec<String> {
    let nums: Vec<i32> = match obj {
        Object::Service(svc) => svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .map(|ps| ps.iter().map(|p| p.port).collect())
            .unwrap_or_default(),
        _ => pod_spec(obj)
            .map(|s| {
                s.containers
                    .iter()
                    .flat_map(|c| c.ports.iter().flatten())
                    .map(|p| p.container_port)
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut out: Vec<String> = Vec::new();
    for n in nums {
        let s = n.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `multiProtocolsForObject`: port -> protocols, in container order.
fn protocols_for(obj: &Object) -> BTreeMap<String, Vec<String>> {
    let pairs: Vec<(i32, String)> = match obj {
        Object::Service(svc) => svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        (
                            p.port,
                            p.protocol
                                .clone()
                                .filter(|x| !x.is_empty())
                                .unwrap_or_else(|| "TCP".into()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => pod_spec(obj)
            .map(|s| {
                s.containers
                    .iter()
                    .flat_map(|c| c.ports.iter().flatten())
                    .map(|p| {
                        (
                            p.container_port,
                            p.protocol
                                .clone()
                                .filter(|x| !x.is_empty())
                                .unwrap_or_else(|| "TCP".into()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (port, proto) in pairs {
        m.entry(port.to_string()).or_default().push(proto);
    }
    m
}

/// `parseLabels`.
fn parse_labels(spec: &str) -> Result<BTreeMap<String, String>, String> {
    if spec.is_empty() {
        return Err("no label spec passed".into());
    }
    let mut m = BTreeMap::new();
    for item in spec.split(',') {
        let parts: Vec<&str> = item.split('=').collect();
        if parts.len() != 2 {
            return Err(format!("unexpected label spec: {item}"));
        }
        if parts[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        m.insert(parts[0].to_string(), parts[1].to_string());
    }
    Ok(m)
}

/// Go's `strconv.Atoi` error text.
fn atoi(s: &str) -> Result<i32, String> {
    let valid = !s.is_empty()
        && s.trim_start_matches(['+', '-'])
            .bytes()
            .all(|b| b.is_ascii_digit())
        && s.len() > usize::from(s.starts_with(['+', '-']));
    if !valid {
        return Err(format!("strconv.Atoi: parsing \"{s}\": invalid syntax"));
    }
    s.parse::<i32>()
        .map_err(|_| format!("strconv.Atoi: parsing \"{s}\": value out of range"))
}

/// `createService`.
fn create_service(p: &Parsed, o: &Opts, default_name: &str) -> Result<Service, String> {
    if o.selector.is_empty() {
        return Err("selector must be specified".into());
    }
    let selector = parse_labels(&o.selector)?;
    let labels = if o.labels.is_empty() {
        None
    } else {
        Some(parse_labels(&o.labels)?)
    };
    let name = match p.get("name").filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None if !default_name.is_empty() => default_name.to_string(),
        None => return Err("name must be specified".into()),
    };
    let port_string = if o.ports.is_empty() {
        o.port.as_str()
    } else {
        o.ports.as_str()
    };
    let flag_protocol = p.get("protocol").unwrap_or("");
    let mut ports: Vec<ServicePort> = Vec::new();
    if !port_string.is_empty() {
        let list: Vec<&str> = port_string.split(',').collect();
        for (i, s) in list.iter().enumerate() {
            let port = atoi(s)?;
            let port_name = if list.len() > 1 {
                Some(format!("port-{}", i + 1))
            } else {
                None
            };
            let mut protocol = flag_protocol.to_string();
            if protocol.is_empty() {
                protocol = "TCP".into();
                if let Some(ps) = o.protocols.get(*s) {
                    if ps.len() == 1 {
                        protocol = ps[0].clone();
                    } else {
                        for proto in ps {
                            ports.push(ServicePort {
                                name: Some(format!(
                                    "port-{}-{}",
                                    i + 1,
                                    proto.to_ascii_lowercase()
                                )),
                                port,
                                protocol: Some(proto.clone()),
                                ..Default::default()
                            });
                        }
                        continue;
                    }
                }
            }
            ports.push(ServicePort {
                name: port_name,
                port,
                protocol: Some(protocol),
                ..Default::default()
            });
        }
    }
    // `intstr.Parse`: a number if it is one, else a name; the same target for every port.
    let target = p.get("target-port").filter(|t| !t.is_empty());
    for sp in &mut ports {
        sp.target_port = Some(match target {
            Some(t) => match t.parse::<i32>() {
                Ok(n) => IntOrString::Int(n),
                Err(_) => IntOrString::String(t.to_string()),
            },
            None => IntOrString::Int(sp.port),
        });
    }
    let mut spec = ServiceSpec {
        selector: Some(selector),
        ports: if ports.is_empty() { None } else { Some(ports) },
        ..Default::default()
    };
    if let Some(ip) = p.get("external-ip").filter(|s| !s.is_empty()) {
        spec.external_ips = Some(vec![ip.to_string()]);
    }
    if let Some(t) = p.get("type").filter(|s| !s.is_empty()) {
        spec.type_ = Some(t.to_string());
    }
    if spec.type_.as_deref() == Some("LoadBalancer") {
        spec.load_balancer_ip = p
            .get("load-balancer-ip")
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    }
    if let Some(a) = p.get("session-affinity").filter(|s| !s.is_empty()) {
        match a {
            "None" | "ClientIP" => spec.session_affinity = Some(a.to_string()),
            _ => return Err(format!("unknown session affinity: {a}")),
        }
    }
    if let Some(ip) = p.get("cluster-ip").filter(|s| !s.is_empty()) {
        spec.cluster_ip = Some(ip.to_string());
    }
    Ok(Service {
        metadata: ObjectMeta {
            name: Some(name),
            labels,
            ..Default::default()
        },
        spec: Some(spec),
        status: Some(ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        }),
    })
}

/// What the API server's Service validation says about fields `expose` can set wrongly.
fn server_validation(svc: &Service) -> Option<ApiError> {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let spec = svc.spec.as_ref()?;
    let mut causes = Vec::new();
    match spec.type_.as_deref() {
        None | Some("ClusterIP") | Some("NodePort") | Some("LoadBalancer") => {}
        Some("ExternalName") => causes.push("spec.externalName: Required value".to_string()),
        Some(t) => causes.push(format!(
            "spec.type: Unsupported value: \"{t}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        )),
    }
    for (i, p) in spec.ports.iter().flatten().enumerate() {
        if !(1..=65535).contains(&p.port) {
            causes.push(format!(
                "spec.ports[{i}].port: Invalid value: {}: must be between 1 and 65535, inclusive",
                p.port
            ));
        }
        match p.protocol.as_deref() {
            Some("TCP") | Some("UDP") | Some("SCTP") | None => {}
            Some(x) => causes.push(format!("spec.ports[{i}].protocol: Unsupported value: \"{x}\": supported values: \"SCTP\", \"TCP\", \"UDP\"")),
        }
        if let Some(IntOrString::Int(n)) = p.target_port {
            if !(1..=65535).contains(&n) {
                causes.push(format!("spec.ports[{i}].targetPort: Invalid value: {n}: must be between 1 and 65535, inclusive"));
            }
        }
    }
    if causes.is_empty() {
        None
    } else {
        Some(ApiError::invalid(Kind::Service, &name, &causes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_atoi_errors() {
        assert_eq!(atoi("80"), Ok(80));
        assert_eq!(
            atoi("http"),
            Err("strconv.Atoi: parsing \"http\": invalid syntax".to_string())
        );
        assert_eq!(
            atoi("-"),
            Err("strconv.Atoi: parsing \"-\": invalid syntax".to_string())
        );
        assert!(atoi("99999999999").is_err());
    }

    #[test]
    fn label_specs() {
        assert_eq!(parse_labels("a=b,c=d").map(|m| m.len()), Ok(2));
        assert_eq!(
            parse_labels("a"),
            Err("unexpected label spec: a".to_string())
        );
        assert_eq!(
            parse_labels("=b"),
            Err("unexpected empty label key".to_string())
        );
    }
}
