use core::fmt::Debug;

use crate::check::{check_count, check_option};
use crate::error::Error;
use crate::float::Float;

/// A learning-rate schedule: the learning rate η_e of each epoch e, from the optimiser's initial
/// rate η₀. A trainer sets it with [`Optimizer::set_learning_rate`](super::Optimizer) before
/// each epoch.
pub trait Schedule<F: Float>: Debug {
    /// η_e, the learning rate of epoch `epoch` (counted from 0), given the initial rate η₀ =
    /// `initial`.
    fn rate(&self, initial: F, epoch: usize) -> F;
}

/// The same rate every epoch: η_e = η₀.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Constant;

impl<F: Float> Schedule<F> for Constant {
    fn rate(&self, initial: F, _epoch: usize) -> F {
        initial
    }
}

/// Step decay: the rate is multiplied by γ every `step_size` epochs,
///
/// η_e = η₀ γ^⌊e / step_size⌋,
///
/// as PyTorch's `torch.optim.lr_scheduler.StepLR`.
///
/// ```
/// use backprop_core::optim::{Schedule, StepDecay};
///
/// let schedule = StepDecay::<f64>::new(10, 0.5)?;
/// assert_eq!(schedule.rate(0.1, 9), 0.1);
/// assert_eq!(schedule.rate(0.1, 10), 0.05);
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay<F> {
    step_size: usize,
    gamma: F,
}

impl<F: Float> StepDecay<F> {
    /// Multiplies the rate by `gamma` (in (0, 1]) every `step_size` (at least 1) epochs.
    pub fn new(step_size: usize, gamma: F) -> Result<Self, Error> {
        let step_size = check_count("the step size of a step decay", step_size, "at least 1 epoch")?;
        let gamma =
            check_option("the decay factor γ", gamma, "in (0, 1]", |g| g > F::zero() && g <= F::one())?;
        Ok(StepDecay { step_size, gamma })
    }
}

impl<F: Float> Schedule<F> for StepDecay<F> {
    fn rate(&self, initial: F, epoch: usize) -> F {
        let steps = epoch / self.step_size.max(1);
        initial * self.gamma.powi(i32::try_from(steps).unwrap_or(i32::MAX))
    }
}

/// Cosine annealing from η₀ down to η_min over `total` epochs,
///
/// η_e = η_min + (η₀ − η_min) (1 + cos(π e / total)) / 2  for e ≤ total, and η_min after,
///
/// which is SGDR without restarts (Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with
/// Warm Restarts", ICLR 2017, eq. (5)) and the formula of PyTorch's
/// `torch.optim.lr_scheduler.CosineAnnealingLR` (which, unlike this schedule, rises again after
/// `total` epochs).
///
/// ```
/// use backprop_core::optim::{Cosine, Schedule};
///
/// let schedule = Cosine::<f64>::new(10, 0.0)?;
/// assert_eq!(schedule.rate(0.1, 0), 0.1);
/// assert!((schedule.rate(0.1, 5) - 0.05).abs() < 1e-15);
/// assert_eq!(schedule.rate(0.1, 12), 0.0);
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cosine<F> {
    total: usize,
    min: F,
}

impl<F: Float> Cosine<F> {
    /// Anneals over `total` (at least 1) epochs down to `min`, finite and not negative.
    pub fn new(total: usize, min: F) -> Result<Self, Error> {
        let total = check_count("the length of a cosine schedule", total, "at least 1 epoch")?;
        let min =
            check_option("the final learning rate", min, "finite and not negative", |m| m >= F::zero())?;
        Ok(Cosine { total, min })
    }
}

impl<F: Float> Schedule<F> for Cosine<F> {
    fn rate(&self, initial: F, epoch: usize) -> F {
        if epoch >= self.total {
            return self.min;
        }
        let progress = epoch as f64 / self.total as f64;
        let factor = F::of((1.0 + (core::f64::consts::PI * progress).cos()) / 2.0);
        self.min + (initial - self.min) * factor
    }
}
