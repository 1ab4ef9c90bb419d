//! Tab completion for the terminal, the way bash with kubectl's completion script behaves on a
//! real cluster: given a line, the cursor and the session, what the word at the cursor can become
//! (programs, kubectl commands and subcommands, flags and their known values, resource kinds,
//! object names from the store, the terminal's files). Also the history search behind Ctrl-R.
//!
//! Flags come from the very tables the commands parse with (`FLAG_TABLES` points at them), and the
//! kinds from `cmd::KIND_NAMES`, so completion cannot offer what the commands would refuse; the
//! tests below run every offered command, flag and value to prove it.

use super::args::{FlagSpec, GLOBAL};
use super::cmd::{resolve_kind, KIND_NAMES};
use super::{
    apply, cmd, config, create_job, describe, drain, explain, expose, generate, label, logs,
};
use super::{patch, rollout, taint, wait, Shell, PROGRAMS};
use crate::sim::object::Kind;

/// What Tab can do at the cursor: replace `start..end` of the line with one of `candidates`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Byte range of the word being completed (from its start up to the cursor).
    pub start: usize,
    pub end: usize,
    /// Full replacements for the range, sorted, without duplicates. One ending in `/` or `=`
    /// continues the word (no space is added after it).
    pub candidates: Vec<String>,
}

impl Completion {
    /// The longest prefix all candidates share (whole characters).
    pub fn common_prefix(&self) -> String {
        let Some(first) = self.candidates.first() else {
            return String::new();
        };
        let mut len = first.len();
        for c in &self.candidates[1..] {
            len = first
                .char_indices()
                .zip(c.chars())
                .find(|((_, a), b)| a != b)
                .map(|((i, _), _)| i)
                .unwrap_or(len.min(c.len()))
                .min(len);
        }
        first[..len].to_string()
    }

    /// The line after one Tab, with the new cursor (byte offset): the only candidate and a space
    /// (none after `/` or `=`), or the longest common prefix of several. `None` when Tab would not
    /// change the line (bash then lists the candidates on a second Tab).
    pub fn apply(&self, line: &str) -> Option<(String, usize)> {
        let (start, end) = (self.start.min(line.len()), self.end.min(line.len()));
        if start > end || !line.is_char_boundary(start) || !line.is_char_boundary(end) {
            return None;
        }
        let typed = &line[start..end];
        let (mut text, single) = match self.candidates.as_slice() {
            [] => return None,
            [one] => (one.clone(), true),
            _ => (self.common_prefix(), false),
        };
        let rest = &line[end..];
        let mut cursor = start + text.len();
        if single && !text.ends_with('/') && !text.ends_with('=') {
            if rest.starts_with(' ') {
                cursor += 1;
            } else {
                text.push(' ');
                cursor += 1;
            }
        } else if text == typed || text.len() < typed.len() {
            return None;
        }
        if text == typed && cursor == end {
            return None;
        }
        Some((format!("{}{text}{rest}", &line[..start]), cursor))
    }
}

/// Completes the word at `cursor` (a byte offset into `line`; a multi-line input completes its
/// current line). `extra_programs` are first words the caller answers itself (the page's `clear`).
pub fn complete(shell: &Shell, line: &str, cursor: usize, extra_programs: &[&str]) -> Completion {
    let mut cursor = cursor.min(line.len());
    while !line.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let line_start = line[..cursor].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let empty = Completion {
        start: cursor,
        end: cursor,
        candidates: Vec::new(),
    };
    // The body of a heredoc is text, not commands.
    if shell.in_heredoc() || line[..line_start].contains("<<") {
        return empty;
    }
    let Some(lexed) = lex(&line[line_start..cursor]) else {
        return empty;
    };
    let start = line_start + lexed.cur_start;
    let cur = lexed.cur.as_str();
    let ctx = Ctx { shell };
    let mut candidates = match lexed.before_cur {
        Some(Tok::Redirect) => ctx.files(cur),
        Some(Tok::Heredoc) => Vec::new(),
        _ => {
            let words: Vec<String> = lexed.words;
            ctx.command(&words, cur, extra_programs)
        }
    };
    candidates.sort();
    candidates.dedup();
    Completion {
        start,
        end: cursor,
        candidates,
    }
}

/// The newest history entry before `before` (an index; `history.len()` to start from the newest)
/// that contains `query`, as bash's reverse-i-search finds it.
pub fn search_history(history: &[String], query: &str, before: usize) -> Option<usize> {
    let end = before.min(history.len());
    history[..end].iter().rposition(|h| h.contains(query))
}

// ---------------------------------------------------------------------------------------------
// The line up to the cursor, as bash splits it.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Word,
    /// `|`, `||`, `&&`, `;`, `&`, `(`, `)`, `$(`, a backquote: a new command starts after it.
    Sep,
    /// `>`, `>>`, `<`: a file name follows.
    Redirect,
    /// `<<`: a heredoc delimiter follows.
    Heredoc,
}

struct Lexed {
    /// The words of the current command before the word at the cursor (redirections left out).
    words: Vec<String>,
    /// The token just before the word at the cursor.
    before_cur: Option<Tok>,
    /// The word at the cursor, unquoted, and where it starts.
    cur: String,
    cur_start: usize,
}

