//! `kubectl get` beyond tables: `-o jsonpath=`, `-o custom-columns=`, `-o go-template=`, `--sort-by`,
//! and `-w` (a row for every change, as time passes).

use std::collections::BTreeMap;
use std::rc::Rc;

use super::cmd::{column_widths, header_row, object_row, RowOpts};
use super::jsonpath::JsonPath;
use super::outcome::Progress;
use super::printers::table;
use crate::sim::labels::Selector;
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

/// A user-supplied output template.
#[derive(Clone, Debug)]
pub enum Template {
    JsonPath(JsonPath),
    GoTemplate(JsonPath),
    CustomColumns(Vec<(String, JsonPath)>),
}

/// Turns a Go template (`{{range .items}}{{.metadata.name}}{{"\n"}}{{end}}`,
/// `{{(index .spec.ports 0).nodePort}}`) into the equivalent JSONPath template.
pub fn go_template_to_jsonpath(t: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = t;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!(
                "error: error parsing template {t}, template: output:1: unclosed action"
            ));
        };
        let action = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let expr = if action == "end" {
            "end".to_string()
        } else if let Some(r) = action.strip_prefix("range ") {
            let r = r.trim();
            format!("range {}[*]", r)
        } else if action.starts_with('"') {
            action.to_string()
        } else if let Some(inner) = action
            .strip_prefix("(index ")
            .and_then(|a| a.split_once(')'))
        {
            // (index .a.b 0).c  ->  .a.b[0].c
            let (args, tail) = inner;
            let mut parts = args.split_whitespace();
            let (Some(path), Some(idx)) = (parts.next(), parts.next()) else {
                return Err(format!("error: error parsing template {t}, template: output:1: wrong number of args for index"));
            };
            format!("{path}[{idx}]{tail}")
        } else if let Some(args) = action.strip_prefix("index ") {
            let mut parts = args.split_whitespace();
            let (Some(path), Some(idx)) = (parts.next(), parts.next()) else {
                return Err(format!("error: error parsing template {t}, template: output:1: wrong number of args for index"));
            };
            let idx = idx.trim_matches('"');
            if idx.parse::<i64>().is_ok() {
                format!("{path}[{idx}]")
            } else {
                format!("{path}['{idx}']")
            }
        } else if action.starts_with('.') || action == "." {
            if action == "." {
                "@".to_string()
            } else {
                action.to_string()
            }
        } else {
            return Err(format!("error: error parsing template {t}, template: output:1: function \"{}\" not defined", action.split_whitespace().next().unwrap_or("")));
        };
        out.push('{');
        out.push_str(&expr);
        out.push('}');
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

impl Template {
    /// From `-o jsonpath=...`, `-o custom-columns=...`, `-o go-template=...` (or `-o go-template
    /// --template ...`); `Ok(None)` for the other formats.
    pub fn parse(output: &str, template_flag: Option<&str>) -> Result<Option<Template>, String> {
        let (kind, arg) = match output.split_once('=') {
            Some((k, a)) => (k, Some(a.to_string())),
            None => (output, None),
        };
        let arg = arg.or_else(|| template_flag.map(str::to_string));
        match kind {
            "jsonpath" | "template" | "go-template" => {
                let Some(a) = arg else {
                    return Err(
                        "error: template format specified but no template given\n".to_string()
                    );
                };
                if kind == "jsonpath" {
                    JsonPath::parse(&a)
                        .map(|j| Some(Template::JsonPath(j)))
                        .map_err(|e| format!("error: error parsing jsonpath {a}, {e}\n"))
                } else {
                    let jp = go_template_to_jsonpath(&a).map_err(|e| format!("{e}\n"))?;
                    JsonPath::parse(&jp)
                        .map(|j| Some(Template::GoTemplate(j)))
                        .map_err(|e| format!("error: error parsing template {a}, {e}\n"))
                }
            }
            "custom-columns" => {
                let Some(a) = arg else {
                    return Err(
                        "error: custom-columns format specified but no custom columns given\n"
                            .into(),
                    );
                };
                let mut cols = Vec::new();
                for spec in a.split(',') {
                    let Some((name, path)) = spec.split_once(':') else {
                        return Err(format!("error: unexpected custom-columns spec: {spec}, expected <header>:<json-path-expr>\n"));
                    };
                    let p = if path.starts_with('{') {
                        path.to_string()
                    } else {
                        format!("{{{path}}}")
                    };
                    let jp = JsonPath::parse(&p).map_err(|e| format!("error: {e}\n"))?;
                    cols.push((name.to_string(), jp));
                }
                Ok(Some(Template::CustomColumns(cols)))
            }
            _ => Ok(None),
        }
    }

    /// One object (`kubectl get pod x -o ...`).
    pub fn render_one(&self, obj: &serde_json::Value) -> String {
        match self {
            Template::JsonPath(j) | Template::GoTemplate(j) => j.render(obj),
            Template::CustomColumns(_) => self.render_rows(std::slice::from_ref(obj)),
        }
    }

    /// A list (`kubectl get pods -o ...`): templates see `{"kind": "List", "items": [...]}`.
    pub fn render_list(&self, items: &[serde_json::Value]) -> String {
        match self {
            Template::JsonPath(j) | Template::GoTemplate(j) => {
                let doc = serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}});
                j.render(&doc)
            }
            Template::CustomColumns(_) => self.render_rows(items),
        }
    }

    fn render_rows(&self, items: &[serde_json::Value]) -> String {
        let Template::CustomColumns(cols) = self else {
            return String::new();
        };
        let mut rows = vec![cols.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()];
        for it in items {
            rows.push(
                cols.iter()
                    .map(|(_, j)| {
                        let v = j
                            .render(it)
                            .split(' ')
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(",");
                        if v.is_empty() {
                            "<none>".to_string()
                        } else {
                            v
                        }
                    })
                    .collect(),
            );
        }
        table(&rows)
    }
}

