//! Checking a network's `backward` and `backward_in` against central finite differences.

use core::fmt;

use ndarray::ArrayView2;

use crate::error::Error;

use crate::float::Float;

use crate::network::Network;

use crate::parameters::Gradients;

use crate::targets::Targets;

/// The result of [`gradcheck`]: one line per layer.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// The layers, first to last.
    pub layers: Vec<LayerCheck>,
}

/// How far one layer's analytic gradients are from central finite differences.
///
/// Each error is the relative error of the whole tensor, ‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂), where g is
/// the gradient from `backward` or from `backward_in` (the larger of the two errors) and ĝ the
/// finite-difference estimate (0 when both are zero). It is near machine precision for correct
/// gradients; around 1 for wrong ones.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerCheck {
    /// The layer's name.
    pub layer: &'static str,
    /// Relative error of ∂C/∂W.
    pub weight: f64,
    /// Relative error of ∂C/∂b.
    pub bias: f64,
    /// The largest absolute difference of any single entry, weight or bias.
    pub max_abs_diff: f64,
}

impl LayerCheck {
    /// The larger of the weight's and the bias's relative errors.
    pub fn worst(&self) -> f64 {
        self.weight.max(self.bias)
    }
}

impl GradCheck {
    /// The largest relative error of any layer.
    pub fn worst(&self) -> f64 {
        self.layers.iter().map(LayerCheck::worst).fold(0.0, f64::max)
    }
}

impl fmt::Display for GradCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<16} {:>12} {:>12} {:>12}", "layer", "weight", "bias", "max |diff|")?;
        for l in &self.layers {
            writeln!(f, "{:<16} {:>12.3e} {:>12.3e} {:>12.3e}", l.layer, l.weight, l.bias, l.max_abs_diff)?;
        }
        Ok(())
    }
}

/// Compares `net.backward(x, y)` and `net.backward_in(x, y, …)` with central finite differences
/// of `net.cost(x, y)`,
/// ∂C/∂θ ≈ (C(θ + h) − C(θ − h)) / 2h for every weight and bias θ, with h = `step`.
///
/// Every parameter is restored bit for bit afterwards. Use f64 networks for a sharp check:
/// with h = 1e-6 the error of a correct gradient is around 1e-9. The cost is evaluated twice per
/// parameter, so keep the network and batch small.
pub fn gradcheck_with_step<'a, N: Network<F>, F: Float>(
    net: &mut N,
    x: ArrayView2<'_, F>,
    y: impl Into<Targets<'a, F>>,
    step: F,
) -> Result<GradCheck, Error> {
    if !(step > F::zero() && step.is_finite()) {
        return Err(Error::InvalidOption {
            what: "the finite-difference step",
            expected: "positive and finite",
            found: step.to_string(),
        });
    }
    let y = y.into();
    let (_, gradients) = net.backward(x, y)?;
    let analytic = to_f64(&gradients);
    let mut workspace = N::workspace();
    net.backward_in(x, y, &mut workspace)?;
    let in_place = to_f64(workspace.gradients());

    let mut layers = Vec::with_capacity(analytic.len());
    for (l, (layer, weight, bias)) in analytic.iter().enumerate() {
        let mut numeric = [Vec::with_capacity(weight.len()), Vec::with_capacity(bias.len())];
        for (tensor, numeric) in [Tensor::Weight, Tensor::Bias].into_iter().zip(&mut numeric) {
            let count = match tensor {
                Tensor::Weight => weight.len(),
                Tensor::Bias => bias.len(),
            };
            for index in 0..count {
                let slot = Slot { layer: l, tensor, index };
                let theta = slot.replace(net, None);
                slot.replace(net, Some(theta + step));
                let plus = net.cost(x, y);
                slot.replace(net, Some(theta - step));
                let minus = net.cost(x, y);
                slot.replace(net, Some(theta));
                numeric.push((plus?.to_f64() - minus?.to_f64()) / (2.0 * step.to_f64()));
            }
        }
        let (_, weight_in, bias_in) = &in_place[l];
        let max_abs_diff = [(weight, bias), (weight_in, bias_in)]
            .into_iter()
            .flat_map(|(w, b)| w.iter().chain(b).zip(numeric[0].iter().chain(&numeric[1])))
            .map(|(a, n)| (a - n).abs())
            .fold(0.0, f64::max);
        layers.push(LayerCheck {
            layer,
            weight: relative_error(weight, &numeric[0]).max(relative_error(weight_in, &numeric[0])),
            bias: relative_error(bias, &numeric[1]).max(relative_error(bias_in, &numeric[1])),
            max_abs_diff,
        });
    }
    Ok(GradCheck { layers })
}

/// [`gradcheck_with_step`] with h = 1e-6 for `f64` and h = 1e-2 for `f32` (where cancellation
/// limits the check to a relative error of about 1e-3).
pub fn gradcheck<'a, N: Network<F>, F: Float>(
    net: &mut N,
    x: ArrayView2<'_, F>,
    y: impl Into<Targets<'a, F>>,
) -> Result<GradCheck, Error> {
    let step = if F::NAME == "f64" { 1e-6 } else { 1e-2 };
    gradcheck_with_step(net, x, y, F::of(step))
}

/// Every layer's gradients, widened to `f64`: (layer, ∂C/∂W row by row, ∂C/∂b).
fn to_f64<F: Float, G: Gradients<F>>(gradients: &G) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
    let mut all = Vec::new();
    gradients.visit(&mut |g| {
        all.push((
            g.layer,
            g.weight.iter().map(|&v| Float::to_f64(v)).collect(),
            g.bias.iter().map(|&v| Float::to_f64(v)).collect(),
        ));
    });
    all
}

/// Which of a layer's parameters.
#[derive(Clone, Copy)]
enum Tensor {
    Weight,
    Bias,
}

/// One scalar parameter: entry `index` (in row-major order) of a tensor of layer `layer`.
struct Slot {
    layer: usize,
    tensor: Tensor,
    index: usize,
}

impl Slot {
    /// Writes `value` into the parameter (if given) and returns what it held before.
    fn replace<F: Float, N: Network<F>>(&self, net: &mut N, value: Option<F>) -> F {
        let mut old = F::zero();
        let mut layer = 0;
        net.visit_parameters_mut(&mut |mut p| {
            if layer == self.layer {
                let entry = match self.tensor {
                    Tensor::Weight => {
                        let columns = p.weight.ncols().max(1);
                        p.weight.get_mut((self.index / columns, self.index % columns))
                    }
                    Tensor::Bias => p.bias.get_mut(self.index),
                };
                if let Some(entry) = entry {
                    old = *entry;
                    if let Some(v) = value {
                        *entry = v;
                    }
                }
            }
            layer += 1;
        });
        old
    }
}

/// ‖a − n‖₂ / (‖a‖₂ + ‖n‖₂), or 0 when both are zero.
fn relative_error(a: &[f64], n: &[f64]) -> f64 {
    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
    let diff = norm(&mut a.iter().zip(n).map(|(a, n)| a - n));
    let scale = norm(&mut a.iter().copied()) + norm(&mut n.iter().copied());
    if scale == 0.0 { 0.0 } else { diff / scale }
}
