//! The reductions the finiteness checks and the update bounds read (`std` only): max |v| and
//! "every value finite" over a slice in one pass, in the widest vector instructions the CPU has
//! (AVX-512 where there is), chosen at run time by pulp, in safe code. Every
//! [`Float`](crate::float::Float) implements [`Reductions`] in the `std` build.

/// The vectorised reductions over a slice of `f32` or `f64`.
pub trait Reductions: num_traits::Float + Into<f64> {
    /// max |v| over `values` (0 for none), for values known to be finite: an infinity gives
    /// infinity, a NaN may be missed. One pass in the widest vector instructions the CPU has.
    fn max_abs_of_finite(values: &[Self]) -> Self;

    /// Whether every value is finite: Σ v·0 is 0 for finite values and NaN otherwise, summed in
    /// the widest vector instructions the CPU has, as
    /// [`max_abs_of_finite`](Reductions::max_abs_of_finite).
    fn all_finite(values: &[Self]) -> bool;

    /// max |v| over `values` (0 for none) if every value is finite, else `None`: one pass that
    /// does what [`all_finite`](Reductions::all_finite) and
    /// [`max_abs_of_finite`](Reductions::max_abs_of_finite) do, in the same vector instructions.
    fn max_abs_if_finite(values: &[Self]) -> Option<Self>;
}

/// Defines a pulp kernel for Σ v·0 over a slice of `$ty`: 0 when every value is finite.
macro_rules! finite_kernel {
    ($name:ident, $ty:ty, $as_simd:ident, $splat:ident, $add:ident, $mul:ident, $reduce:ident) => {
        /// Whether every value of a slice is finite, in four vector accumulators.
        struct $name<'a>(&'a [$ty]);

        impl pulp::WithSimd for $name<'_> {
            type Output = bool;

            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, simd: S) -> bool {
                let (head, tail) = S::$as_simd(self.0);
                let zero = simd.$splat(0.0);
                let mut acc = [zero; 4];
                let mut chunks = head.chunks_exact(4);
                for chunk in &mut chunks {
                    for (a, &v) in acc.iter_mut().zip(chunk) {
                        *a = simd.$add(*a, simd.$mul(v, zero));
                    }
                }
                for &v in chunks.remainder() {
                    acc[0] = simd.$add(acc[0], simd.$mul(v, zero));
                }
                let [a, b, c, d] = acc;
                let sum = simd.$reduce(simd.$add(simd.$add(a, b), simd.$add(c, d)));
                sum == 0.0 && tail.iter().all(|v| v.is_finite())
            }
        }
    };
}

finite_kernel!(Finite32, f32, as_simd_f32s, splat_f32s, add_f32s, mul_f32s, reduce_sum_f32s);
finite_kernel!(Finite64, f64, as_simd_f64s, splat_f64s, add_f64s, mul_f64s, reduce_sum_f64s);

/// Defines a pulp kernel for max |v| over a slice of `$ty`.
macro_rules! max_abs_kernel {
    ($name:ident, $ty:ty, $as_simd:ident, $splat:ident, $max:ident, $abs:ident, $reduce:ident) => {
        /// max |v| over a slice, in four vector accumulators.
        struct $name<'a>(&'a [$ty]);

        impl pulp::WithSimd for $name<'_> {
            type Output = $ty;

            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, simd: S) -> $ty {
                let (head, tail) = S::$as_simd(self.0);
                let zero = simd.$splat(0.0);
                let mut acc = [zero; 4];
                let mut chunks = head.chunks_exact(4);
                for chunk in &mut chunks {
                    for (a, &v) in acc.iter_mut().zip(chunk) {
                        *a = simd.$max(*a, simd.$abs(v));
                    }
                }
                for &v in chunks.remainder() {
                    acc[0] = simd.$max(acc[0], simd.$abs(v));
                }
                let [a, b, c, d] = acc;
                let mut m = simd.$reduce(simd.$max(simd.$max(a, b), simd.$max(c, d)));
                for &v in tail {
                    m = if v.abs() > m { v.abs() } else { m };
                }
                m
            }
        }
    };
}

max_abs_kernel!(MaxAbs32, f32, as_simd_f32s, splat_f32s, max_f32s, abs_f32s, reduce_max_f32s);
max_abs_kernel!(MaxAbs64, f64, as_simd_f64s, splat_f64s, max_f64s, abs_f64s, reduce_max_f64s);

/// Defines a pulp kernel for max |v| over a slice of `$ty` together with Σ v·0, which is 0
/// when every value is finite.
macro_rules! max_abs_if_finite_kernel {
    ($name:ident, $ty:ty, $as_simd:ident, $splat:ident, $max:ident, $abs:ident, $add:ident, $mul:ident,
     $reduce_max:ident, $reduce_sum:ident) => {
        /// max |v| of a slice if every value is finite, in two vector accumulators of each.
        struct $name<'a>(&'a [$ty]);

        impl pulp::WithSimd for $name<'_> {
            type Output = Option<$ty>;

            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, simd: S) -> Option<$ty> {
                let (head, tail) = S::$as_simd(self.0);
                let zero = simd.$splat(0.0);
                let (mut max, mut nan) = ([zero; 2], [zero; 2]);
                let mut chunks = head.chunks_exact(2);
                for chunk in &mut chunks {
                    for ((m, n), &v) in max.iter_mut().zip(&mut nan).zip(chunk) {
                        *m = simd.$max(*m, simd.$abs(v));
                        *n = simd.$add(*n, simd.$mul(v, zero));
                    }
                }
                for &v in chunks.remainder() {
                    max[0] = simd.$max(max[0], simd.$abs(v));
                    nan[0] = simd.$add(nan[0], simd.$mul(v, zero));
                }
                let sum = simd.$reduce_sum(simd.$add(nan[0], nan[1]));
                let mut m = simd.$reduce_max(simd.$max(max[0], max[1]));
                for &v in tail {
                    if !v.is_finite() {
                        return None;
                    }
                    m = if v.abs() > m { v.abs() } else { m };
                }
                (sum == 0.0).then_some(m)
            }
        }
    };
}

