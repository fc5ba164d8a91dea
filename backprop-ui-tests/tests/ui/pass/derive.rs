use backprop::ndarray::Array2;
use backprop::prelude::*;

/// A regression network in f64.
#[derive(Clone, Debug, Backprop)]
#[backprop(cost = Mse)]
pub struct Net {
    /// The hidden layer.
    pub hidden: Dense<f64, 4, 8, Tanh>,
    pub out: Dense<f64, 8, 2>,
}

fn main() {
    let net = Net::with_seed(7);
    // The user's `#[derive(Debug)]`: `Dense` is `Debug`.
    let text = format!("{net:?}");
    assert!(text.starts_with("Net { hidden: Dense { weight: [[") && text.contains("out: Dense"), "{text}");
    let x = Array2::<f64>::zeros((3, 4));
    let y = Array2::<f64>::zeros((3, 2));
    let output = net.forward(x.view()).unwrap();
    assert_eq!(output.dim(), (3, 2));
    let (_cost, gradients) = net.backward(x.view(), &y).unwrap();
    assert_eq!(gradients.hidden.weight.dim(), (8, 4));
    assert_eq!(<Net as Network<f64>>::INPUT, 4);
    let one: [f64; 2] = net.predict_one(&[0.0; 4]).unwrap();
    assert_eq!(one.to_vec(), net.predict(x.view()).unwrap().row(0).to_vec());
}
