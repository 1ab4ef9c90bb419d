//! `kubectl apply|create|replace|delete -f FILE|-` and `kubectl run`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::args::{self, flag, FlagSpec, Parsed};
use super::manifest::{decode, parse_documents, Doc};
use super::outcome::{Outcome, Wait};
use super::printers::{json, yaml};
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Where `-f` reads from: the shell's files, and standard input for `-f -`.
pub struct Inputs<'a> {
    pub read_file: &'a dyn Fn(&str) -> Option<String>,
    pub stdin: Option<&'a str>,
    /// The front end can open an editor for `kubectl edit` (the page can; the CLI cannot).
    pub editor: bool,
}

pub(crate) const FILE_FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("validate", None, true),
    flag("server-side", None, false),
    flag("force-conflicts", None, false),
    flag("field-manager", None, true),
    flag("save-config", None, false),
    flag("recursive", Some('R'), false),
    flag("wait", None, false),
    flag("cascade", None, true),
    flag("grace-period", None, true),
    flag("now", None, false),
    flag("force", None, false),
    flag("ignore-not-found", None, false),
    flag("prune", None, false),
    flag("selector", Some('l'), true),
    flag("all", None, false),
    flag("timeout", None, true),
    flag("overwrite", None, false),
];

/// The documents named by every `-f`, with the source name kubectl prints.
fn read_all(p: &Parsed, inputs: &Inputs) -> Result<Vec<(String, serde_json::Value)>, Outcome> {
    let mut docs = Vec::new();
    for f in p.all("filename") {
        let (source, text) = if f == "-" {
            match inputs.stdin {
                Some(t) => ("STDIN".to_string(), t.to_string()),
                None => ("STDIN".to_string(), String::new()),
            }
        } else if f.starts_with("http://") || f.starts_with("https://") {
            return Err(Outcome::err(format!(
                "error: unable to read URL \"{f}\", server reported 404 Not Found, status code=404\n"
            )));
        } else {
            match (inputs.read_file)(&f) {
                Some(t) => (f.clone(), t),
                None => {
                    return Err(Outcome::err(format!(
                        "error: the path \"{f}\" does not exist\n"
                    )));
                }
            }
        };
        if text.len() > 4 << 20 {
            return Err(Outcome::err(format!(
                "error: {source}: the manifest is larger than 4 MiB\n"
            )));
        }
        match parse_documents(&text, &source) {
            Ok(v) => docs.extend(v.into_iter().map(|d| (source.clone(), d))),
            Err(e) => return Err(Outcome::err(e)),
        }
    }
    Ok(docs)
}

fn ns_of(doc: &Doc, p: &Parsed) -> Result<String, String> {
    let flag_ns = p.get("namespace");
    let obj_ns = doc
        .object
        .meta()
        .namespace
        .clone()
        .filter(|n| !n.is_empty());
    match (obj_ns, flag_ns) {
        (Some(o), Some(f)) if o != f => Err(format!(
            "error: the namespace from the provided object \"{o}\" does not match the namespace \"{f}\". You must pass '--namespace={o}' to perform this operation.\n"
        )),
        (Some(o), _) => Ok(o),
        (None, Some(f)) => Ok(f.to_string()),
        (None, None) => Ok(super::args::context_namespace()),
    }
}

fn dry_run(p: &Parsed) -> Option<&str> {
    match p.get("dry-run") {
        // `--dry-run=server` never reaches here: `cmd::kubectl` runs it as a normal request on a
        // dry-run copy of the cluster.
        Some("client") | Some("true") => Some(" (dry run)"),
        _ => None,
    }
}

fn name_of(kind: Kind, name: &str) -> String {
    format!("{}/{}", kind.qualified_singular(), name)
}

