//! The `sim` command family: fault injection and cluster changes the learner triggers from the
//! terminal (`sim node fail kind-worker`). Each prints one short confirmation line; errors start
//! with `sim:` and exit 1.

use super::outcome::Outcome;
use super::printers::{human_duration, table};
use crate::sim::kubelet::go_duration;
use crate::sim::Sim;

pub const HELP: &str = "\
sim: change the simulated machines, network, registry and cloud (the control plane finds out on its own)

Nodes:
  sim node add [NAME] [--zone Z]      a new machine joins; its kubelet registers the Node
  sim node remove NODE                shut the machine down and delete its Node
  sim node fail NODE                  the kubelet stops: no heartbeats, containers keep running unseen
  sim node partition NODE             cut the node off the network (same, seen from the control plane)
  sim node recover NODE               the kubelet (or the network) is back
Cloud:
  sim cloud delete-instance NODE      the machine vanishes; the cloud controller deletes its Node
  sim cloud routes                    the pod-network routes the route controller made
Containers and images:
  sim container crash POD [-c CONTAINER] [-n NAMESPACE]
                                      kill the container's process (exit code 137)
  sim image break IMAGE               pulls of IMAGE fail from now on
  sim image fix IMAGE                 pulls of IMAGE succeed again
Clock:
  sim time                            the virtual clock and the time since the start
  sim help                            this help
";

fn usage(msg: &str) -> Outcome {
    Outcome {
        stderr: format!("sim: {msg}\nRun 'sim help' for usage.\n"),
        exit_code: 1,
        ..Default::default()
    }
}

fn done(r: Result<String, String>) -> Outcome {
    match r {
        Ok(s) => Outcome::ok(s),
        Err(e) => Outcome::err(format!("{e}\n")),
    }
}

/// Takes `--name V`, `--name=V` (or the short form) out of `words`.
fn take_flag(
    words: &mut Vec<String>,
    long: &str,
    short: Option<&str>,
) -> Result<Option<String>, String> {
    let mut value = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].clone();
        let is = w == format!("--{long}") || short.is_some_and(|s| w == s);
        if is {
            if i + 1 >= words.len() {
                return Err(format!("flag needs an argument: {w}"));
            }
            value = Some(words.remove(i + 1));
            words.remove(i);
            continue;
        }
        if let Some(v) = w.strip_prefix(&format!("--{long}=")) {
            value = Some(v.to_string());
            words.remove(i);
            continue;
        }
        i += 1;
    }
    Ok(value)
}

