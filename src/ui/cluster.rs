//! The cluster view: control-plane strip (UX §3.1), the owner × node matrix (§3.2, §3.3) and the
//! tray of unscheduled pods. Pure functions of a `ClusterView` plus the set of lit lamps.

use yew::prelude::*;

use super::chip::{ghost_chip, pod_chip, Behind, ChipKind};
use super::format::split_owner;
use super::icons;
use crate::sim::view::{ClusterView, NodeView, OwnerView, PodView};

/// Namespace whose pods are folded into a count at each node's foot.
pub const SYSTEM_NS: &str = "kube-system";

/// Above this many pods of one owner on one node, that owner's row draws glyph-only chips.
const COMPACT_ABOVE: usize = 8;

/// Above this many pods in one cell (or in the tray), the cell draws one tally per state instead
/// of a chip per pod (UX §3.7): thousands of pods stay readable, and a redraw stays cheap.
pub const TALLY_ABOVE: usize = 40;

/// The order tallies are listed in: the pod's life from waiting to done.
const TALLY_ORDER: [ChipKind; 10] = [
    ChipKind::Pending,
    ChipKind::Creating,
    ChipKind::NotReady,
    ChipKind::Ready,
    ChipKind::Terminating,
    ChipKind::CrashLoop,
    ChipKind::ImagePull,
    ChipKind::Completed,
    ChipKind::Error,
    ChipKind::Unknown,
];

/// The short word beside a tally's count (the full words are in its tooltip and label).
fn tally_word(k: ChipKind) -> &'static str {
    match k {
        ChipKind::Pending => "pending",
        ChipKind::Creating => "creating",
        ChipKind::NotReady => "not ready",
        ChipKind::Ready => "ready",
        ChipKind::Terminating => "terminating",
        ChipKind::CrashLoop => "crashing",
        ChipKind::ImagePull => "pull failing",
        ChipKind::Completed => "completed",
        ChipKind::Error => "failed",
        ChipKind::Unknown => "unknown",
    }
}

/// Many pods summarised: `N pods`, then a count per state, each drawn like a chip of that state
/// (outline, glyph and words, never colour alone).
fn tally<'a>(pods: impl Iterator<Item = &'a PodView>) -> Html {
    let mut counts = [0usize; TALLY_ORDER.len()];
    let mut total = 0;
    for p in pods {
        let k = ChipKind::of(p);
        if let Some(i) = TALLY_ORDER.iter().position(|o| *o == k) {
            counts[i] += 1;
        }
        total += 1;
    }
    let words: Vec<String> = TALLY_ORDER
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {}", k.words()))
        .collect();
    html! {
        <div key="tally" class="tally" role="listitem" data-pods={total.to_string()}
             aria-label={format!("{total} pods: {}", words.join(", "))}>
            <span class="tally-total">{ format!("{total} pods") }</span>
            { for TALLY_ORDER.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(k, n)| html! {
                <span class={classes!("chip", "tally-kind", k.class())} data-tally={k.class()}
                      title={format!("{n} {}", k.words())}>
                    <span class="glyph">{ k.glyph() }</span>
                    <span class="tally-n">{ n.to_string() }</span>
                    <span class="tally-words">{ tally_word(*k) }</span>
                </span>
            }) }
        </div>
    }
}

/// Controllers that always have a lamp in the controller-manager group (others appear once seen).
pub const CONTROLLERS: [&str; 7] = [
    "deployment",
    "replicaset",
    "endpointslice",
    "node-lifecycle",
    "taint-eviction",
    "namespace",
    "garbage-collector",
];

/// Which lamp a narration component lights: `replicaset-controller` → `cm/replicaset`.
pub fn lamp_key(component: &str) -> Option<String> {
    let c = component.trim().to_ascii_lowercase();
    if let Some(node) = c.strip_prefix("kubelet/") {
        return Some(format!("kubelet/{node}"));
    }
    if c == "kubelet" {
        return None;
    }
    if c.contains("scheduler") {
        return Some("scheduler".into());
    }
    if c.contains("apiserver") || c.contains("api-server") {
        return Some("apiserver".into());
    }
    if c.contains("etcd") {
        return Some("etcd".into());
    }
    if c.ends_with("-controller") || c.contains("collector") || c.contains("controller") {
        let name = c
            .trim_start_matches("kube-controller-manager/")
            .trim_end_matches("-controller")
            .trim_end_matches("-controller-manager")
            .to_string();
        return Some(format!("cm/{name}"));
    }
    None
}

