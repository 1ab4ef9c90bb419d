//! `kubectl label` and `kubectl annotate` (KC-1.32 `pkg/cmd/label/label.go`,
//! `pkg/cmd/annotate/annotate.go`), and the selector helpers `get` uses: `-l` with the full syntax
//! and its server error, and the `-L key` label columns.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::args::{self, flag, FlagSpec, Parsed};
use super::cmd::resolve_kind;
use super::outcome::Outcome;
use super::printers::{json, yaml};
use crate::sim::labels::{go_quote, is_valid_label_value, Selector};
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::{ApiError, Sim};

// ---------------------------------------------------------------------------------------------
// Helpers for `get`

/// `schema.GroupVersionResource.String()`: `/v1, Resource=pods`, `apps/v1, Resource=deployments`.
fn gvr(kind: Kind) -> String {
    let version = kind.api_version().rsplit('/').next().unwrap_or("v1");
    format!("{}/{version}, Resource={}", kind.group(), kind.plural())
}

/// The error a list with an unparsable `-l` gets back (the API server parses the selector; kubectl's
/// `EnhanceListError` wraps the message), one line.
pub fn list_error(kind: Kind, selector: &str, err: &str) -> String {
    format!(
        "Error from server (BadRequest): Unable to find {} that match label selector {}, field selector \"\": {err}\n",
        go_quote(&gvr(kind)),
        go_quote(selector)
    )
}

/// The `-l`/`--selector` value as the builder takes it (trimmed; empty means no selector), with the
/// parsed selector or the parse error.
pub fn selector_flag(p: &Parsed) -> Option<(String, Result<Selector, String>)> {
    let raw = p.get("selector")?.trim();
    if raw.is_empty() {
        return None;
    }
    Some((raw.to_string(), Selector::parse(raw)))
}

/// The keys of `-L k1,k2 -L k3` (a pflag string slice: comma-split, repeats accumulate).
pub fn label_columns(p: &Parsed) -> Vec<String> {
    p.all("label-columns")
        .iter()
        .filter(|v| !v.is_empty())
        .flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// The header of each `-L` column: the key's last `/` segment, upper-cased (`formatLabelHeaders`).
pub fn label_column_headers(keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| k.rsplit('/').next().unwrap_or(k).to_uppercase())
        .collect()
}

