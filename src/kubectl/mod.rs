//! kubectl and the script language: parse a line, run it against the simulation, print exactly
//! what kubectl 1.32 prints.

pub mod apply;
pub mod args;
pub mod cmd;
pub mod complete;
pub mod config;
pub mod create_job;
pub mod describe;
pub mod drain;
pub mod edit;
pub mod explain;
pub mod expose;
pub mod generate;
pub mod jsonpath;
pub mod label;
pub mod logs;
pub mod manifest;
pub mod net;
pub mod outcome;
pub mod patch;
pub mod printers;
pub mod regex;
pub mod rollout;
pub mod shell;
pub mod sim_cmd;
pub mod taint;
pub mod wait;
pub mod watch;

pub use outcome::{Outcome, Progress, Wait};

use crate::sim::{Sim, SimConfig};

/// The programs the playground's shell runs (its "command not found" lists them; tab completion
/// offers them as first words).
pub const PROGRAMS: &[&str] = &[
    "kubectl", "sim", "curl", "wget", "sleep", "timeout", "echo", "cat", "ls", "rm", "export",
    "grep", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "base64",
];

/// Longest line the shell accepts (a pasted manifest is far shorter; this bounds hostile input).
pub const MAX_LINE: usize = 1 << 20;

/// A shell session: the simulated cluster and the state of the terminal that talks to it.
/// Cloneable, so that time travel can snapshot the whole session.
#[derive(Clone)]
pub struct Shell {
    sim: Sim,
    /// The terminal's own files (`cat > pod.yaml <<EOF`), read by `kubectl apply -f`.
    files: std::collections::BTreeMap<String, String>,
    /// Natively, `-f` may also read the host's files (the CLI sets this); never in the browser.
    host_files: Option<std::rc::Rc<dyn Fn(&str) -> Option<String>>>,
    /// A heredoc being collected: the command words, the delimiter, and the lines so far.
    pending: Option<Heredoc>,
    /// Shell variables (`export POD=...`, `$POD`) and the last exit status (`$?`).
    vars: std::collections::BTreeMap<String, String>,
    last_exit: i32,
    /// The front end opens an editor for `kubectl edit` (true by default: the page; the native
    /// CLI turns it off).
    editor: bool,
    /// The kubeconfig's changeable part: the current context's namespace.
    kubeconfig: config::KubeConfig,
}

#[derive(Clone)]
struct Heredoc {
    /// The line that opened it (the command's name in provenance).
    line: String,
    segments: Vec<Vec<String>>,
    delimiter: String,
    strip_tabs: bool,
    body: String,
    /// `<<EOF` expands `$VAR` in the body; `<<'EOF'` does not.
    expand: bool,
}

/// Largest heredoc the shell collects (bounds hostile pastes).
const MAX_HEREDOC: usize = 4 << 20;

/// Parses `30s`, `2m30s`, `1h`, `500ms`, `1.5s` or a bare number of seconds (as `sleep` takes it)
/// into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    if let Ok(secs) = s.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as u64);
    }
    let mut total: f64 = 0.0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            unit = "ms".into();
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        total += v * match unit.as_str() {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        };
        any = true;
    }
    if !num.is_empty() || !any || !total.is_finite() || total > 1e15 {
        return None;
    }
    Some(total.round() as u64)
}

impl Shell {
    pub fn new(config: SimConfig) -> Self {
        Shell {
            sim: Sim::new(config),
            files: Default::default(),
            host_files: None,
            pending: None,
            vars: Default::default(),
            last_exit: 0,
            editor: true,
            kubeconfig: Default::default(),
        }
    }
    /// Whether `kubectl edit` may ask the front end for an editor (`Outcome::edit`); without
    /// one it prints `edit::NO_EDITOR` and fails.
    pub fn set_editor(&mut self, on: bool) {
        self.editor = on;
    }
    pub fn sim(&self) -> &Sim {
        &self.sim
    }
    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    /// Lets `-f PATH` read the host's files when the terminal has no file of that name (native CLI).
    pub fn set_host_files(&mut self, f: Box<dyn Fn(&str) -> Option<String>>) {
        self.host_files = Some(std::rc::Rc::from(f));
    }

    /// Adds or replaces a file in the terminal's file system.
    pub fn write_file(&mut self, path: &str, text: &str) {
        self.files.insert(path.to_string(), text.to_string());
    }

