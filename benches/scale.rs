//! `cargo bench --bench scale`: a Deployment scaled to 10,000 replicas on 100 worker nodes must
//! converge natively in seconds. Prints wall time per scenario (a benchmark, never a timed test).

fn main() {
    // `cargo test --all-targets` builds benches in test mode and runs them with `--bench` absent:
    // keep that run small so tests stay fast; `cargo bench` runs the full scenario.
    let full = std::env::args().any(|a| a == "--bench");
    let scenarios: &[(usize, usize)] = if full {
        &[(3, 3), (20, 1_000), (100, 10_000)]
    } else {
        &[(3, 3)]
    };
    for &(nodes, replicas) in scenarios {
        println!("{}", kubeplay::cli::bench(1, nodes, replicas));
    }
}
