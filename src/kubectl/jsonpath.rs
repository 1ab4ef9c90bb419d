//! A safe subset of kubectl's JSONPath templates: `kubectl get -o jsonpath=...` and lesson goals.
//!
//! A template is literal text with `{expression}` parts, as `kubectl get -o jsonpath=...` takes it.
//! Expressions: an optional `$`, then `.field` (letters, digits, `-`, `_`, `/`), `['field']` or
//! `["field"]`, `[N]` (negative counts from the end), `[*]` (every element or value) and
//! `[?(@.path OP literal)]` with `==` or `!=` and a quoted string, a number, `true` or `false`;
//! string literals `{"\n"}` and `{range EXPR}...{end}` (inside, paths are relative to each item).
//! Several results are joined by single spaces, strings print raw and everything else as compact
//! JSON. A missing field prints nothing (kubectl's `get` allows missing keys). Evaluation never
//! panics and is linear in the size of the object.

use serde_json::Value;

/// One step of an expression.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Field(String),
    Index(i64),
    All,
    Filter {
        path: Vec<Seg>,
        eq: bool,
        literal: Value,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Expr(Vec<Seg>),
    Range(Vec<Seg>, Vec<Part>),
}

/// A raw token of a template before ranges are nested.
enum Tok {
    Text(String),
    Expr(Vec<Seg>),
    Range(Vec<Seg>),
    End,
}

/// Unescapes a `{"..."}` literal (`\n`, `\t`, `\"`, `\\`).
fn literal(s: &str) -> Option<String> {
    let q = s.chars().next()?;
    if (q != '"' && q != '\'') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn nest(
    tokens: &mut std::iter::Peekable<std::vec::IntoIter<Tok>>,
    in_range: bool,
) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    while let Some(t) = tokens.next() {
        match t {
            Tok::Text(s) => parts.push(Part::Text(s)),
            Tok::Expr(e) => parts.push(Part::Expr(e)),
            Tok::Range(e) => {
                let body = nest(tokens, true)?;
                parts.push(Part::Range(e, body));
            }
            Tok::End => {
                if in_range {
                    return Ok(parts);
                }
                return Err("not in range, nothing to end".into());
            }
        }
    }
    if in_range {
        return Err("unclosed range: missing {end}".into());
    }
    Ok(parts)
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    parts: Vec<Part>,
    source: String,
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl JsonPath {
    /// Parses a template; the error says what is wrong and where (byte offset).
    pub fn parse(template: &str) -> Result<JsonPath, String> {
        let mut toks = Vec::new();
        let mut text = String::new();
        let chars: Vec<char> = template.chars().collect();
        let mut i = 0;
        let mut any_expr = false;
        while i < chars.len() {
            if chars[i] == '{' {
                let end = find_close(&chars, i)
                    .ok_or_else(|| format!("unclosed '{{' at offset {i} in {template:?}"))?;
                if !text.is_empty() {
                    toks.push(Tok::Text(std::mem::take(&mut text)));
                }
                let inner: String = chars[i + 1..end].iter().collect();
                let inner = inner.trim();
                any_expr = true;
                if let Some(lit) = literal(inner) {
                    toks.push(Tok::Text(lit));
                } else if inner == "end" {
                    toks.push(Tok::End);
                } else if let Some(rest) = inner.strip_prefix("range ") {
                    toks.push(Tok::Range(
                        parse_expr(rest.trim()).map_err(|e| format!("{e} in {template:?}"))?,
                    ));
                } else {
                    toks.push(Tok::Expr(
                        parse_expr(inner).map_err(|e| format!("{e} in {template:?}"))?,
                    ));
                }
                i = end + 1;
            } else if chars[i] == '}' {
                return Err(format!("unexpected '}}' at offset {i} in {template:?}"));
            } else {
                text.push(chars[i]);
                i += 1;
            }
        }
        if !text.is_empty() {
            toks.push(Tok::Text(text));
        }
        if !any_expr {
            return Err(format!(
                "no {{expression}} in {template:?} (write e.g. {{.status.phase}})"
            ));
        }
        let parts = nest(&mut toks.into_iter().peekable(), false)?;
        Ok(JsonPath {
            parts,
            source: template.to_string(),
        })
    }

    /// Evaluates the template against a JSON value and prints the result as kubectl would.
    pub fn render(&self, root: &Value) -> String {
        let mut out = String::new();
        render_parts(&self.parts, root, &mut out);
        out
    }
}

fn render_parts(parts: &[Part], cur: &Value, out: &mut String) {
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Expr(segs) => {
                let vals = eval(segs, cur);
                let words: Vec<String> = vals.iter().map(|v| print_value(v)).collect();
                out.push_str(&words.join(" "));
            }
            Part::Range(segs, body) => {
                for v in eval(segs, cur) {
                    // `{range .items[*]}` iterates the elements; a bare list iterates too.
                    match &v {
                        Value::Array(items) if !matches!(segs.last(), Some(Seg::All)) => {
                            for item in items {
                                render_parts(body, item, out);
                            }
                        }
                        _ => render_parts(body, v, out),
                    }
                }
            }
        }
    }
}

