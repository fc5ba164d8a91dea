//! The code generator: one network description in, the network's Rust out.
//!
//! The generated `forward` and `backward` are straight-line code, one block per layer, written
//! in the order of the paper's equations and named after its symbols: `__a0` is the input a^0,
//! `__z1` is z^1, `__a1` is a^1, `__delta1` is δ^1, `__grad1` holds ∂C/∂W^1 and ∂C/∂b^1. Every local
//! and parameter has such a `__` name, so that no constant of the user's module can be mistaken
//! for it; only `with_seed(seed)` keeps the name its documentation shows.
//!
//! One module per kind of item generated: `stub` (after an error), `public` (the struct, its
//! gradients, `with_seed`, the `Network` impl, `predict_one`), `debug` (the struct's `Debug`),
//! `checked` (the impl they call), `passes` (the forward and backward passes that impl's items
//! are made of), `one_sample` (the path of small networks for a batch of one), `fixed` (the
//! network with its weights in arrays, `<Name>Fixed`) and `assertions` (compile-time checks).

mod assertions;
mod checked;
mod debug;
mod fixed;
mod one_sample;
mod passes;
mod public;
mod stub;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, LitStr};

pub use self::stub::stub;
use crate::network::ast::Origin;
use crate::network::explain::{CostKind, Description, LayerDescription, sigma_name};
use crate::network::resolved::{Level, Resolved, activation_alias};

/// The code of a resolved network.
pub fn network(resolved: &Resolved<'_>) -> TokenStream {
    resolved.generate()
}

impl Resolved<'_> {
    fn generate(&self) -> TokenStream {
        let description = self.description();
        let definition = self.definition(&description);
        let debug = self.debug();
        let gradients = self.gradients();
        let with_seed = self.with_seed(&description);
        let network = self.network_impl(&description);
        let checked = self.checked();
        let predict_one = self.predict_one();
        let fixed = self.fixed();
        let assertions = self.assertions();
        let aliases = self.activation_aliases();
        let (fixed, fixed_std) = fixed;
        // What needs the standard library goes through `if_std!`, which keeps it when `backprop`
        // has its `std` feature: the same declaration compiles in a `#![no_std]` crate, where
        // only the fixed-size network is generated.
        quote! {
            #aliases
            #fixed
            ::backprop::__private::if_std! {
                #definition
                #debug
                #gradients
                #with_seed
                #network
                #checked
                #predict_one
                #fixed_std
                #assertions
            }
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

/// A type as the user wrote it, without the spaces the token printer puts in.
fn type_name(ty: &TokenStream) -> String {
    let text = ty.to_string().replace(' ', "");
    text.strip_prefix("::backprop::").map(str::to_owned).unwrap_or(text)
}
