//! The buffers a training step works in, reused from step to step.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Slice};

use crate::error::Error;
use crate::float::Float;
use crate::parameters::{Gradients, LayerInfo};

/// The buffers of one layer for a batch: z^l, a^l = σ(z^l) and δ^l, one row per sample.
///
/// They hold room for the largest batch seen so far; the views cover the current batch.
#[derive(Clone, Debug)]
pub struct LayerBuffers<F> {
    rows: usize,
    z: Array2<F>,
    a: Array2<F>,
    delta: Array2<F>,
}

impl<F: Float> LayerBuffers<F> {
    fn new(width: usize) -> Self {
        LayerBuffers {
            rows: 0,
            z: Array2::zeros((0, width)),
            a: Array2::zeros((0, width)),
            delta: Array2::zeros((0, width)),
        }
    }

    fn width(&self) -> usize {
        self.z.ncols()
    }

    /// Makes room for `rows` samples; allocates only when `rows` exceeds every batch before.
    fn resize(&mut self, rows: usize) {
        if rows > self.z.nrows() {
            let shape = (rows, self.width());
            self.z = Array2::zeros(shape);
            self.a = Array2::zeros(shape);
            self.delta = Array2::zeros(shape);
        }
        self.rows = rows;
    }

    /// The first `rows` rows of `m`: all of it, without slicing, when the batch fills the buffer.
    fn rows_of(m: &Array2<F>, rows: usize) -> ArrayView2<'_, F> {
        if m.nrows() == rows { m.view() } else { m.slice_axis(Axis(0), Slice::from(..rows)) }
    }

    /// The first `rows` rows of `m`, writable.
    fn rows_of_mut(m: &mut Array2<F>, rows: usize) -> ArrayViewMut2<'_, F> {
        if m.nrows() == rows { m.view_mut() } else { m.slice_axis_mut(Axis(0), Slice::from(..rows)) }
    }

    /// z^l of the current batch, n × units.
    pub fn z(&self) -> ArrayView2<'_, F> {
        Self::rows_of(&self.z, self.rows)
    }

    /// a^l = σ(z^l) of the current batch, n × units.
    pub fn a(&self) -> ArrayView2<'_, F> {
        Self::rows_of(&self.a, self.rows)
    }

    /// δ^l = ∂C/∂z^l of the current batch, n × units.
    pub fn delta(&self) -> ArrayView2<'_, F> {
        Self::rows_of(&self.delta, self.rows)
    }

    /// z^l, a^l and δ^l of the first sample, as arrays of the layer's `OUT` units, all
    /// writable: for the one-sample path of small networks. `None` unless the buffers are
    /// prepared for at least one row of `OUT` units.
    #[doc(hidden)]
    #[inline(always)]
    pub fn one_mut<const OUT: usize>(&mut self) -> Option<(&mut [F; OUT], &mut [F; OUT], &mut [F; OUT])> {
        #[inline(always)]
        fn first<F, const OUT: usize>(m: &mut Array2<F>) -> Option<&mut [F; OUT]> {
            m.as_slice_mut()?.get_mut(..OUT)?.try_into().ok()
        }
        if self.rows == 0 || self.width() != OUT {
            return None;
        }
        Some((first(&mut self.z)?, first(&mut self.a)?, first(&mut self.delta)?))
    }

    /// z^l, a^l and δ^l of the current batch, the first two writable.
    pub(crate) fn forward_mut(&mut self) -> (ArrayViewMut2<'_, F>, ArrayViewMut2<'_, F>) {
        let rows = self.rows;
        (Self::rows_of_mut(&mut self.z, rows), Self::rows_of_mut(&mut self.a, rows))
    }

    /// z^l and a^l of the current batch, and δ^l writable.
    pub(crate) fn backward_mut(&mut self) -> (ArrayView2<'_, F>, ArrayView2<'_, F>, ArrayViewMut2<'_, F>) {
        let rows = self.rows;
        (Self::rows_of(&self.z, rows), Self::rows_of(&self.a, rows), Self::rows_of_mut(&mut self.delta, rows))
    }
}

