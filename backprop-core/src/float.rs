//! The float trait every numeric item of the library is generic over.

use core::fmt::{Debug, Display};

use ndarray::{ArrayView2, ArrayViewMut2, NdFloat};
use num_traits::FromPrimitive;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
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

    /// `dst ← α·lhs·rhs` (or `dst + α·lhs·rhs` if `accumulate`) with the fastest kernel for
    /// this type; `false` if the operands' layouts need the general fallback.
    #[doc(hidden)]
    fn matmul(
        alpha: Self,
        lhs: ArrayView2<'_, Self>,
        rhs: ArrayView2<'_, Self>,
        accumulate: bool,
        dst: ArrayViewMut2<'_, Self>,
    ) -> bool;
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

    fn matmul(
        alpha: Self,
        lhs: ArrayView2<'_, Self>,
        rhs: ArrayView2<'_, Self>,
        accumulate: bool,
        dst: ArrayViewMut2<'_, Self>,
    ) -> bool {
        crate::linalg::faer_matmul(alpha, lhs, rhs, accumulate, dst)
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

    fn matmul(
        alpha: Self,
        lhs: ArrayView2<'_, Self>,
        rhs: ArrayView2<'_, Self>,
        accumulate: bool,
        dst: ArrayViewMut2<'_, Self>,
    ) -> bool {
        crate::linalg::faer_matmul(alpha, lhs, rhs, accumulate, dst)
    }
}
