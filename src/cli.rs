//! The native `kubeplay` binary: run a script (`kubeplay run FILE|-`), a REPL, or the scale bench.

use std::io::{self, BufRead, Write};

use crate::lessons::Playground;
use crate::sim::{clock, SimConfig};

const USAGE: &str = "kubeplay: a Kubernetes playground with a simulated control plane

Usage:
  kubeplay [--seed N] [--start RFC3339]             interactive shell (REPL)
  kubeplay run FILE|- [--seed N] [--start RFC3339]  run a script, echoing each line as `$ line`
  kubeplay bench [--replicas N] [--nodes N]         scale a Deployment on a large cluster and time it
  kubeplay lesson ID|FILE.yaml [--check]            play a lesson in the terminal; --check replays its solutions
  kubeplay lesson --list | --check-all              list the lessons; check every one
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
    let mut o = Opts {
        seed: 1,
        start: None,
        positional: Vec::new(),
        replicas: 10_000,
        nodes: 100,
    };
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
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("kubeplay: {name} needs a value"))
        };
        match name.as_str() {
            "--seed" => {
                o.seed = value(&mut i)?
                    .parse()
                    .map_err(|_| "kubeplay: --seed takes a number".to_string())?
            }
            "--start" => o.start = Some(value(&mut i)?),
            "--replicas" => {
                o.replicas = value(&mut i)?
                    .parse()
                    .map_err(|_| "kubeplay: --replicas takes a number".to_string())?
            }
            "--nodes" => {
                o.nodes = value(&mut i)?
                    .parse()
                    .map_err(|_| "kubeplay: --nodes takes a number".to_string())?
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("kubeplay: unknown option {s}")),
            _ => o.positional.push(a.clone()),
        }
        i += 1;
    }
    Ok(o)
}

