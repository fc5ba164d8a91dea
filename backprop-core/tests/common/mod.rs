//! Helpers shared by the core's integration tests.

/// Asserts |got − want| ≤ tol · max(|got|, |want|), naming what is compared.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e} (relative error {:e}, tolerance {tol:e})",
        (got - want).abs() / scale
    );
}
