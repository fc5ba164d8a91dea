//! The fixed-size network: `<Name>Fixed`, the same layers with their weights in arrays
//! (`FixedDense`), for inference with neither the standard library nor an allocator; its
//! `FixedNetwork` impl; the network's `to_fixed` and `from_fixed`; and the one-sample path of
//! the network's `predict_one`, which runs the same kernel on the network's own weights so that
//! the two give the same bits.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, LitStr};

use crate::network::ast::{Dim, Network};
use crate::network::resolved::Resolved;

impl Resolved<'_> {
    /// The name of the fixed-size network, `<Name>Fixed`.
    ///
    /// Not with the span of the user's name: rustc's error on an activation that does not
    /// resolve would then suggest adding it as a type parameter there, a second error beside the
    /// network's own field's.
    pub(super) fn fixed_ident(&self) -> Ident {
        Ident::new(
            &format!("{}Fixed", self.net.ident.to_string().trim_start_matches("r#")),
            Span::call_site(),
        )
    }

    /// The struct `<Name>Fixed`, its checked impl (the forward pass, which needs every
    /// activation to be an `Activation`), its `FixedNetwork` impl, and `Clone`, `Debug` and
    /// `PartialEq` where the activations have them: what needs no standard library; then,
    /// apart, what does: the network's `to_fixed` and `from_fixed` and its `predict_one`'s path.
    pub(super) fn fixed(&self) -> (TokenStream, TokenStream) {
        let Network { vis, ident, .. } = self.net;
        let (fixed, float, cost) = (self.fixed_ident(), &self.float, self.cost);
        let (input, output) = (&self.levels[0].inputs, &self.last().outputs);
        let names: Vec<_> = self.levels.iter().map(|l| &l.layer.name).collect();
        let labels: Vec<_> =
            self.levels.iter().map(|l| LitStr::new(&l.layer.name.to_string(), l.span)).collect();
        let types = self.levels.iter().map(|l| {
            let (ins, outs, activation) = (&l.inputs, &l.outputs, &l.activation);
            quote!(::backprop::FixedDense<#float, #ins, #outs, #activation>)
        });
        let docs = self.levels.iter().map(|l| {
            format!(" Layer `{}` ({} → {}), its weights in arrays.", l.layer.name, l.inputs, l.outputs)
        });
        let doc = format!(
            " `{ident}` with its weights in fixed-size arrays: each layer a `FixedDense`, W as `[[F; IN]; OUT]` and b as `[F; OUT]`, for inference on one sample at a time with neither the standard library nor an allocator (`FixedNetwork`: `forward_one`, `predict_one`, `classify_one`), and in a `static`. `{ident}::to_fixed` makes one from a trained network and `{ident}::from_fixed` the network back; its `predict_one` gives the same bits as `{ident}`'s."
        );
        let bounds = self.bounds();
        let with =
            |extra: TokenStream| self.where_each_activation(&quote!(::backprop::Activation<#float> + #extra));
        let (clone, debug, eq) = (
            with(quote!(::core::clone::Clone)),
            with(quote!(::core::fmt::Debug)),
            with(quote!(::core::cmp::PartialEq)),
        );
        let name = LitStr::new(&fixed.to_string(), fixed.span());
        let forward_one = self.forward_one(false);
        let predict_fast = self.forward_one(true);
        let to_fixed_doc = format!(
            " This network with its weights copied into arrays: a `{fixed}`, whose `predict_one` gives the same bits as this network's. The arrays are returned by value, on the stack.\n\n # Errors\n\n `Error::ParameterShape` for a layer whose parameters do not have the declared shape."
        );
        let from_fixed_doc =
            format!(" The network of the weights of `fixed`, a `{fixed}`: `to_fixed`'s inverse.");
        let const_bounds = with(quote!(::backprop::__private::ConstDefault));
        let (weight_fn, bias_fn) = if float == "f32" {
            (quote!(weight_f32), quote!(bias_f32))
        } else {
            (quote!(weight_f64), quote!(bias_f64))
        };
        let net_name = LitStr::new(&ident.to_string(), ident.span());
        let tensor_names: Vec<[LitStr; 2]> = self
            .levels
            .iter()
            .map(|l| ["weight", "bias"].map(|p| LitStr::new(&format!("{}.{p}", l.layer.name), l.span)))
            .collect();
        let all_tensors = tensor_names.iter().flatten();
        // The layers and the cost as `save` records them: the activation and the cost as written.
        let declared = self.levels.iter().map(|l| {
            let (name, ins, outs) = (LitStr::new(&l.layer.name.to_string(), l.span), &l.inputs, &l.outputs);
            let activation = match &l.layer.activation {
                Some(ty) => super::type_name(&quote!(#ty)),
                None => super::type_name(&l.activation),
            };
            quote! {
                ::backprop::__private::Recorded { name: #name, inputs: #ins, outputs: #outs, activation: #activation }
            }
        });
        let cost_name = {
            let written = super::type_name(&quote!(#cost));
            written.rsplit("::").next().unwrap_or_default().to_owned()
        };
        let layers = self.levels.iter().zip(&tensor_names).map(|(l, [w, b])| {
            let (name, ins, outs, activation) = (&l.layer.name, &l.inputs, &l.outputs, &l.activation);
            quote! {
                #name: ::backprop::FixedDense {
                    weight: ::backprop::__private::#weight_fn::<#ins, #outs>(__bytes, __tensors, #w, __file),
                    bias: ::backprop::__private::#bias_fn::<#outs>(__bytes, __tensors, #b, __file),
                    activation: <#activation as ::backprop::__private::ConstDefault>::DEFAULT,
                },
            }
        });
        let without_std = quote! {
            #[automatically_derived]
            #[allow(dead_code, private_bounds)]
            impl #fixed #const_bounds {
                /// The network of the safetensors file `__file` whose bytes are `__bytes` and
                /// whose tensors `__tensors` lists, in `const` evaluation: what
                /// `include_weights!` expands to calls it. A tensor missing, of another shape
                /// than its layer's, or not the network's fails the build.
                #[doc(hidden)]
                pub const fn __from_safetensors(
                    __bytes: &[::core::primitive::u8],
                    __tensors: &[::backprop::__private::Tensor],
                    __layers: ::core::option::Option<&[::backprop::__private::Recorded]>,
                    __cost: ::core::option::Option<&::core::primitive::str>,
                    __file: &::core::primitive::str,
                ) -> Self {
                    ::backprop::__private::check_recorded(__layers, &[#(#declared),*], __cost, #cost_name, #net_name, __file);
                    ::backprop::__private::check_no_other(__tensors, &[#(#all_tensors),*], #net_name, __file);
                    Self { #(#layers)* }
                }
            }

            #[doc = #doc]
            #vis struct #fixed {
                #( #[doc = #docs] pub #names: #types, )*
            }

            #[automatically_derived]
            #[allow(dead_code, private_bounds)]
            impl #fixed #bounds {
                #[inline]
                fn __forward_one(&self, __a0: &[#float; #input]) -> [#float; #output] {
                    #forward_one
                }
            }

            #[automatically_derived]
            impl ::backprop::FixedNetwork<#float, #input, #output> for #fixed {
                type Cost = #cost;

                #[inline]
                fn forward_one(&self, __x: &[#float; #input]) -> [#float; #output] {
                    #[allow(unused_imports)]
                    use ::backprop::__private::FixedFallback as _;
                    self.__forward_one(__x)
                }
            }

            #[automatically_derived]
            #[allow(private_bounds)]
            impl ::core::clone::Clone for #fixed #clone {
                fn clone(&self) -> Self {
                    Self { #( #names: ::core::clone::Clone::clone(&self.#names), )* }
                }
            }

            #[automatically_derived]
            #[allow(private_bounds)]
            impl ::core::fmt::Debug for #fixed #debug {
                fn fmt(&self, __f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    __f.debug_struct(#name) #( .field(#labels, &self.#names) )* .finish()
                }
            }

            #[automatically_derived]
            #[allow(private_bounds)]
            impl ::core::cmp::PartialEq for #fixed #eq {
                fn eq(&self, __other: &Self) -> ::core::primitive::bool {
                    true #( && self.#names == __other.#names )*
                }
            }

        };
        let with_std = quote! {
            #[automatically_derived]
            #[allow(dead_code, private_bounds)]
            impl #ident #clone {
                #[doc = #to_fixed_doc]
                pub fn to_fixed(&self) -> ::core::result::Result<#fixed, ::backprop::Error> {
                    ::core::result::Result::Ok(#fixed {
                        #( #names: ::backprop::__private::fixed_layer(&self.#names, #labels)?, )*
                    })
                }

                #[doc = #from_fixed_doc]
                pub fn from_fixed(fixed: &#fixed) -> Self {
                    Self { #( #names: ::backprop::__private::dense_layer(&fixed.#names), )* }
                }
            }

            #[automatically_derived]
            #[allow(dead_code, private_bounds)]
            impl #ident #bounds {
                /// `predict_one` on the network's own weights by the fixed-size network's
                /// kernel: `None` for a non-finite input or output, or a layer whose arrays are
                /// not contiguous, which the general path reports or handles.
                #[inline]
                fn __predict_one_fast(&self, __a0: &[#float; #input]) -> ::core::option::Option<[#float; #output]> {
                    if !__a0.iter().all(|__v| __v.is_finite()) {
                        return ::core::option::Option::None;
                    }
                    let mut __p = { #predict_fast };
                    ::backprop::__private::predict_slice_of::<#float, Self>(&mut __p);
                    __p.iter().all(|__v| __v.is_finite()).then_some(__p)
                }
            }
        };
        (without_std, with_std)
    }

    /// The forward pass of one sample through the layers, from `__a0`, to a^L: each layer of
    /// the fixed-size network running `FixedDense::forward`, or with `fast` each layer of the
    /// network running `OneSample::infer` on its own weights, the same kernel, in a function
    /// returning an `Option`: `None` for a layer whose arrays are not contiguous or whose z is
    /// not finite.
    fn forward_one(&self, fast: bool) -> TokenStream {
        let float = &self.float;
        let n_last = &self.last().outputs;
        let fail = if fast { quote!(::core::option::Option::None) } else { quote!([#float::NAN; #n_last]) };
        let mut below: Option<&crate::network::resolved::Level<'_>> = None;
        let steps: Vec<_> = self
            .levels
            .iter()
            .map(|l| {
                let (name, z, a, n, ins) = (&l.layer.name, &l.z, &l.a, &l.outputs, &l.inputs);
                let x = match below {
                    None => quote!(__a0),
                    // Sizes the macro computed chain (it checks that they do); a constant's are
                    // checked by a `const` assertion, and the array is converted to the layer's
                    // input here, which then cannot fail.
                    Some(prev) if matches!((&prev.outputs, ins), (Dim::Known(_), Dim::Known(_))) => {
                        let prev_a = &prev.a;
                        quote!(&#prev_a)
                    }
                    Some(prev) => {
                        let prev_a = &prev.a;
                        quote! {
                            match <&[#float; #ins]>::try_from(&#prev_a[..]) {
                                ::core::result::Result::Ok(__x) => __x,
                                ::core::result::Result::Err(_) => return #fail,
                            }
                        }
                    }
                };
                below = Some(l);
                let call = if fast {
                    quote! {
                        if !::backprop::__private::one_sample_of(&self.#name)?.infer(#x, &mut #z, &mut #a) {
                            return ::core::option::Option::None;
                        }
                    }
                } else {
                    quote!(__finite &= self.#name.forward(#x, &mut #z, &mut #a);)
                };
                quote! {
                    let mut #z: [#float; #n] = [0.0; #n];
                    let mut #a: [#float; #n] = [0.0; #n];
                    #call
                }
            })
            .collect();
        let last = &self.last().a;
        if fast {
            quote!(#(#steps)* #last)
        } else {
            // A layer whose z is not finite makes every output NaN: a saturating σ (tanh of an
            // infinite input) would otherwise hide it.
            quote! {
                let mut __finite = true;
                #(#steps)*
                if __finite { #last } else { [#float::NAN; #n_last] }
            }
        }
    }
}
