//! Services end to end: Endpoints and EndpointSlices follow pods as they become ready, terminate
//! and scale; a LoadBalancer Service goes from `<pending>` to a cloud address and its load balancer
//! is torn down before the Service goes; selector-less Services keep their hand-written slices.

use kubeplay::lessons::Playground;
use kubeplay::sim::object::{Kind, Object};
use kubeplay::sim::store::ObjKey;
use kubeplay::sim::{Sim, SimConfig};

fn run(p: &mut Playground, line: &str) -> String {
    let mut o = p.run_line(line);
    assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
    if let Some(mut w) = o.wait.take() {
        let pr = p.finish(&mut w, 600_000);
        o.stdout.push_str(&pr.stdout);
        assert!(pr.done, "{line} did not finish");
    }
    o.stdout
}

fn sim(p: &Playground) -> &Sim {
    p.shell().sim()
}

fn get(p: &Playground, kind: Kind, name: &str) -> Option<Object> {
    sim(p)
        .get(&ObjKey::new(kind, "default", name))
        .map(|o| (**o).clone())
}

/// (ready IPs, not-ready IPs) of Endpoints `name`.
fn endpoints(p: &Playground, name: &str) -> (Vec<String>, Vec<String>) {
    let Some(Object::Endpoints(e)) = get(p, Kind::Endpoints, name) else {
        return (vec![], vec![]);
    };
    let subsets = e.subsets.unwrap_or_default();
    let ips = |f: fn(
        &k8s_openapi::api::core::v1::EndpointSubset,
    ) -> Option<&Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
        subsets
            .iter()
            .flat_map(|s| f(s).cloned().unwrap_or_default())
            .map(|a| a.ip)
            .collect::<Vec<_>>()
    };
    (
        ips(|s| s.addresses.as_ref()),
        ips(|s| s.not_ready_addresses.as_ref()),
    )
}

/// Every endpoint of the managed slices of `svc`: (ip, ready, serving, terminating).
fn slice_endpoints(p: &Playground, svc: &str) -> Vec<(String, bool, bool, bool)> {
    let mut v = Vec::new();
    for o in sim(p).store().list(Kind::EndpointSlice, Some("default")) {
        let Some(Object::EndpointSlice(s)) = Some((*o).clone()) else {
            continue;
        };
        let labels = s.metadata.labels.clone().unwrap_or_default();
        if labels.get("kubernetes.io/service-name").map(String::as_str) != Some(svc) {
            continue;
        }
        assert_eq!(
            labels
                .get("endpointslice.kubernetes.io/managed-by")
                .map(String::as_str),
            Some("endpointslice-controller.k8s.io")
        );
        assert!(s
            .metadata
            .name
            .as_deref()
            .is_some_and(|n| n.starts_with(&format!("{svc}-")) && n.len() == svc.len() + 6));
        for e in s.endpoints {
            let c = e.conditions.unwrap_or_default();
            v.push((
                e.addresses[0].clone(),
                c.ready == Some(true),
                c.serving == Some(true),
                c.terminating == Some(true),
            ));
        }
    }
    v.sort();
    v
}

fn web(replicas: usize) -> Playground {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        &format!(
            "kubectl create deployment web --image=nginx:1.27 --replicas={replicas} --port=80"
        ),
    );
    assert_eq!(
        run(&mut p, "kubectl expose deployment web --port=80"),
        "service/web exposed\n"
    );
    p
}

#[test]
fn endpoints_follow_pods_becoming_ready_and_terminating() {
    let mut p = web(3);
    // Right after the Service appears: no pod has an IP yet; the placeholder slice is there.
    p.advance(100);
    assert_eq!(endpoints(&p, "web"), (vec![], vec![]));
    assert!(slice_endpoints(&p, "web").is_empty());
    // Sandboxes up (IPs), containers not started yet: not ready.
    let mut saw_not_ready = false;
    for _ in 0..200 {
        p.advance(50);
        let (ready, not_ready) = endpoints(&p, "web");
        if ready.is_empty() && !not_ready.is_empty() {
            saw_not_ready = true;
            assert!(slice_endpoints(&p, "web")
                .iter()
                .all(|e| !e.1 && !e.2 && !e.3));
        }
        if ready.len() == 3 {
            break;
        }
    }
    assert!(
        saw_not_ready,
        "pods with an IP but not ready are listed under notReadyAddresses"
    );
    assert_eq!(endpoints(&p, "web").0.len(), 3);
    let slice = slice_endpoints(&p, "web");
    assert_eq!(slice.len(), 3);
    assert!(slice.iter().all(|e| e.1 && e.2 && !e.3));

    // Delete one pod: it is terminating (not ready, still serving) in the slice and gone from the
    // Endpoints at once; its replacement joins when ready.
    let victim = sim(&p).store().list(Kind::Pod, Some("default"))[0].clone();
    let victim_ip = victim
        .as_pod()
        .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        .unwrap_or_default();
    let o = p.run_line(&format!("kubectl delete pod {}", victim.name()));
    assert_eq!(o.exit_code, 0);
    p.advance(100);
    let (ready, _) = endpoints(&p, "web");
    assert!(
        !ready.contains(&victim_ip),
        "a terminating pod leaves the Endpoints"
    );
    let slice = slice_endpoints(&p, "web");
    assert!(
        slice.contains(&(victim_ip.clone(), false, true, true)),
        "{slice:?}"
    );
    p.advance(60_000);
    assert_eq!(endpoints(&p, "web").0.len(), 3);
    let slice = slice_endpoints(&p, "web");
    assert_eq!(slice.len(), 3);
    assert!(slice.iter().all(|e| e.0 != victim_ip && e.1));
}

