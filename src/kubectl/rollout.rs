//! `kubectl rollout status|history|undo|restart|pause|resume` and `kubectl set image`, for
//! Deployments (history in ReplicaSets), StatefulSets and DaemonSets (history in
//! ControllerRevisions), with kubectl 1.32's words.

use std::collections::BTreeMap;

use std::rc::Rc;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::args::{self, flag, FlagSpec};
use super::cmd::{not_found, resolve_kind, split_targets};
use super::outcome::{Outcome, Progress, Wait};
use crate::sim::controllers::deployment::{CHANGE_CAUSE, HASH_LABEL, REVISION};
use crate::sim::controllers::statefulset::{revision_template, revisions_of};
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

fn namespace(p: &args::Parsed) -> String {
    p.namespace()
}

/// The one workload a rollout command names, of one of `kinds`.
fn one_workload(
    sim: &Sim,
    args: &[String],
    ns: &str,
    cmd: &str,
    kinds: &[Kind],
) -> Result<(ObjKey, Rc<Object>), Outcome> {
    let targets = split_targets(args)?;
    let Some((kind, name)) = targets.into_iter().next() else {
        return Err(Outcome::err(format!(
            "error: required resource not specified\nSee 'kubectl {cmd} -h' for help and examples\n"
        )));
    };
    if !kinds.contains(&kind) {
        return Err(Outcome::err(format!(
            "error: no {cmd} support for {}\n",
            kind.name()
        )));
    }
    let key = ObjKey::new(kind, ns, &name);
    match sim.get(&key) {
        Some(o) => Ok((key, o.clone())),
        None => Err(not_found(kind, &name)),
    }
}

const WORKLOADS: &[Kind] = &[Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet];

/// The pod template of a workload.
fn template_of(o: &Object) -> Option<PodTemplateSpec> {
    match o {
        Object::Deployment(d) => d.spec.as_ref().map(|s| s.template.clone()),
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| s.template.clone()),
        Object::DaemonSet(d) => d.spec.as_ref().map(|s| s.template.clone()),
        _ => None,
    }
}

fn set_template(o: &mut Object, t: PodTemplateSpec) {
    match o {
        Object::Deployment(d) => {
            if let Some(s) = d.spec.as_mut() {
                s.template = t;
            }
        }
        Object::StatefulSet(x) => {
            if let Some(s) = x.spec.as_mut() {
                s.template = t;
            }
        }
        Object::DaemonSet(x) => {
            if let Some(s) = x.spec.as_mut() {
                s.template = t;
            }
        }
        _ => {}
    }
}

/// A StatefulSet's or DaemonSet's ControllerRevisions by revision number: (template, change-cause).
fn controller_revisions(
    sim: &Sim,
    owner_uid: &str,
) -> BTreeMap<i64, (PodTemplateSpec, Option<String>)> {
    let mut m = BTreeMap::new();
    for o in revisions_of(sim, owner_uid) {
        let Some(cr) = o.as_controllerrevision() else {
            continue;
        };
        let Some(t) = revision_template(cr) else {
            continue;
        };
        let cause = cr
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CHANGE_CAUSE))
            .cloned();
        m.insert(cr.revision, (t, cause));
    }
    m
}

pub fn rollout(sim: &mut Sim, words: &[String]) -> Outcome {
    let Some(sub) = words.first() else {
        return Outcome::err("error: Required resource not specified.\nSee 'kubectl rollout -h' for help and examples\n");
    };
    let rest = &words[1..];
    match sub.as_str() {
        "status" => status(sim, rest),
        "history" => history(sim, rest),
        "undo" => undo(sim, rest),
        "restart" => restart(sim, rest),
        "pause" => pause(sim, rest, true),
        "resume" => pause(sim, rest, false),
        other => Outcome::err(format!(
            "Error: unknown command \"{other}\" for \"kubectl rollout\"\nRun 'kubectl rollout --help' for usage.\n"
        )),
    }
}

// ------------------------------------------------------------------------------------ status

pub(crate) const HISTORY_FLAGS: &[FlagSpec] = &[
    flag("revision", None, true),
    flag("output", Some('o'), true),
];
pub(crate) const UNDO_FLAGS: &[FlagSpec] =
    &[flag("to-revision", None, true), flag("dry-run", None, true)];
