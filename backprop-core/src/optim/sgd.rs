use ndarray::{ArrayViewD, ArrayViewMutD};

use super::elements::{flush_subnormal, for_each_pair, updates_are_finite};
use super::state::{OptimizerState, Resumable, Slots};
use super::step::non_finite_update;
use super::traits::{Tensors, UpdateRule};
use crate::check::{check_initial_rate, check_option};
use crate::error::Error;
use crate::float::Float;

/// Stochastic gradient descent, with optional momentum or Nesterov momentum.
///
/// Plain, θ ← θ − η g, where g = ∂C/∂θ: Robbins & Monro, "A Stochastic Approximation Method",
/// 1951; the update of Nielsen, *Neural Networks and Deep Learning*, ch. 1, eqs. (20)–(21).
///
/// With momentum μ ([`with_momentum`](Sgd::with_momentum)), the heavy ball of Polyak, "Some
/// methods of speeding up the convergence of iteration methods", 1964, in the formulation of
/// PyTorch's `torch.optim.SGD` (dampening 0), with a velocity v per parameter that starts at 0:
///
/// v ← μ v + g,  θ ← θ − η v.
///
/// With Nesterov momentum ([`with_nesterov`](Sgd::with_nesterov)), Sutskever, Martens, Dahl &
/// Hinton, "On the importance of initialization and momentum in deep learning", ICML 2013, again
/// as PyTorch writes it (`nesterov=True`):
///
/// v ← μ v + g,  θ ← θ − η (g + μ v).
///
/// (PyTorch's v is η⁻¹ times Sutskever's; the two agree for a constant η.) A velocity that
/// falls below the smallest normal float is stored as 0: once its gradient is 0 it would
/// otherwise decay to the smallest subnormal float and stay there, and every operation on a
/// subnormal float costs x86 CPUs a microcode assist (`BENCHMARKS.md`).
///
/// ```
/// use backprop_core::Sgd;
///
/// let plain = Sgd::<f64>::new(0.1)?;
/// let heavy_ball = Sgd::<f64>::new(0.1)?.with_momentum(0.9)?;
/// let nesterov = Sgd::<f64>::new(0.1)?.with_nesterov(0.9)?;
/// assert!(Sgd::<f64>::new(0.1)?.with_momentum(1.0).is_err());
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<F> {
    learning_rate: F,
    momentum: F,
    nesterov: bool,
    velocity: Slots<F, 1>,
}

impl<F: Float> Sgd<F> {
    /// Plain SGD with learning rate η = `learning_rate`, which must be positive and finite.
    pub fn new(learning_rate: F) -> Result<Self, Error> {
        Ok(Sgd {
            learning_rate: check_initial_rate(learning_rate)?,
            momentum: F::zero(),
            nesterov: false,
            velocity: Slots::default(),
        })
    }

    /// Adds (heavy-ball) momentum μ = `momentum`, in [0, 1); 0 is plain SGD.
    pub fn with_momentum(self, momentum: F) -> Result<Self, Error> {
        let momentum = check_momentum(momentum, |m| m >= F::zero())?;
        Ok(Sgd { momentum, nesterov: false, ..self })
    }

    /// Adds Nesterov momentum μ = `momentum`, in (0, 1): Nesterov's look-ahead needs a momentum,
    /// so it is given here rather than switched on separately.
    pub fn with_nesterov(self, momentum: F) -> Result<Self, Error> {
        let momentum = check_momentum(momentum, |m| m > F::zero())?;
        Ok(Sgd { momentum, nesterov: true, ..self })
    }

    /// The momentum μ (0 for plain SGD).
    pub fn momentum(&self) -> F {
        self.momentum
    }

    /// Whether the momentum is Nesterov's.
    pub fn is_nesterov(&self) -> bool {
        self.nesterov
    }
}

impl<F: Float> Sgd<F> {
    /// The options without the state, to compute elements while the state is borrowed.
    fn clone_options(&self) -> Sgd<F> {
        Sgd { velocity: Slots::default(), ..*self }
    }
}

fn check_momentum<F: Float>(momentum: F, valid: impl Fn(F) -> bool) -> Result<F, Error> {
    check_option("the momentum", momentum, "in [0, 1) (in (0, 1) for Nesterov)", |m| valid(m) && m < F::one())
}

