//! Sizes written as arithmetic on integers, which the macros evaluate: in `network!` as they
//! are (`28 * 28`), in a derive's `Dense` as const generic arguments are written (`{ 28 * 28 }`).

use backprop::ndarray::Array2;
use backprop::prelude::*;

network! {
    struct Image<f32> {
        input: 28 * 28,
        hidden: 2 * (8 + 8) => Relu,
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

fn main() {
    assert_eq!(<Image as Network<f32>>::INPUT, 784);
    assert_eq!(<Derived as Network<f32>>::INPUT, 784);
    let x = Array2::<f32>::zeros((2, 784));
    let image = Image::with_seed(1);
    assert_eq!(image.hidden.weight.dim(), (32, 784));
    assert_eq!(image.forward(x.view()).map(|z| z.dim()).ok(), Some((2, 10)));
    let derived = Derived::with_seed(1);
    assert_eq!(derived.forward(x.view()).map(|z| z.dim()).ok(), Some((2, 10)));
}
