//! The matrix product every layer's forward and backward pass is made of.
//!
//! `C ← α·A·B + β·C` with β ∈ {0, 1}. Operands in row-major (standard) or column-major
//! (transposed standard) layout go to [faer]'s pure-Rust kernels, chosen by measurement
//! (`BENCHMARKS.md`): on this project's reference machine they run the products of the benchmark
//! networks 1.1–1.6× faster than ndarray's `matrixmultiply` on one core, and use a second core
//! well on large products. Any other layout (a strided view a user passed in) falls back to
//! ndarray's `general_mat_mul`, so every input works.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[cfg(feature = "faer")]
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayView2, ArrayViewMut2};

use crate::float::Float;

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
#[cfg(feature = "faer")]
pub const PARALLEL_FLOPS: usize = 64 << 20;

/// The threshold that replaces [`PARALLEL_FLOPS`] inside [`with_busy_workers`], where the other
/// workers poll for work instead of sleeping: handing them half of a product then costs about
/// a microsecond instead of tens (`cargo bench --bench training -- handoff`), so the first
/// layer's products of the `fmnist` benchmark (12.8 MFLOP) are split too.
#[cfg(feature = "faer")]
pub const BUSY_PARALLEL_FLOPS: usize = 4 << 20;

std::thread_local! {
    /// Whether this thread runs the work of a [`with_busy_workers`] call, whose partners poll.
    static BUSY_PARTNERS: Cell<bool> = const { Cell::new(false) };
}

/// The number of floating-point operations from which a product is split over the threads
/// of rayon's pool, on this thread.
#[cfg(feature = "faer")]
fn parallel_flops() -> usize {
    if busy() { BUSY_PARALLEL_FLOPS } else { PARALLEL_FLOPS }
}

/// Whether this thread runs the work of a [`with_busy_workers`] call, whose partners poll for
/// work: then splitting work costs about a microsecond.
pub(crate) fn busy() -> bool {
    BUSY_PARTNERS.with(Cell::get)
}

/// `rayon::join(top, bottom)`, with `top`, once done, waiting for `bottom` by spinning:
/// rayon's own wait would put this thread to sleep within microseconds, and waking it costs
/// tens (see [`with_busy_workers`]). If no other thread has taken `bottom` within [`TAKE_UP`]
/// of `top`'s end, the wait stops and `join` runs `bottom` on this thread.
pub(crate) fn join_spinning(top: impl FnOnce() + Send, bottom: impl FnOnce() + Send) {
    let (started, finished) = (AtomicBool::new(false), AtomicBool::new(false));
    rayon::join(
        || {
            top();
            let done = std::time::Instant::now();
            while !finished.load(Ordering::Acquire)
                && (started.load(Ordering::Acquire) || done.elapsed() < TAKE_UP)
            {
                std::hint::spin_loop();
            }
        },
        || {
            started.store(true, Ordering::Release);
            bottom();
            finished.store(true, Ordering::Release);
        },
    );
}

/// Runs `work` on a thread of rayon's pool while every other thread of the pool polls for
/// work (`rayon::yield_now`) instead of going to sleep, and returns what it returns.
///
/// rayon's idle threads sleep between parallel regions, and waking one can cost more than a
/// small product saves; inside this call the partners stay awake, as OpenMP runtimes keep
/// theirs, so the products of a step (and the optimisers' elementwise updates of large tensors)
/// are split over the threads from far smaller sizes on. The price is those cores, busy for as
/// long as `work` runs: meant for a training loop, not for a single call, and only where the
/// cores are the program's own.
///
/// Every value is computed by one sequential kernel whatever the split, so the results are bit
/// for bit those of the same work without this call. `work` runs on a thread of the pool, not
/// necessarily the caller's. Whether it is faster depends on the machine: measure it there.
/// BENCHMARKS.md ("Busy workers") has the figures measured so far, from 1.5× faster to slower
/// than one thread.
///
/// ```
/// use backprop_core::parallel::with_busy_workers;
/// # use backprop_core::{Network, Sgd, Trainer, Error};
/// # use backprop_core::ndarray::ArrayView2;
/// # fn demo<N: Network<f32> + Send>(net: &mut N, x: ArrayView2<'_, f32>, labels: &[usize]) -> Result<(), Error> {
/// let mut trainer = Trainer::new(Sgd::new(0.05)?).epochs(5).batch_size(64);
/// let history = with_busy_workers(|| trainer.fit(net, x, labels)).map_err(|e| e.error)?;
/// # Ok(()) }
/// ```
pub fn with_busy_workers<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    let partners = rayon::current_num_threads().saturating_sub(1);
    if partners == 0 {
        return work();
    }
    let done = AtomicBool::new(false);
    let started = AtomicUsize::new(0);
    let (done, started) = (&done, &started);
    rayon::scope(|scope| {
        let owner = rayon::current_thread_index();
        for _ in 0..partners {
            scope.spawn(move |_| {
                // A partner job that the owner itself picks up (while it waits inside `work`
                // for a stolen half) must return at once: polling there would wait for itself.
                if rayon::current_thread_index() == owner {
                    return;
                }
                started.fetch_add(1, Ordering::AcqRel);
                while !done.load(Ordering::Acquire) {
                    if rayon::yield_now() != Some(rayon::Yield::Executed) {
                        std::hint::spin_loop();
                    }
                }
            });
        }
        // The partners start within one wake-up; a pool busy with other work may not start
        // them at all, and then `work` runs without them rather than waiting.
        let start = std::time::Instant::now();
        while started.load(Ordering::Acquire) < partners
            && start.elapsed() < std::time::Duration::from_millis(1)
        {
            std::hint::spin_loop();
        }
        let _release = Release { done, previous: BUSY_PARTNERS.with(|b| b.replace(true)) };
        work()
    })
}

