//! What `#[activation]` emits beside its errors: the function without its body, the stub of the
//! type, and the bound on how deep a body may nest, checked before anything parses it.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Ident, ItemFn};

use crate::ctxt::Ctxt;

/// The function again after an error in its body, with the body replaced by `loop {}`: the
/// macro's error says what is wrong there, and the compiler checking the same body would only
/// say it again (an `if` without `else` is also its E0317). The signature stays, for callers.
pub fn without_body(func: &syn::ItemFn) -> TokenStream {
    let mut func = func.clone();
    func.block = Box::new(syn::parse_quote!({ loop {} }));
    func.attrs.push(syn::parse_quote!(#[allow(unused_variables)]));
    func.into_token_stream()
}

/// How deep a body may nest: parentheses, blocks, `if`s and brackets inside one another, or
/// prefix operators (`-`, `!`) in a row. Parsing and differentiating recurse once per level, so
/// a deeper body could overflow the compiler's stack; no activation comes near it.
pub const MAX_DEPTH: usize = 128;

/// The error on the first group or operator of `item` nested more than [`MAX_DEPTH`] deep, found
/// without recursion before anything parses `item`; `[attribute, by_hand]` name the macro
/// (`activation`) and the trait to implement by hand instead (`Activation`).
pub fn too_deep(item: &TokenStream, [attribute, by_hand]: [&str; 2]) -> Option<syn::Error> {
    let message = |what: &str| {
        format!(
            "{what} more than {MAX_DEPTH} levels deep: `#[{attribute}]` differentiates bodies nested up to \
             {MAX_DEPTH} levels (parentheses, blocks, `if`s, prefix operators); bind inner parts to `let`s \
             (`let u = ...;`), or implement `backprop::{by_hand}` by hand"
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
pub fn shallow_stub(item: &TokenStream) -> Option<ItemFn> {
    let tokens: Vec<proc_macro2::TokenTree> = item.clone().into_iter().collect();
    let at = tokens.iter().position(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "fn"))?;
    let Some(proc_macro2::TokenTree::Ident(name)) = tokens.get(at + 1) else { return None };
    let head = &tokens[..at];
    syn::parse2(quote!(#(#head)* fn #name(__z: f64) -> f64 { __z })).ok()
}

/// `item`, every error of `cx`, and `stub`.
pub fn with_errors(item: TokenStream, cx: Ctxt, stub: TokenStream) -> TokenStream {
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
pub fn type_stub(item: &syn::Item) -> TokenStream {
    let (ident, generics, attrs) = match item {
        syn::Item::Struct(s) => (&s.ident, &s.generics, &s.attrs),
        syn::Item::Enum(e) => (&e.ident, &e.generics, &e.attrs),
        _ => return TokenStream::new(),
    };
    if !generics.params.is_empty() {
        return TokenStream::new();
    }
    let default = if crate::attrs::derives(attrs, "Default") {
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
pub fn item_keyword(item: &syn::Item) -> TokenStream {
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
