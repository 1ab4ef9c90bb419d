//! The page: top bar, terminal, cluster view and narration, driven by one wall-clock interval.

use std::collections::{HashMap, VecDeque};

use gloo::events::{EventListener, EventListenerOptions};
use gloo::storage::{LocalStorage, Storage};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlElement, HtmlSelectElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use super::cluster::{self, lamp_key, Ghost, CONTROLLERS};
use super::format::clock;
use super::goal;
use super::icons;
use super::inspector::{self, Inspected, Tab};
use super::lesson::{self, Tick as LessonTick};
use super::modes::{self, ModeMsg, Modes};
use super::terminal::{block_view, byte_offset, welcome, Block, EditKey, LineEdit};
use super::timeline;
use crate::kubectl::Wait;
use crate::lessons::check::{preview_goal, GoalPreview};
use crate::lessons::{LessonCard, LessonProgress, Playground};
use crate::sim::view::{ClusterView, Decision};
use crate::sim::{Kind, SimConfig};

/// Speed choices: option value (as the DOM contract spells it) and factor.
pub const SPEEDS: [(&str, f64); 8] = [
    ("0.1", 0.1),
    ("0.25", 0.25),
    ("0.5", 0.5),
    ("1", 1.0),
    ("2", 2.0),
    ("5", 5.0),
    ("10", 10.0),
    ("100", 100.0),
];
const DEFAULT_SPEED: usize = 3;
/// Wall-clock milliseconds between ticks.
const TICK_MS: u32 = 50;
/// How many ticks an attention cue (a lit lamp) lasts: 600 ms.
const CUE_TICKS: u64 = 12;
/// How many ticks a removed pod's after-image stays while its gap closes: 1 s.
const GHOST_TICKS: u64 = 20;
/// How many ticks an open finalizer lock stays after it came off: 1.5 s.
const RELEASED_TICKS: u64 = 30;
/// Narration lines kept on the page.
const MAX_NARRATION: usize = 500;
/// Narration lines drawn at first (the newest ones, after the component filter). The kind
/// cluster's boot alone makes ~70 (~5 elements each), every render diffs what is drawn and the
/// pane shows about 8 at a time; at scale a few seconds make hundreds.
const NARR_WINDOW: usize = 40;
/// How many earlier lines one click of `#narr-more` adds to what is drawn.
const NARR_STEP: usize = 50;
/// Terminal blocks kept on the page.
const MAX_BLOCKS: usize = 300;
const HISTORY_KEY: &str = "kubeplay.history";
const MAX_HISTORY: usize = 200;
/// Saved progress of a lesson: `kubeplay.lesson.<id>` (a `LessonProgress`).
const LESSON_KEY: &str = "kubeplay.lesson.";
/// The lesson being played (resumed when the page opens without a deep link).
const CURRENT_KEY: &str = "kubeplay.lesson-current";
/// Lessons completed at least once.
const COMPLETED_KEY: &str = "kubeplay.lessons-completed";
/// Whether the lesson panel is shown.
const PANEL_KEY: &str = "kubeplay.lesson-panel";
/// Characters of a solution typed per tick (60 per second).
const TYPE_CHARS: usize = 3;
/// Save a lesson's progress every this many ticks while it runs (2 s).
const SAVE_TICKS: u64 = 40;

/// One line of the narration: a decision, or a marker for a command the learner ran (so the lines
/// after it read as what that command caused).
enum NarrItem {
    Decision(usize, Decision),
    Command { id: u64, line: String, at_ms: u64 },
}

pub enum Msg {
    Tick,
    TogglePlay,
    SetSpeed(usize),
    StepSpeed(i32),
    Input(String),
    /// Tab completion and the Ctrl-R history search (`terminal::LineEdit`).
    Edit(EditKey),
    Submit,
    HistPrev,
    HistNext,
    Clear,
    Suggest(String),
    FocusTerminal,
    /// Ctrl-C while a command waits: stop waiting (what it started goes on in the cluster).
    Interrupt,
    Reset,
    /// Show the moment at this virtual time (the scrubber); at or past now: live.
    Scrub(u64),
    /// Pause and show the moment at this virtual time (a Why line's time link).
    ShowMoment(u64),
    /// Move the shown moment by this many virtual ms (Alt+←/→).
    ScrubBy(i64),
    /// The earliest moment (Home).
    ScrubHome,
    /// Back to the live cluster (End, the Live button).
    Live,
    /// Step to the next event (→), in the past or live.
    StepEvent,
    Inspect {
        kind: Kind,
        ns: String,
        name: String,
    },
    CloseInspector,
    InspectorTab(Tab),
    /// Inspector: begin editing the YAML, the text changed, Apply, Cancel, start again from the latest.
    EditStart,
    EditInput(String),
    EditApply,
    EditCancel,
    EditReload,
    /// Open a lesson from the map (starts it fresh, or resumes saved progress).
    OpenLesson(String),
    /// Show the lesson map / go back to the lesson being played.
    ShowMap(bool),
    TogglePanel,
    Hint,
    ShowSolution,
    ResetLesson,
    SkipStep,
    ExitLesson,
    /// Show the goal's cluster (computed on a copy of the session), or hide it.
    ToggleGoal,
    /// Escape outside the terminal: closes the inspector, else the goal view.
    Escape,
    /// Share, presenter, embed, help (`modes.rs`).
    Mode(ModeMsg),
    /// Show only the narration of one component group ("" for all).
    NarrFilter(String),
    /// `#narr-more`: draw `NARR_STEP` earlier narration lines.
    NarrMore,
    /// `explain.json` arrived (or failed): the line held for it runs; or the module's second
    /// part is in (`docs::when_module_complete`): the share link's replay waiting for it runs.
    DocsLoaded,
    /// The pointer or the focus entered (Some) or left (None) a Service card.
    SvcFocus(cluster::SvcFocus),
    /// A lesson's file arrived (or could not be fetched): what waited for it goes on.
    LessonFile {
        id: String,
        result: Result<(), String>,
    },
}

/// What waits for a lesson's file (the page fetches lesson files when they are first opened).
enum AfterLesson {
    /// `App::start_lesson(id, step, resume)`; `from_map`: focus the lesson's title after.
    Open {
        step: Option<usize>,
        resume: bool,
        from_map: bool,
    },
    /// A share link's replay ([`App::pending_share`]) waits for it.
    Share,
}

/// An earlier moment being viewed: the session rebuilt there, and what it draws.
struct Past {
    pg: Playground,
    view: ClusterView,
}

pub struct App {
    pg: Playground,
    view: ClusterView,
    /// The store serial `view` was built at (`Store::serial`): while it holds, only the clock moved.
    view_serial: u64,
    /// Names of the objects in `view` the narration links to (rebuilt with the view, not per render).
    view_names: std::collections::BTreeMap<String, (Kind, String)>,
    playing: bool,
    speed: usize,
    /// Fractional virtual milliseconds not yet advanced (slow speeds).
    carry: f64,

    blocks: Vec<Block>,
    next_id: u64,
    input: String,
    history: Vec<String>,
    hist_pos: Option<usize>,
    draft: String,
    edit: LineEdit,
    queue: VecDeque<String>,
    waiting: Option<Wait>,

    narration: Vec<NarrItem>,
    narr_end: usize,
    /// Decisions below this index were already there when the session was first drawn: they are
    /// history, not news, and do not flash in (`fresh`). `None` until that first draw.
    narr_quiet: Option<usize>,
    /// The narration's component filter: "" for all, else a group from `narr_group`.
    narr_filter: String,
    /// How many of the newest narration lines (after the filter) are drawn: `NARR_WINDOW`, grown
    /// by `NARR_STEP` per click of `#narr-more`; back to `NARR_WINDOW` on a new session or filter.
    narr_window: usize,
    /// The last click of `#narr-more` drew every line (the button is gone): focus the list.
    narr_focus: bool,
    controllers: Vec<String>,
    /// Owner keys in order of first appearance (rows never reorder).
    owner_order: Vec<String>,
    /// Pods that just left, with the tick they left at.
    ghosts: Vec<(Ghost, u64)>,
    /// Finalizer locks that just came off, with the tick they did.
    released: Vec<(cluster::Released, u64)>,
    ticks: u64,
    cues: HashMap<String, u64>,

    input_ref: NodeRef,
    output_ref: NodeRef,
    narr_ref: NodeRef,
    scroll_term: bool,
    scroll_narr: bool,
    refocus: bool,

    /// Set while the timeline shows an earlier moment.
    past: Option<Past>,
    /// (virtual ms, command) of every command typed: the timeline's ▲ markers.
    marks: Vec<timeline::Mark>,
    inspect: Option<Inspected>,
    /// Focus the inspector after it opens; the element to refocus after it closes.
    focus_inspector: bool,
    inspect_return: Option<(String, String)>,
    close_ref: NodeRef,
    /// An element to focus after the next render (the inspector's editor or Edit button).
    focus_id: Option<&'static str>,

    /// Every lesson that loaded, in map order, and the files that failed.
    lessons: Vec<LessonCard>,
    lesson_errors: Vec<String>,
    /// Progress per lesson id, for the map's ticks.
    lesson_ticks: HashMap<String, LessonTick>,
    /// The app's own scope (callbacks from async work: `explain.json` arriving).
    link: yew::html::Scope<App>,
    /// The first session's cluster came booted in the module (`ui::kubeplay_preboot`).
    prebooted: bool,
    /// The Service card the pointer is over or has the focus: its pods are marked in the view.
    svc_focus: cluster::SvcFocus,
    /// A lesson whose file is being fetched, and what to do when it is in.
    pending_lesson: Option<(String, AfterLesson)>,
    /// The placeholder block of a line held for `explain.json` (removed when the line runs).
    held_block: Option<u64>,
    /// A share link to replay once what it needs has been fetched (its lesson's file, and
    /// `explain.json` when it ran `kubectl explain`), and whether to show its first moment.
    pending_share: Option<(crate::lessons::share::Shared, bool)>,
    panel_open: bool,
    /// The map is shown (also while a lesson runs).
    show_map: bool,
    /// A note at the top of the lesson (resumed, opened at step N); a notice above the map.
    lesson_note: Option<String>,
    lesson_notice: Option<String>,
    /// The lesson live region's text (`#lesson-status`).
    announce: String,
    /// The solution shown for (step index, lines), and the lines still to type.
    solution: Option<(usize, Vec<String>)>,
    typing: VecDeque<String>,
    typing_line: Option<(String, usize)>,
    focus_title: bool,
    focus_step: bool,
    title_ref: NodeRef,
    step_ref: NodeRef,
    /// "Show goal": the current step's goal state, drawn above the live cluster.
    goal: Option<GoalPreview>,
    /// Share link, presenter and embed modes, the help dialog.
    modes: Modes,

    _interval: Interval,
    _keys: EventListener,
    _mode_keys: EventListener,
}

/// What was typed at the boot prompt that index.html draws before the module starts.
struct BootPrompt {
    /// Lines entered there, in order.
    lines: Vec<String>,
    /// The text still being typed.
    partial: String,
    /// Whether it had the keyboard focus.
    focused: bool,
}

thread_local! {
    /// The boot prompt's contents, read just before the page mounts (see [`adopt_boot_prompt`]).
    static BOOT_PROMPT: std::cell::RefCell<Option<BootPrompt>> = const { std::cell::RefCell::new(None) };
}

/// Takes over the boot prompt (`#boot` in index.html) just before the page mounts (mounting
/// empties `<body>`): keeps what was typed there for [`take_boot_prompt`] and removes it. The
/// page's first render follows in the same task, so no frame shows both prompts, or neither.
pub(super) fn adopt_boot_prompt() {
    let typed = read_boot_prompt();
    BOOT_PROMPT.with(|b| *b.borrow_mut() = typed);
}

/// What [`adopt_boot_prompt`] kept, once (`None`: there was no boot prompt).
fn take_boot_prompt() -> Option<BootPrompt> {
    BOOT_PROMPT.with(|b| b.borrow_mut().take())
}

fn read_boot_prompt() -> Option<BootPrompt> {
    let doc = gloo::utils::document();
    let boot = doc.get_element_by_id("boot")?;
    let value = |id: &str| {
        doc.get_element_by_id(id)
            .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
            .map(|t| t.value())
            .unwrap_or_default()
    };
    let lines = value("boot-lines")
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let partial = value("term-input");
    let focused = doc
        .active_element()
        .is_some_and(|a| boot.contains(Some(&a)));
    boot.remove();
    Some(BootPrompt {
        lines,
        partial,
        focused,
    })
}

