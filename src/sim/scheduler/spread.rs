//! PodTopologySpread: `topologySpreadConstraints` (maxSkew, topologyKey, whenUnsatisfiable,
//! labelSelector with matchLabelKeys, minDomains, nodeAffinityPolicy/nodeTaintsPolicy), as a filter
//! (DoNotSchedule) and a score (ScheduleAnyway), plus the system default spreading that a pod of a
//! Service, ReplicaSet or StatefulSet gets when it has no constraints of its own: ScheduleAnyway on
//! `kubernetes.io/hostname` (maxSkew 3) and `topology.kubernetes.io/zone` (maxSkew 5).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, TopologySpreadConstraint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use super::super::controllers::daemonset::{node_affinity_matches, tolerates};
use super::super::labels::Selector;
use super::super::object::Kind;
use super::super::Sim;
use super::{counts, node_labels, pod_labels, Failure, Matcher, Nodes, NsSet};

pub(crate) const HOSTNAME: &str = "kubernetes.io/hostname";
pub(crate) const ZONE: &str = "topology.kubernetes.io/zone";
const WEIGHT: i64 = 2;
pub(crate) const NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
pub(crate) const MISSING_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

#[derive(Clone, Debug)]
pub(crate) struct Constraint {
    pub max_skew: i64,
    pub key: String,
    pub selector: Selector,
    pub min_domains: Option<i64>,
    pub honor_affinity: bool,
    pub honor_taints: bool,
}

/// `filterTopologySpreadConstraints`: the pod's constraints with this `whenUnsatisfiable`, their
/// selectors extended by `matchLabelKeys` (`key in (the pod's value)`).
pub(crate) fn constraints(pod: &Pod, action: &str) -> Vec<Constraint> {
    let list: &[TopologySpreadConstraint] = pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_deref())
        .unwrap_or(&[]);
    list.iter()
        .filter(|c| c.when_unsatisfiable == action)
        .map(|c| {
            let mut ls: Option<LabelSelector> = c.label_selector.clone();
            if let Some(ls) = ls.as_mut() {
                for k in c.match_label_keys.iter().flatten() {
                    if let Some(v) = pod_labels(pod).get(k) {
                        ls.match_expressions.get_or_insert_with(Vec::new).push(
                            LabelSelectorRequirement {
                                key: k.clone(),
                                operator: "In".into(),
                                values: Some(vec![v.clone()]),
                            },
                        );
                    }
                }
            }
            Constraint {
                max_skew: c.max_skew as i64,
                key: c.topology_key.clone(),
                selector: Selector::from_label_selector(ls.as_ref())
                    .unwrap_or_else(|_| Selector::nothing()),
                min_domains: c.min_domains.map(i64::from),
                honor_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
                honor_taints: c.node_taints_policy.as_deref() == Some("Honor"),
            }
        })
        .collect()
}

/// `helper.DefaultSelector`: the selectors of the Services selecting the pod, plus its controller's
/// (ReplicaSet, StatefulSet, ReplicationController) selector. Everything if none.
fn default_selector(sim: &Sim, pod: &Pod) -> Selector {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let labels = pod_labels(pod);
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    for o in sim.store.list(Kind::Service, Some(ns)) {
        let Some(svc) = o.as_service() else { continue };
        let Some(sel) = svc
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        if sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            set.extend(sel.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let mut ls = LabelSelector {
        match_labels: Some(set),
        match_expressions: None,
    };
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true));
    if let Some(owner) = owner {
        let owner_sel = sim.store.get_by_uid(&owner.uid).and_then(|o| {
            match (owner.kind.as_str(), o.as_ref()) {
                ("ReplicaSet", super::super::object::Object::ReplicaSet(rs)) => {
                    rs.spec.as_ref().map(|s| s.selector.clone())
                }
                ("StatefulSet", super::super::object::Object::StatefulSet(ss)) => {
                    ss.spec.as_ref().map(|s| s.selector.clone())
                }
                _ => None,
            }
        });
        if let Some(os) = owner_sel {
            for (k, v) in os.match_labels.iter().flatten() {
                ls.match_expressions
                    .get_or_insert_with(Vec::new)
                    .push(LabelSelectorRequirement {
                        key: k.clone(),
                        operator: "In".into(),
                        values: Some(vec![v.clone()]),
                    });
            }
            ls.match_expressions
                .get_or_insert_with(Vec::new)
                .extend(os.match_expressions.iter().flatten().cloned());
        }
    }
    Selector::from_label_selector(Some(&ls)).unwrap_or_else(|_| Selector::nothing())
}

