//! `kubectl edit TYPE/NAME` / `kubectl edit TYPE NAME`: in a real terminal it opens `$EDITOR` on
//! the object's YAML. Here the command checks the object (the same NotFound and unknown-type
//! errors as kubectl) and then asks its front end for an editor through `Outcome::edit`: the page
//! opens its inspector on the object in Edit mode; the native CLI has no editor and says so.

use super::args::{self, flag, FlagSpec};
use super::cmd::{not_found, resolve_kind, split_targets, unknown_type};
use super::outcome::Outcome;
use crate::sim::store::ObjKey;
use crate::sim::Sim;

pub(crate) const EDIT_FLAGS: &[FlagSpec] = &[flag("filename", Some('f'), true)];

/// What a front end without an editor (the native CLI, scripts) prints for `kubectl edit`.
pub const NO_EDITOR: &str = "error: kubectl edit opens an editor, and kubeplay's command line has none: change the object with kubectl patch, kubectl set, kubectl scale or kubectl apply -f, or edit it in the page's inspector\n";

/// `kubectl edit`. `editor`: whether the front end can open one (the page can).
pub fn edit(sim: &Sim, words: &[String], editor: bool) -> Outcome {
    let p = match args::parse(words, EDIT_FLAGS, "kubectl edit") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    if p.get("filename").is_some() {
        return Outcome::err(
            "error: \"kubectl edit -f\" is not available in kubeplay yet; name the object: kubectl edit TYPE/NAME\n",
        );
    }
    if p.args.len() == 1 && !p.args[0].contains('/') {
        // `kubectl edit deployments`: every object of the type in one editor.
        let t = &p.args[0];
        return match resolve_kind(t) {
            None => unknown_type(t),
            Some(_) => Outcome::err(
                "error: editing every object of a type at once is not available in kubeplay yet; name one object: kubectl edit TYPE/NAME\n",
            ),
        };
    }
    let targets = match split_targets(&p.args) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let [(kind, name)] = targets.as_slice() else {
        return Outcome::err(
            "error: editing several objects at once is not available in kubeplay yet; edit them one at a time\n",
        );
    };
    if name.is_empty() {
        return Outcome::err(
            "error: arguments in resource/name form must have a single resource and name\n",
        );
    }
    let ns = if kind.namespaced() {
        p.namespace()
    } else {
        String::new()
    };
    let key = ObjKey::new(*kind, &ns, name);
    if sim.get(&key).is_none() {
        return not_found(*kind, name);
    }
    if editor {
        Outcome {
            edit: Some(key),
            ..Default::default()
        }
    } else {
        Outcome::err(NO_EDITOR)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Shell;
    use super::*;
    use crate::sim::{Kind, SimConfig};

    #[test]
    fn asks_the_front_end_for_an_editor_only_when_it_has_one() {
        let mut sh = Shell::new(SimConfig::default());
        let o = sh.run_line("kubectl create deployment web --image=nginx -n kube-public");
        assert_eq!(o.exit_code, 0, "{}", o.stderr);
        for line in [
            "kubectl edit deployment/web -n kube-public",
            "kubectl -n kube-public edit deploy web",
            "kubectl edit deployments.apps web --namespace=kube-public",
        ] {
            let o = sh.run_line(line);
            assert_eq!(
                (o.exit_code, o.stdout.as_str(), o.stderr.as_str()),
                (0, "", ""),
                "{line}"
            );
            assert_eq!(
                o.edit,
                Some(ObjKey::new(Kind::Deployment, "kube-public", "web")),
                "{line}"
            );
        }
        // Cluster-scoped objects have no namespace in their key.
        let o = sh.run_line("kubectl edit node kind-worker -n kube-public");
        assert_eq!(o.edit, Some(ObjKey::new(Kind::Node, "", "kind-worker")));
        // In a list the request survives.
        let o = sh.run_line("true; kubectl edit no/kind-worker");
        assert!(o.edit.is_some());
        // Errors never ask for an editor.
        let o = sh.run_line("kubectl edit deployment/web");
        assert_eq!(o.edit, None);
        assert_eq!(
            o.stderr,
            "Error from server (NotFound): deployments.apps \"web\" not found\n"
        );
        sh.set_editor(false);
        let o = sh.run_line("kubectl edit deployment/web -n kube-public");
        assert_eq!(
            (o.exit_code, o.edit, o.stderr.as_str()),
            (1, None, NO_EDITOR)
        );
    }
}
