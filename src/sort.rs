//! One small stable sort for the whole crate, to keep the WebAssembly bundle small.
//!
//! `slice::sort_by` is monomorphised for every element type and comparison: quicksort, driftsort
//! and the small-sort networks come to 2–5 KB of wasm per call site, ~200 KB for the crate's
//! ~50 sorts (measured with `twiggy monos`, BENCHMARKS.md). Here the merge sort runs over indices
//! and is compiled once (the comparison is a `dyn FnMut`); only a thin wrapper and the swaps that
//! put the elements in order are generic. Stable, O(n log n), with a fast path for input that is
//! already sorted (the common case: nodes in registration order, names already ordered).

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp` (as `slice::sort_by`).
pub fn sort_by<T, F: FnMut(&T, &T) -> Ordering>(v: &mut [T], mut cmp: F) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let s: &[T] = v;
        stable_order(s.len(), &mut |a, b| cmp(&s[a], &s[b]))
    };
    if let Some(order) = order {
        apply(order, &mut |a, b| v.swap(a, b));
    }
}

/// Sorts `v` stably by the key `f` gives (as `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord, F: FnMut(&T) -> K>(v: &mut [T], mut f: F) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` stably in ascending order (as `slice::sort`).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, |a, b| a.cmp(b));
}

/// The stable order of `n` items: `order[i]` is the index of the item that belongs at `i`.
/// `None` when the items are already in order.
#[inline(never)]
fn stable_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Option<Vec<usize>> {
    if (1..n).all(|i| cmp(i - 1, i) != Ordering::Greater) {
        return None;
    }
    let mut a: Vec<usize> = (0..n).collect();
    let mut b: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                // Take from the right run only when strictly less: equal items keep their order.
                if cmp(a[j], a[i]) == Ordering::Less {
                    b[k] = a[j];
                    j += 1;
                } else {
                    b[k] = a[i];
                    i += 1;
                }
                k += 1;
            }
            b[k..k + (mid - i)].copy_from_slice(&a[i..mid]);
            k += mid - i;
            b[k..k + (hi - j)].copy_from_slice(&a[j..hi]);
            lo = hi;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    Some(a)
}

/// Puts the items in `order` (see `stable_order`) by following each cycle of the permutation.
#[inline(never)]
fn apply(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    const DONE: usize = usize::MAX;
    for i in 0..order.len() {
        let mut j = i;
        while order[j] != DONE {
            let k = order[j];
            order[j] = DONE;
            if k == i {
                break;
            }
            swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no OS randomness in tests either).
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn matches_std_stable_sort_on_many_inputs() {
        let mut seed = 7;
        for n in [0usize, 1, 2, 3, 5, 8, 13, 31, 64, 100, 257, 1000] {
            for range in [2u64, 10, 1000] {
                let v: Vec<(u64, usize)> = (0..n).map(|i| (lcg(&mut seed) % range, i)).collect();
                let mut ours = v.clone();
                sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
                let mut std = v.clone();
                std.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(ours, std, "n={n} range={range}");
            }
        }
    }

    #[test]
    fn sorted_reversed_and_keyed() {
        let mut v: Vec<i32> = (0..50).rev().collect();
        sort(&mut v);
        assert_eq!(v, (0..50).collect::<Vec<_>>());
        sort(&mut v);
        assert_eq!(v, (0..50).collect::<Vec<_>>());
        let mut w = vec!["ccc", "a", "bb", "dd", "e"];
        sort_by_key(&mut w, |s| s.len());
        assert_eq!(w, vec!["a", "e", "bb", "dd", "ccc"]);
    }
}
