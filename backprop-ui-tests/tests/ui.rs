//! Compile-time behaviour of `network!`, `#[derive(Backprop)]` and `#[activation]`: every
//! mistake in a declaration has a case in `tests/ui/fail/` whose `.stderr` is the error the user
//! sees. The features have cases in `tests/ui/pass/` that must compile and run; they are test
//! targets of their own (see `Cargo.toml`), so that trybuild's project only type-checks.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}
