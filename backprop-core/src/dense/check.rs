//! What keeps non-finite values out of a layer: the check of its weighted input in the forward
//! pass, which finds a non-finite parameter wherever it is, and the check of a gradient-descent
//! update before it is written.
//!
//! A NaN or infinite weight w_jk makes z_j = Σ_k w_jk a_k + b_j non-finite for every sample
//! (NaN · a and ±∞ · 0 are NaN, ±∞ · a is ±∞), whatever a is, and so does a non-finite bias b_j:
//! a finite z proves the parameters finite. Checking z (n × OUT values) costs less than checking
//! the parameters (IN × OUT values), and it sees a NaN weight before an activation such as ReLU
//! (whose σ(NaN) is 0) hides it. Only when z is not finite are the parameters searched, to name
//! the value.

use ndarray::{ArrayView2, Zip};

use super::Dense;
use crate::activation::Activation;
use crate::check::check_finite;
use crate::error::Error;
use crate::float::Float;
use crate::reductions::{max_abs_if_finite, max_abs_of_finite};
use crate::workspace::LayerBuffers;

use super::LayerGradients;

/// How [`Dense::sgd_apply`] updates a layer, as [`Dense::sgd_check`] found safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SgdUpdate {
    /// W ← W − η δᵀa as one matrix product accumulated into W, and b ← b − η Σδ: a bound on
    /// every value they produce proves all of them finite.
    Fused,
    /// W ← W − η G and b ← b − η g from the gradients G and g, computed in the workspace and
    /// checked value by value: for updates the bound cannot vouch for.
    FromGradients,
}

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> Dense<F, IN, OUT, A> {
    /// Checks this layer's weighted input `z` (n × `OUT`) from the forward pass. If it is not
    /// finite, the error names the cause: a non-finite value of `input` (the network's input,
    /// for the first layer), else a non-finite parameter of this layer
    /// ([`Error::NonFiniteParameter`]), else the sums themselves ([`Error::Overflow`]).
    ///
    /// The finite case, the common one, is one vectorised pass over z.
    #[doc(hidden)]
    pub fn check_weighted_input(
        &self,
        layer: &'static str,
        z: ArrayView2<'_, F>,
        input: Option<ArrayView2<'_, F>>,
    ) -> Result<(), Error> {
        if check_finite("z", z).is_ok() {
            return Ok(());
        }
        if let Some(x) = input {
            check_finite("input", x)?;
        }
        self.check_parameters(layer)?;
        match z.indexed_iter().find(|(_, v)| !v.is_finite()) {
            Some(((sample, unit), v)) => Err(Error::Overflow { layer, sample, unit, value: v.to_string() }),
            None => Ok(()),
        }
    }

    /// Checks that every weight and bias is finite, naming the first that is not.
    pub fn check_parameters(&self, layer: &'static str) -> Result<(), Error> {
        if let Some(((j, k), v)) = self.weight.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFiniteParameter {
                layer,
                parameter: "weight",
                index: vec![j, k],
                value: v.to_string(),
            });
        }
        if let Some((j, v)) = self.bias.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFiniteParameter {
                layer,
                parameter: "bias",
                index: vec![j],
                value: v.to_string(),
            });
        }
        Ok(())
    }

    /// Checks the update of plain gradient descent, W ← W − η (δ^l)ᵀ a^{l−1} and
    /// b ← b − η Σ_samples δ^l, before anything is written: returns how
    /// [`sgd_apply`](Dense::sgd_apply) may write it, or [`Error::NonFiniteUpdate`] if a value
    /// would not be finite. `tensor` is the layer's weight in visit order (twice its index).
    ///
    /// Every value the fused update computes, partial sums included, is at most
    ///
    /// max|W| + η n max|δ| max|a|   (and max|b| + η n max|δ|)
    ///
    /// in magnitude for a batch of n samples, up to rounding (a relative n·ε for sums of n
    /// terms): each of the n terms δ_ij a_ik of (δᵀa)_jk is at most max|δ| max|a|. When these
    /// bounds are below a quarter of the largest float, the update is finite and is applied
    /// fused ([`SgdUpdate::Fused`]); the bound costs one pass over W, δ and a each, which is
    /// much less than the product. Otherwise (huge weights, gradients or learning rates,
    /// non-finite δ) the gradients are computed into `gradients` and every updated value is
    /// checked ([`SgdUpdate::FromGradients`]). This layer's parameters and `a_prev` must be
    /// finite, as the forward pass's check of z has made sure.
    #[doc(hidden)]
    pub fn sgd_check(
        &self,
        layer: &'static str,
        tensor: usize,
        learning_rate: F,
        here: &LayerBuffers<F>,
        a_prev: ArrayView2<'_, F>,
        gradients: &mut LayerGradients<F>,
    ) -> Result<SgdUpdate, Error> {
        let delta = here.delta();
        if self.update_is_bounded(learning_rate, delta, a_prev) {
            return Ok(SgdUpdate::Fused);
        }
        self.gradients_in(here, a_prev, gradients);
        let eta = learning_rate;
        let finite = |p: F, g: F| (p - eta * g).is_finite();
        let weight_ok = Zip::from(&self.weight).and(&gradients.weight).all(|&w, &g| finite(w, g));
        if !weight_ok {
            return Err(Error::NonFiniteUpdate { layer, parameter: "weight", tensor });
        }
        if !Zip::from(&self.bias).and(&gradients.bias).all(|&b, &g| finite(b, g)) {
            return Err(Error::NonFiniteUpdate { layer, parameter: "bias", tensor: tensor + 1 });
        }
        Ok(SgdUpdate::FromGradients)
    }

    /// Applies the update [`sgd_check`](Dense::sgd_check) found safe: fused
    /// ([`sgd_in`](Dense::sgd_in)), or W ← W − η G and b ← b − η g from the gradients it
    /// computed and checked, value by value as it checked them.
    #[doc(hidden)]
    pub fn sgd_apply(
        &mut self,
        learning_rate: F,
        here: &LayerBuffers<F>,
        a_prev: ArrayView2<'_, F>,
        gradients: &LayerGradients<F>,
        update: SgdUpdate,
    ) {
        let eta = learning_rate;
        match update {
            SgdUpdate::Fused => self.sgd_in(learning_rate, here, a_prev),
            SgdUpdate::FromGradients => {
                Zip::from(&mut self.weight).and(&gradients.weight).for_each(|w, &g| *w -= eta * g);
                Zip::from(&mut self.bias).and(&gradients.bias).for_each(|b, &g| *b -= eta * g);
            }
        }
    }

    /// Whether the bounds of [`sgd_check`](Dense::sgd_check) prove the fused update finite.
    /// Every comparison is false for NaN, so a NaN anywhere answers no.
    ///
    /// The passes over W and the rows of a are most of the check's time: they run through
    /// [`Reductions::max_abs_of_finite`], in the widest vector instructions the CPU has.
    ///
    /// [`Reductions::max_abs_of_finite`]: crate::reductions::Reductions::max_abs_of_finite
    fn update_is_bounded(
        &self,
        learning_rate: F,
        delta: ArrayView2<'_, F>,
        a_prev: ArrayView2<'_, F>,
    ) -> bool {
        self.update_is_bounded_here(learning_rate, delta, a_prev)
    }

    #[inline(always)]
    fn update_is_bounded_here(
        &self,
        learning_rate: F,
        delta: ArrayView2<'_, F>,
        a_prev: ArrayView2<'_, F>,
    ) -> bool {
        let limit = F::max_value().to_f64() / 4.0;
        if delta.nrows() as f64 * F::epsilon().to_f64() > 0.25 {
            return false;
        }
        // δ may have overflowed in the backward pass: its maximum and its finiteness in one
        // pass. One bound for all samples, from the maxima over the whole batch: a pass over
        // each buffer, where a bound per sample would cost a call per row.
        let Some(d_max) = max_abs_if_finite(delta) else {
            return false;
        };
        let a_max = max_abs_of_finite(a_prev).to_f64();
        let bound_b = delta.nrows() as f64 * d_max;
        let bound_w = bound_b * a_max;
        let eta = learning_rate.to_f64();
        let (w_max, b_max) =
            (max_abs_of_finite(self.weight.view()).to_f64(), max_abs_of_finite(self.bias.view()).to_f64());
        bound_w <= limit
            && bound_b <= limit
            && w_max + eta * bound_w <= limit
            && b_max + eta * bound_b <= limit
    }
}
