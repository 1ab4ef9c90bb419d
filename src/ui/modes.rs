//! Share links, presenter mode, embed mode and the keyboard help (UX §2, §6, §7).
//!
//! - **Share** (`#share-btn`): a dialog with a URL whose fragment replays this session (or the
//!   moment being viewed) in any browser; see `lessons::share` for the format. Opening such a
//!   link replays it and shows a note (`#share-note`) or, for a broken link, an error
//!   (`#share-error`), always as text.
//! - **Presenter mode** (`#presenter-toggle`, the `P` key, `?presenter` or `#…&presenter`):
//!   large type, high contrast, no top bar, the lesson as a one-line caption; keys for the
//!   timeline (listed by `?` in `#help-dialog`).
//! - **Embed mode** (`?embed=1`): a 40 px bar with "Open in kubeplay", the cluster, the terminal
//!   and the timeline; no local-storage writes and no focus taken on load; `&readonly=1` turns
//!   the terminal off.

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDialogElement, HtmlInputElement, KeyboardEvent};
use yew::html::Scope;
use yew::prelude::*;

use super::app::{App, Msg};
use crate::lessons::share::{self, Shared, LONG_LINK, MAX_FRAGMENT};
use crate::lessons::Playground;

/// What the modes add to the page's state.
#[derive(Default)]
pub struct Modes {
    pub presenter: bool,
    pub embed: bool,
    /// `?embed=1&readonly=1`: the terminal takes no input (the cluster still plays).
    pub readonly: bool,
    /// `B` in presenter mode: the screen goes dark (the class looks at the teacher).
    pub blank: bool,
    /// `H`: the terminal is hidden (the cluster gets the room).
    pub hide_term: bool,
    pub help: bool,
    /// The share dialog is open with this link (or the reason there is none).
    pub share: Option<Result<String, String>>,
    pub copied: bool,
    /// The link opens at the session's first moment and plays it back from there.
    pub from_start: bool,
    /// What opening a share link did: (is an error, text).
    pub note: Option<(bool, String)>,
    /// Where the focus was when a dialog opened (it goes back there when the dialog closes),
    /// and whether to put it back after the next render.
    pub return_focus: Option<web_sys::HtmlElement>,
    pub restore_focus: bool,
    pub share_ref: NodeRef,
    pub help_ref: NodeRef,
    pub url_ref: NodeRef,
}

pub enum ModeMsg {
    TogglePresenter,
    ToggleHelp,
    OpenShare,
    CopyShare,
    /// "Play it back from the start" in the share dialog.
    ToggleFromStart,
    /// A dialog closed itself (Escape, its close button).
    DialogClosed,
    Blank,
    HideTerm,
    DismissNote,
}

/// True when the flag is in the query or fragment: `presenter`, `presenter=1` (not `=0`).
pub fn flag(names: &[&str]) -> bool {
    let loc = gloo::utils::window().location();
    [
        loc.search().unwrap_or_default(),
        loc.hash().unwrap_or_default(),
    ]
    .iter()
    .flat_map(|part| {
        part.trim_start_matches(['?', '#'])
            .split('&')
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    })
    .any(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair.as_str(), "1"));
        names.contains(&k) && !matches!(v, "0" | "false" | "no")
    })
}

impl Modes {
    /// The modes the address asks for.
    pub fn from_url() -> Modes {
        Modes {
            presenter: flag(&["presenter", "present"]),
            embed: flag(&["embed"]),
            readonly: flag(&["embed"]) && flag(&["readonly"]),
            ..Modes::default()
        }
    }

    /// Classes for the page root.
    pub fn classes(&self) -> Classes {
        classes!(
            self.presenter.then_some("presenter"),
            self.embed.then_some("embed"),
            self.hide_term.then_some("hide-term"),
        )
    }

    /// Local storage is the embedding page's visitor's, not ours: embeds write nothing.
    pub fn may_store(&self) -> bool {
        !self.embed
    }

    /// The flags to keep in an address the page rewrites (`&presenter=1`, `&embed=1`).
    pub fn url_flags(&self) -> String {
        let mut s = String::new();
        if self.presenter {
            s.push_str("presenter=1");
        }
        if self.embed {
            if !s.is_empty() {
                s.push('&');
            }
            s.push_str("embed=1");
        }
        s
    }

