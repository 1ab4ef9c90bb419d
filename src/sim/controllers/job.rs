//! The Job controller (`pkg/controller/job`, v1.32) and the TTL-after-finished controller.
//!
//! A Job runs pods to completion: `parallelism` at a time until `completions` succeed. Pods carry
//! the `batch.kubernetes.io/job-tracking` finalizer until the controller has counted them; failed
//! pods are replaced after an exponential back-off (10 s, 20 s, 40 s … capped at 10 minutes) and
//! count toward `backoffLimit`. Finishing goes through the interim conditions first
//! (`SuccessCriteriaMet` → `Complete`, `FailureTarget` → `Failed`), as 1.32 does with
//! JobPodReplacementPolicy on. Pod events are batched: a Job syncs one second after its pods change.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use k8s_openapi::api::batch::v1::{Job, JobCondition, JobSpec, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};

use super::super::api::Propagation;
use super::super::object::{new_controller_ref, Kind, Object};
use super::super::podutil;
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, enqueue_after, Ctrl};

pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
pub const LABEL_CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
pub const LABEL_JOB_NAME: &str = "batch.kubernetes.io/job-name";
const LEGACY_CONTROLLER_UID: &str = "controller-uid";
const LEGACY_JOB_NAME: &str = "job-name";

const COMPONENT: &str = "job-controller";
const TTL_COMPONENT: &str = "ttl-after-finished-controller";
/// `syncJobBatchPeriod`: pod changes reach the Job's sync this much later.
const BATCH_MS: u64 = 1_000;
/// `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff` (v1.32: 10 s and 10 min).
pub const POD_FAILURE_BACKOFF_S: i64 = 10;
pub const MAX_POD_FAILURE_BACKOFF_S: i64 = 600;
/// `MaxPodCreateDeletePerSync`.
const MAX_CREATE_DELETE: i32 = 500;

/// What the batch controllers remember between syncs (their in-memory stores).
#[derive(Clone, Debug, Default)]
pub struct BatchState {
    /// Pods that disappeared still carrying the tracking finalizer, per Job uid: (pod uid, succeeded).
    gone: BTreeMap<String, Vec<(String, bool)>>,
    /// `backoffRecord` per Job uid: failures since the last success, and the last failure (unix s).
    backoff: BTreeMap<String, (i64, Option<i64>)>,
}

pub fn is_finished(job: &Job) -> bool {
    finished_condition(job).is_some()
}

/// The `Complete` or `Failed` condition with status True, if the Job finished.
pub fn finished_condition(job: &Job) -> Option<&JobCondition> {
    job.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
}

fn has_condition<'a>(status: &'a JobStatus, t: &str) -> Option<&'a JobCondition> {
    status
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == t && c.status == "True")
}

fn suspended(spec: &JobSpec) -> bool {
    spec.suspend == Some(true)
}

/// `SetDefaults_Job` plus the registry's `generateSelector`: what the API server adds to a Job.
pub fn set_defaults(job: &mut Job) {
    let uid = job.metadata.uid.clone();
    let name = job.metadata.name.clone().unwrap_or_default();
    let spec = job.spec.get_or_insert_with(Default::default);
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    spec.backoff_limit.get_or_insert(6);
    spec.completion_mode
        .get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    spec.pod_replacement_policy.get_or_insert_with(|| {
        if spec.pod_failure_policy.is_some() {
            "Failed"
        } else {
            "TerminatingOrFailed"
        }
        .into()
    });
    spec.manual_selector.get_or_insert(false);
    super::super::defaults::template(&mut spec.template);
    // generateSelector (on create, when the selector is the API server's to choose).
    if let (Some(uid), Some(false), None) = (uid, spec.manual_selector, spec.selector.as_ref()) {
        let labels = spec
            .template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(Default::default);
        labels.insert(LABEL_CONTROLLER_UID.into(), uid.clone());
        labels.insert(LABEL_JOB_NAME.into(), name.clone());
        labels.insert(LEGACY_CONTROLLER_UID.into(), uid.clone());
        labels.insert(LEGACY_JOB_NAME.into(), name);
        spec.selector = Some(LabelSelector {
            match_labels: Some([(LABEL_CONTROLLER_UID.to_string(), uid)].into()),
            match_expressions: None,
        });
    }
    // A Job without labels shows its template's (defaulting on every read).
    if job.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
        if let Some(l) = job
            .spec
            .as_ref()
            .and_then(|s| s.template.metadata.as_ref())
            .and_then(|m| m.labels.clone())
        {
            if !l.is_empty() {
                job.metadata.labels = Some(l);
            }
        }
    }
}

