//! `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`.

use super::args::{self, flag, FlagSpec};
use super::cmd::{not_found, split_targets};
use super::outcome::Outcome;
use crate::sim::object::Object;
use crate::sim::store::ObjKey;
use crate::sim::Sim;

pub(crate) const FLAGS: &[FlagSpec] = &[
    flag("patch", Some('p'), true),
    flag("type", None, true),
    flag("patch-file", None, true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("local", None, false),
    flag("subresource", None, true),
    flag("filename", Some('f'), true),
    flag("field-manager", None, true),
];

/// RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// A strategic merge patch, approximated: like a merge patch, but lists of named items
/// (containers, ports, env, volumes) merge by `name` instead of being replaced.
pub fn strategic_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match (target, patch) {
        (t @ Value::Object(_), Value::Object(p)) => {
            let Value::Object(tm) = t else { return };
            for (k, v) in p {
                if v.is_null() {
                    tm.remove(k);
                } else {
                    strategic_patch(tm.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (Value::Array(t), Value::Array(p))
            if !p.is_empty()
                && p.iter().all(|x| x.get("name").is_some())
                && t.iter().all(|x| x.get("name").is_some()) =>
        {
            for item in p {
                match t.iter_mut().find(|x| x.get("name") == item.get("name")) {
                    Some(existing) => strategic_patch(existing, item),
                    None => t.push(item.clone()),
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn pointer_parts(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!(
            "JSON pointer must be empty or start with a \"/\": {path}"
        ));
    };
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn parent_mut<'a>(
    doc: &'a mut serde_json::Value,
    parts: &[String],
) -> Option<&'a mut serde_json::Value> {
    let mut cur = doc;
    for p in parts {
        cur = match cur {
            serde_json::Value::Object(m) => m.get_mut(p)?,
            serde_json::Value::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// RFC 6902 JSON patch.
pub fn json_patch(doc: &mut serde_json::Value, ops: &serde_json::Value) -> Result<(), String> {
    let Some(ops) = ops.as_array() else {
        return Err("json: cannot unmarshal object into Go value of type jsonpatch.Patch".into());
    };
    for op in ops {
        let kind = op.get("op").and_then(|o| o.as_str()).unwrap_or("");
        let path = op.get("path").and_then(|o| o.as_str()).unwrap_or("");
        let parts = pointer_parts(path)?;
        let value = op.get("value").cloned();
        let get = |doc: &serde_json::Value, parts: &[String]| -> Option<serde_json::Value> {
            let mut cur = doc;
            for p in parts {
                cur = match cur {
                    serde_json::Value::Object(m) => m.get(p)?,
                    serde_json::Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            Some(cur.clone())
        };
        match kind {
            "add" | "replace" => {
                let v = value.ok_or_else(|| format!("missing value for {kind} operation"))?;
                let Some((last, parents)) = parts.split_last() else {
                    *doc = v;
                    continue;
                };
                let parent = parent_mut(doc, parents).ok_or_else(|| {
                    format!("{kind} operation does not apply: doc is missing path: \"{path}\"")
                })?;
                match parent {
                    serde_json::Value::Object(m) => {
                        if kind == "replace" && !m.contains_key(last) {
                            return Err(format!(
                                "replace operation does not apply: doc is missing key: {path}"
                            ));
                        }
                        m.insert(last.clone(), v);
                    }
                    serde_json::Value::Array(a) => {
                        if last == "-" && kind == "add" {
                            a.push(v);
                        } else {
                            let i: usize =
                                last.parse().map_err(|_| format!("invalid index {last}"))?;
                            if kind == "add" && i <= a.len() {
                                a.insert(i, v);
                            } else if kind == "replace" && i < a.len() {
                                a[i] = v;
                            } else {
                                return Err(format!("{kind} operation does not apply: doc is missing path: \"{path}\""));
                            }
                        }
                    }
                    _ => {
                        return Err(format!(
                            "{kind} operation does not apply: doc is missing path: \"{path}\""
                        ))
                    }
                }
            }
            "remove" => {
                let Some((last, parents)) = parts.split_last() else {
                    return Err("remove operation does not apply: cannot remove the root".into());
                };
                let parent = parent_mut(doc, parents).ok_or_else(|| {
                    format!("remove operation does not apply: doc is missing path: \"{path}\"")
                })?;
                let removed = match parent {
                    serde_json::Value::Object(m) => m.remove(last).is_some(),
                    serde_json::Value::Array(a) => match last.parse::<usize>() {
                        Ok(i) if i < a.len() => {
                            a.remove(i);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if !removed {
                    return Err(format!(
                        "remove operation does not apply: doc is missing path: \"{path}\""
                    ));
                }
            }
            "test" => {
                if get(doc, &parts) != value {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            "move" | "copy" => {
                let from = op.get("from").and_then(|f| f.as_str()).unwrap_or("");
                let fp = pointer_parts(from)?;
                let v = get(doc, &fp).ok_or_else(|| {
                    format!("{kind} operation does not apply: doc is missing from path: \"{from}\"")
                })?;
                if kind == "move" {
                    json_patch(doc, &serde_json::json!([{"op": "remove", "path": from}]))?;
                }
                json_patch(
                    doc,
                    &serde_json::json!([{"op": "add", "path": path, "value": v}]),
                )?;
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

pub fn patch(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match args::parse(words, FLAGS, "kubectl patch") {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let Some(text) = p.get("patch").map(str::to_string) else {
        return Outcome::err(
            "error: must specify --patch or --patch-file containing the contents of the patch\n",
        );
    };
    let ptype = p.get("type").unwrap_or("strategic").to_string();
    if !matches!(ptype.as_str(), "strategic" | "merge" | "json") {
        return Outcome::err(format!(
            "error: --type must be one of [json merge strategic], not \"{ptype}\"\n"
        ));
    }
    // kubectl reads the patch as YAML (a superset of JSON).
    let parsed: Result<serde_json::Value, String> =
        serde_yaml::from_str::<serde_yaml::Value>(&text)
            .map_err(|e| e.to_string())
            .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string()));
    let patch_v = match parsed {
        Ok(v) => v,
        Err(e) => return Outcome::err(format!("error: unable to parse \"{text}\": {e}\n")),
    };
    let targets = match split_targets(&p.args) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let ns = p.namespace();
    let mut out = Outcome::default();
    for (kind, name) in targets {
        let key = ObjKey::new(kind, if kind.namespaced() { &ns } else { "" }, &name);
        let Some(live) = sim.get(&key).cloned() else {
            let o = not_found(kind, &name);
            out.stderr.push_str(&o.stderr);
            out.exit_code = 1;
            continue;
        };
        let mut doc = live.to_json_value();
        let before = doc.clone();
        let res = match ptype.as_str() {
            "json" => json_patch(&mut doc, &patch_v),
            "merge" => {
                merge_patch(&mut doc, &patch_v);
                Ok(())
            }
            _ => {
                strategic_patch(&mut doc, &patch_v);
                Ok(())
            }
        };
        if let Err(e) = res {
            out.stderr
                .push_str(&format!("Error from server (UnprocessableEntity): {e}\n"));
            out.exit_code = 1;
            continue;
        }
        let label = format!("{}/{}", kind.qualified_singular(), name);
        if doc == before {
            out.stdout
                .push_str(&format!("{label} patched (no change)\n"));
            continue;
        }
        let obj = match Object::from_json(kind, doc) {
            Ok(o) => o,
            Err(e) => {
                out.stderr.push_str(&format!(
                    "Error from server (BadRequest): {} in version \"{}\" cannot be handled as a {}: {e}\n",
                    kind.name(),
                    kind.api_version().rsplit('/').next().unwrap_or(""),
                    kind.name()
                ));
                out.exit_code = 1;
                continue;
            }
        };
        match sim.update(obj) {
            Ok(_) => out.stdout.push_str(&format!("{label} patched\n")),
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.kubectl_message()));
                out.exit_code = 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_rfc7386() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn json_patch_ops() {
        let mut t = json!({"spec": {"replicas": 1, "list": [1, 2]}});
        json_patch(
            &mut t,
            &json!([
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "add", "path": "/spec/list/-", "value": 9},
                {"op": "remove", "path": "/spec/list/0"},
                {"op": "test", "path": "/spec/replicas", "value": 3},
            ]),
        )
        .unwrap();
        assert_eq!(t, json!({"spec": {"replicas": 3, "list": [2, 9]}}));
        assert!(json_patch(&mut t, &json!([{"op": "remove", "path": "/nope"}])).is_err());
    }

    #[test]
    fn strategic_merges_named_lists() {
        let mut t =
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]});
        strategic_patch(
            &mut t,
            &json!({"containers": [{"name": "b", "image": "z"}]}),
        );
        assert_eq!(
            t,
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "z"}]})
        );
    }
}
