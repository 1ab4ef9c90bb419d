//! Fault injection and cluster changes (`sim node …`, `sim cloud …`, `sim container crash`,
//! `sim image break|fix`): what happens to the machines, never to the API objects directly. The
//! control plane finds out the way a real one does (missing heartbeats, a vanished instance).

use super::api::is_dns1123_subdomain;
use super::bootstrap;
use super::engine::Task;
use super::images;
use super::kubelet;
use super::nodelifecycle::{self, Down, DownKind, NlTask};
use super::object::Kind;
use super::podutil;
use super::store::ObjKey;
use super::Sim;

fn not_found(node: &str) -> String {
    format!("sim: node \"{node}\" not found")
}

impl Sim {
    fn known_node(&self, node: &str) -> Result<(), String> {
        if self.store.contains(&ObjKey::new(Kind::Node, "", node))
            && self.kubelets.contains_key(node)
        {
            Ok(())
        } else {
            Err(not_found(node))
        }
    }

    /// Whether the kubelet of `node` is silent (failed, partitioned or its machine gone).
    pub fn kubelet_down(&self, node: &str) -> bool {
        self.nodelife.down(node).is_some()
    }

    fn take_down(&mut self, node: &str, kind: DownKind) -> Result<(), String> {
        self.known_node(node)?;
        if let Some(d) = self.nodelife.down(node) {
            return Err(format!(
                "sim: node \"{node}\" is already down ({})",
                d.kind.describe()
            ));
        }
        let now = self.elapsed_ms();
        if let Some(h) = self.nodelife.nodes.get_mut(node) {
            h.down = Some(Down {
                kind,
                since_ms: now,
            });
        }
        let what = match kind {
            DownKind::KubeletStopped => {
                "the kubelet stopped: no more heartbeats; its containers keep running unseen"
            }
            DownKind::Partitioned => {
                "cut off from the network: no heartbeats reach the control plane"
            }
            DownKind::InstanceGone => "its cloud instance was deleted",
        };
        self.decide(&format!("kubelet/{node}"), what.to_string());
        nodelifecycle::queue(self, NlTask::Monitor(node.to_string()));
        Ok(())
    }

    /// `sim node fail NODE`: the kubelet stops (no heartbeats; containers keep running unseen).
    pub fn node_fail(&mut self, node: &str) -> Result<String, String> {
        self.take_down(node, DownKind::KubeletStopped)?;
        Ok(format!(
            "node/{node} failed: the kubelet stopped posting status (containers keep running)\n"
        ))
    }

    /// `sim node partition NODE`: the node loses the network (same from the control plane's view).
    pub fn node_partition(&mut self, node: &str) -> Result<String, String> {
        self.take_down(node, DownKind::Partitioned)?;
        Ok(format!(
            "node/{node} partitioned: it can no longer reach the control plane\n"
        ))
    }

    /// `sim node recover NODE`: the kubelet is back; it posts status and resumes its work.
    pub fn node_recover(&mut self, node: &str) -> Result<String, String> {
        self.known_node(node)?;
        let Some(d) = self.nodelife.down(node) else {
            return Err(format!("sim: node \"{node}\" is not down"));
        };
        if d.kind == DownKind::InstanceGone {
            return Err(format!(
                "sim: node \"{node}\" has no instance any more; it cannot recover"
            ));
        }
        let now = self.elapsed_ms();
        if let Some(h) = self.nodelife.nodes.get_mut(node) {
            h.down = None;
            // The kubelet's renewals restart from now.
            h.registered_ms = now;
        }
        let was = match d.kind {
            DownKind::Partitioned => "network restored",
            _ => "kubelet restarted",
        };
        self.decide(
            &format!("kubelet/{node}"),
            format!("{was}; posting node status and syncing its pods"),
        );
        nodelifecycle::post_ready_status(self, node);
        kubelet::resync(self, node);
        let parked = self.nodelife.parked.remove(node).unwrap_or_default();
        for (i, t) in parked.into_iter().enumerate() {
            self.schedule(100 + i as u64, t);
        }
        Ok(format!("node/{node} recovered ({was})\n"))
    }

