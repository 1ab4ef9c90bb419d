//! The cluster network as a client sees it: cluster DNS, Service virtual IPs and NodePorts
//! programmed by kube-proxy (a random ready endpoint per connection), load-balancer addresses from
//! the simulated cloud, pod IPs, and what the program behind a port answers.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::clock::Rng;
use super::object::{Kind, Object};
use super::podutil;
use super::store::ObjKey;
use super::Sim;

/// Why a request did not get an HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// DNS had no such name.
    Resolve(String),
    /// Nothing accepted the connection (no ready endpoint, nothing listening): refused at once.
    Refused { host: String, ip: String, port: u16 },
    /// Packets went nowhere (an address not routable from here).
    Timeout { host: String, ip: String, port: u16 },
}

/// An HTTP answer and who gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: &'static str,
    pub content_type: &'static str,
    pub server: &'static str,
    pub body: String,
    /// The pod that answered (namespace, name).
    pub pod: (String, String),
    /// The address connected to.
    pub ip: String,
}

/// Where a client stands: inside a pod (cluster DNS and every address) or outside the cluster
/// (the learner's machine: node addresses and load balancers only).
pub enum Client<'a> {
    Pod(&'a Pod),
    Outside,
}

/// What a server image listens on, and how it answers.
fn server_of(image: &str) -> Option<(u16, &'static str)> {
    let r = super::images::parse_image(image);
    let repo = r.repo.as_str();
    Some(match repo {
        "library/nginx" | "registry.k8s.io/nginx-slim" => (80, "nginx"),
        "library/httpd" => (80, "httpd"),
        "gcr.io/google-samples/kubernetes-bootcamp" | "jocatalin/kubernetes-bootcamp" => {
            (8080, "bootcamp")
        }
        "gcr.io/google-samples/hello-app"
        | "us-docker.pkg.dev/google-samples/containers/gke/hello-app" => (8080, "hello-app"),
        "registry.k8s.io/echoserver" => (8080, "echoserver"),
        "registry.k8s.io/hpa-example" => (80, "hpa"),
        "corelab/gb-frontend" | "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend" => {
            (80, "guestbook")
        }
        "gcr.io/google-samples/hello-frontend" => (80, "nginx"),
        "kubeplay/session-shop" => (8080, "shop"),
        // The probe examples' servers: /healthz answers 200 for the first 10 s, then 500.
        "k8s.gcr.io/liveness" | "registry.k8s.io/liveness" => (8080, "liveness"),
        "registry.k8s.io/goproxy" | "k8s.gcr.io/goproxy" => (8080, "goproxy"),
        _ => return None,
    })
}

fn nginx_page() -> String {
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n".to_string()
}

/// How long the program serving `pod` has been up at `now` (from its container's `startedAt`).
fn up_ms(pod: &Pod, image: &str, now: chrono::DateTime<chrono::Utc>) -> u64 {
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let started = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter(|c| c.image.as_deref() == Some(image))
        .find_map(|c| statuses.iter().find(|s| s.name == c.name))
        .and_then(|s| s.state.as_ref()?.running.as_ref()?.started_at.clone());
    started.map_or(0, |t| (now - t.0).num_milliseconds().max(0) as u64)
}

/// The answer of the program serving `pod` to `GET path`.
fn answer(
    kind: &'static str,
    image: &str,
    pod: &Pod,
    path: &str,
    client_ip: &str,
    up: u64,
) -> (u16, &'static str, &'static str, &'static str, String) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let tag = super::images::parse_image(image).tag;
    let ok = |ct, server, body: String| (200, "OK", ct, server, body);
    match kind {
        "liveness" => match path {
            "/healthz" if up < 10_000 => ok("text/plain", "", "ok".into()),
            "/healthz" => (500, "Internal Server Error", "text/plain", "", format!("error: {:.6}s", up as f64 / 1000.0)),
            _ => (404, "Not Found", "text/plain", "", "404 page not found\n".into()),
        },
        "nginx" => {
            if path == "/" || path == "/index.html" {
                ok("text/html", "nginx", nginx_page())
            } else {
                (404, "Not Found", "text/html", "nginx", "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n".into())
            }
        }
        "httpd" => {
            if path == "/" || path == "/index.html" {
                ok("text/html", "Apache/2.4", "<html><body><h1>It works!</h1></body></html>\n".into())
            } else {
                (404, "Not Found", "text/html", "Apache/2.4", "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n".to_string())
            }
        }
        "bootcamp" => {
            let v = if tag == "v2" { 2 } else { 1 };
            ok("text/plain", "", format!("Hello Kubernetes bootcamp! | Running on: {name} | v={v}\n"))
        }
        "hello-app" => {
            let version = if tag.starts_with('2') { "2.0.0" } else { "1.0.0" };
            ok("text/plain", "", format!("Hello, world!\nVersion: {version}\nHostname: {name}\n"))
        }
        "echoserver" => ok(
            "text/plain",
            "echoserver",
            format!("\n\nHostname: {name}\n\nRequest Information:\n\tclient_address={client_ip}\n\tmethod=GET\n\treal path={path}\n\tquery=\n\trequest_version=1.1\n"),
        ),
        "hpa" => ok("text/html", "Apache/2.4", "OK!".into()),
        "guestbook" => ok("text/html", "Apache/2.4", "<html ng-app=\"redis\">\n  <head>\n    <title>Guestbook</title>\n  </head>\n</html>\n".into()),
        _ => ok("text/plain", "", String::new()),
    }
}

