//! `#[activation]` in a crate that denies missing docs and every warning, in a module that
//! shadows the names the generated code could otherwise pick up by mistake: the generated type
//! is documented, lint-free and names everything by absolute path. The function stays callable,
//! private or public, and the type works in `network!` and `#[derive(Backprop)]`.
#![deny(missing_docs, warnings)]

use backprop::prelude::*;

/// SELU's α, a named constant used in a body.
pub const ALPHA: f64 = 1.673_263_242_354_377_3;

/// Swish, public: its type is public too.
#[activation]
pub fn swish(z: f64) -> f64 {
    z / (1.0 + (-z).exp())
}

#[activation(init = He)]
fn selu_like(z: f32) -> f32 {
    if z > 0.0 { z } else { (ALPHA as f32) * (z.exp() - 1.0) }
}

#[allow(dead_code, non_camel_case_types, non_upper_case_globals)]
mod shadowed {
    // The standard prelude and primitive types the generated code writes itself.
    struct Result;
    struct Option;
    trait Default {}
    trait Clone {}
    trait Copy {}
    trait Debug {}
    trait PartialEq {}
    trait Eq {}
    struct f32;
    struct f64;
    // Crates, modules and the library's names.
    mod core {}
    mod std {}
    mod backprop {}
    trait Activation {}
    struct Init;
    // Constants named like the argument: the generated code names its argument and locals
    // with `__` names.
    const z: () = ();
    const t: () = ();

    /// Mish, with the library's functions through their paths.
    #[::backprop::activation]
    pub fn mish(u: ::core::primitive::f64) -> ::core::primitive::f64 {
        u * ::backprop::activation::tanh(::backprop::activation::softplus(u))
    }
}

network! {
    /// A private network: its layer `second` has a private activation.
    struct Net<f32> {
        input: 4,
        first: 8 => Swish,
        second: 8 => SeluLike,
        out: 3,
        cost: SoftmaxCrossEntropy,
    }
}

/// The same, as a derive, in f64.
#[derive(Backprop)]
#[backprop(cost = Mse)]
pub struct Derived {
    /// The hidden layer.
    pub hidden: Dense<f64, 2, 4, shadowed::Mish>,
    /// The output layer.
    pub out: Dense<f64, 4, 1>,
}

fn main() {
    assert_eq!(swish(0.0), 0.0);
    assert_eq!(selu_like(1.0), 1.0);
    assert_eq!(shadowed::mish(0.0), 0.0);
    assert_eq!(Swish.derivative(0.0_f32), 0.5);
    assert_eq!(<SeluLike as Activation<f64>>::INIT, backprop::Init::He);
    let _ = Net::with_seed(0);
    let _ = Derived::with_seed(0);
}
