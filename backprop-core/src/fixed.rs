//! Networks whose weights are fixed-size arrays: what `network!` generates beside each network
//! (`FashionFixed` beside `Fashion`) for inference with neither the standard library nor an
//! allocator, on a microcontroller, with the weights in a `static` (in flash, `.rodata`).
//!
//! A [`FixedDense`] is a [`Dense`](https://docs.rs/backprop/latest/backprop/struct.Dense.html)
//! layer whose W^l is `[[F; IN]; OUT]` (row j holds unit j's weights, as `Dense` and PyTorch's
//! `Linear` store them) and b^l `[F; OUT]`. Its forward pass is [`OneSample::infer`]: the
//! same loops, in the same order, as the `predict_one` of the `std` build, so the two give the
//! same bits on the same weights (where `Float`'s functions are the same: see
//! [`Float`](crate::float::Float)).

use crate::activation::Activation;
use crate::cost::Prediction;
use crate::float::Float;
use crate::one_sample::OneSample;

/// A fully connected layer with its weights in arrays: z = W x + b and a = σ(z) (the paper,
/// section 2), for one sample at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FixedDense<F, const IN: usize, const OUT: usize, A> {
    /// W^l, `OUT` rows of `IN` weights: `weight[j][k]` is w_jk, from input k to unit j.
    pub weight: [[F; IN]; OUT],
    /// b^l, one bias per unit.
    pub bias: [F; OUT],
    /// σ, applied to z elementwise.
    pub activation: A,
}

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> FixedDense<F, IN, OUT, A> {
    /// The forward pass of one sample x: z_j = b_j + Σ_k w_jk x_k, then a_j = σ(z_j), by
    /// [`OneSample::infer`] (the sum in eight interleaved partial sums). Returns whether every z_j is finite; a non-finite input or weight
    /// gives non-finite values, never a panic. A layer without inputs (`IN` = 0) computes
    /// nothing and returns `false`.
    #[inline(always)]
    pub fn forward(&self, x: &[F; IN], z: &mut [F; OUT], a: &mut [F; OUT]) -> bool {
        match OneSample::new(self.weight.as_flattened(), &self.bias, &self.activation) {
            Some(layer) => layer.infer(x, z, a),
            None => false,
        }
    }
}

/// A network whose weights are fixed-size arrays, which `network!` implements for the
/// `…Fixed` type it generates: the forward pass of one sample, and (when its cost gives a
/// [`Prediction`]) the prediction and the class of one sample. Nothing here allocates.
pub trait FixedNetwork<F: Float, const INPUT: usize, const OUTPUT: usize> {
    /// The cost the network was declared with.
    type Cost;

    /// The network's output for one sample `x`: a^L, the output of the last layer (z^L when it
    /// declares no activation), the value the cost is taken of. When a layer's weighted input
    /// z is not finite (a non-finite input or weight, or a sum that overflows), every output is
    /// NaN, even where a saturating σ (tanh(∞) = 1) would give a finite value: never a panic,
    /// and never a finite answer from a non-finite input.
    fn forward_one(&self, x: &[F; INPUT]) -> [F; OUTPUT];

    /// What the network predicts for one sample `x`: [`forward_one`](Self::forward_one) turned
    /// into the cost's prediction ([`Prediction::predict_slice`]: probabilities for
    /// `SoftmaxCrossEntropy` and `BinaryCrossEntropy`, the output itself for `Mse`).
    fn predict_one(&self, x: &[F; INPUT]) -> [F; OUTPUT]
    where
        Self::Cost: Prediction<F> + Default,
    {
        let mut p = self.forward_one(x);
        Self::Cost::default().predict_slice(&mut p);
        p
    }

    /// The class the network gives one sample `x`, as `Predict::classify` gives it with `std`:
    /// for one output, 1 if the cost says it is positive ([`Prediction::is_positive`]) and 0
    /// otherwise; for several, the output of the largest prediction (of the largest output
    /// among equal predictions, the first among equal outputs). 0 for a prediction of NaNs.
    fn classify_one(&self, x: &[F; INPUT]) -> usize
    where
        Self::Cost: Prediction<F> + Default,
    {
        let z = self.forward_one(x);
        let mut p = z;
        let cost = Self::Cost::default();
        cost.predict_slice(&mut p);
        match (OUTPUT, z.first(), p.first()) {
            (1, Some(&z), Some(&p)) => usize::from(cost.is_positive(z, p)),
            _ => crate::cost::argmax(&p, &z),
        }
    }
}
