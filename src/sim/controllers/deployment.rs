//! The Deployment controller (`pkg/controller/deployment`): owns ReplicaSets, one per pod template,
//! and moves replicas from old to new within maxSurge / maxUnavailable (rolling update) or all at
//! once (Recreate).

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::super::object::{new_controller_ref, Kind, Object};
use super::super::podutil;
use super::super::store::ObjKey;
use super::super::Sim;

const COMPONENT: &str = "deployment-controller";
pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const HASH_LABEL: &str = "pod-template-hash";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// `intstr.GetScaledValueFromIntOrPercent`: percentages of `total`, rounded up or down.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let p = s
                .strip_suffix('%')
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| format!("invalid value for IntOrString: invalid type: string is not a percentage: {s}"))?;
            let prod = p * total as i64;
            Ok(if round_up {
                (prod + 99).div_euclid(100)
            } else {
                prod.div_euclid(100)
            } as i32)
        }
    }
}

/// `ResolveFenceposts`: (maxSurge, maxUnavailable) as pod counts.
pub fn resolve_fenceposts(
    surge: Option<&IntOrString>,
    unavailable: Option<&IntOrString>,
    desired: i32,
) -> (i32, i32) {
    let zero = IntOrString::Int(0);
    let s = scaled_value(surge.unwrap_or(&zero), desired, true).unwrap_or(0);
    let mut u = scaled_value(unavailable.unwrap_or(&zero), desired, false).unwrap_or(0);
    if s == 0 && u == 0 {
        u = 1;
    }
    (s, u)
}

fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn is_recreate(d: &Deployment) -> bool {
    d.spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        == Some("Recreate")
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    if is_recreate(d) {
        return (0, 0);
    }
    let ru = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    resolve_fenceposts(
        ru.and_then(|r| r.max_surge.as_ref()),
        ru.and_then(|r| r.max_unavailable.as_ref()),
        replicas(d),
    )
}

/// `MaxUnavailable(d)`: resolved, and never above replicas.
fn max_unavailable(d: &Deployment) -> i32 {
    if is_recreate(d) {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}
/// `spec.replicas` of a stored ReplicaSet (0 for anything else).
fn obj_replicas(o: &Object) -> i32 {
    o.as_replicaset().map(rs_replicas).unwrap_or(0)
}
fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}
fn rs_status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map(|s| s.replicas).unwrap_or(0)
}
fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0)
}
fn revision_of(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// `controller.ComputeHash`: FNV-32a over the template (and collision count), then the decimal
/// digits mapped through the safe alphabet as `rand.SafeEncodeString` does.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut h: u32 = 0x811c9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= *b as u32;
            h = h.wrapping_mul(0x01000193);
        }
    };
    feed(
        serde_json::to_string(template)
            .unwrap_or_default()
            .as_bytes(),
    );
    if let Some(c) = collision_count {
        feed(&(c as u32).to_le_bytes());
    }
    const ALPHANUMS: &[u8] = super::super::clock::NAME_ALPHABET;
    h.to_string()
        .bytes()
        .map(|d| ALPHANUMS[(d as usize) % ALPHANUMS.len()] as char)
        .collect()
}

