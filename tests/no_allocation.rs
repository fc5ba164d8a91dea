//! Once its workspace has seen a batch this large, a training step allocates nothing: the
//! in-place passes write into the workspace and the parameters only. Counted with
//! `allocation_counter`, which wraps the system allocator for this test binary; the matrix
//! products of these networks run on the calling thread, where it counts.

#![allow(clippy::unwrap_used)]

use allocation_counter::measure;
use backprop::ndarray::Array2;
use backprop::prelude::*;

network! {
    struct Fmnist<f32> { input: 784, hidden1: 128 => Relu, hidden2: 64 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}
network! {
    struct Tiny<f32> { input: 4, hidden: 16 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}
network! {
    struct Regression<f64> { input: 8, hidden: 32 => Sigmoid, out: 2 => Softplus, cost: Mse }
}

fn batch(rows: usize, width: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, width), |(i, j)| ((i * 31 + j * 17) % 256) as f32 / 255.0)
}

#[test]
fn a_training_step_allocates_nothing() {
    let (x, labels) = (batch(64, 784), (0..64).map(|i| i % 10).collect::<Vec<_>>());
    let mut net = Fmnist::with_seed(1);
    let mut ws = Fmnist::workspace();
    let mut sgd = Sgd::new(0.01).unwrap();
    net.train_step(x.view(), &labels, &mut ws, &mut sgd).unwrap(); // the workspace grows here
    let counted = measure(|| {
        for _ in 0..3 {
            net.train_step(x.view(), &labels, &mut ws, &mut sgd).unwrap();
            net.backward_in(x.view(), &labels, &mut ws).unwrap();
            net.forward_in(x.view(), &mut ws).unwrap();
        }
        // A smaller batch (an epoch's last) is served from the same buffers.
        net.train_step(
            x.slice_axis(backprop::ndarray::Axis(0), (..10).into()),
            &labels[..10],
            &mut ws,
            &mut sgd,
        )
        .unwrap();
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
}

#[test]
fn tiny_and_value_target_steps_allocate_nothing() {
    let x = batch(1, 4);
    let mut tiny = Tiny::with_seed(2);
    let mut ws = Tiny::workspace();
    let mut sgd = Sgd::new(0.01).unwrap();
    tiny.train_step(x.view(), &[2], &mut ws, &mut sgd).unwrap();
    let counted = measure(|| {
        for _ in 0..10 {
            tiny.train_step(x.view(), &[2], &mut ws, &mut sgd).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");

    let x = batch(16, 8).mapv(f64::from);
    let y = Array2::from_elem((16, 2), 0.5);
    let mut net = Regression::with_seed(3);
    let mut ws = Regression::workspace();
    let mut sgd = Sgd::new(0.01).unwrap();
    net.train_step(x.view(), &y, &mut ws, &mut sgd).unwrap();
    let counted = measure(|| net.train_step(x.view(), &y, &mut ws, &mut sgd).map(drop).unwrap());
    assert_eq!(counted.count_total, 0, "{counted:?}");
}

/// Optimisers with state allocate it on their first step, and nothing after it.
#[test]
fn stateful_optimisers_allocate_only_on_their_first_step() {
    let (x, labels) = (batch(32, 784), (0..32).map(|i| i % 10).collect::<Vec<_>>());
    let mut net = Fmnist::with_seed(4);
    let mut ws = Fmnist::workspace();
    let mut adam = Adam::new(1e-3).unwrap();
    let mut momentum = Sgd::new(0.01).unwrap().with_momentum(0.9).unwrap();
    net.train_step(x.view(), &labels, &mut ws, &mut adam).unwrap();
    net.train_step(x.view(), &labels, &mut ws, &mut momentum).unwrap();
    let counted = measure(|| {
        for _ in 0..2 {
            net.train_step(x.view(), &labels, &mut ws, &mut adam).unwrap();
            net.train_step(x.view(), &labels, &mut ws, &mut momentum).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
}
