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
