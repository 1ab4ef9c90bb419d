//! The CronJob controller (`pkg/controller/cronjob`, ControllerV2 in v1.32): at each scheduled time
//! create a Job named `<cronjob>-<minutes since the epoch>`, honouring concurrencyPolicy,
//! startingDeadlineSeconds and suspend; only the most recent missed time ever runs. Finished Jobs
//! beyond the history limits are deleted, oldest first. The controller requeues itself for the next
//! scheduled time plus 100 ms.

use std::rc::Rc;

use chrono::{DateTime, Offset, SecondsFormat, Utc};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::super::cron::{self, Schedule};
use super::super::object::{new_controller_ref, Kind, Object};
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::enqueue_after;
use super::job::finished_condition;
use super::{enqueue, Ctrl};

const COMPONENT: &str = "cronjob-controller";
/// `nextScheduleDelta`.
const NEXT_SCHEDULE_DELTA_MS: i64 = 100;
pub const SCHEDULED_TIMESTAMP_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// `SetDefaults_CronJob` (and the Job template's pod defaults).
pub fn set_defaults(cj: &mut CronJob) {
    let spec = cj.spec.get_or_insert_with(Default::default);
    spec.concurrency_policy
        .get_or_insert_with(|| "Allow".into());
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
    if let Some(js) = spec.job_template.spec.as_mut() {
        super::super::defaults::template(&mut js.template);
        // The Job template keeps its own defaults unset except the ones SetDefaults_Job applies to
        // an embedded template in a CronJob: none beyond the pod template's.
    }
}

/// Field errors for a CronJob (schedule, time zone, the Job template's restart policy).
pub fn validate(cj: &CronJob) -> Vec<String> {
    let spec = cj.spec.clone().unwrap_or_default();
    let mut causes = cron::validate_schedule(&spec.schedule, "spec.schedule");
    causes.extend(cron::validate_time_zone(spec.time_zone.as_deref()));
    if let Some(p) = spec.concurrency_policy.as_deref() {
        if !matches!(p, "Allow" | "Forbid" | "Replace") {
            causes.push(format!("spec.concurrencyPolicy: Unsupported value: \"{p}\": supported values: \"Allow\", \"Forbid\", \"Replace\""));
        }
    }
    let rp = spec
        .job_template
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_default();
    if rp != "OnFailure" && rp != "Never" {
        causes.push(format!(
            "spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"{rp}\": supported values: \"OnFailure\", \"Never\""
        ));
    }
    if cj.metadata.name.as_deref().is_some_and(|n| n.len() > 52) {
        causes.push(format!(
            "metadata.name: Invalid value: \"{}\": must be no more than 52 characters",
            cj.metadata.name.as_deref().unwrap_or("")
        ));
    }
    causes
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    if ev.key.kind == Kind::CronJob && ev.kind != WatchType::Deleted {
        enqueue(sim, Ctrl::CronJob, ev.key.clone());
    }
}

/// `getJobName`: the scheduled time in minutes since the epoch.
pub fn job_name(cronjob: &str, scheduled: DateTime<Utc>) -> String {
    format!("{cronjob}-{}", scheduled.timestamp().div_euclid(60))
}

fn schedule_of(spec: &CronJobSpec) -> Result<Schedule, String> {
    let offset = cron::load_location(spec.time_zone.as_deref().unwrap_or(""))?;
    Ok(cron::parse_standard(&spec.schedule)?.in_zone(offset))
}

#[derive(PartialEq, Eq)]
enum Missed {
    None,
    Few,
    Many,
}

