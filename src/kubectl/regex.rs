//! The regular expressions of the shell's `grep`: POSIX basic (default) and extended (`-E`)
//! syntax with GNU's extensions that tutorials use (`\|`, `\+`, `\?` in basic syntax, `\w`, `\s`,
//! `[[:alpha:]]` classes, `{m,n}` counts). Matching is a Thompson NFA simulation, so time grows
//! with pattern size times line length and no pattern can make it blow up.

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex {
    prog: Vec<Inst>,
    icase: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Empty,
    Char(char),
    Any,
    Class(Class),
    Bol,
    Eol,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

#[derive(Clone, Debug, PartialEq)]
struct Class {
    ranges: Vec<(char, char)>,
    negated: bool,
}

impl Class {
    fn matches(&self, c: char, icase: bool) -> bool {
        let hit = |c: char| self.ranges.iter().any(|(a, b)| *a <= c && c <= *b);
        let found = if icase {
            hit(c) || c.to_lowercase().any(hit) || c.to_uppercase().any(hit)
        } else {
            hit(c)
        };
        found != self.negated
    }
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Class),
    Bol,
    Eol,
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// Most a `{m,n}` count may say (GNU grep allows more; nobody types it in a tutorial).
const MAX_COUNT: u32 = 255;
/// Most instructions a pattern may compile to.
const MAX_PROG: usize = 20_000;

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    extended: bool,
    _src: &'a str,
}

