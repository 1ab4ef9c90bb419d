//! Readiness, liveness and startup probes (httpGet, tcpSocket, exec) run by the kubelet in
//! virtual time, with the docs' `pods/probe/*.yaml` examples behaving as the docs describe.

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

fn apply_file(p: &mut Playground, path: &str) {
    let text = std::fs::read_to_string(path).expect("manifest");
    p.write_file("m.yaml", &text);
    let o = run(p, "kubectl apply -f m.yaml");
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
}

fn pod(p: &Playground, name: &str) -> k8s_openapi::api::core::v1::Pod {
    p.shell()
        .sim()
        .get(&ObjKey::new(Kind::Pod, "default", name))
        .and_then(|o| o.as_pod().cloned())
        .expect("pod exists")
}

fn ready(p: &Playground, name: &str) -> String {
    podutil::summary(&pod(p, name)).ready
}

fn restarts(p: &Playground, name: &str) -> i32 {
    podutil::summary(&pod(p, name)).restarts
}

fn events(p: &Playground, name: &str) -> Vec<(String, String)> {
    p.object_events(Kind::Pod, "default", name)
        .into_iter()
        .map(|e| (e.reason.clone(), e.message.clone()))
        .collect()
}

const DIR: &str = "/work/shared/manifests/pods/probe";

fn manifest(name: &str) -> Option<String> {
    let path = format!("{DIR}/{name}");
    std::path::Path::new(&path).exists().then_some(path)
}

#[test]
fn exec_liveness_restarts_after_the_file_goes() {
    let Some(path) = manifest("exec-liveness.yaml") else {
        return;
    };
    let mut p = Playground::new(SimConfig::default());
    apply_file(&mut p, &path);
    p.advance(20_000);
    assert_eq!(ready(&p, "liveness-exec"), "1/1");
    assert_eq!(
        run(&mut p, "kubectl exec liveness-exec -- cat /tmp/healthy").exit_code,
        0
    );
    assert!(!events(&p, "liveness-exec")
        .iter()
        .any(|(r, _)| r == "Unhealthy"));
    // /tmp/healthy is removed at 30 s; the probe fails from about 35 s.
    p.advance(20_000);
    let ev = events(&p, "liveness-exec");
    assert!(
        ev.iter().any(|(r, m)| {
            r == "Unhealthy"
        && m == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
        }),
        "{ev:?}"
    );
    p.advance(10_000);
    let ev = events(&p, "liveness-exec");
    assert!(
        ev.iter().any(|(r, m)| r == "Killing"
            && m == "Container liveness failed liveness probe, will be restarted"),
        "{ev:?}"
    );
    assert_eq!(restarts(&p, "liveness-exec"), 0);
    // sh as PID 1 ignores SIGTERM: killed when the 30 s grace period ends, then restarted.
    p.advance(35_000);
    assert_eq!(restarts(&p, "liveness-exec"), 1);
    assert_eq!(ready(&p, "liveness-exec"), "1/1");
    p.advance(300_000);
    assert!(restarts(&p, "liveness-exec") >= 3);
}

#[test]
fn http_liveness_restarts_after_ten_seconds() {
    let Some(path) = manifest("http-liveness.yaml") else {
        return;
    };
    let mut p = Playground::new(SimConfig::default());
    apply_file(&mut p, &path);
    p.advance(10_000);
    assert_eq!(restarts(&p, "liveness-http"), 0);
    p.advance(20_000);
    assert!(restarts(&p, "liveness-http") >= 1);
    let ev = events(&p, "liveness-http");
    assert!(
        ev.iter().any(|(r, m)| r == "Unhealthy"
            && m == "Liveness probe failed: HTTP probe failed with statuscode: 500"),
        "{ev:?}"
    );
    p.advance(120_000);
    assert!(restarts(&p, "liveness-http") >= 3);
}

#[test]
fn tcp_readiness_after_first_check() {
    let Some(path) = manifest("tcp-liveness-readiness.yaml") else {
        return;
    };
    let mut p = Playground::new(SimConfig::default());
    apply_file(&mut p, &path);
    p.advance(14_000);
    assert_eq!(ready(&p, "goproxy"), "0/1");
    p.advance(4_000);
    assert_eq!(ready(&p, "goproxy"), "1/1");
    p.advance(120_000);
    assert_eq!(restarts(&p, "goproxy"), 0);
    assert!(!events(&p, "goproxy")
        .iter()
        .any(|(r, _)| r == "Unhealthy" || r == "Killing"));
}