/// The cells of the `-L` columns for one object: the label's value, or empty.
pub fn label_column_cells(o: &Object, keys: &[String]) -> Vec<String> {
    let labels = o.meta().labels.as_ref();
    keys.iter()
        .map(|k| labels.and_then(|l| l.get(k)).cloned().unwrap_or_default())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// label / annotate

pub(crate) const FLAGS: &[FlagSpec] = &[
    flag("overwrite", None, false),
    flag("all", None, false),
    flag("all-namespaces", Some('A'), false),
    flag("selector", Some('l'), true),
    flag("field-selector", None, true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("list", None, false),
    flag("local", None, false),
    flag("resource-version", None, true),
    flag("filename", Some('f'), true),
    flag("kustomize", Some('k'), true),
    flag("recursive", Some('R'), false),
    flag("field-manager", None, true),
    flag("allow-missing-template-keys", None, false),
    flag("show-managed-fields", None, false),
    flag("template", None, true),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Label,
    Annotate,
}

impl Verb {
    fn noun(self) -> &'static str {
        match self {
            Verb::Label => "label",
            Verb::Annotate => "annotation",
        }
    }
}

/// One failure while visiting the objects, printed at the end as kubectl's `CheckErr` does.
enum Failure {
    /// A plain error (`'app' already has a value ...`).
    Plain(String),
    /// Several plain errors from one object (`validateNoOverwrites`'s aggregate).
    Many(Vec<String>),
    /// An API error (not found, invalid, conflict).
    Api(ApiError),
}

impl Failure {
    /// As one line in a list of several errors (`MultipleErrors`).
    fn line(&self) -> String {
        match self {
            Failure::Plain(s) => s.clone(),
            Failure::Many(v) if v.len() == 1 => v[0].clone(),
            Failure::Many(v) => format!("[{}]", v.join(", ")),
            Failure::Api(e) => format!("Error from server ({}): {}", e.reason, e.message),
        }
    }
}

/// `CheckErr` on what the visit collected: one error alone reads `error: ...` (or the API error's own
/// wording); an aggregate prints one line per error, without the `error: ` prefix.
fn report(fails: &[Failure]) -> String {
    match fails {
        [] => String::new(),
        [Failure::Plain(s)] => format!("error: {s}\n"),
        [Failure::Many(v)] if v.len() == 1 => format!("error: {}\n", v[0]),
        [Failure::Many(v)] => v.iter().map(|s| format!("{s}\n")).collect(),
        [Failure::Api(e)] => format!("{}\n", e.kubectl_message()),
        many => many.iter().map(|f| format!("{}\n", f.line())).collect(),
    }
}

/// `cmdutil.GetResourcesAndPairs`: resources first, then `k=v` / `k-` pairs.
fn resources_and_pairs(
    args: &[String],
    pair_type: &str,
) -> Result<(Vec<String>, Vec<String>), String> {
    let mut resources = Vec::new();
    let mut pairs = Vec::new();
    let mut found = false;
    for s in args {
        let non_resource =
            (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
        match (found, non_resource) {
            (_, true) => {
                found = true;
                pairs.push(s.clone());
            }
            (false, false) => resources.push(s.clone()),
            (true, false) => {
                return Err(format!(
                    "all resources must be specified before {pair_type} changes: {s}"
                ))
            }
        }
    }
    Ok((resources, pairs))
}

/// Updates in command-line order (a repeated key keeps its first place and takes the last value, as
/// Go's map would hold it; error messages list keys in this order).
type Updates = Vec<(String, String)>;

fn set_update(v: &mut Updates, k: &str, val: &str) {
    match v.iter_mut().find(|(x, _)| x == k) {
        Some(e) => e.1 = val.to_string(),
        None => v.push((k.to_string(), val.to_string())),
    }
}

/// `parseLabels` (label.go).
fn parse_labels(specs: &[String]) -> Result<(Updates, Vec<String>), String> {
    let mut labels = Updates::new();
    let mut remove = Vec::new();
    for spec in specs {
        if spec.contains('=') {
            let parts: Vec<&str> = spec.split('=').collect();
            if parts.len() != 2 {
                return Err(format!("invalid label spec: {spec}"));
            }
            let errs = is_valid_label_value(parts[1]);
            if !errs.is_empty() {
                return Err(format!(
                    "invalid label value: {}: {}",
                    go_quote(spec),
                    errs.join(";")
                ));
            }
            set_update(&mut labels, parts[0], parts[1]);
        } else if let Some(k) = spec.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            return Err(format!("unknown label spec: {spec}"));
        }
    }
    if remove.iter().any(|r| labels.iter().any(|(k, _)| k == r)) {
        return Err("can not both modify and remove a label in the same command".into());
    }
    Ok((labels, remove))
}

/// `cmdutil.ParsePairs(args, "annotation", true)` and `validateAnnotations` (annotate.go).
fn parse_annotations(specs: &[String]) -> Result<(Updates, Vec<String>), String> {
    let mut new = Updates::new();
    let mut remove = Vec::new();
    let mut invalid = Vec::new();
    for spec in specs {
        if spec.contains('=') && !spec.starts_with('=') {
            let (k, v) = spec.split_once('=').unwrap_or((spec, ""));
            set_update(&mut new, k, v);
        } else if spec.ends_with('-') && spec != "-" {
            remove.push(spec[..spec.len() - 1].to_string());
        } else {
            invalid.push(spec.clone());
        }
    }
    if !invalid.is_empty() {
        return Err(format!("invalid annotation format: {}", invalid.join(", ")));
    }
    Ok((new, remove))
}

fn validate_annotation_removals(new: &Updates, remove: &[String]) -> Result<(), String> {
    let both: Vec<&str> = remove
        .iter()
        .filter(|r| new.iter().any(|(k, _)| k == *r))
        .map(String::as_str)
        .collect();
    if both.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "can not both modify and remove the following annotation(s) in the same command: {}",
            both.join(", ")
        ))
    }
}

/// Length of Go's `json.Marshal` of a string (HTML-safe escaping of `<`, `>`, `&`, U+2028/9).
fn go_json_str_len(s: &str) -> usize {
    let base = serde_json::to_string(s)
        .map(|j| j.len())
        .unwrap_or(s.len() + 2);
    base + s.chars().filter(|c| matches!(c, '<' | '>' | '&')).count() * 5
        + s.chars()
            .filter(|c| matches!(c, '\u{2028}' | '\u{2029}'))
            .count()
            * 3
}

/// Length `"labels":{...},` adds to the serialized object (0 when the field is absent).
fn labels_json_len(m: Option<&BTreeMap<String, String>>) -> usize {
    let Some(m) = m else { return 0 };
    let body: usize = m
        .iter()
        .map(|(k, v)| go_json_str_len(k) + 1 + go_json_str_len(v))
        .sum::<usize>()
        + m.len().saturating_sub(1);
    "\"labels\":".len() + 2 + body + 1
}

