//! The float trait every numeric item of the library is generic over.
//!
//! Its functions (`exp`, `tanh`, `ln_1p`, ...) are num-traits' `Float`'s: with the `std` feature
//! the standard library's (the platform's C library on Linux), without it `libm`'s, a port of
//! musl's. The two may round differently in the last bit (see the crate `backprop-no-std-check`,
//! which measures where).

use core::fmt::{Debug, Display, LowerExp, UpperExp};

use num_traits::{FromPrimitive, NumAssignOps};

mod sealed {
    /// Only `f32` and `f64` implement it. It also carries what the standard library's build and
    /// the optional engines need of a scalar, so that the library can call them for any `Float`:
    /// ndarray's `NdFloat` and the vectorised reductions ([`Std`]), faer's matrix product
    /// ([`Faer`]) and MPI's datatype ([`Mpi`]).
    pub trait Sealed: Std + Faer + Mpi + Copy {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}

    /// What the `std` build needs of a scalar: ndarray's float (matrix products, arithmetic on
    /// arrays) and the reductions of `reductions.rs`.
    #[cfg(feature = "std")]
    pub trait Std: ndarray::NdFloat + crate::reductions::Reductions {}
    #[cfg(feature = "std")]
    impl<T: ndarray::NdFloat + crate::reductions::Reductions> Std for T {}
    /// Nothing without the `std` feature.
    #[cfg(not(feature = "std"))]
    pub trait Std {}
    #[cfg(not(feature = "std"))]
    impl<T> Std for T {}

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
/// It gathers what the library needs of a float (num-traits' [`Float`](num_traits::Float) for
/// its functions, [`FromPrimitive`] for conversions and, with the `std` feature, ndarray's
/// `NdFloat` for matrix products) and is sealed: only `f32` and `f64` implement it, which is
/// what `network!` and `#[derive(Backprop)]` accept as a network's float type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type a network can compute in",
    label = "use `f32` or `f64` here",
    note = "networks compute in `f32` or `f64`"
)]
pub trait Float:
    num_traits::Float
    + NumAssignOps
    + FromPrimitive
    + Default
    + Debug
    + Display
    + LowerExp
    + UpperExp
    + Send
    + Sync
    + sealed::Sealed
    + 'static
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
    /// rational approximation without branches or library calls, in `f64` num-traits' `tanh` (the
    /// standard library's with the `std` feature, `libm`'s without).
    #[doc(hidden)]
    fn tanh_activation(self) -> Self;

    /// The values 0 and 1, in memory that lives for the whole program: what a class label of a
    /// network with one output stands for, as a row of targets (see [`Targets`](crate::Targets)).
    #[doc(hidden)]
    fn zero_and_one() -> &'static [Self; 2];
}

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
        num_traits::Float::tanh(self)
    }

    fn zero_and_one() -> &'static [Self; 2] {
        &[0.0, 1.0]
    }
}
