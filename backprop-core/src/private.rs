//! What the code that `network!` and `#[derive(Backprop)]` generate calls, and a user does not:
//! reached only as `::backprop::__private::…` (serde's `private` module, thiserror's
//! `private.rs`). Nothing here is part of the public API; each item says which generated method
//! calls it.
//!
//! This is the top of the crate's layers: it may use any module below training, and no module
//! uses it.

use std::any::Any;
use std::cell::Cell;

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1};

use crate::activation::Activation;
use crate::cost::{Cost, CostFormulas, cost_in};
use crate::dense::Dense;
use crate::error::Error;
use crate::fixed::FixedDense;
use crate::float::Float;
use crate::network::Network;
use crate::one_sample::OneSample;
use crate::parameters::Gradients;
use crate::targets::Targets;
use crate::workspace::{LayerBuffers, Workspace};

pub use crate::check::{check_input, check_input_shape};
pub use crate::dense::{SMALL_PRODUCT, SgdUpdate, vectorised};
pub use crate::inference::predict_one;
pub use crate::rng::seeded_rng;
pub use crate::workspace::workspace_error;

/// The cost of a batch from the output layer's buffers (the core's `cost_in`), with the cost of
/// network `N`: what the generated code calls, so that it names the cost only through the
/// network's `Cost` type. Where the declared cost is not a
/// [`Cost`], the one error is then the network's own (`type Cost = …`), not a second one here.
pub fn cost_in_of<F: Float, N: Network<F>>(
    out: &mut LayerBuffers<F>,
    targets: Targets<'_, F>,
) -> Result<F, Error> {
    cost_in::<F, N::Cost>(out, targets)
}

/// [`evaluate`](crate::cost::evaluate) for a batch of one sample, on arrays: the cost C of the sample whose output is
/// `output` (a^L, or z^L when the last layer has no activation), with the gradient with respect
/// to that output written into `delta`, for network `N`'s cost. What the one-sample path of
/// small networks calls.
///
/// It checks what [`evaluate`](crate::cost::evaluate) checks, but only answers whether all is well: `None` (with
/// `delta` unspecified) for targets that are not one valid target of `OUT` outputs, or a
/// non-finite cost; the general path then reports the error. The arithmetic is
/// [`evaluate`](crate::cost::evaluate)'s for n = 1, so the bits are the same.
#[inline(always)]
pub fn cost_one_of<F: Float, N: Network<F>, const OUT: usize>(
    output: &[F; OUT],
    delta: &mut [F; OUT],
    targets: Targets<'_, F>,
) -> Option<F> {
    targets.check(1, OUT).ok()?;
    let target = targets.get(0, OUT)?;
    let cost = N::Cost::default();
    cost.check_target(0, &target).ok()?;
    let sample =
        cost.sample(ArrayView1::from(&output[..]), &target, Some(ArrayViewMut1::from(&mut delta[..])));
    // (0 + C_0) · (1/1): the mean over a batch of one, as `evaluate` forms it.
    let mean = (F::zero() + sample) * (F::one() / F::one());
    mean.is_finite().then_some(mean)
}

/// The most gradient values [`backward_in_kept_workspace`] copies out of the workspace; beyond
/// it, it swaps them for zeros. Measured on `cargo bench --bench training -- backward`: a copy
/// of the 131 gradients of a 4-16-3 network takes its `backward` from 0.50 to 0.40 µs (small
/// blocks come from the allocator's cache, zeroed ones do not), while a copy of the 2.1 million
/// of a 1024-1024-1024-10 network, into memory the system has yet to map, takes it from 1.06
/// to 1.52 times `backward_in` (zeros are mapped only where the next call writes them).
const COPIED_GRADIENTS: usize = 1 << 14;

thread_local! {
    /// The workspace of this thread's last [`Network::backward`], of whichever network ran it.
    static KEPT: Cell<Option<Box<dyn Any>>> = const { Cell::new(None) };
}