fn lamp(key: &str, name: &str, what: &str, icon: Html, sub: Html, lit: bool) -> Html {
    html! {
        <div class={classes!("lamp", lit.then_some("lit"))} data-lamp={key.to_string()} title={format!("{name}: {what}")}>
            <span class="lamp-box">{ icon }</span>
            <span class="lamp-text">
                <span class="lamp-name">{ name.to_string() }</span>
                <span class="lamp-sub">{ sub }</span>
            </span>
        </div>
    }
}

fn state_word(lit: bool) -> Html {
    if lit {
        html! { <span class="word busy">{ "syncing" }</span> }
    } else {
        html! { <span class="word">{ "idle" }</span> }
    }
}

/// The control-plane strip.
pub fn control_plane(
    view: &ClusterView,
    lit: &dyn Fn(&str) -> bool,
    controllers: &[String],
) -> Html {
    let queued = view.unscheduled.len();
    let sched_sub = if queued > 0 {
        html! { <span class="word queued">{ format!("{queued} queued") }</span> }
    } else {
        state_word(lit("scheduler"))
    };
    let cm_lit = controllers.iter().any(|c| lit(&format!("cm/{c}")));
    html! {
        <section class="cp-strip" aria-label="Control plane">
            { lamp("apiserver", "kube-apiserver",
                   "the front door; kubectl and every controller read and write through it",
                   icons::apiserver(), state_word(lit("apiserver")), lit("apiserver")) }
            <span class="cp-link" aria-hidden="true"></span>
            { lamp("etcd", "etcd", "the store; rv is its revision, +1 on every write", icons::etcd(),
                   html! { <span class="word mono" title="store revision">{ format!("rv {}", view.revision) }</span> },
                   lit("etcd")) }
            <span class="cp-link" aria-hidden="true"></span>
            { lamp("scheduler", "kube-scheduler", "picks a node for each pod that has none",
                   icons::scheduler(), sched_sub, lit("scheduler")) }
            <span class="cp-link" aria-hidden="true"></span>
            <div class={classes!("cm-group", cm_lit.then_some("lit"))} role="group" aria-label="kube-controller-manager"
                 title="kube-controller-manager: control loops, each making what exists match what was asked for">
                <div class="cm-head">
                    <span class="lamp-box small">{ icons::controllers() }</span>
                    <span class="lamp-name">{ "controller-manager" }</span>
                    { state_word(cm_lit) }
                </div>
                <ul class="cm-list">
                    { for controllers.iter().map(|c| {
                        let on = lit(&format!("cm/{c}"));
                        html! {
                            <li key={c.clone()} class={classes!("ctl", on.then_some("lit"))}
                                title={format!("{c}-controller: {}", if on { "syncing" } else { "idle" })}>
                                <span class="ctl-dot" aria-hidden="true"></span>{ c.clone() }
                            </li>
                        }
                    }) }
                </ul>
            </div>
        </section>
    }
}

/// One row of the matrix: which pods it holds and how it is labelled.
struct Row {
    key: String,
    class: &'static str,
    label: Html,
    /// Owner name used to shorten chip labels.
    owner_name: Option<String>,
    /// Matches a pod to this row.
    namespace: String,
    owner: Option<String>,
}

/// Borrowed: the matrix asks this of every pod at every redraw.
fn row_of(pod: &PodView) -> (&str, Option<&str>) {
    (&pod.namespace, pod.owner.as_deref())
}

fn ns_prefix(ns: &str) -> String {
    if ns == "default" {
        String::new()
    } else {
        format!("{ns}/")
    }
}

fn revision_num(o: &OwnerView) -> i64 {
    o.revision
        .as_deref()
        .and_then(|r| r.parse().ok())
        .unwrap_or(-1)
}