/// Splits the text before the cursor; `None` when the cursor is in a comment.
fn lex(text: &str) -> Option<Lexed> {
    let mut toks: Vec<(Tok, String)> = Vec::new();
    let mut word: Option<(usize, String)> = None;
    let mut quote: Option<char> = None;
    let mut it = text.char_indices().peekable();
    fn end(word: &mut Option<(usize, String)>, toks: &mut Vec<(Tok, String)>) {
        if let Some((_, w)) = word.take() {
            toks.push((Tok::Word, w));
        }
    }
    while let Some((i, c)) = it.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else if let Some((_, w)) = word.as_mut() {
                    w.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == '\\' {
                    if let Some((_, n)) = it.next() {
                        if let Some((_, w)) = word.as_mut() {
                            w.push(n);
                        }
                    }
                } else if let Some((_, w)) = word.as_mut() {
                    w.push(c);
                }
            }
            None => match c {
                '\'' | '"' => {
                    word.get_or_insert_with(|| (i, String::new()));
                    quote = Some(c);
                }
                '\\' => {
                    let w = word.get_or_insert_with(|| (i, String::new()));
                    if let Some((_, n)) = it.next() {
                        w.1.push(n);
                    }
                }
                ' ' | '\t' | '\r' => end(&mut word, &mut toks),
                '#' if word.is_none() => return None,
                '|' | ';' | '&' | '(' | ')' | '`' => {
                    end(&mut word, &mut toks);
                    if matches!(c, '|' | '&') && it.peek().map(|p| p.1) == Some(c) {
                        it.next();
                    }
                    toks.push((Tok::Sep, String::new()));
                }
                '$' if it.peek().map(|p| p.1) == Some('(') => {
                    end(&mut word, &mut toks);
                    it.next();
                    toks.push((Tok::Sep, String::new()));
                }
                '>' | '<' => {
                    // `2>` and `&>` redirect too; the digit is not a word of its own.
                    if word.as_ref().is_some_and(|(_, w)| w == "2" || w == "1") {
                        word = None;
                    } else {
                        end(&mut word, &mut toks);
                    }
                    let next = it.peek().map(|p| p.1);
                    if c == '<' && next == Some('<') {
                        it.next();
                        if it.peek().map(|p| p.1) == Some('-') {
                            it.next();
                        }
                        toks.push((Tok::Heredoc, String::new()));
                    } else {
                        if c == '>' && next == Some('>') {
                            it.next();
                        }
                        toks.push((Tok::Redirect, String::new()));
                    }
                }
                _ => word.get_or_insert_with(|| (i, String::new())).1.push(c),
            },
        }
    }
    let (cur_start, cur) = word.unwrap_or((text.len(), String::new()));
    let before_cur = toks.last().map(|t| t.0);
    let seg = toks
        .iter()
        .rposition(|t| t.0 == Tok::Sep)
        .map(|i| i + 1)
        .unwrap_or(0);
    let mut words = Vec::new();
    let mut skip = false;
    for (t, w) in &toks[seg..] {
        match t {
            Tok::Word if !skip => words.push(w.clone()),
            Tok::Word => skip = false,
            _ => skip = true,
        }
    }
    Some(Lexed {
        words,
        before_cur,
        cur,
        cur_start,
    })
}

// ---------------------------------------------------------------------------------------------
// What each command takes.

/// kubectl's commands that kubeplay runs (the others answer "not available in kubeplay yet").
pub const COMMANDS: &[&str] = &[
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "cluster-info",
    "config",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "edit",
    "exec",
    "explain",
    "expose",
    "get",
    "label",
    "logs",
    "patch",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "uncordon",
    "version",
    "wait",
];

/// A command path, its subcommands, and aliases the dispatch also takes (alias, subcommand).
type Subcommands = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const SUBCOMMANDS: &[Subcommands] = &[
    (
        "rollout",
        &["history", "pause", "restart", "resume", "status", "undo"],
        &[],
    ),
    (
        "set",
        &["env", "image", "serviceaccount"],
        &[("sa", "serviceaccount")],
    ),
    (
        "config",
        &[
            "current-context",
            "get-clusters",
            "get-contexts",
            "get-users",
            "set-context",
            "use-context",
            "view",
        ],
        &[],
    ),
    (
        "create",
        &[
            "configmap",
            "cronjob",
            "deployment",
            "job",
            "namespace",
            "secret",
            "service",
            "serviceaccount",
        ],
        &[
            ("cm", "configmap"),
            ("cj", "cronjob"),
            ("deploy", "deployment"),
            ("ns", "namespace"),
            ("sa", "serviceaccount"),
            ("svc", "service"),
        ],
    ),
    ("create secret", &["generic"], &[]),
    (
        "create service",
        &["clusterip", "externalname", "loadbalancer", "nodeport"],
        &[],
    ),
];

/// The flag tables each command path parses with (the global flags come on top).
pub(crate) const FLAG_TABLES: &[(&str, &[&[FlagSpec]])] = &[
    ("annotate", &[label::FLAGS]),
    ("api-resources", &[cmd::API_RESOURCES_FLAGS]),
    ("api-versions", &[]),
    ("apply", &[apply::FILE_FLAGS]),
    ("cluster-info", &[]),
    ("config", &[]),
    ("config current-context", &[]),
    ("config get-clusters", &[]),
    ("config get-contexts", &[config::GET_CONTEXTS_FLAGS]),
    ("config get-users", &[]),
    ("config set-context", &[config::SET_CONTEXT_FLAGS]),
    ("config use-context", &[]),
    ("config view", &[config::VIEW_FLAGS]),
    ("cordon", &[drain::CORDON_FLAGS]),
    // `-f` is parsed (to say it is not available yet) but not offered.
    ("edit", &[]),
    ("create", &[apply::FILE_FLAGS]),
    (
        "create configmap",
        &[generate::COMMON, generate::DATA_FLAGS],
    ),
    (
        "create cronjob",
        &[generate::COMMON, create_job::CRONJOB_FLAGS],
    ),
    ("create deployment", &[cmd::CREATE_DEPLOYMENT_FLAGS]),
    ("create job", &[generate::COMMON, create_job::JOB_FLAGS]),
    ("create namespace", &[generate::COMMON]),
    ("create serviceaccount", &[generate::COMMON]),
    (
        "create secret generic",
        &[generate::COMMON, generate::DATA_FLAGS],
    ),
    (
        "create service clusterip",
        &[generate::COMMON, generate::SERVICE_FLAGS],
    ),
    (
        "create service externalname",
        &[generate::COMMON, generate::SERVICE_FLAGS],
    ),
    (
        "create service loadbalancer",
        &[generate::COMMON, generate::SERVICE_FLAGS],
    ),
    (
        "create service nodeport",
        &[generate::COMMON, generate::SERVICE_FLAGS],
    ),
    ("delete", &[cmd::DELETE_FLAGS, cmd::DELETE_FILE_FLAGS]),
    ("describe", &[describe::FLAGS]),
    ("drain", &[drain::DRAIN_FLAGS]),
    ("exec", &[logs::EXEC_FLAGS]),
    ("events", &[cmd::EVENTS_FLAGS]),
    ("explain", &[explain::FLAGS]),
    ("expose", &[expose::FLAGS]),
    ("get", &[cmd::GET_FLAGS]),
    ("label", &[label::FLAGS]),
    ("logs", &[logs::LOGS_FLAGS]),
    ("patch", &[patch::FLAGS]),
    ("replace", &[apply::FILE_FLAGS]),
    ("rollout history", &[rollout::HISTORY_FLAGS]),
    ("rollout pause", &[]),
    ("rollout restart", &[rollout::RESTART_FLAGS]),
    ("rollout resume", &[]),
    ("rollout status", &[rollout::STATUS_FLAGS]),
    ("rollout undo", &[rollout::UNDO_FLAGS]),
    ("run", &[apply::RUN_FLAGS]),
    ("scale", &[cmd::SCALE_FLAGS]),
    ("set env", &[rollout::SET_ENV_FLAGS]),
    ("set image", &[rollout::SET_IMAGE_FLAGS]),
    ("set serviceaccount", &[rollout::SET_SA_FLAGS]),
    ("taint", &[taint::FLAGS]),
    ("uncordon", &[drain::CORDON_FLAGS]),
    ("version", &[cmd::VERSION_FLAGS]),
    ("wait", &[wait::FLAGS]),
];

