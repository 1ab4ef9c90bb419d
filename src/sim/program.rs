//! What a container does: its image's default program or its `command`/`args`, interpreted as a
//! tiny POSIX-shell subset in virtual time. Pure and deterministic: the same program, context and
//! horizon always give the same log lines, exit code and duration.
//!
//! Supported: `sh -c` / `bash -c` scripts with `;`, `&&`, `||`, `|` (only the last command's output
//! is kept), `while`/`until`/`for`/`if`, `{ …; }`, variables, `$(…)`, `` `…` ``, `$((…))`,
//! redirections to `/dev/null`, `2>&1`, `>&2` and files; the commands `echo`, `printf`, `sleep`,
//! `date`, `printenv`, `env`, `hostname`, `cat`, `ls`, `true`, `false`, `exit`, `test`/`[`, `seq`,
//! `expr`, `tail -f`, `perl -Mbignum=bpi -wle 'print bpi(N)'`; and the servers of the catalogue's
//! images (nginx, httpd, redis, postgres, kubernetes-bootcamp, echoserver).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::images;

/// Everything a program may observe of the world it starts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ctx {
    /// The instant the container started (`date` reads it plus the program's elapsed time).
    pub start: DateTime<Utc>,
    /// The container's environment, in order (`printenv` prints it as is).
    pub env: Vec<(String, String)>,
    pub hostname: String,
    pub pod_ip: String,
    /// CPUs of the node (nginx starts one worker per CPU).
    pub cpus: u32,
    /// Files the kubelet mounts into the container (ConfigMap, Secret, downward API and
    /// service-account volumes): absolute path -> content.
    pub mounts: Vec<(String, String)>,
}

impl Ctx {
    pub fn new(start: DateTime<Utc>) -> Self {
        Ctx {
            start,
            env: Vec::new(),
            hostname: "pod".into(),
            pod_ip: "10.244.0.2".into(),
            cpus: 4,
            mounts: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line the program printed, `at_ms` after it started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub at_ms: u64,
    pub stream: Stream,
    pub text: String,
    /// False for a last line printed without a newline.
    pub newline: bool,
}

/// The program's end: exit code, `at_ms` after it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub at_ms: u64,
    pub code: i32,
}

/// What the program did up to a horizon.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub lines: Vec<Line>,
    /// `Some` if it ended at or before the horizon.
    pub exit: Option<Exit>,
}

/// The runtime could not start the program at all (`StartError`, exit code 128).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartError {
    pub message: String,
}

/// How many log lines a container keeps (older ones rotate away, as the kubelet's 10 MiB files do).
pub const MAX_LINES: usize = 50_000;
/// Work limit for one interpretation (a tight loop with no `sleep` stops here).
const MAX_STEPS: u64 = 400_000;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Server {
    Nginx { version: String, alpine: bool },
    Httpd,
    Redis { version: String },
    Postgres { password: bool },
    Bootcamp { version: String },
    Quiet,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Body {
    Argv(Vec<String>),
    Server(Server),
}

/// A container's program, resolved from its image and `command`/`args`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    body: Body,
    /// Debian's `sh` is dash, whose `echo` interprets backslash escapes; busybox's does not.
    dash: bool,
    image: String,
}

/// The image's ENTRYPOINT+CMD as the runtime would run them with no override.
fn default_argv(repo: &str) -> Option<Vec<String>> {
    let v = |xs: &[&str]| Some(xs.iter().map(|s| s.to_string()).collect());
    let base = repo.rsplit('/').next().unwrap_or(repo);
    match base {
        "busybox" | "alpine" => v(&["sh"]),
        "debian" | "ubuntu" => v(&["bash"]),
        "perl" => v(&["perl", "-de0"]),
        "python" => v(&["python3"]),
        _ => None,
    }
}

fn is_debian(repo: &str, tag: &str) -> bool {
    let base = repo.rsplit('/').next().unwrap_or(repo);
    !matches!(base, "busybox" | "alpine") && !tag.contains("alpine")
}

/// The image's own environment (its Dockerfile `ENV`), after PATH.
pub fn image_env(image: &str) -> Vec<(String, String)> {
    let r = images::parse_image(image);
    let base = r.repo.rsplit('/').next().unwrap_or(&r.repo).to_string();
    match base.as_str() {
        "nginx" => vec![
            ("NGINX_VERSION".into(), nginx_version(&r.tag)),
            ("NJS_VERSION".into(), "0.8.9".into()),
            ("NJS_RELEASE".into(), "1~bookworm".into()),
            ("PKG_RELEASE".into(), "1~bookworm".into()),
            ("DYNPKG_RELEASE".into(), "1~bookworm".into()),
        ],
        "redis" => vec![(
            "REDIS_DOWNLOAD_URL".into(),
            "http://download.redis.io/releases/redis-7.4.2.tar.gz".into(),
        )],
        "httpd" => vec![
            ("HTTPD_PREFIX".into(), "/usr/local/apache2".into()),
            ("HTTPD_VERSION".into(), "2.4.63".into()),
        ],
        "postgres" => vec![
            ("PG_MAJOR".into(), "17".into()),
            ("PGDATA".into(), "/var/lib/postgresql/data".into()),
        ],
        "kubernetes-bootcamp" => vec![
            ("NPM_CONFIG_LOGLEVEL".into(), "info".into()),
            ("NODE_VERSION".into(), "6.3.1".into()),
        ],
        _ => Vec::new(),
    }
}

fn nginx_version(tag: &str) -> String {
    let t = tag.trim_end_matches("-alpine");
    match t {
        "1.14.2" | "1.16.1" | "1.27.3" | "1.27.4" => t.to_string(),
        "1.25" => "1.25.5".into(),
        "1.26" | "stable" => "1.26.3".into(),
        "1.28" => "1.28.0".into(),
        _ => "1.27.4".into(),
    }
}

impl Program {
    /// The program a container of `image` runs with these `command` and `args` (Kubernetes: `command`
    /// replaces the image's ENTRYPOINT, `args` its CMD). `env` is the container's environment, for
    /// programs whose behaviour depends on it (postgres wants a password).
    pub fn resolve(
        image: &str,
        command: Option<&[String]>,
        args: Option<&[String]>,
        env: &[(String, String)],
    ) -> Program {
        let r = images::parse_image(image);
        let dash = is_debian(&r.repo, &r.tag);
        let base = r.repo.rsplit('/').next().unwrap_or(&r.repo).to_string();
        let server = match base.as_str() {
            "nginx" => Some(Server::Nginx {
                version: nginx_version(&r.tag),
                alpine: r.tag.contains("alpine"),
            }),
            "httpd" => Some(Server::Httpd),
            "redis" => Some(Server::Redis {
                version: if r.tag.starts_with("6") {
                    "6.2.17".into()
                } else {
                    "7.4.2".into()
                },
            }),
            "postgres" => Some(Server::Postgres {
                password: env.iter().any(|(k, v)| {
                    (k == "POSTGRES_PASSWORD" && !v.is_empty())
                        || (k == "POSTGRES_HOST_AUTH_METHOD" && v == "trust")
                }),
            }),
            "kubernetes-bootcamp" => Some(Server::Bootcamp {
                version: r.tag.clone(),
            }),
            _ => None,
        };
        let body = match (
            command.filter(|c| !c.is_empty()),
            args.filter(|a| !a.is_empty()),
        ) {
            (Some(c), a) => Body::Argv(c.iter().chain(a.into_iter().flatten()).cloned().collect()),
            // `args` alone go to the image's ENTRYPOINT: shell images have none; the entrypoint
            // scripts of nginx, redis and postgres run a program named first, or the server with
            // flags; system images' entrypoint is their server binary.
            (None, Some(a)) => match (server, default_argv(&r.repo)) {
                (_, Some(_)) => Body::Argv(a.to_vec()),
                (Some(s), None) if a[0].starts_with('-') => Body::Server(s),
                (
                    Some(Server::Nginx { .. } | Server::Redis { .. } | Server::Postgres { .. }),
                    None,
                ) => Body::Argv(a.to_vec()),
                (Some(s), None) => Body::Server(s),
                (None, None) => Body::Server(Server::Quiet),
            },
            (None, None) => match (server, default_argv(&r.repo)) {
                (Some(s), _) => Body::Server(s),
                (None, Some(argv)) => Body::Argv(argv),
                // System images and anything else we know nothing about: a quiet server.
                (None, None) => Body::Server(Server::Quiet),
            },
        };
        Program {
            body,
            dash,
            image: image.to_string(),
        }
    }

    /// Milliseconds the program takes to exit after SIGTERM, or `None` if it ignores it (a shell or
    /// `sleep` as PID 1 has no handler and is killed when the grace period ends).
    pub fn sigterm_exit_ms(&self) -> Option<u64> {
        match &self.body {
            Body::Server(_) => Some(match images::lookup(&self.image).map(|i| i.behaviour) {
                Some(images::Behaviour::Server { stop_ms }) => stop_ms,
                _ => 100,
            }),
            Body::Argv(a) => match a.first().map(|s| basename(s)) {
                Some(
                    "nginx"
                    | "redis-server"
                    | "httpd-foreground"
                    | "httpd"
                    | "postgres"
                    | "docker-entrypoint.sh",
                ) => Some(300),
                _ => None,
            },
        }
    }

    /// Fails to start when the executable does not exist in the image.
    pub fn start_error(&self) -> Option<StartError> {
        let Body::Argv(a) = &self.body else {
            return None;
        };
        let prog = a.first()?;
        if known_binary(basename(prog), &self.image) {
            return None;
        }
        let detail = if prog.contains('/') {
            format!("exec: \"{prog}\": stat {prog}: no such file or directory")
        } else {
            format!("exec: \"{prog}\": executable file not found in $PATH")
        };
        Some(StartError {
            message: format!(
                "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: {detail}: unknown"
            ),
        })
    }