fn deployment_header(d: &OwnerView) -> Html {
    let converged = d.desired == d.current
        && d.desired == d.updated
        && d.desired == d.ready_count
        && d.desired == d.available;
    let ticks: Html = (0..d.desired.clamp(0, 24))
        .map(|i| {
            let filled = i < d.ready_count;
            html! { <i class={classes!(filled.then_some("on"))} /> }
        })
        .collect();
    let state = if converged {
        html! { <span class="conv ok">{ "✓ converged" }</span> }
    } else {
        let need = (d.desired - d.ready_count).max(0);
        let text = if d.updated < d.desired {
            format!("⟳ rolling out · {} of {} up to date", d.updated, d.desired)
        } else if need > 0 {
            format!("⟳ converging · {need} more ready needed")
        } else {
            "⟳ converging · scaling down".to_string()
        };
        html! { <span class="conv busy">{ text }</span> }
    };
    html! {
        <div class="owner-head inspectable" tabindex="0" role="button"
             data-inspect-kind="Deployment" data-inspect-name={d.name.clone()} data-ns={d.namespace.clone()}
             aria-label={format!("Deployment {}, READY {}: inspect", d.name, d.ready)}>
            <span class="kind-tag">{ "Deployment" }</span>
            <span class="owner-name">{ format!("{}{}", ns_prefix(&d.namespace), d.name) }</span>
            <span class="cols">
                <span><abbr title="READY">{ "READY" }</abbr>{ " " }<b>{ d.ready.clone() }</b></span>
                <span>{ "UP-TO-DATE " }<b>{ d.updated }</b></span>
                <span>{ "AVAILABLE " }<b>{ d.available }</b></span>
            </span>
            <span class="meter" aria-hidden="true" title={format!("{} of {} ready", d.ready_count, d.desired)}>{ ticks }</span>
            { state }
        </div>
    }
}

fn rs_label(rs: &OwnerView, newest: bool, has_parent: bool) -> Html {
    let rev = rs.revision.clone().map(|r| format!("r{r}"));
    html! {
        <div class="rs-label inspectable" tabindex="0" role="button"
             data-inspect-kind="ReplicaSet" data-inspect-name={rs.name.clone()} data-ns={rs.namespace.clone()}
             aria-label={format!("ReplicaSet {}: inspect", rs.name)}>
            { if has_parent { html! {} } else { html! { <span class="kind-tag small" title="ReplicaSet">{ "rs" }</span> } } }
            <span class="rs-name" title={format!("ReplicaSet {}", rs.name)}>
                { if has_parent { rs.name.clone() } else { format!("{}{}", ns_prefix(&rs.namespace), rs.name) } }
            </span>
            <span class="rs-meta">
                { for rev.map(|r| html! { <span class="rev">{ r }</span> }) }
                { if has_parent {
                    if newest { html! { <span class="badge new">{ "★new" }</span> } }
                    else { html! { <span class="badge old">{ "old" }</span> } }
                  } else { html! {} } }
                <span class="rs-counts" title="DESIRED / CURRENT / READY">
                    { format!("{}/{}/{}", rs.desired, rs.current, rs.ready_count) }
                </span>
            </span>
        </div>
    }
}

fn generic_label(kind: &str, name: &str) -> Html {
    html! {
        <div class="rs-label">
            <span class="kind-tag small">{ kind.to_string() }</span>
            <span class="rs-name" title={name.to_string()}>{ name.to_string() }</span>
        </div>
    }
}

fn node_header(node: &NodeView, lit: bool, system: usize) -> Html {
    let ready = node.status.split(',').next() == Some("Ready");
    let user = node
        .pods
        .iter()
        .filter(|p| p.namespace != SYSTEM_NS)
        .count();
    html! {
        <div class={classes!("node-head", (!ready).then_some("not-ready"),
                             node.status.contains("SchedulingDisabled").then_some("cordoned"))}
             data-node-name={node.name.clone()}>
            <div class="node-title" title={format!("{} · {} · roles {}", node.name, node.status, node.roles)}>
                <span class={classes!("kubelet", lit.then_some("lit"))} title="kubelet" aria-hidden="true"></span>
                { icons::node() }
                <span class="node-name">{ node.name.clone() }</span>
            </div>
            <div class="node-meta">
                <span class={classes!("node-status", if ready { "ok" } else { "bad" })}>{ node.status.clone() }</span>
                <span class="roles" title="ROLES">{ node.roles.clone() }</span>
                <span class="count" title={format!("{user} workload pods, {system} kube-system pods")}>
                    { format!("{user} pod{}", if user == 1 { "" } else { "s" }) }
                </span>
            </div>
        </div>
    }
}

