//! The StatefulSet controller (`pkg/controller/statefulset`): pods with stable ordinal names
//! `<sts>-0..N-1`, created in order (OrderedReady) or all at once (Parallel), each with its own
//! PersistentVolumeClaims from `volumeClaimTemplates` (which outlive the pods); updates roll from the
//! highest ordinal down to `partition`, one pod at a time; revisions are ControllerRevisions.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;

use super::super::engine::Task;
use super::super::labels::Selector;
use super::super::object::{new_controller_ref, Kind, Object};
use super::super::podutil;
use super::super::store::{ObjKey, WatchEvent};
use super::super::Sim;
use super::{enqueue, Ctrl};

const COMPONENT: &str = "statefulset-controller";
pub const REVISION_LABEL: &str = "controller-revision-hash";
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
/// The label ControllerRevisions carry with their hash.
pub const HASH_LABEL: &str = "controller.kubernetes.io/hash";

/// `SetDefaults_StatefulSet`.
pub(crate) fn set_defaults(s: &mut StatefulSet) {
    let spec = s.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    spec.pod_management_policy
        .get_or_insert_with(|| "OrderedReady".into());
    spec.revision_history_limit.get_or_insert(10);
    let strategy = spec.update_strategy.get_or_insert_with(|| {
        k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy {
            type_: Some("RollingUpdate".into()),
            rolling_update: Some(
                k8s_openapi::api::apps::v1::RollingUpdateStatefulSetStrategy {
                    partition: Some(0),
                    max_unavailable: None,
                },
            ),
        }
    });
    strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
    if let Some(ru) = strategy.rolling_update.as_mut() {
        ru.partition.get_or_insert(0);
    }
    let policy = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(Default::default);
    policy.when_deleted.get_or_insert_with(|| "Retain".into());
    policy.when_scaled.get_or_insert_with(|| "Retain".into());
    super::super::defaults::template(&mut spec.template);
    for t in spec.volume_claim_templates.iter_mut().flatten() {
        t.spec
            .get_or_insert_with(Default::default)
            .volume_mode
            .get_or_insert_with(|| "Filesystem".into());
        t.status
            .get_or_insert_with(|| k8s_openapi::api::core::v1::PersistentVolumeClaimStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            });
    }
}

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    match ev.key.kind {
        Kind::StatefulSet => enqueue(sim, Ctrl::StatefulSet, ev.key.clone()),
        Kind::Pod | Kind::ControllerRevision => {
            for obj in std::iter::once(&ev.object).chain(ev.old.iter()) {
                if let Some(r) = obj.controller_ref() {
                    if r.kind == "StatefulSet" {
                        enqueue(
                            sim,
                            Ctrl::StatefulSet,
                            ObjKey::new(Kind::StatefulSet, &ev.key.namespace, &r.name),
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

/// `<sts>-<ordinal>` → ordinal.
pub fn ordinal_of(sts: &str, pod: &str) -> Option<i32> {
    let rest = pod.strip_prefix(sts)?.strip_prefix('-')?;
    if rest.is_empty()
        || !rest.bytes().all(|b| b.is_ascii_digit())
        || (rest.len() > 1 && rest.starts_with('0'))
    {
        return None;
    }
    rest.parse().ok()
}

fn running_and_ready(p: &Pod) -> bool {
    podutil::phase(p) == "Running" && podutil::is_ready(p)
}

fn running_and_available(p: &Pod, min_ready: i64, now: i64) -> bool {
    running_and_ready(p) && podutil::is_available(p, min_ready, now)
}

fn revision_of(p: &Pod) -> Option<&str> {
    p.metadata
        .labels
        .as_ref()?
        .get(REVISION_LABEL)
        .map(String::as_str)
}

// ---------------------------------------------------------------------------------------------
// ControllerRevisions (shared with the DaemonSet controller)

/// The data a ControllerRevision stores for a workload: its pod template as a replacing patch.
pub(crate) fn revision_data(template: &PodTemplateSpec) -> serde_json::Value {
    let mut t = serde_json::to_value(template).unwrap_or(serde_json::Value::Null);
    if let Some(m) = t.as_object_mut() {
        m.insert("$patch".into(), serde_json::Value::String("replace".into()));
    }
    serde_json::json!({ "spec": { "template": t } })
}

/// The pod template a ControllerRevision holds.
pub(crate) fn revision_template(cr: &ControllerRevision) -> Option<PodTemplateSpec> {
    let mut t = cr.data.as_ref()?.0.get("spec")?.get("template")?.clone();
    if let Some(m) = t.as_object_mut() {
        m.remove("$patch");
    }
    serde_json::from_value(t).ok()
}

/// The owner's ControllerRevisions, lowest revision first.
pub(crate) fn revisions_of(sim: &Sim, owner_uid: &str) -> Vec<Rc<Object>> {
    let mut v: Vec<Rc<Object>> = sim
        .store
        .owned_by(owner_uid)
        .into_iter()
        .filter(|o| {
            o.kind() == Kind::ControllerRevision
                && o.controller_ref().is_some_and(|r| r.uid == owner_uid)
        })
        .collect();
    crate::sort::sort_by_key(&mut v, |o| {
        o.as_controllerrevision().map(|c| c.revision).unwrap_or(0)
    });
    v
}

/// `getStatefulSetRevisions` / `constructHistory`: finds or creates the revision for the owner's
/// current template (re-numbering an older equal one, as a rollback does); returns its name and hash.
pub(crate) fn sync_update_revision(
    sim: &mut Sim,
    owner: &Object,
    kind: Kind,
    template: &PodTemplateSpec,
) -> Option<(String, String)> {
    let hash = super::deployment::compute_hash(template, None);
    let name = format!("{}-{}", owner.name(), hash);
    let data = revision_data(template);
    let revs = revisions_of(sim, owner.uid());
    let max = revs
        .iter()
        .filter_map(|o| o.as_controllerrevision())
        .map(|c| c.revision)
        .max()
        .unwrap_or(0);
    let equal = revs
        .iter()
        .rfind(|o| {
            o.as_controllerrevision()
                .is_some_and(|c| c.data.as_ref().map(|d| &d.0) == Some(&data))
        })
        .cloned();
    if let Some(eq) = equal {
        let cr = eq.as_controllerrevision()?;
        if cr.revision < max {
            let mut c2 = cr.clone();
            c2.revision = max + 1;
            sim.write_status(Object::ControllerRevision(c2));
        }
        return Some((eq.name().to_string(), hash));
    }
    let mut labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(HASH_LABEL.into(), hash.clone());
    let cr = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            // `newRevision` / `snapshot` copy the owner's annotations (the change-cause shows in
            // `rollout history`).
            annotations: owner.meta().annotations.clone(),
            owner_references: Some(vec![new_controller_ref(kind, owner.meta())]),
            ..Default::default()
        },
        data: Some(RawExtension(data)),
        revision: max + 1,
    };
    match sim.create(Object::ControllerRevision(cr)) {
        Ok(_) => Some((name, hash)),
        Err(e) if e.code == 409 => Some((name, hash)),
        Err(e) => {
            sim.decide(
                COMPONENT,
                format!("failed to create ControllerRevision {name}: {}", e.message),
            );
            None
        }
    }
}

/// Deletes the oldest revisions beyond `limit` that no live pod uses and that are not `keep`.
pub(crate) fn truncate_history(
    sim: &mut Sim,
    owner_uid: &str,
    limit: i32,
    keep: &[&str],
    in_use: &[String],
) {
    let revs = revisions_of(sim, owner_uid);
    let mut spare: Vec<Rc<Object>> = revs
        .into_iter()
        .filter(|o| !keep.contains(&o.name()) && !in_use.iter().any(|u| u == o.name()))
        .collect();
    let limit = limit.max(0) as usize;
    while spare.len() > limit {
        let o = spare.remove(0);
        let _ = sim.delete(&ObjKey::of(&o), None);
    }
}

// ---------------------------------------------------------------------------------------------
// reconcile

fn claim_name(template: &PersistentVolumeClaim, sts: &str, ordinal: i32) -> String {
    format!(
        "{}-{}-{}",
        template.metadata.name.as_deref().unwrap_or(""),
        sts,
        ordinal
    )
}

/// `newStatefulSetPod`: the pod for `ordinal` from `template`, with identity and storage.
fn new_pod(
    owner: &Object,
    sts: &StatefulSet,
    template: &PodTemplateSpec,
    revision: &str,
    ordinal: i32,
) -> Pod {
    let spec = sts.spec.clone().unwrap_or_default();
    let name = format!("{}-{}", owner.name(), ordinal);
    let tmeta = template.metadata.clone().unwrap_or_default();
    let mut labels = tmeta.labels.clone().unwrap_or_default();
    labels.insert(POD_NAME_LABEL.into(), name.clone());
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    labels.insert(REVISION_LABEL.into(), revision.to_string());
    let mut pspec = template.spec.clone().unwrap_or_default();
    pspec.hostname = Some(name.clone());
    if !spec.service_name.is_empty() {
        pspec.subdomain = Some(spec.service_name.clone());
    }
    // updateStorage: each claim template becomes (or replaces) the volume of the same name.
    for t in spec.volume_claim_templates.iter().flatten() {
        let vname = t.metadata.name.clone().unwrap_or_default();
        let vols = pspec.volumes.get_or_insert_with(Vec::new);
        vols.retain(|v| v.name != vname);
        vols.push(Volume {
            name: vname,
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(t, owner.name(), ordinal),
                read_only: None,
            }),
            ..Default::default()
        });
    }
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            annotations: tmeta.annotations,
            owner_references: Some(vec![new_controller_ref(Kind::StatefulSet, owner.meta())]),
            ..Default::default()
        },
        spec: Some(pspec),
        status: None,
    }
}

