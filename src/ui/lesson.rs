//! The lesson panel (UX §6): the lesson map grouped into tracks, and a lesson being played — the
//! idea, the steps (✓ done, ● current, ○ next), the current step's instructions, hints one at a
//! time, "Show solution", and the goal card docked at the bottom (never modal).
//!
//! The panel only draws; the state (the `LessonRun` inside the `Playground`, saved progress) is
//! the app's. Lesson text is Markdown rendered by `markdown` into text nodes (never inner HTML).
//!
//! DOM contract (end-to-end tests): `#lesson-panel[data-lesson-id][data-lesson-complete]`,
//! `#lessons-toggle`, `#lesson-map`, `.lesson-tile[data-lesson-id][data-lesson-done][data-lesson-progress]`,
//! `#lesson-steps > li.step[data-step][data-step-done][data-step-current]`, `#lesson-goal[data-goal-met]`,
//! `#lesson-hint`, `.lesson-hint`, `#lesson-solution`, `#lesson-reset`, `#lesson-skip`,
//! `#lesson-map-btn`, `#lesson-status` (the `role=status` live region), `#lesson-show-goal[aria-pressed]`
//! (in the goal card: draws the goal's cluster in `#goal-view`, see `goal.rs`).

use std::collections::HashMap;

use yew::prelude::*;

use crate::lessons::{GoalReport, Lesson, LessonCard, LessonRun, TRACKS};

/// What the map shows of a lesson's saved progress.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tick {
    pub done: usize,
    pub total: usize,
    /// Completed at least once (kept even when the lesson is restarted).
    pub complete: bool,
}

// ---------- Markdown (a safe subset, as text nodes) ------------------------------------------

/// Inline Markdown: `code`, **bold**, *emphasis*; everything else is literal text.
pub fn inline(text: &str) -> Html {
    let mut out: Vec<Html> = Vec::new();
    let mut plain = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let flush = |plain: &mut String, out: &mut Vec<Html>| {
        if !plain.is_empty() {
            out.push(html! { { std::mem::take(plain) } });
        }
    };
    let find = |from: usize, pat: &[char]| -> Option<usize> {
        (from..chars.len().saturating_sub(pat.len() - 1)).find(|&j| chars[j..j + pat.len()] == *pat)
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            if let Some(end) = find(i + 1, &['`']) {
                flush(&mut plain, &mut out);
                let code: String = chars[i + 1..end].iter().collect();
                out.push(html! { <code>{ code }</code> });
                i = end + 1;
                continue;
            }
        }
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            if let Some(end) = find(i + 2, &['*', '*']) {
                if end > i + 2 {
                    flush(&mut plain, &mut out);
                    let inner: String = chars[i + 2..end].iter().collect();
                    out.push(html! { <strong>{ inline(&inner) }</strong> });
                    i = end + 2;
                    continue;
                }
            }
        }
        if (c == '*' || c == '_') && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            let before_ok = i == 0 || !chars[i - 1].is_alphanumeric();
            if before_ok {
                if let Some(end) = find(i + 1, &[c]) {
                    let after_ok = chars.get(end + 1).is_none_or(|n| !n.is_alphanumeric());
                    if end > i + 1 && after_ok && !chars[end - 1].is_whitespace() {
                        flush(&mut plain, &mut out);
                        let inner: String = chars[i + 1..end].iter().collect();
                        out.push(html! { <em>{ inline(&inner) }</em> });
                        i = end + 1;
                        continue;
                    }
                }
            }
        }
        plain.push(c);
        i += 1;
    }
    flush(&mut plain, &mut out);
    html! { <>{ for out }</> }
}

enum Block {
    Para(Vec<String>),
    List { ordered: bool, items: Vec<String> },
    Code(Vec<String>),
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    for p in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(p) {
            return Some((false, rest));
        }
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        if let Some(rest) = t[digits..]
            .strip_prefix(". ")
            .or_else(|| t[digits..].strip_prefix(") "))
        {
            return Some((true, rest));
        }
    }
    None
}

