//! Small readings of a pod's state that several components share.

use k8s_openapi::api::core::v1::Pod;

pub fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

pub fn node(p: &Pod) -> Option<&str> {
    p.spec.as_ref()?.node_name.as_deref()
}

/// A mirror pod: the API server's copy of a kubelet's static pod (`kubernetes.io/config.mirror`).
pub fn is_mirror(p: &Pod) -> bool {
    p.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"))
}

pub fn terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

/// `controller.IsPodActive`: not finished and not being deleted.
pub fn is_active(p: &Pod) -> bool {
    !terminating(p) && !matches!(phase(p), "Succeeded" | "Failed")
}

fn ready_condition(p: &Pod) -> Option<&k8s_openapi::api::core::v1::PodCondition> {
    p.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
}

pub fn is_ready(p: &Pod) -> bool {
    ready_condition(p).is_some_and(|c| c.status == "True")
}

/// When the pod last became Ready (seconds since the epoch), if it is Ready.
pub fn ready_since(p: &Pod) -> Option<i64> {
    let c = ready_condition(p).filter(|c| c.status == "True")?;
    c.last_transition_time.as_ref().map(|t| t.0.timestamp())
}

/// `podutil.IsPodAvailable`: Ready for at least `min_ready_seconds`.
pub fn is_available(p: &Pod, min_ready_seconds: i64, now_secs: i64) -> bool {
    match ready_since(p) {
        Some(t) => min_ready_seconds == 0 || t + min_ready_seconds <= now_secs,
        None => false,
    }
}

pub fn max_restarts(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).max().unwrap_or(0))
        .unwrap_or(0)
}

/// The READY, STATUS and RESTARTS cells of `kubectl get pods` (`printPod` in kubectl 1.32), plus the
/// time of the last container termination for `N (5m ago)`.
pub struct PodSummary {
    pub ready: String,
    pub status: String,
    pub restarts: i32,
    pub last_restart: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn summary(p: &Pod) -> PodSummary {
    // Borrowed, not cloned: the cluster view reads this for every pod on every redraw.
    let no_status;
    let status = match &p.status {
        Some(s) => s,
        None => {
            no_status = k8s_openapi::api::core::v1::PodStatus::default();
            &no_status
        }
    };
    let no_spec;
    let spec = match &p.spec {
        Some(s) => s,
        None => {
            no_spec = k8s_openapi::api::core::v1::PodSpec::default();
            &no_spec
        }
    };
    let mut reason = status.phase.clone().unwrap_or_default();
    if let Some(r) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        reason = r.clone();
    }
    if status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".into();
    }
    let sidecars: Vec<&str> = spec
        .init_containers
        .iter()
        .flatten()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .map(|c| c.name.as_str())
        .collect();
    let total = spec.containers.len() + sidecars.len();
    let mut ready = 0usize;
    let mut restarts = 0i32;
    let mut last: Option<chrono::DateTime<chrono::Utc>> = None;
    let note_last = |cs: &k8s_openapi::api::core::v1::ContainerStatus,
                     last: &mut Option<chrono::DateTime<chrono::Utc>>| {
        if let Some(t) = cs
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
        {
            if last.is_none_or(|l| t.0 > l) {
                *last = Some(t.0);
            }
        }
    };
    let mut initializing = false;
    let init_statuses: &[k8s_openapi::api::core::v1::ContainerStatus] =
        status.init_container_statuses.as_deref().unwrap_or(&[]);
    let n_init = spec.init_containers.as_ref().map_or(0, |v| v.len());
    for (i, cs) in init_statuses.iter().enumerate() {
        restarts += cs.restart_count;
        note_last(cs, &mut last);
        let no_state = k8s_openapi::api::core::v1::ContainerState::default();
        let st = cs.state.as_ref().unwrap_or(&no_state);
        let is_sidecar = sidecars.contains(&cs.name.as_str());
        if st.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if is_sidecar && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = &st.terminated {
            reason = match &t.reason {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                _ => format!("Init:ExitCode:{}", t.exit_code),
            };
        } else if let Some(r) = st
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .filter(|r| !r.is_empty() && r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{n_init}");
        }
        initializing = true;
        break;
    }
    let initialized = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = 0;
        for cs in init_statuses {
            if sidecars.contains(&cs.name.as_str()) {
                restarts += cs.restart_count;
            }
        }
        let mut has_running = false;
        for cs in status.container_statuses.iter().flatten().rev() {
            restarts += cs.restart_count;
            note_last(cs, &mut last);
            let no_state = k8s_openapi::api::core::v1::ContainerState::default();
            let st = cs.state.as_ref().unwrap_or(&no_state);
            if let Some(r) = st
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = r;
            } else if let Some(t) = &st.terminated {
                reason = match &t.reason {
                    Some(r) if !r.is_empty() => r.clone(),
                    _ if t.signal.unwrap_or(0) != 0 => format!("Signal:{}", t.signal.unwrap_or(0)),
                    _ => format!("ExitCode:{}", t.exit_code),
                };
            } else if cs.ready && st.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = status
                .conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    if p.metadata.deletion_timestamp.is_some() {
        if status.reason.as_deref() == Some("NodeLost") {
            reason = "Unknown".into();
        } else if !matches!(status.phase.as_deref(), Some("Succeeded") | Some("Failed")) {
            reason = "Terminating".into();
        }
    }
    PodSummary {
        ready: format!("{ready}/{total}"),
        status: reason,
        restarts,
        last_restart: last,
    }
}
