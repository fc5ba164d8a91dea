//! The checked impl: the private items of the network that need every activation to be an
//! `Activation`, behind the where clause that says so.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::LitStr;
use syn::spanned::Spanned;

use super::type_name;
use crate::network::resolved::Resolved;

impl Resolved<'_> {
    /// The checked impl: what needs every activation the user wrote to be an `Activation` (the
    /// layers' methods, `Activation::INIT`), as private items of an impl of the struct whose
    /// where clause says so (see `bounds`). The public items (`with_seed` and the `Network`
    /// impl) have no bounds and call these, with `Fallback` in scope: when an activation is not
    /// an `Activation`, this impl does not apply, and its items' names resolve to `Fallback`'s,
    /// which exist for every type, so that the program type-checks and the one error is the
    /// layer's field type, `Dense<F, IN, OUT, A>`, on the user's token. When every activation is
    /// one, which is the only way the crate compiles, the impl applies and its items, inlined,
    /// are the ones called: `Fallback`'s never are. The items are private, so a private
    /// activation in the where clause is no `private_bounds` warning.
    pub(super) fn checked(&self) -> TokenStream {
        let ident = &self.net.ident;
        let bounds = self.bounds();
        let workspace = self.workspace_type();
        let one_sample = self.one_sample(&workspace);
        let items = [
            self.layer_infos(),
            self.checked_with_seed(),
            self.checked_zeros(),
            self.checked_forward(),
            self.checked_forward_in(&workspace),
            self.checked_backward_in(&workspace),
            self.checked_train_step(&workspace),
            self.checked_forward_trace(),
        ];
        quote! {
            #[automatically_derived]
            #[allow(dead_code, private_bounds)]
            impl #ident #bounds {
                #one_sample

                #(#items)*
            }
        }
    }

    /// The network's workspace type, `Workspace<F, <Name>Gradients>`.
    fn workspace_type(&self) -> TokenStream {
        let float = &self.float;
        let gradients = self.gradients_ident();
        quote!(::backprop::Workspace<#float, #gradients>)
    }

    /// `__LAYERS`: each layer's name, sizes, activation and initialisation.
    fn layer_infos(&self) -> TokenStream {
        let float = &self.float;
        let infos = self.levels.iter().map(|l| {
            let name = LitStr::new(&l.layer.name.to_string(), l.span);
            let (inputs, outputs) = (&l.inputs, &l.outputs);
            let activation_name = match &l.layer.activation {
                Some(ty) => type_name(&quote!(#ty)),
                None => type_name(&l.activation),
            };
            let activation = &l.activation;
            quote! {
                ::backprop::LayerInfo {
                    name: #name,
                    inputs: #inputs,
                    outputs: #outputs,
                    activation: #activation_name,
                    init: <#activation as ::backprop::Activation<#float>>::INIT,
                }
            }
        });
        quote! {
            const __LAYERS: &'static [::backprop::LayerInfo] = &[#(#infos),*];
        }
    }

    /// `__with_seed`: every layer drawn, in order, from one generator seeded with `seed`.
    fn checked_with_seed(&self) -> TokenStream {
        let seeded = self.levels.iter().map(|l| {
            let name = &l.layer.name;
            quote_spanned!(l.span=> #name: ::backprop::Dense::with_rng(&mut __rng))
        });
        quote! {
            #[inline(always)]
            fn __with_seed(seed: ::core::primitive::u64) -> Self {
                let mut __rng = ::backprop::__private::seeded_rng(seed);
                Self { #(#seeded,)* }
            }
        }
    }

    /// `__zeros`: every layer's parameters zero.
    fn checked_zeros(&self) -> TokenStream {
        let zeros = self.levels.iter().map(|l| {
            let name = &l.layer.name;
            quote_spanned!(l.span=> #name: ::backprop::Dense::zeros())
        });
        quote! {
            #[inline(always)]
            fn __zeros() -> Self {
                Self { #(#zeros,)* }
            }
        }
    }

    /// `__forward`: the checks, then the forward pass into locals; returns z^L (or a^L).
    fn checked_forward(&self) -> TokenStream {
        let float = &self.float;
        let input = &self.levels[0].inputs;
        let checks = self.parameter_checks();
        let forward = self.forward_pass();
        let output_value = self.output();
        quote! {
            #[inline(always)]
            fn __forward(
                &self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
            ) -> ::core::result::Result<::backprop::ndarray::Array2<#float>, ::backprop::Error> {
                ::backprop::__private::check_input(__a0, #input)?;
                #checks
                #forward
                ::core::result::Result::Ok(#output_value)
            }
        }
    }

    /// `__forward_in`: the checks, then the forward pass into the workspace; returns a view of
    /// its output.
    fn checked_forward_in(&self, workspace: &TokenStream) -> TokenStream {
        let float = &self.float;
        let input = &self.levels[0].inputs;
        let checks = self.parameter_checks();
        let prepare = self.prepare_workspace(false);
        let forward_in = self.forward_pass_in();
        let output_in = &self.last().buffers;
        quote! {
            #[inline(always)]
            fn __forward_in<'__w>(
                &self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                __ws: &'__w mut #workspace,
            ) -> ::core::result::Result<::backprop::ndarray::ArrayView2<'__w, #float>, ::backprop::Error> {
                ::backprop::__private::check_input_shape(__a0, #input)?;
                #checks
                #prepare
                #forward_in
                ::core::result::Result::Ok(#output_in.a())
            }
        }
    }

    /// `__backward_in`: the one-sample path for a batch of one, else the checks, the forward
    /// pass, the cost (1) and the backward pass (2)–(4) into the workspace; returns the cost.
    fn checked_backward_in(&self, workspace: &TokenStream) -> TokenStream {
        let float = &self.float;
        let input = &self.levels[0].inputs;
        let backward_one_call = self.one_sample_call(quote!(self.__backward_one(__a0, __y, __ws)));
        let checks = self.parameter_checks();
        let prepare_with_gradients = self.prepare_workspace(true);
        let forward_in = self.forward_pass_in();
        let cost_in = self.cost_in();
        let backward_in = self.backward_pass_in();
        quote! {
            #[inline(always)]
            fn __backward_in<'__y>(
                &self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                __y: impl ::core::convert::Into<::backprop::Targets<'__y, #float>>,
                __ws: &mut #workspace,
            ) -> ::core::result::Result<#float, ::backprop::Error> {
                let __y = __y.into();
                #backward_one_call
                ::backprop::__private::check_input_shape(__a0, #input)?;
                #checks
                #prepare_with_gradients
                #forward_in
                #cost_in
                #backward_in
                ::core::result::Result::Ok(__cost)
            }
        }
    }

    /// `__train_step`: for an optimiser that is plain gradient descent, the one-sample path for
    /// a batch of one, else the forward pass and the cost (1) followed by the backward pass
    /// fused with the update; for any other optimiser, `backward_in` and the optimiser's step.
    fn checked_train_step(&self, workspace: &TokenStream) -> TokenStream {
        let float = &self.float;
        let input = &self.levels[0].inputs;
        let train_one_call = self.one_sample_call(quote!(self.__train_one(__a0, __y, __ws, __eta)));
        let checks = self.parameter_checks();
        let prepare_with_gradients = self.prepare_workspace(true);
        let forward_in = self.forward_pass_in();
        let cost_in = self.cost_in();
        let train_in = self.train_pass_in();
        quote! {
            #[inline(always)]
            fn __train_step<'__y, __O: ::backprop::Optimizer<#float>>(
                &mut self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                __y: impl ::core::convert::Into<::backprop::Targets<'__y, #float>>,
                __ws: &mut #workspace,
                __optimizer: &mut __O,
            ) -> ::core::result::Result<#float, ::backprop::Error> {
                let ::core::option::Option::Some(__eta) = __optimizer.fused_learning_rate() else {
                    let __cost = <Self as ::backprop::Network<#float>>::backward_in(self, __a0, __y, __ws)?;
                    __optimizer.step(self, __ws.gradients())?;
                    return ::core::result::Result::Ok(__cost);
                };
                let __y = __y.into();
                #train_one_call
                ::backprop::__private::check_input_shape(__a0, #input)?;
                #checks
                #prepare_with_gradients
                #forward_in
                #cost_in
                #train_in
                ::core::result::Result::Ok(__cost)
            }
        }
    }

    /// `__forward_trace`: the checks and the forward pass into locals, moved into the trace.
    fn checked_forward_trace(&self) -> TokenStream {
        let float = &self.float;
        let input = &self.levels[0].inputs;
        let checks = self.parameter_checks();
        let forward = self.forward_pass();
        let forward_trace = self.forward_trace();
        quote! {
            #[inline(always)]
            fn __forward_trace(
                &self,
                __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
            ) -> ::core::result::Result<::backprop::trace::ForwardTrace<#float>, ::backprop::Error> {
                ::backprop::__private::check_input(__a0, #input)?;
                #checks
                #forward
                #forward_trace
            }
        }
    }

    /// Every layer's parameters must have the shape its type declares: the fields are public.
    pub(super) fn parameter_checks(&self) -> TokenStream {
        let checks = self.levels.iter().map(|l| {
            let name = &l.layer.name;
            let name_str = LitStr::new(&name.to_string(), l.span);
            quote_spanned!(l.span=> self.#name.check(#name_str)?;)
        });
        quote!(#(#checks)*)
    }

    /// Readies the workspace for the batch and names each level's buffers, `__level1` … `__levelL`;
    /// `__gradients` names the workspace's gradients when `gradients` is set (for `backward_in`).
    pub(super) fn prepare_workspace(&self, gradients: bool) -> TokenStream {
        let float = &self.float;
        let buffers = self.levels.iter().map(|l| &l.buffers);
        let gradients = if gradients { quote!(__gradients) } else { quote!(_) };
        quote! {
            let (__levels, #gradients) = ::backprop::__private::prepare::<_, Self>(__ws, __a0.nrows())?;
            let [#(#buffers),*] = __levels else {
                return ::core::result::Result::Err(::backprop::__private::workspace_error(<Self as ::backprop::Network<#float>>::LAYERS, __levels));
            };
        }
    }

    /// The where clause of the checked impl (see `checked`): each activation the user wrote is
    /// an `Activation`.
    ///
    /// These bounds hold for every correct network. They are written with `for<'__a>` so that
    /// the compiler takes them as assumptions of the impl rather than checking them there: if a
    /// type is not an activation, the impl's bodies still type-check, the impl does not apply,
    /// and the public items, which have no bounds, call `Fallback`'s items instead. The user sees
    /// one error on their own token (the field's type) instead of one more for every method
    /// called on the layer or on the network. The cost needs no bound: the bodies name it only
    /// as `Self::Cost`, through generic functions of `N: Network`, so `type Cost = …` is its one
    /// check (and a cost that is not a `Cost` leaves every method callable).
    pub(super) fn bounds(&self) -> TokenStream {
        let float = &self.float;
        self.where_each_activation(&quote!(::backprop::Activation<#float>))
    }

    /// `where for<'__a> A: trait_` for each activation the user wrote (once per type), or
    /// nothing when no layer declares one.
    pub(super) fn where_each_activation(&self, trait_: &TokenStream) -> TokenStream {
        let mut seen = Vec::new();
        let mut bounds = Vec::new();
        for level in self.levels.iter().filter(|l| l.layer.activation.is_some()) {
            let (ty, text) = (&level.activation, level.activation.to_string());
            let span = level.layer.activation.as_ref().map_or(level.span, Spanned::span);
            if !seen.contains(&text) {
                seen.push(text);
                bounds.push(quote_spanned!(span=> for<'__a> #ty: #trait_));
            }
        }
        if bounds.is_empty() { TokenStream::new() } else { quote!(where #(#bounds),*) }
    }
}
