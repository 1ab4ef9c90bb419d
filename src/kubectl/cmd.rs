//! The kubectl commands: each takes the parsed words and the simulation, and returns what kubectl
//! prints.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::args::{self, flag, FlagSpec, Parsed};
use super::outcome::{Outcome, Wait};
use super::printers::{age, human_duration, json, table, yaml};
use crate::sim::api::Propagation;
use crate::sim::object::{Kind, Object};
use crate::sim::podutil;
use crate::sim::store::ObjKey;
use crate::sim::view::{node_roles, node_status};
use crate::sim::Sim;

pub const CLIENT_VERSION: &str = "v1.32.4";
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";
pub const SERVER_URL: &str = "https://127.0.0.1:6443";

/// kubectl's top-level commands in the order kubectl registers them (which orders suggestions).
const COMMANDS: &[&str] = &[
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "alpha",
    "api-resources",
    "api-versions",
    "config",
    "plugin",
    "version",
    "options",
];

/// The names kubectl accepts for each kind: plural first, then singular, then short names and
/// group-qualified forms. `resolve_kind` reads it, and so does tab completion.
pub const KIND_NAMES: &[(Kind, &[&str])] = &[
    (Kind::Pod, &["pods", "pod", "po"]),
    (Kind::Deployment, &["deployments", "deployment", "deploy"]),
    (Kind::ReplicaSet, &["replicasets", "replicaset", "rs"]),
    (Kind::Node, &["nodes", "node", "no"]),
    (Kind::Namespace, &["namespaces", "namespace", "ns"]),
    (Kind::Service, &["services", "service", "svc"]),
    (Kind::ConfigMap, &["configmaps", "configmap", "cm"]),
    (Kind::Secret, &["secrets", "secret"]),
    (
        Kind::ServiceAccount,
        &["serviceaccounts", "serviceaccount", "sa"],
    ),
    (Kind::Endpoints, &["endpoints", "ep"]),
    (Kind::Job, &["jobs", "job"]),
    (Kind::CronJob, &["cronjobs", "cronjob", "cj"]),
    (
        Kind::EndpointSlice,
        &[
            "endpointslices",
            "endpointslice",
            "endpointslice.discovery.k8s.io",
            "endpointslices.discovery.k8s.io",
        ],
    ),
    (Kind::StatefulSet, &["statefulsets", "statefulset", "sts"]),
    (Kind::DaemonSet, &["daemonsets", "daemonset", "ds"]),
    (
        Kind::ControllerRevision,
        &["controllerrevisions", "controllerrevision"],
    ),
    (
        Kind::PersistentVolumeClaim,
        &["persistentvolumeclaims", "persistentvolumeclaim", "pvc"],
    ),
    (
        Kind::PersistentVolume,
        &["persistentvolumes", "persistentvolume", "pv"],
    ),
    (
        Kind::StorageClass,
        &[
            "storageclasses",
            "storageclass",
            "sc",
            "storageclass.storage.k8s.io",
            "storageclasses.storage.k8s.io",
        ],
    ),
];

/// Resolves a resource argument (`po`, `pods`, `deployment.apps`, `rs`) to a kind.
pub fn resolve_kind(s: &str) -> Option<Kind> {
    let s = s.to_ascii_lowercase();
    let base = s.strip_suffix(".apps").unwrap_or(&s);
    KIND_NAMES
        .iter()
        .find(|(_, names)| names.contains(&base))
        .map(|(k, _)| *k)
        .filter(|k| !s.ends_with(".apps") || k.group() == "apps")
}

pub(crate) fn unknown_type(s: &str) -> Outcome {
    Outcome::err(format!(
        "error: the server doesn't have a resource type \"{s}\"\n"
    ))
}

/// What `get` and `describe` name: `TYPE/NAME...`, or `TYPE[,TYPE] [NAME...]` (a name of `None`:
/// every object of the kind). `all` (for `get`) stands for the workload kinds `kubectl get all` lists.
pub(crate) fn object_targets(
    args: &[String],
    all_alias: bool,
) -> Result<Vec<(Kind, Option<String>)>, Outcome> {
    let mut targets: Vec<(Kind, Option<String>)> = Vec::new();
    if args[0].contains('/') {
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err(Outcome::err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n"));
            };
            let Some(k) = resolve_kind(t) else {
                return Err(unknown_type(t));
            };
            targets.push((k, Some(n.to_string())));
        }
        return Ok(targets);
    }
    let mut kinds = Vec::new();
    for t in args[0].split(',') {
        if all_alias && t == "all" {
            kinds.extend([
                Kind::Pod,
                Kind::Service,
                Kind::DaemonSet,
                Kind::Deployment,
                Kind::ReplicaSet,
                Kind::StatefulSet,
                Kind::CronJob,
                Kind::Job,
            ]);
            continue;
        }
        match resolve_kind(t) {
            Some(k) => kinds.push(k),
            None => return Err(unknown_type(t)),
        }
    }
    if args.len() > 1 {
        for k in &kinds {
            for n in &args[1..] {
                targets.push((*k, Some(n.clone())));
            }
        }
    } else {
        targets.extend(kinds.into_iter().map(|k| (k, None)));
    }
    Ok(targets)
}

