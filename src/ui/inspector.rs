//! The inspector drawer (UX §5): one object's YAML, with what changed since the previous moment
//! marked in a +/− gutter (not by tint alone), and its Events as `kubectl describe` lists them.
//! Edit → Apply runs the edited text through `kubectl replace -f -` (the app types it into the
//! terminal as a heredoc, so it is a command of the session like any other).

use yew::prelude::*;

use super::format::clock;
use crate::lessons::why::{Who, Why};
use crate::lessons::{line_diff, DiffMark};
use crate::sim::store::ObjKey;
use crate::sim::{EventRecord, Kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Yaml,
    Why,
    Events,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Yaml, Tab::Why, Tab::Events];
    fn id(self) -> &'static str {
        match self {
            Tab::Yaml => "insp-tab-yaml",
            Tab::Why => "insp-tab-why",
            Tab::Events => "insp-tab-events",
        }
    }
}

/// An edit in progress: the text being edited and the `resourceVersion` it started from.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub text: String,
    pub base_rv: Option<String>,
    /// The text as the edit began (an Apply of it unchanged is `kubectl edit`'s cancel).
    pub original: String,
    /// Begun by typing `kubectl edit TYPE/NAME` (not by the Edit button): an unchanged Apply
    /// or Cancel prints `Edit cancelled, no changes made.` as kubectl edit does.
    pub from_command: bool,
}

/// What `kubectl edit` prints when the editor closes with nothing changed.
pub const EDIT_CANCELLED: &str = "Edit cancelled, no changes made.\n";

/// What the last Apply printed: kubectl's result line, or its error.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub ok: bool,
    pub text: String,
}

/// The drawer's callbacks.
#[derive(Clone)]
pub struct Callbacks {
    pub close: Callback<MouseEvent>,
    pub tab: Callback<Tab>,
    pub edit: Callback<()>,
    pub edit_input: Callback<String>,
    pub apply: Callback<()>,
    pub cancel: Callback<()>,
    pub reload: Callback<()>,
    /// Pause and show the cluster at this virtual time (a Why line's moment).
    pub scrub: Callback<u64>,
    /// Inspect another object (an owner named in the Why tab).
    pub inspect: Callback<ObjKey>,
}

/// The `metadata.resourceVersion` line of an object's YAML as `get -o yaml` prints it.
pub fn resource_version(yaml: &str) -> Option<String> {
    yaml.lines()
        .find_map(|l| l.strip_prefix("  resourceVersion: "))
        .map(|v| v.trim().trim_matches('"').to_string())
}

/// A heredoc delimiter that no line of `text` equals.
pub fn delimiter(text: &str) -> String {
    let mut d = "EOF".to_string();
    let mut n = 1;
    while text.lines().any(|l| l.trim_end() == d) {
        n += 1;
        d = format!("EOF{n}");
    }
    d
}

/// The lines typed into the terminal for an Apply: `kubectl replace -f - <<'EOF'`, the text, `EOF`
/// (a quoted delimiter: nothing in the text is expanded).
pub fn apply_lines(text: &str) -> Vec<String> {
    let d = delimiter(text);
    let mut lines = vec![format!("kubectl replace -f - <<'{d}'")];
    lines.extend(text.lines().map(str::to_string));
    lines.push(d);
    lines
}

/// What the inspector shows, kept by the app and refreshed as the shown moment changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspected {
    pub kind: Kind,
    pub ns: String,
    pub name: String,
    pub tab: Tab,
    /// The object's YAML at the shown moment (None: it does not exist then).
    pub yaml: Option<String>,
    /// Its YAML at the moment shown before, when different.
    pub prev: Option<String>,
    /// Virtual time of the moment `prev` was replaced.
    pub changed_at: Option<u64>,
    pub events: Vec<EventRecord>,
    /// Set while the YAML is being edited.
    pub edit: Option<Edit>,
    /// The last Apply's outcome.
    pub applied: Option<Applied>,
    /// False while an earlier moment is shown (edits apply to the live cluster only).
    pub live: bool,
    /// The chain of causes at the shown moment (read while the Why tab is open).
    pub why: Option<Why>,
}

