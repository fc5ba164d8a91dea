//! A file saved from a network with another cost, `SoftmaxCrossEntropy`.
//!
//! trybuild compiles this in target/tests/trybuild/backprop-ui-tests, its CARGO_MANIFEST_DIR:
//! the weights are four folders up, in the repository.

use backprop::ndarray::Array2;
use backprop::prelude::*;

network! {
    pub struct Net<f32> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }
}

static NET: NetFixed = backprop::include_weights!(Net, "../../../../backprop-ui-tests/tests/ui/weights/recorded_softmax.safetensors");

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 2));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net = Net::with_seed(0);
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    let _trained = net.forward(x.view())?;
    let _embedded = NET.predict_one(&[0.5, -1.0]);
    Ok(())
}