    /// Runs the program to `horizon_ms` after its start (`None`: until it exits; a program that
    /// never exits stops as soon as that is certain, with `exit: None`).
    pub fn run(&self, ctx: &Ctx, horizon_ms: Option<u64>) -> Trace {
        let mut it = Interp::new(ctx, horizon_ms, self.dash);
        let flow = match &self.body {
            Body::Server(s) => it.server(s),
            Body::Argv(argv) => it.exec_argv(argv, true),
        };
        it.flush();
        let exit = match flow {
            Flow::Stop => None,
            Flow::Exit(code) => Some(code),
            _ => Some(it.status),
        };
        let at = it.t;
        Trace {
            lines: it.lines,
            exit: exit
                .filter(|_| horizon_ms.is_none_or(|h| at <= h))
                .map(|code| Exit { at_ms: at, code }),
        }
    }

    /// When and how the program ends, or `None` if it runs until stopped.
    pub fn exit(&self, ctx: &Ctx) -> Option<Exit> {
        self.run(ctx, None).exit
    }

    /// Runs one command in a running container (`kubectl exec`) at `at_ms` after its start; returns
    /// (stdout, stderr, exit code).
    pub fn exec(&self, ctx: &Ctx, at_ms: u64, argv: &[String]) -> (String, String, i32) {
        // The container's filesystem as the main program has left it by now (`touch /tmp/healthy;
        // sleep 30; rm /tmp/healthy`): run it to this instant and keep its files.
        let files = match &self.body {
            Body::Argv(main) => {
                let mut run = Interp::new(ctx, Some(at_ms), self.dash);
                run.capture.push((String::new(), String::new()));
                let _ = run.exec_argv(main, true);
                Some(run.files)
            }
            Body::Server(_) => None,
        };
        let mut it = Interp::new(ctx, None, self.dash);
        if let Some(f) = files {
            it.files = f;
        }
        it.t = at_ms;
        it.capture.push((String::new(), String::new()));
        it.merge_capture_stderr = false;
        let flow = it.exec_argv(argv, false);
        let (out, err) = it.capture.pop().unwrap_or_default();
        let code = match flow {
            Flow::Exit(c) => c,
            _ => it.status,
        };
        (out, err, code)
    }
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash"];
const BUILTINS: &[&str] = &[
    "echo", "printf", "sleep", "date", "printenv", "env", "hostname", "cat", "ls", "true", "false",
    "test", "[", "seq", "expr", "tail", "pwd", "whoami", "id", "uname", "wc", "head", "yes",
    "nslookup", "wget", "touch", "mkdir", "rm",
];

fn known_binary(name: &str, image: &str) -> bool {
    let repo = images::parse_image(image).repo;
    let base = repo.rsplit('/').next().unwrap_or(&repo);
    if name == "bash" {
        return !matches!(base, "busybox" | "alpine");
    }
    if SHELLS.contains(&name) || BUILTINS.contains(&name) {
        return true;
    }
    matches!(
        (name, base),
        ("perl", "perl")
            | ("python" | "python3", "python")
            | ("nginx", "nginx")
            | ("redis-server" | "redis-cli", "redis")
            | ("httpd" | "httpd-foreground", "httpd")
            | ("postgres" | "docker-entrypoint.sh", "postgres")
            | ("node", "kubernetes-bootcamp")
    )
}

// ------------------------------------------------------------------------------------ parsing

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Op(&'static str),
    /// A redirection: fd, operator (`>`, `>>`, `<`, `>&`), target word.
    Redir(u32, &'static str),
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut i = 0;
    let end_word = |cur: &mut String, in_word: &mut bool, toks: &mut Vec<Tok>| {
        if *in_word {
            toks.push(Tok::Word(std::mem::take(cur)));
            *in_word = false;
        }
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' => {
                end_word(&mut cur, &mut in_word, &mut toks);
                i += 1;
            }
            '\n' | ';' | '&' | '|' | '(' | ')' => {
                end_word(&mut cur, &mut in_word, &mut toks);
                let two: String = c[i..(i + 2).min(c.len())].iter().collect();
                let op: &'static str = match (ch, two.as_str()) {
                    (_, "&&") => "&&",
                    (_, "||") => "||",
                    (_, ";;") => ";;",
                    ('\n', _) => "\n",
                    (';', _) => ";",
                    ('&', _) => "&",
                    ('|', _) => "|",
                    ('(', _) => "(",
                    _ => ")",
                };
                i += op.len();
                toks.push(Tok::Op(op));
            }
            '>' | '<' => {
                let fd = if in_word && !cur.is_empty() && cur.chars().all(|d| d.is_ascii_digit()) {
                    let n = cur.parse().unwrap_or(1);
                    cur.clear();
                    in_word = false;
                    n
                } else {
                    end_word(&mut cur, &mut in_word, &mut toks);
                    if ch == '<' {
                        0
                    } else {
                        1
                    }
                };
                let next = c.get(i + 1).copied();
                let op: &'static str = match (ch, next) {
                    ('>', Some('>')) => ">>",
                    ('>', Some('&')) => ">&",
                    ('<', Some('&')) => "<&",
                    ('>', _) => ">",
                    _ => "<",
                };
                i += op.len();
                toks.push(Tok::Redir(fd, op));
            }
            '#' if !in_word => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                in_word = true;
                let close = c[i + 1..]
                    .iter()
                    .position(|&x| x == '\'')
                    .ok_or("unterminated quoted string")?;
                cur.extend(&c[i..i + close + 2]);
                i += close + 2;
            }
            '"' => {
                in_word = true;
                let start = i;
                i += 1;
                loop {
                    match c.get(i) {
                        None => return Err("unterminated quoted string".into()),
                        Some('\\') => i += 2,
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('$') if c.get(i + 1) == Some(&'(') => i = skip_parens(&c, i + 1)?,
                        Some('`') => i = skip_backquote(&c, i)?,
                        _ => i += 1,
                    }
                }
                cur.extend(&c[start..i]);
            }
            '\\' => {
                in_word = true;
                cur.extend(&c[i..(i + 2).min(c.len())]);
                i += 2;
            }
            '$' if c.get(i + 1) == Some(&'(') => {
                in_word = true;
                let j = skip_parens(&c, i + 1)?;
                cur.extend(&c[i..j]);
                i = j;
            }
            '`' => {
                in_word = true;
                let j = skip_backquote(&c, i)?;
                cur.extend(&c[i..j]);
                i = j;
            }
            _ => {
                in_word = true;
                cur.push(ch);
                i += 1;
            }
        }
    }
    end_word(&mut cur, &mut in_word, &mut toks);
    Ok(toks)
}

