//! The serviceaccount controller (kube-controller-manager): every namespace that is not
//! terminating holds a ServiceAccount `default`, which a pod runs as unless its spec names
//! another. Deleted, it comes back; unlike the CA ConfigMap, an edited one is left as it is.

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::super::object::{Kind, Object};
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

pub(crate) const COMPONENT: &str = "serviceaccount-controller";
/// The account the ServiceAccount admission plugin gives a pod that names none.
pub(crate) const DEFAULT: &str = "default";

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Namespace
            if ev.kind != WatchType::Deleted && ev.object.meta().deletion_timestamp.is_none() =>
        {
            enqueue(sim, Ctrl::ServiceAccount, ev.key.clone());
        }
        Kind::ServiceAccount if ev.key.name == DEFAULT && ev.kind == WatchType::Deleted => {
            enqueue(
                sim,
                Ctrl::ServiceAccount,
                ObjKey::new(Kind::Namespace, "", &ev.key.namespace),
            );
        }
        _ => {}
    }
}

/// A ServiceAccount as `kubectl create serviceaccount` and this controller make one: a name and
/// nothing else (no token Secrets since Kubernetes 1.24).
pub(crate) fn account(ns: &str, name: &str) -> ServiceAccount {
    ServiceAccount {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Makes sure namespace `key.name` holds the `default` ServiceAccount.
pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    // A stream of its own: an account made in a new namespace must not rename the learner's objects.
    super::with_stream(
        sim,
        |c| &mut c.serviceaccount_rng,
        0x5e4a_cc07_0000_0001,
        |sim| sync(sim, key),
    );
}

fn sync(sim: &mut Sim, key: &ObjKey) {
    let Some(ns) = sim.store.get(key) else {
        return;
    };
    if ns.meta().deletion_timestamp.is_some() {
        return;
    }
    let ns = key.name.clone();
    if sim
        .store
        .contains(&ObjKey::new(Kind::ServiceAccount, &ns, DEFAULT))
    {
        return;
    }
    if sim
        .create(Object::ServiceAccount(account(&ns, DEFAULT)))
        .is_ok()
    {
        sim.decide(
            COMPONENT,
            format!("created ServiceAccount {ns}/{DEFAULT}: pods that name no account run as it"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConfig;
    use k8s_openapi::api::core::v1::Namespace;

    fn has_default(sim: &Sim, ns: &str) -> bool {
        sim.store
            .contains(&ObjKey::new(Kind::ServiceAccount, ns, DEFAULT))
    }

    #[test]
    fn every_namespace_gets_default_and_keeps_it() {
        let mut sim = Sim::new(SimConfig::default());
        sim.run_until_quiet(10_000);
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            assert!(has_default(&sim, ns), "{ns} has no default ServiceAccount");
        }
        let made = Namespace {
            metadata: ObjectMeta {
                name: Some("team".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(sim.create(Object::Namespace(made)).is_ok());
        assert!(
            !has_default(&sim, "team"),
            "made by the controller, not the API server"
        );
        sim.dispatch();
        sim.advance(1_000);
        assert!(has_default(&sim, "team"));
        let key = ObjKey::new(Kind::ServiceAccount, "team", DEFAULT);
        assert!(sim.delete(&key, None).is_ok());
        sim.dispatch();
        assert!(!has_default(&sim, "team"));
        sim.advance(1_000);
        assert!(has_default(&sim, "team"), "a deleted default comes back");
    }

    #[test]
    fn a_pod_naming_a_missing_account_is_refused_and_changes_nothing() {
        let mut sim = Sim::new(SimConfig::default());
        sim.run_until_quiet(10_000);
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"generateName": "web-", "namespace": "default"},
            "spec": {"serviceAccountName": "robot", "containers": [{"name": "c", "image": "nginx"}]}
        }))
        .expect("a valid pod");
        let before = sim.store.list(Kind::Pod, Some("default")).len();
        let err = sim
            .create(Object::Pod(pod.clone()))
            .expect_err("no such account");
        assert_eq!(err.code, 403);
        assert_eq!(
            err.message,
            "pods \"web-\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found"
        );
        assert_eq!(sim.store.list(Kind::Pod, Some("default")).len(), before);
        assert!(sim
            .create(Object::ServiceAccount(account("default", "robot")))
            .is_ok());
        assert!(sim.create(Object::Pod(pod)).is_ok());
    }
}