/// Ends a [`with_busy_workers`] call, when its work returns or unwinds: the partners stop
/// polling (else the scope would wait for them forever) and the thread's threshold is restored.
struct Release<'a> {
    done: &'a AtomicBool,
    previous: bool,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        BUSY_PARTNERS.with(|b| b.set(self.previous));
        self.done.store(true, Ordering::Release);
    }
}

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
    #[cfg(feature = "faer")]
    if faer_matmul(alpha, lhs, rhs, accumulate, dst.view_mut()) {
        return;
    }
    let beta = if accumulate { F::one() } else { F::zero() };
    ndarray::linalg::general_mat_mul(alpha, &lhs, &rhs, beta, &mut dst);
}

/// A faer view of `a` if it is row-major or column-major contiguous.
#[cfg(feature = "faer")]
fn faer_ref<'a, T>(a: ArrayView2<'a, T>) -> Option<MatRef<'a, T>> {
    let (rows, cols) = a.dim();
    if let Some(slice) = a.to_slice() {
        return Some(MatRef::from_row_major_slice(slice, rows, cols));
    }
    a.reversed_axes().to_slice().map(|slice| MatRef::from_column_major_slice(slice, rows, cols))
}

/// faer's product, or `false` if an operand's layout is not one faer can take from a slice.
#[cfg(feature = "faer")]
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
    let blocks = if flops >= parallel_flops() { rayon::current_num_threads().min(m) } else { 1 };
    split_rows(blocks.max(1), dst, m, n, lhs, rhs, accum, alpha);
    true
}

/// dst ← (dst +) α·lhs·rhs for the `m` × `n` row-major `dst`, its rows cut into `blocks`
/// blocks of about equal size, computed in parallel by `rayon::join`, each by one sequential
/// faer product.
#[allow(clippy::too_many_arguments)]
#[cfg(feature = "faer")]
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
    join_spinning(
        || split_rows(top_blocks, top, mid, n, lhs_top, rhs, accum, alpha),
        || split_rows(bottom_blocks, bottom, m - mid, n, lhs_bottom, rhs, accum, alpha),
    );
}

/// How long the half of a split job (a product's rows, an update's elements) that ends first
/// waits for the other half to be taken by another thread before running it itself
/// ([`join_spinning`]).
const TAKE_UP: std::time::Duration = std::time::Duration::from_micros(20);

/// Executes `vzeroupper` where the CPU has AVX.
///
/// faer's AVX-512 kernels return with the upper halves of the vector registers in use. Until
/// something clears them, every legacy-SSE instruction after them — all code compiled for
/// baseline x86-64, such as the layers' elementwise passes, the costs and the optimisers —
/// waits on them: on this project's reference machine an Adam update ran 5.6× slower after one
/// matrix product than before it (see `BENCHMARKS.md`). Clearing them is one instruction, which
/// pulp's CPU-feature token lets safe code execute.
#[inline(never)] // Keeps the callers, which small layers run through too, as lean as before.
#[cfg(feature = "faer")]
pub(crate) fn clear_upper_vector_state() {
    #[cfg(target_arch = "x86_64")]
    if let Some(avx) = pulp::core_arch::x86::Avx::try_new() {
        avx._mm256_zeroupper();
    }
}