impl Inspected {
    pub fn new(kind: Kind, ns: &str, name: &str) -> Self {
        Inspected {
            kind,
            ns: ns.to_string(),
            name: name.to_string(),
            tab: Tab::Yaml,
            yaml: None,
            prev: None,
            changed_at: None,
            events: Vec::new(),
            edit: None,
            applied: None,
            live: true,
            why: None,
        }
    }

    /// Takes the object's state at the moment `at_ms`; a change keeps the old text for the diff.
    pub fn update(
        &mut self,
        yaml: Option<String>,
        events: Vec<EventRecord>,
        at_ms: u64,
        first: bool,
    ) {
        if first {
            self.yaml = yaml;
        } else if yaml != self.yaml {
            self.prev = self.yaml.take();
            self.yaml = yaml;
            self.changed_at = Some(at_ms);
        }
        self.events = events;
    }
}

/// `5s`, `2m10s`, `3h` (an Event's age as describe prints it, roughly).
fn age(ms: u64) -> String {
    let s = ms / 1000;
    if s < 120 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{}h", s / 3600)
    }
}

/// The Edit / Apply bar and the last result line (`#insp-result`, a live region).
fn edit_bar(i: &Inspected, cb: &Callbacks) -> Html {
    let result = match &i.applied {
        Some(a) => html! {
            <pre id="insp-result" class={classes!("insp-result", if a.ok { "ok" } else { "err" })}
                 role="status" data-ok={if a.ok { "true" } else { "false" }}>
                <span class="insp-result-mark" aria-hidden="true">{ if a.ok { "✓ " } else { "✕ " } }</span>
                { a.text.trim_end().to_string() }
            </pre>
        },
        None => html! { <pre id="insp-result" class="insp-result" role="status"></pre> },
    };
    let Some(ed) = &i.edit else {
        let why_not = if !i.live {
            Some("Edits apply to the live cluster: go back to live to edit.")
        } else if i.yaml.is_none() {
            Some("It does not exist now.")
        } else {
            None
        };
        let edit = cb.edit.clone();
        return html! {
            <div class="insp-bar">
                <button type="button" id="insp-edit" class="ghost-btn small" disabled={why_not.is_some()}
                        title={why_not.unwrap_or("Edit this object's YAML as kubectl edit shows it, then Apply it with kubectl replace")}
                        onclick={Callback::from(move |_| edit.emit(()))}>{ "Edit" }</button>
                { for why_not.map(|w| html! { <span class="insp-bar-note">{ w }</span> }) }
                { result }
            </div>
        };
    };
    let live_rv = i.yaml.as_deref().and_then(resource_version);
    let stale = match (&ed.base_rv, &live_rv) {
        (Some(a), Some(b)) if a != b => Some((a.clone(), b.clone())),
        _ => None,
    };
    let (apply, cancel, reload) = (cb.apply.clone(), cb.cancel.clone(), cb.reload.clone());
    html! {
        <div class="insp-bar editing">
            <button type="button" id="insp-apply" class="ghost-btn small primary" disabled={!i.live}
                    title="Runs kubectl replace -f - with this text (Ctrl+Enter)"
                    onclick={Callback::from(move |_| apply.emit(()))}>{ "Apply" }</button>
            <button type="button" id="insp-edit-cancel" class="ghost-btn small"
                    onclick={Callback::from(move |_| cancel.emit(()))}>{ "Cancel" }</button>
            { match stale {
                Some((a, b)) => html! {
                    <p id="insp-stale" class="insp-bar-note warn">
                        { format!("Changed in the cluster since you began editing (resourceVersion {a} → {b}): \
                                   the API server will refuse this Apply with a Conflict, as it refuses kubectl replace. ") }
                        <button type="button" id="insp-edit-reload" class="linkish"
                                onclick={Callback::from(move |_| reload.emit(()))}>{ "Start again from the latest" }</button>
                    </p>
                },
                None => html! {},
            } }
            { result }
        </div>
    }
}

