//! The plain `backward` runs `backward_in` in a workspace it keeps for the thread: whatever that
//! workspace held before (a larger batch, a smaller one, a failed call, another network's turn),
//! the cost and gradients are those of `backward_in` in a fresh workspace, bit for bit, on one
//! thread or several at once.

#![allow(clippy::unwrap_used)]

use backprop::ndarray::{Array2, ArrayView2, Axis};
use backprop::prelude::*;
use backprop::{Error, Gradients, Network};

network! {
    /// Its products take the matrix-multiply routine, and its 17 098 gradients are more than
    /// `backward` copies out of its workspace: it swaps them for zeros.
    #[derive(Clone)]
    struct Wide<f32> { input: 256, hidden: 64 => Relu, out: 10, cost: SoftmaxCrossEntropy }
}
network! {
    /// Its products take the fixed-size loops; `backward` copies its gradients.
    struct Tiny<f32> { input: 4, hidden: 16 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}
network! {
    struct Regression<f64> { input: 64, hidden: 32 => Sigmoid, out: 10 => Softplus, cost: Mse }
}

/// `n` samples of `width` values in [0, 1), shifted by `seed`.
fn batch(n: usize, width: usize, seed: usize) -> Array2<f32> {
    Array2::from_shape_fn((n, width), |(i, j)| ((i * 37 + j * 11 + seed * 5) % 101) as f32 / 101.0)
}

/// The cost's bits and every gradient's, layer by layer.
fn bits<F: backprop::Float, G: Gradients<F>>(cost: F, gradients: &G) -> Vec<u64> {
    let mut out = vec![backprop::Float::to_f64(cost).to_bits()];
    gradients.visit(&mut |g| {
        out.extend(g.weight.iter().chain(g.bias.iter()).map(|&v| backprop::Float::to_f64(v).to_bits()));
    });
    out
}

/// `backward`, and `backward_in` in a workspace made for the call.
fn both<'a, F: backprop::Float, N: Network<F>>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: impl Into<backprop::Targets<'a, F>> + Copy,
) -> (Vec<u64>, Vec<u64>) {
    let (cost, gradients) = net.backward(x, y).unwrap();
    let mut fresh = N::workspace();
    let expected = net.backward_in(x, y, &mut fresh).unwrap();
    (bits(cost, &gradients), bits(expected, fresh.gradients()))
}

/// One thread's calls: batches that grow and shrink, the three networks taking turns.
fn calls(seed: usize) {
    let (wide, tiny, regression) = (Wide::with_seed(1), Tiny::with_seed(2), Regression::with_seed(3));
    let labels: Vec<usize> = (0..70).map(|i| (i * 7 + seed) % 10).collect();
    let classes: Vec<usize> = labels.iter().map(|l| l % 3).collect();
    for (k, n) in [5, 64, 3, 64, 1, 17, 70, 2].into_iter().enumerate() {
        let x = batch(n, 256, seed + k);
        let (got, expected) = both(&wide, x.view(), &labels[..n]);
        assert_eq!(got, expected, "Wide, batch {n}, thread {seed}");
        if k % 2 == 0 {
            let x = batch(n, 4, seed + k);
            let (got, expected) = both(&tiny, x.view(), &classes[..n]);
            assert_eq!(got, expected, "Tiny, batch {n}, thread {seed}");
        }
        if k % 3 == 0 {
            let x = batch(n, 64, seed + k).mapv(f64::from);
            let y = batch(n, 10, seed).mapv(f64::from);
            let (got, expected) = both(&regression, x.view(), &y);
            assert_eq!(got, expected, "Regression, batch {n}, thread {seed}");
        }
    }
}

#[test]
fn backward_gives_the_bits_of_a_fresh_workspace() {
    calls(0);
}

#[test]
fn backward_on_four_threads_at_once_gives_the_bits_of_a_fresh_workspace() {
    std::thread::scope(|s| {
        for seed in 1..=4 {
            s.spawn(move || calls(seed));
        }
    });
}

