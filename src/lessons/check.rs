//! CI's check of a lesson (`kubeplay lesson ID --check`): build the start state, then for every
//! step verify that its goal is NOT met when the step begins, run its solution (no command may
//! fail), and let virtual time pass until the goal is met (at most `GRACE_MS`).
//!
//! The page's "Show goal" uses the same run on a copy of the learner's session (`preview_goal`):
//! the current step's solution, then virtual time until the goal is met; the session is untouched.

use super::{Lesson, Playground, StepDone};
use crate::sim::view::ClusterView;

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
    v.log.push(format!(
        "setup: {} command(s), cluster ready at {:.1}s (virtual)",
        lesson.setup.commands.len(),
        p.elapsed_ms() as f64 / 1000.0
    ));
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        let at_start = p.lesson().map(|r| r.step_index());
        if at_start != Some(i) {
            v.errors.push(format!(
                "{file}: steps[{i}]: the lesson is at step {at_start:?}, not this one"
            ));
            return v;
        }
        let Some(report) = p.goal_report() else {
            v.errors
                .push(format!("{file}: steps[{i}]: no goal to evaluate"));
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
        let t0 = p.elapsed_ms();
        let solved = solve_step(&mut p, true);
        if let Some((j, cmd, code, err)) = solved.failures.first() {
            v.errors.push(format!(
                "{file}: steps[{i}].solution[{j}] `{cmd}` failed (exit {code}): {}",
                err.trim()
            ));
            return v;
        }
        match solved.done {
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

/// What running the current step's solution did (see `solve_step`).
#[derive(Clone, Debug, Default)]
pub struct Solved {
    /// The step that ticked (the current one, when the solution worked).
    pub done: Option<StepDone>,
    /// Solution lines that failed: (index, line, exit code, stderr).
    pub failures: Vec<(usize, String, i32, String)>,
}

/// Runs the current step's solution as the terminal would (each line's waiting finished), then
/// lets virtual time pass, a second at a time, until the step's goal is met or `GRACE_MS` have
/// passed. With `stop_on_error`, the first failing line ends it.
pub fn solve_step(p: &mut Playground, stop_on_error: bool) -> Solved {
    let mut out = Solved::default();
    let solution = p.lesson().map(|r| r.solution()).unwrap_or_default();
    for (j, cmd) in solution.iter().enumerate() {
        if let Err((code, err)) = p.run_to_end(cmd) {
            out.failures.push((j, cmd.clone(), code, err));
            if stop_on_error {
                return out;
            }
        }
    }
    let mut done = p.check_lesson();
    let deadline = p.elapsed_ms() + GRACE_MS;
    while done.is_none() && p.elapsed_ms() < deadline {
        p.advance(TICK_MS);
        done = p.check_lesson();
    }
    out.done = done;
    out
}

/// The cluster as the current step's goal wants it ("Show goal"), computed on a copy.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalPreview {
    /// The lesson and step (index) it was computed for.
    pub lesson: String,
    pub step: usize,
    /// The copy's cluster once the goal was met (or when it gave up).
    pub view: ClusterView,
    /// The goal was met.
    pub met: bool,
    /// Virtual ms from the live session's now to that moment.
    pub after_ms: u64,
    /// Solution lines that failed on the copy (e.g. the learner already made that Deployment).
    pub failed: Vec<String>,
    /// The pods and owners are the same as in the live cluster now (a step about reading, not changing).
    pub unchanged: bool,
}

/// A copy of a session that goes its own way (the shell and simulation are cloned; objects and
/// snapshots are shared `Rc`s, so it is cheap).
fn fork(p: &Playground) -> Playground {
    Playground {
        shell: p.shell.clone(),
        lesson: p.lesson.clone(),
        log: p.log.clone(),
        snapshots: p.snapshots.clone(),
        host_files: p.host_files.clone(),
    }
}

/// Copies `live`, runs the current step's solution in the clone until the goal is met (at most
/// `GRACE_MS` of virtual time after it) and returns what its cluster looks like. `live` is never
/// changed. None outside a lesson, once it is complete, or for a step without a solution.
pub fn preview_goal(live: &Playground) -> Option<GoalPreview> {
    let run = live.lesson()?;
    if run.is_complete() || run.solution().is_empty() {
        return None;
    }
    let (lesson, step) = (run.lesson().id.clone(), run.step_index());
    let mut p = fork(live);
    let t0 = p.elapsed_ms();
    let solved = solve_step(&mut p, false);
    let met = solved.done.as_ref().is_some_and(|d| d.index == step);
    let view = p.view();
    let now = live.view();
    let unchanged =
        view.nodes == now.nodes && view.unscheduled == now.unscheduled && view.owners == now.owners;
    Some(GoalPreview {
        lesson,
        step,
        view,
        met,
        after_ms: p.elapsed_ms() - t0,
        failed: solved
            .failures
            .into_iter()
            .map(|(_, line, _, _)| line)
            .collect(),
        unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(id: &str) -> Lesson {
        crate::lessons::catalog()
            .0
            .into_iter()
            .find(|l| l.id == id)
            .expect("lesson")
    }

    #[test]
    fn preview_draws_the_goal_on_a_copy() {
        let l = lesson("first-deployment");
        let live = Playground::for_lesson(&l).unwrap();
        let before = (live.elapsed_ms(), live.view(), live.inputs().len());
        let g = preview_goal(&live).expect("a preview");
        assert!(g.met, "{g:?}");
        assert_eq!(g.step, 0);
        assert!(!g.unchanged);
        assert!(g.failed.is_empty());
        let pods: Vec<_> = g
            .view
            .nodes
            .iter()
            .flat_map(|n| &n.pods)
            .filter(|p| p.namespace == "default")
            .collect();
        assert_eq!(pods.len(), 1);
        assert_eq!(pods[0].status, "Running");
        // The live session is untouched.
        assert_eq!(
            (live.elapsed_ms(), live.view(), live.inputs().len()),
            before
        );
        assert_eq!(live.lesson().unwrap().step_index(), 0);
    }

    #[test]
    fn preview_of_a_reading_step_is_unchanged() {
        let l = lesson("first-deployment");
        let mut live = Playground::for_lesson(&l).unwrap();
        assert!(solve_step(&mut live, true).done.is_some());
        let g = preview_goal(&live).expect("a preview");
        assert_eq!(g.step, 1);
        assert!(g.met && g.unchanged, "{g:?}");
    }
}
