//! Jobs and CronJobs end to end: completions and parallelism, the pod-failure back-off and
//! backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, suspend; CronJobs creating
//! `<name>-<minutes>` Jobs on schedule, history limits, concurrencyPolicy Forbid and Replace,
//! and the learner's example session in tests/examples/jobs.txt.

use k8s_openapi::api::batch::v1::{CronJob, Job};
use kubeplay::lessons::Playground;
use kubeplay::sim::store::ObjKey;
use kubeplay::sim::{podutil, Kind, SimConfig};

fn run(p: &mut Playground, line: &str) -> kubeplay::kubectl::Outcome {
    let o = p.run_line(line);
    if let Some(mut w) = o.wait.clone() {
        let pr = p.finish(&mut w, 3_600_000);
        assert!(pr.done, "command did not finish: {line}");
        let mut o = o;
        o.stdout.push_str(&pr.stdout);
        o.stderr.push_str(&pr.stderr);
        return o;
    }
    o
}

fn apply(p: &mut Playground, yaml: &str) {
    p.write_file("m.yaml", yaml);
    let o = run(p, "kubectl apply -f m.yaml");
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
}

fn job(p: &Playground, name: &str) -> Job {
    p.shell()
        .sim()
        .get(&ObjKey::new(Kind::Job, "default", name))
        .and_then(|o| o.as_job().cloned())
        .expect("job exists")
}

fn cronjob(p: &Playground, name: &str) -> CronJob {
    p.shell()
        .sim()
        .get(&ObjKey::new(Kind::CronJob, "default", name))
        .and_then(|o| o.as_cronjob().cloned())
        .expect("cronjob exists")
}

fn has_cond(j: &Job, t: &str) -> bool {
    j.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == t && c.status == "True"))
}

/// Pods of a Job (by its label), sorted by creation.
fn job_pods(p: &Playground, name: &str) -> Vec<k8s_openapi::api::core::v1::Pod> {
    let mut v: Vec<_> = p
        .shell()
        .sim()
        .store()
        .list(Kind::Pod, Some("default"))
        .into_iter()
        .filter_map(|o| o.as_pod().cloned())
        .filter(|pd| {
            pd.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("batch.kubernetes.io/job-name"))
                .map(String::as_str)
                == Some(name)
        })
        .collect();
    v.sort_by_key(|pd| {
        (
            pd.metadata.creation_timestamp.as_ref().map(|t| t.0),
            pd.metadata.resource_version.clone(),
        )
    });
    v
}

fn jobs_of(p: &Playground) -> Vec<String> {
    p.shell()
        .sim()
        .store()
        .list(Kind::Job, Some("default"))
        .iter()
        .map(|o| o.name().to_string())
        .collect()
}

#[test]
fn failing_pods_hit_the_backoff_limit_with_doubling_delays() {
    let mut p = Playground::new(SimConfig::default());
    apply(
        &mut p,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: fail\nspec:\n  backoffLimit: 3\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [\"sh\", \"-c\", \"echo boom; exit 1\"]\n",
    );
    p.advance(20 * 60_000);
    let j = job(&p, "fail");
    assert!(
        has_cond(&j, "FailureTarget") && has_cond(&j, "Failed"),
        "{:?}",
        j.status
    );
    let failed = j.status.as_ref().and_then(|s| s.failed);
    assert_eq!(
        failed,
        Some(4),
        "backoffLimit 3: the fourth failure fails the Job"
    );
    let cond = j
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    let f = cond
        .iter()
        .find(|c| c.type_ == "Failed")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f.reason.as_deref(), Some("BackoffLimitExceeded"));
    assert_eq!(
        f.message.as_deref(),
        Some("Job has reached the specified backoff limit")
    );
    assert!(j
        .status
        .as_ref()
        .and_then(|s| s.completion_time.as_ref())
        .is_none());

    // Each replacement waits 10 s, 20 s, 40 s after the previous pod finished.
    let pods = job_pods(&p, "fail");
    assert_eq!(pods.len(), 4);
    let created: Vec<i64> = pods
        .iter()
        .map(|pd| {
            pd.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.timestamp())
                .unwrap_or(0)
        })
        .collect();
    let finished: Vec<i64> = pods
        .iter()
        .map(|pd| {
            pd.status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .and_then(|c| c.first())
                .and_then(|c| {
                    c.state
                        .as_ref()?
                        .terminated
                        .as_ref()?
                        .finished_at
                        .as_ref()
                        .map(|t| t.0.timestamp())
                })
                .unwrap_or(0)
        })
        .collect();
    for (i, want) in [10, 20, 40].iter().enumerate() {
        let gap = created[i + 1] - finished[i];
        assert!(
            (*want..=*want + 2).contains(&gap),
            "replacement {} came {gap}s after the failure, want ~{want}s",
            i + 1
        );
    }
    assert!(
        pods.iter().all(|pd| pd.metadata.finalizers.is_none()),
        "counted pods lose the tracking finalizer"
    );
    let ev: Vec<_> = p
        .shell()
        .sim()
        .events()
        .iter()
        .filter(|e| e.reason == "BackoffLimitExceeded")
        .cloned()
        .collect();
    assert_eq!(ev.len(), 1);
    let out = run(&mut p, "kubectl get job fail");
    assert!(out.stdout.contains("fail   Failed   0/1"), "{}", out.stdout);
}

