use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

use super::elements::{flush_subnormal, for_each_element, updates_are_finite};
use super::state::{OptimizerState, Resumable, Slots};
use super::step::non_finite_update;
use super::traits::{Tensors, UpdateRule};
use crate::check::{check_initial_rate, check_option};
use crate::error::Error;
use crate::float::Float;
use crate::reductions::max_abs_if_finite;

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
/// defaults are the paper's: β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸. Moment estimates that fall below
/// the smallest normal float are stored as 0: they no longer move θ, and computing with
/// subnormal floats is slow (see [`Sgd`](super::Sgd)'s momentum, which does the same).
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
    /// m and v per tensor.
    moments: Slots<F, 2>,
    /// Upper bounds of max |m| and max v per tensor, kept from step to step (see `begin_shrunk`).
    bounds: MomentBounds<F>,
}

/// Upper bounds (M, V) of max |m| and of max v, with every m and v finite and v ≥ 0, for each
/// tensor in visit order; `None` where none is known (after [`Resumable::set_state`], or a step
/// that needed the exact check). No state of the optimiser: two optimisers that differ only
/// here are equal.
#[derive(Clone, Debug, Default)]
struct MomentBounds<F> {
    /// The bounds after the last step.
    known: Vec<Option<(F, F)>>,
    /// The bounds after the step being checked, kept here so that a step allocates nothing.
    pending: Vec<Option<(F, F)>>,
}

impl<F> PartialEq for MomentBounds<F> {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
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
            moments: Slots::default(),
            bounds: MomentBounds::default(),
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

/// The constants of one Adam step: η/c₁, √c₂, and the options.
#[derive(Clone, Copy)]
struct StepConstants<F> {
    beta1: F,
    beta2: F,
    epsilon: F,
    step: F,
    sqrt_c2: F,
}

impl<F: Float> StepConstants<F> {
    /// The new parameter, m and v of one element:
    /// m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², θ ← θ − η m̂/(√v̂ + ε), with m̂ = m/c₁ and
    /// √v̂ = √v/√c₂ arranged as PyTorch's `adam` does, so that each element costs one square
    /// root and one division. What `update` writes and what `begin` checks.
    #[inline(always)]
    fn element(&self, theta: F, m: F, v: F, g: F) -> (F, F, F) {
        let (m, v) = self.moments(m, v, g);
        (theta - self.step * m / (v.sqrt() / self.sqrt_c2 + self.epsilon), m, v)
    }

    /// The new moment estimates m ← β₁ m + (1 − β₁) g and v ← β₂ v + (1 − β₂) g², each
    /// flushed to 0 where it falls below the smallest normal float ([`flush_subnormal`]).
    #[inline(always)]
    fn moments(&self, m: F, v: F, g: F) -> (F, F) {
        let one = F::one();
        let m = self.beta1 * m + (one - self.beta1) * g;
        let v = self.beta2 * v + (one - self.beta2) * g * g;
        (flush_subnormal(m), flush_subnormal(v))
    }
}

impl<F: Float> Adam<F> {
    /// The constants of the step with count `steps` (1 on the first step), and the bias
    /// corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ.
    fn constants(&self, steps: u64) -> (StepConstants<F>, (F, F)) {
        // β^t underflows to 0 long before t leaves the range of i32.
        let t = i32::try_from(steps).unwrap_or(i32::MAX);
        let (c1, c2) = (F::one() - self.beta1.powi(t), F::one() - self.beta2.powi(t));
        let constants = StepConstants {
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
            step: self.learning_rate / c1,
            sqrt_c2: c2.sqrt(),
        };
        (constants, (c1, c2))
    }