/// Everything a training step of network `N` writes, kept between steps so that a step
/// allocates nothing: z^l, a^l and δ^l of every layer for the batch, and the gradients.
///
/// Make one with [`Network::workspace`](crate::network::Network::workspace) and pass it to [`Network::forward_in`](crate::network::Network::forward_in),
/// [`Network::backward_in`](crate::network::Network::backward_in) and [`Network::train_step`](crate::network::Network::train_step). It grows to the largest batch it is
/// given (the only time it allocates) and serves smaller ones, like a last partial batch,
/// from the same memory.
///
/// The facade crate's documentation shows it in use: `let mut ws = Net::workspace();` once,
/// then `net.train_step(x, y, &mut ws, &mut optimizer)?` for every batch.
#[derive(Clone, Debug)]
pub struct Workspace<F: Float, G> {
    layers: Vec<LayerBuffers<F>>,
    gradients: G,
}

impl<F: Float, G: Gradients<F>> Workspace<F, G> {
    /// An empty workspace for a network with the given layers; it grows on first use.
    pub fn new(layers: &[LayerInfo]) -> Self {
        Workspace {
            layers: layers.iter().map(|l| LayerBuffers::new(l.outputs)).collect(),
            gradients: G::zeros(),
        }
    }

    /// The gradients written by the last [`Network::backward_in`](crate::network::Network::backward_in) (∂C/∂W^l by equation (3),
    /// ∂C/∂b^l by (4)); zero before the first. A [`Network::train_step`](crate::network::Network::train_step) whose optimiser
    /// updates the parameters fused with the backward pass leaves them as they were.
    pub fn gradients(&self) -> &G {
        &self.gradients
    }

    /// The gradients written by the last [`Network::backward_in`](crate::network::Network::backward_in), taken out of the workspace:
    /// what [`Network::backward`](crate::network::Network::backward) returns, for a workspace of the caller's own (`backward` keeps
    /// its workspace and returns a copy or a swap of them).
    pub fn into_gradients(self) -> G {
        self.gradients
    }

    /// The gradients, writable: for code that combines the gradients of several batches (the
    /// sum over the processes of a distributed run) before an [`Optimizer::step`](crate::Optimizer::step)
    /// on them.
    pub fn gradients_mut(&mut self) -> &mut G {
        &mut self.gradients
    }

    /// The number of samples of the last batch.
    pub fn rows(&self) -> usize {
        self.layers.first().map_or(0, |l| l.rows)
    }

    /// The buffers of every layer, first layer first, as the last step left them.
    pub fn layers(&self) -> &[LayerBuffers<F>] {
        &self.layers
    }

    /// The network's output for the last batch: a^L (which is z^L when the last layer has
    /// no activation), n × outputs; `None` before the first step.
    pub fn output(&self) -> Option<ArrayView2<'_, F>> {
        self.layers.last().filter(|l| l.rows > 0).map(LayerBuffers::a)
    }

    /// Readies the buffers for a batch of `rows` samples of a network whose layers are
    /// `layers`, and lends them with the gradients; [`workspace_error`] if the workspace was
    /// made for other layers.
    pub(crate) fn prepare(
        &mut self,
        layers: &[LayerInfo],
        rows: usize,
    ) -> Result<(&mut [LayerBuffers<F>], &mut G), Error> {
        let widths = self.layers.iter().map(LayerBuffers::width);
        if !widths.eq(layers.iter().map(|l| l.outputs)) {
            return Err(workspace_error(layers, &self.layers));
        }
        for layer in &mut self.layers {
            layer.resize(rows);
        }
        Ok((&mut self.layers, &mut self.gradients))
    }
}

/// The error of a workspace whose layers are not those of the network it is used with.
pub fn workspace_error<F: Float>(layers: &[LayerInfo], found: &[LayerBuffers<F>]) -> Error {
    Error::BufferShape {
        what: "workspace (the units of each layer)",
        expected: layers.iter().map(|l| l.outputs).collect(),
        found: found.iter().map(LayerBuffers::width).collect(),
    }
}
