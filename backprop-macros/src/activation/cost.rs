//! `#[cost]`: a per-output loss c(z, y) written as a Rust function, δ = ∂c/∂z derived from its
//! body at compile time by the engine of `#[activation]`.
//!
//! The body is lowered with the target y as a constant of its own (`Node::Target`), so the
//! derivative in z is the one `diff` takes for an activation; `emit` writes c and ∂c/∂z inside
//! the generated `Cost::sample`, which sums c over the outputs of a sample. The batch mean is
//! `backprop::cost::evaluate`'s, as for the built-in costs.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType};

use super::diff;
use super::emit::{self, Ty};
use super::expr::{self, Graph};
use super::generate::{aligned, aligned_latex, unit_type};
use super::parse;
use super::signature::{float, type_name};
use super::stub::{shallow_stub, too_deep, with_errors, without_body};
use crate::ctxt::Ctxt;

/// The message of every error about the signature.
const SIGNATURE: &str = "`#[cost]` differentiates a function of two arguments of one float type, \
    the output z and the target y, that returns that type, as in `fn huber(z: f64, y: f64) -> f64`; \
    for anything else, implement `backprop::Cost` by hand";

/// The macro and an example of a function it takes, for `type_name`'s error.
const COST: [&str; 2] = ["cost", "fn huber(z: f64, y: f64) -> f64"];

/// c and ∂c/∂z of a function that lowered without errors.
struct Body<'a> {
    g: &'a Graph,
    c: expr::Id,
    dc: expr::Id,
    /// The names of the user's arguments, for the formulas.
    names: [String; 2],
    /// The float type of the user's function.
    own: Ty,
}

/// `#[cost] fn ...`: the function unchanged, then its type and the type's `Cost<f32>` and
/// `Cost<f64>` impls; or the function, a stub of the type and every error.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    // A mistake in the options leaves the function as it is: its body is then lowered, and the
    // type generated, as if the options were right, so that it is the one error.
    let mut option_cx = Ctxt::default();
    let options = options(attr, &mut option_cx);
    let option_errors = option_cx.finish(()).err();
    let mut cx = Ctxt::default();
    cx.extend(option_errors.clone());
    if let Some(error) = too_deep(&item, ["cost", "Cost"]) {
        cx.push(error);
        let stub = shallow_stub(&item)
            .and_then(|func| Some((type_name(&func.sig.ident, COST, &mut Ctxt::default())?, func)))
            .map(|(name, func)| generate(&func, &name, options, None))
            .unwrap_or_default();
        return with_errors(item, cx, stub);
    }
    let func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            cx.push(syn::Error::new(Span::call_site(), format!("`#[cost]` goes on a function: {SIGNATURE}")));
            return with_errors(item, cx, TokenStream::new());
        }
    };
    let name = type_name(&func.sig.ident, COST, &mut cx);
    let Some((args, own)) = signature(&func, &mut cx) else {
        // Without its body, which a wrong signature would only add errors to (`z - y` with an
        // integer `y`).
        let stub = name.map(|name| generate(&func, &name, options, None)).unwrap_or_default();
        return with_errors(without_body(&func), cx, stub);
    };
    let names = args.map(|a| a.to_string().trim_start_matches("r#").to_owned());
    let mut g = Graph::default();
    let mut body_cx = Ctxt::default();
    let c =
        parse::Lower::new(&mut g, &mut body_cx, names[0].clone()).cost(names[1].clone()).block(&func.block);
    let body_errors = body_cx.finish(()).err();
    let body_ok = body_errors.is_none();
    cx.extend(body_errors);
    let Some(name) = name else { return with_errors(item, cx, TokenStream::new()) };
    if !body_ok {
        let mut tokens = without_body(&func);
        if let Err(errors) = cx.finish(()) {
            tokens.extend(errors.to_compile_error());
        }
        tokens.extend(generate(&func, &name, options, None));
        return tokens;
    }
    let dc = diff::derivative(&mut g, c);
    let body = Body { g: &g, c, dc, names, own };
    let mut tokens = super::generate::with_float_methods(&func);
    // The errors of the options, if any: the function and its type are right.
    if let Err(errors) = cx.finish(()) {
        tokens.extend(errors.to_compile_error());
    }
    tokens.extend(generate(&func, &name, options, Some(&body)));
    tokens
}

