//! What a trainer shows while it trains.

use std::time::{Duration, Instant};

use crate::float::Float;

/// What [`Trainer::fit`](super::Trainer::fit) shows on standard error while it trains.
///
/// Warnings about a layer ([`Warning`](super::Warning): dead, or a gradient that vanishes or
/// explodes) are shown in every mode but [`Off`](Progress::Off), terminal or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    /// When standard error is a terminal: a progress bar for the current epoch (`epoch 3/15`,
    /// batch i/n, the running loss, samples per second) and, above it, one summary line per
    /// finished epoch. Otherwise (output redirected to a file or a pipe, as in CI) nothing.
    #[default]
    Auto,
    /// One summary line per finished epoch, and no bar, whether or not standard error is a
    /// terminal: for logs.
    Lines,
    /// Nothing.
    Off,
}

/// How often the bar's message (loss, samples per second) is refreshed.
const REFRESH: Duration = Duration::from_millis(100);

/// The display of one training run.
pub(crate) struct Display {
    lines: bool,
    warnings: bool,
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
    last_refresh: Option<Instant>,
}

impl Display {
    /// The display for `mode`, for `epochs` epochs.
    pub(crate) fn new(mode: Progress) -> Self {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        Display {
            lines: mode == Progress::Lines || (mode == Progress::Auto && terminal),
            warnings: mode != Progress::Off,
            #[cfg(feature = "progress")]
            bar: (mode == Progress::Auto && terminal).then(bar),
            last_refresh: None,
        }
    }

    /// Starts epoch `epoch` (from 1) of `epochs`, of `batches` batches.
    pub(crate) fn start_epoch(&mut self, epoch: usize, epochs: usize, batches: usize) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_length(batches as u64);
            bar.set_prefix(format!("epoch {epoch}/{epochs}"));
            bar.set_message("");
        }
        #[cfg(not(feature = "progress"))]
        let _ = (epoch, epochs, batches);
        self.last_refresh = None;
    }

    /// Records that batch `batch` (from 1) is done, with the running loss and throughput.
    pub(crate) fn batch_done(&mut self, batch: usize, running_loss: f64, samples_per_second: f64) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.set_position(batch as u64);
            let now = Instant::now();
            if self.last_refresh.is_none_or(|t| now.duration_since(t) >= REFRESH) {
                self.last_refresh = Some(now);
                bar.set_message(format!("loss {}  {samples_per_second:.0} samples/s", loss(running_loss)));
            }
        }
        #[cfg(not(feature = "progress"))]
        let _ = (batch, running_loss, samples_per_second, REFRESH, self.last_refresh);
    }

    /// Ends an epoch with its summary line.
    pub(crate) fn end_epoch(&mut self, summary: &str) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.println(summary);
            return;
        }
        if self.lines {
            eprintln!("{summary}");
        }
    }

    /// Shows a warning about the training, above the bar if there is one.
    pub(crate) fn warn(&mut self, warning: &str) {
        if !self.warnings {
            return;
        }
        let line = format!("warning: {warning}");
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.println(line);
            return;
        }
        eprintln!("{line}");
    }

    /// Ends the run, clearing the bar.
    pub(crate) fn finish(&mut self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(feature = "progress")]
fn bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    // The template is a constant known to parse; a failure would only lose the styling.
    if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len}  {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A loss printed readably at any scale: four decimals, or scientific notation below 10⁻³.
pub(crate) fn loss<F: Float>(v: F) -> String {
    let v = v.to_f64();
    if v == 0.0 || v.abs() >= 1e-3 { format!("{v:.4}") } else { format!("{v:.3e}") }
}
