//! `kubectl describe`: the human-readable reports of kubectl 1.32's `pkg/describe`, laid out the
//! way its `PrefixWriter` and Go `text/tabwriter` (minwidth 0, tabwidth 8, padding 2, spaces) lay
//! them out. Each report is written as tab-separated cells with two-space indentation levels, then
//! aligned by [`tabwrite`], which follows tabwriter's column blocks exactly (a line with fewer cells
//! ends a block, the last cell of a line is never padded).

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, ContainerState, ContainerStatus, Namespace, Node, Pod, PodTemplateSpec,
    Probe, ResourceRequirements, Secret, Service, ServiceAccount, Taint, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::args::{self, flag, FlagSpec};
use super::outcome::Outcome;
use super::printers::human_duration;
use crate::sim::labels::{format_labels, Selector};
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::{EventRecord, Sim};

pub(crate) const FLAGS: &[FlagSpec] = &[
    flag("selector", Some('l'), true),
    flag("all-namespaces", Some('A'), false),
    flag("show-events", None, false),
    flag("chunk-size", None, true),
];

const RFC1123Z: &str = "%a, %d %b %Y %H:%M:%S %z";

/// Runs `kubectl describe ARGS...`.
pub fn describe(sim: &Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, FLAGS, "kubectl describe") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if p.args.is_empty() {
        return Outcome::err(
            "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n",
        );
    }
    let all_ns = p.bool("all-namespaces");
    let ns = p.namespace();
    let show_events = p.get("show-events").is_none_or(|v| v != "false");
    let selector = super::label::selector_flag(&p);

    let targets = match super::cmd::object_targets(&p.args, false) {
        Ok(t) => t,
        Err(o) => return o,
    };
    if selector.is_some() && targets.iter().any(|t| t.1.is_some()) {
        return Outcome::err("error: name cannot be provided when a selector is specified\n");
    }

    let mut out = Outcome::default();
    let mut objs: Vec<std::rc::Rc<Object>> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (kind, name) in &targets {
        match name {
            Some(n) => {
                let key = ObjKey::new(*kind, if kind.namespaced() { &ns } else { "" }, n);
                match sim.get(&key) {
                    Some(o) => objs.push(o.clone()),
                    None if p.args.len() == 2 && !p.args[0].contains('/') && targets.len() == 1 => {
                        // DescribeMatchingResources: `describe pods web` describes every pod whose
                        // name starts with `web` (in the current namespace), each followed by a
                        // blank line.
                        let scope = if kind.namespaced() {
                            Some(ns.as_str())
                        } else {
                            None
                        };
                        let matching: Vec<_> = sim
                            .store()
                            .list(*kind, scope)
                            .into_iter()
                            .filter(|o| o.name().starts_with(n.as_str()))
                            .collect();
                        if matching.is_empty() {
                            return super::cmd::not_found(*kind, n);
                        }
                        for o in matching {
                            out.stdout.push_str(&describe_object(sim, &o, show_events));
                            out.stdout.push('\n');
                        }
                        return out;
                    }
                    None => {
                        errors.push(crate::sim::ApiError::not_found(*kind, n).kubectl_message())
                    }
                }
            }
            None => {
                let scope = if !kind.namespaced() || all_ns {
                    None
                } else {
                    Some(ns.as_str())
                };
                let mut v = sim.store().list(*kind, scope);
                match &selector {
                    Some((_, Ok(sel))) => {
                        v.retain(|o| sel.matches(&o.meta().labels.clone().unwrap_or_default()))
                    }
                    Some((raw, Err(e))) => {
                        out.stderr
                            .push_str(&super::label::list_error(*kind, raw, e));
                        out.exit_code = 1;
                        continue;
                    }
                    None => {}
                }
                objs.extend(v);
            }
        }
    }
    for (i, o) in objs.iter().enumerate() {
        if i > 0 {
            out.stdout.push_str("\n\n");
        }
        out.stdout.push_str(&describe_object(sim, o, show_events));
    }
    if objs.is_empty() && errors.is_empty() && out.exit_code == 0 {
        if all_ns {
            out.stderr.push_str("No resources found\n");
        } else {
            out.stderr
                .push_str(&format!("No resources found in {ns} namespace.\n"));
        }
    }
    for e in errors {
        out.stderr.push_str(&e);
        out.stderr.push('\n');
        out.exit_code = 1;
    }
    out
}

/// The report for one object.
pub fn describe_object(sim: &Sim, o: &Object, show_events: bool) -> String {
    let ctx = Ctx {
        sim,
        now: sim.clock().now(),
        show_events,
    };
    let mut w = Pw::default();
    #[allow(unreachable_patterns)]
    match o {
        Object::Pod(p) => ctx.pod(&mut w, o, p),
        Object::Deployment(d) => ctx.deployment(&mut w, o, d),
        Object::ReplicaSet(rs) => ctx.replicaset(&mut w, o, rs),
        Object::Node(n) => ctx.node(&mut w, o, n),
        Object::Service(s) => ctx.service(&mut w, o, s),
        Object::Namespace(n) => ctx.namespace(&mut w, n),
        Object::ConfigMap(c) => ctx.configmap(&mut w, o, c),
        Object::Secret(s) => ctx.secret(&mut w, s),
        Object::ServiceAccount(sa) => ctx.serviceaccount(&mut w, o, sa),
        _ => ctx.generic(&mut w, o),
    }
    w.finish()
}

// ---------------------------------------------------------------------------------------------
// Layout: PrefixWriter + tabwriter

/// kubectl's `PrefixWriter` over a tabwriter: text at indentation levels (two spaces each);
/// `flush` ends a tabwriter segment (columns never align across it).
#[derive(Default)]
struct Pw {
    done: Vec<String>,
    cur: String,
}

impl Pw {
    fn w(&mut self, level: usize, s: &str) {
        for _ in 0..level {
            self.cur.push_str("  ");
        }
        self.cur.push_str(s);
    }
    /// `WriteLine`: the text and a newline, no indentation.
    fn line(&mut self, s: &str) {
        self.cur.push_str(s);
        self.cur.push('\n');
    }
    fn flush(&mut self) {
        let seg = std::mem::take(&mut self.cur);
        self.done.push(tabwrite(&seg, 0, 2));
    }
    fn finish(mut self) -> String {
        self.flush();
        self.done.concat()
    }
}

/// Go's `text/tabwriter` with space padding and no flags: cells are tab-terminated; a column block
/// is a run of consecutive lines that have a terminated cell in that column; each cell of a block
/// is padded to the block's widest cell plus `padding` (at least `minwidth`); the last cell of a
/// line is written as is.
pub(crate) fn tabwrite(text: &str, minwidth: usize, padding: usize) -> String {
    if text.is_empty() {
        return String::new();
    }
    let ends_nl = text.ends_with('\n');
    let body = if ends_nl {
        &text[..text.len() - 1]
    } else {
        text
    };
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut t = Tab {
        lines: &lines,
        minwidth,
        padding,
        ends_nl,
        widths: Vec::new(),
        out: String::new(),
    };
    t.format(0, lines.len());
    t.out
}

struct Tab<'a> {
    lines: &'a [Vec<&'a str>],
    minwidth: usize,
    padding: usize,
    ends_nl: bool,
    widths: Vec<usize>,
    out: String,
}

