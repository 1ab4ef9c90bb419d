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
    /// A 422 with one or more field errors, worded as `apimachinery` words them.
    pub fn invalid(kind: Kind, name: &str, causes: &[String]) -> Self {
        let kind_name = if kind.group().is_empty() {
            kind.name().to_string()
        } else {
            format!("{}.{}", kind.name(), kind.group())
        };
        let detail = if causes.len() == 1 { causes[0].clone() } else { format!("[{}]", causes.join(", ")) };
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
            && b.iter().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || *c == b'-')
    }) && !s.bytes().any(|c| c.is_ascii_uppercase())
}

/// Validation of the parts of an object the walking skeleton writes: the name.
fn validate(obj: &Object) -> Result<(), ApiError> {
    let name = obj.name();
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push("metadata.name: Required value: name or generateName is required".to_string());
    } else if !is_dns1123_subdomain(name) {
        causes.push(format!("metadata.name: Invalid value: \"{name}\": {DNS1123_SUBDOMAIN_MSG}"));
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
        {
            let meta = obj.meta_mut();
            if kind.namespaced() {
                if meta.namespace.as_deref().unwrap_or("").is_empty() {
                    meta.namespace = Some("default".into());
                }
            } else {
                meta.namespace = None;
            }
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
            if !self.store.contains(&ObjKey::new(Kind::Namespace, "", &ns)) {
                return Err(ApiError::not_found(Kind::Namespace, &ns));
            }
        }
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
            meta.generation = if matches!(kind, Kind::Deployment | Kind::ReplicaSet) { Some(1) } else { None };
            meta.deletion_timestamp = None;
            meta.deletion_grace_period_seconds = None;
        }
        defaults::apply(&mut obj, &mut self.rng);
        let name = key.name.clone();
        self.store.insert(obj).map_err(|_| ApiError::already_exists(kind, &name))
    }

    /// `PUT`: replaces an object's spec/metadata (status is kept by the caller). `generation` goes up
    /// when the spec changes, as the API server's update strategies do.
    pub fn update(&mut self, mut obj: Object) -> Result<Rc<Object>, ApiError> {
        let key = ObjKey::of(&obj);
        let Some(old) = self.store.get(&key).cloned() else {
            return Err(ApiError::not_found(key.kind, &key.name));
        };
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
        if spec_json(&old) != spec_json(&obj) {
            if let Some(g) = obj.meta_mut().generation.as_mut() {
                *g += 1;
            }
        }
        self.store.replace(obj).ok_or_else(|| ApiError::not_found(key.kind, &key.name))
    }

    /// A write of status (or of fields only controllers set): stores the object as given.
    pub(crate) fn write_status(&mut self, obj: Object) -> Option<Rc<Object>> {
        self.store.replace(obj)
    }

    /// `DELETE` with the real rules: a pod bound to a node gets `deletionTimestamp` and a grace period
    /// that its kubelet honours; anything else (and grace 0) goes at once. Owned objects are then
    /// removed by the garbage collector (background propagation).
    pub fn delete(&mut self, key: &ObjKey, grace_seconds: Option<i64>) -> Result<Rc<Object>, ApiError> {
        let Some(obj) = self.store.get(key).cloned() else {
            return Err(ApiError::not_found(key.kind, &key.name));
        };
        if let Object::Pod(pod) = obj.as_ref() {
            let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
            let finished = matches!(
                pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded") | Some("Failed")
            );
            let grace = grace_seconds
                .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
                .unwrap_or(30)
                .max(0);
            if bound && !finished && grace > 0 && self.kubelets.contains_key(pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")) {
                if pod.metadata.deletion_timestamp.is_some() {
                    return Ok(obj);
                }
                let mut p = pod.clone();
                let deadline = self.clock.now() + chrono::Duration::seconds(grace);
                p.metadata.deletion_timestamp =
                    Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(super::clock::truncate_to_seconds(deadline)));
                p.metadata.deletion_grace_period_seconds = Some(grace);
                return self
                    .store
                    .replace(Object::Pod(p))
                    .ok_or_else(|| ApiError::not_found(key.kind, &key.name));
            }
        }
        self.store.remove(key).ok_or_else(|| ApiError::not_found(key.kind, &key.name))
    }
}

fn spec_json(obj: &Object) -> serde_json::Value {
    obj.to_json_value().get("spec").cloned().unwrap_or(serde_json::Value::Null)
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