/// The template without the `pod-template-hash` label, for `EqualIgnoreHash`.
fn strip_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(HASH_LABEL);
    }
    t
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(d) = obj.as_deployment() else { return };
    if d.metadata.deletion_timestamp.is_some() {
        return;
    }
    let d = d.clone();
    let uid = obj.uid().to_string();
    let template = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let plain = strip_hash(&template);

    let mut all: Vec<Rc<Object>> = sim
        .store
        .owned_by(&uid)
        .into_iter()
        .filter(|o| {
            o.kind() == Kind::ReplicaSet && o.controller_ref().is_some_and(|r| r.uid == uid)
        })
        .collect();
    // Oldest first (creation revision order is the store's index order already).
    let mut new_rs: Option<Rc<Object>> = None;
    for o in &all {
        let Some(rs) = o.as_replicaset() else {
            continue;
        };
        let t = rs
            .spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .map(strip_hash);
        if t.as_ref() == Some(&plain) && rs.metadata.deletion_timestamp.is_none() {
            new_rs = Some(o.clone());
            break;
        }
    }
    let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    let mut created = false;
    if new_rs.is_none() {
        if paused {
            // A paused Deployment does not roll out a new template; it only scales and reports.
            sync_paused(sim, &obj, &d, &all);
            sync_status(sim, key, false);
            return;
        }
        match create_new_rs(sim, &obj, &d, &all) {
            Some(rs) => {
                all.push(rs.clone());
                new_rs = Some(rs);
                created = true;
            }
            None => return,
        }
    } else if let Some((n, rs)) = new_rs
        .as_ref()
        .and_then(|n| n.as_replicaset().map(|rs| (n, rs)))
    {
        // The new RS must carry the highest revision (a rollback makes an old RS new again; its
        // previous revision goes to revision-history) and the Deployment's change-cause.
        let max_old = all
            .iter()
            .filter(|o| !Rc::ptr_eq(o, n))
            .filter_map(|o| o.as_replicaset())
            .map(revision_of)
            .max()
            .unwrap_or(0);
        let cause = d
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CHANGE_CAUSE))
            .cloned();
        let rs_cause = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CHANGE_CAUSE))
            .cloned();
        let stale_revision = revision_of(rs) <= max_old;
        if stale_revision || (cause.is_some() && cause != rs_cause) {
            let mut rs2 = rs.clone();
            let ann = rs2
                .metadata
                .annotations
                .get_or_insert_with(Default::default);
            if stale_revision {
                let old_rev = revision_of(rs);
                if old_rev > 0 {
                    let hist = match ann.get(REVISION_HISTORY) {
                        Some(h) if !h.is_empty() => format!("{h},{old_rev}"),
                        _ => old_rev.to_string(),
                    };
                    ann.insert(REVISION_HISTORY.into(), hist);
                }
                ann.insert(REVISION.into(), (max_old + 1).to_string());
            }
            if let Some(c) = cause {
                ann.insert(CHANGE_CAUSE.into(), c);
            }
            if let Some(stored) = sim.write_status(Object::ReplicaSet(rs2)) {
                all = all
                    .into_iter()
                    .map(|o| if Rc::ptr_eq(&o, n) { stored.clone() } else { o })
                    .collect();
                new_rs = Some(stored);
            }
        }
    }
    let Some(new_rs) = new_rs else { return };
    let old: Vec<Rc<Object>> = all
        .iter()
        .filter(|o| !Rc::ptr_eq(o, &new_rs))
        .cloned()
        .collect();
    sync_revision(sim, key, &new_rs);

    if paused {
        sync_paused(sim, &obj, &d, &all);
        sync_status(sim, key, false);
        return;
    }
    let scaled = if is_recreate(&d) {
        rollout_recreate(sim, &obj, &d, &new_rs, &old)
    } else {
        rollout_rolling(sim, &obj, &d, &new_rs, &old)
    };
    if !scaled {
        cleanup(sim, &d, &old);
    }
    sync_status(sim, key, created);
}

/// The Deployment's own revision annotation follows its new ReplicaSet's.
fn sync_revision(sim: &mut Sim, key: &ObjKey, new_rs: &Rc<Object>) {
    let Some(rev) = new_rs
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .cloned()
    else {
        return;
    };
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(d) = obj.as_deployment() else { return };
    if d.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        == Some(&rev)
    {
        return;
    }
    let mut d2 = d.clone();
    d2.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(REVISION.into(), rev);
    sim.write_status(Object::Deployment(d2));
}

/// `sync` for a paused Deployment: scale the active ReplicaSet(s) to `spec.replicas` without
/// starting a rollout (the newest RS with pods takes the difference).
fn sync_paused(sim: &mut Sim, owner: &Object, d: &Deployment, all: &[Rc<Object>]) {
    let want = replicas(d);
    let active: Vec<&Rc<Object>> = all
        .iter()
        .filter(|o| o.as_replicaset().is_some_and(|r| rs_replicas(r) > 0))
        .collect();
    let total: i32 = active
        .iter()
        .filter_map(|o| o.as_replicaset())
        .map(rs_replicas)
        .sum();
    if total == want {
        return;
    }
    let target = match active.last() {
        Some(t) => (*t).clone(),
        None => match all.last() {
            Some(t) => t.clone(),
            None => return,
        },
    };
    let cur = obj_replicas(&target);
    let to = (cur + want - total).max(0);
    sim.decide(
        COMPONENT,
        format!(
            "{} is paused; scaling {} {}→{} without rolling out",
            owner.name(),
            target.name(),
            cur,
            to
        ),
    );
    scale(sim, owner, d, &target, to);
}

