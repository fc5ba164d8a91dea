//! The options of `#[activation(...)]` and the function's signature: what the type is named and
//! which float type the function computes in.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use super::Init;
use super::emit::Ty;
use crate::ctxt::Ctxt;
use crate::suggest;

/// The options of `#[activation(...)]`: `init = He` or `init = Glorot` (the default).
pub fn options(attr: TokenStream, cx: &mut Ctxt) -> Init {
    let mut init = Init::Glorot;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("init") {
            let value: Ident = meta.value()?.parse()?;
            init = match value.to_string().as_str() {
                "Glorot" => Init::Glorot,
                "He" => Init::He,
                other => {
                    let hint = match suggest::closest(other, &["Glorot", "He"]) {
                        Some(close) => format!("did you mean `{close}`? "),
                        None => String::new(),
                    };
                    return Err(syn::Error::new_spanned(
                        value,
                        format!(
                            "unknown initialisation `{other}`: {hint}write `init = Glorot` (the default) or \
                             `init = He` (for ReLU-like σ)"
                        ),
                    ));
                }
            };
            Ok(())
        } else {
            let path = &meta.path;
            let word = quote!(#path).to_string().replace(' ', "");
            let hint = match suggest::closest(&word, &["init"]) {
                Some(close) => format!("did you mean `{close}`? "),
                None => String::new(),
            };
            Err(syn::Error::new_spanned(
                path,
                format!(
                    "unknown option `{word}` of `#[activation]`: {hint}the only option is `init = He` or \
                     `init = Glorot` (the default), as in `#[activation(init = He)]`"
                ),
            ))
        }
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, attr) {
        cx.push(error);
    }
    init
}

/// The name of the generated type: the function's name in UpperCamelCase (`gelu_tanh` →
/// `GeluTanh`), spanned on the function's name. `[attribute, example]` name the macro and a
/// function it takes, for the error.
pub fn type_name(ident: &Ident, [attribute, example]: [&str; 2], cx: &mut Ctxt) -> Option<Ident> {
    let raw = ident.to_string();
    let name = raw.trim_start_matches("r#");
    let camel: String = name
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    let valid = camel.chars().next().is_some_and(|c| c.is_alphabetic());
    if !valid || camel == name {
        cx.error_spanned_by(
            ident,
            format!(
                "`#[{attribute}]` names the type it generates after the function in UpperCamelCase, but \
                 `{name}` gives {}: name the function in snake_case, as in `{example}`",
                if valid { format!("`{camel}`, the function's own name") } else { "no name".to_owned() }
            ),
        );
        return None;
    }
    Some(Ident::new(&camel, ident.span()))
}

/// The macro and an example of a function it takes, for [`type_name`]'s error.
pub const ACTIVATION: [&str; 2] = ["activation", "fn swish(z: f64) -> f64"];

/// The message of every error about the signature.
const SIGNATURE: &str = "`#[activation]` differentiates a function of one `f32` or `f64` argument that \
    returns the same type, as in `fn swish(z: f64) -> f64`; for anything else, implement \
    `backprop::Activation` by hand";

/// The argument's name and the function's float type, if the signature is one `#[activation]`
/// accepts; otherwise every error in `cx`.
pub fn signature(func: &ItemFn, errors: &mut Ctxt) -> Option<(Ident, Ty)> {
    let sig = &func.sig;
    let mut cx = Ctxt::default();
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(&sig.generics, format!("a generic function: {SIGNATURE}"));
    }
    if let Some(token) = &sig.asyncness {
        cx.error_spanned_by(token, format!("an `async` function: {SIGNATURE}"));
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        cx.error_spanned_by(token, format!("an `unsafe` function: {SIGNATURE}"));
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(variadic, format!("a variadic function: {SIGNATURE}"));
    }
    let mut arg = None;
    match sig.inputs.len() {
        0 => cx.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!("a function without an argument: {SIGNATURE}"),
        )),
        n => {
            for extra in sig.inputs.iter().skip(1) {
                cx.error_spanned_by(extra, format!("a function of {n} arguments: {SIGNATURE}"));
            }
        }
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => cx.error_spanned_by(receiver, format!("a method: {SIGNATURE}")),
        Some(FnArg::Typed(typed)) => {
            match &*typed.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => arg = Some(p.ident.clone()),
                other => cx.error_spanned_by(
                    other,
                    format!("this pattern as the argument (name it, as in `z`): {SIGNATURE}"),
                ),
            }
            let ty = &typed.ty;
            match float(ty) {
                Some(_) => {}
                None => {
                    let written = quote!(#ty).to_string().replace(' ', "");
                    cx.error_spanned_by(ty, format!("an argument of type `{written}`: {SIGNATURE}"));
                }
            }
        }
        None => {}
    }
    let arg_ty = match sig.inputs.first() {
        Some(FnArg::Typed(typed)) => float(&typed.ty),
        _ => None,
    };
    match &sig.output {
        ReturnType::Default => cx.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!("a function that returns nothing (write `-> f64`): {SIGNATURE}"),
        )),
        ReturnType::Type(_, ty) => match (float(ty), arg_ty) {
            (None, _) => {
                let written = quote!(#ty).to_string().replace(' ', "");
                cx.error_spanned_by(ty, format!("a function that returns `{written}`: {SIGNATURE}"));
            }
            (Some(ret), Some(takes)) if ret != takes => {
                cx.error_spanned_by(
                    ty,
                    format!("a function that returns another float type than it takes: {SIGNATURE}"),
                );
            }
            _ => {}
        },
    }
    match cx.finish(()) {
        Ok(()) => Some((arg?, arg_ty?)),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// The float type `ty` names: `f32` or `f64`, possibly as `core::primitive::f64`.
pub fn float(ty: &Type) -> Option<Ty> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let name = match segments.as_slice() {
        [name] => name,
        [krate, primitive, name] if matches!(krate.as_str(), "core" | "std") && primitive == "primitive" => {
            name
        }
        _ => return None,
    };
    match name.as_str() {
        "f32" => Some(Ty::F32),
        "f64" => Some(Ty::F64),
        _ => None,
    }
}
