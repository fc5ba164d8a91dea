//! `#[activation]`: σ written as a Rust function, σ' derived from its body at compile time.
//!
//! The stages, one module each: `parse` lowers the function's body to the IR of `expr` (a
//! hash-consed DAG, simplified as it is built by the constructors of `simplify`); `diff`
//! differentiates it by the local rules of the paper's gates; `emit` writes σ and σ' as Rust
//! for `f32` and `f64`, and as formulas for the generated type's documentation. Nothing panics:
//! every construct the differentiator does not know is a compile error spanned on it, and all
//! of them are reported in one build.
//!
//! Around them: `signature` reads the options and the function's signature, `generate` writes
//! the type and its impls, and `stub` what goes beside errors. `cost` is `#[cost]`, which runs
//! the same stages on a loss c(z, y).

pub mod cost;
mod diff;
mod emit;
mod expr;
mod generate;
mod parse;
mod signature;
mod simplify;
mod stub;

use proc_macro2::TokenStream;

use self::expr::Graph;
use self::generate::{Body, generate};
use self::signature::{ACTIVATION, options, signature, type_name};
use self::stub::{item_keyword, shallow_stub, too_deep, type_stub, with_errors, without_body};
use crate::ctxt::Ctxt;

/// How the generated type's layers initialise their weights (`Activation::INIT`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Init {
    Glorot,
    He,
}

