//! The lesson layer: the `Playground` (one learner's session, a shell over a simulated cluster,
//! which the page and the native CLI drive) and the lesson engine (lesson files, goals checked
//! against the live cluster, steps, hints, progress).
//!
//! | file | what it is |
//! |---|---|
//! | `format.rs` | the lesson file format: parsing and validation with path-qualified errors |
//! | `goal.rs` | goal trees (get+jsonpath, pods, exists/absent, event, ran) and their evaluation |
//! | `jsonpath.rs` | the JSONPath subset goals use |
//! | `run.rs` | `LessonRun`: current step, hints, captures, baselines, saved progress |
//! | `check.rs` | `verify`: CI's replay of every step's solution against its goal |

pub mod check;
pub mod format;
pub mod goal;
pub mod jsonpath;
pub mod run;

pub use format::{Lesson, Step, TRACKS};
pub use goal::GoalReport;
pub use run::{Input, LessonProgress, LessonRun, StepDone};

use crate::kubectl::{Outcome, Progress, Shell, Wait};
use crate::sim::view::ClusterView;
use crate::sim::SimConfig;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));
}

/// The lesson files embedded at build time (every `static/lessons/*.yaml`): (file name, text).
pub fn lesson_files() -> &'static [(&'static str, &'static str)] {
    embedded::LESSON_FILES
}

/// Every embedded lesson that parses, in map order, and the errors of those that don't.
pub fn catalog() -> (Vec<Lesson>, Vec<String>) {
    format::parse_all(lesson_files())
}

/// One embedded lesson by id.
pub fn find_lesson(id: &str) -> Result<Lesson, String> {
    let Some((name, text)) = lesson_files().iter().find(|(name, _)| {
        std::path::Path::new(name).file_stem().and_then(|s| s.to_str()) == Some(id)
    }) else {
        let (lessons, _) = catalog();
        let ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
        return Err(format!("no lesson {id:?}; lessons: {}", ids.join(", ")));
    };
    Lesson::parse(name, text)
}

/// Longest virtual time one setup or solution command may wait.
pub const COMMAND_WAIT_LIMIT_MS: u64 = 3_600_000;

/// A learner's session: the simulated cluster plus the shell that talks to it, and the lesson
/// being played, if any.
pub struct Playground {
    shell: Shell,
    lesson: Option<LessonRun>,
}

impl Playground {
    /// A fresh default cluster (one control-plane node, two workers), seeded.
    pub fn new(config: SimConfig) -> Self {
        Playground { shell: Shell::new(config), lesson: None }
    }

    /// A session for a lesson: the lesson's cluster, built by its setup commands (each one's
    /// waiting finished), at step 1. Fails if a setup command exits non-zero.
    pub fn for_lesson(lesson: &Lesson) -> Result<Self, String> {
        let mut p = Playground::new(lesson.sim_config());
        for (name, text) in &lesson.setup.files {
            p.write_file(name, text);
        }
        for (i, cmd) in lesson.setup.commands.iter().enumerate() {
            let code = p.run_to_end(cmd);
            if let Err((code, err)) = code {
                return Err(format!("{}: setup.commands[{i}] `{cmd}` failed (exit {code}): {}", lesson.file, err.trim()));
            }
        }
        let run = LessonRun::new(lesson.clone(), p.shell.sim());
        p.lesson = Some(run);
        Ok(p)
    }

    /// Rebuilds a lesson session from saved progress: replays the inputs at their virtual times
    /// (the simulation is deterministic), then restores ticks and hints.
    pub fn resume(lesson: &Lesson, saved: &LessonProgress) -> Result<Self, String> {
        if saved.lesson != lesson.id {
            return Err(format!("saved progress is for lesson {:?}, not {:?}", saved.lesson, lesson.id));
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
                return Err((124, format!("{stderr}still waiting after {} virtual minutes", COMMAND_WAIT_LIMIT_MS / 60_000)));
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
        self.lesson.as_mut()?.check(sim)
    }

    /// Moves on to the next step without meeting the current goal.
    pub fn skip_step(&mut self) {
        let sim = self.shell.sim();
        if let Some(run) = self.lesson.as_mut() {
            run.skip(sim);
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
        let o = self.shell.run_line(line);
        if let Some(run) = self.lesson.as_mut() {
            if !line.trim().is_empty() {
                run.record(at, line, o.exit_code);
            }
        }
        o
    }

    /// True when a waiting command has finished (virtual time reached, object gone, ...).
    pub fn is_done(&self, wait: &Wait) -> bool {
        self.shell.is_done(wait)
    }

    /// Lets `ms` virtual milliseconds pass, running every event due in that span.
    pub fn advance(&mut self, ms: u64) {
        self.shell.sim_mut().advance(ms);
    }

    /// Runs events until `wait` is satisfied or `limit_ms` of virtual time has passed; returns
    /// whether it was satisfied. This is how the native CLI runs waiting commands.
    pub fn run_until_done(&mut self, wait: &Wait, limit_ms: u64) -> bool {
        let mut w = wait.clone();
        self.shell.run_until_done(&mut w, limit_ms).done
    }

    /// Like `run_until_done`, but returns what a streaming command (`kubectl rollout status`)
    /// printed while it waited, and its exit status.
    pub fn finish(&mut self, wait: &mut Wait, limit_ms: u64) -> Progress {
        self.shell.run_until_done(wait, limit_ms)
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
    pub fn set_rolling_update(&mut self, ns: &str, name: &str, surge: &str, unavailable: &str) -> bool {
        use crate::sim::object::{Kind, Object};
        use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
        let key = crate::sim::store::ObjKey::new(Kind::Deployment, ns, name);
        let Some(obj) = self.shell.sim().get(&key).cloned() else { return false };
        let Some(d) = obj.as_deployment() else { return false };
        let mut d = d.clone();
        let parse = |v: &str| match v.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(v.to_string()),
        };
        if let Some(ru) = d.spec.as_mut().and_then(|s| s.strategy.as_mut()).and_then(|s| s.rolling_update.as_mut()) {
            ru.max_surge = Some(parse(surge));
            ru.max_unavailable = Some(parse(unavailable));
        }
        let ok = self.shell.sim_mut().update(Object::Deployment(d)).is_ok();
        self.shell.sim_mut().dispatch();
        ok
    }

    /// True while a heredoc is being typed (the next line continues the command).
    pub fn in_heredoc(&self) -> bool {
        self.shell.in_heredoc()
    }

    /// Adds a file to the terminal's file system (`kubectl apply -f NAME` reads it).
    pub fn write_file(&mut self, path: &str, text: &str) {
        self.shell.write_file(path, text);
    }

    /// Natively: let `-f PATH` fall back to the host's files.
    pub fn set_host_files(&mut self, f: Box<dyn Fn(&str) -> Option<String>>) {
        self.shell.set_host_files(f);
    }

    pub fn shell(&self) -> &Shell {
        &self.shell
    }
}