    /// The names of the terminal's own files, sorted.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// True while a heredoc is being typed (the next line continues the command; prompt `> `).
    pub fn in_heredoc(&self) -> bool {
        self.pending.is_some()
    }

    fn read_file(&self, path: &str) -> Option<String> {
        let p = path.strip_prefix("./").unwrap_or(path);
        self.files
            .get(p)
            .cloned()
            .or_else(|| self.host_files.as_ref().and_then(|f| f(path)))
    }

    /// Runs one line of the script language. Inside a heredoc the line is collected; the command
    /// runs when the delimiter line arrives (until then the outcome has `more` set).
    pub fn run_line(&mut self, line: &str) -> Outcome {
        if line.len() > MAX_LINE {
            return Outcome {
                stderr: "bash: line too long\n".into(),
                exit_code: 2,
                ..Default::default()
            };
        }
        if let Some(mut h) = self.pending.take() {
            let candidate = if h.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if candidate.trim_end() == h.delimiter {
                let body = if h.expand {
                    match self.expand_line(&h.body, true) {
                        Ok(b) => b,
                        Err(e) => {
                            return self.finish(Outcome {
                                stderr: format!("{e}\n"),
                                exit_code: 1,
                                ..Default::default()
                            })
                        }
                    }
                } else {
                    h.body
                };
                self.sim.act_for_command(&h.line);
                let o = self.run_segments(h.segments, Some(body));
                return self.finish(o);
            }
            if h.body.len() + line.len() > MAX_HEREDOC {
                return Outcome {
                    stderr: "bash: here-document too large\n".into(),
                    exit_code: 2,
                    ..Default::default()
                };
            }
            h.body.push_str(candidate);
            h.body.push('\n');
            self.pending = Some(h);
            return Outcome {
                more: true,
                ..Default::default()
            };
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Outcome::default();
        }
        let typed = trimmed.to_string();
        // `a; b`, `a && b`, `a || b`: run in turn. (A command that would wait, like `kubectl delete`,
        // returns at once when another follows it on the line.)
        let chain = shell::split_commands(trimmed);
        if chain.len() > 1 {
            let mut out = Outcome::default();
            let mut last = 0;
            for (i, (sep, cmd)) in chain.iter().enumerate() {
                let run = match sep.as_str() {
                    "&&" => last == 0,
                    "||" => last != 0,
                    _ => true,
                };
                if !run {
                    continue;
                }
                let mut o = self.run_line(cmd);
                if o.more {
                    self.pending = None;
                    return self.finish(Outcome {
                        stderr:
                            "bash: here-documents inside a command list are not supported here\n"
                                .into(),
                        exit_code: 2,
                        ..Default::default()
                    });
                }
                out.stdout.push_str(&o.stdout);
                out.stderr.push_str(&o.stderr);
                last = o.exit_code;
                if i + 1 == chain.len() {
                    out.wait = o.wait.take();
                }
                if o.edit.is_some() {
                    out.edit = o.edit.take();
                }
            }
            out.exit_code = last;
            return self.finish(out);
        }
        // `NAME=value` and `export NAME=value ...`: the value is not split into words.
        if let Some(o) = self.assignment(trimmed) {
            return self.finish(o);
        }
        let quoted_delimiter = trimmed.contains("<<'")
            || trimmed.contains("<<\"")
            || trimmed.contains("<<\\")
            || trimmed.contains("<< '")
            || trimmed.contains("<< \"")
            || trimmed.contains("<<-'");
        let expanded = match self.expand_line(trimmed, false) {
            Ok(e) => e,
            Err(e) => {
                return self.finish(Outcome {
                    stderr: format!("{e}\n"),
                    exit_code: 1,
                    ..Default::default()
                })
            }
        };
        let trimmed = expanded.as_str();
        let Some(words) = shlex::split(trimmed) else {
            return Outcome {
                stderr: "bash: syntax error: unexpected end of file (unclosed quote)\n".into(),
                exit_code: 2,
                ..Default::default()
            };
        };
        // A trailing comment ends the words.
        let words: Vec<String> = words
            .into_iter()
            .take_while(|w| !w.starts_with('#'))
            .collect();
        // A pipeline: `cat <<EOF | kubectl apply -f -`.
        let mut segments: Vec<Vec<String>> = vec![Vec::new()];
        for w in words {
            if w == "|" {
                segments.push(Vec::new());
            } else if let Some(last) = segments.last_mut() {
                last.push(w);
            }
        }
        if segments.iter().any(|s| s.is_empty()) {
            return Outcome {
                stderr: "bash: syntax error near unexpected token `|'\n".into(),
                exit_code: 2,
                ..Default::default()
            };
        }
        // A heredoc (`<<EOF`, `<< EOF`, `<<-EOF`, `<<'EOF'`) on any segment.
        let mut heredoc: Option<(String, bool)> = None;
        for seg in segments.iter_mut() {
            let mut i = 0;
            while i < seg.len() {
                if let Some(rest) = seg[i].strip_prefix("<<") {
                    let (strip, rest) = match rest.strip_prefix('-') {
                        Some(r) => (true, r.to_string()),
                        None => (false, rest.to_string()),
                    };
                    let delim = if rest.is_empty() {
                        if i + 1 < seg.len() {
                            seg.remove(i + 1)
                        } else {
                            return Outcome {
                                stderr: "bash: syntax error near unexpected token `newline'\n"
                                    .into(),
                                exit_code: 2,
                                ..Default::default()
                            };
                        }
                    } else {
                        rest
                    };
                    seg.remove(i);
                    heredoc = Some((delim, strip));
                    continue;
                }
                i += 1;
            }
        }
        if let Some((delimiter, strip_tabs)) = heredoc {
            self.pending = Some(Heredoc {
                line: typed,
                segments,
                delimiter,
                strip_tabs,
                body: String::new(),
                expand: !quoted_delimiter,
            });
            return Outcome {
                more: true,
                ..Default::default()
            };
        }
        self.sim.act_for_command(&typed);
        let o = self.run_segments(segments, None);
        self.finish(o)
    }

