//! PersistentVolumeClaims, PersistentVolumes and StorageClasses: the kube-controller-manager's
//! PersistentVolume controller (binder) and, beside it, kind's dynamic provisioner
//! (`rancher.io/local-path`, class `standard`, `WaitForFirstConsumer`): a claim waits for a pod;
//! the scheduler picks a node and writes it on the claim (`volume.kubernetes.io/selected-node`);
//! the provisioner creates `pvc-<claim uid>` on that node; the binder binds the two; the pod is
//! then bound to that node. A claim whose class does not exist stays Pending.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus,
    PersistentVolumeSpec, PersistentVolumeStatus, Pod, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::super::engine::Task;
use super::super::object::{Kind, Object};
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

const COMPONENT: &str = "persistentvolume-controller";
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const PROVISIONER_BETA: &str = "volume.beta.kubernetes.io/storage-provisioner";
const PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
pub const LOCAL_PATH: &str = "rancher.io/local-path";
/// How long the local-path provisioner takes to make a volume (its helper pod creates the directory).
const PROVISION_MS: u64 = 1_500;

/// `SetDefaults_PersistentVolumeClaim`.
pub(crate) fn set_defaults_claim(c: &mut PersistentVolumeClaim) {
    c.spec
        .get_or_insert_with(Default::default)
        .volume_mode
        .get_or_insert_with(|| "Filesystem".into());
    c.status
        .get_or_insert_with(Default::default)
        .phase
        .get_or_insert_with(|| "Pending".into());
}

/// `SetDefaults_PersistentVolume`.
pub(crate) fn set_defaults_volume(v: &mut PersistentVolume) {
    let spec = v.spec.get_or_insert_with(Default::default);
    spec.persistent_volume_reclaim_policy
        .get_or_insert_with(|| "Retain".into());
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
    v.status
        .get_or_insert_with(Default::default)
        .phase
        .get_or_insert_with(|| "Pending".into());
}

/// `SetDefaults_StorageClass`.
pub(crate) fn set_defaults_class(c: &mut StorageClass) {
    c.reclaim_policy.get_or_insert_with(|| "Delete".into());
    c.volume_binding_mode
        .get_or_insert_with(|| "Immediate".into());
}

pub fn is_default_class(c: &StorageClass) -> bool {
    c.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
        .is_some_and(|v| v == "true")
}

/// The DefaultStorageClass admission plugin: a new claim without `storageClassName` gets the
/// default class (the newest, if several are marked default).
pub(crate) fn admit(sim: &Sim, obj: &mut Object) {
    let Object::PersistentVolumeClaim(c) = obj else {
        return;
    };
    let spec = c.spec.get_or_insert_with(Default::default);
    if spec.storage_class_name.is_some() {
        return;
    }
    let default = sim
        .store
        .list(Kind::StorageClass, None)
        .iter()
        .filter_map(|o| o.as_storageclass())
        .filter(|c| is_default_class(c))
        .max_by_key(|c| c.metadata.creation_timestamp.as_ref().map(|t| t.0))
        .and_then(|c| c.metadata.name.clone());
    if let Some(name) = default {
        spec.storage_class_name = Some(name);
    }
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::PersistentVolumeClaim => {
            enqueue(sim, Ctrl::PersistentVolume, ev.key.clone());
            if ev.kind == WatchType::Deleted {
                if let Some(v) = ev
                    .object
                    .as_pvc()
                    .and_then(|c| c.spec.as_ref())
                    .and_then(|s| s.volume_name.clone())
                {
                    enqueue(
                        sim,
                        Ctrl::PersistentVolume,
                        ObjKey::new(Kind::PersistentVolume, "", &v),
                    );
                }
            }
        }
        Kind::PersistentVolume => {
            if ev.kind != WatchType::Deleted {
                enqueue(sim, Ctrl::PersistentVolume, ev.key.clone());
            }
            if let Some(r) = ev
                .object
                .as_pv()
                .and_then(|v| v.spec.as_ref())
                .and_then(|s| s.claim_ref.as_ref())
            {
                let ns = r.namespace.clone().unwrap_or_default();
                enqueue(
                    sim,
                    Ctrl::PersistentVolume,
                    ObjKey::new(
                        Kind::PersistentVolumeClaim,
                        &ns,
                        r.name.as_deref().unwrap_or(""),
                    ),
                );
            } else {
                pending_claims_again(sim);
            }
        }
        Kind::StorageClass => pending_claims_again(sim),
        _ => {}
    }
}