/// Block Markdown: paragraphs (blank-line separated), `-`/`*`/`1.` lists, ``` fenced code.
pub fn markdown(text: &str) -> Html {
    let mut blocks: Vec<Block> = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            if in_code {
                in_code = false;
            } else {
                in_code = true;
                blocks.push(Block::Code(Vec::new()));
            }
            continue;
        }
        if in_code {
            if let Some(Block::Code(lines)) = blocks.last_mut() {
                lines.push(line.to_string());
            }
            continue;
        }
        if line.trim().is_empty() {
            blocks.push(Block::Para(Vec::new()));
            continue;
        }
        if let Some((ordered, rest)) = list_item(line) {
            match blocks.last_mut() {
                Some(Block::List { ordered: o, items }) if *o == ordered => {
                    items.push(rest.to_string())
                }
                _ => blocks.push(Block::List {
                    ordered,
                    items: vec![rest.to_string()],
                }),
            }
            continue;
        }
        match blocks.last_mut() {
            // A continuation line of a list item (indented).
            Some(Block::List { items, .. }) if line.starts_with(' ') => {
                if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(line.trim());
                }
            }
            Some(Block::Para(lines)) => lines.push(line.trim().to_string()),
            _ => blocks.push(Block::Para(vec![line.trim().to_string()])),
        }
    }
    html! {
        <>
        { for blocks.into_iter().filter_map(|b| match b {
            Block::Para(lines) if lines.is_empty() => None,
            Block::Para(lines) => Some(html! { <p>{ inline(&lines.join(" ")) }</p> }),
            Block::List { ordered: false, items } => Some(html! { <ul>{ for items.iter().map(|i| html! { <li>{ inline(i) }</li> }) }</ul> }),
            Block::List { ordered: true, items } => Some(html! { <ol>{ for items.iter().map(|i| html! { <li>{ inline(i) }</li> }) }</ol> }),
            Block::Code(lines) => Some(html! { <pre class="md-code">{ lines.join("\n") }</pre> }),
        }) }
        </>
    }
}

// ---------- the map --------------------------------------------------------------------------

pub struct MapProps<'a> {
    pub lessons: &'a [LessonCard],
    pub ticks: &'a HashMap<String, Tick>,
    /// The lesson being played, if any.
    pub current: Option<&'a str>,
    /// Lesson files that failed to load (for authors).
    pub errors: &'a [String],
    /// A message above the map (a bad deep link).
    pub notice: Option<&'a str>,
}

pub fn map(
    p: &MapProps,
    on_open: &Callback<String>,
    on_back: Option<Callback<MouseEvent>>,
) -> Html {
    let mut tracks: Vec<(&str, &str)> = TRACKS.to_vec();
    for l in p.lessons {
        if !tracks.iter().any(|(id, _)| *id == l.track) {
            tracks.push((l.track, "Other"));
        }
    }
    html! {
        <div id="lesson-map" class="lesson-map">
            <div class="lp-head">
                <h2 class="lp-title">{ "Lessons" }</h2>
                { match on_back {
                    Some(cb) => html! { <button type="button" class="lp-link" onclick={cb}>{ "Back to the lesson ▸" }</button> },
                    None => html! {},
                } }
            </div>
            { match p.notice { Some(n) => html! { <p class="lp-notice" role="alert">{ n }</p> }, None => html! {} } }
            <p class="lp-intro">{ "Each lesson sets up a cluster and checks your work against it as the simulation runs. Progress stays in this browser." }</p>
            { for tracks.iter().filter_map(|(track, title)| {
                let lessons: Vec<&LessonCard> = p.lessons.iter().filter(|l| l.track == *track).collect();
                if lessons.is_empty() {
                    // Cluster API keeps its place in the map until its lessons arrive.
                    if *track != "capi" {
                        return None;
                    }
                    return Some(html! {
                        <section class="lp-track" aria-label={title.to_string()} data-track="capi">
                            <h3 class="lp-track-title">{ *title }</h3>
                            <p class="lp-intro">{ "Coming next: Cluster API (kind, clusterctl), managing clusters with Kubernetes objects." }</p>
                        </section>
                    });
                }
                Some(html! {
                    <section class="lp-track" aria-label={title.to_string()}>
                        <h3 class="lp-track-title">{ *title }</h3>
                        <ul class="lp-tiles">
                            { for lessons.iter().map(|l| tile(l, p.ticks.get(l.id), p.current == Some(l.id), on_open)) }
                        </ul>
                    </section>
                })
            }) }
            { if p.errors.is_empty() { html! {} } else { html! {
                <details class="lp-errors">
                    <summary>{ format!("{} lesson file(s) failed to load", p.errors.len()) }</summary>
                    <ul>{ for p.errors.iter().map(|e| html! { <li><pre>{ e.clone() }</pre></li> }) }</ul>
                </details>
            } } }
        </div>
    }
}

