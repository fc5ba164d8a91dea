//! Diagnostics of training: for every layer and epoch, the size of the gradient, of the weights
//! and of the update, and for ReLU-like layers the units that never fired; and the warnings the
//! trainer gives once when a layer is dead or its gradient vanishes or explodes.
//!
//! The paper's equations say where each can go wrong. By (2), δ^l = σ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1}:
//! a ReLU unit whose z never exceeds 0 has σ' = 0 on every sample, so its δ is 0 and by (3) and
//! (4) its weights never change again (a dead unit), and nothing flows back through it. Going
//! down the layers, δ is multiplied by a σ' and a (W^{l+1})ᵀ at each, so its size can shrink
//! (vanish) or grow (explode) geometrically with depth.
//!
//! How they are measured, at little cost ([`Trainer::diagnostics`](super::Trainer::diagnostics)
//! switches them off): the gradient ‖∂C/∂W^l‖, the weights ‖W^l‖ and the update ‖ΔW^l‖ of one
//! step, the first of each epoch (the step itself is the one training takes, so the trained
//! weights are the same bits as without diagnostics; with plain gradient descent, which never
//! forms the gradients, one extra [`backward_in`](crate::Network::backward_in) on its batch
//! computes them); and which units of
//! each ReLU-like layer had z > 0 for some sample of the epoch, checked after every step, but only
//! for the units that have not fired yet, so that once every unit has fired it costs nothing.

use core::fmt;

use ndarray::{Array2, ArrayView2};

use super::progress::Display;
use crate::activation::Init;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::parameters::LayerInfo;
use crate::targets::Targets;
use crate::workspace::Workspace;

/// A layer is reported dead when at least this fraction of its units never fired in an epoch.
pub const DEAD_FRACTION: f64 = 0.5;

/// A layer's gradient is reported vanishing when its norm ‖∂C/∂W^l‖ is below this fraction of the
/// output layer's ‖∂C/∂W^L‖ on the same batch: the gradient lost four orders of magnitude on its
/// way down from the cost.
pub const VANISHING_RATIO: f64 = 1e-4;

/// A layer's gradient is reported exploding when it is not finite, or when its norm ‖∂C/∂W^l‖
/// exceeds this many times the norm of the weights ‖W^l‖: one step of plain gradient descent
/// with η = 0.01 would then change the weights by more than their own size.
pub const EXPLODING_RATIO: f64 = 1e2;

/// What one epoch measured of one layer, in [`Epoch::diagnostics`](super::Epoch::diagnostics).
///
/// Norms are Frobenius norms (the square root of the sum of the squares of the entries) of the
/// weights W^l only, not the biases. The first three are measured on the epoch's first step.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerDiagnostics {
    /// The layer's name.
    pub layer: String,
    /// ‖∂C/∂W^l‖, the gradient of equation (3) on the epoch's first batch.
    pub gradient_norm: f64,
    /// ‖W^l‖ before the epoch's first step.
    pub weight_norm: f64,
    /// ‖ΔW^l‖ / ‖W^l‖: how much the epoch's first step changed the weights, relative to their
    /// size (whatever the optimiser; around 10⁻³ is commonly taken as healthy). When the
    /// weights were all zero: 0 if they stayed so, infinite otherwise.
    pub update_ratio: f64,
    /// For a ReLU-like layer (one whose activation initialises with [`Init::He`]), the fraction of
    /// its units whose z^l was never above 0 for any sample of the epoch; `None` for other
    /// layers.
    pub dead_fraction: Option<f64>,
}

/// A problem of a layer that the trainer reported, in [`History::warnings`](super::History::warnings).
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    /// The epoch (counted from 1) in which it was first seen.
    pub epoch: usize,
    /// The layer's name.
    pub layer: String,
    /// What is wrong, with the numbers.
    pub problem: Problem,
}

/// What is wrong with a layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Problem {
    /// At least [`DEAD_FRACTION`] of the units of a ReLU-like layer never fired in the epoch.
    Dead {
        /// The units whose z was never above 0.
        never_fired: usize,
        /// The layer's units.
        units: usize,
    },
    /// ‖∂C/∂W^l‖ is below [`VANISHING_RATIO`] times the output layer's.
    Vanishing {
        /// ‖∂C/∂W^l‖.
        gradient_norm: f64,
        /// ‖∂C/∂W^L‖ of the output layer, on the same batch.
        output_gradient_norm: f64,
    },
    /// ‖∂C/∂W^l‖ is not finite, or above [`EXPLODING_RATIO`] times ‖W^l‖.
    Exploding {
        /// ‖∂C/∂W^l‖.
        gradient_norm: f64,
        /// ‖W^l‖.
        weight_norm: f64,
    },
}