    /// Remembers the exit status for `$?`.
    fn finish(&mut self, o: Outcome) -> Outcome {
        if !o.more {
            self.last_exit = o.exit_code;
        }
        o
    }

    /// A shell variable's value (`HOME` and friends have the playground's defaults).
    pub fn var(&self, name: &str) -> Option<String> {
        if name == "?" {
            return Some(self.last_exit.to_string());
        }
        self.vars.get(name).cloned().or_else(|| match name {
            "HOME" => Some("/home/learner".into()),
            "USER" => Some("learner".into()),
            "HOSTNAME" => Some("laptop".into()),
            "KUBECONFIG" => Some("/home/learner/.kube/config".into()),
            _ => None,
        })
    }

    /// Expands `$VAR`, `${VAR}`, `$?` and `$(command)` in a line (or a heredoc body).
    fn expand_line(&mut self, line: &str, text: bool) -> Result<String, String> {
        if !line.contains('$') {
            return Ok(line.to_string());
        }
        let vars = self.vars.clone();
        let last = self.last_exit;
        let lookup = move |n: &str| -> Option<String> {
            if n == "?" {
                return Some(last.to_string());
            }
            vars.get(n).cloned().or_else(|| match n {
                "HOME" => Some("/home/learner".into()),
                "USER" => Some("learner".into()),
                // The learner's own machine: an unquoted heredoc expands `$HOSTNAME` there, as bash does.
                "HOSTNAME" => Some("laptop".into()),
                _ => None,
            })
        };
        let mut depth_guard = 0;
        let mut run = |inner: &str| -> String {
            depth_guard += 1;
            if depth_guard > 64 {
                return String::new();
            }
            let o = self.capture(inner);
            o.stdout
        };
        if text {
            shell::expand_text(line, &lookup, &mut run)
        } else {
            shell::expand(line, &lookup, &mut run)
        }
    }

    /// Runs a `$(...)` command and returns what it printed (its stderr is dropped).
    fn capture(&mut self, inner: &str) -> Outcome {
        let expanded = match self.expand_line(inner.trim(), false) {
            Ok(e) => e,
            Err(e) => {
                return Outcome {
                    stderr: e,
                    exit_code: 1,
                    ..Default::default()
                }
            }
        };
        let Some(words) = shlex::split(&expanded) else {
            return Outcome::default();
        };
        let mut segments: Vec<Vec<String>> = vec![Vec::new()];
        for w in words {
            if w == "|" {
                segments.push(Vec::new());
            } else if let Some(last) = segments.last_mut() {
                last.push(w);
            }
        }
        if segments.iter().any(|s| s.is_empty()) {
            return Outcome::default();
        }
        self.run_segments(segments, None)
    }