/// Finds the `}` that closes the `{` at `open`, skipping quoted strings.
fn find_close(chars: &[char], open: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (j, &c) in chars.iter().enumerate().skip(open + 1) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '}' => return Some(j),
            None if c == '{' => return None,
            None => {}
        }
    }
    None
}

fn print_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || c == '/'
}

fn parse_expr(s: &str) -> Result<Vec<Seg>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    if chars.first() == Some(&'$') {
        i = 1;
    }
    if i >= chars.len() {
        return if s.is_empty() {
            Err("empty expression {}".into())
        } else {
            Ok(Vec::new())
        };
    }
    let (segs, end) = parse_segs(&chars, i, false)?;
    if end != chars.len() {
        return Err(format!(
            "unexpected {:?} at offset {end} of expression {s:?}",
            chars[end]
        ));
    }
    Ok(segs)
}

/// Parses segments from `i`; in a filter (`inner`), stops at the first character that cannot
/// continue a path (an operator or `)`).
fn parse_segs(chars: &[char], mut i: usize, inner: bool) -> Result<(Vec<Seg>, usize), String> {
    let mut segs = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    return Err("recursive descent (..) is not supported".into());
                }
                let start = i + 1;
                let mut j = start;
                // `\.` keeps a dot inside a field name (`node-role\.kubernetes\.io/worker`).
                let mut name = String::new();
                while j < chars.len() {
                    if chars[j] == '\\' && chars.get(j + 1) == Some(&'.') {
                        name.push('.');
                        j += 2;
                    } else if is_name_char(chars[j]) {
                        name.push(chars[j]);
                        j += 1;
                    } else {
                        break;
                    }
                }
                if j == start {
                    if chars.get(j) == Some(&'*') {
                        segs.push(Seg::All);
                        i = j + 1;
                        continue;
                    }
                    return Err(format!("a field name must follow '.' at offset {i}"));
                }
                segs.push(Seg::Field(name));
                i = j;
            }
            '[' => {
                let (seg, next) = parse_bracket(chars, i)?;
                segs.push(seg);
                i = next;
            }
            c if inner && (c == '=' || c == '!' || c == ')' || c.is_whitespace()) => break,
            c => {
                return Err(format!(
                    "unexpected {c:?} at offset {i} (a path goes .field, [N], [*] or [?(...)])"
                ))
            }
        }
    }
    Ok((segs, i))
}

