//! The one-sample path of a network whose sizes are all literals: `__backward_one` and
//! `__train_one`, on arrays of each layer's sizes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::network::ast::Dim;
use crate::network::resolved::{Level, Resolved};

/// The largest product `IN × OUT` of a layer for which a network gets the one-sample path
/// (`one_sample`), exclusive: `backprop_core::SMALL_PRODUCT`, below which a batch of one already
/// runs the general path's fixed-size loops, whose arithmetic the one-sample path repeats.
const ONE_SAMPLE_PRODUCT: usize = 4096;

impl Resolved<'_> {
    /// The one-sample path of a small network: `__backward_one` and `__train_one`, which
    /// `backward_in` and `train_step` try first for a batch of one sample. Nothing when a size
    /// is not a literal the macro computed, or a layer's product reaches `ONE_SAMPLE_PRODUCT`.
    ///
    /// The same equations as the general path, on the workspace's buffers seen as arrays of
    /// each layer's size (`backprop_core`'s `dense/one.rs`): z^l and a^l level by level, then
    /// δ^L by (1), δ^l by (2) from the last level down, then (3) and (4) into the gradients, or
    /// fused with gradient descent once every updated value has been checked. Each returns
    /// `None` before it writes a parameter or a gradient if anything is amiss, and the general
    /// path then runs the step and reports the error.
    pub(super) fn one_sample(&self, workspace: &TokenStream) -> TokenStream {
        let Resolved { float, levels, .. } = self;
        let small = |l: &Level| match (&l.inputs, &l.outputs) {
            (Dim::Known(i), Dim::Known(o)) => i.checked_mul(*o).is_some_and(|p| p < ONE_SAMPLE_PRODUCT),
            _ => false,
        };
        if !levels.iter().all(small) {
            return TokenStream::new();
        }
        let names: Vec<&Ident> = levels.iter().map(|l| &l.layer.name).collect();
        let buffers: Vec<&Ident> = levels.iter().map(|l| &l.buffers).collect();
        let number = |prefix: &str| -> Vec<Ident> {
            (1..=levels.len()).map(|l| format_ident!("{prefix}{l}")).collect()
        };
        let (z, a, delta, layer) = (number("__z"), number("__a"), number("__delta"), number("__layer"));
        let x: Vec<Ident> =
            (0..levels.len()).map(|i| if i == 0 { format_ident!("__x") } else { a[i - 1].clone() }).collect();
        let n = levels.len() - 1;
        let last = &levels[n];
        let outputs = &last.outputs;
        let (z_last, a_last, delta_last, layer_last) = (&z[n], &a[n], &delta[n], &layer[n]);
        let output_activation =
            last.layer.activation.as_ref().map(
                |_| quote_spanned!(last.span=> #layer_last.output_delta(#z_last, #a_last, #delta_last);),
            );
        let deltas = (0..n).rev().map(|i| {
            let (here, next) = (&layer[i], &layer[i + 1]);
            let (z, a, d, d_next) = (&z[i], &a[i], &delta[i], &delta[i + 1]);
            quote_spanned!(levels[i].span=> #here.delta(#z, #a, #d, &#next, #d_next);)
        });
        let forward = quote! {
            let __x = __a0.as_slice()?.try_into().ok()?;
            #( let #layer = self.#names.one_sample()?; )*
            #( let (#z, #a, #delta) = #buffers.one_mut()?; )*
            #( if !#layer.forward(#x, #z, #a) { return ::core::option::Option::None; } )*
            let __cost = ::backprop::__private::cost_one_of::<#float, Self, #outputs>(#a_last, #delta_last, __y)?;
            #output_activation
            #(#deltas)*
        };
        // Each body runs compiled for the CPU's widest vectors (`backprop_core::vectorised`).
        let vectorised =
            |body: TokenStream| quote!(::backprop::__private::vectorised(#[inline(always)] || { #body }));
        let backward_body = vectorised(quote! {
            let (__levels, __gradients) = __ws.prepare::<Self>(1).ok()?;
            let [#(#buffers),*] = __levels else { return ::core::option::Option::None };
            #forward
            (#( #layer.gradients(#delta, #x, &mut __gradients.#names) )&*).then_some(__cost)
        });
        let train_body = vectorised(quote! {
            let (__levels, _) = __ws.prepare::<Self>(1).ok()?;
            let [#(#buffers),*] = __levels else { return ::core::option::Option::None };
            #forward
            if !(#( #layer.sgd_is_bounded(__eta, #delta, #x) )&*) {
                return ::core::option::Option::None;
            }
            #( self.#names.sgd_one_sample(__eta, #delta, #x); )*
            ::core::option::Option::Some(__cost)
        });
        quote! {
            #[inline(always)]
            fn __backward_one(
                &self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                __y: ::backprop::Targets<'_, #float>,
                __ws: &mut #workspace,
            ) -> ::core::option::Option<#float> {
                #backward_body
            }

            #[inline(always)]
            fn __train_one(
                &mut self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                __y: ::backprop::Targets<'_, #float>,
                __ws: &mut #workspace,
                __eta: #float,
            ) -> ::core::option::Option<#float> {
                #train_body
            }
        }
    }
}