    /// `NAME=value`, `export NAME=value [NAME2=v2]`, `export NAME`, `unset NAME`.
    fn assignment(&mut self, line: &str) -> Option<Outcome> {
        let (export, rest) = match line.strip_prefix("export ") {
            Some(r) => (true, r.trim()),
            None => (false, line),
        };
        if let Some(r) = line.strip_prefix("unset ") {
            for n in r.split_whitespace() {
                self.vars.remove(n);
            }
            return Some(Outcome::default());
        }
        let eq = rest.find('=')?;
        let name = &rest[..eq];
        if !shell::is_identifier(name) {
            return if export {
                Some(Outcome {
                    stderr: format!("bash: export: `{rest}': not a valid identifier\n"),
                    exit_code: 1,
                    ..Default::default()
                })
            } else {
                None
            };
        }
        let raw_value = &rest[eq + 1..];
        // Only a single assignment per line is taken apart here (the common tutorial form).
        let expanded = match self.expand_line(raw_value, false) {
            Ok(v) => v,
            Err(e) => {
                return Some(Outcome {
                    stderr: format!("{e}\n"),
                    exit_code: 1,
                    ..Default::default()
                })
            }
        };
        let value = match shlex::split(&expanded) {
            Some(words) => words.join(" "),
            None => {
                return Some(Outcome {
                    stderr: "bash: unexpected EOF while looking for matching quote\n".into(),
                    exit_code: 2,
                    ..Default::default()
                })
            }
        };
        self.vars.insert(name.to_string(), value);
        Some(Outcome::default())
    }

    /// Runs a pipeline: each segment's stdout is the next one's stdin.
    fn run_segments(&mut self, segments: Vec<Vec<String>>, stdin: Option<String>) -> Outcome {
        let mut input = stdin;
        let mut out = Outcome::default();
        let n = segments.len();
        for (i, seg) in segments.into_iter().enumerate() {
            let o = self.run_command(seg, input.take());
            out.stderr.push_str(&o.stderr);
            out.exit_code = o.exit_code;
            out.wait = o.wait;
            out.edit = o.edit;
            if i + 1 < n {
                input = Some(o.stdout);
            } else {
                out.stdout = o.stdout;
            }
        }
        // Deliver what the command wrote to the watchers (controllers react from the next step on).
        self.sim.dispatch();
        out
    }