/// Runs `sim WORDS...`.
pub fn sim(sim: &mut Sim, words: &[String]) -> Outcome {
    let mut w: Vec<String> = words.to_vec();
    let Some(group) = w.first().cloned() else {
        return Outcome::ok(HELP);
    };
    w.remove(0);
    if let Some(bad) = w.iter().find(|a| {
        a.starts_with('-')
            && !matches!(
                a.split('=').next(),
                Some("--zone" | "-c" | "--container" | "-n" | "--namespace")
            )
    }) {
        return usage(&format!("unknown flag: {bad}"));
    }
    match group.as_str() {
        "help" | "--help" | "-h" => Outcome::ok(HELP),
        "time" => {
            let ms = sim.elapsed_ms();
            Outcome::ok(format!(
                "virtual time {} (elapsed {})\n",
                sim.clock().now_rfc3339(),
                go_duration(ms - ms % 1000)
            ))
        }
        "node" => {
            let zone = match take_flag(&mut w, "zone", None) {
                Ok(z) => z,
                Err(e) => return usage(&e),
            };
            let Some(verb) = w.first().cloned() else {
                return usage("node: expected add, remove, fail, partition or recover");
            };
            let args = &w[1..];
            if zone.is_some() && verb != "add" {
                return usage("--zone only applies to `sim node add`");
            }
            match (verb.as_str(), args) {
                ("add", []) => done(sim.node_add(None, zone.as_deref())),
                ("add", [name]) => done(sim.node_add(Some(name), zone.as_deref())),
                ("remove" | "fail" | "partition" | "recover", [node]) => {
                    done(match verb.as_str() {
                        "remove" => sim.node_remove(node),
                        "fail" => sim.node_fail(node),
                        "partition" => sim.node_partition(node),
                        _ => sim.node_recover(node),
                    })
                }
                ("add", _) => usage("usage: sim node add [NAME] [--zone Z]"),
                ("remove" | "fail" | "partition" | "recover", _) => {
                    usage(&format!("usage: sim node {verb} NODE"))
                }
                (other, _) => usage(&format!("unknown node command \"{other}\"")),
            }
        }
        "cloud" => match (w.first().map(String::as_str), &w.get(1..).unwrap_or(&[])) {
            (Some("delete-instance"), [node]) => done(sim.cloud_delete_instance(node)),
            (Some("delete-instance"), _) => usage("usage: sim cloud delete-instance NODE"),
            (Some("routes"), []) => routes(sim),
            (Some(other), _) => usage(&format!("unknown cloud command \"{other}\"")),
            (None, _) => usage("cloud: expected delete-instance or routes"),
        },
        "container" => {
            let (c, ns) = match (
                take_flag(&mut w, "container", Some("-c")),
                take_flag(&mut w, "namespace", Some("-n")),
            ) {
                (Ok(c), Ok(n)) => (c, n.unwrap_or_else(|| "default".into())),
                (Err(e), _) | (_, Err(e)) => return usage(&e),
            };
            match (w.first().map(String::as_str), &w.get(1..).unwrap_or(&[])) {
                (Some("crash"), [pod]) => {
                    let pod = pod
                        .strip_prefix("pod/")
                        .or_else(|| pod.strip_prefix("pods/"))
                        .unwrap_or(pod);
                    done(sim.container_crash(&ns, pod, c.as_deref()))
                }
                (Some("crash"), _) => usage("usage: sim container crash POD [-c CONTAINER]"),
                (Some(other), _) => usage(&format!("unknown container command \"{other}\"")),
                (None, _) => usage("container: expected crash"),
            }
        }
        "image" => match (w.first().map(String::as_str), &w.get(1..).unwrap_or(&[])) {
            (Some("break"), [image]) => done(sim.image_break(image)),
            (Some("fix"), [image]) => done(sim.image_fix(image)),
            (Some(v @ ("break" | "fix")), _) => usage(&format!("usage: sim image {v} IMAGE")),
            (Some(other), _) => usage(&format!("unknown image command \"{other}\"")),
            (None, _) => usage("image: expected break or fix"),
        },
        other => usage(&format!("unknown command \"{other}\"")),
    }
}

/// `sim cloud routes`: the route table of the simulated cloud.
fn routes(sim: &Sim) -> Outcome {
    let now = sim.elapsed_ms();
    let rows: Vec<Vec<String>> = sim
        .cloud()
        .routes
        .values()
        .map(|r| {
            vec![
                r.name.clone(),
                r.destination.clone(),
                r.target.clone(),
                human_duration((now.saturating_sub(r.created_ms) / 1000) as i64),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Outcome::ok("No routes.\n");
    }
    let mut all = vec![["NAME", "DESTINATION", "TARGET", "AGE"]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()];
    all.extend(rows);
    Outcome::ok(table(&all))
}

/// Whether a command line injects a fault (`sim help`, "Nodes", "Cloud", "Containers and
/// images"): a node failing, cut off or removed, its cloud instance deleted, a container killed or
/// an image made unpullable (recovering and fixing are not). The page's timeline marks these
/// apart from other commands.
pub fn is_fault(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().take(3).collect();
    matches!(
        words.as_slice(),
        ["sim", "node", "fail" | "partition" | "remove", ..]
            | ["sim", "cloud", "delete-instance", ..]
            | ["sim", "container", "crash", ..]
            | ["sim", "image", "break", ..]
    )
}

#[cfg(test)]
mod tests {
    use super::is_fault;

    #[test]
    fn faults_are_the_sim_commands_that_break_something() {
        for f in [
            "sim node fail kind-worker",
            "sim node partition kind-worker2",
            "sim node remove kind-worker",
            "sim cloud delete-instance kind-worker",
            "sim container crash web-1",
            "  sim image break nginx:1.27",
        ] {
            assert!(is_fault(f), "{f}");
        }
        for ok in [
            "sim node recover kind-worker",
            "sim node add",
            "sim image fix nginx",
            "sim time",
            "kubectl delete node kind-worker",
            "echo sim node fail x",
            "sim",
        ] {
            assert!(!is_fault(ok), "{ok}");
        }
    }
}
