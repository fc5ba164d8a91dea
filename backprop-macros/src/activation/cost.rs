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
use super::generate::{aligned, unit_type};
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
    let mut cx = Ctxt::default();
    if !attr.is_empty() {
        cx.error_spanned_by(
            &attr,
            "`#[cost]` takes no options: write the constants of the loss as `const` items",
        );
    }
    if let Some(error) = too_deep(&item) {
        cx.push(error);
        let stub = shallow_stub(&item)
            .and_then(|func| Some((type_name(&func.sig.ident, COST, &mut Ctxt::default())?, func)))
            .map(|(name, func)| generate(&func, &name, None))
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
        let stub = name.map(|name| generate(&func, &name, None)).unwrap_or_default();
        return with_errors(without_body(&func), cx, stub);
    };
    let names = args.map(|a| a.to_string().trim_start_matches("r#").to_owned());
    let mut g = Graph::default();
    let c = parse::Lower::new(&mut g, &mut cx, names[0].clone()).cost(names[1].clone()).block(&func.block);
    let Some(name) = name else { return with_errors(item, cx, TokenStream::new()) };
    match cx.finish(()) {
        Ok(()) => {
            let dc = diff::derivative(&mut g, c);
            let body = Body { g: &g, c, dc, names, own };
            let mut tokens = item;
            tokens.extend(generate(&func, &name, Some(&body)));
            tokens
        }
        Err(errors) => {
            let mut tokens = without_body(&func);
            tokens.extend(errors.to_compile_error());
            tokens.extend(generate(&func, &name, None));
            tokens
        }
    }
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
fn generate(func: &ItemFn, name: &Ident, body: Option<&Body>) -> TokenStream {
    let fn_name = &func.sig.ident;
    let name_str = name.to_string();
    let z = Ident::new("__z", Span::call_site());
    let lines = vec![
        String::new(),
        format!(
            " The regression cost generated by `#[cost]` from the function `{fn_name}`: the cost of a \
             sample is the sum of c(z_j, y_j) over its outputs, averaged over the batch, and δ_j is \
             ∂c/∂z_j, the derivative of the function's body in its first argument, taken \
             symbolically at compile time. Its prediction is the output itself."
        ),
    ];
    let impls = [Ty::F32, Ty::F64].map(|ty| {
        let t = ty.tokens();
        let (value, derivative) = match body {
            Some(b) if ty == b.own => (quote!(#fn_name(#z, __y)), emit::rust(b.g, b.dc, ty, b.own, &z)),
            Some(b) => (emit::rust(b.g, b.c, ty, b.own, &z), emit::rust(b.g, b.dc, ty, b.own, &z)),
            None => (quote!(#z), quote!(#z)),
        };
        quote! {
            #[automatically_derived]
            impl ::backprop::Cost<#t> for #name {
                const NAME: &'static ::core::primitive::str = #name_str;
                const CLASSIFICATION: ::core::primitive::bool = false;

                fn sample(
                    &self,
                    __output: ::backprop::ndarray::ArrayView1<'_, #t>,
                    __target: &::backprop::Target<'_, #t>,
                    mut __delta: ::core::option::Option<::backprop::ndarray::ArrayViewMut1<'_, #t>>,
                ) -> #t {
                    let mut __c: #t = 0.0;
                    for (__j, &#z) in __output.iter().enumerate() {
                        let __y: #t = __target.value(__j);
                        __c += { #value };
                        if let ::core::option::Option::Some(__d) =
                            __delta.as_mut().and_then(|__d| __d.get_mut(__j))
                        {
                            *__d = { #derivative };
                        }
                    }
                    __c
                }
            }
        }
    });
    let formulas = body.map(|b| {
        let [z, y] = [b.names[0].as_str(), b.names[1].as_str()];
        let heads = [(format!("c({z}, {y})"), b.c, "u"), (format!("∂c/∂{z}"), b.dc, "t")];
        let docs = [
            "c, the formula `#[cost]` read from the function's body.",
            "∂c/∂z, the formula `#[cost]` derived from the function's body.",
        ];
        (aligned(b.g, heads, [z, y]), docs)
    });
    unit_type(func, name, lines, formulas, quote!(#(#impls)*))
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
    }
}
