//! Preprocessing that travels with the model: a `Standardized` network saves its input
//! standardisation (`input.mean`, `input.std`) in its own safetensors file, loads it back, and
//! applies it in `predict`, `predict_one` and `classify`, bit for bit as standardising by hand
//! does; `Standardizer` saves and loads alone; every file that does not fit is its typed error,
//! and `N::load` of a model's file loads the network alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use backprop::data::Standardizer;
use backprop::io::SafetensorsProblem;
use backprop::ndarray::{Array2, array};
use backprop::prelude::*;
use backprop::{Error, Standardized};

use crate::weights::{Raw, f32s, f64s, file, folder, header, problem};

network! {
    /// 4-6-3, f64.
    #[derive(Clone, Debug, PartialEq)]
    struct Flowers<f64> { input: 4, hidden: 6 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// 3-5-2, f32, with a regression cost: `predict` is z itself.
    #[derive(Clone, Debug, PartialEq)]
    struct Gauge<f32> { input: 3, hidden: 5 => Relu, out: 2, cost: Mse }
}

/// 24 samples of 4 features on very different scales (centimetres around 5, thousands, a
/// negative offset), and a third column that is constant: standardising changes every input.
fn raw() -> Array2<f64> {
    Array2::from_shape_fn((24, 4), |(i, j)| {
        let t = ((i * 7 + j * 5) % 13) as f64;
        match j {
            0 => 5.0 + 0.3 * t,
            1 => 1000.0 + 250.0 * t,
            2 => 3.25,
            _ => -40.0 + 0.01 * t * t,
        }
    })
}

/// The f64 values' bits: equal lists are bit-identical arrays.
fn bits<'a>(values: impl IntoIterator<Item = &'a f64>) -> Vec<u64> {
    values.into_iter().map(|v| v.to_bits()).collect()
}

/// A model of `Flowers::with_seed(3)` standardised by `raw()`'s statistics.
fn model() -> Standardized<Flowers, f64> {
    Standardized::new(Flowers::with_seed(3), Standardizer::fit(raw().view()).unwrap()).unwrap()
}

/// `Flowers::with_seed(3)`'s tensors in f64, for hand-built files.
fn flowers_tensors() -> Vec<Raw> {
    let net = Flowers::with_seed(3);
    vec![
        f64s("hidden.weight", &[6, 4], net.hidden.weight.iter().copied()),
        f64s("hidden.bias", &[6], net.hidden.bias.iter().copied()),
        f64s("logits.weight", &[3, 6], net.logits.weight.iter().copied()),
        f64s("logits.bias", &[3], net.logits.bias.iter().copied()),
    ]
}

/// A model file made by hand: `Flowers::with_seed(3)` and the given tensors beside it.
fn model_file(extra: Vec<Raw>) -> Vec<u8> {
    let mut tensors = flowers_tensors();
    tensors.extend(extra);
    file(&tensors, None)
}

