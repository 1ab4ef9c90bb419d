//! The discrete-event engine: a priority queue of tasks ordered by (virtual time, sequence).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::controllers::Ctrl;
use super::kubelet::KStep;

/// Something that happens at a virtual instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// A controller's worker drains its work queue.
    Controller(Ctrl),
    /// Puts a key back on a controller's queue later (requeue after a delay).
    Enqueue(Ctrl, super::store::ObjKey),
    /// The scheduler takes pods off its queue.
    Schedule,
    /// A kubelet step for one pod (by uid) on one node.
    Kubelet {
        node: String,
        uid: String,
        step: KStep,
    },
    /// An image pull on a node finished.
    ImagePulled { node: String, image: String },
    /// Node lifecycle, taint eviction, pod GC and the CCM's node and route controllers.
    NodeLife(super::nodelifecycle::NlTask),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    at: u64,
    seq: u64,
    task: Task,
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Debug, Default)]
pub struct Engine {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    /// Tasks popped so far: a position in the run that time travel replays to exactly.
    popped: u64,
}

impl Engine {
    pub fn push(&mut self, at: u64, task: Task) {
        self.seq += 1;
        self.heap.push(Reverse(Entry {
            at,
            seq: self.seq,
            task,
        }));
    }
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse(e)| e.at)
    }
    pub fn pop(&mut self) -> Option<(u64, Task)> {
        let e = self.heap.pop()?.0;
        self.popped += 1;
        Some((e.at, e.task))
    }
    /// How many tasks have been popped (run) since the engine was made.
    pub fn popped(&self) -> u64 {
        self.popped
    }
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_sequence() {
        let mut e = Engine::default();
        e.push(5, Task::Schedule);
        e.push(
            1,
            Task::ImagePulled {
                node: "a".into(),
                image: "x".into(),
            },
        );
        e.push(
            1,
            Task::ImagePulled {
                node: "b".into(),
                image: "x".into(),
            },
        );
        let order: Vec<_> = std::iter::from_fn(|| e.pop()).collect();
        assert_eq!(order[0].0, 1);
        assert!(matches!(&order[0].1, Task::ImagePulled { node, .. } if node == "a"));
        assert!(matches!(&order[1].1, Task::ImagePulled { node, .. } if node == "b"));
        assert_eq!(order[2], (5, Task::Schedule));
    }
}