impl Tab<'_> {
    fn format(&mut self, line0: usize, line1: usize) {
        let column = self.widths.len();
        let mut line0 = line0;
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            self.write_lines(line0, this);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].chars().count() + self.padding);
                this += 1;
            }
            self.widths.push(width);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }

    fn write_lines(&mut self, line0: usize, line1: usize) {
        for i in line0..line1 {
            for (j, cell) in self.lines[i].iter().enumerate() {
                self.out.push_str(cell);
                if let Some(&w) = self.widths.get(j) {
                    for _ in cell.chars().count()..w {
                        self.out.push(' ');
                    }
                }
            }
            if i + 1 < self.lines.len() || self.ends_nl {
                self.out.push('\n');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

struct Ctx<'a> {
    sim: &'a Sim,
    now: DateTime<Utc>,
    show_events: bool,
}

fn rfc1123z(t: &DateTime<Utc>) -> String {
    t.format(RFC1123Z).to_string()
}

fn time_str(t: Option<&Time>) -> String {
    // A nil metav1.Time formats as Go's zero time.
    match t {
        Some(t) => rfc1123z(&t.0),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".into(),
    }
}

/// `printLabelsMultiline`: `Title:\tk=v` then `\tk=v` per further pair, or `<none>`.
fn labels_multiline(w: &mut Pw, title: &str, labels: Option<&BTreeMap<String, String>>) {
    w.w(0, &format!("{title}:\t"));
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        w.line("<none>");
        return;
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{k}={v}\n"));
    }
}

const MAX_ANNOTATION_LEN: usize = 140;

/// `printAnnotationsMultiline`: sorted, last-applied-configuration skipped, long or multi-line
/// values on their own indented lines (cut at 138 bytes with `...`).
fn annotations_multiline(w: &mut Pw, title: &str, annotations: Option<&BTreeMap<String, String>>) {
    w.w(0, &format!("{title}:\t"));
    let keys: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if keys.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, (k, v)) in keys.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let value = v.strip_suffix('\n').unwrap_or(v);
        if value.len() + k.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.w(0, &format!("{k}:\n"));
            for s in value.split('\n') {
                w.w(0, &format!("\t  {}\n", shorten(s, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            w.w(0, &format!("{k}: {value}\n"));
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s.to_string()
    }
}

fn toleration_string(t: &Toleration) -> String {
    let mut s = t.key.clone().unwrap_or_default();
    let value = t.value.as_deref().unwrap_or("");
    if !value.is_empty() {
        s.push_str(&format!("={value}"));
    }
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
        s.push_str(&format!(":{e}"));
    }
    if t.operator.as_deref() == Some("Exists") && value.is_empty() {
        if t.key.as_deref().is_some_and(|k| !k.is_empty())
            || t.effect.as_deref().is_some_and(|e| !e.is_empty())
        {
            s.push_str(" op=Exists");
        } else {
            s.push_str("op=Exists");
        }
    }
    if let Some(secs) = t.toleration_seconds {
        s.push_str(&format!(" for {secs}s"));
    }
    s
}

fn tolerations_multiline(w: &mut Pw, title: &str, tolerations: Option<&Vec<Toleration>>) {
    w.w(0, &format!("{title}:\t"));
    let mut ts: Vec<&Toleration> = tolerations.into_iter().flatten().collect();
    if ts.is_empty() {
        w.line("<none>");
        return;
    }
    crate::sort::sort_by(&mut ts, |a, b| a.key.cmp(&b.key));
    for (i, t) in ts.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{}\n", toleration_string(t)));
    }
}

fn taint_string(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    match (t.effect.is_empty(), value.is_empty()) {
        (true, true) => t.key.clone(),
        (true, false) => format!("{}={value}", t.key),
        (false, true) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={value}:{}", t.key, t.effect),
    }
}

fn controlled_by(o: &Object) -> Option<String> {
    o.controller_ref().map(|r| format!("{}/{}", r.kind, r.name))
}

/// `metav1.FormatLabelSelector` / `selector.String()` for a structured selector.
fn selector_string(sel: Option<&LabelSelector>) -> String {
    match Selector::from_label_selector(sel) {
        Ok(s) if s.is_empty() => "<none>".into(),
        Ok(s) => s.to_string(),
        Err(e) => e,
    }
}

impl Ctx<'_> {
    /// HumanDuration since `t` (timestamps as the API stores them: whole seconds).
    fn since(&self, t: &DateTime<Utc>) -> String {
        let secs = (self.now - *t).num_milliseconds().div_euclid(1000);
        human_duration(secs)
    }

    fn event_time(&self, ms: u64) -> DateTime<Utc> {
        let t = self.sim.clock().start()
            + chrono::Duration::milliseconds(ms.min(i64::MAX as u64 / 2) as i64);
        Utc.timestamp_opt(t.timestamp(), 0).single().unwrap_or(t)
    }

    /// The Events about one object (matched as `searchEvents` does: kind, namespace, name, uid;
    /// nodes also by the node's name as uid, as the kubelet reports them).
    fn events_for(&self, o: &Object) -> Vec<&EventRecord> {
        let key = ObjKey::of(o);
        let mut v: Vec<&EventRecord> = self
            .sim
            .events()
            .iter()
            .filter(|e| {
                e.object == key
                    && (e.object_uid == o.uid()
                        || (key.kind == Kind::Node && e.object_uid == key.name))
            })
            .collect();
        crate::sort::sort_by_key(&mut v, |e| self.event_time(e.last_ms));
        v
    }

    /// `DescribeEvents` (only when `--show-events`, the default).
    fn events(&self, w: &mut Pw, o: &Object) {
        if !self.show_events {
            return;
        }
        let evs = self.events_for(o);
        write_events(w, &evs, |ms| self.since(&self.event_time(ms)));
    }
}