/// `createPersistentVolumeClaims`: the pod's claims that do not exist yet.
fn create_claims(sim: &mut Sim, owner: &Object, sts: &StatefulSet, ordinal: i32) -> bool {
    let spec = sts.spec.clone().unwrap_or_default();
    let pod_name = format!("{}-{}", owner.name(), ordinal);
    for t in spec.volume_claim_templates.iter().flatten() {
        let name = claim_name(t, owner.name(), ordinal);
        let key = ObjKey::new(Kind::PersistentVolumeClaim, owner.namespace(), &name);
        if sim.store.contains(&key) {
            continue;
        }
        let mut labels = t.metadata.labels.clone().unwrap_or_default();
        for (k, v) in spec.selector.match_labels.iter().flatten() {
            labels.insert(k.clone(), v.clone());
        }
        let claim = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(owner.namespace().to_string()),
                labels: if labels.is_empty() {
                    None
                } else {
                    Some(labels)
                },
                annotations: t.metadata.annotations.clone(),
                ..Default::default()
            },
            spec: t.spec.clone(),
            status: None,
        };
        match sim.create(Object::PersistentVolumeClaim(claim)) {
            Ok(_) => sim.event(
                owner,
                "Normal",
                "SuccessfulCreate",
                format!(
                    "create Claim {name} Pod {pod_name} in StatefulSet {} success",
                    owner.name()
                ),
                COMPONENT,
                None,
            ),
            Err(e) => {
                super::failed_create(
                    sim,
                    Ctrl::StatefulSet,
                    owner,
                    format!(
                        "create Claim {name} for Pod {pod_name} in StatefulSet {} failed error: {}",
                        owner.name(),
                        e.message
                    ),
                );
                return false;
            }
        }
    }
    true
}