    /// Adds the mode flags to an address `path[?query]`.
    pub fn decorate(&self, url: String) -> String {
        let f = self.url_flags();
        if f.is_empty() {
            url
        } else if url.contains('?') {
            format!("{url}&{f}")
        } else {
            format!("{url}?{f}")
        }
    }

    /// A dialog is open (Escape belongs to it).
    pub fn dialog_open(&self) -> bool {
        self.help || self.share.is_some()
    }

    /// Remembers the focused element when no dialog is open yet.
    fn note_focus(&mut self) {
        if !self.dialog_open() {
            self.return_focus = gloo::utils::document()
                .active_element()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        }
    }

    pub fn update(&mut self, msg: ModeMsg, shown: &Playground) -> bool {
        let was_open = self.dialog_open();
        if matches!(msg, ModeMsg::ToggleHelp | ModeMsg::OpenShare) {
            self.note_focus();
        }
        let changed = self.update_inner(msg, shown);
        if was_open && !self.dialog_open() {
            self.restore_focus = true;
        }
        changed
    }

    fn update_inner(&mut self, msg: ModeMsg, shown: &Playground) -> bool {
        match msg {
            ModeMsg::TogglePresenter => {
                self.presenter = !self.presenter;
                self.blank = false;
                self.replace_flags();
            }
            ModeMsg::ToggleHelp => {
                self.help = !self.help;
                self.share = None;
            }
            ModeMsg::OpenShare => {
                self.help = false;
                self.copied = false;
                self.share = Some(share_url(shown, self.from_start));
            }
            ModeMsg::ToggleFromStart => {
                self.from_start = !self.from_start;
                self.copied = false;
                self.share = Some(share_url(shown, self.from_start));
            }
            ModeMsg::CopyShare => {
                if let Some(Ok(url)) = &self.share {
                    copy_text(url);
                    if let Some(input) = self.url_ref.cast::<HtmlInputElement>() {
                        input.select();
                    }
                    self.copied = true;
                }
            }
            ModeMsg::DialogClosed => {
                self.help = false;
                self.share = None;
            }
            // Blanking is for a projector: only in presenter mode.
            ModeMsg::Blank => self.blank = self.presenter && !self.blank,
            ModeMsg::HideTerm => self.hide_term = !self.hide_term,
            ModeMsg::DismissNote => self.note = None,
        }
        true
    }

    /// Keeps the address's presenter flag in step with the mode (a reload keeps it).
    fn replace_flags(&self) {
        let w = gloo::utils::window();
        let loc = w.location();
        let path = loc.pathname().unwrap_or_default();
        let search = loc.search().unwrap_or_default();
        let hash = loc.hash().unwrap_or_default();
        let keep: Vec<&str> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| {
                let k = p.split('=').next().unwrap_or("");
                !p.is_empty() && k != "presenter" && k != "present"
            })
            .collect();
        let mut q = keep.join("&");
        if self.presenter {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str("presenter=1");
        }
        let url = if q.is_empty() {
            format!("{path}{hash}")
        } else {
            format!("{path}?{q}{hash}")
        };
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }

    /// Opens the dialogs that should be open (`showModal` makes the page behind them inert).
    pub fn after_render(&mut self) {
        for r in [&self.share_ref, &self.help_ref] {
            if let Some(d) = r.cast::<HtmlDialogElement>() {
                if !d.open() {
                    let _ = d.show_modal();
                }
            }
        }
        if self.restore_focus && !self.dialog_open() {
            self.restore_focus = false;
            if let Some(el) = self.return_focus.take() {
                let _ = el.focus();
            }
        }
    }
}

