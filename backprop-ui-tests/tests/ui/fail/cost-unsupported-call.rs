use backprop::ndarray::Array2;
use backprop::prelude::*;

/// A weight of the target, in a function of its own.
fn weight(y: f64) -> f64 {
    1.0 + y * y
}

/// The squared error, weighted by the target.
#[cost]
pub fn weighted(z: f64, y: f64) -> f64 {
    weight(y) * (z - y).powi(2)
}

network! {
    struct Net<f64> {
        input: 4,
        hidden: 8 => Tanh,
        out: 1,
        cost: Weighted,
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
