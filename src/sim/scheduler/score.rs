//! The per-node score plugins: TaintToleration (fewer untolerated PreferNoSchedule taints, weight 3),
//! NodeAffinity (preferred terms, weight 2) and ImageLocality (images already on the node,
//! weight 1). Each gives 0..100 after its normalisation, as `DefaultNormalizeScore` does.

use k8s_openapi::api::core::v1::{Node, Pod, Toleration};

use super::super::controllers::daemonset::{term_matches, tolerates};
use super::super::images;
use super::super::Sim;
use super::Nodes;

pub(crate) const MAX_NODE_SCORE: i64 = 100;
const TAINT_TOLERATION_WEIGHT: i64 = 3;
const NODE_AFFINITY_WEIGHT: i64 = 2;
const IMAGE_LOCALITY_WEIGHT: i64 = 1;

/// `helper.DefaultNormalizeScore`: scale to 0..100 by the maximum (reversed: fewer is better).
pub(crate) fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        *s = MAX_NODE_SCORE * *s / max;
        if reverse {
            *s = MAX_NODE_SCORE - *s;
        }
    }
}

/// TaintToleration score: the node's PreferNoSchedule taints that the pod's tolerations (those with
/// an empty or PreferNoSchedule effect) do not tolerate.
pub(crate) fn intolerable_prefer_no_schedule(pod: &Pod, node: &Node) -> i64 {
    let tols: Vec<Toleration> = pod
        .spec
        .iter()
        .flat_map(|s| s.tolerations.iter().flatten())
        .filter(|t| {
            t.effect
                .as_deref()
                .is_none_or(|e| e.is_empty() || e == "PreferNoSchedule")
        })
        .cloned()
        .collect();
    node.spec
        .iter()
        .flat_map(|s| s.taints.iter().flatten())
        .filter(|t| {
            t.effect == "PreferNoSchedule"
                && !tolerates(&tols, &t.key, t.value.as_deref(), &t.effect)
        })
        .count() as i64
}

