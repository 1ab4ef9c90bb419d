//! `kubectl cordon`, `uncordon` and `drain` (kubectl 1.32 `pkg/cmd/drain`, `pkg/drain`): the
//! messages, the pod filters (DaemonSet-managed, mirror, local storage, unreplicated) with their
//! errors and warnings, eviction of each pod and the wait until each is gone.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodCondition};

use super::args::{self, flag, FlagSpec};
use super::outcome::{Outcome, Progress, Wait};
use crate::sim::kubelet::go_duration;
use crate::sim::object::{Kind, Object};
use crate::sim::podutil;
use crate::sim::store::ObjKey;
use crate::sim::Sim;

pub(crate) const CORDON_FLAGS: &[FlagSpec] = &[
    flag("dry-run", None, true),
    flag("selector", Some('l'), true),
];

pub(crate) const DRAIN_FLAGS: &[FlagSpec] = &[
    flag("ignore-daemonsets", None, false),
    flag("delete-emptydir-data", None, false),
    flag("delete-local-data", None, false),
    flag("force", None, false),
    flag("grace-period", None, true),
    flag("timeout", None, true),
    flag("disable-eviction", None, false),
    flag("pod-selector", None, true),
    flag("selector", Some('l'), true),
    flag("skip-wait-for-delete-timeout", None, true),
    flag("chunk-size", None, true),
    flag("dry-run", None, true),
];

/// A drain waiting for its evicted pods to be gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrainWait {
    pub node: String,
    /// (key, uid) of every pod evicted, in the order evicted.
    pub pods: Vec<(ObjKey, String)>,
    /// Pods already reported gone.
    pub reported: Vec<bool>,
    /// `--timeout`: (virtual instant it ends, the flag as written for the message).
    pub deadline: Option<(u64, String)>,
    /// `--disable-eviction`: the pods were deleted, not evicted.
    pub deleted: bool,
    pub finished: bool,
}

fn node_obj(sim: &Sim, name: &str) -> Result<k8s_openapi::api::core::v1::Node, String> {
    sim.get(&ObjKey::new(Kind::Node, "", name))
        .and_then(|o| o.as_node().cloned())
        .ok_or_else(|| format!("Error from server (NotFound): nodes \"{name}\" not found\n"))
}

/// Sets `spec.unschedulable`; returns the line kubectl prints.
fn set_unschedulable(sim: &mut Sim, name: &str, on: bool) -> Result<String, String> {
    let n = node_obj(sim, name)?;
    let verb = if on { "cordoned" } else { "uncordoned" };
    if n.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
        == on
    {
        return Ok(format!("node/{name} already {verb}\n"));
    }
    let mut n = n;
    n.spec.get_or_insert_with(Default::default).unschedulable = if on { Some(true) } else { None };
    sim.update(Object::Node(n))
        .map_err(|e| e.kubectl_message())?;
    Ok(format!("node/{name} {verb}\n"))
}

/// `kubectl cordon NODE...` / `kubectl uncordon NODE...`.
pub fn cordon(sim: &mut Sim, words: &[String], on: bool) -> Outcome {
    let verb = if on { "cordon" } else { "uncordon" };
    let p = match args::parse(words, CORDON_FLAGS, &format!("kubectl {verb}")) {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if p.args.is_empty() {
        return Outcome::err(format!(
            "error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples\n"
        ));
    }
    let mut out = Outcome::default();
    for name in &p.args {
        let name = name
            .strip_prefix("node/")
            .or_else(|| name.strip_prefix("nodes/"))
            .unwrap_or(name);
        match set_unschedulable(sim, name, on) {
            Ok(s) => out.stdout.push_str(&s),
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
            }
        }
    }
    out
}

