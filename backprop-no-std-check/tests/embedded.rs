//! The networks `include_weights!` embedded in the `no_std` crate: the PyTorch fixture always,
//! and with the feature `fashion` the network the `fashion_mnist` example saved (`.ci/run` runs
//! this after the example). Each predicts the bits of the `std` network loaded from the same
//! file, on every test image of the bundled Fashion-MNIST subset for the latter, and allocates
//! nothing (counted by `allocation_counter`, which wraps this test binary's allocator).

#![allow(clippy::unwrap_used)]

use allocation_counter::measure;
use backprop::prelude::*;
use backprop_no_std_check::{TORCH, Torch};

/// The path of a file of the repository.
fn repository(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

#[test]
fn the_embedded_pytorch_weights_predict_the_bits_of_the_loaded_network() -> Result<(), backprop::Error> {
    let loaded = Torch::load(repository("tests/fixtures/pytorch/mlp_f32.safetensors"))?;
    assert_eq!(loaded.to_fixed()?, TORCH);
    let inputs: Vec<[f32; 4]> =
        (0..64).map(|i| core::array::from_fn(|k| ((i * 4 + k) as f32 * 0.37).sin() * 3.0)).collect();
    for x in &inputs {
        assert_eq!(TORCH.predict_one(x).map(f32::to_bits), loaded.predict_one(x)?.map(f32::to_bits));
    }
    let mut classes = 0;
    let counted = measure(|| {
        for x in &inputs {
            classes += TORCH.classify_one(x) + usize::from(TORCH.predict_one(x)[0] > 0.5);
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
    assert!(classes <= 64 * 3);
    Ok(())
}

#[cfg(feature = "fashion")]
#[test]
fn the_embedded_fashion_network_predicts_the_bits_of_the_loaded_one_on_every_image()
-> Result<(), backprop::Error> {
    use backprop::data::fashion_mnist;
    use backprop_no_std_check::{FASHION, Fashion};

    let loaded = Fashion::load(repository("target/fashion_mnist.safetensors"))?;
    let test = fashion_mnist::load_dir::<f32>(fashion_mnist::bundled_dir())?.1;
    let images: Vec<[f32; 784]> = test.x.rows().into_iter().map(|r| core::array::from_fn(|k| r[k])).collect();
    assert_eq!(images.len(), 1000);
    let mut right = 0;
    for (image, &label) in images.iter().zip(&test.labels) {
        let p = FASHION.predict_one(image);
        assert_eq!(p.map(f32::to_bits), loaded.predict_one(image)?.map(f32::to_bits));
        right += usize::from(FASHION.classify_one(image) == label);
    }
    // The trained network, not a random one: most images are classified right.
    assert!(right > 700, "{right} of 1000");
    let mut classes = 0;
    let counted = measure(|| {
        for image in &images[..10] {
            classes += FASHION.classify_one(image);
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
    println!("{right} of 1000 test images classified right; {classes}");
    Ok(())
}

#[test]
fn a_network_under_a_cost_of_ones_own_predicts_its_output() -> Result<(), backprop::Error> {
    use backprop_no_std_check::{UPPER, Upper};
    // Pinball's prediction is the output itself, the sum of the hidden layer's tanh.
    let x = [0.5, -1.0];
    let hidden = [0.5 * 0.5 + 1.25 + 0.125, 2.0 * 0.5 - 0.75 - 0.5, -0.375 * 0.5 - 1.5 + 0.25].map(f64::tanh);
    let want = hidden[0] + hidden[1] + hidden[2];
    assert!((UPPER.predict_one(&x)[0] - want).abs() < 1e-15);
    assert_eq!(UPPER.predict_one(&x)[0].to_bits(), Upper::from_fixed(&UPPER).predict_one(&x)?[0].to_bits());
    Ok(())
}

#[test]
fn a_network_of_ones_own_activation_and_cost_predicts_the_bits_of_the_std_network()
-> Result<(), backprop::Error> {
    use backprop_no_std_check::{SMOOTH, Smooth, swish};
    let net = Smooth::from_fixed(&SMOOTH);
    for x in [[0.5, -1.0], [3.0, 2.0], [-4.0, 0.25]] {
        let p = SMOOTH.predict_one(&x);
        assert_eq!(p[0].to_bits(), net.predict_one(&x)?[0].to_bits());
        // By hand: the sum of swish over the hidden layer.
        let z = backprop_no_std_check::HIDDEN_WEIGHT
            .iter()
            .zip(backprop_no_std_check::HIDDEN_BIAS)
            .map(|(w, b)| b + w[0] * x[0] + w[1] * x[1]);
        let want: f64 = z.map(swish).sum();
        assert!((p[0] - want).abs() < 1e-14, "{p:?} vs {want}");
    }
    Ok(())
}
