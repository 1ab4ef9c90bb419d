//! The lesson file format (YAML in `static/lessons/`), its parsing and validation.
//!
//! The guide for authors is `docs/LESSONS.md`. Every error names the file and the path of the
//! offending field (`rollback.yaml: steps[2].goal.all[0]: unknown key "equal"`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_yaml::Value as Yaml;

use super::goal::{self, Goal};
use crate::sim::clock;

/// The tracks of the lesson map, in order.
pub const TRACKS: [(&str, &str); 10] = [
    ("basics", "Basics"),
    ("controllers", "Controllers"),
    ("networking", "Networking"),
    ("rollouts", "Rollouts"),
    ("config", "Configuration"),
    ("workloads", "Workloads"),
    ("ops", "Operations & failures"),
    ("cloud", "Cloud"),
    ("capi", "Cluster lifecycle"),
    ("sandbox", "Sandbox"),
];

/// The file as written (serde checks field names and types).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    id: String,
    title: String,
    track: String,
    summary: String,
    #[serde(default)]
    order: Option<u32>,
    #[serde(default)]
    prerequisites: Vec<String>,
    concept: String,
    #[serde(default)]
    corrects: Option<String>,
    #[serde(default)]
    setup: RawSetup,
    #[serde(default)]
    steps: Vec<RawStep>,
    #[serde(default)]
    break_it: Vec<BreakIt>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSetup {
    #[serde(default)]
    cluster: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    clock: Option<String>,
    #[serde(default)]
    workers: Option<usize>,
    #[serde(default)]
    paused: bool,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    commands: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: String,
    instructions: String,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    solution: Option<Vec<String>>,
    #[serde(default)]
    capture: BTreeMap<String, Capture>,
    #[serde(default)]
    goal: Option<Yaml>,
    #[serde(default)]
    goal_text: Option<String>,
    #[serde(default)]
    watch: Option<String>,
}

/// A value read from the cluster when a step begins, usable as `$NAME` in the step and after.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    pub get: String,
    pub jsonpath: String,
}

/// An optional "try breaking it" suggestion at the end of a lesson (no goal).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BreakIt {
    pub text: String,
    #[serde(default)]
    pub commands: Vec<String>,
}

/// How a lesson's cluster starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub seed: u64,
    /// RFC 3339 start instant of the virtual clock (None: the default).
    pub clock: Option<String>,
    pub workers: usize,
    /// The page starts with time paused (the learner steps the first events).
    pub paused: bool,
    /// Files in the terminal's file system (`kubectl apply -f NAME`), written before `commands`.
    pub files: BTreeMap<String, String>,
    /// Commands run before the first step (each one's waiting finishes before the next).
    pub commands: Vec<String>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub title: String,
    pub instructions: String,
    pub hints: Vec<String>,
    pub solution: Vec<String>,
    pub capture: BTreeMap<String, Capture>,
    pub goal: Goal,
    /// The goal in the author's words (shown instead of the generated lines, if given).
    pub goal_text: Option<String>,
    /// What to look at in the cluster view while doing it.
    pub watch: Option<String>,
}

/// A parsed, validated lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub track: String,
    pub summary: String,
    /// Position in the lesson map (lower first); lessons without one sort after, by id.
    pub order: Option<u32>,
    pub prerequisites: Vec<String>,
    /// The idea, as Markdown paragraphs.
    pub concept: String,
    /// The misconceptions this lesson corrects, as Markdown.
    pub corrects: Option<String>,
    pub setup: Setup,
    pub steps: Vec<Step>,
    pub break_it: Vec<BreakIt>,
    /// The file it came from (`rollback.yaml`).
    pub file: String,
}

impl Lesson {
    /// A sandbox has no steps: a cluster to play with, no goals.
    pub fn is_sandbox(&self) -> bool {
        self.steps.is_empty()
    }

