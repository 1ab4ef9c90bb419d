//! The root-ca-cert-publisher (kube-controller-manager): every namespace that is not terminating
//! holds a ConfigMap `kube-root-ca.crt` with the cluster's CA bundle, which the projected service
//! account volume of every pod mounts as `ca.crt`. Deleted or edited, it comes back as it was.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::super::object::{Kind, Object};
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

pub(crate) const COMPONENT: &str = "root-ca-cert-publisher";
pub(crate) const NAME: &str = "kube-root-ca.crt";

/// The simulated cluster's CA certificate (a self-signed `kubernetes` CA, as kind makes one).
pub(crate) const CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIIKXBzaW11bGF0ZWQwDQYJKoZIhvcNAQELBQAwFTETMBEG
A1UEAxMKa3ViZXJuZXRlczAeFw0yNTAzMDEwODU1MDBaFw0zNTAyMjcwOTAwMDBa
MBUxEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAw
ggEKAoIBAQDKa3ViZXBsYXkgc2ltdWxhdGVzIHRoaXMgY2x1c3RlcjsgdGhlIGtl
eSBuZXZlciBsZWF2ZXMgdGhlIGJyb3dzZXIuIE5vIHJlYWwgc2VjcmV0IGxpdmVz
IGhlcmUsIG9ubHkgdGhlIHNoYXBlIG9mIG9uZS4AAQABo1kwVzAOBgNVHQ8BAf8E
BAMCAqQwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUa3ViZXBsYXktY2EtMDAw
MDEwFQYDVR0RBA4wDIIKa3ViZXJuZXRlczANBgkqhkiG9w0BAQsFAAOCAQEAa3Vi
ZXBsYXkgc2lnbnMgbm90aGluZzsgdGhpcyBpcyB0aGUgc2hhcGUgb2YgYSBzaWdu
YXR1cmUgb25seS4=
-----END CERTIFICATE-----
";

const DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::Namespace
            if ev.kind != WatchType::Deleted && ev.object.meta().deletion_timestamp.is_none() =>
        {
            enqueue(sim, Ctrl::RootCaPublisher, ev.key.clone());
        }
        Kind::ConfigMap if ev.key.name == NAME && ev.kind != WatchType::Added => {
            enqueue(
                sim,
                Ctrl::RootCaPublisher,
                ObjKey::new(Kind::Namespace, "", &ev.key.namespace),
            );
        }
        _ => {}
    }
}

fn desired(ns: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(NAME.into()),
            namespace: Some(ns.into()),
            annotations: Some(BTreeMap::from([(
                "kubernetes.io/description".to_string(),
                DESCRIPTION.to_string(),
            )])),
            ..Default::default()
        },
        data: Some(BTreeMap::from([("ca.crt".to_string(), CA_PEM.to_string())])),
        ..Default::default()
    }
}

/// Makes sure namespace `key.name` holds the CA ConfigMap, as the publisher wrote it.
pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    // A stream of its own: publishing into a new namespace must not rename the learner's objects.
    super::with_stream(
        sim,
        |c| &mut c.root_ca_rng,
        0x00ca_b0a7_d1c7_0001,
        |sim| sync(sim, key),
    );
}

fn sync(sim: &mut Sim, key: &ObjKey) {
    let Some(ns) = sim.store.get(key).cloned() else {
        return;
    };
    if ns.meta().deletion_timestamp.is_some() {
        return;
    }
    let ns = key.name.clone();
    let want = desired(&ns);
    let cm_key = ObjKey::new(Kind::ConfigMap, &ns, NAME);
    match sim.store.get(&cm_key).cloned() {
        None => {
            if sim.create(Object::ConfigMap(want)).is_ok() {
                sim.decide(
                    COMPONENT,
                    format!("published the cluster CA as ConfigMap {ns}/{NAME}"),
                );
            }
        }
        Some(live) => {
            let Object::ConfigMap(cm) = live.as_ref() else {
                return;
            };
            if live.meta().deletion_timestamp.is_some() || cm.data == want.data {
                return;
            }
            let mut fixed = cm.clone();
            fixed.data = want.data;
            if sim.update(Object::ConfigMap(fixed)).is_ok() {
                sim.decide(
                    COMPONENT,
                    format!("ConfigMap {ns}/{NAME} was changed; restored the cluster CA"),
                );
            }
        }
    }
}
