//! kubectl and the script language: parse a line, run it against the simulation, print exactly
//! what kubectl 1.32 prints.

pub mod args;
pub mod cmd;
pub mod label;
pub mod outcome;
pub mod printers;
pub mod rollout;

pub use outcome::{Outcome, Progress, Wait};

use crate::sim::{Sim, SimConfig};

/// Longest line the shell accepts (a pasted manifest is far shorter; this bounds hostile input).
pub const MAX_LINE: usize = 1 << 20;

/// A shell session: the simulated cluster and the state of the terminal that talks to it.
pub struct Shell {
    sim: Sim,
}

/// Parses `30s`, `2m30s`, `1h`, `500ms`, `1.5s` or a bare number of seconds (as `sleep` takes it)
/// into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    if let Ok(secs) = s.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as u64);
    }
    let mut total: f64 = 0.0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            unit = "ms".into();
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        total += v * match unit.as_str() {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        };
        any = true;
    }
    if !num.is_empty() || !any || !total.is_finite() || total > 1e15 {
        return None;
    }
    Some(total.round() as u64)
}

impl Shell {
    pub fn new(config: SimConfig) -> Self {
        Shell { sim: Sim::new(config) }
    }
    pub fn sim(&self) -> &Sim {
        &self.sim
    }
    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    /// Runs one line of the script language.
    pub fn run_line(&mut self, line: &str) -> Outcome {
        if line.len() > MAX_LINE {
            return Outcome { stderr: "bash: line too long\n".into(), exit_code: 2, ..Default::default() };
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Outcome::default();
        }
        let Some(words) = shlex::split(trimmed) else {
            return Outcome {
                stderr: "bash: syntax error: unexpected end of file (unclosed quote)\n".into(),
                exit_code: 2,
                ..Default::default()
            };
        };
        // A trailing comment ends the words.
        let words: Vec<String> = words.into_iter().take_while(|w| !w.starts_with('#')).collect();
        let Some(program) = words.first() else { return Outcome::default() };
        let out = match program.as_str() {
            "kubectl" => cmd::kubectl(&mut self.sim, &words[1..]),
            "sleep" => self.sleep(&words[1..]),
            "echo" => Outcome::ok(format!("{}\n", words[1..].join(" "))),
            "true" | ":" => Outcome::default(),
            other => Outcome {
                stderr: format!("bash: {other}: command not found\n"),
                exit_code: 127,
                ..Default::default()
            },
        };
        // Deliver what the command wrote to the watchers (controllers react from the next step on).
        self.sim.dispatch();
        out
    }

    fn sleep(&mut self, args: &[String]) -> Outcome {
        if args.is_empty() {
            return Outcome { stderr: "sleep: missing operand\nTry 'sleep --help' for more information.\n".into(), exit_code: 1, ..Default::default() };
        }
        let mut total = 0u64;
        for a in args {
            match parse_duration_ms(a) {
                Some(ms) => total = total.saturating_add(ms),
                None => {
                    return Outcome {
                        stderr: format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"),
                        exit_code: 1,
                        ..Default::default()
                    }
                }
            }
        }
        Outcome::default().with_wait(Wait::Until { elapsed_ms: self.sim.elapsed_ms().saturating_add(total) })
    }

    /// True when a waiting command has nothing more to do. Streaming waits (`rollout status`) are
    /// done only once `poll` has reported their end.
    pub fn is_done(&self, wait: &Wait) -> bool {
        match wait {
            Wait::Until { elapsed_ms } => self.sim.elapsed_ms() >= *elapsed_ms,
            Wait::Gone(objs) => objs.iter().all(|(key, uid)| self.sim.get(key).is_none_or(|o| o.uid() != uid)),
            Wait::Rollout { key, uid, .. } => {
                rollout::status_now(&self.sim, key, uid, None).1
            }
        }
    }

    /// Reports what a waiting command printed since the last poll, and whether it has finished.
    pub fn poll(&self, wait: &mut Wait) -> Progress {
        match wait {
            Wait::Rollout { key, uid, last_rv, revision } => rollout::poll_status(&self.sim, key, uid, last_rv, *revision),
            other => Progress { done: self.is_done(other), ..Default::default() },
        }
    }

    /// Lets virtual time pass until `wait` is over, or `limit_ms` has passed, collecting what it
    /// printed on the way. `done` is false if the limit ran out first.
    pub fn run_until_done(&mut self, wait: &mut Wait, limit_ms: u64) -> Progress {
        let end = self.sim.elapsed_ms().saturating_add(limit_ms);
        let mut acc = Progress::default();
        if let Wait::Until { elapsed_ms } = wait {
            self.sim.run_until((*elapsed_ms).min(end));
            acc.done = self.is_done(wait);
            return acc;
        }
        loop {
            let p = self.poll(wait);
            acc.stdout.push_str(&p.stdout);
            acc.stderr.push_str(&p.stderr);
            if p.done {
                acc.done = true;
                acc.exit_code = p.exit_code;
                return acc;
            }
            match self.sim.next_task_time() {
                Some(at) if at <= end => {
                    self.sim.step();
                }
                _ => {
                    self.sim.run_until(end);
                    let p = self.poll(wait);
                    acc.stdout.push_str(&p.stdout);
                    acc.stderr.push_str(&p.stderr);
                    acc.done = p.done;
                    acc.exit_code = p.exit_code;
                    return acc;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30s"), Some(30_000));
        assert_eq!(parse_duration_ms("30"), Some(30_000));
        assert_eq!(parse_duration_ms("2m30s"), Some(150_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("1h"), Some(3_600_000));
        assert_eq!(parse_duration_ms("abc"), None);
        assert_eq!(parse_duration_ms("5x"), None);
        assert_eq!(parse_duration_ms("-1"), None);
        assert_eq!(parse_duration_ms(""), None);
    }
}