fn parse_bracket(chars: &[char], open: usize) -> Result<(Seg, usize), String> {
    let rest: String = chars[open..].iter().collect();
    let close_rel = {
        // The matching ']' outside quotes and parentheses.
        let mut quote: Option<char> = None;
        let mut depth = 0i32;
        let mut found = None;
        for (k, c) in rest.chars().enumerate().skip(1) {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ']' if depth == 0 => {
                        found = Some(k);
                        break;
                    }
                    _ => {}
                },
            }
        }
        found.ok_or_else(|| format!("unclosed '[' at offset {open}"))?
    };
    let body: String = chars[open + 1..open + close_rel].iter().collect();
    let body = body.trim();
    let next = open + close_rel + 1;
    if body == "*" {
        return Ok((Seg::All, next));
    }
    if let Some(q) = body.chars().next().filter(|c| *c == '\'' || *c == '"') {
        if body.len() >= 2 && body.ends_with(q) {
            return Ok((Seg::Field(body[1..body.len() - 1].to_string()), next));
        }
        return Err(format!("unclosed quote in [{body}]"));
    }
    if let Ok(n) = body.parse::<i64>() {
        return Ok((Seg::Index(n), next));
    }
    if body.contains(':') {
        return Err(format!(
            "slices ([{body}]) are not supported; use [N] or [*]"
        ));
    }
    if let Some(f) = body.strip_prefix("?(").and_then(|b| b.strip_suffix(')')) {
        let f = f.trim();
        let fc: Vec<char> = f.chars().collect();
        if fc.first() != Some(&'@') {
            return Err(format!(
                "a filter starts with @, as in [?(@.type==\"Ready\")], not [{body}]"
            ));
        }
        let (path, k) = parse_segs(&fc, 1, true)?;
        let op: String = fc[k..].iter().collect();
        let op = op.trim_start();
        let (eq, lit) = if let Some(l) = op.strip_prefix("==") {
            (true, l)
        } else if let Some(l) = op.strip_prefix("!=") {
            (false, l)
        } else {
            return Err(format!("a filter compares with == or !=: [{body}]"));
        };
        let lit = lit.trim();
        let literal = if lit.len() >= 2
            && ((lit.starts_with('"') && lit.ends_with('"'))
                || (lit.starts_with('\'') && lit.ends_with('\'')))
        {
            Value::String(lit[1..lit.len() - 1].to_string())
        } else if let Ok(v) = serde_json::from_str::<Value>(lit) {
            if v.is_object() || v.is_array() {
                return Err(format!(
                    "a filter compares with a string, number or boolean: [{body}]"
                ));
            }
            v
        } else {
            return Err(format!(
                "cannot read the value {lit:?} in [{body}] (quote strings)"
            ));
        };
        return Ok((Seg::Filter { path, eq, literal }, next));
    }
    Err(format!(
        "cannot read [{body}]: use [N], [*], ['name'] or [?(@.field==\"value\")]"
    ))
}

fn eval<'a>(segs: &[Seg], root: &'a Value) -> Vec<&'a Value> {
    let mut cur: Vec<&Value> = vec![root];
    for seg in segs {
        let mut next = Vec::new();
        for v in cur {
            match seg {
                Seg::Field(f) => {
                    if let Some(x) = v.as_object().and_then(|o| o.get(f)) {
                        next.push(x);
                    }
                }
                Seg::Index(n) => {
                    if let Some(a) = v.as_array() {
                        let idx = if *n < 0 { a.len() as i64 + n } else { *n };
                        if idx >= 0 {
                            if let Some(x) = a.get(idx as usize) {
                                next.push(x);
                            }
                        }
                    }
                }
                Seg::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(o) => next.extend(o.values()),
                    _ => {}
                },
                Seg::Filter { path, eq, literal } => {
                    if let Some(a) = v.as_array() {
                        for item in a {
                            let got = eval(path, item);
                            let same = got.first().is_some_and(|g| loose_eq(g, literal));
                            if same == *eq {
                                next.push(item);
                            }
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

/// Compares as kubectl's filter does for scalars: numbers by value, everything else exactly.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: &Value) -> String {
        JsonPath::parse(t).unwrap().render(v)
    }

    #[test]
    fn fields_indexes_and_lists() {
        let v = json!({"spec": {"replicas": 3}, "items": [{"metadata": {"name": "a", "labels": {"pod-template-hash": "x1"}}}, {"metadata": {"name": "b"}}]});
        assert_eq!(r("{.spec.replicas}", &v), "3");
        assert_eq!(r("{$.spec.replicas}", &v), "3");
        assert_eq!(r("{.items[*].metadata.name}", &v), "a b");
        assert_eq!(r("{.items[-1].metadata.name}", &v), "b");
        assert_eq!(r("{.items[0].metadata.labels.pod-template-hash}", &v), "x1");
        assert_eq!(
            r("{.items[0].metadata.labels['pod-template-hash']}", &v),
            "x1"
        );
        assert_eq!(r("{.status.missing}", &v), "");
        assert_eq!(r("n={.spec.replicas}!", &v), "n=3!");
        assert_eq!(r("{.spec}", &v), "{\"replicas\":3}");
    }

    #[test]
    fn filters() {
        let v = json!({"status": {"conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}});
        assert_eq!(
            r(
                "{.status.conditions[?(@.type==\"Progressing\")].reason}",
                &v
            ),
            "NewReplicaSetAvailable"
        );
        assert_eq!(
            r("{.status.conditions[?(@.type=='Available')].status}", &v),
            "True"
        );
        assert_eq!(
            r("{.status.conditions[?(@.type!=\"Available\")].type}", &v),
            "Progressing"
        );
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "{",
            "{.a",
            "{..a}",
            "{.a[1:2]}",
            "{.a[?(.b==1)]}",
            "no braces",
            "{.a}}",
            "{.a[x]}",
            "{.a b}",
        ] {
            assert!(JsonPath::parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
