//! "Why does this object look like this?": the chain of causes the inspector's Why tab shows,
//! built from what the simulation records: the provenance of every write (which command or
//! component wrote it, what changed, the decision it acted on), the controlling owners
//! (ownerReferences), and the Events about the object and about its owners that name it.

use crate::sim::object::Object;
use crate::sim::provenance::{change, ActorKind};
use crate::sim::store::ObjKey;
use crate::sim::{Kind, Sim};

/// Who made a line happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// A command line that was run (by the learner, or a lesson's setup).
    Command(String),
    /// A component of the cluster (`replicaset-controller`, `default-scheduler`, `kubelet/x`).
    Component(String),
    /// The cluster's setup: kind's (`kind create cluster`) or a command of a lesson's setup.
    Setup(String),
}

/// One cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyLine {
    /// Virtual ms.
    pub at_ms: u64,
    pub who: Who,
    /// What was done, in words (`created ReplicaSet web-7d4b9`, `bound it to a node`).
    pub did: String,
    /// The decision it acted on, as the narration words it.
    pub because: Option<String>,
    /// The object this line is about, when it is an owner rather than the inspected object.
    pub about: Option<ObjKey>,
    /// An Event (reason) rather than a write.
    pub event: Option<String>,
    /// How many times in a row it happened (status writes of one component fold into one line).
    pub times: u32,
}

/// The chain of causes for one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Why {
    /// `Why is web-7d4b9-x2kqp Running on kind-worker2?`
    pub question: String,
    /// The controlling owners, nearest first (ReplicaSet, then Deployment).
    pub owners: Vec<ObjKey>,
    pub lines: Vec<WhyLine>,
}

/// Owners followed at most this far up.
const MAX_DEPTH: usize = 4;

fn words(c: u16, kind: Kind, name: &str, node: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if c & change::CREATED != 0 {
        parts.push(format!("created {} {name}", kind.name()));
    }
    if c & change::REMOVED != 0 {
        parts.push(format!("removed {} {name} from the store", kind.name()));
    }
    if c & change::TERMINATING != 0 {
        parts.push("asked for its deletion (Terminating)".into());
    }
    if c & change::SPEC != 0 {
        parts.push(match kind {
            Kind::ConfigMap | Kind::Secret => "changed its data".into(),
            _ => "changed its spec".into(),
        });
    }
    if c & change::BOUND != 0 {
        parts.push(match node {
            Some(n) => format!("bound it to {n}"),
            None => "bound it to a node".into(),
        });
    }
    if c & change::LABELS != 0 {
        parts.push("changed its labels".into());
    }
    if c & change::ANNOTATIONS != 0 {
        parts.push("changed its annotations".into());
    }
    if c & change::OWNERS != 0 {
        parts.push("changed its ownerReferences".into());
    }
    if c & change::FINALIZERS != 0 {
        parts.push("changed its finalizers".into());
    }
    if c & change::STATUS != 0 {
        parts.push("updated its status".into());
    }
    parts.join(", ")
}

/// True when `text` names `name` as a whole word (not a prefix of a longer name).
fn names(text: &str, name: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(|c| part(c) && c != '.')
    })
}

fn question(obj: &Object) -> String {
    match obj.as_pod() {
        Some(p) => {
            let s = crate::sim::podutil::summary(p);
            match crate::sim::podutil::node(p) {
                Some(n) => format!("Why is {} {} on {n}?", obj.name(), s.status),
                None => format!("Why is {} {} with no node?", obj.name(), s.status),
            }
        }
        None => format!(
            "Why does {} {} look like this?",
            obj.kind().name(),
            obj.name()
        ),
    }
}