/// Runs `kubectl WORDS...`.
pub fn kubectl(sim: &mut Sim, words: &[String], inputs: &super::apply::Inputs) -> Outcome {
    let Some(first) = words.first() else {
        return Outcome::ok(HELP);
    };
    // Global flags may come before the command (`kubectl -n kube-system get pods`).
    let mut rest: Vec<String> = Vec::new();
    let mut cmd: Option<String> = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if cmd.is_none() && w.starts_with('-') {
            rest.push(w.clone());
            let takes_value = args::GLOBAL.iter().any(|g| {
                (w == &format!("--{}", g.long) || g.short.is_some_and(|c| w == &format!("-{c}")))
                    && g.value
            });
            if takes_value {
                if let Some(v) = words.get(i + 1) {
                    rest.push(v.clone());
                    i += 1;
                }
            }
        } else if cmd.is_none() {
            cmd = Some(w.clone());
        } else {
            rest.push(w.clone());
        }
        i += 1;
    }
    let _ = first;
    let Some(cmd) = cmd else {
        return Outcome::ok(HELP);
    };
    match dry_run_mode(&rest) {
        Some((DryRun::Server, at)) if cmd != "drain" => {
            dry_run_on_copy(sim, &cmd, rest, at, inputs, " (server dry run)")
        }
        Some((DryRun::Client, at)) if CLIENT_DRY_RUN_ON_COPY.contains(&cmd.as_str()) => {
            dry_run_on_copy(sim, &cmd, rest, at, inputs, " (dry run)")
        }
        _ => run_command(sim, &cmd, &rest, inputs),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum DryRun {
    Client,
    Server,
}

/// Commands that print no object of their own in client dry-run: kubectl computes the change
/// locally and prints its operation line with ` (dry run)`. The others (`create`, `run`, `apply`,
/// `expose`, `label`, ...) build their client dry-run answer themselves.
const CLIENT_DRY_RUN_ON_COPY: &[&str] = &[
    "scale", "patch", "set", "rollout", "cordon", "uncordon", "taint", "delete",
];

/// `--dry-run=server|client` (or `--dry-run VALUE`) before any `--`, with the index of the word
/// holding the value.
fn dry_run_mode(words: &[String]) -> Option<(DryRun, usize)> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if w == "--" {
            return None;
        }
        let value = if let Some(v) = w.strip_prefix("--dry-run=") {
            Some((v, i))
        } else if w == "--dry-run" {
            words.get(i + 1).map(|v| (v.as_str(), i + 1))
        } else {
            None
        };
        match value {
            Some(("server", at)) => return Some((DryRun::Server, at)),
            Some(("client" | "true", at)) => return Some((DryRun::Client, at)),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the command line picks an output format (`-o yaml`, `-ojson`, `--output=name`): then
/// the object or name is printed without the dry-run note.
fn has_output_flag(words: &[String]) -> bool {
    words.iter().take_while(|w| *w != "--").any(|w| {
        w == "-o"
            || w == "--output"
            || w.starts_with("--output=")
            || (w.starts_with("-o") && !w.starts_with("--"))
    })
}

/// Runs a dry-run request the way the API server does: against the real state (so NotFound,
/// AlreadyExists, validation and defaulting answer as they would), on a copy that is dropped. The
/// command itself runs as a normal request (`--dry-run=none`); kubectl's printer then adds the
/// dry-run note to each operation line, and nothing waits for a change that never happens.
fn dry_run_on_copy(
    sim: &Sim,
    cmd: &str,
    mut rest: Vec<String>,
    at: usize,
    inputs: &super::apply::Inputs,
    note: &str,
) -> Outcome {
    if let Some(w) = rest.get_mut(at) {
        *w = if w.starts_with("--dry-run=") {
            "--dry-run=none".to_string()
        } else {
            "none".to_string()
        };
    }
    let mut copy = sim.dry_run_copy();
    let mut out = run_command(&mut copy, cmd, &rest, inputs);
    if out.exit_code == 0 {
        out.wait = None;
        if !has_output_flag(&rest) {
            out.stdout = out
                .stdout
                .lines()
                .map(|l| {
                    // `No resources found` is not an operation: kubectl prints it as is.
                    if l.is_empty() || l.starts_with("No resources found") {
                        format!("{l}\n")
                    } else {
                        format!("{l}{note}\n")
                    }
                })
                .collect();
        }
    }
    out
}

fn run_command(
    sim: &mut Sim,
    cmd: &str,
    rest: &[String],
    inputs: &super::apply::Inputs,
) -> Outcome {
    let rest = rest.to_vec();
    match cmd {
        "get" => get(sim, &rest),
        "events" => events(sim, &rest),
        "describe" => super::describe::describe(sim, &rest),
        "create" if has_filename(&rest) => super::apply::from_files(sim, "create", &rest, inputs),
        "create" => create(sim, &rest, inputs),
        "apply" => super::apply::from_files(sim, "apply", &rest, inputs),
        "replace" => super::apply::from_files(sim, "replace", &rest, inputs),
        "run" => super::apply::run(sim, &rest),
        "patch" => super::patch::patch(sim, &rest),
        "edit" => super::edit::edit(sim, &rest, inputs.editor),
        "wait" => super::wait::wait(sim, &rest),
        "taint" => super::taint::taint(sim, &rest),
        "delete" if has_filename(&rest) => super::apply::delete_files(sim, &rest, inputs),
        "scale" => scale(sim, &rest),
        "delete" => delete(sim, &rest),
        "label" => super::label::label(sim, &rest),
        "expose" => super::expose::expose(sim, &rest),
        "annotate" => super::label::annotate(sim, &rest),
        "version" => version(&rest),
        "api-resources" => api_resources(&rest),
        "api-versions" => api_versions(&rest),
        "explain" => super::explain::explain(&rest),
        "rollout" => super::rollout::rollout(sim, &rest),
        "set" => super::rollout::set(sim, &rest),
        "logs" => super::logs::logs(sim, &rest),
        "exec" => super::logs::exec(sim, &rest),
        "cordon" => super::drain::cordon(sim, &rest, true),
        "uncordon" => super::drain::cordon(sim, &rest, false),
        "drain" => super::drain::drain(sim, &rest),
        "cluster-info" => cluster_info(&rest),
        "help" | "--help" | "-h" => Outcome::ok(HELP),
        c if COMMANDS.contains(&c) => Outcome::err(format!(
            "error: \"kubectl {c}\" is not available in kubeplay yet\n"
        )),
        c => unknown_command(c),
    }
}

/// Whether the words carry `-f`/`--filename` (the command then works from manifests).
fn has_filename(words: &[String]) -> bool {
    words.iter().any(|w| {
        w == "-f"
            || w == "--filename"
            || w.starts_with("--filename=")
            || (w.starts_with("-f") && w.len() > 2 && !w.starts_with("--"))
    })
}

fn unknown_command(c: &str) -> Outcome {
    let mut s = format!("Error: unknown command \"{c}\" for \"kubectl\"\n");
    let suggestions: Vec<&str> = COMMANDS
        .iter()
        .copied()
        .filter(|k| args::levenshtein(c, k) <= 2 || k.starts_with(&c.to_lowercase()))
        .collect();
    if !suggestions.is_empty() {
        s.push_str("\nDid you mean this?\n");
        for k in suggestions {
            s.push('\t');
            s.push_str(k);
            s.push('\n');
        }
        s.push('\n');
    }
    Outcome::err(s)
}

fn namespace(p: &Parsed) -> String {
    p.namespace()
}

/// A klog line as kubectl 1.32 writes a command failure to stderr (`E1124 22:53:27.344019 ...`),
/// stamped with virtual time.
pub(crate) fn klog_failure(sim: &Sim, err: &str) -> String {
    let now = sim.clock().now();
    format!(
        "E{} {}    1234 run.go:72] \"command failed\" err=\"{}\"\n",
        now.format("%m%d"),
        now.format("%H:%M:%S%.6f"),
        err.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

// ---------------------------------------------------------------------------------------------
// get

pub(crate) const GET_FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), true),
    flag("all-namespaces", Some('A'), false),
    flag("no-headers", None, false),
    flag("show-labels", None, false),
    flag("selector", Some('l'), true),
    flag("watch", Some('w'), false),
    flag("label-columns", Some('L'), true),
    flag("template", None, true),
    flag("sort-by", None, true),
    flag("watch-only", None, false),
    flag("output-watch-events", None, false),
    flag("chunk-size", None, true),
    flag("field-selector", None, true),
    flag("ignore-not-found", None, false),
    flag("show-kind", None, false),
];

fn get(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, GET_FLAGS, "kubectl get") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if p.args.is_empty() {
        return Outcome::err(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n",
        );
    }
    let output_raw = p.get("output").unwrap_or("").to_string();
    let template = match super::watch::Template::parse(&output_raw, p.get("template")) {
        Ok(t) => t,
        Err(e) => return Outcome::err(e),
    };
    let output: &str = if template.is_some() {
        "template"
    } else {
        output_raw.as_str()
    };
    if !matches!(output, "" | "wide" | "yaml" | "json" | "name" | "template") {
        return Outcome::err(format!(
            "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"
        ));
    }
    let sort_by = match p.get("sort-by").map(super::watch::sort_key) {
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => return Outcome::err(e),
        None => None,
    };
    let watch = if p.bool("watch") || p.bool("watch-only") {
        Some(())
    } else {
        None
    };
    let mut widths: BTreeMap<Kind, Vec<usize>> = BTreeMap::new();
    let all_ns = p.bool("all-namespaces");
    let ns = namespace(&p);
    if matches!(p.args[0].as_str(), "events" | "event" | "ev") && p.args.len() == 1 {
        let fs = match p
            .get("field-selector")
            .map(parse_field_selector)
            .transpose()
        {
            Ok(f) => f.unwrap_or_default(),
            Err(e) => return Outcome::err(format!("{e}\n")),
        };
        let how = EventsOutput {
            output,
            template: template.as_ref(),
            sort_by: sort_by.as_ref(),
            no_headers: p.bool("no-headers"),
        };
        return get_events(sim, &ns, all_ns, &how, &fs);
    }
    let selector = super::label::selector_flag(&p);
    let label_cols = super::label::label_columns(&p);

    let targets = match object_targets(&p.args, true) {
        Ok(t) => t,
        Err(o) => return o,
    };

    if selector.is_some() && targets.iter().any(|t| t.1.is_some()) {
        return Outcome::err("error: name cannot be provided when a selector is specified\n");
    }
    let mut out = Outcome::default();
    let multi_kind = {
        let mut ks: Vec<Kind> = targets.iter().map(|t| t.0).collect();
        ks.dedup();
        ks.len() > 1
    };
    // Group by kind, preserving order.
    let mut groups: Vec<(Kind, Vec<Rc<Object>>)> = Vec::new();
    for (kind, name) in &targets {
        let objs: Vec<Rc<Object>> = match name {
            Some(n) => {
                let key = ObjKey::new(*kind, if kind.namespaced() { &ns } else { "" }, n);
                match sim.get(&key) {
                    Some(o) => vec![o.clone()],
                    None => {
                        out.stderr
                            .push_str(&crate::sim::ApiError::not_found(*kind, n).kubectl_message());
                        out.stderr.push('\n');
                        out.exit_code = 1;
                        continue;
                    }
                }
            }
            None => {
                let scope = if !kind.namespaced() || all_ns {
                    None
                } else {
                    Some(ns.as_str())
                };
                let mut v = sim.store().list(*kind, scope);
                if let Some(raw) = p.get("field-selector") {
                    let fs = match parse_field_selector(raw) {
                        Ok(f) => f,
                        Err(e) => return Outcome::err(format!("{e}\n")),
                    };
                    for (f, _, _) in &fs {
                        if field_value(*kind, &serde_json::Value::Null, f).is_none() {
                            return Outcome::err(format!(
                                "Error from server (BadRequest): Unable to find \"{}, Resource={}\" that match label selector \"\", field selector \"{raw}\": field label not supported: {f}\n",
                                if kind.group().is_empty() { format!("/{}", kind.api_version()) } else { kind.api_version().to_string() },
                                kind.plural()
                            ));
                        }
                    }
                    v.retain(|o| {
                        let j = o.to_json_value();
                        fs.iter().all(|(f, want, eq)| {
                            (field_value(*kind, &j, f).unwrap_or_default() == *want) == *eq
                        })
                    });
                }
                match &selector {
                    Some((_, Ok(sel))) => v.retain(|o| sel.matches(&labels_of(o))),
                    Some((raw, Err(e))) => {
                        out.stderr
                            .push_str(&super::label::list_error(*kind, raw, e));
                        out.exit_code = 1;
                        continue;
                    }
                    None => {}
                }
                v
            }
        };
        match groups.last_mut() {
            Some((k, v)) if *k == *kind => v.extend(objs),
            _ => groups.push((*kind, objs)),
        }
    }

    if let Some(key) = &sort_by {
        for (_, v) in groups.iter_mut() {
            super::watch::sort_objects(v, key);
        }
    }
    match output {
        "template" => {
            let items: Vec<serde_json::Value> = groups
                .iter()
                .flat_map(|(_, v)| v.iter().map(|o| o.to_json_value()))
                .collect();
            let single = targets.len() == 1 && targets[0].1.is_some();
            if let Some(t) = &template {
                let text = if single && items.len() == 1 {
                    t.render_one(&items[0])
                } else {
                    t.render_list(&items)
                };
                out.stdout.push_str(&text);
            }
        }
        "yaml" | "json" => {
            let items: Vec<serde_json::Value> = groups
                .iter()
                .flat_map(|(_, v)| v.iter().map(|o| o.to_json_value()))
                .collect();
            let single = targets.len() == 1 && targets[0].1.is_some();
            let doc = if single && items.len() == 1 {
                items.into_iter().next().unwrap_or_default()
            } else if single {
                return out;
            } else {
                serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
            };
            out.stdout = if output == "yaml" {
                yaml(&doc)
            } else {
                json(&doc)
            };
        }
        "name" => {
            for (k, v) in &groups {
                for o in v {
                    out.stdout
                        .push_str(&format!("{}/{}\n", name_prefix(*k), o.name()));
                }
            }
        }
        _ => {
            let mut first = true;
            let mut any = false;
            for (kind, objs) in &groups {
                if objs.is_empty() {
                    continue;
                }
                any = true;
                if !first {
                    out.stdout.push('\n');
                }
                first = false;
                let opts = RowOpts {
                    wide: output == "wide",
                    all_ns,
                    multi_kind,
                    label_cols: label_cols.clone(),
                    show_labels: p.bool("show-labels"),
                };
                let mut rows = Vec::new();
                if !p.bool("no-headers") {
                    rows.push(header_row(*kind, &opts));
                }
                rows.extend(objs.iter().map(|o| object_row(sim, *kind, o, &opts)));
                if watch.is_some() {
                    widths.insert(*kind, column_widths(&rows));
                }
                out.stdout.push_str(&table(&rows));
            }
            if watch.is_some() {
                let opts = RowOpts {
                    wide: output == "wide",
                    all_ns,
                    multi_kind,
                    label_cols: label_cols.clone(),
                    show_labels: p.bool("show-labels"),
                };
                let kinds: Vec<Kind> = groups.iter().map(|(k, _)| *k).collect();
                let names: Vec<Option<String>> = targets.iter().map(|t| t.1.clone()).collect();
                let sel = match &selector {
                    Some((_, Ok(s))) => Some(s.clone()),
                    _ => None,
                };
                let mut seen = BTreeMap::new();
                for (_, v) in &groups {
                    for o in v {
                        seen.insert(
                            ObjKey::of(o),
                            (
                                o.meta().resource_version.clone().unwrap_or_default(),
                                o.clone(),
                            ),
                        );
                    }
                }
                if p.bool("watch-only") {
                    out.stdout.clear();
                }
                out.wait = Some(Wait::Watch(Box::new(super::watch::WatchState {
                    kinds,
                    namespace: if all_ns { None } else { Some(ns.clone()) },
                    names: names.into_iter().flatten().collect(),
                    selector: sel,
                    opts,
                    widths: widths.clone(),
                    seen,
                    header_done: any && !p.bool("watch-only"),
                    no_headers: p.bool("no-headers"),
                })));
                if !any {
                    // kubectl says there is nothing yet, then keeps watching.
                    let ns_scoped = groups.iter().any(|(k, _)| k.namespaced());
                    if ns_scoped && !all_ns {
                        out.stderr
                            .push_str(&format!("No resources found in {ns} namespace.\n"));
                    } else {
                        out.stderr.push_str("No resources found\n");
                    }
                }
                return out;
            }
            if !any && out.exit_code == 0 {
                let ns_scoped = groups.iter().any(|(k, _)| k.namespaced());
                if ns_scoped && !all_ns {
                    out.stderr
                        .push_str(&format!("No resources found in {ns} namespace.\n"));
                } else {
                    out.stderr.push_str("No resources found\n");
                }
            }
        }
    }
    out
}

