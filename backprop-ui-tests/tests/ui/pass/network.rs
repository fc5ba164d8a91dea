use backprop::ndarray::Array2;
use backprop::prelude::*;

network! {
    /// A multi-label classifier: `BinaryCrossEntropy` applies σ to the logits itself.
    #[derive(Clone, Debug)]
    pub struct Net<f32> {
        input: 4,
        /// The hidden layer.
        hidden: 8 => Relu,
        out: 3,
        cost: BinaryCrossEntropy,
    }
}

network! {
    /// No derives: `network!` implements `Debug` itself, as `#[derive(Debug)]` would.
    pub struct Plain<f64> { input: 2, hidden: 3 => Tanh, out: 1, cost: Mse }
}

/// An activation written by hand, without `Debug`.
#[derive(Clone, Copy, Default)]
pub struct Square;

impl Activation<f64> for Square {
    fn apply(&self, z: f64) -> f64 {
        z * z
    }

    fn derivative(&self, z: f64) -> f64 {
        2.0 * z
    }
}

network! {
    /// A layer whose activation is not `Debug`: the network compiles, without `Debug`.
    pub struct Squares<f64> { input: 2, hidden: 3 => Square, out: 1, cost: Mse }
}

fn main() {
    let plain = format!("{:?}", Plain::with_seed(1));
    assert!(plain.starts_with("Plain { hidden: Dense { weight: [["), "{plain}");
    assert!(plain.contains("activation: Tanh }, out: Dense { weight: [["), "{plain}");
    let squares = Squares::with_seed(1).forward(Array2::zeros((1, 2)).view()).unwrap();
    assert_eq!(squares.dim(), (1, 1));
    let net = Net::with_seed(42);
    let copy = net.clone();
    let _ = format!("{copy:?}");
    let x = Array2::<f32>::zeros((2, 4));
    let output = net.forward(x.view()).unwrap();
    assert_eq!(output.dim(), (2, 3));
    let y = Array2::<f32>::ones((2, 3));
    let (_cost, gradients) = net.backward(x.view(), &y).unwrap();
    assert_eq!(gradients.out.bias.len(), 3);
    assert_eq!(net.hidden.weight.dim(), (8, 4));
    let one: [f32; 3] = net.predict_one(&[0.5; 4]).unwrap();
    assert!(one.iter().all(|p| (0.0..=1.0).contains(p)));
}
