//! Nodes end to end: a kubelet that stops goes NotReady after the grace period, gets the
//! unreachable taints, its pods are evicted after their 300 s toleration and replaced on the other
//! worker; recovery lifts the taints; drain empties a node; a node added with `sim node add` takes
//! pods; a deleted cloud instance takes its Node with it. Plus the learner-style example script.

use kubeplay::lessons::Playground;
use kubeplay::sim::object::Kind;
use kubeplay::sim::store::ObjKey;
use kubeplay::sim::{Sim, SimConfig};

fn run(p: &mut Playground, line: &str) -> String {
    let mut o = p.run_line(line);
    assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
    if let Some(mut w) = o.wait.take() {
        let pr = p.finish(&mut w, 900_000);
        o.stdout.push_str(&pr.stdout);
        assert!(pr.done, "{line} did not finish");
    }
    o.stdout
}

fn sim(p: &Playground) -> &Sim {
    p.shell().sim()
}

fn node(p: &Playground, name: &str) -> Option<k8s_openapi::api::core::v1::Node> {
    sim(p)
        .get(&ObjKey::new(Kind::Node, "", name))
        .and_then(|o| o.as_node().cloned())
}

fn ready(p: &Playground, name: &str) -> String {
    node(p, name)
        .and_then(|n| {
            n.status?
                .conditions?
                .into_iter()
                .find(|c| c.type_ == "Ready")
        })
        .map(|c| c.status)
        .unwrap_or_default()
}

fn taints(p: &Playground, name: &str) -> Vec<String> {
    node(p, name)
        .and_then(|n| n.spec?.taints)
        .unwrap_or_default()
        .into_iter()
        .map(|t| format!("{}:{}", t.key, t.effect))
        .collect()
}

/// (name, node, terminating, ready condition) of the web pods.
fn web_pods(p: &Playground) -> Vec<(String, String, bool, bool)> {
    sim(p)
        .store()
        .list(Kind::Pod, Some("default"))
        .iter()
        .filter_map(|o| o.as_pod().cloned())
        .filter(|pod| {
            pod.metadata
                .name
                .as_deref()
                .unwrap_or("")
                .starts_with("web-")
        })
        .map(|pod| {
            let ready = kubeplay::sim::podutil::is_ready(&pod);
            (
                pod.metadata.name.clone().unwrap_or_default(),
                pod.spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_default(),
                pod.metadata.deletion_timestamp.is_some(),
                ready,
            )
        })
        .collect()
}

/// Advances virtual time to `ms` since the start of the run.
fn until(p: &mut Playground, ms: u64) {
    let now = sim(p).elapsed_ms();
    assert!(ms >= now, "already at {now} ms");
    run(p, &format!("sleep {}ms", ms - now));
}