/// `mostRecentScheduleTime`: (earliest considered, the most recent due time, how many were missed).
fn most_recent(
    cj: &CronJob,
    now: DateTime<Utc>,
    sched: &Schedule,
    with_deadline: bool,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>, Missed), String> {
    let spec = cj.spec.clone().unwrap_or_default();
    let mut earliest = cj
        .status
        .as_ref()
        .and_then(|s| s.last_schedule_time.as_ref())
        .or(cj.metadata.creation_timestamp.as_ref())
        .map(|t| t.0)
        .unwrap_or(now);
    if with_deadline {
        if let Some(sds) = spec.starting_deadline_seconds {
            let deadline = now - chrono::Duration::seconds(sds);
            if deadline > earliest {
                earliest = deadline;
            }
        }
    }
    let Some(t1) = sched.next(earliest) else {
        return Ok((earliest, None, Missed::None));
    };
    let Some(t2) = sched.next(t1) else {
        return if now < t1 {
            Ok((earliest, None, Missed::None))
        } else {
            Ok((earliest, Some(t1), Missed::None))
        };
    };
    if now < t1 {
        return Ok((earliest, None, Missed::None));
    }
    if now < t2 {
        return Ok((earliest, Some(t1), Missed::None));
    }
    let between = (t2 - t1).num_seconds();
    if between < 1 {
        return Err("time difference between two schedules is less than 1 second".into());
    }
    let elapsed = (now - t1).num_seconds();
    let missed = elapsed / between + 1;
    let potential = t1 + chrono::Duration::seconds((missed - 2) * between);
    let mut recent = None;
    let mut t = sched.next(potential);
    while let Some(x) = t {
        if x > now {
            break;
        }
        recent = Some(x);
        t = sched.next(x);
    }
    let m = if missed > 100 {
        Missed::Many
    } else {
        Missed::Few
    };
    Ok((earliest, recent, m))
}

/// `nextScheduleTimeDuration`: ms until the next run plus 100 ms.
fn next_delay_ms(cj: &CronJob, now: DateTime<Utc>, sched: &Schedule) -> Option<i64> {
    let (earliest, recent, missed) = most_recent(cj, now, sched, false).ok()?;
    let base = match recent {
        Some(t) => t,
        None if missed == Missed::None => earliest,
        None => return None,
    };
    let next = sched.next(base)?;
    Some((next - now).num_milliseconds() + NEXT_SCHEDULE_DELTA_MS)
}

fn job_ref(o: &Object) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: Some(o.name().to_string()),
        namespace: Some(o.namespace().to_string()),
        resource_version: o.meta().resource_version.clone(),
        uid: Some(o.uid().to_string()),
        field_path: None,
    }
}

fn finished_type(j: &Job) -> Option<String> {
    finished_condition(j).map(|c| c.type_.clone())
}

/// `deleteJob`: background deletion, drop it from `status.active`, `SuccessfulDelete`.
fn delete_job(sim: &mut Sim, obj: &Object, cj: &mut CronJob, job: &Object) -> bool {
    if sim.delete(&ObjKey::of(job), None).is_err() {
        sim.event(
            obj,
            "Warning",
            "FailedDelete",
            format!("Deleted job: {}", job.name()),
            COMPONENT,
            None,
        );
        return false;
    }
    if let Some(a) = cj.status.as_mut().and_then(|s| s.active.as_mut()) {
        a.retain(|r| r.uid.as_deref() != Some(job.uid()));
    }
    sim.event(
        obj,
        "Normal",
        "SuccessfulDelete",
        format!("Deleted job {}", job.name()),
        COMPONENT,
        None,
    );
    true
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(orig) = obj.as_cronjob().cloned() else {
        return;
    };
    let mut cj = orig.clone();
    let uid = obj.uid().to_string();
    let jobs: Vec<Rc<Object>> = sim
        .store
        .owned_by(&uid)
        .into_iter()
        .filter(|o| o.kind() == Kind::Job && o.controller_ref().is_some_and(|r| r.uid == uid))
        .collect();
    let requeue = sync(sim, &obj, &mut cj, &jobs, key);
    cleanup_finished(sim, &obj, &mut cj, &jobs);
    if let Some(a) = cj.status.as_mut() {
        if a.active.as_ref().is_some_and(|v| v.is_empty()) {
            a.active = None;
        }
    }
    if cj.status != orig.status {
        if let Some(cur) = sim.store.get(key).and_then(|o| o.as_cronjob().cloned()) {
            let mut next = cur;
            next.status = cj.status.clone();
            sim.write_status(Object::CronJob(next));
        }
    }
    if let Some(ms) = requeue {
        enqueue_after(sim, Ctrl::CronJob, key, ms.max(0) as u64);
    }
}