/// The flags of a command path (its own, then the global ones).
fn flags_of(path: &str) -> Vec<FlagSpec> {
    let own = FLAG_TABLES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, t)| t.iter().flat_map(|t| t.iter().copied()).collect::<Vec<_>>())
        .unwrap_or_default();
    own.into_iter().chain(GLOBAL.iter().copied()).collect()
}

/// Known values of a flag, per command path. Values ending in `=` take an argument.
pub(crate) fn flag_values(path: &str, flag: &str) -> &'static [&'static str] {
    match (path, flag) {
        ("get", "output") => &[
            "custom-columns=",
            "go-template=",
            "json",
            "jsonpath=",
            "name",
            "template=",
            "wide",
            "yaml",
        ],
        ("version", "output") => &["json", "yaml"],
        ("api-resources", "output") => &["name", "wide"],
        ("explain", "output") => &["plaintext"],
        ("wait", "output") => &["name"],
        ("config get-contexts", "output") => &["name"],
        ("config view", "output") => &["yaml"],
        (_, "output") => &["json", "name", "yaml"],
        (_, "cascade") => &["background", "foreground", "orphan"],
        (_, "dry-run") => &["client", "none", "server"],
        ("expose", "type") => &["ClusterIP", "LoadBalancer", "NodePort"],
        ("patch", "type") => &["json", "merge", "strategic"],
        ("run", "restart") => &["Always", "Never", "OnFailure"],
        ("create cronjob", "restart") => &["Never", "OnFailure"],
        ("run", "image-pull-policy") => &["Always", "IfNotPresent", "Never"],
        ("wait", "for") => &["condition=", "delete", "jsonpath="],
        ("expose", "protocol") => &["SCTP", "TCP", "UDP"],
        ("expose", "session-affinity") => &["ClientIP", "None"],
        _ => &[],
    }
}

/// The kinds a command's first argument names.
fn kinds_for(cmd: &str) -> Vec<Kind> {
    use Kind::*;
    match cmd {
        "rollout status" | "rollout history" | "rollout undo" | "rollout restart"
        | "rollout pause" | "rollout resume" => vec![Deployment, DaemonSet, StatefulSet],
        "scale" => vec![Deployment, ReplicaSet, StatefulSet],
        "expose" => vec![Pod, Service, Deployment, ReplicaSet],
        "set image" | "set env" => vec![Pod, Deployment, ReplicaSet, DaemonSet, StatefulSet],
        "logs" | "exec" => vec![
            Pod,
            Deployment,
            ReplicaSet,
            StatefulSet,
            DaemonSet,
            Job,
            Service,
        ],
        "taint" => vec![Node],
        _ => KIND_NAMES.iter().map(|(k, _)| *k).collect(),
    }
}