/// The API server's Job validation the simulation models (field errors).
pub fn validate(job: &Job, old: Option<&Job>) -> Vec<String> {
    let mut causes = Vec::new();
    let spec = job.spec.clone().unwrap_or_default();
    let rp = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_default();
    if rp != "OnFailure" && rp != "Never" {
        causes.push(format!("spec.template.spec.restartPolicy: Unsupported value: \"{rp}\": supported values: \"OnFailure\", \"Never\""));
    }
    for (f, v) in [
        ("parallelism", spec.parallelism),
        ("completions", spec.completions),
        ("backoffLimit", spec.backoff_limit),
    ] {
        if let Some(n) = v.filter(|n| *n < 0) {
            causes.push(format!(
                "spec.{f}: Invalid value: {n}: must be greater than or equal to 0"
            ));
        }
    }
    if let Some(n) = spec.active_deadline_seconds.filter(|n| *n <= 0) {
        causes.push(format!(
            "spec.activeDeadlineSeconds: Invalid value: {n}: must be greater than or equal to 1"
        ));
    }
    if let Some(n) = spec.ttl_seconds_after_finished.filter(|n| *n < 0) {
        causes.push(format!(
            "spec.ttlSecondsAfterFinished: Invalid value: {n}: must be greater than or equal to 0"
        ));
    }
    if let Some(old) = old.and_then(|o| o.spec.as_ref()) {
        if old.template != spec.template {
            causes.push(
                "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable"
                    .to_string(),
            );
        }
        if old.completions != spec.completions && old.completions.is_some() {
            causes.push(format!(
                "spec.completions: Invalid value: {}: field is immutable",
                spec.completions.unwrap_or(0)
            ));
        }
    }
    causes
}

