//! The training loop: epochs of shuffled mini-batches.

use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2, Axis, Slice};
use rand_core::RngCore;

use super::history::{Epoch, History};
use super::metrics::{Metrics, evaluate};
use super::progress::{Display, Progress};
use crate::optim::{check_count, check_option};
use crate::{Constant, Cost, Error, Float, Network, Optimizer, Schedule, Targets};

/// Trains a network with an optimiser: epochs of mini-batches drawn in a seeded random order,
/// an optional validation set measured after each epoch, an optional learning-rate schedule and
/// early stopping, and a [`History`] of every epoch.
///
/// The `backprop` crate's documentation shows it training a network declared with `network!`.
///
/// Every option has a default (10 epochs, batches of 32, seed 0, constant learning rate, no
/// validation, no early stopping, [`Progress::Auto`]) and is checked by [`fit`](Trainer::fit),
/// which returns [`Error::InvalidOption`] for a bad one.
#[derive(Debug)]
pub struct Trainer<'v, F: Float, O> {
    optimizer: O,
    epochs: usize,
    batch_size: usize,
    seed: u64,
    schedule: Box<dyn Schedule<F>>,
    initial_rate: Option<F>,
    validation: Option<(ArrayView2<'v, F>, Targets<'v, F>)>,
    early_stopping: Option<(usize, F)>,
    progress: Progress,
    training_accuracy: bool,
}

impl<'v, F: Float, O: Optimizer<F>> Trainer<'v, F, O> {
    /// A trainer that updates with `optimizer`, with every other option at its default.
    pub fn new(optimizer: O) -> Self {
        Trainer {
            optimizer,
            epochs: 10,
            batch_size: 32,
            seed: 0,
            schedule: Box::new(Constant),
            initial_rate: None,
            validation: None,
            early_stopping: None,
            progress: Progress::Auto,
            training_accuracy: true,
        }
    }

    /// The number of passes over the training set (at least 1; default 10).
    pub fn epochs(self, epochs: usize) -> Self {
        Trainer { epochs, ..self }
    }

    /// The number of samples per step (at least 1; default 32). The last batch of an epoch holds
    /// what is left, so every sample is used once per epoch; a batch size above the number of
    /// samples gives full-batch gradient descent.
    pub fn batch_size(self, batch_size: usize) -> Self {
        Trainer { batch_size, ..self }
    }

    /// The seed of the order of the samples (default 0). The order is a Fisher–Yates shuffle
    /// per epoch from ChaCha8 seeded with `seed`, the same on every machine, so that a network
    /// from the same `with_seed` trained with the same options and data ends with bit-identical
    /// weights.
    pub fn seed(self, seed: u64) -> Self {
        Trainer { seed, ..self }
    }

    /// The learning rate of each epoch, from the optimiser's rate when training starts
    /// (default [`Constant`]).
    pub fn schedule(self, schedule: impl Schedule<F> + 'static) -> Self {
        Trainer { schedule: Box::new(schedule), ..self }
    }

    /// A validation set, on which the cost (and accuracy, for classification costs) is measured
    /// after every epoch.
    pub fn validation(self, x: ArrayView2<'v, F>, y: impl Into<Targets<'v, F>>) -> Self {
        Trainer { validation: Some((x, y.into())), ..self }
    }

    /// Stops when the validation loss has not fallen below its best by more than `min_delta`
    /// for `patience` (at least 1) epochs in a row, and in any case ends training with the
    /// weights of the epoch of that best validation loss ([`History::best_epoch`]). Needs a
    /// [`validation`](Trainer::validation) set; `min_delta` must be finite and not negative.
    pub fn early_stopping(self, patience: usize, min_delta: F) -> Self {
        Trainer { early_stopping: Some((patience, min_delta)), ..self }
    }

    /// What to show while training (default [`Progress::Auto`]: a bar on a terminal, nothing
    /// otherwise).
    pub fn progress(self, progress: Progress) -> Self {
        Trainer { progress, ..self }
    }

    /// Whether to measure the accuracy on the training set after each epoch, for
    /// classification costs (default true). It costs one forward pass over the training set
    /// per epoch.
    pub fn training_accuracy(self, measure: bool) -> Self {
        Trainer { training_accuracy: measure, ..self }
    }

    /// The optimiser, with its state.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The optimiser, writable.
    pub fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    /// Unwraps the optimiser.
    pub fn into_optimizer(self) -> O {
        self.optimizer
    }

