//! CI's check of a lesson (`kubeplay lesson ID --check`): build the start state, then for every
//! step verify that its goal is NOT met when the step begins, run its solution (no command may
//! fail), and let virtual time pass until the goal is met (at most `GRACE_MS`).

use super::{Lesson, Playground};

/// How long after its solution a step's goal may take to be met (virtual time).
pub const GRACE_MS: u64 = 5 * 60_000;
const TICK_MS: u64 = 1_000;

/// The outcome of checking one lesson.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// What happened, step by step (for the terminal).
    pub log: Vec<String>,
    /// Empty when the lesson passed.
    pub errors: Vec<String>,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks a lesson; never panics on a bad lesson.
pub fn verify(lesson: &Lesson) -> Verification {
    let mut v = Verification::default();
    let file = &lesson.file;
    let mut p = match Playground::for_lesson(lesson) {
        Ok(p) => p,
        Err(e) => {
            v.errors.push(e);
            return v;
        }
    };
    v.log.push(format!("setup: {} command(s), cluster ready at {:.1}s (virtual)", lesson.setup.commands.len(), p.elapsed_ms() as f64 / 1000.0));
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        let at_start = p.lesson().map(|r| r.step_index());
        if at_start != Some(i) {
            v.errors.push(format!("{file}: steps[{i}]: the lesson is at step {at_start:?}, not this one"));
            return v;
        }
        let Some(report) = p.goal_report() else {
            v.errors.push(format!("{file}: steps[{i}]: no goal to evaluate"));
            return v;
        };
        if report.met {
            v.errors.push(format!(
                "{file}: steps[{i}] ({}): the goal is already met when the step begins, before the learner does anything:\n{}",
                step.title,
                report.to_text()
            ));
            return v;
        }
        let solution = p.lesson().map(|r| r.solution()).unwrap_or_default();
        let t0 = p.elapsed_ms();
        for (j, cmd) in solution.iter().enumerate() {
            if let Err((code, err)) = p.run_to_end(cmd) {
                v.errors.push(format!("{file}: steps[{i}].solution[{j}] `{cmd}` failed (exit {code}): {}", err.trim()));
                return v;
            }
        }
        let mut done = p.check_lesson();
        let deadline = p.elapsed_ms() + GRACE_MS;
        while done.is_none() && p.elapsed_ms() < deadline {
            p.advance(TICK_MS);
            done = p.check_lesson();
        }
        match done {
            Some(d) if d.index == i => v.log.push(format!(
                "step {n} ({}): ✓ goal met {:.1}s (virtual) after the solution began",
                step.title,
                (p.elapsed_ms() - t0) as f64 / 1000.0
            )),
            _ => {
                let report = p.goal_report().map(|r| r.to_text()).unwrap_or_default();
                v.errors.push(format!(
                    "{file}: steps[{i}] ({}): the goal is not met {} virtual seconds after the solution:\n{report}",
                    step.title,
                    GRACE_MS / 1000
                ));
                return v;
            }
        }
    }
    if lesson.is_sandbox() {
        v.log.push("sandbox: no goals".into());
    }
    v
}
