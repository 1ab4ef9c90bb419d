//! Inline SVG glyphs. Drawn rather than taken from a font so every machine shows the same shape
//! (a state's glyph is part of its meaning, never colour alone). All are `aria-hidden`: the word
//! next to them carries the meaning for assistive technology.

use yew::prelude::*;

fn svg(class: &'static str, body: Html) -> Html {
    html! {
        <svg class={classes!("icon", class)} viewBox="0 0 16 16" width="16" height="16"
             aria-hidden="true" focusable="false">
            { body }
        </svg>
    }
}

/// The kubeplay mark: a seven-spoked helm wheel.
pub fn logo() -> Html {
    let spokes: Html = (0..7)
        .map(|i| {
            let a = (i as f64) * std::f64::consts::TAU / 7.0 - std::f64::consts::FRAC_PI_2;
            let (x1, y1) = (16.0 + 4.6 * a.cos(), 16.0 + 4.6 * a.sin());
            let (x2, y2) = (16.0 + 13.2 * a.cos(), 16.0 + 13.2 * a.sin());
            html! { <line x1={format!("{x1:.2}")} y1={format!("{y1:.2}")} x2={format!("{x2:.2}")} y2={format!("{y2:.2}")} /> }
        })
        .collect();
    html! {
        <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
            <circle class="logo-ring" cx="16" cy="16" r="10.2" />
            <g class="logo-spokes">{ spokes }</g>
            <circle class="logo-hub" cx="16" cy="16" r="3.4" />
        </svg>
    }
}

pub fn play() -> Html {
    svg(
        "i-play",
        html! { <path class="fill" d="M4.5 2.8v10.4L13 8z" /> },
    )
}

pub fn pause() -> Html {
    svg(
        "i-pause",
        html! { <>
            <rect class="fill" x="3.5" y="2.8" width="3.2" height="10.4" rx="0.8" />
            <rect class="fill" x="9.3" y="2.8" width="3.2" height="10.4" rx="0.8" />
        </> },
    )
}

pub fn reset() -> Html {
    svg(
        "i-reset",
        html! { <>
            <path d="M3.2 8a4.8 4.8 0 1 0 1.5-3.5" />
            <path d="M3 1.8v3.1h3.1" />
        </> },
    )
}

pub fn clock() -> Html {
    svg(
        "i-clock",
        html! { <>
            <circle cx="8" cy="8" r="6" />
            <path d="M8 4.6V8l2.4 1.6" />
        </> },
    )
}

pub fn terminal() -> Html {
    svg(
        "i-term",
        html! { <>
            <path d="M2.5 4.5l3.5 3.5-3.5 3.5" />
            <path d="M8 12h5.5" />
        </> },
    )
}

pub fn broom() -> Html {
    svg(
        "i-clear",
        html! { <>
            <path d="M3 13h10" />
            <path d="M5 10.5l6.5-7.5" />
            <path d="M4 13l1-2.5h3.5L9 13" />
        </> },
    )
}

// ---- control-plane lamps -------------------------------------------------------------------

pub fn apiserver() -> Html {
    svg(
        "i-api",
        html! { <>
            <circle cx="8" cy="8" r="2.2" />
            <path d="M8 1.8v3.2M8 11v3.2M1.8 8H5M11 8h3.2" />
        </> },
    )
}

pub fn etcd() -> Html {
    svg(
        "i-etcd",
        html! { <>
            <ellipse cx="8" cy="3.8" rx="5" ry="1.8" />
            <path d="M3 3.8v8.4c0 1 2.2 1.8 5 1.8s5-.8 5-1.8V3.8" />
            <path d="M3 8c0 1 2.2 1.8 5 1.8s5-.8 5-1.8" />
        </> },
    )
}

pub fn scheduler() -> Html {
    svg(
        "i-sched",
        html! { <>
            <rect x="2" y="2" width="5" height="5" rx="1" />
            <rect x="9" y="2" width="5" height="5" rx="1" />
            <rect x="2" y="9" width="5" height="5" rx="1" />
            <rect class="fill" x="9" y="9" width="5" height="5" rx="1" />
        </> },
    )
}