/// `#[activation(options)] fn ...`: the function unchanged, then its type and the type's
/// `Activation<f32>` and `Activation<f64>` impls; or the function, a stub of the type and every
/// error.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let init = options(attr, &mut cx);
    if let Some(error) = too_deep(&item, ["activation", "Activation"]) {
        cx.push(error);
        let stub = shallow_stub(&item)
            .and_then(|func| Some((type_name(&func.sig.ident, ACTIVATION, &mut Ctxt::default())?, func)))
            .map(|(name, func)| generate(&func, &name, init, None))
            .unwrap_or_default();
        return with_errors(item, cx, stub);
    }
    let func = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(func)) => func,
        Ok(other) => {
            cx.error_spanned_by(
                item_keyword(&other),
                "`#[activation]` goes on a function of one float argument, `fn swish(z: f64) -> f64 { ... }`, \
                 whose body is σ; to make a type an activation, implement `backprop::Activation` for it by hand",
            );
            return with_errors(item, cx, type_stub(&other));
        }
        Err(error) => {
            let mut tokens = item;
            tokens.extend(error.to_compile_error());
            return tokens;
        }
    };
    let name = type_name(&func.sig.ident, ACTIVATION, &mut cx);
    let Some((arg, own)) = signature(&func, &mut cx) else {
        let stub = name.map(|name| generate(&func, &name, init, None)).unwrap_or_default();
        return with_errors(item, cx, stub);
    };
    let mut g = Graph::default();
    let sigma = parse::Lower::new(&mut g, &mut cx, arg.to_string().trim_start_matches("r#").to_owned())
        .block(&func.block);
    let Some(name) = name else { return with_errors(item, cx, TokenStream::new()) };
    match cx.finish(()) {
        Ok(()) => {
            let sigma_prime = diff::derivative(&mut g, sigma);
            let body = Body { g: &g, sigma, sigma_prime, arg: &arg, own };
            let mut tokens = generate::with_float_methods(&func);
            tokens.extend(generate(&func, &name, init, Some(&body)));
            tokens
        }
        Err(errors) => {
            let mut tokens = without_body(&func);
            tokens.extend(errors.to_compile_error());
            tokens.extend(generate(&func, &name, init, None));
            tokens
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Ident, Span};

    use super::*;

    /// The expansion of `#[activation(attr)] item`, as a string.
    fn expand_str(attr: &str, item: &str) -> String {
        expand(attr.parse().unwrap_or_default(), item.parse().unwrap_or_default()).to_string()
    }

    #[test]
    fn documents_both_formulas() {
        let out = expand_str("", "/// Swish.\npub fn swish(z: f64) -> f64 { z / (1.0 + (-z).exp()) }");
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("\" Swish.\""), "{out}");
        assert!(out.contains("σ(z)  = z / (1 + exp(-z))"), "{out}");
        assert!(out.contains("σ'(z) = (t2 + z * t1) / (t2 * t2)"), "{out}");
        assert!(out.contains("where t1 = exp(-z)"), "{out}");
        assert!(out.contains("pub struct Swish"), "{out}");
        assert!(out.contains("Glorot's rule"), "{out}");
    }

    #[test]
    fn init_option() {
        let out = expand_str("init = He", "fn relu6(z: f32) -> f32 { z.max(0.0).min(6.0) }");
        assert!(out.contains(":: backprop :: Init :: He"), "{out}");
        assert!(!out.contains(":: backprop :: Init :: Glorot"), "{out}");
        assert!(expand_str("init = Xavier", "fn f(z: f32) -> f32 { z }").contains("compile_error"));
        assert!(expand_str("lr = 1", "fn f(z: f32) -> f32 { z }").contains("compile_error"));
    }

    #[test]
    fn a_cast_constant_on_the_left_of_a_comparison_is_parenthesised() {
        let out = expand_str("", "fn f(x: f32) -> f32 { if K < x { x } else { K } }");
        assert!(out.contains("(K as :: core :: primitive :: f64) < __z"), "{out}");
    }

    #[test]
    fn every_unsupported_construct_is_reported_in_one_expansion() {
        let out = expand_str(
            "",
            "fn f(z: f64) -> f64 { let a = foo(z); for _ in 0..2 {} z.floor() + a + z.powf(z) + z.max(z) }",
        );
        assert_eq!(out.matches("compile_error").count(), 5, "{out}");
        // The function and a stub of the type are still emitted.
        assert!(out.contains("fn f"), "{out}");
        assert!(out.contains("struct F"), "{out}");
    }

    #[test]
    fn piecewise_functions_become_if_else_if() {
        let out = expand_str(
            "",
            "fn hard_tanh(z: f32) -> f32 { if z > 1.0 { 1.0 } else if z < -1.0 { -1.0 } else { z } }",
        );
        assert!(out.contains("if __z > 1f64 { 0f64 } else if __z < - 1f64 { 0f64 } else { 1f64 }"), "{out}");
    }

    #[test]
    fn constants_of_the_standard_library_fold() {
        let out = expand_str("", "fn f(z: f64) -> f64 { z * (2.0 * core::f64::consts::PI).sqrt() }");
        assert!(out.contains("\"σ'(z) = 2.5066282746310002\""), "{out}");
        // A literal equal to a constant of the standard library is written as that constant.
        let out = expand_str("", "fn g(z: f64) -> f64 { z.log2() }");
        assert!(out.contains(":: core :: f64 :: consts :: LN_2"), "{out}");
    }

    #[test]
    fn type_names_are_upper_camel_case() {
        let mut cx = Ctxt::default();
        let name = |s: &str, cx: &mut Ctxt| {
            type_name(&Ident::new(s, Span::call_site()), ACTIVATION, cx).map(|i| i.to_string())
        };
        assert_eq!(name("gelu_tanh", &mut cx).as_deref(), Some("GeluTanh"));
        assert_eq!(name("relu6", &mut cx).as_deref(), Some("Relu6"));
        assert_eq!(name("_private_swish", &mut cx).as_deref(), Some("PrivateSwish"));
        assert!(cx.finish(()).is_ok());
        let mut cx = Ctxt::default();
        assert_eq!(name("Swish", &mut cx), None);
        assert!(cx.finish(()).is_err());
    }
}

/// Bodies that once made the macro's output, time or stack grow without bound.
#[cfg(test)]
mod growth {
    use super::stub::MAX_DEPTH;
    use super::*;

    /// A function of `lines` chained `let`s, each an `if` on the one before (the case of issue 11:
    /// each `if` once copied the derivative of the one before into both of its branches).
    fn chained_ifs(lines: usize) -> String {
        let mut body = String::from("let a0 = z;\n");
        for k in 1..=lines {
            let j = k - 1;
            body.push_str(&format!("let a{k} = if a{j} > 0.0 {{ a{j} * a{j} }} else {{ a{j}.exp() }};\n"));
        }
        format!("fn chained(z: f64) -> f64 {{\n{body}a{lines}\n}}")
    }