/// `buildDefaultConstraints`: the system defaults, if the pod has a default selector.
pub(crate) fn default_constraints(sim: &Sim, pod: &Pod) -> Vec<Constraint> {
    let sel = default_selector(sim, pod);
    if sel.is_empty() || sel.is_nothing() {
        return Vec::new();
    }
    [(HOSTNAME, 3), (ZONE, 5)]
        .into_iter()
        .map(|(key, max_skew)| Constraint {
            max_skew,
            key: key.into(),
            selector: sel.clone(),
            min_domains: None,
            honor_affinity: true,
            honor_taints: false,
        })
        .collect()
}

/// `matchNodeInclusionPolicies`: whether the node's domain counts for this constraint.
fn included(pod: &Pod, node: &Node, c: &Constraint) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return true;
    };
    let constrained = spec.node_selector.as_ref().is_some_and(|s| !s.is_empty())
        || spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref())
            .is_some_and(|n| {
                n.required_during_scheduling_ignored_during_execution
                    .is_some()
            });
    if c.honor_affinity && constrained && !node_affinity_matches(spec, node) {
        return false;
    }
    if c.honor_taints {
        let tols = spec.tolerations.clone().unwrap_or_default();
        let taints = node.spec.iter().flat_map(|s| s.taints.iter().flatten());
        for t in taints {
            if (t.effect == "NoSchedule" || t.effect == "NoExecute")
                && !tolerates(&tols, &t.key, t.value.as_deref(), &t.effect)
            {
                return false;
            }
        }
    }
    true
}

fn has_keys(node: &Node, cs: &[Constraint]) -> bool {
    cs.iter().all(|c| node_labels(node).contains_key(&c.key))
}

fn matcher(pod: &Pod, c: &Constraint) -> Matcher {
    Matcher::new(
        NsSet::one(pod.metadata.namespace.as_deref().unwrap_or("")),
        c.selector.clone(),
    )
}

/// PreFilter state: per DoNotSchedule constraint, matching pods per domain and the global minimum.
#[derive(Debug)]
pub(crate) struct FilterState {
    cons: Vec<(Constraint, BTreeMap<String, i64>, i64, i64)>,
}

pub(crate) fn prefilter(sim: &mut Sim, pod: &Pod, nodes: &Nodes) -> Option<FilterState> {
    let cs = constraints(pod, "DoNotSchedule");
    if cs.is_empty() {
        return None;
    }
    let mut cons = Vec::new();
    for c in cs {
        // Non-terminating matching pods per node, from the counters.
        let per_node = counts(sim, &matcher(pod, &c));
        let mut domains: BTreeMap<String, i64> = BTreeMap::new();
        for n in &nodes.list {
            if !has_keys(n, std::slice::from_ref(&c)) || !included(pod, n, &c) {
                continue;
            }
            let name = n.metadata.name.as_deref().unwrap_or("");
            let value = node_labels(n).get(&c.key).cloned().unwrap_or_default();
            let (all, term) = per_node.get(name).copied().unwrap_or((0, 0));
            *domains.entry(value).or_insert(0) += all - term;
        }
        let mut min = domains.values().copied().min().unwrap_or(i32::MAX as i64);
        if c.min_domains.is_some_and(|m| (domains.len() as i64) < m) {
            min = 0;
        }
        let self_match = i64::from(c.selector.matches(pod_labels(pod)));
        cons.push((c, domains, min, self_match));
    }
    Some(FilterState { cons })
}

impl FilterState {
    /// `matchNum + selfMatch - minMatchNum <= maxSkew` for every constraint.
    pub(crate) fn filter(&self, node: &Node) -> Option<Failure> {
        for (c, domains, min, self_match) in &self.cons {
            let Some(value) = node_labels(node).get(&c.key) else {
                return Failure::unresolvable(MISSING_LABEL);
            };
            let matched = domains.get(value).copied().unwrap_or(0);
            if matched + self_match - min > c.max_skew {
                return Failure::resolvable(NOT_MATCH);
            }
        }
        None
    }
}

