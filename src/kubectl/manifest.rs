//! Reading manifests the way `kubectl apply -f` does: multi-document YAML (or JSON), `kind: List`,
//! typed decoding with the API server's strict field validation.

use crate::sim::object::{Kind, Object};

/// One decoded document, with where it came from (for error messages).
#[derive(Debug)]
pub struct Doc {
    pub kind: Kind,
    pub json: serde_json::Value,
    pub object: Object,
}

/// Splits `text` into documents and converts each to JSON. Empty documents are skipped; `kind: List`
/// is expanded into its items.
pub fn parse_documents(text: &str, source: &str) -> Result<Vec<serde_json::Value>, String> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let v = match serde_yaml::Value::deserialize(doc) {
            Ok(v) => v,
            Err(e) => {
                return Err(format!(
                    "error: error parsing {source}: error converting YAML to JSON: yaml: {}\n",
                    yaml_err(&e)
                ))
            }
        };
        if v.is_null() {
            continue;
        }
        let j = match serde_json::to_value(&v) {
            Ok(j) => j,
            Err(e) => {
                return Err(format!(
                    "error: error parsing {source}: error converting YAML to JSON: {e}\n"
                ))
            }
        };
        if !j.is_object() {
            return Err(format!(
                "error: error parsing {source}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}\n",
                json_type(&j)
            ));
        }
        if j.get("kind").and_then(|k| k.as_str()) == Some("List") {
            for item in j
                .get("items")
                .and_then(|i| i.as_array())
                .cloned()
                .unwrap_or_default()
            {
                out.push(item);
            }
        } else {
            out.push(j);
        }
    }
    Ok(out)
}

fn yaml_err(e: &serde_yaml::Error) -> String {
    match e.location() {
        Some(l) => format!(
            "line {}: {}",
            l.line(),
            e.to_string().split(" at line").next().unwrap_or("")
        ),
        None => e.to_string(),
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "array",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Bool(_) => "bool",
        _ => "value",
    }
}

/// Turns one JSON document into a typed object, or kubectl's error for it. `verb` is `creating`,
/// `applying`, ... as kubectl words `error when creating "x.yaml"`.
pub fn decode(v: serde_json::Value, source: &str, verb: &str) -> Result<Doc, String> {
    let api_version = v.get("apiVersion").and_then(|x| x.as_str()).unwrap_or("");
    let kind_name = v.get("kind").and_then(|x| x.as_str()).unwrap_or("");
    let name = v
        .pointer("/metadata/name")
        .and_then(|x| x.as_str())
        .unwrap_or("");
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(|x| x.as_str())
        .unwrap_or("");
    if kind_name.is_empty() || api_version.is_empty() {
        let missing = if api_version.is_empty() && kind_name.is_empty() {
            "[apiVersion not set, kind not set]"
        } else if api_version.is_empty() {
            "apiVersion not set"
        } else {
            "kind not set"
        };
        return Err(format!(
            "error: error validating \"{source}\": error validating data: {missing}; if you choose to ignore these errors, turn validation off with --validate=false\n"
        ));
    }
    let Some(kind) = Kind::from_api(api_version, kind_name) else {
        return Err(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"{ns}\" from \"{source}\": no matches for kind \"{kind_name}\" in version \"{api_version}\"\nensure CRDs are installed first\n"
        ));
    };
    let object = match Object::from_json(kind, v.clone()) {
        Ok(o) => o,
        Err(e) => {
            return Err(format!(
                "Error from server (BadRequest): error when {verb} \"{source}\": {kind_name} in version \"{}\" cannot be handled as a {kind_name}: {}\n",
                version_of(api_version),
                e
            ))
        }
    };
    let unknown = unknown_fields(&v, &object.to_json_value(), "");
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect();
        return Err(format!(
            "Error from server (BadRequest): error when {verb} \"{source}\": {kind_name} in version \"{}\" cannot be handled as a {kind_name}: strict decoding error: {}\n",
            version_of(api_version),
            list.join(", ")
        ));
    }
    Ok(Doc {
        kind,
        json: v,
        object,
    })
}

fn version_of(api_version: &str) -> &str {
    api_version.rsplit('/').next().unwrap_or(api_version)
}

/// Fields present in the input but lost by decoding into the typed object: what strict field
/// validation reports (`spec.template.spec.containers[0].imagee`).
pub fn unknown_fields(
    input: &serde_json::Value,
    decoded: &serde_json::Value,
    path: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    match (input, decoded) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(bv) => out.extend(unknown_fields(v, bv, &p)),
                    None => {
                        // Fields the typed object drops because they are empty are not unknown.
                        let empty = v.is_null()
                            || v.as_object().is_some_and(|o| o.is_empty())
                            || v.as_array().is_some_and(|o| o.is_empty());
                        if !empty && !is_known_write_only(&p) {
                            out.push(p);
                        }
                    }
                }
            }
        }
        (serde_json::Value::Array(a), serde_json::Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                out.extend(unknown_fields(x, y, &format!("{path}[{i}]")));
            }
        }
        _ => {}
    }
    out
}

fn is_known_write_only(p: &str) -> bool {
    p == "stringData"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_and_lists() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n...\n";
        let docs = parse_documents(text, "x").unwrap();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn strict_fields() {
        let v = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"replicass": 2, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "imagee": "nginx"}]}}}});
        let e = decode(v, "STDIN", "creating").unwrap_err();
        assert_eq!(
            e,
            "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicass\", unknown field \"spec.template.spec.containers[0].imagee\"\n"
        );
    }

    #[test]
    fn unknown_kind() {
        let v = serde_json::json!({"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "x"}});
        assert!(decode(v, "f.yaml", "creating")
            .unwrap_err()
            .starts_with("error: resource mapping not found for name: \"x\""));
    }

    #[test]
    fn garbage_never_panics() {
        for t in [
            "",
            "---",
            "a: [",
            "- 1\n- 2",
            "{",
            "\t\t",
            "kind: List\nitems: 3",
            ": :",
        ] {
            let _ = parse_documents(t, "x")
                .map(|d| d.into_iter().map(|v| decode(v, "x", "creating")).count());
        }
    }
}