/// What the network predicts from the output the cost is taken of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Predict {
    /// The output itself.
    #[default]
    Identity,
    /// The probability s(z) = 1/(1 + e^{−z}) of each output, as `BinaryCrossEntropy`'s.
    Sigmoid,
}

/// The options of `#[cost(...)]`.
#[derive(Clone, Copy, Debug, Default)]
struct Options {
    /// The outputs are yes/no labels (targets in [0, 1], or class labels), as
    /// `BinaryCrossEntropy`'s: the cost classifies, one label per output.
    classification: bool,
    /// The cost applies its own output function to z^L, so the output layer declares none.
    takes_logits: bool,
    predict: Predict,
}

/// The options a `#[cost]` takes, for the messages.
const OPTIONS: &str = "`#[cost]` takes the options `classification` (the outputs are yes/no \
    labels, targets in [0, 1] or class labels), `takes_logits` (the cost is taken of z^L, to which \
    it applies its own output function: the output layer declares no activation) and `predict = \
    identity` or `predict = sigmoid` (what `predict` returns), as in \
    `#[cost(classification, takes_logits, predict = sigmoid)]`; the constants of a loss are `const` \
    items";

/// The options of `#[cost(attr)]`; every mistake in them goes to `cx`, and the option is then
/// left at its default.
fn options(attr: TokenStream, cx: &mut Ctxt) -> Options {
    let mut options = Options::default();
    if attr.is_empty() {
        return options;
    }
    let parser = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
    let metas = match syn::parse::Parser::parse2(parser, attr) {
        Ok(metas) => metas,
        Err(e) => {
            cx.push(syn::Error::new(e.span(), OPTIONS));
            return options;
        }
    };
    let mut seen: Vec<String> = Vec::new();
    let mut takes_logits = None;
    for meta in metas {
        let name = meta.path().get_ident().map(|i| i.to_string()).unwrap_or_default();
        if seen.contains(&name) {
            cx.error_spanned_by(&meta, format!("`{name}` is given twice: remove one"));
            continue;
        }
        seen.push(name.clone());
        match (name.as_str(), &meta) {
            ("classification", syn::Meta::Path(_)) => options.classification = true,
            ("takes_logits", syn::Meta::Path(path)) => {
                options.takes_logits = true;
                takes_logits = Some(path.clone());
            }
            ("predict", syn::Meta::NameValue(nv)) => {
                let value = &nv.value;
                let written = quote!(#value).to_string();
                match written.as_str() {
                    "identity" => options.predict = Predict::Identity,
                    "sigmoid" => options.predict = Predict::Sigmoid,
                    _ => cx.error_spanned_by(
                        value,
                        format!("`predict = {written}`: a `#[cost]` predicts `identity` (the output itself) or `sigmoid` (the probability of each output)"),
                    ),
                }
            }
            ("classification" | "takes_logits", _) => {
                cx.error_spanned_by(&meta, format!("`{name}` takes no value: write `{name}` alone"))
            }
            ("predict", _) => cx.error_spanned_by(&meta, "write `predict = sigmoid` or `predict = identity`"),
            _ => {
                let hint = match crate::suggest::closest(&name, &["classification", "takes_logits", "predict"]) {
                    Some(option) => format!("did you mean `{option}`? "),
                    None if matches!(meta, syn::Meta::NameValue(_)) => {
                        "a constant of the loss is a `const` item, as in `const DELTA: f64 = 1.0;`, which the body uses: ".to_owned()
                    }
                    None => String::new(),
                };
                cx.error_spanned_by(meta.path(), format!("{hint}{OPTIONS}"));
            }
        }
    }
    if let (Some(path), Predict::Identity) = (takes_logits, options.predict) {
        cx.error_spanned_by(
            path,
            "a cost that `takes_logits` applies its own output function to z^L, and predicts it: add `predict = sigmoid`",
        );
    }
    options
}

/// The names of the two arguments and the function's float type, if the signature is one
/// `#[cost]` accepts; otherwise every error in `errors`.
fn signature(func: &ItemFn, errors: &mut Ctxt) -> Option<([Ident; 2], Ty)> {
    let sig = &func.sig;
    let mut cx = Ctxt::default();
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(&sig.generics, format!("a generic function: {SIGNATURE}"));
    }
    if sig.asyncness.is_some() || sig.constness.is_some() || sig.variadic.is_some() {
        cx.error_spanned_by(&sig.ident, format!("an `async`, `const` or variadic function: {SIGNATURE}"));
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        cx.error_spanned_by(token, format!("an `unsafe` function: {SIGNATURE}"));
    }
    if sig.inputs.len() != 2 {
        let what = match sig.inputs.len() {
            0 => "a function without an argument".to_owned(),
            1 => "a function of one argument".to_owned(),
            n => format!("a function of {n} arguments"),
        };
        cx.push(syn::Error::new(sig.paren_token.span.join(), format!("{what}: {SIGNATURE}")));
    }
    let mut names = Vec::new();
    let mut types = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => cx.error_spanned_by(receiver, format!("a method: {SIGNATURE}")),
            FnArg::Typed(typed) => {
                match &*typed.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => names.push(p.ident.clone()),
                    other => cx.error_spanned_by(
                        other,
                        format!("this pattern as an argument (name it, as in `z`): {SIGNATURE}"),
                    ),
                }
                let ty = &typed.ty;
                match float(ty) {
                    Some(t) => types.push(t),
                    None => {
                        let written = quote!(#ty).to_string().replace(' ', "");
                        cx.error_spanned_by(ty, format!("an argument of type `{written}`: {SIGNATURE}"));
                    }
                }
            }
        }
    }
    let own = types.first().copied();
    if types.iter().any(|t| Some(*t) != own) {
        cx.error_spanned_by(&sig.inputs, format!("arguments of two float types: {SIGNATURE}"));
    }
    match &sig.output {
        ReturnType::Default => cx.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!("a function that returns nothing (write `-> f64`): {SIGNATURE}"),
        )),
        ReturnType::Type(_, ty) if float(ty).is_none() || own.is_some_and(|own| float(ty) != Some(own)) => {
            let written = quote!(#ty).to_string().replace(' ', "");
            cx.error_spanned_by(ty, format!("a function that returns `{written}`: {SIGNATURE}"));
        }
        ReturnType::Type(..) => {}
    }
    match cx.finish(()) {
        Ok(()) => Some(([names.first()?.clone(), names.get(1)?.clone()], own?)),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// The generated type and its impls, or with `body: None` a stub of them after an error, so that
/// uses of the type do not add follow-on errors to the real ones.
fn generate(func: &ItemFn, name: &Ident, options: Options, body: Option<&Body>) -> TokenStream {
    let fn_name = &func.sig.ident;
    let name_str = name.to_string();
    let z = Ident::new("__z", Span::call_site());
    let what = if options.classification { "classification" } else { "regression" };
    let of = if options.takes_logits {
        "z^L, the logits (the output layer declares no activation)"
    } else {
        "the network's output"
    };
    let predicts = match options.predict {
        Predict::Identity => "Its prediction is the output itself.",
        Predict::Sigmoid => "Its prediction is the probability s(z_j) = 1/(1 + e^{−z_j}) of each output.",
    };
    let labels = if options.classification {
        " Each output is a yes/no label: targets lie in [0, 1], and class labels are read as one-hot rows (with one output, the label is the target 0 or 1)."
    } else {
        ""
    };
    let lines = vec![
        String::new(),
        format!(
            " The {what} cost generated by `#[cost]` from the function `{fn_name}`, taken of {of}: the \
             cost of a sample is the sum of c(z_j, y_j) over its outputs, averaged over the batch, \
             and δ_j is ∂c/∂z_j, the derivative of the function's body in its first argument, taken \
             symbolically at compile time. {predicts}{labels}"
        ),
    ];
    let formulas = body.map(|b| {
        let [z, y] = [b.names[0].as_str(), b.names[1].as_str()];
        let heads = [(format!("c({z}, {y})"), b.c, "u"), (format!("∂c/∂{z}"), b.dc, "t")];
        let [zl, yl] = [z, y].map(latex_name);
        let latex_heads = [
            (format!("c({zl}, {yl})"), b.c, "u"),
            (format!(r"\frac{{\partial c}}{{\partial {zl}}}"), b.dc, "t"),
        ];
        (aligned(b.g, heads, [z, y]), aligned_latex(b.g, latex_heads, [&zl, &yl]))
    });
    let methods = super::generate::float_methods();
    let impls = [Ty::F32, Ty::F64].map(|ty| {
        let t = ty.tokens();
        // c and ∂c/∂z in one block, which computes what they share once.
        let ((lets, [value, derivative]), alone) = match body {
            Some(b) => {
                (emit::rust_pair(b.g, [b.c, b.dc], ty, b.own, &z), emit::rust(b.g, b.c, ty, b.own, &z))
            }
            None => ((TokenStream::new(), [quote!(#z), quote!(#z)]), quote!(#z)),
        };
        let known = match &formulas {
            Some(([cost, derivative], [cost_latex, derivative_latex])) => quote! {
                const FORMULAS: ::core::option::Option<::backprop::cost::CostFormulas> =
                    ::core::option::Option::Some(::backprop::cost::CostFormulas {
                        cost: #cost,
                        derivative: #derivative,
                        cost_latex: #cost_latex,
                        derivative_latex: #derivative_latex,
                    });
            },
            None => TokenStream::new(),
        };
        let (classification, takes_logits) = (options.classification, options.takes_logits);
        let mut classify = TokenStream::new();
        if classification {
            classify.extend(quote! {
                fn check_target(
                    &self,
                    __sample: ::core::primitive::usize,
                    __target: &::backprop::Target<'_, #t>,
                ) -> ::core::result::Result<(), ::backprop::Error> {
                    ::backprop::cost::check_labels(<Self as ::backprop::Cost<#t>>::NAME, __sample, __target)
                }
            });
        }
        if options.predict == Predict::Sigmoid {
            classify.extend(quote! {
                fn predict_in_place(&self, __z: ::backprop::ndarray::ArrayViewMut1<'_, #t>) {
                    ::backprop::cost::sigmoid_in_place(__z)
                }

                fn is_positive(&self, __z: #t, _: #t) -> ::core::primitive::bool {
                    __z > 0.0
                }
            });
        }
        quote! {
            #[automatically_derived]
            impl ::backprop::Cost<#t> for #name {
                const NAME: &'static ::core::primitive::str = #name_str;
                const CLASSIFICATION: ::core::primitive::bool = #classification;
                const MULTI_LABEL: ::core::primitive::bool = #classification;
                const TAKES_LOGITS: ::core::primitive::bool = #takes_logits;
                #known
                #classify

                fn sample(
                    &self,
                    __output: ::backprop::ndarray::ArrayView1<'_, #t>,
                    __target: &::backprop::Target<'_, #t>,
                    __delta: ::core::option::Option<::backprop::ndarray::ArrayViewMut1<'_, #t>>,
                ) -> #t {
                    /// c and ∂c/∂z of one output, in one block.
                    #[inline(always)]
                    fn __c_and_delta(#z: #t, __y: #t) -> (#t, #t) {
                        #methods
                        #lets
                        (#value, #derivative)
                    }
                    /// c of one output.
                    #[inline(always)]
                    fn __c_alone(#z: #t, __y: #t) -> #t {
                        #methods
                        #alone
                    }
                    let mut __c: #t = 0.0;
                    match (__delta, __target) {
                        // Targets as values, the usual case: output, target and δ side by side.
                        // (A row of another length goes below, where `value` is NaN past its end.)
                        (::core::option::Option::Some(mut __delta), ::backprop::Target::Values(__y))
                            if __y.len() == __output.len() =>
                        {
                            for ((__d, &#z), &__y) in __delta.iter_mut().zip(&__output).zip(__y) {
                                let (__cj, __dj) = __c_and_delta(#z, __y);
                                __c += __cj;
                                *__d = __dj;
                            }
                        }
                        (::core::option::Option::Some(mut __delta), _) => {
                            for ((__j, __d), &#z) in __delta.iter_mut().enumerate().zip(&__output) {
                                let (__cj, __dj) = __c_and_delta(#z, __target.value(__j));
                                __c += __cj;
                                *__d = __dj;
                            }
                        }
                        (::core::option::Option::None, _) => {
                            for (__j, &#z) in __output.iter().enumerate() {
                                __c += __c_alone(#z, __target.value(__j));
                            }
                        }
                    }
                    __c
                }
            }
        }
    });
    let formulas = formulas.map(|(text, _)| {
        let docs = [
            "c, the formula `#[cost]` read from the function's body.",
            "∂c/∂z, the formula `#[cost]` derived from the function's body.",
        ];
        (text, docs)
    });
    // `sample` computes c from the function's body, beside its derivative, rather than by calling
    // it: the function is the cost's definition, and in use through the type.
    // (Not after an error: the function's signature may be what is wrong.)
    let used = body.map(|b| {
        let own = b.own.tokens();
        quote!(const _: fn(#own, #own) -> #own = #fn_name;)
    });
    // What it predicts on a slice, which needs no standard library: a fixed-size network's
    // `predict_one` and `classify_one` use it. Sigmoid's is `BinaryCrossEntropy`'s, bit for bit.
    let predictions = [Ty::F32, Ty::F64].map(|ty| {
        let t = ty.tokens();
        let body = match options.predict {
            Predict::Identity => TokenStream::new(),
            Predict::Sigmoid => quote! {
                fn predict_slice(&self, __z: &mut [#t]) {
                    ::backprop::Prediction::<#t>::predict_slice(&::backprop::BinaryCrossEntropy, __z)
                }

                fn is_positive(&self, __z: #t, _: #t) -> ::core::primitive::bool {
                    __z > 0.0
                }
            },
        };
        quote! {
            #[automatically_derived]
            impl ::backprop::Prediction<#t> for #name {
                #body
            }
        }
    });
    // The `Cost` impls need the standard library (ndarray): kept with `backprop`'s `std`.
    let impls = quote! {
        ::backprop::__private::if_std! { #(#impls)* }
        #(#predictions)*
        #used
    };
    unit_type(func, name, lines, formulas, impls)
}

/// A name of the user's as a LaTeX symbol: one letter as it is (italic), a longer one in
/// `\mathit{}`, underscores escaped.
fn latex_name(name: &str) -> String {
    if name.chars().count() == 1 {
        name.to_owned()
    } else {
        format!(r"\mathit{{{}}}", name.replace('_', r"\_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expansion of `#[cost] item`, as a string.
    fn expand_str(item: &str) -> String {
        expand(TokenStream::new(), item.parse().unwrap_or_default()).to_string()
    }

    #[test]
    fn the_target_is_a_constant_of_the_derivative() {
        let out = expand_str("fn squared(z: f64, y: f64) -> f64 { 0.5 * (z - y).powi(2) }");
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("pub struct Squared") || out.contains("struct Squared"), "{out}");
        assert!(out.contains("\"c(z, y) = 0.5 * (z - y)^2\""), "{out}");
        assert!(out.contains("\"∂c/∂z   = z - y\""), "{out}");
        // c is computed as FORMULA writes it, constants folded (as the guide says).
        let out = expand_str("fn scaled(z: f64, y: f64) -> f64 { (z - y) * 3.0 * 5.0 }");
        assert!(out.contains("\"c(z, y) = 15 * (z - y)\""), "{out}");
        assert!(out.contains("__z - __y"), "{out}");
    }

    #[test]
    fn each_signature_mistake_is_one_error() {
        for item in [
            "fn f(z: f64) -> f64 { z }",
            "fn f(z: f64, y: i32) -> f64 { z }",
            "fn f(z: f64, y: f32) -> f64 { z }",
            "fn f(z: f64, y: f64) -> f32 { z }",
            "fn f(z: f64, y: f64) { }",
        ] {
            let out = expand_str(item);
            assert_eq!(out.matches("compile_error").count(), 1, "{item}: {out}");
            assert!(out.contains("struct F"), "{out}");
        }
        let out = expand_str("fn Huber(z: f64, y: f64) -> f64 { z - y }");
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(out.contains("`#[cost]` names the type"), "{out}");
        assert!(out.contains("fn huber(z: f64, y: f64) -> f64"), "{out}");
        let out = expand_str("fn f(z: f64, y: f64) -> f64 { if z > y { z } }");
        assert!(out.contains("(c needs a value on both sides)"), "{out}");
        let deep = format!("fn f(z: f64, y: f64) -> f64 {{ {}z{} }}", "(".repeat(200), ")".repeat(200));
        let out = expand_str(&deep);
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(
            out.contains("`#[cost]` differentiates bodies") && out.contains("`backprop::Cost` by hand"),
            "{out}"
        );
    }
}