const UNMATCHED_PAREN: &str = "Unmatched ( or \\(";
const UNMATCHED_CLOSE: &str = "Unmatched ) or \\)";
const UNMATCHED_BRACKET: &str = "Unmatched [, [^, [:, [., or [=";
const BAD_BRACE: &str = "Invalid content of \\{\\}";

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn peek2(&self) -> Option<char> {
        self.chars.get(self.pos + 1).copied()
    }
    /// Whether the input is at the alternation operator (`|` in ERE, `\|` in BRE).
    fn at_alt(&self) -> bool {
        if self.extended {
            self.peek() == Some('|')
        } else {
            self.peek() == Some('\\') && self.peek2() == Some('|')
        }
    }
    fn at_close(&self) -> bool {
        if self.extended {
            self.peek() == Some(')')
        } else {
            self.peek() == Some('\\') && self.peek2() == Some(')')
        }
    }

    fn alt(&mut self, depth: usize) -> Result<Node, String> {
        let mut branches = vec![self.concat(depth)?];
        while self.at_alt() {
            self.pos += if self.extended { 1 } else { 2 };
            branches.push(self.concat(depth)?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn concat(&mut self, depth: usize) -> Result<Node, String> {
        let mut items: Vec<Node> = Vec::new();
        while self.peek().is_some() && !self.at_alt() {
            if self.at_close() {
                if depth == 0 {
                    if self.extended {
                        // A lone `)` in ERE is an ordinary character for GNU grep.
                        self.pos += 1;
                        items.push(Node::Char(')'));
                        continue;
                    }
                    return Err(UNMATCHED_CLOSE.into());
                }
                break;
            }
            let atom = self.atom(depth, items.is_empty())?;
            let atom = self.repeats(atom)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn atom(&mut self, depth: usize, first: bool) -> Result<Node, String> {
        let Some(c) = self.peek() else {
            return Ok(Node::Empty);
        };
        self.pos += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' if first => Node::Bol,
            '$' if self.peek().is_none() || self.at_alt() || self.at_close() => Node::Eol,
            '[' => Node::Class(self.class()?),
            '*' if first => Node::Char('*'),
            '(' if self.extended => self.group(depth)?,
            '\\' => {
                let Some(e) = self.peek() else {
                    return Err("Trailing backslash".into());
                };
                self.pos += 1;
                match e {
                    '(' if !self.extended => self.group(depth)?,
                    'w' | 'W' => Node::Class(Class {
                        ranges: vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
                        negated: e == 'W',
                    }),
                    's' | 'S' => Node::Class(Class {
                        ranges: vec![(' ', ' '), ('\t', '\r')],
                        negated: e == 'S',
                    }),
                    'd' if self.extended => Node::Class(Class {
                        ranges: vec![('0', '9')],
                        negated: false,
                    }),
                    other => Node::Char(other),
                }
            }
            other => Node::Char(other),
        })
    }

    fn group(&mut self, depth: usize) -> Result<Node, String> {
        if depth > 64 {
            return Err("Regular expression too big".into());
        }
        let inner = self.alt(depth + 1)?;
        if !self.at_close() {
            return Err(UNMATCHED_PAREN.into());
        }
        self.pos += if self.extended { 1 } else { 2 };
        Ok(inner)
    }

    fn repeats(&mut self, mut atom: Node) -> Result<Node, String> {
        let mut nesting = 0;
        loop {
            let (min, max) = match (self.peek(), self.peek2(), self.extended) {
                (Some('*'), _, _) => {
                    self.pos += 1;
                    (0, None)
                }
                (Some('+'), _, true) | (Some('\\'), Some('+'), false) => {
                    self.pos += if self.extended { 1 } else { 2 };
                    (1, None)
                }
                (Some('?'), _, true) | (Some('\\'), Some('?'), false) => {
                    self.pos += if self.extended { 1 } else { 2 };
                    (0, Some(1))
                }
                (Some('{'), _, true) | (Some('\\'), Some('{'), false) => {
                    self.pos += if self.extended { 1 } else { 2 };
                    self.counts()?
                }
                _ => return Ok(atom),
            };
            if matches!(atom, Node::Bol | Node::Eol | Node::Empty) {
                continue;
            }
            // `a**` is `a*`: a repeat of a star adds nothing (and deep nesting would recurse).
            if matches!(&atom, Node::Repeat(_, 0, None)) {
                continue;
            }
            nesting += 1;
            if nesting > 8 {
                return Err("Regular expression too big".into());
            }
            atom = Node::Repeat(Box::new(atom), min, max);
        }
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}` after the opening brace.
    fn counts(&mut self) -> Result<(u32, Option<u32>), String> {
        let number = |p: &mut Self| -> Option<u32> {
            let start = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.chars[start..p.pos]
                .iter()
                .collect::<String>()
                .parse()
                .ok()
        };
        let min = number(self);
        let max = if self.peek() == Some(',') {
            self.pos += 1;
            number(self)
        } else {
            Some(min.ok_or_else(|| BAD_BRACE.to_string())?)
        };
        let close_ok = if self.extended {
            self.peek() == Some('}')
        } else {
            self.peek() == Some('\\') && self.peek2() == Some('}')
        };
        if !close_ok {
            return Err("Unmatched \\{".into());
        }
        self.pos += if self.extended { 1 } else { 2 };
        let min = min.unwrap_or(0);
        if min > MAX_COUNT || max.is_some_and(|m| m > MAX_COUNT || m < min) {
            return Err(BAD_BRACE.into());
        }
        Ok((min, max))
    }

    /// A bracket expression, after `[`.
    fn class(&mut self) -> Result<Class, String> {
        let mut negated = false;
        if self.peek() == Some('^') {
            negated = true;
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(UNMATCHED_BRACKET.into());
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            if c == '[' && self.peek2() == Some(':') {
                let rest: String = self.chars[self.pos + 2..].iter().collect();
                let Some(end) = rest.find(":]") else {
                    return Err(UNMATCHED_BRACKET.into());
                };
                let name = &rest[..end];
                let add: &[(char, char)] = match name {
                    "alpha" => &[('a', 'z'), ('A', 'Z')],
                    "digit" => &[('0', '9')],
                    "alnum" => &[('a', 'z'), ('A', 'Z'), ('0', '9')],
                    "upper" => &[('A', 'Z')],
                    "lower" => &[('a', 'z')],
                    "space" => &[(' ', ' '), ('\t', '\r')],
                    "blank" => &[(' ', ' '), ('\t', '\t')],
                    "xdigit" => &[('0', '9'), ('a', 'f'), ('A', 'F')],
                    "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
                    _ => return Err("Invalid character class name".into()),
                };
                ranges.extend_from_slice(add);
                self.pos += 2 + name.chars().count() + 2;
                continue;
            }
            self.pos += 1;
            if self.peek() == Some('-') && self.peek2().is_some_and(|n| n != ']') {
                let hi = self.peek2().unwrap_or(c);
                self.pos += 2;
                if hi < c {
                    return Err("Invalid range end".into());
                }
                ranges.push((c, hi));
            } else {
                ranges.push((c, c));
            }
        }
        Ok(Class { ranges, negated })
    }
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn compile(node: &Node, prog: &mut Vec<Inst>, icase: bool) -> Result<(), String> {
    if prog.len() > MAX_PROG {
        return Err("Regular expression too big".into());
    }
    match node {
        Node::Empty => {}
        Node::Char(c) => prog.push(Inst::Char(if icase { lower(*c) } else { *c })),
        Node::Any => prog.push(Inst::Any),
        Node::Class(c) => prog.push(Inst::Class(c.clone())),
        Node::Bol => prog.push(Inst::Bol),
        Node::Eol => prog.push(Inst::Eol),
        Node::Concat(items) => {
            for n in items {
                compile(n, prog, icase)?;
            }
        }
        Node::Alt(branches) => {
            // split L1, next; L1: a; jmp end; next: split ... ; last branch
            let mut jumps = Vec::new();
            for (i, b) in branches.iter().enumerate() {
                if i + 1 < branches.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(b, prog, icase)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile(b, prog, icase)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile(inner, prog, icase)?;
            }
            match max {
                None => {
                    // L: split body, out; body; jmp L
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(inner, prog, icase)?;
                    prog.push(Inst::Jmp(split));
                    let out = prog.len();
                    prog[split] = Inst::Split(split + 1, out);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(0, 0));
                        compile(inner, prog, icase)?;
                    }
                    let out = prog.len();
                    for s in splits {
                        prog[s] = Inst::Split(s + 1, out);
                    }
                }
            }
        }
    }
    Ok(())
}

impl Regex {
    /// Compiles `pattern` in basic (`extended == false`) or extended syntax. The error is GNU
    /// grep's wording (without the `grep: ` prefix).
    pub fn new(pattern: &str, extended: bool, icase: bool) -> Result<Regex, String> {
        let mut p = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
            extended,
            _src: pattern,
        };
        let node = p.alt(0)?;
        if p.pos < p.chars.len() {
            return Err(if p.at_close() {
                UNMATCHED_CLOSE.into()
            } else {
                UNMATCHED_PAREN.into()
            });
        }
        let mut prog = Vec::new();
        compile(&node, &mut prog, icase)?;
        prog.push(Inst::Match);
        Ok(Regex { prog, icase })
    }

    /// A pattern matched literally (`grep -F`).
    pub fn literal(text: &str, icase: bool) -> Regex {
        let mut prog: Vec<Inst> = text
            .chars()
            .map(|c| Inst::Char(if icase { lower(c) } else { c }))
            .collect();
        prog.push(Inst::Match);
        Regex { prog, icase }
    }

    /// Adds `pc` and everything reachable from it without consuming a character (an explicit
    /// stack: a long chain of optional items must not exhaust the WASM stack). Threads keep the
    /// priority order of the recursive definition.
    fn add(&self, list: &mut Vec<usize>, seen: &mut [bool], pc: usize, at: usize, len: usize) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] {
                continue;
            }
            seen[pc] = true;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Bol => {
                    if at == 0 {
                        stack.push(pc + 1);
                    }
                }
                Inst::Eol => {
                    if at == len {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    fn step_ok(&self, inst: &Inst, c: char) -> bool {
        match inst {
            Inst::Char(p) => *p == c || (self.icase && *p == lower(c)),
            Inst::Any => true,
            Inst::Class(cl) => cl.matches(c, self.icase),
            _ => false,
        }
    }

    /// Runs the NFA over `chars[start..]`; with `anchored`, threads start only at `start`.
    /// Returns every end position at which a match (begun at `start` when anchored) finishes.
    fn run(&self, chars: &[char], start: usize, anchored: bool, first_only: bool) -> Vec<usize> {
        let n = self.prog.len();
        let len = chars.len();
        let mut ends = Vec::new();
        let mut clist: Vec<usize> = Vec::new();
        let mut seen = vec![false; n];
        self.add(&mut clist, &mut seen, 0, start, len);
        let mut at = start;
        loop {
            if clist.iter().any(|pc| matches!(self.prog[*pc], Inst::Match)) {
                ends.push(at);
                if first_only {
                    return ends;
                }
            }
            if at >= len {
                break;
            }
            let c = chars[at];
            let mut nlist = Vec::new();
            let mut nseen = vec![false; n];
            for pc in &clist {
                if self.step_ok(&self.prog[*pc], c) {
                    self.add(&mut nlist, &mut nseen, pc + 1, at + 1, len);
                }
            }
            at += 1;
            if !anchored {
                self.add(&mut nlist, &mut nseen, 0, at, len);
            }
            if nlist.is_empty() {
                break;
            }
            clist = nlist;
        }
        ends
    }

    /// Whether the pattern matches anywhere in `line`.
    pub fn is_match(&self, line: &str) -> bool {
        let chars: Vec<char> = line.chars().collect();
        !self.run(&chars, 0, false, true).is_empty()
    }

    /// Whether the pattern matches the whole line (`grep -x`).
    pub fn is_full_match(&self, line: &str) -> bool {
        let chars: Vec<char> = line.chars().collect();
        self.run(&chars, 0, true, false).contains(&chars.len())
    }

    /// The leftmost-longest matches, as character ranges (what `grep -o` prints); with `word`,
    /// only matches with a non-word character (or the line's edge) on both sides (`grep -w`).
    pub fn matches(&self, line: &str, word: bool) -> Vec<(usize, usize)> {
        let chars: Vec<char> = line.chars().collect();
        let is_word = |i: usize| {
            chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        };
        let mut out = Vec::new();
        let mut s = 0;
        while s <= chars.len() {
            if word && s > 0 && is_word(s - 1) {
                s += 1;
                continue;
            }
            let ends = self.run(&chars, s, true, false);
            let best = ends
                .into_iter()
                .filter(|e| !word || !is_word(*e))
                .filter(|e| *e > s || word)
                .max();
            match best {
                Some(e) if e > s => {
                    out.push((s, e));
                    s = e;
                }
                Some(e) => {
                    out.push((s, e));
                    s += 1;
                }
                None => s += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, ext: bool, line: &str) -> bool {
        Regex::new(p, ext, false)
            .map(|r| r.is_match(line))
            .unwrap_or(false)
    }

    #[test]
    fn basic_and_extended_syntax() {
        let cases: &[(&str, bool, &str, bool)] = &[
            ("web", false, "pod/web-1", true),
            ("^web", false, "pod/web-1", false),
            ("^pod", false, "pod/web-1", true),
            ("1$", false, "pod/web-1", true),
            ("w.b", false, "web", true),
            ("we*b", false, "wb", true),
            ("Running|Pending", true, "x Pending y", true),
            ("Running|Pending", false, "x Pending y", false),
            ("Running|Pending", false, "Running|Pending", true),
            ("Running\\|Pending", false, "x Pending y", true),
            ("web-[0-9]+", true, "web-12", true),
            ("web-[0-9]+", true, "web-x", false),
            ("web-[0-9]\\+", false, "web-3", true),
            ("(ab)+c", true, "xababc", true),
            ("\\(ab\\)*c", false, "c", true),
            ("[^a-z]", false, "abc", false),
            ("[^a-z]", false, "abC", true),
            ("[[:digit:]]{3}", true, "a123", true),
            ("[[:digit:]]{3}", true, "a12", false),
            ("colou?r", true, "color", true),
            ("a{2,3}", true, "aa", true),
            ("x\\.y", false, "xzy", false),
            ("x\\.y", false, "x.y", true),
            ("\\w+-\\w+", true, "web-abc", true),
            ("^$", false, "", true),
            ("[]x]", false, "]", true),
        ];
        for (p, ext, line, want) in cases {
            assert_eq!(m(p, *ext, line), *want, "{p} ({ext}) on {line:?}");
        }
    }

    #[test]
    fn case_insensitive() {
        let r = Regex::new("running", false, true).unwrap();
        assert!(r.is_match("1/1 RUNNING 0"));
        let r = Regex::new("[a-c]x", false, true).unwrap();
        assert!(r.is_match("BX"));
    }

    #[test]
    fn errors_use_grep_words() {
        assert_eq!(Regex::new("(a", true, false).unwrap_err(), UNMATCHED_PAREN);
        assert_eq!(
            Regex::new("\\(a", false, false).unwrap_err(),
            UNMATCHED_PAREN
        );
        assert_eq!(
            Regex::new("[a", false, false).unwrap_err(),
            UNMATCHED_BRACKET
        );
        assert_eq!(
            Regex::new("a\\)", false, false).unwrap_err(),
            UNMATCHED_CLOSE
        );
        assert!(Regex::new("a)", true, false).is_ok());
        assert!(Regex::new("a{3,1}", true, false).is_err());
    }

    #[test]
    fn leftmost_longest_and_words() {
        let r = Regex::new("[0-9]+", true, false).unwrap();
        assert_eq!(r.matches("a12b345", false), vec![(1, 3), (4, 7)]);
        let r = Regex::new("web", false, false).unwrap();
        assert_eq!(r.matches("web web-1 webx", true), vec![(0, 3), (4, 7)]);
    }

    #[test]
    fn hostile_patterns_stay_linear() {
        let r = Regex::new("(a*)*(a*)*(a*)*b", true, false).unwrap();
        assert!(!r.is_match(&"a".repeat(5000)));
        assert!(Regex::new(&"(".repeat(100), true, false).is_err());
        assert!(Regex::new("a{255}{255}{255}", true, false).is_err());
        assert!(Regex::new(&format!("a{}", "*".repeat(100_000)), false, false).is_ok());
        assert!(Regex::new(&format!("a{}", "?".repeat(100)), true, false).is_err());
        let r = Regex::new(&"(a?)".repeat(3000), true, false).unwrap();
        assert!(r.is_match("aaa"));
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Any pattern either compiles or gets an error, and matching never panics.
        #[test]
        fn any_pattern_is_safe(p in "[-a-c.*+?|(){}\\\\^$\\[\\]:0-9,]{0,24}", line in "[a-c(){}|.]{0,30}", ext: bool) {
            if let Ok(r) = Regex::new(&p, ext, false) {
                let _ = r.is_match(&line);
                let _ = r.matches(&line, true);
                let _ = r.is_full_match(&line);
            }
        }
    }
}