/// The owner × node matrix plus the tray.
/// A pod that has just left the cluster, drawn where it was while its gap closes.
#[derive(Clone, Debug, PartialEq)]
pub struct Ghost {
    pub pod: PodView,
    /// Its position in its node's (or the tray's) list when it was last seen.
    pub index: usize,
}

/// A node's (or the tray's) pods with the ghosts put back where they were: `(pod, is_ghost)`.
fn with_ghosts<'a>(
    pods: &'a [PodView],
    node: Option<&str>,
    ghosts: &'a [Ghost],
) -> Vec<(&'a PodView, bool)> {
    let mut list: Vec<(&PodView, bool)> = pods.iter().map(|p| (p, false)).collect();
    for g in ghosts.iter().filter(|g| g.pod.node.as_deref() == node) {
        let at = g.index.min(list.len());
        list.insert(at, (&g.pod, true));
    }
    list
}

/// The key under which an owner's first appearance is remembered (rows keep that order).
pub fn owner_key(o: &OwnerView) -> String {
    format!("{}/{}/{}", o.namespace, o.kind, o.name)
}

/// `order`: owner keys in the order they first appeared, so a new owner never pushes an old one down.
pub fn matrix(
    view: &ClusterView,
    lit: &dyn Fn(&str) -> bool,
    order: &[String],
    ghosts: &[Ghost],
    on_suggest: &Callback<String>,
    svc: Option<&ServiceView>,
) -> Html {
    // The focused Service's pods, looked up once per draw rather than per chip.
    let endpoints: std::collections::HashMap<&str, bool> = svc
        .iter()
        .flat_map(|s| s.endpoints.iter())
        .filter_map(|e| Some((e.pod.as_deref()?, e.ready)))
        .collect();
    let behind = |p: &PodView| match (svc, endpoints.get(p.name.as_str())) {
        (Some(s), Some(&ready)) if s.namespace == p.namespace => {
            if ready {
                Behind::Ready
            } else {
                Behind::NotReady
            }
        }
        _ => Behind::No,
    };
    let merged: Vec<Vec<(&PodView, bool)>> = view
        .nodes
        .iter()
        .map(|n| with_ghosts(&n.pods, Some(&n.name), ghosts))
        .collect();
    let cols = format!(
        // `--owner-w` / `--node-min` narrow the columns where the page is tight (style.css).
        "--cols: var(--owner-w, 158px) repeat({n}, minmax(var(--node-min, 176px), 1fr)); --n: {n}",
        n = view.nodes.len().max(1)
    );

    // --- rows, in a stable order: deployments with their replicasets, then other owners, then bare pods.
    let mut rows: Vec<Row> = Vec::new();
    let mut heads: Vec<(usize, Html, String)> = Vec::new(); // (insert-before index, header, key)
    let mut user_owners: Vec<&OwnerView> = view
        .owners
        .iter()
        .filter(|o| o.namespace != SYSTEM_NS)
        .collect();
    let rank = |o: &OwnerView| {
        let k = owner_key(o);
        order.iter().position(|x| *x == k).unwrap_or(usize::MAX)
    };
    crate::sort::sort_by_key(&mut user_owners, |o| rank(o));
    let mut placed_rs: Vec<(String, String)> = Vec::new();
    for d in user_owners.iter().filter(|o| o.kind == "Deployment") {
        heads.push((
            rows.len(),
            deployment_header(d),
            format!("deploy/{}/{}", d.namespace, d.name),
        ));
        let mut rss: Vec<&&OwnerView> = user_owners
            .iter()
            .filter(|o| {
                o.kind == "ReplicaSet"
                    && o.namespace == d.namespace
                    && o.parent.as_deref() == Some(&d.name)
            })
            .collect();
        crate::sort::sort_by_key(&mut rss, |o| std::cmp::Reverse(revision_num(o)));
        for (i, rs) in rss.iter().enumerate() {
            placed_rs.push((rs.namespace.clone(), rs.name.clone()));
            let thin = rs.desired == 0 && rs.current == 0 && i > 0;
            rows.push(Row {
                key: format!("rs/{}/{}", rs.namespace, rs.name),
                class: if thin { "rs-row thin" } else { "rs-row" },
                label: rs_label(rs, i == 0, true),
                owner_name: Some(rs.name.clone()),
                namespace: rs.namespace.clone(),
                owner: Some(format!("ReplicaSet/{}", rs.name)),
            });
        }
    }
    for rs in user_owners.iter().filter(|o| o.kind == "ReplicaSet") {
        if placed_rs
            .iter()
            .any(|(ns, n)| ns == &rs.namespace && n == &rs.name)
        {
            continue;
        }
        rows.push(Row {
            key: format!("rs/{}/{}", rs.namespace, rs.name),
            class: "rs-row solo",
            label: rs_label(rs, true, false),
            owner_name: Some(rs.name.clone()),
            namespace: rs.namespace.clone(),
            owner: Some(format!("ReplicaSet/{}", rs.name)),
        });
    }
    let all_pods = view
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .chain(view.unscheduled.iter())
        .chain(ghosts.iter().map(|g| &g.pod))
        .filter(|p| p.namespace != SYSTEM_NS);
    let mut bare_ns: Vec<String> = Vec::new();
    for p in all_pods {
        let (ns, owner) = row_of(p);
        match owner {
            Some(o) => {
                if rows
                    .iter()
                    .any(|r| r.namespace == ns && r.owner.as_deref() == Some(o))
                {
                    continue;
                }
                let (kind, name) = split_owner(o);
                rows.push(Row {
                    key: format!("own/{ns}/{o}"),
                    class: "rs-row solo",
                    label: generic_label(kind, &format!("{}{}", ns_prefix(ns), name)),
                    owner_name: Some(name.to_string()),
                    namespace: ns.to_string(),
                    owner: Some(o.to_string()),
                });
            }
            None => {
                if !bare_ns.iter().any(|b| b == ns) {
                    bare_ns.push(ns.to_string());
                }
            }
        }
    }
    for ns in bare_ns {
        rows.push(Row {
            key: format!("bare/{ns}"),
            class: "rs-row bare",
            label: html! {
                <div class="rs-label">
                    <span class="kind-tag small muted">{ "pods" }</span>
                    <span class="rs-name">{ if ns == "default" { "no owner".to_string() } else { format!("{ns}/ no owner") } }</span>
                </div>
            },
            owner_name: None,
            namespace: ns,
            owner: None,
        });
    }

    let empty = rows.is_empty() && heads.is_empty();
    let body: Html = {
        let mut out: Vec<Html> = Vec::new();
        let mut hi = 0;
        for (i, row) in rows.iter().enumerate() {
            while hi < heads.len() && heads[hi].0 == i {
                out.push(html! { <div key={heads[hi].2.clone()} class="mrow deploy-row">{ heads[hi].1.clone() }</div> });
                hi += 1;
            }
            // Level of detail (UX §3.7): a row with many pods in one cell draws glyph-only chips.
            let row_compact = merged
                .iter()
                .map(|list| {
                    list.iter()
                        .filter(|(p, _)| p.namespace == row.namespace && p.owner == row.owner)
                        .count()
                })
                .max()
                .unwrap_or(0)
                > COMPACT_ABOVE;
            let cells: Html = view
                .nodes
                .iter()
                .zip(merged.iter())
                .map(|(n, list)| {
                    let owner = row.owner_name.as_deref();
                    let compact = row_compact;
                    let here = || {
                        list.iter()
                            .filter(|(p, _)| p.namespace == row.namespace && p.owner == row.owner)
                    };
                    let live = here().filter(|(_, ghost)| !ghost).count();
                    let content = if live > TALLY_ABOVE {
                        tally(here().filter(|(_, ghost)| !ghost).map(|(p, _)| *p))
                    } else {
                        here()
                            .map(|(p, ghost)| if *ghost { ghost_chip(p, owner, compact) } else { pod_chip(p, owner, compact, behind(p)) })
                            .collect()
                    };
                    html! {
                        <div key={n.name.clone()} class="cell" role="list"
                             aria-label={format!("{} on {}", row.owner.clone().unwrap_or_else(|| "pods".into()), n.name)}>
                            { content }
                        </div>
                    }
                })
                .collect();
            out.push(html! {
                <div key={row.key.clone()} class={classes!("mrow", row.class)}>
                    { row.label.clone() }
                    { cells }
                </div>
            });
        }
        while hi < heads.len() {
            out.push(html! { <div key={heads[hi].2.clone()} class="mrow deploy-row">{ heads[hi].1.clone() }</div> });
            hi += 1;
        }
        out.into_iter().collect()
    };

    let suggestions = [
        "kubectl create deployment web --image=nginx --replicas=3",
        "kubectl create deployment cache --image=redis --replicas=2",
        "kubectl get nodes",
    ];
    let empty_state = if empty {
        html! {
            <div class="mrow empty-row">
                <div class="empty">
                    <p class="empty-title">{ "No workloads yet" }</p>
                    <p class="empty-text">{ "Create something and watch each control-plane component act on it. Pick a command to put it in the terminal:" }</p>
                    <div class="suggest">
                        { for suggestions.iter().map(|s| {
                            let cb = on_suggest.clone();
                            let cmd = s.to_string();
                            html! { <button type="button" class="suggest-btn" onclick={Callback::from(move |_| cb.emit(cmd.clone()))}>
                                <span class="prompt">{ "$ " }</span>{ *s }</button> }
                        }) }
                    </div>
                </div>
            </div>
        }
    } else {
        html! {}
    };

    // --- kube-system at each node's foot, folded to a count.
    let foot: Html = view
        .nodes
        .iter()
        .map(|n| {
            let sys: Vec<&PodView> = n.pods.iter().filter(|p| p.namespace == SYSTEM_NS).collect();
            let ready = sys.iter().filter(|p| ChipKind::of(p) == ChipKind::Ready).count();
            let text = if sys.is_empty() {
                "—".to_string()
            } else {
                format!("{} pod{} · {ready} ready", sys.len(), if sys.len() == 1 { "" } else { "s" })
            };
            html! {
                <div key={n.name.clone()} class="cell sys-cell"
                     title={sys.iter().map(|p| format!("{} {} {}", p.name, p.status, p.ready)).collect::<Vec<_>>().join("\n")}>
                    { text }
                </div>
            }
        })
        .collect();

    let tray_list = with_ghosts(&view.unscheduled, None, ghosts);
    let tray: Vec<&PodView> = view.unscheduled.iter().collect();
    html! {
        <section class="cluster" aria-label="Cluster">
            <div class="matrix" style={cols}>
                <div class="mrow node-row">
                    <div class="corner">
                        <span>{ "owners" }</span><span class="arrow">{ "↓" }</span>
                        <span>{ "nodes" }</span><span class="arrow">{ "→" }</span>
                    </div>
                    { for view.nodes.iter().map(|n| {
                        let sys = n.pods.iter().filter(|p| p.namespace == SYSTEM_NS).count();
                        html! { <div key={n.name.clone()} class="node-cell">{ node_header(n, lit(&format!("kubelet/{}", n.name)), sys) }</div> }
                    }) }
                </div>
                <div class="matrix-body">
                    { body }
                    { empty_state }
                </div>
                <div class="mrow filler" aria-hidden="true">
                    <div></div>
                    { for view.nodes.iter().map(|n| html! { <div key={n.name.clone()} class="cell"></div> }) }
                </div>
                <div class="mrow sys-row">
                    <div class="rs-label"><span class="kind-tag small muted">{ "ns" }</span><span class="rs-name">{ "kube-system" }</span></div>
                    { foot }
                </div>
            </div>
            <div class={classes!("tray", (!tray.is_empty()).then_some("busy"))}>
                <div class="tray-head">
                    <span class="tray-title">{ "Unscheduled" }</span>
                    <span class="tray-sub">
                        { if tray.is_empty() { "every pod has a node".to_string() }
                          else { format!("{} pod{} waiting for kube-scheduler", tray.len(), if tray.len() == 1 { "" } else { "s" }) } }
                    </span>
                </div>
                <div class="tray-chips" role="list" aria-label="Unscheduled pods">
                    { if tray.len() > TALLY_ABOVE {
                        tally(tray.iter().copied())
                      } else {
                        tray_list.iter().map(|(p, ghost)| if *ghost { ghost_chip(p, None, false) } else { pod_chip(p, None, false, behind(p)) }).collect()
                      } }
                </div>
            </div>
        </section>
    }
}

