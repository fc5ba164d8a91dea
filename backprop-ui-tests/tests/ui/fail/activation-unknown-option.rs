use backprop::ndarray::Array2;
use backprop::prelude::*;

#[activation(int = He)]
fn misspelled(z: f64) -> f64 {
    z
}

#[activation(init = Xavier)]
fn unknown_rule(z: f64) -> f64 {
    z
}

#[activation(derivative = 1.0)]
fn by_hand(z: f64) -> f64 {
    z
}

network! {
    struct Net<f32> {
        input: 4,
        layer0: 3 => Misspelled,
        layer1: 3 => UnknownRule,
        layer2: 3 => ByHand,
        out: 2,
        cost: Mse,
    }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f32>::zeros((8, 4));
    let y = Array2::<f32>::zeros((8, 2));
    let mut net = Net::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