fn write_events(w: &mut Pw, evs: &[&EventRecord], since: impl Fn(u64) -> String) {
    if evs.is_empty() {
        w.w(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for e in evs {
        let first = since(e.first_ms);
        let interval = if e.count > 1 {
            format!("{} (x{} over {first})", since(e.last_ms), e.count)
        } else {
            first
        };
        w.w(
            1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                e.type_,
                e.reason,
                interval,
                e.source,
                e.message.trim()
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Quantities (resource.Quantity's canonical String and arithmetic, to the milli-unit)

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QFmt {
    Binary,
    Decimal,
}

/// A quantity in thousandths of its unit, with the format its canonical string uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Qty {
    milli: i128,
    fmt: QFmt,
}

impl Qty {
    const ZERO: Qty = Qty {
        milli: 0,
        fmt: QFmt::Decimal,
    };

    fn parse(s: &str) -> Option<Qty> {
        let s = s.trim();
        let num_end = s
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || ((c == '+' || c == '-') && i == 0)))
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        let (num, suffix) = s.split_at(num_end);
        let (neg, num) = match num.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, num.strip_prefix('+').unwrap_or(num)),
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
        let scale = 10i128.checked_pow(frac.len() as u32)?;
        // value = mantissa / scale * num / den
        let (num_m, den, fmt): (i128, i128, QFmt) = match suffix {
            "" => (1, 1, QFmt::Decimal),
            "n" => (1, 1_000_000_000, QFmt::Decimal),
            "u" => (1, 1_000_000, QFmt::Decimal),
            "m" => (1, 1000, QFmt::Decimal),
            "k" => (1000, 1, QFmt::Decimal),
            "M" => (1_000_000, 1, QFmt::Decimal),
            "G" => (1_000_000_000, 1, QFmt::Decimal),
            "T" => (1_000_000_000_000, 1, QFmt::Decimal),
            "P" => (1_000_000_000_000_000, 1, QFmt::Decimal),
            "E" => (1_000_000_000_000_000_000, 1, QFmt::Decimal),
            "Ki" => (1 << 10, 1, QFmt::Binary),
            "Mi" => (1 << 20, 1, QFmt::Binary),
            "Gi" => (1 << 30, 1, QFmt::Binary),
            "Ti" => (1 << 40, 1, QFmt::Binary),
            "Pi" => (1 << 50, 1, QFmt::Binary),
            "Ei" => (1 << 60, 1, QFmt::Binary),
            e if e.starts_with(['e', 'E']) => {
                let exp: i32 = e[1..].parse().ok()?;
                if exp >= 0 {
                    (10i128.checked_pow(exp as u32)?, 1, QFmt::Decimal)
                } else {
                    (1, 10i128.checked_pow((-exp) as u32)?, QFmt::Decimal)
                }
            }
            _ => return None,
        };
        let top = mantissa.checked_mul(num_m)?.checked_mul(1000)?;
        let bottom = scale.checked_mul(den)?;
        // Quantities round up to the smallest unit kept (here milli).
        let mut milli = top / bottom;
        if top % bottom != 0 {
            milli += 1;
        }
        Some(Qty {
            milli: if neg { -milli } else { milli },
            fmt,
        })
    }

    fn of(q: Option<&Quantity>) -> Qty {
        q.and_then(|q| Qty::parse(&q.0)).unwrap_or(Qty::ZERO)
    }

    /// `Add`: the sum keeps the receiver's format (a zero receiver takes the other's).
    fn add(self, o: Qty) -> Qty {
        let fmt = if self.milli == 0 && self == Qty::ZERO {
            o.fmt
        } else {
            self.fmt
        };
        Qty {
            milli: self.milli + o.milli,
            fmt,
        }
    }

    /// `Value()`: whole units, rounded up.
    fn value(self) -> i128 {
        if self.milli >= 0 {
            (self.milli + 999) / 1000
        } else {
            self.milli / 1000
        }
    }

    /// The canonical string (`100m`, `1`, `170Mi`, `102625208Ki`, `0`).
    fn string(self) -> String {
        if self.milli == 0 {
            return "0".into();
        }
        if self.fmt == QFmt::Binary && self.milli % 1000 == 0 {
            let v = self.milli / 1000;
            if v.abs() >= 1024 {
                let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
                let mut n = v;
                let mut i = 0;
                while i < 6 && n % 1024 == 0 {
                    n /= 1024;
                    i += 1;
                }
                return format!("{n}{}", suffixes[i]);
            }
        }
        if self.milli % 1000 != 0 {
            return format!("{}m", self.milli);
        }
        let suffixes = ["", "k", "M", "G", "T", "P", "E"];
        let mut n = self.milli / 1000;
        let mut i = 0;
        while i < 6 && n % 1000 == 0 {
            n /= 1000;
            i += 1;
        }
        format!("{n}{}", suffixes[i])
    }
}

fn qstr(q: &Quantity) -> String {
    Qty::parse(&q.0)
        .map(Qty::string)
        .unwrap_or_else(|| q.0.clone())
}

/// `resourcehelper.PodRequestsAndLimits`: per resource, the larger of the containers' sum and any
/// single init container (requests default to limits, as the API server defaults them).
fn pod_requests_limits(p: &Pod) -> (BTreeMap<String, Qty>, BTreeMap<String, Qty>) {
    let mut reqs: BTreeMap<String, Qty> = BTreeMap::new();
    let mut lims: BTreeMap<String, Qty> = BTreeMap::new();
    let Some(spec) = p.spec.as_ref() else {
        return (reqs, lims);
    };
    let of = |c: &Container| {
        let r = c.resources.as_ref();
        let limits = r.and_then(|r| r.limits.clone()).unwrap_or_default();
        let mut requests = r.and_then(|r| r.requests.clone()).unwrap_or_default();
        for (k, v) in &limits {
            requests.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let conv = |m: BTreeMap<String, Quantity>| -> BTreeMap<String, Qty> {
            m.into_iter()
                .filter_map(|(k, v)| Qty::parse(&v.0).map(|q| (k, q)))
                .collect()
        };
        (conv(requests), conv(limits))
    };
    for c in &spec.containers {
        let (r, l) = of(c);
        for (k, v) in r {
            let e = reqs.entry(k).or_insert(Qty::ZERO);
            *e = e.add(v);
        }
        for (k, v) in l {
            let e = lims.entry(k).or_insert(Qty::ZERO);
            *e = e.add(v);
        }
    }
    for c in spec.init_containers.iter().flatten() {
        let (r, l) = of(c);
        for (k, v) in r {
            let e = reqs.entry(k).or_insert(Qty::ZERO);
            if v.milli > e.milli {
                *e = v;
            }
        }
        for (k, v) in l {
            let e = lims.entry(k).or_insert(Qty::ZERO);
            if v.milli > e.milli {
                *e = v;
            }
        }
    }
    (reqs, lims)
}

fn percent(part: i128, whole: i128) -> i64 {
    if whole == 0 {
        return 0;
    }
    (part as f64 / whole as f64 * 100.0) as i64
}

// ---------------------------------------------------------------------------------------------
// Pods and containers

fn qos_class(p: &Pod) -> String {
    if let Some(q) = p
        .status
        .as_ref()
        .and_then(|s| s.qos_class.clone())
        .filter(|q| !q.is_empty())
    {
        return q;
    }
    let Some(spec) = p.spec.as_ref() else {
        return "BestEffort".into();
    };
    let all: Vec<&Container> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in &all {
        let r = c.resources.as_ref();
        let limits = r.and_then(|r| r.limits.clone()).unwrap_or_default();
        let requests = r.and_then(|r| r.requests.clone()).unwrap_or_default();
        let relevant = |m: &BTreeMap<String, Quantity>| {
            m.iter()
                .filter(|(k, v)| {
                    (k.as_str() == "cpu" || k.as_str() == "memory") && Qty::of(Some(v)).milli != 0
                })
                .count()
        };
        if relevant(&limits) + relevant(&requests) > 0 {
            any = true;
        }
        for res in ["cpu", "memory"] {
            let l = limits.get(res).map(|q| Qty::of(Some(q)).milli);
            let rq = requests.get(res).map(|q| Qty::of(Some(q)).milli).or(l);
            if l.is_none() || l != rq {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort".into()
    } else if guaranteed {
        "Guaranteed".into()
    } else {
        "Burstable".into()
    }
}

fn port_strings(c: &Container) -> (String, String) {
    let ports = c.ports.as_deref().unwrap_or(&[]);
    let proto = |p: &k8s_openapi::api::core::v1::ContainerPort| {
        p.protocol.clone().unwrap_or_else(|| "TCP".into())
    };
    let cp: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, proto(p)))
        .collect();
    let hp: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), proto(p)))
        .collect();
    (cp.join(", "), hp.join(", "))
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `DescribeProbe`.
fn probe_string(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    );
    if let Some(e) = &p.exec {
        return format!(
            "exec [{}] {attrs}",
            e.command.clone().unwrap_or_default().join(" ")
        );
    }
    if let Some(h) = &p.http_get {
        let scheme = h
            .scheme
            .clone()
            .unwrap_or_else(|| "HTTP".into())
            .to_lowercase();
        let host = h.host.clone().unwrap_or_default();
        let port = int_or_string(&h.port);
        let hostport = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        return format!(
            "http-get {scheme}://{hostport}{} {attrs}",
            h.path.clone().unwrap_or_default()
        );
    }
    if let Some(t) = &p.tcp_socket {
        return format!(
            "tcp-socket {}:{} {attrs}",
            t.host.clone().unwrap_or_default(),
            int_or_string(&t.port)
        );
    }
    if let Some(g) = &p.grpc {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            g.port,
            g.service.clone().unwrap_or_default()
        );
    }
    format!("unknown {attrs}")
}

fn resources(w: &mut Pw, r: Option<&ResourceRequirements>, level: usize) {
    let Some(r) = r else { return };
    if let Some(l) = r.limits.as_ref().filter(|l| !l.is_empty()) {
        w.w(level, "Limits:\n");
        for (k, v) in l {
            w.w(level + 1, &format!("{k}:\t{}\n", qstr(v)));
        }
    }
    if let Some(l) = r.requests.as_ref().filter(|l| !l.is_empty()) {
        w.w(level, "Requests:\n");
        for (k, v) in l {
            w.w(level + 1, &format!("{k}:\t{}\n", qstr(v)));
        }
    }
}

fn container_state(w: &mut Pw, title: &str, s: Option<&ContainerState>) {
    let s = s.cloned().unwrap_or_default();
    if let Some(r) = &s.running {
        w.w(2, &format!("{title}:\tRunning\n"));
        w.w(
            3,
            &format!("Started:\t{}\n", time_str(r.started_at.as_ref())),
        );
    } else if let Some(wt) = &s.waiting {
        w.w(2, &format!("{title}:\tWaiting\n"));
        if let Some(r) = wt.reason.as_deref().filter(|r| !r.is_empty()) {
            w.w(3, &format!("Reason:\t{r}\n"));
        }
    } else if let Some(t) = &s.terminated {
        w.w(2, &format!("{title}:\tTerminated\n"));
        if let Some(r) = t.reason.as_deref().filter(|r| !r.is_empty()) {
            w.w(3, &format!("Reason:\t{r}\n"));
        }
        if let Some(m) = t.message.as_deref().filter(|m| !m.is_empty()) {
            w.w(3, &format!("Message:\t{m}\n"));
        }
        w.w(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.w(3, &format!("Signal:\t{sig}\n"));
        }
        w.w(
            3,
            &format!("Started:\t{}\n", time_str(t.started_at.as_ref())),
        );
        w.w(
            3,
            &format!("Finished:\t{}\n", time_str(t.finished_at.as_ref())),
        );
    } else {
        w.w(2, &format!("{title}:\tWaiting\n"));
    }
}

/// The value a `fieldRef` env var resolves to in this pod (the common paths).
fn field_value(pod: Option<&Pod>, path: &str) -> String {
    let Some(p) = pod else { return String::new() };
    let m = &p.metadata;
    let label_key = |prefix: &str| {
        path.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix("['"))
            .and_then(|r| r.strip_suffix("']"))
    };
    match path {
        "metadata.name" => m.name.clone().unwrap_or_default(),
        "metadata.namespace" => m.namespace.clone().unwrap_or_default(),
        "metadata.uid" => m.uid.clone().unwrap_or_default(),
        "spec.nodeName" => p
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default(),
        "spec.serviceAccountName" => p
            .spec
            .as_ref()
            .and_then(|s| s.service_account_name.clone())
            .unwrap_or_default(),
        "status.podIP" => p
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default(),
        "status.hostIP" => p
            .status
            .as_ref()
            .and_then(|s| s.host_ip.clone())
            .unwrap_or_default(),
        _ => {
            if let Some(k) = label_key("metadata.labels") {
                m.labels
                    .as_ref()
                    .and_then(|l| l.get(k).cloned())
                    .unwrap_or_default()
            } else if let Some(k) = label_key("metadata.annotations") {
                m.annotations
                    .as_ref()
                    .and_then(|l| l.get(k).cloned())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        }
    }
}