fn tile(l: &LessonCard, tick: Option<&Tick>, current: bool, on_open: &Callback<String>) -> Html {
    let total = l.steps;
    let t = tick.cloned().unwrap_or(Tick {
        done: 0,
        total,
        complete: false,
    });
    let (mark, word) = if l.is_sandbox() {
        ("◇", "no goals".to_string())
    } else if t.complete {
        ("✓", "done".to_string())
    } else if t.done > 0 {
        ("◐", format!("{}/{} steps", t.done, total))
    } else {
        ("○", format!("{total} steps"))
    };
    let id = l.id;
    let cb = on_open.clone();
    html! {
        <li>
            <button type="button" class={classes!("lp-tile", "lesson-tile", t.complete.then_some("done"), current.then_some("current"))}
                    data-lesson-id={l.id} data-lesson-done={t.complete.to_string()}
                    data-lesson-progress={format!("{}/{}", t.done, total)}
                    aria-current={current.then_some("true")}
                    onclick={Callback::from(move |_| cb.emit(id.to_string()))}>
                <span class={classes!("lp-mark", t.complete.then_some("ok"))} aria-hidden="true">{ mark }</span>
                <span class="lp-tile-text">
                    <span class="lp-tile-title">{ l.title }</span>
                    <span class="lp-tile-sum">{ l.summary }</span>
                </span>
                <span class="lp-tile-meta">{ if current { format!("{word} · open") } else { word } }</span>
            </button>
        </li>
    }
}

// ---------- a lesson being played ------------------------------------------------------------

pub struct PanelProps<'a> {
    pub run: &'a LessonRun,
    pub report: Option<GoalReport>,
    /// The solution of the current step, once the learner asked for it.
    pub solution: Option<Vec<String>>,
    /// The solution is being typed into the terminal.
    pub typing: bool,
    /// A note at the top (resumed, opened at step N).
    pub note: Option<&'a str>,
    /// Viewing the past: goals reflect the live session, not the moment shown.
    pub in_past: bool,
    /// The goal's cluster is drawn (`#goal-view`).
    pub goal_shown: bool,
    pub title_ref: NodeRef,
    pub step_ref: NodeRef,
}

pub struct PanelCallbacks {
    pub show_map: Callback<MouseEvent>,
    pub hint: Callback<MouseEvent>,
    pub solution: Callback<MouseEvent>,
    pub reset: Callback<MouseEvent>,
    pub skip: Callback<MouseEvent>,
    pub exit: Callback<MouseEvent>,
    pub suggest: Callback<String>,
    /// Show / hide the goal's cluster.
    pub goal: Callback<MouseEvent>,
}

