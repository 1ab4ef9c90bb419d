//! The default cluster, as `kind create cluster --config` with one control-plane node and two
//! workers leaves it: namespaces, nodes, the control-plane static pods, kube-proxy, kindnet and
//! CoreDNS.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, DaemonEndpoint, Namespace, Node, NodeAddress, NodeCondition,
    NodeDaemonEndpoints, NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodSpec, PodTemplateSpec,
    Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::kubelet::Kubelet;
use super::object::Object;
use super::Sim;

pub const KUBERNETES_VERSION: &str = "v1.32.2";
pub const CONTAINER_RUNTIME: &str = "containerd://1.7.24";
pub const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.11.3";
pub const KUBE_PROXY_IMAGE: &str = "registry.k8s.io/kube-proxy:v1.32.2";
pub const KINDNET_IMAGE: &str = "docker.io/kindest/kindnetd:v20250214-acbabc1a";

/// Images kind preloads on every node (so system pods start without a pull).
const PRELOADED: &[&str] = &[
    "registry.k8s.io/etcd:3.5.16-0",
    "registry.k8s.io/kube-apiserver:v1.32.2",
    "registry.k8s.io/kube-controller-manager:v1.32.2",
    "registry.k8s.io/kube-scheduler:v1.32.2",
    KUBE_PROXY_IMAGE,
    KINDNET_IMAGE,
    COREDNS_IMAGE,
    "registry.k8s.io/pause:3.10",
];

fn q(s: &str) -> Quantity {
    Quantity(s.to_string())
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) fn default_cluster(sim: &mut Sim) {
    for ns in [
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
        "local-path-storage",
    ] {
        let _ = sim.create(Object::Namespace(Namespace {
            metadata: ObjectMeta {
                name: Some(ns.into()),
                labels: Some(labels(&[("kubernetes.io/metadata.name", ns)])),
                ..Default::default()
            },
            ..Default::default()
        }));
    }
    // The accounts kubeadm and kind make for the system pods before their workloads (the
    // serviceaccount controller adds `default` to every namespace). Uids from the controller's
    // own stream, as it would draw them, so that the learner's objects keep their names.
    super::controllers::with_stream(
        sim,
        |c| &mut c.serviceaccount_rng,
        0x5e4a_cc07_0000_0002,
        |sim| {
            for name in ["coredns", "kindnet", "kube-proxy"] {
                let _ = sim.create(Object::ServiceAccount(
                    super::controllers::serviceaccount::account("kube-system", name),
                ));
            }
        },
    );
    let prefix = sim.config.cluster_name.clone();
    let mut names = vec![format!("{prefix}-control-plane")];
    for i in 0..sim.config.workers {
        names.push(if i == 0 {
            format!("{prefix}-worker")
        } else {
            format!("{prefix}-worker{}", i + 1)
        });
    }
    for (i, name) in names.iter().enumerate() {
        add_node(sim, name, i, i == 0);
    }
    let cp = names[0].clone();
    for (comp, image) in [
        ("etcd", "registry.k8s.io/etcd:3.5.16-0"),
        ("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.32.2"),
        (
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.32.2",
        ),
        ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.32.2"),
    ] {
        static_pod(sim, &cp, comp, image);
    }
    node_agent(
        sim,
        "kube-proxy",
        KUBE_PROXY_IMAGE,
        &[("k8s-app", "kube-proxy")],
        &[("k8s-app", "kube-proxy")],
        true,
    );
    node_agent(
        sim,
        "kindnet",
        KINDNET_IMAGE,
        &[("app", "kindnet"), ("k8s-app", "kindnet"), ("tier", "node")],
        &[("app", "kindnet")],
        false,
    );
    coredns(sim);
    let _ = sim.create(Object::StorageClass(
        super::controllers::pvc::standard_class(),
    ));
    services(sim);
}

