//! The lesson layer: the `Playground` (one learner's session, a shell over a simulated cluster,
//! which the page and the native CLI drive) and the lesson engine (lesson files, goals checked
//! against the live cluster, steps, hints, progress).
//!
//! | file | what it is |
//! |---|---|
//! | `format.rs` | the lesson file format: parsing and validation with path-qualified errors |
//! | `goal.rs` | goal trees (get+jsonpath, pods, exists/absent, event, ran) and their evaluation |
//! | (`crate::kubectl::jsonpath`) | the JSONPath subset goals and `kubectl get -o jsonpath` use |
//! | `run.rs` | `LessonRun`: current step, hints, captures, baselines, saved progress |
//! | `check.rs` | `verify`: CI's replay of every step's solution against its goal |

pub mod check;
pub mod format;
pub mod goal;

pub mod run;
pub mod share;
pub mod timetravel;
pub mod why;

pub use format::{Lesson, Step, TRACKS};
pub use goal::GoalReport;
pub use run::{Input, LessonProgress, LessonRun, StepDone};
pub use timetravel::{line_diff, Action, DiffMark, TimedInput};

use crate::kubectl::{Outcome, Progress, Shell, Wait};
use crate::sim::view::ClusterView;
use crate::sim::{EventRecord, Kind, SimConfig};
use std::rc::Rc;
use timetravel::Snapshot;

// In the browser only the index is used: the lesson texts are fetched (and the linker drops them).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));
}

/// The lesson files embedded at build time (every `static/lessons/*.yaml`): (file name, text).
/// Native only: the page fetches them one at a time (`install_lesson_file`).
#[cfg(not(target_arch = "wasm32"))]
pub fn lesson_files() -> &'static [(&'static str, &'static str)] {
    embedded::LESSON_FILES
}

/// Every embedded lesson that parses, in map order, and the errors of those that don't.
#[cfg(not(target_arch = "wasm32"))]
pub fn catalog() -> (Vec<Lesson>, Vec<String>) {
    format::parse_all(lesson_files())
}

/// What the lesson map shows of a lesson, read from its file at build time (`build.rs`), so the
/// map needs no parsing at start-up; the whole lesson is parsed when it is opened.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonCard {
    pub id: &'static str,
    pub title: &'static str,
    pub track: &'static str,
    pub summary: &'static str,
    pub order: Option<u32>,
    /// Number of steps; a sandbox has none.
    pub steps: usize,
}

impl LessonCard {
    /// A sandbox has no steps: a cluster to play with, no goals.
    pub fn is_sandbox(&self) -> bool {
        self.steps == 0
    }
}