/// NodeAffinity score: the summed weights of the preferred terms the node matches.
pub(crate) fn preferred_affinity(pod: &Pod, node: &Node) -> i64 {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| {
            n.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .filter(|t| t.weight != 0 && term_matches(&t.preference, node))
        .map(|t| t.weight as i64)
        .sum()
}

const MB: i64 = 1024 * 1024;
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// ImageLocality: the sizes of the pod's images present on the node, each scaled by the share of
/// nodes that have it (so an image everywhere does not pull pods together), mapped from
/// 23 MB..1000 MB per container onto 0..100 (`calculatePriority`).
pub(crate) fn image_locality(sum: i64, containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * containers.max(1) as i64;
    let s = sum.clamp(MIN_THRESHOLD, max);
    MAX_NODE_SCORE * (s - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

/// Adds the weighted TaintToleration, NodeAffinity and ImageLocality scores of the feasible nodes.
pub(super) fn add(sim: &Sim, pod: &Pod, feasible: &[&Node], all: &Nodes, totals: &mut [i64]) {
    let mut taints: Vec<i64> = feasible
        .iter()
        .map(|n| intolerable_prefer_no_schedule(pod, n))
        .collect();
    default_normalize(&mut taints, true);
    let mut affinity: Vec<i64> = feasible
        .iter()
        .map(|n| preferred_affinity(pod, n))
        .collect();
    default_normalize(&mut affinity, false);
    // ImageLocality: which nodes hold each image (the kubelets' image stores stand in for node.status.images).
    let spec = pod.spec.as_ref();
    let imgs: Vec<&str> = spec
        .into_iter()
        .flat_map(|s| {
            s.init_containers
                .iter()
                .flatten()
                .chain(s.containers.iter())
        })
        .filter_map(|c| c.image.as_deref())
        .collect();
    let total_nodes = all.list.len().max(1) as f64;
    // Per image: its size and the nodes holding it (one look per kubelet per image).
    let per_image: Vec<(i64, std::collections::BTreeSet<&str>)> = imgs
        .iter()
        .map(|i| {
            let size = images::lookup(i).map_or(0, |info| info.size as i64);
            let holders = sim
                .kubelets
                .iter()
                .filter(|(_, k)| k.has_image(i))
                .map(|(n, _)| n.as_str())
                .collect();
            (size, holders)
        })
        .collect();
    for (j, n) in feasible.iter().enumerate() {
        let name = n.metadata.name.as_deref().unwrap_or("");
        let sum: i64 = per_image
            .iter()
            .filter(|(_, holders)| holders.contains(name))
            .map(|(size, holders)| (*size as f64 * (holders.len() as f64 / total_nodes)) as i64)
            .sum();
        let image = image_locality(sum, imgs.len());
        if let Some(t) = totals.get_mut(j) {
            *t += TAINT_TOLERATION_WEIGHT * taints[j]
                + NODE_AFFINITY_WEIGHT * affinity[j]
                + IMAGE_LOCALITY_WEIGHT * image;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Affinity, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, NodeSpec, PodSpec,
        PreferredSchedulingTerm, Taint,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(labels: &[(&str, &str)], taints: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n".into()),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                taints: Some(
                    taints
                        .iter()
                        .map(|(k, e)| Taint {
                            key: k.to_string(),
                            effect: e.to_string(),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn normalize_like_default_normalize_score() {
        let mut s = vec![0, 1, 2];
        default_normalize(&mut s, true);
        assert_eq!(s, vec![100, 50, 0]);
        let mut s = vec![0, 0];
        default_normalize(&mut s, true);
        assert_eq!(s, vec![100, 100]);
        let mut s = vec![0, 0];
        default_normalize(&mut s, false);
        assert_eq!(s, vec![0, 0]);
        let mut s = vec![10, 30];
        default_normalize(&mut s, false);
        assert_eq!(s, vec![33, 100]);
    }

    #[test]
    fn prefer_no_schedule_taints_count_unless_tolerated() {
        let n = node(
            &[],
            &[
                ("a", "PreferNoSchedule"),
                ("b", "PreferNoSchedule"),
                ("c", "NoSchedule"),
            ],
        );
        let mut pod = Pod::default();
        assert_eq!(intolerable_prefer_no_schedule(&pod, &n), 2);
        pod.spec = Some(PodSpec {
            tolerations: Some(vec![Toleration {
                key: Some("a".into()),
                operator: Some("Exists".into()),
                ..Default::default()
            }]),
            ..Default::default()
        });
        assert_eq!(intolerable_prefer_no_schedule(&pod, &n), 1);
    }

    #[test]
    fn preferred_terms_sum_their_weights() {
        let term = |w: i32, k: &str, v: &str| PreferredSchedulingTerm {
            weight: w,
            preference: NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: k.into(),
                    operator: "In".into(),
                    values: Some(vec![v.into()]),
                }]),
                match_fields: None,
            },
        };
        let pod = Pod {
            spec: Some(PodSpec {
                affinity: Some(Affinity {
                    node_affinity: Some(NodeAffinity {
                        preferred_during_scheduling_ignored_during_execution: Some(vec![
                            term(80, "disk", "ssd"),
                            term(20, "zone", "a"),
                        ]),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            preferred_affinity(&pod, &node(&[("disk", "ssd"), ("zone", "a")], &[])),
            100
        );
        assert_eq!(preferred_affinity(&pod, &node(&[("zone", "a")], &[])), 20);
        assert_eq!(preferred_affinity(&pod, &node(&[], &[])), 0);
    }

    #[test]
    fn image_locality_thresholds() {
        assert_eq!(image_locality(0, 1), 0);
        assert_eq!(image_locality(23 * MB, 1), 0);
        assert_eq!(image_locality(1000 * MB, 1), 100);
        assert_eq!(image_locality(5000 * MB, 1), 100);
        assert_eq!(image_locality(511 * MB + MB / 2, 1), 50);
    }
}