fn pending_claims_again(sim: &mut Sim) {
    let keys: Vec<ObjKey> = sim
        .store
        .list(Kind::PersistentVolumeClaim, None)
        .iter()
        .filter(|o| {
            o.as_pvc().is_some_and(|c| {
                c.spec
                    .as_ref()
                    .and_then(|s| s.volume_name.as_ref())
                    .is_none()
            })
        })
        .map(|o| ObjKey::of(o))
        .collect();
    for k in keys {
        enqueue(sim, Ctrl::PersistentVolume, k);
    }
}

fn class(sim: &Sim, name: &str) -> Option<StorageClass> {
    sim.store
        .get(&ObjKey::new(Kind::StorageClass, "", name))
        .and_then(|o| o.as_storageclass().cloned())
}

fn class_name(c: &PersistentVolumeClaim) -> &str {
    c.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .unwrap_or("")
}

fn request(c: &PersistentVolumeClaim) -> Option<Quantity> {
    c.spec
        .as_ref()?
        .resources
        .as_ref()?
        .requests
        .as_ref()?
        .get("storage")
        .cloned()
}

fn bytes(q: Option<&Quantity>) -> i64 {
    q.and_then(super::super::scheduler::parse_bytes)
        .unwrap_or(0)
}

/// Whether binding of this claim waits for a pod (`IsDelayBindingMode`): its class exists and says
/// `WaitForFirstConsumer`.
pub fn delays_binding(sim: &Sim, c: &PersistentVolumeClaim) -> bool {
    let name = class_name(c);
    !name.is_empty()
        && class(sim, name)
            .is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    match key.kind {
        Kind::PersistentVolumeClaim => sync_claim(sim, key),
        Kind::PersistentVolume => sync_volume(sim, key),
        _ => {}
    }
}

/// `syncVolume`: Available when free, Bound when its claim holds it, Released (or deleted, with
/// reclaim policy Delete) when the claim is gone.
fn sync_volume(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(pv) = obj.as_pv() else { return };
    if pv.metadata.deletion_timestamp.is_some() {
        return;
    }
    let spec = pv.spec.clone().unwrap_or_default();
    let phase = pv
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    let want = match &spec.claim_ref {
        None => "Available",
        Some(r) => {
            let ck = ObjKey::new(
                Kind::PersistentVolumeClaim,
                r.namespace.as_deref().unwrap_or(""),
                r.name.as_deref().unwrap_or(""),
            );
            match sim.store.get(&ck) {
                Some(c) if r.uid.as_deref().is_none_or(|u| u == c.uid()) => {
                    let bound_here = c
                        .as_pvc()
                        .and_then(|c| c.spec.as_ref())
                        .and_then(|s| s.volume_name.as_deref())
                        == Some(key.name.as_str());
                    if bound_here || phase == "Bound" {
                        "Bound"
                    } else {
                        // Claimed in advance (pre-bound or provisioned for it): the claim's sync binds it.
                        enqueue(sim, Ctrl::PersistentVolume, ck);
                        "Available"
                    }
                }
                _ if phase == "Bound" || phase == "Released" => {
                    if spec.persistent_volume_reclaim_policy.as_deref() == Some("Delete") {
                        sim.decide(
                            COMPONENT,
                            format!(
                                "volume {} lost its claim; reclaim policy Delete removes it",
                                key.name
                            ),
                        );
                        let _ = sim.delete(key, None);
                        return;
                    }
                    "Released"
                }
                _ => "Available",
            }
        }
    };
    if phase != want {
        let mut v = pv.clone();
        let now = sim.clock.now_time();
        let st = v.status.get_or_insert_with(PersistentVolumeStatus::default);
        st.phase = Some(want.into());
        st.last_phase_transition_time = Some(now);
        sim.write_status(Object::PersistentVolume(v));
    }
}

