//! The container runtime end to end: programs drive containers, restart policies and back-off,
//! init containers, graceful termination, `kubectl logs` and `kubectl exec`.

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

fn pod(p: &Playground, name: &str) -> k8s_openapi::api::core::v1::Pod {
    p.shell()
        .sim()
        .get(&ObjKey::new(Kind::Pod, "default", name))
        .and_then(|o| o.as_pod().cloned())
        .expect("pod exists")
}

fn status(p: &Playground, name: &str) -> String {
    podutil::summary(&pod(p, name)).status
}

fn restarts(p: &Playground, name: &str) -> i32 {
    podutil::summary(&pod(p, name)).restarts
}

#[test]
fn never_with_exit_1_fails() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl run job --image=busybox --restart=Never -- sh -c 'echo working; exit 1'",
    );
    p.advance(10_000);
    let pd = pod(&p, "job");
    assert_eq!(podutil::phase(&pd), "Failed");
    assert_eq!(status(&p, "job"), "Error");
    let cs = &pd
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0];
    let t = cs.state.as_ref().unwrap().terminated.as_ref().unwrap();
    assert_eq!((t.exit_code, t.reason.as_deref()), (1, Some("Error")));
    assert_eq!(cs.restart_count, 0);
    assert_eq!(run(&mut p, "kubectl logs job").stdout, "working\n");
    // Nothing restarts it.
    p.advance(120_000);
    assert_eq!(restarts(&p, "job"), 0);
    let ready = pd
        .status
        .as_ref()
        .unwrap()
        .conditions
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.type_ == "Ready")
        .cloned()
        .unwrap();
    assert_eq!(ready.reason.as_deref(), Some("PodCompleted"));
}

#[test]
fn on_failure_sleep_completes() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl run nap --image=busybox --restart=OnFailure -- sleep 5",
    );
    let mut seen_running_at = None;
    for t in 0..200 {
        p.advance(100);
        if status(&p, "nap") == "Running" && seen_running_at.is_none() {
            seen_running_at = Some(t);
        }
        if status(&p, "nap") == "Completed" {
            let ran = t - seen_running_at.expect("ran first");
            assert!((49..=51).contains(&ran), "ran {ran} ticks");
            assert_eq!(podutil::phase(&pod(&p, "nap")), "Succeeded");
            return;
        }
    }
    panic!("never completed: {}", status(&p, "nap"));
}

#[test]
fn on_failure_restarts_failures_only() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl run flaky --image=busybox --restart=OnFailure -- sh -c 'sleep 1; exit 2'",
    );
    p.advance(30_000);
    assert!(restarts(&p, "flaky") >= 2, "{}", restarts(&p, "flaky"));
    assert_eq!(podutil::phase(&pod(&p, "flaky")), "Running");
}

#[test]
fn busybox_deployment_crash_loops_with_growing_back_off() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl create deployment crash --image=busybox");
    let name = || -> String { String::new() };
    let _ = name;
    let mut pod_name = String::new();
    let mut restart_times: Vec<u64> = Vec::new();
    let mut last = 0;
    let mut saw_clbo = false;
    for _ in 0..4_000 {
        p.advance(100);
        if pod_name.is_empty() {
            let v = p.view();
            if let Some(pv) = v
                .nodes
                .iter()
                .flat_map(|n| n.pods.iter())
                .find(|x| x.name.starts_with("crash-"))
            {
                pod_name = pv.name.clone();
            }
            continue;
        }
        let r = restarts(&p, &pod_name);
        if r > last {
            restart_times.push(p.elapsed_ms());
            last = r;
        }
        saw_clbo |= status(&p, &pod_name) == "CrashLoopBackOff";
    }
    assert!(saw_clbo);
    let gaps: Vec<u64> = restart_times
        .windows(2)
        .map(|w| (w[1] - w[0]) / 1000)
        .collect();
    // First restart at once; then 10 s, 20 s, 40 s, 80 s, 160 s back-off (plus the sync and start).
    assert!(gaps.len() >= 4, "{gaps:?}");
    for (g, want) in gaps.iter().zip([10u64, 20, 40, 80, 160]) {
        assert!(*g >= want && *g <= want + 3, "gaps {gaps:?}");
    }
    let events: Vec<String> = p
        .shell()
        .sim()
        .events()
        .iter()
        .filter(|e| e.reason == "BackOff")
        .map(|e| e.message.clone())
        .collect();
    assert!(
        events.iter().any(|m| m.starts_with(&format!(
            "Back-off restarting failed container busybox in pod {pod_name}_default("
        ))),
        "{events:?}"
    );
    let pd = pod(&p, &pod_name);
    let cs = &pd
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0];
    let w = cs.state.as_ref().unwrap().waiting.as_ref().unwrap();
    assert!(
        w.message
            .as_deref()
            .unwrap_or("")
            .starts_with("back-off 5m0s restarting failed container=busybox pod="),
        "{w:?}"
    );
    assert_eq!(
        cs.last_state
            .as_ref()
            .unwrap()
            .terminated
            .as_ref()
            .unwrap()
            .reason
            .as_deref(),
        Some("Completed")
    );
}

