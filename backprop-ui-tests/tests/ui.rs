//! Compile-time behaviour of `network!`, `#[derive(Backprop)]`, `#[activation]` and `#[cost]`: every
//! mistake in a declaration has a case in `tests/ui/fail/` whose `.stderr` is the error the user
//! sees. The features have cases in `tests/ui/pass/` that must compile and run; they are test
//! targets of their own (see `Cargo.toml`), so that trybuild's project only type-checks.

/// The flags trybuild gives rustc when it checks the cases (trybuild 1.0's `rustflags::toml`
/// with its `--diagnostic-width=140`), separated by the unit separator as
/// `CARGO_ENCODED_RUSTFLAGS` wants them.
///
/// trybuild first checks the cases' dependencies without `--diagnostic-width`, then the cases
/// with it: the flags are part of each crate's fingerprint, so on a cold run every dependency
/// (faer, ndarray, the library, ...) was type-checked twice, half of this test's time.
/// `CARGO_ENCODED_RUSTFLAGS` takes precedence over the `--config` flags trybuild passes, so both
/// steps use these same flags and the second finds the first's work done. The `.stderr` files
/// are unchanged: the cases are checked with the flags trybuild would have used.
const TRYBUILD_RUSTFLAGS: &str =
    "--cfg\x1ftrybuild\x1f--verbose\x1f-A\x1fdead_code\x1f--diagnostic-width=140";

fn main() {
    // SAFETY: the first statement of `main` (this target has no harness), before any thread
    // exists that could read the environment; the cargo processes trybuild starts inherit it.
    unsafe { std::env::set_var("CARGO_ENCODED_RUSTFLAGS", TRYBUILD_RUSTFLAGS) };
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}