/// The lesson map: every embedded lesson's card in map order (track, then `order`, then id, as
/// [`catalog`]), and the files whose map fields could not be read. Validation beyond those fields
/// happens when a lesson is opened ([`find_lesson`]) and in `kubeplay lesson --check`.
pub fn index() -> (Vec<LessonCard>, Vec<String>) {
    let mut cards: Vec<LessonCard> = embedded::LESSON_INDEX
        .iter()
        .map(
            |&(_file, id, title, track, summary, order, steps)| LessonCard {
                id,
                title,
                track,
                summary,
                order,
                steps,
            },
        )
        .collect();
    crate::sort::sort_by_key(&mut cards, |c| format::map_order(c.track, c.order, c.id));
    let errors = embedded::INDEX_ERRORS
        .iter()
        .map(|e| e.to_string())
        .collect();
    (cards, errors)
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// The page's lesson files, (file name, text), as they arrive ([`install_lesson_file`]).
    static FETCHED: std::cell::RefCell<Vec<(String, Rc<str>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// In the browser the lesson files are not in the module: the page fetches a lesson's file (next to
/// `index.html`, in `lessons/`) when it is opened and installs it here, then [`find_lesson`]
/// finds it. Natively every file is embedded and this is not needed.
#[cfg(target_arch = "wasm32")]
pub fn install_lesson_file(file_name: &str, text: &str) {
    FETCHED.with(|f| {
        let mut f = f.borrow_mut();
        f.retain(|(n, _)| n != file_name);
        f.push((file_name.to_string(), Rc::from(text)));
    });
}

/// Whether lesson `id`'s file is at hand (natively: whether it is embedded).
#[cfg(not(target_arch = "wasm32"))]
pub fn lesson_file_ready(id: &str) -> bool {
    lesson_files()
        .iter()
        .any(|(name, _)| file_stem(name) == Some(id))
}

/// Whether lesson `id`'s file is at hand (in the browser: whether the page has installed it).
#[cfg(target_arch = "wasm32")]
pub fn lesson_file_ready(id: &str) -> bool {
    FETCHED.with(|f| {
        f.borrow()
            .iter()
            .any(|(name, _)| file_stem(name) == Some(id))
    })
}

/// The file name (`rollback.yaml`) of lesson `id` in the map's index.
pub fn lesson_file_name(id: &str) -> Option<&'static str> {
    embedded::LESSON_INDEX
        .iter()
        .find(|e| e.1 == id)
        .map(|e| e.0)
}

fn file_stem(name: &str) -> Option<&str> {
    std::path::Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
}

#[cfg(not(target_arch = "wasm32"))]
fn lesson_text(id: &str) -> Option<(String, Rc<str>)> {
    lesson_files()
        .iter()
        .find(|(name, _)| file_stem(name) == Some(id))
        .map(|(name, text)| (name.to_string(), Rc::from(*text)))
}

#[cfg(target_arch = "wasm32")]
fn lesson_text(id: &str) -> Option<(String, Rc<str>)> {
    FETCHED.with(|f| {
        f.borrow()
            .iter()
            .find(|(name, _)| file_stem(name) == Some(id))
            .cloned()
    })
}

/// One lesson by id (natively embedded; in the browser, once its file has been fetched).
pub fn find_lesson(id: &str) -> Result<Lesson, String> {
    let Some((name, text)) = lesson_text(id) else {
        let (cards, _) = index();
        let ids: Vec<&str> = cards.iter().map(|c| c.id).collect();
        return Err(format!("no lesson {id:?}; lessons: {}", ids.join(", ")));
    };
    Lesson::parse(&name, &text)
}

/// Longest virtual time one setup or solution command may wait.
pub const COMMAND_WAIT_LIMIT_MS: u64 = 3_600_000;

/// A learner's session: the simulated cluster plus the shell that talks to it, and the lesson
/// being played, if any.
///
/// It also keeps its own history for time travel (`view_at`, `at`, `restore`): a log of every
/// input pinned to its position in the run, and snapshots of the whole session every
/// `timetravel::SNAPSHOT_EVERY_MS` of virtual time.
pub struct Playground {
    shell: Shell,
    lesson: Option<LessonRun>,
    /// Everything done to the session since its base snapshot, in order.
    log: Vec<TimedInput>,
    /// Snapshots by time; the first is the base (where time travel begins).
    snapshots: Vec<Rc<Snapshot>>,
    host_files: Option<Rc<dyn Fn(&str) -> Option<String>>>,
}

impl Playground {
    /// A fresh default cluster (one control-plane node, two workers), seeded.
    pub fn new(config: SimConfig) -> Self {
        Self::from_shell(Shell::new(config))
    }

    /// A session over a shell whose cluster has just booted (`Shell::new`): the same as
    /// [`Playground::new`] with that shell's config. The page boots the shell at build time
    /// (`ui::kubeplay_preboot`) and makes the session here, so the time-travel base snapshot is
    /// taken in the browser rather than stored in the module.
    pub fn from_shell(shell: Shell) -> Self {
        let mut p = Playground {
            shell,
            lesson: None,
            log: Vec::new(),
            snapshots: Vec::new(),
            host_files: None,
        };
        p.rebase();
        p
    }

    /// Makes the present the start of time travel: forgets the log and the snapshots.
    fn rebase(&mut self) {
        self.log.clear();
        self.snapshots = vec![Snapshot::take(&self.shell, &self.lesson, 0)];
    }

    /// Logs an input at the current position in the run.
    fn log_input(&mut self, action: Action) {
        let sim = self.shell.sim();
        self.log.push(TimedInput {
            at_ms: sim.elapsed_ms(),
            tasks_run: timetravel::tasks_run(sim),
            action,
        });
    }

    /// Takes a snapshot when enough virtual time has passed since the last one (and something ran).
    fn note_time(&mut self) {
        let now = self.elapsed_ms();
        let Some(last) = self.snapshots.last() else {
            self.snapshots
                .push(Snapshot::take(&self.shell, &self.lesson, self.log.len()));
            return;
        };
        if now < last.at_ms + timetravel::SNAPSHOT_EVERY_MS {
            return;
        }
        let sim = self.shell.sim();
        let same = last.inputs == self.log.len()
            && timetravel::tasks_run(last.shell.sim()) == timetravel::tasks_run(sim);
        if same {
            // Only the clock moved: replaying from the last snapshot costs nothing.
            return;
        }
        self.snapshots
            .push(Snapshot::take(&self.shell, &self.lesson, self.log.len()));
        timetravel::thin(&mut self.snapshots);
    }

    /// Applies one logged input to a session state (the replay of `run_line` and friends).
    fn apply(shell: &mut Shell, lesson: &mut Option<LessonRun>, input: &TimedInput) {
        timetravel::seek(shell.sim_mut(), input.tasks_run, input.at_ms);
        match &input.action {
            Action::Line(line) => {
                let o = shell.run_line(line);
                if let Some(run) = lesson.as_mut() {
                    if !line.trim().is_empty() {
                        run.record(input.at_ms, line, o.exit_code);
                    }
                }
            }
            Action::File { path, text } => shell.write_file(path, text),
            Action::RollingUpdate {
                ns,
                name,
                surge,
                unavailable,
            } => {
                Self::rolling_update(shell, ns, name, surge, unavailable);
            }
            Action::LessonCheck => {
                if let Some(run) = lesson.as_mut() {
                    run.check(shell.sim());
                }
            }
            Action::LessonSkip => {
                if let Some(run) = lesson.as_mut() {
                    run.skip(shell.sim());
                }
            }
            Action::Interrupt => {}
        }
    }

    /// The session as it was at virtual time `ms`: (shell, lesson, log entries applied). Every
    /// task due at or before `ms` has run; inputs typed at `ms` itself have not (they come next).
    /// A time before the base gives the base; a time after now gives now, with the clock moved on.
    fn rebuild(&self, ms: u64) -> (Shell, Option<LessonRun>, usize) {
        let i = self
            .snapshots
            .iter()
            .rposition(|s| self.snapshot_before(s, ms))
            .unwrap_or(0);
        let snap = &self.snapshots[i];
        let mut shell = snap.shell.clone();
        let mut lesson = snap.lesson.clone();
        if let Some(f) = &self.host_files {
            let f = f.clone();
            shell.set_host_files(Box::new(move |p| f(p)));
        }
        let mut applied = snap.inputs;
        for input in &self.log[snap.inputs..] {
            // The moment `ms` is what the page showed just before anything typed at `ms`.
            if input.at_ms >= ms {
                break;
            }
            Self::apply(&mut shell, &mut lesson, input);
            applied += 1;
        }
        if ms > shell.sim().elapsed_ms() {
            shell.sim_mut().run_until(ms);
        }
        (shell, lesson, applied)
    }

    /// True when `snap` holds nothing that happens after the moment `ms` (no input typed at `ms`).
    fn snapshot_before(&self, snap: &Snapshot, ms: u64) -> bool {
        snap.at_ms <= ms
            && (snap.inputs == 0 || self.log.get(snap.inputs - 1).is_some_and(|i| i.at_ms < ms))
    }

    /// Where time travel begins (virtual ms): the session's start, or a lesson's first step.
    pub fn earliest_ms(&self) -> u64 {
        self.snapshots.first().map(|s| s.at_ms).unwrap_or(0)
    }

    /// Everything logged for time travel, in order (the timeline's ▲ markers are the `Line`s).
    pub fn inputs(&self) -> &[TimedInput] {
        &self.log
    }

    /// How many command lines were typed at or after `ms` (what "continue from here" drops).
    pub fn lines_after(&self, ms: u64) -> usize {
        self.log
            .iter()
            .filter(|i| {
                i.at_ms >= ms && matches!(&i.action, Action::Line(l) if !l.trim().is_empty())
            })
            .count()
    }

    /// Snapshots held now (for tests of the memory bound).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// A detached copy of the session as it was at virtual time `ms` (never later than now),
    /// rebuilt from the nearest snapshot and the logged inputs. It can run on by itself, or
    /// follow this session's later inputs with `follow`.
    pub fn at(&self, ms: u64) -> Playground {
        let ms = ms.min(self.elapsed_ms());
        let (shell, lesson, applied) = self.rebuild(ms);
        let snapshots = self
            .snapshots
            .iter()
            .filter(|s| s.inputs <= applied && self.snapshot_before(s, ms))
            .cloned()
            .collect();
        Playground {
            shell,
            lesson,
            log: self.log[..applied].to_vec(),
            snapshots,
            host_files: self.host_files.clone(),
        }
    }

    /// What the cluster view drew at virtual time `ms`.
    pub fn view_at(&self, ms: u64) -> ClusterView {
        if ms >= self.elapsed_ms() {
            return self.view();
        }
        self.at(ms).view()
    }

    /// Moves `past` (a copy from `at`) on to virtual time `to_ms` (at most this session's now),
    /// replaying this session's inputs on the way, so it shows what this session showed then.
    pub fn follow(&self, past: &mut Playground, to_ms: u64) {
        let to_ms = to_ms.min(self.elapsed_ms());
        let start = past.log.len().min(self.log.len());
        for input in &self.log[start..] {
            // Inputs at `to_ms` come after the moment, unless `past` is already there (a step).
            if input.at_ms > to_ms || (input.at_ms == to_ms && to_ms > past.elapsed_ms()) {
                break;
            }
            Self::apply(&mut past.shell, &mut past.lesson, input);
            past.log.push(input.clone());
        }
        if to_ms > past.elapsed_ms() {
            past.shell.sim_mut().run_until(to_ms);
        }
        past.note_time();
    }

    /// When the next thing happens after `past`'s moment in this session: its next task or this
    /// session's next input, whichever is first.
    pub fn next_event_after(&self, past: &Playground) -> Option<u64> {
        let task = past.next_task_ms();
        let input = self.log.get(past.log.len()).map(|i| i.at_ms);
        match (task, input) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Rewinds the live session to virtual time `ms` ("continue from here"): the state there is
    /// rebuilt exactly, and the inputs logged at or after `ms` are dropped and returned.
    pub fn restore(&mut self, ms: u64) -> Vec<TimedInput> {
        let ms = ms.min(self.elapsed_ms());
        let (shell, lesson, applied) = self.rebuild(ms);
        self.shell = shell;
        self.lesson = lesson;
        let dropped = self.log.split_off(applied);
        let keep: Vec<bool> = self
            .snapshots
            .iter()
            .map(|s| s.inputs <= applied && self.snapshot_before(s, ms))
            .collect();
        let mut k = keep.into_iter();
        self.snapshots.retain(|_| k.next().unwrap_or(false));
        if self.snapshots.is_empty() {
            self.snapshots
                .push(Snapshot::take(&self.shell, &self.lesson, self.log.len()));
        }
        dropped
    }

    /// Drops everything done after virtual time `ms` and continues from there (same as
    /// `restore`); returns how many command lines were dropped.
    pub fn truncate_after(&mut self, ms: u64) -> usize {
        self.restore(ms)
            .iter()
            .filter(|i| matches!(&i.action, Action::Line(l) if !l.trim().is_empty()))
            .count()
    }

    /// Runs the next scheduled task (one event), if any; returns whether one ran.
    pub fn step(&mut self) -> bool {
        let ran = self.shell.sim_mut().step();
        self.note_time();
        ran
    }

    /// When the next scheduled task is due (virtual ms), if any.
    pub fn next_task_ms(&self) -> Option<u64> {
        self.shell.sim().next_task_time()
    }

    /// An object as `kubectl get -o yaml` prints it, if it exists.
    pub fn object_yaml(&self, kind: Kind, ns: &str, name: &str) -> Option<String> {
        let ns = if kind.namespaced() { ns } else { "" };
        let key = crate::sim::store::ObjKey::new(kind, ns, name);
        let obj = self.shell.sim().get(&key)?;
        Some(crate::kubectl::printers::yaml(&obj.to_json_value()))
    }

    /// The chain of causes behind an object as it is now (the inspector's Why tab).
    pub fn object_why(&self, kind: Kind, ns: &str, name: &str) -> Option<why::Why> {
        let ns = if kind.namespaced() { ns } else { "" };
        why::why(
            self.shell.sim(),
            &crate::sim::store::ObjKey::new(kind, ns, name),
        )
    }

    /// The Events about an object (the current one of that name, if it exists), oldest first.
    pub fn object_events(&self, kind: Kind, ns: &str, name: &str) -> Vec<EventRecord> {
        let ns = if kind.namespaced() { ns } else { "" };
        let key = crate::sim::store::ObjKey::new(kind, ns, name);
        let sim = self.shell.sim();
        let uid = sim.get(&key).map(|o| o.uid().to_string());
        sim.events()
            .iter()
            .filter(|e| e.object == key && uid.as_ref().is_none_or(|u| *u == e.object_uid))
            .cloned()
            .collect()
    }

    /// A session for a lesson: the lesson's cluster, built by its setup commands (each one's
    /// waiting finished), at step 1. Fails if a setup command exits non-zero.
    pub fn for_lesson(lesson: &Lesson) -> Result<Self, String> {
        let mut p = Playground::new(lesson.sim_config());
        for (name, text) in &lesson.setup.files {
            p.write_file(name, text);
        }
        p.shell.sim_mut().commands_are_setup(true);
        for (i, cmd) in lesson.setup.commands.iter().enumerate() {
            let code = p.run_to_end(cmd);
            if let Err((code, err)) = code {
                return Err(format!(
                    "{}: setup.commands[{i}] `{cmd}` failed (exit {code}): {}",
                    lesson.file,
                    err.trim()
                ));
            }
        }
        p.shell.sim_mut().commands_are_setup(false);
        let run = LessonRun::new(lesson.clone(), p.shell.sim());
        p.lesson = Some(run);
        // Time travel begins at step 1, not in the middle of setup.
        p.rebase();
        Ok(p)
    }

    /// Rebuilds a lesson session from saved progress: replays the inputs at their virtual times
    /// (the simulation is deterministic), then restores ticks and hints.
    pub fn resume(lesson: &Lesson, saved: &LessonProgress) -> Result<Self, String> {
        if saved.lesson != lesson.id {
            return Err(format!(
                "saved progress is for lesson {:?}, not {:?}",
                saved.lesson, lesson.id
            ));
        }
        let mut p = Playground::for_lesson(lesson)?;
        for input in &saved.inputs {
            if input.at_ms > p.elapsed_ms() {
                p.shell.sim_mut().run_until(input.at_ms);
                p.check_lesson();
            }
            p.run_line(&input.line);
            p.check_lesson();
        }
        if saved.elapsed_ms > p.elapsed_ms() {
            p.shell.sim_mut().run_until(saved.elapsed_ms);
            p.check_lesson();
        }
        if let Some(run) = p.lesson.as_mut() {
            run.restore_marks(saved, p.shell.sim());
        }
        Ok(p)
    }

    /// Runs a line and lets its waiting finish; Err(exit code, stderr) if it failed.
    pub fn run_to_end(&mut self, line: &str) -> Result<String, (i32, String)> {
        let o = self.run_line(line);
        let mut stdout = o.stdout;
        let mut stderr = o.stderr;
        let mut code = o.exit_code;
        if let Some(mut w) = o.wait {
            let pr = self.finish(&mut w, COMMAND_WAIT_LIMIT_MS);
            stdout.push_str(&pr.stdout);
            stderr.push_str(&pr.stderr);
            if !pr.done {
                return Err((
                    124,
                    format!(
                        "{stderr}still waiting after {} virtual minutes",
                        COMMAND_WAIT_LIMIT_MS / 60_000
                    ),
                ));
            }
            if pr.exit_code != 0 {
                code = pr.exit_code;
            }
        }
        if code != 0 {
            Err((code, stderr))
        } else {
            Ok(stdout)
        }
    }

    /// The lesson being played, if any.
    pub fn lesson(&self) -> Option<&LessonRun> {
        self.lesson.as_ref()
    }

    /// The lesson being played, to reveal hints or skip a step.
    pub fn lesson_mut(&mut self) -> Option<&mut LessonRun> {
        self.lesson.as_mut()
    }

    /// Evaluates the current step's goal against the cluster now; if it is met, ticks the step
    /// and begins the next one. The page calls this after each input and as the simulation runs.
    pub fn check_lesson(&mut self) -> Option<StepDone> {
        let sim = self.shell.sim();
        let done = self.lesson.as_mut()?.check(sim);
        if done.is_some() {
            self.log_input(Action::LessonCheck);
        }
        done
    }

    /// Notes that the learner stopped a waiting command (Ctrl-C) here, for share links.
    pub fn interrupt(&mut self) {
        self.log_input(Action::Interrupt);
    }

    /// Moves on to the next step without meeting the current goal.
    pub fn skip_step(&mut self) {
        let sim = self.shell.sim();
        if let Some(run) = self.lesson.as_mut() {
            run.skip(sim);
            self.log_input(Action::LessonSkip);
        }
    }

    /// Where the current step's goal stands (one line per check, with what the cluster shows).
    pub fn goal_report(&self) -> Option<GoalReport> {
        self.lesson.as_ref()?.report(self.shell.sim())
    }

    /// What to save of the lesson in progress.
    pub fn lesson_progress(&self) -> Option<LessonProgress> {
        Some(self.lesson.as_ref()?.progress(self.elapsed_ms()))
    }

    /// Runs one line of the script language (`kubectl ...`, `sleep 30s`, `# comment`).
    /// A command that must wait (e.g. `kubectl delete pod` until the pod is gone, `sleep`) returns
    /// with `wait` set: the caller lets virtual time pass until `is_done` says it is over.
    /// During a lesson the line is recorded (for `ran` goals and saved progress).
    pub fn run_line(&mut self, line: &str) -> Outcome {
        let at = self.elapsed_ms();
        self.log_input(Action::Line(line.to_string()));
        let o = self.shell.run_line(line);
        if let Some(run) = self.lesson.as_mut() {
            if !line.trim().is_empty() {
                run.record(at, line, o.exit_code);
            }
        }
        self.note_time();
        o
    }

    /// True when a waiting command has finished (virtual time reached, object gone, ...).
    pub fn is_done(&self, wait: &Wait) -> bool {
        self.shell.is_done(wait)
    }

    /// Lets `ms` virtual milliseconds pass, running every event due in that span.
    pub fn advance(&mut self, ms: u64) {
        self.shell.sim_mut().advance(ms);
        self.note_time();
    }

    /// Runs events until `wait` is satisfied or `limit_ms` of virtual time has passed; returns
    /// whether it was satisfied. This is how the native CLI runs waiting commands.
    pub fn run_until_done(&mut self, wait: &Wait, limit_ms: u64) -> bool {
        let mut w = wait.clone();
        let done = self.shell.run_until_done(&mut w, limit_ms).done;
        self.note_time();
        done
    }

    /// Like `run_until_done`, but returns what a streaming command (`kubectl rollout status`)
    /// printed while it waited, and its exit status.
    pub fn finish(&mut self, wait: &mut Wait, limit_ms: u64) -> Progress {
        let p = self.shell.run_until_done(wait, limit_ms);
        self.note_time();
        p
    }

    /// What a waiting command printed since the last poll, and whether it is over (the page calls
    /// this on every tick while the simulation plays).
    pub fn poll(&self, wait: &mut Wait) -> Progress {
        self.shell.poll(wait)
    }

    /// Virtual milliseconds since the start instant.
    pub fn elapsed_ms(&self) -> u64 {
        self.shell.sim().elapsed_ms()
    }

    /// What the cluster view draws now.
    pub fn view(&self) -> ClusterView {
        self.shell.sim().view()
    }

    /// Controller decisions recorded since `from` (an index into the decision log); returns the new end.
    pub fn decisions_since(&self, from: usize) -> (&[crate::sim::view::Decision], usize) {
        let all = self.shell.sim().decisions();
        let from = from.min(all.len());
        (&all[from..], all.len())
    }

    /// Sets a Deployment's RollingUpdate maxSurge / maxUnavailable (ints or percentages), as a
    /// `kubectl patch` would; used by tests until `patch` exists.
    pub fn set_rolling_update(
        &mut self,
        ns: &str,
        name: &str,
        surge: &str,
        unavailable: &str,
    ) -> bool {
        self.log_input(Action::RollingUpdate {
            ns: ns.to_string(),
            name: name.to_string(),
            surge: surge.to_string(),
            unavailable: unavailable.to_string(),
        });
        Self::rolling_update(&mut self.shell, ns, name, surge, unavailable)
    }

    fn rolling_update(
        shell: &mut Shell,
        ns: &str,
        name: &str,
        surge: &str,
        unavailable: &str,
    ) -> bool {
        use crate::sim::object::{Kind, Object};
        use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
        let key = crate::sim::store::ObjKey::new(Kind::Deployment, ns, name);
        let Some(obj) = shell.sim().get(&key).cloned() else {
            return false;
        };
        let Some(d) = obj.as_deployment() else {
            return false;
        };
        let mut d = d.clone();
        let parse = |v: &str| match v.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(v.to_string()),
        };
        if let Some(ru) = d
            .spec
            .as_mut()
            .and_then(|s| s.strategy.as_mut())
            .and_then(|s| s.rolling_update.as_mut())
        {
            ru.max_surge = Some(parse(surge));
            ru.max_unavailable = Some(parse(unavailable));
        }
        let ok = shell.sim_mut().update(Object::Deployment(d)).is_ok();
        shell.sim_mut().dispatch();
        ok
    }

    /// True while a heredoc is being typed (the next line continues the command).
    pub fn in_heredoc(&self) -> bool {
        self.shell.in_heredoc()
    }

    /// Adds a file to the terminal's file system (`kubectl apply -f NAME` reads it).
    pub fn write_file(&mut self, path: &str, text: &str) {
        self.log_input(Action::File {
            path: path.to_string(),
            text: text.to_string(),
        });
        self.shell.write_file(path, text);
    }

    /// Natively: let `-f PATH` fall back to the host's files.
    pub fn set_host_files(&mut self, f: Box<dyn Fn(&str) -> Option<String>>) {
        let f: Rc<dyn Fn(&str) -> Option<String>> = Rc::from(f);
        let g = f.clone();
        self.shell.set_host_files(Box::new(move |p| g(p)));
        self.host_files = Some(f);
    }

    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    /// Whether this session's front end opens an editor for `kubectl edit` (the page does, and
    /// so do its replays; the native CLI and scripts do not). Applies to the snapshots too, so a
    /// rewound moment runs `kubectl edit` as the live session did.
    pub fn set_editor(&mut self, on: bool) {
        self.shell.set_editor(on);
        for s in self.snapshots.iter_mut() {
            Rc::make_mut(s).shell.set_editor(on);
        }
    }
}

/// Runs a script as `kubeplay run` does and returns what a terminal would show: each line as
/// `$ line` (heredoc lines as `> line`), then its stdout and stderr, with waiting commands run to
/// their end (at most a virtual day each). Blank lines and `#` comments outside heredocs are
/// skipped. The same function runs natively and in WASM, so the two can be compared byte for byte.
pub fn transcript(config: SimConfig, text: &str) -> String {
    let mut p = Playground::new(config);
    p.set_editor(false);
    p.run_script(text)
}

impl Playground {
    /// Runs a script on this session (see [`transcript`]) and returns what it printed.
    pub fn run_script(&mut self, text: &str) -> String {
        const WAIT_LIMIT_MS: u64 = 24 * 3_600_000;
        let p = self;
        let mut s = String::new();
        for line in text.lines() {
            let t = if p.in_heredoc() {
                s.push_str(&format!("> {line}\n"));
                line
            } else {
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                s.push_str(&format!("$ {t}\n"));
                t
            };
            let o = p.run_line(t);
            s.push_str(&o.stdout);
            s.push_str(&o.stderr);
            if let Some(mut w) = o.wait {
                let pr = p.finish(&mut w, WAIT_LIMIT_MS);
                s.push_str(&pr.stdout);
                s.push_str(&pr.stderr);
            }
        }
        s
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    /// The build-time index the page's map draws agrees with the full parser, lesson by lesson
    /// and in the same order.
    #[test]
    fn index_matches_catalog() {
        let (lessons, errors) = catalog();
        assert!(errors.is_empty(), "{errors:?}");
        let (cards, card_errors) = index();
        assert!(card_errors.is_empty(), "{card_errors:?}");
        let from_index: Vec<_> = cards
            .iter()
            .map(|c| (c.id, c.title, c.track, c.summary, c.order, c.steps))
            .collect();
        let from_catalog: Vec<_> = lessons
            .iter()
            .map(|l| {
                let (id, title, track) = (l.id.as_str(), l.title.as_str(), l.track.as_str());
                (id, title, track, l.summary.as_str(), l.order, l.steps.len())
            })
            .collect();
        assert_eq!(from_index, from_catalog);
        assert!(cards.iter().any(LessonCard::is_sandbox));
    }
}
