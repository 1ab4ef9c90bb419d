//! What one line of the script language produced.

use crate::sim::store::ObjKey;

/// Something a command waits for before it returns (kubectl blocks on these in a real terminal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// `sleep`: until the virtual clock reaches this many ms since the start instant.
    Until { elapsed_ms: u64 },
    /// `kubectl delete` (with its default `--wait=true`): until every object (key, uid) is gone.
    Gone(Vec<(ObjKey, String)>),
    /// `kubectl rollout status`: prints the rollout's state on every change of the Deployment
    /// (`last_rv`: the resourceVersion last reported) until it is complete or has failed.
    Rollout {
        key: ObjKey,
        uid: String,
        last_rv: String,
        revision: Option<i64>,
    },
    /// `kubectl logs -f`: prints what the followed container instances print as virtual time
    /// passes, until they have all ended.
    Logs(Vec<super::logs::Follow>),
    /// `kubectl drain`: prints `pod/x evicted` as each evicted pod goes, then `node/n drained`.
    Drain(Box<super::drain::DrainWait>),
    /// `kubectl wait`: until every object meets the condition, or the timeout.
    Cond(Box<super::wait::WaitState>),
    /// `kubectl get -w`: a row for every change, until interrupted (or `timeout` ends it).
    Watch(Box<super::watch::WatchState>),
    /// `timeout DURATION CMD`: the inner wait, cut off at this virtual instant (exit status 124).
    Timeout { inner: Box<Wait>, deadline_ms: u64 },
}

/// What a waiting command produced since it was last polled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub stdout: String,
    pub stderr: String,
    /// The command has finished (the prompt comes back).
    pub done: bool,
    /// Exit status, meaningful once `done`.
    pub exit_code: i32,
}

/// The result of one line: kubectl's stdout and stderr kept apart, and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// Set when the command still has to wait (virtual time must pass) before it is done.
    pub wait: Option<Wait>,
    /// The line opened (or continued) a heredoc: the shell wants more lines (prompt `> `).
    pub more: bool,
    /// `kubectl edit` asks its front end to open an editor on this object (the page's inspector
    /// in Edit mode). Set only when the shell was told an editor exists (`Shell::set_editor`).
    pub edit: Option<ObjKey>,
}

impl Outcome {
    pub fn ok(stdout: impl Into<String>) -> Self {
        Outcome {
            stdout: stdout.into(),
            ..Default::default()
        }
    }
    pub fn err(stderr: impl Into<String>) -> Self {
        Outcome {
            stderr: stderr.into(),
            exit_code: 1,
            ..Default::default()
        }
    }
    pub fn with_wait(mut self, wait: Wait) -> Self {
        self.wait = Some(wait);
        self
    }
}