    /// Trains `net` on the samples `x` (one per row) and their targets `y` (labels or rows),
    /// and returns the history of the epochs.
    ///
    /// Each epoch sets the optimiser's learning rate from the schedule, shuffles the samples,
    /// and takes one optimiser step per mini-batch; then it measures the validation set, if
    /// any, and checks for early stopping. Every option, the data and the validation set are
    /// checked before the first step. The optimiser keeps its state between calls; the
    /// schedule starts again from the learning rate the optimiser had at the first call.
    pub fn fit<'a, N: Network<F>>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: impl Into<Targets<'a, F>>,
    ) -> Result<History<F>, Error> {
        let y = y.into();
        let epochs = check_count("the number of epochs", self.epochs, "at least 1")?;
        let batch_size = check_count("the batch size", self.batch_size, "at least 1")?;
        check_data::<F, N>(x, y)?;
        if let Some((xv, yv)) = self.validation {
            check_data::<F, N>(xv, yv)?;
        }
        let early_stopping = match self.early_stopping {
            None => None,
            Some(_) if self.validation.is_none() => {
                return Err(Error::InvalidOption {
                    what: "early stopping",
                    expected: "a validation set to watch (set one with `validation`)",
                    found: "none".to_owned(),
                });
            }
            Some((patience, min_delta)) => Some((
                check_count("the patience of early stopping", patience, "at least 1 epoch")?,
                check_option("min_delta of early stopping", min_delta, "finite and not negative", |d| {
                    d >= F::zero()
                })?,
            )),
        };
        let initial_rate = *self.initial_rate.get_or_insert(self.optimizer.learning_rate());
        let classify = <N::Cost as Cost<F>>::CLASSIFICATION;

        let n = x.nrows();
        let batch = batch_size.min(n);
        let batches = n.div_ceil(batch);
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = crate::seeded_rng(self.seed);
        let mut x_batch = Array2::zeros((batch, N::INPUT));
        let mut y_batch = BatchTargets::new(y, batch, N::OUTPUT);
        let mut workspace = N::workspace();
        let mut best = Best::default();
        let mut history =
            History { epochs: Vec::with_capacity(epochs), best_epoch: None, stopped_early: false };
        let mut display = Display::new(self.progress);

        for epoch in 1..=epochs {
            let learning_rate = self.schedule.rate(initial_rate, epoch - 1);
            self.optimizer.set_learning_rate(learning_rate)?;
            shuffle(&mut order, &mut rng);
            display.start_epoch(epoch, epochs, batches);
            let start = Instant::now();
            let (mut total, mut seen) = (F::zero(), 0usize);
            for (b, indices) in order.chunks(batch).enumerate() {
                let m = indices.len();
                for (row, &i) in indices.iter().enumerate() {
                    x_batch.row_mut(row).assign(&x.row(i));
                }
                let targets = y_batch.gather(y, indices);
                let x_batch = x_batch.slice_axis(Axis(0), Slice::from(..m));
                let loss = net.train_step(x_batch, targets, &mut workspace, &mut self.optimizer)?;
                total += loss * F::of_usize(m);
                seen += m;
                let running = (total / F::of_usize(seen)).to_f64();
                display.batch_done(b + 1, running, seen as f64 / start.elapsed().as_secs_f64().max(1e-9));
            }
            let train_seconds = start.elapsed().as_secs_f64();
            let train_accuracy =
                if classify && self.training_accuracy { evaluate(net, x, y)?.accuracy } else { None };
            let validation = match self.validation {
                Some((xv, yv)) => Some(evaluate(net, xv, yv)?),
                None => None,
            };
            let record = Epoch {
                epoch,
                learning_rate,
                train_loss: total / F::of_usize(seen.max(1)),
                train_accuracy,
                validation_loss: validation.map(|v: Metrics<F>| v.loss),
                validation_accuracy: validation.and_then(|v| v.accuracy),
                seconds: start.elapsed().as_secs_f64(),
                samples_per_second: n as f64 / train_seconds.max(1e-9),
            };
            display.end_epoch(&record.summary(Some(epochs)));
            history.epochs.push(record);

            if let Some(v) = validation {
                let min_delta = early_stopping.map_or(F::zero(), |(_, d)| d);
                if best.loss.is_none_or(|b| v.loss < b - min_delta) {
                    best.loss = Some(v.loss);
                    best.epoch = epoch;
                    best.since = 0;
                    if early_stopping.is_some() {
                        best.save(net);
                    }
                } else {
                    best.since += 1;
                }
                history.best_epoch = Some(best.epoch);
                if early_stopping.is_some_and(|(patience, _)| best.since >= patience) {
                    history.stopped_early = epoch < epochs;
                    break;
                }
            }
        }
        display.finish();
        if early_stopping.is_some() && history.last().is_some_and(|e| e.epoch != best.epoch) {
            best.restore(net);
        }
        Ok(history)
    }
}

