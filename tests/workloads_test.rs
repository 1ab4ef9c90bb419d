//! StatefulSet, DaemonSet and PersistentVolumeClaim behaviour: the docs manifests
//! (../shared/manifests, CC BY 4.0, unchanged), OrderedReady ordering as a property, DaemonSet
//! rolling updates one node at a time, nodes joining, dynamic provisioning, and the learner's
//! example script.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kubeplay::kubectl::Shell;
use kubeplay::sim::{Kind, Object, Sim, SimConfig};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/manifests");
    p.is_dir().then_some(p)
}

fn apply_file(sh: &mut Shell, rel: &str) -> Option<kubeplay::kubectl::Outcome> {
    let text = std::fs::read_to_string(corpus()?.join(rel)).ok()?;
    sh.write_file("m.yaml", &text);
    Some(sh.run_line("kubectl apply -f m.yaml"))
}

fn pods(sim: &Sim, ns: &str) -> Vec<k8s_openapi::api::core::v1::Pod> {
    sim.store()
        .list(Kind::Pod, Some(ns))
        .iter()
        .filter_map(|o| o.as_pod().cloned())
        .collect()
}

fn name(p: &k8s_openapi::api::core::v1::Pod) -> String {
    p.metadata.name.clone().unwrap_or_default()
}

fn running_ready(p: &k8s_openapi::api::core::v1::Pod) -> bool {
    kubeplay::sim::podutil::phase(p) == "Running" && kubeplay::sim::podutil::is_ready(p)
}

fn out(sh: &mut Shell, line: &str) -> String {
    let o = sh.run_line(line);
    format!("{}{}", o.stdout, o.stderr)
}

/// Steps the simulation for `ms`, calling `check` after every task.
fn step_for(sh: &mut Shell, ms: u64, mut check: impl FnMut(&Sim)) {
    let end = sh.sim().elapsed_ms() + ms;
    while sh.sim().next_task_time().is_some_and(|t| t <= end) {
        sh.sim_mut().step();
        check(sh.sim());
    }
    sh.sim_mut().run_until(end);
}

/// OrderedReady: a pod `sts-k` may appear only when every lower ordinal is Running and Ready and
/// not terminating; a pod may start terminating only when it is the highest ordinal left and no
/// other pod is terminating.
fn ordered_ready_checker(sts: &'static str) -> impl FnMut(&Sim) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut terminating: BTreeSet<String> = BTreeSet::new();
    move |sim: &Sim| {
        let ps: BTreeMap<i32, k8s_openapi::api::core::v1::Pod> = pods(sim, "default")
            .into_iter()
            .filter_map(|p| {
                let n = name(&p);
                n.strip_prefix(sts)
                    .and_then(|r| r.strip_prefix('-'))
                    .and_then(|r| r.parse::<i32>().ok())
                    .map(|o| (o, p))
            })
            .collect();
        for (ord, p) in &ps {
            let n = name(p);
            let uid = p.metadata.uid.clone().unwrap_or_default();
            if seen.insert(uid) {
                for j in 0..*ord {
                    let pred = ps.get(&j);
                    assert!(
                        pred.is_some_and(
                            |q| running_ready(q) && q.metadata.deletion_timestamp.is_none()
                        ),
                        "{n} created while {sts}-{j} is {:?}",
                        pred.map(|q| (
                            kubeplay::sim::podutil::phase(q).to_string(),
                            kubeplay::sim::podutil::is_ready(q)
                        ))
                    );
                }
            }
            if p.metadata.deletion_timestamp.is_some() && terminating.insert(n.clone()) {
                let others = ps
                    .values()
                    .filter(|q| q.metadata.deletion_timestamp.is_some() && name(q) != n)
                    .count();
                assert_eq!(
                    others, 0,
                    "{n} terminates while another pod of {sts} is terminating"
                );
                assert!(
                    ps.keys().all(|k| k <= ord),
                    "{n} terminates before a higher ordinal"
                );
            }
        }
        terminating.retain(|n| ps.values().any(|p| &name(p) == n));
    }
}

fn sts_json(name: &str, replicas: i32, policy: &str, min_ready: i32, image: &str) -> Object {
    let v = serde_json::json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "podManagementPolicy": policy,
            "minReadySeconds": min_ready,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}]}
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
            }]
        }
    });
    Object::from_json(Kind::StatefulSet, v).expect("valid StatefulSet")
}