/// Informer handlers: Job changes sync it now (and wake the TTL controller and the owning CronJob);
/// pod changes sync their Job one batch period later; pods whose Job is gone lose the finalizer.
pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Job => {
            if ev.kind != WatchType::Deleted {
                enqueue(sim, Ctrl::Job, ev.key.clone());
                if ev.object.as_job().is_some_and(|j| {
                    j.spec
                        .as_ref()
                        .is_some_and(|s| s.ttl_seconds_after_finished.is_some())
                        && is_finished(j)
                }) {
                    enqueue(sim, Ctrl::TtlAfterFinished, ev.key.clone());
                }
            } else {
                let uid = ev.object.uid().to_string();
                sim.controllers.batch.gone.remove(&uid);
                sim.controllers.batch.backoff.remove(&uid);
            }
            if let Some(r) = ev.object.controller_ref().filter(|r| r.kind == "CronJob") {
                enqueue(
                    sim,
                    Ctrl::CronJob,
                    ObjKey::new(Kind::CronJob, &ev.key.namespace, &r.name),
                );
            }
        }
        Kind::Pod => {
            let has_fin = ev
                .object
                .meta()
                .finalizers
                .iter()
                .flatten()
                .any(|f| f == TRACKING_FINALIZER);
            let Some(r) = ev
                .object
                .controller_ref()
                .filter(|r| r.kind == "Job")
                .cloned()
            else {
                if has_fin && ev.kind != WatchType::Deleted {
                    enqueue(sim, Ctrl::Job, ev.key.clone());
                }
                return;
            };
            let job_key = ObjKey::new(Kind::Job, &ev.key.namespace, &r.name);
            let live = sim
                .store
                .get(&job_key)
                .filter(|j| j.uid() == r.uid)
                .and_then(|j| j.as_job().map(|j| !is_finished(j)));
            match live {
                Some(true) => {
                    if ev.kind == WatchType::Deleted && has_fin {
                        let ok = ev
                            .object
                            .as_pod()
                            .is_some_and(|p| podutil::phase(p) == "Succeeded");
                        sim.controllers
                            .batch
                            .gone
                            .entry(r.uid.clone())
                            .or_default()
                            .push((ev.object.uid().to_string(), ok));
                    }
                    enqueue_after(sim, Ctrl::Job, &job_key, BATCH_MS);
                }
                _ => {
                    if has_fin && ev.kind != WatchType::Deleted {
                        enqueue(sim, Ctrl::Job, ev.key.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

fn now_time(sim: &Sim) -> Time {
    sim.clock.now_time()
}

fn condition(type_: &str, reason: &str, message: &str, now: &Time) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: "True".into(),
        reason: Some(reason.into()).filter(|r: &String| !r.is_empty()),
        message: Some(message.into()).filter(|m: &String| !m.is_empty()),
        last_probe_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

/// `ensureJobConditionStatus`: sets or flips a condition; returns whether the list changed.
fn ensure_condition(
    conds: &mut Vec<JobCondition>,
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
    now: &Time,
) -> bool {
    let st = if status { "True" } else { "False" };
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == type_) {
        if c.status != st
            || c.reason.as_deref() != Some(reason)
            || c.message.as_deref() != Some(message)
        {
            c.status = st.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_probe_time = Some(now.clone());
            c.last_transition_time = Some(now.clone());
            return true;
        }
        return false;
    }
    if status {
        let mut c = condition(type_, reason, message, now);
        c.reason = Some(reason.into());
        c.message = Some(message.into());
        conds.push(c);
        return true;
    }
    false
}

/// When a finished pod finished (`getFinishedTime`): its last container exit, else its deletion.
fn finished_at(p: &Pod, now: i64) -> i64 {
    let st = p.status.as_ref();
    let t = st
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| {
            c.state
                .as_ref()?
                .terminated
                .as_ref()?
                .finished_at
                .as_ref()
                .map(|t| t.0.timestamp())
        })
        .max();
    t.or_else(|| {
        p.metadata
            .deletion_timestamp
            .as_ref()
            .map(|t| t.0.timestamp())
    })
    .unwrap_or(now)
}

/// `isPodFailed` with podReplacementPolicy TerminatingOrFailed: failed, or being deleted unfinished.
fn is_pod_failed(p: &Pod, spec: &JobSpec) -> bool {
    let phase = podutil::phase(p);
    if phase == "Failed" {
        return true;
    }
    if spec.pod_replacement_policy.as_deref() == Some("Failed") {
        return false;
    }
    p.metadata.deletion_timestamp.is_some() && phase != "Succeeded"
}

fn has_tracking_finalizer(o: &Object) -> bool {
    o.meta()
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == TRACKING_FINALIZER)
}

fn remove_tracking_finalizer(sim: &mut Sim, pod: &Object) {
    let Some(cur) = sim.store.get(&ObjKey::of(pod)).cloned() else {
        return;
    };
    let mut next = (*cur).clone();
    if let Some(f) = next.meta_mut().finalizers.as_mut() {
        f.retain(|x| x != TRACKING_FINALIZER);
        if f.is_empty() {
            next.meta_mut().finalizers = None;
        }
    }
    let _ = sim.update(next);
}

/// `syncOrphanPod`: a pod whose Job is gone (or finished) keeps no tracking finalizer.
fn orphan_pod(sim: &mut Sim, key: &ObjKey) {
    let Some(o) = sim.store.get(key).cloned() else {
        return;
    };
    if !has_tracking_finalizer(&o) {
        return;
    }
    if let Some(r) = o.controller_ref() {
        if r.kind != "Job" {
            return;
        }
        let job = sim
            .store
            .get(&ObjKey::new(Kind::Job, &key.namespace, &r.name))
            .filter(|j| j.uid() == r.uid)
            .cloned();
        if job
            .as_ref()
            .and_then(|j| j.as_job())
            .is_some_and(|j| !is_finished(j))
        {
            return;
        }
    }
    remove_tracking_finalizer(sim, &o);
}

/// `backoffRecord.getRemainingTime`: how long before a replacement pod may be created (ms).
fn remaining_backoff_ms(record: (i64, Option<i64>), now_ms: i64) -> i64 {
    let (failures, last) = record;
    let Some(last) = last else { return 0 };
    if failures == 0 {
        return 0;
    }
    let mut delay = POD_FAILURE_BACKOFF_S;
    for _ in 1..failures {
        delay = (delay * 2).min(MAX_POD_FAILURE_BACKOFF_S);
    }
    let elapsed = now_ms - last * 1000;
    (delay * 1000 - elapsed).max(0)
}

fn plural(n: i32, w: &str) -> String {
    if n == 1 {
        format!("1 {w}")
    } else {
        format!("{n} {w}s")
    }
}

/// `syncJob` for a NonIndexed Job.
pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    if key.kind == Kind::Pod {
        orphan_pod(sim, key);
        return;
    }
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(job) = obj.as_job().cloned() else {
        return;
    };
    let uid = obj.uid().to_string();
    if is_finished(&job) {
        sim.controllers.batch.backoff.remove(&uid);
        return;
    }
    let spec = job.spec.clone().unwrap_or_default();
    let old_status = job.status.clone().unwrap_or_default();
    let mut status = old_status.clone();
    let now = now_time(sim);
    let now_s = now.0.timestamp();
    let now_ms = sim.clock.now().timestamp_millis();

    let pods: Vec<Rc<Object>> = sim
        .store
        .owned_by(&uid)
        .into_iter()
        .filter(|o| o.kind() == Kind::Pod && o.controller_ref().is_some_and(|r| r.uid == uid))
        .collect();
    let pod = |o: &Rc<Object>| o.as_pod().cloned().unwrap_or_default();
    let mut active: Vec<Rc<Object>> = pods
        .iter()
        .filter(|o| o.as_pod().is_some_and(podutil::is_active))
        .cloned()
        .collect();
    let mut terminating = pods
        .iter()
        .filter(|o| {
            o.as_pod().is_some_and(|p| {
                p.metadata.deletion_timestamp.is_some()
                    && !matches!(podutil::phase(p), "Succeeded" | "Failed")
            })
        })
        .count() as i32;

    // Pods finished since the last count (still carrying the finalizer), and those that vanished.
    let gone = sim.controllers.batch.gone.remove(&uid).unwrap_or_default();
    let mut new_ok: Vec<(i64, Rc<Object>)> = Vec::new();
    let mut new_failed: Vec<(i64, Rc<Object>)> = Vec::new();
    for o in pods.iter().filter(|o| has_tracking_finalizer(o)) {
        let p = pod(o);
        if podutil::phase(&p) == "Succeeded" {
            new_ok.push((finished_at(&p, now_s), o.clone()));
        } else if is_pod_failed(&p, &spec) {
            new_failed.push((finished_at(&p, now_s), o.clone()));
        }
    }
    crate::sort::sort_by_key(&mut new_ok, |(t, _)| *t);
    crate::sort::sort_by_key(&mut new_failed, |(t, _)| *t);
    let gone_ok = gone.iter().filter(|g| g.1).count() as i32;
    let gone_failed = gone.len() as i32 - gone_ok;
    let succeeded = status.succeeded.unwrap_or(0) + new_ok.len() as i32 + gone_ok;
    let mut failed = status.failed.unwrap_or(0) + new_failed.len() as i32 + gone_failed;

    if status.start_time.is_none() && !suspended(&spec) {
        status.start_time = Some(now.clone());
    }

    // newBackoffRecord.
    let mut record = sim
        .controllers
        .batch
        .backoff
        .get(&uid)
        .copied()
        .unwrap_or((0, None));
    let failed_times: Vec<i64> = new_failed
        .iter()
        .map(|(t, _)| *t)
        .chain(std::iter::repeat_n(now_s, gone_failed as usize))
        .collect();
    match (new_ok.last().map(|(t, _)| *t), failed_times.is_empty()) {
        (None, true) => {}
        (None, false) => {
            record = (
                record.0 + failed_times.len() as i64,
                failed_times.iter().max().copied(),
            );
        }
        (Some(_), true) => record = (0, None),
        (Some(last_ok), false) => {
            record = (0, None);
            for t in failed_times.iter().rev() {
                if *t <= last_ok {
                    break;
                }
                if record.1.is_none() {
                    record.1 = Some(*t);
                }
                record.0 += 1;
            }
        }
    }
    sim.controllers.batch.backoff.insert(uid.clone(), record);

    let backoff_limit = spec.backoff_limit.unwrap_or(6);
    // (type, reason, message) of the condition that finishes the Job.
    let mut finished: Option<(String, String, String)> = None;
    if let Some(c) = has_condition(&status, "SuccessCriteriaMet") {
        finished = Some((
            "SuccessCriteriaMet".into(),
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default(),
        ));
    } else if let Some(c) = has_condition(&status, "FailureTarget") {
        finished = Some((
            "Failed".into(),
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default(),
        ));
    }
    if finished.is_none() {
        let restart_policy = spec
            .template
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_default();
        let past_on_failure = restart_policy == "OnFailure" && {
            let restarts: i32 = pods
                .iter()
                .filter_map(|o| o.as_pod())
                .filter(|p| matches!(podutil::phase(p), "Running" | "Pending"))
                .flat_map(|p| {
                    let st = p.status.clone().unwrap_or_default();
                    st.init_container_statuses
                        .unwrap_or_default()
                        .into_iter()
                        .chain(st.container_statuses.unwrap_or_default())
                })
                .map(|c| c.restart_count)
                .sum();
            if backoff_limit == 0 {
                restarts > 0
            } else {
                restarts >= backoff_limit
            }
        };
        let start_s = status.start_time.as_ref().map(|t| t.0.timestamp());
        if failed > backoff_limit || past_on_failure {
            finished = Some((
                "FailureTarget".into(),
                "BackoffLimitExceeded".into(),
                "Job has reached the specified backoff limit".into(),
            ));
        } else if let (Some(ads), Some(start), false) =
            (spec.active_deadline_seconds, start_s, suspended(&spec))
        {
            let left_ms = (start + ads) * 1000 - now_ms;
            if left_ms <= 0 {
                finished = Some((
                    "FailureTarget".into(),
                    "DeadlineExceeded".into(),
                    "Job was active longer than specified deadline".into(),
                ));
            } else {
                enqueue_after(sim, Ctrl::Job, key, left_ms as u64);
            }
        }
    }

    let mut suspend_changed = false;
    if finished.is_some() {
        // deleteActivePods: the finalizers stay until the pods are counted below.
        if !active.is_empty() {
            let names: Vec<String> = active.iter().map(|o| o.name().to_string()).collect();
            sim.decide(
                COMPONENT,
                format!(
                    "{} is finishing; deleting its active pods {}",
                    key.name,
                    names.join(", ")
                ),
            );
        }
        for o in &active {
            if sim.delete(&ObjKey::of(o), None).is_ok() {
                terminating += 1;
                sim.event(
                    &obj,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", o.name()),
                    COMPONENT,
                    None,
                );
            }
        }
        // Re-read them: they are terminating now and count as failed.
        for o in &active {
            if let Some(cur) = sim.store.get(&ObjKey::of(o)).cloned() {
                if has_tracking_finalizer(&cur)
                    && !new_failed.iter().any(|(_, x)| x.uid() == cur.uid())
                {
                    new_failed.push((now_s, cur));
                    failed += 1;
                }
            }
        }
        active.clear();
    } else {
        let mut active_n = active.len() as i32;
        if job.metadata.deletion_timestamp.is_none() {
            active_n = manage(
                sim, &obj, &job, &spec, &active, succeeded, record, now_ms, key,
            );
        }
        let complete = match spec.completions {
            None => succeeded > 0 && active_n == 0,
            Some(c) => succeeded >= c && active_n == 0,
        };
        if complete {
            finished = Some((
                "SuccessCriteriaMet".into(),
                "CompletionsReached".into(),
                "Reached expected number of succeeded pods".into(),
            ));
        } else {
            let conds = status.conditions.get_or_insert_with(Vec::new);
            if suspended(&spec) {
                if ensure_condition(
                    conds,
                    "Suspended",
                    true,
                    "JobSuspended",
                    "Job suspended",
                    &now,
                ) {
                    suspend_changed = true;
                    sim.event(
                        &obj,
                        "Normal",
                        "Suspended",
                        "Job suspended".into(),
                        COMPONENT,
                        None,
                    );
                }
            } else if ensure_condition(conds, "Suspended", false, "JobResumed", "Job resumed", &now)
            {
                suspend_changed = true;
                sim.event(
                    &obj,
                    "Normal",
                    "Resumed",
                    "Job resumed".into(),
                    COMPONENT,
                    None,
                );
                status.start_time = Some(now.clone());
            }
            if conds.is_empty() {
                status.conditions = None;
            }
        }
        // Re-read the active pods after manage (creations, deletions).
        active = sim
            .store
            .owned_by(&uid)
            .into_iter()
            .filter(|o| {
                o.kind() == Kind::Pod
                    && o.controller_ref().is_some_and(|r| r.uid == uid)
                    && o.as_pod().is_some_and(podutil::is_active)
            })
            .collect();
    }
    let _ = suspend_changed;

    // trackJobStatusAndRemoveFinalizers: count the finished pods and let them go.
    let mut to_release: Vec<Rc<Object>> = Vec::new();
    to_release.extend(new_ok.iter().map(|(_, o)| o.clone()));
    to_release.extend(new_failed.iter().map(|(_, o)| o.clone()));
    for o in &to_release {
        remove_tracking_finalizer(sim, o);
    }
    let conds = status.conditions.get_or_insert_with(Vec::new);
    let mut final_cond: Option<(String, String, String)> = None;
    if let Some((t, reason, message)) = finished.clone() {
        if t == "FailureTarget" {
            conds.push(condition("FailureTarget", &reason, &message, &now));
            final_cond = Some(("Failed".into(), reason, message));
        } else if t == "SuccessCriteriaMet" {
            if !conds
                .iter()
                .any(|c| c.type_ == "SuccessCriteriaMet" && c.status == "True")
            {
                conds.push(condition("SuccessCriteriaMet", &reason, &message, &now));
            }
            final_cond = Some(("Complete".into(), reason, message));
        } else {
            final_cond = Some((t, reason, message));
        }
    }
    let mut just_finished = None;
    if let Some((t, reason, message)) = final_cond {
        if terminating == 0 {
            ensure_condition(conds, &t, true, &reason, &message, &now);
            if t == "Complete" {
                status.completion_time = Some(now.clone());
            }
            just_finished = Some((t, reason, message));
        }
    }
    if conds.is_empty() {
        status.conditions = None;
    }
    let ready = active
        .iter()
        .filter(|o| o.as_pod().is_some_and(podutil::is_ready))
        .count() as i32;
    status.active = Some(active.len() as i32).filter(|n| *n > 0);
    status.succeeded = Some(succeeded).filter(|n| *n > 0);
    status.failed = Some(failed).filter(|n| *n > 0);
    status.ready = Some(ready);
    status.terminating = Some(terminating);
    status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());

    if status != old_status {
        // Status writes go to the current object (finalizer removals above do not touch the Job).
        if let Some(cur) = sim.store.get(key).and_then(|o| o.as_job().cloned()) {
            let mut next = cur;
            next.status = Some(status);
            sim.write_status(Object::Job(next));
        }
    }
    if let Some((t, reason, message)) = just_finished {
        if t == "Complete" {
            sim.decide(
                COMPONENT,
                format!(
                    "{} reached {} — Job complete",
                    key.name,
                    plural(succeeded, "successful completion")
                ),
            );
            sim.event(
                &obj,
                "Normal",
                "Completed",
                "Job completed".into(),
                COMPONENT,
                None,
            );
        } else {
            sim.decide(COMPONENT, format!("{} failed: {message}", key.name));
            sim.event(&obj, "Warning", &reason, message, COMPONENT, None);
        }
        sim.controllers.batch.backoff.remove(&uid);
    }
}

