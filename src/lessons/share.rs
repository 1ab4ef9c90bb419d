//! Share links: a session as a URL fragment, and its deterministic replay.
//!
//! A session is fully described by where it started (a lesson's setup, or a fresh cluster with a
//! seed) and the inputs logged for time travel, each pinned to its exact position in the run
//! (virtual ms and engine tasks run before it). The simulation is deterministic, so replaying
//! those inputs at those positions rebuilds the same cluster byte for byte.
//!
//! The fragment (`#v=1&lesson=ID&step=N&seed=S&t=MS&in=DATA`, every key but `v` and `in`
//! optional) is what the page puts after `#`; nothing is sent to a server. `DATA` is URL-safe
//! base64 (no padding) of a compact binary log: per input, the varint deltas of its virtual ms
//! and task count from the previous input, a tag byte and the tag's strings (varint length +
//! UTF-8). Decoding never panics and caps everything a hostile link could inflate.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::timetravel::{seek, tasks_run, Action, TimedInput};
use super::Playground;
use crate::kubectl::Wait;
use crate::sim::SimConfig;

/// Format version written in `v=`.
pub const VERSION: &str = "1";
/// Longest fragment accepted (characters); longer links are refused unread.
pub const MAX_FRAGMENT: usize = 64 * 1024;
/// Most inputs in one link.
pub const MAX_INPUTS: usize = 2_000;
/// Longest single string (a command line or a file) in a link.
pub const MAX_STRING: usize = 16 * 1024;
/// Latest virtual moment a link may ask for (a day): replaying costs time in the recipient's tab.
pub const MAX_T_MS: u64 = 24 * 3_600_000;
/// Most engine events a replay runs before giving up (a link that asks for huge work would
/// otherwise keep the recipient's tab busy for minutes).
pub const MAX_REPLAY_TASKS: u64 = 5_000_000;
/// Above this many characters a link still works but is unwieldy to paste (the UI says so).
pub const LONG_LINK: usize = 8 * 1024;

const TAG_LINE: u8 = 0;
const TAG_FILE: u8 = 1;
const TAG_ROLLING: u8 = 2;
const TAG_CHECK: u8 = 3;
const TAG_SKIP: u8 = 4;
const TAG_INTERRUPT: u8 = 5;

/// A shared session: where it starts, what was done, and the moment to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// The lesson whose setup the session starts from; `None`: a fresh cluster.
    pub lesson: Option<String>,
    /// The lesson step shown when the link was made (1-based; informational, for deep links).
    pub step: Option<usize>,
    /// The simulation's seed (fresh clusters only; a lesson has its own).
    pub seed: u64,
    /// The moment to show (virtual ms); every input is at or before it.
    pub t_ms: u64,
    pub inputs: Vec<TimedInput>,
}

impl Shared {
    /// The share of a live or past session (a copy from `Playground::at`): where it started,
    /// its inputs and its moment. A lesson's setup is not in the inputs: `replay` runs it again.
    pub fn of(pg: &Playground) -> Shared {
        let lesson = pg.lesson().map(|r| r.lesson().id.clone());
        let step = pg.lesson().map(|r| r.step_index() + 1);
        Shared {
            lesson,
            step,
            seed: pg.shell().sim().config().seed,
            t_ms: pg.elapsed_ms(),
            inputs: pg.inputs().to_vec(),
        }
    }

    /// The fragment (without `#`).
    pub fn encode(&self) -> String {
        let mut out = format!("v={VERSION}");
        if let Some(l) = &self.lesson {
            out.push_str("&lesson=");
            out.push_str(&percent_encode(l));
            if let Some(s) = self.step {
                out.push_str(&format!("&step={s}"));
            }
        } else if self.seed != SimConfig::default().seed {
            out.push_str(&format!("&seed={}", self.seed));
        }
        out.push_str(&format!("&t={}", self.t_ms));
        out.push_str("&in=");
        out.push_str(&URL_SAFE_NO_PAD.encode(encode_inputs(&self.inputs)));
        out
    }
}