impl Problem {
    /// `"dead"`, `"vanishing"` or `"exploding"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::Dead { .. } => "dead",
            Problem::Vanishing { .. } => "vanishing",
            Problem::Exploding { .. } => "exploding",
        }
    }
}

impl fmt::Display for Warning {
    /// One line, with the numbers: `epoch 1: layer `hidden2`: 16 of 16 units never fired …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Warning { epoch, layer, problem } = self;
        write!(f, "epoch {epoch}: layer `{layer}`: ")?;
        match *problem {
            Problem::Dead { never_fired, units } => write!(
                f,
                "{never_fired} of {units} units never fired (z ≤ 0 for every sample of the epoch), so no gradient flows back through them{}",
                if never_fired == units { ": the layer is dead" } else { "" }
            ),
            Problem::Vanishing { gradient_norm, output_gradient_norm } => write!(
                f,
                "the gradient vanishes: ‖∂C/∂W‖ = {gradient_norm:.2e} on the epoch's first batch, {:.1e} times the output layer's {output_gradient_norm:.2e}",
                gradient_norm / output_gradient_norm
            ),
            Problem::Exploding { gradient_norm, weight_norm } if !gradient_norm.is_finite() => write!(
                f,
                "the gradient explodes: ‖∂C/∂W‖ = {gradient_norm} on the epoch's first batch (‖W‖ = {weight_norm:.2e})"
            ),
            Problem::Exploding { gradient_norm, weight_norm } => write!(
                f,
                "the gradient explodes: ‖∂C/∂W‖ = {gradient_norm:.2e} on the epoch's first batch, {:.1e} times ‖W‖ = {weight_norm:.2e}",
                gradient_norm / weight_norm
            ),
        }
    }
}

/// Σ v² over `values`, in f64, in eight independent sums so that the loop vectorises.
fn sum_of_squares<F: Float>(values: &[F]) -> f64 {
    let mut lanes = [0.0; 8];
    let chunks = values.chunks_exact(8);
    let rest: f64 = chunks.remainder().iter().map(|&v| Float::to_f64(v).powi(2)).sum();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            let v = Float::to_f64(v);
            *lane += v * v;
        }
    }
    lanes.iter().sum::<f64>() + rest
}

/// Σ a² and Σ (b − a)² over `a` and `b`, in f64, in one vectorised pass.
fn sums_of_squares<F: Float>(a: &[F], b: &[F]) -> (f64, f64) {
    let (mut squares, mut differences) = ([0.0; 8], [0.0; 8]);
    let (chunks_a, chunks_b) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut rest = (0.0, 0.0);
    for (&a, &b) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
        let (a, b) = (Float::to_f64(a), Float::to_f64(b));
        rest = (rest.0 + a * a, rest.1 + (b - a) * (b - a));
    }
    for (chunk_a, chunk_b) in chunks_a.zip(chunks_b) {
        for i in 0..8 {
            let (a, b) = (Float::to_f64(chunk_a[i]), Float::to_f64(chunk_b[i]));
            squares[i] += a * a;
            differences[i] += (b - a) * (b - a);
        }
    }
    (squares.iter().sum::<f64>() + rest.0, differences.iter().sum::<f64>() + rest.1)
}

/// The Frobenius norm of `m`.
fn norm<F: Float>(m: ArrayView2<'_, F>) -> f64 {
    match m.as_slice_memory_order() {
        Some(values) => sum_of_squares(values).sqrt(),
        None => m.iter().map(|&v| Float::to_f64(v).powi(2)).sum::<f64>().sqrt(),
    }
}

/// The Frobenius norms of `before` and of `after − before`, two matrices of one shape.
fn norm_and_distance<F: Float>(before: ArrayView2<'_, F>, after: ArrayView2<'_, F>) -> (f64, f64) {
    let (squares, differences) = match (before.as_slice(), after.as_slice()) {
        (Some(a), Some(b)) => sums_of_squares(a, b),
        _ => before.iter().zip(&after).fold((0.0, 0.0), |(s, d), (&a, &b)| {
            let (a, b) = (Float::to_f64(a), Float::to_f64(b));
            (s + a * a, d + (b - a) * (b - a))
        }),
    };
    (squares.sqrt(), differences.sqrt())
}