/// `kubectl get events`: storage order, LAST SEEN TYPE REASON OBJECT MESSAGE.
/// `--field-selector a=b,c!=d` into (field, wanted value, equal?).
fn parse_field_selector(s: &str) -> Result<Vec<(String, String, bool)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v, eq) = if let Some((k, v)) = part.split_once("!=") {
            (k, v, false)
        } else if let Some((k, v)) = part.split_once("==") {
            (k, v, true)
        } else if let Some((k, v)) = part.split_once('=') {
            (k, v, true)
        } else {
            return Err(format!(
                "error: invalid selector: '{s}'; can't understand '{part}'"
            ));
        };
        out.push((k.trim().to_string(), v.trim().to_string(), eq));
    }
    Ok(out)
}

/// The value of a field the API server lets you select on, for an object (JSON paths of the
/// fields each kind supports: metadata.name/namespace everywhere, status.phase and spec.nodeName
/// for pods, ...). `None`: the field is not selectable for this kind.
fn field_value(kind: Kind, v: &serde_json::Value, field: &str) -> Option<String> {
    let allowed = match field {
        "metadata.name" | "metadata.namespace" => true,
        "status.phase"
        | "spec.nodeName"
        | "spec.restartPolicy"
        | "spec.schedulerName"
        | "spec.serviceAccountName"
        | "status.podIP" => kind == Kind::Pod,
        "spec.unschedulable" => kind == Kind::Node,
        "type" => kind == Kind::Secret,
        "status.successful" => kind == Kind::Job,
        _ => false,
    };
    if !allowed {
        return None;
    }
    let ptr = format!("/{}", field.replace('.', "/"));
    Some(match v.pointer(&ptr) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    })
}

/// How `kubectl get events` prints: `-o`, its template, `--sort-by`, `--no-headers`.
struct EventsOutput<'a> {
    output: &'a str,
    template: Option<&'a super::watch::Template>,
    sort_by: Option<&'a crate::kubectl::jsonpath::JsonPath>,
    no_headers: bool,
}