/// From an opening `(` at `i`, returns the index after its matching `)`.
fn skip_parens(c: &[char], mut i: usize) -> Result<usize, String> {
    let mut depth = 0;
    while i < c.len() {
        match c[i] {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            '\'' => {
                let close = c[i + 1..]
                    .iter()
                    .position(|&x| x == '\'')
                    .ok_or("unterminated quoted string")?;
                i += close + 1;
            }
            '\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    Err("unexpected EOF while looking for matching `)'".into())
}

fn skip_backquote(c: &[char], i: usize) -> Result<usize, String> {
    let mut j = i + 1;
    while j < c.len() {
        match c[j] {
            '\\' => j += 1,
            '`' => return Ok(j + 1),
            _ => {}
        }
        j += 1;
    }
    Err("unexpected EOF while looking for matching ``'".into())
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Redir {
    /// Send fd to a file (`/dev/null` discards); `append`.
    File {
        fd: u32,
        path: String,
        append: bool,
    },
    /// fd `from` writes where `to` writes.
    Dup {
        from: u32,
        to: u32,
    },
    Input,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Simple {
        words: Vec<String>,
        redirs: Vec<Redir>,
    },
    Loop {
        until: bool,
        cond: List,
        body: List,
    },
    For {
        var: String,
        items: Option<Vec<String>>,
        body: List,
    },
    If {
        branches: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    Group(List, Vec<Redir>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Pipeline {
    negate: bool,
    cmds: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct AndOr {
    first: Pipeline,
    rest: Vec<(bool, Pipeline)>,
}

type List = Vec<AndOr>;

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

fn is_word(t: Option<&Tok>, w: &str) -> bool {
    matches!(t, Some(Tok::Word(x)) if x == w)
}

const RESERVED: &[&str] = &["do", "done", "then", "else", "elif", "fi", "}", "esac"];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Op("\n"))) {
            self.pos += 1;
        }
    }
    fn expect_word(&mut self, w: &str) -> Result<(), String> {
        self.skip_newlines();
        if is_word(self.peek(), w) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("syntax error: unexpected {}", self.describe()))
        }
    }
    fn describe(&self) -> String {
        match self.peek() {
            None => "end of file".into(),
            Some(Tok::Word(w)) => format!("\"{w}\""),
            Some(Tok::Op("\n")) => "newline".into(),
            Some(Tok::Op(o)) => format!("\"{o}\""),
            Some(Tok::Redir(..)) => "redirection".into(),
        }
    }
    /// A list up to one of the `stops` reserved words (or the end).
    fn list(&mut self, stops: &[&str]) -> Result<List, String> {
        let mut out = Vec::new();
        loop {
            self.skip_newlines();
            match self.peek() {
                None => break,
                Some(Tok::Word(w)) if stops.contains(&w.as_str()) => break,
                Some(Tok::Op(")")) if stops.contains(&")") => break,
                Some(Tok::Op(";" | "&")) => {
                    return Err(format!("syntax error: unexpected {}", self.describe()));
                }
                _ => {}
            }
            out.push(self.and_or()?);
            if let Some(Tok::Op(";" | "&" | "\n")) = self.peek() {
                self.pos += 1
            }
        }
        Ok(out)
    }
    fn and_or(&mut self) -> Result<AndOr, String> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let and = match self.peek() {
                Some(Tok::Op("&&")) => true,
                Some(Tok::Op("||")) => false,
                _ => break,
            };
            self.pos += 1;
            self.skip_newlines();
            rest.push((and, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }
    fn pipeline(&mut self) -> Result<Pipeline, String> {
        let mut negate = false;
        if is_word(self.peek(), "!") {
            negate = true;
            self.pos += 1;
        }
        let mut cmds = vec![self.command()?];
        while matches!(self.peek(), Some(Tok::Op("|"))) {
            self.pos += 1;
            self.skip_newlines();
            cmds.push(self.command()?);
        }
        Ok(Pipeline { negate, cmds })
    }
    fn redirs(&mut self, out: &mut Vec<Redir>) -> Result<(), String> {
        while let Some(Tok::Redir(fd, op)) = self.peek().cloned() {
            self.pos += 1;
            let Some(Tok::Word(target)) = self.peek().cloned() else {
                return Err(format!("syntax error: unexpected {}", self.describe()));
            };
            self.pos += 1;
            out.push(match op {
                ">&" => match target.parse::<u32>() {
                    Ok(to) => Redir::Dup { from: fd, to },
                    Err(_) => Redir::File {
                        fd,
                        path: target,
                        append: false,
                    },
                },
                ">" | ">>" => Redir::File {
                    fd,
                    path: target,
                    append: op == ">>",
                },
                _ => Redir::Input,
            });
        }
        Ok(())
    }
    fn command(&mut self) -> Result<Node, String> {
        let node = match self.peek() {
            Some(Tok::Word(w)) if w == "while" || w == "until" => {
                let until = w == "until";
                self.pos += 1;
                let cond = self.list(&["do"])?;
                self.expect_word("do")?;
                let body = self.list(&["done"])?;
                self.expect_word("done")?;
                Node::Loop { until, cond, body }
            }
            Some(Tok::Word(w)) if w == "for" => {
                self.pos += 1;
                let Some(Tok::Word(var)) = self.peek().cloned() else {
                    return Err(format!("syntax error: unexpected {}", self.describe()));
                };
                self.pos += 1;
                let mut items = None;
                if is_word(self.peek(), "in") {
                    self.pos += 1;
                    let mut v = Vec::new();
                    while let Some(Tok::Word(x)) = self.peek().cloned() {
                        v.push(x);
                        self.pos += 1;
                    }
                    items = Some(v);
                }
                if matches!(self.peek(), Some(Tok::Op(";"))) {
                    self.pos += 1;
                }
                self.expect_word("do")?;
                let body = self.list(&["done"])?;
                self.expect_word("done")?;
                Node::For { var, items, body }
            }
            Some(Tok::Word(w)) if w == "if" => {
                self.pos += 1;
                let mut branches = Vec::new();
                let mut otherwise = None;
                loop {
                    let cond = self.list(&["then"])?;
                    self.expect_word("then")?;
                    let body = self.list(&["elif", "else", "fi"])?;
                    branches.push((cond, body));
                    self.skip_newlines();
                    match self.peek() {
                        Some(Tok::Word(w)) if w == "elif" => self.pos += 1,
                        Some(Tok::Word(w)) if w == "else" => {
                            self.pos += 1;
                            otherwise = Some(self.list(&["fi"])?);
                            self.expect_word("fi")?;
                            break;
                        }
                        _ => {
                            self.expect_word("fi")?;
                            break;
                        }
                    }
                }
                Node::If {
                    branches,
                    otherwise,
                }
            }
            Some(Tok::Word(w)) if w == "{" => {
                self.pos += 1;
                let body = self.list(&["}"])?;
                self.expect_word("}")?;
                let mut r = Vec::new();
                self.redirs(&mut r)?;
                Node::Group(body, r)
            }
            Some(Tok::Op("(")) => {
                self.pos += 1;
                let body = self.list(&[")"])?;
                self.skip_newlines();
                if !matches!(self.peek(), Some(Tok::Op(")"))) {
                    return Err(format!("syntax error: unexpected {}", self.describe()));
                }
                self.pos += 1;
                let mut r = Vec::new();
                self.redirs(&mut r)?;
                Node::Group(body, r)
            }
            Some(Tok::Word(w)) if RESERVED.contains(&w.as_str()) => {
                return Err(format!("syntax error: unexpected \"{w}\""));
            }
            _ => {
                let mut words = Vec::new();
                let mut redirs = Vec::new();
                loop {
                    match self.peek().cloned() {
                        Some(Tok::Word(w)) => {
                            words.push(w);
                            self.pos += 1;
                        }
                        Some(Tok::Redir(..)) => self.redirs(&mut redirs)?,
                        _ => break,
                    }
                }
                if words.is_empty() && redirs.is_empty() {
                    return Err(format!("syntax error: unexpected {}", self.describe()));
                }
                Node::Simple { words, redirs }
            }
        };
        Ok(node)
    }
}

fn parse(src: &str) -> Result<List, String> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let list = p.list(&[])?;
    if p.pos < p.toks.len() {
        return Err(format!("syntax error: unexpected {}", p.describe()));
    }
    Ok(list)
}

/// True if running `list` can end a loop or the program (`break`, `exit`, `return`).
fn can_escape(list: &List) -> bool {
    fn node(n: &Node) -> bool {
        match n {
            Node::Simple { words, .. } => words.iter().any(|w| {
                let w = w.as_str();
                w == "break"
                    || w == "exit"
                    || w == "return"
                    || w.contains("exit")
                    || w.contains("kill")
            }),
            Node::Loop { cond, body, .. } => can_escape(cond) || can_escape(body),
            Node::For { body, .. } => can_escape(body),
            Node::If {
                branches,
                otherwise,
            } => {
                branches.iter().any(|(c, b)| can_escape(c) || can_escape(b))
                    || otherwise.as_ref().is_some_and(can_escape)
            }
            Node::Group(l, _) => can_escape(l),
        }
    }
    list.iter().any(|a| {
        std::iter::once(&a.first)
            .chain(a.rest.iter().map(|(_, p)| p))
            .any(|p| p.cmds.iter().any(node))
    })
}

fn always_true(list: &List) -> bool {
    list.len() == 1
        && list[0].rest.is_empty()
        && !list[0].first.negate
        && list[0].first.cmds.len() == 1
        && matches!(&list[0].first.cmds[0], Node::Simple { words, redirs } if redirs.is_empty() && words.len() == 1 && (words[0] == "true" || words[0] == ":"))
}

// --------------------------------------------------------------------------------- interpreter

enum Flow {
    Normal,
    Exit(i32),
    Break(u32),
    Continue(u32),
    /// The horizon was reached, or the program is certain never to end.
    Stop,
}

/// Where fd 1 and fd 2 of the running command go.
#[derive(Clone, Debug)]
enum Sink {
    Out(Stream),
    Null,
    File(String),
}

struct Interp<'a> {
    ctx: &'a Ctx,
    horizon: Option<u64>,
    dash: bool,
    t: u64,
    vars: BTreeMap<String, String>,
    env_order: Vec<String>,
    files: BTreeMap<String, String>,
    status: i32,
    steps: u64,
    lines: Vec<Line>,
    partial: [String; 2],
    /// Output captured by `$(…)` (and `exec`): stdout, stderr.
    capture: Vec<(String, String)>,
    merge_capture_stderr: bool,
    sinks: [Sink; 2],
}

impl<'a> Interp<'a> {
    fn new(ctx: &'a Ctx, horizon: Option<u64>, dash: bool) -> Self {
        let mut vars = BTreeMap::new();
        let mut env_order = Vec::new();
        for (k, v) in &ctx.env {
            if vars.insert(k.clone(), v.clone()).is_none() {
                env_order.push(k.clone());
            }
        }
        vars.entry("HOSTNAME".into())
            .or_insert_with(|| ctx.hostname.clone());
        let mut files = BTreeMap::new();
        files.insert("/etc/hostname".to_string(), format!("{}\n", ctx.hostname));
        files.insert("/etc/hosts".to_string(), format!(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{}\t{}\n",
            ctx.pod_ip, ctx.hostname
        ));
        for (path, content) in &ctx.mounts {
            files.insert(path.clone(), content.clone());
        }
        files.insert(
            "/etc/resolv.conf".to_string(),
            "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n".into(),
        );
        Interp {
            ctx,
            horizon,
            dash,
            t: 0,
            vars,
            env_order,
            files,
            status: 0,
            steps: 0,
            lines: Vec::new(),
            partial: [String::new(), String::new()],
            capture: Vec::new(),
            merge_capture_stderr: true,
            sinks: [Sink::Out(Stream::Stdout), Sink::Out(Stream::Stderr)],
        }
    }

    fn past_horizon(&self) -> bool {
        self.horizon.is_some_and(|h| self.t > h)
    }

    /// Lets `ms` pass; `Stop` if that crosses the horizon.
    fn pass(&mut self, ms: u64) -> Flow {
        if let Some(h) = self.horizon {
            if self.t.saturating_add(ms) > h {
                self.t = h.saturating_add(1);
                return Flow::Stop;
            }
        } else if ms == u64::MAX {
            return Flow::Stop;
        }
        self.t = self.t.saturating_add(ms);
        Flow::Normal
    }

    fn write(&mut self, fd: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.sinks[fd.min(1)].clone() {
            Sink::Null => {}
            Sink::File(p) => self.files.entry(p).or_default().push_str(text),
            Sink::Out(stream) => {
                if let Some(cap) = self.capture.last_mut() {
                    if stream == Stream::Stdout {
                        cap.0.push_str(text);
                    } else if self.merge_capture_stderr {
                        // `$(…)` passes stderr through to the container's log.
                        self.emit(Stream::Stderr, text);
                    } else {
                        cap.1.push_str(text);
                    }
                    return;
                }
                self.emit(stream, text);
            }
        }
    }

    fn emit(&mut self, stream: Stream, text: &str) {
        if self.past_horizon() {
            return;
        }
        let idx = if stream == Stream::Stdout { 0 } else { 1 };
        let mut buf = std::mem::take(&mut self.partial[idx]);
        buf.push_str(text);
        let mut rest = buf.as_str();
        while let Some(nl) = rest.find('\n') {
            self.lines.push(Line {
                at_ms: self.t,
                stream,
                text: rest[..nl].to_string(),
                newline: true,
            });
            rest = &rest[nl + 1..];
        }
        self.partial[idx] = rest.to_string();
        if self.lines.len() > 2 * MAX_LINES {
            let drop = self.lines.len() - MAX_LINES;
            self.lines.drain(..drop);
        }
    }

    fn flush(&mut self) {
        for (idx, stream) in [(0, Stream::Stdout), (1, Stream::Stderr)] {
            let p = std::mem::take(&mut self.partial[idx]);
            if !p.is_empty() {
                self.lines.push(Line {
                    at_ms: self.t.min(self.horizon.unwrap_or(u64::MAX)),
                    stream,
                    text: p,
                    newline: false,
                });
            }
        }
        if self.lines.len() > MAX_LINES {
            let drop = self.lines.len() - MAX_LINES;
            self.lines.drain(..drop);
        }
    }