/// Reads a fragment or query (with or without its leading `#`/`?`). `Ok(None)` when it is not a
/// share link (no `in=`: perhaps a plain lesson deep link); `Err` with a sentence for a link that
/// is one but cannot be read.
pub fn decode(fragment: &str) -> Result<Option<Shared>, String> {
    if fragment.len() > MAX_FRAGMENT {
        return Err(format!(
            "the link is too long ({} characters; at most {MAX_FRAGMENT})",
            fragment.len()
        ));
    }
    let q = fragment.trim_start_matches(['#', '?']);
    let mut v = None;
    let mut lesson = None;
    let mut step = None;
    let mut seed = None;
    let mut t = None;
    let mut data = None;
    for pair in q.split('&') {
        let (k, val) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "v" => v = Some(val),
            "lesson" => lesson = Some(percent_decode(val)),
            "step" => step = Some(val),
            "seed" => seed = Some(val),
            "t" => t = Some(val),
            "in" => data = Some(val),
            _ => {}
        }
    }
    let Some(data) = data else {
        return Ok(None);
    };
    match v {
        Some(VERSION) => {}
        Some(other) => {
            return Err(format!(
                "the link is of format version {:?}; this page reads version {VERSION}",
                clip(other)
            ))
        }
        None => return Err("the link has no format version (v=)".into()),
    }
    let lesson = match lesson {
        Some(l) if l.is_empty() => None,
        Some(l)
            if l.len() > 100
                || !l
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            return Err(format!("the link names no valid lesson ({:?})", clip(&l)))
        }
        other => other,
    };
    let number = |name: &str, s: Option<&str>| -> Result<Option<u64>, String> {
        match s {
            None => Ok(None),
            Some(s) => s
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("the link's {name} is not a number ({:?})", clip(s))),
        }
    };
    let step = number("step", step)?
        .map(|n| n as usize)
        .filter(|n| *n >= 1);
    let seed = number("seed", seed)?.unwrap_or(SimConfig::default().seed);
    let bytes = URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| "the link's inputs are garbled (not URL-safe base64)".to_string())?;
    let inputs = decode_inputs(&bytes)?;
    let last = inputs.last().map(|i| i.at_ms).unwrap_or(0);
    let t_ms = number("time", t)?.unwrap_or(last);
    if t_ms > MAX_T_MS {
        return Err(format!(
            "the link asks for a moment {} hours in; at most {} are replayed",
            t_ms / 3_600_000,
            MAX_T_MS / 3_600_000
        ));
    }
    if last > t_ms {
        return Err("the link's inputs come after its moment (t=)".into());
    }
    Ok(Some(Shared {
        lesson,
        step,
        seed,
        t_ms,
        inputs,
    }))
}

