//! The inspector drawer (UX §5): one object's YAML, with what changed since the previous moment
//! marked in a +/− gutter (not by tint alone), and its Events as `kubectl describe` lists them.

use yew::prelude::*;

use super::format::clock;
use crate::lessons::{line_diff, DiffMark};
use crate::sim::{EventRecord, Kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Yaml,
    Events,
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

fn yaml_view(i: &Inspected) -> Html {
    let Some(yaml) = &i.yaml else {
        return html! { <p class="insp-note">{ format!("{} {} does not exist at this moment.", i.kind.name(), i.name) }</p> };
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
pub fn drawer(
    i: &Inspected,
    now_ms: u64,
    on_close: Callback<MouseEvent>,
    on_tab: Callback<Tab>,
    close_ref: NodeRef,
) -> Html {
    let tab = |t: Tab, label: &str, count: Option<usize>| {
        let cb = on_tab.clone();
        let selected = i.tab == t;
        let id = match t {
            Tab::Yaml => "insp-tab-yaml",
            Tab::Events => "insp-tab-events",
        };
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
            if e.key() == "ArrowRight" || e.key() == "ArrowLeft" {
                e.prevent_default();
                cb.emit(if cur == Tab::Yaml {
                    Tab::Events
                } else {
                    Tab::Yaml
                });
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
                { tab(Tab::Events, "Events", Some(i.events.len())) }
            </div>
            <div id="insp-panel" class="insp-panel" role="tabpanel"
                 aria-labelledby={if i.tab == Tab::Yaml { "insp-tab-yaml" } else { "insp-tab-events" }}>
                { match i.tab { Tab::Yaml => yaml_view(i), Tab::Events => events_view(i, now_ms) } }
            </div>
        </aside>
    }
}