/// `describeContainers`: `space` is the extra indentation of a pod template ("  ").
fn containers(
    w: &mut Pw,
    label: &str,
    cs: &[Container],
    statuses: Option<&Vec<ContainerStatus>>,
    pod: Option<&Pod>,
    space: &str,
) {
    let none = if cs.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in cs {
        let st = statuses.and_then(|v| v.iter().find(|s| s.name == c.name));
        w.w(1, &format!("{name_indent}{}:\n", c.name));
        if let Some(s) = st {
            w.w(
                2,
                &format!(
                    "Container ID:\t{}\n",
                    s.container_id.clone().unwrap_or_default()
                ),
            );
        }
        w.w(
            2,
            &format!("Image:\t{}\n", c.image.clone().unwrap_or_default()),
        );
        if let Some(s) = st {
            w.w(2, &format!("Image ID:\t{}\n", s.image_id));
        }
        let (ports, host_ports) = port_strings(c);
        let or_none = |s: String| {
            if s.is_empty() {
                "<none>".to_string()
            } else {
                s
            }
        };
        if ports.contains(',') {
            w.w(2, &format!("Ports:\t{ports}\n"));
        } else {
            w.w(2, &format!("Port:\t{}\n", or_none(ports)));
        }
        if host_ports.contains(',') {
            w.w(2, &format!("Host Ports:\t{host_ports}\n"));
        } else {
            w.w(2, &format!("Host Port:\t{}\n", or_none(host_ports)));
        }
        for (title, list) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(l) = list.as_ref().filter(|l| !l.is_empty()) {
                w.w(2, &format!("{title}:\n"));
                for a in l {
                    for s in a.split('\n') {
                        w.w(3, &format!("{s}\n"));
                    }
                }
            }
        }
        if let Some(s) = st {
            container_state(w, "State", s.state.as_ref());
            if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
                container_state(w, "Last State", Some(last));
            }
            w.w(
                2,
                &format!("Ready:\t{}\n", if s.ready { "True" } else { "False" }),
            );
            w.w(2, &format!("Restart Count:\t{}\n", s.restart_count));
        }
        resources(w, c.resources.as_ref(), 2);
        for (title, p) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = p {
                w.w(2, &format!("{title}:\t{}\n", probe_string(p)));
            }
        }
        if let Some(ef) = c.env_from.as_ref().filter(|e| !e.is_empty()) {
            w.w(2, "Environment Variables from:\n");
            for e in ef {
                let (from, name, optional) = if let Some(r) = &e.config_map_ref {
                    ("ConfigMap", r.name.clone(), r.optional.unwrap_or(false))
                } else if let Some(r) = &e.secret_ref {
                    ("Secret", r.name.clone(), r.optional.unwrap_or(false))
                } else {
                    ("", String::new(), false)
                };
                match e.prefix.as_deref().filter(|p| !p.is_empty()) {
                    None => w.w(3, &format!("{name}\t{from}\tOptional: {optional}\n")),
                    Some(p) => w.w(
                        3,
                        &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n"),
                    ),
                }
            }
        }
        let env = c.env.as_deref().unwrap_or(&[]);
        w.w(
            2,
            &format!(
                "Environment:{}\n",
                if env.is_empty() { "\t<none>" } else { "" }
            ),
        );
        for e in env {
            let Some(vf) = &e.value_from else {
                for (i, s) in e.value.as_deref().unwrap_or("").split('\n').enumerate() {
                    if i == 0 {
                        w.w(3, &format!("{}:\t{s}\n", e.name));
                    } else {
                        w.w(3, &format!("\t{s}\n"));
                    }
                }
                continue;
            };
            if let Some(f) = &vf.field_ref {
                let api = f.api_version.clone().unwrap_or_else(|| "v1".into());
                w.w(
                    3,
                    &format!(
                        "{}:\t{} ({api}:{})\n",
                        e.name,
                        field_value(pod, &f.field_path),
                        f.field_path
                    ),
                );
            } else if let Some(r) = &vf.resource_field_ref {
                w.w(3, &format!("{}:\t{} ({})\n", e.name, "", r.resource));
            } else if let Some(s) = &vf.secret_key_ref {
                w.w(
                    3,
                    &format!(
                        "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                        e.name,
                        s.key,
                        s.name,
                        s.optional.unwrap_or(false)
                    ),
                );
            } else if let Some(s) = &vf.config_map_key_ref {
                w.w(
                    3,
                    &format!(
                        "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                        e.name,
                        s.key,
                        s.name,
                        s.optional.unwrap_or(false)
                    ),
                );
            }
        }
        let mut mounts: Vec<_> = c.volume_mounts.clone().unwrap_or_default();
        w.w(
            2,
            &format!(
                "Mounts:{}\n",
                if mounts.is_empty() { "\t<none>" } else { "" }
            ),
        );
        crate::sort::sort_by(&mut mounts, |a, b| a.mount_path.cmp(&b.mount_path));
        for m in &mounts {
            let mut flags = vec![if m.read_only.unwrap_or(false) {
                "ro".to_string()
            } else {
                "rw".to_string()
            }];
            if let Some(sp) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
                flags.push(format!("path={}", crate::sim::labels::go_quote(sp)));
            }
            w.w(
                3,
                &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")),
            );
        }
    }
}

