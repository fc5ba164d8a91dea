//! The float trait every numeric item of the library is generic over.

use core::fmt::{Debug, Display};

use ndarray::NdFloat;
use num_traits::FromPrimitive;

mod sealed {
    /// Only `f32` and `f64` implement it. It also carries what the optional engines need of a
    /// scalar, so that the library can call them for any `Float`: faer's matrix product
    /// ([`Faer`]) and MPI's datatype ([`Mpi`]).
    pub trait Sealed: Faer + Mpi + Copy {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}

    /// What faer's matrix product needs of a scalar, with the `faer` feature (`linalg`).
    #[cfg(feature = "faer")]
    pub trait Faer: faer::traits::ComplexField {}
    #[cfg(feature = "faer")]
    impl<T: faer::traits::ComplexField> Faer for T {}
    /// Nothing without the `faer` feature.
    #[cfg(not(feature = "faer"))]
    pub trait Faer {}
    #[cfg(not(feature = "faer"))]
    impl<T> Faer for T {}

    /// What MPI needs to send a scalar (its datatype), with the `mpi` feature, so that a
    /// distributed trainer can sum gradients of any `Float`.
    #[cfg(feature = "mpi")]
    pub trait Mpi: mpi::traits::Equivalence {}
    #[cfg(feature = "mpi")]
    impl<T: mpi::traits::Equivalence> Mpi for T {}
    /// Nothing without the `mpi` feature.
    #[cfg(not(feature = "mpi"))]
    pub trait Mpi {}
    #[cfg(not(feature = "mpi"))]
    impl<T> Mpi for T {}
}

