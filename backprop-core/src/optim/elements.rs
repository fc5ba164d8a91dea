//! What the update rules share element by element: the check that the values an update will
//! write are finite ([`updates_are_finite`]), the loops that apply an update to a tensor and its
//! state (vectorised, and split over busy workers), and the flush of subnormal state.

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

use crate::float::Float;

/// Whether the new values `f(θ, a, b, g)` of an update — the parameter and two values of state
/// (0 where a rule keeps less) — are finite for every element of a tensor: θ from `parameter`,
/// g from `gradient`, and a and b from `state` (zero when the rule has no state for the tensor
/// yet). `f` must be the arithmetic the rule's `update` does, so that the check sees exactly
/// the values the update will write.
pub fn updates_are_finite<F: Float>(
    parameter: &ArrayViewD<'_, F>,
    state: Option<(&ArrayD<F>, &ArrayD<F>)>,
    gradient: &ArrayViewD<'_, F>,
    f: impl Fn(F, F, F, F) -> (F, F, F),
) -> bool {
    if parameter.shape() != gradient.shape() {
        return true; // left as it is by `update`
    }
    let finite = still_finite::<F>;
    let state = state.filter(|(a, b)| a.shape() == parameter.shape() && b.shape() == parameter.shape());
    // Slices when every tensor is in standard layout (the network's parameters, their gradients
    // and the optimisers' buffers are): a loop LLVM vectorises for the widest vector
    // instructions the CPU has, where ndarray's `Zip` over dynamic dimensions costs an index
    // computation per element.
    if let (Some(ps), Some(gs)) = (parameter.as_slice(), gradient.as_slice()) {
        let state = match state.map(|(a, b)| (a.as_slice(), b.as_slice())) {
            None => Some(None),
            Some((Some(a), Some(b))) => Some(Some((a, b))),
            Some(_) => None,
        };
        if let Some(state) = state {
            return pulp::Arch::new().dispatch(FiniteUpdates { parameter: ps, state, gradient: gs, f });
        }
    }
    match state {
        Some((a, b)) => ndarray::Zip::from(parameter)
            .and(a)
            .and(b)
            .and(gradient)
            .fold(true, |ok, &p, &a, &b, &g| finite(ok, f(p, a, b, g))),
        None => ndarray::Zip::from(parameter)
            .and(gradient)
            .fold(true, |ok, &p, &g| finite(ok, f(p, F::zero(), F::zero(), g))),
    }
}

/// `x`, or 0 where |x| is below the smallest normal float (a subnormal value): what the
/// optimisers of this module store as momentum and moment estimates.
///
/// A moment whose gradient has become 0 only decays, m ← β m, and once it is subnormal it stays
/// there: β times the smallest subnormal rounds back to it for every β > ½. Such a value no
/// longer moves any parameter (it is below 10⁻³⁰ of every normal one), but each operation on it
/// costs x86 CPUs a microcode assist of about a hundred cycles; before this flush, 18 % of the
/// first moments of the `fashion_mnist` example's network were stuck there and made its Adam
/// update several times slower (`BENCHMARKS.md`). NaN and the infinities are kept, so the
/// finiteness checks still see them.
#[inline(always)]
pub(crate) fn flush_subnormal<F: Float>(x: F) -> F {
    if x.abs() < F::min_positive_value() { F::zero() } else { x }
}

/// `ok` and whether the three values are finite: the step of [`updates_are_finite`]'s fold,
/// without branches, so that it vectorises.
#[inline(always)]
fn still_finite<F: Float>(ok: bool, (p, a, b): (F, F, F)) -> bool {
    ok & p.is_finite() & a.is_finite() & b.is_finite()
}

/// [`updates_are_finite`] over slices, as a pulp kernel: compiled for the widest vector
/// instructions the CPU has (chosen at run time), where LLVM vectorises the fold.
struct FiniteUpdates<'a, F, G> {
    parameter: &'a [F],
    state: Option<(&'a [F], &'a [F])>,
    gradient: &'a [F],
    f: G,
}

impl<F: Float, G: Fn(F, F, F, F) -> (F, F, F)> pulp::WithSimd for FiniteUpdates<'_, F, G> {
    type Output = bool;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> bool {
        let FiniteUpdates { parameter, state, gradient, f } = self;
        let finite = still_finite::<F>;
        match state {
            None => parameter
                .iter()
                .zip(gradient)
                .fold(true, |ok, (&p, &g)| finite(ok, f(p, F::zero(), F::zero(), g))),
            Some((a, b)) => {
                let elements = parameter.iter().zip(a).zip(b).zip(gradient);
                elements.fold(true, |ok, (((&p, &a), &b), &g)| finite(ok, f(p, a, b, g)))
            }
        }
    }
}

