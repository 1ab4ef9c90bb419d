//! `kubectl logs` and `kubectl exec`: what a container's simulated program printed (or prints when
//! run), with kubectl 1.32's and the kubelet's words for every refusal.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use super::args::{self, flag, FlagSpec, Parsed};
use super::cmd::resolve_kind;
use super::outcome::{Outcome, Progress, Wait};
use crate::sim::kubelet::{self, Instance};
use crate::sim::labels::Selector;
use crate::sim::object::Kind;
use crate::sim::podutil;
use crate::sim::program::{Ctx, Program};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

pub(crate) const LOGS_FLAGS: &[FlagSpec] = &[
    flag("follow", Some('f'), false),
    flag("previous", Some('p'), false),
    flag("container", Some('c'), true),
    flag("tail", None, true),
    flag("timestamps", None, false),
    flag("since", None, true),
    flag("since-time", None, true),
    flag("all-containers", None, false),
    flag("prefix", None, false),
    flag("selector", Some('l'), true),
    flag("limit-bytes", None, true),
    flag("ignore-errors", None, false),
    flag("pod-running-timeout", None, true),
    flag("max-log-requests", None, true),
    flag("insecure-skip-tls-verify-backend", None, false),
];

const USAGE: &str = "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n";

/// One container instance `kubectl logs -f` follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Follow {
    pub pod: ObjKey,
    pub pod_uid: String,
    pub container_id: String,
    /// Lines up to this virtual ms (since the start) have been printed.
    pub shown_ms: u64,
    /// `[pod/NAME/CONTAINER] ` with `--prefix`.
    pub prefix: String,
    pub timestamps: bool,
}

fn bad_request(msg: &str) -> Outcome {
    Outcome::err(format!("Error from server (BadRequest): {msg}\n"))
}

fn flag_error(name: &str, short: Option<char>, v: &str, parse: &str) -> Outcome {
    let f = match short {
        Some(c) => format!("-{c}, --{name}"),
        None => format!("--{name}"),
    };
    Outcome::err(format!(
        "Error: invalid argument \"{v}\" for \"{f}\" flag: {parse}\nSee 'kubectl logs --help' for usage.\n"
    ))
}

/// RFC3339Nano as Go prints it (trailing zeros of the fraction dropped).
pub fn rfc3339_nano(t: DateTime<Utc>) -> String {
    let s = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    match s.split_once('.') {
        Some((head, frac)) => {
            let digits = frac.trim_end_matches('Z').trim_end_matches('0');
            if digits.is_empty() {
                format!("{head}Z")
            } else {
                format!("{head}.{digits}Z")
            }
        }
        None => s,
    }
}

#[derive(Clone, Copy)]
struct Opts {
    previous: bool,
    follow: bool,
    tail: Option<usize>,
    since_ms: Option<u64>,
    timestamps: bool,
    prefix: bool,
    limit_bytes: Option<usize>,
}