/// An Event as the API server returns it (core/v1, the fields the simulation records; it keeps
/// no uid or resourceVersion for Events).
fn event_json(sim: &Sim, e: &crate::sim::EventRecord) -> serde_json::Value {
    let at = |ms: u64| {
        crate::sim::clock::truncate_to_seconds(sim.clock().at(ms))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let mut involved = serde_json::json!({
        "apiVersion": e.object.kind.api_version(),
        "kind": e.object.kind.name(),
        "name": e.object.name,
        "uid": e.object_uid,
    });
    if !e.object.namespace.is_empty() {
        involved["namespace"] = e.object.namespace.clone().into();
    }
    let mut source = serde_json::json!({ "component": e.source });
    if let Some(h) = &e.host {
        source["host"] = h.clone().into();
    }
    serde_json::json!({
        "apiVersion": "v1",
        "count": e.count,
        "eventTime": null,
        "firstTimestamp": at(e.first_ms),
        "involvedObject": involved,
        "kind": "Event",
        "lastTimestamp": at(e.last_ms),
        "message": e.message,
        "metadata": {
            "creationTimestamp": at(e.first_ms),
            "name": e.name(),
            "namespace": e.namespace(),
        },
        "reason": e.reason,
        "reportingComponent": e.source,
        "reportingInstance": e.host.clone().unwrap_or_default(),
        "source": source,
        "type": e.type_,
    })
}

/// Events printed as objects (`-o yaml|json` as the `list` document with them as its `items`, or a
/// template over them); `None` for the other outputs, which each command prints its own way.
fn events_as_objects(
    sim: &Sim,
    picked: &[&crate::sim::EventRecord],
    output: &str,
    template: Option<&super::watch::Template>,
    mut list: serde_json::Value,
) -> Option<Outcome> {
    if !matches!(output, "yaml" | "json" | "template") {
        return None;
    }
    let items: Vec<serde_json::Value> = picked.iter().map(|e| event_json(sim, e)).collect();
    Some(Outcome::ok(match (output, template) {
        ("template", Some(t)) => t.render_list(&items),
        ("template", None) => String::new(),
        _ => {
            list["items"] = items.into();
            if output == "yaml" {
                yaml(&list)
            } else {
                json(&list)
            }
        }
    }))
}

fn get_events(
    sim: &Sim,
    ns: &str,
    all_ns: bool,
    how: &EventsOutput,
    fs: &[(String, String, bool)],
) -> Outcome {
    let now_ms = sim.elapsed_ms();
    let wide = how.output == "wide";
    let mut picked: Vec<&crate::sim::EventRecord> = Vec::new();
    for e in sim.events() {
        if !all_ns && e.namespace() != ns {
            continue;
        }
        let mut keep = true;
        for (f, want, eq) in fs {
            let got = match f.as_str() {
                "involvedObject.name" => e.object.name.clone(),
                "involvedObject.kind" => e.object.kind.name().to_string(),
                "involvedObject.namespace" => e.object.namespace.clone(),
                "metadata.namespace" => e.namespace().to_string(),
                "metadata.name" => e.name(),
                "involvedObject.uid" => e.object_uid.clone(),
                "reason" => e.reason.clone(),
                "type" => e.type_.clone(),
                "source" | "reportingComponent" => e.source.clone(),
                other => {
                    return Outcome::err(format!(
                        "Error from server (BadRequest): Unable to find \"/v1, Resource=events\" that match label selector \"\", field selector \"{}\": field label not supported: {other}\n",
                        fs.iter().map(|(k, v, eq)| format!("{k}{}{v}", if *eq { "=" } else { "!=" })).collect::<Vec<_>>().join(",")
                    ))
                }
            };
            keep &= (got == *want) == *eq;
        }
        if keep {
            picked.push(e);
        }
    }
    if let Some(key) = how.sort_by {
        let mut keyed: Vec<(String, &crate::sim::EventRecord)> = picked
            .iter()
            .map(|e| (key.render(&event_json(sim, e)), *e))
            .collect();
        super::watch::sort_keyed(&mut keyed);
        picked = keyed.into_iter().map(|(_, e)| e).collect();
    }
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}});
    if let Some(o) = events_as_objects(sim, &picked, how.output, how.template, list) {
        return o;
    }
    if picked.is_empty() {
        return Outcome {
            stderr: if all_ns {
                "No resources found\n".into()
            } else {
                format!("No resources found in {ns} namespace.\n")
            },
            ..Default::default()
        };
    }
    if how.output == "name" {
        let names: String = picked
            .iter()
            .map(|e| format!("event/{}\n", e.name()))
            .collect();
        return Outcome::ok(names);
    }
    let mut rows = Vec::new();
    if !how.no_headers {
        let mut h: Vec<String> = ["LAST SEEN", "TYPE", "REASON", "OBJECT"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if wide {
            h.extend(["SUBOBJECT", "SOURCE"].iter().map(|s| s.to_string()));
        }
        h.push("MESSAGE".into());
        if wide {
            h.extend(
                ["FIRST SEEN", "COUNT", "NAME"]
                    .iter()
                    .map(|s| s.to_string()),
            );
        }
        if all_ns {
            h.insert(0, "NAMESPACE".into());
        }
        rows.push(h);
    }
    for e in picked {
        let since = |ms: u64| human_duration(((now_ms - ms.min(now_ms)) / 1000) as i64);
        let object = format!(
            "{}/{}",
            e.object.kind.name().to_ascii_lowercase(),
            e.object.name
        );
        let mut row = vec![since(e.last_ms), e.type_.clone(), e.reason.clone(), object];
        if wide {
            row.push(String::new());
            row.push(match &e.host {
                Some(h) => format!("{}, {h}", e.source),
                None => e.source.clone(),
            });
        }
        row.push(e.message.trim().to_string());
        if wide {
            row.push(since(e.first_ms));
            row.push(e.count.to_string());
            row.push(e.name());
        }
        if all_ns {
            row.insert(0, e.namespace().to_string());
        }
        rows.push(row);
    }
    Outcome::ok(table(&rows))
}

pub(crate) const EVENTS_FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), true),
    flag("all-namespaces", Some('A'), false),
    flag("no-headers", None, false),
    flag("for", None, true),
    flag("types", None, true),
    flag("watch", Some('w'), false),
    flag("template", None, true),
    flag("chunk-size", None, true),
];

/// `kubectl events [--for TYPE/NAME] [--types Normal,Warning] [-A] [-o …]`: the namespace's Events
/// sorted by the time each was last seen (second precision, log order within a second), the
/// first column with `(xN over …)` for a repeated Event and the object as `Kind/name`.
fn events(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, EVENTS_FLAGS, "kubectl events") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if p.bool("watch") {
        return Outcome::err(
            "error: \"kubectl events --watch\" is not available in kubeplay yet\n",
        );
    }
    let output_raw = p.get("output").unwrap_or("").to_string();
    let template = match super::watch::Template::parse(&output_raw, p.get("template")) {
        Ok(t) => t,
        Err(e) => return Outcome::err(e),
    };
    if template.is_none() && !matches!(output_raw.as_str(), "" | "yaml" | "json" | "name") {
        return Outcome::err(format!(
            "error: unable to match a printer suitable for the output format \"{output_raw}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"
        ));
    }
    let mut types: Vec<String> = p
        .all("types")
        .iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if types
        .iter()
        .any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning"))
    {
        return Outcome::err("error: valid --types are Normal or Warning\n");
    }
    types.sort();
    types.dedup();
    let for_object = match p.get("for") {
        None => None,
        Some(f) => {
            let Some((t, name)) = f.split_once('/') else {
                return Outcome::err("error: --for must be in resource/name form\n");
            };
            if name.contains('/') {
                return Outcome::err(
                    "error: arguments in resource/name form may not have more than one slash\n",
                );
            }
            match resolve_kind(t) {
                // `--for pod/` names no object: kubectl then lists every Event.
                Some(_) if name.is_empty() => None,
                Some(k) => Some((k, name.to_string())),
                None => {
                    return Outcome::err(format!(
                        "error: the server doesn't have a resource type \"{t}\"\n"
                    ))
                }
            }
        }
    };
    let all_ns = p.bool("all-namespaces");
    let ns = namespace(&p);
    let mut picked: Vec<&crate::sim::EventRecord> = sim
        .events()
        .iter()
        .filter(|e| all_ns || e.namespace() == ns)
        .filter(|e| types.is_empty() || types.iter().any(|t| t.eq_ignore_ascii_case(&e.type_)))
        .filter(|e| {
            for_object
                .as_ref()
                .is_none_or(|(k, n)| e.object.kind == *k && e.object.name == *n)
        })
        .collect();
    if picked.is_empty() {
        return Outcome {
            stderr: if all_ns {
                "No events found.\n".into()
            } else {
                format!("No events found in {ns} namespace.\n")
            },
            ..Default::default()
        };
    }
    crate::sort::sort_by_key(&mut picked, |e| e.last_ms / 1000);
    let output = if template.is_some() {
        "template"
    } else {
        output_raw.as_str()
    };
    let list = serde_json::json!({"apiVersion": "v1", "kind": "EventList", "metadata": {}});
    if let Some(o) = events_as_objects(sim, &picked, output, template.as_ref(), list) {
        return o;
    }
    if output == "name" {
        return Outcome::ok(
            picked
                .iter()
                .map(|e| format!("event/{}\n", e.name()))
                .collect::<String>(),
        );
    }
    let now_ms = sim.elapsed_ms();
    let since = |ms: u64| human_duration(((now_ms - ms.min(now_ms)) / 1000) as i64);
    let mut rows = Vec::new();
    if !p.bool("no-headers") {
        let mut h: Vec<String> = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if all_ns {
            h.insert(0, "NAMESPACE".into());
        }
        rows.push(h);
    }
    for e in picked {
        let interval = if e.count > 1 {
            format!(
                "{} (x{} over {})",
                since(e.last_ms),
                e.count,
                since(e.first_ms)
            )
        } else {
            since(e.first_ms)
        };
        let mut row = vec![
            interval,
            e.type_.clone(),
            e.reason.clone(),
            format!("{}/{}", e.object.kind.name(), e.object.name),
            e.message.trim().to_string(),
        ];
        if all_ns {
            row.insert(0, e.namespace().to_string());
        }
        rows.push(row);
    }
    Outcome::ok(table(&rows))
}