/// `--sort-by=.metadata.name` or `{.metadata.name}`.
pub fn sort_key(s: &str) -> Result<JsonPath, String> {
    let p = if s.starts_with('{') {
        s.to_string()
    } else {
        format!("{{{s}}}")
    };
    JsonPath::parse(&p).map_err(|e| format!("error: couldn't parse sort-by {s}: {e}\n"))
}

/// Sorts objects by a JSONPath value: numerically when both are numbers, else as strings.
pub fn sort_objects(objs: &mut [Rc<Object>], key: &JsonPath) {
    let mut keyed: Vec<(String, Rc<Object>)> = objs
        .iter()
        .map(|o| (key.render(&o.to_json_value()), o.clone()))
        .collect();
    sort_keyed(&mut keyed);
    for (slot, (_, o)) in objs.iter_mut().zip(keyed) {
        *slot = o;
    }
}

/// `--sort-by`'s order over rendered keys: numbers by value, anything else as text; stable.
pub fn sort_keyed<T>(keyed: &mut [(String, T)]) {
    crate::sort::sort_by(keyed, |(a, _), (b, _)| {
        match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
            _ => a.cmp(b),
        }
    });
}

/// What `kubectl get -w` keeps between events.
#[derive(Clone, Debug)]
pub struct WatchState {
    pub kinds: Vec<Kind>,
    pub namespace: Option<String>,
    pub names: Vec<String>,
    pub selector: Option<Selector>,
    pub opts: RowOpts,
    pub widths: BTreeMap<Kind, Vec<usize>>,
    /// Every object reported so far, with the resourceVersion last printed.
    pub seen: BTreeMap<ObjKey, (String, Rc<Object>)>,
    pub header_done: bool,
    pub no_headers: bool,
}

impl PartialEq for WatchState {
    fn eq(&self, other: &Self) -> bool {
        self.kinds == other.kinds
            && self.namespace == other.namespace
            && self.names == other.names
            && self
                .seen
                .iter()
                .map(|(k, (rv, _))| (k, rv))
                .eq(other.seen.iter().map(|(k, (rv, _))| (k, rv)))
    }
}
impl Eq for WatchState {}

fn in_scope(w: &WatchState, o: &Object) -> bool {
    if !w.kinds.contains(&o.kind()) {
        return false;
    }
    if o.kind().namespaced() && w.namespace.as_deref().is_some_and(|ns| ns != o.namespace()) {
        return false;
    }
    if !w.names.is_empty() && !w.names.iter().any(|n| n == o.name()) {
        return false;
    }
    match &w.selector {
        Some(s) => s.matches(&o.meta().labels.clone().unwrap_or_default()),
        None => true,
    }
}

/// One streamed row, padded to the widths remembered from the table printed first.
fn padded(widths: &mut Vec<usize>, row: &[String]) -> String {
    if widths.len() < row.len() {
        widths.resize(row.len(), 0);
    }
    let mut line = String::new();
    for (i, c) in row.iter().enumerate() {
        widths[i] = widths[i].max(c.chars().count());
        if i + 1 == row.len() {
            line.push_str(c);
        } else {
            let w = (widths[i] + 3).max(6);
            line.push_str(c);
            for _ in c.chars().count()..w {
                line.push(' ');
            }
        }
    }
    line.push('\n');
    line
}

/// Prints a row for every object that changed (or appeared, or went) since the last poll.
/// A watch never ends by itself: Ctrl-C in the page, `timeout` in a script.
pub fn poll(sim: &Sim, w: &mut WatchState) -> Progress {
    let mut p = Progress::default();
    let mut current: BTreeMap<ObjKey, Rc<Object>> = BTreeMap::new();
    for kind in w.kinds.clone() {
        let scope = if kind.namespaced() {
            w.namespace.as_deref()
        } else {
            None
        };
        for o in sim.store().list(kind, scope) {
            if in_scope(w, &o) {
                current.insert(ObjKey::of(&o), o);
            }
        }
    }
    let mut changed: Vec<Rc<Object>> = Vec::new();
    for (k, o) in &current {
        let rv = o.meta().resource_version.clone().unwrap_or_default();
        if w.seen.get(k).is_none_or(|(seen_rv, _)| *seen_rv != rv) {
            changed.push(o.clone());
            w.seen.insert(k.clone(), (rv, o.clone()));
        }
    }
    let gone: Vec<ObjKey> = w
        .seen
        .keys()
        .filter(|k| !current.contains_key(*k))
        .cloned()
        .collect();
    for k in gone {
        if let Some((_, o)) = w.seen.remove(&k) {
            changed.push(o);
        }
    }
    for o in changed {
        let kind = o.kind();
        let row = object_row(sim, kind, &o, &w.opts);
        let widths = w
            .widths
            .entry(kind)
            .or_insert_with(|| column_widths(&[header_row(kind, &w.opts)]));
        if !w.header_done && !w.no_headers {
            let header = header_row(kind, &w.opts);
            let _ = padded(widths, &row);
            p.stdout.push_str(&padded(widths, &header));
            w.header_done = true;
        }
        p.stdout.push_str(&padded(widths, &row));
    }
    p
}