fn create_new_rs(
    sim: &mut Sim,
    owner: &Object,
    d: &Deployment,
    all: &[Rc<Object>],
) -> Option<Rc<Object>> {
    let spec = d.spec.clone().unwrap_or_default();
    let collision = d.status.as_ref().and_then(|s| s.collision_count);
    let hash = compute_hash(&spec.template, collision);
    let mut template = spec.template.clone();
    template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(Default::default)
        .insert(HASH_LABEL.into(), hash.clone());
    let mut selector = spec.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(Default::default)
        .insert(HASH_LABEL.into(), hash.clone());
    let mut labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(HASH_LABEL.into(), hash.clone());

    let all_rs: Vec<&ReplicaSet> = all.iter().filter_map(|o| o.as_replicaset()).collect();
    let revision = all_rs.iter().map(|r| revision_of(r)).max().unwrap_or(0) + 1;
    let want = new_rs_new_replicas(d, &all_rs, None);
    let (surge, _) = fenceposts(d);
    let mut annotations: BTreeMap<String, String> = d
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration" && k != REVISION)
        .collect();
    annotations.insert(REVISION.into(), revision.to_string());
    annotations.insert(DESIRED_REPLICAS.into(), replicas(d).to_string());
    annotations.insert(MAX_REPLICAS.into(), (replicas(d) + surge).to_string());

    let name = format!("{}-{}", owner.name(), hash);
    let rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            annotations: Some(annotations),
            owner_references: Some(vec![new_controller_ref(Kind::Deployment, owner.meta())]),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(want),
            min_ready_seconds: spec.min_ready_seconds,
            selector: LabelSelector { ..selector },
            template: Some(template),
        }),
        status: None,
    };
    match sim.create(Object::ReplicaSet(rs)) {
        Ok(rs) => {
            sim.decide(
                COMPONENT,
                format!("{} has no ReplicaSet for its pod template; created {} (revision {}) with {} replicas", owner.name(), name, revision, want),
            );
            if want > 0 {
                sim.event(
                    owner,
                    "Normal",
                    "ScalingReplicaSet",
                    format!("Scaled up replica set {name} from 0 to {want}"),
                    COMPONENT,
                    None,
                );
            }
            Some(rs)
        }
        Err(e) => {
            sim.decide(
                COMPONENT,
                format!("failed to create ReplicaSet {name}: {}", e.message),
            );
            None
        }
    }
}

/// `NewRSNewReplicas` for a rolling update (Recreate: all replicas).
fn new_rs_new_replicas(d: &Deployment, all: &[&ReplicaSet], new_rs: Option<&ReplicaSet>) -> i32 {
    let want = replicas(d);
    if is_recreate(d) {
        return want;
    }
    let (surge, _) = fenceposts(d);
    let current: i32 = all.iter().map(|r| rs_replicas(r)).sum();
    let max_total = want + surge;
    let new_cur = new_rs.map(rs_replicas).unwrap_or(0);
    if current >= max_total {
        return new_cur;
    }
    let up = (max_total - current).min(want - new_cur).max(0);
    new_cur + up
}

/// Scales one ReplicaSet, recording the event the real controller records.
fn scale(sim: &mut Sim, owner: &Object, d: &Deployment, rs_obj: &Rc<Object>, to: i32) -> bool {
    let Some(rs) = rs_obj.as_replicaset() else {
        return false;
    };
    let from = rs_replicas(rs);
    let (surge, _) = fenceposts(d);
    let mut new = rs.clone();
    let ann = new
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    let desired = replicas(d).to_string();
    let max = (replicas(d) + surge).to_string();
    let ann_changed =
        ann.get(DESIRED_REPLICAS) != Some(&desired) || ann.get(MAX_REPLICAS) != Some(&max);
    ann.insert(DESIRED_REPLICAS.into(), desired);
    ann.insert(MAX_REPLICAS.into(), max);
    if from == to && !ann_changed {
        return false;
    }
    if let Some(s) = new.spec.as_mut() {
        s.replicas = Some(to);
    }
    let name = rs_obj.name().to_string();
    if sim.update(Object::ReplicaSet(new)).is_ok() && from != to {
        let dir = if to > from { "up" } else { "down" };
        sim.event(
            owner,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled {dir} replica set {name} from {from} to {to}"),
            COMPONENT,
            None,
        );
        return true;
    }
    false
}

