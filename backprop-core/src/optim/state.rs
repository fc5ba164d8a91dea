//! An optimiser's state between steps: as a checkpoint stores it ([`OptimizerState`], and the
//! trait [`Resumable`] of the optimisers that can give and take it), and as the optimisers of
//! this module keep it (per-tensor buffers, and scratch buffers for the wrappers).

use ndarray::{ArrayD, ArrayViewD};

use super::traits::{Optimizer, Tensors};
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
/// [`Trainer::checkpoint`]: crate::train::Trainer::checkpoint
/// [`Trainer::resume`]: crate::train::Trainer::resume
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

/// Per-tensor state of an optimiser: `K` buffers per tensor, shaped like it, in visit order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Slots<F, const K: usize> {
    buffers: Vec<[ArrayD<F>; K]>,
}

impl<F, const K: usize> Default for Slots<F, K> {
    fn default() -> Self {
        Slots { buffers: Vec::new() }
    }
}

impl<F: Float, const K: usize> Slots<F, K> {
    /// Allocates zero buffers shaped like the tensors on the first step; on later steps checks
    /// that the tensors still have the shapes the buffers were built for.
    pub(crate) fn prepare(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        if self.buffers.is_empty() {
            let buffers = &mut self.buffers;
            tensors(&mut |_, p, _| buffers.push(core::array::from_fn(|_| ArrayD::zeros(p.raw_dim()))));
            return Ok(());
        }
        self.check_shapes(tensors)
    }

    /// Checks that the tensors have the shapes the buffers were built for (any shapes before
    /// the first step), allocating nothing.
    pub(crate) fn check_shapes(&self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        if self.buffers.is_empty() {
            return Ok(());
        }
        let (mut count, mut same) = (0, true);
        tensors(&mut |i, p, _| {
            same &= self.buffers.get(i).is_some_and(|b| b.iter().all(|b| b.shape() == p.shape()));
            count += 1;
        });
        if same && count == self.buffers.len() {
            return Ok(());
        }
        let mut found = Vec::new();
        tensors(&mut |_, p, _| found.push(p.shape().to_vec()));
        let expected =
            self.buffers.iter().map(|b| b.first().map_or_else(Vec::new, |b| b.shape().to_vec())).collect();
        Err(Error::OptimizerState { expected, found })
    }

    /// The buffers of tensor `index`, if they exist.
    pub(crate) fn get(&self, index: usize) -> Option<&[ArrayD<F>; K]> {
        self.buffers.get(index)
    }

    /// The buffers of tensor `index`, if they exist and have `shape`.
    pub(crate) fn get_mut(&mut self, index: usize, shape: &[usize]) -> Option<&mut [ArrayD<F>; K]> {
        self.buffers.get_mut(index).filter(|b| b.iter().all(|b| b.shape() == shape))
    }

    /// Forgets every buffer.
    pub(crate) fn clear(&mut self) {
        self.buffers.clear();
    }
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

/// A scratch buffer per tensor, for wrappers that pass transformed gradients on: reused from
/// step to step, reallocated only when a tensor's shape changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch<F> {
    buffers: Vec<ArrayD<F>>,
}

impl<F> PartialEq for Scratch<F> {
    /// Always: what a scratch buffer holds between steps is no state of the optimiser (each
    /// step writes it before reading it), so two optimisers that differ only there are equal.
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<F: Float> Scratch<F> {
    /// The buffer of tensor `index`, shaped like `like` (contents unspecified).
    pub(crate) fn buffer(&mut self, index: usize, like: &ArrayViewD<'_, F>) -> &mut ArrayD<F> {
        if self.buffers.len() <= index {
            self.buffers.resize_with(index + 1, || ArrayD::zeros(ndarray::IxDyn(&[0])));
        }
        let buffer = &mut self.buffers[index];
        if buffer.shape() != like.shape() {
            *buffer = ArrayD::zeros(like.raw_dim());
        }
        buffer
    }
}