/// `syncUnboundClaim` / `syncBoundClaim`.
fn sync_claim(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(claim) = obj.as_pvc() else { return };
    if claim.metadata.deletion_timestamp.is_some() {
        return;
    }
    let claim = claim.clone();
    let spec = claim.spec.clone().unwrap_or_default();
    if let Some(vname) = spec.volume_name.clone() {
        // Bound (or pre-bound to a named volume): finish the binding if the volume is there.
        if let Some(pv) = sim
            .store
            .get(&ObjKey::new(Kind::PersistentVolume, "", &vname))
            .and_then(|o| o.as_pv().cloned())
        {
            let ours = pv
                .spec
                .as_ref()
                .and_then(|s| s.claim_ref.as_ref())
                .is_none_or(|r| r.uid.as_deref().is_none_or(|u| u == obj.uid()));
            if ours {
                bind(sim, &obj, &claim, &pv);
            }
        }
        return;
    }
    let class_name = class_name(&claim).to_string();
    let sc = if class_name.is_empty() {
        None
    } else {
        class(sim, &class_name)
    };
    let selected = claim
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SELECTED_NODE))
        .cloned();
    let delayed = sc
        .as_ref()
        .is_some_and(|c| c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"));

    // A free volume that fits (smallest first), or one already provisioned for this claim.
    if let Some(pv) = find_volume(sim, &obj, &claim, selected.as_deref()) {
        if !delayed || selected.is_some() || pv_claimed_by(&pv, obj.uid()) {
            bind(sim, &obj, &claim, &pv);
            return;
        }
    }
    if class_name.is_empty() {
        sim.event(
            &obj,
            "Normal",
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set".into(),
            COMPONENT,
            None,
        );
        return;
    }
    let Some(sc) = sc else {
        sim.event(
            &obj,
            "Warning",
            "ProvisioningFailed",
            format!("storageclass.storage.k8s.io \"{class_name}\" not found"),
            COMPONENT,
            None,
        );
        return;
    };
    if delayed && selected.is_none() {
        sim.event(
            &obj,
            "Normal",
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding".into(),
            COMPONENT,
            None,
        );
        return;
    }
    provision(sim, &obj, &claim, &sc, selected.as_deref());
}

fn pv_claimed_by(pv: &PersistentVolume, uid: &str) -> bool {
    pv.spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .and_then(|r| r.uid.as_deref())
        == Some(uid)
}

fn find_volume(
    sim: &Sim,
    obj: &Object,
    claim: &PersistentVolumeClaim,
    node: Option<&str>,
) -> Option<PersistentVolume> {
    let spec = claim.spec.clone().unwrap_or_default();
    let want = bytes(request(claim).as_ref());
    let modes = spec.access_modes.clone().unwrap_or_default();
    let class = class_name(claim);
    let node_obj = node
        .and_then(|n| sim.store.get(&ObjKey::new(Kind::Node, "", n)))
        .and_then(|o| o.as_node().cloned());
    let mut best: Option<(i64, PersistentVolume)> = None;
    for o in sim.store.list(Kind::PersistentVolume, None) {
        let Some(pv) = o.as_pv() else { continue };
        let ps = pv.spec.clone().unwrap_or_default();
        if pv_claimed_by(pv, obj.uid()) {
            return Some(pv.clone());
        }
        if ps.claim_ref.is_some() || pv.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if pv.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Available") {
            continue;
        }
        let size = bytes(ps.capacity.as_ref().and_then(|c| c.get("storage")));
        let pv_modes = ps.access_modes.clone().unwrap_or_default();
        if ps.storage_class_name.as_deref().unwrap_or("") != class
            || size < want
            || !modes.iter().all(|m| pv_modes.contains(m))
            || ps.volume_mode.as_deref().unwrap_or("Filesystem")
                != spec.volume_mode.as_deref().unwrap_or("Filesystem")
        {
            continue;
        }
        if let (Some(n), Some(aff)) = (&node_obj, ps.node_affinity.as_ref()) {
            if !volume_fits_node(aff, n) {
                continue;
            }
        }
        if best.as_ref().is_none_or(|(b, _)| size < *b) {
            best = Some((size, pv.clone()));
        }
    }
    best.map(|(_, v)| v)
}