    /// `sim node add [NAME] [--zone Z]`: a new machine joins; its kubelet registers the Node.
    pub fn node_add(&mut self, name: Option<&str>, zone: Option<&str>) -> Result<String, String> {
        let prefix = self.config.cluster_name.clone();
        let name = match name {
            Some(n) => n.to_string(),
            None => {
                // kind's naming: kind-worker, kind-worker2, kind-worker3, …
                let taken = |n: &str| {
                    self.store.contains(&ObjKey::new(Kind::Node, "", n))
                        || self.kubelets.contains_key(n)
                };
                (1..)
                    .map(|i| {
                        if i == 1 {
                            format!("{prefix}-worker")
                        } else {
                            format!("{prefix}-worker{i}")
                        }
                    })
                    .find(|n| !taken(n))
                    .unwrap_or_default()
            }
        };
        if !is_dns1123_subdomain(&name) {
            return Err(format!(
                "sim: invalid node name \"{name}\": must be a lowercase RFC 1123 subdomain"
            ));
        }
        if self.store.contains(&ObjKey::new(Kind::Node, "", &name))
            || self.kubelets.contains_key(&name)
        {
            return Err(format!("sim: node \"{name}\" already exists"));
        }
        if let Some(z) = zone {
            if z.is_empty() || z.len() > 63 {
                return Err(format!("sim: invalid zone \"{z}\""));
            }
        }
        // Node IPAM: the lowest free /24 of 10.244.0.0/16 (and the matching machine address).
        let used: std::collections::BTreeSet<usize> = self
            .store
            .list(Kind::Node, None)
            .iter()
            .filter_map(|o| o.as_node()?.spec.as_ref()?.pod_cidr.clone())
            .filter_map(|c| c.strip_prefix("10.244.")?.split('.').next()?.parse().ok())
            .collect();
        let Some(index) = (0..250).find(|i| !used.contains(i)) else {
            return Err("sim: the cluster CIDR 10.244.0.0/16 has no free /24 left".into());
        };
        let ip = format!("172.18.0.{}", index + 2);
        let cluster = self.config.cluster_name.clone();
        let zone = self.cloud.launch(&cluster, &name, &ip, zone).zone.clone();
        bootstrap::add_node(self, &name, index, false);
        self.decide(
            "cloud",
            format!("launched an instance for {name} in {zone}; its kubelet registers the node"),
        );
        Ok(format!(
            "node/{name} added (zone {zone}, InternalIP {ip}, PodCIDR 10.244.{index}.0/24)\n"
        ))
    }

    /// `sim node remove NODE`: the machine is shut down and its Node deleted; the pod garbage
    /// collector removes the pods that were bound to it.
    pub fn node_remove(&mut self, node: &str) -> Result<String, String> {
        self.known_node(node)?;
        self.cloud.instances.remove(node);
        self.kubelets.remove(node);
        self.nodelife.parked.remove(node);
        let _ = self.delete(&ObjKey::new(Kind::Node, "", node), None);
        self.decide(
            "cloud",
            format!("removed the machine of {node} and its Node"),
        );
        Ok(format!("node/{node} removed\n"))
    }

    /// `sim cloud delete-instance NODE`: the machine vanishes; the kubelet stops with it, and the
    /// CCM deletes the Node once it is not ready.
    pub fn cloud_delete_instance(&mut self, node: &str) -> Result<String, String> {
        if !self.cloud.instances.contains_key(node) {
            return Err(format!("sim: no instance for node \"{node}\""));
        }
        if self.kubelets.contains_key(node) && self.nodelife.down(node).is_none() {
            self.take_down(node, DownKind::InstanceGone)?;
        } else if let Some(h) = self.nodelife.nodes.get_mut(node) {
            if let Some(d) = h.down.as_mut() {
                d.kind = DownKind::InstanceGone;
            }
        }
        self.cloud.instances.remove(node);
        nodelifecycle::queue(self, NlTask::CcmNode(node.to_string()));
        Ok(format!("instance of node/{node} deleted\n"))
    }

