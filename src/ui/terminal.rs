//! The terminal's transcript: one block per command, stdout and stderr kept apart.

use yew::prelude::*;

use super::format::clock;

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
                <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "L" }</kbd>{ " clear · " }<kbd>{ "Esc" }</kbd>{ " leave the prompt, then " }
                <kbd>{ "Space" }</kbd>{ " play/pause" }
            </p>
        </div>
    }
}
