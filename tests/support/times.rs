//! A history without its times, which differ from run to run: what two runs that must train
//! the same bits compare. Shared by `train.rs` and
//! `checkpoint.rs`, as a module of `integration.rs`.

use backprop::History;

/// `history` with every epoch's `seconds` and `samples_per_second` set to 0.
pub fn without_times<F: Clone>(history: &History<F>) -> History<F> {
    let mut history = history.clone();
    for e in &mut history.epochs {
        e.seconds = 0.0;
        e.samples_per_second = 0.0;
    }
    history
}