fn scale(sh: &mut Shell, name: &str, n: i32) {
    let o = sh.run_line(&format!("kubectl scale sts {name} --replicas={n}"));
    assert_eq!(
        o.stdout,
        format!("statefulset.apps/{name} scaled\n"),
        "{}",
        o.stderr
    );
}

#[test]
fn web_yaml_creates_web_0_then_web_1_with_their_claims() {
    let mut sh = Shell::new(SimConfig::default());
    let Some(o) = apply_file(&mut sh, "application/web/web.yaml") else {
        return;
    };
    assert_eq!(
        o.stdout, "service/nginx created\nstatefulset.apps/web created\n",
        "{}",
        o.stderr
    );
    step_for(&mut sh, 90_000, ordered_ready_checker("web"));
    let got = out(&mut sh, "kubectl get sts web");
    assert!(got.contains("web    2/2     "), "{got}");
    let got = out(&mut sh, "kubectl get pvc");
    for c in ["www-web-0", "www-web-1"] {
        let line = got.lines().find(|l| l.starts_with(c)).unwrap_or_default();
        assert!(
            line.contains("Bound")
                && line.contains("1Gi")
                && line.contains("RWO")
                && line.contains("standard"),
            "{got}"
        );
    }
    // web-0 was created first and became Ready before web-1 existed.
    let sim = sh.sim();
    let created = |n: &str| {
        sim.events()
            .iter()
            .find(|e| {
                e.reason == "SuccessfulCreate"
                    && e.message == format!("create Pod {n} in StatefulSet web successful")
            })
            .map(|e| e.first_ms)
    };
    assert!(
        created("web-0") < created("web-1"),
        "{:?} {:?}",
        created("web-0"),
        created("web-1")
    );
    // Stable identity: hostname and subdomain, labels.
    let p = pods(sim, "default")
        .into_iter()
        .find(|p| name(p) == "web-1")
        .expect("web-1");
    let spec = p.spec.clone().unwrap_or_default();
    assert_eq!(
        (spec.hostname.as_deref(), spec.subdomain.as_deref()),
        (Some("web-1"), Some("nginx"))
    );
    let labels = p.metadata.labels.clone().unwrap_or_default();
    assert_eq!(
        labels
            .get("statefulset.kubernetes.io/pod-name")
            .map(String::as_str),
        Some("web-1")
    );
    assert_eq!(
        labels
            .get("apps.kubernetes.io/pod-index")
            .map(String::as_str),
        Some("1")
    );
    assert!(labels
        .get("controller-revision-hash")
        .is_some_and(|h| h.starts_with("web-")));
    // The headless Service has both pods as endpoints.
    let got = out(&mut sh, "kubectl get endpoints nginx");
    assert_eq!(
        got.lines().nth(1).map(|l| l.matches(":80").count()),
        Some(2),
        "{got}"
    );
    // Status.
    let got = out(&mut sh, "kubectl get sts web -o jsonpath={.status.currentReplicas},{.status.updatedReplicas},{.status.availableReplicas},{.status.observedGeneration}");
    assert_eq!(got, "2,2,2,1");

    // Scale down: web-1 goes, its claim stays.
    scale(&mut sh, "web", 1);
    step_for(&mut sh, 60_000, ordered_ready_checker("web"));
    let names: Vec<String> = pods(sh.sim(), "default").iter().map(name).collect();
    assert_eq!(names, ["web-0"]);
    assert!(out(&mut sh, "kubectl get pvc www-web-1").contains("Bound"));
    // Back up: web-1 reattaches to the same claim (no new volume).
    let pvs_before = sh.sim().store().count(Kind::PersistentVolume);
    scale(&mut sh, "web", 2);
    step_for(&mut sh, 60_000, ordered_ready_checker("web"));
    assert_eq!(sh.sim().store().count(Kind::PersistentVolume), pvs_before);
    assert!(out(&mut sh, "kubectl get sts web").contains("2/2"));
}

#[test]
fn web_parallel_starts_both_pods_together_and_cannot_replace_web() {
    let mut sh = Shell::new(SimConfig::default());
    let Some(o) = apply_file(&mut sh, "application/web/web-parallel.yaml") else {
        return;
    };
    assert!(
        o.stdout.contains("statefulset.apps/web created"),
        "{}",
        o.stderr
    );
    sh.sim_mut().advance(1_000);
    let names: Vec<String> = pods(sh.sim(), "default").iter().map(name).collect();
    assert_eq!(names, ["web-0", "web-1"], "Parallel creates both at once");
    sh.sim_mut().advance(60_000);
    assert!(out(&mut sh, "kubectl get sts web").contains("2/2"));

    let mut sh = Shell::new(SimConfig::default());
    let Some(_) = apply_file(&mut sh, "application/web/web.yaml") else {
        return;
    };
    sh.sim_mut().advance(30_000);
    let Some(o) = apply_file(&mut sh, "application/web/web-parallel.yaml") else {
        return;
    };
    assert_ne!(o.exit_code, 0);
    assert!(
        o.stderr
            .contains("Forbidden: updates to statefulset spec for fields other than"),
        "{}",
        o.stderr
    );
}

