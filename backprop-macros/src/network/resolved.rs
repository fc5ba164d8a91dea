//! The resolved form of a network, which `valid::check` returns and `expand` consumes: a
//! description with no mistake, whose every size, type and generated name is known, so that
//! expansion has nothing left to check.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Type};

use crate::network::ast::{Dim, Layer, Network, Origin, Size};

/// A validated network with every size known.
pub struct Resolved<'a> {
    /// The description, for what expansion copies from it as written (attributes, visibility,
    /// name, front end).
    pub net: &'a Network,
    pub float: Ident,
    pub cost: &'a Type,
    /// The size of a^0 as written: `input:` of a `network!`, the first layer's inputs of a derive.
    pub input: &'a Size,
    /// The levels 1 … L, at least one.
    pub levels: Vec<Level<'a>>,
}

/// Level l of the paper: one layer with its sizes and its generated names.
pub struct Level<'a> {
    pub layer: &'a Layer,
    pub inputs: Dim,
    pub outputs: Dim,
    /// The number of units as written, with its span.
    pub units: &'a Size,
    /// The number of inputs as written: a derive's `Dense<F, IN, ..>`; `None` for `network!`,
    /// which chains the sizes.
    pub declared_inputs: Option<&'a Size>,
    /// σ as a type; `::backprop::Identity` when the layer declares none.
    pub activation: TokenStream,
    /// The type of the field.
    pub ty: TokenStream,
    pub span: Span,
    pub z: Ident,
    pub a: Ident,
    /// The level's buffers in a workspace: z^l, a^l and δ^l.
    pub buffers: Ident,
}

impl<'a> Level<'a> {
    /// Level `l` (from 1), `layer` of `net`, taking `inputs` and having `units`.
    pub fn new(
        net: &Network,
        float: &Ident,
        l: usize,
        layer: &'a Layer,
        inputs: Dim,
        units: &'a Size,
    ) -> Self {
        let outputs = units.dim.clone();
        let span = layer.name.span();
        let (activation, ty_span) = match &layer.activation {
            Some(ty) if net.origin == Origin::Derive => {
                let alias = activation_alias(net, layer);
                (quote!(<#alias as ::backprop::__private::Unwrap>::Inner), ty.span())
            }
            Some(ty) => (quote!(#ty), ty.span()),
            None => (quote_spanned!(span=> ::backprop::Identity), span),
        };
        // Spanned on the activation the user wrote: if that type is not an `Activation`, this
        // field type is ill-formed, and that is the one error the user should see.
        let (n_in, n_out) = (&inputs, &outputs);
        let ty = quote_spanned!(ty_span=> ::backprop::Dense<#float, #n_in, #n_out, #activation>);
        Level {
            layer,
            inputs,
            outputs,
            units,
            declared_inputs: layer.inputs.as_ref(),
            activation,
            ty,
            span,
            z: format_ident!("__z{}", l),
            a: format_ident!("__a{}", l),
            buffers: format_ident!("__level{}", l),
        }
    }
}

impl Resolved<'_> {
    /// The last level, L.
    pub fn last(&self) -> &Level<'_> {
        &self.levels[self.levels.len() - 1]
    }
}

/// The name of the alias of a derive's layer's activation (see `expand::activation_aliases`),
/// with the span of the struct's name.
pub fn activation_alias(net: &Network, layer: &Layer) -> Ident {
    Ident::new(&format!("__{}_{}", net.ident, layer.name), net.ident.span())
}
