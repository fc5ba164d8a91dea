//! An optimiser's state between steps, as a checkpoint stores it.

use ndarray::ArrayD;

use super::{Optimizer, Slots};
use crate::error::Error;
use crate::float::Float;

/// What an optimiser keeps between steps, so that a run resumed from a checkpoint takes the
/// same steps as one that never stopped: counters (Adam's step count t) and buffers shaped like
/// the parameters (Adam's m and v, momentum's velocity).
///
/// A checkpoint stores buffer `slot` of parameter tensor i (in visit order: the first layer's
/// weight, its bias, the second layer's weight, …) as the tensor
/// `optimizer.<layer>.<weight|bias>.<slot>`, for example `optimizer.hidden1.weight.m`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizerState<F> {
    /// Named counters, such as `("steps", 12)`.
    pub counters: Vec<(String, u64)>,
    /// Named buffers, each with one array per parameter tensor in visit order, or none at all
    /// before the first step allocated them.
    pub slots: Vec<(String, Vec<ArrayD<F>>)>,
}

impl<F: Float> OptimizerState<F> {
    /// The counter `name`, or an error saying the state lacks it.
    pub fn counter(&self, name: &str) -> Result<u64, Error> {
        self.counters.iter().find(|(n, _)| n == name).map(|&(_, v)| v).ok_or_else(|| Error::InvalidOption {
            what: "the optimiser's state",
            expected: "the counters the optimiser keeps",
            found: format!("no counter `{name}` among {:?}", self.counters),
        })
    }
}

/// An optimiser whose state a checkpoint can hold: what [`Trainer::checkpoint`] and
/// [`Trainer::resume`] need of it. Every optimiser of the library implements it.
///
/// [`Trainer::checkpoint`]: crate::Trainer::checkpoint
/// [`Trainer::resume`]: crate::Trainer::resume
pub trait Resumable<F: Float>: Optimizer<F> {
    /// The rule and its options, but not the learning rate (which a schedule sets), for
    /// example `Adam(β₁ = 0.9, β₂ = 0.999, ε = 0.00000001)`. A checkpoint records it, and
    /// resuming with an optimiser that describes itself otherwise is an error.
    fn describe(&self) -> String;

    /// The state to store.
    fn state(&self) -> OptimizerState<F>;

    /// Takes the state from a checkpoint. The trainer has checked that the buffers have the
    /// network's shapes, in visit order, and that [`describe`](Resumable::describe) matches;
    /// a state of another shape of slots or counters is an error, and changes nothing.
    fn set_state(&mut self, state: OptimizerState<F>) -> Result<(), Error>;
}

impl<F: Float, const K: usize> Slots<F, K> {
    /// The buffers as named slots: slot k holds buffer k of every tensor.
    pub(crate) fn to_state(&self, names: [&str; K]) -> Vec<(String, Vec<ArrayD<F>>)> {
        names
            .iter()
            .enumerate()
            .map(|(k, name)| (name.to_string(), self.buffers.iter().map(|b| b[k].clone()).collect()))
            .collect()
    }

    /// Buffers from named slots, which must be exactly `names`, in order, each with as many
    /// arrays as the others (none: no step taken yet).
    pub(crate) fn from_state(names: [&str; K], slots: Vec<(String, Vec<ArrayD<F>>)>) -> Result<Self, Error> {
        let found: Vec<&str> = slots.iter().map(|(n, _)| n.as_str()).collect();
        let count = slots.first().map_or(0, |(_, b)| b.len());
        if found != names || slots.iter().any(|(_, b)| b.len() != count) {
            return Err(Error::InvalidOption {
                what: "the optimiser's state",
                expected: "the buffers the optimiser keeps, one per parameter tensor",
                found: format!(
                    "slots {:?} with {:?} buffers, for an optimiser that keeps {names:?}",
                    found,
                    slots.iter().map(|(_, b)| b.len()).collect::<Vec<_>>()
                ),
            });
        }
        let mut columns: Vec<std::vec::IntoIter<ArrayD<F>>> =
            slots.into_iter().map(|(_, b)| b.into_iter()).collect();
        let buffers = (0..count)
            .filter_map(|_| {
                let row: Vec<ArrayD<F>> = columns.iter_mut().filter_map(Iterator::next).collect();
                row.try_into().ok()
            })
            .collect();
        Ok(Slots { buffers })
    }
}
