//! `#[activation]`: σ written as a Rust function, σ' derived from its body at compile time.
//!
//! The stages, one module each: `parse` lowers the function's body to the IR of `expr` (a
//! hash-consed DAG, simplified as it is built by the constructors of `simplify`); `diff`
//! differentiates it by the local rules of the paper's gates; `emit` writes σ and σ' as Rust
//! for `f32` and `f64`, and as formulas for the generated type's documentation. Nothing panics:
//! every construct the differentiator does not know is a compile error spanned on it, and all
//! of them are reported in one build.

mod diff;
mod emit;
mod expr;
mod parse;
mod simplify;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use self::emit::Ty;
use self::expr::Graph;
use crate::ctxt::Ctxt;
use crate::suggest;

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
    if let Some(error) = too_deep(&item) {
        cx.push(error);
        let stub = shallow_stub(&item)
            .and_then(|func| Some((type_name(&func.sig.ident, &mut Ctxt::default())?, func)))
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
    let name = type_name(&func.sig.ident, &mut cx);
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
            let mut tokens = item;
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

/// The function again after an error in its body, with the body replaced by `loop {}`: the
/// macro's error says what is wrong there, and the compiler checking the same body would only
/// say it again (an `if` without `else` is also its E0317). The signature stays, for callers.
fn without_body(func: &syn::ItemFn) -> TokenStream {
    let mut func = func.clone();
    func.block = Box::new(syn::parse_quote!({ loop {} }));
    func.attrs.push(syn::parse_quote!(#[allow(unused_variables)]));
    func.into_token_stream()
}

/// How deep a body may nest: parentheses, blocks, `if`s and brackets inside one another, or
/// prefix operators (`-`, `!`) in a row. Parsing and differentiating recurse once per level, so
/// a deeper body could overflow the compiler's stack; no activation comes near it.
const MAX_DEPTH: usize = 128;

/// The error on the first group or operator of `item` nested more than [`MAX_DEPTH`] deep, found
/// without recursion before anything parses `item`.
fn too_deep(item: &TokenStream) -> Option<syn::Error> {
    let message = |what: &str| {
        format!(
            "{what} more than {MAX_DEPTH} levels deep: `#[activation]` differentiates bodies nested up to \
             {MAX_DEPTH} levels (parentheses, blocks, `if`s, prefix operators); bind inner parts to `let`s \
             (`let u = ...;`), or implement `backprop::Activation` by hand"
        )
    };
    let mut stack = vec![item.clone().into_iter()];
    let mut run = 0;
    while let Some(tokens) = stack.last_mut() {
        match tokens.next() {
            None => {
                stack.pop();
                run = 0;
            }
            Some(proc_macro2::TokenTree::Group(group)) => {
                run = 0;
                if stack.len() > MAX_DEPTH {
                    return Some(syn::Error::new(group.span_open(), message("this expression nests")));
                }
                stack.push(group.stream().into_iter());
            }
            Some(proc_macro2::TokenTree::Punct(punct)) => {
                run += 1;
                if run > MAX_DEPTH {
                    return Some(syn::Error::new(punct.span(), message("these operators nest")));
                }
            }
            Some(_) => run = 0,
        }
    }
    None
}

/// A function with the name, visibility and attributes of `item` and a body of one token, to
/// generate the stub of the type from when the body is not parsed.
fn shallow_stub(item: &TokenStream) -> Option<ItemFn> {
    let tokens: Vec<proc_macro2::TokenTree> = item.clone().into_iter().collect();
    let at = tokens.iter().position(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "fn"))?;
    let Some(proc_macro2::TokenTree::Ident(name)) = tokens.get(at + 1) else { return None };
    let head = &tokens[..at];
    syn::parse2(quote!(#(#head)* fn #name(__z: f64) -> f64 { __z })).ok()
}

/// `item`, every error of `cx`, and `stub`.
fn with_errors(item: TokenStream, cx: Ctxt, stub: TokenStream) -> TokenStream {
    let mut tokens = item;
    if let Err(errors) = cx.finish(()) {
        tokens.extend(errors.to_compile_error());
    }
    tokens.extend(stub);
    tokens
}

/// After the error on a struct or enum marked `#[activation]`: an `Activation` impl for every
/// float type (and `Default`, its supertrait, unless derived), so that a network naming the type
/// as a layer's activation is no second error. Nothing of it runs: the crate does not compile.
/// Nothing for a generic type or any other item.
fn type_stub(item: &syn::Item) -> TokenStream {
    let (ident, generics, attrs) = match item {
        syn::Item::Struct(s) => (&s.ident, &s.generics, &s.attrs),
        syn::Item::Enum(e) => (&e.ident, &e.generics, &e.attrs),
        _ => return TokenStream::new(),
    };
    if !generics.params.is_empty() {
        return TokenStream::new();
    }
    let derives_default = attrs.iter().filter(|attr| attr.path().is_ident("derive")).any(|attr| {
        attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .is_ok_and(|paths| {
                paths.iter().any(|path| path.segments.last().is_some_and(|s| s.ident == "Default"))
            })
    });
    let default = if derives_default {
        TokenStream::new()
    } else {
        quote! {
            #[automatically_derived]
            impl ::core::default::Default for #ident {
                fn default() -> Self {
                    loop {}
                }
            }
        }
    };
    quote! {
        #default

        #[automatically_derived]
        impl<__F: ::backprop::Float> ::backprop::Activation<__F> for #ident {
            fn apply(&self, _: __F) -> __F {
                loop {}
            }

            fn derivative(&self, _: __F) -> __F {
                loop {}
            }
        }
    }
}

/// The keyword and name of an item that is not a function, to span an error on.
fn item_keyword(item: &syn::Item) -> TokenStream {
    let pair = |keyword: &dyn ToTokens, name: &Ident| quote!(#keyword #name);
    match item {
        syn::Item::Struct(s) => pair(&s.struct_token, &s.ident),
        syn::Item::Enum(e) => pair(&e.enum_token, &e.ident),
        syn::Item::Const(c) => pair(&c.const_token, &c.ident),
        syn::Item::Static(s) => pair(&s.static_token, &s.ident),
        syn::Item::Impl(i) => i.impl_token.to_token_stream(),
        _ => item.to_token_stream(),
    }
}

/// The options of `#[activation(...)]`: `init = He` or `init = Glorot` (the default).
fn options(attr: TokenStream, cx: &mut Ctxt) -> Init {
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
/// `GeluTanh`), spanned on the function's name.
fn type_name(ident: &Ident, cx: &mut Ctxt) -> Option<Ident> {
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
                "`#[activation]` names the type it generates after the function in UpperCamelCase, but \
                 `{name}` gives {}: name the function in snake_case, as in `fn swish(z: f64) -> f64`",
                if valid { format!("`{camel}`, the function's own name") } else { "no name".to_owned() }
            ),
        );
        return None;
    }
    Some(Ident::new(&camel, ident.span()))
}

/// The message of every error about the signature.
const SIGNATURE: &str = "`#[activation]` differentiates a function of one `f32` or `f64` argument that \
    returns the same type, as in `fn swish(z: f64) -> f64`; for anything else, implement \
    `backprop::Activation` by hand";

/// The argument's name and the function's float type, if the signature is one `#[activation]`
/// accepts; otherwise every error in `cx`.
fn signature(func: &ItemFn, errors: &mut Ctxt) -> Option<(Ident, Ty)> {
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
fn float(ty: &Type) -> Option<Ty> {
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

/// σ and σ' of a function that lowered without errors.
struct Body<'a> {
    g: &'a Graph,
    sigma: expr::Id,
    sigma_prime: expr::Id,
    /// The name of the user's argument, for the formulas.
    arg: &'a Ident,
    /// The float type of the user's function.
    own: Ty,
}

/// The generated type and its impls, or with `body: None` a stub of them after an error, so that
/// uses of the type do not add follow-on errors to the real ones.
fn generate(func: &ItemFn, name: &Ident, init: Init, body: Option<&Body>) -> TokenStream {
    let vis = &func.vis;
    let docs = func.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let fn_name = &func.sig.ident;
    // A `__` name, so that no constant of the user's module can be mistaken for the argument.
    let z = Ident::new("__z", Span::call_site());
    let init_doc = match init {
        Init::Glorot => "Layers with this activation initialise their weights with Glorot's rule.",
        Init::He => "Layers with this activation initialise their weights with He's rule.",
    };
    let init = match init {
        Init::Glorot => quote!(::backprop::Init::Glorot),
        Init::He => quote!(::backprop::Init::He),
    };
    let mut lines = vec![
        String::new(),
        format!(
            " The activation generated by `#[activation]` from the function `{fn_name}`: σ is the \
             function, and σ' the derivative of its body, taken symbolically at compile time. {init_doc}"
        ),
    ];
    let impls = [Ty::F32, Ty::F64].map(|ty| {
        let t = ty.tokens();
        let (apply, derivative) = match body {
            Some(b) if ty == b.own => (quote!(#fn_name(#z)), emit::rust(b.g, b.sigma_prime, ty, b.own, &z)),
            Some(b) => {
                (emit::rust(b.g, b.sigma, ty, b.own, &z), emit::rust(b.g, b.sigma_prime, ty, b.own, &z))
            }
            None => (quote!(#z), quote!(#z)),
        };
        quote! {
            #[automatically_derived]
            impl ::backprop::Activation<#t> for #name {
                const INIT: ::backprop::Init = #init;

                #[inline(always)]
                fn apply(&self, #z: #t) -> #t {
                    #apply
                }

                #[inline(always)]
                fn derivative(&self, #z: #t) -> #t {
                    #derivative
                }
            }
        }
    });
    let mut consts = TokenStream::new();
    if let Some(b) = body {
        let [sigma, sigma_prime] = formulas(b);
        lines.push(String::new());
        lines.push(" ```text".to_owned());
        lines.extend(sigma.lines().chain(sigma_prime.lines()).map(|line| format!(" {line}")));
        lines.push(" ```".to_owned());
        consts = quote! {
            impl #name {
                /// σ, the formula `#[activation]` read from the function's body.
                #vis const FORMULA: &'static ::core::primitive::str = #sigma;
                /// σ', the formula `#[activation]` derived from the function's body.
                #vis const DERIVATIVE: &'static ::core::primitive::str = #sigma_prime;
            }
        };
    }
    let has_docs = func.attrs.iter().any(|a| a.path().is_ident("doc"));
    let lines = lines.into_iter().skip(if has_docs { 0 } else { 1 });
    quote! {
        #(#docs)*
        #(#[doc = #lines])*
        #[derive(
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::fmt::Debug,
            ::core::default::Default,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
        )]
        #vis struct #name;

        #consts
        #(#impls)*
    }
}

/// The formulas of σ and σ', each a line `σ(z) = ...` followed by one line per shared
/// subexpression, `  where t1 = ...`, aligned.
fn formulas(b: &Body) -> [String; 2] {
    let arg = b.arg.to_string();
    let arg = arg.trim_start_matches("r#");
    let width = arg.chars().count() + 4;
    [("σ", b.sigma, "u"), ("σ'", b.sigma_prime, "t")].map(|(symbol, root, prefix)| {
        let (value, shared) = emit::formula(b.g, root, arg, prefix);
        let mut text = format!("{:<width$} = {value}", format!("{symbol}({arg})"));
        for (i, (t, v)) in shared.iter().enumerate() {
            let lead = if i == 0 { "where" } else { "" };
            text.push_str(&format!("\n{lead:>7} {t} = {v}"));
        }
        text
    })
}

#[cfg(test)]
mod tests {
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
        let name =
            |s: &str, cx: &mut Ctxt| type_name(&Ident::new(s, Span::call_site()), cx).map(|i| i.to_string());
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
    use super::*;
    use std::time::{Duration, Instant};

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

    /// The size of the expansion of `source` and the shortest of three expansion times.
    fn expansion(source: &str) -> (String, Duration) {
        let mut best = Duration::MAX;
        let mut out = String::new();
        for _ in 0..3 {
            let item: TokenStream = source.parse().unwrap_or_default();
            let start = Instant::now();
            out = expand(TokenStream::new(), item).to_string();
            best = best.min(start.elapsed());
        }
        (out, best)
    }

    #[test]
    fn chained_ifs_expand_in_linear_size() {
        let mut sizes = Vec::new();
        for lines in [30, 60, 200] {
            let (out, time) = expansion(&chained_ifs(lines));
            assert!(!out.contains("compile_error"), "{out}");
            assert!(out.len() < 1 << 20, "{lines} lines: {} bytes", out.len());
            assert!(time < Duration::from_secs(1), "{lines} lines: {time:?}");
            sizes.push((out.len(), out.matches(" if ").count()));
        }
        // Each line's value and derivative are written once, as their own `let`s: every line adds
        // the same number of `if`s (in σ and σ', in the code and in the formulas).
        let (ifs30, ifs60, ifs200) = (sizes[0].1, sizes[1].1, sizes[2].1);
        assert_eq!((ifs60 - ifs30) * 140, (ifs200 - ifs60) * 30, "{sizes:?}");
        // Twice the lines, at most a little over twice the code.
        assert!(sizes[1].0 < sizes[0].0 * 5 / 2, "{sizes:?}");
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