fn editor(i: &Inspected, ed: &Edit, cb: &Callbacks) -> Html {
    let on_input = cb.edit_input.reform(|e: InputEvent| {
        e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
            .value()
    });
    let (apply, _cancel) = (cb.apply.clone(), cb.cancel.clone());
    let on_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            apply.emit(());
        } else if e.key() == "Escape" {
            // Leave the text field (Tab also does); the bar's buttons come next.
            e.prevent_default();
            if let Some(el) = gloo::utils::document().get_element_by_id("insp-apply") {
                if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                    let _ = el.focus();
                }
            }
        }
    });
    html! {
        <>
            <p class="insp-note" id="insp-edit-help">
                { format!("{}Editing {} {} as kubectl edit shows it (status is kept from the cluster; \
                           resourceVersion makes the write conditional). Apply runs kubectl replace -f - \
                           with this text, in the terminal. Ctrl+Enter applies; Escape leaves the text.",
                          if ed.from_command { "kubectl edit opened this editor. " } else { "" },
                          i.kind.name(), i.name) }
            </p>
            <textarea id="insp-editor" class="insp-editor" spellcheck="false" autocomplete="off"
                      aria-label={format!("YAML of {} {}, editable", i.kind.name(), i.name)}
                      aria-describedby="insp-edit-help" rows="24"
                      value={ed.text.clone()} oninput={on_input} onkeydown={on_key} />
        </>
    }
}

fn yaml_view(i: &Inspected, cb: &Callbacks) -> Html {
    if let Some(ed) = &i.edit {
        return html! { <>{ edit_bar(i, cb) }{ editor(i, ed, cb) }</> };
    }
    let Some(yaml) = &i.yaml else {
        return html! {
            <>
                { edit_bar(i, cb) }
                <p class="insp-note">{ format!("{} {} does not exist at this moment.", i.kind.name(), i.name) }</p>
            </>
        };
    };
    let (lines, summary): (Vec<(DiffMark, &str)>, String) = match &i.prev {
        Some(prev) => {
            let d = line_diff(prev, yaml);
            let add = d.iter().filter(|(m, _)| *m == DiffMark::Added).count();
            let del = d.iter().filter(|(m, _)| *m == DiffMark::Removed).count();
            let when = i.changed_at.map(clock).unwrap_or_default();
            (d, format!("Changed at {when}: {add} line{} added (+), {del} removed (−), since the moment shown before.",
                        if add == 1 { "" } else { "s" }))
        }
        None => (
            yaml.lines().map(|l| (DiffMark::Same, l)).collect(),
            match i.changed_at {
                Some(t) => format!("Shown at {}: it did not exist at the moment shown before.", clock(t)),
                None => "No change since it was opened. Play, step or scrub: changed lines are marked + and −.".to_string(),
            },
        ),
    };
    html! {
        <>
            { edit_bar(i, cb) }
            <p class="insp-note" role="status">{ summary }</p>
            <pre class="insp-yaml" aria-label={format!("YAML of {} {}", i.kind.name(), i.name)}>
                { for lines.iter().map(|(m, l)| {
                    let (class, mark, sr) = match m {
                        DiffMark::Same => ("yl", " ", ""),
                        DiffMark::Added => ("yl add", "+", "added: "),
                        DiffMark::Removed => ("yl del", "−", "removed: "),
                    };
                    html! {
                        <span class={class}>
                            <span class="gut" aria-hidden="true" data-mark={mark}></span>
                            { if sr.is_empty() { html! {} } else { html! { <span class="sr-only">{ sr }</span> } } }
                            { l.to_string() }{ "\n" }
                        </span>
                    }
                }) }
            </pre>
        </>
    }
}