/// The `kubernetes` Service (first IP of the service range) and CoreDNS's `kube-dns` (the tenth).
fn services(sim: &mut Sim) {
    use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let port = |name: &str, port: i32, proto: &str, target: IntOrString| ServicePort {
        name: Some(name.into()),
        port,
        protocol: Some(proto.into()),
        target_port: Some(target),
        ..Default::default()
    };
    let _ = sim.create(Object::Service(Service {
        metadata: ObjectMeta {
            name: Some("kubernetes".into()),
            namespace: Some("default".into()),
            labels: Some(labels(&[
                ("component", "apiserver"),
                ("provider", "kubernetes"),
            ])),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            cluster_ip: Some("10.96.0.1".into()),
            ports: Some(vec![port("https", 443, "TCP", IntOrString::Int(6443))]),
            ..Default::default()
        }),
        status: None,
    }));
    let _ = sim.create(Object::Service(Service {
        metadata: ObjectMeta {
            name: Some("kube-dns".into()),
            namespace: Some("kube-system".into()),
            labels: Some(labels(&[
                ("k8s-app", "kube-dns"),
                ("kubernetes.io/cluster-service", "true"),
                ("kubernetes.io/name", "CoreDNS"),
            ])),
            annotations: Some(labels(&[
                ("prometheus.io/port", "9153"),
                ("prometheus.io/scrape", "true"),
            ])),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            cluster_ip: Some("10.96.0.10".into()),
            selector: Some(labels(&[("k8s-app", "kube-dns")])),
            ports: Some(vec![
                port("dns", 53, "UDP", IntOrString::Int(53)),
                port("dns-tcp", 53, "TCP", IntOrString::Int(53)),
                port("metrics", 9153, "TCP", IntOrString::Int(9153)),
            ]),
            ..Default::default()
        }),
        status: None,
    }));
}

/// Registers a node (and its kubelet), as a kubelet joining the cluster does.
pub fn add_node(sim: &mut Sim, name: &str, index: usize, control_plane: bool) {
    let ip = format!("172.18.0.{}", index + 2);
    let pod_net = format!("10.244.{index}");
    let mut l = labels(&[
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
    ]);
    // Registered with `--cloud-provider=external`: the CCM's node controller initialises the node
    // (providerID, zone/region/instance-type labels, addresses) and removes this taint.
    let mut taints = vec![Taint {
        key: super::nodelifecycle::TAINT_UNINITIALIZED.into(),
        value: Some("true".into()),
        effect: "NoSchedule".into(),
        time_added: None,
    }];
    if !sim.cloud.instances.contains_key(name) {
        let cluster = sim.config.cluster_name.clone();
        sim.cloud.launch(&cluster, name, &ip, None);
    }
    if control_plane {
        l.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
        l.insert(
            "node.kubernetes.io/exclude-from-external-load-balancers".into(),
            String::new(),
        );
        taints.push(Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            value: None,
            time_added: None,
        });
    }
    let now = sim.clock.now_time();
    let cond = |t: &str, s: &str, reason: &str, msg: &str| NodeCondition {
        type_: t.into(),
        status: s.into(),
        reason: Some(reason.into()),
        message: Some(msg.into()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    };
    let resources: BTreeMap<String, Quantity> = [
        ("cpu", "4"),
        ("ephemeral-storage", "102625208Ki"),
        ("hugepages-1Gi", "0"),
        ("hugepages-2Mi", "0"),
        ("memory", "16365100Ki"),
        ("pods", "110"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), q(v)))
    .collect();
    let machine = sim.rng.hex(32);
    let boot = sim.rng.uuid();
    let system_uuid = sim.rng.uuid();
    let node = Node {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(l),
            annotations: Some(
                [
                    (
                        "kubeadm.alpha.kubernetes.io/cri-socket",
                        "unix:///run/containerd/containerd.sock",
                    ),
                    ("node.alpha.kubernetes.io/ttl", "0"),
                    (
                        "volumes.kubernetes.io/controller-managed-attach-detach",
                        "true",
                    ),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ),
            ..Default::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(format!("{pod_net}.0/24")),
            pod_cidrs: Some(vec![format!("{pod_net}.0/24")]),
            taints: Some(taints),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: ip.clone(),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: name.into(),
                },
            ]),
            allocatable: Some(resources.clone()),
            capacity: Some(resources),
            conditions: Some(vec![
                cond(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                cond(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                cond(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                cond(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "kubelet is posting ready status",
                ),
            ]),
            daemon_endpoints: Some(NodeDaemonEndpoints {
                kubelet_endpoint: Some(DaemonEndpoint { port: 10250 }),
            }),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: boot,
                container_runtime_version: CONTAINER_RUNTIME.into(),
                kernel_version: "6.8.0-1021-azure".into(),
                kube_proxy_version: KUBERNETES_VERSION.into(),
                kubelet_version: KUBERNETES_VERSION.into(),
                machine_id: machine,
                operating_system: "linux".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                system_uuid,
            }),
            ..Default::default()
        }),
    };
    sim.kubelets.insert(
        name.to_string(),
        Kubelet::new(name, &ip, &pod_net, PRELOADED),
    );
    let _ = sim.create(Object::Node(node));
}

