//! `Debug` for the struct of a `network!`, which the user cannot derive from outside the macro
//! (`#[derive(Debug)]` above `network!` is E0774).

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

use crate::attrs::derives;
use crate::network::ast::{Network, Origin};
use crate::network::resolved::Resolved;

impl Resolved<'_> {
    /// `impl Debug` for the struct of a `network!`, printing what `#[derive(Debug)]` would: the
    /// struct's name and each layer's `Dense` (its weights and biases as ndarray prints them, and
    /// the activation), in order. Nothing when the user's attributes derive `Debug` already, nor
    /// for a derive, whose struct is the user's.
    ///
    /// The impl holds where every activation the user wrote is an `Activation` and `Debug`,
    /// which makes every layer `Debug`. The bounds are `for<'__a>` ones, as those of the checked
    /// impl (see `Resolved::bounds`), which rustc takes as assumptions whether or not they hold:
    /// an activation that is not an `Activation` stays one error, on the user's token, and one
    /// that is not `Debug` (implemented by hand) leaves the network without `Debug` instead of
    /// failing to compile, so that `{:?}` on it is an error that names the activation.
    pub(super) fn debug(&self) -> TokenStream {
        let Network { attrs, ident, origin, .. } = self.net;
        if *origin == Origin::Derive || derives(attrs, "Debug") {
            return TokenStream::new();
        }
        let unraw = |name: &syn::Ident| LitStr::new(name.to_string().trim_start_matches("r#"), name.span());
        let name = unraw(ident);
        let fields = self.levels.iter().map(|l| &l.layer.name);
        let labels = self.levels.iter().map(|l| unraw(&l.layer.name));
        let float = &self.float;
        let activations =
            self.where_each_activation(&quote!(::backprop::Activation<#float> + ::core::fmt::Debug));
        quote! {
            #[automatically_derived]
            #[allow(private_bounds)]
            impl ::core::fmt::Debug for #ident #activations {
                fn fmt(&self, __f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    __f.debug_struct(#name) #( .field(#labels, &self.#fields) )* .finish()
                }
            }
        }
    }
}
