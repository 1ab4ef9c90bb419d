//! The API server's write path: validate, default, stamp metadata, store, and the deletion rules.

use std::fmt;
use std::rc::Rc;

use super::object::{Kind, Object};
use super::store::ObjKey;
use super::{defaults, Sim};

/// An error as the API server returns it (`metav1.Status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Invalid`, `Conflict`, `Forbidden`.
    pub reason: String,
    pub message: String,
    /// For `Invalid`: the field errors, and the kind and name they are about.
    pub causes: Vec<String>,
    pub subject: Option<(String, String)>,
}

impl ApiError {
    pub fn not_found(kind: Kind, name: &str) -> Self {
        ApiError {
            code: 404,
            reason: "NotFound".into(),
            message: format!("{} \"{}\" not found", kind.qualified_plural(), name),
            causes: Vec::new(),
            subject: None,
        }
    }
    pub fn already_exists(kind: Kind, name: &str) -> Self {
        ApiError {
            code: 409,
            reason: "AlreadyExists".into(),
            message: format!("{} \"{}\" already exists", kind.qualified_plural(), name),
            causes: Vec::new(),
            subject: None,
        }
    }
    /// A 409 for an update whose `resourceVersion` is not the stored one (optimistic concurrency).
    pub fn conflict(kind: Kind, name: &str) -> Self {
        ApiError {
            code: 409,
            reason: "Conflict".into(),
            message: format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                kind.qualified_plural(),
                name
            ),
            causes: Vec::new(),
            subject: None,
        }
    }
    /// A 422 with one or more field errors, worded as `apimachinery` words them.
    pub fn invalid(kind: Kind, name: &str, causes: &[String]) -> Self {
        let kind_name = if kind.group().is_empty() {
            kind.name().to_string()
        } else {
            format!("{}.{}", kind.name(), kind.group())
        };
        let detail = if causes.len() == 1 {
            causes[0].clone()
        } else {
            format!("[{}]", causes.join(", "))
        };
        ApiError {
            code: 422,
            reason: "Invalid".into(),
            message: format!("{kind_name} \"{name}\" is invalid: {detail}"),
            causes: causes.to_vec(),
            subject: Some((kind.name().to_string(), name.to_string())),
        }
    }
    /// How kubectl prints it: `Error from server (NotFound): pods "x" not found`.
    /// An `Invalid` error reads `The Deployment "x" is invalid: ...`, one `* cause` line each when
    /// there are several (kubectl's `StandardErrorMessage`).
    pub fn kubectl_message(&self) -> String {
        if let (Some((kind, name)), false) = (&self.subject, self.causes.is_empty()) {
            if self.causes.len() == 1 {
                return format!("The {kind} \"{name}\" is invalid: {}", self.causes[0]);
            }
            let mut s = format!("The {kind} \"{name}\" is invalid: ");
            for c in &self.causes {
                s.push_str("\n* ");
                s.push_str(c);
            }
            return s;
        }
        format!("Error from server ({}): {}", self.reason, self.message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kubectl_message())
    }
}

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// DNS-1123 subdomain check (`IsDNS1123Subdomain`).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split('.').all(|part| {
        let b = part.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || *c == b'-')
    }) && !s.bytes().any(|c| c.is_ascii_uppercase())
}

/// Validation of the parts of an object the walking skeleton writes: the name, labels and annotations
/// (`ValidateObjectMeta`).
pub fn validate(obj: &Object) -> Result<(), ApiError> {
    let name = obj.name();
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push("metadata.name: Required value: name or generateName is required".to_string());
    } else if matches!(obj.kind(), Kind::Namespace | Kind::Service) {
        // Checked by validate_spec with the label rules these kinds use.
    } else if !is_dns1123_subdomain(name) {
        causes.push(format!(
            "metadata.name: Invalid value: \"{name}\": {DNS1123_SUBDOMAIN_MSG}"
        ));
    }
    let meta = obj.meta();
    if let Some(l) = &meta.labels {
        causes.extend(super::labels::validate_labels(l, "metadata.labels"));
    }
    if let Some(a) = &meta.annotations {
        causes.extend(super::labels::validate_annotations(
            a,
            "metadata.annotations",
        ));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(obj.kind(), name, &causes))
    }
}

