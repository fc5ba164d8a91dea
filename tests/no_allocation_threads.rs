//! Once warmed up, a training step allocates nothing even where its matrix products are split
//! over two threads, or its batch into shards on two threads. Counted with `stats_alloc`, whose allocator counts every thread's
//! allocations (rayon's workers' too); this file holds one test, so that nothing else runs
//! while it counts.

#![allow(clippy::unwrap_used)]

use std::alloc::System;

use backprop::ndarray::Array2;
use backprop::prelude::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

network! {
    /// The `wide` benchmark's network: every product of a batch of 32 is 67 MFLOP, at least
    /// `linalg::PARALLEL_FLOPS`, so each is split over the threads.
    struct Wide<f32> { input: 1024, hidden1: 1024 => Relu, hidden2: 1024 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}

#[test]
fn steps_on_two_threads_allocate_nothing_after_warming_up() {
    // Inside the pool, as a program that wants no allocation at all runs its training: from a
    // thread outside it, rayon hands each parallel product to the pool through a queue that
    // allocates a block of slots once per 63 hand-offs.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let x = Array2::from_shape_fn((32, 1024), |(i, j)| ((i * 31 + j * 17) % 256) as f32 / 255.0);
    let labels: Vec<usize> = (0..32).map(|i| i % 10).collect();
    let stats = pool.install(|| {
        assert_eq!(rayon::current_num_threads(), 2);
        let mut net = Wide::with_seed(1);
        let mut ws = Wide::workspace();
        let mut shards = backprop::parallel::Shards::new::<Wide>(16).unwrap();
        let (mut sgd, mut adam) = (Sgd::new(1e-3).unwrap(), Adam::new(1e-4).unwrap());
        let mut steps = |net: &mut Wide| {
            // Two shards of 16 samples on the two threads, their gradients summed.
            shards.train_step(net, x.view(), &labels, &mut sgd).unwrap();
            net.train_step(x.view(), &labels, &mut ws, &mut sgd).unwrap();
            net.train_step(x.view(), &labels, &mut ws, &mut adam).unwrap();
            net.backward_in(x.view(), &labels, &mut ws).unwrap();
            net.forward_in(x.view(), &mut ws).map(drop).unwrap();
        };
        for _ in 0..4 {
            steps(&mut net);
        }
        let region = Region::new(GLOBAL);
        for _ in 0..3 {
            steps(&mut net);
        }
        let steps = region.change();
        // Shards of one sample: warmed up on a batch of two, then a batch of 32 takes 32 shards,
        // in waves of one per thread through the same two workspaces, with nothing allocated.
        let mut single = backprop::parallel::Shards::new::<Wide>(1).unwrap();
        let two = x.slice_axis(backprop::ndarray::Axis(0), (..2).into());
        single.train_step(&mut net, two, &labels[..2], &mut sgd).unwrap();
        let region = Region::new(GLOBAL);
        single.train_step(&mut net, x.view(), &labels, &mut sgd).unwrap();
        (steps, region.change())
    });
    let (stats, waves) = stats;
    assert_eq!((stats.allocations, stats.reallocations), (0, 0), "{stats:?}");
    assert_eq!((waves.allocations, waves.reallocations), (0, 0), "shards in waves: {waves:?}");
}
