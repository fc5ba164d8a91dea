use ndarray::{ArrayViewD, ArrayViewMutD};

use super::adam::Adam;
use super::state::{OptimizerState, Resumable};
use super::traits::{Tensors, UpdateRule};
use crate::check::check_option;
use crate::error::Error;
use crate::float::Float;

/// AdamW, Adam with decoupled weight decay: Loshchilov & Hutter, "Decoupled Weight Decay
/// Regularization", ICLR 2019, Algorithm 2.
///
/// Each step first shrinks every parameter, then takes the [`Adam`] step with the unchanged
/// gradient g = ∂C/∂θ:
///
/// θ ← θ − η λ θ,
/// θ ← θ − η m̂ / (√v̂ + ε)  (m̂, v̂ as in [`Adam`]).
///
/// The decay is scaled by the learning rate η, as PyTorch's `torch.optim.AdamW` does (the paper
/// scales it by the schedule multiplier η_t alone); it is not added to the gradient, so it does
/// not pass through Adam's normalisation — which is the difference from Adam with L2
/// regularisation ([`WeightDecay`](super::WeightDecay) around [`Adam`]). Every weight and bias is
/// decayed.
///
/// ```
/// use backprop_core::optim::AdamW;
///
/// let adamw = AdamW::<f32>::new(1e-3, 1e-2)?.with_betas(0.9, 0.95)?;
/// assert_eq!(adamw.weight_decay(), 1e-2);
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AdamW<F> {
    adam: Adam<F>,
    weight_decay: F,
}

impl<F: Float> AdamW<F> {
    /// AdamW with learning rate η (positive and finite), weight decay λ (finite and not
    /// negative; PyTorch's default is 10⁻²) and Adam's default β₁, β₂, ε.
    pub fn new(learning_rate: F, weight_decay: F) -> Result<Self, Error> {
        let weight_decay =
            check_option("the weight decay", weight_decay, "finite and not negative", |l| l >= F::zero())?;
        Ok(AdamW { adam: Adam::new(learning_rate)?, weight_decay })
    }

    /// Sets β₁ and β₂, as [`Adam::with_betas`].
    pub fn with_betas(self, beta1: F, beta2: F) -> Result<Self, Error> {
        Ok(AdamW { adam: self.adam.with_betas(beta1, beta2)?, ..self })
    }

    /// Sets ε, as [`Adam::with_epsilon`].
    pub fn with_epsilon(self, epsilon: F) -> Result<Self, Error> {
        Ok(AdamW { adam: self.adam.with_epsilon(epsilon)?, ..self })
    }

    /// The weight decay λ.
    pub fn weight_decay(&self) -> F {
        self.weight_decay
    }

    /// The Adam step inside, with its options and state.
    pub fn adam(&self) -> &Adam<F> {
        &self.adam
    }
}

impl<F: Float> AdamW<F> {
    /// 1 − ηλ, the factor of the decay θ ← θ − ηλθ.
    fn shrink(&self) -> F {
        F::one() - self.adam.eta() * self.weight_decay
    }
}

impl<F: Float> UpdateRule<F> for AdamW<F> {
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        self.adam.begin_shrunk(tensors, self.shrink())
    }

    fn update(&mut self, index: usize, mut parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>) {
        if parameter.shape() != gradient.shape() {
            return;
        }
        let shrink = self.shrink();
        parameter.mapv_inplace(|theta| theta * shrink);
        self.adam.update(index, parameter, gradient);
    }

    fn reset(&mut self) {
        self.adam.reset();
    }

    /// Adam's η, which also scales the decay.
    fn eta(&self) -> F {
        self.adam.eta()
    }

    fn eta_mut(&mut self) -> &mut F {
        self.adam.eta_mut()
    }
}

impl<F: Float> Resumable<F> for AdamW<F> {
    fn describe(&self) -> String {
        format!("AdamW(λ = {}, {})", self.weight_decay, self.adam.describe())
    }

    /// Adam's state.
    fn state(&self) -> OptimizerState<F> {
        self.adam.state()
    }

    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error> {
        self.adam.set_state(state)
    }
}