/// The first step's measurements of one layer.
#[derive(Clone, Copy, Debug, Default)]
struct Step {
    gradient: f64,
    weight: f64,
    update: f64,
}

/// The diagnostics of a run in progress: the buffers of the measured step and which units have
/// fired in the current epoch.
pub(crate) struct Diagnostics<F> {
    /// The weights before the measured step, reused from epoch to epoch.
    snapshot: Vec<Array2<F>>,
    /// The measured step of the current epoch, per layer.
    step: Vec<Step>,
    /// Per layer: for a ReLU-like layer, the units that have not fired yet in this epoch.
    unfired: Vec<Option<Vec<usize>>>,
}

impl<F: Float> Diagnostics<F> {
    pub(crate) fn new(layers: &[LayerInfo]) -> Self {
        Diagnostics {
            snapshot: Vec::with_capacity(layers.len()),
            step: Vec::with_capacity(layers.len()),
            unfired: layers.iter().map(|_| None).collect(),
        }
    }

    /// Starts an epoch: no unit has fired yet.
    pub(crate) fn start_epoch(&mut self, layers: &[LayerInfo]) {
        self.step.clear();
        for (unfired, layer) in self.unfired.iter_mut().zip(layers) {
            if layer.init == Init::He {
                let units = unfired.get_or_insert_with(Vec::new);
                units.clear();
                units.extend(0..layer.outputs);
            }
        }
    }

