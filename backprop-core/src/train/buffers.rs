//! The buffers of a run, reused from batch to batch: the current mini-batch, the network's
//! workspace, the diagnostics' state and the processes' collectives.

use ndarray::{Array2, Axis, Slice};

use super::diagnostics::Diagnostics;
use super::group::Group;
use crate::float::Float;
use crate::network::Network;
use crate::targets::Targets;
use crate::workspace::Workspace;

/// The buffers of a run, reused from batch to batch: the inputs and targets of the current
/// mini-batch, the network's workspace, and the diagnostics' state.
pub(crate) struct Buffers<F: Float, N: Network<F>> {
    /// The inputs of the current mini-batch, one per row.
    pub(crate) x: Array2<F>,
    /// The targets of the current mini-batch.
    pub(crate) y: BatchTargets<F>,
    /// The network's workspace.
    pub(crate) workspace: Workspace<F, N::Gradients>,
    /// The diagnostics' state over an epoch.
    pub(crate) diagnostics: Diagnostics<F>,
    /// The processes of a distributed run, with the buffers of their collectives.
    pub(crate) group: Option<Group<F>>,
}

impl<F: Float, N: Network<F>> Buffers<F, N> {
    /// Buffers for batches of up to `batch` samples with targets of the kind of `y`.
    pub(crate) fn new(y: Targets<'_, F>, batch: usize, group: Option<Group<F>>) -> Self {
        Buffers {
            x: Array2::zeros((batch, N::INPUT)),
            y: BatchTargets::new(y, batch, N::OUTPUT),
            workspace: N::workspace(),
            diagnostics: Diagnostics::new(N::LAYERS),
            group,
        }
    }
}

/// The targets of the current mini-batch, gathered into a buffer reused from batch to batch.
pub(crate) enum BatchTargets<F> {
    /// Rows of target values.
    Values(Array2<F>),
    /// Class labels.
    Classes(Vec<usize>),
}

impl<F: Float> BatchTargets<F> {
    /// A buffer for `batch` targets of the kind of `y`, rows of `outputs` values or labels.
    fn new(y: Targets<'_, F>, batch: usize, outputs: usize) -> Self {
        match y {
            Targets::Values(_) | Targets::Column(_) => BatchTargets::Values(Array2::zeros((batch, outputs))),
            Targets::Classes(_) => BatchTargets::Classes(Vec::with_capacity(batch)),
        }
    }

    /// Copies the targets of the samples `indices` (in `y`, which the plan has checked)
    /// into the buffer and returns them.
    pub(crate) fn gather<'b>(&'b mut self, y: Targets<'_, F>, indices: &[usize]) -> Targets<'b, F> {
        // One value per sample (for one output, which the plan has checked) is the same targets
        // as a matrix of one column.
        let y = match y {
            Targets::Column(v) => Targets::Values(v.insert_axis(Axis(1))),
            y => y,
        };
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
