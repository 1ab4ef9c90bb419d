//! The cloud-controller-manager's node controllers. The node controller initialises a node the
//! kubelet registered with `--cloud-provider=external`: it sets `spec.providerID`, the addresses,
//! the `topology.kubernetes.io/region|zone` and `node.kubernetes.io/instance-type` labels, and
//! removes the `node.cloudprovider.kubernetes.io/uninitialized` taint. The cloud node-lifecycle
//! controller deletes a Node that is not Ready and whose instance no longer exists (it looks every
//! 5 s, `--node-monitor-period`).

use k8s_openapi::api::core::v1::NodeAddress;

use crate::sim::nodelifecycle::{self, NlTask, MONITOR_PERIOD_MS, TAINT_UNINITIALIZED};
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

const NODE_CONTROLLER: &str = "cloud-node-controller";
const LIFECYCLE: &str = "cloud-node-lifecycle-controller";

pub(crate) fn reconcile(sim: &mut Sim, name: &str) {
    let key = ObjKey::new(Kind::Node, "", name);
    let Some(obj) = sim.store.get(&key).cloned() else {
        return;
    };
    let Some(node) = obj.as_node() else { return };
    let instance = sim.cloud.instances.get(name).cloned();
    if nodelifecycle::has_taint(node, TAINT_UNINITIALIZED) {
        let Some(inst) = instance else { return };
        let mut n = node.clone();
        let labels = n.metadata.labels.get_or_insert_with(Default::default);
        labels.insert(
            "node.kubernetes.io/instance-type".into(),
            inst.instance_type.clone(),
        );
        labels.insert("topology.kubernetes.io/region".into(), inst.region.clone());
        labels.insert("topology.kubernetes.io/zone".into(), inst.zone.clone());
        let spec = n.spec.get_or_insert_with(Default::default);
        spec.provider_id = Some(inst.provider_id.clone());
        if let Some(t) = spec.taints.as_mut() {
            t.retain(|t| t.key != TAINT_UNINITIALIZED);
        }
        if spec.taints.as_ref().is_some_and(|t| t.is_empty()) {
            spec.taints = None;
        }
        let st = n.status.get_or_insert_with(Default::default);
        st.addresses = Some(vec![
            NodeAddress {
                type_: "InternalIP".into(),
                address: inst.internal_ip.clone(),
            },
            NodeAddress {
                type_: "Hostname".into(),
                address: name.to_string(),
            },
        ]);
        sim.write_status(Object::Node(n));
        sim.decide(
            NODE_CONTROLLER,
            format!(
                "initialized {name}: {} in {}, providerID {}",
                inst.instance_type, inst.zone, inst.provider_id
            ),
        );
        return;
    }
    if instance.is_some() || nodelifecycle::ready_status(node) == "True" {
        return;
    }
    // The instance is gone and the node is not ready: wait for the controller's next look.
    let now = sim.elapsed_ms();
    if now % MONITOR_PERIOD_MS != 0 {
        let tick = now.div_ceil(MONITOR_PERIOD_MS) * MONITOR_PERIOD_MS;
        nodelifecycle::later(sim, tick - now, NlTask::CcmNode(name.to_string()));
        return;
    }
    sim.event(
        &obj,
        "Normal",
        "DeletingNode",
        format!("Deleting node {name} because it does not exist in the cloud provider"),
        LIFECYCLE,
        None,
    );
    sim.decide(
        LIFECYCLE,
        format!("instance of {name} no longer exists; deleting the Node"),
    );
    let _ = sim.delete(&key, None);
}