/// A link that inspects another object.
fn object_link(key: &ObjKey, cb: &Callbacks) -> Html {
    let k = key.clone();
    let inspect = cb.inspect.clone();
    html! {
        <button type="button" class="linkish why-obj" data-why-kind={key.kind.name()}
                data-why-name={key.name.clone()} data-why-ns={key.namespace.clone()}
                title={format!("Inspect {} {}", key.kind.name(), key.name)}
                onclick={Callback::from(move |e: MouseEvent| { e.stop_propagation(); inspect.emit(k.clone()) })}>
            { format!("{} {}", key.kind.name(), key.name) }
        </button>
    }
}

/// The Why tab (UX §5): the chain of causes, oldest first, each line with its moment.
fn why_view(i: &Inspected, cb: &Callbacks) -> Html {
    let Some(w) = &i.why else {
        return html! { <p class="insp-note">{ format!("{} {} does not exist at this moment.", i.kind.name(), i.name) }</p> };
    };
    let owners = if w.owners.is_empty() {
        html! {}
    } else {
        html! {
            <p class="why-owners">
                { "Controlled by " }
                { for w.owners.iter().enumerate().map(|(n, k)| html! {
                    <>{ if n > 0 { " ← controlled by " } else { "" } }{ object_link(k, cb) }</>
                }) }
            </p>
        }
    };
    html! {
        <>
            <p class="why-q" id="insp-why-q">{ w.question.clone() }</p>
            { owners }
            <p class="insp-note">{ "What made it look this way, oldest first: the commands that were run, what each component decided and wrote, and the Events. Each time is a link: it pauses and shows the cluster at that moment." }</p>
            <ol id="insp-why" class="why-list" aria-labelledby="insp-why-q">
                { for w.lines.iter().map(|l| {
                    let (who_class, who) = match &l.who {
                        Who::Command(c) => ("command", html! { <>{ "you ran " }<code class="why-cmd">{ c.clone() }</code></> }),
                        Who::Component(c) => ("component", html! { <span class="why-comp">{ c.clone() }</span> }),
                        Who::Setup(c) => ("setup", html! { <>{ "setup ran " }<code class="why-cmd">{ c.clone() }</code></> }),
                    };
                    // A command's moment is shown just after it ran (at its own instant it has not yet).
                    let at = if matches!(l.who, Who::Command(_)) { l.at_ms + 1 } else { l.at_ms };
                    let scrub = cb.scrub.clone();
                    html! {
                        <li class={classes!("why-line", l.event.is_some().then_some("event"))}
                            data-who={who_class} data-at={l.at_ms.to_string()}>
                            <button type="button" class="why-time" title={format!("Show the cluster at {}", clock(l.at_ms))}
                                    aria-label={format!("Show the cluster at {}", clock(l.at_ms))}
                                    onclick={Callback::from(move |_| scrub.emit(at))}>
                                { clock(l.at_ms) }
                            </button>
                            <span class="why-text">
                                { who }{ ": " }
                                { for l.event.as_ref().map(|r| html! { <span class="why-reason">{ format!("Event {r}: ") }</span> }) }
                                <span class="why-did">{ l.did.clone() }</span>
                                { if l.times > 1 { html! { <span class="why-times">{ format!(" ×{}", l.times) }</span> } } else { html! {} } }
                                { for l.about.as_ref().map(|k| html! { <>{ " · on " }{ object_link(k, cb) }</> }) }
                                { for l.because.as_ref().map(|b| html! { <span class="why-because">{ format!("because: {b}") }</span> }) }
                            </span>
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

fn events_view(i: &Inspected, now_ms: u64) -> Html {
    if i.events.is_empty() {
        return html! { <p class="insp-note">{ "No events." }</p> };
    }
    html! {
        <table class="insp-events">
            <thead><tr><th>{ "Type" }</th><th>{ "Reason" }</th><th>{ "Age" }</th><th>{ "From" }</th><th>{ "Message" }</th></tr></thead>
            <tbody>
                { for i.events.iter().map(|e| {
                    let when = if e.count > 1 {
                        format!("{} (x{} over {})", age(now_ms.saturating_sub(e.last_ms)), e.count, age(e.last_ms.saturating_sub(e.first_ms)))
                    } else {
                        age(now_ms.saturating_sub(e.first_ms))
                    };
                    let from = match &e.host { Some(h) => format!("{}, {}", e.source, h), None => e.source.clone() };
                    html! {
                        <tr class={classes!((e.type_ == "Warning").then_some("warn"))}>
                            <td>{ e.type_.clone() }</td>
                            <td>{ e.reason.clone() }</td>
                            <td title={format!("first {} · last {}", clock(e.first_ms), clock(e.last_ms))}>{ when }</td>
                            <td>{ from }</td>
                            <td>{ e.message.clone() }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// The drawer. `close_ref` receives focus when it opens.
pub fn drawer(i: &Inspected, now_ms: u64, cb: &Callbacks, close_ref: NodeRef) -> Html {
    let on_close = cb.close.clone();
    let on_tab = cb.tab.clone();
    let tab = |t: Tab, label: &str, count: Option<usize>| {
        let cb = on_tab.clone();
        let selected = i.tab == t;
        let id = t.id();
        html! {
            <button type="button" role="tab" id={id} class={classes!("insp-tab", selected.then_some("on"))}
                    aria-selected={if selected { "true" } else { "false" }} aria-controls="insp-panel"
                    tabindex={if selected { "0" } else { "-1" }}
                    onclick={Callback::from(move |_| cb.emit(t))}>
                { label.to_string() }
                { for count.map(|n| html! { <span class="insp-count">{ n }</span> }) }
            </button>
        }
    };
    let on_tabs_key = {
        let cb = on_tab.clone();
        let cur = i.tab;
        Callback::from(move |e: KeyboardEvent| {
            let step = match e.key().as_str() {
                "ArrowRight" => 1,
                "ArrowLeft" => Tab::ALL.len() - 1,
                _ => return,
            };
            e.prevent_default();
            // The page's own → (step to the next event) must not see it.
            e.stop_propagation();
            let at = Tab::ALL.iter().position(|t| *t == cur).unwrap_or(0);
            let next = Tab::ALL[(at + step) % Tab::ALL.len()];
            cb.emit(next);
            if let Some(el) = gloo::utils::document().get_element_by_id(next.id()) {
                if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                    let _ = el.focus();
                }
            }
        })
    };
    html! {
        <aside id="inspector" class="inspector" aria-label="Inspector" aria-labelledby="insp-title">
            <div class="insp-head">
                <div class="insp-title-wrap">
                    <h2 id="insp-title" class="insp-title">{ i.name.clone() }</h2>
                    <span class="kind-tag">{ i.kind.name() }</span>
                    { if i.kind.namespaced() { html! { <span class="insp-ns">{ format!("namespace {}", i.ns) }</span> } } else { html! {} } }
                </div>
                <button type="button" id="insp-close" class="icon-btn insp-close" ref={close_ref}
                        onclick={on_close} aria-label="Close inspector (Escape)" title="Close (Escape)">{ "✕" }</button>
            </div>
            <div class="insp-tabs" role="tablist" aria-label="Inspector views" onkeydown={on_tabs_key}>
                { tab(Tab::Yaml, "YAML", None) }
                { tab(Tab::Why, "Why", None) }
                { tab(Tab::Events, "Events", Some(i.events.len())) }
            </div>
            <div id="insp-panel" class="insp-panel" role="tabpanel" aria-labelledby={i.tab.id()}>
                { match i.tab {
                    Tab::Yaml => yaml_view(i, cb),
                    Tab::Why => why_view(i, cb),
                    Tab::Events => events_view(i, now_ms),
                } }
            </div>
        </aside>
    }
}
