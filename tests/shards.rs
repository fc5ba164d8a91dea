//! Data parallelism inside one machine (`Shards`): the same weights, bit for bit, whatever the
//! number of threads, given the shard size; the same gradients as one unsharded pass up to
//! rounding; errors that name the sample of the whole batch and change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use backprop::ndarray::Array2;
use backprop::parallel::Shards;
use backprop::prelude::*;
use backprop::{Error, Network};

network! {
    /// Big enough that its products take the matrix-multiply kernel.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Net<f32> { input: 64, hidden: 48 => Relu, out: 10, cost: SoftmaxCrossEntropy }
}

network! {
    /// The same in f64, to compare with the unsharded pass closely.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Net64<f64> { input: 64, hidden: 48 => Tanh, out: 10, cost: SoftmaxCrossEntropy }
}

/// A batch of `n` samples, values in [0, 1), and labels.
fn batch(n: usize) -> (Array2<f32>, Vec<usize>) {
    let x = Array2::from_shape_fn((n, 64), |(i, j)| ((i * 37 + j * 11) % 101) as f32 / 101.0);
    (x, (0..n).map(|i| (i * 7) % 10).collect())
}

/// The bits of every parameter of `net`.
fn bits<N: Network<f32>>(net: &N) -> Vec<u32> {
    let mut bits = Vec::new();
    net.visit_parameters(&mut |p| bits.extend(p.weight.iter().chain(p.bias.iter()).map(|v| v.to_bits())));
    bits
}

/// Ten steps of SGD with momentum, then ten of Adam, on batches of 100 in shards of 32 (the
/// last one 4 samples), on a pool of `threads` threads.
fn train(threads: usize) -> (Vec<u32>, Vec<u32>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let (x, labels) = batch(100);
        let mut net = Net::with_seed(1);
        let mut shards = Shards::new::<Net>(32).unwrap();
        let mut sgd = Sgd::new(0.05).unwrap().with_momentum(0.9).unwrap();
        let mut costs = Vec::new();
        for _ in 0..10 {
            costs.push(shards.train_step(&mut net, x.view(), &labels, &mut sgd).unwrap().to_bits());
        }
        let mut adam = Adam::new(1e-3).unwrap();
        for _ in 0..10 {
            costs.push(shards.train_step(&mut net, x.view(), &labels, &mut adam).unwrap().to_bits());
        }
        (bits(&net), costs)
    })
}

#[test]
fn the_weights_are_the_same_bits_on_one_two_and_eight_threads() {
    let one = train(1);
    assert_eq!(train(2), one, "2 threads");
    assert_eq!(train(8), one, "8 threads");
    // And training moved the weights: the comparison is not between untouched networks.
    assert_ne!(one.0, bits(&Net::with_seed(1)));
}

#[test]
fn sharded_gradients_are_those_of_one_pass_up_to_rounding() {
    let (x, labels) = batch(100);
    let x = x.mapv(f64::from);
    let net = Net64::with_seed(3);
    let (cost, gradients) = net.backward(x.view(), &labels).unwrap();
    for rows in [1, 7, 32, 100, 1000] {
        let mut shards = Shards::new::<Net64>(rows).unwrap();
        let sharded = shards.backward(&net, x.view(), &labels).unwrap();
        assert!(
            (sharded - cost).abs() <= 1e-14 * cost.abs(),
            "{rows} per shard: cost {sharded} against {cost}"
        );
        let (mut expected, mut found) = (Vec::new(), Vec::new());
        gradients.visit(&mut |p| expected.extend(p.weight.iter().chain(p.bias.iter()).copied()));
        shards.gradients().visit(&mut |p| found.extend(p.weight.iter().chain(p.bias.iter()).copied()));
        let largest = expected.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for (e, f) in expected.iter().zip(&found) {
            assert!((e - f).abs() <= 1e-13 * largest, "{rows} per shard: {f} against {e}");
        }
    }
}

#[test]
fn an_error_in_a_later_shard_names_the_sample_of_the_batch_and_changes_nothing() {
    let (mut x, labels) = batch(100);
    x[[70, 5]] = f32::NAN;
    let mut net = Net::with_seed(1);
    let before = net.clone();
    let mut shards = Shards::new::<Net>(32).unwrap();
    let error = shards.train_step(&mut net, x.view(), &labels, &mut Sgd::new(0.1).unwrap()).unwrap_err();
    assert!(matches!(error, Error::NonFinite { what: "input", sample: 70, column: 5, .. }), "{error:?}");
    assert_eq!(net, before);
    let mut bad = labels.clone();
    bad[99] = 10;
    let error =
        shards.train_step(&mut net, batch(100).0.view(), &bad, &mut Sgd::new(0.1).unwrap()).unwrap_err();
    assert!(matches!(error, Error::LabelOutOfRange { sample: 99, label: 10, .. }), "{error:?}");
    assert_eq!(net, before);
    assert!(matches!(Shards::new::<Net>(0), Err(Error::InvalidOption { .. })));
    let empty = Array2::<f32>::zeros((0, 64));
    assert!(matches!(shards.backward(&net, empty.view(), &[] as &[usize]), Err(Error::EmptyBatch)));
}