/// A floating-point scalar the networks compute in: `f32` or `f64`.
///
/// It gathers what the library needs of a float (ndarray's [`NdFloat`] for matrix products,
/// [`FromPrimitive`] for conversions) and is sealed: only `f32` and `f64` implement it, which is
/// what `network!` and `#[derive(Backprop)]` accept as a network's float type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type a network can compute in",
    label = "use `f32` or `f64` here",
    note = "networks compute in `f32` or `f64`"
)]
pub trait Float:
    NdFloat + FromPrimitive + Default + Debug + Display + Send + Sync + sealed::Sealed + 'static
{
    /// The name of the type, `"f32"` or `"f64"`, for messages.
    const NAME: &'static str;

    /// Converts an `f64` constant to this type (rounding to nearest for `f32`).
    fn of(x: f64) -> Self;

    /// Converts a count (a batch size, a fan-in) to this type.
    fn of_usize(n: usize) -> Self;

    /// Widens this value to `f64`, exactly.
    fn to_f64(self) -> f64;

    /// tanh of this value as the [`Tanh`](crate::Tanh) activation computes it: in `f32` a
    /// rational approximation without branches or library calls, in `f64` the standard library's.
    #[doc(hidden)]
    fn tanh_activation(self) -> Self;

    /// The values 0 and 1, in memory that lives for the whole program: what a class label of a
    /// network with one output stands for, as a row of targets (see [`Targets`](crate::Targets)).
    #[doc(hidden)]
    fn zero_and_one() -> &'static [Self; 2];

    /// max |v| over `values` (0 for none), for values known to be finite: an infinity gives
    /// infinity, a NaN may be missed. One pass in the widest vector instructions the CPU has
    /// (AVX-512 where there is), chosen at run time by pulp, in safe code.
    #[doc(hidden)]
    fn max_abs_of_finite(values: &[Self]) -> Self;

    /// Whether every value is finite: Σ v·0 is 0 for finite values and NaN otherwise, summed in
    /// the widest vector instructions the CPU has, as [`max_abs_of_finite`](Float::max_abs_of_finite).
    #[doc(hidden)]
    fn all_finite(values: &[Self]) -> bool;

    /// max |v| over `values` (0 for none) if every value is finite, else `None`: one pass that
    /// does what [`all_finite`](Float::all_finite) and
    /// [`max_abs_of_finite`](Float::max_abs_of_finite) do, in the same vector instructions.
    #[doc(hidden)]
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

impl Float for f32 {
    const NAME: &'static str = "f32";

    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }

    #[inline(always)]
    fn of_usize(n: usize) -> Self {
        n as f32
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    /// tanh x ≈ x·p(x²)/q(x²) on x clamped to ±7.905 (where tanh rounds to ±1 in `f32`), and x
    /// itself for |x| < 4·10⁻⁴: the degree-13/6 rational approximation of Eigen's
    /// `generic_fast_tanh_float` (Eigen 3.4, `MathFunctionsImpl.h`), which PyTorch's CPU kernels
    /// use too. Against `f64` tanh its error is at most 3.4 units of `f32::EPSILON` relative to
    /// the result over [−12, 12] (the standard library's `tanhf`: 1.4), and it is three times
    /// faster and vectorises.
    #[inline(always)]
    #[allow(clippy::excessive_precision)] // Eigen's coefficients, digit for digit.
    fn tanh_activation(self) -> Self {
        const ALPHA: [f32; 7] = [
            -2.760_768_5e-16,
            2.000_187_9e-13,
            -8.604_671_5e-11,
            5.122_297e-08,
            1.485_722_4e-05,
            6.372_619_3e-04,
            4.893_524_6e-03,
        ];
        const BETA: [f32; 4] = [1.198_258_4e-06, 1.185_347_1e-04, 2.268_434_6e-03, 4.893_525e-03];
        let x = self.clamp(-7.905_311, 7.905_311);
        let x2 = x * x;
        let p = ALPHA.iter().skip(1).fold(ALPHA[0], |p, &a| p * x2 + a) * x;
        let q = BETA.iter().skip(1).fold(BETA[0], |q, &b| q * x2 + b);
        if x.abs() < 4e-4 { x } else { p / q }
    }

    fn zero_and_one() -> &'static [Self; 2] {
        &[0.0, 1.0]
    }

    fn max_abs_of_finite(values: &[Self]) -> Self {
        pulp::Arch::new().dispatch(MaxAbs32(values))
    }

    fn all_finite(values: &[Self]) -> bool {
        pulp::Arch::new().dispatch(Finite32(values))
    }

    fn max_abs_if_finite(values: &[Self]) -> Option<Self> {
        pulp::Arch::new().dispatch(MaxAbsIfFinite32(values))
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";

    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }

    #[inline(always)]
    fn of_usize(n: usize) -> Self {
        n as f64
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }

    #[inline(always)]
    fn tanh_activation(self) -> Self {
        self.tanh()
    }

    fn zero_and_one() -> &'static [Self; 2] {
        &[0.0, 1.0]
    }

    fn max_abs_of_finite(values: &[Self]) -> Self {
        pulp::Arch::new().dispatch(MaxAbs64(values))
    }

    fn all_finite(values: &[Self]) -> bool {
        pulp::Arch::new().dispatch(Finite64(values))
    }

    fn max_abs_if_finite(values: &[Self]) -> Option<Self> {
        pulp::Arch::new().dispatch(MaxAbsIfFinite64(values))
    }
}

/// max |v| over an array of any shape and layout, as f64, if every value is finite: one
/// vectorised pass ([`Float::max_abs_if_finite`]) where its memory is contiguous. What the
/// optimisers' and the fused update's finiteness bounds read.
pub(crate) fn max_abs_if_finite<F: Float, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'_, F, D>,
) -> Option<f64> {
    match a.as_slice_memory_order() {
        Some(slice) => F::max_abs_if_finite(slice).map(Float::to_f64),
        None => a.iter().try_fold(0.0, |max: f64, &v| v.is_finite().then(|| max.max(Float::to_f64(v.abs())))),
    }
}

/// max |v| over an array of any shape and layout whose values are known to be finite
/// ([`Float::max_abs_of_finite`]: an infinity gives an infinite bound, a NaN is not looked for).
pub(crate) fn max_abs_of_finite<F: Float, D: ndarray::Dimension>(a: ndarray::ArrayView<'_, F, D>) -> F {
    match a.as_slice_memory_order() {
        Some(slice) => F::max_abs_of_finite(slice),
        None => a.iter().fold(F::zero(), |m, &v| if v.abs() > m { v.abs() } else { m }),
    }
}

#[cfg(test)]
mod tests {
    use super::Float;

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
