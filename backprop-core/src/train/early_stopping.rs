//! Early stopping on the validation loss, keeping the weights of the best epoch.

use ndarray::{Array1, Array2};

use crate::float::Float;

use crate::network::Network;

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
    /// Takes the validation loss of `epoch`: a new best if it is below the best by more than
    /// `min_delta`, whose weights are copied from `net` when there is early stopping (a
    /// `patience`). Returns whether `patience` epochs in a row have now passed without a new
    /// best.
    pub(crate) fn observe<N: Network<F>>(
        &mut self,
        epoch: usize,
        loss: F,
        min_delta: F,
        patience: Option<usize>,
        net: &N,
    ) -> bool {
        if self.loss.is_none_or(|best| loss < best - min_delta) {
            self.loss = Some(loss);
            self.epoch = epoch;
            self.since = 0;
            if patience.is_some() {
                self.save(net);
            }
        } else {
            self.since += 1;
        }
        patience.is_some_and(|patience| self.since >= patience)
    }

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
    pub(crate) fn restore<N: Network<F>>(&self, net: &mut N) {
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
