use backprop::ndarray::Array2;
use backprop::prelude::*;

const DELTA: f64 = 1.0;

/// The Huber loss, with its linear part forgotten.
#[cost]
pub fn huber(z: f64, y: f64) -> f64 {
    let r = z - y;
    let c = if r.abs() <= DELTA { 0.5 * r * r };
    c
}

network! {
    struct Net<f64> {
        input: 4,
        hidden: 8 => Tanh,
        out: 1,
        cost: Huber,
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
