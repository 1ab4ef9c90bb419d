//! Output formats: kubectl's table layout (Go tabwriter, padding 3, min width 6), ages, and the
//! YAML / JSON / name printers.

use chrono::{DateTime, Utc};

/// Lays out rows as kubectl's table printer does: each column as wide as its widest cell plus 3
/// (at least 6), the last column unpadded.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let w = (widths[i] + 3).max(6);
                line.push_str(c);
                for _ in c.chars().count()..w {
                    line.push(' ');
                }
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `duration.HumanDuration`, as AGE columns print it.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    let s = secs;
    if s < 60 * 2 {
        return format!("{s}s");
    }
    let minutes = s / 60;
    if minutes < 10 {
        let rem = s % 60;
        return if rem == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{rem}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = s / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        let d = hours / 24;
        return if h == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{h}h")
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        let y = hours / 24 / 365;
        return if dy == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{dy}d")
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// AGE of an object created at `t`, seen at `now`.
pub fn age(t: Option<&DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        Some(t) => human_duration((now - *t).num_seconds()),
        None => "<unknown>".into(),
    }
}

/// `-o json`: four-space indentation, as kubectl prints it.
pub fn json(v: &serde_json::Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if v.serialize(&mut ser).is_err() {
        return String::new();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    go_json_escapes(&s)
}

/// `-o yaml` as kubectl prints it (sigs.k8s.io/yaml over go-yaml v2): keys sorted, sequences at
/// their parent's indentation, strings double-quoted only when they would read as something else.
pub fn yaml(v: &serde_json::Value) -> String {
    let mut out = String::new();
    match v {
        serde_json::Value::Object(m) if !m.is_empty() => yaml_map(m, 0, &mut out),
        serde_json::Value::Array(a) if !a.is_empty() => yaml_seq(a, 0, &mut out),
        other => {
            out.push_str(&yaml_inline(other, 0));
            out.push('\n');
        }
    }
    out
}

fn yaml_map(m: &serde_json::Map<String, serde_json::Value>, indent: usize, out: &mut String) {
    let mut keys: Vec<&String> = m.keys().collect();
    crate::sort::sort(&mut keys);
    for k in keys {
        let v = &m[k];
        out.push_str(&" ".repeat(indent));
        out.push_str(&yaml_scalar(k));
        out.push(':');
        yaml_value_after_key(v, indent, out);
    }
}

fn yaml_value_after_key(v: &serde_json::Value, indent: usize, out: &mut String) {
    match v {
        serde_json::Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml_map(m, indent + 2, out);
        }
        serde_json::Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml_seq(a, indent, out);
        }
        serde_json::Value::String(s) if s.contains('\n') => {
            out.push_str(&literal_block(s, indent + 2));
        }
        other => {
            out.push(' ');
            out.push_str(&yaml_inline(other, indent));
            out.push('\n');
        }
    }
}

fn yaml_seq(a: &[serde_json::Value], indent: usize, out: &mut String) {
    for item in a {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            serde_json::Value::Object(m) if !m.is_empty() => {
                // The first key shares the dash's line; the rest align under it.
                let mut inner = String::new();
                yaml_map(m, indent + 2, &mut inner);
                out.push(' ');
                out.push_str(&inner[indent + 2..]);
            }
            serde_json::Value::Array(a2) if !a2.is_empty() => {
                out.push('\n');
                yaml_seq(a2, indent + 2, out);
            }
            serde_json::Value::String(s) if s.contains('\n') => {
                out.push_str(&literal_block(s, indent + 2))
            }
            other => {
                out.push(' ');
                out.push_str(&yaml_inline(other, indent));
                out.push('\n');
            }
        }
    }
}

fn literal_block(s: &str, indent: usize) -> String {
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let mut out = format!(" |{chomp}\n");
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn yaml_inline(v: &serde_json::Value, _indent: usize) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => yaml_scalar(s),
        serde_json::Value::Array(_) => "[]".into(),
        serde_json::Value::Object(_) => "{}".into(),
    }
}

/// A string as go-yaml v2 writes it: plain when it reads back as the same string, else quoted.
pub fn yaml_scalar(s: &str) -> String {
    // go-yaml's emitter: a string that is plain-unsafe only by its characters (`*/5 * * * *`,
    // `{x}`) but printable goes single-quoted; one that would resolve to another type, or holds
    // control characters, goes double-quoted.
    if needs_quotes(s)
        && !resolves_to_other_type(s)
        && !s.chars().any(|c| (c as u32) < 0x20 || c == '\u{7f}')
    {
        return format!("'{}'", s.replace('\'', "''"));
    }
    if needs_quotes(s) {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\t' => q.push_str("\\t"),
                '\n' => q.push_str("\\n"),
                '\r' => q.push_str("\\r"),
                c if (c as u32) < 0x20 => q.push_str(&format!("\\x{:02X}", c as u32)),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    } else {
        s.to_string()
    }
}