fn near_bottom(r: &NodeRef) -> bool {
    match r.cast::<Element>() {
        Some(el) => el.scroll_top() + el.client_height() >= el.scroll_height() - 32,
        None => true,
    }
}

fn scroll_to_bottom(r: &NodeRef) {
    if let Some(el) = r.cast::<Element>() {
        el.set_scroll_top(el.scroll_height());
    }
}

/// True when a key press belongs to a text field or a control that handles it natively.
fn in_control(target: Option<web_sys::EventTarget>, key: &str) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    let tag = el.tag_name().to_ascii_uppercase();
    match tag.as_str() {
        "TEXTAREA" | "INPUT" | "SELECT" => true,
        "BUTTON" | "A" | "SUMMARY" => key == " " || key == "Enter",
        _ => el.has_attribute("contenteditable"),
    }
}

/// Focuses the chip or owner row that opened the inspector (keyboard users return where they were).
fn focus_inspectable(ns: &str, name: &str) {
    let doc = gloo::utils::document();
    let Ok(list) = doc.query_selector_all(".pod[data-pod], [data-inspect-kind]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        let el_name = el
            .get_attribute("data-pod")
            .or_else(|| el.get_attribute("data-inspect-name"));
        let el_ns = el.get_attribute("data-ns").unwrap_or_default();
        if el_name.as_deref() == Some(name) && el_ns == ns {
            let _ = el.focus();
            return;
        }
    }
}

/// The lesson deep link: `?lesson=ID&step=N`, or the same after `#` (`#lesson=ID&step=N`).
fn url_lesson() -> (Option<String>, Option<usize>) {
    let loc = gloo::utils::window().location();
    let mut lesson = None;
    let mut step = None;
    for part in [
        loc.search().unwrap_or_default(),
        loc.hash().unwrap_or_default(),
    ] {
        let q = part.trim_start_matches(['?', '#']);
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "lesson" if lesson.is_none() && !v.is_empty() => lesson = Some(v),
                "step" if step.is_none() => step = v.parse::<usize>().ok().filter(|n| *n >= 1),
                _ => {}
            }
        }
    }
    (lesson, step)
}

