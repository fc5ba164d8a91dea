//! What a declaration with errors expands to: the errors, and a stub of what a correct one
//! generates, so that the user's other code does not drown the real errors in follow-on ones.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Ident, LitStr};

use crate::attrs::derives;
use crate::network::ast::{Dim, Network, Origin};
use crate::network::names;
use crate::network::valid::Invalid;

/// Every error of `invalid`, then the stub of `net`.
pub fn stub(net: &Network, invalid: &Invalid) -> TokenStream {
    let mut tokens = invalid.to_compile_error();
    tokens.extend(items(net));
    tokens
}

/// After an error, what keeps the user's other code free of follow-on errors: for a `network!`,
/// its struct with no layers, `Debug`; for both front ends, `with_seed`, `predict_one` and an
/// `impl Network` (with a gradients type), so that a program that builds, runs and trains the
/// network type-checks and the real errors are the only ones. Nothing of it runs: the crate does not
/// compile. A derive on a generic type gets them for every choice of its parameters.
fn items(net: &Network) -> TokenStream {
    let Network { attrs, vis, ident, .. } = net;
    let (definition, build) = match net.origin {
        Origin::Network => {
            // `Debug` as the struct of a correct declaration has it (`Resolved::debug`).
            let debug = if derives(attrs, "Debug") {
                TokenStream::new()
            } else {
                quote!(#[derive(::core::fmt::Debug)])
            };
            (quote!(#(#attrs)* #debug #vis struct #ident {}), quote!(Self {}))
        }
        Origin::Derive => (TokenStream::new(), quote!(loop {})),
    };
    let (impl_generics, ty_generics, where_clause) = net.generics.split_for_impl();
    // A float type that is not f32 or f64 is an error already; the stub is for f32.
    let float = match net.float.as_ref().map(Ident::to_string).as_deref() {
        Some("f64") => quote!(::core::primitive::f64),
        _ => quote!(::core::primitive::f32),
    };
    // A cost the macro rejected (`MSE`) may name no type: the stub does not name it.
    let cost = match &net.cost {
        Some(cost) if names::misnamed(cost, names::COSTS).is_none() => quote!(#cost),
        _ => quote!(::backprop::Mse),
    };
    let (known_input, known_output) =
        (net.input.as_ref(), net.layers.last().and_then(|l| l.outputs.as_ref()));
    let zero = Dim::Known(0);
    let input = known_input.map_or(&zero, |size| &size.dim);
    let output = known_output.map_or(&zero, |size| &size.dim);
    // `predict_one` takes and returns arrays of the network's sizes; where the declaration does
    // not say them, any sizes, so that the call type-checks either way.
    let (sizes, predict_in, predict_out) = match (known_input, known_output) {
        (Some(_), Some(_)) => (TokenStream::new(), quote!(#input), quote!(#output)),
        _ => (
            quote!(<const __IN: ::core::primitive::usize, const __OUT: ::core::primitive::usize>),
            quote!(__IN),
            quote!(__OUT),
        ),
    };
    let gradients = format_ident!("{}Gradients", ident);
    let name = LitStr::new(&ident.to_string(), ident.span());
    let result = |ty: TokenStream| quote!(::core::result::Result<#ty, ::backprop::Error>);
    let (array, view) =
        (quote!(::backprop::ndarray::Array2<#float>), quote!(::backprop::ndarray::ArrayView2));
    let (forward, backward, forward_in, scalar) = (
        result(array.clone()),
        result(quote!((#float, Self::Gradients))),
        result(quote!(#view<'__w, #float>)),
        result(float.clone()),
    );
    let result_array = result(quote!([#float; #predict_out]));
    let workspace = quote!(::backprop::Workspace<#float, Self::Gradients>);
    let targets = quote!(impl ::core::convert::Into<::backprop::Targets<'__y, #float>>);
    quote! {
        #definition

        /// Not generated: the declaration has errors.
        #vis struct #gradients {}

        #[automatically_derived]
        impl ::backprop::Gradients<#float> for #gradients {
            fn zeros() -> Self {
                Self {}
            }

            fn visit(&self, _: &mut dyn ::core::ops::FnMut(::backprop::Parameters<'_, #float>)) {}

            fn visit_mut(&mut self, _: &mut dyn ::core::ops::FnMut(::backprop::ParametersMut<'_, #float>)) {}
        }

        #[automatically_derived]
        impl #impl_generics #ident #ty_generics #where_clause {
            /// Not generated: the declaration has errors.
            pub fn with_seed(_: ::core::primitive::u64) -> Self {
                #build
            }

            /// Not generated: the declaration has errors.
            #[allow(dead_code)]
            pub fn predict_one #sizes(&self, _: &[#float; #predict_in]) -> #result_array {
                loop {}
            }
        }

        #[automatically_derived]
        impl #impl_generics ::backprop::Network<#float> for #ident #ty_generics #where_clause {
            const NAME: &'static ::core::primitive::str = #name;
            const INPUT: ::core::primitive::usize = #input;
            const OUTPUT: ::core::primitive::usize = #output;
            const LAYERS: &'static [::backprop::LayerInfo] = &[];

            type Cost = #cost;
            type Gradients = #gradients;

            fn zeros() -> Self {
                #build
            }

            fn forward(&self, _: #view<'_, #float>) -> #forward {
                loop {}
            }

            fn backward<'__y>(&self, _: #view<'_, #float>, _: #targets) -> #backward {
                loop {}
            }

            fn forward_in<'__w>(&self, _: #view<'_, #float>, _: &'__w mut #workspace) -> #forward_in {
                loop {}
            }

            fn backward_in<'__y>(&self, _: #view<'_, #float>, _: #targets, _: &mut #workspace) -> #scalar {
                loop {}
            }

            fn train_step<'__y, __O: ::backprop::Optimizer<#float>>(
                &mut self,
                _: #view<'_, #float>,
                _: #targets,
                _: &mut #workspace,
                _: &mut __O,
            ) -> #scalar {
                loop {}
            }

            fn equations() -> &'static ::core::primitive::str {
                ""
            }

            fn equations_latex() -> &'static ::core::primitive::str {
                ""
            }

            fn circuit_dot() -> &'static ::core::primitive::str {
                ""
            }

            fn forward_trace(
                &self,
                _: #view<'_, #float>,
            ) -> ::core::result::Result<::backprop::trace::ForwardTrace<#float>, ::backprop::Error> {
                loop {}
            }

            fn backward_trace<'__y>(
                &self,
                _: #view<'_, #float>,
                _: #targets,
            ) -> ::core::result::Result<::backprop::trace::BackwardTrace<#float>, ::backprop::Error> {
                loop {}
            }

            fn visit_parameters(&self, _: &mut dyn ::core::ops::FnMut(::backprop::Parameters<'_, #float>)) {}

            fn visit_parameters_mut(&mut self, _: &mut dyn ::core::ops::FnMut(::backprop::ParametersMut<'_, #float>)) {}

            fn visit_with_gradients(
                &mut self,
                _: &Self::Gradients,
                _: &mut dyn ::core::ops::FnMut(::backprop::ParametersMut<'_, #float>, ::backprop::Parameters<'_, #float>),
            ) {
            }
        }
    }
}
