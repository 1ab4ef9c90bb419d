//! `curl` and `wget`, from the learner's machine (outside the cluster) or inside a pod
//! (`kubectl exec POD -- curl http://web`), over the simulated network.

use super::outcome::Outcome;
use crate::sim::network::{Client, NetError};
use crate::sim::Sim;

struct Url {
    host: String,
    port: Option<u16>,
    path: String,
    https: bool,
}

fn parse_url(u: &str) -> Option<Url> {
    let (https, rest) = if let Some(r) = u.strip_prefix("http://") {
        (false, r)
    } else if let Some(r) = u.strip_prefix("https://") {
        (true, r)
    } else {
        (false, u)
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    if hostport.is_empty() {
        return None;
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), Some(p.parse::<u16>().ok()?)),
        None => (hostport.to_string(), None),
    };
    if host.is_empty() {
        return None;
    }
    Some(Url {
        host,
        port: port.or(if https { Some(443) } else { None }),
        path,
        https,
    })
}

/// `curl [-s] [-S] [-i] [-I] [-f] [-m SECONDS] URL`
pub fn curl(sim: &mut Sim, client: Client<'_>, args: &[String]) -> Outcome {
    let mut silent = false;
    let mut show_error = false;
    let mut include = false;
    let mut head = false;
    let mut fail = false;
    let mut max_time: Option<f64> = None;
    let mut url: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        match a.as_str() {
            "-s" | "--silent" => silent = true,
            "-S" | "--show-error" => show_error = true,
            "-i" | "--include" => include = true,
            "-I" | "--head" => head = true,
            "-f" | "--fail" => fail = true,
            "-L" | "--location" | "-v" | "-k" | "--insecure" => {}
            "-sS" | "-Ss" => {
                silent = true;
                show_error = true;
            }
            "-m" | "--max-time" | "--connect-timeout" => {
                i += 1;
                max_time = args.get(i).and_then(|v| v.parse::<f64>().ok());
            }
            "-o" | "-w" | "-H" | "-X" => {
                i += 1;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Outcome {
                    stderr: format!("curl: option {s}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n"),
                    exit_code: 2,
                    ..Default::default()
                }
            }
            _ => url = Some(a.clone()),
        }
        i += 1;
    }
    let Some(u) = url else {
        return Outcome { stderr: "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n".into(), exit_code: 2, ..Default::default() };
    };
    let Some(url) = parse_url(&u) else {
        return Outcome {
            stderr: "curl: (3) URL rejected: Bad hostname\n".to_string(),
            exit_code: 3,
            ..Default::default()
        };
    };
    let quiet_err = silent && !show_error;
    let fail_with = |code: i32, msg: String| Outcome {
        stderr: if quiet_err {
            String::new()
        } else {
            format!("curl: ({code}) {msg}\n")
        },
        exit_code: code,
        ..Default::default()
    };
    if url.https {
        // The simulated servers speak plain HTTP.
        return fail_with(
            7,
            format!(
                "Failed to connect to {} port {} after 0 ms: Couldn't connect to server",
                url.host,
                url.port.unwrap_or(443)
            ),
        );
    }
    match sim.http_get(client, &url.host, url.port, &url.path) {
        Ok(r) => {
            if fail && r.status >= 400 {
                return fail_with(
                    22,
                    format!("The requested URL returned error: {}", r.status),
                );
            }
            let mut out = String::new();
            if include || head {
                out.push_str(&format!("HTTP/1.1 {} {}\n", r.status, r.reason));
                if !r.server.is_empty() {
                    out.push_str(&format!("Server: {}\n", r.server));
                }
                out.push_str(&format!(
                    "Content-Type: {}\nContent-Length: {}\n\n",
                    r.content_type,
                    r.body.len()
                ));
            }
            if !head {
                out.push_str(&r.body);
            }
            Outcome::ok(out)
        }
        Err(NetError::Resolve(h)) => fail_with(6, format!("Could not resolve host: {h}")),
        Err(NetError::Refused { host, port, .. }) => fail_with(
            7,
            format!(
                "Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
            ),
        ),
        Err(NetError::Timeout { host, port, .. }) => match max_time {
            Some(t) => fail_with(
                28,
                format!(
                    "Connection timed out after {} milliseconds",
                    (t * 1000.0) as u64 + 1
                ),
            ),
            None => fail_with(
                28,
                format!(
                    "Failed to connect to {host} port {port} after 130000 ms: Timeout was reached"
                ),
            ),
        },
    }
}