#[test]
fn fit_save_load_predict_gives_the_bits_of_standardizing_by_hand() {
    let x = raw();
    let standardizer = Standardizer::fit(x.view()).unwrap();
    let net = Flowers::with_seed(3);
    let by_hand = net.predict(standardizer.transform(x.view()).unwrap().view()).unwrap();
    // Not vacuous: the standardisation changes the predictions.
    assert_ne!(bits(&by_hand), bits(&net.predict(x.view()).unwrap()));

    let path = folder("standardized_round_trip").join("model.safetensors");
    Standardized::new(net.clone(), standardizer.clone()).unwrap().save(&path).unwrap();
    let loaded = Standardized::<Flowers, f64>::load(&path).unwrap();
    assert_eq!(bits(&loaded.predict(x.view()).unwrap()), bits(&by_hand));
    assert_eq!(loaded.network(), &net);
    assert_eq!(bits(loaded.standardizer().mean()), bits(standardizer.mean()));
    // The constant column was fitted with σ = 0 and is saved as what z divides by, 1.
    assert_eq!(standardizer.std()[2], 0.0);
    assert_eq!(loaded.standardizer().std()[2], 1.0);
    assert_eq!(loaded.standardizer().std()[0], standardizer.std()[0]);

    let from_bytes = Standardized::<Flowers, f64>::from_safetensors(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(from_bytes, loaded);
    assert_eq!(from_bytes.to_safetensors(), std::fs::read(&path).unwrap());
}

#[test]
fn the_file_holds_the_standardization_as_two_tensors_of_the_input_size() {
    let model = model();
    let json = header(&model.to_safetensors());
    for name in ["input.mean", "input.std"] {
        assert_eq!(json[name]["dtype"], "F64", "{json}");
        assert_eq!(json[name]["shape"], serde_json::json!([4]), "{json}");
    }
    assert_eq!(json["hidden.weight"]["shape"], serde_json::json!([6, 4]), "{json}");
    assert_eq!(json["__metadata__"]["backprop.network"], "Flowers", "{json}");

    let gauge = Standardized::new(
        Gauge::with_seed(1),
        Standardizer::fit(array![[1.0f32, 2.0, 3.0], [2.0, 8.0, 3.5]].view()).unwrap(),
    )
    .unwrap();
    let json = header(&gauge.to_safetensors());
    assert_eq!(json["input.std"]["dtype"], "F32", "{json}");
    assert_eq!(json["input.std"]["shape"], serde_json::json!([3]), "{json}");
}

#[test]
fn predict_one_and_classify_apply_the_standardization() {
    let model = model();
    let x = raw();
    let z = model.standardizer().transform(x.view()).unwrap();
    let net = model.network();

    let classes = model.classify(x.view()).unwrap();
    assert_eq!(classes, net.classify(z.view()).unwrap());
    // Not vacuous: on raw inputs the network gives other classes.
    assert_ne!(classes, net.classify(x.view()).unwrap());

    for i in [0, 5, 23] {
        let row = [x[[i, 0]], x[[i, 1]], x[[i, 2]], x[[i, 3]]];
        let standardized = [z[[i, 0]], z[[i, 1]], z[[i, 2]], z[[i, 3]]];
        let p: [f64; 3] = model.predict_one(&row).unwrap();
        // `predict` on the standardised row, bit for bit (the network's own `predict_one` sums
        // in another order, and agrees to rounding).
        let want =
            net.predict(Array2::from_shape_vec((1, 4), standardized.to_vec()).unwrap().view()).unwrap();
        assert_eq!(bits(&p), bits(want.as_slice().unwrap()), "sample {i}");
        let one: [f64; 3] = net.predict_one(&standardized).unwrap();
        assert!(p.iter().zip(&one).all(|(a, b)| (a - b).abs() <= 1e-14), "sample {i}");
        let raw_p: [f64; 3] = net.predict_one(&row).unwrap();
        assert_ne!(bits(&p), bits(&raw_p), "sample {i}");
    }

    // The sizes of the arrays are checked when called.
    assert_eq!(model.predict_one::<3, 3>(&[1.0, 2.0, 3.0]), Err(Error::InputWidth { expected: 4, found: 3 }));
    assert!(matches!(model.predict_one::<4, 2>(&[1.0; 4]), Err(Error::BufferShape { .. })));
    assert_eq!(model.classify(Array2::zeros((0, 4)).view()), Err(Error::EmptyBatch));
    let error = model.predict(array![[1.0, 2.0, f64::NAN, 4.0]].view()).unwrap_err();
    assert!(matches!(error, Error::NonFinite { sample: 0, column: 2, .. }), "{error:?}");
}

#[test]
fn a_standardizer_of_another_width_is_refused() {
    let standardizer = Standardizer::fit(array![[1.0, 2.0, 3.0], [2.0, 5.0, 1.0]].view()).unwrap();
    let error = Standardized::new(Flowers::with_seed(3), standardizer).unwrap_err();
    assert!(matches!(error, Error::ColumnCount { expected: 4, found: 3, .. }), "{error:?}");
}

#[test]
fn a_file_without_the_standardization_is_an_error_naming_it() {
    let missing = |names: &[&str]| SafetensorsProblem::MissingStandardization {
        missing: names.iter().map(|n| (*n).to_owned()).collect(),
    };
    let weights_only = Flowers::with_seed(3).to_safetensors();
    assert_eq!(
        problem(Standardized::<Flowers, f64>::from_safetensors(&weights_only)),
        missing(&["input.mean", "input.std"])
    );
    assert_eq!(
        problem(Standardizer::<f64>::from_safetensors(&weights_only)),
        missing(&["input.mean", "input.std"])
    );

    let no_std = model_file(vec![f64s("input.mean", &[4], [0.0; 4])]);
    assert_eq!(problem(Standardized::<Flowers, f64>::from_safetensors(&no_std)), missing(&["input.std"]));
    let no_mean = model_file(vec![f64s("input.std", &[4], [1.0; 4])]);
    assert_eq!(problem(Standardized::<Flowers, f64>::from_safetensors(&no_mean)), missing(&["input.mean"]));

    // From a file, the error names it.
    let path = folder("standardized_missing").join("weights.safetensors");
    Flowers::with_seed(3).save(&path).unwrap();
    let error = Standardized::<Flowers, f64>::load(&path).unwrap_err();
    assert!(matches!(&error, Error::Safetensors { file: Some(p), .. } if *p == path), "{error:?}");
    assert!(error.to_string().contains("`input.mean`, `input.std`"), "{error}");
}

#[test]
fn a_standardization_of_the_wrong_length_is_refused() {
    let short = model_file(vec![f64s("input.mean", &[3], [0.0; 3]), f64s("input.std", &[3], [1.0; 3])]);
    assert_eq!(
        problem(Standardized::<Flowers, f64>::from_safetensors(&short)),
        SafetensorsProblem::Shape {
            tensor: "input.mean".into(),
            expected: vec![4],
            found: vec![3],
            hint: ""
        }
    );
    // Alone, the means set the length, and the standard deviations must match it.
    let uneven = file(&[f64s("input.mean", &[4], [0.0; 4]), f64s("input.std", &[5], [1.0; 5])], None);
    assert_eq!(
        problem(Standardizer::<f64>::from_safetensors(&uneven)),
        SafetensorsProblem::Shape { tensor: "input.std".into(), expected: vec![4], found: vec![5], hint: "" }
    );
    // One value per input: a matrix of means is refused.
    let matrix = file(&[f64s("input.mean", &[2, 2], [0.0; 4]), f64s("input.std", &[4], [1.0; 4])], None);
    assert_eq!(
        problem(Standardizer::<f64>::from_safetensors(&matrix)),
        SafetensorsProblem::Shape {
            tensor: "input.mean".into(),
            expected: vec![4],
            found: vec![2, 2],
            hint: ""
        }
    );
}

#[test]
fn nan_in_the_mean_is_refused() {
    let nan = model_file(vec![
        f64s("input.mean", &[4], [0.0, 1.0, f64::NAN, 3.0]),
        f64s("input.std", &[4], [1.0; 4]),
    ]);
    let found = problem(Standardized::<Flowers, f64>::from_safetensors(&nan));
    assert_eq!(
        found,
        SafetensorsProblem::NonFinite { tensor: "input.mean".into(), index: vec![2], value: "NaN".into() }
    );
    let infinite =
        file(&[f32s("input.mean", &[2], [0.0, 1.0]), f32s("input.std", &[2], [f32::INFINITY, 1.0])], None);
    assert_eq!(
        problem(Standardizer::<f32>::from_safetensors(&infinite)),
        SafetensorsProblem::NonFinite { tensor: "input.std".into(), index: vec![0], value: "inf".into() }
    );
}

#[test]
fn zero_or_negative_std_is_refused() {
    for (value, printed) in [(0.0, "0"), (-0.0, "-0"), (-2.5, "-2.5")] {
        let bytes = model_file(vec![
            f64s("input.mean", &[4], [0.0; 4]),
            f64s("input.std", &[4], [1.0, value, 1.0, 1.0]),
        ]);
        assert_eq!(
            problem(Standardized::<Flowers, f64>::from_safetensors(&bytes)),
            SafetensorsProblem::NotPositive {
                tensor: "input.std".into(),
                index: vec![1],
                value: printed.into()
            }
        );
        assert!(matches!(
            problem(Standardizer::<f64>::from_safetensors(&bytes)),
            SafetensorsProblem::NotPositive { .. }
        ));
    }
}

#[test]
fn the_network_alone_loads_from_a_file_with_the_standardization() {
    let model = model();
    let bytes = model.to_safetensors();
    assert_eq!(&Flowers::from_safetensors(&bytes).unwrap(), model.network());
    let path = folder("standardized_network_alone").join("model.safetensors");
    model.save(&path).unwrap();
    assert_eq!(&Flowers::load(&path).unwrap(), model.network());
    let mut other = Flowers::with_seed(9);
    other.load_into(&path).unwrap();
    assert_eq!(&other, model.network());
    // The standardiser alone, from the same file.
    let loaded = Standardized::<Flowers, f64>::load(&path).unwrap();
    assert_eq!(&Standardizer::<f64>::load(&path).unwrap(), loaded.standardizer());

    // Only those two names are skipped: any other tensor is still one the network does not have.
    let extra = model_file(vec![f64s("input.scale", &[4], [1.0; 4])]);
    assert!(matches!(
        problem(Flowers::from_safetensors(&extra)),
        SafetensorsProblem::UnexpectedTensors { unexpected, .. } if unexpected == ["input.scale"]
    ));
    assert!(matches!(
        problem(Standardized::<Flowers, f64>::from_safetensors(&extra)),
        SafetensorsProblem::UnexpectedTensors { .. }
    ));
}

#[test]
fn a_standardizer_saves_and_loads_alone() {
    let x = array![[1.0f32, 10.0, 5.0], [2.0, 20.0, 5.0], [4.0, 60.0, 5.0]];
    let standardizer = Standardizer::fit(x.view()).unwrap();
    let path = folder("standardizer_alone").join("standardizer.safetensors");
    standardizer.save(&path).unwrap();
    let loaded = Standardizer::<f32>::load(&path).unwrap();
    let unseen = array![[3.0f32, 30.0, 7.0], [-1.0, 0.5, 5.0]];
    assert_eq!(loaded.transform(unseen.view()).unwrap(), standardizer.transform(unseen.view()).unwrap());
    assert_eq!(loaded.mean(), standardizer.mean());
    assert_eq!(loaded.std().to_vec(), [standardizer.std()[0], standardizer.std()[1], 1.0]);

    let bytes = standardizer.to_safetensors();
    assert_eq!(bytes, std::fs::read(&path).unwrap());
    assert_eq!(Standardizer::<f32>::from_safetensors(&bytes).unwrap(), loaded);
    let json = header(&bytes);
    assert_eq!(json["input.mean"]["dtype"], "F32", "{json}");
    assert_eq!(json["input.mean"]["shape"], serde_json::json!([3]), "{json}");
    assert_eq!(json["__metadata__"]["format"], "pt", "{json}");
    // Read from F32 into f64, exactly.
    let wide = Standardizer::<f64>::from_safetensors(&bytes).unwrap();
    assert_eq!(wide.mean()[0], f64::from(standardizer.mean()[0]));
    // A network's weights file has no standardiser.
    let path = folder("standardizer_alone_missing").join("weights.safetensors");
    Gauge::with_seed(1).save(&path).unwrap();
    assert!(matches!(Standardizer::<f32>::load(&path), Err(Error::Safetensors { .. })));
}

#[test]
fn a_fit_whose_statistics_overflow_is_an_error() {
    // Finite values whose squares (1e400) or sum overflow f64: σ or μ would be infinite, and a
    // saved file would not load.
    let error = Standardizer::fit(array![[1e200], [-1e200]].view()).unwrap_err();
    assert!(
        matches!(&error, Error::StatisticOverflow { column: 0, statistic: "standard deviation", .. }),
        "{error:?}"
    );
    let error = Standardizer::fit(array![[1.0, 1e308], [2.0, 1.7e308]].view()).unwrap_err();
    assert!(matches!(&error, Error::StatisticOverflow { column: 1, statistic: "mean", .. }), "{error:?}");
    // Large values that do not overflow fit and save to a file that loads.
    let standardizer = Standardizer::fit(array![[1e150], [-1e150], [3e150]].view()).unwrap();
    assert!(Standardizer::<f64>::from_safetensors(&standardizer.to_safetensors()).is_ok());
}

#[test]
fn a_model_with_a_non_finite_weight_is_not_saved() {
    let mut model = model();
    model.network_mut().logits.bias[1] = f64::NAN;
    let path = folder("standardized_non_finite").join("model.safetensors");
    let error = model.save(&path).unwrap_err();
    assert!(matches!(error, Error::NonFiniteParameter { layer: "logits", .. }), "{error:?}");
    assert!(!path.exists());
}

#[test]
fn no_truncated_or_damaged_file_panics() {
    // Every truncation and every byte of the file changed three ways: each load is a value or
    // an error, and what loads is finite with positive standard deviations.
    let bytes = model().to_safetensors();
    let alone = model().standardizer().to_safetensors();
    for base in [&bytes, &alone] {
        for end in 0..base.len() {
            let _ = Standardized::<Flowers, f64>::from_safetensors(&base[..end]);
            let _ = Standardizer::<f64>::from_safetensors(&base[..end]);
        }
        for i in 0..base.len() {
            for change in [0xFF, 0x01, 0x80] {
                let mut damaged = base.clone();
                damaged[i] ^= change;
                if let Ok(model) = Standardized::<Flowers, f64>::from_safetensors(&damaged) {
                    let s = model.standardizer();
                    assert!(s.mean().iter().all(|v| v.is_finite()) && s.std().iter().all(|&v| v > 0.0));
                }
                if let Ok(s) = Standardizer::<f64>::from_safetensors(&damaged) {
                    assert!(s.mean().iter().all(|v| v.is_finite()) && s.std().iter().all(|&v| v > 0.0));
                    assert!(s.std().iter().all(|v| v.is_finite()));
                }
            }
        }
    }
}