/// `syncCronJob`: returns when to look again (ms).
fn sync(
    sim: &mut Sim,
    obj: &Rc<Object>,
    cj: &mut CronJob,
    jobs: &[Rc<Object>],
    key: &ObjKey,
) -> Option<i64> {
    let now = sim.clock.now();
    let status = cj.status.get_or_insert_with(Default::default);
    for j in jobs {
        let Some(job) = j.as_job() else { continue };
        let in_active = status
            .active
            .iter()
            .flatten()
            .any(|r| r.uid.as_deref() == Some(j.uid()));
        let fin = finished_type(job);
        if !in_active && fin.is_none() {
            sim.event(
                obj,
                "Warning",
                "UnexpectedJob",
                format!(
                    "Saw a job that the controller did not create or forgot: {}",
                    j.name()
                ),
                COMPONENT,
                None,
            );
        } else if in_active && fin.is_some() {
            if let Some(a) = status.active.as_mut() {
                a.retain(|r| r.uid.as_deref() != Some(j.uid()));
            }
            let t = fin.unwrap_or_default();
            sim.decide(
                COMPONENT,
                format!("{} saw job {} finish ({t})", key.name, j.name()),
            );
            sim.event(
                obj,
                "Normal",
                "SawCompletedJob",
                format!("Saw completed job: {}, status: {t}", j.name()),
                COMPONENT,
                None,
            );
            if t == "Complete" {
                let done = job.status.as_ref().and_then(|s| s.completion_time.clone());
                if status.last_successful_time.is_none()
                    || done.as_ref().map(|d| d.0)
                        > status.last_successful_time.as_ref().map(|d| d.0)
                {
                    status.last_successful_time = done;
                }
            }
        } else if fin.as_deref() == Some("Complete") {
            let done = job.status.as_ref().and_then(|s| s.completion_time.clone());
            if status.last_successful_time.is_none()
                || done.as_ref().map(|d| d.0) > status.last_successful_time.as_ref().map(|d| d.0)
            {
                status.last_successful_time = done;
            }
        }
    }
    // Active references whose Job is gone.
    let missing: Vec<ObjectReference> = status
        .active
        .iter()
        .flatten()
        .filter(|r| !jobs.iter().any(|j| Some(j.uid()) == r.uid.as_deref()))
        .cloned()
        .collect();
    for r in missing {
        let name = r.name.clone().unwrap_or_default();
        sim.event(
            obj,
            "Normal",
            "MissingJob",
            format!("Active job went missing: {name}"),
            COMPONENT,
            None,
        );
        if let Some(a) = status.active.as_mut() {
            a.retain(|x| x.uid != r.uid);
        }
    }
    if cj.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let spec = cj.spec.clone().unwrap_or_default();
    if spec.suspend == Some(true) {
        return None;
    }
    let sched = match schedule_of(&spec) {
        Ok(s) => s,
        Err(e) => {
            sim.event(
                obj,
                "Warning",
                "UnparseableSchedule",
                format!("unparseable schedule: \"{}\" : {e}", spec.schedule),
                COMPONENT,
                None,
            );
            return None;
        }
    };
    let scheduled = match most_recent(cj, now, &sched, true) {
        Err(e) => {
            sim.event(
                obj,
                "Warning",
                "InvalidSchedule",
                format!("invalid schedule: {} : {e}", spec.schedule),
                COMPONENT,
                None,
            );
            return None;
        }
        Ok((_, None, _)) => return next_delay_ms(cj, now, &sched),
        Ok((_, Some(t), missed)) => {
            if missed == Missed::Many {
                sim.event(
                    obj,
                    "Warning",
                    "TooManyMissedTimes",
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew".into(),
                    COMPONENT,
                    None,
                );
            }
            t
        }
    };
    if let Some(sds) = spec.starting_deadline_seconds {
        if scheduled + chrono::Duration::seconds(sds) < now {
            sim.decide(
                COMPONENT,
                format!(
                    "{} missed its {} run (startingDeadlineSeconds {sds})",
                    key.name,
                    scheduled.format("%H:%M")
                ),
            );
            sim.event(
                obj,
                "Warning",
                "MissSchedule",
                format!(
                    "Missed scheduled time to start a job: {}",
                    scheduled.format("%a, %d %b %Y %H:%M:%S %z")
                ),
                COMPONENT,
                None,
            );
            return next_delay_ms(cj, now, &sched);
        }
    }
    let name = job_name(obj.name(), scheduled);
    let status = cj.status.get_or_insert_with(Default::default);
    let processed = status
        .active
        .iter()
        .flatten()
        .any(|r| r.name.as_deref() == Some(name.as_str()))
        || status.last_schedule_time.as_ref().map(|t| t.0) == Some(scheduled);
    if processed {
        return next_delay_ms(cj, now, &sched);
    }
    let policy = spec
        .concurrency_policy
        .clone()
        .unwrap_or_else(|| "Allow".into());
    if policy == "Forbid" && status.active.as_ref().is_some_and(|a| !a.is_empty()) {
        sim.decide(
            COMPONENT,
            format!(
                "{}: a job is still running and concurrencyPolicy is Forbid; skipping the {} run",
                key.name,
                scheduled.format("%H:%M")
            ),
        );
        sim.event(
            obj,
            "Normal",
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid"
                .into(),
            COMPONENT,
            None,
        );
        return next_delay_ms(cj, now, &sched);
    }
    if policy == "Replace" {
        let active: Vec<ObjectReference> = status.active.clone().unwrap_or_default();
        for r in active {
            let k = ObjKey::new(
                Kind::Job,
                r.namespace.as_deref().unwrap_or(obj.namespace()),
                r.name.as_deref().unwrap_or(""),
            );
            if let Some(j) = sim.store.get(&k).cloned() {
                sim.decide(
                    COMPONENT,
                    format!(
                        "{}: concurrencyPolicy Replace; deleting the running job {}",
                        key.name,
                        j.name()
                    ),
                );
                delete_job(sim, obj, cj, &j);
            }
        }
    }
    // getJobFromTemplate2.
    let tmpl = spec.job_template.clone();
    let tmeta = tmpl.metadata.clone().unwrap_or_default();
    let offset = cron::load_location(spec.time_zone.as_deref().unwrap_or("")).unwrap_or(0);
    let mut annotations = tmeta.annotations.clone().unwrap_or_default();
    let local = scheduled
        .with_timezone(&chrono::FixedOffset::east_opt(offset).unwrap_or_else(|| Utc.fix()));
    annotations.insert(
        SCHEDULED_TIMESTAMP_ANNOTATION.into(),
        local.to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    let job = Job {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(obj.namespace().to_string()),
            labels: tmeta.labels.clone().filter(|l| !l.is_empty()),
            annotations: Some(annotations),
            creation_timestamp: Some(Time(scheduled)),
            owner_references: Some(vec![new_controller_ref(Kind::CronJob, obj.meta())]),
            ..Default::default()
        },
        spec: tmpl.spec.clone(),
        status: None,
    };
    match sim.create(Object::Job(job)) {
        Ok(created) => {
            sim.decide(
                COMPONENT,
                format!(
                    "{} is due at {}; creating job {name}",
                    key.name,
                    scheduled.format("%H:%M")
                ),
            );
            sim.event(
                obj,
                "Normal",
                "SuccessfulCreate",
                format!("Created job {name}"),
                COMPONENT,
                None,
            );
            let status = cj.status.get_or_insert_with(Default::default);
            status
                .active
                .get_or_insert_with(Vec::new)
                .push(job_ref(&created));
            status.last_schedule_time = Some(Time(scheduled));
            super::forget_failures(sim, Ctrl::CronJob, &ObjKey::of(obj));
        }
        Err(e) if e.reason == "AlreadyExists" => {
            let status = cj.status.get_or_insert_with(Default::default);
            status.last_schedule_time = Some(Time(scheduled));
        }
        Err(e) => {
            super::failed_create(
                sim,
                Ctrl::CronJob,
                obj,
                format!("Error creating job: {}", e.message),
            );
            return None;
        }
    }
    next_delay_ms(cj, now, &sched)
}