/// `%2D` → `-`, `+` → space (lesson ids are plain, but links get encoded).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(())
            {
                Ok(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The object a click or Enter in the cluster view points at: a pod chip or an owner row.
fn inspect_target(target: Option<web_sys::EventTarget>) -> Option<Msg> {
    let el = target?.dyn_into::<Element>().ok()?;
    // The goal's cluster is a picture of a possible future: nothing in it exists to inspect.
    if el.closest("#goal-view").ok().flatten().is_some() {
        return None;
    }
    if let Some(chip) = el.closest(".pod[data-pod]").ok().flatten() {
        let name = chip.get_attribute("data-pod")?;
        let ns = chip
            .get_attribute("data-ns")
            .unwrap_or_else(|| "default".into());
        return Some(Msg::Inspect {
            kind: Kind::Pod,
            ns,
            name,
        });
    }
    let row = el.closest("[data-inspect-kind]").ok().flatten()?;
    let kind_name = row.get_attribute("data-inspect-kind")?;
    let kind = Kind::ALL.iter().copied().find(|k| k.name() == kind_name)?;
    let name = row.get_attribute("data-inspect-name")?;
    let ns = row.get_attribute("data-ns").unwrap_or_default();
    Some(Msg::Inspect { kind, ns, name })
}

impl App {
    fn speed_factor(&self) -> f64 {
        SPEEDS[self.speed].1
    }

    fn fire(&mut self, key: String) {
        self.cues.insert(key, self.ticks);
    }

    fn is_lit(&self, key: &str) -> bool {
        self.cues
            .get(key)
            .is_some_and(|&t| self.ticks.saturating_sub(t) < CUE_TICKS)
    }

    /// Rebuilds the live view from scratch (after the session itself was replaced or cut back).
    fn reload_view(&mut self) {
        self.view = self.pg.view();
        self.view_names = narr_names(&self.view);
    }

    /// Re-reads the view and the new decisions; lights lamps for what happened.
    fn refresh(&mut self) {
        let sim = self.pg.shell().sim();
        let serial = sim.store().serial();
        let v = if serial == self.view_serial {
            // Nothing was written: skip rebuilding (and diffing) thousands of pods.
            let mut v = std::mem::take(&mut self.view);
            v.elapsed_ms = sim.elapsed_ms();
            v.now = sim.clock().now_rfc3339();
            v
        } else {
            self.view_serial = serial;
            let v = self.pg.view();
            self.view_names = narr_names(&v);
            v
        };
        if v.revision != self.view.revision {
            self.fire("apiserver".into());
            self.fire("etcd".into());
        }
        for o in &v.owners {
            let k = cluster::owner_key(o);
            if !self.owner_order.contains(&k) {
                self.owner_order.push(k);
            }
        }
        // Pods that are gone leave an after-image where they were (not for kube-system). A pod
        // can only go with a write, so an unchanged revision skips the comparison (thousands of
        // pods at every tick).
        if v.revision != self.view.revision {
            use std::collections::HashSet;
            let key = |p: &crate::sim::view::PodView| format!("{}/{}", p.namespace, p.name);
            let now: HashSet<String> = v
                .nodes
                .iter()
                .flat_map(|n| n.pods.iter())
                .chain(v.unscheduled.iter())
                .map(key)
                .collect();
            let old_lists = self
                .view
                .nodes
                .iter()
                .map(|n| &n.pods)
                .chain(std::iter::once(&self.view.unscheduled));
            for list in old_lists {
                for (index, p) in list.iter().enumerate() {
                    if p.namespace != cluster::SYSTEM_NS && !now.contains(&key(p)) {
                        self.ghosts.push((
                            Ghost {
                                pod: p.clone(),
                                index,
                            },
                            self.ticks,
                        ));
                    }
                }
            }
            // A pod that comes back under the same name replaces its ghost.
            self.ghosts.retain(|(g, _)| !now.contains(&key(&g.pod)));
        }
        for r in cluster::released(&self.view, &v) {
            self.released.push((r, self.ticks));
        }
        self.view = v;
        let (new, end): (Vec<Decision>, usize) = {
            let (slice, end) = self.pg.decisions_since(self.narr_end);
            (slice.to_vec(), end)
        };
        if !new.is_empty() {
            self.scroll_narr = self.scroll_narr || near_bottom(&self.narr_ref);
            let start = self.narr_end;
            for (i, d) in new.into_iter().enumerate() {
                if let Some(key) = lamp_key(&d.component) {
                    if let Some(c) = key.strip_prefix("cm/") {
                        if !self.controllers.iter().any(|x| x == c) {
                            self.controllers.push(c.to_string());
                        }
                    }
                    self.fire(key);
                }
                self.narration.push(NarrItem::Decision(start + i, d));
            }
            if self.narration.len() > MAX_NARRATION {
                let drop = self.narration.len() - MAX_NARRATION;
                self.narration.drain(..drop);
            }
        }
        self.narr_end = end;
        self.narr_quiet.get_or_insert(end);
        self.refresh_inspector(false);
        self.check_lesson();
        self.sync_goal();
    }

    /// Keeps the goal view on the current step: recomputed when the step changed, gone once the
    /// lesson is complete or left.
    fn sync_goal(&mut self) {
        let Some(g) = self.goal.as_ref() else { return };
        let here = self
            .pg
            .lesson()
            .map(|r| (r.lesson().id.clone(), r.step_index()));
        if here != Some((g.lesson.clone(), g.step)) {
            self.goal = preview_goal(&self.pg);
        }
    }

    /// The session whose moment is on screen (the past one while scrubbing).
    fn shown(&self) -> &Playground {
        self.past.as_ref().map(|p| &p.pg).unwrap_or(&self.pg)
    }

    /// The narration lines of the moment shown (`past_ms`, or live) that pass the component
    /// filter, oldest first; the page draws the newest `narr_window` of them.
    fn narr_shown(&self, past_ms: Option<u64>) -> Vec<&NarrItem> {
        self.narration
            .iter()
            .filter(|item| match (item, past_ms) {
                (_, None) => true,
                (NarrItem::Decision(_, d), Some(t)) => d.at_ms <= t,
                (NarrItem::Command { at_ms, .. }, Some(t)) => *at_ms < t,
            })
            .filter(|item| match item {
                NarrItem::Decision(_, d) => {
                    self.narr_filter.is_empty() || narr_group(&d.component) == self.narr_filter
                }
                NarrItem::Command { .. } => true,
            })
            .collect()
    }

    fn shown_view(&self) -> &ClusterView {
        self.past.as_ref().map(|p| &p.view).unwrap_or(&self.view)
    }

    /// Re-reads the inspected object at the shown moment.
    fn refresh_inspector(&mut self, first: bool) {
        let Some(i) = self.inspect.as_ref() else {
            return;
        };
        let (kind, ns, name) = (i.kind, i.ns.clone(), i.name.clone());
        let pg = self.shown();
        let yaml = pg.object_yaml(kind, &ns, &name);
        let events = pg.object_events(kind, &ns, &name);
        let at = pg.elapsed_ms();
        let live = self.past.is_none();
        let why_open = self.inspect.as_ref().is_some_and(|i| i.tab == Tab::Why);
        let why = if why_open {
            pg.object_why(kind, &ns, &name)
        } else {
            None
        };
        if let Some(i) = self.inspect.as_mut() {
            i.update(yaml, events, at, first);
            i.live = live;
            i.why = why;
        }
    }

    /// Shows the moment `t` (clamped to the session); at or after now, the live cluster.
    fn show_at(&mut self, t: u64) {
        let now = self.pg.elapsed_ms();
        let t = t.max(self.pg.earliest_ms());
        if t >= now {
            self.go_live();
            return;
        }
        match self.past.as_mut() {
            Some(p) if p.pg.elapsed_ms() == t => {}
            Some(p) if p.pg.elapsed_ms() < t => {
                self.pg.follow(&mut p.pg, t);
                p.view = p.pg.view();
            }
            _ => {
                let pg = self.pg.at(t);
                let view = pg.view();
                self.past = Some(Past { pg, view });
            }
        }
        self.ghosts.clear();
        self.released.clear();
        self.scroll_narr = true;
        self.refresh_inspector(false);
    }

    fn go_live(&mut self) {
        if self.past.take().is_some() {
            self.ghosts.clear();
            self.released.clear();
            self.scroll_narr = true;
            self.reload_view();
            self.refresh_inspector(false);
        }
    }

    /// "Continue from here": the live session goes back to the moment shown; what came later is
    /// dropped (commands, their output, the narration after it).
    fn continue_from_past(&mut self) {
        let Some(p) = self.past.take() else { return };
        let t = p.pg.elapsed_ms();
        self.pg.truncate_after(t);
        self.queue.clear();
        self.waiting = None;
        self.blocks.retain(|b| b.at_ms < t);
        for b in self.blocks.iter_mut() {
            b.waiting = false;
        }
        self.marks.retain(|m| m.at_ms < t);
        self.narration.retain(|item| match item {
            NarrItem::Decision(_, d) => d.at_ms <= t,
            NarrItem::Command { at_ms, .. } => *at_ms < t,
        });
        self.narr_end = self.pg.decisions_since(usize::MAX).1;
        self.ghosts.clear();
        self.released.clear();
        self.reload_view();
        self.refresh();
    }

    /// The inspector's Apply: types `kubectl replace -f - <<'EOF'`, the edited text and `EOF` into
    /// the terminal (so it is a command of the session: logged, replayed, marked on the timeline),
    /// and shows what kubectl printed. An error keeps the text for another try.
    fn apply_edit(&mut self) {
        let Some((text, unchanged)) = self
            .inspect
            .as_ref()
            .and_then(|i| i.edit.as_ref())
            .map(|e| (e.text.clone(), e.from_command && e.text == e.original))
        else {
            return;
        };
        if unchanged {
            // kubectl edit, editor closed without a change: nothing is sent.
            if let Some(i) = self.inspect.as_mut() {
                i.edit = None;
                i.applied = Some(inspector::Applied {
                    ok: true,
                    text: inspector::EDIT_CANCELLED.to_string(),
                });
                self.focus_id = Some("insp-edit");
            }
            return;
        }
        let busy = if self.past.is_some() {
            Some("Edits apply to the live cluster: go back to live first.")
        } else if self.waiting.is_some() || !self.queue.is_empty() || self.pg.in_heredoc() {
            Some("The terminal is busy with a command (Ctrl-C stops waiting for it); apply again when it is done.")
        } else {
            None
        };
        if let Some(msg) = busy {
            if let Some(i) = self.inspect.as_mut() {
                i.applied = Some(inspector::Applied {
                    ok: false,
                    text: msg.to_string(),
                });
            }
            return;
        }
        let first = self.next_id;
        self.queue.extend(inspector::apply_lines(&text));
        self.run_queue();
        let block = self
            .blocks
            .iter()
            .rev()
            .find(|b| b.id >= first && !b.local)
            .map(|b| (b.exit_code, b.stdout.clone(), b.stderr.clone()));
        let applied = match block {
            Some((0, out, _)) => inspector::Applied {
                ok: true,
                text: out,
            },
            Some((_, out, err)) => inspector::Applied {
                ok: false,
                text: format!("{out}{err}"),
            },
            None => inspector::Applied {
                ok: false,
                text: "The command did not run.".to_string(),
            },
        };
        self.save_lesson();
        if let Some(i) = self.inspect.as_mut() {
            if applied.ok {
                i.edit = None;
                self.focus_id = Some("insp-edit");
            }
            i.applied = Some(applied);
        }
        self.refresh_inspector(false);
    }

    fn push_block(&mut self, block: Block) {
        self.blocks.push(block);
        if self.blocks.len() > MAX_BLOCKS {
            let drop = self.blocks.len() - MAX_BLOCKS;
            self.blocks.drain(..drop);
        }
        self.scroll_term = true;
    }

    /// Adds a block the terminal itself answers (not the shell) at the current moment; its id.
    fn push_local_block(&mut self, command: String, waiting: bool) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let at_ms = self.pg.elapsed_ms();
        self.push_block(Block {
            id,
            command,
            stdout: String::new(),
            stderr: String::new(),
            exit_code: 0,
            at_ms,
            waiting,
            local: true,
        });
        id
    }

    /// Shows the first queued line as waiting while what it needs is fetched (once; Ctrl+C drops
    /// the queue).
    fn hold_front_line(&mut self) {
        if self.held_block.is_some() {
            return;
        }
        if let Some(front) = self.queue.front() {
            let command = front.trim().to_string();
            self.held_block = Some(self.push_local_block(command, true));
        }
    }

    /// Runs queued lines until one has to wait.
    fn run_queue(&mut self) {
        while self.waiting.is_none() {
            // While a lesson or a shared session is being fetched, lines wait for it: they run in
            // the session it opens, not in the cluster it replaces (`with_held_lines`).
            if self.pending_lesson.is_some() || self.pending_share.is_some() {
                self.hold_front_line();
                break;
            }
            // A line with `kubectl explain` waits for its documentation, fetched on first use.
            if let Some(front) = self.queue.front() {
                if !self.pg.in_heredoc()
                    && !crate::kubectl::explain::docs_settled()
                    && crate::kubectl::explain::line_needs_docs(front)
                {
                    super::docs::load_explain_docs(self.link.callback(|_| Msg::DocsLoaded));
                    self.hold_front_line();
                    break;
                }
            }
            let Some(line) = self.queue.pop_front() else {
                break;
            };
            if self.pg.in_heredoc() {
                // Inside a heredoc every line counts as typed (indentation, blank lines, `#`):
                // it joins the command's block, and the command runs at the delimiter.
                let mut out = self.pg.run_line(&line);
                if let Some(b) = self.blocks.iter_mut().rev().find(|b| !b.local) {
                    b.command.push_str("\n> ");
                    b.command.push_str(&line);
                    if !out.more {
                        b.stdout.push_str(&out.stdout);
                        b.stderr.push_str(&out.stderr);
                        b.exit_code = out.exit_code;
                        if let Some(mut w) = out.wait.take() {
                            let pr = self.pg.poll(&mut w);
                            b.stdout.push_str(&pr.stdout);
                            b.stderr.push_str(&pr.stderr);
                            if !pr.done {
                                b.waiting = true;
                                self.waiting = Some(w);
                            }
                        }
                    }
                }
                self.scroll_term = true;
                self.refresh();
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            if trimmed == "clear" {
                self.blocks.clear();
                continue;
            }
            let at_ms = self.pg.elapsed_ms();
            self.fire("apiserver".into());
            if !trimmed.starts_with('#') {
                self.scroll_narr = self.scroll_narr || near_bottom(&self.narr_ref);
                self.narration.push(NarrItem::Command {
                    id: self.next_id,
                    line: trimmed.to_string(),
                    at_ms,
                });
            }
            let mut out = self.pg.run_line(trimmed);
            let edit_request = out.edit.take();
            let mut waiting = out.wait.is_some();
            if let Some(mut w) = out.wait.take() {
                let pr = self.pg.poll(&mut w);
                out.stdout.push_str(&pr.stdout);
                out.stderr.push_str(&pr.stderr);
                if pr.done {
                    waiting = false;
                    if pr.exit_code != 0 {
                        out.exit_code = pr.exit_code;
                    }
                } else {
                    self.waiting = Some(w);
                }
            }
            let id = self.next_id;
            self.next_id += 1;
            if !trimmed.starts_with('#') {
                self.marks.push(timeline::Mark::new(at_ms, trimmed));
            }
            self.push_block(Block {
                id,
                command: trimmed.to_string(),
                stdout: out.stdout,
                stderr: out.stderr,
                exit_code: out.exit_code,
                at_ms,
                waiting,
                local: false,
            });
            self.refresh();
            if let Some(key) = edit_request {
                self.open_editor(key);
            }
        }
    }

    /// `kubectl edit TYPE/NAME` in the page: the inspector opens on the object in Edit mode,
    /// its text field focused (the terminal's stand-in for `$EDITOR`).
    fn open_editor(&mut self, key: crate::sim::store::ObjKey) {
        let mut next = Inspected::new(key.kind, &key.namespace, &key.name);
        next.tab = Tab::Yaml;
        self.inspect = Some(next);
        self.inspect_return = None;
        self.refresh_inspector(true);
        let Some(i) = self.inspect.as_mut() else {
            return;
        };
        let Some(yaml) = i.yaml.clone() else { return };
        i.edit = Some(inspector::Edit {
            base_rv: inspector::resource_version(&yaml),
            original: yaml.clone(),
            text: yaml,
            from_command: true,
        });
        self.focus_id = Some("insp-editor");
    }

    fn finish_wait(&mut self) {
        self.waiting = None;
        if let Some(b) = self.blocks.iter_mut().rev().find(|b| b.waiting) {
            b.waiting = false;
        }
        self.scroll_term = true;
        self.refocus = true;
        self.run_queue();
    }

    /// Opens what the URL names: a share link replays its session (it may name a lesson too); a
    /// deep link (`?lesson=ID&step=N`, or the same after `#`) opens a lesson; without either, the
    /// lesson played last resumes.
    fn open_from_url(&mut self) {
        match modes::url_share() {
            Ok(Some(shared)) => {
                self.pending_share = Some((shared, modes::flag(&["start"])));
                self.open_pending_share();
                return;
            }
            Ok(None) => {}
            Err(e) => {
                self.modes.note = Some((
                    true,
                    format!(
                        "This share link could not be read: {e}. Showing a fresh cluster instead."
                    ),
                ));
                return;
            }
        }
        let (want, step) = url_lesson();
        let want = want.or_else(|| {
            if self.modes.embed {
                None
            } else {
                LocalStorage::get::<String>(CURRENT_KEY).ok()
            }
        });
        if let Some(id) = want {
            self.open_lesson(&id, step, true, false);
        }
    }

    /// Runs what is typed at the prompt (Enter, or the end of a typed solution line).
    fn submit(&mut self) -> bool {
        if let Some(p) = &self.past {
            let t = p.pg.elapsed_ms();
            let later = self.marks.iter().filter(|m| m.at_ms >= t).count();
            let sure = later == 0
                || web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(&format!(
                            "Continue from {}? The {later} later command{} will be dropped.",
                            clock(t),
                            if later == 1 { "" } else { "s" }
                        ))
                        .ok()
                    })
                    .unwrap_or(true);
            if !sure {
                return false;
            }
            self.continue_from_past();
            self.save_lesson();
            self.sync_url();
        }
        if self.waiting.is_some() {
            return false;
        }
        let text = std::mem::take(&mut self.input);
        self.enter(&text);
        self.run_queue();
        true
    }

    /// Queues an entered line (or pasted lines) and keeps it in the history; `run_queue` runs it.
    fn enter(&mut self, text: &str) {
        self.hist_pos = None;
        let trimmed = text.trim();
        if !trimmed.is_empty() && self.history.last().map(|s| s.as_str()) != Some(trimmed) {
            self.history.push(trimmed.to_string());
            if self.history.len() > MAX_HISTORY {
                let drop = self.history.len() - MAX_HISTORY;
                self.history.drain(..drop);
            }
            self.save_history();
        }
        if trimmed.is_empty() {
            self.push_local_block(String::new(), false);
        }
        self.queue.extend(text.lines().map(|l| l.to_string()));
    }

    fn save_history(&self) {
        if !self.modes.may_store() {
            return;
        }
        let _ = LocalStorage::set(HISTORY_KEY, &self.history);
    }

    /// The lesson panel (a `nav`): the map, or the lesson being played; and its live region.
    fn lesson_panel(&self, ctx: &Context<Self>, in_past: bool) -> Html {
        let link = ctx.link();
        let run = self.pg.lesson();
        let body = match run {
            Some(run) if !self.show_map => {
                let props = lesson::PanelProps {
                    run,
                    report: self.pg.goal_report(),
                    solution: self
                        .solution
                        .as_ref()
                        .filter(|(i, _)| *i == run.step_index())
                        .map(|(_, l)| l.clone()),
                    typing: self.typing_line.is_some() || !self.typing.is_empty(),
                    note: self.lesson_note.as_deref(),
                    in_past,
                    goal_shown: self.goal.is_some(),
                    title_ref: self.title_ref.clone(),
                    step_ref: self.step_ref.clone(),
                };
                let cbs = lesson::PanelCallbacks {
                    show_map: link.callback(|_: MouseEvent| Msg::ShowMap(true)),
                    hint: link.callback(|_: MouseEvent| Msg::Hint),
                    solution: link.callback(|_: MouseEvent| Msg::ShowSolution),
                    reset: link.callback(|_: MouseEvent| Msg::ResetLesson),
                    skip: link.callback(|_: MouseEvent| Msg::SkipStep),
                    exit: link.callback(|_: MouseEvent| Msg::ExitLesson),
                    suggest: link.callback(Msg::Suggest),
                    goal: link.callback(|_: MouseEvent| Msg::ToggleGoal),
                };
                lesson::panel(&props, &cbs)
            }
            _ => {
                let props = lesson::MapProps {
                    lessons: &self.lessons,
                    ticks: &self.lesson_ticks,
                    current: run.map(|r| r.lesson().id.as_str()),
                    errors: &self.lesson_errors,
                    notice: self.lesson_notice.as_deref(),
                };
                let back = run.map(|_| link.callback(|_: MouseEvent| Msg::ShowMap(false)));
                lesson::map(&props, &link.callback(Msg::OpenLesson), back)
            }
        };
        let complete = run.is_some_and(|r| r.is_complete() && !r.lesson().is_sandbox());
        html! {
            <nav id="lesson-panel" class="lesson-panel" aria-label="Lessons" hidden={!self.panel_open}
                 data-lesson-id={run.map(|r| r.lesson().id.clone()).unwrap_or_default()}
                 data-lesson-complete={complete.to_string()}
                 data-view={if run.is_some() && !self.show_map { "lesson" } else { "map" }}>
                { body }
                <div id="lesson-status" class={classes!("lp-status", self.announce.starts_with('✓').then_some("ok"),
                     // Hints and other notes are already on screen: only screen readers hear them again.
                     (!self.announce.starts_with('✓') && !self.announce.starts_with("Step")).then_some("quiet"))}
                     role="status" aria-live="polite" aria-atomic="true">{ self.announce.clone() }</div>
            </nav>
        }
    }

    /// Clears everything drawn from the session (terminal, narration, timeline marks, cues) for a
    /// new `self.pg`, and draws it.
    fn reset_ui(&mut self) {
        self.reload_view();
        self.blocks.clear();
        self.queue.clear();
        self.held_block = None;
        self.waiting = None;
        self.narration.clear();
        self.narr_end = 0;
        self.narr_quiet = None;
        self.narr_window = NARR_WINDOW;
        self.carry = 0.0;
        self.cues.clear();
        self.owner_order.clear();
        self.ghosts.clear();
        self.released.clear();
        self.controllers = CONTROLLERS.iter().map(|s| s.to_string()).collect();
        self.past = None;
        self.inspect = None;
        self.marks = self
            .pg
            .inputs()
            .iter()
            .filter_map(|i| match &i.action {
                crate::lessons::Action::Line(l)
                    if !l.trim().is_empty() && !l.trim().starts_with('#') =>
                {
                    Some(timeline::Mark::new(i.at_ms, l.trim()))
                }
                _ => None,
            })
            .collect();
        self.solution = None;
        self.typing.clear();
        self.typing_line = None;
        self.input.clear();
        self.goal = None;
        self.refresh();
    }

    /// Opens lesson `id` now if its file is at hand (or the id is unknown: `start_lesson` says so),
    /// else once the page has fetched it. `from_map`: the learner chose it in the map (focus its
    /// title); otherwise a failure is shown above the map and the address is brought in line.
    fn open_lesson(&mut self, id: &str, step: Option<usize>, resume: bool, from_map: bool) {
        if self.must_fetch_lesson(id) {
            self.lesson_notice = None;
            self.announce = "Loading the lesson…".to_string();
            let then = AfterLesson::Open {
                step,
                resume,
                from_map,
            };
            self.when_lesson_file(id, then);
            return;
        }
        match self.start_lesson(id, step, resume) {
            Ok(()) => {
                if from_map {
                    self.focus_title = true;
                }
            }
            Err(e) => {
                self.lesson_notice = Some(e);
                if !from_map {
                    self.panel_open = true;
                    self.sync_url();
                }
            }
        }
    }

    /// Opens what waited for lesson `id`'s file (`then`), or says why it could not be loaded.
    fn after_lesson_file(&mut self, id: String, result: Result<(), String>, then: AfterLesson) {
        match (result, then) {
            (
                Ok(()),
                AfterLesson::Open {
                    step,
                    resume,
                    from_map,
                },
            ) => self.open_lesson(&id, step, resume, from_map),
            (Ok(()), AfterLesson::Share) => self.open_pending_share(),
            (Err(e), AfterLesson::Open { .. }) => {
                self.lesson_notice = Some(format!("The lesson “{id}” could not be loaded: {e}."));
                self.panel_open = true;
                self.sync_url();
            }
            (Err(e), AfterLesson::Share) => {
                self.pending_share = None;
                self.modes.note = Some((
                    true,
                    format!("This share link could not be replayed: its lesson “{id}” could not be loaded ({e}). Showing a fresh cluster instead."),
                ));
            }
        }
    }

    /// Does `f` (which may replace the session, clearing the queue) with the lines that waited in
    /// the queue set aside, then runs them: they run in the session `f` leaves. The waiting block
    /// that stood for them goes.
    fn with_held_lines(&mut self, f: impl FnOnce(&mut Self)) {
        if let Some(id) = self.held_block.take() {
            self.blocks.retain(|b| b.id != id);
        }
        let held = std::mem::take(&mut self.queue);
        f(self);
        if !held.is_empty() {
            self.typed_lines_run_live();
        }
        self.queue.extend(held);
        self.run_queue();
    }

    /// Lines typed before a session opened run at its end. If it opened at an earlier moment (a
    /// share link "from the start"), the page goes back to the live moment, where they run, so
    /// that the view shows what they did; the share link's note says so.
    fn typed_lines_run_live(&mut self) {
        if self.past.is_none() {
            return;
        }
        self.go_live();
        if let Some((false, note)) = self.modes.note.as_mut() {
            if let Some(kept) = note.strip_suffix(FIRST_MOMENT) {
                *note = kept.to_string();
            }
            note.push_str(" The lines you typed meanwhile ran after it.");
        }
    }

    /// Whether lesson `id` is in the map but its file has not been fetched yet (an unknown id is
    /// left to `start_lesson` / the share replay, which say so).
    fn must_fetch_lesson(&self, id: &str) -> bool {
        self.lessons.iter().any(|l| l.id == id) && !crate::lessons::lesson_file_ready(id)
    }

    /// Fetches lesson `id`'s file, then does `then` (`Msg::LessonFile`); a later call replaces it.
    fn when_lesson_file(&mut self, id: &str, then: AfterLesson) {
        self.pending_lesson = Some((id.to_string(), then));
        let key = id.to_string();
        super::docs::load_lesson(
            id,
            self.link.callback(move |result| Msg::LessonFile {
                id: key.clone(),
                result,
            }),
        );
    }

    /// Replays the pending share link once what it needs is at hand: its lesson's file (a
    /// lesson session) and `explain.json` (when one of its lines runs `kubectl explain`, so the
    /// replay prints what it printed), and the whole module (its second part, in a release
    /// build). Whatever is missing is fetched first, and this runs again when it arrives
    /// (`Msg::LessonFile`, `Msg::DocsLoaded`).
    fn open_pending_share(&mut self) {
        let Some((shared, start)) = self.pending_share.take() else {
            return;
        };
        if let Some(id) = shared.lesson.clone() {
            if self.must_fetch_lesson(&id) {
                self.modes.note = Some((false, "Loading the shared lesson…".to_string()));
                self.pending_share = Some((shared, start));
                self.when_lesson_file(&id, AfterLesson::Share);
                return;
            }
        }
        let runs_explain = shared.inputs.iter().any(|i| {
            matches!(&i.action, crate::lessons::Action::Line(l)
                if crate::kubectl::explain::line_needs_docs(l))
        });
        if runs_explain && !crate::kubectl::explain::docs_settled() {
            self.modes.note = Some((false, "Loading kubectl explain's documents…".to_string()));
            self.pending_share = Some((shared, start));
            super::docs::load_explain_docs(self.link.callback(|_| Msg::DocsLoaded));
            return;
        }
        // The replay runs commands whose code is mostly in the module's second part: wait for it
        // rather than load it synchronously with the page frozen.
        if !super::docs::module_complete() {
            self.modes.note = Some((false, "Loading the shared session…".to_string()));
            self.pending_share = Some((shared, start));
            super::docs::when_module_complete(self.link.callback(|_| Msg::DocsLoaded));
            return;
        }
        self.modes.note = None;
        self.open_shared(&shared, start);
    }

    /// Replays a share link's session (its lesson's file at hand, if it has one); `start`: show
    /// its first moment, ready to play back.
    fn open_shared(&mut self, shared: &crate::lessons::share::Shared, start: bool) {
        if let Err(e) = self.load_shared(shared) {
            self.modes.note = Some((
                true,
                format!(
                    "This share link could not be replayed: {e}. Showing a fresh cluster instead."
                ),
            ));
        } else if start {
            // "From the start": the first moment, ready to play the session back.
            let t = self.pg.earliest_ms();
            self.show_at(t);
            if let Some((_, note)) = self.modes.note.as_mut() {
                *note = format!(
                    "{}{FIRST_MOMENT}",
                    note.split(" Paused").next().unwrap_or_default()
                );
            }
        }
    }

    /// Opens lesson `id`. With saved progress at `step` (1-based; `None`: wherever it was) and
    /// `resume`, the saved inputs are replayed; otherwise a fresh session starts at its setup, and
    /// a `step` past 1 is reached by running the earlier steps' solutions.
    fn start_lesson(&mut self, id: &str, step: Option<usize>, resume: bool) -> Result<(), String> {
        if !self.lessons.iter().any(|l| l.id == id) {
            LocalStorage::delete(CURRENT_KEY);
            return Err(format!("There is no lesson “{id}”. Choose one below."));
        }
        // The map's index names it; the whole file is parsed now, when it is opened.
        let lesson = match crate::lessons::find_lesson(id) {
            Ok(lesson) => lesson,
            Err(e) => {
                LocalStorage::delete(CURRENT_KEY);
                return Err(format!("The lesson “{id}” could not be loaded: {e}"));
            }
        };
        let n = lesson.steps.len();
        let saved: Option<LessonProgress> = LocalStorage::get(format!("{LESSON_KEY}{id}")).ok();
        let mut note = None;
        // (command, its result, virtual ms when it ran) of the steps run for a deep link.
        type Ran = (String, Result<String, (i32, String)>, u64);
        let mut blocks: Vec<Ran> = Vec::new();
        let resumable = saved.as_ref().filter(|s| {
            resume
                && s.lesson == id
                && (step.is_none() || step == Some(s.step + 1))
                && (!s.inputs.is_empty() || s.step > 0)
        });
        let pg = match resumable.map(|s| Playground::resume(&lesson, s)) {
            Some(Ok(pg)) => {
                let typed = saved.as_ref().map(|s| s.inputs.len()).unwrap_or(0);
                note = Some(format!(
                    "Resumed where you left off: {typed} command{} replayed on the same cluster (their output is not shown again).",
                    if typed == 1 { "" } else { "s" }
                ));
                pg
            }
            _ => {
                let mut pg = Playground::for_lesson(&lesson)?;
                let target = step.unwrap_or(1).clamp(1, n + 1);
                for i in 0..target.saturating_sub(1) {
                    if pg.lesson().map(|r| r.step_index()) != Some(i) {
                        break;
                    }
                    for cmd in pg.lesson().map(|r| r.solution()).unwrap_or_default() {
                        let at = pg.elapsed_ms();
                        let out = pg.run_to_end(&cmd);
                        blocks.push((cmd, out, at));
                    }
                    let mut done = pg.check_lesson();
                    let deadline = pg.elapsed_ms() + crate::lessons::check::GRACE_MS;
                    while done.is_none() && pg.elapsed_ms() < deadline {
                        pg.advance(1_000);
                        done = pg.check_lesson();
                    }
                    if done.is_none() {
                        pg.skip_step();
                    }
                }
                if target > 1 {
                    note = Some(format!(
                        "Opened at step {target}: the solutions of the earlier steps were run for you (in the terminal below)."
                    ));
                }
                pg
            }
        };
        let fresh_start =
            pg.lesson().map(|r| r.step_index() == 0).unwrap_or(true) && pg.inputs().is_empty();
        self.pg = pg;
        self.reset_ui();
        for (cmd, out, at_ms) in blocks {
            let id = self.next_id;
            self.next_id += 1;
            let (stdout, stderr, exit_code) = match out {
                Ok(o) => (o, String::new(), 0),
                Err((c, e)) => (String::new(), e, c),
            };
            self.push_block(Block {
                id,
                command: cmd,
                stdout,
                stderr,
                exit_code,
                at_ms,
                waiting: false,
                local: false,
            });
        }
        self.playing = !(lesson.setup.paused && fresh_start);
        self.lesson_note = note;
        self.lesson_notice = None;
        self.show_map = false;
        self.panel_open = true;
        self.announce = format!("Lesson opened: {}", lesson.title);
        if self.modes.may_store() {
            let _ = LocalStorage::set(CURRENT_KEY, id);
        }
        self.save_lesson();
        self.sync_url();
        Ok(())
    }

    /// Opens a share link: replays its session (a lesson's setup or a fresh cluster, then every
    /// input at its logged position), shows its commands in the terminal, paused at its moment.
    fn load_shared(&mut self, shared: &crate::lessons::share::Shared) -> Result<(), String> {
        let r = crate::lessons::share::replay(shared)?;
        self.pg = r.pg;
        self.reset_ui();
        let mut cmds = Vec::new();
        for c in r.commands {
            let id = self.next_id;
            self.next_id += 1;
            cmds.push((id, c.command.clone(), c.at_ms));
            self.push_block(Block {
                id,
                command: c.command,
                stdout: c.stdout,
                stderr: c.stderr,
                exit_code: c.exit_code,
                at_ms: c.at_ms,
                waiting: false,
                local: false,
            });
        }
        if let Some(w) = r.waiting {
            if let Some(b) = self.blocks.last_mut() {
                b.waiting = true;
            }
            self.waiting = Some(w);
        }
        // The narration shows each command before the decisions that followed it.
        let decisions = std::mem::take(&mut self.narration);
        let mut cmds = cmds
            .into_iter()
            .filter(|(_, l, _)| !l.trim_start().starts_with('#'))
            .peekable();
        for item in decisions {
            if let NarrItem::Decision(_, d) = &item {
                while let Some((id, line, at_ms)) = cmds.next_if(|c| c.2 < d.at_ms) {
                    let line = line.lines().next().unwrap_or_default().trim().to_string();
                    self.narration.push(NarrItem::Command { id, line, at_ms });
                }
            }
            self.narration.push(item);
        }
        for (id, line, at_ms) in cmds {
            let line = line.lines().next().unwrap_or_default().trim().to_string();
            self.narration.push(NarrItem::Command { id, line, at_ms });
        }
        self.playing = false;
        let n = self.marks.len();
        let lesson = self.pg.lesson().map(|r| r.lesson().title.clone());
        if lesson.is_some() {
            self.show_map = false;
            self.panel_open = !self.modes.embed;
        }
        let what = match lesson {
            Some(t) => format!("the lesson “{t}”, "),
            None => String::new(),
        };
        self.modes.note = Some((
            false,
            format!(
                "Replayed a shared session: {what}{n} command{} on the same cluster, to {}. Paused: press Space or Play to go on.",
                if n == 1 { "" } else { "s" },
                clock(self.pg.elapsed_ms())
            ),
        ));
        self.save_lesson();
        Ok(())
    }

    /// Re-evaluates the current step's goal against the live cluster (after every input and as
    /// time passes); ticks the steps that are met and announces them.
    fn check_lesson(&mut self) {
        if self.past.is_some() || self.pg.lesson().is_none_or(|r| r.is_complete()) {
            return;
        }
        let mut dones = Vec::new();
        while let Some(d) = self.pg.check_lesson() {
            dones.push(d);
            if dones.len() > 16 {
                break;
            }
        }
        let Some(d) = dones.last() else { return };
        let Some(run) = self.pg.lesson() else { return };
        let lesson = run.lesson();
        let sol = lesson
            .steps
            .get(d.index)
            .map(|s| s.solution.len())
            .unwrap_or(0);
        let head = format!(
            "✓ Step {} done in {} command{} (solution: {sol}).",
            d.index + 1,
            d.commands,
            if d.commands == 1 { "" } else { "s" }
        );
        self.announce = if d.lesson_complete {
            format!("{head} Lesson complete: {}.", lesson.title)
        } else {
            let next = run
                .current_step()
                .map(|s| s.title.clone())
                .unwrap_or_default();
            let stop = if next.ends_with(['.', '?', '!']) {
                ""
            } else {
                "."
            };
            format!("{head} Next: step {}, {next}{stop}", run.step_index() + 1)
        };
        let from_solution = self.solution.is_some();
        self.solution = None;
        self.typing.clear();
        if self.typing_line.take().is_some() {
            // The rest of a solution line being typed is not needed any more.
            self.input.clear();
        }
        // Keyboard users working in the panel (or who asked for the solution) follow the new
        // step; typing in the terminal keeps its focus (the live region says what happened).
        let active = gloo::utils::document().active_element();
        let in_panel = active
            .as_ref()
            .and_then(|el| el.closest("#lesson-panel").ok().flatten())
            .is_some();
        let lost = active.is_none_or(|el| el.tag_name().eq_ignore_ascii_case("BODY"));
        self.focus_step = in_panel || lost || from_solution;
        self.save_lesson();
        self.sync_url();
    }

    /// Saves the lesson's progress (local storage) and updates the map's ticks.
    fn save_lesson(&mut self) {
        let Some(p) = self.pg.lesson_progress() else {
            return;
        };
        if !self.modes.may_store() {
            return;
        }
        let total = self
            .pg
            .lesson()
            .map(|r| r.lesson().steps.len())
            .unwrap_or(0);
        let _ = LocalStorage::set(format!("{LESSON_KEY}{}", p.lesson), &p);
        let complete_now = total > 0 && p.step >= total;
        let tick = self.lesson_ticks.entry(p.lesson.clone()).or_default();
        tick.done = p.completed.iter().filter(|d| **d).count();
        tick.total = total;
        if complete_now && !tick.complete {
            tick.complete = true;
            let mut done: Vec<String> = LocalStorage::get(COMPLETED_KEY).unwrap_or_default();
            if !done.contains(&p.lesson) {
                done.push(p.lesson.clone());
                let _ = LocalStorage::set(COMPLETED_KEY, &done);
            }
        }
    }

    /// Puts the lesson and step in the address (`?lesson=ID&step=N`), so a reload or a shared
    /// link opens it there; without a lesson, the bare page.
    fn sync_url(&self) {
        let w = gloo::utils::window();
        let path = w.location().pathname().unwrap_or_default();
        let url = match self.pg.lesson() {
            Some(r) => format!(
                "{path}?lesson={}&step={}",
                r.lesson().id,
                r.step_index() + 1
            ),
            None => path,
        };
        let url = self.modes.decorate(url);
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }

    /// Types the next characters of a requested solution into the prompt; submits each line when
    /// it is complete and the terminal is free. Returns whether anything changed.
    fn type_solution(&mut self) -> bool {
        if self.typing_line.is_none() && self.typing.is_empty() {
            return false;
        }
        let step = self.pg.lesson().map(|r| r.step_index());
        if self.past.is_some() || step != self.solution.as_ref().map(|s| s.0) {
            self.typing.clear();
            self.typing_line = None;
            return false;
        }
        if self.waiting.is_some() || !self.queue.is_empty() {
            return false;
        }
        if self.typing_line.is_none() {
            let Some(line) = self.typing.pop_front() else {
                return false;
            };
            self.typing_line = Some((line, 0));
        }
        let Some((line, pos)) = self.typing_line.as_mut() else {
            return false;
        };
        let total = line.chars().count();
        *pos = (*pos + TYPE_CHARS).min(total);
        self.input = line.chars().take(*pos).collect();
        if *pos >= total {
            self.typing_line = None;
            self.submit();
        }
        true
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (pg, prebooted) = super::first_playground();
        let view = pg.view();
        let link = ctx.link().clone();
        let interval = Interval::new(TICK_MS, move || link.send_message(Msg::Tick));

        let link = ctx.link().clone();
        let document = gloo::utils::document();
        let keys = EventListener::new_with_options(
            &document,
            "keydown",
            EventListenerOptions::enable_prevent_default(),
            move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let key = e.key();
                if (e.ctrl_key() || e.meta_key()) && key == " " {
                    e.prevent_default();
                    link.send_message(Msg::TogglePlay);
                    return;
                }
                if e.ctrl_key() && (key == "c" || key == "C") {
                    // Ctrl-C copies when text is selected; otherwise it interrupts a waiting command.
                    let selected = gloo::utils::window()
                        .get_selection()
                        .ok()
                        .flatten()
                        .map(|s| !s.is_collapsed())
                        .unwrap_or(false);
                    if !selected {
                        link.send_message(Msg::Interrupt);
                    }
                    return;
                }
                let in_text = e
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .is_some_and(|el| el.tag_name().eq_ignore_ascii_case("TEXTAREA"));
                if key == "Escape" && !in_text {
                    link.send_message(Msg::Escape);
                    return;
                }
                if e.alt_key()
                    && !e.ctrl_key()
                    && !e.meta_key()
                    && !in_text
                    && (key == "ArrowLeft" || key == "ArrowRight")
                {
                    e.prevent_default();
                    link.send_message(Msg::ScrubBy(if key == "ArrowLeft" {
                        -10_000
                    } else {
                        10_000
                    }));
                    return;
                }
                if e.ctrl_key() || e.meta_key() || e.alt_key() || in_control(e.target(), &key) {
                    return;
                }
                match key.as_str() {
                    "ArrowRight" if !e.shift_key() => {
                        e.prevent_default();
                        link.send_message(Msg::StepEvent);
                    }
                    "Home" => {
                        e.prevent_default();
                        link.send_message(Msg::ScrubHome);
                    }
                    "End" => {
                        e.prevent_default();
                        link.send_message(Msg::Live);
                    }
                    " " => {
                        e.prevent_default();
                        link.send_message(Msg::TogglePlay);
                    }
                    "[" => link.send_message(Msg::StepSpeed(-1)),
                    "]" => link.send_message(Msg::StepSpeed(1)),
                    "/" => {
                        e.prevent_default();
                        link.send_message(Msg::FocusTerminal);
                    }
                    _ => {}
                }
            },
        );

        let modes = Modes::from_url();
        let mode_keys = modes::key_listener(ctx.link().clone());
        let history: Vec<String> = LocalStorage::get(HISTORY_KEY).unwrap_or_default();
        let (lessons, lesson_errors) = crate::lessons::index();
        let completed: Vec<String> = LocalStorage::get(COMPLETED_KEY).unwrap_or_default();
        let lesson_ticks: HashMap<String, LessonTick> = lessons
            .iter()
            .map(|l| {
                let saved: Option<LessonProgress> =
                    LocalStorage::get(format!("{LESSON_KEY}{}", l.id)).ok();
                let done = saved
                    .map(|p| p.completed.iter().filter(|d| **d).count())
                    .unwrap_or(0);
                let tick = LessonTick {
                    done,
                    total: l.steps,
                    complete: completed.iter().any(|c| c == l.id),
                };
                (l.id.to_string(), tick)
            })
            .collect();
        let mut app = App {
            pg,
            view,
            view_serial: 0,
            view_names: Default::default(),
            playing: true,
            speed: DEFAULT_SPEED,
            carry: 0.0,
            blocks: Vec::new(),
            next_id: 0,
            input: String::new(),
            history,
            hist_pos: None,
            draft: String::new(),
            edit: LineEdit::default(),
            queue: VecDeque::new(),
            waiting: None,
            narration: Vec::new(),
            narr_end: 0,
            narr_quiet: None,
            narr_filter: String::new(),
            narr_window: NARR_WINDOW,
            narr_focus: false,
            controllers: CONTROLLERS.iter().map(|s| s.to_string()).collect(),
            owner_order: Vec::new(),
            ghosts: Vec::new(),
            released: Vec::new(),
            ticks: 0,
            cues: HashMap::new(),
            input_ref: NodeRef::default(),
            output_ref: NodeRef::default(),
            narr_ref: NodeRef::default(),
            scroll_term: false,
            scroll_narr: true,
            // An embed takes no focus on load (the host page keeps its keyboard and scroll).
            refocus: !modes.embed,
            past: None,
            marks: Vec::new(),
            inspect: None,
            focus_inspector: false,
            inspect_return: None,
            focus_id: None,
            close_ref: NodeRef::default(),
            lessons,
            lesson_errors,
            lesson_ticks,
            link: ctx.link().clone(),
            prebooted,
            svc_focus: None,
            pending_lesson: None,
            pending_share: None,
            held_block: None,
            panel_open: LocalStorage::get(PANEL_KEY).unwrap_or(true),
            show_map: true,
            lesson_note: None,
            lesson_notice: None,
            announce: String::new(),
            solution: None,
            typing: VecDeque::new(),
            typing_line: None,
            focus_title: false,
            focus_step: false,
            title_ref: NodeRef::default(),
            step_ref: NodeRef::default(),
            goal: None,
            modes,
            _interval: interval,
            _keys: keys,
            _mode_keys: mode_keys,
        };
        if app.modes.embed {
            app.panel_open = false;
        }
        app.refresh();
        app.open_from_url();
        // What was typed at the boot prompt (index.html) while the module loaded runs now, in
        // order, as if typed here; the text still being typed stays at the prompt.
        if let Some(typed) = take_boot_prompt().filter(|_| !app.modes.readonly) {
            if !typed.lines.is_empty() {
                app.typed_lines_run_live();
            }
            for line in &typed.lines {
                app.enter(line);
            }
            app.run_queue();
            app.input = typed.partial;
            app.refocus = typed.focused && !app.modes.embed;
        }
        app
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::SvcFocus(f) => {
                let changed = self.svc_focus != f;
                self.svc_focus = f;
                changed
            }
            Msg::DocsLoaded => {
                self.with_held_lines(Self::open_pending_share);
                true
            }
            Msg::LessonFile { id, result } => {
                let Some((pending, then)) = self.pending_lesson.take() else {
                    return false;
                };
                if pending != id {
                    // A later choice replaced it; that one's file is on its way.
                    self.pending_lesson = Some((pending, then));
                    return false;
                }
                // Lines typed while the file came run in the session it opens (or, if it could not
                // be loaded, where they were typed).
                self.with_held_lines(|app| app.after_lesson_file(id, result, then));
                true
            }
            Msg::Tick => {
                let was_lit = !self.cues.is_empty();
                self.ticks += 1;
                let mut changed = false;
                if self.playing && self.past.is_some() {
                    // Playing in the past replays the recorded session until it reaches now.
                    self.carry += f64::from(TICK_MS) * self.speed_factor();
                    let ms = self.carry.floor();
                    if ms >= 1.0 {
                        self.carry -= ms;
                        let t =
                            self.past.as_ref().map(|p| p.pg.elapsed_ms()).unwrap_or(0) + ms as u64;
                        self.show_at(t);
                        changed = true;
                    }
                } else if self.playing {
                    self.carry += f64::from(TICK_MS) * self.speed_factor();
                    let ms = self.carry.floor();
                    if ms >= 1.0 {
                        self.carry -= ms;
                        self.pg.advance(ms as u64);
                        self.refresh();
                        changed = true;
                    }
                }
                if let Some(mut w) = self.waiting.take() {
                    // Streaming commands (`kubectl rollout status`) print as the simulation runs.
                    let pr = self.pg.poll(&mut w);
                    if !pr.stdout.is_empty() || !pr.stderr.is_empty() {
                        if let Some(b) = self.blocks.iter_mut().rev().find(|b| b.waiting) {
                            b.stdout.push_str(&pr.stdout);
                            b.stderr.push_str(&pr.stderr);
                        }
                        self.scroll_term = true;
                        changed = true;
                    }
                    if pr.done {
                        if pr.exit_code != 0 {
                            if let Some(b) = self.blocks.iter_mut().rev().find(|b| b.waiting) {
                                b.exit_code = pr.exit_code;
                            }
                        }
                        self.finish_wait();
                        changed = true;
                    } else {
                        self.waiting = Some(w);
                    }
                }
                if self.type_solution() {
                    changed = true;
                }
                if self.ticks % SAVE_TICKS == 0
                    && self.playing
                    && self.past.is_none()
                    && self.pg.lesson().is_some()
                {
                    self.save_lesson();
                }
                let ticks = self.ticks;
                self.cues
                    .retain(|_, t| ticks.saturating_sub(*t) <= CUE_TICKS);
                let had_ghosts = !self.ghosts.is_empty();
                self.ghosts
                    .retain(|(_, t)| ticks.saturating_sub(*t) < GHOST_TICKS);
                let had_released = !self.released.is_empty();
                self.released
                    .retain(|(_, t)| ticks.saturating_sub(*t) < RELEASED_TICKS);
                changed
                    || was_lit
                    || (had_ghosts && self.ghosts.is_empty())
                    || (had_released && self.released.is_empty())
            }
            Msg::TogglePlay => {
                self.playing = !self.playing;
                true
            }
            Msg::SetSpeed(i) => {
                self.speed = i.min(SPEEDS.len() - 1);
                true
            }
            Msg::StepSpeed(d) => {
                let i = (self.speed as i32 + d).clamp(0, SPEEDS.len() as i32 - 1);
                self.speed = i as usize;
                true
            }
            Msg::Input(s) => {
                self.input = s;
                self.hist_pos = None;
                let shown = self.edit.listed.is_some() || self.edit.search.is_some();
                self.edit.typed();
                shown
            }
            Msg::Edit(k) => {
                if self.waiting.is_some() {
                    return false;
                }
                // Complete against the moment shown (typing in the past continues from there).
                let shell = match &self.past {
                    Some(p) => p.pg.shell(),
                    None => self.pg.shell(),
                };
                let (redraw, run) = self.edit.key(k, &mut self.input, &self.history, shell);
                self.hist_pos = None;
                if run {
                    self.edit.typed();
                    return self.submit() || redraw;
                }
                redraw
            }
            Msg::Submit => {
                self.edit.typed();
                self.submit()
            }
            Msg::HistPrev => {
                self.edit.typed();
                if self.history.is_empty() {
                    return false;
                }
                let pos = match self.hist_pos {
                    None => {
                        self.draft = self.input.clone();
                        self.history.len() - 1
                    }
                    Some(0) => 0,
                    Some(p) => p - 1,
                };
                self.hist_pos = Some(pos);
                self.input = self.history[pos].clone();
                true
            }
            Msg::HistNext => match self.hist_pos {
                None => false,
                Some(p) if p + 1 >= self.history.len() => {
                    self.hist_pos = None;
                    self.input = std::mem::take(&mut self.draft);
                    true
                }
                Some(p) => {
                    self.hist_pos = Some(p + 1);
                    self.input = self.history[p + 1].clone();
                    true
                }
            },
            Msg::Clear => {
                self.blocks.clear();
                true
            }
            Msg::Suggest(cmd) => {
                self.input = cmd;
                self.hist_pos = None;
                self.refocus = true;
                true
            }
            Msg::Interrupt => {
                if let Some(id) = self.held_block.take() {
                    // Lines held for a file (`hold_front_line`) are dropped, like a command cut
                    // short.
                    self.queue.clear();
                    if let Some(b) = self.blocks.iter_mut().find(|b| b.id == id) {
                        b.waiting = false;
                        b.cut_short();
                    }
                    return true;
                }
                if self.waiting.is_none() {
                    return false;
                }
                self.queue.clear();
                if let Some(b) = self.blocks.iter_mut().rev().find(|b| b.waiting) {
                    b.cut_short();
                }
                self.pg.interrupt();
                self.finish_wait();
                true
            }
            Msg::FocusTerminal => {
                self.refocus = true;
                true
            }
            Msg::Reset => {
                if !self.blocks.is_empty() {
                    let sure = web_sys::window()
                        .and_then(|w| {
                            w.confirm_with_message(
                                "Start over with a fresh cluster? The cluster and this terminal's output will be reset.",
                            )
                            .ok()
                        })
                        .unwrap_or(true);
                    if !sure {
                        return false;
                    }
                }
                self.pg = Playground::new(SimConfig::default());
                self.reset_ui();
                self.refocus = true;
                true
            }
            Msg::Scrub(t) => {
                self.show_at(t);
                true
            }
            Msg::ShowMoment(t) => {
                self.playing = false;
                self.show_at(t);
                true
            }
            Msg::ScrubBy(d) => {
                let cur = self.shown().elapsed_ms();
                let t = if d < 0 {
                    cur.saturating_sub(d.unsigned_abs())
                } else {
                    cur.saturating_add(d as u64)
                };
                self.show_at(t);
                true
            }
            Msg::ScrubHome => {
                let t = self.pg.earliest_ms();
                self.show_at(t);
                true
            }
            Msg::Live => {
                self.go_live();
                true
            }
            Msg::StepEvent => {
                self.playing = false;
                if let Some(p) = &self.past {
                    match self.pg.next_event_after(&p.pg) {
                        Some(next) if next < self.pg.elapsed_ms() => {
                            let p = self.past.as_mut().expect("past");
                            self.pg.follow(&mut p.pg, next);
                            p.view = p.pg.view();
                            self.refresh_inspector(false);
                        }
                        _ => self.go_live(),
                    }
                } else {
                    self.pg.step();
                    self.refresh();
                }
                true
            }
            Msg::NarrFilter(f) => {
                self.narr_filter = f;
                self.narr_window = NARR_WINDOW;
                self.scroll_narr = true;
                true
            }
            Msg::NarrMore => {
                let shown = self
                    .narr_shown(self.past.as_ref().map(|p| p.pg.elapsed_ms()))
                    .len();
                self.narr_window += NARR_STEP;
                self.narr_focus = shown <= self.narr_window;
                true
            }
            Msg::Inspect { kind, ns, name } => {
                // From one object to another (an owner in the Why tab): the same tab stays open.
                let tab = self.inspect.as_ref().map(|i| i.tab);
                if self.inspect.is_none() {
                    self.inspect_return = Some((ns.clone(), name.clone()));
                }
                let mut next = Inspected::new(kind, &ns, &name);
                if let Some(t) = tab {
                    next.tab = t;
                }
                self.inspect = Some(next);
                self.refresh_inspector(true);
                self.focus_inspector = true;
                true
            }
            Msg::CloseInspector => {
                if self.inspect.take().is_none() {
                    return false;
                }
                if let Some((ns, name)) = self.inspect_return.take() {
                    focus_inspectable(&ns, &name);
                }
                true
            }
            Msg::InspectorTab(t) => {
                if let Some(i) = self.inspect.as_mut() {
                    i.tab = t;
                }
                self.refresh_inspector(false);
                true
            }
            Msg::EditStart | Msg::EditReload => {
                let live = self.past.is_none();
                let Some(i) = self.inspect.as_mut() else {
                    return false;
                };
                let Some(yaml) = i.yaml.clone().filter(|_| live) else {
                    return false;
                };
                let from_command = i.edit.as_ref().is_some_and(|e| e.from_command);
                i.edit = Some(inspector::Edit {
                    base_rv: inspector::resource_version(&yaml),
                    original: yaml.clone(),
                    text: yaml,
                    from_command,
                });
                i.applied = None;
                self.focus_id = Some("insp-editor");
                true
            }
            Msg::EditInput(text) => {
                if let Some(ed) = self.inspect.as_mut().and_then(|i| i.edit.as_mut()) {
                    ed.text = text;
                }
                false
            }
            Msg::EditCancel => {
                if let Some(i) = self.inspect.as_mut() {
                    if i.edit.take().is_some_and(|e| e.from_command) {
                        i.applied = Some(inspector::Applied {
                            ok: true,
                            text: inspector::EDIT_CANCELLED.to_string(),
                        });
                    }
                }
                self.focus_id = Some("insp-edit");
                true
            }
            Msg::EditApply => {
                self.apply_edit();
                true
            }
            Msg::OpenLesson(id) => {
                let current = self.pg.lesson().map(|r| r.lesson().id.clone());
                if current.as_deref() == Some(id.as_str()) {
                    self.show_map = false;
                    self.focus_title = true;
                    return true;
                }
                self.open_lesson(&id, None, true, true);
                true
            }
            Msg::ShowMap(on) => {
                self.show_map = on || self.pg.lesson().is_none();
                self.panel_open = true;
                self.focus_title = true;
                true
            }
            Msg::TogglePanel => {
                self.panel_open = !self.panel_open;
                if self.modes.may_store() {
                    let _ = LocalStorage::set(PANEL_KEY, self.panel_open);
                }
                if self.panel_open {
                    self.focus_title = true;
                }
                true
            }
            Msg::Hint => {
                let hint = self.pg.lesson_mut().and_then(|r| r.reveal_hint());
                let Some(h) = hint else { return false };
                let n = self
                    .pg
                    .lesson()
                    .map(|r| r.hints_revealed().len())
                    .unwrap_or(0);
                self.announce = format!("Hint {n}: {h}");
                self.save_lesson();
                true
            }
            Msg::ShowSolution => {
                let Some(run) = self.pg.lesson() else {
                    return false;
                };
                if run.is_complete() || self.past.is_some() {
                    return false;
                }
                let (index, lines) = (run.step_index(), run.solution());
                let sure = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(&format!(
                            "Show the solution of step {}? Its command{} will be typed into the terminal and run.",
                            index + 1,
                            if lines.len() == 1 { "" } else { "s" }
                        ))
                        .ok()
                    })
                    .unwrap_or(true);
                if !sure {
                    return false;
                }
                self.typing = lines.iter().cloned().collect();
                self.typing_line = None;
                self.solution = Some((index, lines));
                self.announce = format!("Typing the solution of step {}.", index + 1);
                true
            }
            Msg::ToggleGoal => {
                if self.goal.take().is_some() {
                    self.announce = "Goal hidden.".to_string();
                    return true;
                }
                let Some(run) = self.pg.lesson() else {
                    return false;
                };
                let n = run.step_index() + 1;
                self.goal = preview_goal(&self.pg);
                self.announce = match &self.goal {
                    Some(g) if g.met => format!("Showing the goal of step {n} above the live cluster: what it should look like."),
                    Some(_) => format!("Showing where the solution of step {n} gets to from here; it does not meet the goal."),
                    None => "This step has no goal to draw.".to_string(),
                };
                true
            }
            Msg::Mode(m) => {
                let shown = self.past.as_ref().map(|p| &p.pg).unwrap_or(&self.pg);
                self.modes.update(m, shown)
            }
            Msg::Escape => {
                if self.modes.dialog_open() {
                    return self.modes.update(ModeMsg::DialogClosed, &self.pg);
                }
                if self.inspect.is_some() {
                    return <Self as Component>::update(self, _ctx, Msg::CloseInspector);
                }
                if self.goal.take().is_some() {
                    self.announce = "Goal hidden.".to_string();
                    if let Some(el) = gloo::utils::document().get_element_by_id("lesson-show-goal")
                    {
                        if let Ok(el) = el.dyn_into::<HtmlElement>() {
                            let _ = el.focus();
                        }
                    }
                    return true;
                }
                false
            }
            Msg::ResetLesson => {
                let Some(run) = self.pg.lesson() else {
                    return false;
                };
                let (id, title) = (run.lesson().id.clone(), run.lesson().title.clone());
                let sure = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(&format!(
                            "Restart “{title}” from its first step? The cluster and your commands in this lesson start over."
                        ))
                        .ok()
                    })
                    .unwrap_or(true);
                if !sure {
                    return false;
                }
                LocalStorage::delete(format!("{LESSON_KEY}{id}"));
                if let Err(e) = self.start_lesson(&id, None, false) {
                    self.lesson_notice = Some(e);
                }
                self.announce = format!("Restarted: {title}, step 1.");
                self.refocus = true;
                true
            }
            Msg::SkipStep => {
                if self.pg.lesson().is_none_or(|r| r.is_complete()) {
                    return false;
                }
                self.pg.skip_step();
                self.sync_goal();
                self.solution = None;
                self.typing.clear();
                self.typing_line = None;
                let next = self.pg.lesson().and_then(|r| {
                    r.current_step()
                        .map(|s| (r.step_index() + 1, s.title.clone()))
                });
                self.announce = match next {
                    Some((n, t)) => format!("Step skipped. Now step {n}, {t}."),
                    None => "Step skipped. That was the last step.".to_string(),
                };
                self.focus_step = true;
                self.save_lesson();
                self.sync_url();
                true
            }
            Msg::ExitLesson => {
                LocalStorage::delete(CURRENT_KEY);
                self.pg = Playground::new(SimConfig::default());
                self.reset_ui();
                self.playing = true;
                self.show_map = true;
                self.lesson_note = None;
                self.announce = "Left the lesson: a fresh cluster to play with.".to_string();
                self.sync_url();
                self.focus_title = true;
                true
            }
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        self.modes.after_render();
        // Keep the speed menu on the speed: once a user picked an option, the options'
        // `selected` attributes no longer move the selection (keys `[` `]` would show 0.1×).
        if let Some(sel) = gloo::utils::document()
            .get_element_by_id("speed")
            .and_then(|e| e.dyn_into::<HtmlSelectElement>().ok())
        {
            let want = SPEEDS[self.speed].0;
            if sel.value() != want {
                sel.set_value(want);
            }
        }
        if self.focus_title || self.focus_step {
            let target = if self.focus_step && self.step_ref.get().is_some() {
                &self.step_ref
            } else {
                &self.title_ref
            };
            let el = target.cast::<HtmlElement>().or_else(|| {
                gloo::utils::document()
                    .query_selector("#lesson-panel .lp-title, #lesson-panel .lp-lesson-title")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            });
            if let Some(el) = el {
                let _ = el.focus();
                self.refocus = false;
            }
            self.focus_title = false;
            self.focus_step = false;
        }
        if let Some(id) = self.focus_id.take() {
            if let Some(el) = gloo::utils::document()
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            {
                let _ = el.focus();
                self.refocus = false;
            }
        }
        if self.focus_inspector {
            if let Some(el) = self.close_ref.cast::<HtmlElement>() {
                let _ = el.focus();
            }
            self.focus_inspector = false;
            self.refocus = false;
        }
        if self.scroll_term {
            scroll_to_bottom(&self.output_ref);
            self.scroll_term = false;
        }
        if self.scroll_narr {
            scroll_to_bottom(&self.narr_ref);
            self.scroll_narr = false;
        }
        if self.narr_focus {
            // `#narr-more` had the focus and is gone: the list takes it, not the page's body.
            if let Some(el) = self.narr_ref.cast::<HtmlElement>() {
                let _ = el.focus();
            }
            self.narr_focus = false;
        }
        if let Some(caret) = self.edit.caret.take() {
            if let Some(el) = self.input_ref.cast::<HtmlTextAreaElement>() {
                let _ = el.set_selection_range(caret, caret);
            }
        }
        if self.refocus && self.waiting.is_none() {
            if let Some(el) = self.input_ref.cast::<HtmlTextAreaElement>() {
                let _ = el.focus();
                let value = el.value();
                // A suggested command with a placeholder (`<name>`): select it, ready to be typed over.
                let (start, end) = match (value.find('<'), value.find('>')) {
                    (Some(a), Some(b)) if a < b => (a, b + 1),
                    _ => (value.len(), value.len()),
                };
                let utf16 = |i: usize| value[..i].encode_utf16().count() as u32;
                let _ = el.set_selection_range(utf16(start), utf16(end));
            }
            self.refocus = false;
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let paused = !self.playing;
        let waiting = self.waiting.is_some();

        let on_play = link.callback(|_: MouseEvent| Msg::TogglePlay);
        let on_speed = link.callback(|e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            Msg::SetSpeed(
                SPEEDS
                    .iter()
                    .position(|(s, _)| *s == v)
                    .unwrap_or(DEFAULT_SPEED),
            )
        });
        let in_lesson = self.pg.lesson().is_some();
        let on_reset = if in_lesson {
            link.callback(|_: MouseEvent| Msg::ResetLesson)
        } else {
            link.callback(|_: MouseEvent| Msg::Reset)
        };
        let on_toggle_panel = link.callback(|_: MouseEvent| Msg::TogglePanel);
        let on_clear = link.callback(|_: MouseEvent| Msg::Clear);
        let on_suggest = link.callback(Msg::Suggest);
        let on_input = link.callback(|e: InputEvent| {
            Msg::Input(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        });
        let searching = self.edit.search.is_some();
        let on_keydown = link.batch_callback(move |e: KeyboardEvent| {
            let key = e.key();
            let area = e.target_unchecked_into::<HtmlTextAreaElement>();
            let value = area.value();
            let ctrl = e.ctrl_key() || e.meta_key();
            let plain = !ctrl && !e.alt_key();
            if searching && !e.is_composing() {
                // Bash's reverse-i-search: typing extends the query, Ctrl-R finds older, Enter
                // runs the match, Escape / Ctrl-G restore the line, other keys keep the match.
                let msg = match key.as_str() {
                    "Enter" => EditKey::SearchAccept(true),
                    "Escape" => EditKey::SearchCancel,
                    "g" | "G" | "c" | "C" if e.ctrl_key() => EditKey::SearchCancel,
                    "r" | "R" if e.ctrl_key() => EditKey::Search,
                    "Backspace" if plain => EditKey::SearchBackspace,
                    "Shift" | "Control" | "Alt" | "Meta" | "CapsLock" => return vec![],
                    // Keeps the match and the focus (a Tab here must not leave the prompt).
                    "Tab" => EditKey::SearchAccept(false),
                    k if plain && k.chars().count() == 1 => EditKey::SearchType(k.to_string()),
                    _ => return vec![Msg::Edit(EditKey::SearchAccept(false))],
                };
                e.prevent_default();
                return vec![Msg::Edit(msg)];
            }
            if e.ctrl_key() && !e.alt_key() && (key == "r" || key == "R") {
                e.prevent_default();
                return vec![Msg::Edit(EditKey::Search)];
            }
            // Tab completes; on an empty line it leaves the prompt, as do Shift+Tab and Escape.
            if key == "Tab" && plain && !e.shift_key() && !value.trim().is_empty() {
                e.prevent_default();
                let caret = area
                    .selection_start()
                    .ok()
                    .flatten()
                    .unwrap_or(value.len() as u32);
                return vec![Msg::Edit(EditKey::Tab(byte_offset(&value, caret)))];
            }
            if key == "Enter" && !e.shift_key() && !e.is_composing() {
                e.prevent_default();
                return vec![Msg::Submit];
            }
            if ctrl && (key == "l" || key == "L") {
                e.prevent_default();
                return vec![Msg::Clear];
            }
            if !value.contains('\n') && !e.alt_key() && !ctrl && !e.shift_key() {
                if key == "ArrowUp" {
                    e.prevent_default();
                    return vec![Msg::HistPrev];
                }
                if key == "ArrowDown" {
                    e.prevent_default();
                    return vec![Msg::HistNext];
                }
            }
            if key == "Escape" {
                // Leaves the prompt (and hides a completion list).
                if let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                    let _ = el.blur();
                }
                return vec![Msg::Edit(EditKey::SearchCancel)];
            }
            vec![]
        });

        let past_ms = self.past.as_ref().map(|p| p.pg.elapsed_ms());
        let in_past = past_ms.is_some();
        let shown_view = self.shown_view();
        // Scrubbing skips attention cues (UX §1.3): lamps stay dark in the past.
        // Object names the narration links to the inspector: what the shown moment has.
        let past_names;
        let names = match &self.past {
            Some(p) => {
                past_names = narr_names(&p.view);
                &past_names
            }
            None => &self.view_names,
        };
        // The narration drawn: the newest `narr_window` lines of the shown moment, after the filter.
        let narr_drawn = self.narr_shown(past_ms);
        let narr_hidden = narr_drawn.len().saturating_sub(self.narr_window);
        let narr_drawn = &narr_drawn[narr_hidden..];
        let narr_quiet = self.narr_quiet.unwrap_or(usize::MAX);
        let on_view_click = link.batch_callback(|e: MouseEvent| {
            inspect_target(e.target()).into_iter().collect::<Vec<_>>()
        });
        let on_view_key = link.batch_callback(|e: KeyboardEvent| {
            if e.key() != "Enter" {
                return vec![];
            }
            let on_item = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|el| {
                    el.has_attribute("data-pod") || el.has_attribute("data-inspect-kind")
                });
            if !on_item {
                return vec![];
            }
            e.prevent_default();
            inspect_target(e.target()).into_iter().collect()
        });
        let insp_cb = inspector::Callbacks {
            close: link.callback(|_: MouseEvent| Msg::CloseInspector),
            tab: link.callback(Msg::InspectorTab),
            edit: link.callback(|_| Msg::EditStart),
            edit_input: link.callback(Msg::EditInput),
            apply: link.callback(|_| Msg::EditApply),
            cancel: link.callback(|_| Msg::EditCancel),
            reload: link.callback(|_| Msg::EditReload),
            scrub: link.callback(Msg::ShowMoment),
            inspect: link.callback(|k: crate::sim::store::ObjKey| Msg::Inspect {
                kind: k.kind,
                ns: k.namespace,
                name: k.name,
            }),
        };
        let lit = |k: &str| !in_past && self.is_lit(k);
        let ghosts: Vec<Ghost> = self.ghosts.iter().map(|(g, _)| g.clone()).collect();
        let released: Vec<cluster::Released> = if in_past {
            Vec::new()
        } else {
            self.released.iter().map(|(r, _)| r.clone()).collect()
        };
        let focused_svc = self.svc_focus.as_ref().and_then(|(ns, name)| {
            shown_view
                .services
                .iter()
                .find(|s| s.namespace == *ns && s.name == *name)
        });
        let nodes = shown_view.nodes.len();
        let ready_nodes = shown_view
            .nodes
            .iter()
            .filter(|n| n.status.split(',').next() == Some("Ready"))
            .count();
        let virtual_now = shown_view
            .now
            .split_once('T')
            .map(|(_, t)| t.trim_end_matches('Z').chars().take(8).collect::<String>())
            .unwrap_or_default();

        html! {
            <div class={classes!("app", paused.then_some("paused"), in_past.then_some("viewing-past"), self.modes.classes())}
                 data-boot={if self.prebooted { "prebooted" } else { "at-start" }}>
                { if self.modes.presenter || self.modes.embed {
                    modes::strip(&self.modes, link, self.shown(), &clock(shown_view.elapsed_ms))
                } else { html! {
                <header class="topbar">
                    <div class="brand">
                        { icons::logo() }
                        <span class="wordmark">{ "kubeplay" }</span>
                        <span class="tagline">{ "Kubernetes, simulated in your browser" }</span>
                    </div>
                    <div class="transport" role="group" aria-label="Simulation time">
                        <div class="clock" title={format!("virtual time since the cluster started · cluster clock {}", shown_view.now)}>
                            { icons::clock() }
                            <span class="clock-time" aria-label="virtual time">{ clock(shown_view.elapsed_ms) }</span>
                            <span class="clock-sub">{ if in_past { "past".to_string() } else if paused { "paused".to_string() } else { virtual_now } }</span>
                        </div>
                    </div>
                    <div class="top-right">
                        <button id="lessons-toggle" type="button" class={classes!("ghost-btn", self.panel_open.then_some("on"))}
                                onclick={on_toggle_panel} aria-expanded={self.panel_open.to_string()} aria-controls="lesson-panel"
                                title={if self.panel_open { "Hide the lesson panel" } else { "Show the lessons" }}>
                            <span aria-hidden="true">{ "☰" }</span><span>{ "Lessons" }</span>
                        </button>
                        <span class="cluster-badge" title="kubectl get nodes">
                            <span class={classes!("dot", (ready_nodes == nodes).then_some("ok"))} aria-hidden="true"></span>
                            { format!("kind · {ready_nodes}/{nodes} nodes ready") }
                        </span>
                        <button type="button" class="ghost-btn" onclick={on_reset}
                                title={if in_lesson { "Restart the lesson from its first step" } else { "Start over with a fresh cluster" }}>
                            { icons::reset() }<span>{ "Reset" }</span>
                        </button>
                        { modes::top_buttons(&self.modes, link) }
                    </div>
                </header>
                } } }

                <main class={classes!("workspace", self.inspect.is_some().then_some("with-inspector"), self.panel_open.then_some("with-lesson"))}>
                    { self.lesson_panel(ctx, in_past) }
                    <section class="term-pane" aria-label="Terminal">
                        <div class="pane-head">
                            { icons::terminal() }
                            <h2>{ "Terminal" }</h2>
                            <span class="pane-sub">{ "kubectl · sleep · # comments" }</span>
                            <button type="button" class="icon-btn" onclick={on_clear} title="Clear (Ctrl+L)" aria-label="Clear terminal">
                                { icons::broom() }
                            </button>
                        </div>
                        { modes::share_note(&self.modes, link) }
                        <div id="term-output" class="term-output" role="log" aria-live="polite" ref={self.output_ref.clone()}>
                            { if self.blocks.is_empty() { welcome(&on_suggest) } else { html! {} } }
                            { for self.blocks.iter().map(|b| {
                                let later = past_ms.is_some_and(|t| b.at_ms >= t);
                                html! { <div key={b.id} class={classes!("block-wrap", later.then_some("future"))}>
                                    { block_view(b, paused) }
                                </div> }
                            }) }
                        </div>
                        { self.edit.list(&link.callback(|c: String| Msg::Edit(EditKey::Pick(c)))) }
                        <div class={classes!("term-input-row", waiting.then_some("busy"), searching.then_some("searching"))}>
                            { self.edit.prompt() }
                            <textarea id="term-input" ref={self.input_ref.clone()} rows="1"
                                      value={self.input.clone()} oninput={on_input} onkeydown={on_keydown}
                                      disabled={waiting || self.modes.readonly} spellcheck="false" autocomplete="off"
                                      autocapitalize="off" aria-label="Command"
                                      placeholder={if self.modes.readonly { "read-only: open in kubeplay to type" } else if waiting { "waiting for the command to finish…" } else if in_past { "type to continue from this moment (later commands are dropped)" } else { "kubectl get pods" }} />
                        </div>
                    </section>

                    <div class={classes!("view-pane", self.goal.is_some().then_some("with-goal"), focused_svc.is_some().then_some("svc-pointing"))} onclick={on_view_click} onkeydown={on_view_key}>
                        { cluster::control_plane(shown_view, &lit, &self.controllers) }
                        { match &self.goal {
                            Some(g) => {
                                let text = self.pg.lesson().map(|r| r.goal_text()).unwrap_or_default();
                                html! {
                                    <>
                                    { goal::view(g, &text, &self.owner_order, link.callback(|_: MouseEvent| Msg::ToggleGoal), &on_suggest) }
                                    <div class="live-cap" aria-hidden="true">
                                        <span class="live-cap-tag">{ if in_past { "Past" } else { "Live" } }</span>
                                        <span>{ if in_past { "the cluster at the moment shown" } else { "the cluster now" } }</span>
                                    </div>
                                    </>
                                }
                            }
                            None => html! {},
                        } }
                        { cluster::matrix(shown_view, &lit, &self.owner_order, &ghosts, &on_suggest, focused_svc) }
                        { cluster::extras(shown_view, &released, &self.svc_focus, &link.callback(Msg::SvcFocus)) }
                        <section class="narration" aria-label="Narration">
                            <div class="pane-head">
                                <h2>{ "Narration" }</h2>
                                <span class="pane-sub">{ "each decision the control plane makes, in virtual time" }</span>
                                { narr_filter_select(&self.narration, &self.narr_filter, link.callback(Msg::NarrFilter)) }
                            </div>
                            <ol id="narration" class="narr-list" role="log" aria-live="polite" aria-relevant="additions"
                                aria-label="Narration: the up and down arrows move between the objects it names; Enter inspects one"
                                tabindex="0" ref={self.narr_ref.clone()} onkeydown={Callback::from(narr_arrow_keys)}>
                                { if self.narration.is_empty() {
                                    html! { <li class="narr-empty">{ "Quiet. Run a command and the controllers' decisions appear here." }</li> }
                                  } else { html! {} } }
                                { narr_more(narr_hidden, link.callback(|_: MouseEvent| Msg::NarrMore)) }
                                { for narr_drawn.iter().map(|item| match item {
                                    NarrItem::Decision(i, d) => html! {
                                        <li key={format!("d{i}")} class={classes!("narr-line", (*i >= narr_quiet).then_some("fresh"))} data-comp={narr_group(&d.component).to_string()}>
                                            <time>{ clock(d.at_ms) }</time>{ " " }
                                            <span class="comp">{ d.component.clone() }</span>{ ": " }
                                            <span class="msg">{ linked_message(&d.message, names) }</span>
                                        </li>
                                    },
                                    NarrItem::Command { id, line, at_ms } => html! {
                                        <li key={format!("c{id}")} class="narr-cmd">
                                            <time>{ clock(*at_ms) }</time>{ " " }
                                            <span class="you">{ "you ran" }</span>{ " " }
                                            <code>{ line.clone() }</code>
                                        </li>
                                    },
                                }) }
                            </ol>
                        </section>
                    </div>
                    { match &self.inspect {
                        Some(i) => inspector::drawer(i, shown_view.elapsed_ms, &insp_cb, self.close_ref.clone()),
                        None => html! {},
                    } }
                </main>
                { timeline::bar(
                    &timeline::Props {
                        paused,
                        speed: self.speed,
                        speeds: &SPEEDS,
                        min_ms: self.pg.earliest_ms(),
                        max_ms: self.pg.elapsed_ms(),
                        past_ms,
                        marks: &self.marks,
                    },
                    &timeline::Callbacks {
                        play: on_play,
                        step: link.callback(|_: MouseEvent| Msg::StepEvent),
                        speed: on_speed,
                        scrub: link.callback(Msg::ShowMoment),
                        live: link.callback(|_: MouseEvent| Msg::Live),
                    },
                ) }
                { modes::share_dialog(&self.modes, link, in_past) }
                { modes::help_dialog(&self.modes, link) }
                { modes::blank(&self.modes, link) }
            </div>
        }
    }
}