/// [`Network::backward`]: `backward_in` in the workspace this thread keeps, then the gradients
/// out of it, copied for networks of at most `COPIED_GRADIENTS` parameters and swapped for
/// zeros above. The workspace is taken out of the thread's slot for the call and put back after
/// it, so a call made while another runs on the same thread (from inside a custom activation,
/// say) works in a workspace of its own. A workspace of another network in the slot is dropped:
/// the thread keeps one. Generated code calls this.
pub fn backward_in_kept_workspace<'y, F, N>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: impl Into<Targets<'y, F>>,
) -> Result<(F, N::Gradients), Error>
where
    F: Float,
    N: Network<F>,
    N::Gradients: Clone + 'static,
{
    // `try_with` fails only while the thread's storage is being destroyed: then nothing is kept.
    let kept = KEPT.try_with(Cell::take).ok().flatten().and_then(|ws| ws.downcast().ok());
    let mut ws: Box<Workspace<F, N::Gradients>> = kept.unwrap_or_else(|| Box::new(N::workspace()));
    let result = net.backward_in(x, y, &mut ws);
    let result = result.map(|cost| {
        let parameters: usize = N::LAYERS.iter().map(|l| (l.inputs + 1).saturating_mul(l.outputs)).sum();
        let gradients = if parameters <= COPIED_GRADIENTS {
            ws.gradients().clone()
        } else {
            std::mem::replace(ws.gradients_mut(), N::Gradients::zeros())
        };
        (cost, gradients)
    });
    // If the slot was filled meanwhile, by a call made during this one, this one's workspace
    // takes its place.
    let _ = KEPT.try_with(|slot| slot.set(Some(ws)));
    result
}

/// Readies `workspace` for a batch of `rows` samples of network `N` and lends its buffers with
/// the gradients: what the generated passes call first. [`workspace_error`] if the workspace
/// was made for another network's layers.
pub fn prepare<F: Float, N: Network<F>>(
    workspace: &mut Workspace<F, N::Gradients>,
    rows: usize,
) -> Result<(&mut [LayerBuffers<F>], &mut N::Gradients), Error> {
    workspace.prepare(N::LAYERS, rows)
}

/// The formulas of network `N`'s cost ([`Cost::FORMULAS`]), through the network's `Cost` type:
/// what a generated network's `equations()` reads, so that where the declared cost is not a
/// [`Cost`], the one error is the network's own (as for [`cost_in_of`]).
pub const fn formulas_of<F: Float, N: Network<F>>() -> Option<CostFormulas> {
    <N::Cost as Cost<F>>::FORMULAS
}

/// Layer `layer`'s one-sample view ([`OneSample`]) for the generated `predict_one`: `None` when
/// its weights are not one contiguous row-major block of `IN × OUT` or its biases not `OUT`
/// contiguous values (a `Dense` built by hand), and `predict_one` then takes the general path.
#[inline(always)]
pub fn one_sample_of<F: Float, const IN: usize, const OUT: usize, A: Activation<F>>(
    layer: &Dense<F, IN, OUT, A>,
) -> Option<OneSample<'_, F, IN, OUT, A>> {
    let bias: &[F; OUT] = layer.bias.as_slice()?.try_into().ok()?;
    OneSample::new(layer.weight.as_slice()?, bias, &layer.activation)
}

/// `p` ← network `N`'s cost's prediction of the output `p`, in place
/// ([`Cost::predict_in_place`]), for the generated `predict_one`.
#[inline]
pub fn predict_slice_of<F: Float, N: Network<F>>(p: &mut [F]) {
    N::Cost::default().predict_in_place(ndarray::ArrayViewMut1::from(p));
}

/// Layer `layer` of `name` with its weights copied into arrays, for the generated `to_fixed`;
/// [`Error::ParameterShape`] if its weights or biases do not have the declared shape.
pub fn fixed_layer<F: Float, const IN: usize, const OUT: usize, A: Activation<F> + Clone>(
    layer: &Dense<F, IN, OUT, A>,
    name: &'static str,
) -> Result<FixedDense<F, IN, OUT, A>, Error> {
    layer.check(name)?;
    let mut fixed = FixedDense {
        weight: [[F::zero(); IN]; OUT],
        bias: [F::zero(); OUT],
        activation: layer.activation.clone(),
    };
    for (row, w) in fixed.weight.iter_mut().zip(layer.weight.rows()) {
        row.iter_mut().zip(w).for_each(|(v, &w)| *v = w);
    }
    fixed.bias.iter_mut().zip(&layer.bias).for_each(|(v, &b)| *v = b);
    Ok(fixed)
}

