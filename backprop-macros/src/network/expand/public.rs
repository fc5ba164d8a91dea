//! The public items of a network: the struct of a `network!`, its gradients type,
//! `with_seed`, the `Network` impl and `predict_one`. They have no bounds and call the checked
//! impl's items (see `checked`).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, LitStr};

use super::{equations_doc, fallback, type_name};
use crate::network::ast::{Network, Origin};
use crate::network::explain::{Description, SLOTS};
use crate::network::resolved::{Level, Resolved};

impl Resolved<'_> {
    /// The struct of a `network!`: one public-as-the-struct field per layer, documented with
    /// the user's documentation followed by the network's equations.
    pub(super) fn definition(&self, description: &Description) -> TokenStream {
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
    pub(super) fn gradients(&self) -> TokenStream {
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

    pub(super) fn gradients_ident(&self) -> Ident {
        format_ident!("{}Gradients", self.net.ident)
    }

    /// `with_seed`: deterministic initialisation, layer by layer from one generator (the checked
    /// `__with_seed`). For a derive, whose struct keeps the user's documentation, the impl block
    /// carries the network's equations, which rustdoc shows on the type's page.
    pub(super) fn with_seed(&self, description: &Description) -> TokenStream {
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
    pub(super) fn network_impl(&self, description: &Description) -> TokenStream {
        let Resolved { net, float, cost, levels, .. } = self;
        let ident = &net.ident;
        let gradients = self.gradients_ident();
        let input = &levels[0].inputs;
        let output = &self.last().outputs;
        let name = LitStr::new(&ident.to_string(), ident.span());
        let fallback = fallback();
        let passes = self.network_passes();
        let explanations = self.network_explanations(description);
        let traces = self.network_traces();
        let visitors = self.network_visitors();
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

                #passes
                #explanations
                #traces
                #visitors
            }
        }
    }

    /// `Network`'s `zeros` and passes (`forward`, `backward`, `forward_in`, `backward_in`,
    /// `train_step`): each calls the checked impl's item, except `backward`, which runs
    /// `backward_in` in the workspace the thread keeps.
    fn network_passes(&self) -> TokenStream {
        let float = &self.float;
        let fallback = fallback();
        quote! {
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
        }
    }

    /// `Network`'s `equations`, `equations_latex` and `circuit_dot`: text written at compile time.
    ///
    /// With a cost of the user's own, each is one of two texts, chosen when the program compiles:
    /// the one that names the cost, or, when the cost's `Cost::FORMULAS` gives its c and c' (a
    /// `#[cost]`), the one with C = Σⱼ c(zⱼ, yⱼ), whose slots the cost's formulas fill.
    fn network_explanations(&self, description: &Description) -> TokenStream {
        // Each text with how its slots take the cost's formulas: as lines indented under the
        // first, as LaTeX rows, as the lines of a Graphviz label.
        type Text = fn(&Description) -> String;
        let texts: [(Text, TokenStream); 3] = [
            (Description::equations, quote!(Indented)),
            (Description::equations_latex, quote!(Text)),
            (Description::circuit_dot, quote!(Dot)),
        ];
        let [equations, equations_latex, circuit_dot] = texts.map(|(text, part)| {
            let known = LitStr::new(&text(description), Span::call_site());
            match description.per_output() {
                Some(per_output) => self.per_output_text(&known, &text(&per_output), &part),
                None => quote!(#known),
            }
        });
        quote! {
            fn equations() -> &'static ::core::primitive::str {
                #equations
            }

            fn equations_latex() -> &'static ::core::primitive::str {
                #equations_latex
            }

            fn circuit_dot() -> &'static ::core::primitive::str {
                #circuit_dot
            }
        }
    }

    /// `known` if the network's cost gives no formulas, else `with_slots` with the cost's
    /// formulas in its slots, each a `Part::<part>` (`Indented`, `Text` or `Dot`): the text as a
    /// constant of the function it is the body of.
    fn per_output_text(&self, known: &LitStr, with_slots: &str, part: &TokenStream) -> TokenStream {
        let (ident, float) = (&self.net.ident, &self.float);
        let mut parts = Vec::new();
        let mut rest = with_slots;
        while let Some((at, slot)) =
            rest.char_indices().find_map(|(i, c)| Some((i, SLOTS.iter().position(|s| *s == c)?)))
        {
            let text = &rest[..at];
            parts.push(quote!(::backprop::__private::Part::Text(#text)));
            let field = match slot {
                0 => quote!(cost),
                1 => quote!(derivative),
                2 => quote!(cost_latex),
                _ => quote!(derivative_latex),
            };
            let formula = quote!(match __FORMULAS {
                ::core::option::Option::Some(__f) => __f.#field,
                ::core::option::Option::None => "",
            });
            parts.push(quote!(::backprop::__private::Part::#part(#formula)));
            rest = &rest[at + SLOTS[slot].len_utf8()..];
        }
        parts.push(quote!(::backprop::__private::Part::Text(#rest)));
        quote! {
            const __FORMULAS: ::core::option::Option<::backprop::cost::CostFormulas> =
                ::backprop::__private::formulas_of::<#float, #ident>();
            const __PARTS: &[::backprop::__private::Part] = &[#(#parts),*];
            const __LEN: ::core::primitive::usize = ::backprop::__private::explained_len(__PARTS);
            const __BYTES: [::core::primitive::u8; __LEN] = ::backprop::__private::explained(__PARTS);
            const __TEXT: &::core::primitive::str = ::backprop::__private::as_text(&__BYTES);
            if __FORMULAS.is_some() { __TEXT } else { #known }
        }
    }

    /// `Network`'s `forward_trace` (the checked impl's) and `backward_trace`.
    fn network_traces(&self) -> TokenStream {
        let float = &self.float;
        let fallback = fallback();
        let backward_trace = self.backward_trace();
        quote! {
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
        }
    }

    /// `Network`'s visitors of every layer's parameters, alone or with their gradients.
    fn network_visitors(&self) -> TokenStream {
        let float = &self.float;
        let levels = &self.levels;
        let parameters: Vec<TokenStream> = levels.iter().map(|l| l.parameters(quote!(self), false)).collect();
        let parameters_mut: Vec<TokenStream> =
            levels.iter().map(|l| l.parameters(quote!(self), true)).collect();
        let gradients_of = levels.iter().map(|l| l.parameters(quote!(__gradients), false));
        let visit = quote!(#( __f(#parameters); )*);
        let visit_mut = quote!(#( __f(#parameters_mut); )*);
        let visit_with_gradients = quote!(#( __f(#parameters_mut, #gradients_of); )*);
        quote! {
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

    /// `predict_one`: `Network::predict` for one sample, with the network's sizes as the array
    /// lengths, so that an input of the wrong length is a compile error. Unused, it is no
    /// warning: most programs never call it.
    pub(super) fn predict_one(&self) -> TokenStream {
        let Resolved { net, float, cost, levels, .. } = self;
        let ident = &net.ident;
        let (input, output) = (&levels[0].inputs, &self.last().outputs);
        let (inputs, outputs) = (input.to_string(), output.to_string());
        let cost_name = type_name(&quote!(#cost));
        let doc = format!(
            " What `{ident}` predicts for one sample of {inputs} inputs, as an array of its {outputs} outputs, allocating nothing: the forward pass of `{ident}Fixed::predict_one`, on this network's weights, with the same bits (each sum in eight interleaved partial sums), which is `Network::predict` on a batch of that one row to rounding. The prediction is the one the cost `{cost_name}` defines (`Cost::predict_in_place`): softmax probabilities for `SoftmaxCrossEntropy`, sigmoid probabilities for `BinaryCrossEntropy`, the output z^L for `Mse` and `MulticlassHinge`. An array of another length than {inputs} is a compile error.\n\n # Errors\n\n Those of `Network::predict`: `Error::NonFinite` for an input that holds NaN or an infinity, or an output that is not finite; `Error::ParameterShape` for a layer whose parameters have the wrong shape."
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
                    #[allow(unused_imports)]
                    use ::backprop::__private::FixedFallback as _;
                    if let ::core::option::Option::Some(__p) = self.__predict_one_fast(__x) {
                        return ::core::result::Result::Ok(__p);
                    }
                    ::backprop::__private::predict_one::<#float, Self, #input, #output>(self, __x)
                }
            }
        }
    }
}