    /// The track's display name.
    pub fn track_title(&self) -> &'static str {
        TRACKS
            .iter()
            .find(|(id, _)| *id == self.track)
            .map(|(_, t)| *t)
            .unwrap_or("Other")
    }

    /// Parses and validates one lesson file; `file` is its name, used in messages and to check
    /// that `id` matches it.
    pub fn parse(file: &str, text: &str) -> Result<Lesson, String> {
        let raw: RawLesson = serde_yaml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        let err = |m: String| format!("{file}: {m}");
        if !is_kebab(&raw.id) {
            return Err(err(format!(
                "id: {:?} must be kebab-case (a-z, 0-9, -)",
                raw.id
            )));
        }
        let stem = std::path::Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if !stem.is_empty() && stem != raw.id {
            return Err(err(format!(
                "id: {:?} must match the file name ({stem}.yaml)",
                raw.id
            )));
        }
        for (field, v) in [
            ("title", &raw.title),
            ("summary", &raw.summary),
            ("concept", &raw.concept),
        ] {
            if v.trim().is_empty() {
                return Err(err(format!("{field}: must not be empty")));
            }
        }
        if !TRACKS.iter().any(|(t, _)| *t == raw.track) {
            return Err(err(format!(
                "track: {:?} is not one of {}",
                raw.track,
                TRACKS
                    .iter()
                    .map(|(t, _)| *t)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if let Some(c) = &raw.setup.cluster {
            if c != "default" {
                return Err(err(format!(
                    "setup.cluster: only `default` is available so far, not {c:?}"
                )));
            }
        }
        if let Some(c) = &raw.setup.clock {
            clock::parse_rfc3339(c).map_err(|e| err(format!("setup.clock: {e}")))?;
        }
        let workers = raw.setup.workers.unwrap_or(2);
        if workers > 50 {
            return Err(err("setup.workers: at most 50".into()));
        }
        for name in raw.setup.files.keys() {
            if name.trim().is_empty() || name.contains(char::is_whitespace) {
                return Err(err(format!(
                    "setup.files: {name:?} is not a usable file name (no spaces)"
                )));
            }
        }
        for (i, c) in raw.setup.commands.iter().enumerate() {
            if c.trim().is_empty() {
                return Err(err(format!("setup.commands[{i}]: empty command")));
            }
            if !goal::var_names(c).is_empty() {
                return Err(err(format!(
                    "setup.commands[{i}]: setup cannot use $variables (captures start with step 1)"
                )));
            }
        }
        let mut known_vars: BTreeSet<String> = BTreeSet::new();
        let mut steps = Vec::new();
        for (i, s) in raw.steps.into_iter().enumerate() {
            let p = format!("steps[{i}]");
            if s.title.trim().is_empty() {
                return Err(err(format!("{p}.title: must not be empty")));
            }
            if s.instructions.trim().is_empty() {
                return Err(err(format!("{p}.instructions: must not be empty")));
            }
            for (name, cap) in &s.capture {
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    || name.starts_with(|c: char| c.is_ascii_digit())
                {
                    return Err(err(format!(
                        "{p}.capture: {name:?} is not a variable name (letters, digits, _)"
                    )));
                }
                goal::parse_target(&cap.get)
                    .map_err(|e| err(format!("{p}.capture.{name}.get: {e}")))?;
                crate::kubectl::jsonpath::JsonPath::parse(&cap.jsonpath)
                    .map_err(|e| err(format!("{p}.capture.{name}.jsonpath: {e}")))?;
                if !goal::var_names(&cap.get).is_empty()
                    || !goal::var_names(&cap.jsonpath).is_empty()
                {
                    return Err(err(format!(
                        "{p}.capture.{name}: captures cannot use other $variables"
                    )));
                }
            }
            known_vars.extend(s.capture.keys().cloned());
            let solution = match s.solution {
                Some(v) if !v.is_empty() => v,
                _ => return Err(err(format!("{p}.solution: every step needs a solution (the commands that reach its goal); CI runs it"))),
            };
            for (j, c) in solution.iter().enumerate() {
                if c.trim().is_empty() {
                    return Err(err(format!("{p}.solution[{j}]: empty command")));
                }
            }
            let Some(g) = s.goal else {
                return Err(err(format!("{p}.goal: every step needs a goal; a lesson without goals is a sandbox (no steps)")));
            };
            let goal = goal::parse_goal(&g, &format!("{p}.goal"), &mut 0).map_err(err)?;
            let mut texts: Vec<(String, String)> = Vec::new();
            texts.push((format!("{p}.instructions"), s.instructions.clone()));
            texts.extend(
                s.hints
                    .iter()
                    .enumerate()
                    .map(|(j, h)| (format!("{p}.hints[{j}]"), h.clone())),
            );
            texts.extend(
                solution
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (format!("{p}.solution[{j}]"), c.clone())),
            );
            texts.extend(
                goal::goal_strings(&goal)
                    .into_iter()
                    .map(|t| (format!("{p}.goal"), t)),
            );
            for (where_, t) in &texts {
                for v in goal::var_names(t) {
                    if !known_vars.contains(&v) {
                        return Err(err(format!("{where_}: ${v} is not captured in this step or an earlier one (add capture: {{{v}: {{get: ..., jsonpath: ...}}}})")));
                    }
                }
            }
            steps.push(Step {
                title: s.title,
                instructions: s.instructions,
                hints: s.hints,
                solution,
                capture: s.capture,
                goal,
                goal_text: s.goal_text,
                watch: s.watch,
            });
        }
        for (i, b) in raw.break_it.iter().enumerate() {
            if b.text.trim().is_empty() {
                return Err(err(format!("break_it[{i}].text: must not be empty")));
            }
        }
        Ok(Lesson {
            id: raw.id,
            title: raw.title,
            track: raw.track,
            summary: raw.summary,
            order: raw.order,
            prerequisites: raw.prerequisites,
            concept: raw.concept,
            corrects: raw.corrects,
            setup: Setup {
                seed: raw.setup.seed.unwrap_or(1),
                clock: raw.setup.clock,
                workers,
                paused: raw.setup.paused,
                files: raw.setup.files,
                commands: raw.setup.commands,
            },
            steps,
            break_it: raw.break_it,
            file: file.to_string(),
        })
    }

    /// The simulation configuration the lesson starts from.
    pub fn sim_config(&self) -> crate::sim::SimConfig {
        let mut c = crate::sim::SimConfig {
            seed: self.setup.seed,
            workers: self.setup.workers,
            ..Default::default()
        };
        if let Some(t) = self
            .setup
            .clock
            .as_deref()
            .and_then(|t| clock::parse_rfc3339(t).ok())
        {
            c.start = t;
        }
        c
    }
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Parses a set of lesson files and checks what spans files: unique ids, known prerequisites.
/// Returns the lessons in map order (track, then `order`, then id) and every error found.
pub fn parse_all(files: &[(&str, &str)]) -> (Vec<Lesson>, Vec<String>) {
    let mut lessons = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in files {
        match Lesson::parse(name, text) {
            Ok(l) => lessons.push(l),
            Err(e) => errors.push(e),
        }
    }
    let mut seen = BTreeSet::new();
    for l in &lessons {
        if !seen.insert(l.id.clone()) {
            errors.push(format!(
                "{}: id: {:?} is used by another lesson",
                l.file, l.id
            ));
        }
    }
    for l in &lessons {
        for (i, p) in l.prerequisites.iter().enumerate() {
            if !seen.contains(p) {
                errors.push(format!(
                    "{}: prerequisites[{i}]: no lesson has the id {p:?}",
                    l.file
                ));
            }
        }
    }
    crate::sort::sort_by(&mut lessons, |a, b| {
        map_order(&a.track, a.order, &a.id).cmp(&map_order(&b.track, b.order, &b.id))
    });
    (lessons, errors)
}

/// Where a lesson sits in the map: by track (in `TRACKS` order, unknown tracks last), then by
/// `order` (lessons without one after), then by id. The catalog and the page's index both sort by it.
pub fn map_order<'a>(track: &str, order: Option<u32>, id: &'a str) -> (usize, u32, &'a str) {
    let track_pos = TRACKS
        .iter()
        .position(|(t, _)| *t == track)
        .unwrap_or(TRACKS.len());
    (track_pos, order.unwrap_or(u32::MAX), id)
}
