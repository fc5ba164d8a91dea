//! The library's one source of randomness: a seeded generator whose stream is the same on
//! every platform, and the one shuffle every part of the library draws its orders with (the
//! initial weights of `with_seed`, the train/validation split, the trainer's batches).

use rand_core::{RngCore, SeedableRng};

/// The random number generator of the library: ChaCha8 (D. J. Bernstein, "ChaCha, a variant of
/// Salsa20", 2008, with 8 rounds), whose stream for a seed is the same on every platform.
pub type Rng = rand_chacha::ChaCha8Rng;

/// The generator `with_seed` draws initial weights from, the split draws its order from and
/// the trainer shuffles with: [`Rng`] seeded with `seed`.
pub fn seeded_rng(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Shuffles `items` in place with the Fisher–Yates shuffle (Knuth, *The Art of Computer
/// Programming*, vol. 2, §3.4.2, algorithm P): for i from the last index down to 1, swap item i
/// with an item drawn uniformly from 0..=i by `below`. Every order is equally likely, and with
/// a seeded generator such as [`seeded_rng`] the order is the same on every machine.
pub fn shuffle<T, R: RngCore + ?Sized>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// A uniform integer in `0..n` (n ≥ 1; 0 for n = 0): Lemire's multiply-and-reject, "Fast Random
/// Integer Generation in an Interval", ACM TOMACS 29(1), 2019. One multiplication per draw, and
/// a draw is rejected with probability below n / 2^64, so every value has the same probability.
fn below<R: RngCore + ?Sized>(rng: &mut R, n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffles_are_permutations_and_uniform_enough() {
        let mut rng = seeded_rng(3);
        let mut counts = [[0usize; 4]; 4];
        for _ in 0..4000 {
            let mut order = [0, 1, 2, 3];
            shuffle(&mut order, &mut rng);
            let mut sorted = order;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
            for (position, &v) in order.iter().enumerate() {
                counts[position][v] += 1;
            }
        }
        // Each value lands in each position about 1000 times (binomial, σ ≈ 27).
        assert!(counts.iter().flatten().all(|&c| (850..1150).contains(&c)), "{counts:?}");
    }

    #[test]
    fn below_stays_below() {
        let mut rng = seeded_rng(5);
        for n in [1, 2, 3, 7, 1000, u64::MAX] {
            assert!((0..100).all(|_| below(&mut rng, n) < n));
        }
        assert_eq!(below(&mut rng, 0), 0);
    }

    /// The order for a seed, computed independently (in Python, from the ChaCha8 block function
    /// and rand_core's seeding; see `permutation_is_pinned_for_a_seed` in `tests/data.rs`): a
    /// change of generator or of the draw changes every seeded result of the library.
    #[test]
    fn the_order_for_a_seed_is_pinned() {
        let mut order: Vec<usize> = (0..10).collect();
        shuffle(&mut order, &mut seeded_rng(42));
        assert_eq!(order, [9, 7, 2, 5, 0, 1, 4, 3, 8, 6]);
    }
}
