// Two mistakes, two errors: the derive does not take generic parameters (the macro's error), and
// `Dense<F, ..>` needs `F: Float` (the compiler's, on the struct itself, which it reports with
// or without the derive). The program uses the network as a real one would.
use backprop::ndarray::Array2;
use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net<F> {
    hidden: Dense<F, 4, 8, Relu>,
    out: Dense<F, 8, 2>,
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net = Net::<f32>::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