/// How `get` lays out its table rows (also used by `-w` for the rows it streams).
#[derive(Clone, Debug)]
pub struct RowOpts {
    pub wide: bool,
    pub all_ns: bool,
    pub multi_kind: bool,
    pub label_cols: Vec<String>,
    pub show_labels: bool,
}

pub(crate) fn header_row(kind: Kind, opts: &RowOpts) -> Vec<String> {
    let mut header = header_for(kind, opts.wide);
    if opts.all_ns && kind.namespaced() {
        header.insert(0, "NAMESPACE".into());
    }
    header.extend(super::label::label_column_headers(&opts.label_cols));
    if opts.show_labels {
        header.push("LABELS".into());
    }
    header
}

pub(crate) fn object_row(sim: &Sim, kind: Kind, o: &Object, opts: &RowOpts) -> Vec<String> {
    let mut row = row_for(sim, o, opts.wide);
    if opts.multi_kind {
        row[0] = format!("{}/{}", name_prefix(kind), row[0]);
    }
    if opts.all_ns && kind.namespaced() {
        row.insert(0, o.namespace().to_string());
    }
    row.extend(super::label::label_column_cells(o, &opts.label_cols));
    if opts.show_labels {
        let l = labels_of(o);
        row.push(if l.is_empty() {
            "<none>".into()
        } else {
            l.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        });
    }
    row
}

/// Column widths (cell + padding 3, at least 6) of a table, remembered by `-w` for later rows.
pub(crate) fn column_widths(rows: &[Vec<String>]) -> Vec<usize> {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut w = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    w
}

fn labels_of(o: &Object) -> BTreeMap<String, String> {
    o.meta().labels.clone().unwrap_or_default()
}

fn name_prefix(k: Kind) -> String {
    k.qualified_singular()
}

