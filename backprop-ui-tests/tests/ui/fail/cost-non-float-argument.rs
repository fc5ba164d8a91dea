use backprop::ndarray::Array2;
use backprop::prelude::*;

/// The absolute error against an integer target.
#[cost]
pub fn absolute(z: f64, y: i32) -> f64 {
    (z - f64::from(y)).abs()
}

network! {
    struct Net<f64> {
        input: 4,
        hidden: 8 => Tanh,
        out: 1,
        cost: Absolute,
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
