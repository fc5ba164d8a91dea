use backprop::ndarray::Array2;
use backprop::prelude::*;

#[activation]
fn by_ref(z: &f64) -> f64 {
    *z
}

#[activation]
fn integer(n: i32) -> f64 {
    n as f64
}

#[activation]
fn generic<F: backprop::Float>(z: F) -> F {
    z
}

network! {
    struct Net<f32> {
        input: 4,
        layer0: 3 => ByRef,
        layer1: 3 => Integer,
        layer2: 3 => Generic,
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