fn create_pod(
    sim: &mut Sim,
    owner: &Object,
    sts: &StatefulSet,
    template: &PodTemplateSpec,
    revision: &str,
    ordinal: i32,
) {
    if !create_claims(sim, owner, sts, ordinal) {
        return;
    }
    let pod = new_pod(owner, sts, template, revision, ordinal);
    let name = pod.metadata.name.clone().unwrap_or_default();
    match sim.create(Object::Pod(pod)) {
        Ok(_) => {
            sim.decide(
                COMPONENT,
                format!("{} creates pod {name} (ordinal {ordinal})", owner.name()),
            );
            sim.event(
                owner,
                "Normal",
                "SuccessfulCreate",
                format!(
                    "create Pod {name} in StatefulSet {} successful",
                    owner.name()
                ),
                COMPONENT,
                None,
            );
            super::forget_failures(sim, Ctrl::StatefulSet, &ObjKey::of(owner));
        }
        Err(e) => {
            super::failed_create(
                sim,
                Ctrl::StatefulSet,
                owner,
                format!(
                    "create Pod {name} in StatefulSet {} failed error: {}",
                    owner.name(),
                    e.message
                ),
            );
        }
    }
}

fn delete_pod(sim: &mut Sim, owner: &Object, pod: &Pod, why: &str) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let key = ObjKey::new(Kind::Pod, owner.namespace(), &name);
    if sim.delete(&key, None).is_ok() {
        sim.decide(
            COMPONENT,
            format!("{} deletes pod {name}: {why}", owner.name()),
        );
        sim.event(
            owner,
            "Normal",
            "SuccessfulDelete",
            format!(
                "delete Pod {name} in StatefulSet {} successful",
                owner.name()
            ),
            COMPONENT,
            None,
        );
    }
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(sts) = obj.as_statefulset() else {
        return;
    };
    if sts.metadata.deletion_timestamp.is_some() {
        return;
    }
    let sts = sts.clone();
    let uid = obj.uid().to_string();
    let spec = sts.spec.clone().unwrap_or_default();
    if Selector::from_label_selector(Some(&spec.selector)).is_err() {
        sim.decide(
            COMPONENT,
            format!("{} has an invalid selector; not syncing", key.name),
        );
        return;
    }
    let Some((update_rev, _)) = sync_update_revision(sim, &obj, Kind::StatefulSet, &spec.template)
    else {
        return;
    };
    let current_rev = sts
        .status
        .as_ref()
        .and_then(|s| s.current_revision.clone())
        .unwrap_or_else(|| update_rev.clone());
    let current_template = revisions_of(sim, &uid)
        .iter()
        .find(|o| o.name() == current_rev)
        .and_then(|o| o.as_controllerrevision().and_then(revision_template))
        .unwrap_or_else(|| spec.template.clone());

    let replicas = spec.replicas.unwrap_or(1).max(0);
    let start = spec
        .ordinals
        .as_ref()
        .and_then(|o| o.start)
        .unwrap_or(0)
        .max(0);
    let monotonic = spec.pod_management_policy.as_deref() != Some("Parallel");
    let min_ready = spec.min_ready_seconds.unwrap_or(0) as i64;
    let now = sim.clock.now().timestamp();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let rolling = strategy.type_.as_deref() != Some("OnDelete");
    let partition = strategy.rolling_update.as_ref().and_then(|r| r.partition);
    let status_current = sts
        .status
        .as_ref()
        .and_then(|s| s.current_replicas)
        .unwrap_or(0);

    // The pods this StatefulSet controls, by ordinal; those outside [start, start+replicas) are condemned.
    let pods: Vec<Pod> = sim
        .store
        .owned_by(&uid)
        .iter()
        .filter(|o| o.kind() == Kind::Pod && o.controller_ref().is_some_and(|r| r.uid == uid))
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    let mut replicas_by_ord: BTreeMap<i32, Pod> = BTreeMap::new();
    let mut condemned: Vec<(i32, Pod)> = Vec::new();
    for p in &pods {
        let name = p.metadata.name.as_deref().unwrap_or("");
        match ordinal_of(key.name.as_str(), name) {
            Some(o) if o >= start && o < start + replicas => {
                replicas_by_ord.insert(o, p.clone());
            }
            Some(o) => condemned.push((o, p.clone())),
            None => condemned.push((i32::MAX, p.clone())),
        }
    }
    crate::sort::sort_by(&mut condemned, |a, b| b.0.cmp(&a.0));

    // `newVersionedStatefulSetPod`: ordinals below the partition (or below currentReplicas when
    // rollingUpdate is unset) keep the current revision.
    let use_current = |ord: i32| {
        rolling
            && match &strategy.rolling_update {
                None => ord < start + status_current,
                Some(_) => ord < start + partition.unwrap_or(0),
            }
    };

    let mut next_check: Option<i64> = None;
    let done = 'sync: {
        // 1. Replicas: replace failed pods, create missing ones, wait for each (OrderedReady).
        for ord in start..start + replicas {
            match replicas_by_ord.get(&ord) {
                None => {
                    let (t, rev) = if use_current(ord) {
                        (&current_template, &current_rev)
                    } else {
                        (&spec.template, &update_rev)
                    };
                    create_pod(sim, &obj, &sts, t, rev, ord);
                    if monotonic {
                        break 'sync false;
                    }
                }
                Some(p) => {
                    if matches!(podutil::phase(p), "Failed" | "Succeeded")
                        && !podutil::terminating(p)
                    {
                        delete_pod(sim, &obj, p, "it has finished and must be recreated");
                        if monotonic {
                            break 'sync false;
                        }
                        continue;
                    }
                    if monotonic && podutil::terminating(p) {
                        sim.decide(
                            COMPONENT,
                            format!("{} waits for pod {} to terminate", key.name, key_name(p)),
                        );
                        break 'sync false;
                    }
                    if monotonic && !running_and_available(p, min_ready, now) {
                        if running_and_ready(p) {
                            if let Some(t) = podutil::ready_since(p) {
                                next_check = Some(t + min_ready);
                            }
                        }
                        sim.decide(
                            COMPONENT,
                            format!(
                                "{} waits for pod {} to be Running and Ready",
                                key.name,
                                key_name(p)
                            ),
                        );
                        break 'sync false;
                    }
                }
            }
        }
        // 2. Condemned pods: highest ordinal first; one at a time unless Parallel.
        for (_, p) in &condemned {
            if podutil::terminating(p) {
                if monotonic {
                    break 'sync false;
                }
                continue;
            }
            delete_pod(sim, &obj, p, &format!("scaling down to {replicas}"));
            if monotonic {
                break 'sync false;
            }
        }
        true
    };

    // 3. Rolling update: from the highest ordinal down to the partition, one pod at a time.
    if done && rolling {
        let floor = start + partition.unwrap_or(0);
        for ord in (start..start + replicas).rev() {
            if ord < floor {
                break;
            }
            let Some(p) = replicas_by_ord.get(&ord) else {
                break;
            };
            if revision_of(p) != Some(update_rev.as_str()) && !podutil::terminating(p) {
                delete_pod(
                    sim,
                    &obj,
                    p,
                    &format!(
                        "it runs revision {} and the update revision is {update_rev}",
                        revision_of(p).unwrap_or("?")
                    ),
                );
                break;
            }
            if !running_and_available(p, min_ready, now) {
                break;
            }
        }
    }

    update_status(sim, key, &update_rev, &current_rev);
    if let Some(at) = next_check {
        let delay = ((at - now).max(0) as u64) * 1000 + 1;
        sim.schedule(delay, Task::Enqueue(Ctrl::StatefulSet, key.clone()));
    }
    let in_use: Vec<String> = pods
        .iter()
        .filter_map(|p| revision_of(p).map(str::to_string))
        .collect();
    let limit = spec.revision_history_limit.unwrap_or(10);
    let cur = sim.store.get(key).and_then(|o| {
        o.as_statefulset()
            .and_then(|s| s.status.as_ref())
            .and_then(|s| s.current_revision.clone())
    });
    truncate_history(
        sim,
        &uid,
        limit,
        &[update_rev.as_str(), cur.as_deref().unwrap_or("")],
        &in_use,
    );
}