fn parse_ip(s: &str) -> Option<[u8; 4]> {
    let v: Vec<u8> = s
        .split('.')
        .map(|p| p.parse::<u8>().ok())
        .collect::<Option<Vec<_>>>()?;
    (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
}

/// A Service's port for a request to `port` (by number), and its target.
fn service_port(
    svc: &Service,
    port: u16,
    node_port: bool,
) -> Option<(Option<String>, IntOrString)> {
    let spec = svc.spec.as_ref()?;
    for p in spec.ports.iter().flatten() {
        let hit = if node_port {
            p.node_port == Some(port as i32)
        } else {
            p.port == port as i32
        };
        if hit && p.protocol.as_deref().unwrap_or("TCP") == "TCP" {
            return Some((
                p.name.clone(),
                p.target_port.clone().unwrap_or(IntOrString::Int(p.port)),
            ));
        }
    }
    None
}

/// Ready endpoints (pod key, ip, port) of a Service port, from its EndpointSlices (what kube-proxy
/// programs).
fn ready_endpoints(
    sim: &Sim,
    svc_ns: &str,
    svc_name: &str,
    port_name: Option<&str>,
) -> Vec<(ObjKey, String, u16)> {
    let mut out = Vec::new();
    let labels: BTreeMap<String, String> = [(
        "kubernetes.io/service-name".to_string(),
        svc_name.to_string(),
    )]
    .into();
    for k in sim
        .store
        .matching_labels(Kind::EndpointSlice, svc_ns, &labels)
    {
        let Some(Object::EndpointSlice(slice)) = sim.store.get(&k).map(|o| o.as_ref()) else {
            continue;
        };
        let port = slice
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref().unwrap_or("") == port_name.unwrap_or(""))
            .and_then(|p| p.port);
        let Some(port) = port else { continue };
        for ep in &slice.endpoints {
            if ep.conditions.as_ref().and_then(|c| c.ready) != Some(true) {
                continue;
            }
            let Some(tr) = ep.target_ref.as_ref() else {
                continue;
            };
            let pk = ObjKey::new(
                Kind::Pod,
                tr.namespace.as_deref().unwrap_or(svc_ns),
                tr.name.as_deref().unwrap_or(""),
            );
            for a in &ep.addresses {
                out.push((pk.clone(), a.clone(), port as u16));
            }
        }
    }
    crate::sort::sort(&mut out);
    out
}

fn pod_by_ip(sim: &Sim, ip: &str) -> Option<Pod> {
    for o in sim.store.list(Kind::Pod, None) {
        if let Some(p) = o.as_pod() {
            if p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip)
                && p.spec.as_ref().and_then(|s| s.host_network) != Some(true)
            {
                return Some(p.clone());
            }
        }
    }
    None
}

/// The program in `pod` that listens on `port`, if its container is running.
fn listener(pod: &Pod, port: u16) -> Option<(&'static str, String)> {
    if podutil::terminating(pod) || podutil::phase(pod) != "Running" {
        return None;
    }
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let running = statuses.iter().any(|s| {
            s.name == c.name
                && s.state
                    .as_ref()
                    .and_then(|st| st.running.as_ref())
                    .is_some()
        });
        if !running || c.command.is_some() {
            continue;
        }
        let image = c.image.clone().unwrap_or_default();
        if let Some((p, kind)) = server_of(&image) {
            if p == port {
                return Some((kind, image));
            }
        }
    }
    None
}