/// `manageJob` (NonIndexed): delete surplus pods or create missing ones, after the back-off.
/// Returns the number of active pods afterwards.
#[allow(clippy::too_many_arguments)]
fn manage(
    sim: &mut Sim,
    obj: &Rc<Object>,
    job: &Job,
    spec: &JobSpec,
    active: &[Rc<Object>],
    succeeded: i32,
    record: (i64, Option<i64>),
    now_ms: i64,
    key: &ObjKey,
) -> i32 {
    let mut active_n = active.len() as i32;
    if suspended(spec) {
        if !active.is_empty() {
            sim.decide(
                COMPONENT,
                format!(
                    "{} is suspended; deleting its {}",
                    key.name,
                    plural(active_n, "active pod")
                ),
            );
        }
        for o in active {
            if sim.delete(&ObjKey::of(o), None).is_ok() {
                active_n -= 1;
                sim.event(
                    obj,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", o.name()),
                    COMPONENT,
                    None,
                );
            }
        }
        return active_n;
    }
    let parallelism = spec.parallelism.unwrap_or(1).max(0);
    let want = match spec.completions {
        None => {
            if succeeded > 0 {
                active_n
            } else {
                parallelism
            }
        }
        Some(c) => (c - succeeded).min(parallelism).max(0),
    };
    if active_n > want {
        let n = (active_n - want).min(MAX_CREATE_DELETE) as usize;
        // Not-ready and younger pods go first.
        let mut ranked: Vec<&Rc<Object>> = active.iter().collect();
        crate::sort::sort_by_key(&mut ranked, |o| {
            let p = o.as_pod().cloned().unwrap_or_default();
            (
                podutil::is_ready(&p),
                std::cmp::Reverse(
                    o.meta()
                        .creation_timestamp
                        .as_ref()
                        .map(|t| t.0.timestamp())
                        .unwrap_or(0),
                ),
            )
        });
        for o in ranked.into_iter().take(n) {
            if sim.delete(&ObjKey::of(o), None).is_ok() {
                active_n -= 1;
                sim.event(
                    obj,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", o.name()),
                    COMPONENT,
                    None,
                );
            }
        }
        return active_n;
    }
    if active_n < want {
        let left = remaining_backoff_ms(record, now_ms);
        if left > 0 {
            sim.decide(
                COMPONENT,
                format!(
                    "{} has {} after {}; back-off {}s before creating a replacement",
                    key.name,
                    plural(active_n, "active pod"),
                    plural(record.0 as i32, "failure"),
                    (left + 999) / 1000
                ),
            );
            enqueue_after(sim, Ctrl::Job, key, left as u64);
            return active_n;
        }
        let diff = (want - active_n).min(MAX_CREATE_DELETE);
        sim.decide(
            COMPONENT,
            format!(
                "{} wants {} (has {}); creating {}",
                key.name,
                plural(want, "active pod"),
                active_n,
                plural(diff, "pod")
            ),
        );
        for _ in 0..diff {
            if create_pod(sim, obj, job) {
                active_n += 1;
            }
        }
    }
    active_n
}

