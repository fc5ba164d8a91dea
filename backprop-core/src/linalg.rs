//! The matrix product every layer's forward and backward pass is made of.
//!
//! `C ← α·A·B + β·C` with β ∈ {0, 1}. Operands in row-major (standard) or column-major
//! (transposed standard) layout go to [faer]'s pure-Rust kernels, chosen by measurement
//! (`BENCHMARKS.md`): on this project's reference machine they run the products of the benchmark
//! networks 1.1–1.6× faster than ndarray's `matrixmultiply` on one core, and use a second core
//! well on large products. Any other layout (a strided view a user passed in) falls back to
//! ndarray's `general_mat_mul`, so every input works.

use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayView2, ArrayViewMut2};

use crate::Float;

/// Products of at least this many floating-point operations (2·m·k·n) are split over every
/// thread of rayon's pool; smaller ones run on the calling thread, where a product of the
/// `fmnist` benchmark's size (13 MFLOP) is faster than with two threads.
///
/// The split is this module's own: the rows of the result are halved (recursively, into as
/// many blocks as the pool has threads) with `rayon::join`, and each block is one sequential
/// faer product. faer's own parallel products go through rayon's scopes and reference-counted
/// job trees that allocate on every call (about 46 allocations per product); `rayon::join`
/// keeps its jobs on the stack, and each thread reuses its own faer packing buffers, so a
/// step inside rayon's pool (`ThreadPool::install`) allocates nothing once warm. Each value of
/// the result is computed by one sequential product whatever the number of threads.
pub const PARALLEL_FLOPS: usize = 64 << 20;

/// `dst ← α·lhs·rhs`, or `dst ← dst + α·lhs·rhs` if `accumulate`.
///
/// The shapes must agree (`lhs` m×k, `rhs` k×n, `dst` m×n); callers check them first, and a
/// mismatch is a bug of this crate (ndarray's fallback then panics).
pub(crate) fn gemm<F: Float>(
    alpha: F,
    lhs: ArrayView2<'_, F>,
    rhs: ArrayView2<'_, F>,
    accumulate: bool,
    mut dst: ArrayViewMut2<'_, F>,
) {
    debug_assert_eq!((lhs.nrows(), rhs.ncols()), dst.dim());
    debug_assert_eq!(lhs.ncols(), rhs.nrows());
    if dst.is_empty() {
        return;
    }
    if !faer_matmul(alpha, lhs, rhs, accumulate, dst.view_mut()) {
        let beta = if accumulate { F::one() } else { F::zero() };
        ndarray::linalg::general_mat_mul(alpha, &lhs, &rhs, beta, &mut dst);
    }
}

/// A faer view of `a` if it is row-major or column-major contiguous.
fn faer_ref<'a, T>(a: ArrayView2<'a, T>) -> Option<MatRef<'a, T>> {
    let (rows, cols) = a.dim();
    if let Some(slice) = a.to_slice() {
        return Some(MatRef::from_row_major_slice(slice, rows, cols));
    }
    a.reversed_axes().to_slice().map(|slice| MatRef::from_column_major_slice(slice, rows, cols))
}

/// faer's product, or `false` if an operand's layout is not one faer can take from a slice.
fn faer_matmul<T: faer::traits::ComplexField + Copy + Send + Sync>(
    alpha: T,
    lhs: ArrayView2<'_, T>,
    rhs: ArrayView2<'_, T>,
    accumulate: bool,
    mut dst: ArrayViewMut2<'_, T>,
) -> bool {
    let (m, k, n) = (lhs.nrows(), lhs.ncols(), rhs.ncols());
    let (Some(lhs), Some(rhs)) = (faer_ref(lhs), faer_ref(rhs)) else {
        return false;
    };
    let Some(dst) = dst.as_slice_mut() else {
        return false;
    };
    let accum = if accumulate { Accum::Add } else { Accum::Replace };
    let flops = 2usize.saturating_mul(m).saturating_mul(k).saturating_mul(n);
    let blocks = if flops >= PARALLEL_FLOPS { rayon::current_num_threads().min(m) } else { 1 };
    split_rows(blocks.max(1), dst, m, n, lhs, rhs, accum, alpha);
    true
}

/// dst ← (dst +) α·lhs·rhs for the `m` × `n` row-major `dst`, its rows cut into `blocks`
/// blocks of about equal size, computed in parallel by `rayon::join`, each by one sequential
/// faer product.
#[allow(clippy::too_many_arguments)]
fn split_rows<T: faer::traits::ComplexField + Copy + Send + Sync>(
    blocks: usize,
    dst: &mut [T],
    m: usize,
    n: usize,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    accum: Accum,
    alpha: T,
) {
    if blocks <= 1 || m < 2 {
        let dst = MatMut::from_row_major_slice_mut(dst, m, n);
        faer::linalg::matmul::matmul(dst, accum, lhs, rhs, alpha, Par::Seq);
        clear_upper_vector_state();
        return;
    }
    let (top_blocks, bottom_blocks) = (blocks / 2, blocks - blocks / 2);
    let mid = m * top_blocks / blocks;
    let (top, bottom) = dst.split_at_mut(mid * n);
    let (lhs_top, lhs_bottom) = lhs.split_at_row(mid);
    rayon::join(
        || split_rows(top_blocks, top, mid, n, lhs_top, rhs, accum, alpha),
        || split_rows(bottom_blocks, bottom, m - mid, n, lhs_bottom, rhs, accum, alpha),
    );
}

/// Executes `vzeroupper` where the CPU has AVX.
///
/// faer's AVX-512 kernels return with the upper halves of the vector registers in use. Until
/// something clears them, every legacy-SSE instruction after them — all code compiled for
/// baseline x86-64, such as the layers' elementwise passes, the costs and the optimisers —
/// waits on them: on this project's reference machine an Adam update ran 5.6× slower after one
/// matrix product than before it (see `BENCHMARKS.md`). Clearing them is one instruction, which
/// pulp's CPU-feature token lets safe code execute.
#[inline(never)] // Keeps the callers, which small layers run through too, as lean as before.
pub(crate) fn clear_upper_vector_state() {
    #[cfg(target_arch = "x86_64")]
    if let Some(avx) = pulp::core_arch::x86::Avx::try_new() {
        avx._mm256_zeroupper();
    }
}
