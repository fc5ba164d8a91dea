//! `with_busy_workers`: the products it splits give the same bits as one thread; work that
//! panics, nested calls, a pool of one thread and a pool busy with other work all return.
//!
//! A hang would show as a test that does not end: the test harness reports it ("has been running
//! for over 60 seconds") and CI's `timeout` fails the run. No test here measures time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use backprop::Network;
use backprop::ndarray::Array2;
use backprop::parallel::with_busy_workers;
use backprop::prelude::*;
use rayon::prelude::*;

network! {
    /// Its first layer's products (2 · 64 · 784 · 128 = 12.8 MFLOP at a batch of 64) are above
    /// `BUSY_PARALLEL_FLOPS`, so inside `with_busy_workers` they are split over the threads.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Net<f32> { input: 784, hidden: 128 => Relu, out: 10, cost: SoftmaxCrossEntropy }
}

/// A batch of 64 samples, values in [0, 1), and labels.
fn batch() -> (Array2<f32>, Vec<usize>) {
    let x = Array2::from_shape_fn((64, 784), |(i, j)| ((i * 37 + j * 11) % 101) as f32 / 101.0);
    (x, (0..64).map(|i| (i * 7) % 10).collect())
}

/// The bits of every parameter of `net`.
fn bits<N: Network<f32>>(net: &N) -> Vec<u32> {
    let mut bits = Vec::new();
    net.visit_parameters(&mut |p| bits.extend(p.weight.iter().chain(p.bias.iter()).map(|v| v.to_bits())));
    bits
}

/// Five steps of fused SGD, five of Adam, five of SGD with momentum, and the costs' bits, on a
/// pool of `threads` threads, inside `with_busy_workers` or not.
fn train(threads: usize, busy: bool) -> (Vec<u32>, Vec<u32>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let steps = || {
            let (x, labels) = batch();
            let mut net = Net::with_seed(1);
            let mut ws = Net::workspace();
            let mut sgd = Sgd::new(0.05).unwrap();
            let mut costs = Vec::new();
            for _ in 0..5 {
                costs.push(net.train_step(x.view(), labels.as_slice(), &mut ws, &mut sgd).unwrap().to_bits());
            }
            let mut adam = Adam::new(1e-3).unwrap();
            for _ in 0..5 {
                costs
                    .push(net.train_step(x.view(), labels.as_slice(), &mut ws, &mut adam).unwrap().to_bits());
            }
            // Adam's and momentum's updates of the first layer's 100 352 weights are split too.
            let mut momentum = Sgd::new(0.01).unwrap().with_momentum(0.9).unwrap();
            for _ in 0..5 {
                costs.push(
                    net.train_step(x.view(), labels.as_slice(), &mut ws, &mut momentum).unwrap().to_bits(),
                );
            }
            (bits(&net), costs)
        };
        if busy { with_busy_workers(steps) } else { steps() }
    })
}

#[test]
fn busy_workers_give_the_bits_of_one_thread() {
    let one = train(1, false);
    assert_eq!(train(2, true), one, "2 threads, busy");
    assert_eq!(train(8, true), one, "8 threads, busy");
    assert_eq!(train(2, false), one, "2 threads");
    assert_ne!(one.0, bits(&Net::with_seed(1)), "training moved the weights");
}

#[test]
fn work_that_panics_ends_the_call_and_the_next_call_works() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let result = pool.install(|| {
        let panicked = std::panic::catch_unwind(|| with_busy_workers(|| panic!("inside the work")));
        (panicked.is_err(), with_busy_workers(|| 7))
    });
    assert_eq!(result, (true, 7));
}

#[test]
fn nested_calls_one_thread_and_a_busy_pool_all_return() {
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let nested = two.install(|| with_busy_workers(|| with_busy_workers(|| 1) + 1));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let single = one.install(|| with_busy_workers(|| 3));
    // Every thread of the pool calls it at once, so no partner can start: each call must
    // go on without them.
    let all: i32 = two.install(|| (0..8).into_par_iter().map(|i| with_busy_workers(move || i)).sum());
    // From outside any pool, on rayon's global pool.
    let outside = with_busy_workers(|| 5);
    assert_eq!((nested, single, all, outside), (2, 3, 28, 5));
}
