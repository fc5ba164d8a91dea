//! How long `network!` takes to expand: a declaration of 1, 10 and 50 layers, parsed, validated
//! and turned into Rust by the same functions the macro calls, on a `proc_macro2` token stream.
//!
//! Run it with `cargo bench -p backprop-macros --bench expand`. A proc-macro crate exports only
//! its macros, so this benchmark includes the macro's modules by path (as `serde_derive_internals`
//! does) and calls the expansion directly: what it measures is the macro's own work, without the
//! compiler's work on the code the macro returns. The target: 50 layers under 50 ms.

// The modules are the macro's: what this benchmark does not call is dead here, and their unit
// tests (compiled when clippy checks every target) import what they use from the crate root.
#![allow(dead_code, missing_docs, unused_imports)]

#[path = "../src/attrs.rs"]
mod attrs;
#[path = "../src/ctxt.rs"]
mod ctxt;
#[path = "../src/network/mod.rs"]
mod network;
#[path = "../src/suggest.rs"]
mod suggest;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use proc_macro2::TokenStream;

use crate::network::{expand, parse_network, valid};

/// A `network!` body with `layers` layers of 64 units, Relu between them, and a cost.
fn declaration(layers: usize) -> TokenStream {
    let mut text = String::from("pub struct Deep<f32> { input: 784,");
    for l in 1..layers {
        text.push_str(&format!(" hidden{l}: 64 => Relu,"));
    }
    text.push_str(" out: 10, cost: SoftmaxCrossEntropy, }");
    text.parse().unwrap_or_default()
}

/// Parses, validates and expands one declaration: what `network!` does.
fn expand(tokens: TokenStream) -> TokenStream {
    let (description, errors) = match syn::parse2::<parse_network::NetworkInput>(tokens) {
        Ok(input) => input.into_description(),
        Err(error) => return error.to_compile_error(),
    };
    match valid::check(&description, errors) {
        Ok(resolved) => expand::network(&resolved),
        Err(invalid) => expand::stub(&description, &invalid),
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("network! expansion");
    for layers in [1, 10, 50] {
        let tokens = declaration(layers);
        let bytes = expand(tokens.clone()).to_string().len();
        println!("{layers} layers: {bytes} bytes of generated Rust");
        group.bench_with_input(BenchmarkId::from_parameter(layers), &tokens, |b, tokens| {
            b.iter(|| expand(black_box(tokens.clone())))
        });
    }
    group.finish();
    criterion.final_summary();
}