/// `cleanupFinishedJobs`: keep the newest N successful and M failed Jobs.
fn cleanup_finished(sim: &mut Sim, obj: &Rc<Object>, cj: &mut CronJob, jobs: &[Rc<Object>]) {
    let spec = cj.spec.clone().unwrap_or_default();
    let mut ok: Vec<Rc<Object>> = Vec::new();
    let mut failed: Vec<Rc<Object>> = Vec::new();
    for j in jobs {
        if sim.store.get(&ObjKey::of(j)).is_none() {
            continue;
        }
        match j.as_job().and_then(finished_type).as_deref() {
            Some("Complete") => ok.push(j.clone()),
            Some("Failed") => failed.push(j.clone()),
            _ => {}
        }
    }
    for (list, limit) in [
        (ok, spec.successful_jobs_history_limit),
        (failed, spec.failed_jobs_history_limit),
    ] {
        let Some(limit) = limit else { continue };
        let mut list = list;
        let n = list.len() as i64 - i64::from(limit);
        if n <= 0 {
            continue;
        }
        // byJobStartTime: jobs without a start time last, then by name.
        crate::sort::sort_by(&mut list, |a, b| {
            let st = |o: &Rc<Object>| {
                o.as_job()
                    .and_then(|j| j.status.as_ref())
                    .and_then(|s| s.start_time.as_ref())
                    .map(|t| t.0)
            };
            match (st(a), st(b)) {
                (Some(x), Some(y)) if x != y => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                _ => a.name().cmp(b.name()),
            }
        });
        for j in list.iter().take(n as usize) {
            sim.decide(
                COMPONENT,
                format!(
                    "{}: over its history limit; deleting job {}",
                    obj.name(),
                    j.name()
                ),
            );
            delete_job(sim, obj, cj, j);
        }
    }
}

