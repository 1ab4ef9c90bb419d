//! The `kubectl create` generators: namespace, configmap, secret generic, service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, Namespace, Secret, Service, ServiceAccount, ServicePort, ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::ByteString;

use super::apply::Inputs;
use super::args::{self, flag, FlagSpec, Parsed};
use super::outcome::Outcome;
use crate::sim::object::{Kind, Object};
use crate::sim::Sim;

pub(crate) const COMMON: &[FlagSpec] = &[
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("save-config", None, false),
    flag("validate", None, true),
    flag("field-manager", None, true),
    flag("show-managed-fields", None, false),
    flag("template", None, true),
    flag("allow-missing-template-keys", None, false),
];

/// The flags every `create` generator takes, plus its own.
pub(crate) fn parse(words: &[String], extra: &[FlagSpec], path: &str) -> Result<Parsed, Outcome> {
    let all: Vec<FlagSpec> = COMMON.iter().chain(extra.iter()).copied().collect();
    args::parse(words, &all, path).map_err(Outcome::err)
}

pub(crate) fn one_name(p: &Parsed, cmd: &str) -> Result<String, Outcome> {
    if p.args.len() != 1 {
        return Err(Outcome::err(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl create {cmd} -h' for help and examples\n",
            p.args.len()
        )));
    }
    Ok(p.args[0].clone())
}

/// Creates (or, with `--dry-run=client`, prints) a generated object.
fn finish(sim: &mut Sim, p: &Parsed, obj: Object) -> Outcome {
    super::create_job::finish(sim, p, obj, &["/metadata"])
}

fn ns(p: &Parsed, kind: Kind) -> Option<String> {
    if kind.namespaced() {
        Some(p.namespace())
    } else {
        None
    }
}

pub fn namespace(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match parse(words, &[], "kubectl create namespace") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "namespace") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let obj = Object::Namespace(Namespace {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        spec: Some(Default::default()),
        status: Some(Default::default()),
    });
    finish(sim, &p, obj)
}

/// `kubectl create serviceaccount NAME`: an account with nothing but its name (no token Secret
/// is made for it since Kubernetes 1.24; `kubectl create token` would ask for one).
pub fn serviceaccount(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match parse(words, &[], "kubectl create serviceaccount") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "serviceaccount") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let obj = Object::ServiceAccount(ServiceAccount {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: ns(&p, Kind::ServiceAccount),
            ..Default::default()
        },
        ..Default::default()
    });
    finish(sim, &p, obj)
}

/// `--from-literal=k=v` and `--from-file=[key=]path` into (key, bytes), in the order given.
fn sources(p: &Parsed, inputs: &Inputs) -> Result<Vec<(String, Vec<u8>)>, Outcome> {
    let mut out = Vec::new();
    for lit in p.all("from-literal") {
        let Some((k, v)) = lit.split_once('=') else {
            return Err(Outcome::err(format!(
                "error: invalid literal source {lit}, expected key=value\n"
            )));
        };
        if k.is_empty() {
            return Err(Outcome::err(format!(
                "error: invalid literal source {lit}, expected key=value\n"
            )));
        }
        out.push((k.to_string(), v.as_bytes().to_vec()));
    }
    for f in p.all("from-file") {
        let (key, path) = match f.split_once('=') {
            Some((k, path)) => (k.to_string(), path.to_string()),
            None => (f.rsplit('/').next().unwrap_or(&f).to_string(), f.clone()),
        };
        let Some(text) = (inputs.read_file)(&path) else {
            return Err(Outcome::err(format!(
                "error: error reading {path}: no such file or directory\n"
            )));
        };
        out.push((key, text.into_bytes()));
    }
    for (k, _) in &out {
        let valid = !k.is_empty()
            && k.len() <= 253
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !valid {
            return Err(Outcome::err(format!(
                "error: \"{k}\" is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n"
            )));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (k, _) in &out {
        if !seen.insert(k.clone()) {
            return Err(Outcome::err(format!("error: cannot add key \"{k}\", another key by that name already exists in Data for ConfigMap \"\"\n")));
        }
    }
    Ok(out)
}

pub(crate) const DATA_FLAGS: &[FlagSpec] = &[
    flag("from-literal", None, true),
    flag("from-file", None, true),
    flag("from-env-file", None, true),
    flag("append-hash", None, false),
    flag("type", None, true),
];

pub fn configmap(sim: &mut Sim, words: &[String], inputs: &Inputs) -> Outcome {
    let p = match parse(words, DATA_FLAGS, "kubectl create configmap") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "configmap") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let srcs = match sources(&p, inputs) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let mut data = BTreeMap::new();
    let mut binary = BTreeMap::new();
    for (k, v) in srcs {
        match String::from_utf8(v) {
            Ok(s) => {
                data.insert(k, s);
            }
            Err(e) => {
                binary.insert(k, ByteString(e.into_bytes()));
            }
        }
    }
    let obj = Object::ConfigMap(ConfigMap {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: ns(&p, Kind::ConfigMap),
            ..Default::default()
        },
        data: if data.is_empty() { None } else { Some(data) },
        binary_data: if binary.is_empty() {
            None
        } else {
            Some(binary)
        },
        immutable: None,
    });
    finish(sim, &p, obj)
}

