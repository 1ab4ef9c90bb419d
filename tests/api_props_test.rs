//! Properties of the API server and garbage collector under random edits: dependents never
//! outlive their owners for long, objects with finalizers are never lost, nothing panics, and
//! rejected input leaves the store exactly as it was.

use kubeplay::lessons::Playground;
use kubeplay::sim::object::Kind;
use kubeplay::sim::SimConfig;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Deploy(u8, u8),
    ConfigMapHeld(u8),
    Label(u8),
    Delete(u8, &'static str),
    DeleteRs(u8, &'static str),
    Release(u8),
    Wait(u16),
}

fn op() -> impl Strategy<Value = Op> {
    let cascade = prop_oneof![Just("background"), Just("foreground"), Just("orphan")];
    prop_oneof![
        (0u8..3, 0u8..4).prop_map(|(n, r)| Op::Deploy(n, r)),
        (0u8..3).prop_map(Op::ConfigMapHeld),
        (0u8..3).prop_map(Op::Label),
        (0u8..3, cascade.clone()).prop_map(|(n, c)| Op::Delete(n, c)),
        (0u8..3, cascade).prop_map(|(n, c)| Op::DeleteRs(n, c)),
        (0u8..3).prop_map(Op::Release),
        (1u16..40).prop_map(Op::Wait),
    ]
}

fn line(p: &mut Playground, l: &str) {
    let o = p.run_line(l);
    // A waiting command is let go: time passes only through `Wait`.
    drop(o);
}

fn apply(p: &mut Playground, op: &Op) {
    match op {
        Op::Deploy(n, r) => line(p, &format!("kubectl create deployment d{n} --image=nginx:1.27 --replicas={r}")),
        Op::ConfigMapHeld(n) => {
            line(p, "kubectl apply -f - <<EOF");
            for l in [
                "apiVersion: v1",
                "kind: ConfigMap",
                "metadata:",
                &format!("  name: held{n}"),
                "  finalizers:",
                "  - example.com/hold",
                "EOF",
            ] {
                line(p, l);
            }
        }
        Op::Label(n) => line(p, &format!("kubectl label deployment d{n} tier=web --overwrite")),
        Op::Delete(n, c) => {
            line(p, &format!("kubectl delete deployment d{n} --cascade={c} --wait=false"));
            line(p, &format!("kubectl delete configmap held{n} --wait=false"));
        }
        Op::DeleteRs(n, c) => {
            let rs: Vec<String> = p
                .shell()
                .sim()
                .store()
                .list(Kind::ReplicaSet, Some("default"))
                .iter()
                .map(|o| o.name().to_string())
                .filter(|name| name.starts_with(&format!("d{n}-")))
                .collect();
            for r in rs {
                line(p, &format!("kubectl delete rs {r} --cascade={c} --wait=false"));
            }
        }
        Op::Release(n) => line(p, &format!("kubectl patch configmap held{n} --type=merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'")),
        Op::Wait(s) => p.advance(*s as u64 * 1000),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn gc_and_finalizers_hold(ops in proptest::collection::vec(op(), 1..25), seed in 0u64..50) {
        let mut p = Playground::new(SimConfig { seed, ..SimConfig::default() });
        let mut held_released = [false; 3];
        let mut held_created = [false; 3];
        for o in &ops {
            apply(&mut p, o);
            match o {
                Op::ConfigMapHeld(n) => {
                    held_created[*n as usize] = true;
                    held_released[*n as usize] = false;
                }
                Op::Release(n) => held_released[*n as usize] = true,
                _ => {}
            }
        }
        p.advance(120_000);
        let store = p.shell().sim().store();
        // No dependent outlives its owners (the GC acted on every orphan it had to delete).
        for kind in [Kind::Pod, Kind::ReplicaSet] {
            for o in store.list(kind, Some("default")) {
                for r in o.meta().owner_references.iter().flatten() {
                    prop_assert!(
                        store.get_by_uid(&r.uid).is_some(),
                        "{} {} still names a deleted owner {}/{}", kind.name(), o.name(), r.kind, r.name
                    );
                }
            }
        }
        // An object still holding a finalizer is never lost.
        for n in 0..3 {
            if held_created[n] && !held_released[n] {
                let k = kubeplay::sim::store::ObjKey::new(Kind::ConfigMap, "default", &format!("held{n}"));
                prop_assert!(store.get(&k).is_some(), "held{n} vanished while its finalizer was set");
            }
        }
    }

    /// Rejected input changes nothing: the store's revision (every write bumps it) stays put.
    #[test]
    fn bad_input_changes_nothing(junk in "[ -~]{0,200}", kind in prop_oneof![Just("Deployment"), Just("Pod"), Just("Foo"), Just("ConfigMap")]) {
        let mut p = Playground::new(SimConfig::default());
        let before = p.view().revision;
        for l in [
            format!("kubectl apply -f - <<EOF"),
            format!("apiVersion: v1"),
            format!("kind: {kind}"),
            format!("metadata:"),
            format!("  name: Bad_Name!"),
            format!("spec: {junk}"),
            format!("EOF"),
        ] {
            let o = p.run_line(&l);
            if !o.more {
                prop_assert_ne!(o.exit_code, 0, "accepted: {}", o.stdout);
            }
        }
        let _ = p.run_line(&format!("kubectl create deployment 'x y' --image={junk}"));
        let _ = p.run_line(&format!("kubectl label pod nope {junk}"));
        let _ = p.run_line(&format!("kubectl get pods -l '{junk}'"));
        prop_assert_eq!(p.view().revision, before);
    }
}

#[test]
fn hostile_sizes_are_refused() {
    let mut p = Playground::new(SimConfig::default());
    let before = p.view().revision;
    let huge = "a".repeat(300_000);
    let o = p.run_line(&format!("kubectl annotate pod nope big={huge}"));
    assert_ne!(o.exit_code, 0);
    p.write_file("big.txt", &"v".repeat(1_100_000));
    let o = p.run_line("kubectl create configmap c --from-file=big.txt");
    // A ConfigMap over 1 MiB is refused by the API server.
    assert_eq!(
        o.stderr,
        "The ConfigMap \"c\" is invalid: []: Too long: must have at most 1048576 bytes\n"
    );
    let o = p.run_line(&"x".repeat(2 << 20));
    assert_ne!(o.exit_code, 0);
    assert_eq!(p.view().revision, before);
}

/// `--dry-run=server` and `--dry-run=client` answer like the real thing and write nothing: the
/// store, its revision and the pending work of the control plane stay exactly as they were.
#[test]
fn dry_runs_change_nothing() {
    let mut p = Playground::new(SimConfig::default());
    for l in [
        "kubectl create deployment web --image=nginx:1.27 --replicas=2",
        "kubectl create configmap settings --from-literal=a=b",
    ] {
        assert_eq!(p.run_line(l).exit_code, 0, "{l}");
    }
    p.advance(30_000);
    assert_eq!(
        p.run_line("kubectl set image deployment/web nginx=nginx:1.28")
            .exit_code,
        0
    );
    p.advance(60_000);
    let dump = |p: &Playground| {
        let store = p.shell().sim().store();
        let mut all = Vec::new();
        for kind in Kind::ALL {
            for o in store.list(kind, None) {
                all.push(serde_json::to_string(&o.to_json_value()).unwrap_or_default());
            }
        }
        (p.view().revision, p.shell().sim().pending_tasks(), all)
    };
    let before = dump(&p);
    for mode in ["server", "client"] {
        for cmd in [
            "kubectl create deployment web2 --image=nginx",
            "kubectl create deployment web2 --image=nginx -o yaml",
            "kubectl create configmap c2 --from-literal=x=y",
            "kubectl create secret generic s2 --from-literal=x=y",
            "kubectl create service nodeport np --tcp=80:80",
            "kubectl create namespace n2",
            "kubectl create job j2 --image=busybox",
            "kubectl create cronjob c2 --image=busybox --schedule=@hourly",
            "kubectl run r2 --image=nginx",
            "kubectl expose deployment web --port=80",
            "kubectl scale deployment web --replicas=7",
            "kubectl label deployment web a=b",
            "kubectl annotate deployment web a=b",
            r#"kubectl patch deployment web -p '{"spec":{"replicas":3}}'"#,
            r#"kubectl patch configmap settings --type=json -p '[{"op":"remove","path":"/data/a"}]'"#,
            "kubectl set image deployment/web nginx=nginx:1.28",
            "kubectl set env deployment/web A=B",
            "kubectl rollout undo deployment/web",
            "kubectl delete deployment web",
            "kubectl delete configmap settings",
            "kubectl delete pods --all",
            "kubectl delete namespace default",
            "kubectl cordon kind-worker",
            "kubectl taint nodes kind-worker a=b:NoSchedule",
            "kubectl drain kind-worker2 --ignore-daemonsets",
        ] {
            let line = format!("{cmd} --dry-run={mode}");
            let o = p.run_line(&line);
            assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
            assert!(o.wait.is_none(), "{line} waits");
            assert!(dump(&p) == before, "{line} changed the cluster");
        }
    }
}