pub fn panel(p: &PanelProps, cb: &PanelCallbacks) -> Html {
    let run = p.run;
    let lesson = run.lesson();
    let n = lesson.steps.len();
    let cur = run.step_index();
    let complete = run.is_complete();
    let sandbox = lesson.is_sandbox();
    let done_count = run.completed().iter().filter(|d| **d).count();
    html! {
        <div class="lesson-play">
            <div class="lp-scroll">
                <div class="lp-head">
                    <button id="lesson-map-btn" type="button" class="lp-link" onclick={cb.show_map.clone()}>{ "◂ All lessons" }</button>
                    <span class="lp-track-tag">{ lesson.track_title() }</span>
                </div>
                <h2 class="lp-lesson-title" tabindex="-1" ref={p.title_ref.clone()}>{ lesson.title.clone() }</h2>
                <p class="lp-summary">{ lesson.summary.clone() }</p>
                { match p.note { Some(t) => html! { <p class="lp-note">{ t }</p> }, None => html! {} } }
                <details class="lp-idea" open={cur == 0 || sandbox}>
                    <summary>{ "The idea" }</summary>
                    <div class="md">{ markdown(&run.fill(&lesson.concept)) }</div>
                    { match &lesson.corrects {
                        Some(c) => html! { <div class="md lp-corrects"><h4>{ "Common mix-ups" }</h4>{ markdown(&run.fill(c)) }</div> },
                        None => html! {},
                    } }
                </details>
                { if sandbox {
                    html! { <p class="lp-sandbox">{ "A sandbox has no steps and no goals: try anything in the terminal." }</p> }
                } else { html! {
                    <>
                    <div class="lp-progress" aria-hidden="true">
                        <span class="lp-bar"><span style={format!("width: {:.1}%", done_count as f64 / n.max(1) as f64 * 100.0)}></span></span>
                        <span>{ format!("{done_count}/{n}") }</span>
                    </div>
                    <ol id="lesson-steps" class="lp-steps" aria-label="Steps">
                        { for lesson.steps.iter().enumerate().map(|(i, s)| {
                            let done = run.completed().get(i).copied().unwrap_or(false);
                            let current = i == cur;
                            let state = if done { "done" } else if current { "current" } else if i < cur { "skipped" } else { "next" };
                            let glyph = match state { "done" => "✓", "current" => "●", "skipped" => "↷", _ => "○" };
                            let word = match state { "done" => "done", "current" => "current step", "skipped" => "skipped", _ => "not yet" };
                            html! {
                                <li class={classes!("step", state)} data-step={(i + 1).to_string()}
                                    data-step-done={done.to_string()} data-step-current={current.to_string()}
                                    aria-current={current.then_some("step")}>
                                    <div class="step-head">
                                        <span class="step-glyph" aria-hidden="true">{ glyph }</span>
                                        { if current {
                                            html! { <h3 class="step-title" tabindex="-1" ref={p.step_ref.clone()}>{ format!("{}. {}", i + 1, s.title) }</h3> }
                                        } else {
                                            html! { <span class="step-title">{ format!("{}. {}", i + 1, s.title) }</span> }
                                        } }
                                        <span class="sr-only">{ format!(" ({word})") }</span>
                                    </div>
                                    { if current { current_step(run, s, p, cb) } else { html! {} } }
                                </li>
                            }
                        }) }
                    </ol>
                    { if complete { finished(lesson, cb) } else { html! {} } }
                    </>
                } } }
                <div class="lp-actions">
                    <button id="lesson-reset" type="button" class="ghost-btn small" onclick={cb.reset.clone()}
                            title="Start this lesson again from its first step">{ "↺ Restart lesson" }</button>
                    <button id="lesson-exit" type="button" class="ghost-btn small" onclick={cb.exit.clone()}
                            title="Leave the lesson for a free cluster (progress is kept)">{ "Leave lesson" }</button>
                </div>
            </div>
            { if sandbox || complete { html! {} } else { goal_card(run, p, cb) } }
        </div>
    }
}

fn current_step(
    run: &LessonRun,
    s: &crate::lessons::Step,
    p: &PanelProps,
    cb: &PanelCallbacks,
) -> Html {
    let hints = run.hints_revealed();
    let left = run.hints_left();
    html! {
        <div class="step-body">
            <div class="md">{ markdown(&run.fill(&s.instructions)) }</div>
            { match &s.watch {
                Some(w) => html! { <p class="step-watch"><span class="lbl">{ "Watch: " }</span>{ inline(&run.fill(w)) }</p> },
                None => html! {},
            } }
            { if hints.is_empty() { html! {} } else { html! {
                <ol class="lp-hints" aria-label="Hints">
                    { for hints.iter().enumerate().map(|(i, h)| html! {
                        <li class="lesson-hint"><span class="lbl">{ format!("Hint {} ", i + 1) }</span>{ inline(h) }</li>
                    }) }
                </ol>
            } } }
            { match &p.solution {
                Some(lines) => html! {
                    <div class="lp-solution" aria-label="Solution">
                        <span class="lbl">{ if p.typing { "Solution (typing it into the terminal…)" } else { "Solution" } }</span>
                        <ul>{ for lines.iter().map(|l| {
                            let sug = cb.suggest.clone();
                            let line = l.clone();
                            html! { <li><button type="button" class="sol-line" title="Put this command in the terminal"
                                onclick={Callback::from(move |_| sug.emit(line.clone()))}><span class="prompt">{ "$ " }</span>{ l.clone() }</button></li> }
                        }) }</ul>
                    </div>
                },
                None => html! {},
            } }
            <div class="step-btns">
                <button id="lesson-hint" type="button" class="ghost-btn small" onclick={cb.hint.clone()} disabled={left == 0}
                        aria-label={if left == 0 { "No more hints".to_string() } else { format!("Show a hint ({left} left)") }}>
                    { if left == 0 { "No more hints".to_string() } else if hints.is_empty() { format!("Hint ({left})") } else { format!("Another hint ({left})") } }
                </button>
                <button id="lesson-solution" type="button" class="ghost-btn small" onclick={cb.solution.clone()} disabled={p.typing || p.in_past}>
                    { "Show solution" }
                </button>
                <button id="lesson-skip" type="button" class="lp-link" onclick={cb.skip.clone()} title="Move on without meeting this goal">
                    { "Skip step" }
                </button>
            </div>
        </div>
    }
}

