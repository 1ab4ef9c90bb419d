//! `kubectl config`: the kubeconfig kind writes for its cluster (one cluster, user and context,
//! all named `kind-kind`), and the one setting tutorials change: the current context's default
//! namespace (`kubectl config set-context --current --namespace=dev`), which every later command
//! uses when it is given no `-n`.

use super::args::{self, flag, FlagSpec};
use super::outcome::Outcome;
use super::printers::table;

/// The name of kind's cluster, user and context.
pub const CONTEXT: &str = "kind-kind";

/// What the terminal's kubeconfig holds that can change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeConfig {
    /// The current context's `namespace:` (None: commands default to `default`).
    pub namespace: Option<String>,
}

pub(crate) const GET_CONTEXTS_FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), true),
    flag("no-headers", None, false),
];
pub(crate) const VIEW_FLAGS: &[FlagSpec] = &[
    flag("minify", None, false),
    flag("raw", None, false),
    flag("flatten", None, false),
    flag("output", Some('o'), true),
];
pub(crate) const SET_CONTEXT_FLAGS: &[FlagSpec] = &[
    flag("current", None, false),
    flag("cluster", None, true),
    flag("user", None, true),
];

const USAGE: &str = "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".

Available Commands in kubeplay:
  current-context   Display the current-context
  get-clusters      Display clusters defined in the kubeconfig
  get-contexts      Describe one or many contexts
  get-users         Display users defined in the kubeconfig
  set-context       Set a context entry in kubeconfig (--current --namespace=NS)
  use-context       Set the current-context in a kubeconfig file
  view              Display merged kubeconfig settings

Usage:
  kubectl config SUBCOMMAND [options]
";

/// `kubectl config WORDS...` (the words after `config`).
pub fn config(cfg: &mut KubeConfig, words: &[String]) -> Outcome {
    let Some(sub) = words.first() else {
        return Outcome::ok(USAGE);
    };
    let rest = &words[1..];
    match sub.as_str() {
        "current-context" => match args::parse(rest, &[], "kubectl config current-context") {
            Ok(_) => Outcome::ok(format!("{CONTEXT}\n")),
            Err(e) => Outcome::err(e),
        },
        "get-contexts" => get_contexts(cfg, rest),
        "get-clusters" | "get-users" => {
            match args::parse(rest, &[], &format!("kubectl config {sub}")) {
                Ok(_) => Outcome::ok(format!("NAME\n{CONTEXT}\n")),
                Err(e) => Outcome::err(e),
            }
        }
        "use-context" => {
            let p = match args::parse(rest, &[], "kubectl config use-context") {
                Ok(p) => p,
                Err(e) => return Outcome::err(e),
            };
            match p.args.first().map(String::as_str) {
                None => Outcome::err(
                    "error: Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples\n",
                ),
                Some(CONTEXT) => Outcome::ok(format!("Switched to context \"{CONTEXT}\".\n")),
                Some(other) => Outcome::err(format!(
                    "error: no context exists with the name: \"{other}\".\n"
                )),
            }
        }
        "set-context" => set_context(cfg, rest),
        "view" => view(cfg, rest),
        "-h" | "--help" | "help" => Outcome::ok(USAGE),
        other => Outcome::err(format!(
            "error: \"kubectl config {other}\" is not available in kubeplay yet\n"
        )),
    }
}

