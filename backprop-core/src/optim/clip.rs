use ndarray::{ArrayViewD, ArrayViewMutD, Zip};

use super::state::{OptimizerState, Resumable, Scratch};
use super::traits::{Tensors, UpdateRule};
use crate::check::check_option;
use crate::error::Error;
use crate::float::Float;

/// Gradient clipping by global norm around any optimiser: when the gradients of all parameters
/// together are longer than `max_norm` = c, they are scaled down to about that length before the
/// optimiser inside sees them,
///
/// ‖g‖ = √(Σ_tensors Σ_entries g²),  g ← g · min(1, c / (‖g‖ + 10⁻⁶)),
///
/// as PyTorch's `torch.nn.utils.clip_grad_norm_` (2-norm) computes it. Clipping by norm is from
/// Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural networks", ICML
/// 2013, Algorithm 1. The norm is accumulated in f64; gradients whose norm is not finite are an
/// [`Error::NonFiniteGradient`] and change nothing.
///
/// Put it outermost to clip the raw gradients, as with PyTorch's `clip_grad_norm_` before
/// `optimizer.step()`: `ClipGradNorm::new(WeightDecay::new(adam, λ)?, c)?`.
///
/// ```
/// use backprop_core::optim::{Adam, ClipGradNorm};
///
/// let clipped = ClipGradNorm::new(Adam::<f32>::new(1e-3)?, 1.0)?;
/// assert_eq!(clipped.last_norm(), None); // no step yet
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ClipGradNorm<O, F> {
    inner: O,
    max_norm: F,
    /// min(1, c / (‖g‖ + 10⁻⁶)) of the current step.
    scale: F,
    last_norm: Option<F>,
    scratch: Scratch<F>,
}

impl<F: Float, O: UpdateRule<F>> ClipGradNorm<O, F> {
    /// Wraps `inner`, clipping the global norm of the gradients to `max_norm`, positive and
    /// finite.
    pub fn new(inner: O, max_norm: F) -> Result<Self, Error> {
        let max_norm =
            check_option("the maximal gradient norm", max_norm, "positive and finite", |c| c > F::zero())?;
        Ok(ClipGradNorm { inner, max_norm, scale: F::one(), last_norm: None, scratch: Scratch::default() })
    }

    /// The maximal norm c.
    pub fn max_norm(&self) -> F {
        self.max_norm
    }

    /// The global norm ‖g‖ of the gradients of the last step, before clipping (what PyTorch's
    /// `clip_grad_norm_` returns); `None` before the first step.
    pub fn last_norm(&self) -> Option<F> {
        self.last_norm
    }

    /// The optimiser inside.
    pub fn inner(&self) -> &O {
        &self.inner
    }

    /// Unwraps the optimiser inside.
    pub fn into_inner(self) -> O {
        self.inner
    }
}

/// Writes `scale · g` into `out` (of g's shape) and returns a view of it.
fn scaled<'b, F: Float>(
    out: &'b mut ndarray::ArrayD<F>,
    gradient: &ArrayViewD<'_, F>,
    scale: F,
) -> ArrayViewD<'b, F> {
    Zip::from(&mut *out).and(gradient).for_each(|o, &g| *o = g * scale);
    out.view()
}

impl<F: Float, O: UpdateRule<F>> UpdateRule<F> for ClipGradNorm<O, F> {
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        let mut squares = 0.0_f64;
        tensors(&mut |_, _, g| squares += g.iter().map(|&v| v.to_f64() * v.to_f64()).sum::<f64>());
        let norm = squares.sqrt();
        if !norm.is_finite() {
            return Err(Error::NonFiniteGradient { norm: norm.to_string() });
        }
        let coefficient = self.max_norm.to_f64() / (norm + 1e-6);
        let scale = if coefficient < 1.0 { F::of(coefficient) } else { F::one() };
        let ClipGradNorm { inner, scratch, .. } = self;
        inner.begin(&mut |f| {
            tensors(&mut |i, p, g| {
                if scale < F::one() {
                    f(i, p, scaled(scratch.buffer(i, &g), &g, scale));
                } else {
                    f(i, p, g);
                }
            })
        })?;
        self.scale = scale;
        self.last_norm = Some(F::of(norm));
        Ok(())
    }

    fn update(&mut self, index: usize, parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>) {
        if self.scale < F::one() {
            let g = scaled(self.scratch.buffer(index, &gradient), &gradient, self.scale);
            self.inner.update(index, parameter, g);
        } else {
            self.inner.update(index, parameter, gradient);
        }
    }

    fn reset(&mut self) {
        self.inner.reset();
        self.scale = F::one();
        self.last_norm = None;
    }

    /// The η of the optimiser inside.
    fn eta(&self) -> F {
        self.inner.eta()
    }

    fn eta_mut(&mut self) -> &mut F {
        self.inner.eta_mut()
    }
}

impl<F: Float, O: UpdateRule<F> + Resumable<F>> Resumable<F> for ClipGradNorm<O, F> {
    fn describe(&self) -> String {
        format!("ClipGradNorm(c = {}, {})", self.max_norm, self.inner.describe())
    }

    /// The state of the optimiser inside.
    fn state(&self) -> OptimizerState<F> {
        self.inner.state()
    }

    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error> {
        self.inner.set_state(state)
    }
}