    /// The epoch's first step, measured: the step training takes ([`Network::train_step`]),
    /// with the weights kept before it, and the gradient of its batch. An optimiser that
    /// updates through [`Optimizer::step`] leaves that gradient in the workspace; for one fused
    /// with the backward pass (plain gradient descent), which never forms it, an extra
    /// [`Network::backward_in`] computes it first. Returns the step's cost.
    ///
    /// `step` takes the step: [`Network::train_step`], or for a distributed run the step on
    /// the gradients summed over the processes, which it leaves in the workspace
    /// (`forms_gradients`: then no extra backward pass is needed).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn measured_step<N: Network<F>, O: Optimizer<F>>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
        workspace: &mut Workspace<F, N::Gradients>,
        optimizer: &mut O,
        forms_gradients: bool,
        step: impl FnOnce(&mut N, &mut Workspace<F, N::Gradients>, &mut O) -> Result<F, Error>,
    ) -> Result<F, Error> {
        let fused = optimizer.fused_learning_rate().is_some() && !forms_gradients;
        if fused {
            net.backward_in(x, y, workspace)?;
            self.gradient_norms(workspace);
        }
        let snapshot = &mut self.snapshot;
        let mut index = 0;
        net.visit_parameters(&mut |p| {
            match snapshot.get_mut(index) {
                Some(s) if s.dim() == p.weight.dim() => s.assign(&p.weight),
                Some(s) => *s = p.weight.to_owned(),
                None => snapshot.push(p.weight.to_owned()),
            }
            index += 1;
        });
        let cost = step(net, workspace, optimizer)?;
        if !fused {
            self.gradient_norms(workspace);
        }
        let (snapshot, step) = (&self.snapshot, &mut self.step);
        let mut index = 0;
        net.visit_parameters(&mut |p| {
            if let (Some(before), Some(step)) = (snapshot.get(index), step.get_mut(index)) {
                (step.weight, step.update) = norm_and_distance(before.view(), p.weight);
            }
            index += 1;
        });
        Ok(cost)
    }

    /// Starts the step's record with the norm of each layer's gradient in `workspace`.
    fn gradient_norms<G: crate::parameters::Gradients<F>>(&mut self, workspace: &Workspace<F, G>) {
        self.step.clear();
        let step = &mut self.step;
        workspace.gradients().visit(&mut |p| step.push(Step { gradient: norm(p.weight), ..Step::default() }));
    }

    /// Records which units fired in the step just taken: those with z > 0 for some sample of
    /// its batch. Looks only at the units that have not fired yet.
    pub(crate) fn observe<G: crate::parameters::Gradients<F>>(&mut self, workspace: &Workspace<F, G>) {
        for (unfired, buffers) in self.unfired.iter_mut().zip(workspace.layers()) {
            let Some(unfired) = unfired.as_mut().filter(|u| !u.is_empty()) else { continue };
            let z = buffers.z();
            // A unit fired if z > 0 for some sample; NaN is not a firing.
            unfired.retain(|&j| !z.column(j).iter().any(|&v| v > F::zero()));
        }
    }

    /// Which units of each ReLU-like layer have not fired yet this epoch, as flags (1: not
    /// fired), layer after layer: what the processes of a distributed run combine.
    #[cfg(feature = "mpi")]
    pub(crate) fn unfired_flags(&self, layers: &[LayerInfo]) -> Vec<u8> {
        let mut flags = Vec::new();
        for (unfired, layer) in self.unfired.iter().zip(layers) {
            if let Some(units) = unfired {
                let start = flags.len();
                flags.resize(start + layer.outputs, 0);
                for &j in units {
                    if let Some(f) = flags.get_mut(start + j) {
                        *f = 1;
                    }
                }
            }
        }
        flags
    }

    /// Sets the units not fired yet from [`unfired_flags`](Diagnostics::unfired_flags).
    #[cfg(feature = "mpi")]
    pub(crate) fn set_unfired(&mut self, layers: &[LayerInfo], flags: &[u8]) {
        let mut start = 0;
        for (unfired, layer) in self.unfired.iter_mut().zip(layers) {
            if let Some(units) = unfired {
                let end = (start + layer.outputs).min(flags.len());
                units.clear();
                units.extend(flags[start..end].iter().enumerate().filter(|(_, f)| **f == 1).map(|(j, _)| j));
                start = end;
            }
        }
    }

    /// The problems of the gradients found by the epoch's measured step: exploding (not finite,
    /// or above [`EXPLODING_RATIO`] times the weights) or vanishing (below [`VANISHING_RATIO`]
    /// times the output layer's).
    pub(crate) fn gradient_problems(&self, layers: &[LayerInfo], epoch: usize) -> Vec<Warning> {
        let output = self.step.last().map_or(0.0, |s| s.gradient);
        let mut warnings = Vec::new();
        for (i, (layer, step)) in layers.iter().zip(&self.step).enumerate() {
            let problem = if !step.gradient.is_finite()
                || (step.weight > 0.0 && step.gradient > EXPLODING_RATIO * step.weight)
            {
                Some(Problem::Exploding { gradient_norm: step.gradient, weight_norm: step.weight })
            } else if i + 1 < layers.len()
                && output.is_finite()
                && output > 0.0
                && step.gradient < VANISHING_RATIO * output
            {
                Some(Problem::Vanishing { gradient_norm: step.gradient, output_gradient_norm: output })
            } else {
                None
            };
            if let Some(problem) = problem {
                warnings.push(Warning { epoch, layer: layer.name.to_owned(), problem });
            }
        }
        warnings
    }

    /// The epoch's record of every layer, and the dead layers among them.
    pub(crate) fn finish_epoch(
        &self,
        layers: &[LayerInfo],
        epoch: usize,
    ) -> (Vec<LayerDiagnostics>, Vec<Warning>) {
        let mut records = Vec::with_capacity(layers.len());
        let mut warnings = Vec::new();
        for (i, layer) in layers.iter().enumerate() {
            let step = self.step.get(i).copied().unwrap_or_default();
            let never_fired = self.unfired.get(i).and_then(Option::as_ref).map(Vec::len);
            let units = layer.outputs;
            let dead_fraction = never_fired.map(|n| if units == 0 { 0.0 } else { n as f64 / units as f64 });
            if let (Some(never_fired), Some(fraction)) = (never_fired, dead_fraction) {
                if never_fired > 0 && fraction >= DEAD_FRACTION {
                    warnings.push(Warning {
                        epoch,
                        layer: layer.name.to_owned(),
                        problem: Problem::Dead { never_fired, units },
                    });
                }
            }
            records.push(LayerDiagnostics {
                layer: layer.name.to_owned(),
                gradient_norm: step.gradient,
                weight_norm: step.weight,
                update_ratio: match (step.weight > 0.0, step.update > 0.0) {
                    (true, _) => step.update / step.weight,
                    (false, true) => f64::INFINITY,
                    (false, false) => 0.0,
                },
                dead_fraction,
            });
        }
        (records, warnings)
    }
}

/// Adds to `warnings` those of `found` whose layer has not had a warning of the same kind
/// before, and shows each on `display`: each problem of each layer is reported once per run.
pub(crate) fn report(warnings: &mut Vec<Warning>, found: Vec<Warning>, display: &mut Display) {
    for warning in found {
        let seen =
            warnings.iter().any(|w| w.layer == warning.layer && w.problem.kind() == warning.problem.kind());
        if !seen {
            display.warn(&warning.to_string());
            warnings.push(warning);
        }
    }
}