pub fn logs(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, LOGS_FLAGS, "kubectl logs") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let tail = match p.get("tail") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n < 0 => None,
            Ok(n) => Some(n as usize),
            Err(_) => {
                return flag_error(
                    "tail",
                    None,
                    v,
                    &format!("strconv.ParseInt: parsing \"{v}\": invalid syntax"),
                )
            }
        },
    };
    let since_ms = match p.get("since") {
        None => None,
        Some(v) => {
            match super::parse_duration_ms(v).filter(|_| !v.chars().all(|c| c.is_ascii_digit())) {
                Some(ms) => Some(ms),
                None => {
                    return flag_error(
                        "since",
                        None,
                        v,
                        &format!("time: missing unit in duration \"{v}\""),
                    )
                }
            }
        }
    };
    let limit_bytes = match p.get("limit-bytes") {
        None => None,
        Some(v) => match v.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                return flag_error(
                    "limit-bytes",
                    None,
                    v,
                    &format!("strconv.ParseInt: parsing \"{v}\": invalid syntax"),
                )
            }
        },
    };
    let opts = Opts {
        previous: p.bool("previous"),
        follow: p.bool("follow"),
        tail,
        since_ms,
        timestamps: p.bool("timestamps"),
        prefix: p.bool("prefix"),
        limit_bytes,
    };
    let ns = p.namespace();
    if let Some(sel) = p.get("selector") {
        if !p.args.is_empty() {
            return Outcome::err("error: only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples\n");
        }
        return by_selector(sim, &p, &ns, sel, &opts);
    }
    let Some(target) = p.args.first().cloned() else {
        return Outcome::err(USAGE);
    };
    let mut container = p.get("container").map(str::to_string);
    if p.args.len() == 2 && container.is_none() {
        // The old `kubectl logs POD CONTAINER` form.
        container = Some(p.args[1].clone());
    } else if p.args.len() > 2 || (p.args.len() == 2 && container.is_some()) {
        return Outcome::err(USAGE);
    }
    let mut stderr = String::new();
    let pod = match target.split_once('/') {
        None => match sim
            .get(&ObjKey::new(Kind::Pod, &ns, &target))
            .and_then(|o| o.as_pod().cloned())
        {
            Some(pod) => pod,
            None => {
                return Outcome::err(format!(
                    "Error from server (NotFound): pods \"{target}\" not found\n"
                ))
            }
        },
        Some((t, name)) => {
            let Some(kind) = resolve_kind(t) else {
                return Outcome::err(format!(
                    "error: the server doesn't have a resource type \"{t}\"\n"
                ));
            };
            match first_pod(sim, kind, &ns, name) {
                Ok((pod, n)) => {
                    if n > 1 {
                        stderr.push_str(&format!(
                            "Found {n} pods, using pod/{}\n",
                            pod.metadata.name.as_deref().unwrap_or("")
                        ));
                    }
                    pod
                }
                Err(o) => return o,
            }
        }
    };
    let mut out = pod_logs(
        sim,
        &pod,
        container.as_deref(),
        p.bool("all-containers"),
        &opts,
    );
    out.stderr = stderr + &out.stderr;
    out
}

/// The pod kubectl picks for `TYPE/NAME` (`GetFirstPod` with `podutils.ByLogging`), and how many
/// matched.
fn first_pod(sim: &Sim, kind: Kind, ns: &str, name: &str) -> Result<(Pod, usize), Outcome> {
    let key = ObjKey::new(kind, ns, name);
    let Some(obj) = sim.get(&key) else {
        return Err(Outcome::err(format!(
            "Error from server (NotFound): {} \"{name}\" not found\n",
            kind.qualified_plural()
        )));
    };
    let selector = match kind {
        Kind::Pod => {
            return obj
                .as_pod()
                .cloned()
                .map(|p| (p, 1))
                .ok_or_else(|| Outcome::err("error: not a pod\n"))
        }
        Kind::Deployment => obj
            .as_deployment()
            .and_then(|d| d.spec.as_ref())
            .map(|s| s.selector.clone()),
        Kind::ReplicaSet => obj
            .as_replicaset()
            .and_then(|d| d.spec.as_ref())
            .map(|s| s.selector.clone()),
        Kind::Job => obj
            .as_job()
            .and_then(|j| j.spec.as_ref())
            .and_then(|s| s.selector.clone()),
        _ => None,
    };
    let Some(selector) = selector else {
        return Err(Outcome::err(format!(
            "error: cannot get the logs from {}\n",
            kind.qualified_singular()
        )));
    };
    let sel =
        Selector::from_label_selector(Some(&selector)).unwrap_or_else(|_| Selector::nothing());
    let mut pods = matching_pods(sim, ns, &sel);
    if pods.is_empty() {
        return Err(Outcome::err("error: timed out waiting for the condition\n"));
    }
    let n = pods.len();
    crate::sort::sort_by(&mut pods, by_logging);
    Ok((pods.swap_remove(0), n))
}

fn matching_pods(sim: &Sim, ns: &str, sel: &Selector) -> Vec<Pod> {
    let empty = BTreeMap::new();
    let mut v: Vec<Pod> = sim
        .store()
        .list(Kind::Pod, Some(ns))
        .iter()
        .filter_map(|o| o.as_pod().cloned())
        .filter(|p| sel.matches(p.metadata.labels.as_ref().unwrap_or(&empty)))
        .collect();
    crate::sort::sort_by(&mut v, |a, b| a.metadata.name.cmp(&b.metadata.name));
    v
}

