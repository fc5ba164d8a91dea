use ndarray::{ArrayViewD, ArrayViewMutD, Zip};

use super::state::{OptimizerState, Resumable, Scratch};
use super::traits::{Tensors, UpdateRule};
use crate::check::check_option;
use crate::error::Error;
use crate::float::Float;

/// L2 weight decay around any optimiser: the gradient of C + (λ/2)‖θ‖² is passed on instead of
/// that of C,
///
/// g ← g + λ θ,
///
/// which is what the `weight_decay` option of PyTorch's `torch.optim.SGD` and `torch.optim.Adam`
/// does (Hanson & Pratt, "Comparing biases for minimal network construction with
/// back-propagation", NIPS 1988; Krogh & Hertz, "A Simple Weight Decay Can Improve
/// Generalization", NIPS 1991). For plain [`Sgd`](super::Sgd) this is θ ← (1 − ηλ) θ − η g; for
/// [`Adam`](super::Adam) the decay passes through Adam's normalisation, which
/// [`AdamW`](super::AdamW) avoids. Every weight and bias is decayed.
///
/// ```
/// use backprop_core::optim::{Sgd, WeightDecay};
///
/// let sgd = WeightDecay::new(Sgd::<f64>::new(0.1)?.with_momentum(0.9)?, 5e-4)?;
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WeightDecay<O, F> {
    inner: O,
    weight_decay: F,
    scratch: Scratch<F>,
}

impl<F: Float, O: UpdateRule<F>> WeightDecay<O, F> {
    /// Wraps `inner` with weight decay λ = `weight_decay`, finite and not negative.
    pub fn new(inner: O, weight_decay: F) -> Result<Self, Error> {
        let weight_decay =
            check_option("the weight decay", weight_decay, "finite and not negative", |l| l >= F::zero())?;
        Ok(WeightDecay { inner, weight_decay, scratch: Scratch::default() })
    }

    /// The weight decay λ.
    pub fn weight_decay(&self) -> F {
        self.weight_decay
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

/// Writes g + λθ into `out` (all three of one shape) and returns a view of it.
fn decayed<'b, F: Float>(
    out: &'b mut ndarray::ArrayD<F>,
    parameter: &ArrayViewD<'_, F>,
    gradient: &ArrayViewD<'_, F>,
    lambda: F,
) -> ArrayViewD<'b, F> {
    Zip::from(&mut *out).and(parameter).and(gradient).for_each(|o, &theta, &g| *o = g + lambda * theta);
    out.view()
}

impl<F: Float, O: UpdateRule<F>> UpdateRule<F> for WeightDecay<O, F> {
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        let WeightDecay { inner, weight_decay, scratch } = self;
        inner.begin(&mut |f| {
            tensors(&mut |i, p, g| {
                if p.shape() == g.shape() {
                    let g = decayed(scratch.buffer(i, &p), &p, &g, *weight_decay);
                    f(i, p, g);
                }
            })
        })
    }

    fn update(&mut self, index: usize, parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>) {
        if parameter.shape() != gradient.shape() {
            return;
        }
        let g =
            decayed(self.scratch.buffer(index, &gradient), &parameter.view(), &gradient, self.weight_decay);
        self.inner.update(index, parameter, g);
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    /// The η of the optimiser inside.
    fn eta(&self) -> F {
        self.inner.eta()
    }

    fn eta_mut(&mut self) -> &mut F {
        self.inner.eta_mut()
    }
}

impl<F: Float, O: UpdateRule<F> + Resumable<F>> Resumable<F> for WeightDecay<O, F> {
    fn describe(&self) -> String {
        format!("WeightDecay(λ = {}, {})", self.weight_decay, self.inner.describe())
    }

    /// The state of the optimiser inside.
    fn state(&self) -> OptimizerState<F> {
        self.inner.state()
    }

    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error> {
        self.inner.set_state(state)
    }
}