/// busybox `wget [-q] [-O FILE|-] [-T SECONDS] URL`
pub fn wget(sim: &mut Sim, client: Client<'_>, args: &[String]) -> Outcome {
    let mut quiet = false;
    let mut to_stdout = false;
    let mut url: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        match a.as_str() {
            "-q" => quiet = true,
            "-O-" | "-qO-" | "-qO" => {
                to_stdout = true;
                quiet |= a.starts_with("-q");
                if a == "-qO" {
                    i += 1;
                }
            }
            "-O" => {
                i += 1;
                to_stdout = args.get(i).map(String::as_str) == Some("-");
            }
            "-T" | "--timeout" => i += 1,
            "-S" | "--spider" => {}
            _ => url = Some(a.clone()),
        }
        i += 1;
    }
    let Some(u) = url else {
        return Outcome { stderr: "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n".into(), exit_code: 1, ..Default::default() };
    };
    let Some(url) = parse_url(&u) else {
        return Outcome {
            stderr: format!("wget: bad address '{u}'\n"),
            exit_code: 1,
            ..Default::default()
        };
    };
    let port = url.port.unwrap_or(80);
    match sim.http_get(client, &url.host, url.port, &url.path) {
        Ok(r) => {
            if r.status >= 400 {
                return Outcome {
                    stderr: format!(
                        "{}wget: server returned error: HTTP/1.1 {} {}\n",
                        if quiet {
                            String::new()
                        } else {
                            format!("Connecting to {} ({}:{port})\n", url.host, r.ip)
                        },
                        r.status,
                        r.reason
                    ),
                    exit_code: 1,
                    ..Default::default()
                };
            }
            let mut o = Outcome::default();
            if !quiet {
                o.stderr
                    .push_str(&format!("Connecting to {} ({}:{port})\n", url.host, r.ip));
            }
            if to_stdout {
                if !quiet {
                    o.stderr.push_str("writing to stdout\n");
                }
                o.stdout = r.body;
                if !quiet {
                    o.stderr.push_str("written to stdout\n");
                }
            } else if !quiet {
                o.stderr.push_str("saving to 'index.html'\nindex.html           100% |********************************|   ");
                o.stderr.push_str(&format!(
                    "{}  0:00:00 ETA\n'index.html' saved\n",
                    r.body.len()
                ));
            }
            o
        }
        Err(NetError::Resolve(h)) => Outcome {
            stderr: format!("wget: bad address '{h}'\n"),
            exit_code: 1,
            ..Default::default()
        },
        Err(NetError::Refused { host, ip, port }) => Outcome {
            stderr: format!(
                "{}wget: can't connect to remote host ({ip}): Connection refused\n",
                if quiet {
                    String::new()
                } else {
                    format!("Connecting to {host} ({ip}:{port})\n")
                }
            ),
            exit_code: 1,
            ..Default::default()
        },
        Err(NetError::Timeout { host, ip, port }) => Outcome {
            stderr: format!(
                "{}wget: download timed out\n",
                if quiet {
                    String::new()
                } else {
                    format!("Connecting to {host} ({ip}:{port})\n")
                }
            ),
            exit_code: 1,
            ..Default::default()
        },
    }
}

/// Which HTTP client an image ships (`curl`, `wget`).
pub fn image_has(image: &str, tool: &str) -> bool {
    let r = crate::sim::images::parse_image(image);
    let repo = r.repo.as_str();
    match tool {
        "curl" => matches!(
            repo,
            "library/nginx"
                | "library/httpd"
                | "gcr.io/google-samples/kubernetes-bootcamp"
                | "jocatalin/kubernetes-bootcamp"
                | "curlimages/curl"
                | "library/python"
                | "library/perl"
                | "library/postgres"
                | "registry.k8s.io/nginx-slim"
        ),
        "wget" => {
            matches!(
                repo,
                "library/busybox"
                    | "library/alpine"
                    | "registry.k8s.io/busybox"
                    | "k8s.gcr.io/busybox"
                    | "library/nginx"
                    | "curlimages/curl"
            ) || repo.ends_with("-alpine")
                || r.tag.contains("alpine")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("http://web:8080/x").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("web", Some(8080), "/x")
        );
        let u = parse_url("10.96.0.1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("10.96.0.1", None, "/")
        );
        assert!(parse_url("http://:80").is_none());
        assert!(parse_url("http://web:99999").is_none());
    }
}