fn key_name(p: &Pod) -> &str {
    p.metadata.name.as_deref().unwrap_or("")
}

/// `computeReplicaStatus` and `completeRollingUpdate`.
fn update_status(sim: &mut Sim, key: &ObjKey, update_rev: &str, current_rev: &str) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(sts) = obj.as_statefulset() else {
        return;
    };
    let uid = obj.uid();
    let spec = sts.spec.clone().unwrap_or_default();
    let min_ready = spec.min_ready_seconds.unwrap_or(0) as i64;
    let now = sim.clock.now().timestamp();
    let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
    let mut next_available: Option<i64> = None;
    for o in sim.store.owned_by(uid) {
        let Some(p) = o.as_pod() else { continue };
        if o.controller_ref().is_none_or(|r| r.uid != uid) {
            continue;
        }
        replicas += 1;
        if running_and_ready(p) {
            ready += 1;
            if podutil::is_available(p, min_ready, now) {
                available += 1;
            } else if let Some(t) = podutil::ready_since(p) {
                let at = t + min_ready;
                next_available = Some(next_available.map_or(at, |n: i64| n.min(at)));
            }
        }
        if !podutil::terminating(p) {
            let r = revision_of(p);
            if r == Some(current_rev) {
                current += 1;
            }
            if r == Some(update_rev) {
                updated += 1;
            }
        }
    }
    let old = sts.status.clone().unwrap_or_default();
    let mut status = StatefulSetStatus {
        replicas,
        ready_replicas: Some(ready),
        available_replicas: Some(available),
        current_replicas: Some(current),
        updated_replicas: Some(updated),
        current_revision: Some(current_rev.to_string()),
        update_revision: Some(update_rev.to_string()),
        observed_generation: sts.metadata.generation,
        collision_count: Some(old.collision_count.unwrap_or(0)),
        conditions: old.conditions.clone(),
    };
    let want = spec.replicas.unwrap_or(1);
    let rolling = spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        != Some("OnDelete");
    if rolling && updated == want && ready == want && replicas == want && current_rev != update_rev
    {
        status.current_revision = Some(update_rev.to_string());
        status.current_replicas = Some(updated);
        sim.decide(
            COMPONENT,
            format!(
                "{} finished its rolling update: every pod runs {update_rev}",
                key.name
            ),
        );
    }
    if status != old {
        let mut new = sts.clone();
        new.status = Some(status);
        sim.write_status(Object::StatefulSet(new));
    }
    if let Some(at) = next_available {
        let delay = ((at - now).max(0) as u64) * 1000 + 1;
        sim.schedule(delay, Task::Enqueue(Ctrl::StatefulSet, key.clone()));
    }
}

/// `ValidateStatefulSetUpdate`: only some spec fields may change.
pub(crate) fn forbidden_update(new: &StatefulSet, old: &StatefulSet) -> Option<String> {
    let (Some(n), Some(o)) = (new.spec.as_ref(), old.spec.as_ref()) else {
        return None;
    };
    let mut n = n.clone();
    n.replicas = o.replicas;
    n.template = o.template.clone();
    n.update_strategy = o.update_strategy.clone();
    n.min_ready_seconds = o.min_ready_seconds;
    n.ordinals = o.ordinals.clone();
    n.persistent_volume_claim_retention_policy = o.persistent_volume_claim_retention_policy.clone();
    (n != *o).then(|| {
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        assert_eq!(ordinal_of("web", "web-0"), Some(0));
        assert_eq!(ordinal_of("web", "web-12"), Some(12));
        assert_eq!(ordinal_of("web", "web-01"), None);
        assert_eq!(ordinal_of("web", "web-x"), None);
        assert_eq!(ordinal_of("web", "webx-1"), None);
        assert_eq!(ordinal_of("web", "web-"), None);
    }
}