/// The share link of a session at its moment: this page's address (any sub-path) with the
/// session in the fragment.
fn share_url(pg: &Playground, from_start: bool) -> Result<String, String> {
    let mut frag = Shared::of(pg).encode();
    if from_start {
        frag.push_str("&start=1");
    }
    if frag.len() > MAX_FRAGMENT {
        return Err(format!(
            "This session is too long to share as a link ({} KB; at most {} KB). Rewind to an earlier moment and share that.",
            frag.len() / 1024,
            MAX_FRAGMENT / 1024
        ));
    }
    // This page's own address without its query or fragment (also right for file:// pages,
    // whose origin is "null").
    let href = gloo::utils::window().location().href().unwrap_or_default();
    let base = href.split(['?', '#']).next().unwrap_or_default();
    Ok(format!("{base}#{frag}"))
}

/// Copies text with the async clipboard API; a refusal is ignored (the text is selected, ready
/// for Ctrl+C).
fn copy_text(text: &str) {
    let clip = gloo::utils::window().navigator().clipboard();
    let promise = clip.write_text(text);
    let ignore = Closure::once(|_: wasm_bindgen::JsValue| {});
    let _ = promise.catch(&ignore);
    ignore.forget();
}

/// The share link in the address when the page opened: `Ok(None)` without one.
pub fn url_share() -> Result<Option<Shared>, String> {
    let loc = gloo::utils::window().location();
    let hash = loc.hash().unwrap_or_default();
    match share::decode(&hash)? {
        Some(s) => Ok(Some(s)),
        None => share::decode(&loc.search().unwrap_or_default()),
    }
}

/// The keys of presenter mode and help (the page's own keys are in `app.rs`): they act only
/// when focus is outside the terminal and other controls.
pub fn key_listener(link: Scope<App>) -> EventListener {
    EventListener::new_with_options(
        &gloo::utils::document(),
        "keydown",
        EventListenerOptions::enable_prevent_default(),
        move |e| {
            let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let key = e.key();
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            if target.as_ref().is_some_and(|el| {
                let tag = el.tag_name().to_ascii_uppercase();
                matches!(tag.as_str(), "TEXTAREA" | "INPUT" | "SELECT")
                    || el.has_attribute("contenteditable")
            }) {
                return;
            }
            let msg = match key.as_str() {
                "?" => Msg::Mode(ModeMsg::ToggleHelp),
                "p" | "P" => Msg::Mode(ModeMsg::TogglePresenter),
                "b" | "B" => Msg::Mode(ModeMsg::Blank),
                "h" | "H" => Msg::Mode(ModeMsg::HideTerm),
                "PageDown" => Msg::StepEvent,
                "PageUp" | "ArrowLeft" if !e.shift_key() => Msg::ScrubBy(-1_000),
                "+" | "=" => Msg::StepSpeed(1),
                "-" | "_" => Msg::StepSpeed(-1),
                _ => return,
            };
            e.prevent_default();
            link.send_message(msg);
        },
    )
}

/// Every key, for the help dialog and the docs.
pub const KEYS: [(&str, &str); 16] = [
    (
        "Space",
        "play / pause (Ctrl+Space anywhere, even in the terminal)",
    ),
    ("→  or  PageDown", "step to the next event"),
    ("←  or  PageUp", "back one second (viewing the past)"),
    ("Alt+←  Alt+→", "back / forward 10 seconds"),
    ("Home  End", "the first moment / back to live"),
    ("[  ]  or  −  +", "slower / faster (0.1× … 100×)"),
    ("P", "presenter mode on / off"),
    ("H", "hide / show the terminal (presenter mode)"),
    ("B", "blank the screen (presenter mode)"),
    ("?", "this list of keys"),
    ("/", "type in the terminal"),
    ("Esc", "leave the terminal; close a dialog or the inspector"),
    ("Enter", "run the command; on a pod or owner: inspect it"),
    ("↑  ↓", "command history (in the terminal)"),
    (
        "Ctrl+C",
        "stop a waiting command (copies when text is selected)",
    ),
    ("Ctrl+L", "clear the terminal"),
];

