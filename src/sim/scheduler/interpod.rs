//! InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, the required
//! anti-affinity of pods already running (symmetry), and the preferred terms of both sides in
//! scoring (`hardPodAffinityWeight` 1 for existing pods' required affinity).
//!
//! Counting uses the selector counters (pods matching a term, per node) for the incoming pod's
//! terms, and walks only the bound pods that carry affinity terms for the other direction, as the
//! real scheduler walks `PodsWithAffinity` / `PodsWithRequiredAntiAffinity`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod, PodAffinityTerm};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use super::super::labels::Selector;
use super::super::object::Kind;
use super::super::Sim;
use super::{counts, node_labels, pod_labels, pods_with_affinity, Failure, Matcher, Nodes, NsSet};

pub(crate) const AFFINITY: &str = "node(s) didn't match pod affinity rules";
pub(crate) const ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
pub(crate) const EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";
const WEIGHT: i64 = 2;
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// An affinity term resolved for matching: namespaces, selector (with matchLabelKeys and
/// mismatchLabelKeys of its owner folded in), topology key, weight (preferred terms).
#[derive(Clone, Debug)]
pub(crate) struct Term {
    pub ns: NsSet,
    pub selector: Selector,
    pub key: String,
    pub weight: i64,
}

impl Term {
    pub fn matches(&self, ns: &str, labels: &BTreeMap<String, String>) -> bool {
        self.ns.contains(ns) && self.selector.matches(labels)
    }
    fn matcher(&self) -> Matcher {
        Matcher::new(self.ns.clone(), self.selector.clone())
    }
}

/// Resolves a term of a pod in `owner_ns`. `namespaces` lists the candidate namespaces with their
/// labels, for a `namespaceSelector` (`{}` selects every namespace).
pub(crate) fn term(
    t: &PodAffinityTerm,
    owner: &Pod,
    weight: i64,
    namespaces: &[(String, BTreeMap<String, String>)],
) -> Term {
    let owner_ns = owner.metadata.namespace.clone().unwrap_or_default();
    let mut ns = NsSet::default();
    ns.names.extend(t.namespaces.iter().flatten().cloned());
    match t.namespace_selector.as_ref() {
        None => {
            if ns.names.is_empty() {
                ns.names.insert(owner_ns);
            }
        }
        Some(sel) => match Selector::from_label_selector(Some(sel)) {
            Ok(s) if s.is_empty() => ns.all = true,
            Ok(s) => ns.names.extend(
                namespaces
                    .iter()
                    .filter(|(_, l)| s.matches(l))
                    .map(|(n, _)| n.clone()),
            ),
            Err(_) => {}
        },
    }
    let mut ls: Option<LabelSelector> = t.label_selector.clone();
    if let Some(ls) = ls.as_mut() {
        let labels = pod_labels(owner);
        for (keys, op) in [
            (&t.match_label_keys, "In"),
            (&t.mismatch_label_keys, "NotIn"),
        ] {
            for k in keys.iter().flatten() {
                if let Some(v) = labels.get(k) {
                    ls.match_expressions.get_or_insert_with(Vec::new).push(
                        LabelSelectorRequirement {
                            key: k.clone(),
                            operator: op.into(),
                            values: Some(vec![v.clone()]),
                        },
                    );
                }
            }
        }
    }
    let selector =
        Selector::from_label_selector(ls.as_ref()).unwrap_or_else(|_| Selector::nothing());
    Term {
        ns,
        selector,
        key: t.topology_key.clone(),
        weight,
    }
}

/// The four term lists of a pod: required affinity, required anti-affinity, preferred affinity,
/// preferred anti-affinity.
pub(crate) fn terms(
    pod: &Pod,
    namespaces: &[(String, BTreeMap<String, String>)],
) -> [Vec<Term>; 4] {
    let a = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    let pa = a.and_then(|a| a.pod_affinity.as_ref());
    let paa = a.and_then(|a| a.pod_anti_affinity.as_ref());
    let req = |v: Option<&Vec<PodAffinityTerm>>| {
        v.into_iter()
            .flatten()
            .map(|t| term(t, pod, 0, namespaces))
            .collect::<Vec<_>>()
    };
    let pref = |v: Option<&Vec<k8s_openapi::api::core::v1::WeightedPodAffinityTerm>>| {
        v.into_iter()
            .flatten()
            .map(|w| term(&w.pod_affinity_term, pod, w.weight as i64, namespaces))
            .collect::<Vec<_>>()
    };
    [
        req(pa.and_then(|p| {
            p.required_during_scheduling_ignored_during_execution
                .as_ref()
        })),
        req(paa.and_then(|p| {
            p.required_during_scheduling_ignored_during_execution
                .as_ref()
        })),
        pref(pa.and_then(|p| {
            p.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })),
        pref(paa.and_then(|p| {
            p.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })),
    ]
}