const READINESS_404: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx
    readinessProbe:
      httpGet: {path: /ready, port: 80}
      periodSeconds: 2
      failureThreshold: 1
"#;

#[test]
fn failing_readiness_keeps_pod_out_of_endpoints() {
    let mut p = Playground::new(SimConfig::default());
    p.write_file("p.yaml", READINESS_404);
    run(&mut p, "kubectl apply -f p.yaml");
    run(&mut p, "kubectl expose pod web --port=80");
    p.advance(60_000);
    assert_eq!(ready(&p, "web"), "0/1");
    assert_eq!(restarts(&p, "web"), 0);
    let ev = events(&p, "web");
    assert!(
        ev.iter().any(|(r, m)| r == "Unhealthy"
            && m == "Readiness probe failed: HTTP probe failed with statuscode: 404"),
        "{ev:?}"
    );
    // Only a not-ready address: kubectl prints an empty ENDPOINTS column.
    let ep = run(&mut p, "kubectl get endpoints web");
    assert!(!ep.stdout.contains(":80"), "{}", ep.stdout);
    let cond = pod(&p, "web")
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(cond.status, "False");
    // Fix the path: ready within a period, and in the endpoints.
    run(&mut p, "kubectl delete pod web");
    p.write_file("p.yaml", &READINESS_404.replace("/ready", "/"));
    run(&mut p, "kubectl apply -f p.yaml");
    p.advance(30_000);
    assert_eq!(ready(&p, "web"), "1/1");
    let ep = run(&mut p, "kubectl get endpoints web");
    assert!(ep.stdout.contains(":80"), "{}", ep.stdout);
}

const STARTUP: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: slow
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "sleep 20; touch /tmp/up; sleep 3600"]
    startupProbe:
      exec: {command: [cat, /tmp/up]}
      periodSeconds: 5
      failureThreshold: 10
    readinessProbe:
      exec: {command: [cat, /tmp/up]}
      periodSeconds: 5
"#;

#[test]
fn startup_probe_gates_readiness() {
    let mut p = Playground::new(SimConfig::default());
    p.write_file("p.yaml", STARTUP);
    run(&mut p, "kubectl apply -f p.yaml");
    p.advance(15_000);
    let cs = pod(&p, "slow").status.unwrap().container_statuses.unwrap()[0].clone();
    assert_eq!((cs.started, cs.ready), (Some(false), false));
    p.advance(30_000);
    let cs = pod(&p, "slow").status.unwrap().container_statuses.unwrap()[0].clone();
    assert_eq!((cs.started, cs.ready), (Some(true), true));
    assert_eq!(restarts(&p, "slow"), 0);
    let ev = events(&p, "slow");
    assert!(
        ev.iter().any(|(r, m)| r == "Unhealthy"
            && m.starts_with("Startup probe failed: cat: can't open '/tmp/up'")),
        "{ev:?}"
    );
    // A startup probe that never passes kills the container after failureThreshold tries.
    p.write_file(
        "q.yaml",
        &STARTUP
            .replace("name: slow", "name: never")
            .replace("touch /tmp/up", "true")
            .replace("failureThreshold: 10", "failureThreshold: 2"),
    );
    run(&mut p, "kubectl apply -f q.yaml");
    p.advance(60_000);
    let ev = events(&p, "never");
    assert!(
        ev.iter()
            .any(|(r, m)| r == "Killing"
                && m == "Container app failed startup probe, will be restarted"),
        "{ev:?}"
    );
    assert!(restarts(&p, "never") >= 1);
}

#[test]
fn exec_probe_timeout() {
    let mut p = Playground::new(SimConfig::default());
    let y = r#"apiVersion: v1
kind: Pod
metadata:
  name: t
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      exec: {command: [sleep, "5"]}
      timeoutSeconds: 2
"#;
    p.write_file("p.yaml", y);
    run(&mut p, "kubectl apply -f p.yaml");
    p.advance(30_000);
    assert_eq!(ready(&p, "t"), "0/1");
    let ev = events(&p, "t");
    assert!(
        ev.iter().any(|(r, m)| r == "Unhealthy"
            && m == "Readiness probe failed: command \"sleep 5\" timed out"),
        "{ev:?}"
    );
}
