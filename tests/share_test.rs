//! Share links: a session played the way the page plays it (uneven ticks, waiting and streaming
//! commands, a heredoc, a lesson's ticks) is encoded into a URL fragment, decoded, and replayed in
//! a fresh session: the cluster, the YAML, the narration and the events come out identical, and
//! the terminal shows the same commands.

use kubeplay::kubectl::Wait;
use kubeplay::lessons::share::{decode, replay, replay_with_limit, Shared};
use kubeplay::lessons::{find_lesson, Playground};
use kubeplay::sim::SimConfig;

/// A terminal as the page keeps it: commands, their output, and the one waiting command.
#[derive(Default)]
struct Term {
    blocks: Vec<(String, String)>,
    waiting: Option<Wait>,
}

impl Term {
    fn poll(&mut self, pg: &Playground) {
        if let Some(w) = self.waiting.as_mut() {
            let p = pg.poll(w);
            if let Some(b) = self.blocks.last_mut() {
                b.1.push_str(&p.stdout);
                b.1.push_str(&p.stderr);
            }
            if p.done {
                self.waiting = None;
            }
        }
    }

    fn run(&mut self, pg: &mut Playground, line: &str) {
        if pg.in_heredoc() {
            let mut o = pg.run_line(line);
            if let Some(b) = self.blocks.last_mut() {
                b.0.push_str("\n> ");
                b.0.push_str(line);
                if !o.more {
                    b.1.push_str(&o.stdout);
                    b.1.push_str(&o.stderr);
                    self.waiting = o.wait.take();
                    self.poll(pg);
                }
            }
            return;
        }
        if self.waiting.take().is_some() {
            if let Some(b) = self.blocks.last_mut() {
                b.1.push_str("^C\n");
            }
        }
        let mut o = pg.run_line(line);
        self.blocks
            .push((line.to_string(), format!("{}{}", o.stdout, o.stderr)));
        self.waiting = o.wait.take();
        self.poll(pg);
    }

    /// One wall-clock tick of the page: time passes, then the waiting command is polled.
    fn tick(&mut self, pg: &mut Playground, ms: u64) {
        pg.advance(ms);
        self.poll(pg);
    }
}

fn assert_same(a: &Playground, b: &Playground) {
    assert_eq!(a.elapsed_ms(), b.elapsed_ms());
    assert_eq!(a.view(), b.view());
    assert_eq!(a.decisions_since(0).0, b.decisions_since(0).0);
    assert_eq!(a.shell().sim().events(), b.shell().sim().events());
    assert_eq!(a.inputs(), b.inputs());
}

#[test]
fn a_sandbox_session_replays_exactly() {
    let mut pg = Playground::new(SimConfig::default());
    let mut term = Term::default();
    let ticks = [50u64, 37, 120, 5, 500, 50];
    let mut k = 0;
    let mut tick = |pg: &mut Playground, term: &mut Term, n: usize| {
        for _ in 0..n {
            term.tick(pg, ticks[k % ticks.len()]);
            k += 1;
        }
    };
    tick(&mut pg, &mut term, 10);
    term.run(
        &mut pg,
        "kubectl create deployment web --image=nginx --replicas=3",
    );
    tick(&mut pg, &mut term, 30);
    term.run(
        &mut pg,
        "kubectl annotate deployment web note='<img src=x onerror=alert(1)>'",
    );
    term.run(&mut pg, "kubectl get pods");
    tick(&mut pg, &mut term, 20);
    // A delete waits through the grace period while time runs.
    term.run(&mut pg, "kubectl delete pod -l app=web");
    while term.waiting.is_some() {
        tick(&mut pg, &mut term, 1);
    }
    term.run(&mut pg, "cat > cm.yaml <<EOF");
    for l in [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: extra",
        "EOF",
    ] {
        term.run(&mut pg, l);
    }
    term.run(&mut pg, "kubectl apply -f cm.yaml");
    term.run(&mut pg, "kubectl set image deployment/web nginx=nginx:1.27");
    term.run(&mut pg, "kubectl get pods -w");
    tick(&mut pg, &mut term, 15);
    // Ctrl-C (the page drops the wait and logs it), then more time.
    if term.waiting.take().is_some() {
        term.blocks.last_mut().unwrap().1.push_str("^C\n");
        pg.interrupt();
    }
    term.run(&mut pg, "sim node fail kind-worker2");
    tick(&mut pg, &mut term, 40);
    // A streaming command stopped as the last thing done: the replay ends it there too.
    term.run(&mut pg, "kubectl get deploy -w");
    tick(&mut pg, &mut term, 3);
    term.waiting = None;
    term.blocks.last_mut().unwrap().1.push_str("^C\n");
    pg.interrupt();
    tick(&mut pg, &mut term, 3);

    let shared = Shared::of(&pg);
    let fragment = shared.encode();
    assert!(fragment.len() < 2_000, "{} characters", fragment.len());
    let back = decode(&format!("#{fragment}")).unwrap().unwrap();
    assert_eq!(back, shared);
    let r = replay(&back).unwrap();
    assert_same(&pg, &r.pg);
    let commands: Vec<&str> = r.commands.iter().map(|c| c.command.as_str()).collect();
    let expected: Vec<&str> = term.blocks.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(commands, expected);
    // Non-streaming output is the same bytes.
    for (c, b) in r.commands.iter().zip(&term.blocks) {
        if !c.command.contains(" -w") {
            assert_eq!(format!("{}{}", c.stdout, c.stderr), b.1, "{}", c.command);
        }
    }
    assert!(r.commands[1].stdout.contains("annotated"));
    assert!(
        r.waiting.is_none(),
        "the stopped watch still streams in the replay"
    );
    let last = r.commands.last().unwrap();
    assert!(
        last.stdout.ends_with("^C\n") && last.exit_code == 130,
        "{last:?}"
    );
    // The replayed session goes on like the original.
    let mut a = pg;
    let mut b = r.pg;
    a.advance(60_000);
    b.advance(60_000);
    assert_eq!(
        a.run_to_end("kubectl get pods -o wide"),
        b.run_to_end("kubectl get pods -o wide")
    );
    assert_same(&a, &b);
}

