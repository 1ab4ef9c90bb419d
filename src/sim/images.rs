//! The simulated container registry: which images exist, how big they are, and what they do.

/// What a container of this image does when started with no command override.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// A server: runs until stopped, and exits 0 soon after SIGTERM.
    Server { stop_ms: u64 },
    /// A shell-ish image whose default command exits at once (busybox runs `sh`, which exits with no tty).
    ExitsImmediately,
}

#[derive(Clone, Copy, Debug)]
pub struct ImageInfo {
    /// Repository as Docker Hub names it (`library/nginx`).
    pub repo: &'static str,
    pub tags: &'static [&'static str],
    /// Compressed size pulled over the network, bytes.
    pub size: u64,
    pub behaviour: Behaviour,
}

const CATALOGUE: &[ImageInfo] = &[
    ImageInfo {
        repo: "library/nginx",
        tags: &[
            "latest",
            "stable",
            "alpine",
            "1.25",
            "1.26",
            "1.27",
            "1.27.3",
            "1.27.4",
            "1.27-alpine",
            "1.28",
            "1.14.2",
            "1.16.1",
        ],
        size: 72_195_292,
        behaviour: Behaviour::Server { stop_ms: 300 },
    },
    ImageInfo {
        repo: "library/httpd",
        tags: &["latest", "2.4", "alpine", "2.4-alpine"],
        size: 58_452_150,
        behaviour: Behaviour::Server { stop_ms: 500 },
    },
    ImageInfo {
        repo: "library/redis",
        tags: &["latest", "7", "7.2", "7.4", "alpine", "6.2", "6.0.5", "5"],
        size: 45_121_370,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "library/postgres",
        tags: &["latest", "16", "17", "15", "alpine"],
        size: 153_301_224,
        behaviour: Behaviour::Server { stop_ms: 1_200 },
    },
    ImageInfo {
        repo: "library/busybox",
        tags: &["latest", "1.36", "1.37", "1.28", "stable"],
        size: 2_152_234,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "library/alpine",
        tags: &["latest", "3", "3.19", "3.20", "3.21"],
        size: 3_642_247,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "library/debian",
        tags: &[
            "latest",
            "bookworm",
            "bookworm-slim",
            "12",
            "12-slim",
            "stable-slim",
        ],
        size: 48_494_272,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "library/ubuntu",
        tags: &["latest", "24.04", "22.04", "noble", "jammy"],
        size: 29_754_290,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "library/perl",
        tags: &["latest", "5", "5.40", "5.38", "5.34", "5.34.0", "slim"],
        size: 331_012_446,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "library/python",
        tags: &["3.13-slim", "3.12-slim", "slim", "3-slim"],
        size: 44_938_510,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "library/python",
        tags: &["latest", "3", "3.13", "3.12"],
        size: 389_722_103,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "gcr.io/google-samples/kubernetes-bootcamp",
        tags: &["v1", "v2"],
        size: 70_011_231,
        behaviour: Behaviour::Server { stop_ms: 400 },
    },
    ImageInfo {
        repo: "registry.k8s.io/echoserver",
        tags: &["1.4", "1.10"],
        size: 46_290_000,
        behaviour: Behaviour::Server { stop_ms: 300 },
    },
    // Images the Kubernetes documentation's examples and tutorials use.
    ImageInfo {
        repo: "library/mongo",
        tags: &["latest", "4.2", "7", "8"],
        size: 140_515_234,
        behaviour: Behaviour::Server { stop_ms: 800 },
    },
    ImageInfo {
        repo: "registry.k8s.io/nginx-slim",
        tags: &["0.8", "0.24", "0.27"],
        size: 41_021_466,
        behaviour: Behaviour::Server { stop_ms: 300 },
    },
    ImageInfo {
        repo: "registry.k8s.io/hpa-example",
        tags: &["latest"],
        size: 167_233_562,
        behaviour: Behaviour::Server { stop_ms: 400 },
    },
    ImageInfo {
        repo: "registry.k8s.io/goproxy",
        tags: &["0.1"],
        size: 2_513_310,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "registry.k8s.io/busybox",
        tags: &["latest", "1.27.2", "1.24"],
        size: 1_144_547,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "k8s.gcr.io/busybox",
        tags: &["latest", "1.27.2", "1.24"],
        size: 1_144_547,
        behaviour: Behaviour::ExitsImmediately,
    },
    ImageInfo {
        repo: "k8s.gcr.io/liveness",
        tags: &["latest"],
        size: 2_615_440,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "registry.k8s.io/liveness",
        tags: &["latest"],
        size: 2_615_440,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "k8s.gcr.io/fluentd-elasticsearch",
        tags: &["1.20"],
        size: 51_840_000,
        behaviour: Behaviour::Server { stop_ms: 500 },
    },
    ImageInfo {
        repo: "quay.io/fluentd_elasticsearch/fluentd",
        tags: &["v2.5.2", "v5.0.1"],
        size: 148_201_101,
        behaviour: Behaviour::Server { stop_ms: 500 },
    },
    ImageInfo {
        repo: "gcr.io/google-samples/hello-app",
        tags: &["1.0", "2.0"],
        size: 11_042_342,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "us-docker.pkg.dev/google-samples/containers/gke/hello-app",
        tags: &["1.0", "2.0"],
        size: 11_042_342,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "gcr.io/google-samples/hello-frontend",
        tags: &["1.0"],
        size: 7_730_123,
        behaviour: Behaviour::Server { stop_ms: 300 },
    },
    ImageInfo {
        repo: "gcr.io/google-samples/hello-go-gke",
        tags: &["1.0"],
        size: 4_122_781,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "corelab/gb-frontend",
        tags: &["v5"],
        size: 98_311_020,
        behaviour: Behaviour::Server { stop_ms: 500 },
    },
    ImageInfo {
        repo: "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend",
        tags: &["v5"],
        size: 98_311_020,
        behaviour: Behaviour::Server { stop_ms: 500 },
    },
    ImageInfo {
        repo: "us-docker.pkg.dev/google-samples/containers/gke/gb-redis-follower",
        tags: &["v2"],
        size: 38_201_544,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    // The playground's own teaching app: a shop keeping carts per session, in memory or in Redis.
    ImageInfo {
        repo: "kubeplay/session-shop",
        tags: &["latest", "v1"],
        size: 18_404_112,
        behaviour: Behaviour::Server { stop_ms: 200 },
    },
    ImageInfo {
        repo: "jocatalin/kubernetes-bootcamp",
        tags: &["v1", "v2"],
        size: 70_011_231,
        behaviour: Behaviour::Server { stop_ms: 400 },
    },
];

/// Pull bandwidth of the simulated network (bytes per virtual second).
pub const PULL_BYTES_PER_SEC: u64 = 24_000_000;

/// An image reference split as the container runtime does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Normalised repository (`library/nginx`, `gcr.io/x/y`).
    pub repo: String,
    pub tag: String,
}