/// `kubectl create -f` and `kubectl apply -f` and `kubectl replace -f`.
pub fn from_files(sim: &mut Sim, verb: &str, words: &[String], inputs: &Inputs) -> Outcome {
    let p = match args::parse(words, FILE_FLAGS, &format!("kubectl {verb}")) {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if !p.has("filename") {
        return match verb {
            "apply" => Outcome::err("error: must specify one of -f and -k\n"),
            "replace" => Outcome::err("error: must specify --filename to replace\n"),
            _ => Outcome::err("error: must specify one of -f and -k\n"),
        };
    }
    let docs = match read_all(&p, inputs) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let output = p.get("output").unwrap_or("").to_string();
    let mut out = Outcome::default();
    if docs.is_empty() {
        out.stderr.push_str("error: no objects passed to ");
        out.stderr.push_str(verb);
        out.stderr.push('\n');
        out.exit_code = 1;
        return out;
    }
    let ing = match verb {
        "apply" => "creating",
        "replace" => "replacing",
        _ => "creating",
    };
    for (source, v) in docs {
        let doc = match decode(v, &source, ing) {
            Ok(d) => d,
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
                continue;
            }
        };
        let ns = match ns_of(&doc, &p) {
            Ok(n) => n,
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
                continue;
            }
        };
        if verb == "apply" {
            missing_last_applied_warning(sim, &doc, &ns, &mut out.stderr);
        }
        let r = match verb {
            "apply" => apply_one(sim, doc, &ns, &source, &p),
            "replace" => replace_one(sim, doc, &ns, &source, &p),
            _ => create_one(sim, doc, &ns, &source, &p),
        };
        match r {
            Ok((kind, name, word, obj)) => match output.as_str() {
                "name" => out.stdout.push_str(&format!("{}\n", name_of(kind, &name))),
                "yaml" => out.stdout.push_str(&yaml(&obj)),
                "json" => out.stdout.push_str(&json(&obj)),
                _ => out
                    .stdout
                    .push_str(&format!("{} {word}\n", name_of(kind, &name))),
            },
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
            }
        }
    }
    out
}

type Done = Result<(Kind, String, String, serde_json::Value), String>;

/// `kubectl apply` on an object that was not created by apply (or `create --save-config`) warns
/// that it has no last-applied configuration, then patches one in.
fn missing_last_applied_warning(sim: &Sim, doc: &Doc, ns: &str, stderr: &mut String) {
    let kind = doc.kind;
    let name = doc.object.name();
    let key = ObjKey::new(kind, if kind.namespaced() { ns } else { "" }, name);
    let Some(live) = sim.get(&key) else {
        return;
    };
    if live
        .meta()
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(LAST_APPLIED))
    {
        return;
    }
    stderr.push_str(&format!(
        "Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
        kind.plural()
    ));
}

fn with_ns(mut obj: Object, kind: Kind, ns: &str) -> Object {
    if kind.namespaced() {
        obj.meta_mut().namespace = Some(ns.to_string());
    }
    obj
}

fn create_one(sim: &mut Sim, doc: Doc, ns: &str, source: &str, p: &Parsed) -> Done {
    let kind = doc.kind;
    let obj = with_ns(doc.object, kind, ns);
    let name = obj.name().to_string();
    if let Some(suffix) = dry_run(p) {
        return Ok((kind, name, format!("created{suffix}"), obj.to_json_value()));
    }
    let mut obj = obj;
    if p.bool("save-config") {
        set_last_applied(&mut obj, &doc.json, ns);
    }
    match sim.create(obj) {
        Ok(o) => Ok((
            kind,
            o.name().to_string(),
            "created".into(),
            o.to_json_value(),
        )),
        Err(e) => Err(error_when(&e, "creating", source)),
    }
}

/// `Error from server (AlreadyExists): error when creating "x.yaml": deployments.apps "x" already exists`
fn error_when(e: &crate::sim::ApiError, verb: &str, source: &str) -> String {
    // An Invalid error prints from its causes (`The Deployment "x" is invalid: ...`), whatever
    // the verb; others get the source (`cmdutil.AddSourceToErr`).
    if e.subject.is_some() && !e.causes.is_empty() {
        return format!("{}\n", e.kubectl_message());
    }
    format!(
        "Error from server ({}): error when {verb} \"{source}\": {}\n",
        e.reason, e.message
    )
}