fn all_namespaces(sim: &Sim) -> Vec<(String, BTreeMap<String, String>)> {
    sim.store
        .list(Kind::Namespace, None)
        .iter()
        .map(|o| {
            (
                o.name().to_string(),
                o.meta().labels.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn needs_namespaces(pod: &Pod) -> bool {
    let a = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    let Some(a) = a else { return false };
    let pa = a.pod_affinity.iter().flat_map(|p| {
        p.required_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .chain(
                p.preferred_during_scheduling_ignored_during_execution
                    .iter()
                    .flatten()
                    .map(|w| &w.pod_affinity_term),
            )
    });
    let paa = a.pod_anti_affinity.iter().flat_map(|p| {
        p.required_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .chain(
                p.preferred_during_scheduling_ignored_during_execution
                    .iter()
                    .flatten()
                    .map(|w| &w.pod_affinity_term),
            )
    });
    pa.chain(paa).any(|t| t.namespace_selector.is_some())
}

/// The labels of the incoming pod's namespace, for existing pods' `namespaceSelector`s.
fn own_namespace(sim: &Sim, pod: &Pod) -> Vec<(String, BTreeMap<String, String>)> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = sim
        .store
        .get(&super::super::store::ObjKey::new(Kind::Namespace, "", &ns))
        .and_then(|o| o.meta().labels.clone())
        .unwrap_or_default();
    vec![(ns, labels)]
}

type Pairs = BTreeMap<(String, String), i64>;

/// PreFilter state (`preFilterState`): counts per topology pair.
#[derive(Debug, Default)]
pub(crate) struct FilterState {
    affinity: Vec<Term>,
    anti: Vec<Term>,
    /// Pods matching every required affinity term, per (topologyKey, value).
    affinity_counts: Pairs,
    /// Pods matching a required anti-affinity term, per (topologyKey, value).
    anti_counts: Pairs,
    /// Existing pods whose required anti-affinity matches the incoming pod, per (topologyKey, value).
    existing_anti: Pairs,
    /// The pod matches its own required affinity terms (the first pod of a group may go anywhere).
    self_match: bool,
}

fn add_pairs(out: &mut Pairs, per_node: &super::NodeCounts, nodes: &Nodes, keys: &[&str]) {
    for (name, (all, _)) in per_node {
        for key in keys {
            if let Some(v) = nodes.label(name, key) {
                *out.entry((key.to_string(), v.to_string())).or_insert(0) += all;
            }
        }
    }
}

pub(crate) fn prefilter(sim: &mut Sim, pod: &Pod, nodes: &Nodes) -> Option<FilterState> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod_labels(pod).clone();
    let own_ns = own_namespace(sim, pod);
    let mut st = FilterState::default();
    // Existing pods' required anti-affinity against this pod.
    for (other, node) in pods_with_affinity(sim) {
        let Some(other) = other.as_pod() else {
            continue;
        };
        let [_, anti, _, _] = terms(other, &own_ns);
        for t in anti.iter().filter(|t| t.matches(&ns, &labels)) {
            if let Some(v) = nodes.label(&node, &t.key) {
                *st.existing_anti
                    .entry((t.key.clone(), v.to_string()))
                    .or_insert(0) += 1;
            }
        }
    }
    let namespaces = if needs_namespaces(pod) {
        all_namespaces(sim)
    } else {
        Vec::new()
    };
    let [affinity, anti, _, _] = terms(pod, &namespaces);
    if !affinity.is_empty() {
        let m = Matcher {
            parts: affinity
                .iter()
                .map(|t| (t.ns.clone(), t.selector.clone()))
                .collect(),
        };
        let per_node = counts(sim, &m);
        let keys: Vec<&str> = affinity.iter().map(|t| t.key.as_str()).collect();
        add_pairs(&mut st.affinity_counts, &per_node, nodes, &keys);
        st.affinity_counts.retain(|_, c| *c > 0);
        st.self_match = affinity.iter().all(|t| t.matches(&ns, &labels));
    }
    for t in &anti {
        let per_node = counts(sim, &t.matcher());
        add_pairs(&mut st.anti_counts, &per_node, nodes, &[t.key.as_str()]);
    }
    st.affinity = affinity;
    st.anti = anti;
    if st.affinity.is_empty() && st.anti.is_empty() && st.existing_anti.is_empty() {
        return None;
    }
    Some(st)
}

impl FilterState {
    pub(crate) fn filter(&self, node: &Node) -> Option<Failure> {
        let labels = node_labels(node);
        // satisfyPodAffinity
        let mut pods_exist = true;
        for t in &self.affinity {
            let Some(v) = labels.get(&t.key) else {
                return Failure::unresolvable(AFFINITY);
            };
            if self
                .affinity_counts
                .get(&(t.key.clone(), v.clone()))
                .copied()
                .unwrap_or(0)
                <= 0
            {
                pods_exist = false;
            }
        }
        if !(pods_exist || self.affinity_counts.is_empty() && self.self_match) {
            return Failure::unresolvable(AFFINITY);
        }
        // satisfyPodAntiAffinity
        for t in &self.anti {
            if let Some(v) = labels.get(&t.key) {
                if self
                    .anti_counts
                    .get(&(t.key.clone(), v.clone()))
                    .copied()
                    .unwrap_or(0)
                    > 0
                {
                    return Failure::resolvable(ANTI_AFFINITY);
                }
            }
        }
        // satisfyExistingPodsAntiAffinity
        if self
            .existing_anti
            .iter()
            .any(|((k, v), c)| *c > 0 && labels.get(k) == Some(v))
        {
            return Failure::resolvable(EXISTING_ANTI_AFFINITY);
        }
        None
    }
}

/// PreScore + Score + NormalizeScore: sums term weights per topology pair, then scales the
/// feasible nodes' sums onto 0..100 between their minimum and maximum.
pub(crate) fn score(
    sim: &mut Sim,
    pod: &Pod,
    feasible: &[&Node],
    nodes: &Nodes,
    totals: &mut [i64],
) {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod_labels(pod).clone();
    let mut topo: Pairs = BTreeMap::new();
    let namespaces = if needs_namespaces(pod) {
        all_namespaces(sim)
    } else {
        Vec::new()
    };
    let [_, _, pref, pref_anti] = terms(pod, &namespaces);
    for (list, sign) in [(&pref, 1), (&pref_anti, -1)] {
        for t in list {
            let per_node = counts(sim, &t.matcher());
            for (name, (all, _)) in &per_node {
                if nodes.get(name).is_some_and(|n| !node_labels(n).is_empty()) {
                    if let Some(v) = nodes.label(name, &t.key) {
                        *topo.entry((t.key.clone(), v.to_string())).or_insert(0) +=
                            sign * t.weight * all;
                    }
                }
            }
        }
    }
    let own_ns = own_namespace(sim, pod);
    for (other, node) in pods_with_affinity(sim) {
        let Some(other) = other.as_pod() else {
            continue;
        };
        if nodes.get(&node).is_none_or(|n| node_labels(n).is_empty()) {
            continue;
        }
        let [req, _, p, pa] = terms(other, &own_ns);
        let weighted = req
            .iter()
            .map(|t| (t, HARD_POD_AFFINITY_WEIGHT))
            .chain(p.iter().map(|t| (t, t.weight)))
            .chain(pa.iter().map(|t| (t, -t.weight)));
        for (t, w) in weighted {
            if t.matches(&ns, &labels) {
                if let Some(v) = nodes.label(&node, &t.key) {
                    *topo.entry((t.key.clone(), v.to_string())).or_insert(0) += w;
                }
            }
        }
    }
    if topo.is_empty() {
        return;
    }
    let raw: Vec<i64> = feasible
        .iter()
        .map(|n| {
            let l = node_labels(n);
            topo.iter()
                .filter(|((k, v), _)| l.get(k) == Some(v))
                .map(|(_, s)| *s)
                .sum()
        })
        .collect();
    for (t, s) in totals.iter_mut().zip(normalize(&raw)) {
        *t += WEIGHT * s;
    }
}

/// `NormalizeScore`: (score - min) / (max - min) * 100, all 0 when equal.
pub(crate) fn normalize(raw: &[i64]) -> Vec<i64> {
    let min = raw.iter().copied().min().unwrap_or(0);
    let max = raw.iter().copied().max().unwrap_or(0);
    let diff = max - min;
    raw.iter()
        .map(|s| {
            if diff > 0 {
                (super::score::MAX_NODE_SCORE as f64 * ((s - min) as f64 / diff as f64)) as i64
            } else {
                0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(labels: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            ..Default::default()
        }
    }
    fn t(key: &str) -> Term {
        Term {
            ns: NsSet::one("default"),
            selector: Selector::everything(),
            key: key.into(),
            weight: 0,
        }
    }
    fn pairs(p: &[(&str, &str, i64)]) -> Pairs {
        p.iter()
            .map(|(k, v, c)| ((k.to_string(), v.to_string()), *c))
            .collect()
    }
    const H: &str = "kubernetes.io/hostname";

    #[test]
    fn anti_affinity_rejects_a_domain_with_a_match() {
        let st = FilterState {
            anti: vec![t(H)],
            anti_counts: pairs(&[(H, "w1", 1)]),
            ..Default::default()
        };
        assert_eq!(
            st.filter(&node(&[(H, "w1")]))
                .map(|f| (f.reasons[0].clone(), f.resolvable)),
            Some((ANTI_AFFINITY.into(), true))
        );
        assert_eq!(st.filter(&node(&[(H, "w2")])), None);
        // A node without the topology label is no domain of the term: it passes.
        assert_eq!(st.filter(&node(&[])), None);
    }

    #[test]
    fn affinity_needs_a_match_in_the_domain_or_is_the_first_of_its_group() {
        let st = FilterState {
            affinity: vec![t(H)],
            affinity_counts: pairs(&[(H, "w1", 2)]),
            self_match: true,
            ..Default::default()
        };
        assert_eq!(st.filter(&node(&[(H, "w1")])), None);
        assert_eq!(
            st.filter(&node(&[(H, "w2")]))
                .map(|f| (f.reasons[0].clone(), f.resolvable)),
            Some((AFFINITY.into(), false))
        );
        assert!(
            st.filter(&node(&[])).is_some(),
            "the topology label is required"
        );
        let first = FilterState {
            affinity: vec![t(H)],
            self_match: true,
            ..Default::default()
        };
        assert_eq!(first.filter(&node(&[(H, "w2")])), None);
        let stranger = FilterState {
            affinity: vec![t(H)],
            self_match: false,
            ..Default::default()
        };
        assert!(stranger.filter(&node(&[(H, "w2")])).is_some());
    }

    #[test]
    fn existing_pods_anti_affinity() {
        let st = FilterState {
            existing_anti: pairs(&[("topology.kubernetes.io/zone", "a", 1)]),
            ..Default::default()
        };
        let f = st.filter(&node(&[("topology.kubernetes.io/zone", "a")]));
        assert_eq!(
            f.map(|f| f.reasons[0].clone()),
            Some(EXISTING_ANTI_AFFINITY.to_string())
        );
        assert_eq!(
            st.filter(&node(&[("topology.kubernetes.io/zone", "b")])),
            None
        );
    }

    #[test]
    fn normalize_between_min_and_max() {
        assert_eq!(normalize(&[-5, 0, 5]), vec![0, 50, 100]);
        assert_eq!(normalize(&[3, 3]), vec![0, 0]);
    }

    #[test]
    fn term_namespaces() {
        let mut pod = Pod::default();
        pod.metadata.namespace = Some("team".into());
        let plain = PodAffinityTerm {
            topology_key: H.into(),
            label_selector: Some(LabelSelector::default()),
            ..Default::default()
        };
        let r = term(&plain, &pod, 0, &[]);
        assert!(r.ns.contains("team") && !r.ns.contains("default"));
        assert!(r.selector.is_empty(), "an empty selector matches every pod");
        let all = PodAffinityTerm {
            namespace_selector: Some(LabelSelector::default()),
            ..plain.clone()
        };
        assert!(term(&all, &pod, 0, &[]).ns.all);
        let sel = PodAffinityTerm {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(
                    [("env".to_string(), "prod".to_string())]
                        .into_iter()
                        .collect(),
                ),
                ..Default::default()
            }),
            ..plain.clone()
        };
        let nss = vec![
            (
                "a".to_string(),
                [("env".to_string(), "prod".to_string())]
                    .into_iter()
                    .collect(),
            ),
            ("b".to_string(), BTreeMap::new()),
        ];
        let r = term(&sel, &pod, 0, &nss);
        assert!(r.ns.contains("a") && !r.ns.contains("b") && !r.ns.contains("team"));
        let nil = PodAffinityTerm {
            label_selector: None,
            ..plain
        };
        assert!(
            term(&nil, &pod, 0, &[]).selector.is_nothing(),
            "a nil selector matches no pod"
        );
    }
}
