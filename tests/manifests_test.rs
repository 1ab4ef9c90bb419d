//! The manifests from the Kubernetes documentation (../shared/manifests, CC BY 4.0, unchanged) must
//! be taken as they are: each applies cleanly on a fresh cluster (or fails exactly as a real
//! cluster would), and what it creates converges.

use std::path::{Path, PathBuf};

use kubeplay::lessons::Playground;
use kubeplay::sim::SimConfig;

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/manifests");
    p.is_dir().then_some(p)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

fn apply(p: &mut Playground, name: &str, text: &str) -> kubeplay::kubectl::Outcome {
    p.write_file(name, text);
    p.run_line(&format!("kubectl apply -f {name}"))
}

/// Kinds the simulation does not serve yet; their files are checked to fail with kubectl's
/// "no matches for kind" error rather than silently.
const NOT_YET: &[&str] = &[];

#[test]
fn every_corpus_manifest_parses_and_applies_or_is_refused_precisely() {
    let Some(dir) = corpus() else {
        eprintln!("../shared/manifests not present; skipping");
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    assert!(all.len() > 40, "corpus has {} files", all.len());
    let mut applied = 0;
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap();
        let rel = path.strip_prefix(&dir).unwrap().display().to_string();
        let mut p = Playground::new(SimConfig::default());
        let o = apply(&mut p, &rel, &text);
        let kinds_not_yet = NOT_YET.iter().any(|k| {
            text.contains(&format!("kind: {k}")) || text.contains(&format!("kind: \"{k}\""))
        });
        if o.exit_code == 0 {
            applied += 1;
            assert!(
                o.stdout.lines().all(|l| l.ends_with(" created")),
                "{rel}: {}",
                o.stdout
            );
            // Converges without panicking; every image the docs use can be pulled.
            p.advance(120_000);
            let v = p.view();
            for pod in v
                .nodes
                .iter()
                .flat_map(|n| n.pods.iter())
                .chain(v.unscheduled.iter())
            {
                assert!(
                    !matches!(
                        pod.status.as_str(),
                        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName"
                    ),
                    "{rel}: pod {} is {}",
                    pod.name,
                    pod.status
                );
            }
            // Applying again changes nothing.
            let again = apply(&mut p, &rel, &text);
            assert!(
                again
                    .stdout
                    .lines()
                    .all(|l| l.ends_with(" unchanged") || l.ends_with(" configured")),
                "{rel}: {}{}",
                again.stdout,
                again.stderr
            );
        } else {
            assert!(
                kinds_not_yet && o.stderr.contains("no matches for kind")
                    || text.contains("batch/v1beta1") && o.stderr.contains("no matches for kind"),
                "{rel} failed unexpectedly:\n{}",
                o.stderr
            );
        }
    }
    assert!(applied >= 25, "only {applied} manifests applied");
}

#[test]
fn deployment_manifest_converges_and_updates() {
    let Some(dir) = corpus() else { return };
    let mut p = Playground::new(SimConfig::default());
    let text = std::fs::read_to_string(dir.join("application/deployment.yaml")).unwrap();
    let o = apply(&mut p, "deployment.yaml", &text);
    assert_eq!(o.stdout, "deployment.apps/nginx-deployment created\n");
    p.advance(30_000);
    let o = p.run_line("kubectl get deployment nginx-deployment");
    assert!(o.stdout.contains("2/2     2            2"), "{}", o.stdout);
    let update = std::fs::read_to_string(dir.join("application/deployment-update.yaml")).unwrap();
    let o = apply(&mut p, "deployment-update.yaml", &update);
    assert_eq!(
        o.stdout, "deployment.apps/nginx-deployment configured\n",
        "{}",
        o.stderr
    );
    p.advance(60_000);
    let o = p.run_line("kubectl rollout history deployment/nginx-deployment");
    assert!(o.stdout.contains("2         <none>"), "{}", o.stdout);
    let o = p.run_line("kubectl get deploy nginx-deployment -o wide");
    assert!(o.stdout.contains("nginx:1.16.1"), "{}", o.stdout);
    // deployment-scale.yaml selects app.kubernetes.io/name: the selector is immutable.
    let scale = std::fs::read_to_string(dir.join("application/deployment-scale.yaml")).unwrap();
    let o = apply(&mut p, "deployment-scale.yaml", &scale);
    assert_ne!(o.exit_code, 0);
    assert!(o.stderr.contains("field is immutable"), "{}", o.stderr);
}