fn resolve_target(pod: &Pod, target: &IntOrString) -> Option<u16> {
    match target {
        IntOrString::Int(n) => u16::try_from(*n).ok(),
        IntOrString::String(name) => pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .and_then(|p| u16::try_from(p.container_port).ok()),
    }
}

impl Sim {
    fn net_pick(&mut self, n: usize) -> usize {
        let seed = self.config.seed;
        let rng = self
            .net_rng
            .get_or_insert_with(|| Rng::new(seed ^ 0x6e65_7477_6f72_6b21));
        rng.below(n as u64) as usize
    }

    /// `GET http://host[:port]/path` from `client`, as curl or wget would send it.
    pub fn http_get(
        &mut self,
        client: Client<'_>,
        host: &str,
        port: Option<u16>,
        path: &str,
    ) -> Result<Response, NetError> {
        let (client_ns, client_ip, inside) = match &client {
            Client::Pod(p) => (
                p.metadata
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "default".into()),
                p.status
                    .as_ref()
                    .and_then(|s| s.pod_ip.clone())
                    .unwrap_or_default(),
                true,
            ),
            Client::Outside => ("default".to_string(), "172.18.0.1".to_string(), false),
        };
        let port = port.unwrap_or(80);
        let host_l = host.to_ascii_lowercase();
        // Name resolution.
        let ip = if parse_ip(&host_l).is_some() {
            host_l.clone()
        } else if host_l == "localhost" {
            if !inside {
                return Err(NetError::Refused {
                    host: host.into(),
                    ip: "127.0.0.1".into(),
                    port,
                });
            }
            client_ip.clone()
        } else if inside {
            match self.dns(&host_l, &client_ns) {
                Some(ip) => ip,
                None => return Err(NetError::Resolve(host.to_string())),
            }
        } else {
            // The learner's machine knows the node names (as with kind, via /etc/hosts) only.
            match self
                .store
                .list(Kind::Node, None)
                .iter()
                .find(|n| n.name() == host_l)
            {
                Some(n) => n.as_node().and_then(node_ip).unwrap_or_default(),
                None => return Err(NetError::Resolve(host.to_string())),
            }
        };
        let refused = || NetError::Refused {
            host: host.to_string(),
            ip: ip.clone(),
            port,
        };
        let timeout = || NetError::Timeout {
            host: host.to_string(),
            ip: ip.clone(),
            port,
        };

