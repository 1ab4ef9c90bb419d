//! The lesson layer. For now it holds the `Playground`: one learner's session (a shell over a
//! simulated cluster) that the page and the native CLI drive. The lesson engine (goals, steps,
//! progress) will sit here too and read the same session.

use crate::kubectl::{Outcome, Progress, Shell, Wait};
use crate::sim::view::ClusterView;
use crate::sim::SimConfig;

/// A learner's session: the simulated cluster plus the shell that talks to it.
pub struct Playground {
    shell: Shell,
}

impl Playground {
    /// A fresh default cluster (one control-plane node, two workers), seeded.
    pub fn new(config: SimConfig) -> Self {
        Playground { shell: Shell::new(config) }
    }

    /// Runs one line of the script language (`kubectl ...`, `sleep 30s`, `# comment`).
    /// A command that must wait (e.g. `kubectl delete pod` until the pod is gone, `sleep`) returns
    /// with `wait` set: the caller lets virtual time pass until `is_done` says it is over.
    pub fn run_line(&mut self, line: &str) -> Outcome {
        self.shell.run_line(line)
    }

    /// True when a waiting command has finished (virtual time reached, object gone, ...).
    pub fn is_done(&self, wait: &Wait) -> bool {
        self.shell.is_done(wait)
    }

    /// Lets `ms` virtual milliseconds pass, running every event due in that span.
    pub fn advance(&mut self, ms: u64) {
        self.shell.sim_mut().advance(ms);
    }

    /// Runs events until `wait` is satisfied or `limit_ms` of virtual time has passed; returns
    /// whether it was satisfied. This is how the native CLI runs waiting commands.
    pub fn run_until_done(&mut self, wait: &Wait, limit_ms: u64) -> bool {
        let mut w = wait.clone();
        self.shell.run_until_done(&mut w, limit_ms).done
    }

    /// Like `run_until_done`, but returns what a streaming command (`kubectl rollout status`)
    /// printed while it waited, and its exit status.
    pub fn finish(&mut self, wait: &mut Wait, limit_ms: u64) -> Progress {
        self.shell.run_until_done(wait, limit_ms)
    }

    /// What a waiting command printed since the last poll, and whether it is over (the page calls
    /// this on every tick while the simulation plays).
    pub fn poll(&self, wait: &mut Wait) -> Progress {
        self.shell.poll(wait)
    }

    /// Virtual milliseconds since the start instant.
    pub fn elapsed_ms(&self) -> u64 {
        self.shell.sim().elapsed_ms()
    }

    /// What the cluster view draws now.
    pub fn view(&self) -> ClusterView {
        self.shell.sim().view()
    }

    /// Controller decisions recorded since `from` (an index into the decision log); returns the new end.
    pub fn decisions_since(&self, from: usize) -> (&[crate::sim::view::Decision], usize) {
        let all = self.shell.sim().decisions();
        let from = from.min(all.len());
        (&all[from..], all.len())
    }

    /// Sets a Deployment's RollingUpdate maxSurge / maxUnavailable (ints or percentages), as a
    /// `kubectl patch` would; used by tests until `patch` exists.
    pub fn set_rolling_update(&mut self, ns: &str, name: &str, surge: &str, unavailable: &str) -> bool {
        use crate::sim::object::{Kind, Object};
        use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
        let key = crate::sim::store::ObjKey::new(Kind::Deployment, ns, name);
        let Some(obj) = self.shell.sim().get(&key).cloned() else { return false };
        let Some(d) = obj.as_deployment() else { return false };
        let mut d = d.clone();
        let parse = |v: &str| match v.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(v.to_string()),
        };
        if let Some(ru) = d.spec.as_mut().and_then(|s| s.strategy.as_mut()).and_then(|s| s.rolling_update.as_mut()) {
            ru.max_surge = Some(parse(surge));
            ru.max_unavailable = Some(parse(unavailable));
        }
        let ok = self.shell.sim_mut().update(Object::Deployment(d)).is_ok();
        self.shell.sim_mut().dispatch();
        ok
    }

    pub fn shell(&self) -> &Shell {
        &self.shell
    }
}
