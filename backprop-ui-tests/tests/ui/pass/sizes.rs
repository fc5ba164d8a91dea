//! Sizes the macros compute (arithmetic on integers: `28 * 28` in `network!`, `{ 28 * 28 }` in a
//! derive's `Dense`, as const generic arguments are written) and sizes they leave to the
//! compiler (constants: `HIDDEN`, `N`, `{ 2 * N }`), checked by `const` assertions.

use backprop::ndarray::Array2;
use backprop::prelude::*;

const HIDDEN: usize = 32;
const N: usize = 16;

network! {
    struct Image<f32> {
        input: 28 * 28,
        hidden: 2 * (8 + 8) => Relu,
        out: 10,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    struct Constants<f32> {
        input: 28 * 28,
        hidden: HIDDEN => Relu,
        second: HIDDEN / 2 => Tanh,
        out: 10,
        cost: SoftmaxCrossEntropy,
    }
}

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Derived {
    hidden: Dense<f32, { 28 * 28 }, { 2 * 16 }, Relu>,
    out: Dense<f32, 32, 10>,
}

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct DerivedConstants {
    hidden: Dense<f32, { 28 * 28 }, N, Relu>,
    second: Dense<f32, N, { 2 * N }, Relu>,
    out: Dense<f32, 32, 10>,
}

fn main() {
    assert_eq!(<Image as Network<f32>>::INPUT, 784);
    assert_eq!(<Derived as Network<f32>>::INPUT, 784);
    assert_eq!(<Constants as Network<f32>>::OUTPUT, 10);
    let x = Array2::<f32>::zeros((2, 784));
    let image = Image::with_seed(1);
    assert_eq!(image.hidden.weight.dim(), (32, 784));
    assert_eq!(image.forward(x.view()).map(|z| z.dim()).ok(), Some((2, 10)));
    let derived = Derived::with_seed(1);
    assert_eq!(derived.forward(x.view()).map(|z| z.dim()).ok(), Some((2, 10)));
    let constants = Constants::with_seed(1);
    assert_eq!(constants.second.weight.dim(), (16, 32));
    assert_eq!(constants.forward(x.view()).map(|z| z.dim()).ok(), Some((2, 10)));
    let prediction: [f32; 10] = constants.predict_one(&[0.0; 784]).unwrap_or([f32::NAN; 10]);
    assert!(prediction.iter().all(|p| p.is_finite()));
    let derived = DerivedConstants::with_seed(1);
    assert_eq!(derived.second.weight.dim(), (32, 16));
    assert_eq!(derived.forward(x.view()).map(|z| z.dim()).ok(), Some((2, 10)));
}
