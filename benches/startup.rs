//! `cargo bench --bench startup`: what the page does natively before and for its first answer —
//! boot the kind cluster (`Playground::new`), read the lesson map (`lessons::index`, the build-time
//! index, beside `lessons::catalog`, the full parse it replaced at start-up), draw the first view
//! and answer `kubectl get nodes`. Medians of wall time (a benchmark, never a timed test; the
//! page's own numbers, in headless Chromium, come from `benches/browser.mjs`).

use kubeplay::lessons::{self, Playground};
use kubeplay::sim::SimConfig;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    // In `cargo test --all-targets` (no `--bench`) one run of each keeps the check cheap.
    let runs = if std::env::args().any(|a| a == "--bench") {
        31
    } else {
        1
    };
    let boot = time(runs, || Playground::new(SimConfig::default()));
    let index = time(runs, lessons::index);
    let catalog = time(runs, lessons::catalog);
    let view = time(runs, || Playground::new(SimConfig::default()).view());
    let answer = time(runs, || {
        let mut pg = Playground::new(SimConfig::default());
        pg.run_line("kubectl get nodes")
    });
    println!("startup ({runs} runs, medians):");
    println!("  boot the kind cluster (Playground::new)     {boot:>10.3?}");
    println!("  lesson map index (lessons::index)           {index:>10.3?}");
    println!("  every lesson parsed (lessons::catalog)      {catalog:>10.3?}");
    println!("  boot + first view (Playground::view)        {view:>10.3?}");
    println!("  boot + `kubectl get nodes`                  {answer:>10.3?}");
}
