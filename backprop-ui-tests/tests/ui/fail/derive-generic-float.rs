// A derive on a struct generic over its float type, with the bound the layers need: one error,
// the macro's, saying the layers fix the float type and the sizes. The program uses the network
// as a real one would, and that use is no second error.
use backprop::ndarray::Array2;
use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net<F: backprop::Float> {
    hidden: Dense<F, 4, 8, Relu>,
    out: Dense<F, 8, 2>,
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net = Net::<f32>::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _one = net.predict_one(&[0.0; 4])?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