#[test]
fn statefulset_with_a_missing_storage_class_stays_pending() {
    let mut sh = Shell::new(SimConfig::default());
    let Some(o) = apply_file(&mut sh, "controllers/statefulset.yaml") else {
        return;
    };
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    sh.sim_mut().advance(120_000);
    let names: Vec<String> = pods(sh.sim(), "default").iter().map(name).collect();
    assert_eq!(names, ["web-0"], "web-1 and web-2 are never created");
    let got = out(&mut sh, "kubectl get pvc");
    assert!(
        got.contains(
            "www-web-0   Pending                                      my-storage-class   <unset>"
        ),
        "{got}"
    );
    assert!(out(&mut sh, "kubectl get pods").contains("web-0   0/1     Pending"));
    assert!(out(&mut sh, "kubectl get sts").contains("web    0/3"));
    let ev = out(&mut sh, "kubectl get events");
    assert!(
        ev.contains("ProvisioningFailed")
            && ev.contains("storageclass.storage.k8s.io \"my-storage-class\" not found"),
        "{ev}"
    );
    assert!(
        ev.contains("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
        "{ev}"
    );
}

#[test]
fn pvc_binding_modes_and_missing_claims() {
    let mut sh = Shell::new(SimConfig::default());
    // A pod naming a claim that does not exist.
    if let Some(o) = apply_file(&mut sh, "pods/storage/pv-pod.yaml") {
        assert_eq!(o.exit_code, 0);
        sh.sim_mut().advance(5_000);
        let ev = out(&mut sh, "kubectl get events");
        assert!(
            ev.contains("persistentvolumeclaim \"task-pv-claim\" not found"),
            "{ev}"
        );
        // The claim (class manual, no such class, no volume): Pending.
        apply_file(&mut sh, "pods/storage/pv-claim.yaml");
        sh.sim_mut().advance(5_000);
        assert!(out(&mut sh, "kubectl get pvc task-pv-claim").contains("Pending"));
        // A matching PersistentVolume arrives: the claim binds, the pod runs.
        sh.write_file(
            "pv.yaml",
            "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: task-pv-volume\nspec:\n  storageClassName: manual\n  capacity:\n    storage: 10Gi\n  accessModes:\n    - ReadWriteOnce\n  hostPath:\n    path: \"/mnt/data\"\n",
        );
        let o = sh.run_line("kubectl apply -f pv.yaml");
        assert_eq!(
            o.stdout, "persistentvolume/task-pv-volume created\n",
            "{}",
            o.stderr
        );
        sh.sim_mut().advance(30_000);
        let got = out(&mut sh, "kubectl get pv");
        assert!(got.contains("task-pv-volume   10Gi       RWO            Retain           Bound    default/task-pv-claim   manual"), "{got}");
        assert!(out(&mut sh, "kubectl get pods task-pv-pod").contains("Running"));
    }
    // A default-class claim waits for its first consumer.
    sh.write_file(
        "c.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 2Gi\n",
    );
    sh.run_line("kubectl apply -f c.yaml");
    sh.sim_mut().advance(10_000);
    let got = out(&mut sh, "kubectl get pvc data");
    assert!(
        got.contains("data   Pending                                      standard"),
        "{got}"
    );
    assert!(out(&mut sh, "kubectl get events")
        .contains("waiting for first consumer to be created before binding"));
    // Mount it with a pod.
    sh.write_file(
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: user\nspec:\n  containers:\n  - name: c\n    image: nginx\n    volumeMounts:\n    - name: d\n      mountPath: /data\n  volumes:\n  - name: d\n    persistentVolumeClaim:\n      claimName: data\n",
    );
    let o = sh.run_line("kubectl apply -f p.yaml");
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    sh.sim_mut().advance(30_000);
    let got = out(&mut sh, "kubectl get pvc data");
    assert!(
        got.contains("Bound    pvc-") && got.contains("2Gi        RWO            standard"),
        "{got}"
    );
    let node = pods(sh.sim(), "default")
        .into_iter()
        .find(|p| name(p) == "user")
        .and_then(|p| p.spec.and_then(|s| s.node_name));
    let pv = sh
        .sim()
        .store()
        .list(Kind::PersistentVolume, None)
        .into_iter()
        .find(|o| o.name().starts_with("pvc-"))
        .expect("provisioned");
    let pv_node = pv
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get("local.path.provisioner/selected-node"))
        .cloned();
    assert_eq!(
        node, pv_node,
        "the pod runs where its volume was provisioned"
    );
    let ev = out(&mut sh, "kubectl get events");
    assert!(ev.contains("Successfully provisioned volume pvc-"), "{ev}");
    // Deleting the claim (reclaim policy Delete) removes the volume.
    sh.run_line("kubectl delete pod user --now");
    sh.sim_mut().advance(5_000);
    sh.run_line("kubectl delete pvc data");
    sh.sim_mut().advance(5_000);
    assert!(sh
        .sim()
        .store()
        .list(Kind::PersistentVolume, None)
        .iter()
        .all(|o| !o.name().starts_with("pvc-")));
}