fn volume_fits_node(aff: &VolumeNodeAffinity, node: &Node) -> bool {
    let Some(req) = &aff.required else {
        return true;
    };
    let spec = k8s_openapi::api::core::v1::PodSpec {
        affinity: Some(k8s_openapi::api::core::v1::Affinity {
            node_affinity: Some(k8s_openapi::api::core::v1::NodeAffinity {
                required_during_scheduling_ignored_during_execution: Some(req.clone()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    super::daemonset::node_affinity_matches(&spec, node)
}

/// The binder: the volume's claimRef, then the claim's volumeName and status, both Bound.
fn bind(sim: &mut Sim, obj: &Object, claim: &PersistentVolumeClaim, pv: &PersistentVolume) {
    let pv_name = pv.metadata.name.clone().unwrap_or_default();
    let mut v = pv.clone();
    let vs = v.spec.get_or_insert_with(PersistentVolumeSpec::default);
    let claim_ref = ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: Some(obj.name().to_string()),
        namespace: Some(obj.namespace().to_string()),
        uid: Some(obj.uid().to_string()),
        resource_version: claim.metadata.resource_version.clone(),
        field_path: None,
    };
    let mut changed_pv = false;
    if vs.claim_ref.as_ref().and_then(|r| r.uid.as_deref()) != Some(obj.uid()) {
        vs.claim_ref = Some(claim_ref);
        changed_pv = true;
    }
    let st = v.status.get_or_insert_with(PersistentVolumeStatus::default);
    if st.phase.as_deref() != Some("Bound") {
        st.phase = Some("Bound".into());
        st.last_phase_transition_time = Some(sim.clock.now_time());
        changed_pv = true;
    }
    let capacity = v.spec.as_ref().and_then(|s| s.capacity.clone());
    let modes = v.spec.as_ref().and_then(|s| s.access_modes.clone());
    if changed_pv {
        sim.write_status(Object::PersistentVolume(v));
    }
    let mut c = claim.clone();
    let ann = c.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, val) in [
        ("pv.kubernetes.io/bind-completed", "yes"),
        ("pv.kubernetes.io/bound-by-controller", "yes"),
    ] {
        if ann.get(k).map(String::as_str) != Some(val) {
            ann.insert(k.into(), val.into());
            changed = true;
        }
    }
    let cs = c.spec.get_or_insert_with(Default::default);
    if cs.volume_name.as_deref() != Some(pv_name.as_str()) {
        cs.volume_name = Some(pv_name.clone());
        changed = true;
    }
    let st = c
        .status
        .get_or_insert_with(PersistentVolumeClaimStatus::default);
    if st.phase.as_deref() != Some("Bound") {
        st.phase = Some("Bound".into());
        st.capacity = capacity;
        st.access_modes = modes;
        changed = true;
    }
    if changed {
        sim.decide(
            COMPONENT,
            format!(
                "bound claim {}/{} to volume {pv_name}",
                obj.namespace(),
                obj.name()
            ),
        );
        sim.write_status(Object::PersistentVolumeClaim(c));
    }
}

/// Dynamic provisioning through the class's provisioner. Only kind's local-path provisioner runs
/// in this cluster; claims of other provisioners wait for one that never comes.
fn provision(
    sim: &mut Sim,
    obj: &Object,
    claim: &PersistentVolumeClaim,
    sc: &StorageClass,
    node: Option<&str>,
) {
    let uid = obj.uid().to_string();
    let ann = claim.metadata.annotations.clone().unwrap_or_default();
    if ann.get(PROVISIONER).map(String::as_str) != Some(sc.provisioner.as_str()) {
        let mut c = claim.clone();
        let a = c.metadata.annotations.get_or_insert_with(BTreeMap::new);
        a.insert(PROVISIONER_BETA.into(), sc.provisioner.clone());
        a.insert(PROVISIONER.into(), sc.provisioner.clone());
        sim.write_status(Object::PersistentVolumeClaim(c));
        sim.event(
            obj,
            "Normal",
            "ExternalProvisioning",
            format!("Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.", sc.provisioner),
            COMPONENT,
            None,
        );
    }
    if sc.provisioner != LOCAL_PATH {
        return;
    }
    let now = sim.clock.elapsed_ms();
    let key = ObjKey::of(obj);
    match sim.controllers.provisioning.get(&uid).copied() {
        None => {
            sim.controllers
                .provisioning
                .insert(uid.clone(), now + PROVISION_MS);
            sim.event(
                obj,
                "Normal",
                "Provisioning",
                format!(
                    "External provisioner is provisioning volume for claim \"{}/{}\"",
                    obj.namespace(),
                    obj.name()
                ),
                LOCAL_PATH,
                None,
            );
            sim.decide(
                LOCAL_PATH,
                format!(
                    "provisioning a volume for claim {}/{} on {}",
                    obj.namespace(),
                    obj.name(),
                    node.unwrap_or("any node")
                ),
            );
            sim.schedule(PROVISION_MS, Task::Enqueue(Ctrl::PersistentVolume, key));
        }
        Some(at) if at > now => sim.schedule(at - now, Task::Enqueue(Ctrl::PersistentVolume, key)),
        Some(_) => {
            sim.controllers.provisioning.remove(&uid);
            let name = format!("pvc-{uid}");
            let spec = claim.spec.clone().unwrap_or_default();
            let storage = request(claim).unwrap_or_else(|| Quantity("1Gi".into()));
            let mut annotations = BTreeMap::from([(
                "pv.kubernetes.io/provisioned-by".to_string(),
                LOCAL_PATH.to_string(),
            )]);
            let node_affinity = node.map(|n| {
                annotations.insert("local.path.provisioner/selected-node".into(), n.to_string());
                VolumeNodeAffinity {
                    required: Some(NodeSelector {
                        node_selector_terms: vec![NodeSelectorTerm {
                            match_expressions: Some(vec![NodeSelectorRequirement {
                                key: "kubernetes.io/hostname".into(),
                                operator: "In".into(),
                                values: Some(vec![n.to_string()]),
                            }]),
                            match_fields: None,
                        }],
                    }),
                }
            });
            let pv = PersistentVolume {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    annotations: Some(annotations),
                    ..Default::default()
                },
                spec: Some(PersistentVolumeSpec {
                    access_modes: spec.access_modes.clone(),
                    capacity: Some(BTreeMap::from([("storage".to_string(), storage)])),
                    claim_ref: Some(ObjectReference {
                        api_version: Some("v1".into()),
                        kind: Some("PersistentVolumeClaim".into()),
                        name: Some(obj.name().to_string()),
                        namespace: Some(obj.namespace().to_string()),
                        uid: Some(uid.clone()),
                        resource_version: claim.metadata.resource_version.clone(),
                        field_path: None,
                    }),
                    host_path: Some(HostPathVolumeSource {
                        path: format!(
                            "/var/local-path-provisioner/{name}_{}_{}",
                            obj.namespace(),
                            obj.name()
                        ),
                        type_: Some("DirectoryOrCreate".into()),
                    }),
                    node_affinity,
                    persistent_volume_reclaim_policy: sc
                        .reclaim_policy
                        .clone()
                        .or_else(|| Some("Delete".into())),
                    storage_class_name: sc.metadata.name.clone(),
                    volume_mode: spec.volume_mode.clone(),
                    ..Default::default()
                }),
                status: None,
            };
            if let Ok(created) = sim.create(Object::PersistentVolume(pv)) {
                sim.event(
                    obj,
                    "Normal",
                    "ProvisioningSucceeded",
                    format!("Successfully provisioned volume {name}"),
                    LOCAL_PATH,
                    None,
                );
                if let Some(v) = created.as_pv().cloned() {
                    bind(sim, obj, claim, &v);
                }
            }
        }
    }
}

/// What the scheduler's VolumeBinding plugin finds before filtering nodes.
pub enum VolumeCheck {
    /// Every claim is bound (or there are none).
    Bound,
    /// Claims waiting for this pod's node (WaitForFirstConsumer).
    Delayed(Vec<ObjKey>),
}

/// The VolumeBinding PreFilter: the pod's claims must exist; unbound ones must wait for a consumer.
/// Err is the scheduler's status message.
pub fn prefilter(sim: &Sim, pod: &Pod) -> Result<VolumeCheck, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut delayed = Vec::new();
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(src) = &v.persistent_volume_claim else {
            continue;
        };
        let key = ObjKey::new(Kind::PersistentVolumeClaim, ns, &src.claim_name);
        let Some(c) = sim.store.get(&key).and_then(|o| o.as_pvc()) else {
            return Err(format!(
                "persistentvolumeclaim \"{}\" not found",
                src.claim_name
            ));
        };
        if c.metadata.deletion_timestamp.is_some() {
            return Err(format!(
                "persistentvolumeclaim \"{}\" is being deleted",
                src.claim_name
            ));
        }
        let bound = c
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_ref())
            .is_some();
        if bound {
            continue;
        }
        if delays_binding(sim, c) {
            delayed.push(key);
        } else {
            return Err("pod has unbound immediate PersistentVolumeClaims".into());
        }
    }
    Ok(if delayed.is_empty() {
        VolumeCheck::Bound
    } else {
        VolumeCheck::Delayed(delayed)
    })
}

