//! Compile-time behaviour of `network!`, `#[derive(Backprop)]` and `#[activation]`: every
//! mistake in a declaration has a case in `tests/ui/fail/` whose `.stderr` is the error the user
//! sees, and every feature a case in `tests/ui/pass/` that must compile.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
