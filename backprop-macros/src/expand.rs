//! The code generator: one network description in, the network's Rust out.
//!
//! The generated `forward` and `backward` are straight-line code, one block per layer, written
//! in the order of the paper's equations and named after its symbols: `__a0` is the input a^0,
//! `__z1` is z^1, `__a1` is a^1, `__delta1` is δ^1, `__grad1` holds ∂C/∂W^1 and ∂C/∂b^1. Every local
//! and parameter has such a `__` name, so that no constant of the user's module can be mistaken
//! for it; only `with_seed(seed)` keeps the name its documentation shows.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Type};

use crate::ast::{Dim, Layer, Network, Origin, Size};
use crate::ctxt::Ctxt;
use crate::explain::{CostKind, Description, LayerDescription, sigma_name};
use crate::names;
use crate::valid;

/// The largest product `IN × OUT` of a layer for which a network gets the one-sample path
/// (`one_sample`), exclusive: `backprop_core::SMALL_PRODUCT`, below which a batch of one already
/// runs the general path's fixed-size loops, whose arithmetic the one-sample path repeats.
const ONE_SAMPLE_PRODUCT: usize = 4096;

/// Validates `net` and generates its code, or every error found, with a stub of the struct so
/// that the user's other code does not drown the real errors in follow-on ones.
pub fn network((net, mut errors): (Network, Ctxt)) -> TokenStream {
    valid::check(&net, &mut errors);
    if net.rejected_by_rustc {
        // The compiler's own error on the user's field is the one error; the stub keeps the
        // rest of the program free of follow-on errors, beside any error of the macro's.
        let mut tokens = errors.finish(()).err().map(|e| e.to_compile_error()).unwrap_or_default();
        tokens.extend(stub(&net));
        return tokens;
    }
    match errors.finish(()).and_then(|()| Resolved::new(&net)) {
        Ok(resolved) => resolved.generate(),
        Err(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(stub(&net));
            tokens
        }
    }
}

