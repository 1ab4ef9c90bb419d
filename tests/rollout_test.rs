//! Rolling updates: at every instant the pod counts stay inside maxSurge / maxUnavailable, the
//! rollout completes, and rollbacks restore the old template.

use kubeplay::lessons::Playground;
use kubeplay::sim::SimConfig;
use proptest::prelude::*;

fn run(p: &mut Playground, line: &str) -> kubeplay::kubectl::Outcome {
    let mut o = p.run_line(line);
    assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
    if let Some(mut w) = o.wait.take() {
        let pr = p.finish(&mut w, 3_600_000);
        o.stdout.push_str(&pr.stdout);
        assert!(pr.done);
    }
    o
}

/// (active pods of web, of which ready and not terminating)
fn counts(p: &Playground) -> (usize, usize) {
    let v = p.view();
    let pods: Vec<_> = v
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .chain(v.unscheduled.iter())
        .filter(|x| x.namespace == "default" && x.status != "Terminating")
        .cloned()
        .collect();
    (pods.len(), pods.iter().filter(|x| x.is_ready).count())
}

fn resolve(pct_or_int: &str, replicas: usize, up: bool) -> usize {
    match pct_or_int.strip_suffix('%') {
        Some(p) => {
            let v: usize = p.parse().unwrap();
            if up {
                (v * replicas).div_ceil(100)
            } else {
                v * replicas / 100
            }
        }
        None => pct_or_int.parse().unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn rolling_update_respects_bounds(
        replicas in 1usize..9,
        surge in prop_oneof![Just("25%"), Just("0"), Just("1"), Just("50%"), Just("3")],
        unavail in prop_oneof![Just("25%"), Just("0"), Just("1"), Just("50%")],
        seed in 0u64..100,
    ) {
        let mut s = resolve(surge, replicas, true);
        let mut u = resolve(unavail, replicas, false);
        prop_assume!(!(surge == "0" && unavail == "0"));
        if s == 0 && u == 0 { u = 1; }
        u = u.min(replicas);
        let mut p = Playground::new(SimConfig { seed, ..SimConfig::default() });
        run(&mut p, &format!("kubectl create deployment web --image=nginx:1.27 --replicas={replicas}"));
        run(&mut p, "kubectl rollout status deployment/web");
        // Set the strategy through the typed objects (kubectl patch arrives with the API issue).
        p.set_rolling_update("default", "web", surge, unavail);
        p.advance(1_000);
        run(&mut p, "kubectl set image deployment/web nginx=nginx:1.28");
        let (mut max_total, mut min_ready) = (0, usize::MAX);
        for _ in 0..4_000 {
            p.advance(50);
            let (total, ready) = counts(&p);
            max_total = max_total.max(total);
            min_ready = min_ready.min(ready);
        }
        s = s.max(0);
        prop_assert!(max_total <= replicas + s, "total {max_total} > {replicas}+{s}");
        prop_assert!(min_ready >= replicas - u, "ready {min_ready} < {replicas}-{u}");
        let o = run(&mut p, "kubectl rollout status deployment/web --watch=false");
        prop_assert_eq!(o.stdout, "deployment \"web\" successfully rolled out\n");
    }
}

#[test]
fn undo_restores_previous_template() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx:1.27 --replicas=2",
    );
    run(&mut p, "kubectl rollout status deployment/web");
    run(&mut p, "kubectl set image deployment/web nginx=nginx:1.28");
    run(&mut p, "kubectl rollout status deployment/web");
    run(&mut p, "kubectl rollout undo deployment/web");
    run(&mut p, "kubectl rollout status deployment/web");
    let o = run(&mut p, "kubectl get deploy web -o wide");
    assert!(o.stdout.contains("nginx:1.27"), "{}", o.stdout);
    let h = run(&mut p, "kubectl rollout history deployment/web");
    assert_eq!(
        h.stdout,
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n"
    );
}

#[test]
fn stuck_rollout_hits_progress_deadline() {
    let mut p = Playground::new(SimConfig::default());
    run(
        &mut p,
        "kubectl create deployment web --image=nginx:1.27 --replicas=2",
    );
    run(&mut p, "kubectl rollout status deployment/web");
    run(&mut p, "kubectl set image deployment/web nginx=nginx:nope");
    let mut o = p.run_line("kubectl rollout status deployment/web");
    let mut w = o.wait.take().expect("streams");
    let pr = p.finish(&mut w, 3_600_000);
    assert!(pr.done);
    assert_eq!(pr.exit_code, 1);
    assert_eq!(
        pr.stderr,
        "error: deployment \"web\" exceeded its progress deadline\n"
    );
    // Old pods kept serving the whole time.
    assert_eq!(counts(&p).1, 2);
    assert!(p.elapsed_ms() >= 600_000);
}