/// At most 40 characters of something a link said (for error messages).
fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(40).collect();
    if c.len() < s.len() {
        c.push('…');
    }
    c
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%2D` → `-`, `+` → space; invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn encode_inputs(inputs: &[TimedInput]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut ms, mut tasks) = (0u64, 0u64);
    for i in inputs {
        put_varint(&mut out, i.at_ms.saturating_sub(ms));
        put_varint(&mut out, i.tasks_run.saturating_sub(tasks));
        ms = ms.max(i.at_ms);
        tasks = tasks.max(i.tasks_run);
        match &i.action {
            Action::Line(l) => {
                out.push(TAG_LINE);
                put_str(&mut out, l);
            }
            Action::File { path, text } => {
                out.push(TAG_FILE);
                put_str(&mut out, path);
                put_str(&mut out, text);
            }
            Action::RollingUpdate {
                ns,
                name,
                surge,
                unavailable,
            } => {
                out.push(TAG_ROLLING);
                for s in [ns, name, surge, unavailable] {
                    put_str(&mut out, s);
                }
            }
            Action::LessonCheck => out.push(TAG_CHECK),
            Action::LessonSkip => out.push(TAG_SKIP),
            Action::Interrupt => out.push(TAG_INTERRUPT),
        }
    }
    out
}

/// A reader over the decoded bytes that reports where it failed.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let Some(&c) = self.b.get(self.pos) else {
            return Err("the link's inputs are cut short".into());
        };
        self.pos += 1;
        Ok(c)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let c = self.byte()?;
            let part = u64::from(c & 0x7f);
            if shift == 63 && part > 1 {
                break;
            }
            n |= part << shift;
            if c & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err("the link's inputs are garbled (a number is too long)".into())
    }

    fn string(&mut self) -> Result<String, String> {
        let len = self.varint()?;
        if len > MAX_STRING as u64 {
            return Err(format!(
                "the link holds a text of {len} bytes; at most {MAX_STRING} are accepted"
            ));
        }
        let len = len as usize;
        let Some(bytes) = self.b.get(self.pos..self.pos + len) else {
            return Err("the link's inputs are cut short".into());
        };
        self.pos += len;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| "the link's inputs are garbled (text that is not UTF-8)".to_string())
    }
}

fn decode_inputs(bytes: &[u8]) -> Result<Vec<TimedInput>, String> {
    let mut r = Reader { b: bytes, pos: 0 };
    let mut out = Vec::new();
    let (mut ms, mut tasks) = (0u64, 0u64);
    while r.pos < bytes.len() {
        if out.len() >= MAX_INPUTS {
            return Err(format!(
                "the link holds more than {MAX_INPUTS} inputs; at most {MAX_INPUTS} are replayed"
            ));
        }
        ms = ms
            .checked_add(r.varint()?)
            .filter(|m| *m <= MAX_T_MS)
            .ok_or_else(|| {
                format!(
                    "the link's inputs run past {} hours of virtual time",
                    MAX_T_MS / 3_600_000
                )
            })?;
        tasks = tasks
            .checked_add(r.varint()?)
            .ok_or("the link's inputs are garbled (task count overflows)")?;
        let action = match r.byte()? {
            TAG_LINE => Action::Line(r.string()?),
            TAG_FILE => Action::File {
                path: r.string()?,
                text: r.string()?,
            },
            TAG_ROLLING => Action::RollingUpdate {
                ns: r.string()?,
                name: r.string()?,
                surge: r.string()?,
                unavailable: r.string()?,
            },
            TAG_CHECK => Action::LessonCheck,
            TAG_SKIP => Action::LessonSkip,
            TAG_INTERRUPT => Action::Interrupt,
            other => {
                return Err(format!(
                    "the link's inputs are garbled (unknown entry {other})"
                ))
            }
        };
        out.push(TimedInput {
            at_ms: ms,
            tasks_run: tasks,
            action,
        });
    }
    Ok(out)
}

/// One command of a replayed session as the terminal shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayedCommand {
    /// The line, with heredoc lines after it (`\n> line`).
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// Virtual ms when it ran.
    pub at_ms: u64,
}

/// A shared session rebuilt: the session at the link's moment, the terminal's commands, and
/// the command still waiting there (its `Wait` goes on in the page), if any.
pub struct Replay {
    pub pg: Playground,
    pub commands: Vec<ReplayedCommand>,
    pub waiting: Option<Wait>,
}

/// What a replay keeps while it runs: the open command and its wait.
struct Term {
    commands: Vec<ReplayedCommand>,
    waiting: Option<Wait>,
}

impl Term {
    /// Polls the waiting command (as the page does on every tick) and closes it when it is done.
    fn poll(&mut self, pg: &Playground) {
        let Some(w) = self.waiting.as_mut() else {
            return;
        };
        let pr = pg.poll(w);
        if let Some(c) = self.commands.last_mut() {
            c.stdout.push_str(&pr.stdout);
            c.stderr.push_str(&pr.stderr);
            if pr.done && pr.exit_code != 0 {
                c.exit_code = pr.exit_code;
            }
        }
        if pr.done {
            self.waiting = None;
        }
    }

    /// A new command line while one still waits: the learner stopped it (Ctrl-C).
    fn interrupt(&mut self) {
        if self.waiting.take().is_some() {
            if let Some(c) = self.commands.last_mut() {
                c.stdout.push_str("^C\n");
                c.exit_code = 130;
            }
        }
    }

    fn start_wait(&mut self, w: Option<Wait>, pg: &Playground) {
        self.waiting = w;
        self.poll(pg);
    }
}

/// Runs the session's events up to the position (`tasks`, `at_ms`) (with `tasks` `None`: every
/// event due by `at_ms`), polling a waiting command after each event, as the page would. Fails
/// once more than `limit` events have run in all.
fn run_to(
    pg: &mut Playground,
    term: &mut Term,
    tasks: Option<u64>,
    at_ms: u64,
    limit: u64,
) -> Result<(), String> {
    loop {
        let run = tasks_run(pg.shell.sim());
        if tasks.is_some_and(|n| run >= n) {
            break;
        }
        if run > limit {
            return Err(format!(
                "replaying it would take more than {limit} simulation events; it is too heavy to replay here"
            ));
        }
        match pg.next_task_ms() {
            Some(t) if t <= at_ms => {
                pg.shell.sim_mut().step();
                pg.note_time();
                if term.waiting.is_some() {
                    term.poll(pg);
                }
            }
            _ => break,
        }
    }
    let n = tasks.unwrap_or(u64::MAX);
    seek(pg.shell.sim_mut(), n, at_ms);
    pg.note_time();
    term.poll(pg);
    Ok(())
}

/// Rebuilds a shared session: the lesson's setup or a fresh cluster, then every input at its
/// logged position, then the clock moved on to the link's moment. Errors are sentences (an
/// unknown lesson, a failing setup); the commands themselves may fail as they did originally.
pub fn replay(shared: &Shared) -> Result<Replay, String> {
    replay_with_limit(shared, MAX_REPLAY_TASKS)
}

/// `replay`, giving up after `max_tasks` simulation events (counted from the session's start).
pub fn replay_with_limit(shared: &Shared, max_tasks: u64) -> Result<Replay, String> {
    let mut pg = match &shared.lesson {
        Some(id) => {
            let lesson =
                super::find_lesson(id).map_err(|_| format!("there is no lesson {id:?}"))?;
            Playground::for_lesson(&lesson)?
        }
        None => Playground::new(SimConfig {
            seed: shared.seed,
            ..SimConfig::default()
        }),
    };
    let mut term = Term {
        commands: Vec::new(),
        waiting: None,
    };
    // The lesson's setup is not the link's doing: the budget starts after it.
    let budget = tasks_run(pg.shell.sim()).saturating_add(max_tasks);
    for input in &shared.inputs {
        if input.at_ms < pg.elapsed_ms() {
            // Out of order (a lesson's setup ran later than the link thinks): it cannot be placed.
            return Err(
                "the link's inputs do not fit this lesson's setup (were the lessons updated?)"
                    .into(),
            );
        }
        run_to(
            &mut pg,
            &mut term,
            Some(input.tasks_run),
            input.at_ms,
            budget,
        )?;
        match &input.action {
            Action::Line(line) => {
                if pg.in_heredoc() {
                    let mut o = pg.run_line(line);
                    if let Some(c) = term.commands.last_mut() {
                        c.command.push_str("\n> ");
                        c.command.push_str(line);
                        if !o.more {
                            c.stdout.push_str(&o.stdout);
                            c.stderr.push_str(&o.stderr);
                            c.exit_code = o.exit_code;
                            let w = o.wait.take();
                            term.start_wait(w, &pg);
                        }
                    }
                    continue;
                }
                term.interrupt();
                let at_ms = pg.elapsed_ms();
                let mut o = pg.run_line(line);
                term.commands.push(ReplayedCommand {
                    command: line.clone(),
                    stdout: std::mem::take(&mut o.stdout),
                    stderr: std::mem::take(&mut o.stderr),
                    exit_code: o.exit_code,
                    at_ms,
                });
                let w = o.wait.take();
                term.start_wait(w, &pg);
            }
            Action::File { path, text } => pg.write_file(path, text),
            Action::RollingUpdate {
                ns,
                name,
                surge,
                unavailable,
            } => {
                pg.set_rolling_update(ns, name, surge, unavailable);
            }
            Action::LessonCheck => {
                pg.check_lesson();
            }
            Action::LessonSkip => pg.skip_step(),
            Action::Interrupt => {
                term.interrupt();
                pg.interrupt();
            }
        }
    }
    let t = shared.t_ms.max(pg.elapsed_ms());
    run_to(&mut pg, &mut term, None, t, budget)?;
    Ok(Replay {
        pg,
        commands: term.commands,
        waiting: term.waiting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Shared {
        Shared {
            lesson: None,
            step: None,
            seed: 7,
            t_ms: 90_000,
            inputs: vec![
                TimedInput {
                    at_ms: 1_000,
                    tasks_run: 40,
                    action: Action::Line("kubectl create deployment web --image=nginx".into()),
                },
                TimedInput {
                    at_ms: 1_000,
                    tasks_run: 41,
                    action: Action::File {
                        path: "a.yaml".into(),
                        text: "kind: Pod\n# ünïcode ✓\n".into(),
                    },
                },
                TimedInput {
                    at_ms: 30_500,
                    tasks_run: 900,
                    action: Action::LessonCheck,
                },
                TimedInput {
                    at_ms: 30_500,
                    tasks_run: 900,
                    action: Action::LessonSkip,
                },
                TimedInput {
                    at_ms: 30_900,
                    tasks_run: 901,
                    action: Action::Interrupt,
                },
                TimedInput {
                    at_ms: 31_000,
                    tasks_run: 901,
                    action: Action::RollingUpdate {
                        ns: "default".into(),
                        name: "web".into(),
                        surge: "25%".into(),
                        unavailable: "0".into(),
                    },
                },
            ],
        }
    }

    #[test]
    fn roundtrip() {
        let s = sample();
        let f = s.encode();
        assert!(f.starts_with("v=1&seed=7&t=90000&in="), "{f}");
        assert!(f
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=&-_".contains(&b)));
        assert_eq!(decode(&f).unwrap(), Some(s.clone()));
        assert_eq!(decode(&format!("#{f}")).unwrap(), Some(s.clone()));
        let mut l = s;
        l.lesson = Some("rolling-update".into());
        l.step = Some(3);
        l.seed = SimConfig::default().seed;
        let f = l.encode();
        assert!(f.starts_with("v=1&lesson=rolling-update&step=3&t="), "{f}");
        assert_eq!(decode(&f).unwrap(), Some(l));
    }

    #[test]
    fn not_a_share_link() {
        assert_eq!(decode("").unwrap(), None);
        assert_eq!(decode("#lesson=first-pod&step=2").unwrap(), None);
        assert_eq!(decode("?embed=1").unwrap(), None);
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let good = sample().encode();
        let cases = [
            "v=1&in=%%%".to_string(),
            "v=1&in=!!!!".to_string(),
            "v=2&in=AAAA".to_string(),
            "in=AAAA".to_string(),
            "v=1&t=abc&in=".to_string(),
            "v=1&step=-1&in=".to_string(),
            "v=1&lesson=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&in=".to_string(),
            // a varint that never ends, a string longer than the data, an unknown tag
            format!("v=1&in={}", URL_SAFE_NO_PAD.encode([0xff; 12])),
            format!("v=1&in={}", URL_SAFE_NO_PAD.encode([0, 0, 0, 50, b'a'])),
            format!("v=1&in={}", URL_SAFE_NO_PAD.encode([0, 0, 9])),
            format!(
                "v=1&in={}",
                URL_SAFE_NO_PAD.encode([0, 0, 0, 2, 0xc3, 0x28])
            ),
            // time past the cap, inputs after the moment
            format!("v=1&t={}&in=", MAX_T_MS + 1),
            format!(
                "v=1&t=5&in={}",
                URL_SAFE_NO_PAD.encode([0x90, 0x4e, 0, 0, 1, b'x'])
            ),
            good[..good.len() - 3].to_string(),
        ];
        for c in &cases {
            let r = decode(c);
            assert!(r.is_err(), "{c:?} gave {r:?}");
        }
        // Every prefix and every single-byte corruption of a good link decodes or errs; none panics.
        for i in 0..good.len() {
            let _ = decode(&good[..i]);
            let mut b = good.clone().into_bytes();
            b[i] = b'~';
            let _ = decode(&String::from_utf8_lossy(&b));
        }
    }

    #[test]
    fn oversize_is_refused() {
        let huge = format!("v=1&in={}", "A".repeat(MAX_FRAGMENT));
        assert!(decode(&huge).unwrap_err().contains("too long"));
        let mut many = Vec::new();
        for _ in 0..=MAX_INPUTS {
            many.extend_from_slice(&[0, 0, TAG_CHECK]);
        }
        let f = format!("v=1&in={}", URL_SAFE_NO_PAD.encode(&many));
        assert!(
            decode(&f).unwrap_err().contains("inputs"),
            "{:?}",
            decode(&f)
        );
        let mut long = vec![0, 0, TAG_LINE];
        put_varint(&mut long, (MAX_STRING + 1) as u64);
        long.extend(std::iter::repeat_n(b'a', MAX_STRING + 1));
        let f = format!("v=1&in={}", URL_SAFE_NO_PAD.encode(&long));
        assert!(decode(&f).unwrap_err().contains("at most"));
    }

    #[test]
    fn varint_edges() {
        for n in [0, 1, 127, 128, 16_383, 16_384, u64::MAX / 2, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, n);
            let mut r = Reader { b: &b, pos: 0 };
            assert_eq!(r.varint().unwrap(), n);
        }
    }

    #[test]
    fn percent_roundtrip() {
        for s in ["plain-id", "a b&c=d", "ünï", "%", "%4", "<img src=x>"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