#[test]
fn node_failure_eviction_and_recovery() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=3",
    );
    run(&mut p, "sleep 20s");
    let on_worker = web_pods(&p).iter().filter(|x| x.1 == "kind-worker").count();
    assert!(
        on_worker > 0,
        "some replicas run on kind-worker: {:?}",
        web_pods(&p)
    );
    let t0 = sim(&p).elapsed_ms();
    let out = run(&mut p, "sim node fail kind-worker");
    assert!(out.starts_with("node/kind-worker failed"), "{out}");
    let last_hb = sim(&p)
        .last_heartbeat_ms("kind-worker")
        .expect("known node");
    assert!(last_hb <= t0 && t0 - last_hb < 10_000);
    // Within the grace period nothing changes.
    until(&mut p, last_hb + 49_000);
    assert_eq!(ready(&p, "kind-worker"), "True");
    assert!(taints(&p, "kind-worker").is_empty());
    // The first look past 50 s marks it Unknown and taints it; its pods are no longer Ready.
    until(&mut p, last_hb + 56_000);
    assert_eq!(ready(&p, "kind-worker"), "Unknown");
    let t = taints(&p, "kind-worker");
    assert!(
        t.contains(&"node.kubernetes.io/unreachable:NoExecute".to_string()),
        "{t:?}"
    );
    assert!(
        t.contains(&"node.kubernetes.io/unreachable:NoSchedule".to_string()),
        "{t:?}"
    );
    let noticed = sim(&p).elapsed_ms();
    for (name, n, term, rdy) in web_pods(&p) {
        if n == "kind-worker" {
            assert!(!rdy && !term, "{name} is marked not ready, not yet evicted");
        }
    }
    // 300 s of toleration later the pods are evicted (Terminating: the kubelet cannot confirm)
    // and replaced on kind-worker2.
    until(&mut p, noticed + 290_000);
    assert!(
        web_pods(&p).iter().all(|x| !x.2),
        "nobody evicted before 300 s"
    );
    until(&mut p, noticed + 310_000);
    let pods = web_pods(&p);
    assert_eq!(pods.iter().filter(|x| x.2).count(), on_worker, "{pods:?}");
    assert!(pods.iter().filter(|x| x.2).all(|x| x.1 == "kind-worker"));
    let running_elsewhere = pods
        .iter()
        .filter(|x| !x.2 && x.1 == "kind-worker2" && x.3)
        .count();
    assert_eq!(running_elsewhere, 3, "{pods:?}");
    let events: Vec<String> = sim(&p).events().iter().map(|e| e.reason.clone()).collect();
    assert!(events.iter().any(|r| r == "TaintManagerEviction"));
    assert!(events.iter().any(|r| r == "NodeNotReady"));
    // Recovery: Ready again, taints gone, the Terminating pods finally go.
    run(&mut p, "sim node recover kind-worker");
    run(&mut p, "sleep 40s");
    assert_eq!(ready(&p, "kind-worker"), "True");
    assert!(
        taints(&p, "kind-worker").is_empty(),
        "{:?}",
        taints(&p, "kind-worker")
    );
    let pods = web_pods(&p);
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(pods.iter().all(|x| x.1 == "kind-worker2" && x.3));
}

#[test]
fn partition_is_seen_as_unreachable_and_heals() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    run(&mut p, "sleep 10s");
    run(&mut p, "sim node partition kind-worker2");
    run(&mut p, "sleep 70s");
    assert_eq!(ready(&p, "kind-worker2"), "Unknown");
    run(&mut p, "sim node recover kind-worker2");
    run(&mut p, "sleep 5s");
    assert_eq!(ready(&p, "kind-worker2"), "True");
    assert!(
        web_pods(&p).iter().all(|x| x.3),
        "pods are Ready again: {:?}",
        web_pods(&p)
    );
}

#[test]
fn drain_moves_pods_and_cordon_blocks_scheduling() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "sim node add");
    run(&mut p, "sleep 2s");
    run(&mut p, "kubectl cordon kind-worker");
    run(&mut p, "kubectl cordon kind-worker2");
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    run(&mut p, "sleep 15s");
    // Only the new node takes pods.
    assert!(
        web_pods(&p).iter().all(|x| x.1 == "kind-worker3" && x.3),
        "{:?}",
        web_pods(&p)
    );
    let t = taints(&p, "kind-worker");
    assert_eq!(t, ["node.kubernetes.io/unschedulable:NoSchedule"]);
    run(&mut p, "kubectl uncordon kind-worker");
    run(&mut p, "kubectl uncordon kind-worker2");
    let mut o = p.run_line("kubectl drain kind-worker3 --ignore-daemonsets --force");
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .starts_with("node/kind-worker3 cordoned\nevicting pod default/web-"),
        "{}",
        o.stdout
    );
    let mut w = o.wait.take().expect("drain waits for the pods");
    let pr = p.finish(&mut w, 120_000);
    assert!(pr.done);
    assert!(
        pr.stdout.ends_with("node/kind-worker3 drained\n"),
        "{}",
        pr.stdout
    );
    assert_eq!(pr.stdout.matches(" evicted\n").count(), 2, "{}", pr.stdout);
    run(&mut p, "sleep 10s");
    assert!(
        web_pods(&p).iter().all(|x| x.1 != "kind-worker3" && x.3),
        "{:?}",
        web_pods(&p)
    );
    let out = run(&mut p, "kubectl get nodes");
    assert!(
        out.contains("kind-worker3         Ready,SchedulingDisabled"),
        "{out}"
    );
}

