//! Nothing a user passes in makes the library panic: every combination of batch shape, target
//! shape, label and non-finite value below gives either a result or a typed error.

use backprop::Error;
use backprop::ndarray::Array2;
use backprop::prelude::*;

network! {
    struct Softmax<f64> { input: 3, hidden: 4 => Relu, out: 2, cost: SoftmaxCrossEntropy }
}
network! {
    struct Hinge<f64> { input: 3, hidden: 4 => Elu, out: 2, cost: MulticlassHinge }
}
network! {
    struct Binary<f32> { input: 3, hidden: 4 => Gelu, out: 2, cost: BinaryCrossEntropy }
}
network! {
    struct Regression<f32> { input: 3, hidden: 4 => Silu, out: 2, cost: Mse }
}

/// Special values to plant in inputs and targets.
const SPECIAL: [f64; 6] = [0.5, -3.0, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

/// Runs `forward`, `cost` and `backward` (and `forward_in` and `backward_in`, which must give the
/// same errors) on every batch and target shape up to 3 × 4, with
/// label and value targets, with each special value planted in the input and in the targets,
/// and checks that valid calls succeed and invalid ones return errors.
fn exercise<F: backprop::Float, N: Network<F>>(net: &N) -> usize {
    let mut calls = 0;
    for rows in 0..3 {
        for cols in 0..5 {
            for special in SPECIAL {
                let mut x = Array2::from_shape_fn((rows, cols), |(i, j)| F::of(0.1 * (i + j) as f64));
                if let Some(v) = x.iter_mut().next() {
                    *v = F::of(special);
                }
                let valid_x = rows > 0 && cols == N::INPUT && F::of(special).is_finite();
                assert_eq!(net.forward(x.view()).is_ok(), valid_x, "forward on {rows}×{cols}, {special}");
                let mut ws = N::workspace();
                assert_eq!(net.forward_in(x.view(), &mut ws).is_ok(), valid_x, "forward_in on {rows}×{cols}");
                for target_rows in 0..3 {
                    for target_cols in 0..4 {
                        let mut y = Array2::from_shape_fn((target_rows, target_cols), |(i, j)| {
                            F::of(((i + j) % 2) as f64)
                        });
                        if let Some(v) = y.iter_mut().last() {
                            *v = F::of(special);
                        }
                        let _ = net.cost(x.view(), &y);
                        let result = net.backward(x.view(), &y);
                        let in_place = net.backward_in(x.view(), &y, &mut ws);
                        assert_eq!(in_place.err(), result.as_ref().err().cloned(), "backward_in vs backward");
                        if !valid_x || target_rows != rows || target_cols != N::OUTPUT {
                            assert!(
                                result.is_err(),
                                "backward accepted {rows}×{cols} with {target_rows}×{target_cols}"
                            );
                        }
                        calls += 2;
                    }
                    let labels: Vec<usize> = (0..target_rows).map(|i| i * 2).collect();
                    let _ = net.cost(x.view(), &labels);
                    let result = net.backward(x.view(), &labels);
                    let in_place = net.backward_in(x.view(), &labels, &mut ws);
                    assert_eq!(in_place.err(), result.as_ref().err().cloned(), "backward_in vs backward");
                    if labels.iter().any(|&l| l >= N::OUTPUT) {
                        assert!(matches!(
                            result,
                            Err(Error::LabelOutOfRange { .. })
                                | Err(Error::InputWidth { .. })
                                | Err(Error::NonFinite { .. })
                                | Err(Error::EmptyBatch)
                                | Err(Error::TargetCount { .. })
                        ));
                    }
                    calls += 2;
                }
            }
        }
    }
    calls
}

#[test]
fn no_input_makes_any_network_panic() {
    let calls = exercise(&Softmax::with_seed(1))
        + exercise(&Hinge::with_seed(1))
        + exercise(&Binary::with_seed(1))
        + exercise(&Regression::with_seed(1));
    assert!(calls > 1000, "only {calls} calls exercised");
}

#[test]
fn huge_logits_give_finite_costs_and_gradients() -> Result<(), Error> {
    // Weights large enough to drive the logits to about ±1e4.
    let mut net = Softmax::with_seed(2);
    net.out.weight.fill(3e3);
    net.out.weight.row_mut(1).fill(-3e3);
    let x = Array2::from_elem((2, 3), 1.0);
    let z = net.forward(x.view())?;
    assert!(z.iter().all(|v| v.abs() > 1e3), "logits not large: {z}");
    let (cost, g) = net.backward(x.view(), &[0, 1])?;
    assert!(cost.is_finite());
    assert!(g.hidden.weight.iter().chain(g.out.weight.iter()).all(|v| v.is_finite()));
    Ok(())
}
