//! The run loop shared by [`Trainer::fit`](super::Trainer::fit) and
//! [`Trainer::resume`](super::Trainer::resume): epoch after epoch from where the run stands,
//! each followed by its bookkeeping (the history, early stopping, the `on_epoch` hook, a
//! checkpoint when one is due), then the network left with the right weights.

use super::checkpoint;
use super::checkpointing::Checkpointing;
use super::epoch::{Context, epoch};
use super::fit_error::FitError;
use super::group::{agree, on_root};
use super::history::{History, StopReason};
use super::hook::EpochHook;
use super::state::Setup;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::optim::Optimizer;

/// Trains `cx`'s run until the plan's last epoch, early stopping or a `Break` of `hook`,
/// writing checkpoints with `checkpointing` when they are due, and returns the history of every
/// epoch. With early stopping, the network ends with the weights of the best epoch, after an
/// error too.
// A FitError is returned at most once per training run, so its size costs nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn run<F: Float, N: Network<F>, O: Optimizer<F>>(
    mut cx: Context<'_, '_, F, N, O>,
    checkpointing: Option<&Checkpointing<F, O>>,
    hook: &mut impl EpochHook<F, N>,
) -> Result<History<F>, FitError<F>> {
    let result = epochs(&mut cx, checkpointing, hook);
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

/// The epochs of [`run`], each followed by its bookkeeping: the history, early stopping, the
/// hook, and a checkpoint when one is due (after a stop too).
fn epochs<F: Float, N: Network<F>, O: Optimizer<F>>(
    cx: &mut Context<'_, '_, F, N, O>,
    checkpointing: Option<&Checkpointing<F, O>>,
    hook: &mut impl EpochHook<F, N>,
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
        // The hook sees the epoch's record and the weights of its end; in a distributed run it
        // runs on rank 0, and every rank takes its decision.
        let history = &mut cx.run.history;
        let record = history.epochs.last();
        let net = &*cx.net;
        let hook_stops = on_root(&cx.buffers.group, || {
            record.is_some_and(|record| hook.after_epoch(record, net).is_break())
        });
        if hook_stops && !stop {
            stop = true;
            if cx.run.epoch < cx.plan.epochs {
                history.stopped_early = true;
                history.stopped_by = Some(StopReason::Hook);
            }
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
