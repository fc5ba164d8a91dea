//! Traces: the values of the paper's z^l, a^l and δ^l for every layer of a network, for a batch,
//! named by layer, to read beside its equations.
//!
//! [`Network::forward_trace`](crate::Network::forward_trace) is generated from the same code
//! generator calls, statement for statement, as [`forward`](crate::Network::forward): the only
//! difference is that the trace keeps every layer's values instead of dropping them, so its last
//! a^L is the output `forward` returns, bit for bit.
//! [`Network::backward_trace`](crate::Network::backward_trace) runs
//! [`backward_in`](crate::Network::backward_in), the backward pass of training, as
//! [`backward`](crate::Network::backward) does, and copies out what it leaves in its workspace:
//! its z^l, a^l, δ^l and gradients are those of `backward` and of a training step, bit for bit.
//! (The two kernels sum products in their own orders, so the forward trace's a^L and the
//! backward trace's agree up to rounding; `tests/explain.rs` checks both.)

use core::fmt;

use ndarray::Array2;

use crate::dense::LayerGradients;

use crate::float::Float;

/// z^l and a^l of one layer for a batch (one row per sample), from
/// [`Network::forward_trace`](crate::Network::forward_trace).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerForward<F> {
    /// The layer's name, as declared.
    pub name: &'static str,
    /// Its level l, counted from 1 (a^0 is the input).
    pub level: usize,
    /// z^l = a^{l−1} (W^l)ᵀ + b^l, `n × units`.
    pub z: Array2<F>,
    /// a^l = σ(z^l), `n × units`; z^l itself for a last layer without activation.
    pub a: Array2<F>,
}

/// Every layer's z^l and a^l for a batch, first layer first.
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardTrace<F> {
    /// One entry per layer, in order.
    pub layers: Vec<LayerForward<F>>,
}

impl<F> ForwardTrace<F> {
    /// The layer named `name`, if the network has one.
    pub fn layer(&self, name: &str) -> Option<&LayerForward<F>> {
        self.layers.iter().find(|l| l.name == name)
    }

    /// What [`Network::forward`](crate::Network::forward) returns: a^L of the last layer (which
    /// is z^L when it has no activation).
    pub fn output(&self) -> Option<&Array2<F>> {
        self.layers.last().map(|l| &l.a)
    }
}

/// z^l, a^l, δ^l and the gradients of one layer for a batch, from
/// [`Network::backward_trace`](crate::Network::backward_trace).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerBackward<F> {
    /// The layer's name, as declared.
    pub name: &'static str,
    /// Its level l, counted from 1.
    pub level: usize,
    /// z^l, `n × units`.
    pub z: Array2<F>,
    /// a^l = σ(z^l), `n × units`; z^l itself for a last layer without activation.
    pub a: Array2<F>,
    /// δ^l = ∂C/∂z^l, `n × units`: by equation (1) for the last layer, (2) for the others. Each
    /// row is that sample's δ scaled by 1/n, as C is the mean over the batch.
    pub delta: Array2<F>,
    /// ∂C/∂W^l = δ^l (a^{l−1})ᵀ (3) and ∂C/∂b^l = δ^l (4), summed over the samples of the
    /// batch: with the rows of `delta` scaled by 1/n, the gradient of the mean cost.
    pub gradients: LayerGradients<F>,
}

/// The cost of a batch and every layer's z^l, a^l, δ^l and gradients, first layer first.
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardTrace<F> {
    /// C, averaged over the batch.
    pub cost: F,
    /// One entry per layer, in order.
    pub layers: Vec<LayerBackward<F>>,
}

impl<F> BackwardTrace<F> {
    /// The layer named `name`, if the network has one.
    pub fn layer(&self, name: &str) -> Option<&LayerBackward<F>> {
        self.layers.iter().find(|l| l.name == name)
    }
}

/// `z¹` for level 1: the level in superscript digits.
fn level(l: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    l.to_string().chars().map(|d| d.to_digit(10).map_or(d, |d| DIGITS[d as usize])).collect()
}

/// Writes `name = matrix`, the matrix's rows indented under the name.
fn matrix<F: Float>(f: &mut fmt::Formatter<'_>, name: &str, m: &Array2<F>) -> fmt::Result {
    let text = format!("{m:.4}");
    let mut rows = text.lines();
    writeln!(f, "  {name} = {}", rows.next().unwrap_or_default())?;
    let indent = " ".repeat(name.chars().count() + 5);
    for row in rows {
        writeln!(f, "{indent}{row}")?;
    }
    Ok(())
}

impl<F: Float> fmt::Display for ForwardTrace<F> {
    /// Each layer's z and a, one row per sample, four decimals, in the paper's names:
    ///
    /// ```text
    /// hidden (level 1)
    ///   z¹ = [[0.1234, -0.5678, …]]
    ///   a¹ = [[0.1228, -0.5135, …]]
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for layer in &self.layers {
            let l = level(layer.level);
            writeln!(f, "{} (level {})", layer.name, layer.level)?;
            matrix(f, &format!("z{l}"), &layer.z)?;
            matrix(f, &format!("a{l}"), &layer.a)?;
        }
        Ok(())
    }
}

impl<F: Float> fmt::Display for BackwardTrace<F> {
    /// The cost, then each layer's z, a, δ, ∂C/∂W and ∂C/∂b, last layer first, in the order
    /// the backward pass computes them, four decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "C = {:.6}", self.cost.to_f64())?;
        for layer in self.layers.iter().rev() {
            let l = level(layer.level);
            writeln!(f, "{} (level {})", layer.name, layer.level)?;
            matrix(f, &format!("z{l}"), &layer.z)?;
            matrix(f, &format!("a{l}"), &layer.a)?;
            matrix(f, &format!("δ{l}"), &layer.delta)?;
            matrix(f, &format!("∂C/∂W{l}"), &layer.gradients.weight)?;
            matrix(f, &format!("∂C/∂b{l}"), &layer.gradients.bias.clone().insert_axis(ndarray::Axis(0)))?;
        }
        Ok(())
    }
}