/// `podutils.ByLogging`: scheduled first, Running before Unknown before Pending, ready first, ready
/// longer first, more restarts first, older first.
fn by_logging(a: &Pod, b: &Pod) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let node = |p: &Pod| podutil::node(p).is_some();
    if node(a) != node(b) {
        return if node(a) { Less } else { Greater };
    }
    let rank = |p: &Pod| match podutil::phase(p) {
        "Running" => 0,
        "Unknown" => 1,
        "Pending" => 2,
        _ => 3,
    };
    if rank(a) != rank(b) {
        return rank(a).cmp(&rank(b));
    }
    let (ra, rb) = (podutil::is_ready(a), podutil::is_ready(b));
    if ra != rb {
        return if ra { Less } else { Greater };
    }
    if ra && rb {
        let (ta, tb) = (podutil::ready_since(a), podutil::ready_since(b));
        if ta != tb {
            return ta.cmp(&tb);
        }
    }
    let (xa, xb) = (podutil::max_restarts(a), podutil::max_restarts(b));
    if xa != xb {
        return xb.cmp(&xa);
    }
    a.metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0)
        .cmp(&b.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

fn all_container_names(pod: &Pod) -> String {
    let spec = pod.spec.clone().unwrap_or_default();
    let mut v: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    v.extend(
        spec.ephemeral_containers
            .iter()
            .flatten()
            .map(|c| format!("{} (ephem)", c.name)),
    );
    v.extend(
        spec.init_containers
            .iter()
            .flatten()
            .map(|c| format!("{} (init)", c.name)),
    );
    v.join(", ")
}

/// kubectl's choice of container: `-c`, else the default-container annotation, else the first one
/// (saying so on stderr when there was a choice).
fn pick_container(pod: &Pod, asked: Option<&str>, stderr: &mut String) -> Result<String, Outcome> {
    let spec = pod.spec.clone().unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let exists = |n: &str| {
        spec.containers.iter().any(|c| c.name == n)
            || spec.init_containers.iter().flatten().any(|c| c.name == n)
            || spec
                .ephemeral_containers
                .iter()
                .flatten()
                .any(|c| c.name == n)
    };
    let mut name = asked.map(str::to_string).unwrap_or_default();
    if name.is_empty() {
        if let Some(d) = pod
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(DEFAULT_CONTAINER))
            .filter(|d| !d.is_empty())
        {
            if exists(d) {
                name = d.clone();
            } else {
                stderr.push_str(&format!(
                    "Default container name \"{d}\" not found in pod {pod_name}\n"
                ));
            }
        }
    }
    if name.is_empty() {
        let Some(first) = spec.containers.first() else {
            return Err(Outcome::err(format!(
                "error: pod {pod_name} has no containers\n"
            )));
        };
        name = first.name.clone();
        if spec.containers.len() > 1 || spec.init_containers.as_ref().is_some_and(|v| !v.is_empty())
        {
            stderr.push_str(&format!(
                "Defaulted container \"{name}\" out of: {}\n",
                all_container_names(pod)
            ));
        }
    }
    if !exists(&name) {
        return Err(Outcome::err(format!(
            "{stderr}error: container {name} is not valid for pod {pod_name}\n"
        )));
    }
    Ok(name)
}

fn container_status(pod: &Pod, name: &str) -> Option<ContainerStatus> {
    let st = pod.status.as_ref()?;
    st.container_statuses
        .iter()
        .flatten()
        .chain(st.init_container_statuses.iter().flatten())
        .chain(st.ephemeral_container_statuses.iter().flatten())
        .find(|c| c.name == name)
        .cloned()
}

