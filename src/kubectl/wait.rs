//! `kubectl wait --for=condition=C|delete|jsonpath={...}=V TYPE/NAME... [-l SEL|--all] [--timeout=D]`:
//! prints `TYPE/NAME condition met` as each object gets there, or times out as kubectl does.

use super::args::{self, flag, FlagSpec};
use super::cmd::{resolve_kind, split_targets};
use super::jsonpath::JsonPath;
use super::outcome::{Outcome, Progress, Wait};
use crate::sim::object::Kind;
use crate::sim::store::ObjKey;
use crate::sim::Sim;

/// What an object must reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// `condition=Ready` (or `condition=Ready=false`).
    Condition(String, String),
    Delete,
    /// `jsonpath={.status.phase}=Running`
    JsonPath(String, String),
}

/// The state of a `kubectl wait` in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitState {
    pub items: Vec<(ObjKey, String, bool)>,
    pub cond: Cond,
    pub deadline_ms: u64,
}

pub(crate) const FLAGS: &[FlagSpec] = &[
    flag("for", None, true),
    flag("timeout", None, true),
    flag("selector", Some('l'), true),
    flag("all", None, false),
    flag("all-namespaces", Some('A'), false),
    flag("filename", Some('f'), true),
    flag("output", Some('o'), true),
    flag("field-selector", None, true),
    flag("local", None, false),
];

fn parse_for(s: &str) -> Result<Cond, String> {
    if s == "delete" {
        return Ok(Cond::Delete);
    }
    if let Some(rest) = s.strip_prefix("condition=") {
        let (c, v) = match rest.split_once('=') {
            Some((c, v)) => (c, v.to_string()),
            None => (rest, "True".to_string()),
        };
        return Ok(Cond::Condition(c.to_string(), v));
    }
    if let Some(rest) = s.strip_prefix("jsonpath=") {
        let (expr, want) = match rest.rfind("}=") {
            Some(i) => (&rest[..=i], rest[i + 2..].to_string()),
            None => (rest, String::new()),
        };
        let expr = if expr.starts_with('{') {
            expr.to_string()
        } else {
            format!("{{{expr}}}")
        };
        JsonPath::parse(&expr).map_err(|e| format!("error: {e}"))?;
        return Ok(Cond::JsonPath(
            expr,
            want.trim_matches('\'').trim_matches('"').to_string(),
        ));
    }
    Err(format!("error: unrecognized condition: \"{s}\""))
}

fn met(sim: &Sim, key: &ObjKey, uid: &str, cond: &Cond) -> bool {
    let obj = sim.get(key).filter(|o| o.uid() == uid);
    match cond {
        Cond::Delete => obj.is_none(),
        Cond::Condition(c, v) => obj.is_some_and(|o| {
            let j = o.to_json_value();
            j.pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .is_some_and(|conds| {
                    conds.iter().any(|x| {
                        x.get("type")
                            .and_then(|t| t.as_str())
                            .is_some_and(|t| t.eq_ignore_ascii_case(c))
                            && x.get("status")
                                .and_then(|s| s.as_str())
                                .is_some_and(|s| s.eq_ignore_ascii_case(v))
                    })
                })
        }),
        Cond::JsonPath(expr, want) => obj.is_some_and(|o| {
            JsonPath::parse(expr)
                .map(|j| j.render(&o.to_json_value()) == *want)
                .unwrap_or(false)
        }),
    }
}

fn label(k: &ObjKey) -> String {
    format!("{}/{}", k.kind.qualified_singular(), k.name)
}

pub fn wait(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, FLAGS, "kubectl wait") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let Some(f) = p.get("for") else {
        return Outcome::err("error: --for must be specified\n");
    };
    let cond = match parse_for(f) {
        Ok(c) => c,
        Err(e) => return Outcome::err(format!("{e}\n")),
    };
    let timeout_ms = match p.get("timeout") {
        None => 30_000,
        Some(t) => match super::parse_duration_ms(t) {
            Some(ms) => ms,
            None => return Outcome::err(format!("Error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl wait --help' for usage.\n")),
        },
    };
    let ns = p.namespace();
    let mut keys: Vec<ObjKey> = Vec::new();
    let by_listing = p.args.len() == 1
        && !p.args[0].contains('/')
        && (p.bool("all") || p.get("selector").is_some());
    if by_listing {
        let Some(kind) = resolve_kind(&p.args[0]) else {
            return Outcome::err(format!(
                "error: the server doesn't have a resource type \"{}\"\n",
                p.args[0]
            ));
        };
        let sel = match super::label::selector_flag(&p) {
            Some((_, Ok(s))) => Some(s),
            Some((raw, Err(e))) => return Outcome::err(super::label::list_error(kind, &raw, &e)),
            None => None,
        };
        let scope = if kind.namespaced() && !p.bool("all-namespaces") {
            Some(ns.as_str())
        } else {
            None
        };
        for o in sim.store().list(kind, scope) {
            if sel
                .as_ref()
                .is_none_or(|s| s.matches(&o.meta().labels.clone().unwrap_or_default()))
            {
                keys.push(ObjKey::of(&o));
            }
        }
        if keys.is_empty() {
            return Outcome::err("error: no matching resources found\n");
        }
    } else {
        let targets = match split_targets(&p.args) {
            Ok(t) => t,
            Err(o) => return o,
        };
        for (kind, name) in targets {
            let key = ObjKey::new(kind, if kind.namespaced() { &ns } else { "" }, &name);
            if sim.get(&key).is_none() {
                if cond == Cond::Delete {
                    continue;
                }
                return Outcome::err(format!(
                    "Error from server (NotFound): {} \"{}\" not found\n",
                    kind.qualified_plural(),
                    name
                ));
            }
            keys.push(key);
        }
    }
    let items: Vec<(ObjKey, String, bool)> = keys
        .into_iter()
        .map(|k| {
            let uid = sim.get(&k).map(|o| o.uid().to_string()).unwrap_or_default();
            (k, uid, false)
        })
        .collect();
    let mut state = WaitState {
        items,
        cond,
        deadline_ms: sim.elapsed_ms().saturating_add(timeout_ms),
    };
    let first = poll(sim, &mut state);
    let mut out = Outcome {
        stdout: first.stdout,
        stderr: first.stderr,
        exit_code: first.exit_code,
        ..Default::default()
    };
    if !first.done {
        out.wait = Some(Wait::Cond(Box::new(state)));
    }
    out
}

/// Prints `... condition met` for each object that got there; ends when all did, or at the
/// deadline with kubectl's timeout error.
pub fn poll(sim: &Sim, w: &mut WaitState) -> Progress {
    let mut p = Progress::default();
    for (key, uid, printed) in w.items.iter_mut() {
        if !*printed && met(sim, key, uid, &w.cond) {
            *printed = true;
            p.stdout
                .push_str(&format!("{} condition met\n", label(key)));
        }
    }
    if w.items.iter().all(|i| i.2) {
        p.done = true;
        return p;
    }
    if sim.elapsed_ms() >= w.deadline_ms {
        if let Some((k, _, _)) = w.items.iter().find(|i| !i.2) {
            p.stderr.push_str(&format!(
                "error: timed out waiting for the condition on {}/{}\n",
                k.kind.plural(),
                k.name
            ));
        }
        p.done = true;
        p.exit_code = 1;
    }
    p
}

#[allow(dead_code)]
fn _kind(k: Kind) -> Kind {
    k
}