/// A call that fails leaves the kept workspace as it found it or half written; either way the
/// next call's result is that of a fresh workspace.
#[test]
fn backward_after_a_failed_call_gives_the_bits_of_a_fresh_workspace() {
    let net = Wide::with_seed(4);
    let labels: Vec<usize> = (0..32).map(|i| i % 10).collect();
    let x = batch(32, 256, 0);
    let mut nan = x.clone();
    nan[[20, 3]] = f32::NAN;
    assert!(matches!(net.backward(nan.view(), &labels), Err(Error::NonFinite { .. })));
    let (got, expected) = both(&net, x.view(), &labels[..]);
    assert_eq!(got, expected, "after a NaN input");

    let mut bad = labels.clone();
    bad[31] = 10;
    assert!(net.backward(x.view(), &bad).is_err());
    let (got, expected) = both(&net, x.view(), &labels[..]);
    assert_eq!(got, expected, "after a label out of range");

    assert!(net.backward(batch(32, 255, 0).view(), &labels).is_err());
    let small = x.slice_axis(Axis(0), (..7).into());
    let (got, expected) = both(&net, small, &labels[..7]);
    assert_eq!(got, expected, "after an input of the wrong width");

    let mut huge = net.clone();
    huge.hidden.weight.fill(f32::MAX);
    assert!(huge.backward(x.view(), &labels).is_err());
    let (got, expected) = both(&net, x.view(), &labels[..]);
    assert_eq!(got, expected, "after an overflow");
}

/// σ(z) = z, whose derivative runs another network's `backward` first: a `backward` inside a
/// `backward` on the same thread, which must not take the outer call's workspace.
#[derive(Clone, Copy, Debug, Default)]
struct Nested;

impl backprop::Activation<f32> for Nested {
    fn apply(&self, z: f32) -> f32 {
        z
    }

    fn derivative(&self, _z: f32) -> f32 {
        let tiny = Tiny::with_seed(9);
        let inner = tiny.backward(batch(3, 4, 1).view(), &[0, 1, 2][..]);
        if inner.is_ok() { 1.0 } else { f32::NAN }
    }
}

network! {
    struct Outer<f32> { input: 4, hidden: 8 => Nested, out: 3, cost: SoftmaxCrossEntropy }
}

#[test]
fn backward_inside_backward_gives_the_bits_of_a_fresh_workspace() {
    let net = Outer::with_seed(10);
    for n in [5, 2, 9] {
        let x = batch(n, 4, n);
        let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let (got, expected) = both(&net, x.view(), &labels[..]);
        assert_eq!(got, expected, "batch {n}");
        // The inner network's own calls still give its fresh bits after the outer ones.
        let (got, expected) = both(&Tiny::with_seed(9), x.view(), &labels[..]);
        assert_eq!(got, expected, "Tiny after Outer, batch {n}");
    }
}

/// Runs `backward` when the thread's storage is torn down, before or after the kept workspace.
struct BackwardOnExit;

impl Drop for BackwardOnExit {
    fn drop(&mut self) {
        let x = batch(4, 4, 0);
        let (got, expected) = both(&Tiny::with_seed(11), x.view(), &[0, 1, 2, 0][..]);
        assert_eq!(got, expected, "backward in a thread-local destructor");
    }
}

thread_local! {
    static ON_EXIT: std::cell::RefCell<Option<BackwardOnExit>> = const { std::cell::RefCell::new(None) };
}

/// The thread-local slot of the kept workspace may be gone when another thread-local's
/// destructor calls `backward`: the call then works in a workspace of its own, without a panic.
#[test]
fn backward_in_a_thread_local_destructor_works() {
    for kept_first in [false, true] {
        std::thread::spawn(move || {
            let x = batch(2, 4, 0);
            if kept_first {
                Tiny::with_seed(12).backward(x.view(), &[1, 2][..]).unwrap();
            }
            ON_EXIT.with(|slot| *slot.borrow_mut() = Some(BackwardOnExit));
            if !kept_first {
                Tiny::with_seed(12).backward(x.view(), &[1, 2][..]).unwrap();
            }
        })
        .join()
        .unwrap();
    }
}