pub fn secret(sim: &mut Sim, words: &[String], inputs: &Inputs) -> Outcome {
    match words.first().map(String::as_str) {
        Some("generic") => {}
        Some(t @ ("tls" | "docker-registry")) => {
            return Outcome::err(format!(
                "error: \"kubectl create secret {t}\" is not available in kubeplay yet\n"
            ))
        }
        _ => return Outcome::err(
            "error: Unexpected args: []\nSee 'kubectl create secret -h' for help and examples\n"
                .replace(
                    "[]",
                    &format!("[{}]", words.first().cloned().unwrap_or_default()),
                ),
        ),
    }
    let p = match parse(&words[1..], DATA_FLAGS, "kubectl create secret generic") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "secret generic") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let srcs = match sources(&p, inputs) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let data: BTreeMap<String, ByteString> =
        srcs.into_iter().map(|(k, v)| (k, ByteString(v))).collect();
    let obj = Object::Secret(Secret {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: ns(&p, Kind::Secret),
            ..Default::default()
        },
        data: if data.is_empty() { None } else { Some(data) },
        type_: p.get("type").map(str::to_string),
        ..Default::default()
    });
    finish(sim, &p, obj)
}

pub(crate) const SERVICE_FLAGS: &[FlagSpec] = &[
    flag("tcp", None, true),
    flag("clusterip", None, true),
    flag("node-port", None, true),
    flag("external-name", None, true),
];

pub fn service(sim: &mut Sim, words: &[String]) -> Outcome {
    let (t, svc_type) = match words.first().map(String::as_str) {
        Some("clusterip") => ("clusterip", "ClusterIP"),
        Some("nodeport") => ("nodeport", "NodePort"),
        Some("loadbalancer") => ("loadbalancer", "LoadBalancer"),
        Some("externalname") => ("externalname", "ExternalName"),
        other => {
            return Outcome::err(format!(
            "error: Unexpected args: [{}]\nSee 'kubectl create service -h' for help and examples\n",
            other.unwrap_or("")
        ))
        }
    };
    let p = match parse(
        &words[1..],
        SERVICE_FLAGS,
        &format!("kubectl create service {t}"),
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, &format!("service {t}")) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let mut ports = Vec::new();
    for spec in p
        .all("tcp")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
    {
        let (port, target) = match spec.split_once(':') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (spec.clone(), spec.clone()),
        };
        let Ok(port_n) = port.parse::<i32>() else {
            return Outcome::err(format!("error: {port} is not a valid port number\n"));
        };
        let target_v = match target.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(target.clone()),
        };
        let pname = if port == target {
            port.clone()
        } else {
            format!("{port}-{target}")
        };
        let node_port = if svc_type == "NodePort" {
            p.get("node-port")
                .and_then(|n| n.parse::<i32>().ok())
                .filter(|n| *n > 0)
        } else {
            None
        };
        ports.push(ServicePort {
            name: Some(pname),
            port: port_n,
            protocol: Some("TCP".into()),
            target_port: Some(target_v),
            node_port,
            ..Default::default()
        });
    }
    if svc_type != "ExternalName" && ports.is_empty() && p.get("clusterip") != Some("None") {
        return Outcome::err("error: at least one tcp port specifier must be provided\n");
    }
    let labels: BTreeMap<String, String> = [("app".to_string(), name.clone())].into();
    let external = svc_type == "ExternalName";
    if external && p.get("external-name").is_none() {
        return Outcome::err("error: external name must be specified\n");
    }
    let obj = Object::Service(Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: ns(&p, Kind::Service),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            ports: if ports.is_empty() { None } else { Some(ports) },
            selector: Some(labels),
            type_: Some(svc_type.into()),
            cluster_ip: p.get("clusterip").map(str::to_string),
            external_name: p.get("external-name").map(str::to_string),
            ..Default::default()
        }),
        status: Some(k8s_openapi::api::core::v1::ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        }),
    });
    finish(sim, &p, obj)
}
