//! The kinds the simulation stores, as the field's own Kubernetes types (k8s-openapi, API v1.32).

use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret,
    Service, ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

/// A resource kind the API server serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    ReplicaSet,
    Deployment,
    Service,
    ConfigMap,
    Secret,
    Endpoints,
    EndpointSlice,
    Job,
    CronJob,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    PersistentVolumeClaim,
    PersistentVolume,
    StorageClass,
    ServiceAccount,
}

impl Kind {
    pub const ALL: [Kind; 19] = [
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::Service,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::Endpoints,
        Kind::EndpointSlice,
        Kind::Job,
        Kind::CronJob,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ControllerRevision,
        Kind::PersistentVolumeClaim,
        Kind::PersistentVolume,
        Kind::StorageClass,
        Kind::ServiceAccount,
    ];

    /// The kind named by a manifest's `apiVersion` and `kind`, if the simulation serves it.
    pub fn from_api(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.api_version() == api_version && k.name() == kind)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Deployment => "Deployment",
            Kind::Service => "Service",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Endpoints => "Endpoints",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::ControllerRevision => "ControllerRevision",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::StorageClass => "StorageClass",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
            Kind::ServiceAccount => "ServiceAccount",
        }
    }
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Namespace
            | Kind::Node
            | Kind::Pod
            | Kind::Service
            | Kind::ConfigMap
            | Kind::Secret
            | Kind::ServiceAccount
            | Kind::Endpoints => "v1",
            Kind::ReplicaSet | Kind::Deployment => "apps/v1",
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            Kind::StatefulSet | Kind::DaemonSet | Kind::ControllerRevision => "apps/v1",
            Kind::PersistentVolumeClaim | Kind::PersistentVolume => "v1",
            Kind::StorageClass => "storage.k8s.io/v1",
            Kind::Job | Kind::CronJob => "batch/v1",
        }
    }
    /// The API group ("" for core).
    pub fn group(self) -> &'static str {
        match self {
            Kind::Namespace
            | Kind::Node
            | Kind::Pod
            | Kind::Service
            | Kind::ConfigMap
            | Kind::Secret
            | Kind::ServiceAccount
            | Kind::Endpoints => "",
            Kind::ReplicaSet | Kind::Deployment => "apps",
            Kind::EndpointSlice => "discovery.k8s.io",
            Kind::StatefulSet | Kind::DaemonSet | Kind::ControllerRevision => "apps",
            Kind::PersistentVolumeClaim | Kind::PersistentVolume => "",
            Kind::StorageClass => "storage.k8s.io",
            Kind::Job | Kind::CronJob => "batch",
        }
    }
    /// Lower-case plural resource name, as in URLs and `kubectl` errors.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Node => "nodes",
            Kind::Pod => "pods",
            Kind::ReplicaSet => "replicasets",
            Kind::Deployment => "deployments",
            Kind::Service => "services",
            Kind::ConfigMap => "configmaps",
            Kind::Secret => "secrets",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslices",
            Kind::StatefulSet => "statefulsets",
            Kind::DaemonSet => "daemonsets",
            Kind::ControllerRevision => "controllerrevisions",
            Kind::PersistentVolumeClaim => "persistentvolumeclaims",
            Kind::PersistentVolume => "persistentvolumes",
            Kind::StorageClass => "storageclasses",
            Kind::Job => "jobs",
            Kind::CronJob => "cronjobs",
            Kind::ServiceAccount => "serviceaccounts",
        }
    }
    /// `pods`, `deployments.apps`: how the API server names the resource in errors.
    pub fn qualified_plural(self) -> String {
        if self.group().is_empty() {
            self.plural().to_string()
        } else {
            format!("{}.{}", self.plural(), self.group())
        }
    }
    /// `pod`, `deployment.apps`: how kubectl's name printer prefixes `/name`.
    pub fn qualified_singular(self) -> String {
        let lower = self.name().to_ascii_lowercase();
        if self.group().is_empty() {
            lower
        } else {
            format!("{}.{}", lower, self.group())
        }
    }
    pub fn namespaced(self) -> bool {
        !matches!(
            self,
            Kind::Namespace | Kind::Node | Kind::PersistentVolume | Kind::StorageClass
        )
    }
}