#[test]
fn storage_class_table() {
    let mut sh = Shell::new(SimConfig::default());
    let got = out(&mut sh, "kubectl get sc");
    assert_eq!(
        got.lines().next(),
        Some("NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE")
    );
    assert!(got.contains(
        "standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false"
    ));
}

#[test]
fn daemonset_yaml_skips_the_tainted_control_plane() {
    let mut sh = Shell::new(SimConfig::default());
    let Some(o) = apply_file(&mut sh, "controllers/daemonset.yaml") else {
        return;
    };
    assert_eq!(
        o.stdout, "daemonset.apps/fluentd-elasticsearch created\n",
        "{}",
        o.stderr
    );
    sh.sim_mut().advance(120_000);
    let ps: Vec<_> = pods(sh.sim(), "kube-system")
        .into_iter()
        .filter(|p| name(p).starts_with("fluentd-elasticsearch-"))
        .collect();
    let mut nodes: Vec<String> = ps
        .iter()
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        .collect();
    nodes.sort();
    assert_eq!(nodes, ["kind-worker", "kind-worker2"]);
    let got = out(
        &mut sh,
        "kubectl get ds -n kube-system fluentd-elasticsearch",
    );
    assert!(
        got.contains(
            "fluentd-elasticsearch   2         2         2       2            2           <none>"
        ),
        "{got}"
    );
    // Each pod is pinned by node affinity and tolerates the DaemonSet taints.
    let p = &ps[0];
    let spec = p.spec.clone().unwrap_or_default();
    let terms = spec
        .affinity
        .and_then(|a| a.node_affinity)
        .and_then(|n| n.required_during_scheduling_ignored_during_execution)
        .map(|r| r.node_selector_terms)
        .unwrap_or_default();
    assert_eq!(terms.len(), 1);
    assert_eq!(
        terms[0].match_fields.as_ref().map(|f| f[0].key.as_str()),
        Some("metadata.name")
    );
    let tols: Vec<String> = spec
        .tolerations
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.key.clone())
        .collect();
    for k in [
        "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/not-ready",
    ] {
        assert!(tols.iter().any(|t| t == k), "{k} in {tols:?}");
    }

    // A node joins: it gets a pod; it leaves: its pod goes.
    kubeplay::sim::bootstrap::add_node(sh.sim_mut(), "kind-worker3", 3, false);
    sh.sim_mut().dispatch();
    sh.sim_mut().advance(60_000);
    let got = out(&mut sh, "kubectl get ds -n kube-system");
    assert!(
        got.contains("fluentd-elasticsearch   3         3         3       3            3"),
        "{got}"
    );
    assert!(
        got.contains("kube-proxy              4         4         4       4            4"),
        "{got}"
    );
}