    fn out(&mut self, text: &str) {
        self.write(0, text);
    }
    fn err(&mut self, text: &str) {
        self.write(1, text);
    }

    fn now(&self) -> DateTime<Utc> {
        self.ctx.start + chrono::Duration::milliseconds(self.t.min(i64::MAX as u64 / 2) as i64)
    }

    fn shell_name(&self) -> &'static str {
        if self.dash {
            "/bin/sh"
        } else {
            "sh"
        }
    }

    // ------------------------------------------------------------------ top level

    fn exec_argv(&mut self, argv: &[String], top: bool) -> Flow {
        let Some(prog) = argv.first() else {
            return Flow::Normal;
        };
        let name = basename(prog).to_string();
        if SHELLS.contains(&name.as_str()) {
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                if a == "-c" {
                    let Some(script) = argv.get(i + 1) else {
                        self.err(&format!("{name}: -c: option requires an argument\n"));
                        return Flow::Exit(2);
                    };
                    if name == "bash" {
                        self.dash = false;
                    }
                    return self.script(script, &name);
                }
                if a.starts_with('-') {
                    i += 1;
                    continue;
                }
                self.err(&format!(
                    "{name}: can't open '{a}': No such file or directory\n"
                ));
                return Flow::Exit(if name == "bash" { 127 } else { 2 });
            }
            // A shell with no script and no terminal reads EOF and exits at once.
            return Flow::Exit(0);
        }
        if top {
            let r = self.simple(argv);
            if let Flow::Normal = r {
                return Flow::Exit(self.status);
            }
            return r;
        }
        self.simple(argv)
    }

    fn script(&mut self, src: &str, shell: &str) -> Flow {
        match parse(src) {
            Ok(list) => match self.list(&list) {
                Flow::Normal | Flow::Break(_) | Flow::Continue(_) => Flow::Exit(self.status),
                other => other,
            },
            Err(e) => {
                let who = if shell == "bash" {
                    "bash: -c: line 1".to_string()
                } else {
                    format!("{shell}: 1")
                };
                self.err(&format!("{who}: {e}\n"));
                Flow::Exit(2)
            }
        }
    }

    fn list(&mut self, list: &List) -> Flow {
        for ao in list {
            let f = self.and_or(ao);
            if !matches!(f, Flow::Normal) {
                return f;
            }
        }
        Flow::Normal
    }

    fn and_or(&mut self, ao: &AndOr) -> Flow {
        let f = self.pipeline(&ao.first);
        if !matches!(f, Flow::Normal) {
            return f;
        }
        for (and, p) in &ao.rest {
            if (self.status == 0) != *and {
                continue;
            }
            let f = self.pipeline(p);
            if !matches!(f, Flow::Normal) {
                return f;
            }
        }
        Flow::Normal
    }

    fn pipeline(&mut self, p: &Pipeline) -> Flow {
        let n = p.cmds.len();
        for (i, c) in p.cmds.iter().enumerate() {
            let last = i + 1 == n;
            let saved = self.sinks.clone();
            if !last {
                // Only the last command of a pipeline writes to the log.
                self.sinks[0] = Sink::Null;
            }
            let f = self.node(c);
            self.sinks = saved;
            match f {
                Flow::Normal => {}
                Flow::Exit(code) if !last => {
                    let _ = code;
                }
                other => return other,
            }
        }
        if p.negate {
            self.status = if self.status == 0 { 1 } else { 0 };
        }
        Flow::Normal
    }

    fn apply_redirs(&mut self, redirs: &[Redir]) -> Result<(), String> {
        for r in redirs {
            match r {
                Redir::File { fd, path, append } => {
                    let path = self.expand_one(path);
                    let sink = if path == "/dev/null" {
                        Sink::Null
                    } else if path == "/dev/stdout" {
                        Sink::Out(Stream::Stdout)
                    } else if path == "/dev/stderr" {
                        Sink::Out(Stream::Stderr)
                    } else {
                        if !append {
                            self.files.insert(path.clone(), String::new());
                        }
                        Sink::File(path)
                    };
                    match fd {
                        1 => self.sinks[0] = sink,
                        2 => self.sinks[1] = sink,
                        _ => {}
                    }
                }
                Redir::Dup { from, to } => {
                    let to = match to {
                        1 => self.sinks[0].clone(),
                        2 => self.sinks[1].clone(),
                        _ => return Err(format!("{to}: bad file descriptor")),
                    };
                    match from {
                        1 => self.sinks[0] = to,
                        2 => self.sinks[1] = to,
                        _ => {}
                    }
                }
                Redir::Input => {}
            }
        }
        Ok(())
    }

    fn step(&mut self) -> bool {
        self.steps += 1;
        self.steps > MAX_STEPS
    }

    fn node(&mut self, n: &Node) -> Flow {
        if self.step() {
            return Flow::Stop;
        }
        match n {
            Node::Simple { words, redirs } => {
                let saved = self.sinks.clone();
                if let Err(e) = self.apply_redirs(redirs) {
                    self.err(&format!("{}: {e}\n", self.shell_name()));
                    self.status = 2;
                    self.sinks = saved;
                    return Flow::Normal;
                }
                // Leading assignments (`i=0`).
                let mut k = 0;
                while k < words.len() {
                    match assignment(&words[k]) {
                        Some((name, val)) => {
                            let v = self.expand_one(val);
                            if let Some(f) = self.stop_flow() {
                                self.sinks = saved;
                                return f;
                            }
                            self.vars.insert(name.to_string(), v);
                            k += 1;
                        }
                        None => break,
                    }
                }
                let mut argv = Vec::new();
                for w in &words[k..] {
                    argv.extend(self.expand(w));
                }
                if let Some(f) = self.stop_flow() {
                    self.sinks = saved;
                    return f;
                }
                let f = if argv.is_empty() {
                    if k == 0 {
                        self.status = 0;
                    }
                    Flow::Normal
                } else {
                    self.simple(&argv)
                };
                self.sinks = saved;
                f
            }
            Node::Group(list, redirs) => {
                let saved = self.sinks.clone();
                let _ = self.apply_redirs(redirs);
                let f = self.list(list);
                self.sinks = saved;
                f
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    let f = self.list(cond);
                    if !matches!(f, Flow::Normal) {
                        return f;
                    }
                    if self.status == 0 {
                        return self.list(body);
                    }
                }
                self.status = 0;
                match otherwise {
                    Some(l) => self.list(l),
                    None => Flow::Normal,
                }
            }
            Node::Loop { until, cond, body } => {
                if !until && always_true(cond) && !can_escape(body) && self.horizon.is_none() {
                    // `while true` with no way out: the program never ends.
                    return Flow::Stop;
                }
                loop {
                    let t0 = self.t;
                    let f = self.list(cond);
                    if !matches!(f, Flow::Normal) {
                        return f;
                    }
                    if (self.status == 0) == *until {
                        self.status = 0;
                        return Flow::Normal;
                    }
                    match self.list(body) {
                        Flow::Normal | Flow::Continue(1) => {}
                        Flow::Break(1) => {
                            self.status = 0;
                            return Flow::Normal;
                        }
                        Flow::Break(n) => return Flow::Break(n - 1),
                        Flow::Continue(n) => return Flow::Continue(n - 1),
                        other => return other,
                    }
                    if self.t == t0 {
                        // A loop with no sleep still takes time.
                        if let Flow::Stop = self.pass(1) {
                            return Flow::Stop;
                        }
                    }
                    if self.step() {
                        return Flow::Stop;
                    }
                }
            }
            Node::For { var, items, body } => {
                let items: Vec<String> = match items {
                    Some(ws) => ws.iter().flat_map(|w| self.expand(w)).collect(),
                    None => Vec::new(),
                };
                if let Some(f) = self.stop_flow() {
                    return f;
                }
                self.status = 0;
                for it in items {
                    self.vars.insert(var.clone(), it);
                    match self.list(body) {
                        Flow::Normal | Flow::Continue(1) => {}
                        Flow::Break(1) => break,
                        Flow::Break(n) => return Flow::Break(n - 1),
                        Flow::Continue(n) => return Flow::Continue(n - 1),
                        other => return other,
                    }
                }
                Flow::Normal
            }
        }
    }

    fn stop_flow(&self) -> Option<Flow> {
        (self.past_horizon() || self.steps > MAX_STEPS).then_some(Flow::Stop)
    }

    // ------------------------------------------------------------------ expansion

    fn expand_one(&mut self, w: &str) -> String {
        self.expand_word(w, false).join(" ")
    }

    fn expand(&mut self, w: &str) -> Vec<String> {
        self.expand_word(w, true)
    }

    /// Expands quotes, `$VAR`, `${VAR}`, `$?`, `$(…)`, `` `…` `` and `$((…))`; unquoted expansions
    /// are split into fields when `split`.
    fn expand_word(&mut self, w: &str, split: bool) -> Vec<String> {
        let c: Vec<char> = w.chars().collect();
        let mut fields: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut have = false;
        let mut i = 0;
        let mut dq = false;
        while i < c.len() {
            let ch = c[i];
            match ch {
                '\'' if !dq => {
                    let close = c[i + 1..]
                        .iter()
                        .position(|&x| x == '\'')
                        .unwrap_or(c.len() - i - 1);
                    cur.extend(&c[i + 1..i + 1 + close]);
                    have = true;
                    i += close + 2;
                }
                '"' => {
                    dq = !dq;
                    have = true;
                    i += 1;
                }
                '\\' => {
                    let next = c.get(i + 1).copied();
                    match next {
                        Some(n) if !dq || matches!(n, '"' | '\\' | '$' | '`') => {
                            cur.push(n);
                            i += 2;
                        }
                        Some('\n') => i += 2,
                        _ => {
                            cur.push('\\');
                            i += 1;
                        }
                    }
                    have = true;
                }
                '$' | '`' => {
                    let (val, next) = self.dollar(&c, i);
                    i = next;
                    let Some(val) = val else {
                        cur.push('$');
                        continue;
                    };
                    if dq || !split {
                        cur.push_str(&val);
                        have = true;
                    } else {
                        let mut parts = val.split([' ', '\t', '\n']).peekable();
                        let starts_ws = val.starts_with([' ', '\t', '\n']);
                        if starts_ws && (have || !cur.is_empty()) {
                            fields.push(std::mem::take(&mut cur));
                            have = false;
                        }
                        while let Some(p) = parts.next() {
                            if !p.is_empty() {
                                cur.push_str(p);
                                have = true;
                            }
                            if parts.peek().is_some() && (have || !cur.is_empty()) {
                                fields.push(std::mem::take(&mut cur));
                                have = false;
                            }
                        }
                    }
                }
                _ => {
                    cur.push(ch);
                    have = true;
                    i += 1;
                }
            }
        }
        if have || !cur.is_empty() {
            fields.push(cur);
        }
        if !split && fields.is_empty() {
            fields.push(String::new());
        }
        fields
    }

    /// One `$…` or backquote expansion starting at `c[i]`; returns its value (None for a lone `$`)
    /// and the index after it.
    fn dollar(&mut self, c: &[char], i: usize) -> (Option<String>, usize) {
        if c[i] == '`' {
            let end = skip_backquote(c, i).unwrap_or(c.len());
            let inner: String = c[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect();
            return (Some(self.command_subst(&inner)), end);
        }
        match c.get(i + 1) {
            Some('(') if c.get(i + 2) == Some(&'(') => {
                let end = skip_parens(c, i + 1).unwrap_or(c.len());
                let inner: String = c[i + 3..end.saturating_sub(2).max(i + 3)].iter().collect();
                let v = match arith(&inner, &self.vars) {
                    Ok(n) => n.to_string(),
                    Err(e) => {
                        self.err(&format!(
                            "{}: arithmetic syntax error: {e}\n",
                            self.shell_name()
                        ));
                        String::new()
                    }
                };
                (Some(v), end)
            }
            Some('(') => {
                let end = skip_parens(c, i + 1).unwrap_or(c.len());
                let inner: String = c[i + 2..end.saturating_sub(1).max(i + 2)].iter().collect();
                (Some(self.command_subst(&inner)), end)
            }
            Some('{') => {
                let close = c[i + 2..]
                    .iter()
                    .position(|&x| x == '}')
                    .map(|p| i + 2 + p)
                    .unwrap_or(c.len());
                let inner: String = c[i + 2..close.min(c.len())].iter().collect();
                let (name, default) = match inner.split_once(":-") {
                    Some((n, d)) => (n.to_string(), Some(d.to_string())),
                    None => (inner.clone(), None),
                };
                let v = self.var(&name);
                let v = match default {
                    Some(d) if v.is_empty() => d,
                    _ => v,
                };
                (Some(v), close + 1)
            }
            Some('?') => (Some(self.status.to_string()), i + 2),
            Some('$') => (Some("1".into()), i + 2),
            Some('#') => (Some("0".into()), i + 2),
            Some(ch) if ch.is_ascii_alphabetic() || *ch == '_' => {
                let mut j = i + 1;
                while j < c.len() && (c[j].is_ascii_alphanumeric() || c[j] == '_') {
                    j += 1;
                }
                let name: String = c[i + 1..j].iter().collect();
                (Some(self.var(&name)), j)
            }
            Some(ch) if ch.is_ascii_digit() => (Some(String::new()), i + 2),
            _ => (None, i + 1),
        }
    }

    fn var(&self, name: &str) -> String {
        self.vars.get(name).cloned().unwrap_or_default()
    }

    fn command_subst(&mut self, src: &str) -> String {
        self.capture.push((String::new(), String::new()));
        let saved_sinks = std::mem::replace(
            &mut self.sinks,
            [Sink::Out(Stream::Stdout), Sink::Out(Stream::Stderr)],
        );
        let saved_status = self.status;
        let f = match parse(src) {
            Ok(l) => self.list(&l),
            Err(e) => {
                self.err(&format!("{}: {e}\n", self.shell_name()));
                Flow::Normal
            }
        };
        let _ = (f, saved_status);
        self.sinks = saved_sinks;
        let (out, _) = self.capture.pop().unwrap_or_default();
        out.trim_end_matches('\n').to_string()
    }

    // ------------------------------------------------------------------ commands

    fn simple(&mut self, argv: &[String]) -> Flow {
        let name = basename(&argv[0]).to_string();
        let args = &argv[1..];
        self.status = 0;
        match name.as_str() {
            ":" | "true" => {}
            "false" => self.status = 1,
            "exit" => {
                let code = args
                    .first()
                    .map(|a| {
                        a.parse::<i64>()
                            .map(|n| n.rem_euclid(256) as i32)
                            .unwrap_or(2)
                    })
                    .unwrap_or(self.status);
                return Flow::Exit(code);
            }
            "break" => {
                return Flow::Break(
                    args.first()
                        .and_then(|a| a.parse().ok())
                        .unwrap_or(1)
                        .max(1),
                )
            }
            "continue" => {
                return Flow::Continue(
                    args.first()
                        .and_then(|a| a.parse().ok())
                        .unwrap_or(1)
                        .max(1),
                )
            }
            "echo" => self.echo(args),
            "printf" => self.printf(args),
            "sleep" => return self.sleep(args),
            "date" => self.date(args),
            "printenv" => self.printenv(args),
            "env" => {
                if args.is_empty() {
                    self.printenv(&[]);
                } else {
                    return self.simple(args);
                }
            }
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                    }
                    let k = a.split('=').next().unwrap_or(a).to_string();
                    if !self.env_order.contains(&k) {
                        self.env_order.push(k);
                    }
                }
            }
            "hostname" => {
                let h = format!("{}\n", self.ctx.hostname);
                self.out(&h);
            }
            "pwd" => self.out("/\n"),
            "whoami" => self.out("root\n"),
            "id" => self.out("uid=0(root) gid=0(root) groups=0(root),10(wheel)\n"),
            "uname" => {
                let s = if args.iter().any(|a| a == "-a") {
                    format!("Linux {} 6.8.0-51-generic #52-Ubuntu SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n", self.ctx.hostname)
                } else {
                    "Linux\n".into()
                };
                self.out(&s);
            }
            "cat" => self.cat(args),
            "ls" => self.ls(args),
            "touch" | "mkdir" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    if name == "touch" {
                        self.files.entry(a.clone()).or_default();
                    }
                }
            }
            "rm" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    self.files.remove(a);
                }
            }
            "test" => self.status = test(args, &self.files),
            "[" => {
                if args.last().map(String::as_str) != Some("]") {
                    self.err(&format!("{}: [: missing ]\n", self.shell_name()));
                    self.status = 2;
                } else {
                    self.status = test(&args[..args.len() - 1], &self.files);
                }
            }
            "seq" => {
                let nums: Vec<i64> = args.iter().filter_map(|a| a.parse().ok()).collect();
                let (from, step, to) = match nums.as_slice() {
                    [to] => (1, 1, *to),
                    [from, to] => (*from, 1, *to),
                    [from, step, to] => (*from, *step, *to),
                    _ => (1, 1, 0),
                };
                let mut s = String::new();
                let mut n = from;
                let mut count = 0;
                while step != 0
                    && ((step > 0 && n <= to) || (step < 0 && n >= to))
                    && count < 100_000
                {
                    s.push_str(&format!("{n}\n"));
                    n += step;
                    count += 1;
                }
                self.out(&s);
            }
            "expr" => {
                let src = args.join(" ");
                match arith(&src.replace(" = ", " == "), &self.vars) {
                    Ok(n) => {
                        self.out(&format!("{n}\n"));
                        self.status = if n == 0 { 1 } else { 0 };
                    }
                    Err(_) => {
                        self.err("expr: syntax error\n");
                        self.status = 2;
                    }
                }
            }
            "tail" | "yes" if args.iter().any(|a| a == "-f" || a == "-F") || name == "yes" => {
                if name == "yes" {
                    let word = args.first().cloned().unwrap_or_else(|| "y".into());
                    loop {
                        self.out(&format!("{word}\n"));
                        if let Flow::Stop = self.pass(1) {
                            return Flow::Stop;
                        }
                        if self.step() {
                            return Flow::Stop;
                        }
                    }
                }
                return self.pass(u64::MAX);
            }
            "tail" | "head" | "wc" => {}
            "wget" | "nslookup" => {
                let target = args
                    .iter()
                    .rev()
                    .find(|a| !a.starts_with('-'))
                    .cloned()
                    .unwrap_or_default();
                let msg = if name == "nslookup" {
                    ";; connection timed out; no servers could be reached\n\n".to_string()
                } else {
                    format!(
                        "wget: bad address '{}'\n",
                        target
                            .trim_start_matches("http://")
                            .split('/')
                            .next()
                            .unwrap_or("")
                    )
                };
                if let Flow::Stop = self.pass(if name == "nslookup" { 15_000 } else { 5_000 }) {
                    return Flow::Stop;
                }
                self.err(&msg);
                self.status = 1;
            }
            "perl" => return self.perl(args),
            "python" | "python3" => {
                if let Some(i) = args.iter().position(|a| a == "-c") {
                    let code = args.get(i + 1).cloned().unwrap_or_default();
                    if let Some(inner) = code
                        .trim()
                        .strip_prefix("print(")
                        .and_then(|s| s.strip_suffix(')'))
                    {
                        let v = inner
                            .trim()
                            .trim_matches(|c| c == '"' || c == '\'')
                            .to_string();
                        self.out(&format!("{v}\n"));
                    }
                }
            }
            "sh" | "bash" | "ash" | "dash" => {
                let saved = self.dash;
                let f = self.exec_argv(argv, false);
                self.dash = saved;
                return match f {
                    Flow::Exit(c) => {
                        self.status = c;
                        Flow::Normal
                    }
                    other => other,
                };
            }
            "nginx"
            | "redis-server"
            | "httpd-foreground"
            | "httpd"
            | "postgres"
            | "docker-entrypoint.sh"
            | "node" => {
                let s = match name.as_str() {
                    "nginx" => Server::Nginx {
                        version: nginx_version(&images::parse_image("nginx").tag),
                        alpine: false,
                    },
                    "redis-server" => Server::Redis {
                        version: "7.4.2".into(),
                    },
                    "httpd-foreground" | "httpd" => Server::Httpd,
                    "node" => Server::Bootcamp {
                        version: "v1".into(),
                    },
                    _ => Server::Postgres {
                        password: self.vars.contains_key("POSTGRES_PASSWORD"),
                    },
                };
                return self.server(&s);
            }
            other => {
                let msg = format!("{}: {}: not found\n", self.shell_name(), other);
                self.err(&msg);
                self.status = 127;
            }
        }
        Flow::Normal
    }

    fn echo(&mut self, args: &[String]) {
        let mut newline = true;
        let mut escapes = self.dash;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-n" => newline = false,
                "-e" => escapes = true,
                "-E" => escapes = false,
                "-ne" | "-en" => {
                    newline = false;
                    escapes = true;
                }
                _ => break,
            }
            i += 1;
        }
        let mut s = args[i..].join(" ");
        if escapes {
            let (t, stop) = unescape(&s);
            s = t;
            if stop {
                newline = false;
            }
        }
        if newline {
            s.push('\n');
        }
        self.out(&s);
    }

    fn printf(&mut self, args: &[String]) {
        let Some(fmt) = args.first() else {
            self.err("printf: usage: printf format [arguments]\n");
            self.status = 2;
            return;
        };
        let mut rest: Vec<&String> = args[1..].iter().collect();
        let mut out = String::new();
        loop {
            let consumed_before = rest.len();
            let chars: Vec<char> = fmt.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                match chars[i] {
                    '%' => {
                        let mut j = i + 1;
                        while j < chars.len()
                            && (chars[j].is_ascii_digit() || matches!(chars[j], '-' | '.'))
                        {
                            j += 1;
                        }
                        let spec: String = chars[i + 1..j].iter().collect();
                        let conv = chars.get(j).copied().unwrap_or('%');
                        let arg = if conv == '%' || rest.is_empty() {
                            None
                        } else {
                            Some(rest.remove(0).clone())
                        };
                        let body = match conv {
                            '%' => "%".to_string(),
                            'd' | 'i' => arg
                                .as_deref()
                                .unwrap_or("0")
                                .trim()
                                .parse::<i64>()
                                .unwrap_or(0)
                                .to_string(),
                            'c' => arg
                                .unwrap_or_default()
                                .chars()
                                .next()
                                .map(String::from)
                                .unwrap_or_default(),
                            _ => arg.unwrap_or_default(),
                        };
                        let width: usize = spec
                            .trim_start_matches('-')
                            .split('.')
                            .next()
                            .and_then(|w| w.parse().ok())
                            .unwrap_or(0);
                        let padded = if spec.starts_with('-') {
                            format!("{body:<width$}")
                        } else if spec.starts_with('0') && conv == 'd' {
                            format!("{body:0>width$}")
                        } else {
                            format!("{body:>width$}")
                        };
                        out.push_str(&padded);
                        i = j + 1;
                    }
                    '\\' => {
                        let (t, _) = unescape(
                            &chars[i..(i + 2).min(chars.len())]
                                .iter()
                                .collect::<String>(),
                        );
                        out.push_str(&t);
                        i += 2;
                    }
                    ch => {
                        out.push(ch);
                        i += 1;
                    }
                }
            }
            if rest.is_empty() || rest.len() == consumed_before {
                break;
            }
        }
        self.out(&out);
    }

    fn sleep(&mut self, args: &[String]) -> Flow {
        let Some(a) = args.first() else {
            self.err("sleep: missing operand\n");
            self.status = 1;
            return Flow::Normal;
        };
        if a == "infinity" || a == "inf" {
            return self.pass(u64::MAX);
        }
        let mut total = 0u64;
        for a in args {
            match sleep_ms(a) {
                Some(ms) => total = total.saturating_add(ms),
                None => {
                    self.err(&format!("sleep: invalid number '{a}'\n"));
                    self.status = 1;
                    return Flow::Normal;
                }
            }
        }
        self.pass(total)
    }

    fn date(&mut self, args: &[String]) {
        let now = self.now();
        let fmt = args
            .iter()
            .find_map(|a| a.strip_prefix('+'))
            .map(str::to_string);
        let s = match fmt {
            Some(f) => now.format(&f.replace("%N", "000000000")).to_string(),
            None => now.format("%a %b %e %H:%M:%S UTC %Y").to_string(),
        };
        self.out(&format!("{s}\n"));
    }

    fn printenv(&mut self, args: &[String]) {
        if args.is_empty() {
            let mut s = String::new();
            for k in self.env_order.clone() {
                if let Some(v) = self.vars.get(&k) {
                    s.push_str(&format!("{k}={v}\n"));
                }
            }
            self.out(&s);
            return;
        }
        let mut missing = false;
        for a in args {
            match self
                .vars
                .get(a)
                .filter(|_| self.env_order.contains(a))
                .cloned()
            {
                Some(v) => self.out(&format!("{v}\n")),
                None => missing = true,
            }
        }
        self.status = if missing { 1 } else { 0 };
    }

    fn cat(&mut self, args: &[String]) {
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            match self.files.get(a).cloned() {
                Some(s) => self.out(&s),
                None => {
                    self.err(&format!(
                        "cat: can't open '{a}': No such file or directory\n"
                    ));
                    self.status = 1;
                }
            }
        }
    }

    fn ls(&mut self, args: &[String]) {
        let dir = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .cloned()
            .unwrap_or_else(|| "/".into());
        let listing = match dir.trim_end_matches('/') {
            "" => "bin\ndev\netc\nhome\nlib\nlib64\nproc\nroot\nsys\ntmp\nusr\nvar\n".to_string(),
            d => {
                let prefix = format!("{d}/");
                let names: Vec<String> = self
                    .files
                    .keys()
                    .filter_map(|k| k.strip_prefix(&prefix))
                    .map(|k| k.split('/').next().unwrap_or(k).to_string())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if names.is_empty() && !matches!(d, "/tmp" | "/home" | "/var" | "/usr") {
                    self.err(&format!("ls: {d}: No such file or directory\n"));
                    self.status = 1;
                    return;
                }
                names.iter().map(|n| format!("{n}\n")).collect()
            }
        };
        self.out(&listing);
    }

    fn perl(&mut self, args: &[String]) -> Flow {
        let code = args
            .iter()
            .rev()
            .find(|a| !a.starts_with('-'))
            .cloned()
            .unwrap_or_default();
        if let Some(n) = code
            .split("bpi(")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            let n = n.clamp(1, 20_000);
            // bignum's bpi takes a moment: about 3.5 s for 2000 digits on a kind node.
            let ms = 900 + (n as u64 * n as u64) / 1_500;
            if let Flow::Stop = self.pass(ms) {
                return Flow::Stop;
            }
            let digits = pi_digits(n);
            self.out(&format!("{}.{}\n", &digits[..1], &digits[1..]));
            return Flow::Normal;
        }
        if let Some(rest) = code.trim().strip_prefix("print") {
            let v = rest
                .trim()
                .trim_end_matches(';')
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string();
            let (v, _) = unescape(&v);
            let nl = if args.iter().any(|a| a.starts_with('-') && a.contains('l')) {
                "\n"
            } else {
                ""
            };
            self.out(&format!("{v}{nl}"));
        }
        Flow::Normal
    }

    // ------------------------------------------------------------------ servers

    fn at(&mut self, ms: u64) -> bool {
        if ms > self.t {
            matches!(self.pass(ms - self.t), Flow::Normal)
        } else {
            true
        }
    }

    fn server(&mut self, s: &Server) -> Flow {
        let stamp = |it: &Interp, f: &str| it.now().format(f).to_string();
        match s {
            Server::Quiet => {}
            Server::Nginx { version, alpine } => {
                let old = version.starts_with("1.14") || version.starts_with("1.16");
                if !old {
                    let ep = "/docker-entrypoint.sh";
                    let mut pre = vec![
                        format!("{ep}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"),
                        format!("{ep}: Looking for shell scripts in /docker-entrypoint.d/"),
                        format!("{ep}: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh"),
                        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf".into(),
                        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf".into(),
                        format!("{ep}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh"),
                        format!("{ep}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh"),
                        format!("{ep}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh"),
                        format!("{ep}: Configuration complete; ready for start up"),
                    ];
                    for l in pre.drain(..) {
                        self.out(&format!("{l}\n"));
                    }
                    if !self.at(25) {
                        return Flow::Stop;
                    }
                    let ts = stamp(self, "%Y/%m/%d %H:%M:%S");
                    let gcc = if *alpine {
                        "gcc 14.2.0 (Alpine 14.2.0) "
                    } else {
                        "gcc 12.2.0 (Debian 12.2.0-14) "
                    };
                    let mut s = String::new();
                    for m in [
                        "using the \"epoll\" event method".to_string(),
                        format!("nginx/{version}"),
                        format!("built by {gcc}"),
                        "OS: Linux 6.8.0-51-generic".into(),
                        "getrlimit(RLIMIT_NOFILE): 1048576:1048576".into(),
                        "start worker processes".into(),
                    ] {
                        s.push_str(&format!("{ts} [notice] 1#1: {m}\n"));
                    }
                    for w in 0..self.ctx.cpus.clamp(1, 64) {
                        s.push_str(&format!(
                            "{ts} [notice] 1#1: start worker process {}\n",
                            29 + w
                        ));
                    }
                    self.out(&s);
                }
            }
            Server::Httpd => {
                let ip = self.ctx.pod_ip.clone();
                let warn = format!("AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message\n");
                self.err(&warn);
                self.err(&warn);
                if !self.at(12) {
                    return Flow::Stop;
                }
                let ts = stamp(self, "%a %b %d %H:%M:%S%.6f %Y");
                self.err(&format!("[{ts}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.63 (Unix) configured -- resuming normal operations\n"));
                self.err(&format!("[{ts}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'\n"));
            }
            Server::Redis { version } => {
                let ts = |it: &Interp| stamp(it, "%d %b %Y %H:%M:%S%.3f");
                let t0 = ts(self);
                self.out(&format!(
                    "1:C {t0} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"
                ));
                self.out(&format!("1:C {t0} * Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started\n"));
                self.out(&format!("1:C {t0} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf\n"));
                if !self.at(2) {
                    return Flow::Stop;
                }
                let t1 = ts(self);
                self.out(&format!(
                    "1:M {t1} * monotonic clock: POSIX clock_gettime\n"
                ));
                self.out(&format!("1:M {t1} * Running mode=standalone, port=6379.\n"));
                self.out(&format!("1:M {t1} * Server initialized\n"));
                self.out(&format!("1:M {t1} * Ready to accept connections tcp\n"));
            }
            Server::Postgres { password: false } => {
                self.err("Error: Database is uninitialized and superuser password is not specified.\n       You must specify POSTGRES_PASSWORD to a non-empty value for the\n       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".\n\n       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all\n       connections without a password. This is *not* recommended.\n\n       See PostgreSQL documentation about \"trust\":\n       https://www.postgresql.org/docs/current/auth-trust.html\n");
                if !self.at(40) {
                    return Flow::Stop;
                }
                return Flow::Exit(1);
            }
            Server::Postgres { password: true } => {
                self.out("The files belonging to this database system will be owned by user \"postgres\".\nThis user must also own the server process.\n\n");
                if !self.at(2_400) {
                    return Flow::Stop;
                }
                self.out("\nPostgreSQL init process complete; ready for start up.\n\n");
                let ts = stamp(self, "%Y-%m-%d %H:%M:%S%.3f UTC");
                self.err(&format!("{ts} [1] LOG:  starting PostgreSQL 17.4 (Debian 17.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n"));
                self.err(&format!(
                    "{ts} [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432\n"
                ));
                self.err(&format!(
                    "{ts} [1] LOG:  listening on IPv6 address \"::\", port 5432\n"
                ));
                self.err(&format!(
                    "{ts} [1] LOG:  database system is ready to accept connections\n"
                ));
            }
            Server::Bootcamp { version } => {
                let ts = self.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
                let _ = version;
                let host = self.ctx.hostname.clone();
                self.out(&format!(
                    "Kubernetes Bootcamp App Started At: {ts} | Running On:  {host} \n\n"
                ));
            }
        }
        self.flush();
        self.pass(u64::MAX)
    }
}

