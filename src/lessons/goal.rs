//! Lesson goals: what the live cluster must look like for a step to be done.
//!
//! A goal is a tree: `all:` / `any:` / `not:` over leaf checks. A leaf names one query and, for
//! queries that produce a value, predicates on that value:
//!
//! | query | value |
//! |---|---|
//! | `get: TARGET` + `jsonpath: TEMPLATE` | what `kubectl get TARGET -o jsonpath=TEMPLATE` prints |
//! | `pods: {selector, namespace, status, phase, ready, node}` | names of the matching pods |
//! | `exists: TARGET` / `absent: TARGET` | (no value) the object or any listed object exists / none |
//! | `event: {reason, object, type, message_contains}` | (no value) an Event newer than the step |
//! | `ran: "kubectl get nodes"` | (no value) the learner ran it (successfully) during the step |
//!
//! Predicates: `equals`, `not_equals`, `contains`, `starts_with`, `ends_with`, `one_of`,
//! `nonempty`, `gte`, `lte`, `between`, `count` (number of words, or `{gte|lte|between}`),
//! `changed` / `unchanged` (against the value when the step began).
//!
//! Goals are parsed from YAML values by hand so that an author's mistake is reported with its
//! path (`steps[2].goal.all[1]: unknown key "equal"`), and evaluated without panicking.

use std::collections::BTreeMap;

use serde_yaml::Value as Yaml;

use crate::kubectl::jsonpath::JsonPath;
use crate::sim::object::Kind;
use crate::sim::podutil;
use crate::sim::Sim;

/// A goal tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    All(Vec<Goal>),
    Any(Vec<Goal>),
    Not(Box<Goal>),
    Check(Check),
}

/// One leaf check. `id` numbers the leaves of a step's goal in order (baselines use it).
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub id: usize,
    pub query: Query,
    pub preds: Vec<Pred>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// `get` target (may contain `$VARS`) and a JSONPath template.
    Get {
        target: String,
        path: String,
    },
    Pods(PodFilter),
    Exists(String),
    Absent(String),
    Event(EventFilter),
    Ran(String),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodFilter {
    pub selector: Option<String>,
    pub namespace: Option<String>,
    /// kubectl STATUS column values (any of).
    pub status: Vec<String>,
    pub phase: Option<String>,
    pub ready: Option<bool>,
    pub node: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    pub reason: String,
    /// `kind/name`, where the name may end in `*`.
    pub object: Option<String>,
    pub type_: Option<String>,
    pub message_contains: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    Eq(f64),
    Gte(f64),
    Lte(f64),
    Between(f64, f64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pred {
    Equals(String),
    NotEquals(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    OneOf(Vec<String>),
    NonEmpty(bool),
    Number(Num),
    Count(Num),
    Changed,
    Unchanged,
}

/// Where a check stands now.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckLine {
    pub met: bool,
    /// The check in words (`deploy/web {.status.readyReplicas} = 3`).
    pub text: String,
    /// What the cluster shows now, when that helps (`2`, `not found`).
    pub actual: Option<String>,
}

/// The result of evaluating a goal: met or not, and one line per leaf.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalReport {
    pub met: bool,
    pub lines: Vec<CheckLine>,
}

impl GoalReport {
    /// The lines as text, `✓`/`✗` first, for terminals and error messages.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(if l.met { "  ✓ " } else { "  ✗ " });
            s.push_str(&l.text);
            if let Some(a) = &l.actual {
                if !l.met {
                    s.push_str(&format!("   (now: {a})"));
                }
            }
            s.push('\n');
        }
        s
    }
}

/// A command the learner ran: its words and exit status.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RanCommand {
    pub words: Vec<String>,
    pub exit_code: i32,
}

/// What a goal is evaluated against.
pub struct Ctx<'a> {
    pub sim: &'a Sim,
    pub vars: &'a BTreeMap<String, String>,
    pub step_start_ms: u64,
    pub step_start_events: usize,
    pub commands: &'a [RanCommand],
    pub baselines: &'a BTreeMap<usize, String>,
}

// ---------------------------------------------------------------------------------------------
// Parsing

const QUERY_KEYS: [&str; 6] = ["get", "pods", "exists", "absent", "event", "ran"];
const PRED_KEYS: [&str; 13] = [
    "equals",
    "not_equals",
    "contains",
    "starts_with",
    "ends_with",
    "one_of",
    "nonempty",
    "gte",
    "lte",
    "between",
    "count",
    "changed",
    "unchanged",
];

