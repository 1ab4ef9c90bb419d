//! Pod chips (UX §3.4): outline, fill, glyph and label together; colour is never the only signal.

use yew::prelude::*;

use super::format::short_pod_name;
use super::icons;
use crate::sim::view::PodView;

/// The visual family of a pod's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChipKind {
    Pending,
    Creating,
    NotReady,
    Ready,
    Terminating,
    CrashLoop,
    ImagePull,
    Completed,
    Error,
    Unknown,
}

impl ChipKind {
    /// Classifies by the kubectl STATUS word first, then by phase and readiness.
    pub fn of(pod: &PodView) -> ChipKind {
        let s = pod.status.as_str();
        match s {
            "Pending" => ChipKind::Pending,
            "ContainerCreating" | "PodInitializing" => ChipKind::Creating,
            "Running" => {
                if pod.is_ready {
                    ChipKind::Ready
                } else {
                    ChipKind::NotReady
                }
            }
            "Terminating" => ChipKind::Terminating,
            "CrashLoopBackOff" => ChipKind::CrashLoop,
            "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
                ChipKind::ImagePull
            }
            "Completed" | "Succeeded" => ChipKind::Completed,
            "Error"
            | "Failed"
            | "OOMKilled"
            | "ContainerCannotRun"
            | "Evicted"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "RunContainerError"
            | "StartError" => ChipKind::Error,
            "Unknown" | "NodeLost" => ChipKind::Unknown,
            _ if s.starts_with("Init:") => ChipKind::Creating,
            _ => match pod.phase.as_str() {
                "Running" if pod.is_ready => ChipKind::Ready,
                "Running" => ChipKind::NotReady,
                "Succeeded" => ChipKind::Completed,
                "Failed" => ChipKind::Error,
                "Pending" if pod.node.is_some() => ChipKind::Creating,
                "Pending" => ChipKind::Pending,
                _ => ChipKind::Unknown,
            },
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            ChipKind::Pending => "k-pending",
            ChipKind::Creating => "k-creating",
            ChipKind::NotReady => "k-notready",
            ChipKind::Ready => "k-ready",
            ChipKind::Terminating => "k-terminating",
            ChipKind::CrashLoop => "k-crash",
            ChipKind::ImagePull => "k-pull",
            ChipKind::Completed => "k-completed",
            ChipKind::Error => "k-error",
            ChipKind::Unknown => "k-unknown",
        }
    }

    pub fn glyph(self) -> Html {
        match self {
            ChipKind::Pending => icons::pending(),
            ChipKind::Creating => icons::creating(),
            ChipKind::NotReady => icons::half(),
            ChipKind::Ready => icons::ready(),
            ChipKind::Terminating => icons::terminating(),
            ChipKind::CrashLoop => icons::crashloop(),
            ChipKind::ImagePull => icons::pull_failed(),
            ChipKind::Completed => icons::completed(),
            ChipKind::Error => icons::error(),
            ChipKind::Unknown => icons::unknown(),
        }
    }

    /// Words for assistive technology, beside kubectl's own STATUS.
    pub fn words(self) -> &'static str {
        match self {
            ChipKind::Pending => "waiting to be scheduled",
            ChipKind::Creating => "creating containers",
            ChipKind::NotReady => "running, not ready",
            ChipKind::Ready => "running and ready",
            ChipKind::Terminating => "terminating",
            ChipKind::CrashLoop => "crashing, backing off",
            ChipKind::ImagePull => "image pull failing, backing off",
            ChipKind::Completed => "completed",
            ChipKind::Error => "failed",
            ChipKind::Unknown => "state unknown",
        }
    }
}

/// One pod chip. `row_owner` is the name of the owner whose row holds it (to shorten the label).
/// `compact` draws only the glyph (many pods in one cell); the words stay in the tooltip and label.
pub fn pod_chip(pod: &PodView, row_owner: Option<&str>, compact: bool, behind: Behind) -> Html {
    chip(pod, row_owner, false, compact, behind)
}

/// Whether a pod is behind the Service the learner points at or has focused (its card in the
/// Services list): drawn with an outline and a mark, solid and ☍ for a ready endpoint, dashed and
/// ✂ for one that gets no traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behind {
    No,
    Ready,
    NotReady,
}

/// The after-image of a pod that is gone: it fades, then its gap closes (about 1 s of wall time).
/// Not a `.pod` (it is no longer in the cluster) and hidden from assistive technology.
pub fn ghost_chip(pod: &PodView, row_owner: Option<&str>, compact: bool) -> Html {
    chip(pod, row_owner, true, compact, Behind::No)
}