impl Sim {
    /// `POST`: validates, defaults and stores a new object. `generateName` gets its 5-character suffix.
    pub fn create(&mut self, mut obj: Object) -> Result<Rc<Object>, ApiError> {
        let kind = obj.kind();
        let asked;
        {
            let meta = obj.meta_mut();
            if kind.namespaced() {
                if meta.namespace.as_deref().unwrap_or("").is_empty() {
                    meta.namespace = Some("default".into());
                }
            } else {
                meta.namespace = None;
            }
            // Admission sees the name asked for: a `generateName` prefix has no suffix yet.
            asked = meta
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| meta.generate_name.clone())
                .unwrap_or_default();
            if meta.name.as_deref().unwrap_or("").is_empty() {
                if let Some(prefix) = meta.generate_name.clone() {
                    let prefix: String = prefix.chars().take(58).collect();
                    meta.name = Some(format!("{prefix}{}", self.rng.name_suffix(5)));
                }
            }
        }
        validate(&obj)?;
        if kind.namespaced() {
            let ns = obj.namespace().to_string();
            match self.store.get(&ObjKey::new(Kind::Namespace, "", &ns)) {
                None => return Err(ApiError::not_found(Kind::Namespace, &ns)),
                Some(n) if n.meta().deletion_timestamp.is_some() => {
                    return Err(ApiError {
                        code: 403,
                        reason: "Forbidden".into(),
                        message: format!(
                            "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                            kind.qualified_plural(),
                            obj.name()
                        ),
                        causes: Vec::new(),
                        subject: None,
                    })
                }
                Some(_) => {}
            }
        }
        let sa_automount = match &obj {
            Object::Pod(pod) => self.admit_service_account(pod, &asked)?,
            _ => None,
        };
        let key = ObjKey::of(&obj);
        if self.store.contains(&key) {
            return Err(ApiError::already_exists(kind, &key.name));
        }
        let now = self.clock.now_time();
        let uid = self.rng.uuid();
        {
            let meta = obj.meta_mut();
            meta.uid = Some(uid);
            meta.creation_timestamp = Some(now);
            meta.generation = if matches!(
                kind,
                Kind::Deployment
                    | Kind::ReplicaSet
                    | Kind::Job
                    | Kind::CronJob
                    | Kind::StatefulSet
                    | Kind::DaemonSet
            ) {
                Some(1)
            } else {
                None
            };
            meta.deletion_timestamp = None;
            meta.deletion_grace_period_seconds = None;
        }
        defaults::apply_for_account(&mut obj, &mut self.rng, sa_automount);
        super::controllers::pvc::admit(self, &mut obj);
        validate_spec(&obj, None)?;
        if let Object::Service(svc) = &mut obj {
            allocate_service(self, svc)?;
        }
        let name = key.name.clone();
        let stored = self
            .store
            .insert(obj)
            .map_err(|_| ApiError::already_exists(kind, &name))?;
        if self.dry_run {
            // Dry-run storage copies the object out without a resourceVersion.
            let mut o = (*stored).clone();
            o.meta_mut().resource_version = None;
            return Ok(Rc::new(o));
        }
        Ok(stored)
    }

    /// The ServiceAccount admission plugin's check: the account a pod names must exist in its
    /// namespace (mirror pods name none). `default` is let through when it is missing: the
    /// plugin waits ~1.5 s for the serviceaccount controller to make it, and here that
    /// controller makes it within milliseconds of virtual time. Returns the account's
    /// `automountServiceAccountToken`.
    fn admit_service_account(
        &self,
        pod: &k8s_openapi::api::core::v1::Pod,
        asked: &str,
    ) -> Result<Option<bool>, ApiError> {
        let mirror = super::podutil::is_mirror(pod);
        let Some(spec) = pod.spec.as_ref().filter(|_| !mirror) else {
            return Ok(None);
        };
        let sa = defaults::account_name(spec);
        let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
        match self
            .store
            .get(&ObjKey::new(Kind::ServiceAccount, ns, sa))
            .map(|o| o.as_ref())
        {
            Some(Object::ServiceAccount(a)) => return Ok(a.automount_service_account_token),
            _ if sa == super::controllers::serviceaccount::DEFAULT => return Ok(None),
            _ => {}
        }
        Err(ApiError {
            code: 403,
            reason: "Forbidden".into(),
            message: format!(
                "pods \"{asked}\" is forbidden: error looking up service account {ns}/{sa}: serviceaccount \"{sa}\" not found"
            ),
            causes: Vec::new(),
            subject: None,
        })
    }

    /// `PUT`: replaces an object's spec/metadata (status is kept by the caller). `generation` goes up
    /// when the spec changes, as the API server's update strategies do.
    pub fn update(&mut self, mut obj: Object) -> Result<Rc<Object>, ApiError> {
        let key = ObjKey::of(&obj);
        let Some(old) = self.store.get(&key).cloned() else {
            return Err(ApiError::not_found(key.kind, &key.name));
        };
        // A write that names a resourceVersion is conditional on it (a replace of what was read).
        if let Some(rv) = obj.meta().resource_version.as_deref() {
            if !rv.is_empty() && Some(rv) != old.meta().resource_version.as_deref() {
                return Err(ApiError::conflict(key.kind, &key.name));
            }
        }
        validate(&obj)?;
        defaults::apply(&mut obj, &mut self.rng);
        {
            let om = old.meta();
            let meta = obj.meta_mut();
            meta.uid = om.uid.clone();
            meta.creation_timestamp = om.creation_timestamp.clone();
            meta.deletion_timestamp = om.deletion_timestamp.clone();
            meta.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
            meta.generation = om.generation;
        }
        if let (Object::Service(new), Object::Service(prev)) = (&mut obj, old.as_ref()) {
            // ClusterIP and NodePorts are kept across updates that do not set them.
            let (ns, ps) = (
                new.spec.get_or_insert_with(Default::default),
                prev.spec.clone().unwrap_or_default(),
            );
            if ns.cluster_ip.as_deref().unwrap_or("").is_empty() {
                ns.cluster_ip = ps.cluster_ip.clone();
                ns.cluster_ips = ps.cluster_ips.clone();
            }
            for p in ns.ports.iter_mut().flatten() {
                if p.node_port.is_none() {
                    p.node_port = ps
                        .ports
                        .iter()
                        .flatten()
                        .find(|q| q.port == p.port && q.protocol == p.protocol)
                        .and_then(|q| q.node_port);
                }
            }
        }
        validate_spec(&obj, Some(&old))?;
        if spec_json(&old) != spec_json(&obj) {
            if let Some(g) = obj.meta_mut().generation.as_mut() {
                *g += 1;
            }
        }
        let stored = self
            .store
            .replace(obj)
            .ok_or_else(|| ApiError::not_found(key.kind, &key.name))?;
        self.finish_if_finalized(&key);
        if self.dry_run {
            // A dry-run update answers with the object as it would be, at the old resourceVersion.
            let mut o = (*stored).clone();
            o.meta_mut().resource_version = old.meta().resource_version.clone();
            return Ok(Rc::new(o));
        }
        Ok(stored)
    }

    /// A write of status (or of fields only controllers set): stores the object as given.
    pub(crate) fn write_status(&mut self, obj: Object) -> Option<Rc<Object>> {
        self.store.replace(obj)
    }

    /// `DELETE` with background propagation (what kubectl and controllers use by default).
    pub fn delete(
        &mut self,
        key: &ObjKey,
        grace_seconds: Option<i64>,
    ) -> Result<Rc<Object>, ApiError> {
        self.delete_with(key, grace_seconds, Propagation::Background)
    }

    /// `DELETE` with the real rules. A pod bound to a live node gets `deletionTimestamp` and a
    /// grace period its kubelet honours. Foreground and Orphan propagation add the
    /// `foregroundDeletion` / `orphan` finalizer for the garbage collector. An object with
    /// finalizers only gets `deletionTimestamp` and waits (Terminating) until the list is empty.
    /// A namespace goes Terminating and its controller empties it first.
    pub fn delete_with(
        &mut self,
        key: &ObjKey,
        grace_seconds: Option<i64>,
        propagation: Propagation,
    ) -> Result<Rc<Object>, ApiError> {
        let Some(obj) = self.store.get(key).cloned() else {
            return Err(ApiError::not_found(key.kind, &key.name));
        };
        let now = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            super::clock::truncate_to_seconds(self.clock.now()),
        );
        let mut next = (*obj).clone();
        let mut keep = false;
        {
            let meta = next.meta_mut();
            let fins = meta.finalizers.get_or_insert_with(Vec::new);
            let extra = match propagation {
                Propagation::Foreground => Some(FOREGROUND),
                Propagation::Orphan => Some(ORPHAN),
                Propagation::Background => None,
            };
            // Propagation only matters for objects that can own others.
            let owns = !self.store.owned_by(obj.uid()).is_empty();
            if let Some(f) = extra {
                if owns && !fins.iter().any(|x| x == f) && meta.deletion_timestamp.is_none() {
                    fins.push(f.to_string());
                }
            }
            if fins.is_empty() {
                meta.finalizers = None;
            } else {
                keep = true;
            }
        }
        if let Object::Namespace(ns) = &mut next {
            // The namespace controller empties it, then removes the `kubernetes` finalizer.
            keep = true;
            ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
        }
        if let Object::Pod(pod) = &obj.as_ref() {
            let bound = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_ref())
                .is_some();
            let finished = matches!(
                pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded") | Some("Failed")
            );
            let grace = grace_seconds
                .or_else(|| {
                    pod.spec
                        .as_ref()
                        .and_then(|s| s.termination_grace_period_seconds)
                })
                .unwrap_or(30)
                .max(0);
            let node_alive = self.kubelets.contains_key(
                pod.spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_deref())
                    .unwrap_or(""),
            );
            if bound && !finished && grace > 0 && node_alive {
                if pod.metadata.deletion_timestamp.is_some() {
                    return Ok(obj);
                }
                let deadline = self.clock.now() + chrono::Duration::seconds(grace);
                let meta = next.meta_mut();
                meta.deletion_timestamp =
                    Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                        super::clock::truncate_to_seconds(deadline),
                    ));
                meta.deletion_grace_period_seconds = Some(grace);
                return self
                    .store
                    .replace(next)
                    .ok_or_else(|| ApiError::not_found(key.kind, &key.name));
            }
        }
        if keep {
            if obj.meta().deletion_timestamp.is_some()
                && obj.meta().finalizers == next.meta().finalizers
            {
                return Ok(obj);
            }
            let meta = next.meta_mut();
            if meta.deletion_timestamp.is_none() {
                meta.deletion_timestamp = Some(now);
                meta.deletion_grace_period_seconds = Some(0);
            }
            return self
                .store
                .replace(next)
                .ok_or_else(|| ApiError::not_found(key.kind, &key.name));
        }
        self.store
            .remove(key)
            .ok_or_else(|| ApiError::not_found(key.kind, &key.name))
    }

    /// After a write that may have emptied a terminating object's finalizers: remove it for good.
    pub(crate) fn finish_if_finalized(&mut self, key: &ObjKey) {
        let Some(obj) = self.store.get(key) else {
            return;
        };
        let m = obj.meta();
        if m.deletion_timestamp.is_some() && m.finalizers.as_ref().is_none_or(|f| f.is_empty()) {
            let pod_running = obj.as_pod().is_some_and(|p| {
                p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some()
                    && !matches!(
                        p.status.as_ref().and_then(|s| s.phase.as_deref()),
                        Some("Succeeded") | Some("Failed")
                    )
                    && self.kubelets.contains_key(
                        p.spec
                            .as_ref()
                            .and_then(|s| s.node_name.as_deref())
                            .unwrap_or(""),
                    )
            });
            let ns = obj.kind() == Kind::Namespace;
            if !pod_running && !ns {
                self.store.remove(key);
            }
        }
    }
}