fn set_last_applied(obj: &mut Object, input: &serde_json::Value, ns: &str) {
    let mut v = input.clone();
    if obj.kind().namespaced() {
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert(
                "namespace".into(),
                serde_json::Value::String(ns.to_string()),
            );
        }
    }
    if let Some(a) = v
        .pointer_mut("/metadata/annotations")
        .and_then(|a| a.as_object_mut())
    {
        a.remove(LAST_APPLIED);
    }
    let text = format!("{}\n", serde_json::to_string(&v).unwrap_or_default());
    obj.meta_mut()
        .annotations
        .get_or_insert_with(Default::default)
        .insert(LAST_APPLIED.into(), text);
}

/// A three-way merge in the spirit of kubectl's client-side apply: fields in the new manifest win,
/// fields dropped from it since the last apply are removed, fields others set are kept. Lists of
/// named items (containers, ports, volumes, env) merge by name.
pub fn merge(
    live: &serde_json::Value,
    last: &serde_json::Value,
    new: &serde_json::Value,
) -> serde_json::Value {
    use serde_json::Value;
    match (live, new) {
        (Value::Object(l), Value::Object(n)) => {
            let mut out = l.clone();
            for (k, nv) in n {
                let lv = l.get(k).unwrap_or(&Value::Null);
                let pv = last.get(k).unwrap_or(&Value::Null);
                out.insert(k.clone(), merge(lv, pv, nv));
            }
            if let Value::Object(pl) = last {
                for k in pl.keys() {
                    if !n.contains_key(k) {
                        out.remove(k);
                    }
                }
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(n))
            if n.iter().all(|x| x.get("name").is_some()) && !n.is_empty() =>
        {
            let key = |x: &Value| x.get("name").cloned();
            let last_items: Vec<Value> = last.as_array().cloned().unwrap_or_default();
            let mut out = Vec::new();
            for nv in n {
                let lv = l
                    .iter()
                    .find(|x| key(x) == key(nv))
                    .cloned()
                    .unwrap_or(Value::Null);
                let pv = last_items
                    .iter()
                    .find(|x| key(x) == key(nv))
                    .cloned()
                    .unwrap_or(Value::Null);
                out.push(merge(&lv, &pv, nv));
            }
            for lv in l {
                let in_new = n.iter().any(|x| key(x) == key(lv));
                let in_last = last_items.iter().any(|x| key(x) == key(lv));
                if !in_new && !in_last {
                    out.push(lv.clone());
                }
            }
            Value::Array(out)
        }
        _ => new.clone(),
    }
}

fn apply_one(sim: &mut Sim, doc: Doc, ns: &str, source: &str, p: &Parsed) -> Done {
    let kind = doc.kind;
    let name = doc.object.name().to_string();
    let key = ObjKey::new(kind, if kind.namespaced() { ns } else { "" }, &name);
    let Some(live) = sim.get(&key).cloned() else {
        let mut obj = with_ns(doc.object, kind, ns);
        set_last_applied(&mut obj, &doc.json, ns);
        if let Some(suffix) = dry_run(p) {
            return Ok((kind, name, format!("created{suffix}"), obj.to_json_value()));
        }
        return match sim.create(obj) {
            Ok(o) => Ok((
                kind,
                o.name().to_string(),
                "created".into(),
                o.to_json_value(),
            )),
            Err(e) => Err(error_when(&e, "creating", source)),
        };
    };
    let live_json = live.to_json_value();
    let last: serde_json::Value = live
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut new_json = doc.json.clone();
    if kind.namespaced() {
        if let Some(m) = new_json.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert(
                "namespace".into(),
                serde_json::Value::String(ns.to_string()),
            );
        }
    }
    let merged = merge(&live_json, &last, &new_json);
    let mut obj = match Object::from_json(kind, merged) {
        Ok(o) => o,
        Err(e) => return Err(format!("error: {source}: {e}\n")),
    };
    set_last_applied(&mut obj, &doc.json, ns);
    // Keep what the server owns.
    obj.meta_mut().resource_version = live.meta().resource_version.clone();
    if let Some(suffix) = dry_run(p) {
        return Ok((
            kind,
            name,
            format!("configured{suffix}"),
            obj.to_json_value(),
        ));
    }
    let before = live.to_json_value();
    match sim.update(obj) {
        Ok(o) => {
            let mut after = o.to_json_value();
            let mut b = before;
            for v in [&mut after, &mut b] {
                if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                    m.remove("resourceVersion");
                }
            }
            let word = if after == b {
                "unchanged"
            } else {
                "configured"
            };
            Ok((kind, name, word.into(), o.to_json_value()))
        }
        Err(e) => Err(error_when(&e, "applying patch", source)),
    }
}

