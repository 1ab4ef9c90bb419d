//! The native `kubeplay` binary: run a script (`kubeplay run FILE|-`), a REPL, or the scale bench.

use std::io::{self, BufRead, Write};

use crate::lessons::Playground;
use crate::sim::{clock, SimConfig};

const USAGE: &str = "kubeplay: a Kubernetes playground with a simulated control plane

Usage:
  kubeplay [--seed N] [--start RFC3339]             interactive shell (REPL)
  kubeplay run FILE|- [--seed N] [--start RFC3339]  run a script, echoing each line as `$ line`
  kubeplay bench [--replicas N] [--nodes N]         scale a Deployment on a large cluster and time it
";

/// The longest a waiting command may hold the script (virtual time).
const WAIT_LIMIT_MS: u64 = 24 * 3_600_000;

struct Opts {
    seed: u64,
    start: Option<String>,
    positional: Vec<String>,
    replicas: usize,
    nodes: usize,
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts { seed: 1, start: None, positional: Vec::new(), replicas: 10_000, nodes: 100 };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let value = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| format!("kubeplay: {name} needs a value"))
        };
        match name.as_str() {
            "--seed" => o.seed = value(&mut i)?.parse().map_err(|_| "kubeplay: --seed takes a number".to_string())?,
            "--start" => o.start = Some(value(&mut i)?),
            "--replicas" => o.replicas = value(&mut i)?.parse().map_err(|_| "kubeplay: --replicas takes a number".to_string())?,
            "--nodes" => o.nodes = value(&mut i)?.parse().map_err(|_| "kubeplay: --nodes takes a number".to_string())?,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("kubeplay: unknown option {s}")),
            _ => o.positional.push(a.clone()),
        }
        i += 1;
    }
    Ok(o)
}

fn config(o: &Opts) -> Result<SimConfig, String> {
    let mut c = SimConfig { seed: o.seed, ..SimConfig::default() };
    if let Some(s) = &o.start {
        c.start = clock::parse_rfc3339(s).map_err(|e| format!("kubeplay: --start: {e}"))?;
    }
    Ok(c)
}

/// Entry point; returns the process exit status.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (sub, rest) = match args.first().map(String::as_str) {
        Some("run") => ("run", &args[1..]),
        Some("bench") => ("bench", &args[1..]),
        Some("repl") => ("repl", &args[1..]),
        _ => ("repl", &args[..]),
    };
    let opts = match parse_opts(rest) {
        Ok(o) => o,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return 2;
        }
    };
    let cfg = match config(&opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    match sub {
        "run" => {
            let Some(file) = opts.positional.first() else {
                eprintln!("kubeplay run: name a script file, or - for standard input\n\n{USAGE}");
                return 2;
            };
            let text = if file == "-" {
                let mut s = String::new();
                if let Err(e) = io::Read::read_to_string(&mut io::stdin(), &mut s) {
                    eprintln!("kubeplay: reading standard input: {e}");
                    return 1;
                }
                s
            } else {
                match std::fs::read_to_string(file) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("kubeplay: {file}: {e}");
                        return 1;
                    }
                }
            };
            run_script(cfg, &text, &mut io::stdout().lock(), &mut io::stderr().lock())
        }
        "bench" => {
            let r = bench(opts.seed, opts.nodes, opts.replicas);
            println!("{r}");
            0
        }
        _ => repl(cfg),
    }
}

/// Runs a script: each non-blank, non-comment line is echoed as `$ line` on `out`, followed by the
/// command's stdout on `out` and its stderr on `err`. Returns the last command's exit status.
pub fn run_script(cfg: SimConfig, text: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut p = Playground::new(cfg);
    let mut status = 0;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let _ = writeln!(out, "$ {t}");
        let o = p.run_line(t);
        let _ = out.write_all(o.stdout.as_bytes());
        let _ = out.flush();
        let _ = err.write_all(o.stderr.as_bytes());
        let _ = err.flush();
        status = o.exit_code;
        if let Some(mut w) = o.wait {
            let pr = p.finish(&mut w, WAIT_LIMIT_MS);
            let _ = out.write_all(pr.stdout.as_bytes());
            let _ = err.write_all(pr.stderr.as_bytes());
            if pr.done && pr.exit_code != 0 {
                status = pr.exit_code;
            }
        }
    }
    status
}

/// Runs a script and returns what it printed: stdout and stderr of each line in order, as one
/// string (what a terminal shows). Used by golden tests.
pub fn transcript(cfg: SimConfig, text: &str) -> String {
    let mut p = Playground::new(cfg);
    let mut s = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        s.push_str(&format!("$ {t}\n"));
        let o = p.run_line(t);
        s.push_str(&o.stdout);
        s.push_str(&o.stderr);
        if let Some(mut w) = o.wait {
            let pr = p.finish(&mut w, WAIT_LIMIT_MS);
            s.push_str(&pr.stdout);
            s.push_str(&pr.stderr);
        }
    }
    s
}

fn repl(cfg: SimConfig) -> i32 {
    let mut p = Playground::new(cfg);
    let stdin = io::stdin();
    let mut out = io::stdout();
    eprintln!("kubeplay: a simulated cluster (kind-control-plane, kind-worker, kind-worker2). Type kubectl commands; Ctrl-D quits.");
    loop {
        let _ = write!(out, "$ ");
        let _ = out.flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(out);
                return 0;
            }
            Ok(_) => {}
        }
        let o = p.run_line(line.trim_end_matches(['\n', '\r']));
        print!("{}", o.stdout);
        eprint!("{}", o.stderr);
        if let Some(mut w) = o.wait {
            let pr = p.finish(&mut w, WAIT_LIMIT_MS);
            print!("{}", pr.stdout);
            eprint!("{}", pr.stderr);
        }
    }
}

/// Scales a Deployment to `replicas` on a cluster of `nodes` workers and reports how long the
/// simulation took (wall clock, measured here in the native binary only) and in virtual time.
pub fn bench(seed: u64, nodes: usize, replicas: usize) -> String {
    let t0 = std::time::Instant::now();
    let cfg = SimConfig { seed, workers: nodes, ..SimConfig::default() };
    let mut p = Playground::new(cfg);
    let boot = t0.elapsed();
    let start_virtual = p.elapsed_ms();
    let t1 = std::time::Instant::now();
    let o = p.run_line(&format!("kubectl create deployment web --image=nginx --replicas={replicas}"));
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    // Run until every replica is available (or an hour of virtual time passes).
    let mut converged = false;
    for _ in 0..3600 {
        p.advance(1_000);
        let v = p.view();
        if v.owners.iter().any(|w| w.kind == "Deployment" && w.name == "web" && w.available as usize == replicas) {
            converged = true;
            break;
        }
    }
    let wall = t1.elapsed();
    let virt = p.elapsed_ms() - start_virtual;
    let running: usize = p.view().nodes.iter().flat_map(|n| n.pods.iter()).filter(|p| p.namespace == "default" && p.status == "Running").count();
    format!(
        "bench: {replicas} replicas on {nodes} worker nodes: converged={converged} running={running} virtual={:.1}s wall={:.3}s (cluster boot {:.3}s) store revision={}",
        virt as f64 / 1000.0,
        wall.as_secs_f64(),
        boot.as_secs_f64(),
        p.view().revision
    )
}