fn rollout_rolling(
    sim: &mut Sim,
    owner: &Object,
    d: &Deployment,
    new_rs: &Rc<Object>,
    old: &[Rc<Object>],
) -> bool {
    let want = replicas(d);
    let all: Vec<Rc<Object>> = std::iter::once(new_rs.clone())
        .chain(old.iter().cloned())
        .collect();
    let all_rs: Vec<&ReplicaSet> = all.iter().filter_map(|o| o.as_replicaset()).collect();
    let Some(nrs) = new_rs.as_replicaset() else {
        return false;
    };
    let (surge, _) = fenceposts(d);

    // reconcileNewReplicaSet
    let cur = rs_replicas(nrs);
    if cur > want {
        sim.decide(
            COMPONENT,
            format!(
                "{} wants {} pods; scaling new ReplicaSet {} down {}→{}",
                owner.name(),
                want,
                new_rs.name(),
                cur,
                want
            ),
        );
        return scale(sim, owner, d, new_rs, want);
    }
    let target = new_rs_new_replicas(d, &all_rs, Some(nrs));
    if target != cur {
        sim.decide(
            COMPONENT,
            format!(
                "{} may run {} pods ({} + surge {}); scaling {} {}→{}",
                owner.name(),
                want + surge,
                want,
                surge,
                new_rs.name(),
                cur,
                target
            ),
        );
        return scale(sim, owner, d, new_rs, target);
    }

    // reconcileOldReplicaSets
    let old_count: i32 = old
        .iter()
        .filter_map(|o| o.as_replicaset())
        .map(rs_replicas)
        .sum();
    if old_count == 0 {
        return false;
    }
    let all_count: i32 = all_rs.iter().map(|r| rs_replicas(r)).sum();
    let min_available = want - max_unavailable(d);
    let new_unavailable = rs_replicas(nrs) - rs_available(nrs);
    let max_scaled_down = all_count - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let mut scaled = false;
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    let mut cleaned = 0;
    for o in old {
        let Some(rs) = o.as_replicaset() else {
            continue;
        };
        if cleaned >= max_scaled_down {
            break;
        }
        let r = rs_replicas(rs);
        let unhealthy = r - rs_available(rs);
        if r == 0 || unhealthy <= 0 {
            continue;
        }
        let n = (max_scaled_down - cleaned).min(unhealthy);
        sim.decide(
            COMPONENT,
            format!(
                "{}: {} has {} unavailable old pods; scaling it {}→{}",
                owner.name(),
                o.name(),
                unhealthy,
                r,
                r - n
            ),
        );
        scaled |= scale(sim, owner, d, o, r - n);
        cleaned += n;
    }
    if scaled {
        return true;
    }
    // scaleDownOldReplicaSetsForRollingUpdate
    let available: i32 = all_rs.iter().map(|r| rs_available(r)).sum();
    if available <= min_available {
        return false;
    }
    let total = available - min_available;
    let mut done = 0;
    for o in old {
        if done >= total {
            break;
        }
        let Some(rs) = sim.store.get(&ObjKey::of(o)).cloned() else {
            continue;
        };
        let r = obj_replicas(&rs);
        if r == 0 {
            continue;
        }
        let n = r.min(total - done);
        sim.decide(
            COMPONENT,
            format!(
                "{} has {} available, needs ≥ {}; scaling {} {}→{}",
                owner.name(),
                available,
                min_available,
                o.name(),
                r,
                r - n
            ),
        );
        scaled |= scale(sim, owner, d, &rs, r - n);
        done += n;
    }
    scaled
}

fn rollout_recreate(
    sim: &mut Sim,
    owner: &Object,
    d: &Deployment,
    new_rs: &Rc<Object>,
    old: &[Rc<Object>],
) -> bool {
    let mut scaled = false;
    for o in old {
        let r = obj_replicas(o);
        if r > 0 {
            sim.decide(
                COMPONENT,
                format!(
                    "{} uses Recreate; scaling old {} {}→0",
                    owner.name(),
                    o.name(),
                    r
                ),
            );
            scaled |= scale(sim, owner, d, o, 0);
        }
    }
    if scaled {
        return true;
    }
    // Wait until no old pod is left running.
    let old_pods = old.iter().any(|o| {
        sim.store
            .owned_by(o.uid())
            .iter()
            .filter_map(|p| p.as_pod())
            .any(|p| !matches!(podutil::phase(p), "Succeeded" | "Failed"))
    });
    if old_pods {
        return false;
    }
    let cur = obj_replicas(new_rs);
    let want = replicas(d);
    if cur != want {
        sim.decide(
            COMPONENT,
            format!(
                "{}: old pods are gone; scaling {} {}→{}",
                owner.name(),
                new_rs.name(),
                cur,
                want
            ),
        );
        return scale(sim, owner, d, new_rs, want);
    }
    false
}