/// After an error, what keeps the user's other code free of follow-on errors: for a `network!`,
/// its struct with no layers; for both front ends, `with_seed`, `predict_one` and an
/// `impl Network` (with a gradients type), so that a program that builds, runs and trains the
/// network type-checks and the real errors are the only ones. Nothing of it runs: the crate does not
/// compile. A derive on a generic type gets them for every choice of its parameters.
fn stub(net: &Network) -> TokenStream {
    let Network { attrs, vis, ident, .. } = net;
    let (definition, build) = match net.origin {
        Origin::Network => (quote!(#(#attrs)* #vis struct #ident {}), quote!(Self {})),
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

/// A validated network with every size known.
struct Resolved<'a> {
    net: &'a Network,
    float: Ident,
    cost: &'a Type,
    levels: Vec<Level<'a>>,
}

/// Level l of the paper: one layer with its sizes and its generated names.
struct Level<'a> {
    layer: &'a Layer,
    inputs: Dim,
    outputs: Dim,
    /// σ as a type; `::backprop::Identity` when the layer declares none.
    activation: TokenStream,
    /// The type of the field.
    ty: TokenStream,
    span: Span,
    z: Ident,
    a: Ident,
    /// The level's buffers in a workspace: z^l, a^l and δ^l.
    buffers: Ident,
}

impl<'a> Resolved<'a> {
    fn new(net: &'a Network) -> syn::Result<Self> {
        let missing =
            |what: &str| syn::Error::new(net.missing_span, format!("network `{}` has no {what}", net.ident));
        let cost = net.cost.as_ref().ok_or_else(|| missing("cost"))?;
        let mut inputs = net.input.as_ref().ok_or_else(|| missing("input size"))?.dim.clone();
        let float = net.float_ident();
        let mut levels = Vec::with_capacity(net.layers.len());
        for (i, layer) in net.layers.iter().enumerate() {
            let alias = activation_alias(net, layer);
            let outputs = layer.outputs.as_ref().ok_or_else(|| missing("layer size"))?.dim.clone();
            // A derive's layer takes the inputs its field's type declares (validated, or asserted
            // at compile time, to be the units of the layer before it).
            if let Some(declared) = &layer.inputs {
                inputs = declared.dim.clone();
            }
            let span = layer.name.span();
            let (activation, ty_span) = match &layer.activation {
                Some(ty) if net.origin == Origin::Derive => {
                    (quote!(<#alias as ::backprop::__private::Unwrap>::Inner), ty.span())
                }
                Some(ty) => (quote!(#ty), ty.span()),
                None => (quote_spanned!(span=> ::backprop::Identity), span),
            };
            // Spanned on the activation the user wrote: if that type is not an `Activation`,
            // this field type is ill-formed, and that is the one error the user should see.
            let (n_in, n_out) = (&inputs, &outputs);
            let ty = quote_spanned!(ty_span=> ::backprop::Dense<#float, #n_in, #n_out, #activation>);
            let l = i + 1;
            let next = outputs.clone();
            levels.push(Level {
                layer,
                inputs,
                outputs,
                activation,
                ty,
                span,
                z: format_ident!("__z{}", l),
                a: format_ident!("__a{}", l),
                buffers: format_ident!("__level{}", l),
            });
            inputs = next;
        }
        if levels.is_empty() {
            return Err(missing("layers"));
        }
        Ok(Resolved { net, float, cost, levels })
    }

    fn generate(&self) -> TokenStream {
        let description = self.description();
        let definition = self.definition(&description);
        let gradients = self.gradients();
        let with_seed = self.with_seed(&description);
        let network = self.network_impl(&description);
        let checked = self.checked();
        let predict_one = self.predict_one();
        let assertions = self.assertions();
        let aliases = self.activation_aliases();
        quote! {
            #aliases
            #definition
            #gradients
            #with_seed
            #network
            #checked
            #predict_one
            #assertions
        }
    }

    /// The description the explanations (`equations()`, `circuit_dot()`, the docs) are
    /// written from.
    fn description(&self) -> Description {
        let name = |ident: &Ident| ident.to_string().trim_start_matches("r#").to_owned();
        Description {
            name: name(&self.net.ident),
            input: self.levels[0].inputs.clone(),
            layers: self
                .levels
                .iter()
                .map(|l| LayerDescription {
                    name: name(&l.layer.name),
                    inputs: l.inputs.clone(),
                    outputs: l.outputs.clone(),
                    sigma: l.layer.activation.as_ref().map(sigma_name),
                })
                .collect(),
            cost: CostKind::of(self.cost),
        }
    }

    /// The struct of a `network!`: one public-as-the-struct field per layer, documented with
    /// the user's documentation followed by the network's equations.
    fn definition(&self, description: &Description) -> TokenStream {
        let Network { attrs, vis, ident, origin, .. } = self.net;
        if *origin == Origin::Derive {
            return TokenStream::new();
        }
        let equations = equations_doc(description, attrs.iter().any(|a| a.path().is_ident("doc")));
        let fields = self.levels.iter().enumerate().map(|(i, level)| {
            let Level { layer, ty, .. } = level;
            let name = &layer.name;
            let attrs = &layer.attrs;
            let doc = if attrs.iter().any(|a| a.path().is_ident("doc")) {
                TokenStream::new()
            } else {
                let (l, inputs, outputs) = (i + 1, &level.inputs, &level.outputs);
                let text = match &layer.activation {
                    Some(_) => format!(" Layer {l}: {inputs} → {outputs} units, σ = `{}`.", type_name(&level.activation)),
                    None if l == self.levels.len() => {
                        format!(" Layer {l}, the output: {inputs} → {outputs} units, no activation (the output is z^{l}).")
                    }
                    None => format!(" Layer {l}: {inputs} → {outputs} units, no activation."),
                };
                quote!(#[doc = #text])
            };
            quote! { #(#attrs)* #doc #vis #name: #ty }
        });
        // The empty `<>` is the macro's, not the user's: rustc places its "you might be missing a
        // type parameter" help for a name that does not resolve (`=> Swsh`) on the struct's
        // generics, and offers none on generics the macro wrote. Without it, the help would be
        // `struct Net<Swsh><f32>`, which is not Rust, and the error would be reported twice (once
        // with the help and once without) instead of once.
        quote! {
            #(#attrs)*
            #(#[doc = #equations])*
            #vis struct #ident <> {
                #(#fields,)*
            }
        }
    }

    /// `<Name>Gradients`: one `LayerGradients` per layer, named like the layer.
    fn gradients(&self) -> TokenStream {
        let Network { vis, ident, .. } = self.net;
        let float = &self.float;
        let gradients = self.gradients_ident();
        let doc = format!(
            " The gradients of every parameter of [`{ident}`], as returned by its `backward`: one field per layer, named like the layer, holding ∂C/∂W^l = δ^l (a^(l−1))ᵀ (equation (3)) and ∂C/∂b^l = δ^l (equation (4)), summed over the samples of the batch; C being the mean of the samples' costs, each sample's δ^l carries a factor 1/n, so these are the gradients of that mean."
        );
        let names: Vec<_> = self.levels.iter().map(|l| &l.layer.name).collect();
        let outs = self.levels.iter().map(|l| &l.outputs);
        let ins = self.levels.iter().map(|l| &l.inputs);
        let parameters = self.levels.iter().map(|l| l.parameters(quote!(self), false));
        let parameters_mut = self.levels.iter().map(|l| l.parameters(quote!(self), true));
        let docs = self
            .levels
            .iter()
            .map(|l| format!(" ∂C/∂W and ∂C/∂b of layer `{}` ({} → {}).", l.layer.name, l.inputs, l.outputs));
        quote! {
            #[doc = #doc]
            #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
            #vis struct #gradients {
                #( #[doc = #docs] pub #names: ::backprop::LayerGradients<#float>, )*
            }

            #[automatically_derived]
            impl ::backprop::Gradients<#float> for #gradients {
                fn zeros() -> Self {
                    Self { #( #names: ::backprop::LayerGradients::zeros(#outs, #ins), )* }
                }

                fn visit(&self, __f: &mut dyn ::core::ops::FnMut(::backprop::Parameters<'_, #float>)) {
                    #( __f(#parameters); )*
                }

                fn visit_mut(&mut self, __f: &mut dyn ::core::ops::FnMut(::backprop::ParametersMut<'_, #float>)) {
                    #( __f(#parameters_mut); )*
                }
            }
        }
    }

    fn gradients_ident(&self) -> Ident {
        format_ident!("{}Gradients", self.net.ident)
    }

    /// `with_seed`: deterministic initialisation, layer by layer from one generator (the checked
    /// `__with_seed`). For a derive, whose struct keeps the user's documentation, the impl block
    /// carries the network's equations, which rustdoc shows on the type's page.
    fn with_seed(&self, description: &Description) -> TokenStream {
        let ident = &self.net.ident;
        let equations = match self.net.origin {
            Origin::Derive => equations_doc(description, false),
            Origin::Network => Vec::new(),
        };
        let fallback = fallback();
        let doc = format!(
            " Creates a `{ident}` with weights drawn deterministically from `seed`: uniform with He's bound for ReLU-like layers and Glorot's otherwise, and zero biases. The same seed gives bit-identical weights on every machine."
        );
        quote! {
            #(#[doc = #equations])*
            #[automatically_derived]
            impl #ident {
                #[doc = #doc]
                pub fn with_seed(seed: ::core::primitive::u64) -> Self {
                    #fallback
                    Self::__with_seed(seed)
                }
            }
        }
    }

    /// `impl Network`: sizes, the forward pass and the backward pass, their traces, and the
    /// equations and circuit they implement.
    ///
    /// The impl has no bounds, so that the network is a `Network` whatever its activations: what
    /// needs them to be `Activation`s (the layers, the passes) is in the checked impl, which each
    /// item here calls (see `checked`).
    fn network_impl(&self, description: &Description) -> TokenStream {
        let Resolved { net, float, cost, levels } = self;
        let ident = &net.ident;
        let gradients = self.gradients_ident();
        let input = &levels[0].inputs;
        let output = &levels[levels.len() - 1].outputs;
        let name = LitStr::new(&ident.to_string(), ident.span());
        let parameters: Vec<TokenStream> = levels.iter().map(|l| l.parameters(quote!(self), false)).collect();
        let parameters_mut: Vec<TokenStream> =
            levels.iter().map(|l| l.parameters(quote!(self), true)).collect();
        let gradients_of = levels.iter().map(|l| l.parameters(quote!(__gradients), false));
        let visit = quote!(#( __f(#parameters); )*);
        let visit_mut = quote!(#( __f(#parameters_mut); )*);
        let visit_with_gradients = quote!(#( __f(#parameters_mut, #gradients_of); )*);
        let equations = LitStr::new(&description.equations(), Span::call_site());
        let equations_latex = LitStr::new(&description.equations_latex(), Span::call_site());
        let circuit_dot = LitStr::new(&description.circuit_dot(), Span::call_site());
        let backward_trace = self.backward_trace();
        let fallback = fallback();
        quote! {
            #[automatically_derived]
            impl ::backprop::Network<#float> for #ident {
                const NAME: &'static ::core::primitive::str = #name;
                const INPUT: ::core::primitive::usize = #input;
                const OUTPUT: ::core::primitive::usize = #output;
                const LAYERS: &'static [::backprop::LayerInfo] = {
                    #fallback
                    Self::__LAYERS
                };

                type Cost = #cost;
                type Gradients = #gradients;

                fn zeros() -> Self {
                    #fallback
                    Self::__zeros()
                }

                fn forward(
                    &self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                ) -> ::core::result::Result<::backprop::ndarray::Array2<#float>, ::backprop::Error> {
                    #fallback
                    self.__forward(__a0)
                }

                fn backward<'__y>(
                    &self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                    __y: impl ::core::convert::Into<::backprop::Targets<'__y, #float>>,
                ) -> ::core::result::Result<(#float, Self::Gradients), ::backprop::Error> {
                    // The kernels of `backward_in`, in the workspace this thread keeps.
                    ::backprop::__private::backward_in_kept_workspace(self, __a0, __y)
                }

                fn forward_in<'__w>(
                    &self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                    __ws: &'__w mut ::backprop::Workspace<#float, Self::Gradients>,
                ) -> ::core::result::Result<::backprop::ndarray::ArrayView2<'__w, #float>, ::backprop::Error> {
                    #fallback
                    self.__forward_in(__a0, __ws)
                }

                fn backward_in<'__y>(
                    &self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                    __y: impl ::core::convert::Into<::backprop::Targets<'__y, #float>>,
                    __ws: &mut ::backprop::Workspace<#float, Self::Gradients>,
                ) -> ::core::result::Result<#float, ::backprop::Error> {
                    #fallback
                    self.__backward_in(__a0, __y, __ws)
                }

                fn train_step<'__y, __O: ::backprop::Optimizer<#float>>(
                    &mut self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                    __y: impl ::core::convert::Into<::backprop::Targets<'__y, #float>>,
                    __ws: &mut ::backprop::Workspace<#float, Self::Gradients>,
                    __optimizer: &mut __O,
                ) -> ::core::result::Result<#float, ::backprop::Error> {
                    #fallback
                    self.__train_step(__a0, __y, __ws, __optimizer)
                }

                fn equations() -> &'static ::core::primitive::str {
                    #equations
                }

                fn equations_latex() -> &'static ::core::primitive::str {
                    #equations_latex
                }

                fn circuit_dot() -> &'static ::core::primitive::str {
                    #circuit_dot
                }

                fn forward_trace(
                    &self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                ) -> ::core::result::Result<::backprop::trace::ForwardTrace<#float>, ::backprop::Error> {
                    #fallback
                    self.__forward_trace(__a0)
                }

                fn backward_trace<'__y>(
                    &self,
                    __a0: ::backprop::ndarray::ArrayView2<'_, #float>,
                    __y: impl ::core::convert::Into<::backprop::Targets<'__y, #float>>,
                ) -> ::core::result::Result<::backprop::trace::BackwardTrace<#float>, ::backprop::Error> {
                    #backward_trace
                }

                fn visit_parameters(&self, __f: &mut dyn ::core::ops::FnMut(::backprop::Parameters<'_, #float>)) {
                    #visit
                }

                fn visit_parameters_mut(&mut self, __f: &mut dyn ::core::ops::FnMut(::backprop::ParametersMut<'_, #float>)) {
                    #visit_mut
                }

                fn visit_with_gradients(
                    &mut self,
                    __gradients: &Self::Gradients,
                    __f: &mut dyn ::core::ops::FnMut(::backprop::ParametersMut<'_, #float>, ::backprop::Parameters<'_, #float>),
                ) {
                    #visit_with_gradients
                }
            }
        }
    }

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
    fn checked(&self) -> TokenStream {
        let Resolved { net, float, levels, .. } = self;
        let ident = &net.ident;
        let gradients = self.gradients_ident();
        let input = &levels[0].inputs;
        let infos = levels.iter().map(|l| {
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
        let seeded = levels.iter().map(|l| {
            let name = &l.layer.name;
            quote_spanned!(l.span=> #name: ::backprop::Dense::with_rng(&mut __rng))
        });
        let zeros = levels.iter().map(|l| {
            let name = &l.layer.name;
            quote_spanned!(l.span=> #name: ::backprop::Dense::zeros())
        });
        let checks = self.parameter_checks();
        let prepare = self.prepare_workspace(false);
        let prepare_with_gradients = self.prepare_workspace(true);
        let forward_in = self.forward_pass_in();
        let cost_in = self.cost_in();
        let backward_in = self.backward_pass_in();
        let train_in = self.train_pass_in();
        let output_in = &levels[levels.len() - 1].buffers;
        let forward = self.forward_pass();
        let output_value = self.output();
        let forward_trace = self.forward_trace();
        let bounds = self.bounds();
        let workspace = quote!(::backprop::Workspace<#float, #gradients>);
        let one_sample = self.one_sample(&workspace);
        let (backward_one_call, train_one_call) = if one_sample.is_empty() {
            (TokenStream::new(), TokenStream::new())
        } else {
            let call = |method: TokenStream| {
                quote! {
                    if __a0.nrows() == 1 {
                        if let ::core::option::Option::Some(__cost) = #method {
                            return ::core::result::Result::Ok(__cost);
                        }
                    }
                }
            };
            (
                call(quote!(self.__backward_one(__a0, __y, __ws))),
                call(quote!(self.__train_one(__a0, __y, __ws, __eta))),
            )
        };
        quote! {
            #[automatically_derived]
            #[allow(dead_code, private_bounds)]
            impl #ident #bounds {
                #one_sample

                const __LAYERS: &'static [::backprop::LayerInfo] = &[#(#infos),*];

                #[inline(always)]
                fn __with_seed(seed: ::core::primitive::u64) -> Self {
                    let mut __rng = ::backprop::__private::seeded_rng(seed);
                    Self { #(#seeded,)* }
                }

                #[inline(always)]
                fn __zeros() -> Self {
                    Self { #(#zeros,)* }
                }

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
    }

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
    fn one_sample(&self, workspace: &TokenStream) -> TokenStream {
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

    /// `predict_one`: `Network::predict` for one sample, with the network's sizes as the array
    /// lengths, so that an input of the wrong length is a compile error. Unused, it is no
    /// warning: most programs never call it.
    fn predict_one(&self) -> TokenStream {
        let Resolved { net, float, cost, levels } = self;
        let ident = &net.ident;
        let (input, output) = (&levels[0].inputs, &levels[levels.len() - 1].outputs);
        let (inputs, outputs) = (input.to_string(), output.to_string());
        let cost_name = type_name(&quote!(#cost));
        let doc = format!(
            " What `{ident}` predicts for one sample of {inputs} inputs: `Network::predict` on a batch of that one row, as an array of its {outputs} outputs, without building a matrix. The prediction is the one the cost `{cost_name}` defines (`Cost::predict_in_place`): softmax probabilities for `SoftmaxCrossEntropy`, sigmoid probabilities for `BinaryCrossEntropy`, the output z^L for `Mse` and `MulticlassHinge`. An array of another length than {inputs} is a compile error.\n\n # Errors\n\n Those of `Network::predict`: `Error::NonFinite` for an input that holds NaN or an infinity, or an output that is not finite; `Error::ParameterShape` for a layer whose parameters have the wrong shape."
        );
        quote! {
            #[automatically_derived]
            impl #ident {
                #[doc = #doc]
                #[allow(dead_code)]
                pub fn predict_one(
                    &self,
                    __x: &[#float; #input],
                ) -> ::core::result::Result<[#float; #output], ::backprop::Error> {
                    ::backprop::__private::predict_one::<#float, Self, #input, #output>(self, __x)
                }
            }
        }
    }

    /// Every layer's parameters must have the shape its type declares: the fields are public.
    fn parameter_checks(&self) -> TokenStream {
        let checks = self.levels.iter().map(|l| {
            let name = &l.layer.name;
            let name_str = LitStr::new(&name.to_string(), l.span);
            quote_spanned!(l.span=> self.#name.check(#name_str)?;)
        });
        quote!(#(#checks)*)
    }

    /// The forward pass, layer by layer: z^l = a^(l−1) (W^l)ᵀ + b^l, then a^l = σ(z^l).
    /// The last layer's activation is applied only if it declares one.
    fn forward_pass(&self) -> TokenStream {
        let mut previous = format_ident!("__a0");
        let last = self.levels.len() - 1;
        let blocks = self.levels.iter().enumerate().map(|(i, l)| {
            let Level { z, a, span, .. } = l;
            let name = &l.layer.name;
            let a_prev = previous.clone();
            previous = a.clone();
            let activate = if i < last || l.layer.activation.is_some() {
                quote_spanned!(*span=> let #a = self.#name.activate(&#z);)
            } else {
                TokenStream::new()
            };
            let name_str = LitStr::new(&name.to_string(), *span);
            quote_spanned! {*span=>
                let #z = self.#name.weighted_input(#a_prev.view());
                self.#name.check_weighted_input(#name_str, #z.view(), ::core::option::Option::None)?;
                #activate
            }
        });
        quote!(#(#blocks)*)
    }

    /// What `forward` returns: z^L, or a^L if the last layer declares an activation.
    fn output(&self) -> Ident {
        let last = &self.levels[self.levels.len() - 1];
        if last.layer.activation.is_some() { last.a.clone() } else { last.z.clone() }
    }

    /// z^l and a^l of the level at `index` after the forward pass, to move into a trace: their
    /// locals, or for a last layer without activation (whose a^L is z^L, which the pass does not
    /// name) a copy of z^L and z^L itself.
    fn z_and_a(&self, index: usize) -> (TokenStream, TokenStream) {
        let Level { z, a, layer, .. } = &self.levels[index];
        if index + 1 < self.levels.len() || layer.activation.is_some() {
            (quote!(#z), quote!(#a))
        } else {
            (quote!(::core::clone::Clone::clone(&#z)), quote!(#z))
        }
    }

    /// The end of `forward_trace`, after the forward pass: its locals z^l and a^l, moved into
    /// the trace, named by layer.
    fn forward_trace(&self) -> TokenStream {
        let layers = self.levels.iter().enumerate().map(|(i, l)| {
            let name = LitStr::new(&l.layer.name.to_string(), l.span);
            let level = Literal::usize_unsuffixed(i + 1);
            let (z, a) = self.z_and_a(i);
            quote! {
                ::backprop::trace::LayerForward { name: #name, level: #level, z: #z, a: #a }
            }
        });
        quote! {
            ::core::result::Result::Ok(::backprop::trace::ForwardTrace {
                layers: ::core::convert::From::from([#(#layers),*]),
            })
        }
    }

    /// `backward_trace`: `backward_in` in a workspace made for the call, then its z^l, a^l
    /// and δ^l and the gradients, copied into the trace, named by layer; so the trace holds
    /// the very values of `backward` and of a training step.
    fn backward_trace(&self) -> TokenStream {
        let float = &self.float;
        let buffers: Vec<_> = self.levels.iter().map(|l| &l.buffers).collect();
        let layers = self.levels.iter().enumerate().map(|(i, l)| {
            let name = LitStr::new(&l.layer.name.to_string(), l.span);
            let field = &l.layer.name;
            let level = Literal::usize_unsuffixed(i + 1);
            let buffer = &l.buffers;
            quote! {
                ::backprop::trace::LayerBackward {
                    name: #name,
                    level: #level,
                    z: #buffer.z().to_owned(),
                    a: #buffer.a().to_owned(),
                    delta: #buffer.delta().to_owned(),
                    gradients: __ws.gradients().#field.clone(),
                }
            }
        });
        quote! {
            let mut __ws = <Self as ::backprop::Network<#float>>::workspace();
            let __cost = self.backward_in(__a0, __y, &mut __ws)?;
            let [#(#buffers),*] = __ws.layers() else {
                return ::core::result::Result::Err(::backprop::__private::workspace_error(Self::LAYERS, __ws.layers()));
            };
            ::core::result::Result::Ok(::backprop::trace::BackwardTrace {
                cost: __cost,
                layers: ::core::convert::From::from([#(#layers),*]),
            })
        }
    }

    /// Readies the workspace for the batch and names each level's buffers, `__level1` … `__levelL`;
    /// `__gradients` names the workspace's gradients when `gradients` is set (for `backward_in`).
    fn prepare_workspace(&self, gradients: bool) -> TokenStream {
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

    /// The forward pass into the workspace: z^l = a^(l−1) (W^l)ᵀ + b^l and a^l = σ(z^l), level
    /// by level, into `__level<l>`. Each z^l is checked: a finite z^l proves the layer's
    /// parameters finite (and, for z^1, the input), and a non-finite one names what is not.
    fn forward_pass_in(&self) -> TokenStream {
        let blocks = self.levels.iter().enumerate().map(|(i, l)| {
            let Level { buffers, span, .. } = l;
            let name = &l.layer.name;
            let name_str = LitStr::new(&name.to_string(), *span);
            let a_prev = self.a_prev_in(i);
            let input = if i == 0 {
                quote!(::core::option::Option::Some(__a0))
            } else {
                quote!(::core::option::Option::None)
            };
            quote_spanned! {*span=>
                self.#name.forward_in(#a_prev, #buffers);
                self.#name.check_weighted_input(#name_str, #buffers.z(), #input)?;
            }
        });
        quote!(#(#blocks)*)
    }

    /// a^(l−1) for the level at `index`: the input for the first, else the level below's a.
    fn a_prev_in(&self, index: usize) -> TokenStream {
        if index == 0 {
            quote!(__a0)
        } else {
            let below = &self.levels[index - 1].buffers;
            quote!(#below.a())
        }
    }

    /// Equation (1) into the workspace: the cost, and δ^L into the last level's buffers
    /// (∇_a C ⊙ σ'(z^L) when the last layer declares an activation).
    fn cost_in(&self) -> TokenStream {
        let float = &self.float;
        let last = &self.levels[self.levels.len() - 1];
        let (buffers, name) = (&last.buffers, &last.layer.name);
        let output_activation = if last.layer.activation.is_some() {
            quote_spanned!(last.span=> self.#name.output_delta_in(#buffers);)
        } else {
            TokenStream::new()
        };
        quote_spanned! {last.span=>
            let __cost = ::backprop::__private::cost_in_of::<#float, Self>(#buffers, __y)?;
            #output_activation
        }
    }

    /// The backward pass into the workspace: from the last level down, ∂C/∂W^l and ∂C/∂b^l
    /// (3), (4) into the gradients, and δ^(l−1) (2).
    fn backward_pass_in(&self) -> TokenStream {
        let mut blocks = Vec::new();
        for (i, l) in self.levels.iter().enumerate().rev() {
            let Level { buffers, span, .. } = l;
            let name = &l.layer.name;
            let a_prev = self.a_prev_in(i);
            blocks.push(quote_spanned! {*span=>
                self.#name.gradients_in(#buffers, #a_prev, &mut __gradients.#name);
            });
            blocks.push(self.delta_below_in(i));
        }
        quote!(#(#blocks)*)
    }

    /// The backward pass fused with gradient descent: from the last level down, δ^(l−1) (2)
    /// with every W^l unchanged; then each level's update W^l ← W^l − η ∂C/∂W^l and
    /// b^l ← b^l − η ∂C/∂b^l by (3) and (4) is checked, and only when every one is finite are
    /// they written, so that a refused step changes nothing.
    fn train_pass_in(&self) -> TokenStream {
        let mut blocks = Vec::new();
        for i in (0..self.levels.len()).rev() {
            blocks.push(self.delta_below_in(i));
        }
        for (i, l) in self.levels.iter().enumerate() {
            let Level { buffers, span, .. } = l;
            let name = &l.layer.name;
            let name_str = LitStr::new(&name.to_string(), *span);
            let tensor = Literal::usize_unsuffixed(2 * i);
            let update = format_ident!("__update{}", i + 1);
            let a_prev = self.a_prev_in(i);
            blocks.push(quote_spanned! {*span=>
                let #update = self.#name.sgd_check(#name_str, #tensor, __eta, #buffers, #a_prev, &mut __gradients.#name)?;
            });
        }
        for (i, l) in self.levels.iter().enumerate().rev() {
            let Level { buffers, span, .. } = l;
            let name = &l.layer.name;
            let update = format_ident!("__update{}", i + 1);
            let a_prev = self.a_prev_in(i);
            blocks.push(quote_spanned! {*span=>
                self.#name.sgd_apply(__eta, #buffers, #a_prev, &__gradients.#name, #update);
            });
        }
        quote!(#(#blocks)*)
    }

    /// Equation (2) for the level below the one at `index`, into its buffers; nothing for the
    /// first level.
    fn delta_below_in(&self, index: usize) -> TokenStream {
        if index == 0 {
            return TokenStream::new();
        }
        let (l, below) = (&self.levels[index], &self.levels[index - 1]);
        let (name, buffers) = (&l.layer.name, &l.buffers);
        let (name_below, buffers_below) = (&below.layer.name, &below.buffers);
        quote_spanned! {below.span=>
            self.#name_below.delta_in(#buffers_below, self.#name.weight.view(), #buffers.delta());
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
    fn bounds(&self) -> TokenStream {
        let float = &self.float;
        let mut seen = Vec::new();
        let mut bounds = Vec::new();
        for level in self.levels.iter().filter(|l| l.layer.activation.is_some()) {
            let (ty, text) = (&level.activation, level.activation.to_string());
            let span = level.layer.activation.as_ref().map_or(level.span, Spanned::span);
            if !seen.contains(&text) {
                seen.push(text);
                bounds.push(quote_spanned!(span=> for<'__a> #ty: ::backprop::Activation<#float>));
            }
        }
        if bounds.is_empty() { TokenStream::new() } else { quote!(where #(#bounds),*) }
    }

    /// A compile-time check, spanned on the output layer's activation, that the cost does not
    /// apply an output function of its own (`Cost::TAKES_LOGITS`), which the activation would
    /// duplicate. Nothing for an output layer without activation or with `Identity`.
    fn logits_check(&self) -> TokenStream {
        let Some(last) = self.levels.last() else { return TokenStream::new() };
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

    /// Compile-time checks: that an output activation does not repeat the cost's own output
    /// function, and the sizes the macro could not compute. (That the cost is a `Cost` needs no
    /// check of its own: `type Cost = …` of the `Network` impl, which names it only there, is
    /// then the one error, on the user's token. An activation that is not an `Activation` makes
    /// its layer's field type, `Dense<F, IN, OUT, A>`, ill-formed.)
    fn assertions(&self) -> TokenStream {
        let logits_check = self.logits_check();
        let size_checks = self.size_checks();
        quote! {
            #logits_check
            #size_checks
        }
    }

    /// A derive's aliases of its layers' activations, `type __Net_hidden = PhantomData<Swsh>;`,
    /// through which the generated code names them (`<__Net_hidden as Unwrap>::Inner`).
    ///
    /// The struct is the user's, so a name that does not resolve (`Swsh`) is already an error on
    /// its field, with rustc's help "you might be missing a type parameter", placed after the
    /// struct's name. Each alias names the activation once, in generic arguments, and takes the
    /// struct's name's span: rustc's error on it is then the same error, with the same help at
    /// the same place, which rustc reports once. Named directly, each use would be a second error.
    fn activation_aliases(&self) -> TokenStream {
        if self.net.origin != Origin::Derive {
            return TokenStream::new();
        }
        let aliases = self.levels.iter().filter_map(|l| {
            let ty = l.layer.activation.as_ref()?;
            let alias = activation_alias(self.net, l.layer);
            Some(quote! {
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                type #alias = ::core::marker::PhantomData<#ty>;
            })
        });
        quote!(#(#aliases)*)
    }

    /// The checks `valid` makes of sizes it can compute, as `const` assertions for the sizes it
    /// cannot (constants, `HIDDEN`), each spanned on the size and naming the layers: no size is
    /// 0, and in a derive each layer takes as many inputs as the layer before it has units.
    fn size_checks(&self) -> TokenStream {
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
        if let Some(input) = net.input.as_ref().filter(|s| s.value().is_none()) {
            let dim = &input.dim;
            let message = match net.origin {
                Origin::Network => format!(
                    "network `{ident}` has 0 inputs (`input: {dim}`): a network needs at least one input feature"
                ),
                Origin::Derive => format!(
                    "layer `{}` has 0 inputs (`{dim}`): the first layer takes the network's input, which needs at least one feature",
                    net.layers.first().map(|l| l.name.to_string()).unwrap_or_default()
                ),
            };
            checks.push(assert(input, quote!(#dim > 0), message));
        }
        for layer in &net.layers {
            let Some(outputs) = layer.outputs.as_ref().filter(|s| s.value().is_none()) else { continue };
            let dim = &outputs.dim;
            let message =
                format!("layer `{}` has 0 units (`{dim}`): a layer needs at least one unit", layer.name);
            checks.push(assert(outputs, quote!(#dim > 0), message));
        }
        if net.origin == Origin::Derive {
            for pair in net.layers.windows(2) {
                let (before, layer) = (&pair[0], &pair[1]);
                let (Some(units), Some(inputs)) = (&before.outputs, &layer.inputs) else { continue };
                if units.value().is_some() && inputs.value().is_some() {
                    continue;
                }
                let (u, n) = (&units.dim, &inputs.dim);
                let message = format!(
                    "layer `{}` takes `{n}` inputs, which must be the number of units of the layer before it, `{}` (`{u}`): \
                     write `{u}` as `{}`'s number of inputs, or give `{}` `{n}` units",
                    layer.name, before.name, layer.name, before.name
                );
                checks.push(assert(inputs, quote!(#u == #n), message));
            }
        }
        quote!(#(#checks)*)
    }
}

impl Level<'_> {
    /// `Parameters { layer, weight, bias }` (or `ParametersMut`) viewing this layer's entries of
    /// `owner`, the network or its gradients.
    fn parameters(&self, owner: TokenStream, mutable: bool) -> TokenStream {
        let name = &self.layer.name;
        let layer = LitStr::new(&name.to_string(), name.span());
        let (ty, view) = if mutable {
            (quote!(ParametersMut), quote!(view_mut))
        } else {
            (quote!(Parameters), quote!(view))
        };
        quote! {
            ::backprop::#ty { layer: #layer, weight: #owner.#name.weight.#view(), bias: #owner.#name.bias.#view() }
        }
    }
}

/// The network's equations as lines of documentation: a section "Equations" (after a blank
/// line when `after_docs`), the text of `equations()` in a code block, and where to find more.
fn equations_doc(description: &Description, after_docs: bool) -> Vec<String> {
    let name = &description.name;
    let mut lines = Vec::new();
    if after_docs {
        lines.push(String::new());
    }
    lines.push(" # Equations".to_owned());
    lines.push(String::new());
    lines.push(format!(
        " The forward and backward passes generated for `{name}` compute these equations, those of the paper's section 2 and its equations (1)–(4) for this network's layers:"
    ));
    lines.push(String::new());
    lines.push(" ```text".to_owned());
    lines.extend(description.equations().lines().map(|line| format!(" {line}")));
    lines.push(" ```".to_owned());
    lines.push(String::new());
    lines.push(format!(
        " `{name}::equations()` returns this text and `{name}::equations_latex()` the same as LaTeX; `{name}::circuit_dot()` draws the network's circuit of gates in Graphviz's DOT language. `forward_trace(x)` returns z and a of every layer, and `backward_trace(x, y)` also δ and the gradients."
    ));
    lines
}

/// Brings `Fallback` into scope, in the body of a public item that calls a checked one (see
/// `Resolved::checked`): unused when the checked impl applies.
fn fallback() -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use ::backprop::__private::Fallback as _;
    }
}

/// The name of the alias of a derive's layer's activation (see `Resolved::activation_aliases`),
/// with the span of the struct's name.
fn activation_alias(net: &Network, layer: &Layer) -> Ident {
    Ident::new(&format!("__{}_{}", net.ident, layer.name), net.ident.span())
}

/// A type as the user wrote it, without the spaces the token printer puts in.
fn type_name(ty: &TokenStream) -> String {
    let text = ty.to_string().replace(' ', "");
    text.strip_prefix("::backprop::").map(str::to_owned).unwrap_or(text)
}