/// Checks a data set before training: inputs as wide as the network's input, finite; one target
/// per sample, valid for the network's cost.
fn check_data<F: Float, N: Network<F>>(x: ArrayView2<'_, F>, y: Targets<'_, F>) -> Result<(), Error> {
    crate::check_input(x, N::INPUT)?;
    y.check(x.nrows(), N::OUTPUT)?;
    let cost = N::Cost::default();
    for i in 0..y.len() {
        if let Some(target) = y.get(i) {
            cost.check_target(i, &target)?;
        }
    }
    Ok(())
}

/// The targets of the current mini-batch, gathered into a buffer reused from batch to batch.
enum BatchTargets<F> {
    Values(Array2<F>),
    Classes(Vec<usize>),
}

impl<F: Float> BatchTargets<F> {
    fn new(y: Targets<'_, F>, batch: usize, outputs: usize) -> Self {
        match y {
            Targets::Values(_) => BatchTargets::Values(Array2::zeros((batch, outputs))),
            Targets::Classes(_) => BatchTargets::Classes(Vec::with_capacity(batch)),
        }
    }

    /// Copies the targets of the samples `indices` (in `y`, which [`check_data`] has checked)
    /// into the buffer and returns them.
    fn gather<'b>(&'b mut self, y: Targets<'_, F>, indices: &[usize]) -> Targets<'b, F> {
        match (self, y) {
            (BatchTargets::Values(buffer), Targets::Values(v)) => {
                for (row, &i) in indices.iter().enumerate() {
                    buffer.row_mut(row).assign(&v.row(i));
                }
                Targets::Values(buffer.slice_axis(Axis(0), Slice::from(..indices.len())))
            }
            (BatchTargets::Classes(buffer), Targets::Classes(c)) => {
                buffer.clear();
                buffer.extend(indices.iter().filter_map(|&i| c.get(i)));
                Targets::Classes(buffer)
            }
            // `new` made the buffer for the kind of `y`; an empty batch fails in `backward`.
            (BatchTargets::Values(buffer), _) => {
                Targets::Values(buffer.slice_axis(Axis(0), Slice::from(..0)))
            }
            (BatchTargets::Classes(_), _) => Targets::Classes(&[]),
        }
    }
}

/// The best validation loss so far, and the weights that had it.
#[derive(Default)]
struct Best<F> {
    loss: Option<F>,
    /// Its epoch, from 1.
    epoch: usize,
    /// Epochs since it.
    since: usize,
    weights: Vec<(Array2<F>, Array1<F>)>,
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

/// Shuffles `order` in place: Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2P), each index
/// drawn uniformly without bias from the generator's `u64` stream.
fn shuffle(order: &mut [usize], rng: &mut impl RngCore) {
    for i in (1..order.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        order.swap(i, j);
    }
}

/// A uniform integer in `0..n` (n ≥ 1): Lemire's multiply-and-reject, "Fast Random Integer
/// Generation in an Interval", ACM TOMACS 2019. The same on every platform.
fn below(rng: &mut impl RngCore, n: u64) -> u64 {
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffles_are_permutations_and_uniform_enough() {
        let mut rng = crate::seeded_rng(3);
        let mut counts = [[0usize; 4]; 4];
        for _ in 0..4000 {
            let mut order = [0, 1, 2, 3];
            shuffle(&mut order, &mut rng);
            let mut sorted = order;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
            for (position, &v) in order.iter().enumerate() {
                counts[position][v] += 1;
            }
        }
        // Each value lands in each position about 1000 times (binomial, σ ≈ 27).
        assert!(counts.iter().flatten().all(|&c| (850..1150).contains(&c)), "{counts:?}");
    }

    #[test]
    fn below_stays_below() {
        let mut rng = crate::seeded_rng(5);
        for n in [1, 2, 3, 7, 1000, u64::MAX] {
            assert!((0..100).all(|_| below(&mut rng, n) < n));
        }
    }
}