/// The padlock of a pod with finalizers (UX §3.6): shut while they hold it, open and sliding off
/// on the after-image of a pod that went when its last finalizer was removed.
fn lock(pod: &PodView, ghost: bool) -> Html {
    if pod.finalizers.is_empty() {
        return html! {};
    }
    let list = pod.finalizers.join(", ");
    let (state, text) = if ghost {
        ("detached", format!("released: {list}"))
    } else if pod.deleting {
        ("held", format!("holding: {list}"))
    } else {
        ("held", format!("finalizers: {list}"))
    };
    html! {
        <span class={classes!("lock", state)} data-lock-state={state} title={text.clone()}>
            { if ghost { icons::lock_open() } else { icons::lock() } }
            <span class="sr-only">{ text }</span>
        </span>
    }
}

fn chip(
    pod: &PodView,
    row_owner: Option<&str>,
    ghost: bool,
    compact: bool,
    behind: Behind,
) -> Html {
    let kind = ChipKind::of(pod);
    let short = short_pod_name(&pod.name, row_owner);
    let node = pod.node.clone().unwrap_or_default();
    let label = format!("{} {}", pod.status, pod.ready);
    let mut title = format!(
        "{}\nSTATUS {}   READY {}   RESTARTS {}",
        pod.name, pod.status, pod.ready, pod.restarts
    );
    if pod.namespace != "default" {
        title = format!("{}/{}", pod.namespace, title);
    }
    title.push_str(&format!(
        "\nNODE {}",
        pod.node.as_deref().unwrap_or("<none>")
    ));
    if let Some(ip) = &pod.pod_ip {
        title.push_str(&format!("   IP {ip}"));
    }
    if let Some(owner) = &pod.owner {
        title.push_str(&format!("\nowned by {owner}"));
    }
    let aria = format!(
        "Pod {}, {} {}, {}{}{}",
        pod.name,
        pod.status,
        pod.ready,
        kind.words(),
        if pod.restarts > 0 {
            format!(", {} restarts", pod.restarts)
        } else {
            String::new()
        },
        match &pod.node {
            Some(n) => format!(", on {n}"),
            None => ", not scheduled".to_string(),
        }
    );
    let aria = if pod.serving {
        format!("{aria}, serving a Service")
    } else {
        aria
    };
    let (behind_class, behind_mark) = match behind {
        Behind::No => (None, None),
        Behind::Ready => (Some("behind-svc"), Some("☍")),
        Behind::NotReady => (Some("behind-svc-not-ready"), Some("✂")),
    };
    let restarts = if pod.restarts == 0 {
        html! {}
    } else if pod.restarts <= 4 {
        html! {
            <span class="restarts" aria-hidden="true">
                { for (0..pod.restarts).map(|_| html! { <i /> }) }
            </span>
        }
    } else {
        html! { <span class="restarts num" aria-hidden="true">{ format!("↻{}", pod.restarts) }</span> }
    };
    if ghost {
        return html! {
            <div key={format!("ghost/{}/{}", pod.namespace, pod.name)}
                 class={classes!("chip", "ghost", kind.class(), compact.then_some("compact"))} aria-hidden="true">
                <span class="glyph">{ kind.glyph() }</span>
                <span class="pod-text">
                    <span class="pod-name">{ short }</span>
                    <span class="pod-status">{ label }</span>
                </span>
                { lock(pod, true) }
            </div>
        };
    }
    html! {
        <div key={format!("{}/{}", pod.namespace, pod.name)}
             class={classes!("chip", "pod", kind.class(), compact.then_some("compact"), behind_class)}
             role="listitem" tabindex="0"
             data-pod={pod.name.clone()} data-ns={pod.namespace.clone()} data-status={pod.status.clone()} data-node={node}
             title={title} aria-label={aria}>
            <span class="glyph">{ kind.glyph() }</span>
            <span class="pod-text" aria-hidden="true">
                <span class="pod-name">{ short }</span>
                <span class="pod-status">{ label }</span>
            </span>
            { restarts }
            { lock(pod, false) }
            { if pod.serving {
                html! { <span class="socket" title="a ready endpoint of a Service: it gets traffic">
                    <span aria-hidden="true">{ "☍" }</span>
                </span> }
              } else { html! {} } }
            { match behind_mark {
                Some(m) => html! { <span class="behind-mark" aria-hidden="true">{ m }</span> },
                None => html! {},
              } }
        </div>
    }
}