/// Parses a goal at `path` (for messages); numbers its leaves from `next_id`.
pub fn parse_goal(v: &Yaml, path: &str, next_id: &mut usize) -> Result<Goal, String> {
    let Some(map) = v.as_mapping() else {
        return Err(format!("{path}: a goal is a mapping such as {{get: deploy/web, jsonpath: \"{{.status.readyReplicas}}\", equals: 3}}, not {}", kind_of(v)));
    };
    let mut keys = Vec::new();
    for (k, _) in map {
        match k.as_str() {
            Some(s) => keys.push(s.to_string()),
            None => return Err(format!("{path}: keys must be strings")),
        }
    }
    for combinator in ["all", "any", "not"] {
        if let Some(inner) = map.get(combinator) {
            if keys.len() != 1 {
                return Err(format!(
                    "{path}: `{combinator}` must be the only key of its mapping (found: {})",
                    keys.join(", ")
                ));
            }
            if combinator == "not" {
                return Ok(Goal::Not(Box::new(parse_goal(
                    inner,
                    &format!("{path}.not"),
                    next_id,
                )?)));
            }
            let Some(seq) = inner.as_sequence() else {
                return Err(format!("{path}.{combinator}: a list of goals"));
            };
            if seq.is_empty() {
                return Err(format!("{path}.{combinator}: an empty list"));
            }
            let goals = seq
                .iter()
                .enumerate()
                .map(|(i, g)| parse_goal(g, &format!("{path}.{combinator}[{i}]"), next_id))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if combinator == "all" {
                Goal::All(goals)
            } else {
                Goal::Any(goals)
            });
        }
    }
    for k in &keys {
        if !QUERY_KEYS.contains(&k.as_str()) && !PRED_KEYS.contains(&k.as_str()) && k != "jsonpath"
        {
            return Err(format!(
                "{path}: unknown key `{k}`{}; a goal uses one of {}, with predicates {} (or all/any/not)",
                suggest(k),
                QUERY_KEYS.join("/"),
                PRED_KEYS.join("/")
            ));
        }
    }
    let queries: Vec<&String> = keys
        .iter()
        .filter(|k| QUERY_KEYS.contains(&k.as_str()))
        .collect();
    if queries.len() != 1 {
        return Err(format!(
            "{path}: a check names exactly one of {} (found {}); combine several with all: [...]",
            QUERY_KEYS.join(", "),
            if queries.is_empty() {
                "none".to_string()
            } else {
                queries
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    let q = queries[0].as_str();
    let preds = keys
        .iter()
        .filter(|k| PRED_KEYS.contains(&k.as_str()))
        .map(|k| {
            parse_pred(
                k,
                map.get(k.as_str()).unwrap_or(&Yaml::Null),
                &format!("{path}.{k}"),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let has_jsonpath = keys.iter().any(|k| k == "jsonpath");
    if has_jsonpath && q != "get" {
        return Err(format!("{path}: `jsonpath` goes with `get`, not `{q}`"));
    }
    let field = |k: &str| map.get(k).unwrap_or(&Yaml::Null);
    let query = match q {
        "get" => {
            let target = scalar_string(field("get"), &format!("{path}.get"))?;
            check_target(&target, &format!("{path}.get"))?;
            let Some(jp) = map.get("jsonpath") else {
                return Err(format!("{path}: `get` needs a `jsonpath`, e.g. jsonpath: \"{{.status.readyReplicas}}\""));
            };
            let jp = scalar_string(jp, &format!("{path}.jsonpath"))?;
            JsonPath::parse(&placeholder_vars(&jp)).map_err(|e| format!("{path}.jsonpath: {e}"))?;
            if preds.is_empty() {
                return Err(format!(
                    "{path}: say what the value must be (equals, count, gte, changed, ...)"
                ));
            }
            Query::Get { target, path: jp }
        }
        "pods" => Query::Pods(parse_pod_filter(field("pods"), &format!("{path}.pods"))?),
        "exists" | "absent" => {
            let t = scalar_string(field(q), &format!("{path}.{q}"))?;
            check_target(&t, &format!("{path}.{q}"))?;
            if q == "exists" {
                Query::Exists(t)
            } else {
                Query::Absent(t)
            }
        }
        "event" => Query::Event(parse_event_filter(
            field("event"),
            &format!("{path}.event"),
        )?),
        "ran" => {
            let r = scalar_string(field("ran"), &format!("{path}.ran"))?;
            if shlex::split(&r).is_none_or(|w| w.is_empty()) {
                return Err(format!(
                    "{path}.ran: a command such as \"kubectl get nodes\""
                ));
            }
            Query::Ran(r)
        }
        _ => unreachable_query(q, path)?,
    };
    if !preds.is_empty() && !matches!(query, Query::Get { .. } | Query::Pods(_)) {
        return Err(format!(
            "{path}: `{q}` takes no predicates (equals, count, ...); they go with get or pods"
        ));
    }
    let id = *next_id;
    *next_id += 1;
    Ok(Goal::Check(Check { id, query, preds }))
}

fn unreachable_query(q: &str, path: &str) -> Result<Query, String> {
    Err(format!("{path}: unknown query `{q}`"))
}

fn kind_of(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "nothing",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

fn suggest(k: &str) -> String {
    let all = QUERY_KEYS
        .iter()
        .chain(PRED_KEYS.iter())
        .chain(["jsonpath", "all", "any", "not"].iter());
    let best = all.map(|c| (levenshtein(k, c), *c)).min();
    match best {
        Some((d, c)) if d <= 2 => format!(" (did you mean `{c}`?)"),
        _ => String::new(),
    }
}

pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A scalar (string, number, boolean; null is "") as a string.
pub(crate) fn scalar_string(v: &Yaml, path: &str) -> Result<String, String> {
    match v {
        Yaml::String(s) => Ok(s.clone()),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Null => Ok(String::new()),
        other => Err(format!(
            "{path}: expected a string or number, found {}",
            kind_of(other)
        )),
    }
}

fn number(v: &Yaml, path: &str) -> Result<f64, String> {
    match v {
        Yaml::Number(n) => n.as_f64().ok_or_else(|| format!("{path}: not a number")),
        Yaml::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{path}: expected a number, found {s:?}")),
        other => Err(format!(
            "{path}: expected a number, found {}",
            kind_of(other)
        )),
    }
}

fn boolean(v: &Yaml, path: &str) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("{path}: expected true or false, found {}", kind_of(v)))
}

fn num_pred(key: &str, v: &Yaml, path: &str) -> Result<Num, String> {
    Ok(match key {
        "gte" => Num::Gte(number(v, path)?),
        "lte" => Num::Lte(number(v, path)?),
        "equals" => Num::Eq(number(v, path)?),
        "between" => {
            let seq = v
                .as_sequence()
                .filter(|s| s.len() == 2)
                .ok_or_else(|| format!("{path}: between takes [low, high]"))?;
            let (lo, hi) = (
                number(&seq[0], &format!("{path}[0]"))?,
                number(&seq[1], &format!("{path}[1]"))?,
            );
            if lo > hi {
                return Err(format!("{path}: low ({lo}) is above high ({hi})"));
            }
            Num::Between(lo, hi)
        }
        other => {
            return Err(format!(
                "{path}: unknown comparison `{other}` (equals, gte, lte, between)"
            ))
        }
    })
}

fn parse_pred(key: &str, v: &Yaml, path: &str) -> Result<Pred, String> {
    Ok(match key {
        "equals" => Pred::Equals(scalar_string(v, path)?),
        "not_equals" => Pred::NotEquals(scalar_string(v, path)?),
        "contains" => Pred::Contains(scalar_string(v, path)?),
        "starts_with" => Pred::StartsWith(scalar_string(v, path)?),
        "ends_with" => Pred::EndsWith(scalar_string(v, path)?),
        "one_of" => {
            let seq = v
                .as_sequence()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("{path}: a non-empty list of values"))?;
            Pred::OneOf(
                seq.iter()
                    .enumerate()
                    .map(|(i, x)| scalar_string(x, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        "nonempty" => Pred::NonEmpty(boolean(v, path)?),
        "gte" | "lte" | "between" => Pred::Number(num_pred(key, v, path)?),
        "count" => match v {
            Yaml::Mapping(m) => {
                if m.len() != 1 {
                    return Err(format!("{path}: one comparison, e.g. count: {{gte: 2}}"));
                }
                let (k, val) = m.iter().next().ok_or_else(|| format!("{path}: empty"))?;
                let k = k
                    .as_str()
                    .ok_or_else(|| format!("{path}: keys must be strings"))?;
                Pred::Count(num_pred(k, val, &format!("{path}.{k}"))?)
            }
            other => Pred::Count(Num::Eq(number(other, path)?)),
        },
        "changed" | "unchanged" => {
            if !boolean(v, path)? {
                return Err(format!("{path}: write `{key}: true` (or leave it out)"));
            }
            if key == "changed" {
                Pred::Changed
            } else {
                Pred::Unchanged
            }
        }
        other => return Err(format!("{path}: unknown predicate `{other}`")),
    })
}

fn mapping_fields<'a>(
    v: &'a Yaml,
    path: &str,
    allowed: &[&str],
) -> Result<BTreeMap<String, &'a Yaml>, String> {
    let m = v.as_mapping().ok_or_else(|| {
        format!(
            "{path}: expected a mapping with {}, found {}",
            allowed.join("/"),
            kind_of(v)
        )
    })?;
    let mut out = BTreeMap::new();
    for (k, val) in m {
        let k = k
            .as_str()
            .ok_or_else(|| format!("{path}: keys must be strings"))?;
        if !allowed.contains(&k) {
            return Err(format!(
                "{path}: unknown key `{k}` (allowed: {})",
                allowed.join(", ")
            ));
        }
        out.insert(k.to_string(), val);
    }
    Ok(out)
}

fn parse_pod_filter(v: &Yaml, path: &str) -> Result<PodFilter, String> {
    let f = mapping_fields(
        v,
        path,
        &["selector", "namespace", "status", "phase", "ready", "node"],
    )?;
    let s = |k: &str| -> Result<Option<String>, String> {
        f.get(k)
            .map(|v| scalar_string(v, &format!("{path}.{k}")))
            .transpose()
    };
    let status = match f.get("status") {
        None => Vec::new(),
        Some(Yaml::Sequence(seq)) => seq
            .iter()
            .enumerate()
            .map(|(i, x)| scalar_string(x, &format!("{path}.status[{i}]")))
            .collect::<Result<_, _>>()?,
        Some(other) => vec![scalar_string(other, &format!("{path}.status"))?],
    };
    let ready = f
        .get("ready")
        .map(|v| boolean(v, &format!("{path}.ready")))
        .transpose()?;
    let pf = PodFilter {
        selector: s("selector")?,
        namespace: s("namespace")?,
        status,
        phase: s("phase")?,
        ready,
        node: s("node")?,
    };
    if let Some(sel) = &pf.selector {
        parse_selector(&placeholder_vars(sel)).map_err(|e| format!("{path}.selector: {e}"))?;
    }
    Ok(pf)
}

fn parse_event_filter(v: &Yaml, path: &str) -> Result<EventFilter, String> {
    let f = mapping_fields(v, path, &["reason", "object", "type", "message_contains"])?;
    let s = |k: &str| -> Result<Option<String>, String> {
        f.get(k)
            .map(|v| scalar_string(v, &format!("{path}.{k}")))
            .transpose()
    };
    let reason = s("reason")?
        .filter(|r| !r.is_empty())
        .ok_or_else(|| format!("{path}: an event goal needs a `reason` (e.g. SuccessfulCreate)"))?;
    let object = s("object")?;
    if let Some(o) = &object {
        let (k, _) = o
            .split_once('/')
            .ok_or_else(|| format!("{path}.object: write KIND/NAME, e.g. replicaset/web-*"))?;
        if crate::kubectl::cmd::resolve_kind(k).is_none() {
            return Err(format!("{path}.object: unknown kind {k:?}"));
        }
    }
    let type_ = s("type")?;
    if let Some(t) = &type_ {
        if t != "Normal" && t != "Warning" {
            return Err(format!("{path}.type: Normal or Warning, not {t:?}"));
        }
    }
    Ok(EventFilter {
        reason,
        object,
        type_,
        message_contains: s("message_contains")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Targets: `deploy/web`, `pods -l app=web`, `nodes`, `pods -n kube-system -l component=etcd`, `-A`

/// One label requirement of an equality/exists selector.
#[derive(Clone, Debug, PartialEq)]
pub enum Req {
    Eq(String, String),
    Ne(String, String),
    Has(String),
    HasNot(String),
}

pub fn parse_selector(s: &str) -> Result<Vec<Req>, String> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let p = part.trim();
        if p.is_empty() {
            return Err(format!("empty requirement in selector {s:?}"));
        }
        let req = if let Some((k, v)) = p.split_once("!=") {
            Req::Ne(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = p.split_once("==") {
            Req::Eq(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = p.split_once('=') {
            Req::Eq(k.trim().into(), v.trim().into())
        } else if let Some(k) = p.strip_prefix('!') {
            Req::HasNot(k.trim().into())
        } else if p.contains(' ') || p.contains('(') {
            return Err(format!("set-based selectors ({p:?}) are not supported in goals yet; use k=v, k!=v, k or !k"));
        } else {
            Req::Has(p.into())
        };
        out.push(req);
    }
    Ok(out)
}

fn selector_matches(reqs: &[Req], labels: &BTreeMap<String, String>) -> bool {
    reqs.iter().all(|r| match r {
        Req::Eq(k, v) => labels.get(k) == Some(v),
        Req::Ne(k, v) => labels.get(k) != Some(v),
        Req::Has(k) => labels.contains_key(k),
        Req::HasNot(k) => !labels.contains_key(k),
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub kind: Kind,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub selector: Vec<Req>,
}

pub fn parse_target(s: &str) -> Result<Target, String> {
    let words = shlex::split(s).ok_or_else(|| format!("unclosed quote in {s:?}"))?;
    let mut positional = Vec::new();
    let mut t = Target {
        kind: Kind::Pod,
        name: None,
        namespace: None,
        all_namespaces: false,
        selector: Vec::new(),
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let mut value = |flag: &str| -> Result<String, String> {
            if let Some((_, v)) = w.split_once('=') {
                return Ok(v.to_string());
            }
            i += 1;
            words
                .get(i)
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value in {s:?}"))
        };
        if w == "-n" || w.starts_with("--namespace") {
            t.namespace = Some(value("-n")?);
        } else if w == "-l" || w.starts_with("--selector") {
            t.selector = parse_selector(&value("-l")?)?;
        } else if w == "-A" || w == "--all-namespaces" {
            t.all_namespaces = true;
        } else if w.starts_with('-') {
            return Err(format!(
                "unknown flag {w} in {s:?} (goals take -n, -l and -A)"
            ));
        } else {
            positional.push(w.clone());
        }
        i += 1;
    }
    let (kind_word, name) = match positional.as_slice() {
        [one] => match one.split_once('/') {
            Some((k, n)) => (k.to_string(), Some(n.to_string())),
            None => (one.clone(), None),
        },
        [k, n] => (k.clone(), Some(n.clone())),
        [] => {
            return Err(format!(
                "no resource type in {s:?} (e.g. deploy/web, pods -l app=web)"
            ))
        }
        _ => {
            return Err(format!(
                "too many words in {s:?}: one KIND/NAME or KIND [NAME]"
            ))
        }
    };
    t.kind = crate::kubectl::cmd::resolve_kind(&kind_word)
        .ok_or_else(|| format!("unknown resource type {kind_word:?} in {s:?}"))?;
    if name.as_deref() == Some("") {
        return Err(format!("empty name in {s:?}"));
    }
    t.name = name;
    if t.name.is_some() && !t.selector.is_empty() {
        return Err(format!(
            "{s:?}: a name and a selector (-l) cannot be combined"
        ));
    }
    Ok(t)
}

fn check_target(s: &str, path: &str) -> Result<(), String> {
    parse_target(&placeholder_vars(s))
        .map(|_| ())
        .map_err(|e| format!("{path}: {e}"))
}

/// `$NAME` / `${NAME}` replaced by `x` (to validate text before variables have values).
fn placeholder_vars(s: &str) -> String {
    let names = var_names(s);
    let vars: BTreeMap<String, String> = names.into_iter().map(|n| (n, "x".to_string())).collect();
    substitute(s, &vars)
}

/// The variable names a text refers to (`$POD`, `${POD}`).
pub fn var_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    scan_vars(s, |name| {
        out.push(name.to_string());
        None
    });
    out
}

/// Replaces `$NAME` and `${NAME}` with their values; unknown names stay as written.
pub fn substitute(s: &str, vars: &BTreeMap<String, String>) -> String {
    scan_vars(s, |name| vars.get(name).cloned())
}

fn scan_vars(s: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' {
            let braced = chars.get(i + 1) == Some(&'{');
            let start = if braced { i + 2 } else { i + 1 };
            let mut j = start;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric() || chars[j] == '_')
                && !(j == start && chars[j].is_ascii_digit())
            {
                j += 1;
            }
            let ok = j > start && (!braced || chars.get(j) == Some(&'}'));
            if ok {
                let name: String = chars[start..j].iter().collect();
                let end = if braced { j + 1 } else { j };
                match f(&name) {
                    Some(v) => out.push_str(&v),
                    None => out.extend(&chars[i..end]),
                }
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Evaluation

fn labels_of(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

/// The objects a target names, in kubectl's order (namespace, then name).
fn resolve(sim: &Sim, t: &Target) -> Vec<std::rc::Rc<crate::sim::Object>> {
    let ns: Option<String> = if !t.kind.namespaced() || t.all_namespaces {
        None
    } else {
        Some(t.namespace.clone().unwrap_or_else(|| "default".into()))
    };
    match &t.name {
        Some(n) => {
            let key = crate::sim::store::ObjKey::new(t.kind, ns.as_deref().unwrap_or(""), n);
            if t.all_namespaces && t.kind.namespaced() {
                sim.store()
                    .list(t.kind, None)
                    .into_iter()
                    .filter(|o| o.name() == n)
                    .collect()
            } else {
                sim.get(&key).cloned().into_iter().collect()
            }
        }
        None => sim
            .store()
            .list(t.kind, ns.as_deref())
            .into_iter()
            .filter(|o| selector_matches(&t.selector, &labels_of(o.meta())))
            .collect(),
    }
}

/// What `kubectl get TARGET -o jsonpath=PATH` prints (Err: the error kubectl would give).
pub fn query_jsonpath(sim: &Sim, target: &str, path: &str) -> Result<String, String> {
    let t = parse_target(target)?;
    let jp = JsonPath::parse(path)?;
    let objs = resolve(sim, &t);
    let root = match &t.name {
        Some(n) => match objs.first() {
            Some(o) => o.to_json_value(),
            None => return Err(format!("{} {n:?} not found", t.kind.qualified_plural())),
        },
        None => serde_json::json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": objs.iter().map(|o| o.to_json_value()).collect::<Vec<_>>(),
            "metadata": {"resourceVersion": ""},
        }),
    };
    Ok(jp.render(&root))
}

fn pods_matching(
    sim: &Sim,
    f: &PodFilter,
    vars: &BTreeMap<String, String>,
) -> Result<Vec<String>, String> {
    let sel = match &f.selector {
        Some(s) => parse_selector(&substitute(s, vars))?,
        None => Vec::new(),
    };
    let ns = f
        .namespace
        .as_deref()
        .map(|n| substitute(n, vars))
        .unwrap_or_else(|| "default".into());
    let ns_opt = if ns == "*" { None } else { Some(ns.as_str()) };
    let mut out = Vec::new();
    for o in sim.store().list(Kind::Pod, ns_opt) {
        let Some(p) = o.as_pod() else { continue };
        if !selector_matches(&sel, &labels_of(&p.metadata)) {
            continue;
        }
        if !f.status.is_empty() {
            let st = podutil::summary(p).status;
            if !f.status.contains(&st) {
                continue;
            }
        }
        if f.phase.as_ref().is_some_and(|ph| ph != podutil::phase(p)) {
            continue;
        }
        if f.ready.is_some_and(|r| r != podutil::is_ready(p)) {
            continue;
        }
        if let Some(n) = &f.node {
            if podutil::node(p) != Some(substitute(n, vars).as_str()) {
                continue;
            }
        }
        out.push(o.name().to_string());
    }
    Ok(out)
}

impl Check {
    /// The value a `get` or `pods` check compares (None for the others).
    pub fn value(&self, ctx: &Ctx) -> Option<Result<String, String>> {
        match &self.query {
            Query::Get { target, path } => Some(query_jsonpath(
                ctx.sim,
                &substitute(target, ctx.vars),
                &substitute(path, ctx.vars),
            )),
            Query::Pods(f) => Some(pods_matching(ctx.sim, f, ctx.vars).map(|v| v.join(" "))),
            _ => None,
        }
    }

    /// True when a baseline must be captured at the step's start.
    pub fn needs_baseline(&self) -> bool {
        self.preds
            .iter()
            .any(|p| matches!(p, Pred::Changed | Pred::Unchanged))
    }

    pub fn describe(&self, vars: &BTreeMap<String, String>) -> String {
        let sub = |s: &str| substitute(s, vars);
        let head = match &self.query {
            Query::Get { target, path } => format!("{} {}", sub(target), sub(path)),
            Query::Pods(f) => {
                let mut s = "pods".to_string();
                if let Some(sel) = &f.selector {
                    s.push_str(&format!(" -l {}", sub(sel)));
                }
                if let Some(ns) = &f.namespace {
                    s.push_str(&format!(" -n {}", sub(ns)));
                }
                if !f.status.is_empty() {
                    s.push_str(&format!(" with STATUS {}", f.status.join(" or ")));
                }
                if let Some(ph) = &f.phase {
                    s.push_str(&format!(" in phase {ph}"));
                }
                if let Some(r) = f.ready {
                    s.push_str(if r {
                        " that are ready"
                    } else {
                        " that are not ready"
                    });
                }
                if let Some(n) = &f.node {
                    s.push_str(&format!(" on {}", sub(n)));
                }
                s
            }
            Query::Exists(t) => return format!("{} exists", sub(t)),
            Query::Absent(t) => return format!("{} is gone", sub(t)),
            Query::Event(e) => {
                let mut s = format!("a new {} event", e.reason);
                if let Some(o) = &e.object {
                    s.push_str(&format!(" on {}", sub(o)));
                }
                if let Some(t) = &e.type_ {
                    s.push_str(&format!(" ({t})"));
                }
                if let Some(m) = &e.message_contains {
                    s.push_str(&format!(" saying \"{}\"", sub(m)));
                }
                return s;
            }
            Query::Ran(c) => return format!("you ran `{}`", sub(c)),
        };
        let is_pods = matches!(self.query, Query::Pods(_));
        let mut parts = Vec::new();
        for p in &self.preds {
            parts.push(match p {
                Pred::Equals(v) if v.is_empty() => "is empty".to_string(),
                Pred::Equals(v) => format!("= {}", sub(v)),
                Pred::NotEquals(v) => format!("≠ {}", sub(v)),
                Pred::Contains(v) => format!("contains {}", sub(v)),
                Pred::StartsWith(v) => format!("starts with {}", sub(v)),
                Pred::EndsWith(v) => format!("ends with {}", sub(v)),
                Pred::OneOf(v) => format!("is one of {}", v.join(", ")),
                Pred::NonEmpty(true) => "is not empty".into(),
                Pred::NonEmpty(false) => "is empty".into(),
                Pred::Number(n) => num_text(n),
                Pred::Count(n) if is_pods => format!("count {}", num_text(n)),
                Pred::Count(n) => format!("has {} item(s)", num_text(n).trim_start_matches("= ")),
                Pred::Changed => "changed since the step began".into(),
                Pred::Unchanged => "unchanged since the step began".into(),
            });
        }
        if is_pods && parts.is_empty() {
            parts.push("exist".into());
        }
        format!("{head}: {}", parts.join(", "))
    }

    pub fn evaluate(&self, ctx: &Ctx) -> CheckLine {
        let text = self.describe(ctx.vars);
        match &self.query {
            Query::Exists(t) | Query::Absent(t) => {
                let want = matches!(self.query, Query::Exists(_));
                let found = match parse_target(&substitute(t, ctx.vars)) {
                    Ok(t) => !resolve(ctx.sim, &t).is_empty(),
                    Err(e) => {
                        return CheckLine {
                            met: false,
                            text,
                            actual: Some(e),
                        }
                    }
                };
                CheckLine {
                    met: found == want,
                    text,
                    actual: Some(if found {
                        "exists".into()
                    } else {
                        "not found".into()
                    }),
                }
            }
            Query::Event(f) => {
                let met = event_seen(ctx, f);
                CheckLine {
                    met,
                    text,
                    actual: (!met).then(|| "no such event yet".to_string()),
                }
            }
            Query::Ran(c) => {
                let pattern = shlex::split(&substitute(c, ctx.vars)).unwrap_or_default();
                let met = ctx
                    .commands
                    .iter()
                    .any(|r| r.exit_code == 0 && command_matches(&pattern, &r.words));
                CheckLine {
                    met,
                    text,
                    actual: None,
                }
            }
            Query::Get { .. } | Query::Pods(_) => {
                let v = match self.value(ctx) {
                    Some(Ok(v)) => v,
                    Some(Err(e)) => {
                        return CheckLine {
                            met: false,
                            text,
                            actual: Some(e),
                        }
                    }
                    None => String::new(),
                };
                let baseline = ctx.baselines.get(&self.id);
                let met = self
                    .preds
                    .iter()
                    .all(|p| pred_holds(p, &v, baseline, ctx.vars));
                let actual = if v.is_empty() {
                    "(empty)".to_string()
                } else if matches!(self.query, Query::Pods(_)) {
                    format!("{} pod(s): {v}", v.split_whitespace().count())
                } else {
                    v
                };
                CheckLine {
                    met,
                    text,
                    actual: Some(actual),
                }
            }
        }
    }
}

fn num_text(n: &Num) -> String {
    match n {
        Num::Eq(x) => format!("= {x}"),
        Num::Gte(x) => format!("≥ {x}"),
        Num::Lte(x) => format!("≤ {x}"),
        Num::Between(a, b) => format!("between {a} and {b}"),
    }
}

fn num_holds(n: &Num, x: f64) -> bool {
    match n {
        Num::Eq(v) => x == *v,
        Num::Gte(v) => x >= *v,
        Num::Lte(v) => x <= *v,
        Num::Between(a, b) => x >= *a && x <= *b,
    }
}

fn pred_holds(
    p: &Pred,
    v: &str,
    baseline: Option<&String>,
    vars: &BTreeMap<String, String>,
) -> bool {
    let v = v.trim();
    let sub = |s: &str| substitute(s, vars);
    match p {
        Pred::Equals(e) => v == sub(e).trim(),
        Pred::NotEquals(e) => v != sub(e).trim(),
        Pred::Contains(e) => v.contains(&sub(e)),
        Pred::StartsWith(e) => v.starts_with(&sub(e)),
        Pred::EndsWith(e) => v.ends_with(&sub(e)),
        Pred::OneOf(list) => list.iter().any(|e| v == sub(e).trim()),
        Pred::NonEmpty(b) => v.is_empty() != *b,
        Pred::Number(n) => v.parse::<f64>().is_ok_and(|x| num_holds(n, x)),
        Pred::Count(n) => num_holds(n, v.split_whitespace().count() as f64),
        Pred::Changed => baseline.is_some_and(|b| b.trim() != v),
        Pred::Unchanged => baseline.is_some_and(|b| b.trim() == v),
    }
}

fn event_seen(ctx: &Ctx, f: &EventFilter) -> bool {
    let obj = f.object.as_ref().map(|o| substitute(o, ctx.vars));
    let obj = obj
        .as_deref()
        .and_then(|o| o.split_once('/'))
        .and_then(|(k, n)| crate::kubectl::cmd::resolve_kind(k).map(|k| (k, n.to_string())));
    if f.object.is_some() && obj.is_none() {
        return false;
    }
    ctx.sim.events().iter().enumerate().any(|(i, e)| {
        (i >= ctx.step_start_events || e.last_ms > ctx.step_start_ms)
            && e.reason == f.reason
            && f.type_.as_ref().is_none_or(|t| *t == e.type_)
            && f.message_contains
                .as_ref()
                .is_none_or(|m| e.message.contains(&substitute(m, ctx.vars)))
            && obj.as_ref().is_none_or(|(k, n)| {
                e.object.kind == *k
                    && match n.strip_suffix('*') {
                        Some(prefix) => e.object.name.starts_with(prefix),
                        None => e.object.name == *n,
                    }
            })
    })
}

/// True when the pattern's words appear, in order, among the command's words; resource words
/// match their aliases (`po` = `pods`, `deploy/web` = `deployment/web`).
pub fn command_matches(pattern: &[String], words: &[String]) -> bool {
    let norm = |w: &str| -> String {
        let (head, tail) = match w.split_once('/') {
            Some((h, t)) => (h, Some(t)),
            None => (w, None),
        };
        match crate::kubectl::cmd::resolve_kind(head) {
            Some(k) if !w.starts_with('-') => match tail {
                Some(t) => format!("{}/{t}", k.plural()),
                None => k.plural().to_string(),
            },
            _ => w.to_string(),
        }
    };
    if pattern.is_empty() || words.first() != pattern.first() {
        return false;
    }
    let mut it = words.iter().map(|w| norm(w));
    pattern.iter().all(|p| {
        let p = norm(p);
        it.any(|w| w == p)
    })
}

/// Every leaf of a goal, in order.
pub fn leaves(g: &Goal) -> Vec<&Check> {
    let mut out = Vec::new();
    fn walk<'a>(g: &'a Goal, out: &mut Vec<&'a Check>) {
        match g {
            Goal::All(v) | Goal::Any(v) => v.iter().for_each(|x| walk(x, out)),
            Goal::Not(x) => walk(x, out),
            Goal::Check(c) => out.push(c),
        }
    }
    walk(g, &mut out);
    out
}

/// Every string of a goal that may name variables.
pub fn goal_strings(g: &Goal) -> Vec<String> {
    let mut out = Vec::new();
    for c in leaves(g) {
        match &c.query {
            Query::Get { target, path } => {
                out.push(target.clone());
                out.push(path.clone());
            }
            Query::Pods(f) => out.extend(
                [f.selector.clone(), f.namespace.clone(), f.node.clone()]
                    .into_iter()
                    .flatten(),
            ),
            Query::Exists(t) | Query::Absent(t) | Query::Ran(t) => out.push(t.clone()),
            Query::Event(e) => out.extend(
                [e.object.clone(), e.message_contains.clone()]
                    .into_iter()
                    .flatten(),
            ),
        }
        for p in &c.preds {
            match p {
                Pred::Equals(s)
                | Pred::NotEquals(s)
                | Pred::Contains(s)
                | Pred::StartsWith(s)
                | Pred::EndsWith(s) => out.push(s.clone()),
                Pred::OneOf(v) => out.extend(v.iter().cloned()),
                _ => {}
            }
        }
    }
    out
}

/// Evaluates a goal tree; `lines` lists every leaf (under `not`, a leaf's `met` is the inverted one).
pub fn evaluate(g: &Goal, ctx: &Ctx) -> GoalReport {
    let mut lines = Vec::new();
    let met = eval_into(g, ctx, &mut lines, false);
    GoalReport { met, lines }
}

// `fold`, not `all`/`any`: every check is evaluated, even after the outcome is known, so that each
// one gets its line in the report.
#[allow(clippy::unnecessary_fold)]
fn eval_into(g: &Goal, ctx: &Ctx, lines: &mut Vec<CheckLine>, negated: bool) -> bool {
    match g {
        Goal::All(v) => v
            .iter()
            .map(|x| eval_into(x, ctx, lines, negated))
            .fold(true, |a, b| a && b),
        Goal::Any(v) => v
            .iter()
            .map(|x| eval_into(x, ctx, lines, negated))
            .fold(false, |a, b| a || b),
        Goal::Not(x) => !eval_into(x, ctx, lines, !negated),
        Goal::Check(c) => {
            let mut line = c.evaluate(ctx);
            let raw = line.met;
            if negated {
                line.met = !raw;
                line.text = format!("not: {}", line.text);
            }
            lines.push(line);
            raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(y: &str) -> Result<Goal, String> {
        let v: Yaml = serde_yaml::from_str(y).map_err(|e| e.to_string())?;
        parse_goal(&v, "goal", &mut 0)
    }

    #[test]
    fn parses_and_reports_paths() {
        assert!(goal("{get: deploy/web, jsonpath: '{.spec.replicas}', equals: 3}").is_ok());
        assert!(goal(
            "{all: [{exists: deploy/web}, {pods: {selector: app=web, status: Running}, count: 3}]}"
        )
        .is_ok());
        let e = goal("{all: [{exists: deploy/web}, {get: deploy/web, jsonpath: '{.spec.replicas}', equal: 3}]}").unwrap_err();
        assert!(
            e.contains("goal.all[1]: unknown key `equal`") && e.contains("did you mean `equals`"),
            "{e}"
        );
        let e = goal("{get: deploy/web, equals: 3}").unwrap_err();
        assert!(e.contains("needs a `jsonpath`"), "{e}");
        let e = goal("{get: deploy/web, jsonpath: '{.spec.replicas}'}").unwrap_err();
        assert!(e.contains("say what the value must be"), "{e}");
        let e = goal("{get: widgets/web, jsonpath: '{.a}', equals: 1}").unwrap_err();
        assert!(e.contains("unknown resource type"), "{e}");
        let e = goal("{exists: deploy/web, absent: deploy/x}").unwrap_err();
        assert!(e.contains("exactly one of"), "{e}");
        let e = goal("{event: {object: pod/x}}").unwrap_err();
        assert!(e.contains("needs a `reason`"), "{e}");
    }

    #[test]
    fn variables() {
        let vars: BTreeMap<String, String> = [("POD".to_string(), "web-1".to_string())].into();
        assert_eq!(
            substitute("kubectl delete pod $POD", &vars),
            "kubectl delete pod web-1"
        );
        assert_eq!(substitute("${POD}x $NOPE $1", &vars), "web-1x $NOPE $1");
        assert_eq!(var_names("a $A ${B_2} $"), vec!["A", "B_2"]);
    }

    #[test]
    fn command_patterns() {
        let w = |s: &str| shlex::split(s).unwrap();
        assert!(command_matches(
            &w("kubectl get nodes"),
            &w("kubectl get no -o wide")
        ));
        assert!(command_matches(
            &w("kubectl rollout undo deployment/web"),
            &w("kubectl rollout undo deploy/web")
        ));
        assert!(!command_matches(
            &w("kubectl get nodes"),
            &w("kubectl get pods")
        ));
        assert!(!command_matches(
            &w("kubectl get nodes"),
            &w("echo kubectl get nodes")
        ));
    }
}