/// `updateDataChangeMsg`: unchanged → `not labeled`; shorter without `--overwrite` → `unlabeled`;
/// any other change → `labeled`.
fn label_change_msg(
    old: Option<&BTreeMap<String, String>>,
    new: &BTreeMap<String, String>,
    overwrite: bool,
) -> &'static str {
    if old == Some(new) {
        return "not labeled";
    }
    if !overwrite && labels_json_len(Some(new)) < labels_json_len(old) {
        "unlabeled"
    } else {
        "labeled"
    }
}

/// `kubectl label`.
pub fn label(sim: &mut Sim, words: &[String]) -> Outcome {
    run(sim, words, Verb::Label)
}

/// `kubectl annotate`.
pub fn annotate(sim: &mut Sim, words: &[String]) -> Outcome {
    run(sim, words, Verb::Annotate)
}

fn run(sim: &mut Sim, words: &[String], verb: Verb) -> Outcome {
    let cmd_path = match verb {
        Verb::Label => "kubectl label",
        Verb::Annotate => "kubectl annotate",
    };
    let p = match args::parse(words, FLAGS, cmd_path) {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let fail = |s: &str| Outcome::err(format!("error: {s}\n"));

    // Complete.
    let output = p.get("output").unwrap_or("").to_string();
    let dry_run = match p.get("dry-run") {
        None | Some("none") | Some("false") => "",
        Some("client") | Some("true") => "client",
        Some("server") => "server",
        Some(v) => {
            return fail(&format!(
                "Invalid dry-run value ({v}). Must be \"none\", \"server\", or \"client\"."
            ))
        }
    };
    // annotate builds its printer in Complete; label only when it prints (after the write).
    let printer_error = (!matches!(output.as_str(), "" | "yaml" | "json" | "name")).then(|| {
        format!(
            "unable to match a printer suitable for the output format \"{output}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
        )
    });
    let list = p.bool("list");
    if verb == Verb::Annotate {
        if let Some(e) = &printer_error {
            return fail(e);
        }
        if list && !output.is_empty() {
            return fail("--list and --output may not be specified together");
        }
    }
    let (resources, pairs) = match resources_and_pairs(&p.args, verb.noun()) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let parsed = match verb {
        Verb::Label => parse_labels(&pairs),
        Verb::Annotate => parse_annotations(&pairs),
    };
    let (updates, remove) = match parsed {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    if list && !output.is_empty() {
        return fail("--list and --output may not be specified together");
    }

    // Validate.
    let all = p.bool("all");
    let selector = selector_flag(&p);
    if all && selector.is_some() {
        return fail("cannot set --all and --selector at the same time");
    }
    if all && p.get("field-selector").is_some_and(|s| !s.is_empty()) {
        return fail("cannot set --all and --field-selector at the same time");
    }
    if p.bool("local") || p.has("filename") || p.has("kustomize") {
        return fail(&format!(
            "\"kubectl {} -f/--local\" is not available in kubeplay yet",
            verb.noun().replace("ation", "ate")
        ));
    }
    if resources.is_empty() {
        return fail(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        );
    }
    if updates.is_empty() && remove.is_empty() && !list {
        return fail(&format!("at least one {} update is required", verb.noun()));
    }
    if verb == Verb::Annotate {
        if let Err(e) = validate_annotation_removals(&updates, &remove) {
            return fail(&e);
        }
    }

    // The builder: `TYPE NAME...`, `TYPE/NAME...`, or `TYPE` with --all / -l.
    let ns = p.namespace();
    let all_ns = p.bool("all-namespaces");
    let mut named: Vec<(Kind, String)> = Vec::new();
    let mut kinds: Vec<Kind> = Vec::new();
    if resources[0].contains('/') {
        for r in &resources {
            let Some((t, n)) = r.split_once('/') else {
                return fail("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'");
            };
            let Some(k) = resolve_kind(t) else {
                return fail(&format!("the server doesn't have a resource type \"{t}\""));
            };
            named.push((k, n.to_string()));
        }
    } else {
        for t in resources[0].split(',') {
            match resolve_kind(t) {
                Some(k) => kinds.push(k),
                None => return fail(&format!("the server doesn't have a resource type \"{t}\"")),
            }
        }
        for n in &resources[1..] {
            for k in &kinds {
                named.push((*k, n.clone()));
            }
        }
    }
    if !named.is_empty() && selector.is_some() {
        return fail("name cannot be provided when a selector is specified");
    }
    if named.is_empty() && !all && selector.is_none() {
        return fail("resource(s) were provided, but no name was specified");
    }
    // `IntoSingleItemImplied`: one object named on the command line.
    let one = named.len() == 1;
    if !one && p.get("resource-version").is_some_and(|v| !v.is_empty()) {
        return fail("--resource-version may only be used with a single resource");
    }

    let mut out = Outcome::default();
    let mut fails: Vec<Failure> = Vec::new();
    // Visit: each object in turn, as the builder yields them.
    let mut visits: Vec<Result<Rc<Object>, Failure>> = Vec::new();
    if named.is_empty() {
        for kind in &kinds {
            let scope = if !kind.namespaced() || all_ns {
                None
            } else {
                Some(ns.as_str())
            };
            let mut objs = sim.store().list(*kind, scope);
            if let Some((raw, sel)) = &selector {
                match sel {
                    Ok(sel) => objs.retain(|o| {
                        sel.matches(o.meta().labels.as_ref().unwrap_or(&BTreeMap::new()))
                    }),
                    Err(e) => {
                        // The list fails on the server; the message already reads `Error from server`.
                        out.stderr.push_str(&list_error(*kind, raw, e));
                        out.exit_code = 1;
                        continue;
                    }
                }
            }
            visits.extend(objs.into_iter().map(Ok));
        }
    } else {
        for (kind, name) in &named {
            let key = ObjKey::new(*kind, if kind.namespaced() { &ns } else { "" }, name);
            visits.push(
                sim.get(&key)
                    .cloned()
                    .ok_or_else(|| Failure::Api(ApiError::not_found(*kind, name))),
            );
        }
    }

    let overwrite = p.bool("overwrite");
    let suffix = match dry_run {
        "client" => " (dry run)",
        _ => "",
    };
    for v in visits {
        let obj = match v {
            Ok(o) => o,
            Err(f) => {
                fails.push(f);
                continue;
            }
        };
        let kind = obj.kind();
        let local = dry_run == "client" || list;
        let current = match verb {
            Verb::Label => obj.meta().labels.clone(),
            Verb::Annotate => obj.meta().annotations.clone(),
        };
        if verb == Verb::Label && !local {
            for r in &remove {
                if !current.as_ref().is_some_and(|l| l.contains_key(r)) {
                    out.stdout
                        .push_str(&format!("label {} not found.\n", go_quote(r)));
                }
            }
        }
        // labelFunc / updateAnnotations: refuse to overwrite without --overwrite.
        if !overwrite {
            let have = current.clone().unwrap_or_default();
            let clashes: Vec<String> = updates
                .iter()
                .filter(|(k, _)| verb == Verb::Label || k != "kubernetes.io/change-cause")
                .filter_map(|(k, _)| {
                    have.get(k)
                        .map(|v| format!("'{k}' already has a value ({v})"))
                })
                .collect();
            if !clashes.is_empty() {
                fails.push(match verb {
                    Verb::Label => Failure::Many(
                        clashes
                            .into_iter()
                            .map(|c| format!("{c}, and --overwrite is false"))
                            .collect(),
                    ),
                    Verb::Annotate => Failure::Plain(format!(
                        "--overwrite is false but found the following declared annotation(s): {}",
                        clashes.join("; ")
                    )),
                });
                continue;
            }
        }
        let mut new_map = current.clone().unwrap_or_default();
        for (k, v) in &updates {
            new_map.insert(k.clone(), v.clone());
        }
        for r in &remove {
            new_map.remove(r);
        }
        let msg = match verb {
            Verb::Label => label_change_msg(current.as_ref(), &new_map, overwrite),
            Verb::Annotate => "annotated",
        };
        let mut new_obj = (*obj).clone();
        {
            let m = new_obj.meta_mut();
            let field = match verb {
                Verb::Label => &mut m.labels,
                Verb::Annotate => &mut m.annotations,
            };
            // The API server drops an empty map (`omitempty`).
            *field = if new_map.is_empty() {
                None
            } else {
                Some(new_map.clone())
            };
        }
        if !local {
            if let Some(rv) = p.get("resource-version").filter(|v| !v.is_empty()) {
                if obj.meta().resource_version.as_deref() != Some(rv) {
                    fails.push(Failure::Api(conflict(kind, obj.name())));
                    continue;
                }
            }
            let result = sim.update(new_obj.clone()).map(Some);
            match result {
                // annotate prints what the server returned; label the object it changed locally.
                Ok(Some(stored)) if verb == Verb::Annotate => new_obj = (*stored).clone(),
                Ok(_) => {}
                Err(e) => {
                    fails.push(Failure::Api(e));
                    continue;
                }
            }
        }
        if list {
            let m = match verb {
                Verb::Label => new_obj.meta().labels.clone(),
                Verb::Annotate => new_obj.meta().annotations.clone(),
            }
            .unwrap_or_default();
            let indent = if one { "" } else { " " };
            if !one {
                let what = if verb == Verb::Label {
                    "labels"
                } else {
                    "annotations"
                };
                out.stdout.push_str(&format!(
                    "Listing {what} for {}.{}/{}:\n",
                    kind.name(),
                    kind.group(),
                    obj.name()
                ));
            }
            for (k, v) in m {
                out.stdout.push_str(&format!("{indent}{k}={v}\n"));
            }
            continue;
        }
        if let Some(e) = &printer_error {
            fails.push(Failure::Plain(e.clone()));
            continue;
        }
        match output.as_str() {
            "yaml" => out.stdout.push_str(&yaml(&new_obj.to_json_value())),
            "json" => out.stdout.push_str(&json(&new_obj.to_json_value())),
            "name" => {
                out.stdout
                    .push_str(&format!("{}/{}\n", kind.qualified_singular(), obj.name()))
            }
            _ => out.stdout.push_str(&format!(
                "{}/{} {msg}{suffix}\n",
                kind.qualified_singular(),
                obj.name()
            )),
        }
    }
    if !fails.is_empty() {
        out.stderr.push_str(&report(&fails));
        out.exit_code = 1;
    }
    out
}

/// 409 for a stale `--resource-version`.
fn conflict(kind: Kind, name: &str) -> ApiError {
    ApiError {
        code: 409,
        reason: "Conflict".into(),
        message: format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            kind.qualified_plural()
        ),
        causes: Vec::new(),
        subject: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resources_then_pairs() {
        assert_eq!(
            resources_and_pairs(&w(&["pod", "x", "a=b", "c-"]), "label"),
            Ok((w(&["pod", "x"]), w(&["a=b", "c-"])))
        );
        assert_eq!(
            resources_and_pairs(&w(&["pod", "x", "=v", "-"]), "label"),
            Ok((w(&["pod", "x", "=v", "-"]), w(&[])))
        );
        assert_eq!(
            resources_and_pairs(&w(&["pod", "x", "a=b", "foo"]), "label"),
            Err("all resources must be specified before label changes: foo".into())
        );
    }

    #[test]
    fn label_specs() {
        assert_eq!(
            parse_labels(&w(&["a=b=c"])).err(),
            Some("invalid label spec: a=b=c".into())
        );
        assert_eq!(
            parse_labels(&w(&["a=b", "a-"])).err(),
            Some("can not both modify and remove a label in the same command".into())
        );
        assert!(parse_labels(&w(&["x=-bad"]))
            .is_err_and(|e| e.starts_with("invalid label value: \"x=-bad\": a valid label")));
        assert_eq!(
            parse_labels(&w(&["a=1", "b=2", "a=3"])).ok(),
            Some((
                vec![("a".into(), "3".into()), ("b".into(), "2".into())],
                vec![]
            ))
        );
        assert_eq!(
            parse_annotations(&w(&["k=a=b"])).ok(),
            Some((vec![("k".into(), "a=b".into())], vec![]))
        );
    }

    #[test]
    fn change_messages() {
        let m = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let web = m(&[("app", "web")]);
        assert_eq!(label_change_msg(Some(&web), &web, false), "not labeled");
        assert_eq!(label_change_msg(Some(&web), &m(&[]), false), "unlabeled");
        assert_eq!(label_change_msg(Some(&web), &m(&[]), true), "labeled");
        assert_eq!(
            label_change_msg(Some(&web), &m(&[("app", "db")]), true),
            "labeled"
        );
        assert_eq!(
            label_change_msg(Some(&web), &m(&[("app", "w")]), true),
            "labeled"
        );
        assert_eq!(
            label_change_msg(Some(&web), &m(&[("new", "1")]), false),
            "unlabeled"
        );
        // Removing an absent label from an object without labels still writes `"labels":{}`.
        assert_eq!(label_change_msg(None, &m(&[]), false), "labeled");
    }

    #[test]
    fn label_column_headers_use_the_last_segment() {
        assert_eq!(
            label_column_headers(&w(&["app", "app.kubernetes.io/name"])),
            w(&["APP", "NAME"])
        );
        assert_eq!(gvr(Kind::Pod), "/v1, Resource=pods");
        assert_eq!(gvr(Kind::Deployment), "apps/v1, Resource=deployments");
    }
}