fn config(o: &Opts) -> Result<SimConfig, String> {
    let mut c = SimConfig {
        seed: o.seed,
        ..SimConfig::default()
    };
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
        Some("lesson") => return lesson_main(&args[1..]),
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
            run_script(
                cfg,
                &text,
                &mut io::stdout().lock(),
                &mut io::stderr().lock(),
            )
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
    p.set_host_files(Box::new(host_file));
    p.set_editor(false);
    let mut status = 0;
    for line in text.lines() {
        if p.in_heredoc() {
            let _ = writeln!(out, "> {line}");
            let o = p.run_line(line);
            let _ = out.write_all(o.stdout.as_bytes());
            let _ = err.write_all(o.stderr.as_bytes());
            if !o.more {
                status = o.exit_code;
                if let Some(mut w) = o.wait {
                    let pr = p.finish(&mut w, WAIT_LIMIT_MS);
                    let _ = out.write_all(pr.stdout.as_bytes());
                    let _ = err.write_all(pr.stderr.as_bytes());
                }
            }
            continue;
        }
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
    crate::lessons::transcript(cfg, text)
}

/// Natively, `kubectl apply -f PATH` can read the host's files (bounded in size).
fn host_file(path: &str) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 4 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn repl(cfg: SimConfig) -> i32 {
    let mut p = Playground::new(cfg);
    p.set_host_files(Box::new(host_file));
    p.set_editor(false);
    let stdin = io::stdin();
    let mut out = io::stdout();
    eprintln!("kubeplay: a simulated cluster (kind-control-plane, kind-worker, kind-worker2). Type kubectl commands; Ctrl-D quits.");
    loop {
        let _ = write!(out, "{}", if p.in_heredoc() { "> " } else { "$ " });
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
    let cfg = SimConfig {
        seed,
        workers: nodes,
        ..SimConfig::default()
    };
    let mut p = Playground::new(cfg);
    let boot = t0.elapsed();
    let start_virtual = p.elapsed_ms();
    let t1 = std::time::Instant::now();
    let o = p.run_line(&format!(
        "kubectl create deployment web --image=nginx --replicas={replicas}"
    ));
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    // Run until every replica is available (or an hour of virtual time passes).
    let mut converged = false;
    for _ in 0..3600 {
        p.advance(1_000);
        let v = p.view();
        if v.owners
            .iter()
            .any(|w| w.kind == "Deployment" && w.name == "web" && w.available as usize == replicas)
        {
            converged = true;
            break;
        }
    }
    let wall = t1.elapsed();
    let virt = p.elapsed_ms() - start_virtual;
    let running: usize = p
        .view()
        .nodes
        .iter()
        .flat_map(|n| n.pods.iter())
        .filter(|p| p.namespace == "default" && p.status == "Running")
        .count();
    format!(
        "bench: {replicas} replicas on {nodes} worker nodes: converged={converged} running={running} virtual={:.1}s wall={:.3}s (cluster boot {:.3}s) store revision={}",
        virt as f64 / 1000.0,
        wall.as_secs_f64(),
        boot.as_secs_f64(),
        p.view().revision
    )
}

// ---------------------------------------------------------------------------------------------
// `kubeplay lesson`

fn load_lesson(arg: &str) -> Result<crate::lessons::Lesson, String> {
    if arg.ends_with(".yaml") || arg.ends_with(".yml") {
        let text = std::fs::read_to_string(arg).map_err(|e| format!("kubeplay: {arg}: {e}"))?;
        let name = std::path::Path::new(arg)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(arg);
        crate::lessons::Lesson::parse(name, &text)
    } else {
        crate::lessons::find_lesson(arg)
    }
}

/// `kubeplay lesson ID [--check]`, `--list`, `--check-all`.
fn lesson_main(args: &[String]) -> i32 {
    let mut check = false;
    let mut list = false;
    let mut all = false;
    let mut ids = Vec::new();
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            "--list" => list = true,
            "--check-all" => all = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return 0;
            }
            s if s.starts_with('-') => {
                eprintln!("kubeplay lesson: unknown option {s}\n\n{USAGE}");
                return 2;
            }
            _ => ids.push(a.clone()),
        }
    }
    if list || all {
        let (lessons, errors) = crate::lessons::catalog();
        let mut status = 0;
        for e in &errors {
            eprintln!("error: {e}");
            status = 1;
        }
        let mut track = "";
        for l in &lessons {
            if list {
                if l.track != track {
                    track = &l.track;
                    println!("{}", l.track_title());
                }
                let steps = if l.is_sandbox() {
                    "sandbox".to_string()
                } else {
                    format!("{} steps", l.steps.len())
                };
                println!("  {:<20} {} ({steps})", l.id, l.title);
            } else {
                let v = crate::lessons::check::verify(l);
                println!("{}: {}", l.id, if v.passed() { "ok" } else { "FAILED" });
                for e in &v.errors {
                    eprintln!("{e}");
                    status = 1;
                }
            }
        }
        return status;
    }
    let Some(id) = ids.first() else {
        eprintln!("kubeplay lesson: name a lesson (kubeplay lesson --list shows them)");
        return 2;
    };
    let lesson = match load_lesson(id) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if check {
        let v = crate::lessons::check::verify(&lesson);
        println!(
            "lesson {} ({}): {} step(s)",
            lesson.id,
            lesson.title,
            lesson.steps.len()
        );
        for l in &v.log {
            println!("  {l}");
        }
        for e in &v.errors {
            eprintln!("{e}");
        }
        if v.passed() {
            println!("ok");
            0
        } else {
            1
        }
    } else {
        play_lesson(&lesson, &mut io::stdin().lock(), &mut io::stdout().lock())
    }
}

const PLAY_HELP: &str =
    "While playing: type commands as in a terminal. Virtual time passes only while a command
waits (`sleep 30s`, `kubectl rollout status ...`). Lesson commands:
  hint       reveal the next hint          goal      show the goal and where it stands
  solution   show the solution's commands  solution run   type them for you
  skip       move on to the next step      help      this text        quit   leave
";