/// `#narr-more`, above the narration's lines while `hidden` earlier ones are not drawn.
fn narr_more(hidden: usize, onclick: Callback<MouseEvent>) -> Html {
    if hidden == 0 {
        return html! {};
    }
    let label = match hidden {
        1 => "Show the earlier line".to_string(),
        n if n <= NARR_STEP => format!("Show the {n} earlier lines"),
        n => format!("Show {NARR_STEP} earlier lines ({n} hidden)"),
    };
    html! {
        <li class="narr-more-item">
            <button type="button" id="narr-more" class="narr-more" data-hidden={hidden.to_string()} {onclick}>
                { label }
            </button>
        </li>
    }
}

/// The group a narration component filters under: every kubelet is `kubelet`.
fn narr_group(component: &str) -> &str {
    component.split('/').next().unwrap_or(component)
}

/// The end of a share link's note when it opened "from the start" (`App::open_shared`).
const FIRST_MOMENT: &str =
    " Showing its first moment: press Space or Play to watch it play back; End jumps to its end.";

/// Keyboard use of the narration (one stop in the Tab order, not one per object it names): the
/// up and down arrows move the focus between the objects named in its lines (from the list
/// itself, Up goes to the newest, Down to the oldest drawn); Enter on one inspects it.
fn narr_arrow_keys(e: KeyboardEvent) {
    let key = e.key();
    let up = match key.as_str() {
        "ArrowUp" => true,
        "ArrowDown" => false,
        _ => return,
    };
    if e.alt_key() || e.ctrl_key() || e.meta_key() || e.shift_key() {
        return;
    }
    let Some(list) = e
        .current_target()
        .and_then(|t| t.dyn_into::<Element>().ok())
    else {
        return;
    };
    let links = list.get_elements_by_class_name("narr-obj");
    let n = links.length();
    if n == 0 {
        return;
    }
    e.prevent_default();
    let active = gloo::utils::document().active_element();
    let at = (0..n).find(|&i| links.item(i).is_some_and(|l| Some(&l) == active.as_ref()));
    let next = match (at, up) {
        (None, true) => n - 1,
        (None, false) => 0,
        (Some(i), true) => i.saturating_sub(1),
        (Some(i), false) => (i + 1).min(n - 1),
    };
    if let Some(link) = links
        .item(next)
        .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = link.focus();
    }
}