/// `kubectl create job --from=cronjob/NAME`: the Job kubectl builds from a CronJob.
pub fn job_from_cronjob(cj: &Object, name: &str) -> Option<Job> {
    let c = cj.as_cronjob()?;
    let tmpl = c.spec.as_ref()?.job_template.clone();
    let tmeta = tmpl.metadata.unwrap_or_default();
    let mut annotations: std::collections::BTreeMap<String, String> = [(
        "cronjob.kubernetes.io/instantiate".to_string(),
        "manual".to_string(),
    )]
    .into();
    annotations.extend(tmeta.annotations.unwrap_or_default());
    Some(Job {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            annotations: Some(annotations),
            labels: tmeta.labels,
            owner_references: Some(vec![
                k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                    api_version: "batch/v1".into(),
                    kind: "CronJob".into(),
                    name: cj.name().to_string(),
                    uid: cj.uid().to_string(),
                    controller: Some(true),
                    block_owner_deletion: None,
                },
            ]),
            ..Default::default()
        },
        spec: tmpl.spec,
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn job_names_are_minutes_since_epoch() {
        assert_eq!(
            job_name("hello", t("2016-05-19T11:00:00Z")),
            "hello-24394260"
        );
    }

    #[test]
    fn requeue_for_next_schedule_plus_100ms() {
        // utils_test: "0 12 * * 5", created Thursday 2016-05-19T10:00Z, now 16:00Z → 20h + 0.1s.
        let cj = CronJob {
            metadata: ObjectMeta {
                creation_timestamp: Some(Time(t("2016-05-19T10:00:00Z"))),
                ..Default::default()
            },
            spec: Some(CronJobSpec {
                schedule: "0 12 * * 5".into(),
                ..Default::default()
            }),
            status: None,
        };
        let sched = cron::parse_standard("0 12 * * 5").ok();
        let d = sched.and_then(|s| next_delay_ms(&cj, t("2016-05-19T16:00:00Z"), &s));
        assert_eq!(d, Some(20 * 3600 * 1000 + 100));
    }

    #[test]
    fn only_the_most_recent_missed_time() {
        let cj = CronJob {
            metadata: ObjectMeta {
                creation_timestamp: Some(Time(t("2016-05-19T10:00:00Z"))),
                ..Default::default()
            },
            spec: Some(CronJobSpec {
                schedule: "*/5 * * * *".into(),
                ..Default::default()
            }),
            status: None,
        };
        let Ok(sched) = cron::parse_standard("*/5 * * * *") else {
            panic!("parse")
        };
        let r = most_recent(&cj, t("2016-05-19T11:07:30Z"), &sched, true)
            .ok()
            .and_then(|r| r.1);
        assert_eq!(r, Some(t("2016-05-19T11:05:00Z")));
        // Far behind: more than 100 missed.
        let r = most_recent(&cj, t("2016-05-21T11:07:30Z"), &sched, true)
            .ok()
            .map(|r| (r.1, r.2 == Missed::Many));
        assert_eq!(r, Some((Some(t("2016-05-21T11:05:00Z")), true)));
    }
}