fn static_pod(sim: &mut Sim, node: &str, component: &str, image: &str) {
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(format!("{component}-{node}")),
            namespace: Some("kube-system".into()),
            labels: Some(labels(&[
                ("component", component),
                ("tier", "control-plane"),
            ])),
            annotations: Some(labels(&[
                ("kubernetes.io/config.mirror", "static"),
                ("kubernetes.io/config.source", "file"),
            ])),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some(node.into()),
            host_network: Some(true),
            priority_class_name: Some("system-node-critical".into()),
            priority: Some(2000001000),
            containers: vec![Container {
                name: component.into(),
                image: Some(image.into()),
                ..Default::default()
            }],
            tolerations: Some(vec![Toleration {
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: None,
    };
    let _ = sim.create(Object::Pod(pod));
}

/// A per-node agent (kube-proxy, kindnet): a DaemonSet in kube-system tolerating every taint, so
/// the DaemonSet controller puts one pod on every node, control plane included.
fn node_agent(
    sim: &mut Sim,
    app: &str,
    image: &str,
    l: &[(&str, &str)],
    selector: &[(&str, &str)],
    linux_only: bool,
) {
    let ds = DaemonSet {
        metadata: ObjectMeta {
            name: Some(app.into()),
            namespace: Some("kube-system".into()),
            labels: Some(labels(l)),
            ..Default::default()
        },
        spec: Some(DaemonSetSpec {
            selector: LabelSelector {
                match_labels: Some(labels(selector)),
                match_expressions: None,
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(l)),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    host_network: Some(true),
                    priority_class_name: Some("system-node-critical".into()),
                    service_account_name: Some(app.into()),
                    node_selector: if linux_only {
                        Some(labels(&[("kubernetes.io/os", "linux")]))
                    } else {
                        None
                    },
                    containers: vec![Container {
                        name: app.into(),
                        image: Some(image.into()),
                        ..Default::default()
                    }],
                    tolerations: Some(vec![Toleration {
                        operator: Some("Exists".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    };
    let _ = sim.create(Object::DaemonSet(ds));
}

fn coredns(sim: &mut Sim) {
    let l = labels(&[("k8s-app", "kube-dns")]);
    let d = Deployment {
        metadata: ObjectMeta {
            name: Some("coredns".into()),
            namespace: Some("kube-system".into()),
            labels: Some(l.clone()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: Some(l.clone()),
                match_expressions: None,
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(l),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    priority_class_name: Some("system-cluster-critical".into()),
                    service_account_name: Some("coredns".into()),
                    containers: vec![Container {
                        name: "coredns".into(),
                        image: Some(COREDNS_IMAGE.into()),
                        args: Some(vec!["-conf".into(), "/etc/coredns/Corefile".into()]),
                        ports: Some(vec![
                            ContainerPort {
                                container_port: 53,
                                name: Some("dns".into()),
                                protocol: Some("UDP".into()),
                                ..Default::default()
                            },
                            ContainerPort {
                                container_port: 53,
                                name: Some("dns-tcp".into()),
                                protocol: Some("TCP".into()),
                                ..Default::default()
                            },
                            ContainerPort {
                                container_port: 9153,
                                name: Some("metrics".into()),
                                protocol: Some("TCP".into()),
                                ..Default::default()
                            },
                        ]),
                        ..Default::default()
                    }],
                    tolerations: Some(vec![
                        Toleration {
                            key: Some("CriticalAddonsOnly".into()),
                            operator: Some("Exists".into()),
                            ..Default::default()
                        },
                        Toleration {
                            key: Some("node-role.kubernetes.io/control-plane".into()),
                            effect: Some("NoSchedule".into()),
                            ..Default::default()
                        },
                    ]),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    };
    let _ = sim.create(Object::Deployment(d));
}
