use ndarray::{ArrayViewD, ArrayViewMutD};

use super::{
    OptimizerState, Resumable, Slots, Tensors, UpdateRule, check_initial_rate, check_option, check_rate,
    for_each_element, step_with_rule,
};
use crate::{Error, Float, Network, Optimizer};

/// Adam: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1.
///
/// With g = ∂C/∂θ, first and second moment estimates m and v per parameter that start at 0, and
/// the step count t (1 on the first step):
///
/// m ← β₁ m + (1 − β₁) g,
/// v ← β₂ v + (1 − β₂) g²,
/// m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ),
/// θ ← θ − η m̂ / (√v̂ + ε).
///
/// ε is added outside the square root, as in the paper and PyTorch's `torch.optim.Adam`. The
/// defaults are the paper's: β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸.
///
/// ```
/// use backprop_core::optim::Adam;
///
/// let adam = Adam::<f32>::new(1e-3)?.with_betas(0.9, 0.99)?.with_epsilon(1e-7)?;
/// assert_eq!(adam.betas(), (0.9, 0.99));
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<F> {
    learning_rate: F,
    beta1: F,
    beta2: F,
    epsilon: F,
    /// The number of steps taken, t.
    steps: u64,
    /// 1 − β₁ᵗ and 1 − β₂ᵗ of the current step.
    corrections: (F, F),
    /// m and v per tensor.
    moments: Slots<F, 2>,
}

impl<F: Float> Adam<F> {
    /// Adam with learning rate η = `learning_rate` (positive and finite) and the paper's
    /// β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸.
    pub fn new(learning_rate: F) -> Result<Self, Error> {
        Ok(Adam {
            learning_rate: check_initial_rate(learning_rate)?,
            beta1: F::of(0.9),
            beta2: F::of(0.999),
            epsilon: F::of(1e-8),
            steps: 0,
            corrections: (F::one(), F::one()),
            moments: Slots::default(),
        })
    }

    /// Sets the decay rates β₁ and β₂ of the moment estimates, each in [0, 1).
    pub fn with_betas(self, beta1: F, beta2: F) -> Result<Self, Error> {
        let unit = |b: F| b >= F::zero() && b < F::one();
        let beta1 = check_option("β₁", beta1, "in [0, 1)", unit)?;
        let beta2 = check_option("β₂", beta2, "in [0, 1)", unit)?;
        Ok(Adam { beta1, beta2, ..self })
    }

    /// Sets ε, which keeps the denominator away from zero; positive and finite.
    pub fn with_epsilon(self, epsilon: F) -> Result<Self, Error> {
        let epsilon = check_option("ε", epsilon, "positive and finite", |e| e > F::zero())?;
        Ok(Adam { epsilon, ..self })
    }

    /// β₁ and β₂.
    pub fn betas(&self) -> (F, F) {
        (self.beta1, self.beta2)
    }

    /// ε.
    pub fn epsilon(&self) -> F {
        self.epsilon
    }

    /// The number of steps taken since creation or [`reset`](UpdateRule::reset), t.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

impl<F: Float> Optimizer<F> for Adam<F> {
    fn step<N: Network<F>>(&mut self, net: &mut N, gradients: &N::Gradients) -> Result<(), Error> {
        step_with_rule(self, net, gradients)
    }

    fn learning_rate(&self) -> F {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: F) -> Result<(), Error> {
        self.learning_rate = check_rate(learning_rate)?;
        Ok(())
    }
}

impl<F: Float> UpdateRule<F> for Adam<F> {
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        self.moments.prepare(tensors)?;
        self.steps = self.steps.saturating_add(1);
        // β^t underflows to 0 long before t leaves the range of i32.
        let t = i32::try_from(self.steps).unwrap_or(i32::MAX);
        self.corrections = (F::one() - self.beta1.powi(t), F::one() - self.beta2.powi(t));
        Ok(())
    }

    fn update(&mut self, index: usize, mut parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>) {
        if parameter.shape() != gradient.shape() {
            return;
        }
        let Some([m, v]) = self.moments.get_mut(index, parameter.shape()) else {
            return;
        };
        let (eta, b1, b2, eps) = (self.learning_rate, self.beta1, self.beta2, self.epsilon);
        let (c1, c2) = self.corrections;
        let one = F::one();
        // η m̂/(√v̂ + ε) with m̂ = m/c₁ and √v̂ = √v/√c₂, arranged as PyTorch's `adam` does, so that
        // each element costs one square root and one division.
        let (step, sqrt_c2) = (eta / c1, c2.sqrt());
        for_each_element(parameter.view_mut(), m.view_mut(), v.view_mut(), gradient, |theta, m, v, g| {
            *m = b1 * *m + (one - b1) * g;
            *v = b2 * *v + (one - b2) * g * g;
            *theta -= step * *m / (v.sqrt() / sqrt_c2 + eps);
        });
    }

    fn reset(&mut self) {
        self.moments.clear();
        self.steps = 0;
        self.corrections = (F::one(), F::one());
    }
}

impl<F: Float> Resumable<F> for Adam<F> {
    fn describe(&self) -> String {
        format!("Adam(β₁ = {}, β₂ = {}, ε = {})", self.beta1, self.beta2, self.epsilon)
    }

    /// The step count t (`steps`) and the moment estimates m and v of every tensor.
    fn state(&self) -> OptimizerState<F> {
        OptimizerState {
            counters: vec![("steps".to_owned(), self.steps)],
            slots: self.moments.to_state(["m", "v"]),
        }
    }

    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error> {
        let steps = state.counter("steps")?;
        self.moments = Slots::from_state(["m", "v"], state.slots)?;
        self.steps = steps;
        Ok(())
    }
}
