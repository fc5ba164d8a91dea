//! A wrapper (`WeightDecay`, `ClipGradNorm`) takes an update rule: `Adam::new(0.01)` without
//! `?` is an error on the argument whose note says to add the `?`. The wrapper's type still
//! exists (`WeightDecay<Result<Adam, Error>, _>`), so rustc reports it again where the trainer
//! takes it and where its next method is called: two follow-ons, from the bounds of `Trainer`.

use backprop::ndarray::Array2;
use backprop::prelude::*;
use backprop::WeightDecay;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => Relu,
        out: 2,
        cost: Mse,
    }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net = Net::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let optimizer = WeightDecay::new(Adam::new(0.01), 1e-4)?;
    let _history = Trainer::new(optimizer).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
