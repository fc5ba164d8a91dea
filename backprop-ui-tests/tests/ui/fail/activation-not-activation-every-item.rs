// An activation that is not an `Activation` is one error whatever the program does with the
// network: every generated item (with_seed, predict_one, each method and constant of `Network`)
// stays callable, so none of these uses is a second error.
use backprop::ndarray::Array2;
use backprop::prelude::*;

struct NotAnActivation;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => NotAnActivation,
        out: 2,
        cost: Mse,
    }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net = Net::with_seed(0);
    let _zeros = Net::zeros();
    let _layers = Net::LAYERS.len() + Net::INPUT + Net::OUTPUT;
    let _prediction = net.forward(x.view())?;
    let _one = net.predict_one(&[0.0; 4])?;
    let (_cost, gradients) = net.backward(x.view(), &y)?;
    let _hidden = gradients.hidden.weight.dim();
    let mut ws = Net::workspace();
    let _output = net.forward_in(x.view(), &mut ws)?.dim();
    let _cost = net.backward_in(x.view(), &y, &mut ws)?;
    let mut sgd = Sgd::new(0.1)?;
    let _cost = net.train_step(x.view(), &y, &mut ws, &mut sgd)?;
    let _forward = net.forward_trace(x.view())?;
    let _backward = net.backward_trace(x.view(), &y)?;
    let _weights = net.hidden.weight.dim();
    let _equations = Net::equations();
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
