//! The cloud-controller-manager's route controller: for every node with a `spec.podCIDR`, a cloud
//! route sends that range to the node; routes of nodes that are gone are deleted. Once a node's
//! route exists its `NetworkUnavailable` condition is False (`RouteCreated`).

use k8s_openapi::api::core::v1::NodeCondition;

use crate::sim::cloud::Route;
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

const COMPONENT: &str = "route-controller";

pub(crate) fn reconcile(sim: &mut Sim, name: &str) {
    let key = ObjKey::new(Kind::Node, "", name);
    let node = sim.store.get(&key).and_then(|o| o.as_node().cloned());
    let Some(node) = node else {
        if let Some(r) = sim.cloud.routes.remove(name) {
            sim.decide(
                COMPONENT,
                format!(
                    "deleted route {} ({} → {name}): the node is gone",
                    r.name, r.destination
                ),
            );
        }
        return;
    };
    let Some(cidr) = node.spec.as_ref().and_then(|s| s.pod_cidr.clone()) else {
        return;
    };
    let uid = node.metadata.uid.clone().unwrap_or_default();
    let route_name = format!("{}-{uid}", sim.config.cluster_name);
    let exists = sim
        .cloud
        .routes
        .get(name)
        .is_some_and(|r| r.destination == cidr && r.name == route_name);
    if !exists {
        let now = sim.elapsed_ms();
        sim.cloud.routes.insert(
            name.to_string(),
            Route {
                name: route_name.clone(),
                destination: cidr.clone(),
                target: name.to_string(),
                created_ms: now,
            },
        );
        sim.decide(
            COMPONENT,
            format!("created route {route_name}: {cidr} → {name}"),
        );
    }
    let ok = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "NetworkUnavailable" && c.status == "False")
        });
    if ok {
        return;
    }
    let t = sim.clock.now_time();
    let mut n = node.clone();
    let conds = n
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    conds.retain(|c| c.type_ != "NetworkUnavailable");
    conds.insert(
        0,
        NodeCondition {
            type_: "NetworkUnavailable".into(),
            status: "False".into(),
            reason: Some("RouteCreated".into()),
            message: Some("RouteController created a route".into()),
            last_heartbeat_time: Some(t.clone()),
            last_transition_time: Some(t),
        },
    );
    sim.write_status(Object::Node(n));
}
