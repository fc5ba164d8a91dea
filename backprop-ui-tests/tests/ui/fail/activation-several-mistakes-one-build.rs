use backprop::ndarray::Array2;
use backprop::prelude::*;

/// Every unsupported construct of one function is reported in the same build, and the type is
/// still declared, so using it in a network adds no error of its own.
#[activation]
fn everything_wrong(z: f64) -> f64 {
    let a = z.floor();
    let b = unknown(z);
    a + b + z.powf(z) + z % 2.0
}

network! {
    struct Net<f64> { input: 2, hidden: 3 => EverythingWrong, out: 1, cost: Mse }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f64>::zeros((8, 2));
    let y = Array2::<f64>::zeros((8, 1));
    let mut net = Net::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