#[test]
fn endpoints_follow_a_scaled_deployment() {
    let mut p = web(2);
    p.advance(30_000);
    assert_eq!(endpoints(&p, "web").0.len(), 2);
    run(&mut p, "kubectl scale deployment web --replicas=5");
    p.advance(30_000);
    assert_eq!(endpoints(&p, "web").0.len(), 5);
    assert_eq!(slice_endpoints(&p, "web").len(), 5);
    run(&mut p, "kubectl scale deployment web --replicas=1");
    p.advance(60_000);
    assert_eq!(endpoints(&p, "web"), (endpoints(&p, "web").0, vec![]));
    assert_eq!(endpoints(&p, "web").0.len(), 1);
    assert_eq!(slice_endpoints(&p, "web").len(), 1);
    // Deleting the Service takes its Endpoints and slices with it.
    run(&mut p, "kubectl delete service web");
    p.advance(1_000);
    assert!(get(&p, Kind::Endpoints, "web").is_none());
    assert!(slice_endpoints(&p, "web").is_empty());
}

#[test]
fn a_load_balancer_gets_an_address_and_is_cleaned_up() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80",
    );
    assert_eq!(
        run(
            &mut p,
            "kubectl expose deploy web --type=LoadBalancer --port=80"
        ),
        "service/web exposed\n"
    );
    p.advance(500);
    let svc = |p: &Playground| match get(p, Kind::Service, "web") {
        Some(Object::Service(s)) => Some(s),
        _ => None,
    };
    let ingress = |p: &Playground| {
        svc(p)
            .and_then(|s| s.status?.load_balancer?.ingress)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.ip.clone())
            .collect::<Vec<_>>()
    };
    let s = svc(&p).expect("service");
    assert_eq!(
        s.metadata.finalizers.as_deref(),
        Some(&["service.kubernetes.io/load-balancer-cleanup".to_string()][..])
    );
    assert!(ingress(&p).is_empty());
    let got = run(&mut p, "kubectl get svc web");
    assert!(got.contains("<pending>"), "{got}");
    p.advance(5_000);
    assert_eq!(ingress(&p), vec!["203.0.113.10".to_string()]);
    let s = svc(&p).expect("service");
    let ing = s
        .status
        .and_then(|st| st.load_balancer)
        .and_then(|l| l.ingress)
        .unwrap_or_default();
    assert_eq!(ing[0].ip_mode.as_deref(), Some("VIP"));
    let got = run(&mut p, "kubectl get svc web");
    assert!(got.contains("203.0.113.10"), "{got}");
    let reasons = |p: &Playground| {
        sim(p)
            .events()
            .iter()
            .filter(|e| e.object.name == "web" && e.source == "service-controller")
            .map(|e| e.reason.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(reasons(&p), ["EnsuringLoadBalancer", "EnsuredLoadBalancer"]);
    assert_eq!(sim(&p).cloud().list().count(), 1);
}

#[test]
fn deleting_a_load_balancer_service_waits_for_the_teardown() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80",
    );
    run(
        &mut p,
        "kubectl expose deploy web --type=LoadBalancer --port=80",
    );
    p.advance(10_000);
    let svc = |p: &Playground| match get(p, Kind::Service, "web") {
        Some(Object::Service(s)) => Some(s),
        _ => None,
    };
    let reasons = |p: &Playground| {
        sim(p)
            .events()
            .iter()
            .filter(|e| e.object.name == "web" && e.source == "service-controller")
            .map(|e| e.reason.clone())
            .collect::<Vec<_>>()
    };
    // Delete: the Service waits (Terminating) until the load balancer is gone.
    let o = p.run_line("kubectl delete svc web");
    assert_eq!(o.stdout, "service \"web\" deleted\n");
    p.advance(500);
    let s = svc(&p).expect("the Service waits for its finalizer");
    assert!(s.metadata.deletion_timestamp.is_some());
    assert_eq!(
        reasons(&p),
        [
            "EnsuringLoadBalancer",
            "EnsuredLoadBalancer",
            "DeletingLoadBalancer"
        ]
    );
    p.advance(5_000);
    assert!(svc(&p).is_none());
    assert_eq!(
        reasons(&p),
        [
            "EnsuringLoadBalancer",
            "EnsuredLoadBalancer",
            "DeletingLoadBalancer",
            "DeletedLoadBalancer"
        ]
    );
    assert_eq!(sim(&p).cloud().list().count(), 0);
}

#[test]
fn selectorless_services_keep_hand_written_slices() {
    let mut p = Playground::new(SimConfig::default());
    let manifest = "kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: external
spec:
  ports:
  - port: 80
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: external-1
  labels:
    kubernetes.io/service-name: external
addressType: IPv4
ports:
- port: 8080
endpoints:
- addresses:
  - 192.0.2.7
EOF";
    let mut out = String::new();
    for line in manifest.lines() {
        let o = p.run_line(line);
        assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
        out.push_str(&o.stdout);
    }
    assert_eq!(
        out,
        "service/external created\nendpointslice.discovery.k8s.io/external-1 created\n"
    );
    p.advance(10_000);
    let slices: Vec<String> = sim(&p)
        .store()
        .list(Kind::EndpointSlice, Some("default"))
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(slices, ["external-1", "kubernetes"]);
    assert!(
        get(&p, Kind::Endpoints, "external").is_none(),
        "no managed Endpoints without a selector"
    );
    let got = run(&mut p, "kubectl get endpointslices external-1");
    assert!(
        got.contains("external-1   IPv4          8080    192.0.2.7"),
        "{got}"
    );
}