/// Whether a plain scalar `s` would read back as something other than a string (go-yaml's
/// `resolve`): empty, booleans and nulls, numbers, timestamps.
fn resolves_to_other_type(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf",
        ".nan",
    ];
    if RESERVED.contains(&lower.as_str()) {
        return true;
    }
    let numeric = s.trim_start_matches(['-', '+']).replace('_', "");
    if !numeric.is_empty()
        && (numeric.parse::<f64>().is_ok()
            || numeric.starts_with("0x") && u64::from_str_radix(&numeric[2..], 16).is_ok()
            || numeric.starts_with("0o")
            || numeric.starts_with("0b"))
    {
        return true;
    }
    let b = s.as_bytes();
    b.len() >= 10
        && b[0..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s != s.trim() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf",
        ".nan",
    ];
    if RESERVED.contains(&lower.as_str()) {
        return true;
    }
    // Numbers (ints, floats, hex, octal, with _ separators) and timestamps resolve to other types.
    let numeric = s.trim_start_matches(['-', '+']).replace('_', "");
    if !numeric.is_empty()
        && (numeric.parse::<f64>().is_ok()
            || numeric.starts_with("0x") && u64::from_str_radix(&numeric[2..], 16).is_ok()
            || numeric.starts_with("0o")
            || numeric.starts_with("0b"))
    {
        return true;
    }
    let b = s.as_bytes();
    if b.len() >= 10
        && b[0..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
    {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-foo` and `:foo` are plain in go-yaml only when not followed by space; keep them quoted
        // except the common `-x` words that go-yaml prints plain.
        let second = s.chars().nth(1).unwrap_or(' ');
        if !matches!(first, '-' | '?' | ':') || second.is_whitespace() {
            return true;
        }
        if first == '-' && s == "-" {
            return true;
        }
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| (c as u32) < 0x20 || c == '\u{7f}')
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings (kubectl's JSON
/// printer uses it); outside strings JSON never holds these characters.
fn go_json_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `-o json` of a typed object, as kubectl prints what it built itself (the `create` generators,
/// `run`, `expose`): keys in the Go structs' field order (`kind` and `apiVersion` first), not
/// sorted as for objects read back from the server. Fields of types not in [`go_fields`] keep
/// sorted order after the known ones.
pub fn json_typed(v: &serde_json::Value) -> String {
    let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    let mut out = String::new();
    json_go_value(v, kind, 0, &mut out);
    out.push('\n');
    go_json_escapes(&out)
}

fn json_go_value(v: &serde_json::Value, ty: &str, depth: usize, out: &mut String) {
    use serde_json::Value;
    let pad = |d: usize, out: &mut String| {
        for _ in 0..d {
            out.push_str("    ");
        }
    };
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            let order = go_fields(ty);
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| order.iter().position(|f| f == k).unwrap_or(usize::MAX));
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                pad(depth + 1, out);
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push_str(": ");
                json_go_value(&m[k.as_str()], go_child(ty, k), depth + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(depth, out);
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Array(a) => {
            out.push_str("[\n");
            for (i, e) in a.iter().enumerate() {
                pad(depth + 1, out);
                json_go_value(e, ty, depth + 1, out);
                if i + 1 < a.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(depth, out);
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// The Go type of field `key` of Go type `ty` (element type for lists), as far as the generators
/// need it.
fn go_child(ty: &str, key: &str) -> &'static str {
    match (ty, key) {
        (_, "metadata") => "ObjectMeta",
        ("Deployment", "spec") => "DeploymentSpec",
        ("Deployment", "status") => "DeploymentStatus",
        ("Job", "spec") | ("JobTemplateSpec", "spec") => "JobSpec",
        ("CronJob", "spec") => "CronJobSpec",
        ("Pod", "spec") | ("PodTemplateSpec", "spec") => "PodSpec",
        ("Pod", "status") => "PodStatus",
        ("Service", "spec") => "ServiceSpec",
        ("Service", "status") => "ServiceStatus",
        ("DeploymentSpec" | "JobSpec", "selector") => "LabelSelector",
        ("DeploymentSpec" | "JobSpec", "template") => "PodTemplateSpec",
        ("DeploymentSpec", "strategy") => "DeploymentStrategy",
        ("DeploymentStrategy", "rollingUpdate") => "RollingUpdateDeployment",
        ("CronJobSpec", "jobTemplate") => "JobTemplateSpec",
        ("PodSpec", "containers" | "initContainers") => "Container",
        ("PodSpec", "tolerations") => "Toleration",
        ("PodSpec", "volumes") => "Volume",
        ("Container", "ports") => "ContainerPort",
        ("Container", "env") => "EnvVar",
        ("Container", "resources") => "ResourceRequirements",
        ("Container", "volumeMounts") => "VolumeMount",
        ("ServiceSpec", "ports") => "ServicePort",
        ("Volume", "projected") => "ProjectedVolumeSource",
        ("ProjectedVolumeSource", "sources") => "VolumeProjection",
        ("VolumeProjection", "serviceAccountToken") => "ServiceAccountTokenProjection",
        ("VolumeProjection", "configMap") => "ConfigMapProjection",
        ("VolumeProjection", "downwardAPI") => "DownwardAPIProjection",
        ("ConfigMapProjection", "items") => "KeyToPath",
        ("DownwardAPIProjection", "items") => "DownwardAPIVolumeFile",
        ("DownwardAPIVolumeFile", "fieldRef") => "ObjectFieldSelector",
        _ => "",
    }
}

/// Field order of the Go API types (k8s.io/api, v1.32) the generators print.
fn go_fields(ty: &str) -> &'static [&'static str] {
    const TOP: &[&str] = &[
        "kind",
        "apiVersion",
        "metadata",
        "spec",
        "immutable",
        "data",
        "binaryData",
        "stringData",
        "type",
        "status",
    ];
    match ty {
        "ObjectMeta" => &[
            "name",
            "generateName",
            "namespace",
            "selfLink",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "labels",
            "annotations",
            "ownerReferences",
            "finalizers",
            "managedFields",
        ],
        "DeploymentSpec" => &[
            "replicas",
            "selector",
            "template",
            "strategy",
            "minReadySeconds",
            "revisionHistoryLimit",
            "paused",
            "progressDeadlineSeconds",
        ],
        "DeploymentStrategy" => &["type", "rollingUpdate"],
        "RollingUpdateDeployment" => &["maxUnavailable", "maxSurge"],
        "DeploymentStatus" => &[
            "observedGeneration",
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
            "conditions",
            "collisionCount",
        ],
        "LabelSelector" => &["matchLabels", "matchExpressions"],
        "PodTemplateSpec" | "JobTemplateSpec" => &["metadata", "spec"],
        "JobSpec" => &[
            "parallelism",
            "completions",
            "activeDeadlineSeconds",
            "podFailurePolicy",
            "successPolicy",
            "backoffLimit",
            "backoffLimitPerIndex",
            "maxFailedIndexes",
            "selector",
            "manualSelector",
            "template",
            "ttlSecondsAfterFinished",
            "completionMode",
            "suspend",
            "podReplacementPolicy",
            "managedBy",
        ],
        "CronJobSpec" => &[
            "schedule",
            "timeZone",
            "startingDeadlineSeconds",
            "concurrencyPolicy",
            "suspend",
            "jobTemplate",
            "successfulJobsHistoryLimit",
            "failedJobsHistoryLimit",
        ],
        "PodSpec" => &[
            "volumes",
            "initContainers",
            "containers",
            "ephemeralContainers",
            "restartPolicy",
            "terminationGracePeriodSeconds",
            "activeDeadlineSeconds",
            "dnsPolicy",
            "nodeSelector",
            "serviceAccountName",
            "serviceAccount",
            "automountServiceAccountToken",
            "nodeName",
            "hostNetwork",
            "hostPID",
            "hostIPC",
            "shareProcessNamespace",
            "securityContext",
            "imagePullSecrets",
            "hostname",
            "subdomain",
            "affinity",
            "schedulerName",
            "tolerations",
            "hostAliases",
            "priorityClassName",
            "priority",
            "dnsConfig",
            "readinessGates",
            "runtimeClassName",
            "enableServiceLinks",
            "preemptionPolicy",
            "overhead",
            "topologySpreadConstraints",
            "setHostnameAsFQDN",
            "os",
            "hostUsers",
            "schedulingGates",
            "resourceClaims",
            "resources",
        ],
        "PodStatus" => &[
            "phase",
            "conditions",
            "message",
            "reason",
            "nominatedNodeName",
            "hostIP",
            "hostIPs",
            "podIP",
            "podIPs",
            "startTime",
            "initContainerStatuses",
            "containerStatuses",
            "qosClass",
            "ephemeralContainerStatuses",
            "resize",
            "resourceClaimStatuses",
        ],
        "Container" => &[
            "name",
            "image",
            "command",
            "args",
            "workingDir",
            "ports",
            "envFrom",
            "env",
            "resources",
            "resizePolicy",
            "restartPolicy",
            "volumeMounts",
            "volumeDevices",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "lifecycle",
            "terminationMessagePath",
            "terminationMessagePolicy",
            "imagePullPolicy",
            "securityContext",
            "stdin",
            "stdinOnce",
            "tty",
        ],
        "ContainerPort" => &["name", "hostPort", "containerPort", "protocol", "hostIP"],
        "EnvVar" => &["name", "value", "valueFrom"],
        "ResourceRequirements" => &["limits", "requests", "claims"],
        "VolumeMount" => &[
            "name",
            "readOnly",
            "recursiveReadOnly",
            "mountPath",
            "subPath",
            "mountPropagation",
            "subPathExpr",
        ],
        "Toleration" => &["key", "operator", "value", "effect", "tolerationSeconds"],
        "Volume" => &["name"],
        "ProjectedVolumeSource" => &["sources", "defaultMode"],
        "VolumeProjection" => &[
            "secret",
            "downwardAPI",
            "configMap",
            "serviceAccountToken",
            "clusterTrustBundle",
        ],
        "ServiceAccountTokenProjection" => &["audience", "expirationSeconds", "path"],
        "ConfigMapProjection" => &["name", "items", "optional"],
        "DownwardAPIProjection" => &["items"],
        "KeyToPath" => &["key", "path", "mode"],
        "DownwardAPIVolumeFile" => &["path", "fieldRef", "resourceFieldRef", "mode"],
        "ObjectFieldSelector" => &["apiVersion", "fieldPath"],
        "ServiceSpec" => &[
            "ports",
            "selector",
            "clusterIP",
            "clusterIPs",
            "type",
            "externalIPs",
            "sessionAffinity",
            "loadBalancerIP",
            "loadBalancerSourceRanges",
            "externalName",
            "externalTrafficPolicy",
            "healthCheckNodePort",
            "publishNotReadyAddresses",
            "sessionAffinityConfig",
            "ipFamilies",
            "ipFamilyPolicy",
            "allocateLoadBalancerNodePorts",
            "loadBalancerClass",
            "internalTrafficPolicy",
            "trafficDistribution",
        ],
        "ServicePort" => &[
            "name",
            "protocol",
            "appProtocol",
            "port",
            "targetPort",
            "nodePort",
        ],
        "ServiceStatus" => &["loadBalancer", "conditions"],
        // A type the table does not know: sorted keys.
        "" => &[],
        // A kind at the top of the object.
        _ => TOP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_match_apimachinery() {
        let cases = [
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (190, "3m10s"),
            (599, "9m59s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600 + 60, "3h1m"),
            (8 * 3600 - 60, "7h59m"),
            (47 * 3600, "47h"),
            (49 * 3600, "2d1h"),
            (8 * 86400 - 3600, "7d23h"),
            (729 * 86400, "729d"),
            (2 * 365 * 86400 + 86400, "2y1d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s), want, "{s}s");
        }
        assert_eq!(human_duration(-5), "<invalid>");
        assert_eq!(human_duration(-1), "0s");
    }

    #[test]
    fn yaml_like_kubectl() {
        let v = serde_json::json!({
            "metadata": {"name": "web", "resourceVersion": "77", "creationTimestamp": "2025-03-01T09:00:01Z", "labels": {"app": "web"}},
            "spec": {"containers": [{"image": "nginx:1.27", "name": "nginx", "ports": [{"containerPort": 80}], "resources": {}}], "x": [], "t": "True", "s": "25%"},
            "note": "a\nb\n",
        });
        let want = "metadata:\n  creationTimestamp: \"2025-03-01T09:00:01Z\"\n  labels:\n    app: web\n  name: web\n  resourceVersion: \"77\"\nnote: |\n  a\n  b\nspec:\n  containers:\n  - image: nginx:1.27\n    name: nginx\n    ports:\n    - containerPort: 80\n    resources: {}\n  s: 25%\n  t: \"True\"\n  x: []\n";
        assert_eq!(yaml(&v), want);
    }

    #[test]
    fn table_pads_like_tabwriter() {
        let rows = vec![
            vec!["NAME".to_string(), "READY".to_string(), "AGE".to_string()],
            vec!["web-abc".to_string(), "1/1".to_string(), "5s".to_string()],
        ];
        assert_eq!(
            table(&rows),
            "NAME      READY   AGE\nweb-abc   1/1     5s\n"
        );
    }
}
