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
            tiny.backward_in(x.view(), &[2], &mut ws).unwrap();
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

/// `backward` returns gradients it owns, so it allocates them: two arrays per layer. Everything
/// else it works in is the workspace it keeps for the thread, which a batch no larger than one
/// before reuses.
#[test]
fn backward_allocates_only_the_gradients_it_returns() {
    let (x, labels) = (batch(64, 784), (0..64).map(|i| i % 10).collect::<Vec<_>>());
    let net = Fmnist::with_seed(5);
    net.backward(x.view(), &labels).unwrap();
    let counted = measure(|| {
        for rows in [64, 64, 10] {
            let x = x.slice_axis(backprop::ndarray::Axis(0), (..rows).into());
            drop(net.backward(x, &labels[..rows]).unwrap());
        }
    });
    assert_eq!((counted.count_total, counted.bytes_current), (3 * 2 * 3, 0), "{counted:?}");

    let tiny = Tiny::with_seed(6);
    tiny.backward(batch(1, 4).view(), &[1]).unwrap();
    let counted = measure(|| drop(tiny.backward(batch(1, 4).view(), &[1]).unwrap()));
    // The batch itself is one allocation; the gradients of 2 layers are 4.
    assert_eq!((counted.count_total, counted.bytes_current), (1 + 2 * 2, 0), "{counted:?}");
}

/// What `backward` keeps for the thread is one workspace, for the largest batch of the last
/// network it ran: memory does not grow with the number of calls, batches or networks.
#[test]
fn backward_keeps_one_workspace_per_thread() {
    let tiny = Tiny::with_seed(7);
    let regression = Regression::with_seed(8);
    let y = Array2::from_elem((100, 2), 0.5);
    let (x4, x8) = (batch(100, 4), batch(100, 8).mapv(f64::from));
    let rows = |x: &Array2<f32>, n: usize| x.slice_axis(backprop::ndarray::Axis(0), (..n).into()).to_owned();
    // The matrix-product routine keeps scratch memory for the thread, made on its first call.
    regression.backward(x8.view(), &y).unwrap();
    tiny.backward(rows(&x4, 1).view(), &[0]).unwrap();
    let labels: Vec<usize> = (0..100).map(|i| i % 3).collect();
    let counted = measure(|| {
        for n in 1..=100 {
            drop(
                tiny.backward(x4.slice_axis(backprop::ndarray::Axis(0), (..n).into()), &labels[..n]).unwrap(),
            );
        }
    });
    // z, a and δ of 16 + 3 units for 100 samples, grown from room for 1.
    let workspace_of = |rows: i64| 3 * (16 + 3) * rows * 4;
    assert!(counted.bytes_current <= workspace_of(100) - workspace_of(1), "{counted:?}");
    assert!(counted.bytes_current > 0, "{counted:?}");
    // Another network's backward on this thread takes the place of Tiny's workspace.
    let counted = measure(|| {
        for _ in 0..10 {
            drop(regression.backward(x8.view(), &y).unwrap());
            drop(tiny.backward(x4.view(), &labels).unwrap());
        }
    });
    assert!(counted.bytes_current <= 0, "{counted:?}");
}

#[test]
fn predicting_one_sample_allocates_nothing() {
    // `to_fixed` returns 0.4 MB of arrays by value, which an unoptimised build copies on the
    // stack several times: more than a test thread's 2 MiB.
    std::thread::Builder::new().stack_size(32 << 20).spawn(predict_one_sample).unwrap().join().unwrap();
}

/// The body of the test above, on a thread with room for the arrays.
fn predict_one_sample() {
    let net = Fmnist::with_seed(4);
    let fixed = net.to_fixed().unwrap();
    let images: Vec<[f32; 784]> =
        batch(4, 784).rows().into_iter().map(|r| core::array::from_fn(|k| r[k])).collect();
    let mut classes = 0;
    let counted = measure(|| {
        for image in &images {
            // The fixed-size network, and the network's own `predict_one`, which runs the same
            // kernel on its weights.
            classes += fixed.classify_one(image) + usize::from(fixed.predict_one(image)[0] > 0.5);
            classes += usize::from(net.predict_one(image).unwrap()[0] > 0.5);
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
    assert!(classes < 4 * 12);
}