/// The help dialog (`#help-dialog`), while it is open.
pub fn help_dialog(m: &Modes, link: &Scope<App>) -> Html {
    if !m.help {
        return html! {};
    }
    let close = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::DialogClosed));
    let closed = link.callback(|_: Event| Msg::Mode(ModeMsg::DialogClosed));
    html! {
        <dialog id="help-dialog" class="dialog" ref={m.help_ref.clone()} onclose={closed} aria-labelledby="help-title">
            <div class="dialog-head">
                <h2 id="help-title">{ "Keyboard" }</h2>
                <button type="button" class="icon-btn dialog-x" onclick={close} aria-label="Close">{ "✕" }</button>
            </div>
            <p class="dialog-text">{ "Single keys act when the focus is outside the terminal (press Esc to leave it)." }</p>
            <table class="keys-table">
                <tbody>
                { for KEYS.iter().map(|(k, what)| html! {
                    <tr><th scope="row"><kbd>{ *k }</kbd></th><td>{ *what }</td></tr>
                }) }
                </tbody>
            </table>
            <p class="dialog-text">
                { "Links: " }<code>{ "?presenter=1" }</code>{ " presenter mode · " }<code>{ "?embed=1" }</code>
                { " for an iframe · " }<code>{ "?lesson=ID&step=N" }</code>{ " a lesson at a step · Share: this session." }
            </p>
        </dialog>
    }
}

/// The share dialog (`#share-dialog`), while it is open.
pub fn share_dialog(m: &Modes, link: &Scope<App>, in_past: bool) -> Html {
    let Some(state) = &m.share else {
        return html! {};
    };
    let close = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::DialogClosed));
    let closed = link.callback(|_: Event| Msg::Mode(ModeMsg::DialogClosed));
    let copy = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::CopyShare));
    let from_start = link.callback(|_: Event| Msg::Mode(ModeMsg::ToggleFromStart));
    let body = match state {
        Ok(url) => html! {
            <>
            <p class="dialog-text">
                { if in_past { "A link to the moment you are viewing: " } else { "A link to this moment of your session: " } }
                { "opening it replays the same commands at the same virtual times on the same cluster, in any browser. Nothing is uploaded: everything is in the link." }
            </p>
            <div class="share-row">
                <label for="share-url" class="sr-only">{ "Share link" }</label>
                <input id="share-url" type="text" readonly=true value={url.clone()} ref={m.url_ref.clone()}
                       onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                <button id="share-copy" type="button" class="ghost-btn" onclick={copy}>
                    { if m.copied { "Copied ✓" } else { "Copy" } }
                </button>
            </div>
            <label class="share-start">
                <input id="share-from-start" type="checkbox" checked={m.from_start} onchange={from_start} />
                { " Open at the start and play it back (otherwise: at this moment, paused)" }
            </label>
            <p class="dialog-text small">
                <a id="share-open" href={url.clone()} target="_blank" rel="noopener">{ "Open in a new tab ↗" }</a>
                { format!(" · {} characters", url.len()) }
                { if url.len() > LONG_LINK { " · a long link: some chat tools cut links this long" } else { "" } }
            </p>
            <div role="status" class="sr-only">{ if m.copied { "Link copied" } else { "" } }</div>
            </>
        },
        Err(e) => html! { <p class="dialog-text share-error">{ e.clone() }</p> },
    };
    html! {
        <dialog id="share-dialog" class="dialog" ref={m.share_ref.clone()} onclose={closed} aria-labelledby="share-title">
            <div class="dialog-head">
                <h2 id="share-title">{ "Share this session" }</h2>
                <button type="button" class="icon-btn dialog-x" onclick={close} aria-label="Close">{ "✕" }</button>
            </div>
            { body }
        </dialog>
    }
}

/// The note after opening a share link (`#share-note`), or its error (`#share-error`).
pub fn share_note(m: &Modes, link: &Scope<App>) -> Html {
    let Some((error, text)) = &m.note else {
        return html! {};
    };
    let dismiss = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::DismissNote));
    html! {
        <div id={if *error { "share-error" } else { "share-note" }}
             class={classes!("share-note", error.then_some("error"))} role={if *error { "alert" } else { "status" }}>
            <span class="share-note-mark" aria-hidden="true">{ if *error { "⚠" } else { "↗" } }</span>
            <span class="share-note-text">{ text.clone() }</span>
            <button type="button" class="icon-btn" onclick={dismiss} aria-label="Dismiss">{ "✕" }</button>
        </div>
    }
}