fn create_pod(sim: &mut Sim, owner: &Rc<Object>, job: &Job) -> bool {
    let template = job
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let tmeta = template.metadata.unwrap_or_default();
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", owner.name())),
            namespace: Some(owner.namespace().to_string()),
            labels: tmeta.labels.clone(),
            annotations: tmeta.annotations.clone(),
            finalizers: Some(vec![TRACKING_FINALIZER.to_string()]),
            owner_references: Some(vec![new_controller_ref(Kind::Job, owner.meta())]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    };
    match sim.create(Object::Pod(pod)) {
        Ok(p) => {
            sim.event(
                owner,
                "Normal",
                "SuccessfulCreate",
                format!("Created pod: {}", p.name()),
                COMPONENT,
                None,
            );
            super::forget_failures(sim, Ctrl::Job, &ObjKey::of(owner));
            true
        }
        Err(e) => {
            super::failed_create(
                sim,
                Ctrl::Job,
                owner,
                format!("Error creating: {}", e.message),
            );
            false
        }
    }
}

/// The TTL-after-finished controller: deletes a finished Job (foreground, so its pods go first)
/// `ttlSecondsAfterFinished` after its Complete/Failed condition.
pub(crate) fn reconcile_ttl(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(job) = obj.as_job() else { return };
    if job.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(ttl) = job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished) else {
        return;
    };
    let Some(done) = finished_condition(job).and_then(|c| c.last_transition_time.clone()) else {
        return;
    };
    let expire_ms = (done.0.timestamp() + i64::from(ttl)) * 1000;
    let now_ms = sim.clock.now().timestamp_millis();
    if now_ms < expire_ms {
        enqueue_after(
            sim,
            Ctrl::TtlAfterFinished,
            key,
            (expire_ms - now_ms) as u64,
        );
        return;
    }
    sim.decide(
        TTL_COMPONENT,
        format!(
            "Job {} finished {ttl}s ago (ttlSecondsAfterFinished); deleting it and its pods",
            key.name
        ),
    );
    let _ = sim.delete_with(key, None, Propagation::Foreground);
}