/// Why a pod blocks a drain (`PodDeleteStatus` with an error) or what is said about it (warning).
enum Verdict {
    Evict,
    Skip,
    /// Evicted, with a warning.
    Warn(&'static str),
    /// Left alone, with a warning (DaemonSet pods under --ignore-daemonsets).
    Ignore(&'static str),
    Error(&'static str),
}

const DS_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DS_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_FATAL: &str = "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str =
    "cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

struct Opts {
    ignore_ds: bool,
    delete_local: bool,
    force: bool,
}

/// `makeFilters`: skip-deleted, DaemonSet, mirror, local storage, unreplicated, in that order; the
/// first filter that keeps a pod decides.
fn verdict(pod: &Pod, o: &Opts) -> Verdict {
    let finished = matches!(podutil::phase(pod), "Succeeded" | "Failed");
    let ctrl = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true));
    let mut warn = None;
    if ctrl.is_some_and(|r| r.kind == "DaemonSet") {
        return if o.ignore_ds {
            Verdict::Ignore(DS_WARNING)
        } else {
            Verdict::Error(DS_FATAL)
        };
    }
    if crate::sim::podutil::is_mirror(pod) {
        return Verdict::Skip;
    }
    let empty_dir = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
    if empty_dir && !finished {
        if !o.delete_local {
            return Verdict::Error(LOCAL_FATAL);
        }
        warn = Some(LOCAL_WARNING);
    }
    if !finished && ctrl.is_none() {
        if !o.force {
            return Verdict::Error(UNMANAGED_FATAL);
        }
        warn = Some(UNMANAGED_WARNING);
    }
    match warn {
        Some(w) => Verdict::Warn(w),
        None => Verdict::Evict,
    }
}

/// `kubectl drain NODE`.
pub fn drain(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, DRAIN_FLAGS, "kubectl drain") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let Some(name) = p.args.first() else {
        return Outcome::err(
            "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples\n",
        );
    };
    let name = name
        .strip_prefix("node/")
        .or_else(|| name.strip_prefix("nodes/"))
        .unwrap_or(name)
        .to_string();
    let grace = match p.get("grace-period") {
        None => -1,
        Some(g) => match g.parse::<i64>() {
            Ok(v) => v,
            Err(_) => return Outcome::err(format!("Error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax\nSee 'kubectl drain --help' for usage.\n")),
        },
    };
    let timeout = match p.get("timeout") {
        None => None,
        Some(t) => match super::parse_duration_ms(t) {
            Some(0) => None,
            Some(ms) => Some((ms, go_duration(ms))),
            None => return Outcome::err(format!("Error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl drain --help' for usage.\n")),
        },
    };
    // `--dry-run`: the node is cordoned on a copy of the cluster (server) or not at all (client);
    // the pods that would go are listed and nothing waits (`deleteOrEvictPodsSimple`).
    let dry = match p.get("dry-run") {
        None | Some("none") | Some("false") => None,
        Some("client") | Some("true") => Some(" (dry run)"),
        Some("server") => Some(" (server dry run)"),
        Some(v) => {
            return Outcome::err(format!(
                "error: Invalid dry-run value ({v}). Must be \"none\", \"server\", or \"client\".\n"
            ))
        }
    };
    let mut copy;
    let sim: &mut Sim = if dry.is_some() {
        copy = sim.dry_run_copy();
        &mut copy
    } else {
        sim
    };
    let opts = Opts {
        ignore_ds: p.bool("ignore-daemonsets"),
        delete_local: p.bool("delete-emptydir-data") || p.bool("delete-local-data"),
        force: p.bool("force"),
    };
    let mut out = Outcome::default();
    if p.bool("delete-local-data") {
        out.stderr.push_str("Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data.\n");
    }
    // The node is cordoned first, even if the drain then fails.
    match set_unschedulable(sim, &name, true) {
        Ok(s) => match dry {
            Some(note) => out.stdout.push_str(&format!("{}{note}\n", s.trim_end())),
            None => out.stdout.push_str(&s),
        },
        Err(e) => {
            out.stderr.push_str(&e);
            out.exit_code = 1;
            return out;
        }
    }
    let mut pods: Vec<Pod> = sim
        .store()
        .pods_on_node(&name)
        .iter()
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    // The API lists pods by namespace and name.
    crate::sort::sort_by(&mut pods, |a, b| {
        (a.metadata.namespace.as_deref(), a.metadata.name.as_deref())
            .cmp(&(b.metadata.namespace.as_deref(), b.metadata.name.as_deref()))
    });
    if let Some(sel) = p.get("pod-selector") {
        let pairs: Vec<(String, String)> = sel
            .split(',')
            .filter_map(|kv| {
                kv.split_once('=').map(|(k, v)| {
                    (
                        k.trim().to_string(),
                        v.trim_start_matches('=').trim().to_string(),
                    )
                })
            })
            .collect();
        pods.retain(|pod| {
            pairs
                .iter()
                .all(|(k, v)| pod.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
        });
    }
    let mut errors: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut warnings: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut evict: Vec<Pod> = Vec::new();
    for pod in pods {
        let id = format!(
            "{}/{}",
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or("")
        );
        match verdict(&pod, &opts) {
            Verdict::Evict => evict.push(pod),
            Verdict::Skip => {}
            Verdict::Warn(w) => {
                warnings.entry(w).or_default().push(id);
                evict.push(pod);
            }
            Verdict::Ignore(w) => warnings.entry(w).or_default().push(id),
            Verdict::Error(e) => errors.entry(e).or_default().push(id),
        }
    }
    if !errors.is_empty() {
        let errs: Vec<String> = errors
            .iter()
            .map(|(m, ps)| format!("cannot delete {m}: {}", ps.join(", ")))
            .collect();
        let agg = if errs.len() == 1 {
            errs[0].clone()
        } else {
            format!("[{}]", errs.join(", "))
        };
        out.stderr.push_str(&format!(
            "error: unable to drain node \"{name}\" due to error: {agg}, continuing command...\n"
        ));
        out.stderr.push_str(&format!(
            "There are pending nodes to be drained:\n {name}\n"
        ));
        for e in errs {
            out.stderr.push_str(&e);
            out.stderr.push('\n');
        }
        out.exit_code = 1;
        return out;
    }
    if !warnings.is_empty() {
        let ws: Vec<String> = warnings
            .iter()
            .map(|(m, ps)| format!("{m}: {}", ps.join(", ")))
            .collect();
        out.stderr
            .push_str(&format!("Warning: {}\n", ws.join("; ")));
    }
    if let Some(note) = dry {
        for pod in &evict {
            let id = format!(
                "{}/{}",
                pod.metadata.namespace.as_deref().unwrap_or(""),
                pod.metadata.name.as_deref().unwrap_or("")
            );
            // Client dry-run only lists; server dry-run sends each eviction with dryRun=All and
            // does not wait for pods that are not going anywhere.
            if note == " (dry run)" {
                out.stdout
                    .push_str(&format!("evicting pod {id} (dry run)\n"));
            } else {
                out.stdout.push_str(&format!("evicting pod {id}\n"));
            }
        }
        out.stdout.push_str(&format!("node/{name} drained{note}\n"));
        return out;
    }
    let disable = p.bool("disable-eviction");
    let mut waits = Vec::new();
    for pod in evict {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let pname = pod.metadata.name.clone().unwrap_or_default();
        let key = ObjKey::new(Kind::Pod, &ns, &pname);
        if !disable {
            out.stdout.push_str(&format!("evicting pod {ns}/{pname}\n"));
            // The eviction API marks the pod as a disruption target, then deletes it.
            if podutil::is_active(&pod) {
                let mut p2 = pod.clone();
                let conds = p2
                    .status
                    .get_or_insert_with(Default::default)
                    .conditions
                    .get_or_insert_with(Vec::new);
                conds.retain(|c| c.type_ != "DisruptionTarget");
                conds.push(PodCondition {
                    type_: "DisruptionTarget".into(),
                    status: "True".into(),
                    reason: Some("EvictionByEvictionAPI".into()),
                    message: Some("Eviction API: evicting".into()),
                    last_transition_time: Some(sim.clock().now_time()),
                    ..Default::default()
                });
                sim.write_status(Object::Pod(p2));
            }
        }
        let g = if grace >= 0 { Some(grace) } else { None };
        if sim.delete(&key, g).is_ok() {
            waits.push((key, pod.metadata.uid.clone().unwrap_or_default()));
        }
    }
    let n = waits.len();
    let mut w = DrainWait {
        node: name,
        pods: waits,
        reported: vec![false; n],
        deadline: timeout.map(|(ms, s)| (sim.elapsed_ms() + ms, s)),
        deleted: disable,
        finished: false,
    };
    let first = poll(sim, &mut w);
    out.stdout.push_str(&first.stdout);
    out.stderr.push_str(&first.stderr);
    if first.done {
        out.exit_code = first.exit_code;
    } else {
        out.wait = Some(Wait::Drain(Box::new(w)));
    }
    out
}

/// What the waiting drain prints: `pod/x evicted` as each pod goes, then `node/n drained`; or the
/// timeout's errors.
pub fn poll(sim: &Sim, w: &mut DrainWait) -> Progress {
    let mut p = Progress::default();
    if w.finished {
        p.done = true;
        return p;
    }
    let verb = if w.deleted { "deleted" } else { "evicted" };
    for (i, (key, uid)) in w.pods.iter().enumerate() {
        if w.reported[i] {
            continue;
        }
        if sim.get(key).is_none_or(|o| o.uid() != uid) {
            w.reported[i] = true;
            p.stdout.push_str(&format!("pod/{} {verb}\n", key.name));
        }
    }
    if w.reported.iter().all(|r| *r) {
        p.stdout.push_str(&format!("node/{} drained\n", w.node));
        p.done = true;
        w.finished = true;
        return p;
    }
    if let Some((at, text)) = &w.deadline {
        if sim.elapsed_ms() >= *at {
            let errs: Vec<String> = w
                .pods
                .iter()
                .zip(&w.reported)
                .filter(|(_, r)| !**r)
                .map(|((k, _), _)| {
                    if w.deleted {
                        format!("global timeout reached: {text}")
                    } else {
                        format!("error when waiting for pod \"{}\" in namespace \"{}\" to terminate: global timeout reached: {text}", k.name, k.namespace)
                    }
                })
                .collect();
            let errs = if w.deleted {
                errs.into_iter().take(1).collect()
            } else {
                errs
            };
            let agg = if errs.len() == 1 {
                errs[0].clone()
            } else {
                format!("[{}]", errs.join(", "))
            };
            p.stderr.push_str(&format!(
                "error: unable to drain node \"{}\" due to error: {agg}, continuing command...\n",
                w.node
            ));
            p.stderr.push_str(&format!(
                "There are pending nodes to be drained:\n {}\n",
                w.node
            ));
            for e in errs {
                p.stderr.push_str(&e);
                p.stderr.push('\n');
            }
            p.done = true;
            p.exit_code = 1;
            w.finished = true;
        }
    }
    p
}

/// Whether the drain has nothing more to wait for.
pub fn is_done(sim: &Sim, w: &DrainWait) -> bool {
    w.finished
        || w.pods
            .iter()
            .all(|(k, uid)| sim.get(k).is_none_or(|o| o.uid() != uid))
        || w.deadline
            .as_ref()
            .is_some_and(|(at, _)| sim.elapsed_ms() >= *at)
}