fn replace_one(sim: &mut Sim, doc: Doc, ns: &str, source: &str, p: &Parsed) -> Done {
    let kind = doc.kind;
    let obj = with_ns(doc.object, kind, ns);
    let name = obj.name().to_string();
    if let Some(suffix) = dry_run(p) {
        return Ok((kind, name, format!("replaced{suffix}"), obj.to_json_value()));
    }
    let key = ObjKey::of(&obj);
    let live_status = sim
        .get(&key)
        .map(|o| o.to_json_value().get("status").cloned());
    let Some(status) = live_status else {
        return Err(error_when(
            &crate::sim::ApiError::not_found(kind, &name),
            "replacing",
            source,
        ));
    };
    // Status is not part of a replace: keep the live one.
    let mut j = obj.to_json_value();
    if let (Some(m), Some(s)) = (j.as_object_mut(), status) {
        m.insert("status".into(), s);
    }
    let obj = Object::from_json(kind, j).map_err(|e| format!("error: {e}\n"))?;
    match sim.update(obj) {
        Ok(o) => Ok((kind, name, "replaced".into(), o.to_json_value())),
        Err(e) => Err(error_when(&e, "replacing", source)),
    }
}

/// `kubectl delete -f`.
pub fn delete_files(sim: &mut Sim, words: &[String], inputs: &Inputs) -> Outcome {
    let p = match args::parse(words, FILE_FLAGS, "kubectl delete") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let docs = match read_all(&p, inputs) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let mut out = Outcome::default();
    let mut waits = Vec::new();
    for (source, v) in docs {
        let doc = match decode(v, &source, "deleting") {
            Ok(d) => d,
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
                continue;
            }
        };
        let ns = match ns_of(&doc, &p) {
            Ok(n) => n,
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
                continue;
            }
        };
        let kind = doc.kind;
        let name = doc.object.name().to_string();
        let key = ObjKey::new(kind, if kind.namespaced() { &ns } else { "" }, &name);
        let uid = sim.get(&key).map(|o| o.uid().to_string());
        match sim.delete(&key, None) {
            Ok(_) => {
                out.stdout.push_str(&format!(
                    "{} \"{}\" deleted\n",
                    kind.qualified_singular(),
                    name
                ));
                if let Some(u) = uid {
                    waits.push((key, u));
                }
            }
            Err(e) => {
                if !p.bool("ignore-not-found") {
                    out.stderr.push_str(&format!(
                        "Error from server ({}): error when deleting \"{source}\": {}\n",
                        e.reason, e.message
                    ));
                    out.exit_code = 1;
                }
            }
        }
    }
    if p.get("wait").is_none_or(|w| w != "false") && !waits.is_empty() {
        out.wait = Some(Wait::Gone(waits));
    }
    out
}

// ------------------------------------------------------------------------------------ run

pub(crate) const RUN_FLAGS: &[FlagSpec] = &[
    flag("image", None, true),
    flag("labels", Some('l'), true),
    flag("env", None, true),
    flag("port", None, true),
    flag("restart", None, true),
    flag("command", None, false),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("image-pull-policy", None, true),
    flag("annotations", None, true),
    flag("rm", None, false),
    flag("stdin", Some('i'), false),
    flag("tty", Some('t'), false),
    flag("attach", None, false),
    flag("expose", None, false),
    flag("privileged", None, false),
    flag("override-type", None, true),
    flag("overrides", None, true),
];

