//! Weights on disk: `save`/`load`, `to_safetensors`/`from_safetensors` and `load_into` give back
//! the same bits; the file is what PyTorch reads as a `state_dict` (names, shapes, metadata);
//! F16, BF16 and F64 tensors convert to the values computed by hand below; every misfit is its
//! typed error and leaves the network as it was; writes are atomic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use backprop::io::SafetensorsProblem;
use backprop::prelude::*;
use backprop::{Error, Float};
use safetensors::Dtype;
use safetensors::tensor::TensorView;
use serde_json::json;

network! {
    /// 4-8-3, f32.
    #[derive(Clone, Debug, PartialEq)]
    struct Small<f32> { input: 4, hidden: 8 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// 5-7-6-2, f64.
    #[derive(Clone, Debug, PartialEq)]
    struct Deep<f64> { input: 5, hidden1: 7 => Relu, hidden2: 6 => Sigmoid, logits: 2, cost: Mse }
}

/// `Small` as a struct: the same layers, so `Small`'s files fit it.
#[derive(Clone, Debug, PartialEq, Backprop)]
#[backprop(cost = SoftmaxCrossEntropy)]
struct Derived {
    hidden: Dense<f32, 4, 8, Tanh>,
    out: Dense<f32, 8, 3>,
}

network! {
    /// `Small` in f64.
    #[derive(Clone, Debug, PartialEq)]
    struct Small64<f64> { input: 4, hidden: 8 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// `Small` with another activation.
    #[derive(Clone, Debug, PartialEq)]
    struct SmallRelu<f32> { input: 4, hidden: 8 => Relu, out: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// `Small` with another cost.
    #[derive(Clone, Debug, PartialEq)]
    struct SmallMse<f32> { input: 4, hidden: 8 => Tanh, out: 3, cost: Mse }
}

network! {
    /// Two hidden layers of the same size, `a` then `b`.
    #[derive(Clone, Debug, PartialEq)]
    struct Ab<f32> { input: 4, a: 4 => Tanh, b: 4 => Tanh, out: 2, cost: Mse }
}

network! {
    /// The same tensors as `Ab`, in the other order: `b` then `a`.
    #[derive(Clone, Debug, PartialEq)]
    struct Ba<f32> { input: 4, b: 4 => Tanh, a: 4 => Tanh, out: 2, cost: Mse }
}

/// Every parameter's bits, layer by layer: equal lists mean bit-identical networks (f32 → f64
/// is exact and keeps the sign of zero).
fn bits<F: Float, N: Network<F>>(net: &N) -> Vec<(String, Vec<u64>, Vec<u64>)> {
    let mut out = Vec::new();
    net.visit_parameters(&mut |p| {
        let w = p.weight.iter().map(|v| Float::to_f64(*v).to_bits()).collect();
        let b = p.bias.iter().map(|v| Float::to_f64(*v).to_bits()).collect();
        out.push((p.layer.to_owned(), w, b));
    });
    out
}

/// A fresh folder for one test, under Cargo's temporary folder for integration tests.
pub(crate) fn folder(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("weights").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The header of a safetensors file, parsed by hand: an 8-byte little-endian length, then JSON.
pub(crate) fn header(bytes: &[u8]) -> serde_json::Value {
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[8..8 + len]).unwrap()
}

/// A tensor for a hand-built file: name, element type, shape, little-endian bytes.
pub(crate) struct Raw {
    name: &'static str,
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

pub(crate) fn f32s(name: &'static str, shape: &[usize], values: impl IntoIterator<Item = f32>) -> Raw {
    let data = values.into_iter().flat_map(f32::to_le_bytes).collect();
    Raw { name, dtype: Dtype::F32, shape: shape.to_vec(), data }
}

pub(crate) fn f64s(name: &'static str, shape: &[usize], values: impl IntoIterator<Item = f64>) -> Raw {
    let data = values.into_iter().flat_map(f64::to_le_bytes).collect();
    Raw { name, dtype: Dtype::F64, shape: shape.to_vec(), data }
}

/// 16-bit values (F16 or BF16) given by their bits.
fn halves(name: &'static str, dtype: Dtype, shape: &[usize], bits: impl IntoIterator<Item = u16>) -> Raw {
    let data = bits.into_iter().flat_map(u16::to_le_bytes).collect();
    Raw { name, dtype, shape: shape.to_vec(), data }
}

/// The bytes of a file holding `tensors` (written by the `safetensors` crate, as PyTorch's
/// `save_file` does) and, if given, `metadata`.
pub(crate) fn file(tensors: &[Raw], metadata: Option<&[(&str, &str)]>) -> Vec<u8> {
    let views: Vec<(&str, TensorView<'_>)> = tensors
        .iter()
        .map(|t| (t.name, TensorView::new(t.dtype, t.shape.clone(), &t.data).unwrap()))
        .collect();
    let metadata = metadata
        .map(|m| m.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<HashMap<_, _>>());
    safetensors::serialize(views, metadata).unwrap()
}

/// `Small`'s tensors, in f32, with the values of `Small::with_seed(seed)`.
fn small_tensors(seed: u64) -> Vec<Raw> {
    let net = Small::with_seed(seed);
    vec![
        f32s("hidden.weight", &[8, 4], net.hidden.weight.iter().copied()),
        f32s("hidden.bias", &[8], net.hidden.bias.iter().copied()),
        f32s("out.weight", &[3, 8], net.out.weight.iter().copied()),
        f32s("out.bias", &[3], net.out.bias.iter().copied()),
    ]
}

/// The problem of a `from_safetensors` error, checking that it names no file.
pub(crate) fn problem(result: Result<impl std::fmt::Debug, Error>) -> SafetensorsProblem {
    let error = result.unwrap_err();
    println!("{error}");
    match error {
        Error::Safetensors { file: None, problem } => problem,
        other => panic!("expected Error::Safetensors without a file, got {other:?}"),
    }
}

#[test]
fn save_then_load_gives_the_same_bits() {
    let dir = folder("save_then_load");
    let small = Small::with_seed(1);
    small.save(dir.join("small.safetensors")).unwrap();
    let loaded = Small::load(dir.join("small.safetensors")).unwrap();
    assert_eq!(loaded, small);
    assert_eq!(loaded.hidden.weight, small.hidden.weight);
    assert_eq!(bits(&loaded), bits(&small));

    let deep = Deep::with_seed(2);
    deep.save(dir.join("deep.safetensors")).unwrap();
    let loaded = Deep::load(dir.join("deep.safetensors")).unwrap();
    assert_eq!(loaded, deep);
    assert_eq!(bits(&loaded), bits(&deep));

    let derived = Derived::with_seed(3);
    derived.save(dir.join("derived.safetensors")).unwrap();
    let loaded = Derived::load(dir.join("derived.safetensors")).unwrap();
    assert_eq!(loaded, derived);
    assert_eq!(bits(&loaded), bits(&derived));
    // `Derived` has `Small`'s layers and cost: each reads the other's files.
    let as_small = Small::load(dir.join("derived.safetensors")).unwrap();
    assert_eq!((as_small.hidden.weight, as_small.out.bias), (derived.hidden.weight, derived.out.bias));
}

#[test]
fn to_safetensors_then_from_safetensors_gives_the_same_bits() {
    // Weights that are not the initialiser's: negative zero, subnormals, extremes.
    let mut small = Small::with_seed(4);
    small.hidden.weight[[0, 0]] = -0.0;
    small.hidden.weight[[0, 1]] = f32::from_bits(1);
    small.hidden.bias[0] = f32::MAX;
    small.out.bias[2] = f32::MIN_POSITIVE;
    let loaded = Small::from_safetensors(&small.to_safetensors()).unwrap();
    assert_eq!(loaded, small);
    assert_eq!(bits(&loaded), bits(&small));
    assert_eq!(loaded.hidden.weight[[0, 0]].to_bits(), (-0.0f32).to_bits());

    let mut deep = Deep::with_seed(5);
    deep.hidden2.weight[[1, 2]] = f64::from_bits(1);
    deep.logits.bias[1] = -f64::MAX;
    let loaded = Deep::from_safetensors(&deep.to_safetensors()).unwrap();
    assert_eq!(loaded, deep);
    assert_eq!(bits(&loaded), bits(&deep));
    assert_eq!(deep.try_to_safetensors().unwrap().len(), deep.to_safetensors().len());

    let derived = Derived::with_seed(6);
    assert_eq!(Derived::from_safetensors(&derived.to_safetensors()).unwrap(), derived);
}

#[test]
fn the_same_network_gives_the_same_bytes() {
    // The metadata is kept in a hash map, whose order changes with every map made: the header
    // must not follow it.
    let dir = folder("same_bytes");
    let bytes = Small::with_seed(40).to_safetensors();
    for _ in 0..20 {
        assert_eq!(Small::with_seed(40).to_safetensors(), bytes);
    }
    Small::with_seed(40).save(dir.join("small.safetensors")).unwrap();
    assert_eq!(std::fs::read(dir.join("small.safetensors")).unwrap(), bytes);
    let deep = Deep::with_seed(41);
    assert_eq!(deep.to_safetensors(), deep.clone().to_safetensors());
}

#[test]
fn load_into_replaces_every_parameter() {
    let dir = folder("load_into");
    let path = dir.join("small.safetensors");
    let source = Small::with_seed(7);
    source.save(&path).unwrap();
    let mut net = Small::with_seed(8);
    assert_ne!(bits(&net), bits(&source));
    net.load_into(&path).unwrap();
    assert_eq!(bits(&net), bits(&source));

    let mut net = Deep::with_seed(9);
    let source = Deep::with_seed(10);
    net.load_safetensors_into(&source.to_safetensors()).unwrap();
    assert_eq!(net, source);
}

#[test]
fn the_header_records_the_network_and_names_tensors_as_pytorch() {
    let net = Small::with_seed(11);
    let bytes = net.to_safetensors();
    let header = header(&bytes);
    let metadata = header["__metadata__"].as_object().unwrap();
    let mut keys: Vec<&str> = metadata.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "backprop.cost",
            "backprop.float",
            "backprop.layers",
            "backprop.network",
            "backprop.version",
            "format"
        ]
    );
    assert_eq!(metadata["format"], "pt");
    assert_eq!(metadata["backprop.network"], "Small");
    assert_eq!(metadata["backprop.cost"], "SoftmaxCrossEntropy");
    assert_eq!(metadata["backprop.float"], "f32");
    assert_eq!(metadata["backprop.version"], env!("CARGO_PKG_VERSION"));
    // The layers are a JSON array in a string (metadata values are strings).
    let layers: serde_json::Value =
        serde_json::from_str(metadata["backprop.layers"].as_str().unwrap()).unwrap();
    assert_eq!(
        layers,
        json!([
            {"name": "hidden", "inputs": 4, "outputs": 8, "activation": "Tanh"},
            {"name": "out", "inputs": 8, "outputs": 3, "activation": "Identity"},
        ])
    );

    // The tensors: PyTorch's names, OUT × IN, the network's float type, row-major bytes.
    let data = &bytes[8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize..];
    let mut names: Vec<&str> = header.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["__metadata__", "hidden.bias", "hidden.weight", "out.bias", "out.weight"]);
    let expected: [(&str, Vec<usize>, Vec<f32>); 4] = [
        ("hidden.weight", vec![8, 4], net.hidden.weight.iter().copied().collect()),
        ("hidden.bias", vec![8], net.hidden.bias.to_vec()),
        ("out.weight", vec![3, 8], net.out.weight.iter().copied().collect()),
        ("out.bias", vec![3], net.out.bias.to_vec()),
    ];
    for (name, shape, values) in expected {
        let entry = &header[name];
        assert_eq!(entry["dtype"], "F32", "{name}");
        assert_eq!(entry["shape"], json!(shape), "{name}");
        let (start, end) = (
            entry["data_offsets"][0].as_u64().unwrap() as usize,
            entry["data_offsets"][1].as_u64().unwrap() as usize,
        );
        let stored: Vec<f32> =
            data[start..end].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
        assert_eq!(stored, values, "{name}");
    }
    // The first weight's row 1 is unit 1's weights: row-major OUT × IN.
    assert_eq!(net.hidden.weight.row(1).to_vec(), {
        let entry = &header["hidden.weight"];
        let start = entry["data_offsets"][0].as_u64().unwrap() as usize + 4 * 4;
        data[start..start + 16]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect::<Vec<_>>()
    });

    let deep = Deep::with_seed(12).to_safetensors();
    let header = self::header(&deep);
    let metadata = &header["__metadata__"];
    assert_eq!(metadata["backprop.network"], "Deep");
    assert_eq!(metadata["backprop.cost"], "Mse");
    assert_eq!(metadata["backprop.float"], "f64");
    let layers: serde_json::Value =
        serde_json::from_str(metadata["backprop.layers"].as_str().unwrap()).unwrap();
    assert_eq!(
        layers,
        json!([
            {"name": "hidden1", "inputs": 5, "outputs": 7, "activation": "Relu"},
            {"name": "hidden2", "inputs": 7, "outputs": 6, "activation": "Sigmoid"},
            {"name": "logits", "inputs": 6, "outputs": 2, "activation": "Identity"},
        ])
    );
    for (name, shape) in [
        ("hidden1.weight", json!([7, 5])),
        ("hidden1.bias", json!([7])),
        ("hidden2.weight", json!([6, 7])),
        ("hidden2.bias", json!([6])),
        ("logits.weight", json!([2, 6])),
        ("logits.bias", json!([2])),
    ] {
        assert_eq!(header[name]["dtype"], "F64", "{name}");
        assert_eq!(header[name]["shape"], shape, "{name}");
    }
    assert_eq!(header.as_object().unwrap().len(), 7);
}

#[test]
fn a_file_without_metadata_loads() {
    // As PyTorch's `safetensors.torch.save_file(model.state_dict(), path)` writes it: no
    // `__metadata__`, or only `"format": "pt"`.
    let source = Small::with_seed(13);
    for metadata in [None, Some(&[("format", "pt")][..])] {
        let bytes = file(&small_tensors(13), metadata);
        assert_eq!(header(&bytes).get("__metadata__").is_some(), metadata.is_some());
        let loaded = Small::from_safetensors(&bytes).unwrap();
        assert_eq!(bits(&loaded), bits(&source));
        // The same tensors fit the struct with the same layers, and in f64.
        assert_eq!(Derived::from_safetensors(&bytes).unwrap().out.weight, source.out.weight);
        let wide = Small64::from_safetensors(&bytes).unwrap();
        assert_eq!(wide.hidden.weight, source.hidden.weight.mapv(f64::from));
    }
}

#[test]
fn f16_tensors_convert_to_the_values_computed_by_hand() {
    // f16 bits and their values: 1.0, −2.0, 0.333251953125 (the f16 nearest 1/3), 2^−24 (the
    // smallest subnormal), 65504 (the largest finite f16), 1.5.
    let table: [(u16, f64); 6] = [
        (0x3C00, 1.0),
        (0xC000, -2.0),
        (0x3555, 0.333_251_953_125),
        (0x0001, 5.960_464_477_539_063e-8),
        (0x7BFF, 65504.0),
        (0x3E00, 1.5),
    ];
    let pattern = |n: usize| (0..n).map(move |i| table[i % table.len()]);
    let bytes = file(
        &[
            halves("hidden.weight", Dtype::F16, &[8, 4], pattern(32).map(|(b, _)| b)),
            halves("hidden.bias", Dtype::F16, &[8], pattern(8).map(|(b, _)| b)),
            halves("out.weight", Dtype::F16, &[3, 8], pattern(24).map(|(b, _)| b)),
            halves("out.bias", Dtype::F16, &[3], pattern(3).map(|(b, _)| b)),
        ],
        None,
    );
    // Every f16 is an f32 exactly: compared in f64, where the decimals above are exact too.
    let net = Small::from_safetensors(&bytes).unwrap();
    let exact = |values: &[f32]| values.iter().map(|&v| f64::from(v)).collect::<Vec<_>>();
    assert_eq!(exact(net.hidden.weight.as_slice().unwrap()), pattern(32).map(|(_, v)| v).collect::<Vec<_>>());
    assert_eq!(f64::from(net.hidden.weight[[0, 2]]), 0.333_251_953_125);
    assert_eq!(exact(net.out.bias.as_slice().unwrap()), [1.0, -2.0, 0.333_251_953_125]);
    let wide = Small64::from_safetensors(&bytes).unwrap();
    assert_eq!(
        wide.hidden.weight.iter().copied().collect::<Vec<_>>(),
        pattern(32).map(|(_, v)| v).collect::<Vec<_>>()
    );
    assert_eq!(wide.hidden.weight[[0, 3]], 5.960_464_477_539_063e-8);
}

#[test]
fn bf16_tensors_convert_to_the_values_computed_by_hand() {
    // bf16 bits and their values: 1.0, 0.333984375 (the bf16 nearest 1/3), −123.5, 2^−133 (the
    // smallest subnormal).
    let table: [(u16, f64); 4] =
        [(0x3F80, 1.0), (0x3EAB, 0.333_984_375), (0xC2F7, -123.5), (0x0001, 9.183_549_615_799_121e-41)];
    let pattern = |n: usize| (0..n).map(move |i| table[i % table.len()]);
    let bytes = file(
        &[
            halves("hidden.weight", Dtype::BF16, &[8, 4], pattern(32).map(|(b, _)| b)),
            halves("hidden.bias", Dtype::BF16, &[8], pattern(8).map(|(b, _)| b)),
            halves("out.weight", Dtype::BF16, &[3, 8], pattern(24).map(|(b, _)| b)),
            halves("out.bias", Dtype::BF16, &[3], pattern(3).map(|(b, _)| b)),
        ],
        None,
    );
    // Every bf16 is an f32 exactly: compared in f64, where the decimals above are exact too.
    let net = Small::from_safetensors(&bytes).unwrap();
    let exact = |values: &[f32]| values.iter().map(|&v| f64::from(v)).collect::<Vec<_>>();
    assert_eq!(
        exact(&net.hidden.weight.row(0).to_vec()),
        [1.0, 0.333_984_375, -123.5, 9.183_549_615_799_121e-41]
    );
    assert_eq!(exact(net.out.bias.as_slice().unwrap()), [1.0, 0.333_984_375, -123.5]);
    let wide = Small64::from_safetensors(&bytes).unwrap();
    assert_eq!(wide.hidden.bias.to_vec(), pattern(8).map(|(_, v)| v).collect::<Vec<_>>());
}

#[test]
fn f64_into_f32_rounds_to_nearest_and_f32_into_f64_is_exact() {
    let values = [0.1, 1.0 / 3.0, -2.5, 1e-50];
    let bytes = file(
        &[
            f64s("hidden.weight", &[8, 4], (0..32).map(|i| values[i % 4])),
            f64s("hidden.bias", &[8], (0..8).map(|i| values[i % 4])),
            f64s("out.weight", &[3, 8], (0..24).map(|i| values[i % 4])),
            f64s("out.bias", &[3], [0.1, 0.2, 0.3]),
        ],
        None,
    );
    let net = Small::from_safetensors(&bytes).unwrap();
    // 1/3 rounds to the f32 0x3EAAAAAB; 1e−50 is below f32's smallest subnormal and rounds to 0.
    assert_eq!(net.hidden.weight.row(0).to_vec(), [0.1f32, f32::from_bits(0x3EAA_AAAB), -2.5, 0.0]);
    assert_eq!(net.out.bias.to_vec(), [0.1f32, 0.2, 0.3]);

    // F32 into f64: 0.1f32 is 0.100000001490116119384765625 exactly.
    let bytes = file(&small_tensors(14), None);
    let wide = Small64::from_safetensors(&bytes).unwrap();
    let mut f32_net = Small::with_seed(14);
    f32_net.hidden.weight[[0, 0]] = 0.1;
    let bytes = f32_net.to_safetensors();
    let wide_from_net = Small64::from_safetensors(&bytes).unwrap();
    assert_eq!(wide_from_net.hidden.weight[[0, 0]], 0.100_000_001_490_116_12);
    assert_eq!(wide.out.weight, Small::with_seed(14).out.weight.mapv(f64::from));

    // An f64 too large for f32 becomes infinite, which is refused.
    let bytes = file(
        &[
            f64s("hidden.weight", &[8, 4], (0..32).map(|i| if i == 5 { 1e300 } else { 0.5 })),
            f64s("hidden.bias", &[8], [0.0; 8]),
            f64s("out.weight", &[3, 8], [0.0; 24]),
            f64s("out.bias", &[3], [0.0; 3]),
        ],
        None,
    );
    assert_eq!(
        problem(Small::from_safetensors(&bytes)),
        SafetensorsProblem::NonFinite {
            tensor: "hidden.weight".into(),
            index: vec![1, 1],
            value: "inf".into()
        }
    );
    assert!(Small64::from_safetensors(&bytes).is_ok());
}

/// Loads `bytes` into a network through a file, then from bytes, and checks that both fail with
/// `expected`, naming the file, and leave the network as it was.
fn refused(test: &str, bytes: &[u8], expected: &SafetensorsProblem) {
    let dir = folder(test);
    let path = dir.join("bad.safetensors");
    std::fs::write(&path, bytes).unwrap();
    let mut net = Small::with_seed(100);
    let before = bits(&net);
    match net.load_into(&path).unwrap_err() {
        Error::Safetensors { file, problem } => {
            assert_eq!(file.as_deref(), Some(path.as_path()));
            assert_eq!(&problem, expected);
        }
        other => panic!("expected Error::Safetensors, got {other:?}"),
    }
    assert_eq!(bits(&net), before, "{test}: the network changed");
    assert_eq!(&problem(net.load_safetensors_into(bytes)), expected);
    assert_eq!(bits(&net), before, "{test}: the network changed");
    let error = Small::load(&path).unwrap_err();
    assert!(error.to_string().starts_with(&format!("{}: ", path.display())), "{error}");
}

#[test]
fn a_missing_tensor_is_named_with_its_shape() {
    let mut tensors = small_tensors(20);
    tensors.retain(|t| t.name != "out.weight");
    let expected = SafetensorsProblem::MissingTensor {
        tensor: "out.weight".into(),
        shape: vec![3, 8],
        in_file: vec!["hidden.bias".into(), "hidden.weight".into(), "out.bias".into()],
        // Levenshtein's distance from `out.weight`: 5 to `out.bias`, 6 to `hidden.weight`.
        nearest: Some("out.bias".into()),
    };
    refused("missing", &file(&tensors, None), &expected);
    let message = expected.to_string();
    assert!(message.contains("`out.weight`") && message.contains("[3, 8]"), "{message}");
    assert!(
        message.contains("holds `hidden.bias`, `hidden.weight`, `out.bias` (the nearest is `out.bias`)"),
        "{message}"
    );
    assert!(message.contains("LoadOptions::new().rename("), "{message}");
}

#[test]
fn unexpected_tensors_are_listed() {
    let mut tensors = small_tensors(21);
    tensors.push(f32s("out.scale", &[3], [1.0; 3]));
    tensors.push(f32s("extra.weight", &[1], [1.0]));
    let expected = SafetensorsProblem::UnexpectedTensors {
        unexpected: vec!["extra.weight".into(), "out.scale".into()],
        expected: vec!["hidden.weight".into(), "hidden.bias".into(), "out.weight".into(), "out.bias".into()],
    };
    refused("unexpected", &file(&tensors, None), &expected);
    let message = expected.to_string();
    assert!(message.contains("`extra.weight`, `out.scale`"), "{message}");
}

#[test]
fn a_wrong_shape_is_named_and_a_transpose_is_hinted() {
    let net = Small::with_seed(22);
    let mut tensors = small_tensors(22);
    // IN × OUT, as a weight of a layer stored the other way round would be.
    tensors[0] = f32s("hidden.weight", &[4, 8], net.hidden.weight.t().iter().copied());
    let transposed = SafetensorsProblem::Shape {
        tensor: "hidden.weight".into(),
        expected: vec![8, 4],
        found: vec![4, 8],
        hint: " (its transpose: a weight is stored OUT × IN, as PyTorch's nn.Linear stores it)",
    };
    refused("transposed", &file(&tensors, None), &transposed);
    assert!(transposed.to_string().contains("transpose"), "{transposed}");

    tensors[0] = f32s("hidden.weight", &[8, 5], [0.0; 40]);
    let other = SafetensorsProblem::Shape {
        tensor: "hidden.weight".into(),
        expected: vec![8, 4],
        found: vec![8, 5],
        hint: "",
    };
    refused("misshapen", &file(&tensors, None), &other);
    assert!(!other.to_string().contains("transpose"), "{other}");
}

#[test]
fn an_unsupported_dtype_is_named() {
    let mut tensors = small_tensors(23);
    tensors[3] = Raw { name: "out.bias", dtype: Dtype::I32, shape: vec![3], data: vec![0; 12] };
    let expected = SafetensorsProblem::Dtype { tensor: "out.bias".into(), found: "I32".into() };
    refused("dtype", &file(&tensors, None), &expected);
    assert!(expected.to_string().contains("F16, BF16, F32 or F64"), "{expected}");
}

#[test]
fn a_non_finite_value_is_named_with_its_index() {
    let net = Small::with_seed(24);
    let mut tensors = small_tensors(24);
    let mut weight = net.hidden.weight.clone();
    weight[[2, 3]] = f32::NAN;
    tensors[0] = f32s("hidden.weight", &[8, 4], weight.iter().copied());
    let nan = SafetensorsProblem::NonFinite {
        tensor: "hidden.weight".into(),
        index: vec![2, 3],
        value: "NaN".into(),
    };
    refused("nan", &file(&tensors, None), &nan);
    assert!(nan.to_string().contains("[2, 3]"), "{nan}");

    let mut tensors = small_tensors(24);
    tensors[3] = f64s("out.bias", &[3], [0.0, f64::NEG_INFINITY, 0.0]);
    refused(
        "neg-inf",
        &file(&tensors, None),
        &SafetensorsProblem::NonFinite { tensor: "out.bias".into(), index: vec![1], value: "-inf".into() },
    );

    // In f16, 0x7C00 is +∞ and 0x7E00 a NaN.
    let mut tensors = small_tensors(24);
    tensors[1] =
        halves("hidden.bias", Dtype::F16, &[8], [0x3C00, 0x3C00, 0x3C00, 0x3C00, 0x3C00, 0x7C00, 0, 0]);
    refused(
        "f16-inf",
        &file(&tensors, None),
        &SafetensorsProblem::NonFinite { tensor: "hidden.bias".into(), index: vec![5], value: "inf".into() },
    );
    tensors[1] = halves("hidden.bias", Dtype::BF16, &[8], [0, 0, 0, 0, 0, 0, 0, 0x7FC0]);
    refused(
        "bf16-nan",
        &file(&tensors, None),
        &SafetensorsProblem::NonFinite { tensor: "hidden.bias".into(), index: vec![7], value: "NaN".into() },
    );
}

network! {
    /// `Small` with other layer names.
    #[derive(Clone, Debug, PartialEq)]
    struct SmallRenamed<f32> { input: 4, encoder: 8 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}

/// A file the library wrote, loaded with its names mapped: the layers it records must still have
/// the network's sizes and activations, but not its names, which the mapping changes.
#[test]
fn a_mapped_load_compares_the_recorded_layers_but_their_names() {
    let small = Small::with_seed(31);
    let bytes = small.to_safetensors();
    let options =
        LoadOptions::new().rename(|name| name.replace("hidden.", "encoder.").replace("out.", "logits."));
    let renamed = SmallRenamed::from_safetensors_with(&bytes, &options).unwrap();
    assert_eq!((&renamed.encoder.weight, &renamed.encoder.bias), (&small.hidden.weight, &small.hidden.bias));
    assert_eq!((&renamed.logits.weight, &renamed.logits.bias), (&small.out.weight, &small.out.bias));
    assert!(matches!(
        problem(SmallRenamed::from_safetensors(&bytes)),
        SafetensorsProblem::Metadata { what: "layers", .. }
    ));

    // Another activation is still refused, and changes nothing.
    let mut relu = SmallRelu::with_seed(32);
    let before = relu.clone();
    let same_names = LoadOptions::new().rename(str::to_owned);
    let expected = SafetensorsProblem::Metadata {
        what: "layers",
        file: "`hidden` 4→8 Tanh, `out` 8→3 Identity".into(),
        network: "`hidden` 4→8 Relu, `out` 8→3 Identity".into(),
    };
    assert_eq!(problem(relu.load_safetensors_into_with(&bytes, &same_names)), expected);
    assert_eq!(relu, before);
}

#[test]
fn another_network_in_the_metadata_is_refused() {
    let small = Small::with_seed(25).to_safetensors();
    // Another activation: the tensors fit, the layers do not.
    let mut relu = SmallRelu::with_seed(26);
    let before = relu.clone();
    let expected = SafetensorsProblem::Metadata {
        what: "layers",
        file: "`hidden` 4→8 Tanh, `out` 8→3 Identity".into(),
        network: "`hidden` 4→8 Relu, `out` 8→3 Identity".into(),
    };
    assert_eq!(problem(relu.load_safetensors_into(&small)), expected);
    assert_eq!(relu, before);
    refused(
        "activation",
        &SmallRelu::with_seed(26).to_safetensors(),
        &SafetensorsProblem::Metadata {
            what: "layers",
            file: "`hidden` 4→8 Relu, `out` 8→3 Identity".into(),
            network: "`hidden` 4→8 Tanh, `out` 8→3 Identity".into(),
        },
    );

    // Another cost.
    let mut mse = SmallMse::with_seed(27);
    let before = mse.clone();
    assert_eq!(
        problem(mse.load_safetensors_into(&small)),
        SafetensorsProblem::Metadata {
            what: "cost",
            file: "`SoftmaxCrossEntropy`".into(),
            network: "`Mse`".into()
        }
    );
    assert_eq!(mse, before);

    // The same tensors, the layers in another order.
    let mut ba = Ba::with_seed(28);
    let before = ba.clone();
    assert_eq!(
        problem(ba.load_safetensors_into(&Ab::with_seed(29).to_safetensors())),
        SafetensorsProblem::Metadata {
            what: "layers",
            file: "`a` 4→4 Tanh, `b` 4→4 Tanh, `out` 4→2 Identity".into(),
            network: "`b` 4→4 Tanh, `a` 4→4 Tanh, `out` 4→2 Identity".into(),
        }
    );
    assert_eq!(ba, before);
    // Without the metadata, the tensors alone decide: they fit.
    let ab = Ab::with_seed(29);
    let tensors = [
        f32s("a.weight", &[4, 4], ab.a.weight.iter().copied()),
        f32s("a.bias", &[4], ab.a.bias.iter().copied()),
        f32s("b.weight", &[4, 4], ab.b.weight.iter().copied()),
        f32s("b.bias", &[4], ab.b.bias.iter().copied()),
        f32s("out.weight", &[2, 4], ab.out.weight.iter().copied()),
        f32s("out.bias", &[2], ab.out.bias.iter().copied()),
    ];
    let loaded = Ba::from_safetensors(&file(&tensors, None)).unwrap();
    assert_eq!((loaded.a.weight, loaded.b.bias), (ab.a.weight, ab.b.bias));
}

#[test]
fn a_corrupt_file_is_a_format_error() {
    let bytes = Small::with_seed(30).to_safetensors();
    for corrupt in [&bytes[..bytes.len() - 1], &bytes[..5], &b"not a safetensors file at all"[..], &[]] {
        let mut net = Small::with_seed(31);
        let before = bits(&net);
        match problem(net.load_safetensors_into(corrupt)) {
            SafetensorsProblem::Format { message } => assert!(!message.is_empty()),
            other => panic!("expected Format, got {other:?}"),
        }
        assert_eq!(bits(&net), before);
    }
    // Offsets whose end nears usize::MAX: the safetensors crate's own check adds them to the
    // header length, which overflows; they are refused before that.
    let m = usize::MAX / 8;
    let entries: Vec<String> = (0..8)
        .map(|i| {
            format!(r#""t{i}":{{"dtype":"U8","shape":[{m}],"data_offsets":[{},{}]}}"#, i * m, (i + 1) * m)
        })
        .collect();
    let json = format!("{{{}}}", entries.join(","));
    let mut hostile = (json.len() as u64).to_le_bytes().to_vec();
    hostile.extend_from_slice(json.as_bytes());
    match problem(Small::from_safetensors(&hostile)) {
        SafetensorsProblem::Format { message } => assert!(message.contains("past the end"), "{message}"),
        other => panic!("expected Format, got {other:?}"),
    }
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = folder("missing_file").join("nowhere.safetensors");
    let mut net = Small::with_seed(32);
    let before = bits(&net);
    let error = net.load_into(&path).unwrap_err();
    println!("{error}");
    match &error {
        Error::Io { path: p, kind, .. } => {
            assert_eq!(p, &path);
            assert_eq!(*kind, std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
    assert!(error.to_string().contains("nowhere.safetensors"), "{error}");
    assert_eq!(bits(&net), before);
    assert!(matches!(Small::load(&path), Err(Error::Io { .. })));
}

#[test]
fn nothing_changes_when_a_later_tensor_does_not_fit() {
    // The first tensors fit, and hold other values than the network's; a later one does not.
    let mut net = Small::with_seed(33);
    let before = bits(&net);
    let mut bad_bias = small_tensors(34);
    bad_bias[3] = f32s("out.bias", &[3], [0.0, 0.0, f32::INFINITY]);
    let mut bad_shape = small_tensors(34);
    bad_shape[2] = f32s("out.weight", &[3, 7], [0.0; 21]);
    let mut bad_dtype = small_tensors(34);
    bad_dtype[3] = Raw { name: "out.bias", dtype: Dtype::I64, shape: vec![3], data: vec![0; 24] };
    let mut missing = small_tensors(34);
    missing.pop();
    let mut extra = small_tensors(34);
    extra.push(f32s("zzz", &[1], [0.0]));
    for (case, bytes) in [
        ("non-finite", file(&bad_bias, None)),
        ("shape", file(&bad_shape, None)),
        ("dtype", file(&bad_dtype, None)),
        ("missing", file(&missing, None)),
        ("unexpected", file(&extra, None)),
    ] {
        assert!(matches!(net.load_safetensors_into(&bytes), Err(Error::Safetensors { .. })), "{case}");
        assert_eq!(bits(&net), before, "{case}: the network changed");
    }
    // The same file without the fault loads, so the faults above were all that stopped it.
    net.load_safetensors_into(&file(&small_tensors(34), None)).unwrap();
    assert_eq!(bits(&net), bits(&Small::with_seed(34)));
}

#[test]
fn saving_over_a_file_replaces_it_and_leaves_no_partial_file() {
    let dir = folder("atomic");
    let path = dir.join("model.safetensors");
    std::fs::write(&path, b"an older file").unwrap();
    // A stale partial file, as a write killed half-way leaves it, is replaced too.
    std::fs::write(dir.join("model.safetensors.partial"), b"half a file").unwrap();
    let net = Small::with_seed(35);
    net.save(&path).unwrap();
    let mut files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    assert_eq!(files, ["model.safetensors"]);
    assert_eq!(bits(&Small::load(&path).unwrap()), bits(&net));

    let other = Small::with_seed(36);
    other.save(&path).unwrap();
    assert_eq!(bits(&Small::load(&path).unwrap()), bits(&other));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn saving_into_a_missing_folder_is_an_io_error_naming_the_path() {
    let missing = folder("no_folder").join("does-not-exist");
    let path = missing.join("model.safetensors");
    let error = Small::with_seed(37).save(&path).unwrap_err();
    println!("{error}");
    match &error {
        Error::Io { path: p, kind, message } => {
            // The folder that is missing, checked before anything is written.
            assert_eq!(p, &missing);
            assert!(message.contains("model.safetensors"), "{message}");
            assert_eq!(*kind, std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
    assert!(error.to_string().contains("does-not-exist"), "{error}");
    assert!(!missing.exists());
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn saving_a_network_that_holds_non_finite_values_is_refused_and_writes_nothing() {
    let dir = folder("non_finite");
    let path = dir.join("model.safetensors");
    let mut net = Small::with_seed(38);
    net.hidden.weight[[2, 1]] = f32::NAN;
    let error = net.save(&path).unwrap_err();
    println!("{error}");
    assert!(
        matches!(&error, Error::NonFiniteParameter { layer: "hidden", parameter: "weight", index, value }
            if index == &[2, 1] && value == "NaN"),
        "{error:?}"
    );
    assert_eq!(names_in(&dir), Vec::<String>::new(), "nothing is written");
    assert_eq!(net.try_to_safetensors().unwrap_err(), error);

    // Over a file: the file keeps its weights.
    let kept = Small::with_seed(39);
    kept.save(&path).unwrap();
    let mut net = Small::with_seed(40);
    net.out.bias[1] = f32::NEG_INFINITY;
    let error = net.save(&path).unwrap_err();
    assert!(
        matches!(&error, Error::NonFiniteParameter { layer: "out", parameter: "bias", index, .. } if index == &[1]),
        "{error:?}"
    );
    assert_eq!(bits(&Small::load(&path).unwrap()), bits(&kept));
    assert_eq!(names_in(&dir), ["model.safetensors"]);

    // `to_safetensors` cannot fail: it gives the values as they are, which `from_safetensors`
    // refuses with the tensor and the index `save` named.
    let bytes = net.to_safetensors();
    assert!(matches!(
        problem(Small::from_safetensors(&bytes)),
        SafetensorsProblem::NonFinite { tensor, index, .. } if tensor == "out.bias" && index == [1]
    ));
}

#[cfg(unix)]
#[test]
fn saving_refuses_to_replace_what_is_not_a_regular_file_and_leaves_it_as_it_was() {
    use std::os::unix::fs::FileTypeExt;
    let dir = folder("special");
    let fifo = dir.join("pipe.safetensors");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let error = Small::with_seed(41).save(&fifo).unwrap_err();
    println!("{error}");
    assert!(
        matches!(&error, Error::Io { path, kind: std::io::ErrorKind::InvalidInput, message }
            if path == &fifo && message.contains("FIFO") && message.contains("regular file")),
        "{error:?}"
    );
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");

    let sub = dir.join("folder.safetensors");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("inside"), b"kept").unwrap();
    let error = Small::with_seed(42).save(&sub).unwrap_err();
    println!("{error}");
    assert!(
        matches!(&error, Error::Io { path, kind: std::io::ErrorKind::IsADirectory, message }
            if path == &sub && message.contains("folder")),
        "{error:?}"
    );
    assert_eq!(std::fs::read(sub.join("inside")).unwrap(), b"kept");

    // A path through a regular file, as if it were a folder.
    let file = dir.join("a-file");
    std::fs::write(&file, b"kept").unwrap();
    let error = Small::with_seed(43).save(file.join("model.safetensors")).unwrap_err();
    println!("{error}");
    assert!(
        matches!(&error, Error::Io { path, kind: std::io::ErrorKind::NotADirectory, .. } if path == &file),
        "{error:?}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"kept");
    // Nothing left beside them: no temporary file, no lock file.
    assert_eq!(names_in(&dir), ["a-file", "folder.safetensors", "pipe.safetensors"]);
}

#[cfg(unix)]
#[test]
fn saving_through_a_symbolic_link_replaces_the_file_it_points_to() {
    let dir = folder("symlink");
    std::fs::create_dir(dir.join("runs")).unwrap();
    let real = dir.join("runs").join("model.safetensors");
    Small::with_seed(44).save(&real).unwrap();
    let link = dir.join("latest.safetensors");
    std::os::unix::fs::symlink(Path::new("runs").join("model.safetensors"), &link).unwrap();
    let net = Small::with_seed(45);
    net.save(&link).unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert_eq!(bits(&Small::load(&real).unwrap()), bits(&net));
    assert_eq!(names_in(&dir), ["latest.safetensors", "runs"]);
    assert_eq!(names_in(&dir.join("runs")), ["model.safetensors"]);
}

/// The environment variable that makes [`child_saves_repeatedly`] save: the path to save to.
const WRITER: &str = "BACKPROP_WEIGHTS_WRITER";
/// How many times each of the two processes saves.
const SAVES: usize = 150;

/// Saves `SAVES` networks to `path`, loading the file after each attempt; returns how many saves
/// succeeded, how many were told another process was writing, and every other outcome.
fn save_repeatedly(path: &Path, seed: u64) -> (usize, usize, Vec<String>) {
    let (mut saved, mut busy, mut wrong) = (0, 0, Vec::new());
    for i in 0..SAVES {
        match Small::with_seed(seed + i as u64).save(path) {
            Ok(()) => saved += 1,
            Err(Error::Io { kind: std::io::ErrorKind::WouldBlock, message, .. })
                if message.contains("another") =>
            {
                busy += 1
            }
            Err(other) => wrong.push(format!("save {i}: {other}")),
        }
        // Whoever wrote it last, the file is whole.
        if let Err(e) = Small::load(path) {
            wrong.push(format!("load after save {i}: {e}"));
        }
    }
    (saved, busy, wrong)
}

/// Run by the two-process test in a child process: saves repeatedly and writes what happened
/// beside the path. Does nothing in a normal test run.
#[test]
fn child_saves_repeatedly() {
    let Some(path) = std::env::var_os(WRITER) else { return };
    let path = PathBuf::from(path);
    let dir = path.parent().unwrap();
    std::fs::write(dir.join("child.ready"), b"").unwrap();
    let (saved, busy, wrong) = save_repeatedly(&path, 10_000);
    let report = format!("{saved}\n{busy}\n{}", wrong.join("\n"));
    std::fs::write(dir.join("child.report"), report).unwrap();
}

#[test]
fn two_processes_saving_to_one_path_write_whole_files_or_are_told_another_is_writing() {
    let dir = folder("two_processes");
    let path = dir.join("model.safetensors");
    Small::with_seed(1).save(&path).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        // A filter, not `--exact`: the test's full name depends on the binary it is in.
        .args(["child_saves_repeatedly", "--test-threads=1"])
        .env(WRITER, &path)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while !dir.join("child.ready").exists() {
        assert!(child.try_wait().unwrap().is_none(), "the child ended before it started saving");
        std::thread::sleep(std::time::Duration::from_micros(100));
    }
    let (saved, busy, wrong) = save_repeatedly(&path, 20_000);
    assert!(child.wait().unwrap().success());
    let report = std::fs::read_to_string(dir.join("child.report")).unwrap();
    let mut lines = report.lines();
    let child_saved: usize = lines.next().unwrap().parse().unwrap();
    let child_busy: usize = lines.next().unwrap().parse().unwrap();
    let child_wrong: Vec<&str> = lines.collect();
    println!(
        "this process: {saved} saved, {busy} told another was writing; the child: {child_saved}, {child_busy}"
    );
    assert_eq!(wrong, Vec::<String>::new(), "this process");
    assert_eq!(child_wrong, Vec::<&str>::new(), "the child");
    assert_eq!((saved + busy, child_saved + child_busy), (SAVES, SAVES));
    // A writer is told another is writing only while that one holds the lock and saves, so
    // some saves succeeded (which process's depends on the scheduler).
    assert!(saved + child_saved > 0, "no save succeeded");
    // The file is a network one of them saved, whole; no temporary or lock file is left.
    let last = bits(&Small::load(&path).unwrap());
    assert!(
        (0..SAVES as u64)
            .any(|i| [10_000 + i, 20_000 + i].iter().any(|&s| bits(&Small::with_seed(s)) == last)),
        "the file is not a network either process saved"
    );
    assert_eq!(names_in(&dir), ["child.ready", "child.report", "model.safetensors"]);
    // With the other process gone, the path is free.
    Small::with_seed(2).save(&path).unwrap();
    assert_eq!(bits(&Small::load(&path).unwrap()), bits(&Small::with_seed(2)));
}

/// The environment variable that makes [`special_files_are_refused_at_once`] run its cases
/// (in the child process it starts) rather than start the child.
const SPECIAL_FILES_CHILD: &str = "BACKPROP_SPECIAL_FILES_CHILD";

/// Loading what is not a regular file — a device that never ends (`/dev/zero`, `/dev/full`,
/// `/dev/urandom`), a FIFO with no writer, a folder — is an `Error::Io` of kind
/// `InvalidInput` naming what the path is, returned at once: no read of an endless stream, no
/// wait for a writer. `resume` reads checkpoints through the same function.
///
/// The cases run in a child process whose address space is capped (`ulimit -v`, 4 GiB), so that
/// a loader that reads an endless device into memory fails this test rather than exhausting the
/// machine.
#[test]
#[cfg(unix)]
fn special_files_are_refused_at_once() {
    use std::process::{Command, Stdio};
    if std::env::var_os(SPECIAL_FILES_CHILD).is_some() {
        special_files_child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 4194304 && exec "$0" "$@""#)
        .arg(&exe)
        // A filter, not `--exact`: the test's full name depends on the binary it is in.
        .args(["special_files_are_refused_at_once", "--test-threads=1", "--nocapture"])
        .env(SPECIAL_FILES_CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // A loader that blocked (on a FIFO with no writer) would leave the child, and so this test,
    // waiting: the harness reports a test running for over a minute and CI's `timeout` fails it.
    let output = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    println!("{out}");
    assert!(output.status.success(), "the child failed ({}):\n{out}", output.status);
    assert!(out.contains("special files: all refused"), "{out}");
}

/// The cases of [`special_files_are_refused_at_once`], run in its child process.
#[cfg(unix)]
fn special_files_child() {
    let dir = folder("special_files");
    let fifo = dir.join("fifo");
    std::fs::remove_file(&fifo).ok();
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let expect_refused = |path: &Path, error: Error, what: &str| match &error {
        Error::Io { path: p, kind: std::io::ErrorKind::InvalidInput, message } => {
            assert_eq!(p, path);
            assert!(message.contains("not a regular file") && message.contains(what), "{message}");
            println!("{error}");
        }
        other => panic!("{}: expected Error::Io of kind InvalidInput, got {other:?}", path.display()),
    };
    for (path, what) in [
        (Path::new("/dev/zero"), "device"),
        (Path::new("/dev/full"), "device"),
        (Path::new("/dev/urandom"), "device"),
        (fifo.as_path(), "FIFO"),
        (dir.as_path(), "folder"),
    ] {
        expect_refused(path, Small::load(path).unwrap_err(), what);
        let mut net = Small::with_seed(1);
        expect_refused(path, net.load_into(path).unwrap_err(), what);
        assert_eq!(net, Small::with_seed(1));
    }
    let x = backprop::ndarray::Array2::<f32>::zeros((4, 4));
    let labels = [0, 1, 2, 0];
    let mut trainer = Trainer::new(Sgd::new(0.1).unwrap()).epochs(1).progress(backprop::train::Progress::Off);
    for (path, what) in [(Path::new("/dev/zero"), "device"), (fifo.as_path(), "FIFO")] {
        let mut net = Small::with_seed(1);
        let error = trainer.resume(path, &mut net, x.view(), &labels[..]).unwrap_err();
        expect_refused(path, error.into(), what);
    }
    std::fs::remove_dir_all(&dir).ok();
    println!("special files: all refused");
}