/// Normalises `nginx`, `nginx:1.27`, `docker.io/library/nginx:1.27` to (repo, tag).
pub fn parse_image(image: &str) -> ImageRef {
    let (name, tag) = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => (&image[..i], image[i + 1..].to_string()),
        _ => (image, "latest".to_string()),
    };
    let name = name.split('@').next().unwrap_or(name);
    let mut repo = name.strip_prefix("docker.io/").unwrap_or(name).to_string();
    let first = repo.split('/').next().unwrap_or("");
    let has_registry =
        repo.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if !repo.contains('/') {
        repo = format!("library/{repo}");
    } else if has_registry {
        // keep as is
    }
    ImageRef { repo, tag }
}

/// The catalogue as a learner types it: (`nginx`, `registry.k8s.io/echoserver`, ...) with its tags.
pub fn names() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    CATALOGUE
        .iter()
        .map(|i| (i.repo.strip_prefix("library/").unwrap_or(i.repo), i.tags))
}

/// Looks an image up in the catalogue; `None` means the registry does not have it.
pub fn lookup(image: &str) -> Option<&'static ImageInfo> {
    let r = parse_image(image);
    CATALOGUE
        .iter()
        .find(|i| i.repo == r.repo && i.tags.contains(&r.tag.as_str()))
}

/// The fully-qualified name the runtime reports (`docker.io/library/nginx:latest`).
pub fn full_name(image: &str) -> String {
    let r = parse_image(image);
    let first = r.repo.split('/').next().unwrap_or("");
    if first.contains('.') || first == "localhost" {
        format!("{}:{}", r.repo, r.tag)
    } else {
        format!("docker.io/{}:{}", r.repo, r.tag)
    }
}

/// Virtual milliseconds a pull of `info` takes.
pub fn pull_ms(info: &ImageInfo) -> u64 {
    (info.size * 1000 / PULL_BYTES_PER_SEC).max(600)
}

/// A stable fake digest per image (a function of the name, not of the RNG, so it never changes).
pub fn digest(image: &str) -> String {
    let full = full_name(image);
    let mut h: u64 = 0xcbf29ce484222325;
    let mut out = String::new();
    for round in 0..4u64 {
        for b in full.bytes().chain(round.to_le_bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    let repo = full.rsplit_once(':').map(|(r, _)| r).unwrap_or(&full);
    format!("{repo}@sha256:{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            parse_image("nginx"),
            ImageRef {
                repo: "library/nginx".into(),
                tag: "latest".into()
            }
        );
        assert_eq!(parse_image("nginx:1.27").tag, "1.27");
        assert_eq!(
            parse_image("docker.io/library/nginx:1.27").repo,
            "library/nginx"
        );
        assert_eq!(parse_image("localhost:5000/app").repo, "localhost:5000/app");
        assert_eq!(full_name("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            full_name("gcr.io/google-samples/kubernetes-bootcamp:v1"),
            "gcr.io/google-samples/kubernetes-bootcamp:v1"
        );
    }

    #[test]
    fn catalogue() {
        assert!(lookup("nginx").is_some());
        assert!(lookup("nginx:1.27").is_some());
        assert!(lookup("nginx:nope").is_none());
        assert!(lookup("ngnix").is_none());
        assert!(digest("nginx").starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(lookup("python:3.12-slim").map(|i| i.size), Some(44_938_510));
        assert_eq!(lookup("python:3.12").map(|i| i.size), Some(389_722_103));
        for i in [
            "alpine",
            "debian:bookworm",
            "ubuntu:24.04",
            "perl:5.34.0",
            "busybox:1.28",
        ] {
            assert_eq!(
                lookup(i).map(|i| i.behaviour),
                Some(Behaviour::ExitsImmediately),
                "{i}"
            );
        }
    }
}
