//! `Adam::new(0.01)` returns a `Result` (the constructor checks the learning rate): passed to
//! `Trainer::new` without `?`, it is an error on the argument whose note says to add the `?`.
//! The method called next cannot be called on that trainer, which is rustc's second error; it
//! is not labelled "private field, not a method" (no field of `Trainer` is named `checkpoint`).

use backprop::ndarray::Array2;
use backprop::prelude::*;

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
    let _history = Trainer::new(Adam::new(0.01)).checkpoint("run.safetensors", 1).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
