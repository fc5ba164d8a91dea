//! The generated code names everything by absolute path: it still compiles when the module that
//! declares the network shadows every name of the standard prelude, the library and the crates
//! it uses (serde's `test_gen.rs` trick).

use backprop::prelude::*;

#[allow(dead_code, non_camel_case_types, non_upper_case_globals)]
mod shadowed {
    // The standard prelude.
    struct Result;
    struct Option;
    struct Ok;
    struct Err;
    struct Some;
    struct None;
    struct Vec;
    struct String;
    struct Box;
    trait Default {}
    trait Clone {}
    trait Copy {}
    trait Debug {}
    trait PartialEq {}
    trait Into {}
    trait From {}
    trait FnMut {}
    trait Fn {}
    trait Iterator {}
    trait IntoIterator {}
    trait Sized {}
    trait Drop {}
    // Primitive types the generated code writes itself (the user writes the float type).
    struct usize;
    struct u64;
    struct str;
    // Constants named like parameters: an identifier pattern that names a constant is that
    // constant, so generated parameters and locals have `__` names. (`with_seed(seed)` keeps the
    // name its documentation shows, so `const seed` would still break it.)
    const x: () = ();
    const y: () = ();
    const f: () = ();
    const gradients: () = ();
    const rng: () = ();
    const cost: () = ();
    // Crates and modules.
    mod core {}
    mod std {}
    mod alloc {}
    mod ndarray {}
    mod backprop {}
    mod __private {}
    // The library's own names.
    struct Dense;
    struct Identity;
    struct Error;
    struct Array1;
    struct Array2;
    struct ArrayView2;
    struct LayerGradients;
    struct LayerInfo;
    struct Parameters;
    struct ParametersMut;
    struct Targets;
    trait Network {}
    trait Gradients {}
    trait Activation {}
    trait Cost {}

    use ::backprop::{Backprop, Mse, Relu, SoftmaxCrossEntropy, Tanh};

    ::backprop::network! {
        /// Declared with `network!`.
        #[derive(Clone, Debug)]
        pub struct Declared<f32> {
            input: 4,
            /// The hidden layer.
            hidden: 8 => Relu,
            out: 3,
            cost: SoftmaxCrossEntropy,
        }
    }

    /// Declared with the derive.
    #[derive(Clone, Debug, Backprop)]
    #[backprop(cost = Mse)]
    pub struct Derived {
        pub hidden: ::backprop::Dense<f64, 2, 4, Tanh>,
        pub out: ::backprop::Dense<f64, 4, 1>,
    }
}

fn main() {
    let declared = shadowed::Declared::with_seed(1);
    let x = backprop::ndarray::Array2::<f32>::zeros((2, 4));
    let (_, gradients) = declared.backward(x.view(), &[0, 2][..]).unwrap();
    assert_eq!(gradients.hidden.weight.dim(), (8, 4));
    assert_eq!(declared.forward(x.view()).unwrap().dim(), (2, 3));

    let derived = shadowed::Derived::with_seed(2);
    let x = backprop::ndarray::Array2::<f64>::zeros((5, 2));
    let y = backprop::ndarray::Array2::<f64>::zeros((5, 1));
    let (_, gradients) = derived.backward(x.view(), &y).unwrap();
    assert_eq!(gradients.out.weight.dim(), (1, 4));
    assert_eq!(<shadowed::Derived as Network<f64>>::OUTPUT, 1);
    assert_eq!(derived.predict_one(&[0.0; 2]).unwrap(), [0.0]);
}