/// `sleep`'s operand: seconds, possibly fractional, with an optional `s`/`m`/`h`/`d` suffix.
fn sleep_ms(a: &str) -> Option<u64> {
    let (num, mult) = match a.char_indices().last() {
        Some((i, 's')) => (&a[..i], 1_000.0),
        Some((i, 'm')) => (&a[..i], 60_000.0),
        Some((i, 'h')) => (&a[..i], 3_600_000.0),
        Some((i, 'd')) => (&a[..i], 86_400_000.0),
        _ => (a, 1_000.0),
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0 && v * mult < 1e15).then(|| (v * mult).round() as u64)
}

fn assignment(w: &str) -> Option<(&str, &str)> {
    let (name, val) = w.split_once('=')?;
    let ok = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((name, val))
}

/// Interprets `\n`, `\t`, `\\`, `\c` (stop output); returns the text and whether `\c` was seen.
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('a') => out.push('\x07'),
            Some('c') => return (out, true),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

/// `test` / `[ … ]`: 0 true, 1 false.
fn test(args: &[String], files: &BTreeMap<String, String>) -> i32 {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = match a.as_slice() {
        [] => false,
        ["!", rest @ ..] => {
            return 1 - test(
                &rest.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                files,
            )
            .min(1)
        }
        [s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        ["-n", s] => !s.is_empty(),
        ["-f" | "-e", p] => files.contains_key(*p),
        ["-d", p] => matches!(*p, "/" | "/tmp" | "/etc" | "/var" | "/usr" | "/home"),
        [x, "=" | "==", y] => x == y,
        [x, "!=", y] => x != y,
        [x, op, y] => {
            let (Ok(x), Ok(y)) = (x.trim().parse::<i64>(), y.trim().parse::<i64>()) else {
                return 2;
            };
            match *op {
                "-eq" => x == y,
                "-ne" => x != y,
                "-lt" => x < y,
                "-le" => x <= y,
                "-gt" => x > y,
                "-ge" => x >= y,
                _ => return 2,
            }
        }
        _ => return 2,
    };
    if r {
        0
    } else {
        1
    }
}

/// Shell arithmetic (`$((…))`): integers, variables, `+ - * / %`, comparisons, `&& || !`, parentheses.
pub fn arith(src: &str, vars: &BTreeMap<String, String>) -> Result<i64, String> {
    #[derive(Clone, Debug, PartialEq)]
    enum T {
        N(i64),
        Op(String),
    }
    let c: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_ascii_digit() {
            let mut j = i;
            while j < c.len() && c[j].is_ascii_alphanumeric() {
                j += 1;
            }
            let s: String = c[i..j].iter().collect();
            toks.push(T::N(
                s.parse().map_err(|_| format!("invalid number \"{s}\""))?,
            ));
            i = j;
        } else if ch.is_ascii_alphabetic() || ch == '_' || ch == '$' {
            let mut j = i + 1;
            while j < c.len() && (c[j].is_ascii_alphanumeric() || c[j] == '_') {
                j += 1;
            }
            let name: String = c[i..j]
                .iter()
                .collect::<String>()
                .trim_start_matches('$')
                .to_string();
            let v = vars
                .get(&name)
                .map(|v| v.trim().to_string())
                .unwrap_or_default();
            toks.push(T::N(if v.is_empty() {
                0
            } else {
                v.parse().map_err(|_| format!("invalid number \"{v}\""))?
            }));
            i = j;
        } else {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            let op = if ["<=", ">=", "==", "!=", "&&", "||"].contains(&two.as_str()) {
                two
            } else {
                ch.to_string()
            };
            if !"+-*/%()<>!=&|".contains(op.chars().next().unwrap_or(' ')) {
                return Err(format!("unexpected \"{op}\""));
            }
            i += op.len();
            toks.push(T::Op(op));
        }
    }
    fn prec(op: &str) -> Option<u8> {
        Some(match op {
            "||" => 1,
            "&&" => 2,
            "==" | "!=" => 3,
            "<" | ">" | "<=" | ">=" => 4,
            "+" | "-" => 5,
            "*" | "/" | "%" => 6,
            _ => return None,
        })
    }
    fn primary(t: &[T], p: &mut usize) -> Result<i64, String> {
        match t.get(*p).cloned() {
            Some(T::N(n)) => {
                *p += 1;
                Ok(n)
            }
            Some(T::Op(o)) if o == "(" => {
                *p += 1;
                let v = expr(t, p, 0)?;
                if t.get(*p) != Some(&T::Op(")".into())) {
                    return Err("missing )".into());
                }
                *p += 1;
                Ok(v)
            }
            Some(T::Op(o)) if o == "-" => {
                *p += 1;
                Ok(primary(t, p)?.wrapping_neg())
            }
            Some(T::Op(o)) if o == "+" => {
                *p += 1;
                primary(t, p)
            }
            Some(T::Op(o)) if o == "!" => {
                *p += 1;
                Ok((primary(t, p)? == 0) as i64)
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
    fn expr(t: &[T], p: &mut usize, min: u8) -> Result<i64, String> {
        let mut lhs = primary(t, p)?;
        while let Some(T::Op(op)) = t.get(*p).cloned() {
            let Some(pr) = prec(&op) else { break };
            if pr < min {
                break;
            }
            *p += 1;
            let rhs = expr(t, p, pr + 1)?;
            lhs = match op.as_str() {
                "+" => lhs.wrapping_add(rhs),
                "-" => lhs.wrapping_sub(rhs),
                "*" => lhs.wrapping_mul(rhs),
                "/" | "%" if rhs == 0 => return Err("division by zero".into()),
                "/" => lhs.wrapping_div(rhs),
                "%" => lhs.wrapping_rem(rhs),
                "<" => (lhs < rhs) as i64,
                ">" => (lhs > rhs) as i64,
                "<=" => (lhs <= rhs) as i64,
                ">=" => (lhs >= rhs) as i64,
                "==" => (lhs == rhs) as i64,
                "!=" => (lhs != rhs) as i64,
                "&&" => (lhs != 0 && rhs != 0) as i64,
                _ => (lhs != 0 || rhs != 0) as i64,
            };
        }
        Ok(lhs)
    }
    if toks.is_empty() {
        return Ok(0);
    }
    let mut p = 0;
    let v = expr(&toks, &mut p, 0)?;
    if p != toks.len() {
        return Err("syntax error".into());
    }
    Ok(v)
}

/// The first `n` decimal digits of π (`"31415…"`), by Machin's formula in base 10⁹ fixed point.
pub fn pi_digits(n: usize) -> String {
    thread_local! {
        static CACHE: std::cell::RefCell<Option<(usize, String)>> = const { std::cell::RefCell::new(None) };
    }
    if let Some(s) = CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(k, _)| *k == n)
            .map(|(_, s)| s.clone())
    }) {
        return s;
    }
    let s = compute_pi_digits(n);
    CACHE.with(|c| *c.borrow_mut() = Some((n, s.clone())));
    s
}