/// PreScore, Score and NormalizeScore: nodes in crowded domains score lower.
pub(crate) fn score(sim: &mut Sim, pod: &Pod, feasible: &[&Node], all: &Nodes, totals: &mut [i64]) {
    let own = pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .is_some_and(|c| !c.is_empty());
    let cs = if own {
        constraints(pod, "ScheduleAnyway")
    } else {
        default_constraints(sim, pod)
    };
    if cs.is_empty() || feasible.is_empty() {
        return;
    }
    // Only the pod's own constraints require every topology label on a node.
    let require_all = own;
    let ignored: Vec<bool> = feasible
        .iter()
        .map(|n| require_all && !has_keys(n, &cs))
        .collect();
    let scored = ignored.iter().filter(|i| !**i).count();
    let mut pair_counts: BTreeMap<(usize, String), i64> = BTreeMap::new();
    let mut weights = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        let size = if c.key == HOSTNAME {
            scored
        } else {
            let values: BTreeSet<String> = feasible
                .iter()
                .zip(&ignored)
                .filter(|(_, ig)| !**ig)
                .map(|(n, _)| node_labels(n).get(&c.key).cloned().unwrap_or_default())
                .collect();
            for v in &values {
                pair_counts.insert((i, v.clone()), 0);
            }
            values.len()
        };
        weights.push(((size + 2) as f64).ln());
    }
    let per_node: Vec<_> = cs.iter().map(|c| counts(sim, &matcher(pod, c))).collect();
    let live = |i: usize, name: &str| per_node[i].get(name).map_or(0, |(a, t)| a - t);
    for n in &all.list {
        if require_all && !has_keys(n, &cs) {
            continue;
        }
        let name = n.metadata.name.as_deref().unwrap_or("");
        for (i, c) in cs.iter().enumerate() {
            if c.key == HOSTNAME || !included(pod, n, c) {
                continue;
            }
            let v = node_labels(n).get(&c.key).cloned().unwrap_or_default();
            if let Some(cnt) = pair_counts.get_mut(&(i, v)) {
                *cnt += live(i, name);
            }
        }
    }
    let raw: Vec<i64> = feasible
        .iter()
        .zip(&ignored)
        .map(|(n, ig)| {
            if *ig {
                return 0;
            }
            let name = n.metadata.name.as_deref().unwrap_or("");
            let mut s = 0.0;
            for (i, c) in cs.iter().enumerate() {
                let Some(v) = node_labels(n).get(&c.key) else {
                    continue;
                };
                let cnt = if c.key == HOSTNAME {
                    live(i, name)
                } else {
                    pair_counts.get(&(i, v.clone())).copied().unwrap_or(0)
                };
                s += cnt as f64 * weights[i] + (c.max_skew - 1) as f64;
            }
            s.round() as i64
        })
        .collect();
    let normalized = normalize(&raw, &ignored);
    for (t, s) in totals.iter_mut().zip(normalized) {
        *t += WEIGHT * s;
    }
}

/// `NormalizeScore`: fewer matching pods is better; ignored nodes get 0.
pub(crate) fn normalize(raw: &[i64], ignored: &[bool]) -> Vec<i64> {
    let live = raw
        .iter()
        .zip(ignored)
        .filter(|(_, ig)| !**ig)
        .map(|(s, _)| *s);
    let min = live.clone().min().unwrap_or(0);
    let max = live.max().unwrap_or(0);
    raw.iter()
        .zip(ignored)
        .map(|(s, ig)| {
            if *ig {
                0
            } else if max == 0 {
                super::score::MAX_NODE_SCORE
            } else {
                super::score::MAX_NODE_SCORE * (max + min - s) / max
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_prefers_emptier_domains() {
        assert_eq!(
            normalize(&[2, 4, 6], &[false, false, false]),
            vec![100, 66, 33]
        );
        assert_eq!(normalize(&[0, 0], &[false, false]), vec![100, 100]);
        assert_eq!(normalize(&[3, 9], &[false, true]), vec![100, 0]);
    }

    fn state(min: i64, domains: &[(&str, i64)], self_match: i64) -> FilterState {
        let c = Constraint {
            max_skew: 1,
            key: ZONE.into(),
            selector: Selector::everything(),
            min_domains: None,
            honor_affinity: true,
            honor_taints: false,
        };
        FilterState {
            cons: vec![(
                c,
                domains.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                min,
                self_match,
            )],
        }
    }

    fn node(zone: Option<&str>) -> Node {
        let mut n = Node::default();
        n.metadata.labels = Some(
            zone.into_iter()
                .map(|z| (ZONE.to_string(), z.to_string()))
                .collect(),
        );
        n
    }

    #[test]
    fn skew_filter() {
        let s = state(0, &[("a", 1), ("b", 0)], 1);
        assert_eq!(s.filter(&node(Some("b"))), None);
        assert_eq!(
            s.filter(&node(Some("a")))
                .map(|f| (f.reasons, f.resolvable)),
            Some((vec![NOT_MATCH.to_string()], true))
        );
        assert_eq!(s.filter(&node(None)).map(|f| f.resolvable), Some(false));
        // A pod that does not match its own selector does not add to the skew.
        assert_eq!(state(0, &[("a", 1)], 0).filter(&node(Some("a"))), None);
    }
}