pub fn run(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, RUN_FLAGS, "kubectl run") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let Some(name) = p.args.first().cloned() else {
        return Outcome::err(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n",
        );
    };
    let Some(image) = p.get("image").map(str::to_string) else {
        return Outcome::err(
            "error: --image is required\nSee 'kubectl run -h' for help and examples\n",
        );
    };
    let restart = p.get("restart").unwrap_or("Always").to_string();
    if !matches!(restart.as_str(), "Always" | "OnFailure" | "Never") {
        return Outcome::err(format!("error: invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples\n"));
    }
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    match p.get("labels") {
        Some(l) => {
            for pair in l.split(',') {
                let Some((k, v)) = pair.split_once('=') else {
                    return Outcome::err(format!("error: invalid label spec: {pair}\n"));
                };
                labels.insert(k.to_string(), v.to_string());
            }
        }
        None => {
            labels.insert("run".into(), name.clone());
        }
    }
    let mut env = Vec::new();
    for e in p.all("env") {
        let Some((k, v)) = e.split_once('=') else {
            return Outcome::err(format!("error: invalid env: {e}\n"));
        };
        env.push(EnvVar {
            name: k.to_string(),
            value: Some(v.to_string()),
            value_from: None,
        });
    }
    let port = match p.get("port").map(|v| v.parse::<i32>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            let v = p.get("port").unwrap_or("");
            return Outcome::err(format!("error: invalid argument \"{v}\" for \"--port\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\n"));
        }
    };
    let rest = p.after_dash.clone().unwrap_or_default();
    let extra: Vec<String> = p.args[1..].to_vec();
    let mut argv = extra;
    argv.extend(rest);
    let (command, cargs) = if argv.is_empty() {
        (None, None)
    } else if p.bool("command") {
        (Some(argv), None)
    } else {
        (None, Some(argv))
    };
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: p.get("namespace").map(str::to_string),
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.clone(),
                image: Some(image),
                command,
                args: cargs,
                env: if env.is_empty() { None } else { Some(env) },
                ports: port.map(|n| {
                    vec![ContainerPort {
                        container_port: n,
                        ..Default::default()
                    }]
                }),
                image_pull_policy: p.get("image-pull-policy").map(str::to_string),
                resources: Some(Default::default()),
                ..Default::default()
            }],
            dns_policy: Some("ClusterFirst".into()),
            restart_policy: Some(restart),
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    // `--overrides='{"spec": {...}}'`: merged into the generated Pod (`--override-type` merge,
    // strategic (the default) or json), as kubectl does before sending it.
    let pod = match p.get("overrides") {
        None => pod,
        Some(raw) => {
            let patch: serde_json::Value = match serde_json::from_str(raw) {
                Ok(v) => v,
                Err(e) => return Outcome::err(format!("error: error parsing overrides: {e}\n")),
            };
            let mut doc = Object::Pod(pod).to_json_value();
            let res = match p.get("override-type").unwrap_or("merge") {
                "json" => super::patch::json_patch(&mut doc, &patch),
                "strategic" => {
                    super::patch::strategic_patch(&mut doc, &patch);
                    Ok(())
                }
                "merge" => {
                    super::patch::merge_patch(&mut doc, &patch);
                    Ok(())
                }
                other => Err(format!(
                    "--override-type must be one of (json, merge, strategic), not \"{other}\""
                )),
            };
            if let Err(e) = res {
                return Outcome::err(format!("error: {e}\n"));
            }
            match serde_json::from_value::<Pod>(doc) {
                Ok(p2) => p2,
                Err(e) => return Outcome::err(format!("error: error applying overrides: {e}\n")),
            }
        }
    };
    let output = p.get("output").unwrap_or("");
    if let Some(suffix) = dry_run(&p) {
        let mut v = Object::Pod(pod).to_json_value();
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert("creationTimestamp".into(), serde_json::Value::Null);
        }
        return match output {
            "yaml" => Outcome::ok(yaml(&v)),
            "json" => Outcome::ok(super::printers::json_typed(&v)),
            _ => Outcome::ok(format!("pod/{name} created{suffix}\n")),
        };
    }
    let mut pod = pod;
    pod.metadata.namespace = Some(p.namespace());
    match sim.create(Object::Pod(pod)) {
        Ok(o) => match output {
            "yaml" => Outcome::ok(yaml(&o.to_json_value())),
            "json" => Outcome::ok(super::printers::json_typed(&o.to_json_value())),
            "name" => Outcome::ok(format!("pod/{name}\n")),
            _ => Outcome::ok(format!("pod/{name} created\n")),
        },
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}
