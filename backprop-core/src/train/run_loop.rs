//! The run loop shared by [`Trainer::fit`](super::Trainer::fit) and
//! [`Trainer::resume`](super::Trainer::resume): epoch after epoch from where the run stands,
//! each followed by its bookkeeping (the history, early stopping, a checkpoint when one is
//! due), then the network left with the right weights.

use super::checkpoint;
use super::checkpointing::Checkpointing;
use super::epoch::{Context, epoch};
use super::fit_error::FitError;
use super::group::agree;
use super::history::History;
use super::state::Setup;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::optim::Optimizer;

/// Trains `cx`'s run until the plan's last epoch or early stopping, writing checkpoints with
/// `checkpointing` when they are due, and returns the history of every epoch. With early
/// stopping, the network ends with the weights of the best epoch, after an error too.
// A FitError is returned at most once per training run, so its size costs nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn run<F: Float, N: Network<F>, O: Optimizer<F>>(
    mut cx: Context<'_, '_, F, N, O>,
    checkpointing: Option<&Checkpointing<F, O>>,
) -> Result<History<F>, FitError<F>> {
    let result = epochs(&mut cx, checkpointing);
    cx.display.finish();
    match result {
        Ok(()) => {
            cx.run.early_stopping.finish(cx.net, &cx.run.history);
            Ok(cx.run.history)
        }
        Err(error) => {
            // The failed step changed nothing; with early stopping, go back to the best.
            cx.run.early_stopping.abandon(cx.net);
            Err(FitError { error, history: cx.run.history })
        }
    }
}

/// The epochs of [`run`], each followed by its bookkeeping: the history, early stopping, and a
/// checkpoint when one is due.
fn epochs<F: Float, N: Network<F>, O: Optimizer<F>>(
    cx: &mut Context<'_, '_, F, N, O>,
    checkpointing: Option<&Checkpointing<F, O>>,
) -> Result<(), Error> {
    // What checkpoints record of the configuration and the data: the same for every epoch,
    // and its fingerprints read all the data, so it is computed once.
    let setup = checkpointing.map(|c| Setup::new(cx.options, &cx.plan, cx.data, (c.describe)(cx.optimizer)));
    // A run that early stopping ended (in a checkpoint) stays ended.
    let mut stop = cx.run.early_stopping.stopped();
    while cx.run.epoch < cx.plan.epochs && !stop {
        let record = epoch(cx)?;
        cx.display.end_epoch(&record.summary(Some(cx.plan.epochs)));
        let validation_loss = record.validation_loss;
        cx.run.history.epochs.push(record);
        cx.run.epoch += 1;
        if let Some(loss) = validation_loss {
            stop = cx.run.early_stopping.observe(
                cx.run.epoch,
                cx.plan.epochs,
                loss,
                cx.net,
                &mut cx.run.history,
            );
        }
        if let (Some(checkpointing), Some(setup)) = (checkpointing, &setup) {
            if cx.plan.checkpoint_due(cx.run.epoch, stop) {
                // Rank 0 of a distributed run, which holds the path, writes; every rank
                // learns whether it could.
                let written = match &cx.plan.checkpoint {
                    Some(target) => {
                        let optimizer = (checkpointing.snapshot)(cx.optimizer);
                        checkpoint::write(target, cx.net, setup, &optimizer, &cx.run)
                    }
                    None => Ok(()),
                };
                agree(&cx.buffers.group, written)?;
            }
        }
    }
    Ok(())
}