#[test]
fn counter_logs() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl run counter --image=busybox -- /bin/sh -c 'i=0; while true; do echo \"$i: $(date)\"; i=$((i+1)); sleep 1; done'");
    p.advance(20_000);
    let out = run(&mut p, "kubectl logs counter").stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 17, "{out}");
    assert!(lines[0].starts_with("0: Sat Mar  1 09:0"), "{out}");
    assert!(lines[3].starts_with("3: "));
    let tail = run(&mut p, "kubectl logs counter --tail=1").stdout;
    assert_eq!(tail.lines().count(), 1);
    assert_eq!(tail, format!("{}\n", lines.last().unwrap()));
    assert_eq!(status(&p, "counter"), "Running");
}

#[test]
fn init_containers_run_first() {
    let mut p = Playground::new(SimConfig::default());
    let manifest = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  initContainers:\n  - name: setup\n    image: busybox\n    command: ['sh', '-c', 'echo preparing; sleep 5']\n  containers:\n  - name: main\n    image: busybox\n    command: ['sh', '-c', 'echo main; sleep 3600']\nEOF";
    for l in manifest.lines() {
        run(&mut p, l);
    }
    let mut seen = Vec::new();
    for _ in 0..200 {
        p.advance(100);
        let s = status(&p, "app");
        if seen.last() != Some(&s) {
            seen.push(s);
        }
    }
    assert!(seen.contains(&"Init:0/1".to_string()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("Running"), "{seen:?}");
    assert_eq!(
        run(&mut p, "kubectl logs app -c setup").stdout,
        "preparing\n"
    );
    let o = run(&mut p, "kubectl logs app");
    assert_eq!(o.stdout, "main\n");
    assert_eq!(
        o.stderr,
        "Defaulted container \"main\" out of: main, setup (init)\n"
    );
}

#[test]
fn sleep_ignores_sigterm_servers_stop_fast() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl run sleeper --image=busybox -- sleep 3600");
    run(&mut p, "kubectl run web --image=nginx");
    p.advance(10_000);
    let t0 = p.elapsed_ms();
    run(&mut p, "kubectl delete pod sleeper");
    let took = p.elapsed_ms() - t0;
    assert!((30_000..32_000).contains(&took), "sleeper took {took} ms");
    let t0 = p.elapsed_ms();
    run(&mut p, "kubectl delete pod web");
    let took = p.elapsed_ms() - t0;
    assert!(took < 2_000, "nginx took {took} ms");
}

#[test]
fn logs_previous_and_errors() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl run once --image=busybox -- sh -c 'echo run at $(date +%s)'",
    );
    let o = run(&mut p, "kubectl logs once -c other");
    assert_eq!(
        o.stderr,
        "error: container other is not valid for pod once\n"
    );
    p.advance(500);
    let o = run(&mut p, "kubectl logs once");
    assert!(o.stderr.starts_with("Error from server (BadRequest): container \"once\" in pod \"once\" is waiting to start: ContainerCreating"), "{o:?}");
    let o = run(&mut p, "kubectl logs once --previous");
    assert_eq!(o.stderr, "Error from server (BadRequest): previous terminated container \"once\" in pod \"once\" not found\n");
    p.advance(30_000);
    let cur = run(&mut p, "kubectl logs once").stdout;
    let prev = run(&mut p, "kubectl logs once -p").stdout;
    assert!(cur.starts_with("run at "), "{cur}");
    assert!(prev.starts_with("run at "), "{prev}");
    let o = run(&mut p, "kubectl logs nope");
    assert_eq!(
        o.stderr,
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
}

#[test]
fn exec_reads_the_container() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl run web --image=nginx --env=GREETING=hi");
    p.advance(10_000);
    let o = run(&mut p, "kubectl exec web -- printenv GREETING HOSTNAME");
    assert_eq!(o.stdout, "hi\nweb\n");
    let o = run(&mut p, "kubectl exec web -- sh -c 'exit 3'");
    assert_eq!(
        (o.stderr.as_str(), o.exit_code),
        ("command terminated with exit code 3\n", 3)
    );
    let o = run(&mut p, "kubectl exec web -- nosuch");
    assert!(
        o.stderr
            .contains("exec: \"nosuch\": executable file not found in $PATH"),
        "{o:?}"
    );
    run(
        &mut p,
        "kubectl run done --image=busybox --restart=Never -- true",
    );
    p.advance(10_000);
    let o = run(&mut p, "kubectl exec done -- ls");
    assert_eq!(
        o.stderr,
        "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"
    );
}

#[test]
fn postgres_without_password_crashes_with_its_message() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl run db --image=postgres");
    p.advance(60_000);
    assert!(restarts(&p, "db") >= 1);
    let o = run(&mut p, "kubectl logs db");
    assert!(
        o.stdout.starts_with(
            "Error: Database is uninitialized and superuser password is not specified."
        ),
        "{o:?}"
    );
}

#[test]
fn same_runtime_script_same_bytes() {
    let script = "kubectl create deployment crash --image=busybox\nkubectl run c --image=busybox -- sh -c 'while true; do date; sleep 2; done'\nsleep 90s\nkubectl get pods\nkubectl logs c --timestamps\n";
    let a = kubeplay::cli::transcript(SimConfig::default(), script);
    let b = kubeplay::cli::transcript(SimConfig::default(), script);
    assert_eq!(a, b);
}
