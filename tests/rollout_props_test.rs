//! Property test (issue 4, "Done when"): random rollouts of a Deployment — random replicas,
//! maxSurge / maxUnavailable (ints and percentages), image changes mid-rollout (to a bad image and
//! back), injected pod failures (`sim container crash`, pod deletion) — checked after every engine
//! step:
//! - non-terminating pods ≤ replicas + maxSurge;
//! - once the Deployment was first fully available, ready pods ≥ replicas − maxUnavailable, except
//!   while the cluster recovers from a failure the test injected;
//! - in the end the Deployment converges to the last template.
//! Seeded: every case is reproducible from its seed (printed on failure).

use kubeplay::lessons::Playground;
use kubeplay::sim::store::ObjKey;
use kubeplay::sim::{podutil, Kind, SimConfig};

/// SplitMix64: a tiny deterministic generator for the cases.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// `intstr.GetScaledValueFromIntOrPercent`, rounded up (surge) or down (unavailable).
fn scaled(v: &str, total: i32, up: bool) -> i32 {
    match v.strip_suffix('%') {
        Some(p) => {
            let p: i64 = p.parse().unwrap_or(0);
            let x = p * total as i64;
            (if up { (x + 99) / 100 } else { x / 100 }) as i32
        }
        None => v.parse().unwrap_or(0),
    }
}

/// `ResolveFenceposts`: both zero means one unavailable.
fn fenceposts(surge: &str, unavail: &str, replicas: i32) -> (i32, i32) {
    let s = scaled(surge, replicas, true);
    let mut u = scaled(unavail, replicas, false);
    if s == 0 && u == 0 {
        u = 1;
    }
    (s, u)
}

struct Counts {
    active: i32,
    ready: i32,
}

fn counts(p: &Playground) -> Counts {
    let mut c = Counts {
        active: 0,
        ready: 0,
    };
    for o in p.shell().sim().store().list(Kind::Pod, Some("default")) {
        let Some(pod) = o.as_pod() else { continue };
        if pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app"))
            .map(String::as_str)
            != Some("web")
        {
            continue;
        }
        if podutil::terminating(pod) || matches!(podutil::phase(pod), "Succeeded" | "Failed") {
            continue;
        }
        c.active += 1;
        if podutil::is_ready(pod) {
            c.ready += 1;
        }
    }
    c
}

fn pods(p: &Playground) -> Vec<k8s_openapi::api::core::v1::Pod> {
    p.shell()
        .sim()
        .store()
        .list(Kind::Pod, Some("default"))
        .iter()
        .filter_map(|o| o.as_pod().cloned())
        .filter(|pod| {
            pod.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app"))
                .map(String::as_str)
                == Some("web")
        })
        .collect()
}

const GOOD: &[&str] = &[
    "nginx:1.26",
    "nginx:1.27",
    "nginx:1.28",
    "httpd:2.4",
    "nginx:1.25",
];
const BAD: &str = "nginx:does-not-exist";

enum Act {
    Image(String),
    Crash,
    Delete,
}

