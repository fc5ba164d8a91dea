//! Feeds arbitrary bytes to the safetensors loader of an f32 and an f64 network. Any panic is a
//! crash; so is a loaded network that is not finite, a refusal that changes the network it was
//! loaded into, `load_safetensors_into` and `from_safetensors` disagreeing, and a loaded network
//! that does not write and read back to the same bits.

#![no_main]

use backprop::prelude::*;
use backprop::{Error, Float};
use libfuzzer_sys::fuzz_target;

network! {
    #[derive(Clone, Debug, PartialEq)]
    struct Narrow<f32> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }
}

network! {
    #[derive(Clone, Debug, PartialEq)]
    struct Wide<f64> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }
}

fuzz_target!(|bytes: &[u8]| {
    check(Narrow::from_safetensors(bytes), Narrow::with_seed(1), bytes);
    check(Wide::from_safetensors(bytes), Wide::with_seed(1), bytes);
});

/// Checks the result of `from_safetensors` on `bytes`, and `load_safetensors_into` of `bytes`
/// into `other`, against each other.
fn check<F: Float, N: Network<F> + Clone + PartialEq + std::fmt::Debug>(
    loaded: Result<N, Error>,
    mut other: N,
    bytes: &[u8],
) {
    let before = other.clone();
    match (other.load_safetensors_into(bytes), &loaded) {
        (Ok(()), Ok(net)) => assert_eq!(&other, net),
        (Err(e), Err(f)) => {
            assert_eq!(&e, f);
            assert_eq!(other, before, "a refused file changed the network");
        }
        (into, from) => panic!("load_safetensors_into gave {into:?}, from_safetensors {from:?}"),
    }
    if let Ok(net) = loaded {
        net.visit_parameters(&mut |p| {
            assert!(p.weight.iter().chain(p.bias.iter()).all(|v| v.is_finite()), "{}", p.layer);
        });
        assert_eq!(N::from_safetensors(&net.to_safetensors()).as_ref(), Ok(&net));
    }
}
