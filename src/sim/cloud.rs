//! The simulated cloud provider behind the cloud-controller-manager: load balancers with addresses
//! from the documentation range 203.0.113.0/24 (RFC 5737), provisioned and torn down in virtual
//! time. The CCM's service controller (`controllers::service_lb`) is its only client so far.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::object::Object;
use super::store::ObjKey;

/// Virtual time the cloud takes to provision a load balancer (EXTERNAL-IP stays `<pending>`).
pub const PROVISION_MS: u64 = 4_000;
/// Virtual time the cloud takes to tear one down.
pub const TEARDOWN_MS: u64 = 2_500;

/// First and last host of 203.0.113.0/24 the cloud hands out.
const FIRST_HOST: u8 = 10;
const LAST_HOST: u8 = 254;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LbState {
    /// Being created; ready at this virtual instant (ms since start).
    Provisioning {
        ready_at_ms: u64,
    },
    Active,
    /// Being deleted; gone at this virtual instant.
    Deleting {
        done_at_ms: u64,
    },
}

/// One cloud load balancer, in front of a Service's NodePorts on a set of nodes.
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    /// The provider's name for it: `a` + the Service UID without dashes, 32 characters at most
    /// (`cloudprovider.DefaultLoadBalancerName`).
    pub name: String,
    pub service: ObjKey,
    pub service_uid: String,
    /// The Service as last seen, so events can still name it once it is gone.
    pub last_seen: Rc<Object>,
    pub ip: Option<String>,
    pub state: LbState,
    /// Backend nodes, by name, in order.
    pub nodes: Vec<String>,
    /// (port, nodePort, protocol) forwarded.
    pub ports: Vec<(i32, i32, String)>,
}

/// The simulated cloud provider's state.
#[derive(Clone, Debug, Default)]
pub struct Cloud {
    /// Load balancers by the Service they serve.
    pub load_balancers: BTreeMap<ObjKey, LoadBalancer>,
    /// Machines, by the name of the node they run.
    pub instances: BTreeMap<String, Instance>,
    /// Routes of the pod network, by node name (the CCM route controller keeps them).
    pub routes: BTreeMap<String, Route>,
}

/// The cloud's region and its zones (nodes are spread over the zones in turn).
pub const REGION: &str = "sim-east-1";
pub const ZONES: [&str; 3] = ["sim-east-1a", "sim-east-1b", "sim-east-1c"];
/// The machine type of every instance.
pub const INSTANCE_TYPE: &str = "sim.standard-4";

/// One machine of the simulated cloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// `kind://docker/kind/kind-worker`: what the CCM writes into `spec.providerID`.
    pub provider_id: String,
    pub zone: String,
    pub region: String,
    pub instance_type: String,
    pub internal_ip: String,
}

/// One cloud route: traffic for a node's pod CIDR goes to that node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `<cluster>-<node uid>`, as the route controller's name hint.
    pub name: String,
    pub destination: String,
    pub target: String,
    pub created_ms: u64,
}

/// `cloudprovider.DefaultLoadBalancerName`: "a" + UID without dashes, cut to 32 characters.
pub fn load_balancer_name(uid: &str) -> String {
    let mut s = format!("a{}", uid.replace('-', ""));
    s.truncate(32);
    s
}

impl Cloud {
    /// Starts a machine for a node; without a zone it goes to the zone with the fewest machines.
    pub fn launch(&mut self, cluster: &str, node: &str, ip: &str, zone: Option<&str>) -> &Instance {
        let zone = zone.map(str::to_string).unwrap_or_else(|| {
            let count = |z: &str| self.instances.values().filter(|i| i.zone == z).count();
            ZONES
                .iter()
                .min_by_key(|z| count(z))
                .map_or(ZONES[0], |z| *z)
                .to_string()
        });
        let inst = Instance {
            provider_id: format!("kind://docker/{cluster}/{node}"),
            zone,
            region: REGION.to_string(),
            instance_type: INSTANCE_TYPE.to_string(),
            internal_ip: ip.to_string(),
        };
        self.instances.insert(node.to_string(), inst);
        &self.instances[node]
    }

    pub fn load_balancer(&self, svc: &ObjKey) -> Option<&LoadBalancer> {
        self.load_balancers.get(svc)
    }

    /// Load balancers in service order.
    pub fn list(&self) -> impl Iterator<Item = &LoadBalancer> {
        self.load_balancers.values()
    }

