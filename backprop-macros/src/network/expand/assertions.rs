//! The compile-time checks of what the macro cannot check itself: sizes it cannot compute, and
//! whether the output layer's activation repeats the cost's own output function.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::type_name;
use crate::network::ast::{Origin, Size};
use crate::network::resolved::Resolved;

impl Resolved<'_> {
    /// Compile-time checks: that an output activation does not repeat the cost's own output
    /// function, and the sizes the macro could not compute. (That the cost is a `Cost` needs no
    /// check of its own: `type Cost = …` of the `Network` impl, which names it only there, is
    /// then the one error, on the user's token. An activation that is not an `Activation` makes
    /// its layer's field type, `Dense<F, IN, OUT, A>`, ill-formed.)
    pub(super) fn assertions(&self) -> TokenStream {
        let logits_check = self.logits_check();
        let size_checks = self.size_checks();
        quote! {
            #logits_check
            #size_checks
        }
    }

    /// A compile-time check, spanned on the output layer's activation, that the cost does not
    /// apply an output function of its own (`Cost::TAKES_LOGITS`), which the activation would
    /// duplicate. Nothing for an output layer without activation or with `Identity`.
    pub(super) fn logits_check(&self) -> TokenStream {
        let last = self.last();
        let Some(activation) = &last.layer.activation else { return TokenStream::new() };
        let written = type_name(&quote!(#activation));
        if written == "Identity" || written.ends_with("::Identity") {
            return TokenStream::new();
        }
        let (float, cost) = (&self.float, self.cost);
        let cost_name = type_name(&quote!(#cost));
        let layer = &last.layer.name;
        let fix = match self.net.origin {
            Origin::Network => format!("remove `=> {written}` from `{layer}`"),
            Origin::Derive => {
                format!("declare `{layer}` as `Dense<{float}, {}, {}>`", last.inputs, last.outputs)
            }
        };
        let message = format!(
            "the output layer `{layer}` applies `{written}`, but `{cost_name}` takes z^L as logits and applies its \
             own output function (σ or softmax) to them, so the network would train on that function of \
             `{written}`(z^L): {fix}; `predict` gives the cost's probabilities"
        );
        quote_spanned! {activation.span()=>
            const _: () = ::core::assert!(!<#cost as ::backprop::Cost<#float>>::TAKES_LOGITS, #message);
        }
    }

    /// The checks `valid` makes of sizes it can compute, as `const` assertions for the sizes it
    /// cannot (constants, `HIDDEN`), each spanned on the size and naming the layers: no size is
    /// 0, and in a derive each layer takes as many inputs as the layer before it has units.
    pub(super) fn size_checks(&self) -> TokenStream {
        let net = self.net;
        let ident = &net.ident;
        let mut checks = Vec::new();
        let assert = |size: &Size, condition: TokenStream, message: String| {
            // The message is the assertion's format string: a size written `{ 2 * N }` must not
            // open a placeholder.
            let message = message.replace('{', "{{").replace('}', "}}");
            quote_spanned! {size.span=>
                const _: () = ::core::assert!(#condition, #message);
            }
        };
        let input = self.input;
        if input.value().is_none() {
            let dim = &input.dim;
            let message = match net.origin {
                Origin::Network => format!(
                    "network `{ident}` has 0 inputs (`input: {dim}`): a network needs at least one input feature"
                ),
                Origin::Derive => format!(
                    "layer `{}` has 0 inputs (`{dim}`): the first layer takes the network's input, which needs at least one feature",
                    self.levels[0].layer.name
                ),
            };
            checks.push(assert(input, quote!(#dim > 0), message));
        }
        for level in &self.levels {
            let units = level.units;
            if units.value().is_some() {
                continue;
            }
            let dim = &units.dim;
            let message = format!(
                "layer `{}` has 0 units (`{dim}`): a layer needs at least one unit",
                level.layer.name
            );
            checks.push(assert(units, quote!(#dim > 0), message));
        }
        // In a derive, each layer declares its inputs, which must be the units of the one before.
        for pair in self.levels.windows(2) {
            let (before, level) = (&pair[0], &pair[1]);
            let Some(inputs) = level.declared_inputs else { continue };
            let units = before.units;
            if units.value().is_some() && inputs.value().is_some() {
                continue;
            }
            let (u, n) = (&units.dim, &inputs.dim);
            let (layer, before) = (&level.layer.name, &before.layer.name);
            let message = format!(
                "layer `{layer}` takes `{n}` inputs, which must be the number of units of the layer before it, `{before}` (`{u}`): \
                 write `{u}` as `{layer}`'s number of inputs, or give `{before}` `{n}` units"
            );
            checks.push(assert(inputs, quote!(#u == #n), message));
        }
        quote!(#(#checks)*)
    }
}