/// How a kind is offered: the first of its names (in `order`) that starts with `prefix`.
fn kind_word(names: &[&'static str], prefix: &str, singular_first: bool) -> Option<&'static str> {
    let simple: Vec<&'static str> = names.iter().copied().filter(|n| !n.contains('.')).collect();
    let mut order = simple.clone();
    if singular_first && order.len() > 1 {
        order.swap(0, 1);
    }
    order.into_iter().find(|n| n.starts_with(prefix))
}

struct Ctx<'a> {
    shell: &'a Shell,
}

/// The items that start with `prefix`.
fn starting<I: IntoIterator<Item = S>, S: Into<String>>(items: I, prefix: &str) -> Vec<String> {
    items
        .into_iter()
        .map(Into::into)
        .filter(|s: &String| s.starts_with(prefix))
        .collect()
}

impl Ctx<'_> {
    fn files(&self, prefix: &str) -> Vec<String> {
        starting(self.shell.file_names(), prefix)
    }

    fn names(&self, kind: Kind, ns: &str, prefix: &str) -> Vec<String> {
        let ns = kind.namespaced().then_some(ns);
        starting(
            self.shell
                .sim()
                .store()
                .list(kind, ns)
                .iter()
                .map(|o| o.name().to_string())
                .collect::<Vec<_>>(),
            prefix,
        )
    }

    /// The containers of an object (`pod`, `deploy/web`) in the pod spec it runs.
    fn containers(&self, kind: Kind, name: &str, ns: &str, prefix: &str) -> Vec<String> {
        let key =
            crate::sim::store::ObjKey::new(kind, if kind.namespaced() { ns } else { "" }, name);
        let Some(obj) = self.shell.sim().store().get(&key) else {
            return Vec::new();
        };
        let mut obj = (**obj).clone();
        let Some(spec) = obj.pod_spec_mut() else {
            return Vec::new();
        };
        starting(
            spec.containers
                .iter()
                .chain(spec.init_containers.iter().flatten())
                .map(|c| c.name.clone())
                .collect::<Vec<_>>(),
            prefix,
        )
    }

    /// Kinds by name: plural names (`get po` → `pods`), or `TYPE/` (singular first) for the
    /// TYPE/NAME form.
    fn kinds(&self, kinds: &[Kind], prefix: &str, slash: bool) -> Vec<String> {
        KIND_NAMES
            .iter()
            .filter(|(k, _)| kinds.contains(k))
            .filter_map(|(_, names)| kind_word(names, prefix, slash))
            .map(|n| {
                if slash {
                    format!("{n}/")
                } else {
                    n.to_string()
                }
            })
            .collect()
    }

    /// `TYPE/NAME` with TYPE typed: the names of that kind, keeping the TYPE as typed.
    fn type_name(&self, kinds: &[Kind], cur: &str, ns: &str) -> Vec<String> {
        let Some((t, n)) = cur.split_once('/') else {
            return self.kinds(kinds, cur, true);
        };
        match resolve_kind(t).filter(|k| kinds.contains(k)) {
            Some(k) => self
                .names(k, ns, n)
                .into_iter()
                .map(|name| format!("{t}/{name}"))
                .collect(),
            None => Vec::new(),
        }
    }

    fn command(&self, words: &[String], cur: &str, extra: &[&str]) -> Vec<String> {
        let Some(program) = words.first() else {
            return starting(PROGRAMS.iter().chain(extra.iter()).copied(), cur);
        };
        match program.as_str() {
            "kubectl" => self.kubectl(&words[1..], cur),
            "sim" => self.sim(&words[1..], cur),
            "timeout" if words.len() >= 2 => self.command(&words[2..], cur, extra),
            "cat" | "rm" | "head" | "tail" | "wc" | "sort" | "uniq" | "base64" => {
                if cur.starts_with('-') {
                    Vec::new()
                } else {
                    self.files(cur)
                }
            }
            _ => Vec::new(),
        }
    }

    fn kubectl(&self, words: &[String], cur: &str) -> Vec<String> {
        // Walk the words: the command path, the namespace, the positional arguments, and whether
        // the word at the cursor is the value of a flag.
        let mut path: Vec<String> = Vec::new();
        let mut positionals: Vec<String> = Vec::new();
        let mut ns: Option<String> = None;
        let mut pending: Option<String> = None;
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let specs = flags_of(&path.join(" "));
            if w == "--" {
                return Vec::new();
            }
            let mut took: Option<(String, Option<String>)> = None;
            if let Some(body) = w.strip_prefix("--") {
                let (name, inline) = match body.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (body, None),
                };
                if let Some(spec) = specs.iter().find(|s| s.long == name && s.value) {
                    took = Some((spec.long.to_string(), inline));
                }
            } else if w.len() > 1 && w.starts_with('-') {
                // Short flags bundle (`-it`); a value flag takes the rest of the word or the next.
                for (j, c) in w.char_indices().skip(1) {
                    match specs.iter().find(|s| s.short == Some(c)) {
                        Some(spec) if spec.value => {
                            let rest = w[j + c.len_utf8()..].to_string();
                            let rest = rest.strip_prefix('=').map(str::to_string).unwrap_or(rest);
                            took =
                                Some((spec.long.to_string(), (!rest.is_empty()).then_some(rest)));
                            break;
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
            } else {
                let p = path.join(" ");
                if path.is_empty() {
                    path.push(w.clone());
                } else if let Some((_, subs, aliases)) =
                    SUBCOMMANDS.iter().find(|(q, _, _)| *q == p)
                {
                    if positionals.is_empty() {
                        let canon = aliases
                            .iter()
                            .find(|(a, _)| a == w)
                            .map(|(_, c)| *c)
                            .unwrap_or(w.as_str());
                        if subs.contains(&canon) {
                            path.push(canon.to_string());
                        } else {
                            positionals.push(w.clone());
                        }
                    } else {
                        positionals.push(w.clone());
                    }
                } else {
                    positionals.push(w.clone());
                }
            }
            if let Some((name, value)) = took {
                let value = match value {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        words.get(i).cloned()
                    }
                };
                match value {
                    Some(v) if name == "namespace" => ns = Some(v),
                    Some(_) => {}
                    None => pending = Some(name),
                }
            }
            i += 1;
        }
        let path = path.join(" ");
        let ns = ns.unwrap_or_else(|| "default".to_string());

        if let Some(flag) = pending {
            return self.value(&path, &flag, cur, &ns, &positionals);
        }
        if let Some(body) = cur.strip_prefix("--") {
            if let Some((name, v)) = body.split_once('=') {
                return self
                    .value(&path, name, v, &ns, &positionals)
                    .into_iter()
                    .map(|c| format!("--{name}={c}"))
                    .collect();
            }
        }
        if cur.starts_with('-') {
            let specs = flags_of(&path);
            if cur.len() == 2 && !cur.starts_with("--") {
                // `-n`: a whole short flag; Tab only confirms it.
                let c = cur.chars().nth(1);
                return if specs.iter().any(|s| s.short.is_some() && s.short == c) {
                    vec![cur.to_string()]
                } else {
                    starting(specs.iter().map(|s| format!("--{}", s.long)), cur)
                };
            }
            return starting(specs.iter().map(|s| format!("--{}", s.long)), cur);
        }
        if path.is_empty() {
            return starting(COMMANDS.iter().copied(), cur);
        }
        if let Some((_, subs, _)) = SUBCOMMANDS.iter().find(|(p, _, _)| *p == path) {
            if positionals.is_empty() {
                return starting(subs.iter().copied(), cur);
            }
        }
        self.argument(&path, &positionals, cur, &ns)
    }

    /// A positional argument of a kubectl command.
    fn argument(&self, path: &str, args: &[String], cur: &str, ns: &str) -> Vec<String> {
        let kinds = kinds_for(path);
        let n = args.len();
        let slash = args.first().is_some_and(|a| a.contains('/'));
        match path {
            "explain" if n == 0 => self.kinds(&kinds, cur, false),
            "get" | "describe" | "delete" => {
                if n == 0 && !cur.contains('/') {
                    // `pods,svc`: complete the last of a comma list.
                    let (done, last) = match cur.rfind(',') {
                        Some(i) => (&cur[..=i], &cur[i + 1..]),
                        None => ("", cur),
                    };
                    let mut v: Vec<String> = self
                        .kinds(&kinds, last, false)
                        .into_iter()
                        .map(|k| format!("{done}{k}"))
                        .collect();
                    if path == "get" && "all".starts_with(last) {
                        v.push(format!("{done}all"));
                    }
                    v
                } else if n == 0 || slash {
                    self.type_name(&kinds, cur, ns)
                } else {
                    args[0]
                        .split(',')
                        .filter_map(resolve_kind)
                        .flat_map(|k| self.names(k, ns, cur))
                        .collect()
                }
            }
            "label" | "annotate" | "patch" | "edit" | "wait" | "rollout status"
            | "rollout history" | "rollout undo" | "rollout restart" | "rollout pause"
            | "rollout resume" | "scale" | "expose" | "taint" | "set image" | "set env" => {
                let name_at = if slash { 0 } else { 1 };
                if n == 0 && !cur.contains('/') {
                    self.kinds(&kinds, cur, false)
                } else if n == 0 && cur.contains('/') {
                    self.type_name(&kinds, cur, ns)
                } else if n == name_at && !slash {
                    match resolve_kind(&args[0]) {
                        Some(k) => self.names(k, ns, cur),
                        None => Vec::new(),
                    }
                } else if path == "set image" && n > name_at {
                    // CONTAINER=IMAGE: the object's containers, then the registry's images.
                    let target = if slash {
                        args[0]
                            .split_once('/')
                            .map(|(t, n)| (t.to_string(), n.to_string()))
                    } else {
                        args.get(1).map(|n| (args[0].clone(), n.clone()))
                    };
                    let Some((t, name)) = target else {
                        return Vec::new();
                    };
                    let Some(k) = resolve_kind(&t) else {
                        return Vec::new();
                    };
                    match cur.split_once('=') {
                        Some((c, img)) => images(img)
                            .into_iter()
                            .map(|i| format!("{c}={i}"))
                            .collect(),
                        None => self
                            .containers(k, &name, ns, cur)
                            .into_iter()
                            .map(|c| format!("{c}="))
                            .collect(),
                    }
                } else {
                    Vec::new()
                }
            }
            "logs" | "exec" => {
                if n == 0 {
                    if cur.contains('/') {
                        return self.type_name(&kinds, cur, ns);
                    }
                    let mut v = self.names(Kind::Pod, ns, cur);
                    if !cur.is_empty() {
                        v.extend(self.kinds(&kinds, cur, true));
                    }
                    v
                } else if n == 1 && path == "logs" {
                    self.pod_containers(&args[0], ns, cur)
                } else {
                    Vec::new()
                }
            }
            "cordon" | "uncordon" | "drain" => self.names(Kind::Node, ns, cur),
            _ => Vec::new(),
        }
    }

    /// The containers of the pod named on the line (`POD` or `pod/POD`).
    fn pod_containers(&self, target: &str, ns: &str, cur: &str) -> Vec<String> {
        let (kind, name) = match target.split_once('/') {
            Some((t, n)) => (resolve_kind(t), n),
            None => (Some(Kind::Pod), target),
        };
        match kind {
            Some(k) => self.containers(k, name, ns, cur),
            None => Vec::new(),
        }
    }

    /// The value of `--flag` for a command path.
    fn value(&self, path: &str, flag: &str, cur: &str, ns: &str, args: &[String]) -> Vec<String> {
        match flag {
            "namespace" => self.names(Kind::Namespace, ns, cur),
            "filename" => {
                let mut v = self.files(cur);
                if "-".starts_with(cur) && path != "exec" {
                    v.push("-".into());
                }
                v
            }
            "container" | "containers" if matches!(path, "logs" | "exec") => match args.first() {
                Some(t) => self.pod_containers(t, ns, cur),
                None => Vec::new(),
            },
            "image" => images(cur),
            _ => starting(flag_values(path, flag).iter().copied(), cur),
        }
    }

    fn sim(&self, words: &[String], cur: &str) -> Vec<String> {
        let mut args: Vec<&str> = Vec::new();
        let mut ns = "default".to_string();
        let mut pending: Option<&str> = None;
        let mut container_of: Option<&str> = None;
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_str();
            let flag = match w {
                "-n" | "--namespace" => Some("namespace"),
                "-c" | "--container" => Some("container"),
                "--zone" => Some("zone"),
                _ => None,
            };
            if let Some(f) = flag {
                match words.get(i + 1) {
                    Some(v) if f == "namespace" => ns = v.clone(),
                    Some(_) => {}
                    None => pending = Some(f),
                }
                i += 2;
                continue;
            }
            if let Some(v) = w.strip_prefix("--namespace=") {
                ns = v.to_string();
            } else if !w.starts_with('-') {
                args.push(w);
            }
            i += 1;
        }
        if args.first() == Some(&"container") {
            container_of = args.get(2).copied();
        }
        match pending {
            Some("namespace") => return self.names(Kind::Namespace, &ns, cur),
            Some("container") => {
                return container_of
                    .map(|p| self.pod_containers(p, &ns, cur))
                    .unwrap_or_default();
            }
            Some(_) => return Vec::new(),
            None => {}
        }
        if cur.starts_with('-') {
            let flags: &[&str] = match args.first() {
                Some(&"node") => &["--zone"],
                Some(&"container") => &["--container", "--namespace"],
                _ => &[],
            };
            return starting(flags.iter().copied(), cur);
        }
        let words: &[&str] = match args.as_slice() {
            [] => &["cloud", "container", "help", "image", "node", "time"],
            ["node"] => &["add", "fail", "partition", "recover", "remove"],
            ["cloud"] => &["delete-instance", "routes"],
            ["container"] => &["crash"],
            ["image"] => &["break", "fix"],
            ["node", "fail" | "partition" | "recover" | "remove"]
            | ["cloud", "delete-instance"] => return self.names(Kind::Node, &ns, cur),
            ["container", "crash"] => return self.names(Kind::Pod, &ns, cur),
            ["image", "break" | "fix"] => return images(cur),
            _ => &[],
        };
        starting(words.iter().copied(), cur)
    }
}