        // A Service's ClusterIP (inside only), a node's NodePort, or a load balancer's address.
        let mut via_service: Option<(Service, Option<String>, IntOrString)> = None;
        for o in self.store.list(Kind::Service, None) {
            let Some(svc) = o.as_service() else { continue };
            let spec = svc.spec.clone().unwrap_or_default();
            if spec.cluster_ip.as_deref() == Some(ip.as_str()) {
                if !inside {
                    return Err(timeout());
                }
                match service_port(svc, port, false) {
                    Some((n, t)) => via_service = Some((svc.clone(), n, t)),
                    None => return Err(refused()),
                }
                break;
            }
            let lb = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref());
            if lb.is_some_and(|v| v.iter().any(|i| i.ip.as_deref() == Some(ip.as_str()))) {
                match service_port(svc, port, false) {
                    Some((n, t)) => via_service = Some((svc.clone(), n, t)),
                    None => return Err(timeout()),
                }
                break;
            }
        }
        if via_service.is_none() {
            let is_node = self
                .store
                .list(Kind::Node, None)
                .iter()
                .any(|n| n.as_node().and_then(node_ip).as_deref() == Some(ip.as_str()));
            if is_node {
                for o in self.store.list(Kind::Service, None) {
                    let Some(svc) = o.as_service() else { continue };
                    if let Some((n, t)) = service_port(svc, port, true) {
                        via_service = Some((svc.clone(), n, t));
                        break;
                    }
                }
                if via_service.is_none() {
                    return Err(refused());
                }
            }
        }
        let (pod_key, pod_ip, target_port) = match via_service {
            Some((svc, port_name, _target)) => {
                let ns = svc.metadata.namespace.clone().unwrap_or_default();
                let name = svc.metadata.name.clone().unwrap_or_default();
                let eps = ready_endpoints(self, &ns, &name, port_name.as_deref());
                if eps.is_empty() {
                    // kube-proxy rejects connections to a Service with no ready endpoint.
                    return Err(refused());
                }
                // sessionAffinity ClientIP: the same client keeps its endpoint while it is ready.
                let sticky = svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.session_affinity.as_deref())
                    == Some("ClientIP");
                let akey = (
                    svc.metadata.uid.clone().unwrap_or_default(),
                    client_ip.clone(),
                );
                let chosen = if sticky {
                    self.affinity
                        .get(&akey)
                        .and_then(|k| eps.iter().find(|e| &e.0 == k))
                        .cloned()
                } else {
                    None
                };
                match chosen {
                    Some(e) => e,
                    None => {
                        let i = self.net_pick(eps.len());
                        if sticky {
                            self.affinity.insert(akey, eps[i].0.clone());
                        }
                        eps[i].clone()
                    }
                }
            }
            None => {
                if !inside && ip.starts_with("10.") {
                    return Err(timeout());
                }
                match pod_by_ip(self, &ip) {
                    Some(p) => (
                        ObjKey::new(
                            Kind::Pod,
                            p.metadata.namespace.as_deref().unwrap_or(""),
                            p.metadata.name.as_deref().unwrap_or(""),
                        ),
                        ip.clone(),
                        port,
                    ),
                    None => return Err(timeout()),
                }
            }
        };
        let Some(pod) = self.store.get(&pod_key).and_then(|o| o.as_pod().cloned()) else {
            return Err(refused());
        };
        let _ = resolve_target;
        let Some((kind, image)) = listener(&pod, target_port) else {
            return Err(NetError::Refused {
                host: host.to_string(),
                ip: pod_ip,
                port: target_port,
            });
        };
        let up = up_ms(&pod, &image, self.clock.now());
        let (status, reason, content_type, server, body) = if kind == "shop" {
            self.shop(&pod, path)
        } else {
            answer(kind, &image, &pod, path, &client_ip, up)
        };
        Ok(Response {
            status,
            reason,
            content_type,
            server,
            body,
            pod: (pod_key.namespace, pod_key.name),
            ip,
        })
    }

    /// `kubeplay/session-shop`: `/add?session=S` puts an item in S's cart, `/cart?session=S` shows
    /// it. Carts live in the process's memory, or in Redis when the container's `SESSION_STORE`
    /// is `redis://HOST:PORT` (Redis keeps them in its volume's claim when it has one, else in
    /// its own process).
    fn shop(
        &mut self,
        pod: &Pod,
        path: &str,
    ) -> (u16, &'static str, &'static str, &'static str, String) {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        let session = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("session="))
            .unwrap_or("")
            .to_string();
        let store = pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.env.iter().flatten())
            .find(|e| e.name == "SESSION_STORE")
            .and_then(|e| e.value.clone());
        let ns = pod
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        let bucket = match store.as_deref().and_then(|s| s.strip_prefix("redis://")) {
            Some(hostport) => {
                let host = hostport.split(':').next().unwrap_or("");
                let Some(ip) = self.dns(host, &ns) else {
                    return (
                        503,
                        "Service Unavailable",
                        "text/plain",
                        "",
                        format!("session store {host} unreachable (served by {name})\n"),
                    );
                };
                let Some(redis) = pod_by_ip(self, &ip).or_else(|| {
                    // A ClusterIP: the store is whichever ready Redis pod the Service has.
                    self.store
                        .list(Kind::Service, Some(&ns))
                        .iter()
                        .find(|o| {
                            o.as_service()
                                .and_then(|s| s.spec.as_ref())
                                .and_then(|s| s.cluster_ip.as_deref())
                                == Some(ip.as_str())
                        })
                        .and_then(|o| {
                            let eps = ready_endpoints(self, &ns, o.name(), None);
                            eps.first()
                                .and_then(|e| self.store.get(&e.0))
                                .and_then(|p| p.as_pod().cloned())
                        })
                }) else {
                    return (
                        503,
                        "Service Unavailable",
                        "text/plain",
                        "",
                        format!("session store {host} unreachable (served by {name})\n"),
                    );
                };
                if listener(&redis, 6379).is_none()
                    && !redis
                        .spec
                        .iter()
                        .flat_map(|s| s.containers.iter())
                        .any(|c| c.image.as_deref().unwrap_or("").contains("redis"))
                    || podutil::phase(&redis) != "Running"
                {
                    return (
                        503,
                        "Service Unavailable",
                        "text/plain",
                        "",
                        format!("session store {host} unreachable (served by {name})\n"),
                    );
                }
                let claim = redis
                    .spec
                    .iter()
                    .flat_map(|s| s.volumes.iter().flatten())
                    .find_map(|v| {
                        v.persistent_volume_claim
                            .as_ref()
                            .map(|c| c.claim_name.clone())
                    });
                match claim {
                    Some(c) => format!("redis-pvc/{ns}/{c}"),
                    None => format!(
                        "redis-pod/{}",
                        redis.metadata.uid.clone().unwrap_or_default()
                    ),
                }
            }
            None => format!("memory/{}", pod.metadata.uid.clone().unwrap_or_default()),
        };
        let key = format!("{bucket}/{session}");
        match route {
            "/add" => {
                let n = self.app_state.entry(key).or_insert(0);
                *n += 1;
                let n = *n;
                (
                    200,
                    "OK",
                    "text/plain",
                    "",
                    format!("added: session={session} items={n} (served by {name})\n"),
                )
            }
            "/cart" => {
                let n = self.app_state.get(&key).copied().unwrap_or(0);
                (
                    200,
                    "OK",
                    "text/plain",
                    "",
                    format!("cart: session={session} items={n} (served by {name})\n"),
                )
            }
            "/" | "/healthz" => (
                200,
                "OK",
                "text/plain",
                "",
                format!("session-shop (served by {name})\n"),
            ),
            _ => (
                404,
                "Not Found",
                "text/plain",
                "",
                "404 page not found\n".into(),
            ),
        }
    }

    /// Cluster DNS (CoreDNS): Services by `name`, `name.ns`, `name.ns.svc[.cluster.local]`, a
    /// headless Service's pods, and StatefulSet pods `pod.svc.ns.svc.cluster.local`.
    fn dns(&self, host: &str, client_ns: &str) -> Option<String> {
        let h = host.trim_end_matches('.');
        let h = h.strip_suffix(".cluster.local").unwrap_or(h);
        let parts: Vec<&str> = h.split('.').collect();
        let (pod_part, svc, ns) = match parts.as_slice() {
            [svc] => (None, *svc, client_ns),
            [svc, ns] => (None, *svc, *ns),
            [svc, ns, "svc"] => (None, *svc, *ns),
            [pod, svc, ns, "svc"] => (Some(*pod), *svc, *ns),
            _ => return None,
        };
        let svc_obj = self.store.get(&ObjKey::new(Kind::Service, ns, svc))?;
        let spec = svc_obj.as_service()?.spec.clone().unwrap_or_default();
        let headless = spec.cluster_ip.as_deref() == Some("None");
        if let Some(pod_name) = pod_part {
            let p = self
                .store
                .get(&ObjKey::new(Kind::Pod, ns, pod_name))?
                .as_pod()?
                .clone();
            if p.spec.as_ref().and_then(|s| s.subdomain.as_deref()) != Some(svc) {
                return None;
            }
            return p.status.as_ref().and_then(|s| s.pod_ip.clone());
        }
        if spec.type_.as_deref() == Some("ExternalName") {
            return None;
        }
        if headless {
            let eps = ready_endpoints(
                self,
                ns,
                svc,
                spec.ports
                    .as_ref()
                    .and_then(|p| p.first())
                    .and_then(|p| p.name.as_deref()),
            );
            return eps.first().map(|e| e.1.clone());
        }
        spec.cluster_ip
    }
}