/// When a finished Job finished, for DURATION.
pub fn completion_or_now(job: &Job, now: DateTime<Utc>) -> Option<i64> {
    let start = job.status.as_ref()?.start_time.as_ref()?.0;
    let end = job
        .status
        .as_ref()
        .and_then(|s| s.completion_time.as_ref())
        .map(|t| t.0)
        .unwrap_or(now);
    Some((end - start).num_seconds())
}

/// kubectl's STATUS cell for a Job (`printJob`, v1.32).
pub fn status_cell(job: &Job) -> String {
    let st = job.status.clone().unwrap_or_default();
    let has = |t: &str| has_condition(&st, t).is_some();
    if has("Complete") {
        "Complete".into()
    } else if has("Failed") {
        "Failed".into()
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating".into()
    } else if has("Suspended") {
        "Suspended".into()
    } else if has("FailureTarget") {
        "FailureTarget".into()
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet".into()
    } else {
        "Running".into()
    }
}

/// kubectl's COMPLETIONS cell.
pub fn completions_cell(job: &Job) -> String {
    let spec = job.spec.clone().unwrap_or_default();
    let ok = job.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0);
    match spec.completions {
        Some(c) => format!("{ok}/{c}"),
        None => match spec.parallelism {
            Some(p) if p > 1 => format!("{ok}/1 of {p}"),
            _ => format!("{ok}/1"),
        },
    }
}

/// The uids of Jobs a set of keys names (helper for tests).
pub fn job_names(sim: &Sim, ns: &str) -> BTreeSet<String> {
    sim.store
        .list(Kind::Job, Some(ns))
        .iter()
        .map(|o| o.name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_ten_minutes() {
        let now = 1_000_000_000;
        let last = now / 1000;
        let delays: Vec<i64> = (1..=8)
            .map(|n| remaining_backoff_ms((n, Some(last)), now) / 1000)
            .collect();
        assert_eq!(delays, vec![10, 20, 40, 80, 160, 320, 600, 600]);
        assert_eq!(remaining_backoff_ms((1, Some(last - 4)), now), 6_000);
        assert_eq!(remaining_backoff_ms((0, None), now), 0);
    }
}
