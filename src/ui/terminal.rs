//! The terminal's transcript: one block per command, stdout and stderr kept apart.

use yew::prelude::*;

use super::format::clock;
use crate::kubectl::complete::{complete, search_history, Completion};
use crate::kubectl::Shell;

/// One command and what it printed.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub id: u64,
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// Virtual time when it ran.
    pub at_ms: u64,
    /// Still waiting (the spinner shows) until the simulation says it is done.
    pub waiting: bool,
    /// A line the terminal itself answered (e.g. `clear`), not the shell.
    pub local: bool,
}

impl Block {
    /// Ctrl+C: `^C`, and the exit status of a command interrupted by SIGINT.
    pub fn cut_short(&mut self) {
        self.stdout.push_str("^C\n");
        self.exit_code = 130;
    }
}

/// The spinner shown while a command waits.
fn waiting_line(paused: bool) -> Html {
    html! {
        <div class="waiting" role="status">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ "waiting…" }</span>
            <span class="paused-note">{ "Ctrl+C to stop waiting" }</span>
            { if paused { html! { <span class="paused-note">{ "(paused: press Space or ▶ to play)" }</span> } } else { html! {} } }
        </div>
    }
}

pub fn block_view(b: &Block, paused: bool) -> Html {
    let failed = b.exit_code != 0;
    html! {
        <div key={b.id} class={classes!("block", failed.then_some("failed"), b.waiting.then_some("running"), b.local.then_some("local"))}>
            <div class="cmd-line">
                <span class="prompt" aria-hidden="true">{ "$ " }</span>
                <span class="cmd">{ b.command.clone() }</span>
                <span class="cmd-meta">
                    { if failed { html! { <span class="exit" title="exit status">{ format!("exit {}", b.exit_code) }</span> } } else { html! {} } }
                    <time class="at" title="virtual time when it ran">{ clock(b.at_ms) }</time>
                </span>
            </div>
            { if b.stdout.is_empty() { html! {} } else { html! { <pre class="stdout">{ b.stdout.trim_end_matches('\n').to_string() }</pre> } } }
            { if b.stderr.is_empty() { html! {} } else { html! { <pre class="stderr">{ b.stderr.trim_end_matches('\n').to_string() }</pre> } } }
            { if b.waiting { waiting_line(paused) } else { html! {} } }
        </div>
    }
}

/// Shown above the transcript until the first command.
pub fn welcome(on_suggest: &Callback<String>) -> Html {
    let tries = [
        "kubectl get nodes",
        "kubectl create deployment web --image=nginx --replicas=3",
        "kubectl get pods -o wide",
        "kubectl scale deployment web --replicas=5",
        "kubectl delete pod <name>",
    ];
    html! {
        <div class="welcome">
            <p class="welcome-title">{ "A simulated Kubernetes cluster, running in this tab." }</p>
            <p class="welcome-text">{ "Type kubectl commands below. Nothing leaves your browser; time is virtual, so you can pause it or speed it up." }</p>
            <ul class="tries">
                { for tries.iter().map(|t| {
                    let cb = on_suggest.clone();
                    let cmd = t.to_string();
                    html! { <li><button type="button" class="try" onclick={Callback::from(move |_| cb.emit(cmd.clone()))}>
                        <span class="prompt">{ "$ " }</span>{ *t }</button></li> }
                }) }
            </ul>
            <p class="keys">
                <kbd>{ "Enter" }</kbd>{ " run · " }<kbd>{ "↑" }</kbd><kbd>{ "↓" }</kbd>{ " history · " }
                <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "R" }</kbd>{ " search history · " }
                <kbd>{ "Tab" }</kbd>{ " complete (twice: list) · " }
                <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "L" }</kbd>{ " clear · " }<kbd>{ "Esc" }</kbd>{ " or " }
                <kbd>{ "Shift" }</kbd>{ "+" }<kbd>{ "Tab" }</kbd>{ " leave the prompt, then " }
                <kbd>{ "Space" }</kbd>{ " play/pause" }
            </p>
        </div>
    }
}

/// A key the prompt handles itself: completion and the reverse history search.
#[derive(Clone, Debug, PartialEq)]
pub enum EditKey {
    /// Tab with the caret at this byte offset of the input.
    Tab(usize),
    /// A listed candidate clicked.
    Pick(String),
    /// Ctrl-R: open the search, or find an older match.
    Search,
    /// A character typed into the search.
    SearchType(String),
    SearchBackspace,
    /// Leave the search keeping the match (`true`: and run it, as Enter does).
    SearchAccept(bool),
    /// Escape / Ctrl-G: leave the search, restoring the line.
    SearchCancel,
}

/// Bash's `(reverse-i-search)`: what is typed, the history entry found, the line before.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search {
    pub query: String,
    pub at: Option<usize>,
    pub saved: String,
    pub failed: bool,
}

/// The prompt's line editing beyond the textarea's own: Tab completion and Ctrl-R.
#[derive(Default)]
pub struct LineEdit {
    /// The last Tab changed nothing: the next one lists the candidates.
    armed: bool,
    /// The candidates listed under the prompt (the second Tab), and the range they replace.
    pub listed: Option<Completion>,
    pub search: Option<Search>,
    /// Where to put the caret after the next render (UTF-16 units).
    pub caret: Option<u32>,
}

fn utf16(s: &str, byte: usize) -> u32 {
    s[..byte.min(s.len())].encode_utf16().count() as u32
}

/// The byte offset of a UTF-16 caret position.
pub fn byte_offset(s: &str, utf16_pos: u32) -> usize {
    let mut n = 0u32;
    for (i, c) in s.char_indices() {
        if n >= utf16_pos {
            return i;
        }
        n += c.len_utf16() as u32;
    }
    s.len()
}