max_abs_if_finite_kernel!(
    MaxAbsIfFinite32,
    f32,
    as_simd_f32s,
    splat_f32s,
    max_f32s,
    abs_f32s,
    add_f32s,
    mul_f32s,
    reduce_max_f32s,
    reduce_sum_f32s
);
max_abs_if_finite_kernel!(
    MaxAbsIfFinite64,
    f64,
    as_simd_f64s,
    splat_f64s,
    max_f64s,
    abs_f64s,
    add_f64s,
    mul_f64s,
    reduce_max_f64s,
    reduce_sum_f64s
);

/// Implements [`Reductions`] for `$ty` with its three kernels.
macro_rules! reductions {
    ($ty:ty, $max_abs:ident, $finite:ident, $max_abs_if_finite:ident) => {
        impl Reductions for $ty {
            fn max_abs_of_finite(values: &[Self]) -> Self {
                pulp::Arch::new().dispatch($max_abs(values))
            }

            fn all_finite(values: &[Self]) -> bool {
                pulp::Arch::new().dispatch($finite(values))
            }

            fn max_abs_if_finite(values: &[Self]) -> Option<Self> {
                pulp::Arch::new().dispatch($max_abs_if_finite(values))
            }
        }
    };
}

reductions!(f32, MaxAbs32, Finite32, MaxAbsIfFinite32);
reductions!(f64, MaxAbs64, Finite64, MaxAbsIfFinite64);

/// max |v| over an array of any shape and layout, as f64, if every value is finite: one
/// vectorised pass ([`Reductions::max_abs_if_finite`]) where its memory is contiguous. What the
/// optimisers' and the fused update's finiteness bounds read.
pub(crate) fn max_abs_if_finite<F: Reductions, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'_, F, D>,
) -> Option<f64> {
    match a.as_slice_memory_order() {
        Some(slice) => F::max_abs_if_finite(slice).map(Into::into),
        None => a.iter().try_fold(0.0, |max: f64, &v| v.is_finite().then(|| max.max(v.abs().into()))),
    }
}

/// max |v| over an array of any shape and layout whose values are known to be finite
/// ([`Reductions::max_abs_of_finite`]: an infinity gives an infinite bound, a NaN is not looked
/// for).
pub(crate) fn max_abs_of_finite<F: Reductions, D: ndarray::Dimension>(a: ndarray::ArrayView<'_, F, D>) -> F {
    match a.as_slice_memory_order() {
        Some(slice) => F::max_abs_of_finite(slice),
        None => a.iter().fold(F::zero(), |m, &v| if v.abs() > m { v.abs() } else { m }),
    }
}

#[cfg(test)]
mod tests {
    use crate::float::Float;

    /// The three reductions, written the obvious way.
    fn reference<F: Float>(values: &[F]) -> (F, bool) {
        let max = values.iter().fold(F::zero(), |m, &v| if v.abs() > m { v.abs() } else { m });
        (max, values.iter().all(|v| v.is_finite()))
    }

    /// Every length from 0 to past several vector widths and unrolled iterations of the pulp
    /// kernels (their tails included), every position of the largest value, and a NaN or an
    /// infinity at every position: the kernels agree with the obvious reduction.
    fn agrees<F: Float>() {
        for len in 0..=300usize {
            let base: Vec<F> = (0..len).map(|i| F::of(((i * 37 % 101) as f64 - 50.0) / 8.0)).collect();
            for at in 0..len {
                let mut values = base.clone();
                values[at] = F::of(if at % 2 == 0 { -1e3 } else { 1e3 });
                let (max, finite) = reference(&values);
                assert!(finite);
                assert_eq!(F::max_abs_of_finite(&values), max, "{} len {len}, max at {at}", F::NAME);
                assert_eq!(F::max_abs_if_finite(&values), Some(max), "{} len {len}, max at {at}", F::NAME);
                assert!(F::all_finite(&values), "{} len {len}", F::NAME);
                for bad in [F::nan(), F::infinity(), F::neg_infinity()] {
                    values[at] = bad;
                    assert!(!F::all_finite(&values), "{} len {len}, {bad} at {at}", F::NAME);
                    assert_eq!(F::max_abs_if_finite(&values), None, "{} len {len}, {bad} at {at}", F::NAME);
                }
                values[at] = F::infinity();
                assert_eq!(F::max_abs_of_finite(&values), F::infinity(), "{} len {len}, ∞ at {at}", F::NAME);
            }
            if len == 0 {
                assert_eq!(F::max_abs_of_finite(&base), F::zero());
                assert_eq!(F::max_abs_if_finite(&base), Some(F::zero()));
                assert!(F::all_finite(&base));
            }
        }
    }

    #[test]
    fn reductions_agree_with_the_obvious_loop_f32() {
        agrees::<f32>();
    }

    #[test]
    fn reductions_agree_with_the_obvious_loop_f64() {
        agrees::<f64>();
    }
}
