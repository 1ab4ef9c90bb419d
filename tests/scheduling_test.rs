//! The scheduler plugins end to end: InterPodAffinity (required anti-affinity leaves a replica
//! Pending with the real FitError and preemption verdicts; required affinity waits for its peer;
//! existing pods' anti-affinity), PodTopologySpread over zones (the tainted control-plane's zone
//! counts unless nodeTaintsPolicy is Honor), NodePorts, preferred node affinity, PreferNoSchedule
//! taints, preferred pod affinity.

use kubeplay::lessons::Playground;
use kubeplay::sim::object::Kind;
use kubeplay::sim::SimConfig;

const CP_TAINT: &str = "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }";

fn play(script: &str) -> (Playground, String) {
    let mut p = Playground::new(SimConfig::default());
    let out = p.run_script(script);
    (p, out)
}

/// (name, node, phase) of the pods in `default` whose name starts with `prefix`, by name.
fn pods(p: &Playground, prefix: &str) -> Vec<(String, String, String)> {
    p.shell()
        .sim()
        .store()
        .list(Kind::Pod, Some("default"))
        .iter()
        .filter_map(|o| o.as_pod().cloned())
        .filter(|pod| {
            pod.metadata
                .name
                .as_deref()
                .unwrap_or("")
                .starts_with(prefix)
        })
        .filter(|pod| pod.metadata.deletion_timestamp.is_none())
        .map(|pod| {
            (
                pod.metadata.name.clone().unwrap_or_default(),
                pod.spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_default(),
                pod.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn nodes_of(p: &Playground, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = pods(p, prefix).into_iter().map(|(_, n, _)| n).collect();
    v.sort();
    v
}

fn pending(p: &Playground, prefix: &str) -> Vec<String> {
    pods(p, prefix)
        .into_iter()
        .filter(|(_, n, _)| n.is_empty())
        .map(|(name, _, _)| name)
        .collect()
}

fn deployment(name: &str, replicas: u32, extra_spec: &str) -> String {
    let head = [
        "kubectl apply -f - <<EOF",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        &format!("  name: {name}"),
        "spec:",
        &format!("  replicas: {replicas}"),
        "  selector:",
        "    matchLabels:",
        &format!("      app: {name}"),
        "  template:",
        "    metadata:",
        "      labels:",
        &format!("        app: {name}"),
        "    spec:",
    ]
    .join("\n");
    let tail = [
        "      containers:",
        "      - name: c",
        "        image: nginx",
        "EOF",
    ]
    .join("\n");
    format!("{head}\n{extra_spec}{tail}\n")
}

const ANTI_HOSTNAME: &str = "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: web\n            topologyKey: kubernetes.io/hostname\n";

#[test]
fn required_anti_affinity_leaves_the_third_replica_pending() {
    let script = format!("{}sleep 20s\n", deployment("web", 3, ANTI_HOSTNAME));
    let (mut p, _) = play(&script);
    let mut on = nodes_of(&p, "web-");
    on.retain(|n| !n.is_empty());
    assert_eq!(
        on,
        ["kind-worker", "kind-worker2"],
        "one replica per worker"
    );
    let waiting = pending(&p, "web-");
    assert_eq!(waiting.len(), 1);
    let msg = format!(
        "0/3 nodes are available: 1 {CP_TAINT}, 2 node(s) didn't match pod anti-affinity rules. \
preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    let conds = p.run_script(&format!(
        "kubectl get pod {} -o jsonpath='{{.status.conditions}}'\n",
        waiting[0]
    ));
    assert!(
        conds.contains(&format!(
            r#""message":"{msg}","reason":"Unschedulable","status":"False","type":"PodScheduled""#
        )),
        "{conds}"
    );
    let describe = p.run_script(&format!("kubectl describe pod {}\n", waiting[0]));
    assert!(
        describe.contains(&format!("Warning  FailedScheduling  ")) && describe.contains(&msg),
        "{describe}"
    );
    // A third worker takes it.
    p.run_script("sim node add\nsleep 30s\n");
    assert!(pending(&p, "web-").is_empty());
    let mut on = nodes_of(&p, "web-");
    on.dedup();
    assert_eq!(on, ["kind-worker", "kind-worker2", "kind-worker3"]);
}

#[test]
fn required_affinity_waits_for_its_peer_and_joins_it() {
    let affinity = "      affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: cache\n            topologyKey: kubernetes.io/hostname\n";
    let (mut p, _) = play(&format!("{}sleep 10s\n", deployment("web", 2, affinity)));
    assert_eq!(pending(&p, "web-").len(), 2);
    let msg = format!(
        "0/3 nodes are available: 1 {CP_TAINT}, 2 node(s) didn't match pod affinity rules. \
preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
    let ev = p.run_script("kubectl get events\n");
    assert!(ev.contains(&msg), "{ev}");
    // The peer arrives (it goes to the emptier worker); both replicas follow it there.
    p.run_script("kubectl run cache --image=redis --labels=app=cache\nsleep 20s\n");
    let cache_node = pods(&p, "cache")
        .first()
        .map(|(_, n, _)| n.clone())
        .unwrap_or_default();
    assert!(!cache_node.is_empty());
    assert_eq!(nodes_of(&p, "web-"), [cache_node.clone(), cache_node]);
}

#[test]
fn a_pod_that_matches_its_own_affinity_may_start_the_group() {
    let affinity = "      affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: web\n            topologyKey: kubernetes.io/hostname\n";
    let (p, _) = play(&format!("{}sleep 20s\n", deployment("web", 3, affinity)));
    let on = nodes_of(&p, "web-");
    assert_eq!(on.len(), 3);
    assert!(
        on.iter().all(|n| n == &on[0] && !n.is_empty()),
        "all together: {on:?}"
    );
}

#[test]
fn existing_pods_anti_affinity_keeps_others_away() {
    let guard = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: guard\nspec:\n  nodeSelector:\n    kubernetes.io/hostname: kind-worker\n  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - labelSelector:\n          matchLabels:\n            app: noisy\n        topologyKey: kubernetes.io/hostname\n  containers:\n  - name: c\n    image: nginx\nEOF\n";
    let noisy = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: noisy\n  labels:\n    app: noisy\nspec:\n  nodeSelector:\n    kubernetes.io/hostname: kind-worker\n  containers:\n  - name: c\n    image: nginx\nEOF\n";
    let (mut p, _) = play(&format!("{guard}sleep 5s\n{noisy}sleep 5s\n"));
    assert_eq!(pending(&p, "noisy"), ["noisy"]);
    let ev = p.run_script("kubectl get events --field-selector involvedObject.name=noisy\n");
    // The control-plane fails on its taint first (TaintToleration runs before NodeAffinity).
    let msg = format!(
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, \
1 node(s) didn't satisfy existing pods anti-affinity rules, 1 {CP_TAINT}. \
preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
    );
    let all = p.run_script("kubectl get events\n");
    assert!(ev.contains(&msg) || all.contains(&msg), "{all}");
    // The guard leaves: the noisy pod may come.
    p.run_script("kubectl delete pod guard\nsleep 5s\n");
    assert_eq!(nodes_of(&p, "noisy"), ["kind-worker"]);
}

const SPREAD_ZONE: &str = "      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector:\n          matchLabels:\n            app: web\n";

#[test]
fn topology_spread_over_zones_counts_the_control_plane_zone() {
    // Zones: control-plane sim-east-1a, kind-worker 1b, kind-worker2 1c, kind-worker3 1b.
    let (mut p, out) = play(&format!(
        "sim node add --zone sim-east-1b\nsleep 2s\n{}sleep 20s\n",
        deployment("web", 4, SPREAD_ZONE)
    ));
    assert!(
        out.contains("node/kind-worker3 added (zone sim-east-1b"),
        "{out}"
    );
    // Zone 1a (the tainted control-plane) stays empty, so 1b and 1c may hold one each.
    let placed: Vec<String> = nodes_of(&p, "web-")
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(placed.len(), 2, "{placed:?}");
    assert!(placed.contains(&"kind-worker2".to_string()));
    assert_eq!(pending(&p, "web-").len(), 2);
    let msg = format!(
        "0/4 nodes are available: 1 {CP_TAINT}, 3 node(s) didn't match pod topology spread constraints. \
preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
    );
    let ev = p.run_script("kubectl get events\n");
    assert!(ev.contains(&msg), "{ev}");
    // A worker in zone 1a lifts the minimum: the pending replicas land.
    p.run_script("sim node add --zone sim-east-1a\nsleep 30s\n");
    assert!(pending(&p, "web-").is_empty());
    assert!(nodes_of(&p, "web-").contains(&"kind-worker4".to_string()));
}

#[test]
fn topology_spread_honouring_taints_spreads_two_and_two() {
    let spread = format!("{SPREAD_ZONE}        nodeTaintsPolicy: Honor\n");
    let (p, _) = play(&format!(
        "sim node add --zone sim-east-1b\nsleep 2s\n{}sleep 20s\n",
        deployment("web", 4, &spread)
    ));
    assert!(pending(&p, "web-").is_empty());
    let on = nodes_of(&p, "web-");
    let zone_c = on.iter().filter(|n| *n == "kind-worker2").count();
    assert_eq!(zone_c, 2, "zone 1c gets half: {on:?}");
}

#[test]
fn host_ports_conflict() {
    let ports = "      containers:\n      - name: c\n        image: nginx\n        ports:\n        - containerPort: 80\n          hostPort: 8080\n";
    let script = format!(
        "kubectl apply -f - <<EOF\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hp\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: hp\n  template:\n    metadata:\n      labels:\n        app: hp\n    spec:\n{ports}EOF\nsleep 20s\n"
    );
    let (mut p, _) = play(&script);
    assert_eq!(pending(&p, "hp-").len(), 1);
    let msg = format!(
        "0/3 nodes are available: 1 {CP_TAINT}, 2 node(s) didn't have free ports for the requested pod ports. \
preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    let ev = p.run_script("kubectl get events\n");
    assert!(ev.contains(&msg), "{ev}");
}

#[test]
fn preferred_node_affinity_and_prefer_no_schedule_taints() {
    let prefer = "      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 50\n            preference:\n              matchExpressions:\n              - key: disk\n                operator: In\n                values: [ssd]\n";
    let (p, _) = play(&format!(
        "kubectl label node kind-worker2 disk=ssd\n{}sleep 20s\n",
        deployment("web", 3, prefer)
    ));
    // Weight 2 x 100 outweighs least-allocated and the default spreading for a few small pods.
    assert_eq!(
        nodes_of(&p, "web-"),
        ["kind-worker2", "kind-worker2", "kind-worker2"]
    );

    let (p, _) = play(&format!("kubectl patch node kind-worker2 -p '{{\"spec\":{{\"taints\":[{{\"key\":\"soft\",\"value\":\"yes\",\"effect\":\"PreferNoSchedule\"}}]}}}}'\n{}sleep 20s\n", deployment("web", 2, "")));
    let out = p.shell().sim().store().list(Kind::Node, None).len();
    assert_eq!(out, 3);
    assert_eq!(
        nodes_of(&p, "web-"),
        ["kind-worker", "kind-worker"],
        "the PreferNoSchedule taint steers pods away"
    );
}

#[test]
fn preferred_pod_affinity_pulls_pods_together() {
    let prefer = "      affinity:\n        podAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n              labelSelector:\n                matchLabels:\n                  app: cache\n              topologyKey: kubernetes.io/hostname\n";
    let (p, _) = play(&format!(
        "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: cache\n  labels:\n    app: cache\nspec:\n  nodeSelector:\n    kubernetes.io/hostname: kind-worker2\n  containers:\n  - name: c\n    image: redis\nEOF\nsleep 10s\n{}sleep 20s\n",
        deployment("web", 2, prefer)
    ));
    assert_eq!(nodes_of(&p, "cache"), ["kind-worker2"]);
    assert_eq!(nodes_of(&p, "web-"), ["kind-worker2", "kind-worker2"]);
}

#[test]
fn default_spreading_uses_both_workers() {
    let (p, _) = play(&format!("{}sleep 20s\n", deployment("web", 4, "")));
    assert_eq!(
        nodes_of(&p, "web-"),
        ["kind-worker", "kind-worker", "kind-worker2", "kind-worker2"]
    );
}