fn print_step(p: &Playground, out: &mut dyn Write) {
    let Some(run) = p.lesson() else { return };
    if let Some(s) = run.current_step() {
        let _ = writeln!(
            out,
            "\n── Step {}/{}: {} ──",
            run.step_index() + 1,
            run.lesson().steps.len(),
            s.title
        );
        let _ = writeln!(out, "{}", run.instructions().unwrap_or_default().trim_end());
        let _ = writeln!(out, "Goal: {}", run.goal_text().join("; "));
        if let Some(w) = &s.watch {
            let _ = writeln!(out, "Watch: {}", run.fill(w).trim_end());
        }
    }
}

/// Plays a lesson in the terminal: the idea, then each step; typed lines run against the lesson's
/// cluster and the step ticks when its goal is met. Returns 0 when the lesson was completed.
pub fn play_lesson(
    lesson: &crate::lessons::Lesson,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> i32 {
    let mut p = match Playground::for_lesson(lesson) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(out, "{e}");
            return 1;
        }
    };
    p.set_host_files(Box::new(host_file));
    p.set_editor(false);
    let _ = writeln!(
        out,
        "{}\n{}\n\n{}",
        lesson.title,
        lesson.summary.trim(),
        lesson.concept.trim_end()
    );
    let _ = writeln!(out, "\n{PLAY_HELP}");
    if lesson.is_sandbox() {
        let _ = writeln!(out, "A sandbox: no goals. Try anything; quit to leave.");
    }
    print_step(&p, out);
    loop {
        let _ = write!(out, "{}", if p.in_heredoc() { "> " } else { "$ " });
        let _ = out.flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(out);
                break;
            }
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\n', '\r']);
        let word = line.trim();
        if !p.in_heredoc() {
            match word {
                "quit" | "exit" => break,
                "help" => {
                    let _ = write!(out, "{PLAY_HELP}");
                    continue;
                }
                "hint" => {
                    let h = p.lesson_mut().and_then(|r| r.reveal_hint());
                    let left = p.lesson().map(|r| r.hints_left()).unwrap_or(0);
                    let _ = match h {
                        Some(h) => writeln!(
                            out,
                            "Hint: {}{}",
                            h.trim_end(),
                            if left > 0 {
                                format!("  ({left} more)")
                            } else {
                                String::new()
                            }
                        ),
                        None => writeln!(out, "No more hints. `solution` shows the commands."),
                    };
                    continue;
                }
                "goal" => {
                    if let Some(r) = p.goal_report() {
                        let _ = write!(out, "{}", r.to_text());
                    }
                    continue;
                }
                "solution" => {
                    for c in p.lesson().map(|r| r.solution()).unwrap_or_default() {
                        let _ = writeln!(out, "  {c}");
                    }
                    continue;
                }
                "skip" => {
                    if !p.lesson().is_some_and(|r| r.is_complete()) {
                        p.skip_step();
                        print_step(&p, out);
                    }
                    continue;
                }
                _ => {}
            }
        }
        let lines: Vec<String> = if word == "solution run" {
            p.lesson().map(|r| r.solution()).unwrap_or_default()
        } else {
            vec![line.to_string()]
        };
        for l in lines {
            if word == "solution run" {
                let _ = writeln!(out, "$ {l}");
            }
            let o = p.run_line(&l);
            let _ = out.write_all(o.stdout.as_bytes());
            let _ = out.write_all(o.stderr.as_bytes());
            if let Some(mut w) = o.wait {
                let pr = p.finish(&mut w, WAIT_LIMIT_MS);
                let _ = out.write_all(pr.stdout.as_bytes());
                let _ = out.write_all(pr.stderr.as_bytes());
            }
        }
        let _ = out.flush();
        if p.in_heredoc() {
            continue;
        }
        while let Some(done) = p.check_lesson() {
            let _ = writeln!(
                out,
                "✓ Step {} done in {} command(s).",
                done.index + 1,
                done.commands
            );
            if done.lesson_complete {
                let _ = writeln!(out, "\n★ Lesson complete: {}", lesson.title);
                for b in &lesson.break_it {
                    let _ = writeln!(out, "Try breaking it: {}", b.text.trim_end());
                }
                return 0;
            }
            print_step(&p, out);
        }
    }
    i32::from(!p.lesson().is_some_and(|r| r.is_complete()) && !lesson.is_sandbox())
}
