//! `kubectl taint nodes NODE KEY[=VALUE]:EFFECT ... [KEY[:EFFECT]-] [--overwrite]`.

use k8s_openapi::api::core::v1::Taint;

use super::args::{self, flag, FlagSpec};
use super::cmd::{not_found, resolve_kind};
use super::outcome::Outcome;
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

enum Change {
    Add(Taint),
    Remove(String, Option<String>),
}

fn parse_change(s: &str) -> Result<Change, String> {
    if let Some(r) = s.strip_suffix('-') {
        let (k, e) = match r.split_once(':') {
            Some((k, e)) => (k, Some(e.to_string())),
            None => (r, None),
        };
        return Ok(Change::Remove(k.to_string(), e));
    }
    let Some((kv, effect)) = s.rsplit_once(':') else {
        return Err(format!("error: unknown taint spec: {s}"));
    };
    if !EFFECTS.contains(&effect) {
        return Err(format!(
            "error: invalid taint effect: {effect}, unsupported taint effect"
        ));
    }
    let (k, v) = match kv.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (kv, None),
    };
    if k.is_empty() {
        return Err(format!("error: invalid taint spec: {s}"));
    }
    Ok(Change::Add(Taint {
        key: k.into(),
        value: v.filter(|v| !v.is_empty()),
        effect: effect.into(),
        time_added: None,
    }))
}

pub(crate) const FLAGS: &[FlagSpec] = &[
    flag("overwrite", None, false),
    flag("all", None, false),
    flag("selector", Some('l'), true),
    flag("dry-run", None, true),
];

pub fn taint(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, FLAGS, "kubectl taint") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let mut args = p.args.clone();
    if args.is_empty() {
        return Outcome::err("error: at least one taint update is required\nSee 'kubectl taint -h' for help and examples\n");
    }
    // `nodes NAME` or `node/NAME`.
    let mut names = Vec::new();
    if let Some((t, n)) = args[0].split_once('/') {
        if resolve_kind(t) != Some(Kind::Node) {
            return Outcome::err(format!(
                "error: invalid resource type {t}, only node types are supported\n"
            ));
        }
        names.push(n.to_string());
        args.remove(0);
    } else {
        if resolve_kind(&args[0]) != Some(Kind::Node) {
            return Outcome::err(format!(
                "error: invalid resource type {}, only node types are supported\n",
                args[0]
            ));
        }
        args.remove(0);
        if !args.is_empty()
            && !args[0].contains(':')
            && !args[0].contains('=')
            && !args[0].ends_with('-')
        {
            names.push(args.remove(0));
        }
    }
    if p.bool("all") {
        names = sim
            .store()
            .list(Kind::Node, None)
            .iter()
            .map(|o| o.name().to_string())
            .collect();
    }
    if names.is_empty() {
        return Outcome::err("error: resource(s) were provided, but no name was specified\n");
    }
    if args.is_empty() {
        return Outcome::err("error: at least one taint update is required\nSee 'kubectl taint -h' for help and examples\n");
    }
    let mut changes = Vec::new();
    for a in &args {
        match parse_change(a) {
            Ok(c) => changes.push(c),
            Err(e) => return Outcome::err(format!("{e}\n")),
        }
    }
    let mut out = Outcome::default();
    for name in names {
        let key = ObjKey::new(Kind::Node, "", &name);
        let Some(obj) = sim.get(&key).cloned() else {
            let o = not_found(Kind::Node, &name);
            out.stderr.push_str(&o.stderr);
            out.exit_code = 1;
            continue;
        };
        let Some(node) = obj.as_node() else { continue };
        let mut n = node.clone();
        let taints = n
            .spec
            .get_or_insert_with(Default::default)
            .taints
            .get_or_insert_with(Vec::new);
        let mut removed = false;
        let mut added = false;
        for c in &changes {
            match c {
                Change::Add(t) => {
                    if let Some(existing) = taints
                        .iter_mut()
                        .find(|x| x.key == t.key && x.effect == t.effect)
                    {
                        if !p.bool("overwrite") {
                            return Outcome::err(format!(
                                "error: node {name} already has {} taint(s) with same effect(s) and --overwrite is false\n",
                                t.key
                            ));
                        }
                        *existing = t.clone();
                    } else {
                        taints.push(t.clone());
                    }
                    added = true;
                }
                Change::Remove(k, e) => {
                    let before = taints.len();
                    taints.retain(|x| !(x.key == *k && e.as_ref().is_none_or(|e| x.effect == *e)));
                    if taints.len() == before {
                        return Outcome::err(format!(
                            "error: taint {:?} not found\n",
                            match e {
                                Some(e) => format!("{k}:{e}"),
                                None => k.clone(),
                            }
                        ));
                    }
                    removed = true;
                }
            }
        }
        if taints.is_empty() {
            n.spec.get_or_insert_with(Default::default).taints = None;
        }
        let word = if added && removed {
            "modified"
        } else if removed {
            "untainted"
        } else {
            "tainted"
        };
        match sim.update(Object::Node(n)) {
            Ok(_) => out.stdout.push_str(&format!("node/{name} {word}\n")),
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.kubectl_message()));
                out.exit_code = 1;
            }
        }
    }
    out
}