#[test]
fn added_node_is_initialized_by_the_ccm_and_takes_pods() {
    let mut p = Playground::new(SimConfig::default());
    let out = run(&mut p, "sim node add big --zone sim-east-1c");
    assert_eq!(
        out,
        "node/big added (zone sim-east-1c, InternalIP 172.18.0.5, PodCIDR 10.244.3.0/24)\n"
    );
    run(&mut p, "sleep 1s");
    let n = node(&p, "big").expect("registered");
    let labels = n.metadata.labels.clone().unwrap_or_default();
    assert_eq!(
        labels
            .get("topology.kubernetes.io/zone")
            .map(String::as_str),
        Some("sim-east-1c")
    );
    assert_eq!(
        labels
            .get("topology.kubernetes.io/region")
            .map(String::as_str),
        Some("sim-east-1")
    );
    assert!(labels.contains_key("node.kubernetes.io/instance-type"));
    assert_eq!(
        n.spec.as_ref().and_then(|s| s.provider_id.as_deref()),
        Some("kind://docker/kind/big")
    );
    assert!(taints(&p, "big").is_empty(), "uninitialized taint removed");
    assert!(sim(&p).cloud().routes.contains_key("big"));
    run(&mut p, "kubectl run pinned --image=nginx --overrides='{\"spec\":{\"nodeSelector\":{\"kubernetes.io/hostname\":\"big\"}}}'");
    run(&mut p, "sleep 15s");
    let pod = sim(&p)
        .get(&ObjKey::new(Kind::Pod, "default", "pinned"))
        .and_then(|o| o.as_pod().cloned())
        .expect("pod");
    assert_eq!(pod.spec.and_then(|s| s.node_name).as_deref(), Some("big"));
    assert_eq!(pod.status.and_then(|s| s.phase).as_deref(), Some("Running"));
}

#[test]
fn deleted_instance_takes_its_node_and_pods() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=4",
    );
    run(&mut p, "sleep 15s");
    run(&mut p, "sim cloud delete-instance kind-worker2");
    run(&mut p, "sleep 45s");
    assert!(node(&p, "kind-worker2").is_some());
    run(&mut p, "sleep 20s");
    assert!(
        node(&p, "kind-worker2").is_none(),
        "the CCM deleted the Node"
    );
    assert!(sim(&p).events().iter().any(|e| e.reason == "DeletingNode"));
    assert!(!sim(&p).cloud().routes.contains_key("kind-worker2"));
    // The pod GC removes its pods; the ReplicaSet replaces them on kind-worker.
    run(&mut p, "sleep 60s");
    let pods = web_pods(&p);
    assert_eq!(pods.len(), 4, "{pods:?}");
    assert!(pods.iter().all(|x| x.1 == "kind-worker" && x.3), "{pods:?}");
}

#[test]
fn crash_restarts_the_container() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl run web --image=nginx");
    run(&mut p, "sleep 10s");
    let out = run(&mut p, "sim container crash web");
    assert_eq!(out, "container web of pod/web crashed (exit code 137)\n");
    run(&mut p, "sleep 5s");
    let pod = sim(&p)
        .get(&ObjKey::new(Kind::Pod, "default", "web"))
        .and_then(|o| o.as_pod().cloned())
        .expect("pod");
    let cs = pod
        .status
        .and_then(|s| s.container_statuses)
        .unwrap_or_default();
    assert_eq!(cs[0].restart_count, 1);
    let last = cs[0]
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .expect("last state");
    assert_eq!(last.exit_code, 137);
    assert_eq!(last.reason.as_deref(), Some("Error"));
    assert!(p
        .run_line("sim container crash web -c nope")
        .stderr
        .contains("container \"nope\" not found"));
}

#[test]
fn example_node_failure_script() {
    let text = include_str!("examples/node_failure.txt");
    let out = kubeplay::cli::transcript(SimConfig::default(), text);
    assert!(out.contains("kind-worker          NotReady"), "{out}");
    assert!(
        out.contains("node.kubernetes.io/unreachable:NoExecute"),
        "{out}"
    );
    assert!(out.contains("Terminating"), "{out}");
    assert!(out.contains("node/kind-worker recovered"), "{out}");
    // Deterministic: the same script prints the same bytes.
    assert_eq!(out, kubeplay::cli::transcript(SimConfig::default(), text));
}
