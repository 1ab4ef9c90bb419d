//! Time travel: any earlier moment of a session is rebuilt exactly (snapshots + replay of the
//! input log), and a session continued from there prints the same bytes as the original did.

use kubeplay::lessons::{Action, Playground};
use kubeplay::sim::view::ClusterView;
use kubeplay::sim::{Kind, SimConfig};

/// One step of a script: let virtual time pass, or type a line (and let it finish, as the CLI does).
#[derive(Clone, Debug)]
enum Step {
    Wait(u64),
    Line(&'static str),
}
use Step::*;

const SCRIPT: &[Step] = &[
    Wait(1_500),
    Line("kubectl create deployment web --image=nginx --replicas=3"),
    Wait(700),
    Line("kubectl get pods -o wide"),
    Wait(9_000),
    Line("kubectl scale deployment web --replicas=5"),
    Wait(12_000),
    // `delete` waits by stepping the engine: the next line runs at the very millisecond the delete
    // returned, possibly between two tasks due at that instant.
    Line("kubectl delete pod -l app=web --wait=true"),
    Line("kubectl get pods"),
    Wait(4_000),
    Line("cat > extra.yaml <<EOF"),
    Line("apiVersion: v1"),
    Line("kind: ConfigMap"),
    Line("metadata:"),
    Line("  name: extra"),
    Line("data:"),
    Line("  k: v"),
    Line("EOF"),
    Line("kubectl apply -f extra.yaml"),
    Wait(2_000),
    Line("kubectl set image deployment/web nginx=nginx:1.27"),
    Line("kubectl rollout status deployment/web"),
    Wait(25_000),
    Line("kubectl get pods,rs -o wide"),
    Line("kubectl get events"),
    Wait(40_000),
    Line("kubectl describe deployment web"),
];

/// What one line printed: stdout, stderr and exit status, waiting included.
fn run_line(p: &mut Playground, line: &str) -> String {
    let mut o = p.run_line(line);
    let mut code = o.exit_code;
    if let Some(mut w) = o.wait.take() {
        let pr = p.finish(&mut w, 3_600_000);
        o.stdout.push_str(&pr.stdout);
        o.stderr.push_str(&pr.stderr);
        if pr.exit_code != 0 {
            code = pr.exit_code;
        }
    }
    format!("{}{}[exit {code}]", o.stdout, o.stderr)
}

struct Recorded {
    /// (virtual ms, view) at every quiet moment of the script.
    views: Vec<(u64, ClusterView)>,
    /// (virtual ms when it ran, step index, output) for every line.
    outputs: Vec<(u64, usize, String)>,
    yaml: Vec<(u64, Option<String>)>,
    /// (virtual ms, index of the next step) after every wait.
    quiet: Vec<(u64, usize)>,
}

fn play(p: &mut Playground, steps: &[(usize, Step)]) -> Recorded {
    let mut r = Recorded {
        views: vec![],
        outputs: vec![],
        yaml: vec![],
        quiet: vec![],
    };
    for (i, s) in steps {
        match s {
            Wait(ms) => {
                // In small pieces, as the page does.
                let mut left = *ms;
                while left > 0 {
                    let d = left.min(50);
                    p.advance(d);
                    left -= d;
                }
                r.views.push((p.elapsed_ms(), p.view()));
                r.quiet.push((p.elapsed_ms(), i + 1));
                r.yaml.push((
                    p.elapsed_ms(),
                    p.object_yaml(Kind::Deployment, "default", "web"),
                ));
            }
            Line(l) => {
                let at = p.elapsed_ms();
                let out = run_line(p, l);
                r.outputs.push((at, *i, out));
            }
        }
    }
    r
}

fn indexed() -> Vec<(usize, Step)> {
    SCRIPT.iter().cloned().enumerate().collect()
}

#[test]
fn view_at_rebuilds_every_earlier_moment() {
    let mut p = Playground::new(SimConfig::default());
    let rec = play(&mut p, &indexed());
    assert!(
        p.snapshot_count() >= 3,
        "snapshots taken: {}",
        p.snapshot_count()
    );
    for (t, view) in &rec.views {
        assert_eq!(&p.view_at(*t), view, "view at {t} ms differs");
    }
    for (t, yaml) in &rec.yaml {
        assert_eq!(
            &p.at(*t).object_yaml(Kind::Deployment, "default", "web"),
            yaml,
            "yaml at {t} ms differs"
        );
    }
    // Before the first command there is no web deployment, and no web pods.
    let before = p.view_at(1_000 + p.earliest_ms());
    assert!(before.owners.iter().all(|o| o.name != "web"));
    assert!(p
        .at(1_000 + p.earliest_ms())
        .object_yaml(Kind::Deployment, "default", "web")
        .is_none());
    // The log holds every line, with the heredoc's body lines.
    let lines: Vec<&str> = p.inputs().iter().filter_map(|i| i.line()).collect();
    assert_eq!(
        lines.len(),
        SCRIPT.iter().filter(|s| matches!(s, Line(_))).count()
    );
}

#[test]
fn continuing_from_an_earlier_moment_prints_the_same_bytes() {
    let steps = indexed();
    let mut original = Playground::new(SimConfig::default());
    let rec = play(&mut original, &steps);
    // Rewind to each quiet moment (and to just before each line), then play the rest again.
    // Also just before each line (the moment a line is typed is shown without it).
    let mut cuts = rec.quiet.clone();
    cuts.extend(rec.outputs.iter().map(|(t, i, _)| (*t, *i)));
    cuts.sort();
    cuts.dedup_by_key(|c| c.0);
    for (t, from) in cuts {
        if from >= steps.len() {
            continue;
        }
        // A detached copy...
        let mut q = original.at(t);
        assert_eq!(q.elapsed_ms(), t);
        let again = play(&mut q, &steps[from..]);
        let want: Vec<_> = rec
            .outputs
            .iter()
            .filter(|(_, i, _)| *i >= from)
            .cloned()
            .collect();
        assert_eq!(
            again.outputs, want,
            "outputs after rewinding to {t} ms differ"
        );
        assert_eq!(
            q.view(),
            original.view(),
            "final view after rewinding to {t} ms differs"
        );
        // ...and the live session itself, rewound ("continue from here").
        let mut live = Playground::new(SimConfig::default());
        play(&mut live, &steps);
        let dropped = live.restore(t);
        assert!(dropped.iter().all(|d| d.at_ms >= t));
        assert_eq!(live.elapsed_ms(), t);
        assert!(live.inputs().iter().all(|i| i.at_ms < t));
        let again = play(&mut live, &steps[from..]);
        assert_eq!(
            again.outputs, want,
            "live outputs after restore({t}) differ"
        );
        assert_eq!(live.view(), original.view());
    }
}

#[test]
fn truncate_after_drops_later_commands_and_a_new_future_follows() {
    let mut p = Playground::new(SimConfig::default());
    let start = p.earliest_ms();
    p.advance(1_000);
    run_line(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    p.advance(20_000);
    run_line(&mut p, "kubectl scale deployment web --replicas=4");
    run_line(&mut p, "kubectl create deployment cache --image=redis");
    p.advance(20_000);
    let t = start + 5_000;
    assert_eq!(p.lines_after(t), 2);
    assert_eq!(p.truncate_after(t), 2);
    assert_eq!(p.elapsed_ms(), t);
    assert_eq!(p.lines_after(0), 1);
    // A different future: the deployment stays at 2 and there is no cache.
    p.advance(30_000);
    let v = p.view();
    assert!(v.owners.iter().all(|o| o.name != "cache"));
    let web = v
        .owners
        .iter()
        .find(|o| o.kind == "Deployment" && o.name == "web")
        .expect("web");
    assert_eq!(web.desired, 2);
    // The new session travels too.
    let mid = p.view_at(t + 10_000);
    let mut q = Playground::new(SimConfig::default());
    q.advance(1_000);
    run_line(
        &mut q,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    q.advance(t + 10_000 - q.elapsed_ms());
    assert_eq!(mid, q.view());
}

#[test]
fn follow_replays_the_recorded_future_and_step_reaches_each_event() {
    let mut p = Playground::new(SimConfig::default());
    let start = p.earliest_ms();
    p.advance(2_000);
    run_line(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=3",
    );
    p.advance(30_000);
    let end = p.view();
    let mut past = p.at(start + 1_000);
    assert!(past.view().owners.iter().all(|o| o.name != "web"));
    // Step event by event up to the command and beyond.
    let mut guard = 0;
    while past.elapsed_ms() < start + 2_500 && guard < 10_000 {
        let next = p.next_event_after(&past).expect("something comes next");
        assert!(next >= past.elapsed_ms());
        let to = next.max(past.elapsed_ms() + 1);
        p.follow(&mut past, to);
        guard += 1;
    }
    assert!(
        past.view().owners.iter().any(|o| o.name == "web"),
        "the create was replayed"
    );
    p.follow(&mut past, p.elapsed_ms());
    assert_eq!(past.view(), end);
    assert_eq!(past.inputs(), p.inputs());
}

#[test]
fn snapshots_stay_bounded_over_a_long_session() {
    let mut p = Playground::new(SimConfig::default());
    run_line(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    for i in 0..300 {
        p.advance(5_000);
        if i % 3 == 0 {
            run_line(
                &mut p,
                &format!("kubectl scale deployment web --replicas={}", 1 + i % 4),
            );
        }
    }
    assert!(
        p.snapshot_count() <= kubeplay::lessons::timetravel::MAX_SNAPSHOTS,
        "{}",
        p.snapshot_count()
    );
    // Old moments are still exact (from a thinned snapshot, with a longer replay).
    let t = p.earliest_ms() + 123_450;
    let mut q = Playground::new(SimConfig::default());
    run_line(
        &mut q,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    for i in 0..300 {
        if q.elapsed_ms() + 5_000 > t {
            q.advance(t - q.elapsed_ms());
            break;
        }
        q.advance(5_000);
        if i % 3 == 0 {
            run_line(
                &mut q,
                &format!("kubectl scale deployment web --replicas={}", 1 + i % 4),
            );
        }
    }
    assert_eq!(p.view_at(t), q.view());
    assert!(p
        .inputs()
        .iter()
        .all(|i| matches!(i.action, Action::Line(_))));
}

#[test]
fn object_yaml_and_events() {
    let mut p = Playground::new(SimConfig::default());
    run_line(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=1",
    );
    p.advance(20_000);
    let pod = p
        .view()
        .nodes
        .iter()
        .flat_map(|n| n.pods.clone())
        .find(|x| x.name.starts_with("web-"))
        .expect("web pod");
    let yaml = p
        .object_yaml(Kind::Pod, "default", &pod.name)
        .expect("yaml");
    assert!(yaml.contains("kind: Pod\n"), "{yaml}");
    assert!(yaml.contains(&format!("name: {}", pod.name)));
    let events = p.object_events(Kind::Pod, "default", &pod.name);
    let reasons: Vec<&str> = events.iter().map(|e| e.reason.as_str()).collect();
    assert!(reasons.contains(&"Scheduled"), "{reasons:?}");
    assert!(reasons.contains(&"Started"), "{reasons:?}");
    assert!(p.object_yaml(Kind::Pod, "default", "nope").is_none());
    // Nodes are cluster-scoped: the namespace given is ignored.
    assert!(p
        .object_yaml(Kind::Node, "default", "kind-worker")
        .is_some());
}

/// `Sim::view` reuses the last view while the store is unchanged. A session continued from the
/// past counts revisions again, so the same revision can hold other objects: the view must follow
/// what this store holds, never a view cached for another moment or another session.
#[test]
fn the_view_follows_a_session_continued_from_the_past() {
    let names = |v: &ClusterView| {
        v.owners
            .iter()
            .filter(|o| o.kind == "Deployment" && o.namespace == "default")
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    let mut p = Playground::new(SimConfig::default());
    let other = Playground::new(SimConfig::default());
    p.advance(1_000);
    run_line(
        &mut p,
        "kubectl create deployment web --image=nginx --replicas=2",
    );
    p.advance(5_000);
    let live = p.view();
    assert_eq!(names(&live), ["web"]);
    assert_eq!(
        live.nodes.iter().map(|n| n.pods.len()).sum::<usize>(),
        other
            .view()
            .nodes
            .iter()
            .map(|n| n.pods.len())
            .sum::<usize>()
            + 2
    );
    assert!(
        names(&other.view()).is_empty(),
        "another session shares no view"
    );
    assert_eq!(names(&p.view_at(500)), Vec::<String>::new());
    assert_eq!(
        names(&p.view()),
        ["web"],
        "back to the present after a look at the past"
    );

    // No look at the view between the restore and the new writes: the last view built is the
    // first future's, at the very revision the second future reaches.
    p.restore(500);
    run_line(
        &mut p,
        "kubectl create deployment api --image=nginx --replicas=2",
    );
    p.advance(5_000);
    let again = p.view();
    assert_eq!(names(&again), ["api"]);
    let pods: Vec<String> = again
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .filter(|p| p.namespace == "default")
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(pods.len(), 2);
    assert!(pods.iter().all(|n| n.starts_with("api-")), "{pods:?}");
    println!(
        "revisions: first future {}, second future {}",
        live.revision, again.revision
    );
}
