//! What the macros read in the attributes they pass through.

use syn::Attribute;

/// Whether `attrs` hold a `#[derive(...)]` that names the trait `name` (`Debug`, or a path to it
/// such as `core::fmt::Debug`): then the macro must not implement it too.
pub fn derives(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().filter(|attr| attr.path().is_ident("derive")).any(|attr| {
        attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|path| path.segments.last().is_some_and(|s| s.ident == name)))
    })
}
