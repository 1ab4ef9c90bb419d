//! A learner working through a lesson: the current step, hints revealed, goals met, and what was
//! typed (so that progress can be saved and replayed on the deterministic simulation).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::format::{Lesson, Step};
use super::goal::{self, Ctx, GoalReport, RanCommand};
use crate::sim::Sim;

/// One line the learner typed, and when (virtual ms since the start instant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub at_ms: u64,
    pub line: String,
}

/// What is saved of a lesson in progress (local storage in the browser). Replaying `inputs` at
/// their times on the lesson's seed rebuilds the same cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonProgress {
    pub lesson: String,
    /// Index of the current step (= number of steps when the lesson is complete).
    pub step: usize,
    pub completed: Vec<bool>,
    /// Hints revealed, per step.
    pub hints: Vec<usize>,
    pub inputs: Vec<Input>,
    /// Virtual time when saved.
    pub elapsed_ms: u64,
}

/// A step that was just completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepDone {
    pub index: usize,
    /// Commands typed during the step (compare with the solution's length).
    pub commands: usize,
    /// True when this was the last step.
    pub lesson_complete: bool,
}

/// A lesson being played.
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Lesson,
    step: usize,
    completed: Vec<bool>,
    hints: Vec<usize>,
    vars: BTreeMap<String, String>,
    start_ms: u64,
    start_events: usize,
    baselines: BTreeMap<usize, String>,
    commands: Vec<RanCommand>,
    inputs: Vec<Input>,
}

