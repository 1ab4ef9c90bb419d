//! Small text helpers shared by the views.

/// `mm:ss.t` for a virtual time in milliseconds (hours fold into minutes: `75:02.4`).
pub fn clock(ms: u64) -> String {
    let tenths = ms / 100;
    let t = tenths % 10;
    let s = (tenths / 10) % 60;
    let m = tenths / 600;
    format!("{m:02}:{s:02}.{t}")
}

/// The part of a generated pod name that tells it apart inside its owner's row:
/// `web-7d4b9c-x2kqp` in row `web-7d4b9c` → `…x2kqp`.
pub fn short_pod_name(pod: &str, owner_name: Option<&str>) -> String {
    if let Some(owner) = owner_name {
        if let Some(rest) = pod.strip_prefix(owner) {
            if let Some(suffix) = rest.strip_prefix('-') {
                if !suffix.is_empty() {
                    return format!("…{suffix}");
                }
            }
        }
    }
    pod.to_string()
}

/// Splits `Kind/name` into its parts.
pub fn split_owner(owner: &str) -> (&str, &str) {
    match owner.split_once('/') {
        Some((k, n)) => (k, n),
        None => ("", owner),
    }
}