fn case(seed: u64) {
    let mut rng = Rng(seed);
    let replicas = 1 + rng.below(6) as i32;
    let surge = rng
        .pick(&["0", "1", "2", "25%", "50%", "100%", "3"])
        .to_string();
    let unavail = rng
        .pick(&["0", "1", "2", "25%", "50%", "0%", "3"])
        .to_string();
    let (max_surge, max_unavail) = fenceposts(&surge, &unavail, replicas);
    let ctx = format!("seed {seed}: replicas {replicas}, maxSurge {surge} ({max_surge}), maxUnavailable {unavail} ({max_unavail})");

    let mut p = Playground::new(SimConfig {
        seed,
        ..SimConfig::default()
    });
    let o = p.run_line(&format!(
        "kubectl create deployment web --image=nginx:1.27 --replicas={replicas}"
    ));
    assert_eq!(o.exit_code, 0, "{ctx}: {}", o.stderr);
    assert!(
        p.set_rolling_update("default", "web", &surge, &unavail),
        "{ctx}"
    );

    // A plan: (virtual ms, action), in order.
    let mut plan: Vec<(u64, Act)> = Vec::new();
    let mut t = 20_000 + rng.below(20_000);
    let mut last = "nginx:1.27".to_string();
    for _ in 0..(3 + rng.below(5)) {
        t += 300 + rng.below(12_000);
        let act = match rng.below(10) {
            0..=3 => {
                last = rng.pick(GOOD).to_string();
                Act::Image(last.clone())
            }
            4..=5 => {
                last = BAD.to_string();
                Act::Image(last.clone())
            }
            6..=7 => Act::Crash,
            _ => Act::Delete,
        };
        plan.push((t, act));
    }
    if last == BAD {
        t += 1_000 + rng.below(30_000);
        last = rng.pick(GOOD).to_string();
        plan.push((t, Act::Image(last.clone())));
    }
    let end = t + 600_000;

    let mut available_once = false;
    // After an injected failure, the ready check waits until the Deployment is back above its floor.
    let mut recovering = false;
    let mut steps = 0u64;
    let mut next = 0usize;
    let floor = replicas - max_unavail;
    let mut check =
        |p: &Playground, recovering: &mut bool, available_once: &mut bool, when: &str| {
            let c = counts(p);
            assert!(
                c.active <= replicas + max_surge,
                "{ctx}: {} active pods > {replicas} + {max_surge} at {} ms ({when})",
                c.active,
                p.elapsed_ms()
            );
            if c.ready >= replicas {
                *available_once = true;
            }
            if *recovering && c.ready >= floor {
                *recovering = false;
            }
            if *available_once && !*recovering {
                assert!(
                    c.ready >= floor,
                    "{ctx}: {} ready pods < {replicas} - {max_unavail} at {} ms ({when})",
                    c.ready,
                    p.elapsed_ms()
                );
            }
        };
    while p.elapsed_ms() < end {
        let due = plan.get(next).map_or(end, |(at, _)| *at);
        match p.next_task_ms() {
            Some(at) if at <= due => {
                p.step();
                steps += 1;
                check(&p, &mut recovering, &mut available_once, "step");
                continue;
            }
            _ => {
                let now = p.elapsed_ms();
                if due > now {
                    p.advance(due - now);
                }
            }
        }
        let Some((_, act)) = plan.get(next) else {
            break;
        };
        next += 1;
        match act {
            Act::Image(img) => {
                let o = p.run_line(&format!("kubectl set image deployment/web nginx={img}"));
                assert_eq!(o.exit_code, 0, "{ctx}: {}", o.stderr);
            }
            Act::Crash | Act::Delete => {
                let running: Vec<String> = pods(&p)
                    .into_iter()
                    .filter(|pod| !podutil::terminating(pod) && podutil::phase(pod) == "Running")
                    .filter_map(|pod| pod.metadata.name.clone())
                    .collect();
                if running.is_empty() {
                    continue;
                }
                let victim = running[rng.below(running.len() as u64) as usize].clone();
                let line = if matches!(act, Act::Crash) {
                    format!("sim container crash {victim}")
                } else {
                    format!("kubectl delete pod {victim} --wait=false")
                };
                let o = p.run_line(&line);
                if o.exit_code != 0 {
                    // Only a container between runs (back-off) cannot be crashed.
                    assert!(
                        o.stderr.contains("is not running"),
                        "{ctx}: {line}: {}",
                        o.stderr
                    );
                    continue;
                }
                recovering = true;
            }
        }
        check(&p, &mut recovering, &mut available_once, "after an input");
    }
    assert!(steps > 0, "{ctx}");
    if std::env::var("ROLLOUT_DEBUG").is_ok() {
        eprintln!("{ctx}: {steps} steps, {} inputs, last {last}", plan.len());
    }

    // Converged to the last template.
    let d = p
        .shell()
        .sim()
        .get(&ObjKey::new(Kind::Deployment, "default", "web"))
        .and_then(|o| o.as_deployment().cloned())
        .unwrap_or_else(|| panic!("{ctx}: deployment gone"));
    let st = d.status.clone().unwrap_or_default();
    let got = (
        st.replicas,
        st.updated_replicas,
        st.ready_replicas,
        st.available_replicas,
    );
    let want = Some(replicas);
    assert_eq!(
        got,
        (want, want, want, want),
        "{ctx}: status after convergence (last image {last})"
    );
    let live: Vec<_> = pods(&p)
        .into_iter()
        .filter(|pod| !podutil::terminating(pod))
        .collect();
    assert_eq!(live.len() as i32, replicas, "{ctx}");
    for pod in &live {
        let img = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.clone());
        assert_eq!(img.as_deref(), Some(last.as_str()), "{ctx}");
        assert!(podutil::is_ready(pod), "{ctx}");
    }
    let out = p.run_line("kubectl rollout status deployment/web --watch=false");
    assert_eq!(
        out.stdout, "deployment \"web\" successfully rolled out\n",
        "{ctx}"
    );
}

#[test]
fn random_rollouts_keep_deployment_invariants() {
    let n: u64 = std::env::var("ROLLOUT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    for seed in 1..=n {
        case(seed);
    }
}