#[test]
fn fluentd_daemonset_runs_on_every_node_and_rolls_one_node_at_a_time() {
    let mut sh = Shell::new(SimConfig::default());
    let Some(_) = apply_file(&mut sh, "controllers/fluentd-daemonset.yaml") else {
        return;
    };
    sh.sim_mut().advance(120_000);
    let got = out(
        &mut sh,
        "kubectl get ds -n kube-system fluentd-elasticsearch",
    );
    assert!(
        got.contains("fluentd-elasticsearch   3         3         3       3            3"),
        "{got}"
    );
    // Over it, the update file is rejected: its selector differs.
    let Some(o) = apply_file(&mut sh, "controllers/fluentd-daemonset-update.yaml") else {
        return;
    };
    assert!(o.stderr.contains("field is immutable"), "{}", o.stderr);

    // daemonset.yaml then the update: one node at a time.
    let mut sh = Shell::new(SimConfig::default());
    let Some(_) = apply_file(&mut sh, "controllers/daemonset.yaml") else {
        return;
    };
    sh.sim_mut().advance(120_000);
    let Some(o) = apply_file(&mut sh, "controllers/fluentd-daemonset-update.yaml") else {
        return;
    };
    assert_eq!(
        o.stdout, "daemonset.apps/fluentd-elasticsearch configured\n",
        "{}",
        o.stderr
    );
    let mut max_unavailable = 0;
    step_for(&mut sh, 180_000, |sim| {
        let ps: Vec<_> = pods(sim, "kube-system")
            .into_iter()
            .filter(|p| name(p).starts_with("fluentd-elasticsearch-"))
            .collect();
        let available = ps
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none() && running_ready(p))
            .count();
        max_unavailable = max_unavailable.max(2usize.saturating_sub(available));
    });
    assert_eq!(max_unavailable, 1, "one node at a time");
    let got = out(&mut sh, "kubectl get ds -n kube-system -o wide");
    assert!(
        got.contains("quay.io/fluentd_elasticsearch/fluentd:v2.5.2"),
        "{got}"
    );
    assert!(
        got.contains("fluentd-elasticsearch   2         2         2       2            2"),
        "{got}"
    );
    let images: BTreeSet<String> = pods(sh.sim(), "kube-system")
        .iter()
        .filter(|p| name(p).starts_with("fluentd-elasticsearch-"))
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.containers[0].image.clone()))
        .collect();
    assert_eq!(
        images.into_iter().collect::<Vec<_>>(),
        ["quay.io/fluentd_elasticsearch/fluentd:v2.5.2"]
    );
    let got = out(
        &mut sh,
        "kubectl get controllerrevisions -n kube-system -l name=fluentd-elasticsearch",
    );
    assert!(
        got.contains("daemonset.apps/fluentd-elasticsearch   1")
            && got.contains("daemonset.apps/fluentd-elasticsearch   2"),
        "{got}"
    );
}

#[test]
fn kube_proxy_and_kindnet_are_daemonsets() {
    let mut sh = Shell::new(SimConfig::default());
    let got = out(&mut sh, "kubectl get ds -A");
    assert!(got.contains("kube-system   kindnet      3         3         3       3            3           <none>                   "), "{got}");
    assert!(got.contains("kube-system   kube-proxy   3         3         3       3            3           kubernetes.io/os=linux   "), "{got}");
    let got = out(&mut sh, "kubectl get all -n kube-system");
    assert!(got.contains("daemonset.apps/kindnet"), "{got}");
}