/// The buttons the top bar gains: Share, Present, and the keys.
pub fn top_buttons(m: &Modes, link: &Scope<App>) -> Html {
    let share = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::OpenShare));
    let present = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::TogglePresenter));
    let help = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::ToggleHelp));
    html! {
        <>
        <button id="share-btn" type="button" class="ghost-btn" onclick={share} aria-haspopup="dialog"
                title="A link that replays this session in another browser">
            <span aria-hidden="true">{ "↗" }</span><span>{ "Share" }</span>
        </button>
        <button id="presenter-toggle" type="button" class="ghost-btn" onclick={present}
                aria-pressed={m.presenter.to_string()} title="Presenter mode: large type for a projector (P)">
            <span aria-hidden="true">{ "▣" }</span><span>{ "Present" }</span>
        </button>
        <button id="help-btn" type="button" class="ghost-btn" onclick={help} aria-haspopup="dialog"
                title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
            <span aria-hidden="true">{ "?" }</span>
        </button>
        </>
    }
}

/// What replaces the top bar in presenter and embed mode: a caption (the lesson and step, the
/// keys) or the embed bar.
pub fn strip(m: &Modes, link: &Scope<App>, pg: &Playground, clock: &str) -> Html {
    let caption = pg.lesson().map(|r| {
        let n = r.lesson().steps.len();
        let step = r
            .current_step()
            .map(|s| format!("step {}/{n}: {}", r.step_index() + 1, s.title))
            .unwrap_or_else(|| "complete ✓".to_string());
        format!("{} · {step}", r.lesson().title)
    });
    if m.embed {
        let open = {
            let loc = gloo::utils::window().location();
            let path = loc.pathname().unwrap_or_default();
            let frag = Shared::of(pg).encode();
            format!("{path}#{frag}")
        };
        return html! {
            <header class="embed-bar">
                <span class="embed-brand">{ super::icons::logo() }<span>{ "kubeplay" }</span></span>
                <span class="embed-caption">{ caption.unwrap_or_default() }</span>
                <span class="embed-clock">{ clock.to_string() }</span>
                <a id="embed-open" class="ghost-btn small" href={open} target="_blank" rel="noopener">{ "Open in kubeplay ↗" }</a>
            </header>
        };
    }
    // The goal in words, with whether the cluster meets it now (a word, not only a colour).
    let goal = pg.lesson().and_then(|r| {
        let text = r.goal_text().join(" ");
        (!text.is_empty()).then(|| (text, pg.goal_report().is_some_and(|g| g.met)))
    });
    let exit = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::TogglePresenter));
    let help = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::ToggleHelp));
    html! {
        <header class="present-bar">
            <span class="present-caption">{ caption.unwrap_or_else(|| "kubeplay".to_string()) }</span>
            { match goal {
                Some((text, met)) => html! {
                    <span class={classes!("present-goal", met.then_some("met"))}>
                        <b>{ if met { "✓ Goal met: " } else { "Goal: " } }</b>{ text }
                    </span>
                },
                None => html! {},
            } }
            <span class="present-clock">{ clock.to_string() }</span>
            <span class="present-keys" aria-hidden="true">
                <kbd>{ "Space" }</kbd>{ " ▶/❚❚ · " }<kbd>{ "→" }</kbd>{ " step · " }<kbd>{ "[" }</kbd><kbd>{ "]" }</kbd>{ " speed · " }<kbd>{ "?" }</kbd>{ " keys" }
            </span>
            <button type="button" class="ghost-btn small" onclick={help} aria-label="Keyboard shortcuts">{ "?" }</button>
            <button id="presenter-exit" type="button" class="ghost-btn small" onclick={exit} title="Leave presenter mode (P)">{ "Exit presenter" }</button>
        </header>
    }
}

/// The dark screen of `B`.
pub fn blank(m: &Modes, link: &Scope<App>) -> Html {
    if !m.blank {
        return html! {};
    }
    let off = link.callback(|_: MouseEvent| Msg::Mode(ModeMsg::Blank));
    html! { <div class="blank-screen" onclick={off} aria-label="Screen blanked: press B to show it" role="button" tabindex="0"></div> }
}
