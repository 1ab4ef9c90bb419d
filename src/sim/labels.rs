//! Labels and label selectors as apimachinery defines them: key/value validation
//! (`IsQualifiedName`, `IsValidLabelValue`, with their exact messages), the selector string syntax
//! (`labels.Parse`: lexer, parser and its error words), `Requirement.Matches`, structured selectors
//! (`metav1.LabelSelectorAsSelector`) and the canonical `String()` form.
//!
//! Sources: apimachinery `pkg/util/validation/validation.go`, `pkg/labels/selector.go`,
//! `pkg/apis/meta/v1/helpers.go`, `pkg/api/validation/objectmeta.go`; k8s-semantics §1.2 and §2.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

// ---------------------------------------------------------------------------------------------
// Validation (`k8s.io/apimachinery/pkg/util/validation`)

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/// Longest label value and name part of a key (`LabelValueMaxLength`, `qualifiedNameMaxLength`).
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
/// Longest DNS-1123 subdomain (the prefix of a key).
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// `TotalAnnotationSizeLimitB`: the sum of the lengths of all annotation keys and values.
pub const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// `validation.RegexError`.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut s = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{e}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// Matches `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` (anchored).
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Matches the DNS-1123 subdomain regex (anchored), without the length check.
fn matches_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// `IsDNS1123Subdomain`: the error messages (empty when valid).
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsQualifiedName`: a label (or annotation) key. Returns the error messages (empty when valid).
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(format!(
            "name part {}",
            max_len_error(LABEL_VALUE_MAX_LENGTH)
        ));
    }
    if !is_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`: empty, or at most 63 characters of the qualified-name form.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// Go's `%q` for the strings that reach error messages (printable ASCII is kept as is).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `field.Invalid(path, value, detail).Error()`.
fn field_invalid(path: &str, value: &str, detail: &str) -> String {
    format!("{path}: Invalid value: {}: {detail}", go_quote(value))
}

/// `ValidateLabels` (`metav1validation`): one cause per message, keys in sorted order (Go walks the
/// map in random order; sorting keeps the simulation deterministic).
pub fn validate_labels(labels: &BTreeMap<String, String>, path: &str) -> Vec<String> {
    let mut causes = Vec::new();
    for (k, v) in labels {
        for msg in is_qualified_name(k) {
            causes.push(field_invalid(path, k, &msg));
        }
        for msg in is_valid_label_value(v) {
            causes.push(field_invalid(path, v, &msg));
        }
    }
    causes
}

/// `ValidateAnnotations`: keys are qualified names checked in lower case; the total size of keys and
/// values is at most 256 KiB.
pub fn validate_annotations(annotations: &BTreeMap<String, String>, path: &str) -> Vec<String> {
    let mut causes = Vec::new();
    for k in annotations.keys() {
        for msg in is_qualified_name(&k.to_lowercase()) {
            causes.push(field_invalid(path, k, &msg));
        }
    }
    let total: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        causes.push(format!(
            "{path}: Too long: may not be more than {TOTAL_ANNOTATION_SIZE_LIMIT} bytes"
        ));
    }
    causes
}

/// `labels.FormatLabels`: `k=v` pairs sorted by key, comma-joined, or `<none>`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

// ---------------------------------------------------------------------------------------------
// Requirements and selectors

/// `selection.Operator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    In,
    NotIn,
    Equals,
    DoubleEquals,
    NotEquals,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// One requirement: a key, an operator and (sorted, de-duplicated) values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    op: Operator,
    values: Vec<String>,
}

/// `field.Path` as the selector code builds it: `None` prints `<nil>`.
fn path_str(p: Option<&str>) -> String {
    p.map(str::to_string).unwrap_or_else(|| "<nil>".into())
}

/// Go's `%#v` of a `[]string`, as `field.Invalid` prints a values slice.
fn go_string_slice(v: &[String]) -> String {
    if v.is_empty() {
        return "[]string{}".into();
    }
    format!(
        "[]string{{{}}}",
        v.iter().map(|s| go_quote(s)).collect::<Vec<_>>().join(", ")
    )
}