fn get_contexts(cfg: &KubeConfig, words: &[String]) -> Outcome {
    let p = match args::parse(words, GET_CONTEXTS_FLAGS, "kubectl config get-contexts") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if let Some(name) = p.args.iter().find(|a| a.as_str() != CONTEXT) {
        return Outcome::err(format!("error: context {name} not found\n"));
    }
    match p.get("output") {
        Some("name") => return Outcome::ok(format!("{CONTEXT}\n")),
        Some(o) => {
            return Outcome::err(format!("error: output must be one of '' or 'name': {o}\n"))
        }
        None => {}
    }
    let mut rows = Vec::new();
    if !p.bool("no-headers") {
        rows.push(
            ["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]
                .map(String::from)
                .to_vec(),
        );
    }
    rows.push(vec![
        "*".into(),
        CONTEXT.into(),
        CONTEXT.into(),
        CONTEXT.into(),
        cfg.namespace.clone().unwrap_or_default(),
    ]);
    Outcome::ok(table(&rows))
}

fn set_context(cfg: &mut KubeConfig, words: &[String]) -> Outcome {
    let p = match args::parse(words, SET_CONTEXT_FLAGS, "kubectl config set-context") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let name = match (p.bool("current"), p.args.first()) {
        (true, Some(_)) => {
            return Outcome::err("error: you cannot specify a context name and --current\n")
        }
        (true, None) => CONTEXT.to_string(),
        (false, Some(n)) => n.clone(),
        (false, None) => {
            return Outcome::err("error: you must specify a non-empty context name or --current\n")
        }
    };
    if name != CONTEXT {
        return Outcome::err(format!(
            "error: kubeplay has one context, \"{CONTEXT}\"; \"{name}\" cannot be made here\n"
        ));
    }
    if p.get("cluster").is_some_and(|c| c != CONTEXT) || p.get("user").is_some_and(|u| u != CONTEXT)
    {
        return Outcome::err(format!(
            "error: kubeplay has one cluster and one user, both \"{CONTEXT}\"\n"
        ));
    }
    if let Some(ns) = p.get("namespace") {
        cfg.namespace = (!ns.is_empty()).then(|| ns.to_string());
    }
    Outcome::ok(format!("Context \"{CONTEXT}\" modified.\n"))
}

fn view(cfg: &KubeConfig, words: &[String]) -> Outcome {
    let p = match args::parse(words, VIEW_FLAGS, "kubectl config view") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let ns = cfg
        .namespace
        .as_ref()
        .map(|n| format!("    namespace: {n}\n"))
        .unwrap_or_default();
    if p.bool("raw") {
        return Outcome::err(
            "error: kubeplay holds no real certificates: \"kubectl config view --raw\" is not available\n",
        );
    }
    let (ca, cert, key) = ("DATA+OMITTED", "DATA+OMITTED", "DATA+OMITTED");
    let yaml = format!(
        "apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: {server}
  name: {CONTEXT}
contexts:
- context:
    cluster: {CONTEXT}
{ns}    user: {CONTEXT}
  name: {CONTEXT}
current-context: {CONTEXT}
kind: Config
preferences: {{}}
users:
- name: {CONTEXT}
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
",
        server = super::cmd::SERVER_URL,
    );
    match p.get("output") {
        None | Some("yaml") => Outcome::ok(yaml),
        Some(o) => Outcome::err(format!(
            "error: kubeplay prints the kubeconfig as YAML only, not \"{o}\"\n"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn namespace_of_the_context() {
        let mut c = KubeConfig::default();
        assert_eq!(config(&mut c, &w("current-context")).stdout, "kind-kind\n");
        let o = config(&mut c, &w("set-context --current --namespace=dev"));
        assert_eq!(o.stdout, "Context \"kind-kind\" modified.\n");
        assert_eq!(c.namespace.as_deref(), Some("dev"));
        assert!(config(&mut c, &w("view"))
            .stdout
            .contains("    namespace: dev\n"));
        assert_eq!(
            config(&mut c, &w("get-contexts")).stdout,
            "CURRENT   NAME        CLUSTER     AUTHINFO    NAMESPACE\n*         kind-kind   kind-kind   kind-kind   dev\n"
        );
        config(&mut c, &w("set-context --current --namespace="));
        assert_eq!(c.namespace, None);
        let o = config(&mut c, &w("use-context prod"));
        assert_eq!(o.exit_code, 1);
        assert_eq!(
            o.stderr,
            "error: no context exists with the name: \"prod\".\n"
        );
    }
}