/// The "Show" filter of the narration: every component group seen so far.
fn narr_filter_select(items: &[NarrItem], current: &str, on: Callback<String>) -> Html {
    let mut groups: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            NarrItem::Decision(_, d) => Some(narr_group(&d.component)),
            NarrItem::Command { .. } => None,
        })
        .collect();
    groups.sort_unstable();
    groups.dedup();
    if !current.is_empty() && !groups.contains(&current) {
        groups.push(current);
    }
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            on.emit(sel.value());
        }
    });
    html! {
        <label class="narr-filter">
            <span>{ "Show" }</span>
            <select id="narr-filter" aria-label="Show the narration of" {onchange}>
                <option value="" selected={current.is_empty()}>{ "every component" }</option>
                { for groups.iter().map(|g| html! {
                    <option value={g.to_string()} selected={*g == current}>{ g.to_string() }</option>
                }) }
            </select>
        </label>
    }
}

/// Names of the objects drawn at the shown moment -> (kind, namespace), for links in the narration.
fn narr_names(
    view: &crate::sim::view::ClusterView,
) -> std::collections::BTreeMap<String, (Kind, String)> {
    let mut m = std::collections::BTreeMap::new();
    for n in &view.nodes {
        m.insert(n.name.clone(), (Kind::Node, String::new()));
    }
    for p in view
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .chain(view.unscheduled.iter())
    {
        m.insert(p.name.clone(), (Kind::Pod, p.namespace.clone()));
    }
    for o in &view.owners {
        if let Some(kind) = Kind::ALL.iter().copied().find(|k| k.name() == o.kind) {
            m.entry(o.name.clone())
                .or_insert((kind, o.namespace.clone()));
        }
    }
    for s in &view.services {
        m.entry(s.name.clone())
            .or_insert((Kind::Service, s.namespace.clone()));
    }
    m
}

