//! Integration tests of the walking skeleton: determinism, self-healing, scale, and that no input
//! line can panic the shell.

use kubeplay::cli::transcript;
use kubeplay::lessons::Playground;
use kubeplay::sim::SimConfig;
use proptest::prelude::*;

const SCRIPT: &str =
    "kubectl create deployment web --image=nginx --replicas=3\nsleep 30s\nkubectl get pods\n";

fn run(p: &mut Playground, line: &str) -> kubeplay::kubectl::Outcome {
    let o = p.run_line(line);
    if let Some(w) = &o.wait {
        assert!(
            p.run_until_done(w, 3_600_000),
            "command did not finish: {line}"
        );
    }
    o
}

fn default_pods(p: &Playground) -> Vec<kubeplay::sim::view::PodView> {
    let v = p.view();
    v.nodes
        .iter()
        .flat_map(|n| n.pods.iter().cloned())
        .chain(v.unscheduled)
        .filter(|p| p.namespace == "default")
        .collect()
}

#[test]
fn same_script_same_bytes() {
    let a = transcript(SimConfig::default(), SCRIPT);
    let b = transcript(SimConfig::default(), SCRIPT);
    assert_eq!(a, b);
    assert_eq!(a.matches(" Running ").count(), 3, "{a}");
}

#[test]
fn seed_changes_names_not_behaviour() {
    let a = transcript(
        SimConfig {
            seed: 1,
            ..SimConfig::default()
        },
        SCRIPT,
    );
    let b = transcript(
        SimConfig {
            seed: 2,
            ..SimConfig::default()
        },
        SCRIPT,
    );
    assert_ne!(a, b);
    assert_eq!(b.matches(" Running ").count(), 3, "{b}");
}

#[test]
fn start_instant_is_configurable() {
    let start = kubeplay::sim::clock::parse_rfc3339("2030-01-02T03:04:05Z").unwrap();
    let p = Playground::new(SimConfig {
        start,
        ..SimConfig::default()
    });
    assert!(p.view().now.starts_with("2030-01-02T03:04"));
}

#[test]
fn pods_pass_through_pending_and_container_creating() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=3",
    );
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..300 {
        p.advance(100);
        for pod in default_pods(&p) {
            seen.insert(pod.status.clone());
        }
    }
    for s in ["Pending", "ContainerCreating", "Running"] {
        assert!(seen.contains(s), "never saw {s}: {seen:?}");
    }
    let pods = default_pods(&p);
    assert_eq!(pods.len(), 3);
    assert!(pods
        .iter()
        .all(|p| p.status == "Running" && p.is_ready && p.pod_ip.is_some()));
    // Workers only: the control-plane node is tainted.
    assert!(pods
        .iter()
        .all(|p| p.node.as_deref() != Some("kind-control-plane")));
}

#[test]
fn deleted_pod_is_replaced_by_its_replicaset() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=3",
    );
    p.advance(30_000);
    let before: Vec<String> = default_pods(&p).into_iter().map(|p| p.name).collect();
    let victim = before[0].clone();
    let o = run(&mut p, &format!("kubectl delete pod {victim}"));
    assert_eq!(o.stdout, format!("pod \"{victim}\" deleted\n"));
    p.advance(30_000);
    let after: Vec<String> = default_pods(&p).into_iter().map(|p| p.name).collect();
    assert_eq!(after.len(), 3);
    assert!(!after.contains(&victim));
    assert!(after
        .iter()
        .all(|n| n.starts_with(&victim[..victim.len() - 5])));
}

#[test]
fn delete_waits_while_the_pod_terminates() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=1",
    );
    p.advance(30_000);
    let name = default_pods(&p)[0].name.clone();
    let o = p.run_line(&format!("kubectl delete pod {name}"));
    let w = o.wait.expect("delete waits by default");
    assert!(!p.is_done(&w));
    // A replacement is created while the delete is still waiting.
    p.advance(100);
    let pods = default_pods(&p);
    assert!(
        pods.iter()
            .any(|x| x.name == name && x.status == "Terminating"),
        "{pods:?}"
    );
    assert!(p.run_until_done(&w, 60_000));
}

#[test]
fn unknown_image_backs_off() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment bad --image=nginx:doesnotexist",
    );
    p.advance(3_000);
    assert_eq!(default_pods(&p)[0].status, "ErrImagePull");
    p.advance(2_000);
    assert_eq!(default_pods(&p)[0].status, "ImagePullBackOff");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Controller invariant: whatever sequence of scales, the Deployment converges to exactly
    /// `replicas` running pods, one ReplicaSet owns them all, and no node exceeds its pod capacity.
    #[test]
    fn scaling_converges(seq in proptest::collection::vec(0usize..12, 1..5), seed in 0u64..1000) {
        let mut p = Playground::new(SimConfig { seed, ..SimConfig::default() });
        run(&mut p, "kubectl create deployment web --image=nginx --replicas=2");
        for n in &seq {
            p.advance(700);
            let o = run(&mut p, &format!("kubectl scale deployment web --replicas={n}"));
            prop_assert_eq!(o.exit_code, 0);
        }
        p.advance(60_000);
        let want = *seq.last().unwrap();
        let pods = default_pods(&p);
        prop_assert_eq!(pods.len(), want);
        prop_assert!(pods.iter().all(|x| x.status == "Running"));
        let owners: std::collections::BTreeSet<_> = pods.iter().map(|x| x.owner.clone()).collect();
        prop_assert!(owners.len() <= 1);
        let v = p.view();
        let d = v.owners.iter().find(|o| o.kind == "Deployment" && o.name == "web").unwrap();
        prop_assert_eq!(d.available as usize, want);
        for n in &v.nodes {
            prop_assert!(n.pods.len() <= 110);
        }
    }

    /// No line of input panics the shell, and a failing command changes nothing.
    #[test]
    fn no_input_panics(line in "(kubectl|sleep|k|)( [a-z0-9=/,.:\\-]{0,12}){0,6}", raw in ".{0,80}") {
        let mut p = Playground::new(SimConfig::default());
        let rev = p.view().revision;
        let o = p.run_line(&line);
        if o.exit_code != 0 {
            prop_assert_eq!(p.view().revision, rev);
        }
        let _ = p.run_line(&raw);
    }
}
