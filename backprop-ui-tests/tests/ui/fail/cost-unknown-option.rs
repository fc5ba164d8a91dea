use backprop::activation::softplus;
use backprop::ndarray::Array2;
use backprop::prelude::*;

/// The logistic loss on the logit, with an option misspelled.
#[cost(clasification, takes_logits, predict = sigmoid)]
pub fn logistic(z: f64, y: f64) -> f64 {
    softplus(-(2.0 * y - 1.0) * z)
}

network! {
    struct Net<f64> {
        input: 4,
        hidden: 8 => Tanh,
        logit: 1,
        cost: Logistic,
    }
}

fn main() -> Result<(), backprop::Error> {
    let x = Array2::<f64>::zeros((8, 4));
    let labels = vec![0_usize; 8];
    let mut net = Net::with_seed(0);
    let _prediction = net.forward(x.view())?;
    let _history = Trainer::new(Sgd::new(0.1)?).epochs(1).fit(&mut net, x.view(), &labels[..])?;
    Ok(())
}