pub const FOREGROUND: &str = "foregroundDeletion";
pub const ORPHAN: &str = "orphan";

/// `propagationPolicy` of a delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

/// Kind-specific validation: a workload's selector must match its template and cannot change.
fn validate_spec(obj: &Object, old: Option<&Object>) -> Result<(), ApiError> {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    let (selector, template_labels): (
        Option<&LabelSelector>,
        Option<std::collections::BTreeMap<String, String>>,
    ) = match obj {
        Object::Deployment(d) => {
            let s = d.spec.as_ref();
            (
                s.map(|s| &s.selector),
                s.and_then(|s| s.template.metadata.as_ref())
                    .and_then(|m| m.labels.clone()),
            )
        }
        Object::ReplicaSet(rs) => {
            let s = rs.spec.as_ref();
            (
                s.map(|s| &s.selector),
                s.and_then(|s| s.template.as_ref())
                    .and_then(|t| t.metadata.as_ref())
                    .and_then(|m| m.labels.clone()),
            )
        }
        Object::StatefulSet(ss) => {
            let s = ss.spec.as_ref();
            (
                s.map(|s| &s.selector),
                s.and_then(|s| s.template.metadata.as_ref())
                    .and_then(|m| m.labels.clone()),
            )
        }
        Object::DaemonSet(ds) => {
            let s = ds.spec.as_ref();
            (
                s.map(|s| &s.selector),
                s.and_then(|s| s.template.metadata.as_ref())
                    .and_then(|m| m.labels.clone()),
            )
        }
        _ => (None, None),
    };
    let name = obj.name();
    let kind = obj.kind();
    let mut causes = Vec::new();
    // `ValidateNonnegativeField` on spec.replicas comes first in each workload's spec validation.
    let replicas = match obj {
        Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
        Object::ReplicaSet(rs) => rs.spec.as_ref().and_then(|s| s.replicas),
        Object::StatefulSet(ss) => ss.spec.as_ref().and_then(|s| s.replicas),
        _ => None,
    };
    if let Some(r) = replicas.filter(|r| *r < 0) {
        causes.push(format!(
            "spec.replicas: Invalid value: {r}: must be greater than or equal to 0"
        ));
    }
    if let Some(sel) = selector {
        let labels = template_labels.clone().unwrap_or_default();
        let empty = sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty());
        if empty {
            causes.push("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment".to_string());
        } else if !sel
            .match_labels
            .iter()
            .flatten()
            .all(|(k, v)| labels.get(k) == Some(v))
        {
            let shown: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                .collect();
            causes.push(format!(
                "spec.template.metadata.labels: Invalid value: map[string]string{{{}}}: `selector` does not match template `labels`",
                shown.join(", ")
            ));
        }
        if let Some(old) = old {
            let old_sel = match old {
                Object::Deployment(d) => d.spec.as_ref().map(|s| s.selector.clone()),
                Object::ReplicaSet(rs) => rs.spec.as_ref().map(|s| s.selector.clone()),
                Object::DaemonSet(ds) => ds.spec.as_ref().map(|s| s.selector.clone()),
                _ => None,
            };
            if let Some(os) = old_sel {
                if os != *sel {
                    let ml: Vec<String> = sel
                        .match_labels
                        .iter()
                        .flatten()
                        .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                        .collect();
                    causes.push(format!(
                        "spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{{}}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: field is immutable",
                        ml.join(", ")
                    ));
                }
            }
        }
    }
    if let (Object::StatefulSet(new), Some(Object::StatefulSet(prev))) = (obj, old) {
        if let Some(c) = super::controllers::statefulset::forbidden_update(new, prev) {
            causes.push(c);
        }
    }
    if let Object::Service(svc) = obj {
        if !is_dns1035_label(name) && !name.is_empty() {
            causes.push(format!("metadata.name: Invalid value: \"{name}\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
        }
        let spec = svc.spec.clone().unwrap_or_default();
        if spec.type_.as_deref() != Some("ExternalName")
            && spec.ports.as_ref().is_none_or(|p| p.is_empty())
            && spec.cluster_ip.as_deref() != Some("None")
        {
            causes.push("spec.ports: Required value".to_string());
        }
    }
    // ConfigMaps and Secrets hold at most 1 MiB of data (`MaxSecretSize`, `validateConfigMapSize`).
    let data_size: usize = match obj {
        Object::ConfigMap(cm) => {
            cm.data
                .iter()
                .flatten()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
                + cm.binary_data
                    .iter()
                    .flatten()
                    .map(|(k, v)| k.len() + v.0.len())
                    .sum::<usize>()
        }
        Object::Secret(sec) => sec
            .data
            .iter()
            .flatten()
            .map(|(k, v)| k.len() + v.0.len())
            .sum(),
        _ => 0,
    };
    if data_size > 1 << 20 {
        causes.push("[]: Too long: must have at most 1048576 bytes".to_string());
    }
    match obj {
        Object::Job(j) => causes.extend(super::controllers::job::validate(
            j,
            old.and_then(|o| o.as_job()),
        )),
        Object::CronJob(c) => causes.extend(super::controllers::cronjob::validate(c)),
        _ => {}
    }
    if let Object::Namespace(_) = obj {
        if !is_dns1123_label(name) && !name.is_empty() {
            causes.push(format!("metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(kind, name, &causes))
    }
}

pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && !s.contains('.') && is_dns1123_subdomain(s)
}

pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

const SERVICE_CIDR_BASE: u32 = (10 << 24) | (96 << 16); // 10.96.0.0/12
const SERVICE_CIDR_SIZE: u32 = 1 << 20;

fn ip_to_string(ip: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        ip >> 24,
        (ip >> 16) & 255,
        (ip >> 8) & 255,
        ip & 255
    )
}

fn parse_ip(s: &str) -> Option<u32> {
    let parts: Vec<u32> = s
        .split('.')
        .map(|p| p.parse::<u32>().ok().filter(|n| *n < 256))
        .collect::<Option<Vec<_>>>()?;
    if parts.len() != 4 {
        return None;
    }
    Some((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3])
}

/// The ClusterIP and NodePort allocators (random within the ranges, as the API server allocates).
fn allocate_service(
    sim: &mut Sim,
    svc: &mut k8s_openapi::api::core::v1::Service,
) -> Result<(), ApiError> {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let spec = svc.spec.get_or_insert_with(Default::default);
    let t = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    let mut new_ip = None;
    if t != "ExternalName" {
        match spec.cluster_ip.as_deref() {
            Some("None") => spec.cluster_ips = Some(vec!["None".into()]),
            Some(ip) if !ip.is_empty() => {
                let parsed = parse_ip(ip).filter(|n| {
                    *n > SERVICE_CIDR_BASE && *n < SERVICE_CIDR_BASE + SERVICE_CIDR_SIZE - 1
                });
                let Some(n) = parsed else {
                    return Err(ApiError::invalid(Kind::Service, &name, &[format!("spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12")]));
                };
                if sim.service_ips.contains(&n) {
                    return Err(ApiError::invalid(Kind::Service, &name, &[format!("spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated")]));
                }
                new_ip = Some(n);
                spec.cluster_ips = Some(vec![ip.to_string()]);
            }
            _ => {
                let mut n;
                loop {
                    n = SERVICE_CIDR_BASE
                        + 1
                        + sim.rng.below((SERVICE_CIDR_SIZE - 2) as u64) as u32;
                    if !sim.service_ips.contains(&n) {
                        break;
                    }
                }
                new_ip = Some(n);
                spec.cluster_ip = Some(ip_to_string(n));
                spec.cluster_ips = Some(vec![ip_to_string(n)]);
            }
        }
    }
    let mut new_ports = Vec::new();
    if t == "NodePort" || t == "LoadBalancer" {
        for (i, p) in spec.ports.iter_mut().flatten().enumerate() {
            match p.node_port {
                Some(np) if np != 0 => {
                    if !(30000..=32767).contains(&np) {
                        return Err(ApiError::invalid(Kind::Service, &name, &[format!("spec.ports[{i}].nodePort: Invalid value: {np}: provided port is not in the valid range. The range of valid ports is 30000-32767")]));
                    }
                    if sim.node_ports.contains(&np) || new_ports.contains(&np) {
                        return Err(ApiError::invalid(Kind::Service, &name, &[format!("spec.ports[{i}].nodePort: Invalid value: {np}: provided port is already allocated")]));
                    }
                    new_ports.push(np);
                }
                _ => {
                    let mut np;
                    loop {
                        np = 30000 + sim.rng.below(2768) as i32;
                        if !sim.node_ports.contains(&np) && !new_ports.contains(&np) {
                            break;
                        }
                    }
                    p.node_port = Some(np);
                    new_ports.push(np);
                }
            }
        }
    }
    if let Some(n) = new_ip {
        sim.service_ips.insert(n);
    }
    sim.node_ports.extend(new_ports);
    Ok(())
}

/// Frees a deleted Service's ClusterIP and NodePorts.
pub(crate) fn release_service(sim: &mut Sim, svc: &k8s_openapi::api::core::v1::Service) {
    let Some(spec) = svc.spec.as_ref() else {
        return;
    };
    if let Some(n) = spec.cluster_ip.as_deref().and_then(parse_ip) {
        sim.service_ips.remove(&n);
    }
    for p in spec.ports.iter().flatten() {
        if let Some(np) = p.node_port {
            sim.node_ports.remove(&np);
        }
    }
}

fn spec_json(obj: &Object) -> serde_json::Value {
    obj.to_json_value()
        .get("spec")
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomain_rules() {
        assert!(is_dns1123_subdomain("web"));
        assert!(is_dns1123_subdomain("a.b"));
        assert!(is_dns1123_subdomain("1-a"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(!is_dns1123_subdomain("Web"));
        assert!(!is_dns1123_subdomain("-web"));
        assert!(!is_dns1123_subdomain(""));
        assert!(!is_dns1123_subdomain(&"a".repeat(254)));
    }

    #[test]
    fn error_wording() {
        assert_eq!(
            ApiError::not_found(Kind::Deployment, "x").kubectl_message(),
            "Error from server (NotFound): deployments.apps \"x\" not found"
        );
        assert_eq!(
            ApiError::not_found(Kind::Pod, "x").kubectl_message(),
            "Error from server (NotFound): pods \"x\" not found"
        );
    }
}