/// The simulated registry's images (`nginx`), or with `:` typed, that image's tags.
fn images(cur: &str) -> Vec<String> {
    match cur.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => crate::sim::images::names()
            .filter(|(n, _)| *n == name)
            .flat_map(|(n, tags)| {
                tags.iter()
                    .filter(|t| t.starts_with(tag))
                    .map(move |t| format!("{n}:{t}"))
            })
            .collect(),
        _ => starting(crate::sim::images::names().map(|(n, _)| n), cur),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConfig;

    /// A cluster with two Deployments (`nginx`, `web`), a pod of its own, a ConfigMap, a file.
    fn shell() -> Shell {
        let mut sh = Shell::new(SimConfig::default());
        for line in [
            "kubectl create deployment nginx --image=nginx --replicas=2",
            "kubectl create deployment web --image=httpd",
            "kubectl run ngx-debug --image=busybox -- sleep 3600",
            "kubectl create configmap settings --from-literal=a=b",
            "kubectl create namespace team-a",
        ] {
            let o = sh.run_line(line);
            assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
        }
        sh.write_file(
            "pod.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n",
        );
        sh.write_file(
            "deploy.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: existing\n",
        );
        let o = sh.run_line("kubectl apply -f deploy.yaml");
        assert_eq!(o.exit_code, 0, "{}", o.stderr);
        sh.sim_mut().advance(20_000);
        // A second revision, for `rollout undo`.
        let o = sh.run_line("kubectl set image deploy/nginx nginx=nginx:1.27");
        assert_eq!(o.exit_code, 0, "{}", o.stderr);
        sh.sim_mut().advance(30_000);
        sh
    }

    fn pods(sh: &Shell, ns: &str, prefix: &str) -> Vec<String> {
        let mut v: Vec<String> = sh
            .sim()
            .store()
            .list(Kind::Pod, Some(ns))
            .iter()
            .map(|o| o.name().to_string())
            .filter(|n| n.starts_with(prefix))
            .collect();
        v.sort();
        v
    }

    /// Completes at the end of `line` (or at `|` if the line has one).
    fn at(sh: &Shell, line: &str) -> Completion {
        match line.find('|') {
            Some(i) if !line.contains(" | ") => {
                let l = line.replacen('|', "", 1);
                complete(sh, &l, i, &["clear"])
            }
            _ => complete(sh, line, line.len(), &["clear"]),
        }
    }

    fn cands(sh: &Shell, line: &str) -> Vec<String> {
        at(sh, line).candidates
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn table() {
        let sh = shell();
        let nginx_pods = pods(&sh, "default", "nginx-");
        assert_eq!(nginx_pods.len(), 2);
        let dns_pods = pods(&sh, "kube-system", "coredns-");
        assert!(!dns_pods.is_empty());
        let cases: Vec<(&str, Vec<String>)> = vec![
            // first words
            ("kub", v(&["kubectl"])),
            ("c", v(&["cat", "clear", "curl", "cut"])),
            ("s", v(&["sim", "sleep", "sort"])),
            ("kubectl get pods | gr", v(&["grep"])),
            ("kubectl get pods && kubectl ver", v(&["version"])),
            ("echo $(kubectl get", v(&["get"])),
            ("timeout 10s kubectl rollout st", v(&["status"])),
            // kubectl commands and subcommands
            ("kubectl ro", v(&["rollout"])),
            ("kubectl de", v(&["delete", "describe"])),
            ("kubectl -n kube-system ge", v(&["get"])),
            (
                "kubectl rollout ",
                v(&["history", "pause", "restart", "resume", "status", "undo"]),
            ),
            ("kubectl rollout un", v(&["undo"])),
            ("kubectl create dep", v(&["deployment"])),
            ("kubectl explain dep", v(&["deployments"])),
            ("kubectl explain pods --rec", v(&["--recursive"])),
            ("kubectl exp", v(&["explain", "expose"])),
            ("kubectl ed", v(&["edit"])),
            ("kubectl create secret ", v(&["generic"])),
            ("kubectl create service n", v(&["nodeport"])),
            ("kubectl set ", v(&["env", "image", "serviceaccount"])),
            ("kubectl create serv", v(&["service", "serviceaccount"])),
            // kinds
            ("kubectl get po", v(&["pods"])),
            ("kubectl get deploy", v(&["deployments"])),
            ("kubectl get sts", v(&["sts"])),
            (
                "kubectl get pe",
                v(&["persistentvolumeclaims", "persistentvolumes"]),
            ),
            ("kubectl get pods,sv", v(&["pods,svc"])),
            (
                "kubectl get pods,se",
                v(&["pods,secrets", "pods,serviceaccounts", "pods,services"]),
            ),
            ("kubectl get al", v(&["all"])),
            (
                "kubectl rollout status ",
                v(&["daemonsets", "deployments", "statefulsets"]),
            ),
            ("kubectl scale r", v(&["replicasets"])),
            // names
            ("kubectl describe deploy ng", v(&["nginx"])),
            ("kubectl describe deployment ", v(&["nginx", "web"])),
            (
                "kubectl get cm ",
                v(&["existing", "kube-root-ca.crt", "settings"]),
            ),
            ("kubectl get deploy/w", v(&["deploy/web"])),
            ("kubectl get deploy/nginx deploy/w", v(&["deploy/web"])),
            ("kubectl get deploy n", v(&["nginx"])),
            (
                "kubectl rollout status deployment/ng",
                v(&["deployment/nginx"]),
            ),
            ("kubectl rollout undo deploy w", v(&["web"])),
            ("kubectl scale deploy/", v(&["deploy/nginx", "deploy/web"])),
            ("kubectl edit deploy/w", v(&["deploy/web"])),
            ("kubectl edit deployment ", v(&["nginx", "web"])),
            (
                "kubectl edit se",
                v(&["secrets", "serviceaccounts", "services"]),
            ),
            ("kubectl logs ngx", v(&["ngx-debug"])),
            ("kubectl logs deploy", v(&["deployment/"])),
            (
                "kubectl logs deployment/",
                v(&["deployment/nginx", "deployment/web"]),
            ),
            ("kubectl exec -it ngx", v(&["ngx-debug"])),
            ("kubectl logs ngx-debug ", v(&["ngx-debug"])),
            ("kubectl logs ngx-debug -c ", v(&["ngx-debug"])),
            (
                "kubectl logs pod/ngx-debug --container=n",
                v(&["--container=ngx-debug"]),
            ),
            (
                "kubectl get nodes kind-w",
                v(&["kind-worker", "kind-worker2"]),
            ),
            ("kubectl cordon kind-c", v(&["kind-control-plane"])),
            ("kubectl taint nodes kind-worker2", v(&["kind-worker2"])),
            ("kubectl get ns t", v(&["team-a"])),
            // namespaces
            (
                "kubectl get pods -n ",
                v(&[
                    "default",
                    "kube-node-lease",
                    "kube-public",
                    "kube-system",
                    "local-path-storage",
                    "team-a",
                ]),
            ),
            (
                "kubectl get pods --namespace=kube-s",
                v(&["--namespace=kube-system"]),
            ),
            ("kubectl get pods -n kube-system core", dns_pods.clone()),
            ("kubectl -n kube-system describe pod core", dns_pods.clone()),
            (
                "kubectl describe pod --namespace kube-system core",
                dns_pods.clone(),
            ),
            ("kubectl get pods -nkube-system core", dns_pods.clone()),
            ("kubectl get pods nginx-", nginx_pods.clone()),
            // flags
            (
                "kubectl get pods --sho",
                v(&["--show-kind", "--show-labels"]),
            ),
            ("kubectl get pods --all-n", v(&["--all-namespaces"])),
            ("kubectl delete deploy web --cas", v(&["--cascade"])),
            (
                "kubectl rollout undo deploy/web --to",
                v(&["--to-revision"]),
            ),
            ("kubectl create deployment x --rep", v(&["--replicas"])),
            (
                "kubectl create configmap x --from-l",
                v(&["--from-literal"]),
            ),
            ("kubectl get pods -n", v(&["-n"])),
            ("kubectl --kubec", v(&["--kubeconfig"])),
            (
                "kubectl get pods -o ",
                v(&[
                    "custom-columns=",
                    "go-template=",
                    "json",
                    "jsonpath=",
                    "name",
                    "template=",
                    "wide",
                    "yaml",
                ]),
            ),
            ("kubectl get pods -o j", v(&["json", "jsonpath="])),
            ("kubectl get pods --output=y", v(&["--output=yaml"])),
            (
                "kubectl create deployment x --image=nginx -o ",
                v(&["json", "name", "yaml"]),
            ),
            (
                "kubectl delete deploy web --cascade=",
                v(&[
                    "--cascade=background",
                    "--cascade=foreground",
                    "--cascade=orphan",
                ]),
            ),
            ("kubectl delete deploy web --cascade f", v(&["foreground"])),
            (
                "kubectl apply -f deploy.yaml --dry-run=c",
                v(&["--dry-run=client"]),
            ),
            (
                "kubectl expose deploy web --port=80 --type ",
                v(&["ClusterIP", "LoadBalancer", "NodePort"]),
            ),
            ("kubectl patch deploy web --type=m", v(&["--type=merge"])),
            ("kubectl run x --image=ng", v(&["--image=nginx"])),
            (
                "kubectl run x --image registry.k8s.io/e",
                v(&["registry.k8s.io/echoserver"]),
            ),
            (
                "kubectl run x --image=nginx:1.27-",
                v(&["--image=nginx:1.27-alpine"]),
            ),
            ("kubectl set image deploy/web ", v(&["httpd="])),
            (
                "kubectl set image deploy web httpd=httpd:2.4-a",
                v(&["httpd=httpd:2.4-alpine"]),
            ),
            // files
            ("kubectl apply -f ", v(&["-", "deploy.yaml", "pod.yaml"])),
            ("kubectl apply -f p", v(&["pod.yaml"])),
            (
                "kubectl delete --filename=d",
                v(&["--filename=deploy.yaml"]),
            ),
            ("cat p", v(&["pod.yaml"])),
            ("kubectl get pods -o yaml > p", v(&["pod.yaml"])),
            // sim
            ("sim n", v(&["node"])),
            ("sim node f", v(&["fail"])),
            ("sim node fail kind-worker2", v(&["kind-worker2"])),
            ("sim container crash ngx", v(&["ngx-debug"])),
            ("sim image break busy", v(&["busybox"])),
            // nothing to offer
            ("kubectl get pods # a comment ", v(&[])),
            ("kubectl create deployment ", v(&[])),
            ("kubectl exec ngx-debug -- l", v(&[])),
            ("vim ", v(&[])),
        ];
        let mut failures = Vec::new();
        for (line, want) in cases {
            let got = cands(&sh, line);
            if got != want {
                failures.push(format!("{line:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn what_tab_inserts() {
        let sh = shell();
        let tab = |line: &str| at(&sh, line).apply(line);
        assert_eq!(
            tab("kubectl get po"),
            Some(("kubectl get pods ".to_string(), 17))
        );
        // The TYPE/ form continues without a space; so does a value that takes an argument.
        assert_eq!(
            tab("kubectl logs deploy"),
            Some(("kubectl logs deployment/".to_string(), 24))
        );
        assert_eq!(
            tab("kubectl get pods -o jsonp"),
            Some(("kubectl get pods -o jsonpath=".to_string(), 29))
        );
        // Several: the common prefix, then nothing more (the second Tab lists them).
        let pod = pods(&sh, "default", "nginx-");
        let common = Completion {
            start: 0,
            end: 0,
            candidates: pod.clone(),
        }
        .common_prefix();
        assert!(common.len() > "nginx-".len(), "{common}");
        let line = "kubectl logs ngi";
        assert_eq!(
            tab(line),
            Some((format!("kubectl logs {common}"), 13 + common.len()))
        );
        assert_eq!(tab(&format!("kubectl logs {common}")), None);
        assert_eq!(
            tab("kubectl get pods -o j"),
            Some(("kubectl get pods -o json".to_string(), 24))
        );
        assert_eq!(tab("kubectl get pods -o json"), None);
        // Nothing to complete: no change.
        assert_eq!(tab("kubectl create deployment "), None);
        // In the middle of a line: the rest is kept, the cursor lands after the space.
        let line = "kubectl describe deploy ng -o yaml";
        let c = complete(&sh, line, 26, &[]);
        assert_eq!(
            c.apply(line),
            Some(("kubectl describe deploy nginx -o yaml".to_string(), 30))
        );
        // A multi-line input completes its current line.
        let line = "kubectl get pods\nkubectl desc";
        let c = complete(&sh, line, line.len(), &[]);
        assert_eq!(c.start, 25);
        assert_eq!(c.candidates, v(&["describe"]));
        // Quotes: the word is unquoted to match.
        assert_eq!(cands(&sh, "kubectl describe deploy \"ng"), v(&["nginx"]));
        // Non-ASCII and out-of-range cursors never panic.
        let line = "kubectl get pöds é";
        for i in 0..=line.len() + 3 {
            let _ = complete(&sh, line, i, &[]).apply(line);
        }
    }

    #[test]
    fn common_prefix_is_char_safe() {
        let c = Completion {
            start: 0,
            end: 0,
            candidates: v(&["aé1", "aé2", "aè"]),
        };
        assert_eq!(c.common_prefix(), "a");
        let c = Completion {
            start: 0,
            end: 0,
            candidates: v(&["abc", "ab"]),
        };
        assert_eq!(c.common_prefix(), "ab");
    }

    #[test]
    fn heredoc_bodies_are_not_completed() {
        let mut sh = shell();
        let o = sh.run_line("cat <<EOF | kubectl apply -f -");
        assert!(o.more);
        assert!(cands(&sh, "kub").is_empty());
        let sh = shell();
        assert!(complete(&sh, "cat <<EOF\nkub", 13, &[])
            .candidates
            .is_empty());
    }

    #[test]
    fn history_search() {
        let h = v(&[
            "kubectl get pods",
            "kubectl get nodes",
            "echo hi",
            "kubectl get pods -w",
        ]);
        assert_eq!(search_history(&h, "get", h.len()), Some(3));
        assert_eq!(search_history(&h, "get", 3), Some(1));
        assert_eq!(search_history(&h, "get", 1), Some(0));
        assert_eq!(search_history(&h, "get", 0), None);
        assert_eq!(search_history(&h, "nodes", 99), Some(1));
        assert_eq!(search_history(&h, "zzz", h.len()), None);
        assert_eq!(search_history(&h, "", h.len()), Some(3));
    }

    #[test]
    fn kind_names_cover_every_kind_plural_first() {
        for k in Kind::ALL {
            let entries: Vec<_> = KIND_NAMES.iter().filter(|(x, _)| *x == k).collect();
            assert_eq!(entries.len(), 1, "{k:?}");
            assert_eq!(entries[0].1[0], k.plural(), "{k:?}");
            for n in entries[0].1 {
                assert_eq!(resolve_kind(n), Some(k), "{n}");
            }
        }
    }

    /// Every offered command, subcommand, flag and value is one the command accepts.
    #[test]
    fn everything_offered_is_accepted() {
        let base = shell();
        let run = |line: &str| {
            let mut sh = base.clone();
            sh.run_line(line)
        };
        let refused = |o: &super::super::Outcome| {
            o.stderr.contains("unknown flag")
                || o.stderr.contains("unknown shorthand")
                || o.stderr.contains("unknown command")
                || o.stderr.contains("not available in kubeplay")
                || o.stderr.contains("Unexpected args")
                || o.stderr.contains("command not found")
        };
        // The check can fail: kubeplay refuses these.
        assert!(refused(&run("kubectl attach pod/nginx")));
        assert!(refused(&run("kubectl get pods --bogus")));
        assert!(refused(&run("vim")));
        for p in PROGRAMS {
            let o = run(p);
            assert!(!o.stderr.contains("command not found"), "{p}: {}", o.stderr);
        }
        for c in COMMANDS {
            let o = run(&format!("kubectl {c}"));
            assert!(!refused(&o), "kubectl {c}: {}", o.stderr);
        }
        for (path, subs, aliases) in SUBCOMMANDS {
            for (s, canon) in subs
                .iter()
                .map(|s| (s, s))
                .chain(aliases.iter().map(|(a, c)| (a, c)))
            {
                let sub = SUBCOMMANDS
                    .iter()
                    .find(|(q, _, _)| *q == format!("{path} {canon}"));
                let s = match sub {
                    Some((_, next, _)) => format!("{s} {}", next[0]),
                    // `use-context` needs the context's name (kubectl says "Unexpected args: []").
                    None if *s == "use-context" => format!("{s} kind-kind"),
                    None => s.to_string(),
                };
                let o = run(&format!("kubectl {path} {s}"));
                assert!(!refused(&o), "kubectl {path} {s}: {}", o.stderr);
            }
        }
        // Every path that SUBCOMMANDS can reach has a flag table, and every table a path.
        for (path, subs, _) in SUBCOMMANDS {
            for s in *subs {
                let p = format!("{path} {s}");
                let has_subs = SUBCOMMANDS.iter().any(|(q, _, _)| *q == p);
                assert!(
                    has_subs || FLAG_TABLES.iter().any(|(q, _)| *q == p),
                    "no flag table for {p}"
                );
            }
        }
        for c in COMMANDS {
            let has_subs = SUBCOMMANDS.iter().any(|(q, _, _)| q == c);
            assert!(
                has_subs || FLAG_TABLES.iter().any(|(q, _)| q == c),
                "no flag table for {c}"
            );
        }
        for (path, _) in FLAG_TABLES {
            for spec in flags_of(path) {
                let flag = if spec.value {
                    format!("--{}=x", spec.long)
                } else {
                    format!("--{}", spec.long)
                };
                // A real kubectl flag kubeplay knows but does not model yet ("not available in
                // kubeplay yet") is still offered, as kubectl's completion would.
                let o = run(&format!("kubectl {path} {flag}"));
                assert!(
                    !o.stderr.contains("unknown flag") && !o.stderr.contains("unknown shorthand"),
                    "kubectl {path} {flag}: {}",
                    o.stderr
                );
                let values = flag_values(path, spec.long);
                for val in values {
                    let val = if val.ends_with('=') {
                        format!("{val}{{.metadata.name}}")
                    } else {
                        val.to_string()
                    };
                    let line = value_probe(path, spec.long, &val);
                    let o = run(&line);
                    assert_eq!(o.exit_code, 0, "{line}: {}", o.stderr);
                }
            }
        }
    }

    /// A command line on which `--flag=value` must succeed.
    fn value_probe(path: &str, flag: &str, val: &str) -> String {
        let val = if path == "get" && val.starts_with("custom-columns=") {
            "custom-columns=NAME:.metadata.name".to_string()
        } else if path == "wait" && flag == "for" {
            match val {
                "delete" => "delete".to_string(),
                v if v.starts_with("condition=") => "condition=Available".to_string(),
                _ => "jsonpath={.spec.replicas}=2".to_string(),
            }
        } else {
            val.to_string()
        };
        let target = match path {
            "get" | "describe" | "label" | "annotate" | "scale" | "rollout status"
            | "rollout history" | "rollout restart" | "set env" | "set image" => "deploy/nginx",
            "set serviceaccount" => "deploy/nginx default",
            "delete" => "deploy/web",
            "apply" | "create" => "-f pod.yaml",
            "cordon" | "uncordon" | "drain" => "kind-worker",
            "taint" => "nodes kind-worker a=b:NoSchedule",
            "rollout undo" => "deploy/nginx",
            "replace" => "-f deploy.yaml",
            "wait" if flag != "for" => "deploy/nginx --for=condition=Available",
            "wait" => "deploy/nginx",
            "patch" | "edit" => "deploy/nginx",
            "explain" => "pods",
            "expose" => "deploy/nginx --port=80 --name=svc-probe",
            "run" => "probe --image=nginx",
            "create deployment" => "probe --image=nginx",
            "create cronjob" => "probe --image=busybox --schedule=*/1_*_*_*_*",
            "create job" => "probe --image=busybox",
            "create service externalname" => "probe --external-name=example.com",
            "create serviceaccount" => "probe",
            p if p.starts_with("create service") => "probe --tcp=80",
            p if p.starts_with("create ") => "probe",
            _ => "",
        };
        let extra = match path {
            "label" => " a=b",
            "annotate" => " a=b",
            "set env" => " A=B",
            "set image" => " nginx=nginx:1.27",
            "patch" if flag == "type" && val == "json" => {
                " -p [{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]"
            }
            "patch" => " -p {\"spec\":{\"replicas\":3}}",
            "scale" => " --replicas=3",
            "drain" => " --ignore-daemonsets --force",
            _ => "",
        };
        let target = target.replace('_', " ");
        let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let extra = match extra.strip_prefix(" -p ") {
            Some(p) => format!(" -p {}", quote(p)),
            None => extra.to_string(),
        };
        let target = if path == "create cronjob" {
            "probe --image=busybox --schedule='*/1 * * * *'".to_string()
        } else {
            target
        };
        format!("kubectl {path} {target}{extra} --{flag}={}", quote(&val))
    }
}
