//! The procedural macros of [`backprop`](https://docs.rs/backprop): `network!`,
//! `#[derive(Backprop)]`, `#[activation]` and `#[cost]`.
//!
//! Both front ends parse their input into one description of the network
//! (`network::ast::Network`), which `network::valid` checks in a pass of its own and resolves,
//! and `network::expand` turns the resolved form into Rust: the forward and backward passes as
//! straight-line code, one block per layer, in the order of the paper's equations (1)–(4). The macros never panic: every mistake becomes a compile error spanned on
//! the offending token, and all mistakes of one declaration are reported together.
//!
//! `#[activation]` (module `activation`) turns a function σ into an activation type whose
//! derivative σ' is derived from the function's body symbolically, at compile time; `#[cost]`
//! (module `activation::cost`) does the same for a loss c(z, y) and its δ = ∂c/∂z.
//!
//! Use them through the `backprop` crate, which documents them; the generated code refers to the
//! library only by absolute paths through it (`::backprop::...`).

mod activation;
mod attrs;
mod ctxt;
mod include;
mod network;
#[cfg(test)]
mod robustness;
mod suggest;

use proc_macro::TokenStream;

use crate::ctxt::Ctxt;
use crate::network::ast::Network;
use crate::network::parse_network::NetworkInput;
use crate::network::{expand, parse_derive, valid};

/// Declares a fully connected network and generates its forward and backward passes.
///
/// See the `backprop` crate for the syntax and what is generated.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as NetworkInput);
    expand_network(input.into_description()).into()
}

/// Generates the forward and backward passes of a struct whose fields are `Dense` layers.
///
/// See the `backprop` crate for the attribute `#[backprop(cost = ...)]` and what is generated.
#[proc_macro_derive(Backprop, attributes(backprop))]
pub fn derive_backprop(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand_network(parse_derive::description(&input)).into()
}

/// Both network macros after parsing: the description the front end read, with the errors it
/// found, is validated into its resolved form, which is expanded; a description with mistakes
/// expands to every error and a stub of the network.
fn expand_network((description, errors): (Network, Ctxt)) -> proc_macro2::TokenStream {
    match valid::check(&description, errors) {
        Ok(resolved) => expand::network(&resolved),
        Err(invalid) => expand::stub(&description, &invalid),
    }
}

/// Turns a function of one float argument into an activation type, deriving its derivative
/// symbolically from its body.
///
/// See the `backprop` crate for what the body may contain and what is generated.
#[proc_macro_attribute]
pub fn activation(attr: TokenStream, item: TokenStream) -> TokenStream {
    activation::expand(attr.into(), item.into()).into()
}

/// Turns a loss c(z, y) of one output and its target into a regression cost type, deriving
/// δ = ∂c/∂z symbolically from its body.
///
/// See the `backprop` crate for what the body may contain and what is generated.
#[proc_macro_attribute]
pub fn cost(attr: TokenStream, item: TokenStream) -> TokenStream {
    activation::cost::expand(attr.into(), item.into()).into()
}

/// A network's weights, read from a safetensors file when the crate compiles: an expression of
/// the network's fixed-size type, which can be a `static`.
///
/// See the `backprop` crate for the checks and the conversions.
#[proc_macro]
pub fn include_weights(input: TokenStream) -> TokenStream {
    include::expand(input.into()).into()
}