/// `utilerrors.NewAggregate(errs).Error()`: one message as is, several de-duplicated in `[a, b]`.
fn aggregate(errs: &[String]) -> String {
    let mut seen: Vec<&String> = Vec::new();
    for e in errs {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    if errs.len() == 1 || seen.len() == 1 {
        return seen.first().map(|s| s.to_string()).unwrap_or_default();
    }
    format!(
        "[{}]",
        seen.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn validate_label_key(key: &str, path: Option<&str>) -> Result<(), String> {
    let errs = is_qualified_name(key);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(field_invalid(&path_str(path), key, &errs.join("; ")))
    }
}

impl Requirement {
    /// `labels.NewRequirement` with no field path: validates the key, the number of values for the
    /// operator, integer values for `>`/`<`, and each value as a label value. Values are kept sorted
    /// and de-duplicated (as the parser's `sets.String` leaves them).
    pub fn new(key: &str, op: Operator, values: Vec<String>) -> Result<Requirement, String> {
        let mut errs = Vec::new();
        if let Err(e) = validate_label_key(key, Some("key")) {
            errs.push(e);
        }
        match op {
            Operator::In | Operator::NotIn if values.is_empty() => errs.push(format!(
                "values: Invalid value: {}: for 'in', 'notin' operators, values set can't be empty",
                go_string_slice(&values)
            )),
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals
                if values.len() != 1 =>
            {
                errs.push(format!(
                "values: Invalid value: {}: exact-match compatibility requires one single value",
                go_string_slice(&values)
            ))
            }
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => errs.push(format!(
                "values: Invalid value: {}: values set must be empty for exists and does not exist",
                go_string_slice(&values)
            )),
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    errs.push(format!(
                        "values: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required",
                        go_string_slice(&values)
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if parse_go_int(v).is_none() {
                        errs.push(field_invalid(
                            &format!("values[{i}]"),
                            v,
                            "for 'Gt', 'Lt' operators, the value must be an integer",
                        ));
                    }
                }
            }
            _ => {}
        }
        for (i, v) in values.iter().enumerate() {
            let msgs = is_valid_label_value(v);
            if !msgs.is_empty() {
                errs.push(field_invalid(
                    &format!("values[{i}][{key}]"),
                    v,
                    &msgs.join("; "),
                ));
            }
        }
        if !errs.is_empty() {
            return Err(aggregate(&errs));
        }
        let mut values = values;
        crate::sort::sort(&mut values);
        values.dedup();
        Ok(Requirement {
            key: key.to_string(),
            op,
            values,
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }
    pub fn operator(&self) -> Operator {
        self.op
    }
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// `Requirement.Matches`: `!=` and `notin` match objects without the key; `=`, `in`, exists and
    /// the integer comparisons need it.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let has = |v: &String| self.values.iter().any(|x| x == v);
        match self.op {
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                labels.get(&self.key).is_some_and(has)
            }
            Operator::NotIn | Operator::NotEquals => labels.get(&self.key).is_none_or(|v| !has(v)),
            Operator::Exists => labels.contains_key(&self.key),
            Operator::DoesNotExist => !labels.contains_key(&self.key),
            Operator::GreaterThan | Operator::LessThan => {
                let Some(v) = labels.get(&self.key) else {
                    return false;
                };
                let (Some(have), [want]) = (parse_go_int(v), self.values.as_slice()) else {
                    return false;
                };
                let Some(want) = parse_go_int(want) else {
                    return false;
                };
                if self.op == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

/// `strconv.ParseInt(s, 10, 64)`: an optional sign and decimal digits.
fn parse_go_int(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

impl fmt::Display for Requirement {
    /// `Requirement.String()`: `!k`, `k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k>1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.op {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        let set = matches!(self.op, Operator::In | Operator::NotIn);
        if set {
            f.write_str("(")?;
        }
        f.write_str(&self.values.join(","))?;
        if set {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A label selector: requirements ANDed, sorted by key. `Nothing` matches no object (a nil
/// `metav1.LabelSelector`); an empty selector matches every object.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Selector {
    reqs: Vec<Requirement>,
    nothing: bool,
}

impl Selector {
    /// `labels.Everything()`.
    pub fn everything() -> Selector {
        Selector::default()
    }
    /// `labels.Nothing()`.
    pub fn nothing() -> Selector {
        Selector {
            reqs: Vec::new(),
            nothing: true,
        }
    }
    /// `labels.Parse`: the string syntax of `kubectl -l`. The error is apimachinery's message
    /// (`unable to parse requirement: ...`, `found ',', expected: ...`).
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut reqs = Parser::new(s).parse()?;
        // `sort.Sort(ByKey)`: insertion sort for the short lists selectors are, so stable.
        crate::sort::sort_by(&mut reqs, |a, b| a.key.cmp(&b.key));
        Ok(Selector {
            reqs,
            nothing: false,
        })
    }
    /// `labels.SelectorFromSet`: equality on every pair (an empty map selects everything).
    pub fn from_set(set: &BTreeMap<String, String>) -> Selector {
        let reqs = set
            .iter()
            .map(|(k, v)| Requirement {
                key: k.clone(),
                op: Operator::Equals,
                values: vec![v.clone()],
            })
            .collect();
        Selector {
            reqs,
            nothing: false,
        }
    }
    /// `metav1.LabelSelectorAsSelector`: `None` matches nothing, `{}` everything; `matchLabels` are
    /// `k in (v)`, `matchExpressions` take In, NotIn, Exists, DoesNotExist.
    pub fn from_label_selector(ls: Option<&LabelSelector>) -> Result<Selector, String> {
        let Some(ls) = ls else {
            return Ok(Selector::nothing());
        };
        let labels = ls.match_labels.as_ref().filter(|m| !m.is_empty());
        let exprs = ls.match_expressions.as_ref().filter(|e| !e.is_empty());
        if labels.is_none() && exprs.is_none() {
            return Ok(Selector::everything());
        }
        let mut reqs = Vec::new();
        for (k, v) in labels.into_iter().flatten() {
            reqs.push(Requirement::new(k, Operator::Equals, vec![v.clone()])?);
        }
        for e in exprs.into_iter().flatten() {
            let op = match e.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                o => {
                    return Err(format!(
                        "{} is not a valid label selector operator",
                        go_quote(o)
                    ))
                }
            };
            reqs.push(Requirement::new(
                &e.key,
                op,
                e.values.clone().unwrap_or_default(),
            )?);
        }
        crate::sort::sort_by(&mut reqs, |a, b| a.key.cmp(&b.key));
        Ok(Selector {
            reqs,
            nothing: false,
        })
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.reqs
    }
    /// True when the selector does not restrict anything (`Empty()`).
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.reqs.is_empty()
    }
    /// True for `Nothing()`.
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }
    /// Every requirement matches (`internalSelector.Matches`).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.reqs.iter().all(|r| r.matches(labels))
    }
    /// The `k=v` pairs an object must carry for the selector to match it (equality and one-value
    /// `in` requirements): the label index can narrow candidates with these before `matches`.
    pub fn required_pairs(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for r in &self.reqs {
            if matches!(
                r.op,
                Operator::Equals | Operator::DoubleEquals | Operator::In
            ) && r.values.len() == 1
            {
                m.insert(r.key.clone(), r.values[0].clone());
            }
        }
        m
    }
}

impl fmt::Display for Selector {
    /// `Selector.String()`: requirements comma-joined in key order (empty for everything/nothing).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.reqs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser (`labels.Parse`), token for token

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn literal_token(s: &[u8]) -> Option<Token> {
    Some(match s {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Splits the input the way the Go lexer does (bytes; a NUL byte ends the input, as Go's `read`
/// returns 0 at the end).
fn lex(s: &str) -> Vec<(Token, String)> {
    let b = s.as_bytes();
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let mut pos = 0;
    let mut items = Vec::new();
    loop {
        while pos < end && is_whitespace(b[pos]) {
            pos += 1;
        }
        if pos >= end {
            items.push((Token::EndOfString, String::new()));
            return items;
        }
        if is_special(b[pos]) {
            // Longest run of special characters that is still a token.
            let start = pos;
            let mut last: Option<(Token, usize)> = None;
            while pos < end && is_special(b[pos]) {
                match literal_token(&b[start..=pos]) {
                    Some(t) => last = Some((t, pos + 1)),
                    None if last.is_some() => break,
                    None => {}
                }
                pos += 1;
            }
            // Every single special character is a token, so `last` is always set.
            let (tok, stop) = last.unwrap_or((Token::EndOfString, pos));
            pos = stop;
            items.push((tok, String::from_utf8_lossy(&b[start..stop]).into_owned()));
        } else {
            let start = pos;
            while pos < end && !is_special(b[pos]) && !is_whitespace(b[pos]) {
                pos += 1;
            }
            let lit = &b[start..pos];
            let tok = match literal_token(lit) {
                Some(t @ (Token::In | Token::NotIn)) => t,
                _ => Token::Identifier,
            };
            items.push((tok, String::from_utf8_lossy(lit).into_owned()));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    KeyAndOperator,
    Values,
}

struct Parser {
    items: Vec<(Token, String)>,
    pos: usize,
}

const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

impl Parser {
    fn new(s: &str) -> Parser {
        Parser {
            items: lex(s),
            pos: 0,
        }
    }

    fn at(&self, i: usize, ctx: Ctx) -> (Token, String) {
        let (t, l) = self
            .items
            .get(i)
            .cloned()
            .unwrap_or((Token::EndOfString, String::new()));
        let t = match (ctx, t) {
            (Ctx::Values, Token::In | Token::NotIn) => Token::Identifier,
            (_, t) => t,
        };
        (t, l)
    }
    fn lookahead(&self, ctx: Ctx) -> (Token, String) {
        self.at(self.pos, ctx)
    }
    fn consume(&mut self, ctx: Ctx) -> (Token, String) {
        let r = self.at(self.pos, ctx);
        // Never step past the final EndOfString token.
        if self.pos + 1 < self.items.len() {
            self.pos += 1;
        }
        r
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(Ctx::Values);
            match tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    let (t, l) = self.consume(Ctx::Values);
                    match t {
                        Token::EndOfString => return Ok(reqs),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(Ctx::Values);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Token::EndOfString => return Ok(reqs),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ))
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let (key, op) = self.parse_key_and_infer_operator()?;
        if let Some(op @ (Operator::Exists | Operator::DoesNotExist)) = op {
            return Requirement::new(&key, op, Vec::new());
        }
        let op = self.parse_operator()?;
        let values = match op {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        Requirement::new(&key, op, values)
    }

    fn parse_key_and_infer_operator(&mut self) -> Result<(String, Option<Operator>), String> {
        let mut op = None;
        let (mut tok, mut lit) = self.consume(Ctx::Values);
        if tok == Token::DoesNotExist {
            op = Some(Operator::DoesNotExist);
            (tok, lit) = self.consume(Ctx::Values);
        }
        if tok != Token::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        validate_label_key(&lit, None)?;
        let (t, _) = self.lookahead(Ctx::Values);
        if (t == Token::EndOfString || t == Token::Comma) && op != Some(Operator::DoesNotExist) {
            op = Some(Operator::Exists);
        }
        Ok((lit, op))
    }

    fn parse_operator(&mut self) -> Result<Operator, String> {
        let (tok, lit) = self.consume(Ctx::KeyAndOperator);
        Ok(match tok {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(format!("found '{lit}', expected: {BINARY_OPERATORS}")),
        })
    }

    fn parse_values(&mut self) -> Result<Vec<String>, String> {
        let (tok, lit) = self.consume(Ctx::Values);
        if tok != Token::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(Ctx::Values);
        match tok {
            Token::Identifier | Token::Comma => {
                let s = self.parse_identifiers_list()?;
                let (t, _) = self.consume(Ctx::Values);
                if t != Token::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Token::ClosedPar => {
                self.consume(Ctx::Values);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<Vec<String>, String> {
        let mut s: Vec<String> = Vec::new();
        let insert = |s: &mut Vec<String>, v: String| {
            if !s.contains(&v) {
                s.push(v);
            }
        };
        loop {
            let (tok, lit) = self.consume(Ctx::Values);
            match tok {
                Token::Identifier => {
                    insert(&mut s, lit);
                    let (t2, l2) = self.lookahead(Ctx::Values);
                    match t2 {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if s.is_empty() {
                        insert(&mut s, String::new());
                    }
                    let (t2, _) = self.lookahead(Ctx::Values);
                    if t2 == Token::ClosedPar {
                        insert(&mut s, String::new());
                        return Ok(s);
                    }
                    if t2 == Token::Comma {
                        insert(&mut s, String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<Vec<String>, String> {
        let (tok, _) = self.lookahead(Ctx::Values);
        if tok == Token::EndOfString || tok == Token::Comma {
            return Ok(vec![String::new()]);
        }
        let (tok, lit) = self.consume(Ctx::Values);
        if tok == Token::Identifier {
            return Ok(vec![lit]);
        }
        Err(format!("found '{lit}', expected: identifier"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const NAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    #[test]
    fn qualified_names() {
        for ok in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes",
            "now.with.dots/simple",
            "now-with.dashes-and.dots/simple",
            "1-num.2-num/3-num",
            "1234/5678",
            "1.2.3.4/5678",
            "Uppercase_Is_OK_123",
            "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo",
            &"a".repeat(63),
            &format!("{}/b", "a".repeat(253)),
        ] {
            assert!(is_qualified_name(ok).is_empty(), "{ok}");
        }
        for bad in [
            "",
            "/simple",
            "example.com/",
            "Example.com/abc",
            "a/b/c",
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash",
            "only/one/slash",
            "Example.com/abc",
            "example_com/abc",
            "example.com/!@#$%^&*()",
            "example.com/-starts-with-dash",
            "example.com/ends-with-dash-",
            ".starts.with.dot",
            &"a".repeat(64),
            &format!("{}/b", "a".repeat(254)),
        ] {
            assert!(!is_qualified_name(bad).is_empty(), "{bad}");
        }
        assert_eq!(is_qualified_name("a b"), vec![NAME_MSG.to_string()]);
        assert_eq!(
            is_qualified_name("example.com/"),
            vec![
                "name part must be non-empty".to_string(),
                NAME_MSG.to_string()
            ]
        );
        assert_eq!(
            is_qualified_name("/simple"),
            vec!["prefix part must be non-empty".to_string()]
        );
        assert_eq!(
            is_qualified_name("Example.com/abc"),
            vec!["prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string()]
        );
        assert_eq!(
            is_qualified_name(&"a".repeat(64)),
            vec!["name part must be no more than 63 characters".to_string()]
        );
        assert_eq!(
            is_qualified_name("a/b/c"),
            vec!["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_string()]
        );
    }

    #[test]
    fn label_values() {
        for ok in [
            "",
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "end-with-num-1",
            "1234",
            "Uppercase_Is_OK_123",
            &"a".repeat(63),
        ] {
            assert!(is_valid_label_value(ok).is_empty(), "{ok:?}");
        }
        for bad in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is.Māori.sun",
            "\\backslashes\\are\\bad",
            "-starts-with-dash",
            "ends-with-dash-",
            ".starts.with.dot",
            "ends.with.dot.",
            "a b",
        ] {
            assert_eq!(
                is_valid_label_value(bad),
                vec![VALUE_MSG.to_string()],
                "{bad}"
            );
        }
        assert_eq!(
            is_valid_label_value(&"a".repeat(64)),
            vec!["must be no more than 63 characters".to_string()]
        );
        assert_eq!(is_valid_label_value(&"-".repeat(64)).len(), 2);
    }

    #[test]
    fn object_meta_validation() {
        assert_eq!(
            validate_labels(&set(&[("app", "-bad")]), "metadata.labels"),
            vec![format!(
                "metadata.labels: Invalid value: \"-bad\": {VALUE_MSG}"
            )]
        );
        assert_eq!(
            validate_labels(&set(&[("a b", "x")]), "metadata.labels"),
            vec![format!(
                "metadata.labels: Invalid value: \"a b\": {NAME_MSG}"
            )]
        );
        assert!(validate_labels(&set(&[("example.com/App_1", "")]), "metadata.labels").is_empty());
        // Annotation keys are checked in lower case; values are free.
        assert!(validate_annotations(
            &set(&[("Example.com/abc", "any thing: {}")]),
            "metadata.annotations"
        )
        .is_empty());
        assert_eq!(
            validate_annotations(&set(&[("a b", "x")]), "metadata.annotations"),
            vec![format!(
                "metadata.annotations: Invalid value: \"a b\": {NAME_MSG}"
            )]
        );
        let big = set(&[("k", &"v".repeat(TOTAL_ANNOTATION_SIZE_LIMIT))]);
        assert_eq!(
            validate_annotations(&big, "metadata.annotations"),
            vec!["metadata.annotations: Too long: may not be more than 262144 bytes".to_string()]
        );
        let fits = set(&[("k", &"v".repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1))]);
        assert!(validate_annotations(&fits, "metadata.annotations").is_empty());
    }

    fn parse(s: &str) -> Selector {
        Selector::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn parses_valid_selectors() {
        for s in [
            "",
            "x=a,y=b,z=c",
            "x!=a,y=b",
            "x=,z= ",
            "x= ,z= ",
            "!x",
            "x>1",
            "x>1,z<5",
            "x in (a,b)",
            "x notin (a)",
            "foo  in\t (abc)",
            "x notin\n (abc)",
            "a ",
            "a in (x,y,notin, z,in)",
            "notin=in",
            "x in ()",
            "x in (abc,)",
            "x in (a,,,)",
            "x==a",
            "in=notin",
            "x in (,a)",
            "!x,y",
            "x,!y",
            "k8s.io/name in (a, b)",
        ] {
            assert!(
                Selector::parse(s).is_ok(),
                "{s:?}: {:?}",
                Selector::parse(s)
            );
        }
    }

    #[test]
    fn rejects_invalid_selectors() {
        for s in [
            "x=a||y=b",
            "x==a==b",
            "!x=a",
            "x<a",
            "x,,y",
            ",x,y",
            "x nott in (y)",
            "a in (xyz),",
            "a in (xyz)b notin ()",
            "a in (xyz abc)",
            "a notin(",
            "a (",
            "(",
            "x=a,",
            "x in (a",
            "x in",
            "x=(",
            "=a",
            "!",
            "x>-1",
            "x=a b",
        ] {
            assert!(Selector::parse(s).is_err(), "{s:?} should fail");
        }
    }

    #[test]
    fn parse_error_messages() {
        let e = |s: &str| Selector::parse(s).err().unwrap_or_default();
        assert_eq!(e("x,,y"), "found ',', expected: identifier after ','");
        assert_eq!(
            e(",x,y"),
            "found ',', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(e("a in (xyz),"), "found '', expected: identifier after ','");
        assert_eq!(
            e("a in (xyz)b notin ()"),
            "found 'b', expected: ',' or 'end of string'"
        );
        assert_eq!(e("x==a==b"), "found '==', expected: ',' or 'end of string'");
        assert_eq!(e("!x=a"), "found '=', expected: ',' or 'end of string'");
        assert_eq!(
            e("("),
            "found '(', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            e("x nott in (y)"),
            "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(
            e("a ("),
            "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(
            e("a notin("),
            "unable to parse requirement: found '', expected: ',', ')' or identifier"
        );
        assert_eq!(
            e("a in (xyz abc)"),
            "unable to parse requirement: found 'abc', expected: ',' or ')'"
        );
        assert_eq!(
            e("x in (a"),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert_eq!(
            e("x in (a,"),
            "unable to parse requirement: found '', expected: ',', or identifier"
        );
        assert_eq!(
            e("x in a"),
            "unable to parse requirement: found 'a' expected: '('"
        );
        assert_eq!(
            e("x=("),
            "unable to parse requirement: found '(', expected: identifier"
        );
        assert_eq!(
            e("!"),
            "unable to parse requirement: found '', expected: identifier"
        );
        assert_eq!(
            e("x<a"),
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"
        );
        assert_eq!(
            e("x=a||y=b"),
            format!(
                "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": {VALUE_MSG}"
            )
        );
        assert_eq!(
            e("app:web"),
            format!("unable to parse requirement: <nil>: Invalid value: \"app:web\": {NAME_MSG}")
        );
        assert_eq!(
            e("x>-1"),
            format!(
                "unable to parse requirement: values[0][x]: Invalid value: \"-1\": {VALUE_MSG}"
            )
        );
        assert_eq!(
            e(&format!("x={}", "a".repeat(64))),
            format!("unable to parse requirement: values[0][x]: Invalid value: \"{}\": must be no more than 63 characters", "a".repeat(64))
        );
        assert_eq!(
            e("example.com/=a"),
            format!("unable to parse requirement: <nil>: Invalid value: \"example.com/\": name part must be non-empty; {NAME_MSG}")
        );
    }

    #[test]
    fn canonical_strings() {
        let s = |x: &str| parse(x).to_string();
        assert_eq!(s("x=a,a=x"), "a=x,x=a");
        assert_eq!(s("a=x,x=a"), "a=x,x=a");
        assert_eq!(s("x= ,z= "), "x=,z=");
        assert_eq!(s("x=a,y!=b,!z"), "x=a,y!=b,!z");
        assert_eq!(s("x==a"), "x==a");
        assert_eq!(s("x in (b,a,b)"), "x in (a,b)");
        assert_eq!(s("x notin\n (abc)"), "x notin (abc)");
        assert_eq!(s("x in ()"), "x in ()");
        assert_eq!(s("x in (abc,)"), "x in (,abc)");
        assert_eq!(s("x in (a,,,)"), "x in (,a)");
        assert_eq!(s("x>1,y<2"), "x>1,y<2");
        assert_eq!(s("a"), "a");
        assert_eq!(s(""), "");
    }

    #[test]
    fn sorted_by_key_keeps_order_of_equal_keys() {
        assert_eq!(parse("b=1,a!=2,a").to_string(), "a!=2,a,b=1");
    }

    #[test]
    fn matching_semantics() {
        let web = set(&[("app", "web"), ("tier", "fe"), ("n", "5")]);
        let bare = set(&[]);
        let m = |sel: &str, l: &BTreeMap<String, String>| parse(sel).matches(l);
        assert!(m("", &web) && m("", &bare));
        assert!(m("app=web", &web) && m("app==web", &web) && !m("app=web", &bare));
        assert!(m("app in (db,web)", &web) && !m("app in (db)", &web) && !m("app in (web)", &bare));
        // The ones simulators get wrong: `!=` and `notin` match objects WITHOUT the key.
        assert!(m("app!=db", &web) && !m("app!=web", &web) && m("app!=web", &bare));
        assert!(
            m("app notin (db)", &web) && !m("app notin (web)", &web) && m("app notin (web)", &bare)
        );
        assert!(m("app", &web) && !m("app", &bare));
        assert!(!m("!app", &web) && m("!app", &bare));
        assert!(
            m("n>4", &web)
                && !m("n>5", &web)
                && m("n<6", &web)
                && !m("n<5", &web)
                && !m("n>1", &bare)
        );
        assert!(!m("app>1", &web)); // a non-integer label value never compares
        assert!(m("app=web,tier=fe", &web) && !m("app=web,tier=be", &web));
        assert!(m("notin=in", &set(&[("notin", "in")])));
        assert!(m("x in ()", &set(&[("x", "")])) && !m("x in ()", &bare));
        assert!(m("x=", &set(&[("x", "")])) && !m("x=", &set(&[("x", "a")])));
    }

    #[test]
    fn structured_selectors() {
        assert!(Selector::from_label_selector(None)
            .is_ok_and(|s| s.is_nothing() && !s.matches(&set(&[]))));
        let empty = LabelSelector::default();
        assert!(Selector::from_label_selector(Some(&empty))
            .is_ok_and(|s| s.is_empty() && s.matches(&set(&[("a", "b")]))));
        let ls = LabelSelector {
            match_labels: Some(set(&[("app", "web")])),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "NotIn".into(),
                    values: Some(vec!["db".into()]),
                },
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: Some(vec!["prod".into(), "dev".into()]),
                },
                LabelSelectorRequirement {
                    key: "debug".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
                LabelSelectorRequirement {
                    key: "app".into(),
                    operator: "Exists".into(),
                    values: None,
                },
            ]),
        };
        let s = Selector::from_label_selector(Some(&ls)).unwrap_or_default();
        assert_eq!(
            s.to_string(),
            "app=web,app,!debug,env in (dev,prod),tier notin (db)"
        );
        assert!(s.matches(&set(&[("app", "web"), ("env", "dev")])));
        assert!(!s.matches(&set(&[("app", "web"), ("env", "dev"), ("debug", "1")])));
        assert!(!s.matches(&set(&[("app", "web"), ("env", "dev"), ("tier", "db")])));
        assert!(!s.matches(&set(&[("app", "web")])));
        assert_eq!(s.required_pairs(), set(&[("app", "web")]));
        let bad = |op: &str, values: Option<Vec<String>>| {
            let ls = LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: "k".into(),
                    operator: op.into(),
                    values,
                }]),
            };
            Selector::from_label_selector(Some(&ls))
                .err()
                .unwrap_or_default()
        };
        assert_eq!(bad("In", None), "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
        assert_eq!(
            bad("Exists", Some(vec!["x".into()])),
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist"
        );
        assert_eq!(
            bad("Foo", None),
            "\"Foo\" is not a valid label selector operator"
        );
        let badkey = LabelSelector {
            match_labels: Some(set(&[("a b", "x")])),
            match_expressions: None,
        };
        assert_eq!(
            Selector::from_label_selector(Some(&badkey))
                .err()
                .unwrap_or_default(),
            format!("key: Invalid value: \"a b\": {NAME_MSG}")
        );
    }

    #[test]
    fn requirement_constructor() {
        assert!(Requirement::new("x", Operator::In, vec![]).is_err());
        assert!(Requirement::new("x", Operator::Equals, vec!["a".into(), "b".into()]).is_err());
        assert!(Requirement::new("x", Operator::Exists, vec!["a".into()]).is_err());
        assert!(
            Requirement::new("x", Operator::GreaterThan, vec!["1".into(), "2".into()]).is_err()
        );
        assert!(Requirement::new("x", Operator::GreaterThan, vec!["1".into()]).is_ok());
        assert!(Requirement::new(&"a".repeat(254), Operator::Exists, vec![]).is_err());
        assert!(Requirement::new("x", Operator::In, vec!["a b".into()]).is_err());
        assert!(Requirement::new("x", Operator::In, vec!["a".repeat(254)]).is_err());
        assert!(Requirement::new("x", Operator::In, vec!["".into()]).is_ok());
    }

    #[test]
    fn nul_ends_the_input_as_in_go() {
        assert_eq!(parse("a=b\0,,,").to_string(), "a=b");
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC{0,40}") {
            let _ = Selector::parse(&s);
        }

        #[test]
        fn parser_never_panics_on_selector_alphabet(s in "[a-z=!(),<> \t0-9.in/-]{0,40}") {
            if let Ok(sel) = Selector::parse(&s) {
                // The canonical form parses back to the same selector.
                let again = Selector::parse(&sel.to_string());
                prop_assert_eq!(again.ok(), Some(sel));
            }
        }
    }
}