// --- Services with their endpoints (UX §3.5) and objects held by finalizers (UX §3.6). ---------

use crate::sim::view::{HeldView, ServiceView};

/// Endpoints listed on a Service card before `+ N more`.
const MAX_ENDPOINTS: usize = 8;

/// A finalizer lock that just came off an object: drawn open, sliding away, for a moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Released {
    /// The object as it was last seen, with the finalizers that were removed.
    pub held: HeldView,
    /// The object went with its last finalizer (it was Terminating).
    pub gone: bool,
}

/// What came off between two views: objects that lost finalizers or went with them.
pub fn released(before: &ClusterView, after: &ClusterView) -> Vec<Released> {
    let mut out = Vec::new();
    for h in &before.held {
        let now = after
            .held
            .iter()
            .find(|x| x.kind == h.kind && x.namespace == h.namespace && x.name == h.name);
        let removed: Vec<String> = h
            .finalizers
            .iter()
            .filter(|f| now.is_none_or(|n| !n.finalizers.contains(f)))
            .cloned()
            .collect();
        if removed.is_empty() {
            continue;
        }
        out.push(Released {
            held: HeldView {
                finalizers: removed,
                ..h.clone()
            },
            gone: now.is_none(),
        });
    }
    out
}

fn lock_badge(finalizers: &[String], terminating: bool) -> Html {
    let list = finalizers.join(", ");
    let text = if terminating {
        format!("holding: {list}")
    } else {
        format!("finalizers: {list}")
    };
    html! {
        <span class="lock held" data-lock-state="held" title={text.clone()}>
            { icons::lock() }<span class="lock-text">{ text }</span>
        </span>
    }
}