    /// `sim container crash POD [-c CONTAINER]`: the container's process is killed (exit 137).
    pub fn container_crash(
        &mut self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
    ) -> Result<String, String> {
        let key = ObjKey::new(Kind::Pod, namespace, pod);
        let Some(obj) = self.store.get(&key).cloned() else {
            return Err(format!(
                "sim: pod \"{pod}\" not found in namespace \"{namespace}\""
            ));
        };
        let Some(p) = obj.as_pod() else {
            return Err(format!("sim: pod \"{pod}\" not found"));
        };
        let Some(node) = podutil::node(p).map(str::to_string) else {
            return Err(format!("sim: pod \"{pod}\" is not running on any node"));
        };
        if self.kubelet_down(&node) {
            return Err(format!(
                "sim: node \"{node}\" is down; its containers cannot be reached"
            ));
        }
        let spec = p.spec.clone().unwrap_or_default();
        let inits = spec.init_containers.clone().unwrap_or_default();
        let names: Vec<String> = inits
            .iter()
            .chain(spec.containers.iter())
            .map(|c| c.name.clone())
            .collect();
        let slot = match container {
            Some(c) => names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| format!("sim: container \"{c}\" not found in pod \"{pod}\""))?,
            None => inits.len(),
        };
        let cname = names.get(slot).cloned().unwrap_or_default();
        kubelet::crash(self, &node, obj.uid(), slot)
            .map_err(|e| format!("sim: container \"{cname}\" of pod \"{pod}\" {e}"))?;
        Ok(format!(
            "container {cname} of pod/{pod} crashed (exit code 137)\n"
        ))
    }

    /// `sim image break IMAGE`: pulls of the image fail from now on.
    pub fn image_break(&mut self, image: &str) -> Result<String, String> {
        if image.is_empty() {
            return Err("sim: an image name is required".into());
        }
        let full = images::full_name(image);
        self.nodelife.broken_images.insert(full.clone());
        self.decide("registry", format!("{full} is unavailable: pulls fail"));
        Ok(format!(
            "image {full} broken: pulls fail (nodes that have it cached keep using it)\n"
        ))
    }

    /// `sim image fix IMAGE`: pulls succeed again.
    pub fn image_fix(&mut self, image: &str) -> Result<String, String> {
        let full = images::full_name(image);
        if !self.nodelife.broken_images.remove(&full) {
            return Err(format!("sim: image {full} is not broken"));
        }
        self.decide("registry", format!("{full} is available again"));
        Ok(format!("image {full} fixed: pulls succeed again\n"))
    }
}

/// Holds a kubelet task while its node's kubelet is down; returns true if it was held.
pub(crate) fn park(sim: &mut Sim, node: &str, task: Task) -> bool {
    if sim.nodelife.down(node).is_none() {
        return false;
    }
    if sim
        .nodelife
        .down(node)
        .is_some_and(|d| d.kind == DownKind::InstanceGone)
    {
        // The machine is gone: nothing it would have done happens.
        return true;
    }
    sim.nodelife
        .parked
        .entry(node.to_string())
        .or_default()
        .push(task);
    true
}

/// Why a pull of a broken image fails: the registry answers 503.
pub(crate) fn unavailable_reason(image: &str) -> String {
    let full = images::full_name(image);
    let (host, rest) = match full.split_once('/') {
        Some(("docker.io", r)) => ("registry-1.docker.io", r),
        Some((h, r)) => (h, r),
        None => ("registry-1.docker.io", full.as_str()),
    };
    let (repo, tag) = rest.rsplit_once(':').unwrap_or((rest, "latest"));
    format!(
        "failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": unexpected status from HEAD request to https://{host}/v2/{repo}/manifests/{tag}: 503 Service Unavailable"
    )
}