/// kubectl 1.32's `rollout restart` has no --dry-run flag.
pub(crate) const RESTART_FLAGS: &[FlagSpec] = &[];
pub(crate) const SET_ENV_FLAGS: &[FlagSpec] = &[
    flag("containers", Some('c'), true),
    flag("dry-run", None, true),
    flag("overwrite", None, false),
    flag("all", None, false),
    flag("selector", Some('l'), true),
    flag("list", None, false),
    flag("output", Some('o'), true),
];
pub(crate) const STATUS_FLAGS: &[FlagSpec] = &[
    flag("watch", Some('w'), true),
    flag("revision", None, true),
    flag("timeout", None, true),
    flag("filename", Some('f'), true),
];

fn status(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, STATUS_FLAGS, "kubectl rollout status") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let ns = namespace(&p);
    let (key, d) = match one_workload(sim, &p.args, &ns, "rollout status", WORKLOADS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let revision = match p.get("revision") {
        None => None,
        Some(r) => match r.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return Outcome::err(format!("Error: invalid argument \"{r}\" for \"--revision\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl rollout status --help' for usage.\n")),
        },
    };
    let uid = d.uid().to_string();
    let watch = p.get("watch").is_none_or(|w| w != "false");
    let mut wait = Wait::Rollout {
        key,
        uid,
        last_rv: String::new(),
        revision,
    };
    let first = poll_status_sim(sim, &mut wait);
    let mut out = Outcome {
        stdout: first.stdout,
        stderr: first.stderr,
        exit_code: first.exit_code,
        ..Default::default()
    };
    if !first.done && watch {
        out.wait = Some(wait);
    }
    out
}

fn poll_status_sim(sim: &Sim, wait: &mut Wait) -> Progress {
    match wait {
        Wait::Rollout {
            key,
            uid,
            last_rv,
            revision,
        } => poll_status(sim, key, uid, last_rv, *revision),
        _ => Progress::default(),
    }
}

