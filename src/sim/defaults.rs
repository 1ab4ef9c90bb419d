//! Defaulting as the API server does it on write (`SetDefaults_*`), plus the admission plugins that
//! change every pod (ServiceAccount, DefaultTolerationSeconds).

use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath,
    ObjectFieldSelector, PodSecurityContext, PodSpec, PodTemplateSpec, ProjectedVolumeSource,
    ResourceRequirements, ServiceAccountTokenProjection, Toleration, Volume, VolumeMount,
    VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::clock::Rng;
use super::object::Object;

pub fn apply(obj: &mut Object, rng: &mut Rng) {
    apply_for_account(obj, rng, None)
}

/// `apply`, for a pod whose ServiceAccount says `automountServiceAccountToken: sa_automount`
/// (the pod's own setting wins over its account's, as the admission plugin's `shouldAutomount`).
pub fn apply_for_account(obj: &mut Object, rng: &mut Rng, sa_automount: Option<bool>) {
    match obj {
        Object::Deployment(d) => {
            let spec = d.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            spec.revision_history_limit.get_or_insert(10);
            spec.progress_deadline_seconds.get_or_insert(600);
            let strategy = spec.strategy.get_or_insert_with(Default::default);
            let t = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
            if t == "RollingUpdate" {
                let ru = strategy.rolling_update.get_or_insert_with(Default::default);
                ru.max_surge
                    .get_or_insert(IntOrString::String("25%".into()));
                ru.max_unavailable
                    .get_or_insert(IntOrString::String("25%".into()));
            }
            template(&mut spec.template);
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            if let Some(t) = spec.template.as_mut() {
                template(t);
            }
        }
        Object::Pod(p) => {
            let mirror = super::podutil::is_mirror(p);
            let spec = p.spec.get_or_insert_with(Default::default);
            pod_spec(spec);
            spec.enable_service_links.get_or_insert(true);
            spec.preemption_policy
                .get_or_insert_with(|| "PreemptLowerPriority".into());
            // The Priority admission plugin: the built-in classes' values.
            let class_priority = match spec.priority_class_name.as_deref() {
                Some("system-node-critical") => 2000001000,
                Some("system-cluster-critical") => 2000000000,
                _ => 0,
            };
            spec.priority.get_or_insert(class_priority);
            if !mirror {
                service_account(spec, rng, sa_automount);
                default_tolerations(spec);
            }
            let status = p.status.get_or_insert_with(Default::default);
            status.phase.get_or_insert_with(|| "Pending".into());
            status.qos_class.get_or_insert_with(|| "BestEffort".into());
        }
        Object::Namespace(ns) => {
            let status = ns.status.get_or_insert_with(Default::default);
            status.phase.get_or_insert_with(|| "Active".into());
            let spec = ns.spec.get_or_insert_with(Default::default);
            spec.finalizers
                .get_or_insert_with(|| vec!["kubernetes".into()]);
        }
        Object::Service(svc) => {
            let spec = svc.spec.get_or_insert_with(Default::default);
            let t = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
            if t != "ExternalName" {
                spec.session_affinity.get_or_insert_with(|| "None".into());
                spec.internal_traffic_policy
                    .get_or_insert_with(|| "Cluster".into());
                spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
                spec.ip_family_policy
                    .get_or_insert_with(|| "SingleStack".into());
            }
            if t == "NodePort" || t == "LoadBalancer" {
                spec.external_traffic_policy
                    .get_or_insert_with(|| "Cluster".into());
            }
            if t == "LoadBalancer" {
                spec.allocate_load_balancer_node_ports.get_or_insert(true);
            }
            for p in spec.ports.iter_mut().flatten() {
                p.protocol.get_or_insert_with(|| "TCP".into());
                if p.target_port.is_none() {
                    p.target_port = Some(IntOrString::Int(p.port));
                }
            }
            svc.status
                .get_or_insert_with(|| k8s_openapi::api::core::v1::ServiceStatus {
                    load_balancer: Some(Default::default()),
                    ..Default::default()
                });
        }
        Object::Secret(sec) => {
            sec.type_.get_or_insert_with(|| "Opaque".into());
            // stringData is write-only: merged into data (base64 on the wire) and dropped.
            if let Some(sd) = sec.string_data.take() {
                let data = sec.data.get_or_insert_with(Default::default);
                for (k, v) in sd {
                    data.insert(k, k8s_openapi::ByteString(v.into_bytes()));
                }
            }
        }
        Object::Endpoints(e) => {
            // SetDefaults_Endpoints: port protocol TCP.
            for p in e
                .subsets
                .iter_mut()
                .flatten()
                .flat_map(|s| s.ports.iter_mut().flatten())
            {
                p.protocol.get_or_insert_with(|| "TCP".into());
            }
        }
        Object::EndpointSlice(s) => {
            // SetDefaults_EndpointPort: name "" and protocol TCP.
            for p in s.ports.iter_mut().flatten() {
                p.name.get_or_insert_with(String::new);
                p.protocol.get_or_insert_with(|| "TCP".into());
            }
        }
        Object::Job(j) => super::controllers::job::set_defaults(j),
        Object::CronJob(c) => super::controllers::cronjob::set_defaults(c),
        Object::StatefulSet(s) => super::controllers::statefulset::set_defaults(s),
        Object::DaemonSet(d) => super::controllers::daemonset::set_defaults(d),
        Object::PersistentVolumeClaim(c) => super::controllers::pvc::set_defaults_claim(c),
        Object::PersistentVolume(v) => super::controllers::pvc::set_defaults_volume(v),
        Object::StorageClass(c) => super::controllers::pvc::set_defaults_class(c),
        Object::Node(_)
        | Object::ConfigMap(_)
        | Object::ControllerRevision(_)
        | Object::ServiceAccount(_) => {}
    }
}