/// The chain of causes for the object at `key` in `sim` (None if it does not exist).
pub fn why(sim: &Sim, key: &ObjKey) -> Option<Why> {
    let obj = sim.get(key)?.clone();
    // The object and its controlling owners, nearest first.
    let mut chain: Vec<std::rc::Rc<Object>> = vec![obj.clone()];
    while chain.len() <= MAX_DEPTH {
        let Some(r) = chain.last().and_then(|o| o.controller_ref()) else {
            break;
        };
        let Some(owner) = sim.store().get_by_uid(&r.uid) else {
            break;
        };
        if chain.iter().any(|o| o.uid() == owner.uid()) {
            break;
        }
        chain.push(owner.clone());
    }
    let prov = sim.provenance();
    let decisions = sim.decisions();
    let node = obj
        .as_pod()
        .and_then(crate::sim::podutil::node)
        .map(str::to_string);
    let mut lines: Vec<(u64, usize, WhyLine)> = Vec::new();
    let mut seq = 0;
    for (depth, o) in chain.iter().enumerate() {
        let okey = ObjKey::of(o);
        let about = (depth > 0).then(|| okey.clone());
        let mut last_status: Option<(u32, usize)> = None;
        for w in prov.writes_of(o.uid()) {
            // Owners: what was asked of them and what their controllers did, not every status write.
            let meaningful = w.change & !change::STATUS != 0;
            if depth > 0 && !meaningful {
                continue;
            }
            let Some(actor) = prov.actor(w.actor) else {
                continue;
            };
            let because = w
                .decision
                .and_then(|i| decisions.get(i as usize))
                .map(|d| d.message.clone());
            // Status writes of one component in a row, with no decision of their own, fold into one.
            if !meaningful && because.is_none() {
                if let Some((a, idx)) = last_status {
                    if a == w.actor {
                        if let Some((_, _, l)) = lines.get_mut(idx) {
                            l.times += 1;
                        }
                        continue;
                    }
                }
            }
            let who = match actor.kind {
                ActorKind::Command => Who::Command(actor.name.to_string()),
                ActorKind::Component => Who::Component(actor.name.to_string()),
                ActorKind::Setup => Who::Setup(actor.name.to_string()),
            };
            let did = words(
                w.change,
                okey.kind,
                &okey.name,
                if depth == 0 { node.as_deref() } else { None },
            );
            last_status = (!meaningful && because.is_none()).then_some((w.actor, lines.len()));
            if meaningful {
                last_status = None;
            }
            lines.push((
                w.at_ms,
                seq,
                WhyLine {
                    at_ms: w.at_ms,
                    who,
                    did,
                    because,
                    about: about.clone(),
                    event: None,
                    times: 1,
                },
            ));
            seq += 1;
        }
        // Events: all of the object's own; an owner's only when they name the next object down.
        let child = (depth > 0).then(|| chain[depth - 1].name().to_string());
        for e in sim.events() {
            if e.object_uid != o.uid() {
                continue;
            }
            if let Some(c) = &child {
                if !names(&e.message, c) {
                    continue;
                }
            }
            let who = Who::Component(match &e.host {
                Some(h) => format!("{}/{h}", e.source),
                None => e.source.clone(),
            });
            lines.push((
                e.first_ms,
                seq,
                WhyLine {
                    at_ms: e.first_ms,
                    who,
                    did: e.message.clone(),
                    because: None,
                    about: about.clone(),
                    event: Some(e.reason.clone()),
                    times: e.count,
                },
            ));
            seq += 1;
        }
    }
    lines.sort_by_key(|(at, s, _)| (*at, *s));
    Some(Why {
        question: question(&obj),
        owners: chain.iter().skip(1).map(|o| ObjKey::of(o)).collect(),
        lines: lines.into_iter().map(|(_, _, l)| l).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_matches_whole_object_names() {
        assert!(names("Created pod: web-7d4b9-x2kqp", "web-7d4b9-x2kqp"));
        assert!(names("Scaled up replica set web-7d4b9 to 3", "web-7d4b9"));
        assert!(!names("Created pod: web-7d4b9-x2kqp", "web-7d4b9"));
        assert!(names(
            "ReplicaSet \"web-7d4b9\" has successfully progressed.",
            "web-7d4b9"
        ));
    }
}

#[cfg(test)]
mod session_tests {
    use crate::lessons::Playground;
    use crate::sim::{Kind, SimConfig};

    use super::Who;

    fn line_of<'a>(w: &'a super::Why, who: &str, did: &str) -> Option<&'a super::WhyLine> {
        w.lines.iter().find(|l| {
            let name = match &l.who {
                Who::Command(c) | Who::Component(c) => c.as_str(),
                Who::Setup(c) => c.as_str(),
            };
            name.starts_with(who) && l.did.contains(did)
        })
    }

    #[test]
    fn a_pod_s_why_runs_from_the_command_through_the_controllers_to_the_kubelet() {
        let mut p = Playground::new(SimConfig::default());
        p.run_to_end("kubectl create deployment web --image=nginx --replicas=2")
            .expect("create");
        p.advance(10_000);
        p.run_to_end("kubectl scale deployment web --replicas=3")
            .expect("scale");
        p.advance(10_000);
        let view = p.view();
        let pod = view
            .nodes
            .iter()
            .flat_map(|n| n.pods.iter())
            .find(|x| x.name.starts_with("web-"))
            .expect("a web pod")
            .clone();
        let w = p.object_why(Kind::Pod, "default", &pod.name).expect("why");
        let node = pod.node.clone().expect("bound");
        assert_eq!(
            w.question,
            format!("Why is {} Running on {node}?", pod.name)
        );
        assert_eq!(w.owners.len(), 2, "ReplicaSet, then Deployment");
        assert_eq!(w.owners[1].kind, Kind::Deployment);

        let typed = line_of(
            &w,
            "kubectl create deployment web",
            "created Deployment web",
        )
        .expect("the command that created the Deployment");
        assert_eq!(typed.about.as_ref().map(|k| k.name.as_str()), Some("web"));
        let scaled = line_of(&w, "kubectl scale deployment web", "changed its spec")
            .expect("the scale command");
        assert!(scaled.at_ms > typed.at_ms);
        let rs = line_of(&w, "deployment-controller", "created ReplicaSet web-")
            .expect("the deployment controller made the ReplicaSet");
        assert!(rs.because.is_some(), "with its decision");
        let created = line_of(
            &w,
            "replicaset-controller",
            &format!("created Pod {}", pod.name),
        )
        .expect("the ReplicaSet controller made the pod");
        assert!(
            created
                .because
                .as_deref()
                .is_some_and(|b| b.contains("creating")),
            "{created:?}"
        );
        let bound = line_of(&w, "default-scheduler", &format!("bound it to {node}"))
            .expect("the scheduler bound it");
        assert!(bound
            .because
            .as_deref()
            .is_some_and(|b| b.contains(&format!("bound {} to {node}", pod.name))));
        assert!(line_of(&w, &format!("kubelet/{node}"), "updated its status").is_some());
        assert!(w
            .lines
            .iter()
            .any(|l| l.event.as_deref() == Some("Started")));
        assert!(w
            .lines
            .iter()
            .any(|l| l.event.as_deref() == Some("SuccessfulCreate") && l.did.contains(&pod.name)));
        // In causal order.
        assert!(
            typed.at_ms <= rs.at_ms && rs.at_ms <= created.at_ms && created.at_ms <= bound.at_ms
        );
        // Deterministic: the same session gives the same chain.
        let mut q = Playground::new(SimConfig::default());
        q.run_to_end("kubectl create deployment web --image=nginx --replicas=2")
            .expect("create");
        q.advance(10_000);
        q.run_to_end("kubectl scale deployment web --replicas=3")
            .expect("scale");
        q.advance(10_000);
        assert_eq!(q.object_why(Kind::Pod, "default", &pod.name), Some(w));
    }

    #[test]
    fn a_rewound_session_tells_the_why_of_that_moment() {
        let mut p = Playground::new(SimConfig::default());
        p.run_to_end("kubectl create configmap c --from-literal=a=1")
            .expect("create");
        p.advance(5_000);
        p.run_to_end("kubectl label configmap c x=1")
            .expect("label");
        p.advance(5_000);
        let now = p.object_why(Kind::ConfigMap, "default", "c").expect("why");
        assert!(now.lines.iter().any(|l| l.did == "changed its labels"));
        let past = p.at(2_000 + p.earliest_ms());
        let then = past
            .object_why(Kind::ConfigMap, "default", "c")
            .expect("why then");
        assert!(then.lines.iter().any(|l| l.did == "created ConfigMap c"));
        assert!(!then.lines.iter().any(|l| l.did == "changed its labels"));
    }
}

#[cfg(test)]
mod setup_tests {
    use crate::lessons::Playground;
    use crate::sim::{Kind, SimConfig};

    use super::Who;

    #[test]
    fn a_lesson_s_setup_commands_are_not_the_learner_s() {
        let mut p = Playground::new(SimConfig::default());
        p.shell.sim_mut().commands_are_setup(true);
        p.run_to_end("kubectl create configmap given --from-literal=a=1")
            .expect("setup");
        p.shell.sim_mut().commands_are_setup(false);
        p.run_to_end("kubectl label configmap given mine=yes")
            .expect("label");
        let w = p
            .object_why(Kind::ConfigMap, "default", "given")
            .expect("why");
        let who: Vec<&Who> = w.lines.iter().map(|l| &l.who).collect();
        assert_eq!(
            who,
            vec![
                &Who::Setup("kubectl create configmap given --from-literal=a=1".into()),
                &Who::Command("kubectl label configmap given mine=yes".into()),
            ]
        );
        // kind's own objects were made by its setup.
        let ns = p
            .object_why(Kind::Namespace, "", "kube-system")
            .expect("why");
        assert!(matches!(&ns.lines[0].who, Who::Setup(s) if s == "kind create cluster"));
    }
}