#[test]
fn a_past_moment_replays_exactly() {
    let mut pg = Playground::new(SimConfig::default());
    pg.advance(2_000);
    pg.run_line("kubectl create deployment web --image=nginx --replicas=2");
    pg.advance(20_000);
    pg.run_line("kubectl scale deployment web --replicas=4");
    pg.advance(20_000);
    let past = pg.at(15_000);
    let r = replay(&decode(&Shared::of(&past).encode()).unwrap().unwrap()).unwrap();
    assert_same(&past, &r.pg);
    assert_eq!(r.commands.len(), 1);
}

#[test]
fn a_lesson_session_replays_with_its_ticks() {
    let lesson = find_lesson("first-deployment").unwrap();
    let mut pg = Playground::for_lesson(&lesson).unwrap();
    let sol = pg.lesson().unwrap().solution();
    for line in &sol {
        pg.run_line(line);
        pg.check_lesson();
    }
    for _ in 0..60 {
        pg.advance(500);
        pg.check_lesson();
    }
    let step = pg.lesson().unwrap().step_index();
    assert!(step >= 1, "the first step's solution did not tick it");
    let shared = Shared::of(&pg);
    let f = shared.encode();
    assert!(f.contains("lesson=first-deployment"), "{f}");
    let r = replay(&decode(&f).unwrap().unwrap()).unwrap();
    assert_same(&pg, &r.pg);
    assert_eq!(r.pg.lesson().unwrap().step_index(), step);
}

#[test]
fn an_unknown_lesson_is_an_error() {
    let f = "v=1&lesson=no-such-lesson&t=0&in=";
    let s = decode(f).unwrap().unwrap();
    let e = replay(&s).err().unwrap();
    assert!(e.contains("no lesson"), "{e}");
}

#[test]
fn a_seed_is_kept() {
    let mut pg = Playground::new(SimConfig {
        seed: 42,
        ..SimConfig::default()
    });
    pg.run_line("kubectl run p --image=nginx");
    pg.advance(5_000);
    let f = Shared::of(&pg).encode();
    assert!(f.contains("seed=42"), "{f}");
    let r = replay(&decode(&f).unwrap().unwrap()).unwrap();
    assert_same(&pg, &r.pg);
}

#[test]
fn too_much_work_is_refused() {
    let mut pg = Playground::new(SimConfig::default());
    pg.run_line("kubectl create deployment web --image=nginx --replicas=40");
    pg.advance(60_000);
    let s = decode(&Shared::of(&pg).encode()).unwrap().unwrap();
    let e = replay_with_limit(&s, 30).err().unwrap();
    assert!(e.contains("too heavy"), "{e}");
    // With room enough it replays.
    assert!(replay_with_limit(&s, 1_000_000).is_ok());
}