/// The Service whose card the pointer is over or has the focus: (namespace, name), or none.
pub type SvcFocus = Option<(String, String)>;

/// A handler for any event that reports `to` as the focused Service.
fn report_focus<E: 'static>(on_focus: &Callback<SvcFocus>, to: SvcFocus) -> Callback<E> {
    let on_focus = on_focus.clone();
    Callback::from(move |_: E| on_focus.emit(to.clone()))
}

fn service_card(s: &ServiceView, focused: bool, on_focus: &Callback<SvcFocus>) -> Html {
    let me = Some((s.namespace.clone(), s.name.clone()));
    let ready = s.endpoints.iter().filter(|e| e.ready).count();
    let not_ready = s.endpoints.len() - ready;
    let summary = match (ready, not_ready) {
        (0, 0) if !s.has_selector => "no selector: endpoints are managed by hand".to_string(),
        (0, 0) => "no endpoints: no pod matches its selector yet".to_string(),
        (r, 0) => format!("{r} ready endpoint{}", if r == 1 { "" } else { "s" }),
        (r, n) => format!("{r} ready, {n} not ready"),
    };
    let more = s.endpoints.len().saturating_sub(MAX_ENDPOINTS);
    html! {
        <article key={format!("{}/{}", s.namespace, s.name)} class={classes!("svc", s.terminating.then_some("terminating"), focused.then_some("focused"))}
                 role="listitem" data-svc={s.name.clone()} data-ns={s.namespace.clone()}
                 data-type={s.type_.clone()} data-external-ip={s.external_ip.clone()}
                 onmouseenter={report_focus::<MouseEvent>(on_focus, me.clone())}
                 onmouseleave={report_focus::<MouseEvent>(on_focus, None)}
                 onfocusin={report_focus::<FocusEvent>(on_focus, me)}
                 onfocusout={report_focus::<FocusEvent>(on_focus, None)}>
            <div class="svc-head inspectable" tabindex="0" role="button"
                 data-inspect-kind="Service" data-inspect-name={s.name.clone()} data-ns={s.namespace.clone()}
                 aria-label={format!("Service {}, {}, {summary}: inspect", s.name, s.type_)}>
                <span class="kind-tag small">{ "svc" }</span>
                <span class="svc-name">{ format!("{}{}", ns_prefix(&s.namespace), s.name) }</span>
                <span class="svc-type">{ s.type_.clone() }</span>
                { if s.terminating { html! { <span class="svc-term">{ "Terminating" }</span> } } else { html! {} } }
            </div>
            { if s.finalizers.is_empty() { html! {} } else { lock_badge(&s.finalizers, s.terminating) } }
            <div class="svc-cols">
                <span title="CLUSTER-IP">{ s.cluster_ip.clone() }</span>
                <span title="EXTERNAL-IP" class={classes!("svc-ext", (s.external_ip == "<pending>").then_some("pending"))}>
                    { format!("ext {}", s.external_ip) }
                </span>
                <span title="PORT(S)">{ s.ports.clone() }</span>
            </div>
            <p class="svc-sum">{ summary }</p>
            <ul class="svc-eps" aria-label={format!("Endpoints of {}", s.name)}>
                { for s.endpoints.iter().take(MAX_ENDPOINTS).map(|e| {
                    let pod = e.pod.clone().unwrap_or_default();
                    let word = if e.terminating { "terminating" } else if e.ready { "ready" } else { "not ready" };
                    html! {
                        <li class={classes!("svc-ep", if e.ready { "ready" } else { "not-ready" })}
                            data-pod={pod.clone()} data-ready={if e.ready { "true" } else { "false" }}
                            data-inspect-kind={(!pod.is_empty()).then_some("Pod")} data-inspect-name={pod.clone()}
                            data-ns={s.namespace.clone()} tabindex={(!pod.is_empty()).then_some("0")}
                            title={format!("{} {} {word}", pod, e.ip)}>
                            <span class="ep-mark" aria-hidden="true">{ if e.ready { "☍" } else { "✂" } }</span>
                            <span class="ep-pod">{ if pod.is_empty() { e.ip.clone() } else { pod } }</span>
                            <span class="ep-word">{ word }</span>
                        </li>
                    }
                }) }
                { if more > 0 { html! { <li class="svc-ep more">{ format!("+ {more} more") }</li> } } else { html! {} } }
            </ul>
        </article>
    }
}