    fn run_command(&mut self, mut words: Vec<String>, stdin: Option<String>) -> Outcome {
        // Output redirection `> FILE` (cat and echo write the terminal's files).
        let mut redirect: Option<String> = None;
        if let Some(i) = words
            .iter()
            .position(|w| w == ">" || (w.starts_with('>') && w.len() > 1))
        {
            let target = if words[i] == ">" {
                if i + 1 < words.len() {
                    Some(words.remove(i + 1))
                } else {
                    None
                }
            } else {
                Some(words[i][1..].to_string())
            };
            words.remove(i);
            match target {
                Some(t) => redirect = Some(t),
                None => {
                    return Outcome {
                        stderr: "bash: syntax error near unexpected token `newline'\n".into(),
                        exit_code: 2,
                        ..Default::default()
                    }
                }
            }
        }
        let Some(program) = words.first().cloned() else {
            return Outcome::default();
        };
        let mut out = match program.as_str() {
            "kubectl" => {
                // `-f` reads the terminal's files (and, natively, the host's); the simulation is
                // borrowed mutably meanwhile, so the readers work on their own handles.
                let files = &self.files;
                let host = &self.host_files;
                let read = |p: &str| {
                    let key = p.strip_prefix("./").unwrap_or(p);
                    files
                        .get(key)
                        .cloned()
                        .or_else(|| host.as_ref().and_then(|f| f(p)))
                };
                let inputs = apply::Inputs {
                    read_file: &read,
                    stdin: stdin.as_deref(),
                    editor: self.editor,
                };
                if words.get(1).map(String::as_str) == Some("config") {
                    config::config(&mut self.kubeconfig, &words[2..])
                } else {
                    args::with_context_namespace(self.kubeconfig.namespace.as_deref(), || {
                        cmd::kubectl(&mut self.sim, &words[1..], &inputs)
                    })
                }
            }
            "sleep" => self.sleep(&words[1..]),
            // From the learner's machine: node addresses (NodePorts) and load balancers only.
            "curl" => net::curl(
                &mut self.sim,
                crate::sim::network::Client::Outside,
                &words[1..],
            ),
            "wget" => net::wget(
                &mut self.sim,
                crate::sim::network::Client::Outside,
                &words[1..],
            ),
            "sim" => sim_cmd::sim(&mut self.sim, &words[1..]),
            "timeout" => {
                let Some(d) = words.get(1).and_then(|d| parse_duration_ms(d)) else {
                    return Outcome {
                        stderr: format!("timeout: invalid time interval '{}'\nTry 'timeout --help' for more information.\n", words.get(1).cloned().unwrap_or_default()),
                        exit_code: 125,
                        ..Default::default()
                    };
                };
                if words.len() < 3 {
                    return Outcome {
                        stderr:
                            "timeout: missing operand\nTry 'timeout --help' for more information.\n"
                                .into(),
                        exit_code: 125,
                        ..Default::default()
                    };
                }
                let deadline_ms = self.sim.elapsed_ms().saturating_add(d);
                let mut o = self.run_command(words[2..].to_vec(), stdin.clone());
                if let Some(inner) = o.wait.take() {
                    o.wait = Some(Wait::Timeout {
                        inner: Box::new(inner),
                        deadline_ms,
                    });
                }
                o
            }
            "echo" => {
                // `-n` (no newline) and `-e` (backslash escapes), as bash's builtin takes them.
                let mut newline = true;
                let mut escapes = false;
                let mut rest = &words[1..];
                while let Some(f) = rest.first().filter(|f| {
                    f.len() > 1 && f.starts_with('-') && f[1..].chars().all(|c| "neE".contains(c))
                }) {
                    newline &= !f.contains('n');
                    escapes |= f.contains('e');
                    rest = &rest[1..];
                }
                let mut text = rest.join(" ");
                if escapes {
                    text = text.replace("\\n", "\n").replace("\\t", "\t");
                }
                if newline {
                    text.push('\n');
                }
                Outcome::ok(text)
            }
            "cat" => {
                if words.len() == 1 {
                    Outcome::ok(stdin.unwrap_or_default())
                } else {
                    let mut o = Outcome::default();
                    for f in &words[1..] {
                        match self.read_file(f) {
                            Some(t) => o.stdout.push_str(&t),
                            None => {
                                o.stderr
                                    .push_str(&format!("cat: {f}: No such file or directory\n"));
                                o.exit_code = 1;
                            }
                        }
                    }
                    o
                }
            }
            "rm" => {
                let mut o = Outcome::default();
                for f in words[1..].iter().filter(|w| !w.starts_with('-')) {
                    let key = f.strip_prefix("./").unwrap_or(f).to_string();
                    if self.files.remove(&key).is_none() && !words.iter().any(|w| w == "-f") {
                        o.stderr.push_str(&format!(
                            "rm: cannot remove '{f}': No such file or directory\n"
                        ));
                        o.exit_code = 1;
                    }
                }
                o
            }
            "export" => Outcome::default(),
            "ls" => {
                let names: Vec<&String> = self.files.keys().collect();
                Outcome::ok(names.iter().map(|n| format!("{n}\n")).collect::<String>())
            }
            "true" | ":" => Outcome::default(),
            "false" => Outcome {
                exit_code: 1,
                ..Default::default()
            },
            other if shell::filter(other, &[], "", &|_| None).is_some() => {
                let files = &self.files;
                let read = |p: &str| files.get(p.strip_prefix("./").unwrap_or(p)).cloned();
                shell::filter(other, &words[1..], stdin.as_deref().unwrap_or(""), &read)
                    .unwrap_or_default()
            }
            other => Outcome {
                stderr: format!(
                    "bash: {other}: command not found (the playground's shell has {})\n",
                    PROGRAMS.join(", ")
                ),
                exit_code: 127,
                ..Default::default()
            },
        };
        if let Some(path) = redirect {
            if path.len() > 255 || path.contains('\0') {
                return Outcome {
                    stderr: format!("bash: {path}: File name too long\n"),
                    exit_code: 1,
                    ..Default::default()
                };
            }
            let text = std::mem::take(&mut out.stdout);
            self.files
                .insert(path.strip_prefix("./").unwrap_or(&path).to_string(), text);
        }
        out
    }

