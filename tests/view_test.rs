//! What the cluster view is given beyond pods: Services with their endpoints (ready or not, from
//! the EndpointSlices), load balancer addresses, and the objects finalizers hold.

use kubeplay::lessons::Playground;
use kubeplay::sim::SimConfig;

fn run(p: &mut Playground, line: &str) {
    if let Err((code, err)) = p.run_to_end(line) {
        panic!("`{line}` failed ({code}): {err}");
    }
}

#[test]
fn services_list_their_endpoints_ready_or_not_and_their_external_ip() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80",
    );
    run(
        &mut p,
        "kubectl expose deployment web --type=LoadBalancer --port=80",
    );
    let v = p.view();
    let svc = v.services.iter().find(|s| s.name == "web").expect("web");
    assert_eq!(svc.type_, "LoadBalancer");
    assert_eq!(svc.external_ip, "<pending>");
    assert!(svc.endpoints.is_empty(), "no pod has an IP yet");
    p.advance(15_000);
    let v = p.view();
    let svc = v.services.iter().find(|s| s.name == "web").expect("web");
    // The service controller holds it until the cloud's load balancer is gone.
    assert_eq!(
        svc.finalizers,
        vec!["service.kubernetes.io/load-balancer-cleanup".to_string()]
    );
    assert!(
        svc.external_ip.starts_with("203.0.113."),
        "{}",
        svc.external_ip
    );
    let mut running: Vec<String> = v
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .filter(|p| p.name.starts_with("web-") && p.is_ready)
        .map(|p| p.name.clone())
        .collect();
    running.sort();
    let mut ready: Vec<String> = svc
        .endpoints
        .iter()
        .filter(|e| e.ready)
        .filter_map(|e| e.pod.clone())
        .collect();
    ready.sort();
    assert_eq!(ready, running);
    assert!(svc.ports.starts_with("80:3"), "{}", svc.ports);
    // A pod that cannot start is behind the Service, not ready.
    run(
        &mut p,
        "kubectl set image deployment/web nginx=nginx:no-such-tag",
    );
    p.advance(10_000);
    let v = p.view();
    let svc = v.services.iter().find(|s| s.name == "web").expect("web");
    assert_eq!(svc.endpoints.iter().filter(|e| e.ready).count(), 2);
    assert_eq!(svc.endpoints.iter().filter(|e| !e.ready).count(), 1);
    // The `kubernetes` Service of the default namespace is there too; kube-system's are not.
    assert!(v.services.iter().any(|s| s.name == "kubernetes"));
    assert!(v.services.iter().all(|s| s.namespace != "kube-system"));
}

#[test]
fn finalizers_hold_objects_until_removed() {
    let mut p = Playground::new(SimConfig::default());
    run(&mut p, "kubectl create configmap hold --from-literal=a=1");
    run(
        &mut p,
        r#"kubectl patch configmap hold --type=merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'"#,
    );
    let held = |p: &Playground| {
        p.view()
            .held
            .into_iter()
            .find(|h| h.kind == "ConfigMap" && h.name == "hold")
    };
    let h = held(&p).expect("held");
    assert_eq!(h.finalizers, vec!["example.com/hold".to_string()]);
    assert!(!h.terminating);
    run(&mut p, "kubectl delete configmap hold --wait=false");
    p.advance(5_000);
    assert!(held(&p).expect("still held").terminating);
    run(
        &mut p,
        r#"kubectl patch configmap hold --type=merge -p '{"metadata":{"finalizers":null}}'"#,
    );
    assert!(held(&p).is_none(), "gone with its last finalizer");
    // A pod's finalizers ride on its chip, with whether it is being deleted.
    run(&mut p, "kubectl run keeper --image=nginx");
    run(
        &mut p,
        r#"kubectl patch pod keeper --type=merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'"#,
    );
    p.advance(10_000);
    run(&mut p, "kubectl delete pod keeper --wait=false");
    p.advance(10_000);
    let v = p.view();
    let pod = v
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .find(|x| x.name == "keeper")
        .expect("held by its finalizer after its containers stopped");
    assert!(pod.deleting);
    assert_eq!(pod.finalizers, vec!["example.com/hold".to_string()]);
}