fn held_item(h: &HeldView, released: Option<bool>) -> Html {
    let key = format!("{}/{}/{}", h.kind, h.namespace, h.name);
    let list = h.finalizers.join(", ");
    let (state, text) = match released {
        Some(true) => ("detached", format!("released: {list}; it is deleted")),
        Some(false) => ("detached", format!("released: {list}")),
        None if h.terminating => ("held", format!("Terminating · holding: {list}")),
        None => ("held", format!("finalizers: {list} (not being deleted)")),
    };
    let inspect = released.is_none();
    html! {
        <div key={format!("{state}/{key}")} role="listitem"
             class={classes!("held", h.terminating.then_some("terminating"), (state == "detached").then_some("released"),
                             inspect.then_some("inspectable"))}
             data-held-kind={h.kind.clone()} data-held-name={h.name.clone()} data-ns={h.namespace.clone()}
             data-inspect-kind={inspect.then(|| h.kind.clone())} data-inspect-name={inspect.then(|| h.name.clone())}
             tabindex={inspect.then_some("0")}
             aria-label={format!("{} {}: {text}", h.kind, h.name)}>
            <span class={classes!("lock", state)} data-lock-state={state} aria-hidden="true">
                { if state == "detached" { icons::lock_open() } else { icons::lock() } }
            </span>
            <span class="kind-tag small">{ h.kind.clone() }</span>
            <span class="held-name">{ format!("{}{}", if h.namespace.is_empty() { String::new() } else { ns_prefix(&h.namespace) }, h.name) }</span>
            <span class="held-text">{ text }</span>
        </div>
    }
}