/// What the kubelet's prober sees: `httpGet` on the pod's `port` and `path` (the status code, or
/// the Go error text when nothing accepts the connection), and `tcpSocket` (an error text when
/// refused).
pub fn probe_http(
    sim: &Sim,
    pod: &Pod,
    host: &str,
    scheme: &str,
    port: u16,
    path: &str,
) -> Result<u16, String> {
    let url = format!("{}://{host}:{port}{path}", scheme.to_ascii_lowercase());
    let Some((kind, image)) = listener(pod, port) else {
        return Err(format!(
            "Get \"{url}\": dial tcp {host}:{port}: connect: connection refused"
        ));
    };
    let up = up_ms(pod, &image, sim.clock.now());
    Ok(answer(kind, &image, pod, path, &node_of_pod_ip(pod), up).0)
}

pub fn probe_tcp(pod: &Pod, host: &str, port: u16) -> Result<(), String> {
    match listener(pod, port) {
        Some(_) => Ok(()),
        None => Err(format!(
            "dial tcp {host}:{port}: connect: connection refused"
        )),
    }
}

fn node_of_pod_ip(pod: &Pod) -> String {
    pod.status
        .as_ref()
        .and_then(|s| s.host_ip.clone())
        .unwrap_or_default()
}

fn node_ip(n: &k8s_openapi::api::core::v1::Node) -> Option<String> {
    n.status
        .as_ref()?
        .addresses
        .as_ref()?
        .iter()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.clone())
}
