//! Command-line flags the way kubectl's (cobra/pflag) parser takes them, with its error words.

use std::collections::BTreeMap;

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    /// Takes a value (`--image=nginx`, `-n ns`); otherwise boolean.
    pub value: bool,
}

pub const fn flag(long: &'static str, short: Option<char>, value: bool) -> FlagSpec {
    FlagSpec { long, short, value }
}

/// Flags every kubectl command accepts.
pub const GLOBAL: &[FlagSpec] = &[
    flag("namespace", Some('n'), true),
    flag("context", None, true),
    flag("cluster", None, true),
    flag("user", None, true),
    flag("kubeconfig", None, true),
    flag("request-timeout", None, true),
    flag("v", Some('v'), true),
    flag("server", Some('s'), true),
];

/// Parsed arguments: positionals, flag values (last one wins; all kept), and what follows `--`.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub args: Vec<String>,
    pub flags: BTreeMap<String, Vec<String>>,
    pub after_dash: Option<Vec<String>>,
}

thread_local! {
    /// The namespace of the kubeconfig's current context while one kubectl command runs (see
    /// [`with_context_namespace`]).
    static CONTEXT_NAMESPACE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs one kubectl command with `ns` as its default namespace, as kubectl takes it from the
/// kubeconfig context (`kubectl config set-context --current --namespace=dev`). An explicit `-n`
/// still wins, and commands that ask whether `-n` was given (`Parsed::get`) still see it absent.
pub fn with_context_namespace<T>(ns: Option<&str>, f: impl FnOnce() -> T) -> T {
    let before = CONTEXT_NAMESPACE.with(|c| c.replace(ns.map(str::to_string)));
    let r = f();
    CONTEXT_NAMESPACE.with(|c| c.replace(before));
    r
}

/// The context's namespace, or `default`.
pub fn context_namespace() -> String {
    CONTEXT_NAMESPACE
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| "default".to_string())
}

impl Parsed {
    /// `-n` if given, else the kubeconfig context's namespace, else `default`.
    pub fn namespace(&self) -> String {
        match self.get("namespace") {
            Some(ns) => ns.to_string(),
            None => context_namespace(),
        }
    }

    pub fn get(&self, long: &str) -> Option<&str> {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
    pub fn all(&self, long: &str) -> Vec<String> {
        self.flags.get(long).cloned().unwrap_or_default()
    }
    pub fn has(&self, long: &str) -> bool {
        self.flags.contains_key(long)
    }
    /// A boolean flag: present without value, or `=true`.
    pub fn bool(&self, long: &str) -> bool {
        match self.get(long) {
            Some(v) => v != "false",
            None => false,
        }
    }
}

/// Parses `words` against `specs` (plus the global flags). `cmd_path` names the command in errors
/// (`kubectl get`).
pub fn parse(words: &[String], specs: &[FlagSpec], cmd_path: &str) -> Result<Parsed, String> {
    let mut p = Parsed::default();
    let all: Vec<&FlagSpec> = specs.iter().chain(GLOBAL.iter()).collect();
    let usage = |msg: String| format!("Error: {msg}\nSee '{cmd_path} --help' for usage.\n");
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "--" {
            p.after_dash = Some(words[i + 1..].to_vec());
            break;
        }
        if let Some(body) = w.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(spec) = all.iter().find(|s| s.long == name) else {
                return Err(usage(format!("unknown flag: --{name}")));
            };
            let value = if spec.value {
                match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        match words.get(i) {
                            Some(v) => v.clone(),
                            None => return Err(usage(format!("flag needs an argument: --{name}"))),
                        }
                    }
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            p.flags
                .entry(spec.long.to_string())
                .or_default()
                .push(value);
        } else if w.len() > 1 && w.starts_with('-') {
            let chars: Vec<char> = w[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(spec) = all.iter().find(|s| s.short == Some(c)) else {
                    return Err(usage(format!("unknown shorthand flag: '{c}' in {w}")));
                };
                if spec.value {
                    let rest: String = chars[j + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest.strip_prefix('=').map(str::to_string).unwrap_or(rest)
                    } else {
                        i += 1;
                        match words.get(i) {
                            Some(v) => v.clone(),
                            None => {
                                return Err(usage(format!(
                                    "flag needs an argument: '{c}' in -{c}"
                                )));
                            }
                        }
                    };
                    p.flags
                        .entry(spec.long.to_string())
                        .or_default()
                        .push(value);
                    break;
                }
                p.flags
                    .entry(spec.long.to_string())
                    .or_default()
                    .push("true".into());
                j += 1;
            }
        } else {
            p.args.push(w.clone());
        }
        i += 1;
    }
    Ok(p)
}

/// Optimal-string-alignment distance, as cobra's `ld` suggestion helper computes it (case-insensitive).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    const SPECS: &[FlagSpec] = &[
        flag("output", Some('o'), true),
        flag("all-namespaces", Some('A'), false),
    ];

    #[test]
    fn forms_of_flags() {
        let p = parse(&w("pods -o wide -A --namespace=x"), SPECS, "kubectl get").unwrap();
        assert_eq!(p.args, vec!["pods"]);
        assert_eq!(p.get("output"), Some("wide"));
        assert!(p.bool("all-namespaces"));
        assert_eq!(p.get("namespace"), Some("x"));
        assert_eq!(
            parse(&w("-oyaml"), SPECS, "k").unwrap().get("output"),
            Some("yaml")
        );
        assert_eq!(
            parse(&w("-o=json"), SPECS, "k").unwrap().get("output"),
            Some("json")
        );
        let p = parse(&w("x -- sleep 10"), SPECS, "k").unwrap();
        assert_eq!(p.after_dash, Some(w("sleep 10")));
    }

    #[test]
    fn errors_as_kubectl() {
        assert_eq!(
            parse(&w("--bogus"), SPECS, "kubectl get").unwrap_err(),
            "Error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"
        );
        assert_eq!(
            parse(&w("-z"), SPECS, "kubectl get").unwrap_err(),
            "Error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.\n"
        );
    }

    #[test]
    fn distances() {
        assert_eq!(levenshtein("foo", "top"), 2);
        assert_eq!(levenshtein("gett", "get"), 1);
        assert_eq!(levenshtein("gett", "set"), 2);
    }
}
