//! Per-node counters of the bound pods a selector matches, kept incrementally.
//!
//! PodTopologySpread and InterPodAffinity both ask "how many pods matching *this* selector (in
//! *these* namespaces) run on each node?". Answering that by walking every pod for every pod to
//! schedule is quadratic; instead each distinct question (a [`Matcher`]) is registered the first
//! time it is asked — one pass over the bound pods — and from then on every bind, unbind, label
//! change and deletion adjusts its per-node counts. The counters least recently used are dropped
//! beyond [`MAX_MATCHERS`] (a re-registration recounts).

use std::collections::{BTreeMap, BTreeSet};

use super::super::labels::Selector;

/// How many distinct matchers are kept.
pub(crate) const MAX_MATCHERS: usize = 256;

/// A set of namespaces: some names, or all of them (`namespaceSelector: {}`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct NsSet {
    pub all: bool,
    pub names: BTreeSet<String>,
}

impl NsSet {
    pub fn one(ns: &str) -> NsSet {
        NsSet {
            all: false,
            names: [ns.to_string()].into_iter().collect(),
        }
    }
    pub fn contains(&self, ns: &str) -> bool {
        self.all || self.names.contains(ns)
    }
    fn key(&self) -> String {
        if self.all {
            "*".into()
        } else {
            self.names.iter().cloned().collect::<Vec<_>>().join(",")
        }
    }
}

/// Pods that match every (namespaces, selector) part.
#[derive(Clone, Debug, Default)]
pub(crate) struct Matcher {
    pub parts: Vec<(NsSet, Selector)>,
}

impl Matcher {
    pub fn new(ns: NsSet, sel: Selector) -> Matcher {
        Matcher {
            parts: vec![(ns, sel)],
        }
    }
    /// A matcher that can match nothing (a nil selector, no namespaces, or no parts at all).
    pub fn is_void(&self) -> bool {
        self.parts.is_empty()
            || self
                .parts
                .iter()
                .any(|(ns, s)| s.is_nothing() || !ns.all && ns.names.is_empty())
    }
    pub fn matches(&self, ns: &str, labels: &BTreeMap<String, String>) -> bool {
        !self.is_void()
            && self
                .parts
                .iter()
                .all(|(n, s)| n.contains(ns) && s.matches(labels))
    }
    pub fn key(&self) -> String {
        self.parts
            .iter()
            .map(|(n, s)| format!("{}|{}", n.key(), s))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Per node: (matching bound pods, of which terminating).
pub(crate) type NodeCounts = BTreeMap<String, (i64, i64)>;

#[derive(Clone, Debug, Default)]
pub(crate) struct Counters {
    by_key: BTreeMap<String, (Matcher, NodeCounts, u64)>,
    tick: u64,
}

impl Counters {
    pub fn get(&mut self, key: &str) -> Option<&NodeCounts> {
        self.tick += 1;
        let tick = self.tick;
        self.by_key.get_mut(key).map(|e| {
            e.2 = tick;
            &e.1
        })
    }
    pub fn insert(&mut self, m: Matcher, counts: NodeCounts) {
        if self.by_key.len() >= MAX_MATCHERS {
            if let Some(oldest) = self
                .by_key
                .iter()
                .min_by_key(|(_, e)| e.2)
                .map(|(k, _)| k.clone())
            {
                self.by_key.remove(&oldest);
            }
        }
        self.tick += 1;
        self.by_key.insert(m.key(), (m, counts, self.tick));
    }
    /// Adds (`sign` 1) or removes (-1) one pod from every counter that matches it.
    pub fn adjust(
        &mut self,
        ns: &str,
        labels: &BTreeMap<String, String>,
        node: &str,
        terminating: bool,
        sign: i64,
    ) {
        for (m, counts, _) in self.by_key.values_mut() {
            if m.matches(ns, labels) {
                let e = counts.entry(node.to_string()).or_insert((0, 0));
                e.0 += sign;
                if terminating {
                    e.1 += sign;
                }
                if *e == (0, 0) {
                    counts.remove(node);
                }
            }
        }
    }
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &[(&str, &str)]) -> BTreeMap<String, String> {
        s.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn counts_follow_adjustments_and_evict_lru() {
        let m = Matcher::new(
            NsSet::one("default"),
            Selector::parse("app=web").unwrap_or_default(),
        );
        let mut c = Counters::default();
        c.insert(m.clone(), NodeCounts::new());
        c.adjust("default", &labels(&[("app", "web")]), "n1", false, 1);
        c.adjust("other", &labels(&[("app", "web")]), "n1", false, 1);
        c.adjust("default", &labels(&[("app", "db")]), "n1", false, 1);
        c.adjust("default", &labels(&[("app", "web")]), "n2", true, 1);
        let got = c.get(&m.key()).cloned().unwrap_or_default();
        assert_eq!(got.get("n1"), Some(&(1, 0)));
        assert_eq!(got.get("n2"), Some(&(1, 1)));
        c.adjust("default", &labels(&[("app", "web")]), "n2", true, -1);
        assert_eq!(c.get(&m.key()).map(|x| x.contains_key("n2")), Some(false));
        for i in 0..MAX_MATCHERS {
            c.insert(
                Matcher::new(NsSet::one(&format!("ns{i}")), Selector::everything()),
                NodeCounts::new(),
            );
        }
        assert_eq!(c.len(), MAX_MATCHERS);
        assert!(
            c.get(&m.key()).is_none(),
            "the least recently used counter went first"
        );
    }

    #[test]
    fn void_matchers_match_nothing() {
        assert!(!Matcher::new(NsSet::one("a"), Selector::nothing()).matches("a", &BTreeMap::new()));
        assert!(
            !Matcher::new(NsSet::default(), Selector::everything()).matches("a", &BTreeMap::new())
        );
        let all = NsSet {
            all: true,
            names: BTreeSet::new(),
        };
        assert!(Matcher::new(all, Selector::everything()).matches("a", &BTreeMap::new()));
    }
}