#[test]
fn parallelism_two_completions_four() {
    let mut p = Playground::new(SimConfig::default());
    apply(
        &mut p,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: work\nspec:\n  completions: 4\n  parallelism: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [\"sh\", \"-c\", \"sleep 5\"]\n",
    );
    let mut max_active = 0;
    for _ in 0..120 {
        p.advance(500);
        let active = job_pods(&p, "work")
            .iter()
            .filter(|pd| podutil::is_active(pd))
            .count();
        max_active = max_active.max(active);
        assert!(active <= 2, "never more than parallelism pods at once");
    }
    assert_eq!(max_active, 2);
    let j = job(&p, "work");
    assert!(has_cond(&j, "Complete"));
    assert!(has_cond(&j, "SuccessCriteriaMet"));
    let st = j.status.clone().unwrap_or_default();
    assert_eq!((st.succeeded, st.failed, st.active), (Some(4), None, None));
    assert_eq!(job_pods(&p, "work").len(), 4);
    let out = run(&mut p, "kubectl get jobs");
    assert!(
        out.stdout.contains("work   Complete   4/4"),
        "{}",
        out.stdout
    );
    let completed = p
        .shell()
        .sim()
        .events()
        .iter()
        .filter(|e| e.reason == "Completed" && e.message == "Job completed")
        .count();
    assert_eq!(completed, 1);
}

#[test]
fn active_deadline_kills_running_pods() {
    let mut p = Playground::new(SimConfig::default());
    apply(
        &mut p,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: slow\nspec:\n  activeDeadlineSeconds: 10\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [\"sleep\", \"3600\"]\n",
    );
    p.advance(9_000);
    assert!(!has_cond(&job(&p, "slow"), "FailureTarget"));
    p.advance(60_000);
    let j = job(&p, "slow");
    assert!(has_cond(&j, "Failed"), "{:?}", j.status);
    let f = j
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_ == "Failed");
    assert_eq!(
        f.and_then(|c| c.reason),
        Some("DeadlineExceeded".to_string())
    );
    assert!(
        job_pods(&p, "slow").is_empty(),
        "the running pod was deleted"
    );
    assert_eq!(j.status.as_ref().and_then(|s| s.failed), Some(1));
}

#[test]
fn ttl_after_finished_deletes_job_and_pods() {
    let mut p = Playground::new(SimConfig::default());
    apply(
        &mut p,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\nspec:\n  ttlSecondsAfterFinished: 30\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [\"echo\", \"hi\"]\n",
    );
    p.advance(15_000);
    assert!(has_cond(&job(&p, "once"), "Complete"));
    assert_eq!(job_pods(&p, "once").len(), 1);
    p.advance(40_000);
    assert!(jobs_of(&p).is_empty(), "deleted after its TTL");
    assert!(job_pods(&p, "once").is_empty(), "its pods went with it");
}

#[test]
fn suspend_and_resume() {
    let mut p = Playground::new(SimConfig::default());
    apply(
        &mut p,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: later\nspec:\n  suspend: true\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [\"echo\", \"hi\"]\n",
    );
    p.advance(10_000);
    assert!(job_pods(&p, "later").is_empty());
    assert!(has_cond(&job(&p, "later"), "Suspended"));
    assert!(run(&mut p, "kubectl get jobs")
        .stdout
        .contains("later   Suspended   0/1"));
    let o = run(
        &mut p,
        r#"kubectl patch job later -p '{"spec":{"suspend":false}}'"#,
    );
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    p.advance(15_000);
    assert!(has_cond(&job(&p, "later"), "Complete"));
    assert!(p
        .shell()
        .sim()
        .events()
        .iter()
        .any(|e| e.reason == "Resumed"));
}

#[test]
fn cronjob_every_minute_keeps_three_successful_jobs() {
    let mut p = Playground::new(SimConfig::default());
    let o = run(
        &mut p,
        "kubectl create cronjob hello --image=busybox --schedule=\"*/1 * * * *\" -- echo hello",
    );
    assert_eq!(o.stdout, "cronjob.batch/hello created\n");
    p.advance(6 * 60_000 + 30_000);
    let mut names = jobs_of(&p);
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    // Job names are the scheduled minute since the epoch; the clock starts 2025-03-01T09:00Z.
    let start = 1_740_819_600 / 60;
    assert_eq!(
        names,
        vec![
            format!("hello-{}", start + 4),
            format!("hello-{}", start + 5),
            format!("hello-{}", start + 6)
        ]
    );
    let cj = cronjob(&p, "hello");
    let st = cj.status.clone().unwrap_or_default();
    assert!(st.active.is_none());
    assert_eq!(
        st.last_schedule_time.map(|t| t.0.timestamp()),
        Some(1_740_819_600 + 6 * 60)
    );
    assert!(st.last_successful_time.is_some());
    let ev = p.shell().sim().events();
    assert_eq!(
        ev.iter()
            .filter(|e| e.reason == "SuccessfulCreate" && e.object.kind == Kind::CronJob)
            .count(),
        6
    );
    assert_eq!(
        ev.iter().filter(|e| e.reason == "SawCompletedJob").count(),
        6
    );
    assert_eq!(
        ev.iter()
            .filter(|e| e.reason == "SuccessfulDelete" && e.object.kind == Kind::CronJob)
            .count(),
        3
    );
    let j = job(&p, &names[2]);
    let ann = j.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(
        ann.get("batch.kubernetes.io/cronjob-scheduled-timestamp")
            .map(String::as_str),
        Some("2025-03-01T09:06:00Z")
    );
}

#[test]
fn forbid_skips_while_a_job_runs_and_replace_replaces_it() {
    for (policy, want_jobs) in [("Forbid", 1), ("Replace", 1), ("Allow", 3)] {
        let mut p = Playground::new(SimConfig::default());
        apply(
            &mut p,
            &format!("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: long\nspec:\n  schedule: \"* * * * *\"\n  concurrencyPolicy: {policy}\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n            command: [\"sleep\", \"150\"]\n"),
        );
        p.advance(3 * 60_000 + 30_000);
        let names = jobs_of(&p);
        assert_eq!(names.len(), want_jobs, "{policy}: {names:?}");
        let ev = p.shell().sim().events();
        match policy {
            "Forbid" => {
                assert!(ev.iter().any(|e| e.reason == "JobAlreadyActive"
                    && e.message == "Not starting job because prior execution is running and concurrency policy is Forbid"));
                // The first job (09:01) is still the one running.
                assert_eq!(names, vec![format!("long-{}", 1_740_819_600 / 60 + 1)]);
            }
            "Replace" => {
                assert_eq!(names, vec![format!("long-{}", 1_740_819_600 / 60 + 3)]);
                assert!(ev
                    .iter()
                    .any(|e| e.reason == "SuccessfulDelete" && e.object.kind == Kind::CronJob));
            }
            _ => {}
        }
        let active = cronjob(&p, "long")
            .status
            .and_then(|s| s.active)
            .map_or(0, |a| a.len());
        assert_eq!(active, want_jobs.min(3), "{policy}");
    }
}

#[test]
fn invalid_schedules_and_zones_are_refused() {
    let mut p = Playground::new(SimConfig::default());
    let o = run(
        &mut p,
        "kubectl create cronjob bad --image=busybox --schedule=\"* * * * 7\"",
    );
    assert_eq!(o.stderr, "The CronJob \"bad\" is invalid: spec.schedule: Invalid value: \"* * * * 7\": end of range (7) above maximum (6): 7\n");
    apply_err(
        &mut p,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tz\nspec:\n  schedule: \"@daily\"\n  timeZone: Mars/Olympus\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
        "The CronJob \"tz\" is invalid: spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus\n",
    );
    let o = run(
        &mut p,
        "kubectl create cronjob ok --image=busybox --schedule=@hourly",
    );
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
}

fn apply_err(p: &mut Playground, yaml: &str, want: &str) {
    p.write_file("bad.yaml", yaml);
    let o = run(p, "kubectl apply -f bad.yaml");
    assert_eq!(o.exit_code, 1);
    assert_eq!(o.stderr, want);
}

#[test]
fn cronjob_in_a_time_zone_runs_at_local_time() {
    let mut p = Playground::new(SimConfig::default());
    // 18:01 in Tokyo is 09:01 UTC, a minute after the clock starts.
    apply(
        &mut p,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tokyo\nspec:\n  schedule: \"1 18 * * *\"\n  timeZone: Asia/Tokyo\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
    );
    p.advance(2 * 60_000);
    assert_eq!(
        jobs_of(&p),
        vec![format!("tokyo-{}", 1_740_819_600 / 60 + 1)]
    );
    let j = job(&p, &jobs_of(&p)[0]);
    let ann = j.metadata.annotations.unwrap_or_default();
    assert_eq!(
        ann.get("batch.kubernetes.io/cronjob-scheduled-timestamp")
            .map(String::as_str),
        Some("2025-03-01T18:01:00+09:00")
    );
    let out = run(&mut p, "kubectl get cj");
    assert!(
        out.stdout
            .contains("tokyo   1 18 * * *   Asia/Tokyo   False     0        "),
        "{}",
        out.stdout
    );
}

#[test]
fn learner_example_session() {
    let text = include_str!("examples/jobs.txt");
    let out = kubeplay::cli::transcript(SimConfig::default(), text);
    for want in [
        "job.batch/pi created",
        "pi     Complete   1/1",
        "3.1415926535897932384626433832795028841971693993751",
        "cronjob.batch/hello created",
        "job.batch/manual created",
        "Hello from the Kubernetes cluster",
        "job.batch \"pi\" deleted",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(!out.contains("error"), "{out}");
}

#[test]
fn documentation_corpus_job_and_v1beta1_cronjob() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/manifests");
    let (Ok(job_yaml), Ok(cron_yaml)) = (
        std::fs::read_to_string(dir.join("controllers/job.yaml")),
        std::fs::read_to_string(dir.join("application/job/cronjob.yaml")),
    ) else {
        eprintln!("../shared/manifests not present; skipping");
        return;
    };
    let mut p = Playground::new(SimConfig::default());
    p.write_file("job.yaml", &job_yaml);
    assert_eq!(
        run(&mut p, "kubectl apply -f job.yaml").stdout,
        "job.batch/pi created\n"
    );
    p.advance(60_000);
    let out = run(&mut p, "kubectl get job pi");
    assert!(
        out.stdout.contains("pi     Complete   1/1"),
        "{}",
        out.stdout
    );
    let logs = run(&mut p, "kubectl logs job/pi");
    assert!(
        logs.stdout
            .starts_with("3.14159265358979323846264338327950288419716939937510"),
        "{}",
        logs.stdout
    );
    assert_eq!(
        logs.stdout.trim_end().len(),
        1001,
        "bpi(1000): 1000 significant digits"
    );

    p.write_file("cronjob.yaml", &cron_yaml);
    let o = run(&mut p, "kubectl apply -f cronjob.yaml");
    assert_eq!(o.exit_code, 1);
    assert!(
        o.stderr
            .contains("no matches for kind \"CronJob\" in version \"batch/v1beta1\""),
        "{}",
        o.stderr
    );
}