    /// [`UpdateRule::begin`], for parameters that `update` first multiplies by `shrink` (AdamW's
    /// decay; 1 for Adam, which leaves them exactly as they are): checks that every new
    /// parameter, m and v is finite, then allocates m and v on the first step and counts it.
    ///
    /// The check reads each tensor's θ and g once, in one vectorised pass for max |θ| and
    /// max |g| (which also finds a non-finite value), and not m and v: it keeps bounds M ≥ |m|
    /// and V ≥ v ≥ 0 from step to step. With G = max |g|,
    ///
    /// |m'| ≤ M' = β₁ M + (1 − β₁) G,   v' ≤ V' = β₂ V + (1 − β₂) G²,
    ///
    /// and since √v̂' + ε ≥ ε, |θ'| ≤ |shrink| max |θ| + (η/c₁) M' / ε. Each bound is computed
    /// in f64 and enlarged by a relative 2⁻²⁰ for the rounding of the element-wise arithmetic;
    /// when all three are below a quarter of the largest float, the step is finite. Where they
    /// are not (huge values, or no bound known), the update's own arithmetic is run over θ, m, v
    /// and g and every new value is checked, exactly as before.
    pub(crate) fn begin_shrunk(&mut self, tensors: &mut Tensors<'_, F>, shrink: F) -> Result<(), Error> {
        self.moments.check_shapes(tensors)?;
        let steps = self.steps.saturating_add(1);
        let (constants, _) = self.constants(steps);
        let limit = F::max_value().to_f64() / 4.0;
        let reach = constants.step.to_f64() / constants.epsilon.to_f64();
        let (beta1, beta2) = (self.beta1.to_f64(), self.beta2.to_f64());
        let rounding = 1.0 + 2f64.powi(-20);
        let (moments, known, bounds) = (&self.moments, &self.bounds.known, &mut self.bounds.pending);
        bounds.clear();
        let mut refused = None;
        tensors(&mut |i, p, g| {
            if refused.is_some() {
                return;
            }
            let state = moments.get(i).map(|[m, v]| (m, v));
            let before = match state {
                None => Some((0.0, 0.0)),
                Some(_) => known.get(i).copied().flatten().map(|(m, v)| (m.to_f64(), v.to_f64())),
            }
            .or_else(|| state.and_then(|(m, v)| bounds_of_state(m, v)));
            let after = before.zip(max_abs_if_finite(p.view()).zip(max_abs_if_finite(g.view()))).and_then(
                |((m, v), (theta, g))| {
                    let m = (beta1 * m + (1.0 - beta1) * g) * rounding;
                    let v = (beta2 * v + (1.0 - beta2) * g * g) * rounding;
                    let theta = (shrink.to_f64().abs() * theta + reach * m) * rounding;
                    (m <= limit && v <= limit && theta <= limit).then_some((F::of(m), F::of(v)))
                },
            );
            let finite = after.is_some()
                || updates_are_finite(&p, state, &g, |theta, m, v, g| {
                    let theta = if shrink == F::one() { theta } else { theta * shrink };
                    constants.element(theta, m, v, g)
                });
            if !finite {
                refused = Some(i);
            }
            bounds.push(after);
        });
        if let Some(i) = refused {
            return Err(non_finite_update(i));
        }
        self.moments.prepare(tensors)?;
        self.bounds.known.clear();
        self.bounds.known.extend_from_slice(&self.bounds.pending);
        self.steps = steps;
        Ok(())
    }
}

/// Bounds (max |m|, max v) of moments loaded from a state, if they are finite and v ≥ 0.
fn bounds_of_state<F: Float>(m: &ArrayD<F>, v: &ArrayD<F>) -> Option<(f64, f64)> {
    let m = max_abs_if_finite(m.view())?;
    let v = v
        .iter()
        .try_fold(0.0, |max: f64, &v| (v.is_finite() && v >= F::zero()).then(|| max.max(Float::to_f64(v))))?;
    Some((m, v))
}

impl<F: Float> UpdateRule<F> for Adam<F> {
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        self.begin_shrunk(tensors, F::one())
    }

    fn update(&mut self, index: usize, mut parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>) {
        if parameter.shape() != gradient.shape() {
            return;
        }
        let (constants, _) = self.constants(self.steps);
        let Some([m, v]) = self.moments.get_mut(index, parameter.shape()) else {
            return;
        };
        for_each_element(
            parameter.view_mut(),
            m.view_mut(),
            v.view_mut(),
            gradient,
            move |theta, m, v, g| {
                (*theta, *m, *v) = constants.element(*theta, *m, *v, g);
            },
        );
    }

    fn reset(&mut self) {
        self.moments.clear();
        self.bounds.known.clear();
        self.steps = 0;
    }

    fn eta(&self) -> F {
        self.learning_rate
    }

    fn eta_mut(&mut self) -> &mut F {
        &mut self.learning_rate
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

    /// Refuses a state whose second moments v are not all ≥ 0 (a sum of squares), or whose
    /// step count is 0 with moments or more than 0 without.
    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error> {
        let steps = state.counter("steps")?;
        let invalid =
            |expected, found| Error::InvalidOption { what: "the optimiser's state", expected, found };
        for (tensor, v) in
            state.slots.iter().filter(|(name, _)| name == "v").flat_map(|(_, b)| b.iter().enumerate())
        {
            if let Some((index, value)) = v.indexed_iter().find(|(_, v)| v.is_nan() || **v < F::zero()) {
                let found = format!(
                    "v = {value} at index {:?} of parameter tensor {tensor}",
                    ndarray::Dimension::slice(&index)
                );
                return Err(invalid("Adam's second moments v, each ≥ 0", found));
            }
        }
        let moments = state.slots.first().is_some_and(|(_, buffers)| !buffers.is_empty());
        if moments != (steps > 0) {
            let found = format!("{steps} steps with{} moments", if moments { "" } else { "out" });
            return Err(invalid("moments after every step, and none before the first", found));
        }
        self.moments = Slots::from_state(["m", "v"], state.slots)?;
        self.bounds.known.clear();
        self.steps = steps;
        Ok(())
    }
}