impl<F: Float> Sgd<F> {
    /// The new parameter θ and velocity v of one element: θ − η g without momentum (v stays 0),
    /// else v ← μ v + g and θ − η v, or θ − η (g + μ v) for Nesterov. What `update` writes and
    /// what `begin` checks.
    #[inline(always)]
    fn element(&self, theta: F, v: F, g: F) -> (F, F) {
        let (eta, mu) = (self.learning_rate, self.momentum);
        if mu == F::zero() {
            return (theta - eta * g, v);
        }
        let v = flush_subnormal(mu * v + g);
        let direction = if self.nesterov { g + mu * v } else { v };
        (theta - eta * direction, v)
    }
}

impl<F: Float> UpdateRule<F> for Sgd<F> {
    /// Checks that every new parameter and velocity is finite, then (with momentum) allocates
    /// the velocities on the first step.
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        let momentum = self.momentum > F::zero();
        if momentum {
            self.velocity.check_shapes(tensors)?;
        }
        let mut refused = None;
        tensors(&mut |i, p, g| {
            let state = self.velocity.get(i).filter(|_| momentum).map(|[v]| (v, v));
            if refused.is_none()
                && !updates_are_finite(&p, state, &g, |t, v, _, g| {
                    let (t, v) = self.element(t, v, g);
                    (t, v, F::zero())
                })
            {
                refused = Some(i);
            }
        });
        if let Some(i) = refused {
            return Err(non_finite_update(i));
        }
        if momentum { self.velocity.prepare(tensors) } else { Ok(()) }
    }

    fn update(&mut self, index: usize, mut parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>) {
        if parameter.shape() != gradient.shape() {
            return;
        }
        if self.momentum == F::zero() {
            let eta = self.learning_rate;
            if let (Some(p), Some(g)) = (parameter.as_slice_mut(), gradient.as_slice()) {
                // A loop over slices, which LLVM vectorises, where a `Zip` over dynamic
                // dimensions computes an index per element: θ − η g, as `element` does.
                pulp::Arch::new()
                    .dispatch(move || p.iter_mut().zip(g).for_each(|(theta, &g)| *theta -= eta * g));
            } else {
                parameter.zip_mut_with(&gradient, |theta, &g| *theta = self.element(*theta, F::zero(), g).0);
            }
            return;
        }
        let this = self.clone_options();
        let Some([velocity]) = self.velocity.get_mut(index, parameter.shape()) else {
            return;
        };
        for_each_pair(parameter.view_mut(), velocity.view_mut(), gradient, |theta, v, g| {
            (*theta, *v) = this.element(*theta, *v, g);
        });
    }

    fn reset(&mut self) {
        self.velocity.clear();
    }

    fn eta(&self) -> F {
        self.learning_rate
    }

    fn eta_mut(&mut self) -> &mut F {
        &mut self.learning_rate
    }

    /// When there is no momentum: then the update is θ ← θ − η ∂C/∂θ, with no velocity to keep,
    /// and a network's `train_step` fuses it with the backward pass.
    fn is_plain_descent(&self) -> bool {
        self.momentum == F::zero()
    }
}

impl<F: Float> Resumable<F> for Sgd<F> {
    fn describe(&self) -> String {
        match (self.momentum == F::zero(), self.nesterov) {
            (true, _) => "Sgd".to_owned(),
            (false, false) => format!("Sgd(momentum μ = {})", self.momentum),
            (false, true) => format!("Sgd(Nesterov momentum μ = {})", self.momentum),
        }
    }

    /// The velocity v of every tensor, with momentum; nothing for plain SGD.
    fn state(&self) -> OptimizerState<F> {
        let slots = if self.momentum > F::zero() { self.velocity.to_state(["velocity"]) } else { Vec::new() };
        OptimizerState { counters: Vec::new(), slots }
    }

    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error> {
        self.velocity = if self.momentum > F::zero() {
            Slots::from_state(["velocity"], state.slots)?
        } else {
            Slots::from_state([], state.slots).map(|_| Slots::default())?
        };
        Ok(())
    }
}