fn header_for(kind: Kind, wide: bool) -> Vec<String> {
    let (base, extra): (&[&str], &[&str]) = match kind {
        Kind::Pod => (
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ),
        Kind::Deployment => (
            &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::ReplicaSet => (
            &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::Node => (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
        ),
        Kind::Namespace => (&["NAME", "STATUS", "AGE"], &[]),
        Kind::Service => (
            &[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ],
            &["SELECTOR"],
        ),
        Kind::ConfigMap => (&["NAME", "DATA", "AGE"], &[]),
        Kind::ServiceAccount => (&["NAME", "SECRETS", "AGE"], &[]),
        Kind::Secret => (&["NAME", "TYPE", "DATA", "AGE"], &[]),
        Kind::Endpoints => (&["NAME", "ENDPOINTS", "AGE"], &[]),
        Kind::Job => (
            &["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::CronJob => (
            &[
                "NAME",
                "SCHEDULE",
                "TIMEZONE",
                "SUSPEND",
                "ACTIVE",
                "LAST SCHEDULE",
                "AGE",
            ],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::EndpointSlice => (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
        Kind::StatefulSet => (&["NAME", "READY", "AGE"], &["CONTAINERS", "IMAGES"]),
        Kind::DaemonSet => (
            &[
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
            ],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::ControllerRevision => (&["NAME", "CONTROLLER", "REVISION", "AGE"], &[]),
        Kind::PersistentVolumeClaim => (
            &[
                "NAME",
                "STATUS",
                "VOLUME",
                "CAPACITY",
                "ACCESS MODES",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Kind::PersistentVolume => (
            &[
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Kind::StorageClass => (
            &[
                "NAME",
                "PROVISIONER",
                "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION",
                "AGE",
            ],
            &[],
        ),
    };
    base.iter()
        .chain(if wide { extra.iter() } else { [].iter() })
        .map(|s| s.to_string())
        .collect()
}

fn containers_images(spec: Option<&PodSpec>) -> (String, String) {
    let cs = spec.map(|s| s.containers.clone()).unwrap_or_default();
    (
        cs.iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn selector_string(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            _ => String::new(),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn row_for(sim: &Sim, o: &Object, wide: bool) -> Vec<String> {
    let now = sim.clock().now();
    let created = o.meta().creation_timestamp.as_ref().map(|t| t.0);
    let a = age(created.as_ref(), now);
    let none = || "<none>".to_string();
    match o {
        Object::Pod(p) => {
            let s = podutil::summary(p);
            let restarts = match s.last_restart {
                Some(t) if s.restarts > 0 => format!(
                    "{} ({} ago)",
                    s.restarts,
                    human_duration((now - t).num_seconds())
                ),
                _ => s.restarts.to_string(),
            };
            let mut row = vec![o.name().to_string(), s.ready, s.status, restarts, a];
            if wide {
                let st = p.status.clone().unwrap_or_default();
                row.push(
                    st.pod_ips
                        .and_then(|v| v.first().map(|i| i.ip.clone()))
                        .or(st.pod_ip)
                        .unwrap_or_else(none),
                );
                row.push(podutil::node(p).map(str::to_string).unwrap_or_else(none));
                row.push(st.nominated_node_name.unwrap_or_else(none));
                let gates = p
                    .spec
                    .as_ref()
                    .and_then(|s| s.readiness_gates.clone())
                    .unwrap_or_default();
                row.push(if gates.is_empty() {
                    none()
                } else {
                    format!("0/{}", gates.len())
                });
            }
            row
        }
        Object::Deployment(d) => {
            let st = d.status.clone().unwrap_or_default();
            let spec = d.spec.clone().unwrap_or_default();
            let mut row = vec![
                o.name().to_string(),
                format!(
                    "{}/{}",
                    st.ready_replicas.unwrap_or(0),
                    spec.replicas.unwrap_or(1)
                ),
                st.updated_replicas.unwrap_or(0).to_string(),
                st.available_replicas.unwrap_or(0).to_string(),
                a,
            ];
            if wide {
                let (c, i) = containers_images(spec.template.spec.as_ref());
                row.extend([c, i, selector_string(&spec.selector)]);
            }
            row
        }
        Object::ReplicaSet(rs) => {
            let st = rs.status.clone().unwrap_or_default();
            let spec = rs.spec.clone().unwrap_or_default();
            let mut row = vec![
                o.name().to_string(),
                spec.replicas.unwrap_or(1).to_string(),
                st.replicas.to_string(),
                st.ready_replicas.unwrap_or(0).to_string(),
                a,
            ];
            if wide {
                let (c, i) =
                    containers_images(spec.template.as_ref().and_then(|t| t.spec.as_ref()));
                row.extend([c, i, selector_string(&spec.selector)]);
            }
            row
        }
        Object::Node(n) => {
            let info = n
                .status
                .as_ref()
                .and_then(|s| s.node_info.clone())
                .unwrap_or_default();
            let mut row = vec![
                o.name().to_string(),
                node_status(n),
                node_roles(n),
                a,
                info.kubelet_version.clone(),
            ];
            if wide {
                let addr = |t: &str| {
                    n.status
                        .as_ref()
                        .and_then(|s| s.addresses.as_ref())
                        .and_then(|a| a.iter().find(|x| x.type_ == t))
                        .map(|x| x.address.clone())
                        .unwrap_or_else(none)
                };
                let unknown = |s: &str| {
                    if s.is_empty() {
                        "<unknown>".to_string()
                    } else {
                        s.to_string()
                    }
                };
                row.extend([
                    addr("InternalIP"),
                    addr("ExternalIP"),
                    unknown(&info.os_image),
                    unknown(&info.kernel_version),
                    unknown(&info.container_runtime_version),
                ]);
            }
            row
        }
        Object::Namespace(ns) => {
            let phase = if o.meta().deletion_timestamp.is_some() {
                "Terminating".to_string()
            } else {
                ns.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_default()
            };
            vec![o.name().to_string(), phase, a]
        }
        Object::Service(svc) => {
            let spec = svc.spec.clone().unwrap_or_default();
            let t = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
            let cluster_ip = spec
                .cluster_ip
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(none);
            let ext = match t.as_str() {
                "ExternalName" => spec.external_name.clone().unwrap_or_else(none),
                "LoadBalancer" => {
                    let ing: Vec<String> = svc
                        .status
                        .as_ref()
                        .and_then(|s| s.load_balancer.as_ref())
                        .and_then(|l| l.ingress.as_ref())
                        .map(|v| {
                            v.iter()
                                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let mut all: Vec<String> = spec.external_ips.clone().unwrap_or_default();
                    all.extend(ing);
                    if all.is_empty() {
                        "<pending>".into()
                    } else {
                        all.join(",")
                    }
                }
                _ => match &spec.external_ips {
                    Some(v) if !v.is_empty() => v.join(","),
                    _ => none(),
                },
            };
            let ports: Vec<String> = spec
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                    match p.node_port {
                        Some(np) if np > 0 => format!("{}:{np}/{proto}", p.port),
                        _ => format!("{}/{proto}", p.port),
                    }
                })
                .collect();
            let mut row = vec![
                o.name().to_string(),
                t,
                cluster_ip,
                ext,
                if ports.is_empty() {
                    none()
                } else {
                    ports.join(",")
                },
                a,
            ];
            if wide {
                let sel: Vec<String> = spec
                    .selector
                    .iter()
                    .flatten()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                row.push(if sel.is_empty() {
                    none()
                } else {
                    sel.join(",")
                });
            }
            row
        }
        Object::ServiceAccount(sa) => {
            let n = sa.secrets.as_ref().map_or(0, |s| s.len());
            vec![o.name().to_string(), n.to_string(), a]
        }
        Object::ConfigMap(cm) => {
            let n = cm.data.as_ref().map_or(0, |d| d.len())
                + cm.binary_data.as_ref().map_or(0, |d| d.len());
            vec![o.name().to_string(), n.to_string(), a]
        }
        Object::Secret(sec) => {
            let n = sec.data.as_ref().map_or(0, |d| d.len());
            vec![
                o.name().to_string(),
                sec.type_.clone().unwrap_or_else(|| "Opaque".into()),
                n.to_string(),
                a,
            ]
        }
        Object::Endpoints(e) => vec![
            o.name().to_string(),
            crate::sim::controllers::endpoints::format_endpoints(e),
            a,
        ],
        Object::Job(_) | Object::CronJob(_) => super::create_job::row(sim, o, wide),
        Object::EndpointSlice(es) => {
            let (ports, endpoints) = crate::sim::controllers::endpoints::format_slice(es);
            vec![
                o.name().to_string(),
                es.address_type.clone(),
                ports,
                endpoints,
                a,
            ]
        }
        Object::StatefulSet(s) => {
            let st = s.status.clone().unwrap_or_default();
            let spec = s.spec.clone().unwrap_or_default();
            let mut row = vec![
                o.name().to_string(),
                format!(
                    "{}/{}",
                    st.ready_replicas.unwrap_or(0),
                    spec.replicas.unwrap_or(1)
                ),
                a,
            ];
            if wide {
                let (c, i) = containers_images(spec.template.spec.as_ref());
                row.extend([c, i]);
            }
            row
        }
        Object::DaemonSet(d) => {
            let st = d.status.clone().unwrap_or_default();
            let spec = d.spec.clone().unwrap_or_default();
            let sel: Vec<String> = spec
                .template
                .spec
                .as_ref()
                .and_then(|s| s.node_selector.clone())
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let mut row = vec![
                o.name().to_string(),
                st.desired_number_scheduled.to_string(),
                st.current_number_scheduled.to_string(),
                st.number_ready.to_string(),
                st.updated_number_scheduled.unwrap_or(0).to_string(),
                st.number_available.unwrap_or(0).to_string(),
                if sel.is_empty() {
                    none()
                } else {
                    sel.join(",")
                },
                a,
            ];
            if wide {
                let (c, i) = containers_images(spec.template.spec.as_ref());
                row.extend([c, i, selector_string(&spec.selector)]);
            }
            row
        }
        Object::ControllerRevision(cr) => {
            let owner = o.controller_ref().map(|r| {
                let group = r
                    .api_version
                    .split_once('/')
                    .map(|(g, _)| format!(".{g}"))
                    .unwrap_or_default();
                format!("{}{group}/{}", r.kind.to_ascii_lowercase(), r.name)
            });
            vec![
                o.name().to_string(),
                owner.unwrap_or_else(none),
                cr.revision.to_string(),
                a,
            ]
        }
        Object::PersistentVolumeClaim(c) => {
            let spec = c.spec.clone().unwrap_or_default();
            let st = c.status.clone().unwrap_or_default();
            let phase = if o.meta().deletion_timestamp.is_some() {
                "Terminating".into()
            } else {
                st.phase.clone().unwrap_or_default()
            };
            let volume = spec.volume_name.clone().unwrap_or_default();
            let (capacity, modes) = if volume.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    st.capacity
                        .as_ref()
                        .and_then(|c| c.get("storage"))
                        .map(|q| q.0.clone())
                        .unwrap_or_default(),
                    crate::sim::controllers::pvc::access_modes_short(
                        st.access_modes.as_deref().unwrap_or(&[]),
                    ),
                )
            };
            let vac = spec
                .volume_attributes_class_name
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            let mut row = vec![
                o.name().to_string(),
                phase,
                volume,
                capacity,
                modes,
                spec.storage_class_name.clone().unwrap_or_default(),
                vac,
                a,
            ];
            if wide {
                row.push(spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into()));
            }
            row
        }
        Object::PersistentVolume(v) => {
            let spec = v.spec.clone().unwrap_or_default();
            let st = v.status.clone().unwrap_or_default();
            let phase = if o.meta().deletion_timestamp.is_some() {
                "Terminating".into()
            } else {
                st.phase.clone().unwrap_or_default()
            };
            let claim = spec
                .claim_ref
                .as_ref()
                .map(|r| {
                    format!(
                        "{}/{}",
                        r.namespace.clone().unwrap_or_default(),
                        r.name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let vac = spec
                .volume_attributes_class_name
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            let mut row = vec![
                o.name().to_string(),
                spec.capacity
                    .as_ref()
                    .and_then(|c| c.get("storage"))
                    .map(|q| q.0.clone())
                    .unwrap_or_else(|| "0".into()),
                crate::sim::controllers::pvc::access_modes_short(
                    spec.access_modes.as_deref().unwrap_or(&[]),
                ),
                spec.persistent_volume_reclaim_policy
                    .clone()
                    .unwrap_or_default(),
                phase,
                claim,
                spec.storage_class_name.clone().unwrap_or_default(),
                vac,
                st.reason.clone().unwrap_or_default(),
                a,
            ];
            if wide {
                row.push(spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into()));
            }
            row
        }
        Object::StorageClass(sc) => {
            let mut name = o.name().to_string();
            if crate::sim::controllers::pvc::is_default_class(sc) {
                name.push_str(" (default)");
            }
            vec![
                name,
                sc.provisioner.clone(),
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
                sc.volume_binding_mode
                    .clone()
                    .unwrap_or_else(|| "Immediate".into()),
                sc.allow_volume_expansion.unwrap_or(false).to_string(),
                a,
            ]
        }
    }
}

// ---------------------------------------------------------------------------------------------
// create

pub(crate) const CREATE_DEPLOYMENT_FLAGS: &[FlagSpec] = &[
    flag("image", None, true),
    flag("replicas", Some('r'), true),
    flag("port", None, true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("save-config", None, false),
    flag("validate", None, true),
    flag("field-manager", None, true),
];

fn create(sim: &mut Sim, words: &[String], inputs: &super::apply::Inputs) -> Outcome {
    match words.first().map(String::as_str) {
        Some("deployment") | Some("deploy") => create_deployment(sim, &words[1..]),
        Some("namespace") | Some("ns") => super::generate::namespace(sim, &words[1..]),
        Some("configmap") | Some("cm") => super::generate::configmap(sim, &words[1..], inputs),
        Some("secret") => super::generate::secret(sim, &words[1..], inputs),
        Some("serviceaccount") | Some("sa") => super::generate::serviceaccount(sim, &words[1..]),
        Some("job") => super::create_job::job(sim, &words[1..]),
        Some("cronjob") | Some("cj") => super::create_job::cronjob(sim, &words[1..]),
        Some("service") | Some("svc") => super::generate::service(sim, &words[1..]),
        Some(w) if !w.starts_with('-') => Outcome::err(format!(
            "error: Unexpected args: [{}]\nSee 'kubectl create -h' for help and examples\n",
            words
                .iter()
                .filter(|w| !w.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        )),
        _ => Outcome::err("error: must specify one of -f and -k\n"),
    }
}

/// The container name `kubectl create deployment` derives from an image: its last path segment,
/// without tag or digest.
pub fn container_name_from_image(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last).to_string()
}

fn create_deployment(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, CREATE_DEPLOYMENT_FLAGS, "kubectl create deployment") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let images = p.all("image");
    if images.is_empty() {
        return Outcome::err(klog_failure(sim, "required flag(s) \"image\" not set"));
    }
    let Some(name) = p.args.first().cloned() else {
        return Outcome::err("error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n");
    };
    if p.args.len() > 1 {
        return Outcome::err(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl create deployment -h' for help and examples\n",
            p.args.len()
        ));
    }
    let replicas = match p.get("replicas") {
        None => 1,
        Some(r) => match r.parse::<i32>() {
            Ok(n) => n,
            Err(_) => {
                return Outcome::err(format!(
                    "Error: invalid argument \"{r}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl create deployment --help' for usage.\n"
                ))
            }
        },
    };
    let port = match p.get("port") {
        None => None,
        Some(v) => match v.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                return Outcome::err(format!(
                    "Error: invalid argument \"{v}\" for \"--port\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl create deployment --help' for usage.\n"
                ))
            }
        },
    };
    let dry_run = p.get("dry-run").unwrap_or("none").to_string();
    if !matches!(
        dry_run.as_str(),
        "none" | "client" | "server" | "true" | "false"
    ) {
        return Outcome::err(format!("error: Invalid dry-run value ({dry_run}). Must be \"none\", \"server\", or \"client\".\n"));
    }
    let output = p.get("output").unwrap_or("").to_string();
    let labels: BTreeMap<String, String> = [("app".to_string(), name.clone())].into();
    let containers: Vec<Container> = images
        .iter()
        .map(|img| Container {
            name: container_name_from_image(img),
            image: Some(img.clone()),
            command: p.after_dash.clone().filter(|c| !c.is_empty()),
            ports: port.map(|n| {
                vec![ContainerPort {
                    container_port: n,
                    ..Default::default()
                }]
            }),
            resources: Some(Default::default()),
            ..Default::default()
        })
        .collect();
    let d = Deployment {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace(&p)),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                match_expressions: None,
            },
            strategy: Some(Default::default()),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers,
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let kind = Kind::Deployment;
    if dry_run == "client" || dry_run == "true" {
        let mut v = Object::Deployment(d).to_json_value();
        // Client dry-run prints the object as built: no namespace unless given, a null timestamp.
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            if p.get("namespace").is_none() {
                m.remove("namespace");
            }
            m.insert("creationTimestamp".into(), serde_json::Value::Null);
        }
        if let Some(m) = v
            .pointer_mut("/spec/template/metadata")
            .and_then(|m| m.as_object_mut())
        {
            m.insert("creationTimestamp".into(), serde_json::Value::Null);
        }
        return print_created(&v, kind, &name, &output, " (dry run)");
    }
    if replicas < 0 {
        return Outcome::err(
            crate::sim::ApiError::invalid(
                kind,
                &name,
                &[format!(
                    "spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
                )],
            )
            .kubectl_message()
                + "\n",
        );
    }
    match sim.create(Object::Deployment(d)) {
        Ok(obj) => print_created(&obj.to_json_value(), kind, &name, &output, ""),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

fn print_created(
    v: &serde_json::Value,
    kind: Kind,
    name: &str,
    output: &str,
    suffix: &str,
) -> Outcome {
    match output {
        "yaml" => Outcome::ok(yaml(v)),
        "json" => Outcome::ok(super::printers::json_typed(v)),
        "name" => Outcome::ok(format!("{}/{}\n", kind.qualified_singular(), name)),
        _ => Outcome::ok(format!(
            "{}/{} created{suffix}\n",
            kind.qualified_singular(),
            name
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// scale

pub(crate) const SCALE_FLAGS: &[FlagSpec] = &[
    flag("replicas", None, true),
    flag("current-replicas", None, true),
    flag("resource-version", None, true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("timeout", None, true),
    flag("selector", Some('l'), true),
    flag("all", None, false),
];

const NEED_RESOURCES: &str = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n";

/// `Error from server (NotFound): ...` for one object.
pub(crate) fn not_found(kind: Kind, name: &str) -> Outcome {
    Outcome::err(format!(
        "{}\n",
        crate::sim::ApiError::not_found(kind, name).kubectl_message()
    ))
}

/// `TYPE NAME...` or `TYPE/NAME...` into (kind, name) pairs.
pub(crate) fn split_targets(args: &[String]) -> Result<Vec<(Kind, String)>, Outcome> {
    targets(args)
}

/// `TYPE NAME...` or `TYPE/NAME...` into (kind, name) pairs.
fn targets(args: &[String]) -> Result<Vec<(Kind, String)>, Outcome> {
    if args.is_empty() {
        return Err(Outcome::err(NEED_RESOURCES));
    }
    let mut v = Vec::new();
    if args[0].contains('/') {
        for a in args {
            let (t, n) = a.split_once('/').unwrap_or((a, ""));
            let k = resolve_kind(t).ok_or_else(|| unknown_type(t))?;
            v.push((k, n.to_string()));
        }
    } else {
        let k = resolve_kind(&args[0]).ok_or_else(|| unknown_type(&args[0]))?;
        if args.len() == 1 {
            return Err(Outcome::err(
                "error: resource(s) were provided, but no name was specified\n".to_string(),
            ));
        }
        for n in &args[1..] {
            v.push((k, n.clone()));
        }
    }
    Ok(v)
}

fn scale(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, SCALE_FLAGS, "kubectl scale") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if p.args.is_empty() {
        return Outcome::err(NEED_RESOURCES);
    }
    let Some(r) = p.get("replicas") else {
        return Outcome::err(klog_failure(sim, "required flag(s) \"replicas\" not set"));
    };
    let replicas = match r.parse::<i32>() {
        Ok(n) if n >= 0 => n,
        Ok(_) => {
            return Outcome::err("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n")
        }
        Err(_) => {
            return Outcome::err(format!(
                "Error: invalid argument \"{r}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl scale --help' for usage.\n"
            ))
        }
    };
    let ts = match targets(&p.args) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let ns = namespace(&p);
    let mut out = Outcome::default();
    for (kind, name) in ts {
        if !matches!(
            kind,
            Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet
        ) {
            out.stderr.push_str(&format!(
                "error: cannot scale {}: no scaler has been implemented for {{\"{}\" \"{}\"}}\n",
                kind.qualified_plural(),
                kind.group(),
                kind.name()
            ));
            out.exit_code = 1;
            continue;
        }
        let key = ObjKey::new(kind, &ns, &name);
        let Some(obj) = sim.get(&key).cloned() else {
            out.stderr.push_str(&format!(
                "{}\n",
                crate::sim::ApiError::not_found(kind, &name).kubectl_message()
            ));
            out.exit_code = 1;
            continue;
        };
        let mut new = (*obj).clone();
        match &mut new {
            Object::Deployment(d) => {
                d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
            }
            Object::ReplicaSet(rs) => {
                rs.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
            }
            Object::StatefulSet(s) => {
                s.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
            }
            _ => {}
        }
        match sim.update(new) {
            Ok(_) => {
                out.stdout
                    .push_str(&format!("{}/{} scaled\n", kind.qualified_singular(), name))
            }
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.kubectl_message()));
                out.exit_code = 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// delete

/// `delete -f FILE` parses with `apply::FILE_FLAGS`; this is what completion offers of it.
pub(crate) const DELETE_FILE_FLAGS: &[FlagSpec] = &[flag("filename", Some('f'), true)];
pub(crate) const DELETE_FLAGS: &[FlagSpec] = &[
    flag("grace-period", None, true),
    flag("now", None, false),
    flag("force", None, false),
    flag("wait", None, false),
    flag("cascade", None, true),
    flag("all", None, false),
    flag("selector", Some('l'), true),
    flag("output", Some('o'), true),
    flag("ignore-not-found", None, false),
    flag("timeout", None, true),
    flag("dry-run", None, true),
];

fn delete(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, DELETE_FLAGS, "kubectl delete") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let selector = super::label::selector_flag(&p);
    let by_listing =
        p.args.len() == 1 && !p.args[0].contains('/') && (p.bool("all") || selector.is_some());
    let ts = if by_listing {
        // `kubectl delete TYPE --all` / `-l SELECTOR`: every matching object in the namespace.
        let mut v = Vec::new();
        let ns = namespace(&p);
        for t in p.args[0].split(',') {
            let Some(kind) = resolve_kind(t) else {
                return unknown_type(t);
            };
            let scope = if kind.namespaced() {
                Some(ns.as_str())
            } else {
                None
            };
            for o in sim.store().list(kind, scope) {
                let keep = match &selector {
                    Some((_, Ok(sel))) => sel.matches(&labels_of(&o)),
                    Some((raw, Err(e))) => {
                        return Outcome::err(super::label::list_error(kind, raw, e))
                    }
                    None => true,
                };
                if keep && o.meta().deletion_timestamp.is_none() {
                    v.push((kind, o.name().to_string()));
                }
            }
        }
        if v.is_empty() {
            return Outcome::ok("No resources found\n");
        }
        v
    } else {
        if selector.is_some() && p.args.len() > 1 {
            return Outcome::err("error: name cannot be provided when a selector is specified\n");
        }
        match targets(&p.args) {
            Ok(t) => t,
            Err(o) => return o,
        }
    };
    let force = p.bool("force");
    let mut grace: Option<i64> = match p.get("grace-period") {
        None => None,
        Some(g) => match g.parse::<i64>() {
            Ok(n) if n < 0 => None,
            Ok(n) => Some(n),
            Err(_) => {
                return Outcome::err(format!(
                    "Error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax\nSee 'kubectl delete --help' for usage.\n"
                ))
            }
        },
    };
    if p.bool("now") {
        grace = Some(1);
    }
    let mut out = Outcome::default();
    if force {
        if grace.is_some_and(|g| g > 0) && p.get("grace-period").is_some() {
            return Outcome::err(
                "error: --force and --grace-period greater than 0 cannot be specified together\n",
            );
        }
        grace = Some(0);
        out.stderr.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    } else if grace == Some(0) {
        grace = Some(1);
    }
    let wait = p.get("wait").is_none_or(|w| w != "false");
    let propagation = match p.get("cascade") {
        None | Some("background") => Propagation::Background,
        Some("foreground") => Propagation::Foreground,
        Some("orphan") => Propagation::Orphan,
        Some("true") => {
            out.stderr.push_str("warning: --cascade=true is deprecated (boolean value) and can be replaced with --cascade=background.\n");
            Propagation::Background
        }
        Some("false") => {
            out.stderr.push_str("warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n");
            Propagation::Orphan
        }
        Some(other) => {
            return Outcome::err(format!("error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\"\n"))
        }
    };
    let ns = namespace(&p);
    let mut waits = Vec::new();
    for (kind, name) in ts {
        let key = ObjKey::new(kind, if kind.namespaced() { &ns } else { "" }, &name);
        let uid = sim.get(&key).map(|o| o.uid().to_string());
        match sim.delete_with(&key, grace, propagation) {
            Ok(_) => {
                let verb = if force { "force deleted" } else { "deleted" };
                out.stdout.push_str(&format!(
                    "{} \"{}\" {verb}\n",
                    kind.qualified_singular(),
                    name
                ));
                if let Some(uid) = uid {
                    waits.push((key, uid));
                }
            }
            Err(e) => {
                if !p.bool("ignore-not-found") {
                    out.stderr.push_str(&format!("{}\n", e.kubectl_message()));
                    out.exit_code = 1;
                }
            }
        }
    }
    if wait && !force && !waits.is_empty() {
        out.wait = Some(Wait::Gone(waits));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// version, cluster-info

pub(crate) const VERSION_FLAGS: &[FlagSpec] =
    &[flag("client", None, false), flag("output", Some('o'), true)];
pub(crate) const API_RESOURCES_FLAGS: &[FlagSpec] = &[
    flag("namespaced", None, true),
    flag("output", Some('o'), true),
    flag("no-headers", None, false),
    flag("api-group", None, true),
    flag("sort-by", None, true),
    flag("verbs", None, true),
    flag("cached", None, false),
];

fn version(words: &[String]) -> Outcome {
    let p = match args::parse(words, VERSION_FLAGS, "kubectl version") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let mut s =
        format!("Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n");
    if !p.bool("client") {
        s.push_str(&format!(
            "Server Version: {}\n",
            crate::sim::bootstrap::KUBERNETES_VERSION
        ));
    }
    Outcome::ok(s)
}

/// The short names `kubectl api-resources` lists (and `get` accepts) per kind.
pub fn short_names(kind: Kind) -> &'static str {
    match kind.plural() {
        "configmaps" => "cm",
        "serviceaccounts" => "sa",
        "endpoints" => "ep",
        "namespaces" => "ns",
        "nodes" => "no",
        "persistentvolumeclaims" => "pvc",
        "persistentvolumes" => "pv",
        "pods" => "po",
        "services" => "svc",
        "daemonsets" => "ds",
        "deployments" => "deploy",
        "replicasets" => "rs",
        "statefulsets" => "sts",
        "cronjobs" => "cj",
        "storageclasses" => "sc",
        "events" => "ev",
        _ => "",
    }
}

/// `kubectl api-resources`: the kinds this (simulated) API server serves, core group first, then
/// by group, each sorted by name.
/// `kubectl api-versions`: the group/versions the API server serves, sorted as kubectl sorts them.
fn api_versions(words: &[String]) -> Outcome {
    if let Err(e) = args::parse(words, &[], "kubectl api-versions") {
        return Outcome::err(e);
    }
    let mut versions: Vec<&str> = Kind::ALL.iter().map(|k| k.api_version()).collect();
    crate::sort::sort_by(&mut versions, |a, b| a.cmp(b));
    versions.dedup();
    Outcome::ok(
        versions
            .iter()
            .map(|v| format!("{v}\n"))
            .collect::<String>(),
    )
}

fn api_resources(words: &[String]) -> Outcome {
    let p = match args::parse(words, API_RESOURCES_FLAGS, "kubectl api-resources") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let mut kinds: Vec<Kind> = Kind::ALL.to_vec();
    crate::sort::sort_by(&mut kinds, |a, b| {
        (!a.group().is_empty(), a.group(), a.plural()).cmp(&(
            !b.group().is_empty(),
            b.group(),
            b.plural(),
        ))
    });
    if let Some(ns) = p.get("namespaced") {
        let want = ns != "false";
        kinds.retain(|k| k.namespaced() == want);
    }
    if let Some(g) = p.get("api-group") {
        kinds.retain(|k| k.group() == g);
    }
    if p.get("output") == Some("name") {
        let mut s = String::new();
        for k in kinds {
            if k.group().is_empty() {
                s.push_str(&format!("{}\n", k.plural()));
            } else {
                s.push_str(&format!("{}.{}\n", k.plural(), k.group()));
            }
        }
        return Outcome::ok(s);
    }
    let mut rows = Vec::new();
    if !p.bool("no-headers") {
        rows.push(
            ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        );
    }
    // Events are served too (kubectl get events).
    let mut extra = vec![("events", "ev", "v1", true, "Event")];
    for k in &kinds {
        rows.push(vec![
            k.plural().to_string(),
            short_names(*k).to_string(),
            k.api_version().to_string(),
            k.namespaced().to_string(),
            k.name().to_string(),
        ]);
    }
    if p.get("api-group").is_none_or(|g| g.is_empty())
        && p.get("namespaced").is_none_or(|n| n != "false")
    {
        let pos = rows
            .iter()
            .position(|r| r[2] == "v1" && r[0].as_str() > "events")
            .unwrap_or(rows.len());
        if let Some((n, s, v, ns, k)) = extra.pop() {
            rows.insert(
                pos,
                vec![n.into(), s.into(), v.into(), ns.to_string(), k.into()],
            );
        }
    }
    Outcome::ok(table(&rows))
}

fn cluster_info(words: &[String]) -> Outcome {
    if let Err(e) = args::parse(words, &[], "kubectl cluster-info") {
        return Outcome::err(e);
    }
    Outcome::ok(format!(
        "Kubernetes control plane is running at {SERVER_URL}\nCoreDNS is running at {SERVER_URL}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
    ))
}

const HELP: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  scale           Set a new size for a deployment, replica set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information

Other Commands:
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names() {
        assert_eq!(container_name_from_image("nginx:1.27"), "nginx");
        assert_eq!(container_name_from_image("ghcr.io/a/b:tag"), "b");
        assert_eq!(
            container_name_from_image("gcr.io/google-samples/kubernetes-bootcamp:v1"),
            "kubernetes-bootcamp"
        );
        assert_eq!(container_name_from_image("nginx@sha256:abc"), "nginx");
    }

    #[test]
    fn kinds() {
        assert_eq!(resolve_kind("po"), Some(Kind::Pod));
        assert_eq!(resolve_kind("deployments.apps"), Some(Kind::Deployment));
        assert_eq!(resolve_kind("pods.apps"), None);
        assert_eq!(resolve_kind("foo"), None);
    }

    #[test]
    fn suggestions() {
        let o = unknown_command("gett");
        assert_eq!(o.stderr, "Error: unknown command \"gett\" for \"kubectl\"\n\nDid you mean this?\n\tset\n\tget\n\n");
        let o = unknown_command("foo");
        assert_eq!(
            o.stderr,
            "Error: unknown command \"foo\" for \"kubectl\"\n\nDid you mean this?\n\ttop\n\n"
        );
    }
}
