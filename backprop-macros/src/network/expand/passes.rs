//! The passes, as straight-line code in the order of the paper's equations: the forward pass
//! into locals (`forward`, `forward_trace`), and into a workspace the forward pass, the cost (1),
//! the backward pass (2)–(4) and the backward pass fused with gradient descent.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, LitStr};

use crate::network::resolved::{Level, Resolved};

impl Resolved<'_> {
    /// The forward pass, layer by layer: z^l = a^(l−1) (W^l)ᵀ + b^l, then a^l = σ(z^l).
    /// The last layer's activation is applied only if it declares one.
    pub(super) fn forward_pass(&self) -> TokenStream {
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
    pub(super) fn output(&self) -> Ident {
        let last = self.last();
        if last.layer.activation.is_some() { last.a.clone() } else { last.z.clone() }
    }

    /// z^l and a^l of the level at `index` after the forward pass, to move into a trace: their
    /// locals, or for a last layer without activation (whose a^L is z^L, which the pass does not
    /// name) a copy of z^L and z^L itself.
    pub(super) fn z_and_a(&self, index: usize) -> (TokenStream, TokenStream) {
        let Level { z, a, layer, .. } = &self.levels[index];
        if index + 1 < self.levels.len() || layer.activation.is_some() {
            (quote!(#z), quote!(#a))
        } else {
            (quote!(::core::clone::Clone::clone(&#z)), quote!(#z))
        }
    }

    /// The end of `forward_trace`, after the forward pass: its locals z^l and a^l, moved into
    /// the trace, named by layer.
    pub(super) fn forward_trace(&self) -> TokenStream {
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
    pub(super) fn backward_trace(&self) -> TokenStream {
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

    /// The forward pass into the workspace: z^l = a^(l−1) (W^l)ᵀ + b^l and a^l = σ(z^l), level
    /// by level, into `__level<l>`. Each z^l is checked: a finite z^l proves the layer's
    /// parameters finite (and, for z^1, the input), and a non-finite one names what is not.
    pub(super) fn forward_pass_in(&self) -> TokenStream {
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
    pub(super) fn a_prev_in(&self, index: usize) -> TokenStream {
        if index == 0 {
            quote!(__a0)
        } else {
            let below = &self.levels[index - 1].buffers;
            quote!(#below.a())
        }
    }

    /// Equation (1) into the workspace: the cost, and δ^L into the last level's buffers
    /// (∇_a C ⊙ σ'(z^L) when the last layer declares an activation).
    pub(super) fn cost_in(&self) -> TokenStream {
        let float = &self.float;
        let last = self.last();
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
    pub(super) fn backward_pass_in(&self) -> TokenStream {
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
    pub(super) fn train_pass_in(&self) -> TokenStream {
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
    pub(super) fn delta_below_in(&self, index: usize) -> TokenStream {
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
}
