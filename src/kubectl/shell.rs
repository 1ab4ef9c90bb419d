//! The shell side of the terminal: variable and command substitution (`$VAR`, `${VAR}`, `$(...)`,
//! `$?`), and the text filters tutorials pipe kubectl into (`grep`, `head`, `tail`, `wc`, `sort`,
//! `uniq`, `base64`, `cut`, `tr`).

use super::outcome::Outcome;

/// Characters that would change how the shell reads a substituted value outside quotes; they are
/// escaped so a value is taken as data (spaces are left alone: unquoted values split into words,
/// as in bash).
const UNQUOTED_SPECIAL: &str = "\\'\"$`;&|<>()*?#~{}[]!";

fn escape_into(out: &mut String, value: &str, in_double: bool) {
    for c in value.chars() {
        let special = if in_double {
            matches!(c, '\\' | '"' | '$' | '`')
        } else {
            UNQUOTED_SPECIAL.contains(c)
        };
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Finds the `)` closing a `$(` whose body starts at `start`, skipping quotes and nesting.
fn closing_paren(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 1;
    let mut quote: Option<char> = None;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => i += 1,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '\\' => i += 1,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// Expands `$NAME`, `${NAME}`, `$?` and `$(command)` (run by `run`, its stdout without trailing
/// newlines) outside single quotes. Returns the rewritten line, ready for word splitting.
pub fn expand(
    line: &str,
    var: &dyn Fn(&str) -> Option<String>,
    run: &mut dyn FnMut(&str) -> String,
) -> Result<String, String> {
    expand_mode(line, var, run, false)
}

/// A here-document body: `$` expands, quotes are ordinary characters and nothing is escaped.
pub fn expand_text(
    text: &str,
    var: &dyn Fn(&str) -> Option<String>,
    run: &mut dyn FnMut(&str) -> String,
) -> Result<String, String> {
    expand_mode(text, var, run, true)
}

fn expand_mode(
    line: &str,
    var: &dyn Fn(&str) -> Option<String>,
    run: &mut dyn FnMut(&str) -> String,
    text: bool,
) -> Result<String, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut in_single = false;
    let mut in_double = false;
    let escape_into = |out: &mut String, v: &str, dq: bool| {
        if text {
            out.push_str(v);
        } else {
            escape_into(out, v, dq);
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_single {
            out.push(c);
            if c == '\'' {
                in_single = false;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' if text => {
                out.push(c);
                i += 1;
            }
            '\'' if !in_double => {
                in_single = true;
                out.push(c);
                i += 1;
            }
            '"' => {
                in_double = !in_double;
                out.push(c);
                i += 1;
            }
            '\\' => {
                out.push(c);
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
            }
            '$' => {
                let next = chars.get(i + 1).copied();
                match next {
                    Some('(') if chars.get(i + 2) != Some(&'(') => {
                        let Some(end) = closing_paren(&chars, i + 2) else {
                            return Err(
                                "bash: unexpected EOF while looking for matching `)'".into()
                            );
                        };
                        let inner: String = chars[i + 2..end].iter().collect();
                        let result = run(&inner);
                        escape_into(&mut out, result.trim_end_matches('\n'), in_double);
                        i = end + 1;
                    }
                    Some('{') => {
                        let Some(end) = chars[i + 2..]
                            .iter()
                            .position(|c| *c == '}')
                            .map(|p| p + i + 2)
                        else {
                            return Err("bash: bad substitution".into());
                        };
                        let name: String = chars[i + 2..end].iter().collect();
                        if name.is_empty()
                            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        {
                            return Err(format!("bash: ${{{name}}}: bad substitution"));
                        }
                        escape_into(&mut out, &var(&name).unwrap_or_default(), in_double);
                        i = end + 1;
                    }
                    Some('?') => {
                        escape_into(&mut out, &var("?").unwrap_or_else(|| "0".into()), in_double);
                        i += 2;
                    }
                    Some(n) if n.is_ascii_alphabetic() || n == '_' => {
                        let mut j = i + 1;
                        while j < chars.len()
                            && (chars[j].is_ascii_alphanumeric() || chars[j] == '_')
                        {
                            j += 1;
                        }
                        let name: String = chars[i + 1..j].iter().collect();
                        escape_into(&mut out, &var(&name).unwrap_or_default(), in_double);
                        i = j;
                    }
                    _ => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Splits a line at unquoted `;`, `&&` and `||` into (separator before, command) pairs; the first
/// separator is empty. A `;` inside `$(...)` or quotes does not split.
pub fn split_commands(line: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut sep = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == '\\' && q == '"' {
                    cur.push(c);
                    i += 1;
                    if let Some(n) = chars.get(i) {
                        cur.push(*n);
                    }
                    i += 1;
                    continue;
                }
                cur.push(c);
            }
            None => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    cur.push(c);
                } else if c == '\\' {
                    cur.push(c);
                    if let Some(n) = chars.get(i + 1) {
                        cur.push(*n);
                    }
                    i += 2;
                    continue;
                } else if c == '(' {
                    depth += 1;
                    cur.push(c);
                } else if c == ')' {
                    depth -= 1;
                    cur.push(c);
                } else if depth == 0 && (two == "&&" || two == "||") {
                    out.push((
                        std::mem::take(&mut sep),
                        std::mem::take(&mut cur).trim().to_string(),
                    ));
                    sep = two;
                    i += 2;
                    continue;
                } else if depth == 0 && c == ';' {
                    out.push((
                        std::mem::take(&mut sep),
                        std::mem::take(&mut cur).trim().to_string(),
                    ));
                    sep = ";".into();
                } else {
                    cur.push(c);
                }
            }
        }
        i += 1;
    }
    out.push((sep, cur.trim().to_string()));
    out.retain(|(_, c)| !c.is_empty());
    out
}

/// A shell variable name.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn joined(v: &[&str]) -> String {
    let mut out = String::new();
    for l in v {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Splits `-n 5`, `-n5`, `-5` style counts for head/tail.
fn count_arg(args: &[String], default: usize) -> Result<(usize, Vec<String>), String> {
    let mut n = default;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-n" {
            i += 1;
            n = args
                .get(i)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| "invalid number of lines".to_string())?;
        } else if let Some(v) = a.strip_prefix("-n") {
            n = v
                .parse()
                .map_err(|_| format!("invalid number of lines: '{v}'"))?;
        } else if let Some(v) = a
            .strip_prefix('-')
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
        {
            n = v
                .parse()
                .map_err(|_| format!("invalid number of lines: '{v}'"))?;
        } else {
            rest.push(a.clone());
        }
        i += 1;
    }
    Ok((n, rest))
}

/// Runs a text filter on `input`; `None` if `program` is not one.
pub fn filter(
    program: &str,
    args: &[String],
    input: &str,
    files: &dyn Fn(&str) -> Option<String>,
) -> Option<Outcome> {
    let err = |msg: String, code: i32| Outcome {
        stderr: msg,
        exit_code: code,
        ..Default::default()
    };
    // A file argument replaces standard input, as these tools read files too.
    let file_input = |rest: &[String]| -> Result<String, Outcome> {
        match rest.first() {
            Some(f) => files(f)
                .ok_or_else(|| err(format!("{program}: {f}: No such file or directory\n"), 1)),
            None => Ok(input.to_string()),
        }
    };
    // Its operands (the arguments that are not options) name the file to read, if any.
    let operand_input = || -> Result<String, Outcome> {
        let operands: Vec<String> = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .cloned()
            .collect();
        file_input(&operands)
    };
    Some(match program {
        "grep" => match grep(args, input, files) {
            Ok(o) | Err(o) => o,
        },
        "head" | "tail" => {
            let (n, rest) = match count_arg(args, 10) {
                Ok(x) => x,
                Err(e) => return Some(err(format!("{program}: {e}\n"), 1)),
            };
            let text = match file_input(&rest) {
                Ok(t) => t,
                Err(o) => return Some(o),
            };
            let ls = lines(&text);
            let pick: Vec<&str> = if program == "head" {
                ls.iter().take(n).copied().collect()
            } else {
                ls[ls.len().saturating_sub(n)..].to_vec()
            };
            Outcome::ok(joined(&pick))
        }
        "wc" => {
            let text = match operand_input() {
                Ok(t) => t,
                Err(o) => return Some(o),
            };
            let l = text.matches('\n').count();
            let w = text.split_whitespace().count();
            let c = text.len();
            let flags: String = args
                .iter()
                .filter(|a| a.starts_with('-'))
                .map(|a| a.trim_start_matches('-'))
                .collect();
            let mut parts = Vec::new();
            if flags.is_empty() || flags.contains('l') {
                parts.push(l);
            }
            if flags.is_empty() || flags.contains('w') {
                parts.push(w);
            }
            if flags.is_empty() || flags.contains('c') || flags.contains('m') {
                parts.push(c);
            }
            let s = if parts.len() == 1 {
                parts[0].to_string()
            } else {
                parts
                    .iter()
                    .map(|n| format!("{n:>7}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            Outcome::ok(format!("{s}\n"))
        }
        "sort" => {
            let reverse = args.iter().any(|a| a.starts_with('-') && a.contains('r'));
            let numeric = args.iter().any(|a| a.starts_with('-') && a.contains('n'));
            let unique = args.iter().any(|a| a.starts_with('-') && a.contains('u'));
            let text = match operand_input() {
                Ok(t) => t,
                Err(o) => return Some(o),
            };
            let mut ls = lines(&text);
            if numeric {
                let key = |s: &str| {
                    s.split_whitespace()
                        .next()
                        .and_then(|w| w.parse::<f64>().ok())
                        .unwrap_or(0.0)
                };
                crate::sort::sort_by(&mut ls, |a, b| {
                    key(a)
                        .partial_cmp(&key(b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(a.cmp(b))
                });
            } else {
                crate::sort::sort(&mut ls);
            }
            if reverse {
                ls.reverse();
            }
            if unique {
                ls.dedup();
            }
            Outcome::ok(joined(&ls))
        }
        "uniq" => {
            let text = match operand_input() {
                Ok(t) => t,
                Err(o) => return Some(o),
            };
            let mut ls = lines(&text);
            ls.dedup();
            Outcome::ok(joined(&ls))
        }
        "base64" => {
            use base64::Engine;
            let decode = args
                .iter()
                .any(|a| a == "-d" || a == "--decode" || a == "-D");
            let text = match operand_input() {
                Ok(t) => t,
                Err(o) => return Some(o),
            };
            if decode {
                let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                match base64::engine::general_purpose::STANDARD.decode(clean.as_bytes()) {
                    Ok(b) => Outcome::ok(String::from_utf8_lossy(&b).into_owned()),
                    Err(_) => err("base64: invalid input\n".into(), 1),
                }
            } else {
                let enc = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                let wrapped: Vec<String> = enc
                    .as_bytes()
                    .chunks(76)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                Outcome::ok(format!("{}\n", wrapped.join("\n")))
            }
        }
        "cut" => {
            let mut delim = '\t';
            let mut fields: Vec<usize> = Vec::new();
            let mut i = 0;
            while i < args.len() {
                let a = &args[i];
                let (flag, val) = if a.len() > 2 && a.starts_with('-') {
                    (&a[..2], Some(a[2..].to_string()))
                } else {
                    (a.as_str(), None)
                };
                let val = match val {
                    Some(v) => Some(v),
                    None if flag == "-d" || flag == "-f" => {
                        i += 1;
                        args.get(i).cloned()
                    }
                    None => None,
                };
                match (flag, val) {
                    ("-d", Some(v)) => delim = v.chars().next().unwrap_or('\t'),
                    ("-f", Some(v)) => {
                        fields = v.split(',').filter_map(|f| f.parse().ok()).collect();
                    }
                    _ => {}
                }
                i += 1;
            }
            if fields.is_empty() {
                return Some(err(
                    "cut: you must specify a list of bytes, characters, or fields\n".into(),
                    1,
                ));
            }
            let out: Vec<String> = input
                .lines()
                .map(|l| {
                    let parts: Vec<&str> = l.split(delim).collect();
                    fields
                        .iter()
                        .filter_map(|f| parts.get(f.saturating_sub(1)).copied())
                        .collect::<Vec<_>>()
                        .join(&delim.to_string())
                })
                .collect();
            Outcome::ok(out.iter().map(|l| format!("{l}\n")).collect::<String>())
        }
        "tr" => {
            if args.first().map(String::as_str) == Some("-d") {
                let Some(set) = args.get(1) else {
                    return Some(err("tr: missing operand\n".into(), 1));
                };
                let drop: Vec<char> = set.chars().collect();
                return Some(Outcome::ok(
                    input
                        .chars()
                        .filter(|c| !drop.contains(c))
                        .collect::<String>(),
                ));
            }
            let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
                return Some(err("tr: missing operand\n".into(), 1));
            };
            let from: Vec<char> = a.chars().collect();
            let to: Vec<char> = b.chars().collect();
            let out: String = input
                .chars()
                .map(|c| match from.iter().position(|f| *f == c) {
                    Some(i) => *to.get(i).or(to.last()).unwrap_or(&c),
                    None => c,
                })
                .collect();
            Outcome::ok(out)
        }
        _ => return None,
    })
}

/// `grep [-EFGivcwonq] [-e PATTERN]... [PATTERN] [FILE]`: GNU grep's options that tutorials use,
/// with basic (default), extended (`-E`) or fixed (`-F`) patterns.
fn grep(
    args: &[String],
    input: &str,
    files: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    use super::regex::Regex;
    let fail = |msg: String| Outcome {
        stderr: msg,
        exit_code: 2,
        ..Default::default()
    };
    let usage =
        "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";
    let (mut icase, mut invert, mut count, mut word, mut only, mut number, mut quiet) =
        (false, false, false, false, false, false, false);
    let mut whole = false;
    let mut syntax = 'G';
    let mut patterns: Vec<String> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    let mut options_done = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if options_done || !a.starts_with('-') || a == "-" {
            rest.push(a.clone());
            continue;
        }
        if a == "--" {
            options_done = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "ignore-case" => icase = true,
                "invert-match" => invert = true,
                "count" => count = true,
                "word-regexp" => word = true,
                "line-regexp" => whole = true,
                "only-matching" => only = true,
                "line-number" => number = true,
                "quiet" | "silent" => quiet = true,
                "extended-regexp" => syntax = 'E',
                "fixed-strings" => syntax = 'F',
                "basic-regexp" => syntax = 'G',
                l if l.starts_with("regexp=") => patterns.push(l["regexp=".len()..].to_string()),
                _ => return Err(fail(format!("grep: unrecognized option '{a}'\n{usage}"))),
            }
            continue;
        }
        let flags: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < flags.len() {
            match flags[j] {
                'i' | 'y' => icase = true,
                'v' => invert = true,
                'c' => count = true,
                'w' => word = true,
                'x' => whole = true,
                'o' => only = true,
                'n' => number = true,
                'q' | 's' => quiet = quiet || flags[j] == 'q',
                'E' | 'F' | 'G' => syntax = flags[j],
                'e' => {
                    let attached: String = flags[j + 1..].iter().collect();
                    if !attached.is_empty() {
                        patterns.push(attached);
                    } else if let Some(v) = args.get(i) {
                        patterns.push(v.clone());
                        i += 1;
                    } else {
                        return Err(fail(format!(
                            "grep: option requires an argument -- 'e'\n{usage}"
                        )));
                    }
                    j = flags.len();
                    continue;
                }
                o => return Err(fail(format!("grep: invalid option -- '{o}'\n{usage}"))),
            }
            j += 1;
        }
    }
    if patterns.is_empty() {
        if rest.is_empty() {
            return Err(fail(usage.to_string()));
        }
        patterns.push(rest.remove(0));
    }
    // A pattern with newlines is several patterns, as in GNU grep.
    let mut regexes = Vec::new();
    for p in patterns.iter().flat_map(|p| p.split('\n')) {
        let r = match syntax {
            'F' => Regex::literal(p, icase),
            s => Regex::new(p, s == 'E', icase).map_err(|e| fail(format!("grep: {e}\n")))?,
        };
        regexes.push(r);
    }
    let text = match rest.first() {
        Some(f) => files(f).ok_or_else(|| Outcome {
            stderr: format!("grep: {f}: No such file or directory\n"),
            exit_code: 2,
            ..Default::default()
        })?,
        None => input.to_string(),
    };
    let mut stdout = String::new();
    let mut hits = 0usize;
    for (n, line) in text.lines().enumerate() {
        let found: Vec<(usize, usize)> = if (only || word) && !whole {
            let mut all: Vec<(usize, usize)> =
                regexes.iter().flat_map(|r| r.matches(line, word)).collect();
            all.sort();
            all
        } else {
            Vec::new()
        };
        let matched = if whole {
            regexes.iter().any(|r| r.is_full_match(line))
        } else if word || only {
            !found.is_empty()
        } else {
            regexes.iter().any(|r| r.is_match(line))
        };
        if matched == invert {
            continue;
        }
        hits += 1;
        if count || quiet {
            continue;
        }
        let prefix = if number {
            format!("{}:", n + 1)
        } else {
            String::new()
        };
        if only && whole && !invert {
            stdout.push_str(&prefix);
            stdout.push_str(line);
            stdout.push('\n');
        } else if only && !invert {
            let chars: Vec<char> = line.chars().collect();
            for (s, e) in found.into_iter().filter(|(s, e)| e > s) {
                stdout.push_str(&prefix);
                stdout.extend(&chars[s..e]);
                stdout.push('\n');
            }
        } else if !only {
            stdout.push_str(&prefix);
            stdout.push_str(line);
            stdout.push('\n');
        }
    }
    if count && !quiet {
        stdout = format!("{hits}\n");
    }
    Ok(Outcome {
        stdout,
        exit_code: if hits == 0 { 1 } else { 0 },
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(n: &str) -> Option<String> {
        match n {
            "POD" => Some("web-abc".into()),
            "SP" => Some("a b".into()),
            "Q" => Some("it's \"x\"".into()),
            _ => None,
        }
    }

    #[test]
    fn expansions() {
        let mut run = |c: &str| format!("<{c}>\n");
        assert_eq!(
            expand("echo $POD ${POD}x", &vars, &mut run).unwrap(),
            "echo web-abc web-abcx"
        );
        assert_eq!(
            expand("echo '$POD' \"$POD\"", &vars, &mut run).unwrap(),
            "echo '$POD' \"web-abc\""
        );
        assert_eq!(
            expand("x=$(kubectl get pods)", &vars, &mut run).unwrap(),
            "x=\\<kubectl get pods\\>"
        );
        assert_eq!(expand("echo $SP", &vars, &mut run).unwrap(), "echo a b");
        let q = expand("echo $Q", &vars, &mut run).unwrap();
        assert_eq!(
            shlex::split(&q).unwrap(),
            vec!["echo", "it\\'s", "\"x\""]
                .iter()
                .map(|s| s.replace('\\', ""))
                .collect::<Vec<_>>()
        );
        assert_eq!(expand("echo $NOPE.", &vars, &mut run).unwrap(), "echo .");
        assert!(expand("echo $(oops", &vars, &mut run).is_err());
        assert_eq!(expand("echo $ 5", &vars, &mut run).unwrap(), "echo $ 5");
    }

    #[test]
    fn command_lists() {
        let v = split_commands("a; b && c || d");
        assert_eq!(
            v,
            vec![
                ("".into(), "a".into()),
                (";".into(), "b".into()),
                ("&&".into(), "c".into()),
                ("||".into(), "d".into())
            ]
        );
        assert_eq!(split_commands("echo 'a;b' \"c;d\" $(x; y)").len(), 1);
        assert_eq!(split_commands("kubectl get pods").len(), 1);
    }

    #[test]
    fn filters() {
        let none = |_: &str| None;
        let text = "NAME   READY\nweb-1  1/1\ndb-1   0/1\nweb-2  1/1\n";
        assert_eq!(
            filter("grep", &["web".into()], text, &none).unwrap().stdout,
            "web-1  1/1\nweb-2  1/1\n"
        );
        assert_eq!(
            filter("grep", &["-v".into(), "web".into()], text, &none)
                .unwrap()
                .stdout,
            "NAME   READY\ndb-1   0/1\n"
        );
        assert_eq!(
            filter("grep", &["-c".into(), "^web".into()], text, &none)
                .unwrap()
                .stdout,
            "2\n"
        );
        assert_eq!(
            filter("grep", &["zzz".into()], text, &none)
                .unwrap()
                .exit_code,
            1
        );
        assert_eq!(
            filter("wc", &["-l".into()], text, &none).unwrap().stdout,
            "4\n"
        );
        assert_eq!(
            filter("head", &["-n".into(), "2".into()], text, &none)
                .unwrap()
                .stdout,
            "NAME   READY\nweb-1  1/1\n"
        );
        assert_eq!(
            filter("tail", &["-1".into()], text, &none).unwrap().stdout,
            "web-2  1/1\n"
        );
        assert_eq!(
            filter("base64", &["-d".into()], "czNjcjN0", &none)
                .unwrap()
                .stdout,
            "s3cr3t"
        );
        assert_eq!(
            filter("base64", &[], "admin", &none).unwrap().stdout,
            "YWRtaW4=\n"
        );
        assert_eq!(
            filter("sort", &["-r".into()], "a\nc\nb\n", &none)
                .unwrap()
                .stdout,
            "c\nb\na\n"
        );
        assert_eq!(
            filter(
                "cut",
                &["-d".into(), ":".into(), "-f".into(), "2".into()],
                "a:b\nc:d\n",
                &none
            )
            .unwrap()
            .stdout,
            "b\nd\n"
        );
        assert!(filter("vim", &[], "", &none).is_none());
    }
}
