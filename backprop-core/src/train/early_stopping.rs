//! Early stopping on the validation loss, keeping the weights of the best epoch: the policy
//! (patience and `min_delta`) and where it stands, in one value that observes each epoch's
//! validation loss and says whether to stop (as burn-train's `learner/early_stopping.rs`).

use ndarray::{Array1, Array2};

use super::history::{History, StopReason};
use crate::float::Float;
use crate::network::Network;

/// Early stopping's policy and state: the best validation loss so far, and whether the run
/// is over. Without a policy, it still follows the best epoch, for [`History::best_epoch`], but
/// never stops a run nor keeps weights.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EarlyStopping<F> {
    /// The patience (at least 1) and `min_delta` (finite, not negative), if early stopping is on.
    policy: Option<(usize, F)>,
    /// The best epoch so far, with its weights when early stopping is on.
    pub(crate) best: Best<F>,
    /// Whether early stopping ended the run.
    stopped: bool,
}

impl<F: Float> EarlyStopping<F> {
    /// Early stopping with `policy` (patience and `min_delta`, or none) before the first epoch.
    pub(crate) fn new(policy: Option<(usize, F)>) -> Self {
        EarlyStopping { policy, best: Best::default(), stopped: false }
    }

    /// Early stopping with `policy` where a checkpoint left it: its best epoch, and whether it
    /// had ended the run (which [`ran_out`](EarlyStopping::ran_out) should say too).
    pub(crate) fn resumed(policy: Option<(usize, F)>, best: Best<F>, stopped: bool) -> Self {
        EarlyStopping { policy, best, stopped }
    }

    /// The patience, if early stopping is on.
    pub(crate) fn patience(&self) -> Option<usize> {
        self.policy.map(|(patience, _)| patience)
    }

    /// Whether early stopping ended the run.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Whether `patience` epochs in a row have passed without a new best: when the run stops.
    pub(crate) fn ran_out(&self) -> bool {
        self.patience().is_some_and(|patience| self.best.since >= patience)
    }

    /// Takes the validation `loss` of `epoch` (from 1) of a run of `epochs`: a new best if it is
    /// below the best by more than `min_delta` (0 without early stopping), whose weights are
    /// copied from `net` when early stopping is on. Records in `history` the best epoch and
    /// whether early stopping ended the run before its last epoch. Returns whether to stop.
    pub(crate) fn observe<N: Network<F>>(
        &mut self,
        epoch: usize,
        epochs: usize,
        loss: F,
        net: &N,
        history: &mut History<F>,
    ) -> bool {
        let min_delta = self.policy.map_or(F::zero(), |(_, min_delta)| min_delta);
        if self.best.loss.is_none_or(|best| loss < best - min_delta) {
            self.best.loss = Some(loss);
            self.best.epoch = epoch;
            self.best.since = 0;
            if self.policy.is_some() {
                self.best.save(net);
            }
        } else {
            self.best.since += 1;
        }
        self.stopped = self.ran_out();
        history.best_epoch = Some(self.best.epoch);
        history.stopped_early = self.stopped && epoch < epochs;
        history.stopped_by = history.stopped_early.then_some(StopReason::EarlyStopping);
        self.stopped
    }

    /// At the end of a run whose epochs are `history`: with early stopping, gives `net` back
    /// the weights of the best epoch, unless the last epoch was the best.
    pub(crate) fn finish<N: Network<F>>(&self, net: &mut N, history: &History<F>) {
        if self.policy.is_some() && history.last().is_some_and(|e| e.epoch != self.best.epoch) {
            self.best.restore(net);
        }
    }

    /// After an error (the failed step changed nothing): with early stopping, gives `net` back
    /// the weights of the best epoch so far, if there is one.
    pub(crate) fn abandon<N: Network<F>>(&self, net: &mut N) {
        if self.policy.is_some() && !self.best.weights.is_empty() {
            self.best.restore(net);
        }
    }
}

/// The best validation loss so far, the epoch that had it, and (with early stopping) that
/// epoch's weights.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Best<F> {
    /// The lowest validation loss so far, improved on by more than `min_delta` each time.
    pub(crate) loss: Option<F>,
    /// Its epoch, from 1.
    pub(crate) epoch: usize,
    /// Epochs since it.
    pub(crate) since: usize,
    /// Each layer's weight and bias at that epoch, kept only with early stopping.
    pub(crate) weights: Vec<(Array2<F>, Array1<F>)>,
}

impl<F: Float> Best<F> {
    /// Copies every parameter of `net`, reusing the buffers of the last copy.
    fn save<N: Network<F>>(&mut self, net: &N) {
        let mut i = 0;
        let weights = &mut self.weights;
        net.visit_parameters(&mut |p| {
            match weights.get_mut(i) {
                Some((w, b)) if w.dim() == p.weight.dim() && b.dim() == p.bias.dim() => {
                    w.assign(&p.weight);
                    b.assign(&p.bias);
                }
                _ => {
                    weights.truncate(i);
                    weights.push((p.weight.to_owned(), p.bias.to_owned()));
                }
            }
            i += 1;
        });
    }

    /// Sets every parameter of `net` to the saved copy.
    fn restore<N: Network<F>>(&self, net: &mut N) {
        let mut saved = self.weights.iter();
        net.visit_parameters_mut(&mut |mut p| {
            if let Some((w, b)) = saved.next() {
                if w.dim() == p.weight.dim() && b.dim() == p.bias.dim() {
                    p.weight.assign(w);
                    p.bias.assign(b);
                }
            }
        });
    }
}