pub fn controllers() -> Html {
    svg(
        "i-cm",
        html! { <>
            <path d="M12.8 6.2A5 5 0 0 0 3.6 5" />
            <path d="M3.2 9.8A5 5 0 0 0 12.4 11" />
            <path d="M3.4 2.6V5h2.4" />
            <path d="M12.6 13.4V11h-2.4" />
        </> },
    )
}

pub fn node() -> Html {
    svg(
        "i-node",
        html! { <>
            <rect x="2" y="2.5" width="12" height="4.5" rx="1" />
            <rect x="2" y="9" width="12" height="4.5" rx="1" />
            <path d="M4.5 4.75h.01M4.5 11.25h.01" />
        </> },
    )
}

// ---- pod states (UX §3.4) ------------------------------------------------------------------

pub fn pending() -> Html {
    svg(
        "i-pending",
        html! { <>
            <circle class="fill" cx="3.5" cy="8" r="1.4" />
            <circle class="fill" cx="8" cy="8" r="1.4" />
            <circle class="fill" cx="12.5" cy="8" r="1.4" />
        </> },
    )
}

pub fn creating() -> Html {
    svg(
        "i-creating",
        html! { <>
            <path d="M8 2v8" />
            <path d="M4.6 6.8L8 10.2l3.4-3.4" />
            <path d="M3 13.5h10" />
        </> },
    )
}

pub fn pull_failed() -> Html {
    svg(
        "i-pullfail",
        html! { <>
            <path d="M8 2v8" />
            <path d="M4.6 6.8L8 10.2l3.4-3.4" />
            <path d="M3 13.5h10" />
            <path class="strike" d="M2.2 13.8L13.8 2.2" />
        </> },
    )
}

pub fn half() -> Html {
    svg(
        "i-half",
        html! { <>
            <circle cx="8" cy="8" r="5.6" />
            <path class="fill" d="M8 2.4a5.6 5.6 0 0 0 0 11.2z" />
        </> },
    )
}

pub fn ready() -> Html {
    svg(
        "i-ready",
        html! { <circle class="fill" cx="8" cy="8" r="6" /> },
    )
}

pub fn terminating() -> Html {
    svg(
        "i-term-pod",
        html! { <>
            <path d="M4.6 4.4a5 5 0 1 0 6.8 0" />
            <path d="M8 1.8v6" />
        </> },
    )
}

pub fn crashloop() -> Html {
    svg(
        "i-crash",
        html! { <>
            <path d="M13 8a5 5 0 1 1-1.6-3.7" />
            <path d="M12 1.6v3.2H8.8" />
        </> },
    )
}

pub fn completed() -> Html {
    svg("i-done", html! { <path d="M3 8.4l3.4 3.4L13 4.6" /> })
}

pub fn error() -> Html {
    svg("i-error", html! { <path d="M4 4l8 8M12 4l-8 8" /> })
}

pub fn unknown() -> Html {
    svg(
        "i-unknown",
        html! { <>
            <path d="M5.6 6a2.5 2.5 0 1 1 3.4 2.3c-.7.3-1 .8-1 1.5v.6" />
            <circle class="fill" cx="8" cy="13" r="0.9" />
        </> },
    )
}

/// A finalizer's padlock, shut (the object is held).
pub fn lock() -> Html {
    svg(
        "i-lock",
        html! { <>
            <rect x="3.2" y="7.2" width="9.6" height="6.8" rx="1.2" />
            <path class="shackle" d="M5.4 7.2V5a2.6 2.6 0 0 1 5.2 0v2.2" />
        </> },
    )
}

/// A padlock with its shackle open (the finalizer was removed).
pub fn lock_open() -> Html {
    svg(
        "i-lock-open",
        html! { <>
            <rect x="3.2" y="7.2" width="9.6" height="6.8" rx="1.2" />
            <path class="shackle" d="M5.4 7.2V3.6a2.6 2.6 0 0 1 5.2 0" />
        </> },
    )
}
