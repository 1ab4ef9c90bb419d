//! The namespace controller: a Terminating namespace is emptied (every namespaced object in it is
//! deleted), and once nothing is left its `kubernetes` finalizer is removed and it disappears.
//! Objects held by finalizers keep it Terminating, with the conditions a real cluster reports.

use k8s_openapi::api::core::v1::NamespaceCondition;

use super::super::object::{Kind, Object};
use super::super::store::{ObjKey, WatchEvent, WatchType};
use super::super::Sim;
use super::{enqueue, Ctrl};

const COMPONENT: &str = "namespace-controller";

pub(crate) fn on_event(sim: &mut Sim, ev: &WatchEvent) {
    if ev.key.kind == Kind::Namespace {
        if ev.kind != WatchType::Deleted && ev.object.meta().deletion_timestamp.is_some() {
            enqueue(sim, Ctrl::Namespace, ev.key.clone());
        }
        return;
    }
    // Something in a terminating namespace changed or went away: look again.
    if ev.key.kind.namespaced() && ev.kind == WatchType::Deleted
        || ev.object.meta().deletion_timestamp.is_some()
    {
        let nk = ObjKey::new(Kind::Namespace, "", &ev.key.namespace);
        if sim
            .store
            .get(&nk)
            .is_some_and(|n| n.meta().deletion_timestamp.is_some())
        {
            enqueue(sim, Ctrl::Namespace, nk);
        }
    }
}

pub(crate) fn reconcile(sim: &mut Sim, key: &ObjKey) {
    let Some(ns_obj) = sim.store.get(key).cloned() else {
        return;
    };
    if ns_obj.meta().deletion_timestamp.is_none() {
        return;
    }
    let ns = key.name.clone();
    let mut remaining = Vec::new();
    let mut with_finalizers: Vec<(String, Vec<String>)> = Vec::new();
    for kind in Kind::ALL {
        if !kind.namespaced() {
            continue;
        }
        for o in sim.store.list(kind, Some(&ns)) {
            remaining.push(ObjKey::of(&o));
            let f = o.meta().finalizers.clone().unwrap_or_default();
            if !f.is_empty() && o.meta().deletion_timestamp.is_some() {
                with_finalizers.push((format!("{}/{}", kind.plural(), o.name()), f));
            }
        }
    }
    if remaining.is_empty() {
        sim.decide(
            COMPONENT,
            format!("{ns} is empty; removing finalizer kubernetes"),
        );
        // Spec finalizer `kubernetes` done: the namespace goes.
        sim.store.remove(key);
        return;
    }
    let to_delete: Vec<&ObjKey> = remaining
        .iter()
        .filter(|k| {
            sim.store
                .get(k)
                .is_some_and(|o| o.meta().deletion_timestamp.is_none())
        })
        .collect();
    if !to_delete.is_empty() {
        sim.decide(
            COMPONENT,
            format!("{ns} is terminating; deleting {} objects", to_delete.len()),
        );
    }
    for k in to_delete.into_iter().cloned().collect::<Vec<_>>() {
        let _ = sim.delete(&k, None);
    }
    // Report what is holding it up, as the namespace's status conditions do.
    if !with_finalizers.is_empty() {
        let mut fins: Vec<String> = with_finalizers
            .iter()
            .flat_map(|(_, f)| f.clone())
            .collect();
        crate::sort::sort(&mut fins);
        fins.dedup();
        let msg = format!(
            "Some content in the namespace has finalizers remaining: {} in {} resource instances",
            fins.join(", "),
            with_finalizers.len()
        );
        if let Object::Namespace(n) = ns_obj.as_ref() {
            let mut n2 = n.clone();
            let st = n2.status.get_or_insert_with(Default::default);
            let conds = st.conditions.get_or_insert_with(Vec::new);
            let already = conds.iter().any(|c| {
                c.type_ == "NamespaceFinalizersRemaining"
                    && c.message.as_deref() == Some(msg.as_str())
            });
            if !already {
                conds.retain(|c| c.type_ != "NamespaceFinalizersRemaining");
                conds.push(NamespaceCondition {
                    type_: "NamespaceFinalizersRemaining".into(),
                    status: "True".into(),
                    reason: Some("SomeFinalizersRemain".into()),
                    message: Some(msg.clone()),
                    last_transition_time: Some(sim.clock.now_time()),
                });
                sim.decide(
                    COMPONENT,
                    format!(
                        "{ns} still has objects with finalizers ({}); waiting",
                        fins.join(", ")
                    ),
                );
                sim.write_status(Object::Namespace(n2));
            }
        }
    }
}