/// How many candidates the list shows (bash asks before showing hundreds).
const MAX_LISTED: usize = 120;

impl LineEdit {
    /// The learner changed the line: forget the pending Tab and the list; typing ends a search.
    pub fn typed(&mut self) {
        self.armed = false;
        self.listed = None;
        self.search = None;
    }

    /// Handles a key. Returns whether the page must redraw, and whether to run the line (Enter
    /// in the search).
    pub fn key(
        &mut self,
        key: EditKey,
        input: &mut String,
        history: &[String],
        shell: &Shell,
    ) -> (bool, bool) {
        match key {
            EditKey::Tab(cursor) => {
                self.search = None;
                let c = complete(shell, input, cursor, LOCAL_PROGRAMS);
                match c.apply(input) {
                    Some((line, caret)) => {
                        self.caret = Some(utf16(&line, caret));
                        *input = line;
                        self.armed = c.candidates.len() > 1;
                        self.listed = None;
                    }
                    None if c.candidates.len() > 1 && self.armed => self.listed = Some(c),
                    None => self.armed = c.candidates.len() > 1,
                }
                (true, false)
            }
            EditKey::Pick(cand) => {
                let Some(listed) = self.listed.take() else {
                    return (false, false);
                };
                let one = Completion {
                    candidates: vec![cand],
                    ..listed
                };
                if let Some((line, caret)) = one.apply(input) {
                    self.caret = Some(utf16(&line, caret));
                    *input = line;
                }
                self.armed = false;
                (true, false)
            }
            EditKey::Search => {
                self.listed = None;
                let s = self.search.get_or_insert_with(|| Search {
                    saved: input.clone(),
                    ..Default::default()
                });
                if !s.query.is_empty() {
                    let before = s.at.unwrap_or(history.len());
                    match search_history(history, &s.query, before) {
                        Some(i) => {
                            s.at = Some(i);
                            s.failed = false;
                            *input = history[i].clone();
                        }
                        None => s.failed = true,
                    }
                }
                (true, false)
            }
            EditKey::SearchType(t) => {
                let Some(s) = self.search.as_mut() else {
                    return (false, false);
                };
                s.query.push_str(&t);
                // A longer query may still match the entry shown.
                let from = s.at.map(|i| i + 1).unwrap_or(history.len());
                match search_history(history, &s.query, from) {
                    Some(i) => {
                        s.at = Some(i);
                        s.failed = false;
                        *input = history[i].clone();
                    }
                    None => s.failed = true,
                }
                (true, false)
            }
            EditKey::SearchBackspace => {
                let Some(s) = self.search.as_mut() else {
                    return (false, false);
                };
                s.query.pop();
                if s.query.is_empty() {
                    s.at = None;
                    s.failed = false;
                    *input = s.saved.clone();
                } else {
                    match search_history(history, &s.query, history.len()) {
                        Some(i) => {
                            s.at = Some(i);
                            s.failed = false;
                            *input = history[i].clone();
                        }
                        None => s.failed = true,
                    }
                }
                (true, false)
            }
            EditKey::SearchAccept(run) => {
                let Some(_) = self.search.take() else {
                    return (false, false);
                };
                self.caret = Some(utf16(input, input.len()));
                (true, run)
            }
            EditKey::SearchCancel => {
                let Some(s) = self.search.take() else {
                    // Escape outside a search hides the list.
                    self.armed = false;
                    return (self.listed.take().is_some(), false);
                };
                *input = s.saved;
                self.caret = Some(utf16(input, input.len()));
                (true, false)
            }
        }
    }

    /// The prompt: `$`, or bash's search prompt while searching.
    pub fn prompt(&self) -> Html {
        match &self.search {
            None => html! {
                <label for="term-input" class="prompt">{ "$" }<span class="sr-only">{ " Command" }</span></label>
            },
            Some(s) => html! {
                <label for="term-input" id="term-search" class={classes!("prompt", "search-prompt", s.failed.then_some("failed"))}
                       data-query={s.query.clone()} data-failed={s.failed.to_string()}>
                    { if s.failed { "(failed reverse-i-search)`" } else { "(reverse-i-search)`" } }
                    <span class="search-query">{ s.query.clone() }</span>{ "': " }
                </label>
            },
        }
    }

    /// The candidates listed by a second Tab (always in the DOM, so screen readers hear them).
    pub fn list(&self, on_pick: &Callback<String>) -> Html {
        let items: &[String] = self
            .listed
            .as_ref()
            .map(|c| c.candidates.as_slice())
            .unwrap_or(&[]);
        let more = items.len().saturating_sub(MAX_LISTED);
        html! {
            <div id="term-completions" class={classes!("term-completions", items.is_empty().then_some("empty"))}
                 role="status" aria-live="polite" aria-label="Completions" data-count={items.len().to_string()}>
                { if items.is_empty() { html! {} } else { html! {
                    <ul>
                        { for items.iter().take(MAX_LISTED).map(|c| {
                            let cb = on_pick.clone();
                            let v = c.clone();
                            html! { <li><button type="button" tabindex="-1" class="completion" data-completion={c.clone()}
                                onmousedown={Callback::from(|e: MouseEvent| e.prevent_default())}
                                onclick={Callback::from(move |_| cb.emit(v.clone()))}>{ c.clone() }</button></li> }
                        }) }
                        { if more > 0 { html! { <li class="more">{ format!("… {more} more") }</li> } } else { html! {} } }
                    </ul>
                } } }
            </div>
        }
    }
}

/// First words the page answers itself (not the shell).
pub const LOCAL_PROGRAMS: &[&str] = &["clear"];
