//! `network!` implements `Debug` for its struct where every layer is `Debug`. A layer whose
//! activation was written by hand without `Debug` leaves the network without it: `{:?}` is one
//! error, which says to derive `Debug` on the activation (not above `network!`, E0774).

use backprop::ndarray::Array2;
use backprop::prelude::*;

/// σ(z) = z², written by hand, without `#[derive(Debug)]`.
#[derive(Clone, Copy, Default)]
pub struct Square;

impl Activation<f32> for Square {
    fn apply(&self, z: f32) -> f32 {
        z * z
    }

    fn derivative(&self, z: f32) -> f32 {
        2.0 * z
    }
}

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => Square,
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
    println!("{net:?}");
    Ok(())
}