pub(crate) fn template(t: &mut PodTemplateSpec) {
    let spec = t.spec.get_or_insert_with(Default::default);
    pod_spec(spec);
}

fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context
        .get_or_insert_with(PodSecurityContext::default);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        container(c);
    }
}

fn container(c: &mut Container) {
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    c.resources
        .get_or_insert_with(ResourceRequirements::default);
    if c.image_pull_policy.is_none() {
        let image = c.image.as_deref().unwrap_or("");
        let tag = super::images::parse_image(image).tag;
        let pinned = image.contains('@');
        c.image_pull_policy = Some(
            if tag == "latest" && !pinned {
                "Always"
            } else {
                "IfNotPresent"
            }
            .into(),
        );
    }
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
}

/// The account a pod runs as: `serviceAccountName`, else the deprecated `serviceAccount`, else
/// `default` (the pod's defaulting and the ServiceAccount admission plugin).
pub(crate) fn account_name(spec: &PodSpec) -> &str {
    [&spec.service_account_name, &spec.service_account]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|n| !n.is_empty())
        .unwrap_or(super::controllers::serviceaccount::DEFAULT)
}

const SA_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The ServiceAccount admission plugin: `default` account and its projected token volume.
fn service_account(spec: &mut PodSpec, rng: &mut Rng, sa_automount: Option<bool>) {
    let sa = account_name(spec).to_string();
    spec.service_account_name = Some(sa.clone());
    spec.service_account.get_or_insert(sa);
    if spec.automount_service_account_token.or(sa_automount) == Some(false) {
        return;
    }
    let already = spec
        .volumes
        .iter()
        .flatten()
        .any(|v| v.name.starts_with("kube-api-access-"));
    if already {
        return;
    }
    let name = format!("kube-api-access-{}", rng.name_suffix(5));
    spec.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: name.clone(),
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        expiration_seconds: Some(3607),
                        path: "token".into(),
                        audience: None,
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            mode: None,
                        }]),
                        optional: None,
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            path: "namespace".into(),
                            field_ref: Some(ObjectFieldSelector {
                                api_version: Some("v1".into()),
                                field_path: "metadata.namespace".into(),
                            }),
                            ..Default::default()
                        }]),
                    }),
                    ..Default::default()
                },
            ]),
        }),
        ..Default::default()
    });
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        c.volume_mounts
            .get_or_insert_with(Vec::new)
            .push(VolumeMount {
                name: name.clone(),
                mount_path: SA_MOUNT.into(),
                read_only: Some(true),
                ..Default::default()
            });
    }
}

/// DefaultTolerationSeconds: tolerate not-ready and unreachable for 300 s unless the pod says otherwise.
fn default_tolerations(spec: &mut PodSpec) {
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tols.iter().any(|t| {
            t.key.as_deref() == Some(key) && t.effect.as_deref().is_none_or(|e| e == "NoExecute")
        }) {
            tols.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}