/// Deletes old ReplicaSets beyond `revisionHistoryLimit` (only empty ones, oldest revision first).
fn cleanup(sim: &mut Sim, d: &Deployment, old: &[Rc<Object>]) {
    let limit = d
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .unwrap_or(10)
        .max(0) as usize;
    let mut empty: Vec<&ReplicaSet> = old
        .iter()
        .filter_map(|o| o.as_replicaset())
        .filter(|r| {
            rs_replicas(r) == 0
                && rs_status_replicas(r) == 0
                && r.metadata.deletion_timestamp.is_none()
        })
        .collect();
    if old.len() <= limit {
        return;
    }
    crate::sort::sort_by_key(&mut empty, |r| revision_of(r));
    let excess = old.len() - limit;
    for rs in empty.into_iter().take(excess) {
        let k = ObjKey::new(
            Kind::ReplicaSet,
            rs.metadata.namespace.as_deref().unwrap_or(""),
            rs.metadata.name.as_deref().unwrap_or(""),
        );
        sim.decide(
            COMPONENT,
            format!(
                "revisionHistoryLimit is {limit}; deleting old ReplicaSet {}",
                k.name
            ),
        );
        let _ = sim.delete(&k, None);
    }
}

fn set_condition(conds: &mut Vec<DeploymentCondition>, mut c: DeploymentCondition) {
    if let Some(existing) = conds.iter().find(|e| e.type_ == c.type_) {
        if existing.status == c.status && existing.reason == c.reason {
            return;
        }
        if existing.status == c.status {
            c.last_transition_time = existing.last_transition_time.clone();
        }
    }
    conds.retain(|e| e.type_ != c.type_);
    conds.push(c);
}

