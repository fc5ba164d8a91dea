use backprop::ndarray::Array2;
use backprop::prelude::*;

/// The squared error, with the target forgotten.
#[cost]
pub fn squared(z: f64) -> f64 {
    0.5 * z * z
}

network! {
    struct Net<f64> {
        input: 4,
        hidden: 8 => Tanh,
        out: 1,
        cost: Squared,
    }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f64>::zeros((8, 4));
    let y = Array2::<f64>::zeros((8, 1));
    let mut net = Net::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