impl LessonRun {
    /// Starts at step 1 on a cluster that setup has already built.
    pub fn new(lesson: Lesson, sim: &Sim) -> LessonRun {
        let n = lesson.steps.len();
        let mut r = LessonRun {
            lesson,
            step: 0,
            completed: vec![false; n],
            hints: vec![0; n],
            vars: BTreeMap::new(),
            start_ms: 0,
            start_events: 0,
            baselines: BTreeMap::new(),
            commands: Vec::new(),
            inputs: Vec::new(),
        };
        r.begin_step(sim);
        r
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }
    /// Index of the current step; equals the number of steps once the lesson is complete.
    pub fn step_index(&self) -> usize {
        self.step
    }
    pub fn current_step(&self) -> Option<&Step> {
        self.lesson.steps.get(self.step)
    }
    pub fn is_complete(&self) -> bool {
        self.step >= self.lesson.steps.len()
    }
    pub fn completed(&self) -> &[bool] {
        &self.completed
    }
    /// Values captured so far (`$NAME` in the lesson's text).
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }
    /// Text of the lesson with captured variables filled in.
    pub fn fill(&self, text: &str) -> String {
        goal::substitute(text, &self.vars)
    }
    /// The current step's instructions, filled in.
    pub fn instructions(&self) -> Option<String> {
        self.current_step().map(|s| self.fill(&s.instructions))
    }
    /// The hints revealed so far for the current step.
    pub fn hints_revealed(&self) -> Vec<String> {
        let Some(s) = self.current_step() else {
            return Vec::new();
        };
        let n = self.hints.get(self.step).copied().unwrap_or(0);
        s.hints.iter().take(n).map(|h| self.fill(h)).collect()
    }
    /// Reveals the next hint of the current step, if any is left.
    pub fn reveal_hint(&mut self) -> Option<String> {
        let s = self.current_step()?;
        let n = self.hints.get(self.step).copied().unwrap_or(0);
        let h = s.hints.get(n).map(|h| goal::substitute(h, &self.vars))?;
        if let Some(c) = self.hints.get_mut(self.step) {
            *c += 1;
        }
        Some(h)
    }
    /// How many hints the current step has left.
    pub fn hints_left(&self) -> usize {
        let Some(s) = self.current_step() else {
            return 0;
        };
        s.hints
            .len()
            .saturating_sub(self.hints.get(self.step).copied().unwrap_or(0))
    }
    /// The current step's solution, filled in (what "Show solution" types).
    pub fn solution(&self) -> Vec<String> {
        self.current_step()
            .map(|s| s.solution.iter().map(|c| self.fill(c)).collect())
            .unwrap_or_default()
    }
    /// The current step's goal in words: the author's `goal_text`, or one line per check.
    pub fn goal_text(&self) -> Vec<String> {
        let Some(s) = self.current_step() else {
            return Vec::new();
        };
        if let Some(t) = &s.goal_text {
            return vec![self.fill(t)];
        }
        goal::leaves(&s.goal)
            .iter()
            .map(|c| c.describe(&self.vars))
            .collect()
    }

    fn ctx<'a>(&'a self, sim: &'a Sim) -> Ctx<'a> {
        Ctx {
            sim,
            vars: &self.vars,
            step_start_ms: self.start_ms,
            step_start_events: self.start_events,
            commands: &self.commands,
            baselines: &self.baselines,
        }
    }

    /// Where the current step's goal stands (None once the lesson is complete).
    pub fn report(&self, sim: &Sim) -> Option<GoalReport> {
        let s = self.current_step()?;
        Some(goal::evaluate(&s.goal, &self.ctx(sim)))
    }

    /// Records a line the learner ran (goals of kind `ran` look at these).
    pub fn record(&mut self, at_ms: u64, line: &str, exit_code: i32) {
        self.inputs.push(Input {
            at_ms,
            line: line.to_string(),
        });
        if let Some(words) = shlex::split(line.trim()) {
            let words: Vec<String> = words
                .into_iter()
                .take_while(|w| !w.starts_with('#'))
                .collect();
            if !words.is_empty() {
                self.commands.push(RanCommand { words, exit_code });
            }
        }
    }

    /// Evaluates the current goal; if it is met, completes the step and begins the next.
    pub fn check(&mut self, sim: &Sim) -> Option<StepDone> {
        let report = self.report(sim)?;
        if !report.met {
            return None;
        }
        let index = self.step;
        if let Some(c) = self.completed.get_mut(index) {
            *c = true;
        }
        let commands = self.commands.len();
        self.step += 1;
        self.begin_step(sim);
        Some(StepDone {
            index,
            commands,
            lesson_complete: self.is_complete(),
        })
    }

    /// Skips the current step without meeting its goal (the learner may come back with `goto`).
    pub fn skip(&mut self, sim: &Sim) {
        if !self.is_complete() {
            self.step += 1;
            self.begin_step(sim);
        }
    }

    fn begin_step(&mut self, sim: &Sim) {
        self.start_ms = sim.elapsed_ms();
        self.start_events = sim.events().len();
        self.commands.clear();
        self.baselines.clear();
        let Some(s) = self.lesson.steps.get(self.step).cloned() else {
            return;
        };
        for (name, cap) in &s.capture {
            let v = goal::query_jsonpath(sim, &cap.get, &cap.jsonpath).unwrap_or_default();
            self.vars.insert(name.clone(), v.trim().to_string());
        }
        let ctx = self.ctx(sim);
        let mut base = BTreeMap::new();
        for c in goal::leaves(&s.goal) {
            if c.needs_baseline() {
                if let Some(Ok(v)) = c.value(&ctx) {
                    base.insert(c.id, v);
                }
            }
        }
        self.baselines = base;
    }

    /// What to save.
    pub fn progress(&self, elapsed_ms: u64) -> LessonProgress {
        LessonProgress {
            lesson: self.lesson.id.clone(),
            step: self.step,
            completed: self.completed.clone(),
            hints: self.hints.clone(),
            inputs: self.inputs.clone(),
            elapsed_ms,
        }
    }

    /// Restores the ticks and hints of saved progress (after its inputs were replayed).
    pub(crate) fn restore_marks(&mut self, p: &LessonProgress, sim: &Sim) {
        for (i, done) in p.completed.iter().enumerate() {
            if *done {
                if let Some(c) = self.completed.get_mut(i) {
                    *c = true;
                }
            }
        }
        for (i, h) in p.hints.iter().enumerate() {
            if let Some(c) = self.hints.get_mut(i) {
                *c = (*c).max(*h);
            }
        }
        if p.step > self.step && p.step <= self.lesson.steps.len() {
            self.step = p.step;
            self.begin_step(sim);
        }
    }
}