/// The kubelet's `validateContainerLogStatus`: which container instance's log to read.
fn log_container_id(pod: &Pod, name: &str, previous: bool) -> Result<String, String> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let Some(cs) = container_status(pod, name) else {
        return Err(format!(
            "container \"{name}\" in pod \"{pod_name}\" is not available"
        ));
    };
    let state = cs.state.clone().unwrap_or_default();
    let last = cs.last_state.as_ref().and_then(|s| s.terminated.clone());
    let last_id = last
        .as_ref()
        .and_then(|t| t.container_id.clone())
        .filter(|i| !i.is_empty());
    if previous {
        return last_id.ok_or_else(|| {
            format!("previous terminated container \"{name}\" in pod \"{pod_name}\" not found")
        });
    }
    if state.running.is_some() {
        return cs
            .container_id
            .clone()
            .ok_or_else(|| format!("container \"{name}\" in pod \"{pod_name}\" is not available"));
    }
    if let Some(t) = &state.terminated {
        return match t.container_id.clone().filter(|i| !i.is_empty()) {
            Some(id) => Ok(id),
            None => last_id
                .ok_or_else(|| format!("container \"{name}\" in pod \"{pod_name}\" is terminated")),
        };
    }
    if let Some(id) = last_id {
        return Ok(id);
    }
    if last.is_some() {
        return Err(format!(
            "container \"{name}\" in pod \"{pod_name}\" is terminated"
        ));
    }
    match state.waiting.and_then(|w| w.reason) {
        Some(r) if r == "ErrImagePull" => Err(format!("container \"{name}\" in pod \"{pod_name}\" is waiting to start: image can't be pulled")),
        Some(r) if r == "ImagePullBackOff" => {
            Err(format!("container \"{name}\" in pod \"{pod_name}\" is waiting to start: trying and failing to pull image"))
        }
        Some(r) => Err(format!("container \"{name}\" in pod \"{pod_name}\" is waiting to start: {r}")),
        None => Err(format!("container \"{name}\" in pod \"{pod_name}\" is waiting to start - no logs yet")),
    }
}