    /// The expansion of `source`.
    fn expansion(source: &str) -> String {
        expand(TokenStream::new(), source.parse().unwrap_or_default()).to_string()
    }

    #[test]
    fn chained_ifs_expand_in_linear_size() {
        let mut sizes = Vec::new();
        for lines in [30, 60, 200] {
            let out = expansion(&chained_ifs(lines));
            assert!(!out.contains("compile_error"), "{out}");
            assert!(out.len() < 1 << 20, "{lines} lines: {} bytes", out.len());
            sizes.push((out.len(), out.matches(" if ").count()));
        }
        // Each line's value and derivative are written once, as their own `let`s: every line adds
        // the same number of `if`s (in σ and σ', in the code and in the formulas).
        let (ifs30, ifs60, ifs200) = (sizes[0].1, sizes[1].1, sizes[2].1);
        assert_eq!((ifs60 - ifs30) * 140, (ifs200 - ifs60) * 30, "{sizes:?}");
        // Twice the lines, at most a little over twice the code; and from 60 lines to 200, the code
        // per line grows by at most a fifth. (Sizes, not times: an expansion whose size is linear
        // takes linear time, and a size is the same on every machine, however busy.)
        assert!(sizes[1].0 < sizes[0].0 * 5 / 2, "{sizes:?}");
        assert!(sizes[2].0 * 60 < sizes[1].0 * 200 * 6 / 5, "{sizes:?}");
    }

    /// Expands `source` on a thread with rustc's 8 MiB stack.
    fn expand_on_rustc_stack(source: String) -> String {
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || expand(TokenStream::new(), source.parse().unwrap_or_default()).to_string())
            .and_then(|thread| thread.join().map_err(|_| std::io::Error::other("panicked")))
            .unwrap_or_default()
    }

    #[test]
    fn bodies_deeper_than_the_limit_are_one_error() {
        let n = 10_000;
        let cases = [
            format!("fn f(z: f64) -> f64 {{ {}z{} }}", "(".repeat(n), ")".repeat(n)),
            format!("fn f(z: f64) -> f64 {{ {} z {} }}", "if z > 0.0 { ".repeat(n), "} else { z }".repeat(n)),
            format!("fn f(z: f64) -> f64 {{ {}z }}", "-".repeat(n)),
            format!("fn f(z: f64) -> f64 {{ z{} }}", " + (z".repeat(n) + &")".repeat(n)),
        ];
        for source in cases {
            let out = expand_on_rustc_stack(source);
            assert_eq!(out.matches("compile_error").count(), 1, "{}", &out[..out.len().min(300)]);
            assert!(out.contains("more than 128 levels deep"));
            // The function and a stub of its type are still emitted.
            assert!(out.contains("struct F"));
        }
    }

    #[test]
    fn bodies_at_the_limit_expand() {
        let n = MAX_DEPTH - 2;
        let cases = [
            format!("fn f(z: f64) -> f64 {{ {}z{} }}", "(".repeat(n), ")".repeat(n)),
            format!("fn f(z: f64) -> f64 {{ {} z {} }}", "if z > 0.0 { ".repeat(n), "} else { z }".repeat(n)),
            format!("fn f(z: f64) -> f64 {{ {}z }}", "-".repeat(n)),
            format!("fn f(z: f64) -> f64 {{ z{} }}", " + (z".repeat(n) + &")".repeat(n)),
            // Long but flat: 1 000 terms and 1 000 chained `let`s.
            format!("fn f(z: f64) -> f64 {{ z{} }}", " + z.sin()".repeat(1000)),
            format!(
                "fn f(z: f64) -> f64 {{ let a0 = z; {} a1000 }}",
                (1..=1000).map(|k| format!("let a{k} = a{}.sin();", k - 1)).collect::<String>()
            ),
        ];
        for source in cases {
            let out = expand_on_rustc_stack(source);
            assert!(out.contains("fn derivative"), "{}", &out[..out.len().min(300)]);
            assert!(!out.contains("compile_error"), "{}", &out[..out.len().min(300)]);
        }
    }
}
