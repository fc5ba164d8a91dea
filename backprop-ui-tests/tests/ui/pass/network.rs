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

fn main() {
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
