//! "Show goal" (UX §6): the cluster as the current step's goal wants it, drawn with the same
//! matrix as the live view, in a docked panel above it (never modal). The state is computed by
//! `lessons::check::preview_goal` on a copy of the session; this module only draws it.
//!
//! DOM contract: `#goal-view[data-goal-view="true"][data-goal-step][data-goal-met]`, closed by
//! `#goal-view-close`, `#lesson-show-goal` or Escape.

use yew::prelude::*;

use super::cluster;
use super::format::clock;
use crate::lessons::check::GoalPreview;

/// The goal panel: a dashed frame, a caption, and the goal's cluster (no lamps, no ghosts).
pub fn view(
    g: &GoalPreview,
    goal_text: &[String],
    order: &[String],
    on_close: Callback<MouseEvent>,
    on_suggest: &Callback<String>,
) -> Html {
    let dark = |_: &str| false;
    let when = if g.after_ms < 1_000 {
        "right after the solution".to_string()
    } else {
        format!("{} after the solution began (virtual)", clock(g.after_ms))
    };
    let note = if !g.met {
        Some("The solution did not reach the goal from the cluster as it is now; this is where it got to.".to_string())
    } else if g.unchanged {
        Some(
            "This step changes nothing in the cluster: its goal is about what you run.".to_string(),
        )
    } else {
        None
    };
    html! {
        <section id="goal-view" class={classes!("goal-view", (!g.met).then_some("unmet"))}
                 data-goal-view="true" data-goal-step={(g.step + 1).to_string()} data-goal-met={g.met.to_string()}
                 aria-label="Goal: what the cluster should look like">
            <header class="goal-view-head">
                <span class="goal-view-tag">{ format!("Goal · step {}", g.step + 1) }</span>
                <span class="goal-view-title">{ "What the cluster should look like" }</span>
                <span class="goal-view-sub">
                    { for goal_text.iter().take(1).map(|t| html! { <>{ super::lesson::inline(t) }{ " · " }</> }) }
                    { when }
                    { for g.failed.first().map(|l| html! { <>{ " · " }<span class="goal-view-warn"><code>{ l.clone() }</code>{ " failed here" }</span></> }) }
                </span>
                <button id="goal-view-close" type="button" class="ghost-btn small" onclick={on_close}
                        title="Hide the goal (Esc)" aria-label="Hide goal">{ "✕ Hide goal" }</button>
            </header>
            { for note.map(|n| html! { <p class="goal-view-note">{ n }</p> }) }
            { cluster::matrix(&g.view, &dark, order, &[], on_suggest, None) }
        </section>
    }
}