/// The line `rollout status` prints for the Deployment's current state, and whether it is the last.
/// (`DeploymentStatusViewer.Status` in kubectl.)
pub fn status_now(
    sim: &Sim,
    key: &ObjKey,
    uid: &str,
    revision: Option<i64>,
) -> (Result<String, String>, bool) {
    let Some(obj) = sim.get(key).filter(|o| o.uid() == uid) else {
        return (Err("error: object has been deleted\n".into()), true);
    };
    let name = &key.name;
    if let Some(s) = obj.as_statefulset() {
        return sts_status(s);
    }
    if let Some(d) = obj.as_daemonset() {
        return ds_status(d, name);
    }
    let Some(d) = obj.as_deployment() else {
        return (Err(String::new()), true);
    };
    if let Some(want) = revision {
        let cur = d
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0);
        if cur != want {
            return (Err(format!("error: desired revision ({want}) is different from the running revision ({cur})\n")), true);
        }
    }
    let st = d.status.clone().unwrap_or_default();
    if d.metadata.generation > st.observed_generation {
        return (
            Ok("Waiting for deployment spec update to be observed...\n".into()),
            false,
        );
    }
    let cond = st
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "Progressing");
    if cond.is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
        return (
            Err(format!(
                "error: deployment \"{name}\" exceeded its progress deadline\n"
            )),
            true,
        );
    }
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let updated = st.updated_replicas.unwrap_or(0);
    let replicas = st.replicas.unwrap_or(0);
    let available = st.available_replicas.unwrap_or(0);
    if updated < want {
        return (Ok(format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n")), false);
    }
    if replicas > updated {
        return (Ok(format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", replicas - updated)), false);
    }
    if available < updated {
        return (Ok(format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n")), false);
    }
    (
        Ok(format!("deployment \"{name}\" successfully rolled out\n")),
        true,
    )
}

/// `StatefulSetStatusViewer.Status`.
fn sts_status(s: &StatefulSet) -> (Result<String, String>, bool) {
    let spec = s.spec.clone().unwrap_or_default();
    let st = s.status.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref().unwrap_or("RollingUpdate") != "RollingUpdate" {
        return (
            Err("error: rollout status is only available for RollingUpdate strategy type\n".into()),
            true,
        );
    }
    let observed = st.observed_generation.unwrap_or(0);
    if observed == 0 || s.metadata.generation.unwrap_or(0) > observed {
        return (
            Ok("Waiting for statefulset spec update to be observed...\n".into()),
            false,
        );
    }
    let updated = st.updated_replicas.unwrap_or(0);
    if let Some(want) = spec.replicas {
        let ready = st.ready_replicas.unwrap_or(0);
        if ready < want {
            return (
                Ok(format!(
                    "Waiting for {} pods to be ready...\n",
                    want - ready
                )),
                false,
            );
        }
    }
    if let Some(ru) = &strategy.rolling_update {
        if let (Some(want), Some(part)) = (spec.replicas, ru.partition) {
            if updated < want - part {
                return (Ok(format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", want - part)), false);
            }
        }
        return (
            Ok(format!(
                "partitioned roll out complete: {updated} new pods have been updated...\n"
            )),
            true,
        );
    }
    let (cur, upd) = (
        st.current_revision.clone().unwrap_or_default(),
        st.update_revision.clone().unwrap_or_default(),
    );
    if upd != cur {
        return (Ok(format!("waiting for statefulset rolling update to complete {updated} pods at revision {upd}...\n")), false);
    }
    (
        Ok(format!(
            "statefulset rolling update complete {} pods at revision {cur}...\n",
            st.current_replicas.unwrap_or(0)
        )),
        true,
    )
}

/// `DaemonSetStatusViewer.Status`.
fn ds_status(d: &DaemonSet, name: &str) -> (Result<String, String>, bool) {
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref().unwrap_or("RollingUpdate") != "RollingUpdate" {
        return (
            Err("error: rollout status is only available for RollingUpdate strategy type\n".into()),
            true,
        );
    }
    if d.metadata.generation.unwrap_or(0) > st.observed_generation.unwrap_or(0) {
        return (
            Ok("Waiting for daemon set spec update to be observed...\n".into()),
            false,
        );
    }
    let desired = st.desired_number_scheduled;
    let updated = st.updated_number_scheduled.unwrap_or(0);
    let available = st.number_available.unwrap_or(0);
    if updated < desired {
        return (Ok(format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n")), false);
    }
    if available < desired {
        return (Ok(format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n")), false);
    }
    (
        Ok(format!("daemon set \"{name}\" successfully rolled out\n")),
        true,
    )
}

/// Prints the current line once per change of the Deployment (each watch event), as kubectl does.
pub fn poll_status(
    sim: &Sim,
    key: &ObjKey,
    uid: &str,
    last_rv: &mut String,
    revision: Option<i64>,
) -> Progress {
    let rv = sim
        .get(key)
        .filter(|o| o.uid() == uid)
        .and_then(|o| o.meta().resource_version.clone())
        .unwrap_or_default();
    let (line, done) = status_now(sim, key, uid, revision);
    let mut p = Progress {
        done,
        ..Default::default()
    };
    if rv == *last_rv && !rv.is_empty() {
        p.done = false;
        return p;
    }
    *last_rv = rv;
    match line {
        Ok(s) => p.stdout = s,
        Err(e) => {
            p.stderr = e;
            p.exit_code = 1;
        }
    }
    p
}

// ------------------------------------------------------------------------------------ history

/// The Deployment's ReplicaSets by revision.
fn revisions(sim: &Sim, d: &Deployment) -> BTreeMap<i64, ReplicaSet> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut m = BTreeMap::new();
    for o in sim.store().owned_by(&uid) {
        let Some(rs) = o.as_replicaset() else {
            continue;
        };
        if o.controller_ref().is_none_or(|r| r.uid != uid) {
            continue;
        }
        let rev = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0);
        m.insert(rev, rs.clone());
    }
    m
}

/// A tabwriter with min width 0, tab width 8, padding 2 (the history table).
fn history_table(rows: &[[String; 2]]) -> String {
    let w = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0) + 2;
    let mut s = String::new();
    for r in rows {
        s.push_str(&r[0]);
        s.push_str(&" ".repeat(w - r[0].chars().count()));
        s.push_str(&r[1]);
        s.push('\n');
    }
    s
}

fn history(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, HISTORY_FLAGS, "kubectl rollout history") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let ns = namespace(&p);
    let (key, obj) = match one_workload(sim, &p.args, &ns, "rollout history", WORKLOADS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    // (revision → template, change-cause), from ReplicaSets or ControllerRevisions.
    let revs: BTreeMap<i64, (PodTemplateSpec, Option<String>)> = match obj.as_deployment() {
        Some(d) => revisions(sim, d)
            .into_iter()
            .map(|(n, rs)| {
                let t = rs
                    .spec
                    .as_ref()
                    .and_then(|s| s.template.clone())
                    .unwrap_or_default();
                (
                    n,
                    (
                        t,
                        rs.metadata
                            .annotations
                            .as_ref()
                            .and_then(|a| a.get(CHANGE_CAUSE))
                            .cloned(),
                    ),
                )
            })
            .collect(),
        None => controller_revisions(sim, obj.uid()),
    };
    let qualified = format!("{}/{}", key.kind.qualified_singular(), key.name);
    let header = format!("{qualified} ");
    if let Some(r) = p.get("revision") {
        let n: i64 = match r.parse() {
            Ok(n) => n,
            Err(_) => return Outcome::err(format!("Error: invalid argument \"{r}\" for \"--revision\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl rollout history --help' for usage.\n")),
        };
        if n > 0 {
            let Some((t, _)) = revs.get(&n) else {
                return Outcome::err("error: unable to find the specified revision\n");
            };
            return Outcome::ok(format!(
                "{qualified} with revision #{n}\n{}",
                describe_template(t)
            ));
        }
    }
    if revs.is_empty() {
        return Outcome::ok(format!("{header}\nNo rollout history found.\n"));
    }
    let mut rows = vec![["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
    for (rev, (_, cause)) in &revs {
        rows.push([
            rev.to_string(),
            cause.clone().unwrap_or_else(|| "<none>".into()),
        ]);
    }
    Outcome::ok(format!("{header}\n{}\n", history_table(&rows)))
}

/// A pod template as `kubectl describe` prints it (the part `rollout history --revision` shows).
pub fn describe_template(t: &PodTemplateSpec) -> String {
    let none = "<none>".to_string();
    let meta = t.metadata.clone().unwrap_or_default();
    let spec = t.spec.clone().unwrap_or_default();
    let mut s = String::from("Pod Template:\n");
    let labels: Vec<String> = meta
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s.push_str(&format!(
        "  Labels:\t{}\n",
        if labels.is_empty() {
            none.clone()
        } else {
            labels.join("\n\t")
        }
    ));
    let ann: Vec<String> = meta
        .annotations
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if !ann.is_empty() {
        s.push_str(&format!("  Annotations:\t{}\n", ann.join("\n\t")));
    }
    s.push_str("  Containers:\n");
    for c in &spec.containers {
        s.push_str(&format!("   {}:\n", c.name));
        s.push_str(&format!(
            "    Image:\t{}\n",
            c.image.clone().unwrap_or_default()
        ));
        match c.ports.as_ref().and_then(|p| p.first()) {
            Some(p) => {
                let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                s.push_str(&format!("    Port:\t{}/{proto}\n", p.container_port));
                s.push_str(&format!(
                    "    Host Port:\t{}/{proto}\n",
                    p.host_port.unwrap_or(0)
                ));
            }
            None => {
                s.push_str("    Port:\t<none>\n");
                s.push_str("    Host Port:\t<none>\n");
            }
        }
        if let Some(cmd) = &c.command {
            s.push_str("    Command:\n");
            for a in cmd {
                s.push_str(&format!("      {a}\n"));
            }
        }
        if let Some(args) = &c.args {
            s.push_str("    Args:\n");
            for a in args {
                s.push_str(&format!("      {a}\n"));
            }
        }
        let env: Vec<String> = c
            .env
            .iter()
            .flatten()
            .map(|e| format!("{}:\t{}", e.name, e.value.clone().unwrap_or_default()))
            .collect();
        s.push_str(&format!(
            "    Environment:\t{}\n",
            if env.is_empty() {
                none.clone()
            } else {
                format!("\n      {}", env.join("\n      "))
            }
        ));
        s.push_str("    Mounts:\t<none>\n");
    }
    s.push_str("  Volumes:\t<none>\n");
    s.push_str("  Node-Selectors:\t<none>\n");
    s.push_str("  Tolerations:\t<none>\n\n");
    s
}

// ------------------------------------------------------------------------------------ undo

fn strip_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove(HASH_LABEL);
    }
    t
}

fn undo(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, UNDO_FLAGS, "kubectl rollout undo") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let ns = namespace(&p);
    let to: i64 = match p.get("to-revision") {
        None => 0,
        Some(r) => match r.parse() {
            Ok(n) => n,
            Err(_) => return Outcome::err(format!("Error: invalid argument \"{r}\" for \"--to-revision\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl rollout undo --help' for usage.\n")),
        },
    };
    let (key, obj) = match one_workload(sim, &p.args, &ns, "rollout undo", WORKLOADS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let Some(d) = obj.as_deployment().cloned() else {
        return undo_controller_revision(sim, &key, &obj, to);
    };
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        return Outcome::err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n".to_string());
    }
    let revs = revisions(sim, &d);
    let current = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse::<i64>().ok())
        .unwrap_or(0);
    let target = if to == 0 {
        // The previous revision: the highest below the current one.
        match revs.keys().filter(|r| **r < current).max() {
            Some(r) => *r,
            None => {
                return Outcome::err(format!(
                    "error: no rollout history found for deployment \"{}\"\n",
                    key.name
                ))
            }
        }
    } else {
        to
    };
    let Some(rs) = revs.get(&target) else {
        return Outcome::err(format!(
            "error: unable to find specified revision {target} in history\n"
        ));
    };
    let template = strip_hash(
        &rs.spec
            .as_ref()
            .and_then(|s| s.template.clone())
            .unwrap_or_default(),
    );
    let cur_template = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    if template == cur_template {
        return Outcome::ok(format!(
            "deployment.apps/{} skipped rollback (current template already matches revision {target})\n",
            key.name
        ));
    }
    let mut d2 = d.clone();
    if let Some(s) = d2.spec.as_mut() {
        s.template = template;
    }
    // The change-cause of the target revision comes back with it.
    let cause = rs
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CHANGE_CAUSE))
        .cloned();
    let ann = d2.metadata.annotations.get_or_insert_with(Default::default);
    match cause {
        Some(c) => {
            ann.insert(CHANGE_CAUSE.into(), c);
        }
        None => {
            ann.remove(CHANGE_CAUSE);
        }
    }
    match sim.update(Object::Deployment(d2)) {
        Ok(_) => Outcome::ok(format!("deployment.apps/{} rolled back\n", key.name)),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

/// `StatefulSetRollbacker` / `DaemonSetRollbacker`: apply the revision's data (the template as a
/// replacing patch) to the object.
fn undo_controller_revision(sim: &mut Sim, key: &ObjKey, obj: &Object, to: i64) -> Outcome {
    let revs = controller_revisions(sim, obj.uid());
    let qualified = format!("{}/{}", key.kind.qualified_singular(), key.name);
    // `findHistory`: revision 0 is the one before the newest.
    let target = if to == 0 {
        if revs.len() <= 1 {
            None
        } else {
            revs.keys().rev().nth(1).copied()
        }
    } else {
        revs.contains_key(&to).then_some(to)
    };
    let Some(target) = target else {
        return Outcome::err(format!(
            "error: unable to find specified revision {to} in history\n"
        ));
    };
    let Some((template, _)) = revs.get(&target).cloned() else {
        return Outcome::err(format!(
            "error: unable to find specified revision {to} in history\n"
        ));
    };
    if template_of(obj).as_ref() == Some(&template) {
        return Outcome::ok(format!(
            "{qualified} skipped rollback (current template already matches revision {target})\n"
        ));
    }
    let mut new = obj.clone();
    set_template(&mut new, template);
    match sim.update(new) {
        Ok(_) => Outcome::ok(format!("{qualified} rolled back\n")),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

// ------------------------------------------------------------------------------------ restart, pause

fn restart(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, RESTART_FLAGS, "kubectl rollout restart") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let ns = namespace(&p);
    let (key, obj) = match one_workload(sim, &p.args, &ns, "rollout restart", WORKLOADS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    if obj
        .as_deployment()
        .and_then(|d| d.spec.as_ref())
        .and_then(|s| s.paused)
        == Some(true)
    {
        return Outcome::err(format!("error: deployments.apps \"{}\" can't restart paused deployment (run rollout resume first)\n", key.name));
    }
    let now = sim.clock().now_rfc3339();
    let mut t = template_of(&obj).unwrap_or_default();
    t.metadata
        .get_or_insert_with(Default::default)
        .annotations
        .get_or_insert_with(Default::default)
        .insert("kubectl.kubernetes.io/restartedAt".into(), now);
    let mut new = (*obj).clone();
    set_template(&mut new, t);
    match sim.update(new) {
        Ok(_) => Outcome::ok(format!(
            "{}/{} restarted\n",
            key.kind.qualified_singular(),
            key.name
        )),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

fn pause(sim: &mut Sim, words: &[String], pause: bool) -> Outcome {
    let verb = if pause { "pause" } else { "resume" };
    let p = match args::parse(words, &[], &format!("kubectl rollout {verb}")) {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let ns = namespace(&p);
    let (key, obj) = match one_workload(sim, &p.args, &ns, &format!("rollout {verb}"), WORKLOADS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    // `ObjectPauserFn` / `ObjectResumerFn` know only Deployments.
    let Some(d) = obj.as_deployment().cloned() else {
        let what = if pause { "pausing" } else { "resuming" };
        return Outcome::err(format!(
            "error: {} \"{}\" {what} is not supported\n",
            key.kind.qualified_plural(),
            key.name
        ));
    };
    let is_paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    let done = if pause { "paused" } else { "resumed" };
    if is_paused == pause {
        return Outcome::ok(format!("deployment.apps/{} already {done}\n", key.name));
    }
    let mut d2 = d.clone();
    if let Some(s) = d2.spec.as_mut() {
        s.paused = if pause { Some(true) } else { None };
    }
    match sim.update(Object::Deployment(d2)) {
        Ok(_) => Outcome::ok(format!("deployment.apps/{} {done}\n", key.name)),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

// ------------------------------------------------------------------------------------ set image

pub fn set(sim: &mut Sim, words: &[String]) -> Outcome {
    match words.first().map(String::as_str) {
        Some("image") => set_image(sim, &words[1..]),
        Some("env") => set_env(sim, &words[1..]),
        Some("serviceaccount") | Some("sa") => set_serviceaccount(sim, &words[1..]),
        Some(other) => Outcome::err(format!(
            "Error: unknown command \"{other}\" for \"kubectl set\"\nRun 'kubectl set --help' for usage.\n"
        )),
        None => Outcome::err("error: Required resource not specified.\nSee 'kubectl set -h' for help and examples\n"),
    }
}

pub(crate) const SET_IMAGE_FLAGS: &[FlagSpec] = &[
    flag("all", None, false),
    flag("selector", Some('l'), true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("record", None, false),
    flag("local", None, false),
];

fn set_image(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, SET_IMAGE_FLAGS, "kubectl set image") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    // Resources first, then CONTAINER=IMAGE pairs.
    let (pairs, res): (Vec<String>, Vec<String>) =
        p.args.iter().cloned().partition(|a| a.contains('='));
    if pairs.is_empty() {
        return Outcome::err("error: at least one image update is required\nSee 'kubectl set image -h' for help and examples\n");
    }
    let mut updates: Vec<(String, String)> = Vec::new();
    for pair in &pairs {
        let (c, img) = pair.split_once('=').unwrap_or((pair, ""));
        if img.is_empty() {
            return Outcome::err(format!("error: invalid image spec: {pair}\n"));
        }
        updates.push((c.to_string(), img.to_string()));
    }
    let ns = namespace(&p);
    let targets = match split_targets(&res) {
        Ok(t) => t,
        Err(o) => return o,
    };
    update_pod_specs(sim, &ns, targets, "image", |spec| {
        for (c, img) in &updates {
            let mut found = false;
            for ctr in spec
                .containers
                .iter_mut()
                .chain(spec.init_containers.iter_mut().flatten())
            {
                if c == "*" || ctr.name == *c {
                    ctr.image = Some(img.clone());
                    found = true;
                }
            }
            if !found {
                return Err(Outcome::err(format!(
                    "error: unable to find container named \"{c}\"\n"
                )));
            }
        }
        Ok(())
    })
}

/// The loop the `kubectl set` commands share: for each target, read it, change its pod spec (a
/// Pod's own or a workload's template) with `edit`, write it back if it changed and say
/// `KIND/NAME WHAT updated`. A kind without a pod spec is "not supported by set WHAT"; an error
/// from `edit` ends the command with it.
fn update_pod_specs(
    sim: &mut Sim,
    ns: &str,
    targets: Vec<(Kind, String)>,
    what: &str,
    mut edit: impl FnMut(&mut k8s_openapi::api::core::v1::PodSpec) -> Result<(), Outcome>,
) -> Outcome {
    let mut out = Outcome::default();
    for (kind, name) in targets {
        let unsupported = || format!("error: {} is not supported by set {what}\n", kind.name());
        let key = ObjKey::new(kind, ns, &name);
        let Some(obj) = sim.get(&key).cloned() else {
            // kubectl asks for the objects of kinds it can set only.
            let message = match Object::kind_has_pod_spec(kind) {
                true => not_found(kind, &name).stderr,
                false => unsupported(),
            };
            out.stderr.push_str(&message);
            out.exit_code = 1;
            continue;
        };
        let mut new = (*obj).clone();
        let Some(spec) = new.pod_spec_mut() else {
            out.stderr.push_str(&unsupported());
            out.exit_code = 1;
            continue;
        };
        if let Err(o) = edit(spec) {
            return o;
        }
        if new == *obj {
            continue;
        }
        match sim.update(new) {
            Ok(_) => out.stdout.push_str(&format!(
                "{}/{} {what} updated\n",
                kind.qualified_singular(),
                name
            )),
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.kubectl_message()));
                out.exit_code = 1;
            }
        }
    }
    out
}

pub(crate) const SET_SA_FLAGS: &[FlagSpec] = &[
    flag("all", None, false),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("record", None, false),
    flag("local", None, false),
];

/// `kubectl set serviceaccount TYPE NAME SERVICE_ACCOUNT`: the account the pod template runs as
/// (a rollout for Deployments; the account is checked when the pods are made, not here).
fn set_serviceaccount(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, SET_SA_FLAGS, "kubectl set serviceaccount") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let Some((account, res)) = p.args.split_last() else {
        return Outcome::err("error: serviceaccount is required\n");
    };
    let targets = match split_targets(res) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let ns = namespace(&p);
    update_pod_specs(sim, &ns, targets, "serviceaccount", |spec| {
        spec.service_account_name = Some(account.clone());
        Ok(())
    })
}

#[allow(dead_code)]
fn _kinds_used(k: &str) -> Option<Kind> {
    resolve_kind(k)
}

/// `kubectl set env TYPE/NAME KEY=VALUE ... [KEY-] [-c CONTAINER]`: edits the pod template's
/// environment (a rollout for Deployments).
fn set_env(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, SET_ENV_FLAGS, "kubectl set env") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let (changes, res): (Vec<String>, Vec<String>) = p
        .args
        .iter()
        .cloned()
        .partition(|a| a.contains('=') || (a.ends_with('-') && !a.contains('/')));
    let targets = match split_targets(&res) {
        Ok(t) => t,
        Err(o) => return o,
    };
    if changes.is_empty() && !p.bool("list") {
        return Outcome::err("error: at least one environment variable must be provided\n");
    }
    let ns = namespace(&p);
    let want_c = p.get("containers").unwrap_or("*").to_string();
    update_pod_specs(sim, &ns, targets, "env", |spec| {
        for c in spec
            .containers
            .iter_mut()
            .filter(|c| want_c == "*" || c.name == want_c)
        {
            let env = c.env.get_or_insert_with(Vec::new);
            for ch in &changes {
                if let Some((k, v)) = ch.split_once('=') {
                    match env.iter_mut().find(|e| e.name == k) {
                        Some(e) => {
                            e.value = Some(v.to_string());
                            e.value_from = None;
                        }
                        None => env.push(k8s_openapi::api::core::v1::EnvVar {
                            name: k.to_string(),
                            value: Some(v.to_string()),
                            value_from: None,
                        }),
                    }
                } else if let Some(k) = ch.strip_suffix('-') {
                    env.retain(|e| e.name != k);
                }
            }
            if env.is_empty() {
                c.env = None;
            }
        }
        Ok(())
    })
}
