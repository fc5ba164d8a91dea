//! A cost of one's own that sets `Cost::TAKES_LOGITS` gets the same check as the built-in logit
//! costs: one error on the output activation.

use backprop::ndarray::Array2;
use backprop::prelude::*;
use backprop::ndarray::{ArrayView1, ArrayViewMut1};
use backprop::Target;

/// A cost that applies its own output function to z^L.
#[derive(Default)]
struct OwnLogits;

impl Cost<f32> for OwnLogits {
    const NAME: &'static str = "OwnLogits";
    const CLASSIFICATION: bool = false;
    const TAKES_LOGITS: bool = true;

    fn sample(&self, _: ArrayView1<'_, f32>, _: &Target<'_, f32>, _: Option<ArrayViewMut1<'_, f32>>) -> f32 {
        0.0
    }
}

network! {
    struct Net<f32> {
        input: 4,
        out: 2 => Tanh,
        cost: OwnLogits,
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