/// One stored object.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Namespace(Namespace),
    Node(Node),
    Pod(Pod),
    ReplicaSet(ReplicaSet),
    Deployment(Deployment),
    Service(Service),
    ConfigMap(ConfigMap),
    Secret(Secret),
    Endpoints(Endpoints),
    EndpointSlice(EndpointSlice),
    Job(Job),
    CronJob(CronJob),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
    ControllerRevision(ControllerRevision),
    PersistentVolumeClaim(PersistentVolumeClaim),
    PersistentVolume(PersistentVolume),
    StorageClass(StorageClass),
    ServiceAccount(ServiceAccount),
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Node(_) => Kind::Node,
            Object::Pod(_) => Kind::Pod,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::Deployment(_) => Kind::Deployment,
            Object::Service(_) => Kind::Service,
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::Secret(_) => Kind::Secret,
            Object::Endpoints(_) => Kind::Endpoints,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::StatefulSet(_) => Kind::StatefulSet,
            Object::DaemonSet(_) => Kind::DaemonSet,
            Object::ControllerRevision(_) => Kind::ControllerRevision,
            Object::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim,
            Object::PersistentVolume(_) => Kind::PersistentVolume,
            Object::StorageClass(_) => Kind::StorageClass,
            Object::Job(_) => Kind::Job,
            Object::CronJob(_) => Kind::CronJob,
            Object::ServiceAccount(_) => Kind::ServiceAccount,
        }
    }
    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => &o.metadata,
            Object::Node(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::ReplicaSet(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::ConfigMap(o) => &o.metadata,
            Object::Secret(o) => &o.metadata,
            Object::Endpoints(o) => &o.metadata,
            Object::EndpointSlice(o) => &o.metadata,
            Object::StatefulSet(o) => &o.metadata,
            Object::DaemonSet(o) => &o.metadata,
            Object::ControllerRevision(o) => &o.metadata,
            Object::PersistentVolumeClaim(o) => &o.metadata,
            Object::PersistentVolume(o) => &o.metadata,
            Object::StorageClass(o) => &o.metadata,
            Object::Job(o) => &o.metadata,
            Object::CronJob(o) => &o.metadata,
            Object::ServiceAccount(o) => &o.metadata,
        }
    }
    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Namespace(o) => &mut o.metadata,
            Object::Node(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::ReplicaSet(o) => &mut o.metadata,
            Object::Deployment(o) => &mut o.metadata,
            Object::Service(o) => &mut o.metadata,
            Object::ConfigMap(o) => &mut o.metadata,
            Object::Secret(o) => &mut o.metadata,
            Object::Endpoints(o) => &mut o.metadata,
            Object::EndpointSlice(o) => &mut o.metadata,
            Object::StatefulSet(o) => &mut o.metadata,
            Object::DaemonSet(o) => &mut o.metadata,
            Object::ControllerRevision(o) => &mut o.metadata,
            Object::PersistentVolumeClaim(o) => &mut o.metadata,
            Object::PersistentVolume(o) => &mut o.metadata,
            Object::StorageClass(o) => &mut o.metadata,
            Object::Job(o) => &mut o.metadata,
            Object::CronJob(o) => &mut o.metadata,
            Object::ServiceAccount(o) => &mut o.metadata,
        }
    }
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }
    pub fn uid(&self) -> &str {
        self.meta().uid.as_deref().unwrap_or("")
    }
    pub fn as_pod(&self) -> Option<&Pod> {
        match self {
            Object::Pod(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_replicaset(&self) -> Option<&ReplicaSet> {
        match self {
            Object::ReplicaSet(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_deployment(&self) -> Option<&Deployment> {
        match self {
            Object::Deployment(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Object::Node(p) => Some(p),
            _ => None,
        }
    }
    /// Decodes a manifest document of `kind` into its typed object (the API server's decoding step).
    pub fn from_json(kind: Kind, v: serde_json::Value) -> Result<Object, serde_json::Error> {
        Ok(match kind {
            Kind::Namespace => Object::Namespace(serde_json::from_value(v)?),
            Kind::Node => Object::Node(serde_json::from_value(v)?),
            Kind::Pod => Object::Pod(serde_json::from_value(v)?),
            Kind::ReplicaSet => Object::ReplicaSet(serde_json::from_value(v)?),
            Kind::Deployment => Object::Deployment(serde_json::from_value(v)?),
            Kind::Service => Object::Service(serde_json::from_value(v)?),
            Kind::ConfigMap => Object::ConfigMap(serde_json::from_value(v)?),
            Kind::Secret => Object::Secret(serde_json::from_value(v)?),
            Kind::Endpoints => Object::Endpoints(serde_json::from_value(v)?),
            Kind::EndpointSlice => Object::EndpointSlice(serde_json::from_value(v)?),
            Kind::StatefulSet => Object::StatefulSet(serde_json::from_value(v)?),
            Kind::DaemonSet => Object::DaemonSet(serde_json::from_value(v)?),
            Kind::ControllerRevision => Object::ControllerRevision(serde_json::from_value(v)?),
            Kind::PersistentVolumeClaim => {
                Object::PersistentVolumeClaim(serde_json::from_value(v)?)
            }
            Kind::PersistentVolume => Object::PersistentVolume(serde_json::from_value(v)?),
            Kind::StorageClass => Object::StorageClass(serde_json::from_value(v)?),
            Kind::Job => Object::Job(serde_json::from_value(v)?),
            Kind::CronJob => Object::CronJob(serde_json::from_value(v)?),
            Kind::ServiceAccount => Object::ServiceAccount(serde_json::from_value(v)?),
        })
    }
    pub fn as_service(&self) -> Option<&Service> {
        match self {
            Object::Service(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_endpoints(&self) -> Option<&Endpoints> {
        match self {
            Object::Endpoints(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_endpointslice(&self) -> Option<&EndpointSlice> {
        match self {
            Object::EndpointSlice(p) => Some(p),
            _ => None,
        }
    }

    pub fn as_job(&self) -> Option<&Job> {
        match self {
            Object::Job(j) => Some(j),
            _ => None,
        }
    }
    pub fn as_cronjob(&self) -> Option<&CronJob> {
        match self {
            Object::CronJob(c) => Some(c),
            _ => None,
        }
    }
    pub fn as_statefulset(&self) -> Option<&StatefulSet> {
        match self {
            Object::StatefulSet(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_daemonset(&self) -> Option<&DaemonSet> {
        match self {
            Object::DaemonSet(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_controllerrevision(&self) -> Option<&ControllerRevision> {
        match self {
            Object::ControllerRevision(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_pvc(&self) -> Option<&PersistentVolumeClaim> {
        match self {
            Object::PersistentVolumeClaim(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_pv(&self) -> Option<&PersistentVolume> {
        match self {
            Object::PersistentVolume(p) => Some(p),
            _ => None,
        }
    }
    pub fn as_storageclass(&self) -> Option<&StorageClass> {
        match self {
            Object::StorageClass(p) => Some(p),
            _ => None,
        }
    }

    /// Whether objects of `kind` carry a pod spec (`pod_spec_mut` finds one).
    pub fn kind_has_pod_spec(kind: Kind) -> bool {
        matches!(
            kind,
            Kind::Pod | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet
        )
    }

    /// The pod spec a workload runs (a Pod's own, or its template's), for edits such as
    /// `kubectl set image|env`.
    pub fn pod_spec_mut(&mut self) -> Option<&mut k8s_openapi::api::core::v1::PodSpec> {
        match self {
            Object::Pod(p) => p.spec.as_mut(),
            Object::Deployment(d) => d.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            Object::ReplicaSet(rs) => rs
                .spec
                .as_mut()
                .and_then(|s| s.template.as_mut())
                .and_then(|t| t.spec.as_mut()),
            Object::StatefulSet(x) => x.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            Object::DaemonSet(x) => x.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            _ => None,
        }
    }

    /// The owner reference with `controller: true`, if any.
    pub fn controller_ref(&self) -> Option<&OwnerReference> {
        controller_ref(self.meta())
    }
    /// The object as JSON with `apiVersion` and `kind` first, as the API server returns it.
    pub fn to_json_value(&self) -> serde_json::Value {
        let v = match self {
            Object::Namespace(o) => serde_json::to_value(o),
            Object::Node(o) => serde_json::to_value(o),
            Object::Pod(o) => serde_json::to_value(o),
            Object::ReplicaSet(o) => serde_json::to_value(o),
            Object::Deployment(o) => serde_json::to_value(o),
            Object::Service(o) => serde_json::to_value(o),
            Object::ConfigMap(o) => serde_json::to_value(o),
            Object::Secret(o) => serde_json::to_value(o),
            Object::Endpoints(o) => serde_json::to_value(o),
            Object::StatefulSet(o) => serde_json::to_value(o),
            Object::DaemonSet(o) => serde_json::to_value(o),
            Object::ControllerRevision(o) => serde_json::to_value(o),
            Object::PersistentVolumeClaim(o) => serde_json::to_value(o),
            Object::PersistentVolume(o) => serde_json::to_value(o),
            Object::StorageClass(o) => serde_json::to_value(o),
            Object::Job(o) => serde_json::to_value(o),
            Object::CronJob(o) => serde_json::to_value(o),
            Object::ServiceAccount(o) => serde_json::to_value(o),
            Object::EndpointSlice(o) => serde_json::to_value(o).map(|mut v| {
                // The API server returns empty lists as `null` (`endpoints: null`, `ports: null`).
                if let Some(m) = v.as_object_mut() {
                    if m.get("endpoints")
                        .and_then(|e| e.as_array())
                        .is_some_and(|a| a.is_empty())
                    {
                        m.insert("endpoints".into(), serde_json::Value::Null);
                    }
                    m.entry("ports").or_insert(serde_json::Value::Null);
                }
                v
            }),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))
}

/// A controller reference as `metav1.NewControllerRef` builds it.
pub fn new_controller_ref(kind: Kind, owner: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: kind.api_version().to_string(),
        kind: kind.name().to_string(),
        name: owner.name.clone().unwrap_or_default(),
        uid: owner.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
