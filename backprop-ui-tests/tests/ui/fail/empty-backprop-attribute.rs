use backprop::ndarray::Array2;
use backprop::prelude::*;

#[derive(Backprop)]
#[backprop()]
struct Empty {
    out: Dense<f32, 4, 2>,
}

#[derive(Backprop)]
#[backprop]
struct Bare {
    out: Dense<f32, 4, 2>,
}

#[derive(Backprop)]
#[backprop(cost)]
struct NoValue {
    out: Dense<f32, 4, 2>,
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net0 = Empty::with_seed(0);
    let _prediction = net0.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net0, x.view(), y.view())?;
    let mut net1 = Bare::with_seed(0);
    let _prediction = net1.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net1, x.view(), y.view())?;
    let mut net2 = NoValue::with_seed(0);
    let _prediction = net2.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net2, x.view(), y.view())?;
    Ok(())
}
