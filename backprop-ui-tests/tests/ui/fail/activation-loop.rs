use backprop::ndarray::Array2;
use backprop::prelude::*;

#[activation]
fn series(z: f64) -> f64 {
    let mut sum = 0.0;
    for k in 1..4 {
        sum += z / k as f64;
    }
    sum
}

#[activation]
fn spin(z: f64) -> f64 {
    loop {
        return z;
    }
}

#[activation]
fn wait(z: f64) -> f64 {
    while z > 0.0 {}
    z
}

network! {
    struct Net<f32> {
        input: 4,
        layer0: 3 => Series,
        layer1: 3 => Spin,
        layer2: 3 => Wait,
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
