//! The one-sample path of a network whose sizes are all literals: `__backward_one` and
//! `__train_one`, on arrays of each layer's sizes, and the calls that take it when the network
//! is small.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::network::ast::Dim;
use crate::network::resolved::Resolved;

impl Resolved<'_> {
    /// The largest product `IN × OUT` of a layer, when every size is a literal the macro
    /// computed (and no product overflows): then the network has a one-sample path. `None` when
    /// a size is left to the compiler (a constant).
    fn largest_product(&self) -> Option<usize> {
        self.levels.iter().try_fold(0, |largest: usize, l| match (&l.inputs, &l.outputs) {
            (Dim::Known(i), Dim::Known(o)) => i.checked_mul(*o).map(|product| largest.max(product)),
            _ => None,
        })
    }

    /// The call of `method` (`__backward_one` or `__train_one`) that `backward_in` and
    /// `train_step` make first, returning its cost if it gives one; nothing for a network without
    /// the path.
    ///
    /// The path is taken for a batch of one sample when every layer's product is below
    /// `backprop_core`'s `SMALL_PRODUCT`, below which a batch of one already runs the general
    /// path's fixed-size loops, whose arithmetic the one-sample path repeats. The threshold is
    /// the runtime crate's alone: the comparison is a `const` block, which the compiler
    /// evaluates, so that a network with a larger layer keeps no branch, and no call, at run time.
    pub(super) fn one_sample_call(&self, method: TokenStream) -> TokenStream {
        let Some(product) = self.largest_product() else { return TokenStream::new() };
        let product = Literal::usize_unsuffixed(product);
        quote! {
            if const { #product < ::backprop::__private::SMALL_PRODUCT } && __a0.nrows() == 1 {
                if let ::core::option::Option::Some(__cost) = #method {
                    return ::core::result::Result::Ok(__cost);
                }
            }
        }
    }

    /// The one-sample path: `__backward_one` and `__train_one`, which `backward_in` and
    /// `train_step` try first for a batch of one sample of a small network (see
    /// `one_sample_call`). Nothing when a size is not a literal the macro computed.
    ///
    /// The same equations as the general path, on the workspace's buffers seen as arrays of
    /// each layer's size (`backprop_core`'s `dense/one.rs`): z^l and a^l level by level, then
    /// δ^L by (1), δ^l by (2) from the last level down, then (3) and (4) into the gradients, or
    /// fused with gradient descent once every updated value has been checked. Each returns
    /// `None` before it writes a parameter or a gradient if anything is amiss, and the general
    /// path then runs the step and reports the error.
    pub(super) fn one_sample(&self, workspace: &TokenStream) -> TokenStream {
        let Resolved { float, levels, .. } = self;
        if self.largest_product().is_none() {
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
            let (__levels, __gradients) = ::backprop::__private::prepare::<_, Self>(__ws, 1).ok()?;
            let [#(#buffers),*] = __levels else { return ::core::option::Option::None };
            #forward
            (#( #layer.gradients(#delta, #x, &mut __gradients.#names) )&*).then_some(__cost)
        });
        let train_body = vectorised(quote! {
            let (__levels, _) = ::backprop::__private::prepare::<_, Self>(__ws, 1).ok()?;
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