#[test]
fn rolling_update_goes_from_the_highest_ordinal_and_respects_the_partition() {
    let mut sh = Shell::new(SimConfig::default());
    assert!(sh
        .sim_mut()
        .create(sts_json("db", 3, "OrderedReady", 0, "nginx:1.27"))
        .is_ok());
    sh.sim_mut().dispatch();
    sh.sim_mut().advance(90_000);
    assert!(out(&mut sh, "kubectl get sts db").contains("3/3"));
    let o = sh.run_line(r#"kubectl patch sts db -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}'"#);
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    let o = sh.run_line("kubectl set image sts/db c=nginx:1.28");
    if o.exit_code != 0 {
        // `set image` may not serve StatefulSets yet: patch the template instead.
        let o = sh.run_line(r#"kubectl patch sts db --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]'"#);
        assert_eq!(o.exit_code, 0, "{}", o.stderr);
    }
    let mut order = Vec::new();
    step_for(&mut sh, 120_000, |sim| {
        for p in pods(sim, "default") {
            if p.metadata.deletion_timestamp.is_some() && !order.contains(&name(&p)) {
                order.push(name(&p));
            }
        }
    });
    assert_eq!(
        order,
        ["db-2", "db-1"],
        "highest ordinal first, down to the partition"
    );
    let image = |sim: &Sim, n: &str| {
        pods(sim, "default")
            .into_iter()
            .find(|p| name(p) == n)
            .and_then(|p| p.spec.and_then(|s| s.containers[0].image.clone()))
    };
    assert_eq!(image(sh.sim(), "db-0").as_deref(), Some("nginx:1.27"));
    assert_eq!(image(sh.sim(), "db-2").as_deref(), Some("nginx:1.28"));
    let got = out(
        &mut sh,
        "kubectl get sts db -o jsonpath={.status.currentReplicas},{.status.updatedReplicas}",
    );
    assert_eq!(got, "1,2");
    // Partition 0: db-0 follows; the current revision becomes the update revision.
    sh.run_line(r#"kubectl patch sts db -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'"#);
    sh.sim_mut().advance(60_000);
    assert_eq!(image(sh.sim(), "db-0").as_deref(), Some("nginx:1.28"));
    let got = out(
        &mut sh,
        "kubectl get sts db -o jsonpath={.status.currentRevision}={.status.updateRevision}",
    );
    let (a, b) = got.split_once('=').unwrap_or_default();
    assert_eq!(a, b);
}

#[test]
fn on_delete_updates_only_deleted_pods() {
    let mut sh = Shell::new(SimConfig::default());
    let mut o = sts_json("q", 2, "Parallel", 0, "nginx:1.27");
    if let Object::StatefulSet(s) = &mut o {
        if let Some(spec) = s.spec.as_mut() {
            spec.update_strategy = Some(k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy {
                type_: Some("OnDelete".into()),
                rolling_update: None,
            });
        }
    }
    assert!(sh.sim_mut().create(o).is_ok());
    sh.sim_mut().dispatch();
    sh.sim_mut().advance(60_000);
    let o = sh.run_line(r#"kubectl patch sts q --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]'"#);
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    sh.sim_mut().advance(60_000);
    let image = |sim: &Sim, n: &str| {
        pods(sim, "default")
            .into_iter()
            .find(|p| name(p) == n)
            .and_then(|p| p.spec.and_then(|s| s.containers[0].image.clone()))
    };
    assert_eq!(image(sh.sim(), "q-1").as_deref(), Some("nginx:1.27"));
    sh.run_line("kubectl delete pod q-1");
    sh.sim_mut().advance(60_000);
    assert_eq!(image(sh.sim(), "q-1").as_deref(), Some("nginx:1.28"));
    assert_eq!(image(sh.sim(), "q-0").as_deref(), Some("nginx:1.27"));
}

#[test]
fn learner_example_script_runs_cleanly() {
    let script = include_str!("examples/statefulset.txt");
    let mut p = kubeplay::lessons::Playground::new(SimConfig::default());
    let mut transcript = String::new();
    for line in script.lines() {
        let mut o = p.run_line(line);
        if let Some(w) = o.wait.as_mut() {
            p.finish(w, 300_000);
        }
        transcript.push_str(&o.stdout);
        let expected_failure = line.contains("# fails");
        assert!(expected_failure || o.exit_code == 0, "{line}: {}", o.stderr);
    }
    assert!(transcript.contains("web-2"), "{transcript}");
    assert!(transcript.contains("www-web-2"), "{transcript}");
}

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
        /// OrderedReady never creates ordinal k+1 before k is Running and Ready, and scales down
        /// from the highest ordinal one pod at a time, through random scaling and minReadySeconds.
        #[test]
        fn ordered_ready_ordering(
            seed in 1u64..1000,
            first in 1i32..5,
            min_ready in 0i32..4,
            steps in proptest::collection::vec((0i32..6, 1u64..40), 1..4),
        ) {
            let mut sh = Shell::new(SimConfig { seed, ..SimConfig::default() });
            prop_assert!(sh.sim_mut().create(sts_json("web", first, "OrderedReady", min_ready, "nginx:1.27")).is_ok());
            sh.sim_mut().dispatch();
            let mut check = ordered_ready_checker("web");
            step_for(&mut sh, 20_000, &mut check);
            for (n, secs) in steps {
                scale(&mut sh, "web", n);
                step_for(&mut sh, secs * 1000, &mut check);
            }
            step_for(&mut sh, 120_000, &mut check);
            let want = sh.sim().store().list(Kind::StatefulSet, Some("default"))[0]
                .as_statefulset().and_then(|s| s.spec.as_ref()).and_then(|s| s.replicas).unwrap_or(0);
            let live: Vec<String> = pods(sh.sim(), "default").iter().map(name).collect();
            let expect: Vec<String> = (0..want).map(|i| format!("web-{i}")).collect();
            let mut live_sorted = live.clone();
            live_sorted.sort_by_key(|n| n.trim_start_matches("web-").parse::<i32>().unwrap_or(0));
            prop_assert_eq!(live_sorted, expect);
        }
    }
}