/// A decision's words, with the names of objects on the page as links to the inspector (plain
/// text otherwise; the words are rendered as text, never as HTML).
fn linked_message(msg: &str, names: &std::collections::BTreeMap<String, (Kind, String)>) -> Html {
    let mut parts: Vec<Html> = Vec::new();
    let mut plain = String::new();
    for (i, word) in msg.split(' ').enumerate() {
        if i > 0 {
            plain.push(' ');
        }
        // `default/web-1;` -> prefix `default/`, name `web-1`, suffix `;`
        let core_start = word.rfind('/').map(|p| p + 1).unwrap_or(0);
        let core_end = word
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_ascii_alphanumeric())
            .map(|(p, c)| p + c.len_utf8())
            .unwrap_or(0);
        let hit = (core_start < core_end)
            .then(|| &word[core_start..core_end])
            .and_then(|name| names.get(name).map(|t| (name, t)));
        match hit {
            Some((name, (kind, ns))) => {
                plain.push_str(&word[..core_start]);
                parts.push(html! { { std::mem::take(&mut plain) } });
                parts.push(html! {
                    <button type="button" class="narr-obj" tabindex="-1" data-inspect-kind={kind.name()}
                        data-inspect-name={name.to_string()} data-ns={ns.clone()}
                        title={format!("Inspect {} {name}", kind.name())}>{ name.to_string() }</button>
                });
                plain.push_str(&word[core_end..]);
            }
            None => plain.push_str(word),
        }
    }
    parts.push(html! { { plain } });
    parts.into_iter().collect::<Html>()
}
