//! Where `libm`'s functions, which `Float` calls without `std`, differ from the standard
//! library's, which it calls with `std` (on Linux, the C library's): the functions the
//! activations and the costs' predictions use, on a grid of inputs.
//!
//! `cargo test -p backprop-no-std-check --test libm -- --nocapture` prints, per function, how
//! many inputs of the grid give other bits and the largest distance in units in the last place.

/// The distance in units in the last place between two values of the same sign, through their
/// bits as ordered integers; 0 for equal bits or two NaNs, `u64::MAX` when one is NaN or the
/// signs differ.
fn ulps(a: f64, b: f64, bits: fn(f64) -> i64) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0,
        (false, false) if a.is_sign_negative() == b.is_sign_negative() => bits(a).abs_diff(bits(b)),
        _ => u64::MAX,
    }
}

/// Every value a float function of the library meets: zeros, subnormals, the extremes,
/// infinities, NaN, the boundaries where exp overflows and underflows, and a fine sweep of
/// [−50, 50].
fn grid() -> Vec<f64> {
    let mut x = vec![
        0.0,
        -0.0,
        f64::MIN_POSITIVE / 8.0,
        -f64::MIN_POSITIVE / 8.0,
        f64::from(f32::MIN_POSITIVE) / 8.0,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        709.78,
        -745.13,
        88.72,
        -103.97,
    ];
    x.extend((-200_000..=200_000).map(|i| f64::from(i) / 4000.0 + 1.0 / 65536.0));
    x
}

/// (inputs whose results differ in bits, the largest distance in ulps) of two implementations.
fn compare(name: &str, bound: u64, of: impl Fn(f64) -> (f64, f64), bits: fn(f64) -> i64) -> (usize, u64) {
    let (mut differ, mut worst) = (0, 0);
    for x in grid() {
        let (std, libm) = of(x);
        let d = ulps(std, libm, bits);
        if d > 0 {
            differ += 1;
            worst = worst.max(d);
        }
        assert!(d <= bound, "{name}({x:e}): std {std:e}, libm {libm:e}, {d} ulps apart");
    }
    println!("{name:>6}: {differ:>6} of {} inputs differ, by at most {worst} ulp", grid().len());
    (differ, worst)
}

fn bits64(v: f64) -> i64 {
    v.abs().to_bits() as i64
}

fn bits32(v: f64) -> i64 {
    i64::from((v as f32).abs().to_bits())
}

/// The standard library's and `libm`'s exp, exp_m1, ln_1p and ln, in f64 and f32, are at most
/// one unit in the last place apart on the grid, tanh at most two (glibc documents up to 2 ulps
/// of error for tanh on x86-64, musl, which `libm` ports, about as much), and they agree
/// exactly on zeros, infinities and NaN (the assertions); how many inputs differ is printed.
#[test]
fn libm_is_within_an_ulp_or_two_of_the_standard_library() {
    let f32s = |std: fn(f32) -> f32, libm: fn(f32) -> f32| {
        move |x: f64| (f64::from(std(x as f32)), f64::from(libm(x as f32)))
    };
    let f64s = |std: fn(f64) -> f64, libm: fn(f64) -> f64| move |x: f64| (std(x), libm(x));
    compare("exp", 1, f64s(f64::exp, libm::exp), bits64);
    compare("expf", 1, f32s(f32::exp, libm::expf), bits32);
    compare("expm1", 1, f64s(f64::exp_m1, libm::expm1), bits64);
    compare("expm1f", 1, f32s(f32::exp_m1, libm::expm1f), bits32);
    compare("log1p", 1, f64s(f64::ln_1p, libm::log1p), bits64);
    compare("log1pf", 1, f32s(f32::ln_1p, libm::log1pf), bits32);
    compare("tanh", 2, f64s(f64::tanh, libm::tanh), bits64);
    compare("tanhf", 2, f32s(f32::tanh, libm::tanhf), bits32);
    compare("log", 1, f64s(f64::ln, libm::log), bits64);
    compare("logf", 1, f32s(f32::ln, libm::logf), bits32);
    for x in [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        for (std, libm) in [(x.exp(), libm::exp(x)), (x.tanh(), libm::tanh(x)), (x.exp_m1(), libm::expm1(x))]
        {
            assert!(std.to_bits() == libm.to_bits() || (std.is_nan() && libm.is_nan()), "{x}: {std} {libm}");
        }
    }
}
