//! The timeline bar (UX §2, §5): play/pause, step, speed, and a scrubber over the whole session
//! with a ▲ for every command. Dragging it (or Home / End / Alt+←/→) shows an earlier moment,
//! rebuilt exactly by the playground's time travel.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::format::clock;
use super::icons;

/// Everything the bar shows.
pub struct Props<'a> {
    pub paused: bool,
    pub speed: usize,
    pub speeds: &'a [(&'static str, f64)],
    /// Start and end of the session (virtual ms).
    pub min_ms: u64,
    pub max_ms: u64,
    /// The moment shown; `None` when live.
    pub past_ms: Option<u64>,
    /// A mark for every command typed.
    pub marks: &'a [Mark],
}

/// A command on the timeline: when it was typed, the line, and whether it injects a fault
/// (`kubectl::sim_cmd::is_fault`: marked apart, with another shape and colour, and the word).
pub struct Mark {
    pub at_ms: u64,
    pub line: String,
    pub fault: bool,
}

impl Mark {
    pub fn new(at_ms: u64, line: &str) -> Self {
        Mark {
            at_ms,
            line: line.to_string(),
            fault: crate::kubectl::sim_cmd::is_fault(line),
        }
    }
}

pub struct Callbacks {
    pub play: Callback<MouseEvent>,
    pub step: Callback<MouseEvent>,
    pub speed: Callback<Event>,
    pub scrub: Callback<u64>,
    pub live: Callback<MouseEvent>,
}

pub fn bar(p: &Props, cb: &Callbacks) -> Html {
    let shown = p.past_ms.unwrap_or(p.max_ms);
    let span = p.max_ms.saturating_sub(p.min_ms).max(1);
    let pct = |t: u64| (t.saturating_sub(p.min_ms) as f64 / span as f64 * 100.0).clamp(0.0, 100.0);
    let on_input = {
        let scrub = cb.scrub.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(v) = v.parse::<f64>() {
                scrub.emit(v.max(0.0) as u64);
            }
        })
    };
    let past = p.past_ms.is_some();
    let ago = p.max_ms.saturating_sub(shown);
    let ago_text = if ago >= 60_000 {
        format!("{} min {} s ago", ago / 60_000, (ago / 1000) % 60)
    } else {
        format!("{:.1} s ago", ago as f64 / 1000.0)
    };
    html! {
        <footer id="timeline" class={classes!("timeline", past.then_some("past"))} role="region" aria-label="Timeline">
            <button id="play" type="button" class={classes!("play", p.paused.then_some("is-paused"))}
                    onclick={cb.play.clone()}
                    aria-label={if p.paused { "Play simulation (Space)" } else { "Pause simulation (Space)" }}
                    title={if p.paused { "Play (Space)" } else { "Pause (Space)" }}>
                { if p.paused { icons::play() } else { icons::pause() } }
                <span class="play-word">{ if p.paused { "Play" } else { "Pause" } }</span>
            </button>
            <button id="step" type="button" class="tl-btn" onclick={cb.step.clone()}
                    aria-label="Step to the next event (→)" title="Step to the next event (→)">
                <span aria-hidden="true">{ "▶|" }</span>
            </button>
            <label class="speed" title="Speed ( [ and ] )">
                <span class="speed-label">{ "Speed" }</span>
                <select id="speed" onchange={cb.speed.clone()}>
                    { for p.speeds.iter().enumerate().map(|(i, (v, _))| html! {
                        <option value={v.to_string()} selected={i == p.speed}>{ format!("{v}×") }</option>
                    }) }
                </select>
            </label>
            <div class="scrub-wrap">
                <div class="scrub-track" aria-hidden="true">
                    <div class="scrub-fill" style={format!("width: {:.3}%", pct(shown))}></div>
                    { for p.marks.iter().map(|m| {
                        let scrub = cb.scrub.clone();
                        let (at, fault, cmd) = (m.at_ms, m.fault, &m.line);
                        html! {
                            <button type="button" class={classes!("mark", fault.then_some("fault"))} tabindex="-1"
                                    title={format!("{} · {}{}", clock(at), if fault { "fault: " } else { "" }, cmd)}
                                    style={format!("left: {:.3}%", pct(at))}
                                    onclick={Callback::from(move |_| scrub.emit(at))}>{ if fault { "✕" } else { "▲" } }</button>
                        }
                    }) }
                </div>
                <input id="scrub" type="range" min={p.min_ms.to_string()} max={p.max_ms.to_string()} step="100"
                       value={shown.to_string()} oninput={on_input}
                       aria-label="Timeline: drag, or Home, End, arrows; Alt+arrows move 10 s"
                       aria-valuetext={if past { format!("viewing {} of {}", clock(shown), clock(p.max_ms)) } else { format!("live, {}", clock(p.max_ms)) }} />
            </div>
            <span class="tl-time" aria-hidden="true">
                <b>{ clock(shown) }</b>{ " / " }{ clock(p.max_ms) }
            </span>
            { if past {
                html! {
                    <span class="tl-past" role="status">
                        <span class="tl-past-text">{ format!("Viewing {}, {}", clock(shown), ago_text) }</span>
                        <button id="live" type="button" class="tl-live" onclick={cb.live.clone()} title="Back to live (End)">
                            { "Back to live ▶|" }
                        </button>
                    </span>
                }
            } else {
                html! {
                    <button id="live" type="button" class="tl-live is-live" aria-pressed="true" onclick={cb.live.clone()}
                            title="Showing the live cluster">
                        <span class="live-dot" aria-hidden="true"></span>{ "Live" }
                    </button>
                }
            } }
        </footer>
    }
}