fn sync_status(sim: &mut Sim, key: &ObjKey, created: bool) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    let Some(d) = obj.as_deployment() else { return };
    let uid = obj.uid();
    let template = strip_hash(
        &d.spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default(),
    );
    let rss: Vec<Rc<Object>> = sim
        .store
        .owned_by(uid)
        .into_iter()
        .filter(|o| {
            o.kind() == Kind::ReplicaSet && o.controller_ref().is_some_and(|r| r.uid == uid)
        })
        .collect();
    let all: Vec<&ReplicaSet> = rss.iter().filter_map(|o| o.as_replicaset()).collect();
    let new = all
        .iter()
        .find(|r| {
            r.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .map(strip_hash)
                .as_ref()
                == Some(&template)
        })
        .copied();
    let want = replicas(d);
    let spec_total: i32 = all.iter().map(|r| rs_replicas(r)).sum();
    let replicas_now: i32 = all.iter().map(|r| rs_status_replicas(r)).sum();
    let updated = new.map(rs_status_replicas).unwrap_or(0);
    let ready: i32 = all.iter().map(|r| rs_ready(r)).sum();
    let available: i32 = all.iter().map(|r| rs_available(r)).sum();
    let unavailable = (spec_total - available).max(0);
    let old = d.status.clone().unwrap_or_default();
    let now = sim.clock.now_time();
    let mut conds = old.conditions.clone().unwrap_or_default();

    let min_avail = want - max_unavailable(d);
    let avail_cond = if available >= min_avail {
        (
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    set_condition(
        &mut conds,
        DeploymentCondition {
            type_: "Available".into(),
            status: avail_cond.0.into(),
            reason: Some(avail_cond.1.into()),
            message: Some(avail_cond.2.into()),
            last_update_time: Some(now.clone()),
            last_transition_time: Some(now.clone()),
        },
    );
    let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    let pds = d
        .spec
        .as_ref()
        .and_then(|s| s.progress_deadline_seconds)
        .unwrap_or(600) as i64;
    let mut requeue_at: Option<i64> = None;
    let progressing = |reason: &str, status: &str, message: String| DeploymentCondition {
        type_: "Progressing".into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message),
        last_update_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    };
    let current = conds.iter().find(|c| c.type_ == "Progressing").cloned();
    if paused {
        if current.as_ref().and_then(|c| c.reason.as_deref()) != Some("DeploymentPaused") {
            set_condition(
                &mut conds,
                progressing("DeploymentPaused", "Unknown", "Deployment is paused".into()),
            );
        }
    } else if current.as_ref().and_then(|c| c.reason.as_deref()) == Some("DeploymentPaused") {
        set_condition(
            &mut conds,
            progressing(
                "DeploymentResumed",
                "Unknown",
                "Deployment is resumed".into(),
            ),
        );
    } else if let Some(n) = new {
        let name = n.metadata.name.clone().unwrap_or_default();
        let complete = updated == want && replicas_now == want && available == want;
        let old_old = old.replicas.unwrap_or(0) - old.updated_replicas.unwrap_or(0);
        let new_old = replicas_now - updated;
        let made_progress = updated > old.updated_replicas.unwrap_or(0)
            || new_old < old_old
            || ready > old.ready_replicas.unwrap_or(0)
            || available > old.available_replicas.unwrap_or(0);
        if created {
            set_condition(
                &mut conds,
                progressing(
                    "NewReplicaSetCreated",
                    "True",
                    format!("Created new replica set \"{name}\""),
                ),
            );
        } else if complete {
            set_condition(
                &mut conds,
                progressing(
                    "NewReplicaSetAvailable",
                    "True",
                    format!("ReplicaSet \"{name}\" has successfully progressed."),
                ),
            );
        } else if made_progress || current.is_none() {
            // Progress refreshes lastUpdateTime (and keeps lastTransitionTime while True).
            let mut c = progressing(
                "ReplicaSetUpdated",
                "True",
                format!("ReplicaSet \"{name}\" is progressing."),
            );
            if let Some(cur) = &current {
                if cur.status == "True" {
                    c.last_transition_time = cur.last_transition_time.clone();
                }
            }
            conds.retain(|e| e.type_ != "Progressing");
            conds.push(c);
        } else if let Some(cur) = &current {
            let last = cur
                .last_update_time
                .as_ref()
                .map(|t| t.0.timestamp())
                .unwrap_or(0);
            let timed_out = cur.reason.as_deref() != Some("NewReplicaSetAvailable")
                && now.0.timestamp() > last + pds;
            if timed_out {
                if cur.reason.as_deref() != Some("ProgressDeadlineExceeded") {
                    set_condition(
                        &mut conds,
                        progressing(
                            "ProgressDeadlineExceeded",
                            "False",
                            format!("ReplicaSet \"{name}\" has timed out progressing."),
                        ),
                    );
                    sim.decide(
                        COMPONENT,
                        format!(
                            "{} made no progress for {pds}s; marking ProgressDeadlineExceeded",
                            obj.name()
                        ),
                    );
                }
            } else if cur.status == "True" {
                requeue_at = Some(last + pds + 1);
            }
        }
        if !complete && requeue_at.is_none() {
            if let Some(cur) = conds
                .iter()
                .find(|c| c.type_ == "Progressing" && c.status == "True")
            {
                let last = cur
                    .last_update_time
                    .as_ref()
                    .map(|t| t.0.timestamp())
                    .unwrap_or(0);
                requeue_at = Some(last + pds + 1);
            }
        }
    }
    // Kubernetes keeps Available before Progressing once both exist.
    crate::sort::sort_by_key(&mut conds, |c| if c.type_ == "Available" { 0 } else { 1 });

    let nz = |v: i32| if v > 0 { Some(v) } else { None };
    let status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: nz(replicas_now),
        updated_replicas: nz(updated),
        ready_replicas: nz(ready),
        available_replicas: nz(available),
        unavailable_replicas: nz(unavailable),
        conditions: Some(conds),
        collision_count: old.collision_count,
    };
    if status != old {
        let mut nd = d.clone();
        nd.status = Some(status);
        sim.write_status(Object::Deployment(nd));
    }
    if let Some(at) = requeue_at {
        // Look again when the progress deadline would pass (`requeueStuckDeployment`).
        let delay_ms = ((at - sim.clock.now().timestamp()).max(1) as u64) * 1000;
        sim.schedule(
            delay_ms,
            super::super::engine::Task::Enqueue(super::Ctrl::Deployment, key.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    #[test]
    fn fenceposts_round_as_kubernetes() {
        assert_eq!(
            resolve_fenceposts(Some(&pct("39%")), Some(&pct("39%")), 10),
            (4, 3)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("0%")), Some(&pct("0%")), 0),
            (0, 1)
        );
        assert_eq!(resolve_fenceposts(None, None, 10), (0, 1));
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 10),
            (3, 2)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 3),
            (1, 0)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 4),
            (1, 1)
        );
        assert!(scaled_value(&pct("abc"), 10, true).is_err());
    }

    #[test]
    fn hash_uses_safe_digits() {
        let h = compute_hash(&PodTemplateSpec::default(), None);
        assert!(!h.is_empty() && h.len() <= 10);
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_ne!(h, compute_hash(&PodTemplateSpec::default(), Some(1)));
    }
}