    /// The lowest free address of 203.0.113.10-254, if any.
    fn free_ip(&self) -> Option<String> {
        (FIRST_HOST..=LAST_HOST)
            .map(|h| format!("203.0.113.{h}"))
            .find(|ip| {
                !self
                    .load_balancers
                    .values()
                    .any(|lb| lb.ip.as_deref() == Some(ip.as_str()))
            })
    }

    /// Starts provisioning a load balancer for a Service.
    pub fn create(
        &mut self,
        svc: Rc<Object>,
        now_ms: u64,
        nodes: Vec<String>,
        ports: Vec<(i32, i32, String)>,
    ) -> &LoadBalancer {
        let key = ObjKey::of(&svc);
        let uid = svc.uid().to_string();
        let lb = LoadBalancer {
            name: load_balancer_name(&uid),
            service: key.clone(),
            service_uid: uid,
            last_seen: svc,
            ip: None,
            state: LbState::Provisioning {
                ready_at_ms: now_ms + PROVISION_MS,
            },
            nodes,
            ports,
        };
        self.load_balancers.insert(key.clone(), lb);
        &self.load_balancers[&key]
    }

    /// Finishes provisioning when its time has come: assigns an address. Returns the address when
    /// the load balancer became active now.
    pub fn poll_provisioned(&mut self, svc: &ObjKey, now_ms: u64) -> Option<String> {
        let ready = matches!(self.load_balancers.get(svc)?.state, LbState::Provisioning { ready_at_ms } if ready_at_ms <= now_ms);
        if !ready {
            return None;
        }
        let ip = self.free_ip()?;
        let lb = self.load_balancers.get_mut(svc)?;
        lb.ip = Some(ip.clone());
        lb.state = LbState::Active;
        Some(ip)
    }

    /// Starts tearing a load balancer down (no-op if it is already going).
    pub fn begin_delete(&mut self, svc: &ObjKey, now_ms: u64) -> bool {
        match self.load_balancers.get_mut(svc) {
            Some(lb) if !matches!(lb.state, LbState::Deleting { .. }) => {
                lb.state = LbState::Deleting {
                    done_at_ms: now_ms + TEARDOWN_MS,
                };
                true
            }
            _ => false,
        }
    }

    /// Removes a load balancer whose teardown is complete; returns it.
    pub fn poll_deleted(&mut self, svc: &ObjKey, now_ms: u64) -> Option<LoadBalancer> {
        let done = matches!(self.load_balancers.get(svc)?.state, LbState::Deleting { done_at_ms } if done_at_ms <= now_ms);
        if done {
            self.load_balancers.remove(svc)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Service;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn svc(name: &str, uid: &str) -> Rc<Object> {
        Rc::new(Object::Service(Service {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                uid: Some(uid.into()),
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    #[test]
    fn names_follow_the_default_provider_rule() {
        assert_eq!(
            load_balancer_name("0606fc78-25fd-4bea-a25f-1cd3bcbb223e"),
            "a0606fc7825fd4beaa25f1cd3bcbb223"
        );
    }

    #[test]
    fn lifecycle_and_addresses() {
        let mut c = Cloud::default();
        let a = svc("a", "u1");
        let b = svc("b", "u2");
        let (ka, kb) = (ObjKey::of(&a), ObjKey::of(&b));
        c.create(a, 0, vec!["n1".into()], vec![(80, 30080, "TCP".into())]);
        c.create(b, 100, vec![], vec![]);
        assert_eq!(c.poll_provisioned(&ka, PROVISION_MS - 1), None);
        assert_eq!(
            c.poll_provisioned(&ka, PROVISION_MS).as_deref(),
            Some("203.0.113.10")
        );
        assert_eq!(
            c.poll_provisioned(&kb, PROVISION_MS + 100).as_deref(),
            Some("203.0.113.11")
        );
        assert!(c.begin_delete(&ka, 5_000));
        assert!(!c.begin_delete(&ka, 5_001));
        assert!(c.poll_deleted(&ka, 5_000 + TEARDOWN_MS - 1).is_none());
        assert!(c.poll_deleted(&ka, 5_000 + TEARDOWN_MS).is_some());
        // The freed address is handed out again.
        let a2 = svc("a2", "u3");
        let k2 = ObjKey::of(&a2);
        c.create(a2, 10_000, vec![], vec![]);
        assert_eq!(
            c.poll_provisioned(&k2, 20_000).as_deref(),
            Some("203.0.113.10")
        );
    }
}
