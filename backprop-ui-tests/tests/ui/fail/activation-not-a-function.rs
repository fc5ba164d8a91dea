use backprop::ndarray::Array2;
use backprop::prelude::*;

#[activation]
struct Swish;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => Swish,
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
