//! A body nested deeper than `#[activation]` differentiates (128 levels) is one error on the
//! level that crosses the limit; the type is still generated, so the network using it compiles.

use backprop::ndarray::array;
use backprop::prelude::*;

#[activation]
#[rustfmt::skip]
fn deep(z: f64) -> f64 {
    if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { if z > 0.0 { z } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z } } else { z }
}

network! {
    struct Net<f64> {
        input: 2,
        hidden: 3 => Deep,
        out: 1,
        cost: Mse,
    }
}

fn main() -> Result<(), backprop::Error> {
    let mut net = Net::with_seed(0);
    let x = array![[0.0, 1.0], [1.0, 0.0]];
    let y = array![[1.0], [1.0]];
    let _ = net.forward(x.view())?;
    Trainer::new(Sgd::new(0.1)?).epochs(2).fit(&mut net, x.view(), y.view())?;
    Ok(())
}
