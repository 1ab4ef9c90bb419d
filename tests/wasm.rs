//! The simulation compiled to WebAssembly and run in headless Chromium must behave exactly as it
//! does natively: the walking-skeleton script gives byte-for-byte the native golden output.
//!
//! Run with `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm`
//! (`.cargo/config.toml` makes `wasm-bindgen-test-runner` the runner; `scripts/test.sh` does this).
#![cfg(target_arch = "wasm32")]

use kubeplay::lessons::Playground;
use kubeplay::sim::SimConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The script `kubeplay run tests/golden/walking_skeleton.txt` ran natively to produce the golden file.
const SCRIPT: &str = include_str!("golden/walking_skeleton.txt");
const GOLDEN: &str = include_str!("golden/walking_skeleton.out");

/// Runs a script the way `kubeplay run` does (`cli::transcript`, native only): each non-blank,
/// non-comment line echoed as `$ line`, then its stdout, then its stderr; a command that waits
/// (e.g. `sleep 30s`) lets virtual time pass until it is done.
fn run_script(p: &mut Playground, script: &str) -> String {
    // The very code the native golden test runs (`kubeplay::lessons::transcript`), which has
    // no editor for `kubectl edit`.
    p.set_editor(false);
    p.run_script(script)
}

#[wasm_bindgen_test]
fn script_is_the_walking_skeleton() {
    let lines: Vec<&str> = SCRIPT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines,
        [
            "kubectl create deployment web --image=nginx --replicas=3",
            "sleep 30s",
            "kubectl get pods",
        ]
    );
}

#[wasm_bindgen_test]
fn walking_skeleton_matches_native_golden_output() {
    let mut p = Playground::new(SimConfig::default());
    let got = run_script(&mut p, SCRIPT);
    assert_eq!(
        got, GOLDEN,
        "wasm output differs from tests/golden/walking_skeleton.out\n--- wasm:\n{got}"
    );
}

