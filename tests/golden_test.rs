//! Golden tests: every `tests/golden/NAME.txt` script, run as `kubeplay run` runs it, must print
//! exactly `tests/golden/NAME.out`. `UPDATE_GOLDEN=1 cargo test --test golden_test` rewrites them
//! (then read the diff: each line must be what kubectl 1.32 prints).

use std::path::Path;

use kubeplay::cli::transcript;
use kubeplay::sim::SimConfig;

#[test]
fn golden_scripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for script in scripts {
        let text = std::fs::read_to_string(&script).expect("readable script");
        let got = transcript(SimConfig::default(), &text);
        let golden = script.with_extension("out");
        if update {
            std::fs::write(&golden, &got).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}:\n--- got ---\n{got}\n--- want ---\n{want}",
                golden.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