    fn sleep(&mut self, args: &[String]) -> Outcome {
        if args.is_empty() {
            return Outcome {
                stderr: "sleep: missing operand\nTry 'sleep --help' for more information.\n".into(),
                exit_code: 1,
                ..Default::default()
            };
        }
        let mut total = 0u64;
        for a in args {
            match parse_duration_ms(a) {
                Some(ms) => total = total.saturating_add(ms),
                None => {
                    return Outcome {
                        stderr: format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"),
                        exit_code: 1,
                        ..Default::default()
                    }
                }
            }
        }
        Outcome::default().with_wait(Wait::Until {
            elapsed_ms: self.sim.elapsed_ms().saturating_add(total),
        })
    }

    /// True when a waiting command has nothing more to do. Streaming waits (`rollout status`) are
    /// done only once `poll` has reported their end.
    pub fn is_done(&self, wait: &Wait) -> bool {
        match wait {
            Wait::Until { elapsed_ms } => self.sim.elapsed_ms() >= *elapsed_ms,
            Wait::Gone(objs) => objs
                .iter()
                .all(|(key, uid)| self.sim.get(key).is_none_or(|o| o.uid() != uid)),
            Wait::Rollout { key, uid, .. } => rollout::status_now(&self.sim, key, uid, None).1,
            Wait::Logs(follows) => logs::follow_done(&self.sim, follows),
            Wait::Drain(d) => drain::is_done(&self.sim, d),
            Wait::Watch(_) => false,
            Wait::Cond(w) => w.items.iter().all(|i| i.2) || self.sim.elapsed_ms() >= w.deadline_ms,
            Wait::Timeout { inner, deadline_ms } => {
                self.sim.elapsed_ms() >= *deadline_ms || self.is_done(inner)
            }
        }
    }

    /// Reports what a waiting command printed since the last poll, and whether it has finished.
    pub fn poll(&self, wait: &mut Wait) -> Progress {
        match wait {
            Wait::Rollout {
                key,
                uid,
                last_rv,
                revision,
            } => rollout::poll_status(&self.sim, key, uid, last_rv, *revision),
            Wait::Logs(follows) => logs::poll(&self.sim, follows),
            Wait::Drain(d) => drain::poll(&self.sim, d),
            Wait::Watch(w) => watch::poll(&self.sim, w),
            Wait::Cond(w) => wait::poll(&self.sim, w),
            Wait::Timeout { inner, deadline_ms } => {
                let mut p = self.poll(inner);
                if !p.done && self.sim.elapsed_ms() >= *deadline_ms {
                    p.done = true;
                    p.exit_code = 124;
                }
                p
            }
            other => Progress {
                done: self.is_done(other),
                ..Default::default()
            },
        }
    }

    /// Lets virtual time pass until `wait` is over, or `limit_ms` has passed, collecting what it
    /// printed on the way. `done` is false if the limit ran out first.
    pub fn run_until_done(&mut self, wait: &mut Wait, limit_ms: u64) -> Progress {
        let mut end = self.sim.elapsed_ms().saturating_add(limit_ms);
        if let Wait::Timeout { deadline_ms, .. } = wait {
            end = end.min(*deadline_ms);
        }
        if let Wait::Cond(w) = wait {
            end = end.min(w.deadline_ms);
        }
        let mut acc = Progress::default();
        if let Wait::Until { elapsed_ms } = wait {
            self.sim.run_until((*elapsed_ms).min(end));
            acc.done = self.is_done(wait);
            return acc;
        }
        loop {
            let p = self.poll(wait);
            acc.stdout.push_str(&p.stdout);
            acc.stderr.push_str(&p.stderr);
            if p.done {
                acc.done = true;
                acc.exit_code = p.exit_code;
                return acc;
            }
            match self.sim.next_task_time() {
                Some(at) if at <= end => {
                    self.sim.step();
                }
                _ => {
                    self.sim.run_until(end);
                    let p = self.poll(wait);
                    acc.stdout.push_str(&p.stdout);
                    acc.stderr.push_str(&p.stderr);
                    acc.done = p.done;
                    acc.exit_code = p.exit_code;
                    return acc;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30s"), Some(30_000));
        assert_eq!(parse_duration_ms("30"), Some(30_000));
        assert_eq!(parse_duration_ms("2m30s"), Some(150_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("1h"), Some(3_600_000));
        assert_eq!(parse_duration_ms("abc"), None);
        assert_eq!(parse_duration_ms("5x"), None);
        assert_eq!(parse_duration_ms("-1"), None);
        assert_eq!(parse_duration_ms(""), None);
    }
}
