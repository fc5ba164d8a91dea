//! `=> Sigmoid` on the output layer of a network whose cost applies σ itself
//! (`BinaryCrossEntropy` takes logits) is one error on `Sigmoid`: it would train on σ(σ(z)).

use backprop::ndarray::Array2;
use backprop::prelude::*;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => Relu,
        out: 1 => Sigmoid,
        cost: BinaryCrossEntropy,
    }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 1));
    let mut net = Net::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