fn compute_pi_digits(n: usize) -> String {
    const BASE: u64 = 1_000_000_000;
    let limbs = n / 9 + 3;
    // Fixed-point numbers: limb 0 is the integer part.
    fn div_small(a: &mut [u64], d: u64) {
        let mut rem = 0u64;
        for x in a.iter_mut() {
            let cur = rem * BASE + *x;
            *x = cur / d;
            rem = cur % d;
        }
    }
    fn is_zero(a: &[u64]) -> bool {
        a.iter().all(|&x| x == 0)
    }
    fn add(a: &mut [u64], b: &[u64]) {
        let mut carry = 0;
        for i in (0..a.len()).rev() {
            let s = a[i] + b[i] + carry;
            a[i] = s % BASE;
            carry = s / BASE;
        }
    }
    fn sub(a: &mut [u64], b: &[u64]) {
        let mut borrow = 0i64;
        for i in (0..a.len()).rev() {
            let mut s = a[i] as i64 - b[i] as i64 - borrow;
            borrow = 0;
            if s < 0 {
                s += BASE as i64;
                borrow = 1;
            }
            a[i] = s as u64;
        }
    }
    // arctan(1/x) * mult
    let arctan = |x: u64, mult: u64| -> Vec<u64> {
        let mut sum = vec![0u64; limbs];
        let mut term = vec![0u64; limbs];
        term[0] = mult;
        div_small(&mut term, x);
        let x2 = x * x;
        let mut k = 0u64;
        loop {
            let mut t = term.clone();
            div_small(&mut t, 2 * k + 1);
            if is_zero(&t) {
                break;
            }
            if k % 2 == 0 {
                add(&mut sum, &t);
            } else {
                sub(&mut sum, &t);
            }
            div_small(&mut term, x2);
            k += 1;
        }
        sum
    };
    let mut pi = arctan(5, 16);
    let b = arctan(239, 4);
    sub(&mut pi, &b);
    let mut s = pi[0].to_string();
    for l in &pi[1..] {
        s.push_str(&format!("{l:09}"));
    }
    // Rounded to `n` significant digits, as bignum's `bpi(n)` returns it.
    let mut d: Vec<u8> = s.bytes().take(n + 1).map(|b| b - b'0').collect();
    let round_up = d.len() > n && d[n] >= 5;
    d.truncate(n);
    if round_up {
        for x in d.iter_mut().rev() {
            if *x == 9 {
                *x = 0;
            } else {
                *x += 1;
                break;
            }
        }
    }
    d.into_iter().map(|x| (b'0' + x) as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        let mut c = Ctx::new(
            chrono::DateTime::parse_from_rfc3339("2025-03-01T09:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap(),
        );
        c.hostname = "demo".into();
        c.env = vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("HOSTNAME".into(), "demo".into()),
            ("GREETING".into(), "hello".into()),
        ];
        c
    }

    fn sh(script: &str) -> Program {
        Program::resolve(
            "busybox",
            Some(&["sh".into(), "-c".into(), script.into()]),
            None,
            &[],
        )
    }

    fn texts(t: &Trace) -> Vec<String> {
        t.lines.iter().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn busybox_default_exits_at_once() {
        let p = Program::resolve("busybox", None, None, &[]);
        assert_eq!(p.exit(&ctx()), Some(Exit { at_ms: 0, code: 0 }));
        assert!(p.sigterm_exit_ms().is_none());
    }

    #[test]
    fn servers_run_until_stopped() {
        let p = Program::resolve("nginx", None, None, &[]);
        assert_eq!(p.exit(&ctx()), None);
        let t = p.run(&ctx(), Some(60_000));
        assert!(t
            .lines
            .iter()
            .any(|l| l.text.contains("Configuration complete")));
        assert!(
            t.lines
                .iter()
                .any(|l| l.text == "2025/03/01 09:00:00 [notice] 1#1: start worker process 29"),
            "{:?}",
            texts(&t)
        );
        assert_eq!(p.sigterm_exit_ms(), Some(300));
        let pg = Program::resolve("postgres", None, None, &[]);
        assert_eq!(pg.exit(&ctx()).map(|e| e.code), Some(1));
        let pg = Program::resolve(
            "postgres",
            None,
            None,
            &[("POSTGRES_PASSWORD".into(), "x".into())],
        );
        assert_eq!(pg.exit(&ctx()), None);
    }

    #[test]
    fn sleep_exit_and_sequences() {
        let p = Program::resolve("busybox", Some(&["sleep".into(), "5".into()]), None, &[]);
        assert_eq!(
            p.exit(&ctx()),
            Some(Exit {
                at_ms: 5_000,
                code: 0
            })
        );
        assert_eq!(sh("exit 3").exit(&ctx()).map(|e| e.code), Some(3));
        assert_eq!(sh("false").exit(&ctx()).map(|e| e.code), Some(1));
        assert_eq!(
            sh("true && false || exit 7").exit(&ctx()).map(|e| e.code),
            Some(7)
        );
        let t = sh("echo a; sleep 2 && echo b; sleep 1; exit 1").run(&ctx(), None);
        assert_eq!(texts(&t), ["a", "b"]);
        assert_eq!(t.lines[1].at_ms, 2_000);
        assert_eq!(
            t.exit,
            Some(Exit {
                at_ms: 3_000,
                code: 1
            })
        );
    }

    #[test]
    fn counter_loop_runs_forever_and_prints_dates() {
        let p = sh("i=0; while true; do echo \"$i: $(date)\"; i=$((i+1)); sleep 1; done");
        assert_eq!(p.exit(&ctx()), None);
        let t = p.run(&ctx(), Some(2_500));
        assert_eq!(
            texts(&t),
            [
                "0: Sat Mar  1 09:00:00 UTC 2025",
                "1: Sat Mar  1 09:00:01 UTC 2025",
                "2: Sat Mar  1 09:00:02 UTC 2025"
            ]
        );
        assert_eq!(t.exit, None);
        assert_eq!(t.lines[2].at_ms, 2_000);
    }

    #[test]
    fn loops_with_ends() {
        let t = sh("for i in 1 2 3; do echo $i; done; i=0; while [ $i -lt 2 ]; do i=$((i+1)); echo w$i; done").run(&ctx(), None);
        assert_eq!(texts(&t), ["1", "2", "3", "w1", "w2"]);
        assert_eq!(t.exit.map(|e| e.code), Some(0));
        let t = sh("for i in $(seq 1 3); do if [ $i = 2 ]; then echo two; else echo $i; fi; done")
            .run(&ctx(), None);
        assert_eq!(texts(&t), ["1", "two", "3"]);
        let t = sh("n=0; while true; do n=$((n+1)); if [ $n -ge 3 ]; then break; fi; sleep 1; done; echo done $n").run(&ctx(), None);
        assert_eq!(texts(&t), ["done 3"]);
        assert_eq!(t.exit.map(|e| e.at_ms), Some(2_000));
    }

    #[test]
    fn printenv_and_expansions() {
        let p = Program::resolve("busybox", Some(&["printenv".into()]), None, &[]);
        let t = p.run(&ctx(), None);
        assert_eq!(
            texts(&t),
            ["PATH=/usr/bin:/bin", "HOSTNAME=demo", "GREETING=hello"]
        );
        let t = Program::resolve(
            "busybox",
            Some(&["printenv".into(), "GREETING".into(), "NOPE".into()]),
            None,
            &[],
        )
        .run(&ctx(), None);
        assert_eq!(texts(&t), ["hello"]);
        assert_eq!(t.exit.map(|e| e.code), Some(1));
        let t =
            sh("echo \"$GREETING ${HOSTNAME}\" '$GREETING' $((2*3+1)) `echo hi`").run(&ctx(), None);
        assert_eq!(texts(&t), ["hello demo $GREETING 7 hi"]);
        let t = sh("printf '%s=%d\\n' a 1 b 2; echo -n x; echo y").run(&ctx(), None);
        assert_eq!(texts(&t), ["a=1", "b=2", "xy"]);
        let t = sh("echo err >&2; echo quiet > /dev/null; echo f > /tmp/f; cat /tmp/f; nosuch")
            .run(&ctx(), None);
        assert_eq!(texts(&t), ["err", "f", "sh: nosuch: not found"]);
        assert_eq!(t.lines[0].stream, Stream::Stderr);
        assert_eq!(t.exit.map(|e| e.code), Some(127));
    }

    #[test]
    fn perl_pi() {
        assert_eq!(pi_digits(20), "31415926535897932385");
        let d = pi_digits(2000);
        assert!(d.ends_with("04780275901"), "{}", &d[1990..]);
        let p = Program::resolve(
            "perl:5.34.0",
            Some(&[
                "perl".into(),
                "-Mbignum=bpi".into(),
                "-wle".into(),
                "print bpi(2000)".into(),
            ]),
            None,
            &[],
        );
        let t = p.run(&ctx(), None);
        assert_eq!(t.lines.len(), 1);
        assert_eq!(t.lines[0].text.len(), 2001);
        assert!(t.lines[0].text.starts_with("3.14159"));
        let e = t.exit.expect("ends");
        assert_eq!(e.code, 0);
        assert!(e.at_ms > 2_000 && e.at_ms < 6_000, "{e:?}");
    }

    #[test]
    fn start_errors_and_syntax_errors() {
        let p = Program::resolve("busybox", Some(&["exit".into(), "1".into()]), None, &[]);
        assert!(p.start_error().is_some_and(|e| e
            .message
            .contains("exec: \"exit\": executable file not found in $PATH")));
        assert!(sh("echo hi").start_error().is_none());
        let t = sh("if then").run(&ctx(), None);
        assert_eq!(t.exit.map(|e| e.code), Some(2));
        let t = sh("echo 'unterminated").run(&ctx(), None);
        assert_eq!(t.exit.map(|e| e.code), Some(2));
    }

    #[test]
    fn tight_loops_are_bounded() {
        let p = sh("while true; do echo spam; done");
        assert_eq!(p.exit(&ctx()), None);
        let t = p.run(&ctx(), Some(10_000));
        assert!(t.lines.len() <= 2 * MAX_LINES);
        let p = sh("i=0; while [ $i -ge 0 ]; do i=$((i+1)); done");
        assert_eq!(p.exit(&ctx()), None);
    }

    #[test]
    fn horizon_cuts_output() {
        let p = sh("echo a; sleep 10; echo b");
        let t = p.run(&ctx(), Some(9_999));
        assert_eq!(texts(&t), ["a"]);
        assert_eq!(t.exit, None);
        let t = p.run(&ctx(), Some(10_000));
        assert_eq!(texts(&t), ["a", "b"]);
        assert_eq!(
            t.exit,
            Some(Exit {
                at_ms: 10_000,
                code: 0
            })
        );
    }

    #[test]
    fn exec_in_container() {
        let p = Program::resolve("nginx", None, None, &[]);
        let (out, _, code) = p.exec(&ctx(), 1_000, &["printenv".into(), "GREETING".into()]);
        assert_eq!((out.as_str(), code), ("hello\n", 0));
        let (out, _, _) = p.exec(&ctx(), 61_000, &["date".into()]);
        assert_eq!(out, "Sat Mar  1 09:01:01 UTC 2025\n");
    }
}