/// The `Dense` layer of the arrays of `fixed`, for the generated `from_fixed`.
pub fn dense_layer<F: Float, const IN: usize, const OUT: usize, A: Activation<F> + Clone>(
    fixed: &FixedDense<F, IN, OUT, A>,
) -> Dense<F, IN, OUT, A> {
    Dense {
        weight: ndarray::Array2::from_shape_fn((OUT, IN), |(j, k)| fixed.weight[j][k]),
        bias: ndarray::Array1::from_iter(fixed.bias),
        activation: fixed.activation.clone(),
    }
}

/// A piece of a generated network's explanation (`equations()`, `equations_latex()`,
/// `circuit_dot()`) of a cost with [`Cost::FORMULAS`]: the network's macro writes the text
/// around the cost's formulas, which only the cost's type knows, and [`explained`] joins the
/// pieces when the program compiles.
#[derive(Clone, Copy, Debug)]
pub enum Part {
    /// Copied as it is.
    Text(&'static str),
    /// Lines, each after the first indented by two spaces, under a first line that is.
    Indented(&'static str),
    /// Lines inside a Graphviz string: `"` and `\` escaped, each line ended by `\l` (left
    /// justified).
    Dot(&'static str),
}

/// The length in bytes of the text `parts` join into.
pub const fn explained_len(parts: &[Part]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < parts.len() {
        len += match parts[i] {
            Part::Text(s) => s.len(),
            Part::Indented(s) => s.len() + 2 * count(s, b'\n'),
            Part::Dot(s) => s.len() + count(s, b'"') + count(s, b'\\') + count(s, b'\n') + 2,
        };
        i += 1;
    }
    len
}

/// The bytes of the text `parts` join into, `N` = [`explained_len`] of them long.
pub const fn explained<const N: usize>(parts: &[Part]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < parts.len() {
        let (s, part) = match parts[i] {
            Part::Text(s) | Part::Indented(s) | Part::Dot(s) => (s.as_bytes(), parts[i]),
        };
        let mut j = 0;
        while j < s.len() && at < N {
            let b = s[j];
            match (part, b) {
                (Part::Dot(_), b'"' | b'\\') => at = put(&mut out, at, &[b'\\', b]),
                (Part::Dot(_), b'\n') => at = put(&mut out, at, b"\\l"),
                (Part::Indented(_), b'\n') => at = put(&mut out, at, b"\n  "),
                _ => at = put(&mut out, at, &[b]),
            }
            j += 1;
        }
        if let Part::Dot(_) = part {
            at = put(&mut out, at, b"\\l");
        }
        i += 1;
    }
    out
}

/// `bytes` as text: the joined explanation, whose parts are all text; `""` should a part ever
/// have been cut inside a character.
pub const fn as_text(bytes: &[u8]) -> &str {
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => "",
    }
}

/// How many times `b` occurs in `s`.
const fn count(s: &str, b: u8) -> usize {
    let s = s.as_bytes();
    let (mut n, mut i) = (0, 0);
    while i < s.len() {
        if s[i] == b {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Writes `bytes` into `out` at `at` (as many as fit), and returns where the next go.
const fn put<const N: usize>(out: &mut [u8; N], mut at: usize, bytes: &[u8]) -> usize {
    let mut k = 0;
    while k < bytes.len() && at < N {
        out[at] = bytes[k];
        at += 1;
        k += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`explained`] of `parts`, as text, as the generated code forms it.
    fn join<const N: usize>(parts: &[Part]) -> &'static str {
        assert_eq!(explained_len(parts), N);
        let bytes: &'static [u8; N] = Box::leak(Box::new(explained::<N>(parts)));
        as_text(bytes)
    }

    #[test]
    fn parts_join_with_their_lines_indented_or_escaped() {
        assert_eq!(join::<0>(&[]), "");
        assert_eq!(join::<0>(&[Part::Text(""), Part::Indented("")]), "");
        let text =
            join::<25>(&[Part::Text("C:\n  "), Part::Indented("c = u\nwhere u = z"), Part::Text("\n")]);
        assert_eq!(text, "C:\n  c = u\n  where u = z\n");
        // Graphviz: `"` and `\` escaped, every line ended by `\l`, so that none ends the string.
        let dot = join::<25>(&[Part::Text("label=\""), Part::Dot("a \"b\" \\ c\nd"), Part::Text("\"")]);
        assert_eq!(dot, r#"label="a \"b\" \\ c\ld\l""#);
        // Multi-byte characters are copied whole.
        assert_eq!(join::<9>(&[Part::Indented("∂c\nσ")]), "∂c\n  σ");
    }
}