/// The VolumeBinding Filter: bound volumes with node affinity pin the pod to their nodes.
pub fn fits_node(sim: &Sim, pod: &Pod, node: &Node) -> bool {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .all(|v| {
            let Some(src) = &v.persistent_volume_claim else {
                return true;
            };
            let claim = sim.store.get(&ObjKey::new(
                Kind::PersistentVolumeClaim,
                ns,
                &src.claim_name,
            ));
            let Some(vname) = claim
                .and_then(|o| o.as_pvc())
                .and_then(|c| c.spec.as_ref())
                .and_then(|s| s.volume_name.clone())
            else {
                return true;
            };
            let aff = sim
                .store
                .get(&ObjKey::new(Kind::PersistentVolume, "", &vname))
                .and_then(|o| o.as_pv())
                .and_then(|p| p.spec.as_ref())
                .and_then(|s| s.node_affinity.clone());
            aff.is_none_or(|a| volume_fits_node(&a, node))
        })
}

/// The scheduler's choice for delayed claims: writes the node on each claim that has none yet.
pub fn select_node(sim: &mut Sim, claims: &[ObjKey], node: &str) {
    for k in claims {
        let Some(c) = sim.store.get(k).and_then(|o| o.as_pvc().cloned()) else {
            continue;
        };
        if c.metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key(SELECTED_NODE))
        {
            continue;
        }
        let mut c2 = c.clone();
        c2.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(SELECTED_NODE.into(), node.to_string());
        let _ = sim.update(Object::PersistentVolumeClaim(c2));
    }
}

/// `kubectl get pvc` ACCESS MODES: `RWO,ROX,RWX,RWOP`.
pub fn access_modes_short(modes: &[String]) -> String {
    let order = [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ];
    order
        .iter()
        .filter(|(long, _)| modes.iter().any(|m| m == long))
        .map(|(_, s)| *s)
        .collect::<Vec<_>>()
        .join(",")
}

/// The default cluster's StorageClass `standard`, as kind installs it.
pub fn standard_class() -> StorageClass {
    StorageClass {
        metadata: ObjectMeta {
            name: Some("standard".into()),
            annotations: Some(BTreeMap::from([(
                DEFAULT_CLASS_ANNOTATION.to_string(),
                "true".to_string(),
            )])),
            ..Default::default()
        },
        provisioner: LOCAL_PATH.into(),
        reclaim_policy: Some("Delete".into()),
        volume_binding_mode: Some("WaitForFirstConsumer".into()),
        ..Default::default()
    }
}