fn render(
    sim: &Sim,
    inst: &Instance,
    from_ms: Option<u64>,
    until_ms: u64,
    opts: &Opts,
    prefix: &str,
) -> String {
    let trace = inst.trace(until_ms);
    let clock = sim.clock();
    let mut lines: Vec<&crate::sim::program::Line> = trace
        .lines
        .iter()
        .filter(|l| {
            let at = inst.started_ms + l.at_ms;
            from_ms.is_none_or(|f| at > f)
                && at <= until_ms
                && opts.since_ms.is_none_or(|s| at + s >= until_ms)
        })
        .collect();
    if let Some(n) = opts.tail.filter(|_| from_ms.is_none()) {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let mut s = String::new();
    for l in lines {
        s.push_str(prefix);
        if opts.timestamps {
            s.push_str(&rfc3339_nano(clock.at(inst.started_ms + l.at_ms)));
            s.push(' ');
        }
        s.push_str(&l.text);
        if l.newline {
            s.push('\n');
        }
    }
    if let Some(n) = opts.limit_bytes {
        let mut cut = n.min(s.len());
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

fn pod_logs(sim: &Sim, pod: &Pod, asked: Option<&str>, all: bool, opts: &Opts) -> Outcome {
    let mut stderr = String::new();
    let names: Vec<String> = if all {
        let spec = pod.spec.clone().unwrap_or_default();
        spec.init_containers
            .iter()
            .flatten()
            .chain(spec.containers.iter())
            .map(|c| c.name.clone())
            .collect()
    } else {
        match pick_container(pod, asked, &mut stderr) {
            Ok(n) => vec![n],
            Err(o) => return o,
        }
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    // A pod not yet bound to a node has no kubelet to ask: the API server streams nothing.
    if podutil::node(pod).is_none() {
        return Outcome {
            stderr,
            ..Default::default()
        };
    }
    let now = sim.elapsed_ms();
    let mut stdout = String::new();
    let mut follows = Vec::new();
    for name in &names {
        let id = match log_container_id(pod, name, opts.previous) {
            Ok(id) => id,
            Err(e) => {
                let mut o = bad_request(&e);
                o.stdout = stdout;
                o.stderr = stderr + &o.stderr;
                return o;
            }
        };
        let Some(inst) = kubelet::find_instance(sim, pod, &id) else {
            // The runtime no longer has it (garbage-collected): nothing to print.
            continue;
        };
        let prefix = if opts.prefix {
            format!("[pod/{pod_name}/{name}] ")
        } else {
            String::new()
        };
        stdout.push_str(&render(sim, inst, None, now, opts, &prefix));
        if opts.follow && inst.finished.is_none() {
            follows.push(Follow {
                pod: ObjKey::new(
                    Kind::Pod,
                    pod.metadata.namespace.as_deref().unwrap_or("default"),
                    &pod_name,
                ),
                pod_uid: pod.metadata.uid.clone().unwrap_or_default(),
                container_id: id,
                shown_ms: now,
                prefix,
                timestamps: opts.timestamps,
            });
        }
    }
    let mut out = Outcome {
        stdout,
        stderr,
        ..Default::default()
    };
    if !follows.is_empty() {
        out.wait = Some(Wait::Logs(follows));
    }
    out
}

fn by_selector(sim: &Sim, p: &Parsed, ns: &str, sel: &str, opts: &Opts) -> Outcome {
    let selector = match Selector::parse(sel) {
        Ok(s) => s,
        Err(e) => return Outcome::err(format!("error: {e}\n")),
    };
    let pods = matching_pods(sim, ns, &selector);
    if pods.is_empty() {
        return Outcome::err(format!("No resources found in {ns} namespace.\n"));
    }
    let max = p
        .get("max-log-requests")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(5);
    if opts.follow && pods.len() > max {
        return Outcome::err(format!(
            "error: you are attempting to follow {} log streams, but maximum allowed concurrency is {max}, use --max-log-requests to increase the limit\n",
            pods.len()
        ));
    }
    // With a selector, kubectl keeps the last 10 lines of each pod unless --tail says otherwise.
    let opts = Opts {
        tail: if p.get("tail").is_none() {
            Some(10)
        } else {
            opts.tail
        },
        ..*opts
    };
    let mut out = Outcome::default();
    let mut follows = Vec::new();
    for pod in &pods {
        let o = pod_logs(
            sim,
            pod,
            p.get("container"),
            p.bool("all-containers"),
            &opts,
        );
        out.stdout.push_str(&o.stdout);
        out.stderr.push_str(&o.stderr);
        if o.exit_code != 0 {
            out.exit_code = o.exit_code;
            if !p.bool("ignore-errors") {
                return out;
            }
        }
        if let Some(Wait::Logs(f)) = o.wait {
            follows.extend(f);
        }
    }
    if !follows.is_empty() {
        out.wait = Some(Wait::Logs(follows));
    }
    out
}

/// True when every followed container instance has ended (or its pod is gone).
pub fn follow_done(sim: &Sim, follows: &[Follow]) -> bool {
    follows.iter().all(|f| match instance_of(sim, f) {
        Some(inst) => inst.finished.is_some(),
        None => true,
    })
}

fn instance_of<'a>(sim: &'a Sim, f: &Follow) -> Option<&'a Instance> {
    let obj = sim.get(&f.pod).filter(|o| o.uid() == f.pod_uid)?;
    kubelet::find_instance(sim, obj.as_pod()?, &f.container_id)
}

/// What the followed containers printed since the last poll.
pub fn poll(sim: &Sim, follows: &mut [Follow]) -> Progress {
    let now = sim.elapsed_ms();
    let mut p = Progress::default();
    for f in follows.iter_mut() {
        let Some(inst) = instance_of(sim, f) else {
            continue;
        };
        let opts = Opts {
            previous: false,
            follow: true,
            tail: None,
            since_ms: None,
            timestamps: f.timestamps,
            prefix: false,
            limit_bytes: None,
        };
        p.stdout
            .push_str(&render(sim, inst, Some(f.shown_ms), now, &opts, &f.prefix));
        f.shown_ms = now;
    }
    p.done = follow_done(sim, follows);
    p
}

// ------------------------------------------------------------------------------------ exec

pub(crate) const EXEC_FLAGS: &[FlagSpec] = &[
    flag("container", Some('c'), true),
    flag("stdin", Some('i'), false),
    flag("tty", Some('t'), false),
    flag("quiet", Some('q'), false),
    flag("filename", Some('f'), true),
    flag("pod-running-timeout", None, true),
];

pub fn exec(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, EXEC_FLAGS, "kubectl exec") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let Some(target) = p.args.first().cloned() else {
        return Outcome::err("error: pod, type/name or --filename must be specified\n");
    };
    let argv = match &p.after_dash {
        Some(a) if !a.is_empty() => a.clone(),
        _ if p.args.len() > 1 => {
            return Outcome::err(
                "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n",
            )
        }
        _ => return Outcome::err("error: you must specify at least one command for the container\n"),
    };
    let ns = p.namespace();
    let mut stderr = String::new();
    let pod = match target.split_once('/') {
        None => match sim
            .get(&ObjKey::new(Kind::Pod, &ns, &target))
            .and_then(|o| o.as_pod().cloned())
        {
            Some(pod) => pod,
            None => {
                return Outcome::err(format!(
                    "Error from server (NotFound): pods \"{target}\" not found\n"
                ))
            }
        },
        Some((t, name)) => {
            let Some(kind) = resolve_kind(t) else {
                return Outcome::err(format!(
                    "error: the server doesn't have a resource type \"{t}\"\n"
                ));
            };
            match first_pod(sim, kind, &ns, name) {
                Ok((pod, _)) => pod,
                Err(o) => return o,
            }
        }
    };
    let phase = podutil::phase(&pod).to_string();
    if matches!(phase.as_str(), "Succeeded" | "Failed") {
        return Outcome::err(format!(
            "error: cannot exec into a container in a completed pod; current phase is {phase}\n"
        ));
    }
    let name = match pick_container(&pod, p.get("container"), &mut stderr) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let running = container_status(&pod, &name)
        .filter(|cs| cs.state.as_ref().and_then(|s| s.running.as_ref()).is_some());
    let inst = running
        .as_ref()
        .and_then(|cs| cs.container_id.clone())
        .and_then(|id| kubelet::find_instance(sim, &pod, &id));
    let Some(inst) = inst else {
        return Outcome::err(format!(
            "{stderr}error: unable to upgrade connection: container not found (\"{name}\")\n"
        ));
    };
    let interactive = p.bool("stdin") && p.bool("tty");
    let image = pod
        .spec
        .iter()
        .flat_map(|s| {
            s.containers
                .iter()
                .chain(s.init_containers.iter().flatten())
        })
        .find(|c| c.name == name)
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    // An HTTP client inside the pod talks to the cluster network (Services, DNS, pod IPs).
    let tool = argv[0].rsplit('/').next().unwrap_or("");
    if (tool == "curl" || tool == "wget") && super::net::image_has(&image, tool) {
        let mut o = if tool == "curl" {
            super::net::curl(sim, crate::sim::network::Client::Pod(&pod), &argv[1..])
        } else {
            super::net::wget(sim, crate::sim::network::Client::Pod(&pod), &argv[1..])
        };
        o.stderr = stderr + &o.stderr;
        if o.exit_code != 0 {
            o.stderr.push_str(&format!(
                "command terminated with exit code {}\n",
                o.exit_code
            ));
        }
        return o;
    }
    let probe = Program::resolve(&image, Some(&argv), None, &inst.ctx.env);
    if let Some(e) = probe.start_error() {
        let detail = e
            .message
            .rsplit("error during container init: ")
            .next()
            .unwrap_or(&e.message)
            .to_string();
        return Outcome::err(format!(
            "{stderr}error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: {detail}\n",
            hex_id(&inst.id)
        ));
    }
    let is_shell = matches!(
        argv[0].rsplit('/').next(),
        Some("sh" | "bash" | "ash" | "dash")
    ) && argv.len() == 1;
    if interactive && is_shell {
        return Outcome::err(format!(
            "{stderr}error: kubeplay has no interactive terminal yet; run one command at a time, e.g. kubectl exec {target} -- ls /\n"
        ));
    }
    let ctx: &Ctx = &inst.ctx;
    let at = sim.elapsed_ms().saturating_sub(inst.started_ms);
    let (out, err, code) = inst.program.exec(ctx, at, &argv);
    let mut o = Outcome {
        stdout: out,
        stderr: stderr + &err,
        ..Default::default()
    };
    if code != 0 {
        o.stderr
            .push_str(&format!("command terminated with exit code {code}\n"));
        o.exit_code = code;
    }
    o
}

/// A stable exec id derived from the container id (what containerd would have generated).
fn hex_id(container_id: &str) -> String {
    let h = container_id.trim_start_matches("containerd://");
    h.chars().rev().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nano_timestamps() {
        let t = crate::sim::clock::parse_rfc3339("2025-03-01T09:00:05Z").unwrap();
        assert_eq!(rfc3339_nano(t), "2025-03-01T09:00:05Z");
        assert_eq!(
            rfc3339_nano(t + chrono::Duration::milliseconds(120)),
            "2025-03-01T09:00:05.12Z"
        );
    }
}
