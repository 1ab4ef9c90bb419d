//! Time travel over the deterministic simulation (DESIGN.md §3): the session keeps a log of what
//! the learner did, each entry pinned to its exact position in the run (virtual ms and the number
//! of engine tasks run before it), plus snapshots of the whole session every few virtual seconds.
//! Any earlier moment is rebuilt by cloning the nearest snapshot at or before it and replaying the
//! logged inputs after it: the same bytes as the original run.

use std::rc::Rc;

use super::run::LessonRun;
use crate::kubectl::Shell;
use crate::sim::{Kind, Sim};

/// Virtual time between two snapshots.
pub const SNAPSHOT_EVERY_MS: u64 = 10_000;
/// Most snapshots kept; beyond this the older half is thinned (every other one dropped).
pub const MAX_SNAPSHOTS: usize = 48;
/// Rough bound on what the snapshots hold in all (objects + decisions + events, summed over
/// snapshots); beyond this the older half is thinned too, so a huge cluster keeps fewer snapshots.
pub const MAX_SNAPSHOT_WEIGHT: usize = 600_000;

/// Something the learner (or the page) did to the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// One line of the script language, as typed (heredoc body lines too).
    Line(String),
    /// A file added to the terminal's file system.
    File { path: String, text: String },
    /// `set_rolling_update` (tests).
    RollingUpdate {
        ns: String,
        name: String,
        surge: String,
        unavailable: String,
    },
    /// The lesson's goal was met here (the step ticked).
    LessonCheck,
    /// The lesson's step was skipped here.
    LessonSkip,
    /// The learner stopped a waiting command (Ctrl-C). It changes nothing in the cluster; a
    /// share link's replay needs it to end that command's output where it ended.
    Interrupt,
}

/// One logged input: what, and exactly where in the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedInput {
    /// Virtual ms since the start instant.
    pub at_ms: u64,
    /// Engine tasks run before it: replay steps to exactly this position, even when the original
    /// run stopped between two tasks due at the same millisecond.
    pub tasks_run: u64,
    pub action: Action,
}

impl TimedInput {
    /// The command line, for a `Line`.
    pub fn line(&self) -> Option<&str> {
        match &self.action {
            Action::Line(l) => Some(l),
            _ => None,
        }
    }
}

/// The whole session at one moment.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub at_ms: u64,
    /// Log entries already applied in this state.
    pub inputs: usize,
    pub shell: Shell,
    pub lesson: Option<LessonRun>,
    pub weight: usize,
}

impl Snapshot {
    pub fn take(shell: &Shell, lesson: &Option<LessonRun>, inputs: usize) -> Rc<Snapshot> {
        let sim = shell.sim();
        Rc::new(Snapshot {
            at_ms: sim.elapsed_ms(),
            inputs,
            shell: shell.clone(),
            lesson: lesson.clone(),
            weight: weight(sim),
        })
    }
}

/// How much a snapshot of `sim` holds, roughly (objects, decisions, events).
pub(crate) fn weight(sim: &Sim) -> usize {
    Kind::ALL
        .iter()
        .map(|k| sim.store().count(*k))
        .sum::<usize>()
        + sim.decisions().len()
        + sim.events().len()
        + 1
}

/// Tasks the engine has run so far (a position in the run).
pub(crate) fn tasks_run(sim: &Sim) -> u64 {
    sim.engine.popped()
}

/// Runs tasks until `tasks` have run in all (never past `at_ms`), then sets the clock to `at_ms`
/// without running anything due then: the exact position an input was logged at.
pub(crate) fn seek(sim: &mut Sim, tasks: u64, at_ms: u64) {
    while sim.engine.popped() < tasks {
        match sim.next_task_time() {
            Some(t) if t <= at_ms => {
                sim.step();
            }
            _ => break,
        }
    }
    if sim.elapsed_ms() < at_ms {
        sim.clock.set_elapsed(at_ms);
    }
}

/// Thins the older half of the snapshots (keeping the first) while there are too many or they
/// hold too much.
pub(crate) fn thin(snapshots: &mut Vec<Rc<Snapshot>>) {
    loop {
        let total: usize = snapshots.iter().map(|s| s.weight).sum();
        if snapshots.len() <= 2
            || (snapshots.len() <= MAX_SNAPSHOTS && total <= MAX_SNAPSHOT_WEIGHT)
        {
            return;
        }
        let half = snapshots.len() / 2;
        if half < 3 {
            snapshots.remove(1);
            continue;
        }
        let mut i = 0usize;
        snapshots.retain(|_| {
            let keep = i == 0 || i >= half || i % 2 == 0;
            i += 1;
            keep
        });
    }
}

/// A simple line diff (longest common subsequence), for the inspector: each line of `new` or a
/// removed line of `old`, with its mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffMark {
    Same,
    Added,
    Removed,
}

/// Diffs two texts line by line. Large inputs fall back to a coarse diff (everything replaced).
pub fn line_diff<'a>(old: &'a str, new: &'a str) -> Vec<(DiffMark, &'a str)> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Trim the common head and tail, so the table covers only what changed.
    let mut head = 0;
    while head < a.len() && head < b.len() && a[head] == b[head] {
        head += 1;
    }
    let mut tail = 0;
    while tail < a.len() - head
        && tail < b.len() - head
        && a[a.len() - 1 - tail] == b[b.len() - 1 - tail]
    {
        tail += 1;
    }
    let am = &a[head..a.len() - tail];
    let bm = &b[head..b.len() - tail];
    let mut out: Vec<(DiffMark, &str)> = a[..head].iter().map(|l| (DiffMark::Same, *l)).collect();
    if am.len() * bm.len() > 4_000_000 {
        out.extend(am.iter().map(|l| (DiffMark::Removed, *l)));
        out.extend(bm.iter().map(|l| (DiffMark::Added, *l)));
    } else {
        let (n, m) = (am.len(), bm.len());
        let mut t = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                t[i * (m + 1) + j] = if am[i] == bm[j] {
                    t[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                out.push((DiffMark::Same, am[i]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
                out.push((DiffMark::Removed, am[i]));
                i += 1;
            } else {
                out.push((DiffMark::Added, bm[j]));
                j += 1;
            }
        }
    }
    out.extend(b[b.len() - tail..].iter().map(|l| (DiffMark::Same, *l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\nd\n");
        assert_eq!(
            d,
            vec![
                (DiffMark::Same, "a"),
                (DiffMark::Removed, "b"),
                (DiffMark::Added, "x"),
                (DiffMark::Same, "c"),
                (DiffMark::Added, "d"),
            ]
        );
        assert!(line_diff("", "").is_empty());
        assert_eq!(line_diff("a\n", "a\n"), vec![(DiffMark::Same, "a")]);
    }
}