/// Runs `f` over the elements of a parameter tensor, its optimiser state `a` and `b`, and its
/// gradient, in step. When all four are in standard layout (as the network's parameters, their
/// gradients and the optimisers' buffers are) it is a loop over slices, which LLVM vectorises;
/// otherwise ndarray's `Zip`, which takes any layout.
pub(crate) fn for_each_element<F: Float>(
    mut parameter: ArrayViewMutD<'_, F>,
    mut a: ArrayViewMutD<'_, F>,
    mut b: ArrayViewMutD<'_, F>,
    gradient: ArrayViewD<'_, F>,
    f: impl Fn(&mut F, &mut F, &mut F, F) + Sync,
) {
    if let (Some(p), Some(a), Some(b), Some(g)) =
        (parameter.as_slice_mut(), a.as_slice_mut(), b.as_slice_mut(), gradient.as_slice())
    {
        let parts = if crate::linalg::busy() { rayon::current_num_threads() } else { 1 };
        split_elements(parts, [p, a, b], g, &|[p, a, b], g| {
            for (((p, a), b), &g) in p.iter_mut().zip(a).zip(b).zip(g) {
                f(p, a, b, g);
            }
        });
    } else {
        ndarray::Zip::from(&mut parameter)
            .and(&mut a)
            .and(&mut b)
            .and(&gradient)
            .for_each(|p, a, b, &g| f(p, a, b, g));
    }
}

/// Elements from which an update of one tensor is split over the threads inside
/// [`with_busy_workers`](crate::parallel::with_busy_workers), where the other threads poll for
/// work: an Adam update of 32 768 elements takes about 17 µs on one core of the machines of
/// `BENCHMARKS.md`, against about a microsecond to hand half of it over.
pub(crate) const BUSY_ELEMENTS: usize = 1 << 15;

/// Runs `f` over the `N` writable slices `outs` and the gradient `g`, element by element, in
/// the widest vector instructions the CPU has: in one piece, or cut into `parts` pieces of
/// about equal size, at the same positions in every slice, run by [`join_spinning`] (each
/// element is computed by the same instructions whatever the cut, so the result is the same
/// bits). Slices longer than the shortest are cut as if they were as short; `f` zips them.
///
/// [`join_spinning`]: crate::linalg::join_spinning
fn split_elements<F: Float, const N: usize>(
    parts: usize,
    outs: [&mut [F]; N],
    g: &[F],
    f: &(impl Fn([&mut [F]; N], &[F]) + Sync),
) {
    let len = outs.iter().map(|s| s.len()).fold(g.len(), usize::min);
    if parts <= 1 || len < BUSY_ELEMENTS {
        pulp::Arch::new().dispatch(|| f(outs, g));
        return;
    }
    let (top_parts, bottom_parts) = (parts / 2, parts - parts / 2);
    let mid = len * top_parts / parts;
    let mut tops: [&mut [F]; N] = std::array::from_fn(|_| Default::default());
    let mut bottoms: [&mut [F]; N] = std::array::from_fn(|_| Default::default());
    for ((out, top), bottom) in outs.into_iter().zip(&mut tops).zip(&mut bottoms) {
        (*top, *bottom) = out.split_at_mut(mid);
    }
    let (g_top, g_bottom) = g.split_at(mid);
    crate::linalg::join_spinning(
        || split_elements(top_parts, tops, g_top, f),
        || split_elements(bottom_parts, bottoms, g_bottom, f),
    );
}

/// [`for_each_element`] for a parameter tensor with one state tensor.
pub(crate) fn for_each_pair<F: Float>(
    mut parameter: ArrayViewMutD<'_, F>,
    mut a: ArrayViewMutD<'_, F>,
    gradient: ArrayViewD<'_, F>,
    f: impl Fn(&mut F, &mut F, F) + Sync,
) {
    if let (Some(p), Some(a), Some(g)) = (parameter.as_slice_mut(), a.as_slice_mut(), gradient.as_slice()) {
        let parts = if crate::linalg::busy() { rayon::current_num_threads() } else { 1 };
        split_elements(parts, [p, a], g, &|[p, a], g| {
            for ((p, a), &g) in p.iter_mut().zip(a).zip(g) {
                f(p, a, g);
            }
        });
    } else {
        ndarray::Zip::from(&mut parameter).and(&mut a).and(&gradient).for_each(|p, a, &g| f(p, a, g));
    }
}