fn volumes(w: &mut Pw, vols: Option<&Vec<Volume>>, space: &str) {
    let vols = vols.map(Vec::as_slice).unwrap_or(&[]);
    if vols.is_empty() {
        w.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in vols {
        w.w(1, &format!("{name_indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            w.w(2, &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                h.path,
                h.type_.clone().unwrap_or_else(|| "<none>".into())
            ));
        } else if let Some(e) = &v.empty_dir {
            let size = e
                .size_limit
                .as_ref()
                .map(qstr)
                .filter(|s| s != "0")
                .unwrap_or_else(|| "<unset>".into());
            w.w(2, &format!(
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                e.medium.clone().unwrap_or_default()
            ));
        } else if let Some(s) = &v.secret {
            w.w(2, &format!(
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                s.secret_name.clone().unwrap_or_default(),
                s.optional.unwrap_or(false)
            ));
        } else if let Some(c) = &v.config_map {
            w.w(2, &format!(
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                c.name,
                c.optional.unwrap_or(false)
            ));
        } else if let Some(c) = &v.persistent_volume_claim {
            w.w(2, &format!(
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                c.claim_name,
                c.read_only.unwrap_or(false)
            ));
        } else if let Some(d) = &v.downward_api {
            w.w(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
            for i in d.items.iter().flatten() {
                if let Some(f) = &i.field_ref {
                    w.w(3, &format!("{} -> {}\n", f.field_path, i.path));
                }
                if let Some(r) = &i.resource_field_ref {
                    w.w(3, &format!("{} -> {}\n", r.resource, i.path));
                }
            }
        } else if let Some(p) = &v.projected {
            // kubectl 1.32 prints the sources' Optional pointers as Go prints a *bool.
            let opt = |o: Option<bool>| match o {
                None => "<nil>".to_string(),
                Some(b) => b.to_string(),
            };
            w.w(
                2,
                "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
            );
            for s in p.sources.iter().flatten() {
                if let Some(sec) = &s.secret {
                    w.w(
                        2,
                        &format!(
                            "SecretName:\t{}\n    SecretOptionalName:\t{}\n",
                            sec.name,
                            opt(sec.optional)
                        ),
                    );
                } else if s.downward_api.is_some() {
                    w.w(2, "DownwardAPI:\ttrue\n");
                } else if let Some(c) = &s.config_map {
                    w.w(
                        2,
                        &format!(
                            "ConfigMapName:\t{}\n    ConfigMapOptional:\t{}\n",
                            c.name,
                            opt(c.optional)
                        ),
                    );
                } else if let Some(t) = &s.service_account_token {
                    w.w(
                        2,
                        &format!(
                            "TokenExpirationSeconds:\t{}\n",
                            t.expiration_seconds.unwrap_or(3600)
                        ),
                    );
                }
            }
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

/// `DescribePodTemplate`.
fn pod_template(w: &mut Pw, t: Option<&PodTemplateSpec>) {
    w.w(0, "Pod Template:\n");
    let Some(t) = t else {
        w.w(1, "<unset>");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    labels_multiline(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w.w(1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(ic) = spec.init_containers.as_ref().filter(|v| !v.is_empty()) {
        containers(w, "Init Containers", ic, None, None, "  ");
    }
    containers(w, "Containers", &spec.containers, None, None, "  ");
    volumes(w, spec.volumes.as_ref(), "  ");
    if let Some(pc) = spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w.w(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    labels_multiline(w, "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(w, "  Tolerations", spec.tolerations.as_ref());
}

impl Ctx<'_> {
    fn pod(&self, w: &mut Pw, o: &Object, p: &Pod) {
        let spec = p.spec.clone().unwrap_or_default();
        let status = p.status.clone().unwrap_or_default();
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        if let Some(pr) = spec.priority {
            w.w(0, &format!("Priority:\t{pr}\n"));
        }
        if let Some(pc) = spec
            .priority_class_name
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            w.w(0, &format!("Priority Class Name:\t{pc}\n"));
        }
        if let Some(rc) = spec.runtime_class_name.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("Runtime Class Name:\t{rc}\n"));
        }
        if let Some(sa) = spec
            .service_account_name
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            w.w(0, &format!("Service Account:\t{sa}\n"));
        }
        match spec.node_name.as_deref().filter(|s| !s.is_empty()) {
            None => w.w(0, "Node:\t<none>\n"),
            Some(n) => w.w(
                0,
                &format!(
                    "Node:\t{n}/{}\n",
                    status.host_ip.clone().unwrap_or_default()
                ),
            ),
        }
        if let Some(st) = &status.start_time {
            w.w(0, &format!("Start Time:\t{}\n", rfc1123z(&st.0)));
        }
        labels_multiline(w, "Labels", p.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", p.metadata.annotations.as_ref());
        let phase = status.phase.clone().unwrap_or_default();
        match &p.metadata.deletion_timestamp {
            Some(dt) if phase != "Failed" && phase != "Succeeded" => {
                w.w(
                    0,
                    &format!("Status:\tTerminating (lasts {})\n", self.since(&dt.0)),
                );
                w.w(
                    0,
                    &format!(
                        "Termination Grace Period:\t{}s\n",
                        p.metadata.deletion_grace_period_seconds.unwrap_or(0)
                    ),
                );
            }
            _ => w.w(0, &format!("Status:\t{phase}\n")),
        }
        if let Some(r) = status.reason.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("Reason:\t{r}\n"));
        }
        if let Some(m) = status.message.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("Message:\t{m}\n"));
        }
        if let Some(sp) = spec
            .security_context
            .as_ref()
            .and_then(|s| s.seccomp_profile.as_ref())
        {
            w.w(0, &format!("SeccompProfile:\t{}\n", sp.type_));
            if sp.type_ == "Localhost" {
                w.w(
                    0,
                    &format!(
                        "LocalhostProfile:\t{}\n",
                        sp.localhost_profile.clone().unwrap_or_default()
                    ),
                );
            }
        }
        w.w(
            0,
            &format!("IP:\t{}\n", status.pod_ip.clone().unwrap_or_default()),
        );
        match status.pod_ips.as_ref().filter(|v| !v.is_empty()) {
            None => w.w(0, "IPs:\t<none>\n"),
            Some(ips) => {
                w.w(0, "IPs:\n");
                for ip in ips {
                    w.w(1, &format!("IP:\t{}\n", ip.ip));
                }
            }
        }
        if let Some(c) = controlled_by(o) {
            w.w(0, &format!("Controlled By:\t{c}\n"));
        }
        if let Some(n) = status
            .nominated_node_name
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            w.w(0, &format!("NominatedNodeName:\t{n}\n"));
        }
        if let Some(ic) = spec.init_containers.as_ref().filter(|v| !v.is_empty()) {
            containers(
                w,
                "Init Containers",
                ic,
                status.init_container_statuses.as_ref(),
                Some(p),
                "",
            );
        }
        containers(
            w,
            "Containers",
            &spec.containers,
            status.container_statuses.as_ref(),
            Some(p),
            "",
        );
        if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
            w.w(0, "Readiness Gates:\n  Type\tStatus\n");
            for g in gates {
                let st = status
                    .conditions
                    .iter()
                    .flatten()
                    .find(|c| c.type_ == g.condition_type)
                    .map(|c| c.status.clone())
                    .unwrap_or_else(|| "<none>".into());
                w.w(1, &format!("{} \t{st} \n", g.condition_type));
            }
        }
        if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
            w.w(0, "Conditions:\n  Type\tStatus\n");
            for c in conds {
                w.w(1, &format!("{} \t{} \n", c.type_, c.status));
            }
        }
        volumes(w, spec.volumes.as_ref(), "");
        w.w(0, &format!("QoS Class:\t{}\n", qos_class(p)));
        labels_multiline(w, "Node-Selectors", spec.node_selector.as_ref());
        tolerations_multiline(w, "Tolerations", spec.tolerations.as_ref());
        if let Some(tscs) = spec
            .topology_spread_constraints
            .as_ref()
            .filter(|t| !t.is_empty())
        {
            let mut tscs = tscs.clone();
            crate::sort::sort_by(&mut tscs, |a, b| a.topology_key.cmp(&b.topology_key));
            w.w(0, "Topology Spread Constraints:\t");
            for (i, t) in tscs.iter().enumerate() {
                if i != 0 {
                    w.w(0, "\t");
                }
                w.w(
                    0,
                    &format!(
                        "{}:{} when max skew {} is exceeded",
                        t.topology_key, t.when_unsatisfiable, t.max_skew
                    ),
                );
                if let Some(ls) = &t.label_selector {
                    w.w(0, &format!(" for selector {}", selector_string(Some(ls))));
                }
                w.w(0, "\n");
            }
        }
        self.events(w, o);
    }

    fn deployment(&self, w: &mut Pw, o: &Object, d: &Deployment) {
        let spec = d.spec.clone().unwrap_or_default();
        let status = d.status.clone().unwrap_or_default();
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        w.w(
            0,
            &format!(
                "CreationTimestamp:\t{}\n",
                time_str(d.metadata.creation_timestamp.as_ref())
            ),
        );
        labels_multiline(w, "Labels", d.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", d.metadata.annotations.as_ref());
        w.w(
            0,
            &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
        );
        w.w(
            0,
            &format!(
                "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
                spec.replicas.unwrap_or(1),
                status.updated_replicas.unwrap_or(0),
                status.replicas.unwrap_or(0),
                status.available_replicas.unwrap_or(0),
                status.unavailable_replicas.unwrap_or(0)
            ),
        );
        let strategy = spec.strategy.clone().unwrap_or_default();
        w.w(
            0,
            &format!(
                "StrategyType:\t{}\n",
                strategy.type_.clone().unwrap_or_default()
            ),
        );
        w.w(
            0,
            &format!(
                "MinReadySeconds:\t{}\n",
                spec.min_ready_seconds.unwrap_or(0)
            ),
        );
        if let Some(ru) = &strategy.rolling_update {
            let s = |v: &Option<IntOrString>| {
                v.as_ref().map(int_or_string).unwrap_or_else(|| "0".into())
            };
            w.w(
                0,
                &format!(
                    "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                    s(&ru.max_unavailable),
                    s(&ru.max_surge)
                ),
            );
        }
        pod_template(w, Some(&spec.template));
        if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
            w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
            w.w(1, "----\t------\t------\n");
            for c in conds {
                w.w(
                    1,
                    &format!(
                        "{} \t{}\t{}\n",
                        c.type_,
                        c.status,
                        c.reason.clone().unwrap_or_default()
                    ),
                );
            }
        }
        let (old, new) = self.deployment_replicasets(o, d);
        if !old.is_empty() || new.is_some() {
            let fmt = |v: &[&ReplicaSet]| {
                let s: Vec<String> = v
                    .iter()
                    .map(|rs| {
                        format!(
                            "{} ({}/{} replicas created)",
                            rs.metadata.name.clone().unwrap_or_default(),
                            rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                            rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
                        )
                    })
                    .collect();
                if s.is_empty() {
                    "<none>".to_string()
                } else {
                    s.join(", ")
                }
            };
            w.w(0, &format!("OldReplicaSets:\t{}\n", fmt(&old)));
            w.w(
                0,
                &format!(
                    "NewReplicaSet:\t{}\n",
                    fmt(&new.into_iter().collect::<Vec<_>>())
                ),
            );
        }
        self.events(w, o);
    }

    /// `deploymentutil.GetAllReplicaSets`: the ReplicaSets the Deployment controls; the new one is
    /// the oldest whose template equals the Deployment's (ignoring `pod-template-hash`).
    fn deployment_replicasets<'b>(
        &'b self,
        o: &Object,
        d: &Deployment,
    ) -> (Vec<&'b ReplicaSet>, Option<&'b ReplicaSet>) {
        let owned: Vec<&ReplicaSet> = self
            .sim
            .store()
            .list(Kind::ReplicaSet, Some(o.namespace()))
            .iter()
            .filter_map(|r| {
                let key = ObjKey::of(r);
                self.sim.get(&key)
            })
            .filter(|r| r.controller_ref().is_some_and(|c| c.uid == o.uid()))
            .filter_map(|r| r.as_replicaset())
            .collect();
        let strip = |t: Option<&PodTemplateSpec>| {
            let mut t = t.cloned().unwrap_or_default();
            if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
                l.remove("pod-template-hash");
            }
            serde_json::to_value(&t).unwrap_or_default()
        };
        let want = strip(d.spec.as_ref().map(|s| &s.template));
        let mut by_age = owned.clone();
        crate::sort::sort_by(&mut by_age, |a, b| {
            a.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0)
                .cmp(&b.metadata.creation_timestamp.as_ref().map(|t| t.0))
        });
        let new = by_age
            .into_iter()
            .find(|rs| strip(rs.spec.as_ref().and_then(|s| s.template.as_ref())) == want);
        let new_uid = new.and_then(|n| n.metadata.uid.clone());
        let old = owned
            .into_iter()
            .filter(|rs| rs.metadata.uid != new_uid || new_uid.is_none())
            .collect();
        (old, new)
    }

    fn replicaset(&self, w: &mut Pw, o: &Object, rs: &ReplicaSet) {
        let spec = rs.spec.clone().unwrap_or_default();
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        w.w(
            0,
            &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
        );
        labels_multiline(w, "Labels", rs.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", rs.metadata.annotations.as_ref());
        if let Some(c) = controlled_by(o) {
            w.w(0, &format!("Controlled By:\t{c}\n"));
        }
        w.w(
            0,
            &format!(
                "Replicas:\t{} current / {} desired\n",
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                spec.replicas.unwrap_or(1)
            ),
        );
        let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
        if let Ok(sel) = Selector::from_label_selector(Some(&spec.selector)) {
            for po in self.sim.store().list(Kind::Pod, Some(o.namespace())) {
                if !sel.matches(&po.meta().labels.clone().unwrap_or_default()) {
                    continue;
                }
                if po.controller_ref().is_none_or(|c| c.uid != o.uid()) {
                    continue;
                }
                match po.as_pod().map(crate::sim::podutil::phase) {
                    Some("Running") => running += 1,
                    Some("Pending") => waiting += 1,
                    Some("Succeeded") => succeeded += 1,
                    Some("Failed") => failed += 1,
                    _ => {}
                }
            }
        }
        w.w(0, "Pods Status:\t");
        w.w(
            0,
            &format!(
                "{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
            ),
        );
        pod_template(w, spec.template.as_ref());
        if let Some(conds) = rs
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .filter(|c| !c.is_empty())
        {
            w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
            w.w(1, "----\t------\t------\n");
            for c in conds {
                w.w(
                    1,
                    &format!(
                        "{} \t{}\t{}\n",
                        c.type_,
                        c.status,
                        c.reason.clone().unwrap_or_default()
                    ),
                );
            }
        }
        self.events(w, o);
    }

    fn node(&self, w: &mut Pw, o: &Object, n: &Node) {
        let spec = n.spec.clone().unwrap_or_default();
        let status = n.status.clone().unwrap_or_default();
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Roles:\t{}\n", crate::sim::view::node_roles(n)));
        labels_multiline(w, "Labels", n.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", n.metadata.annotations.as_ref());
        let created = n.metadata.creation_timestamp.as_ref();
        w.w(0, &format!("CreationTimestamp:\t{}\n", time_str(created)));
        w.w(0, "Taints:\t");
        let mut taints: Vec<&Taint> = spec.taints.iter().flatten().collect();
        if taints.is_empty() {
            w.line("<none>");
        } else {
            crate::sort::sort_by(&mut taints, |a, b| {
                format!("{},{}", a.effect, a.key).cmp(&format!("{},{}", b.effect, b.key))
            });
            for (i, t) in taints.iter().enumerate() {
                if i != 0 {
                    w.w(0, "\t");
                }
                w.w(0, &format!("{}\n", taint_string(t)));
            }
        }
        w.w(
            0,
            &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)),
        );
        // The kubelet's Lease in kube-node-lease, renewed every 10 s since the node registered.
        w.w(0, "Lease:\n");
        w.w(1, &format!("HolderIdentity:\t{}\n", o.name()));
        w.w(1, "AcquireTime:\t<unset>\n");
        let renew = match created {
            Some(c) if self.now >= c.0 => {
                let since = (self.now - c.0).num_seconds();
                rfc1123z(&(c.0 + chrono::Duration::seconds(since - since % 10)))
            }
            _ => "<unset>".into(),
        };
        w.w(1, &format!("RenewTime:\t{renew}\n"));
        if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
            w.w(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
            w.w(
                1,
                "----\t------\t-----------------\t------------------\t------\t-------\n",
            );
            for c in conds {
                w.w(
                    1,
                    &format!(
                        "{} \t{} \t{} \t{} \t{} \t{}\n",
                        c.type_,
                        c.status,
                        time_str(c.last_heartbeat_time.as_ref()),
                        time_str(c.last_transition_time.as_ref()),
                        c.reason.clone().unwrap_or_default(),
                        c.message.clone().unwrap_or_default()
                    ),
                );
            }
        }
        w.w(0, "Addresses:\n");
        for a in status.addresses.iter().flatten() {
            w.w(1, &format!("{}:\t{}\n", a.type_, a.address));
        }
        for (title, list) in [
            ("Capacity", &status.capacity),
            ("Allocatable", &status.allocatable),
        ] {
            if let Some(l) = list.as_ref().filter(|l| !l.is_empty()) {
                w.w(0, &format!("{title}:\n"));
                for (k, v) in l {
                    w.w(0, &format!("  {k}:\t{}\n", qstr(v)));
                }
            }
        }
        let info = status.node_info.clone().unwrap_or_default();
        w.w(0, "System Info:\n");
        for (k, v) in [
            ("Machine ID", &info.machine_id),
            ("System UUID", &info.system_uuid),
            ("Boot ID", &info.boot_id),
            ("Kernel Version", &info.kernel_version),
            ("OS Image", &info.os_image),
            ("Operating System", &info.operating_system),
            ("Architecture", &info.architecture),
            ("Container Runtime Version", &info.container_runtime_version),
            ("Kubelet Version", &info.kubelet_version),
            ("Kube-Proxy Version", &info.kube_proxy_version),
        ] {
            w.w(0, &format!("  {k}:\t{v}\n"));
        }
        if let Some(c) = spec.pod_cidr.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("PodCIDR:\t{c}\n"));
        }
        if let Some(c) = spec.pod_cidrs.as_ref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("PodCIDRs:\t{}\n", c.join(",")));
        }
        if let Some(p) = spec.provider_id.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("ProviderID:\t{p}\n"));
        }
        self.node_resources(w, o, &status);
        self.events(w, o);
    }

    /// `describeNodeResource`: the node's non-terminated pods (in the API's list order, namespace
    /// then name) with requests and limits as a share of allocatable, then the totals.
    fn node_resources(
        &self,
        w: &mut Pw,
        o: &Object,
        status: &k8s_openapi::api::core::v1::NodeStatus,
    ) {
        let mut pods: Vec<std::rc::Rc<Object>> = self
            .sim
            .store()
            .pods_on_node(o.name())
            .into_iter()
            .filter(|p| {
                p.as_pod().is_some_and(|p| {
                    !matches!(crate::sim::podutil::phase(p), "Succeeded" | "Failed")
                })
            })
            .collect();
        crate::sort::sort_by(&mut pods, |a, b| {
            (a.namespace(), a.name()).cmp(&(b.namespace(), b.name()))
        });
        w.w(
            0,
            &format!("Non-terminated Pods:\t({} in total)\n", pods.len()),
        );
        w.w(
            1,
            "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
        );
        w.w(
            1,
            "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
        );
        let alloc = status
            .allocatable
            .clone()
            .filter(|a| !a.is_empty())
            .or_else(|| status.capacity.clone())
            .unwrap_or_default();
        let cpu_alloc = Qty::of(alloc.get("cpu")).milli;
        let mem_alloc = Qty::of(alloc.get("memory")).value();
        let eph_alloc = Qty::of(alloc.get("ephemeral-storage")).value();
        let mut reqs: BTreeMap<String, Qty> = BTreeMap::new();
        let mut lims: BTreeMap<String, Qty> = BTreeMap::new();
        for po in &pods {
            let Some(p) = po.as_pod() else { continue };
            let (r, l) = pod_requests_limits(p);
            let get = |m: &BTreeMap<String, Qty>, k: &str| m.get(k).copied().unwrap_or(Qty::ZERO);
            let (cr, cl, mr, ml) = (
                get(&r, "cpu"),
                get(&l, "cpu"),
                get(&r, "memory"),
                get(&l, "memory"),
            );
            let created = po
                .meta()
                .creation_timestamp
                .as_ref()
                .map(|t| self.since(&t.0))
                .unwrap_or_else(|| "<unknown>".into());
            w.w(
                1,
                &format!(
                    "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{created}\n",
                    po.namespace(),
                    po.name(),
                    cr.string(),
                    percent(cr.milli, cpu_alloc),
                    cl.string(),
                    percent(cl.milli, cpu_alloc),
                    mr.string(),
                    percent(mr.value(), mem_alloc),
                    ml.string(),
                    percent(ml.value(), mem_alloc)
                ),
            );
            for (k, v) in r {
                let e = reqs.entry(k).or_insert(Qty::ZERO);
                *e = e.add(v);
            }
            for (k, v) in l {
                let e = lims.entry(k).or_insert(Qty::ZERO);
                *e = e.add(v);
            }
        }
        w.w(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
        w.w(1, "Resource\tRequests\tLimits\n");
        w.w(1, "--------\t--------\t------\n");
        let get = |m: &BTreeMap<String, Qty>, k: &str| m.get(k).copied().unwrap_or(Qty::ZERO);
        let row = |w: &mut Pw, name: &str, r: Qty, l: Qty, pr: i64, pl: i64| {
            w.w(
                1,
                &format!("{name}\t{} ({pr}%)\t{} ({pl}%)\n", r.string(), l.string()),
            );
        };
        let (r, l) = (get(&reqs, "cpu"), get(&lims, "cpu"));
        row(
            w,
            "cpu",
            r,
            l,
            percent(r.milli, cpu_alloc),
            percent(l.milli, cpu_alloc),
        );
        let (r, l) = (get(&reqs, "memory"), get(&lims, "memory"));
        row(
            w,
            "memory",
            r,
            l,
            percent(r.value(), mem_alloc),
            percent(l.value(), mem_alloc),
        );
        let (r, l) = (
            get(&reqs, "ephemeral-storage"),
            get(&lims, "ephemeral-storage"),
        );
        row(
            w,
            "ephemeral-storage",
            r,
            l,
            percent(r.value(), eph_alloc),
            percent(l.value(), eph_alloc),
        );
        for (k, v) in alloc.iter().filter(|(k, _)| k.starts_with("hugepages-")) {
            let (r, l) = (get(&reqs, k), get(&lims, k));
            let a = Qty::of(Some(v)).value();
            row(w, k, r, l, percent(r.value(), a), percent(l.value(), a));
        }
        let standard = |k: &str| {
            matches!(
                k,
                "cpu" | "memory" | "ephemeral-storage" | "pods" | "storage"
            ) || k.starts_with("hugepages-")
        };
        for k in alloc.keys().filter(|k| !standard(k)) {
            w.w(
                1,
                &format!(
                    "{k}\t{}\t{}\n",
                    get(&reqs, k).string(),
                    get(&lims, k).string()
                ),
            );
        }
    }

    fn service(&self, w: &mut Pw, o: &Object, s: &Service) {
        let spec = s.spec.clone().unwrap_or_default();
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        labels_multiline(w, "Labels", s.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", s.metadata.annotations.as_ref());
        let selector = spec.selector.clone().unwrap_or_default();
        w.w(0, &format!("Selector:\t{}\n", format_labels(&selector)));
        w.w(
            0,
            &format!("Type:\t{}\n", spec.type_.clone().unwrap_or_default()),
        );
        if let Some(p) = &spec.ip_family_policy {
            w.w(0, &format!("IP Family Policy:\t{p}\n"));
        }
        match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
            Some(f) => w.w(0, &format!("IP Families:\t{}\n", f.join(","))),
            None => w.w(0, "IP Families:\t<none>\n"),
        }
        w.w(
            0,
            &format!("IP:\t{}\n", spec.cluster_ip.clone().unwrap_or_default()),
        );
        match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
            Some(f) => w.w(0, &format!("IPs:\t{}\n", f.join(","))),
            None => w.w(0, "IPs:\t<none>\n"),
        }
        if let Some(e) = spec.external_ips.as_ref().filter(|f| !f.is_empty()) {
            w.w(0, &format!("External IPs:\t{}\n", e.join(",")));
        }
        if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
        }
        if let Some(n) = spec.external_name.as_deref().filter(|s| !s.is_empty()) {
            w.w(0, &format!("External Name:\t{n}\n"));
        }
        let ingress: Vec<String> = s
            .status
            .as_ref()
            .and_then(|st| st.load_balancer.as_ref())
            .and_then(|lb| lb.ingress.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|i| match i.ip.filter(|ip| !ip.is_empty()) {
                Some(ip) => match i.ip_mode {
                    Some(m) => format!("{ip} ({m})"),
                    None => ip,
                },
                None => i.hostname.unwrap_or_default(),
            })
            .collect();
        if !ingress.is_empty() {
            w.w(
                0,
                &format!("LoadBalancer Ingress:\t{}\n", ingress.join(", ")),
            );
        }
        for sp in spec.ports.iter().flatten() {
            let name = sp
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            let proto = sp.protocol.clone().unwrap_or_else(|| "TCP".into());
            w.w(0, &format!("Port:\t{name}\t{}/{proto}\n", sp.port));
            let target = sp.target_port.clone().unwrap_or(IntOrString::Int(sp.port));
            w.w(
                0,
                &format!("TargetPort:\t{}/{proto}\n", int_or_string(&target)),
            );
            if let Some(np) = sp.node_port.filter(|n| *n != 0) {
                w.w(0, &format!("NodePort:\t{name}\t{np}/{proto}\n"));
            }
            w.w(
                0,
                &format!("Endpoints:\t{}\n", self.endpoints(o, &spec, sp)),
            );
        }
        w.w(
            0,
            &format!(
                "Session Affinity:\t{}\n",
                spec.session_affinity.clone().unwrap_or_default()
            ),
        );
        if let Some(p) = spec
            .external_traffic_policy
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            w.w(0, &format!("External Traffic Policy:\t{p}\n"));
        }
        if let Some(p) = &spec.internal_traffic_policy {
            w.w(0, &format!("Internal Traffic Policy:\t{p}\n"));
        }
        if let Some(p) = spec.health_check_node_port.filter(|p| *p != 0) {
            w.w(0, &format!("HealthCheck NodePort:\t{p}\n"));
        }
        if let Some(r) = spec
            .load_balancer_source_ranges
            .as_ref()
            .filter(|r| !r.is_empty())
        {
            w.w(
                0,
                &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")),
            );
        }
        if let Some(t) = spec
            .traffic_distribution
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            w.w(0, &format!("Traffic Distribution:\t{t}\n"));
        }
        self.events(w, o);
    }

    /// The Endpoints cell, as `formatEndpointSlices` reads the Service's EndpointSlices: ready
    /// endpoints as `ip:port`, at most 3 then ` + N more...`. A Service with a selector always has
    /// a slice (so no ready endpoint prints an empty cell); one without has none (`<none>`),
    /// except `kubernetes`, whose slice the API server keeps (the control-plane node's address).
    fn endpoints(
        &self,
        o: &Object,
        spec: &k8s_openapi::api::core::v1::ServiceSpec,
        sp: &k8s_openapi::api::core::v1::ServicePort,
    ) -> String {
        let target = sp.target_port.clone().unwrap_or(IntOrString::Int(sp.port));
        let mut addrs: Vec<String> = Vec::new();
        match spec.selector.as_ref().filter(|s| !s.is_empty()) {
            None => {
                if o.namespace() == "default" && o.name() == "kubernetes" {
                    let cp = self
                        .sim
                        .store()
                        .list(Kind::Node, None)
                        .into_iter()
                        .find(|n| {
                            n.meta().labels.as_ref().is_some_and(|l| {
                                l.contains_key("node-role.kubernetes.io/control-plane")
                            })
                        });
                    let ip = cp.and_then(|n| {
                        n.as_node()?
                            .status
                            .as_ref()?
                            .addresses
                            .as_ref()?
                            .iter()
                            .find(|a| a.type_ == "InternalIP")
                            .map(|a| a.address.clone())
                    });
                    return match ip {
                        Some(ip) => format!("{ip}:{}", int_or_string(&target)),
                        None => "<none>".into(),
                    };
                }
                return "<none>".into();
            }
            Some(sel) => {
                for po in self.sim.store().list(Kind::Pod, Some(o.namespace())) {
                    let Some(p) = po.as_pod() else { continue };
                    let labels = p.metadata.labels.clone().unwrap_or_default();
                    if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                        continue;
                    }
                    if p.metadata.deletion_timestamp.is_some() || !crate::sim::podutil::is_ready(p)
                    {
                        continue;
                    }
                    let Some(ip) = p
                        .status
                        .as_ref()
                        .and_then(|s| s.pod_ip.clone())
                        .filter(|ip| !ip.is_empty())
                    else {
                        continue;
                    };
                    let port = match &target {
                        IntOrString::Int(i) => Some(*i),
                        IntOrString::String(name) => p.spec.as_ref().and_then(|s| {
                            s.containers
                                .iter()
                                .flat_map(|c| c.ports.iter().flatten())
                                .find(|cp| cp.name.as_deref() == Some(name.as_str()))
                                .map(|cp| cp.container_port)
                        }),
                    };
                    if let Some(port) = port {
                        addrs.push(if ip.contains(':') {
                            format!("[{ip}]:{port}")
                        } else {
                            format!("{ip}:{port}")
                        });
                    }
                }
            }
        }
        if addrs.len() > 3 {
            let more = addrs.len() - 3;
            addrs.truncate(3);
            return format!("{} + {more} more...", addrs.join(","));
        }
        addrs.join(",")
    }

    /// Kinds without a describer of their own here: the generic header and the Events.
    fn generic(&self, w: &mut Pw, o: &Object) {
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        labels_multiline(w, "Labels", o.meta().labels.as_ref());
        annotations_multiline(w, "Annotations", o.meta().annotations.as_ref());
        self.events(w, o);
    }

    fn namespace(&self, w: &mut Pw, n: &Namespace) {
        w.w(
            0,
            &format!("Name:\t{}\n", n.metadata.name.clone().unwrap_or_default()),
        );
        labels_multiline(w, "Labels", n.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", n.metadata.annotations.as_ref());
        let status = n.status.clone().unwrap_or_default();
        w.w(
            0,
            &format!("Status:\t{}\n", status.phase.clone().unwrap_or_default()),
        );
        if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
            w.w(0, "Conditions:\n");
            w.w(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
            w.w(1, "----\t------\t------------------\t------\t-------\n");
            for c in conds {
                w.w(
                    1,
                    &format!(
                        "{}\t{}\t{}\t{}\t{}\n",
                        c.type_,
                        c.status,
                        time_str(c.last_transition_time.as_ref()),
                        c.reason.clone().unwrap_or_default(),
                        c.message.clone().unwrap_or_default()
                    ),
                );
            }
        }
        // No ResourceQuota or LimitRange objects exist in the simulation.
        w.w(0, "\n");
        w.w(0, "No resource quota.\n");
        w.w(0, "\n");
        w.w(0, "No LimitRange resource.\n");
    }

    fn configmap(&self, w: &mut Pw, o: &Object, c: &ConfigMap) {
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        labels_multiline(w, "Labels", c.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", c.metadata.annotations.as_ref());
        w.w(0, "\nData\n====\n");
        for (k, v) in c.data.iter().flatten() {
            w.w(0, &format!("{k}:\n----\n"));
            w.w(0, &format!("{v}\n"));
            w.w(0, "\n");
        }
        w.w(0, "\nBinaryData\n====\n");
        for (k, v) in c.binary_data.iter().flatten() {
            w.w(0, &format!("{k}: {} bytes\n", v.0.len()));
        }
        w.w(0, "\n");
        self.events(w, o);
    }

    /// `describeServiceAccount`: its pull secrets and mountable secrets (a missing one marked
    /// `(not found)`), and the token Secrets made for it; the three headers are written with the
    /// same width so that their names line up.
    fn serviceaccount(&self, w: &mut Pw, o: &Object, sa: &ServiceAccount) {
        w.w(0, &format!("Name:\t{}\n", o.name()));
        w.w(0, &format!("Namespace:\t{}\n", o.namespace()));
        labels_multiline(w, "Labels", sa.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", sa.metadata.annotations.as_ref());
        let ns = o.namespace();
        let secrets = self.sim.store().list(Kind::Secret, Some(ns));
        let exists = |name: &str| secrets.iter().any(|s| s.name() == name);
        let named = |name: &str| {
            if exists(name) {
                name.to_string()
            } else {
                format!("{name} (not found)")
            }
        };
        let pull: Vec<String> = sa
            .image_pull_secrets
            .iter()
            .flatten()
            .map(|r| named(&r.name))
            .collect();
        let mount: Vec<String> = sa
            .secrets
            .iter()
            .flatten()
            .map(|r| named(r.name.as_deref().unwrap_or("")))
            .collect();
        let tokens: Vec<String> = secrets
            .iter()
            .filter_map(|s| match s.as_ref() {
                Object::Secret(sec)
                    if sec.type_.as_deref() == Some("kubernetes.io/service-account-token")
                        && sec
                            .metadata
                            .annotations
                            .as_ref()
                            .and_then(|a| a.get("kubernetes.io/service-account.name"))
                            .is_some_and(|n| n == o.name()) =>
                {
                    Some(s.name().to_string())
                }
                _ => None,
            })
            .collect();
        for (header, names) in [
            ("Image pull secrets:", pull),
            ("Mountable secrets: ", mount),
            ("Tokens:            ", tokens),
        ] {
            if names.is_empty() {
                w.w(0, &format!("{header}\t<none>\n"));
            }
            for (i, name) in names.iter().enumerate() {
                let h = if i == 0 {
                    header
                } else {
                    "                   "
                };
                w.w(0, &format!("{h}\t{name}\n"));
            }
        }
        self.events(w, o);
    }

    fn secret(&self, w: &mut Pw, s: &Secret) {
        w.w(
            0,
            &format!("Name:\t{}\n", s.metadata.name.clone().unwrap_or_default()),
        );
        w.w(
            0,
            &format!(
                "Namespace:\t{}\n",
                s.metadata.namespace.clone().unwrap_or_default()
            ),
        );
        labels_multiline(w, "Labels", s.metadata.labels.as_ref());
        annotations_multiline(w, "Annotations", s.metadata.annotations.as_ref());
        let type_ = s.type_.clone().unwrap_or_default();
        w.w(0, &format!("\nType:\t{type_}\n"));
        w.w(0, "\nData\n====\n");
        for (k, v) in s.data.iter().flatten() {
            if k == "token" && type_ == "kubernetes.io/service-account-token" {
                w.w(0, &format!("{k}:\t{}\n", String::from_utf8_lossy(&v.0)));
            } else {
                w.w(0, &format!("{k}:\t{} bytes\n", v.0.len()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_aligns_column_blocks_and_leaves_last_cell() {
        let s = "Name:\tweb\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\n";
        assert_eq!(
            tabwrite(s, 0, 2),
            "Name:       web\nNamespace:  default\nIPs:\n  IP:  10.0.0.1\n"
        );
        // An empty last cell is not padded, an empty middle cell is.
        assert_eq!(tabwrite("a:\t\nbb:\tx\n", 0, 2), "a:   \nbb:  x\n");
        // A nested column only spans the lines that have it.
        let t = "  Type\tStatus\n  Ready \tTrue \nQoS:\tBestEffort\n";
        assert_eq!(
            tabwrite(t, 0, 2),
            "  Type    Status\n  Ready   True \nQoS:      BestEffort\n"
        );
        // No trailing newline: the partial line is still written.
        assert_eq!(tabwrite("a\tb", 0, 2), "a  b");
    }

    #[test]
    fn quantities_print_canonically_and_add() {
        let p = |s: &str| Qty::parse(s).map(Qty::string);
        assert_eq!(p("100m").as_deref(), Some("100m"));
        assert_eq!(p("1000m").as_deref(), Some("1"));
        assert_eq!(p("0.5").as_deref(), Some("500m"));
        assert_eq!(p("4").as_deref(), Some("4"));
        assert_eq!(p("16365100Ki").as_deref(), Some("16365100Ki"));
        assert_eq!(p("1024Mi").as_deref(), Some("1Gi"));
        assert_eq!(p("0").as_deref(), Some("0"));
        assert_eq!(p("1500000").as_deref(), Some("1500k"));
        assert_eq!(p("1e3").as_deref(), Some("1k"));
        assert_eq!(p("abc"), None);
        let sum = Qty::parse("50Mi").and_then(|a| Qty::parse("70Mi").map(|b| a.add(b)));
        assert_eq!(sum.map(Qty::string).as_deref(), Some("120Mi"));
        assert_eq!(
            Qty::ZERO
                .add(Qty::parse("100Mi").unwrap_or(Qty::ZERO))
                .string(),
            "100Mi"
        );
        assert_eq!(percent(100, 4000), 2);
        assert_eq!(percent(0, 0), 0);
    }

    #[test]
    fn tolerations_and_taints_read_as_kubectl_prints_them() {
        let t = Toleration {
            key: Some("node.kubernetes.io/not-ready".into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: Some(300),
            ..Default::default()
        };
        assert_eq!(
            toleration_string(&t),
            "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"
        );
        let all = Toleration {
            operator: Some("Exists".into()),
            ..Default::default()
        };
        assert_eq!(toleration_string(&all), "op=Exists");
        let taint = Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        assert_eq!(
            taint_string(&taint),
            "node-role.kubernetes.io/control-plane:NoSchedule"
        );
    }

    #[test]
    fn events_table_and_none() {
        let mut w = Pw::default();
        write_events(&mut w, &[], |_| String::new());
        assert_eq!(w.finish(), "Events:  <none>\n");
        let e = EventRecord {
            first_ms: 0,
            last_ms: 5000,
            count: 3,
            type_: "Warning".into(),
            reason: "BackOff".into(),
            object: ObjKey::new(Kind::Pod, "default", "p"),
            object_uid: "u".into(),
            message: " Back-off restarting failed container ".into(),
            source: "kubelet".into(),
            host: None,
            seq: 0,
        };
        let mut w = Pw::default();
        w.w(0, "Name:\tp\n");
        write_events(&mut w, &[&e], |ms| format!("{}s", ms / 1000));
        assert_eq!(
            w.finish(),
            "Name:  p\nEvents:\n  Type     Reason   Age              From     Message\n  ----     ------   ----             ----     -------\n  Warning  BackOff  5s (x3 over 0s)  kubelet  Back-off restarting failed container\n"
        );
    }

    #[test]
    fn annotations_long_values_wrap() {
        let mut a = BTreeMap::new();
        a.insert("k".to_string(), "v".to_string());
        a.insert(
            "kubectl.kubernetes.io/last-applied-configuration".to_string(),
            "{}".to_string(),
        );
        let mut w = Pw::default();
        annotations_multiline(&mut w, "Annotations", Some(&a));
        assert_eq!(w.finish(), "Annotations:  k: v\n");
    }
}