/// The other native golden scripts, which must also print the same bytes in the browser.
const OTHER_GOLDENS: &[(&str, &str, &str)] = &[
    (
        "edit",
        include_str!("golden/edit.txt"),
        include_str!("golden/edit.out"),
    ),
    (
        "finalizer_pod",
        include_str!("golden/finalizer_pod.txt"),
        include_str!("golden/finalizer_pod.out"),
    ),
    (
        "json_order",
        include_str!("golden/json_order.txt"),
        include_str!("golden/json_order.out"),
    ),
    (
        "edit_replace",
        include_str!("golden/edit_replace.txt"),
        include_str!("golden/edit_replace.out"),
    ),
    (
        "dry_run",
        include_str!("golden/dry_run.txt"),
        include_str!("golden/dry_run.out"),
    ),
    (
        "kubectl_basics",
        include_str!("golden/kubectl_basics.txt"),
        include_str!("golden/kubectl_basics.out"),
    ),
    (
        "output_formats",
        include_str!("golden/output_formats.txt"),
        include_str!("golden/output_formats.out"),
    ),
    (
        "events",
        include_str!("golden/events.txt"),
        include_str!("golden/events.out"),
    ),
    (
        "rollout",
        include_str!("golden/rollout.txt"),
        include_str!("golden/rollout.out"),
    ),
    (
        "rollout_workloads",
        include_str!("golden/rollout_workloads.txt"),
        include_str!("golden/rollout_workloads.out"),
    ),
    (
        "probes",
        include_str!("golden/probes.txt"),
        include_str!("golden/probes.out"),
    ),
    (
        "runtime",
        include_str!("golden/runtime.txt"),
        include_str!("golden/runtime.out"),
    ),
    (
        "logs",
        include_str!("golden/logs.txt"),
        include_str!("golden/logs.out"),
    ),
    (
        "describe",
        include_str!("golden/describe.txt"),
        include_str!("golden/describe.out"),
    ),
    (
        "services",
        include_str!("golden/services.txt"),
        include_str!("golden/services.out"),
    ),
    (
        "labels",
        include_str!("golden/labels.txt"),
        include_str!("golden/labels.out"),
    ),
    (
        "jobs",
        include_str!("golden/jobs.txt"),
        include_str!("golden/jobs.out"),
    ),
    (
        "api_resources",
        include_str!("golden/api_resources.txt"),
        include_str!("golden/api_resources.out"),
    ),
    (
        "traffic",
        include_str!("golden/traffic.txt"),
        include_str!("golden/traffic.out"),
    ),
    (
        "config_env",
        include_str!("golden/config_env.txt"),
        include_str!("golden/config_env.out"),
    ),
    (
        "field_selectors",
        include_str!("golden/field_selectors.txt"),
        include_str!("golden/field_selectors.out"),
    ),
    (
        "stateful_shop",
        include_str!("golden/stateful_shop.txt"),
        include_str!("golden/stateful_shop.out"),
    ),
    (
        "wait",
        include_str!("golden/wait.txt"),
        include_str!("golden/wait.out"),
    ),
    (
        "taints",
        include_str!("golden/taints.txt"),
        include_str!("golden/taints.out"),
    ),
    (
        "config_volumes",
        include_str!("golden/config_volumes.txt"),
        include_str!("golden/config_volumes.out"),
    ),
    (
        "shell_and_formats",
        include_str!("golden/shell_and_formats.txt"),
        include_str!("golden/shell_and_formats.out"),
    ),
    (
        "load_balancer",
        include_str!("golden/load_balancer.txt"),
        include_str!("golden/load_balancer.out"),
    ),
    (
        "statefulset",
        include_str!("golden/statefulset.txt"),
        include_str!("golden/statefulset.out"),
    ),
    (
        "namespaces_finalizers",
        include_str!("golden/namespaces_finalizers.txt"),
        include_str!("golden/namespaces_finalizers.out"),
    ),
    (
        "nodes",
        include_str!("golden/nodes.txt"),
        include_str!("golden/nodes.out"),
    ),
    (
        "scheduling",
        include_str!("golden/scheduling.txt"),
        include_str!("golden/scheduling.out"),
    ),
    (
        "explain",
        include_str!("golden/explain.txt"),
        include_str!("golden/explain.out"),
    ),
    (
        "shell_grep",
        include_str!("golden/shell_grep.txt"),
        include_str!("golden/shell_grep.out"),
    ),
    (
        "manifests_files",
        include_str!("golden/manifests_files.txt"),
        include_str!("golden/manifests_files.out"),
    ),
    (
        "kubeconfig",
        include_str!("golden/kubeconfig.txt"),
        include_str!("golden/kubeconfig.out"),
    ),
];

#[wasm_bindgen_test]
fn other_golden_scripts_match_native_output() {
    // The page fetches kubectl explain's docs after start-up (src/ui/docs.rs); install them the
    // same way here (natively they are embedded).
    kubeplay::kubectl::explain::install(include_str!("../static/explain.json"))
        .expect("explain.json parses");
    for (name, script, golden) in OTHER_GOLDENS {
        let mut p = Playground::new(SimConfig::default());
        let got = run_script(&mut p, script);
        assert_eq!(
            &got, golden,
            "wasm output differs from tests/golden/{name}.out\n--- wasm:\n{got}"
        );
    }
}

#[wasm_bindgen_test]
fn same_seed_gives_identical_output() {
    let mut a = Playground::new(SimConfig::default());
    let mut b = Playground::new(SimConfig::default());
    let out_a = run_script(&mut a, SCRIPT);
    let out_b = run_script(&mut b, SCRIPT);
    assert_eq!(out_a, out_b);
    assert_eq!(a.elapsed_ms(), b.elapsed_ms());
    // And again on the same sessions: still in lockstep after more virtual time.
    let more = "kubectl get pods -o wide\nsleep 5m\nkubectl get deployments\n";
    assert_eq!(run_script(&mut a, more), run_script(&mut b, more));
    assert_eq!(a.elapsed_ms(), b.elapsed_ms());
}