/// Services and the objects finalizers hold, below the matrix. Empty when there are none.
pub fn extras(
    view: &ClusterView,
    released: &[Released],
    focus: &SvcFocus,
    on_focus: &Callback<SvcFocus>,
) -> Html {
    if view.services.is_empty() && view.held.is_empty() && released.is_empty() {
        return html! {};
    }
    html! {
        <section class="cluster-extras" aria-label="Services and finalizers">
            { if view.services.is_empty() { html! {} } else { html! {
                <div class="svc-wrap">
                    <h3 class="extras-title">{ "Services" }<span class="extras-sub">{ "pods behind each: ☍ ready, ✂ not ready (no traffic); point at a Service to mark its pods" }</span></h3>
                    <div class="svc-list" role="list" aria-label="Services">
                        { for view.services.iter().map(|s| {
                            let focused = focus.as_ref().is_some_and(|(ns, n)| *ns == s.namespace && *n == s.name);
                            service_card(s, focused, on_focus)
                        }) }
                    </div>
                </div>
            } } }
            { if view.held.is_empty() && released.is_empty() { html! {} } else { html! {
                <div class="held-wrap">
                    <h3 class="extras-title">{ "Finalizers" }<span class="extras-sub">{ "an object with finalizers stays until each is removed" }</span></h3>
                    <div class="held-list" role="list" aria-label="Objects held by finalizers">
                        { for view.held.iter().map(|h| held_item(h, None)) }
                        { for released.iter().map(|r| held_item(&r.held, Some(r.gone))) }
                    </div>
                </div>
            } } }
        </section>
    }
}
