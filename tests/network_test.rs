//! Traffic: a Service spreads connections over its ready pods (kube-proxy picks one per
//! connection) and never sends one to a pod that is not ready; NodePorts and load balancers reach
//! the same endpoints from outside the cluster.

use std::collections::BTreeSet;

use kubeplay::lessons::Playground;
use kubeplay::sim::SimConfig;

fn run(p: &mut Playground, line: &str) -> kubeplay::kubectl::Outcome {
    let mut o = p.run_line(line);
    if let Some(mut w) = o.wait.take() {
        let pr = p.finish(&mut w, 600_000);
        o.stdout.push_str(&pr.stdout);
    }
    o
}

fn answered_by(out: &str) -> String {
    out.split("Running on: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap_or("")
        .to_string()
}

#[test]
fn service_traffic_spreads_over_ready_pods_only() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl create deployment hello --image=gcr.io/google-samples/kubernetes-bootcamp:v1 --replicas=4");
    run(&mut p, "kubectl expose deployment hello --port=8080");
    run(
        &mut p,
        "kubectl run client --image=busybox:1.36 -- sleep 36000",
    );
    p.advance(30_000);
    let pods: BTreeSet<String> = p
        .view()
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .filter(|x| x.name.starts_with("hello-"))
        .map(|x| x.name.clone())
        .collect();
    assert_eq!(pods.len(), 4);
    let mut seen = BTreeSet::new();
    for _ in 0..60 {
        let o = run(&mut p, "kubectl exec client -- wget -qO- http://hello:8080");
        assert_eq!(o.exit_code, 0, "{}", o.stderr);
        seen.insert(answered_by(&o.stdout));
    }
    assert_eq!(seen, pods, "every ready pod answers some connections");

    // Pods on a failed node stop being ready once the node is NotReady; traffic avoids them.
    let client_node = p
        .view()
        .nodes
        .iter()
        .find(|n| n.pods.iter().any(|x| x.name == "client"))
        .map(|n| n.name.clone())
        .unwrap();
    let other = if client_node == "kind-worker" {
        "kind-worker2"
    } else {
        "kind-worker"
    };
    run(&mut p, &format!("sim node fail {other}"));
    p.advance(70_000);
    let on_failed: BTreeSet<String> = p
        .view()
        .nodes
        .iter()
        .filter(|n| n.name == other)
        .flat_map(|n| n.pods.iter())
        .filter(|x| x.name.starts_with("hello-"))
        .map(|x| x.name.clone())
        .collect();
    assert!(!on_failed.is_empty(), "some hello pods ran on {other}");
    for _ in 0..40 {
        let o = run(&mut p, "kubectl exec client -- wget -qO- http://hello:8080");
        assert_eq!(o.exit_code, 0, "{}", o.stderr);
        let who = answered_by(&o.stdout);
        assert!(
            !on_failed.contains(&who),
            "{who} on the failed node answered"
        );
    }
}

#[test]
fn outside_reaches_nodeports_and_load_balancers_not_cluster_ips() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx:1.27 --replicas=2",
    );
    run(
        &mut p,
        "kubectl expose deployment web --port=80 --type=LoadBalancer",
    );
    p.advance(30_000);
    let np = run(
        &mut p,
        "kubectl get svc web -o jsonpath={.spec.ports[0].nodePort}",
    )
    .stdout;
    let lb = run(
        &mut p,
        "kubectl get svc web -o jsonpath={.status.loadBalancer.ingress[0].ip}",
    )
    .stdout;
    let cip = run(&mut p, "kubectl get svc web -o jsonpath={.spec.clusterIP}").stdout;
    assert!(run(&mut p, &format!("curl -s http://172.18.0.3:{np}"))
        .stdout
        .contains("Welcome to nginx!"));
    assert!(run(&mut p, &format!("curl -s http://{lb}"))
        .stdout
        .contains("Welcome to nginx!"));
    let o = run(&mut p, &format!("curl -m 3 http://{cip}"));
    assert_eq!(o.exit_code, 28);
    let o = run(&mut p, "curl http://web");
    assert_eq!(o.stderr, "curl: (6) Could not resolve host: web\n");
    // No ready endpoints: kube-proxy rejects the connection.
    run(&mut p, "kubectl scale deployment web --replicas=0");
    p.advance(20_000);
    let o = run(&mut p, &format!("curl http://{lb}"));
    assert_eq!(o.exit_code, 7, "{}", o.stdout);
}