fn goal_card(run: &LessonRun, p: &PanelProps, cb: &PanelCallbacks) -> Html {
    let met = p.report.as_ref().is_some_and(|r| r.met);
    let text = run.goal_text();
    html! {
        <section id="lesson-goal" class={classes!("lp-goal", met.then_some("met"))} data-goal-met={met.to_string()} aria-label="Goal">
            <div class="goal-head">
                <span class="goal-lbl">{ format!("Goal · step {}", run.step_index() + 1) }</span>
                { if p.in_past { html! { <span class="goal-note">{ "(live cluster)" }</span> } } else { html! {} } }
                { if run.solution().is_empty() { html! {} } else { html! {
                    <button id="lesson-show-goal" type="button" class={classes!("ghost-btn", "small", "goal-btn", p.goal_shown.then_some("on"))}
                            onclick={cb.goal.clone()} aria-pressed={p.goal_shown.to_string()} aria-controls="goal-view"
                            title={if p.goal_shown { "Hide the goal's cluster (Esc)" } else { "Draw the cluster as this step's goal wants it, beside the live one" }}>
                        { if p.goal_shown { "Hide goal" } else { "Show goal" } }
                    </button>
                } } }
            </div>
            { for text.iter().map(|t| html! { <p class="goal-text">{ inline(t) }</p> }) }
            { match &p.report {
                Some(r) => html! {
                    <ul class="goal-checks">
                        { for r.lines.iter().map(|l| html! {
                            <li class={classes!(l.met.then_some("ok"))}>
                                <span class="gk" aria-hidden="true">{ if l.met { "✓" } else { "✗" } }</span>
                                <span class="sr-only">{ if l.met { "met: " } else { "not yet: " } }</span>
                                <span class="gt">{ inline(&l.text) }</span>
                                { match (&l.actual, l.met) {
                                    (Some(a), false) => html! { <span class="ga">{ format!(" now: {a}") }</span> },
                                    _ => html! {},
                                } }
                            </li>
                        }) }
                    </ul>
                },
                None => html! {},
            } }
        </section>
    }
}

fn finished(lesson: &Lesson, cb: &PanelCallbacks) -> Html {
    html! {
        <div class="lp-finished">
            <p class="lp-done-title">{ "✓ Lesson complete" }</p>
            { if lesson.break_it.is_empty() { html! {} } else { html! {
                <div class="lp-break">
                    <h4>{ "Try breaking it" }</h4>
                    <ul>{ for lesson.break_it.iter().map(|b| html! {
                        <li>
                            { inline(&b.text) }
                            { for b.commands.iter().map(|c| {
                                let sug = cb.suggest.clone();
                                let line = c.clone();
                                html! { <button type="button" class="sol-line" onclick={Callback::from(move |_| sug.emit(line.clone()))}>
                                    <span class="prompt">{ "$ " }</span>{ c.clone() }</button> }
                            }) }
                        </li>
                    }) }</ul>
                </div>
            } } }
            <button type="button" class="lp-link" onclick={cb.show_map.clone()}>{ "◂ Choose the next lesson" }</button>
        </div>
    }
}
