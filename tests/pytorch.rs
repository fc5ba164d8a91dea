//! Interoperability with PyTorch: weights written by PyTorch load into a `network!` and give the
//! logits PyTorch computed, and what the library writes has PyTorch's names, shapes and bits.
//!
//! The fixtures in `tests/fixtures/pytorch/` were made by `make_fixtures.py` there (PyTorch 2.15,
//! safetensors 0.8; see its README): `nn.Module`s whose `nn.Linear` attributes are named like the
//! layers below, initialised by PyTorch's own default init after `torch.manual_seed`, written with
//! `safetensors.torch.save_file(model.state_dict(), path)` (no metadata of ours). `expected.json`
//! holds, per fixture, the inputs, the logits PyTorch computed for them, and the state_dict.
//!
//! - `mlp_f32`: `hidden: Linear(4, 8)`, tanh, `out: Linear(8, 3)` in float32; logits within
//!   1e-6 · max(|z|, 1) of PyTorch's.
//! - `mlp_f16`, `mlp_bf16`: the same model cast to float16 and bfloat16; the library converts the
//!   tensors exactly to f32, and PyTorch computed the logits in float32 from the cast weights cast
//!   back up, so the same 1e-6 applies.
//! - `mlp_f64`: `hidden1: Linear(5, 16)`, relu, `hidden2: Linear(16, 8)`, relu, `logits:
//!   Linear(8, 2)` in float64; logits within 1e-12 · max(|z|, 1).
//! - `sequential_f32`: an `nn.Sequential` of five `Linear`s with ReLU, tanh, sigmoid and dropout
//!   between them, whose tensors PyTorch names by position (`0.weight` … `11.bias`), loaded with
//!   `LoadOptions::layers_by_position` and with a `rename`; logits within 1e-6 · max(|z|, 1).
//!   The same file loaded plainly, or with names mapped wrong, is refused with the file's names,
//!   the nearest, and the option to use, and the network is left as it was.
//!
//! For each fixture, `from_safetensors` (of the bytes, via `include_bytes!`) and `load` (of the
//! path) give the same network, whose weights are bit for bit the values in the file, decoded here
//! independently of the library, and the values of PyTorch's state_dict in `expected.json`. Then
//! `to_safetensors` writes tensors named, shaped and (for float32 and float64) encoded exactly as
//! in PyTorch's file, which `from_safetensors`, `load` and `load_into` read back bit for bit.
//! The written files stay in `target/tmp/pytorch_<fixture>.safetensors`, for
//! `tests/fixtures/pytorch/check_written_by_backprop.py` to open them with PyTorch.
//!
//! The largest differences are printed (`cargo test --test integration pytorch -- --nocapture`);
//! measured when the fixtures were made: 1.2e-7 (one f32 unit in the last place of a logit
//! near 1) for the float32, float16 and bfloat16 fixtures, 2.8e-17 for the float64 one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use backprop::io::SafetensorsProblem;
use backprop::ndarray::Array2;
use backprop::prelude::*;
use backprop::{Error, Float};
use serde_json::Value;

network! {
    /// PyTorch's `hidden: Linear(4, 8)`, tanh, `out: Linear(8, 3)`: the float32, float16 and
    /// bfloat16 fixtures.
    #[derive(Clone, Debug)]
    pub struct TorchF32<f32> { input: 4, hidden: 8 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// PyTorch's `hidden1: Linear(5, 16)`, relu, `hidden2: Linear(16, 8)`, relu,
    /// `logits: Linear(8, 2)`: the float64 fixture.
    #[derive(Clone, Debug)]
    pub struct TorchF64<f64> {
        input: 5,
        hidden1: 16 => Relu,
        hidden2: 8 => Relu,
        logits: 2,
        cost: SoftmaxCrossEntropy,
    }
}

/// Logits of an f32 network may differ from PyTorch's by this much, relative to max(|z|, 1).
const F32_TOLERANCE: f64 = 1e-6;
/// Logits of an f64 network may differ from PyTorch's by this much, relative to max(|z|, 1).
const F64_TOLERANCE: f64 = 1e-12;

const EXPECTED: &str = include_str!("fixtures/pytorch/expected.json");

/// The entry of `expected.json` for one fixture.
fn expected(fixture: &str) -> Value {
    let all: Value = serde_json::from_str(EXPECTED).unwrap();
    let entry = all["fixtures"][fixture].clone();
    assert!(entry.is_object(), "expected.json has no fixture {fixture}");
    entry
}

/// The path of a file in `tests/fixtures/pytorch/`.
fn fixture_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pytorch").join(file)
}

/// Where a test writes the file of a fixture saved by the library.
fn written_path(fixture: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pytorch_{fixture}.safetensors"))
}

fn numbers(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect()
}

/// A JSON matrix (a list of rows) as an `Array2<f64>`.
fn matrix(value: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = value.as_array().unwrap().iter().map(numbers).collect();
    let columns = rows[0].len();
    assert!(rows.iter().all(|row| row.len() == columns), "ragged matrix in expected.json");
    Array2::from_shape_vec((rows.len(), columns), rows.concat()).unwrap()
}

/// A JSON tensor of any rank as its shape and its values in row-major order.
fn tensor(value: &Value) -> (Vec<usize>, Vec<f64>) {
    match value.as_array() {
        Some(items) if items.first().is_some_and(Value::is_array) => {
            let parts: Vec<_> = items.iter().map(tensor).collect();
            let mut shape = vec![parts.len()];
            shape.extend_from_slice(&parts[0].0);
            (shape, parts.into_iter().flat_map(|(_, values)| values).collect())
        }
        Some(items) => (vec![items.len()], numbers(value)),
        None => panic!("not a tensor in expected.json: {value}"),
    }
}

/// One tensor of a safetensors file, decoded by [`read_safetensors`].
#[derive(Debug)]
struct RawTensor {
    dtype: String,
    shape: Vec<usize>,
    /// The values widened to f64, which is exact for every dtype read here.
    values: Vec<f64>,
    /// The little-endian bytes of the values, as stored.
    bytes: Vec<u8>,
}

/// A half-precision (IEEE 754 binary16) number, widened exactly.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 == 0 { 1.0 } else { -1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    match exponent {
        0 => sign * fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        _ => sign * (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
    }
}

/// Reads a safetensors file here, independently of the library: an 8-byte little-endian header
/// length, a JSON header (`"name": {"dtype", "shape", "data_offsets"}` and an optional
/// `"__metadata__"` of strings), then the data. Returns the tensors by name and the metadata.
fn read_safetensors(bytes: &[u8]) -> (BTreeMap<String, RawTensor>, BTreeMap<String, String>) {
    let header_len = usize::try_from(u64::from_le_bytes(bytes[..8].try_into().unwrap())).unwrap();
    let header: BTreeMap<String, Value> = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let data = &bytes[8 + header_len..];
    let mut tensors = BTreeMap::new();
    let mut metadata = BTreeMap::new();
    for (name, entry) in header {
        if name == "__metadata__" {
            for (key, value) in entry.as_object().unwrap() {
                metadata.insert(key.clone(), value.as_str().unwrap().to_owned());
            }
            continue;
        }
        let dtype = entry["dtype"].as_str().unwrap().to_owned();
        let shape: Vec<usize> = entry["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| usize::try_from(d.as_u64().unwrap()).unwrap())
            .collect();
        let offsets: Vec<usize> = entry["data_offsets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| usize::try_from(d.as_u64().unwrap()).unwrap())
            .collect();
        let raw = data[offsets[0]..offsets[1]].to_vec();
        let values: Vec<f64> = match dtype.as_str() {
            "F64" => raw.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect(),
            "F32" => {
                raw.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap()))).collect()
            }
            "F16" => {
                raw.chunks_exact(2).map(|c| f16_to_f64(u16::from_le_bytes(c.try_into().unwrap()))).collect()
            }
            "BF16" => raw
                .chunks_exact(2)
                .map(|c| {
                    f64::from(f32::from_bits(u32::from(u16::from_le_bytes(c.try_into().unwrap())) << 16))
                })
                .collect(),
            other => panic!("{name}: unexpected dtype {other}"),
        };
        assert_eq!(
            values.len(),
            shape.iter().product::<usize>(),
            "{name}: shape {shape:?} and data disagree"
        );
        tensors.insert(name, RawTensor { dtype, shape, values, bytes: raw });
    }
    (tensors, metadata)
}

/// A value of the network's float widened to f64, exactly (`Float::to_f64`, not num-traits'
/// `ToPrimitive::to_f64`, which method syntax would pick on a reference).
fn wide<F: Float>(x: F) -> f64 {
    Float::to_f64(x)
}

/// Every parameter of a network under its PyTorch state_dict name (`hidden1.weight`,
/// `hidden1.bias`), with its shape and its values widened to f64 (exactly).
fn parameters<F: Float, N: Network<F>>(net: &N) -> BTreeMap<String, (Vec<usize>, Vec<f64>)> {
    let mut all = BTreeMap::new();
    net.visit_parameters(&mut |p| {
        let weight = p.weight.iter().map(|&w| wide(w)).collect();
        all.insert(format!("{}.weight", p.layer), (p.weight.shape().to_vec(), weight));
        let bias = p.bias.iter().map(|&b| wide(b)).collect();
        all.insert(format!("{}.bias", p.layer), (p.bias.shape().to_vec(), bias));
    });
    all
}

/// Asserts that two sets of parameters have the same names, shapes and bits.
fn assert_bit_identical(
    what: &str,
    got: &BTreeMap<String, (Vec<usize>, Vec<f64>)>,
    want: &BTreeMap<String, (Vec<usize>, Vec<f64>)>,
) {
    assert_within_ulps(what, got, want, 0);
}

/// Asserts that two sets of parameters have the same names and shapes, and values at most `ulps`
/// f64 units in the last place apart.
fn assert_within_ulps(
    what: &str,
    got: &BTreeMap<String, (Vec<usize>, Vec<f64>)>,
    want: &BTreeMap<String, (Vec<usize>, Vec<f64>)>,
    ulps: u64,
) {
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{what}: tensor names");
    for (name, (shape, values)) in got {
        let (want_shape, want_values) = &want[name];
        assert_eq!(shape, want_shape, "{what}: shape of {name}");
        for (i, (a, b)) in values.iter().zip(want_values).enumerate() {
            let apart = if a.is_sign_negative() == b.is_sign_negative() {
                a.to_bits().abs_diff(b.to_bits())
            } else {
                u64::from(a != b) * u64::MAX
            };
            assert!(apart <= ulps, "{what}: {name}[{i}] is {a:e}, expected {b:e} ({apart} ulps apart)");
        }
    }
}

/// The tensors of a file as parameters: shape and widened values.
fn as_parameters(tensors: &BTreeMap<String, RawTensor>) -> BTreeMap<String, (Vec<usize>, Vec<f64>)> {
    tensors.iter().map(|(name, t)| (name.clone(), (t.shape.clone(), t.values.clone()))).collect()
}

/// The largest |got − want| / max(|want|, 1) and the largest |got − want| over all entries.
fn max_difference<F: Float>(got: &Array2<F>, want: &Array2<f64>) -> (f64, f64) {
    assert_eq!(got.shape(), want.shape(), "shape of the logits");
    got.iter().zip(want).fold((0.0, 0.0), |(relative, absolute), (a, b)| {
        let difference = (wide(*a) - b).abs();
        assert!(difference.is_finite(), "logit {a} against {b}");
        (f64::max(relative, difference / b.abs().max(1.0)), f64::max(absolute, difference))
    })
}

/// Checks a network loaded from a PyTorch fixture both ways (`from_bytes` by
/// `from_safetensors`, `from_file` by `load`): its parameters are the file's and the
/// state_dict's, and its logits PyTorch's, within `tolerance`. Returns the largest relative
/// difference of the logits.
fn check_fixture<F: Float, N: Network<F>>(
    fixture: &str,
    from_bytes: &N,
    from_file: &N,
    tolerance: f64,
) -> f64 {
    check_renamed_fixture(fixture, from_bytes, from_file, tolerance, &|name| name.to_owned())
}

/// [`check_fixture`] of a fixture whose tensor `name` is the network's `to_network(name)`.
fn check_renamed_fixture<F: Float, N: Network<F>>(
    fixture: &str,
    from_bytes: &N,
    from_file: &N,
    tolerance: f64,
    to_network: &dyn Fn(&str) -> String,
) -> f64 {
    let entry = expected(fixture);
    let file = entry["file"].as_str().unwrap();
    let (tensors, metadata) = read_safetensors(&std::fs::read(fixture_path(file)).unwrap());
    let tensors: BTreeMap<String, RawTensor> =
        tensors.into_iter().map(|(name, tensor)| (to_network(&name), tensor)).collect();
    assert!(metadata.is_empty(), "{file} was written by PyTorch without metadata: {metadata:?}");

    // Both ways of loading give the same network, whose weights are the bits in the file.
    let loaded = parameters(from_bytes);
    assert_bit_identical(
        &format!("{fixture}: load against from_safetensors"),
        &parameters(from_file),
        &loaded,
    );
    assert_bit_identical(&format!("{fixture}: loaded against the file"), &loaded, &as_parameters(&tensors));

    // ... and PyTorch's state_dict as Python printed it (shortest round-trip repr), rounded to
    // the network's float. serde_json, without its `float_roundtrip` feature (not enabled here),
    // may parse such a number 1 ulp away from its f64 value: that survives the rounding to f32
    // (the values of the float32, float16 and bfloat16 fixtures are f32 numbers), so those match
    // bit for bit, but the f64 values are allowed 1 ulp. The bits of the f64 weights are checked
    // against the file just above.
    let state_dict: BTreeMap<String, (Vec<usize>, Vec<f64>)> = entry["state_dict"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| {
            let (shape, values) = tensor(value);
            (to_network(name), (shape, values.into_iter().map(|v| wide(F::of(v))).collect()))
        })
        .collect();
    let ulps = if F::NAME == "f32" { 0 } else { 1 };
    assert_within_ulps(&format!("{fixture}: loaded against expected.json"), &loaded, &state_dict, ulps);

    // The logits.
    let x = matrix(&entry["inputs"]);
    let x_f = x.mapv(F::of);
    assert!(
        x_f.iter().zip(&x).all(|(&a, &b)| (wide(a) - b).abs() <= f64::EPSILON * b.abs()),
        "{fixture}: inputs are not {} numbers",
        F::NAME
    );
    let want = matrix(&entry["logits"]);
    let z = from_bytes.forward(x_f.view()).unwrap();
    let z_file = from_file.forward(x_f.view()).unwrap();
    assert!(z.iter().zip(&z_file).all(|(&a, &b)| wide(a).to_bits() == wide(b).to_bits()));
    let (relative, absolute) = max_difference(&z, &want);
    println!(
        "{fixture} ({}, {} samples): max |z − z_torch| = {absolute:e}, max |z − z_torch| / max(|z_torch|, 1) = \
         {relative:e} (tolerance {tolerance:e})",
        tensors.values().next().unwrap().dtype,
        x.nrows(),
    );
    assert!(
        relative <= tolerance,
        "{fixture}: logits differ from PyTorch's by {relative:e} relative, more than {tolerance:e}\n\
         got {z:?}\nexpected {want:?}"
    );
    relative
}

/// Writes a loaded network with the library and checks what was written: PyTorch's tensor names
/// and shapes, the network's float as dtype, the same bits, readable again by
/// `from_safetensors`, `load` and `load_into` (into `other`, a different network). When the
/// fixture has the network's float, the tensors' bytes are the bytes PyTorch wrote.
fn check_written<F: Float, N: Network<F>>(fixture: &str, net: &N, mut other: N) {
    let entry = expected(fixture);
    let (original, _) =
        read_safetensors(&std::fs::read(fixture_path(entry["file"].as_str().unwrap())).unwrap());
    let bytes = net.to_safetensors();
    let (written, metadata) = read_safetensors(&bytes);
    println!("{fixture}: to_safetensors wrote {} bytes, metadata {metadata:?}", bytes.len());

    let want = parameters(net);
    assert_bit_identical(&format!("{fixture}: written"), &as_parameters(&written), &want);
    let dtype = if F::NAME == "f32" { "F32" } else { "F64" };
    for (name, tensor) in &written {
        assert_eq!(tensor.dtype, dtype, "{fixture}: dtype of {name}");
        assert_eq!(tensor.shape, original[name].shape, "{fixture}: shape of {name} against PyTorch's");
        if original[name].dtype == dtype {
            assert_eq!(tensor.bytes, original[name].bytes, "{fixture}: bytes of {name} against PyTorch's");
        }
    }

    let back = N::from_safetensors(&bytes).unwrap();
    assert_bit_identical(&format!("{fixture}: from_safetensors(to_safetensors)"), &parameters(&back), &want);

    let path = written_path(fixture);
    net.save(&path).unwrap();
    // The same tensors and metadata as `to_safetensors` (not necessarily the same bytes: the
    // order of the metadata's keys in the header is not specified).
    let (saved, saved_metadata) = read_safetensors(&std::fs::read(&path).unwrap());
    assert_bit_identical(&format!("{fixture}: saved"), &as_parameters(&saved), &want);
    assert_eq!(saved_metadata, metadata, "{fixture}: metadata of save and to_safetensors");
    let loaded = N::load(&path).unwrap();
    assert_bit_identical(&format!("{fixture}: load(save)"), &parameters(&loaded), &want);
    assert!(parameters(&other) != want, "{fixture}: the network to load into already has the weights");
    other.load_into(&path).unwrap();
    assert_bit_identical(&format!("{fixture}: load_into(save)"), &parameters(&other), &want);

    let x = matrix(&expected(fixture)["inputs"]).mapv(F::of);
    let z = net.forward(x.view()).unwrap();
    let z_back = loaded.forward(x.view()).unwrap();
    assert!(z.iter().zip(&z_back).all(|(&a, &b)| wide(a).to_bits() == wide(b).to_bits()));
}

#[test]
fn float32_weights_from_pytorch() {
    let from_bytes =
        TorchF32::from_safetensors(include_bytes!("fixtures/pytorch/mlp_f32.safetensors")).unwrap();
    let from_file = TorchF32::load(fixture_path("mlp_f32.safetensors")).unwrap();
    check_fixture("mlp_f32", &from_bytes, &from_file, F32_TOLERANCE);
    check_written("mlp_f32", &from_bytes, TorchF32::with_seed(0));
}

#[test]
fn float16_weights_from_pytorch() {
    let from_bytes =
        TorchF32::from_safetensors(include_bytes!("fixtures/pytorch/mlp_f16.safetensors")).unwrap();
    let from_file = TorchF32::load(fixture_path("mlp_f16.safetensors")).unwrap();
    check_fixture("mlp_f16", &from_bytes, &from_file, F32_TOLERANCE);
    check_written("mlp_f16", &from_bytes, TorchF32::with_seed(0));
}

#[test]
fn bfloat16_weights_from_pytorch() {
    let from_bytes =
        TorchF32::from_safetensors(include_bytes!("fixtures/pytorch/mlp_bf16.safetensors")).unwrap();
    let from_file = TorchF32::load(fixture_path("mlp_bf16.safetensors")).unwrap();
    check_fixture("mlp_bf16", &from_bytes, &from_file, F32_TOLERANCE);
    check_written("mlp_bf16", &from_bytes, TorchF32::with_seed(0));
}

#[test]
fn float64_weights_from_pytorch() {
    let from_bytes =
        TorchF64::from_safetensors(include_bytes!("fixtures/pytorch/mlp_f64.safetensors")).unwrap();
    let from_file = TorchF64::load(fixture_path("mlp_f64.safetensors")).unwrap();
    check_fixture("mlp_f64", &from_bytes, &from_file, F64_TOLERANCE);
    check_written("mlp_f64", &from_bytes, TorchF64::with_seed(0));
}

network! {
    /// PyTorch's `nn.Sequential(Linear(6, 16), ReLU, Dropout, Linear(16, 12), Tanh, Dropout,
    /// Linear(12, 10), Sigmoid, Dropout, Linear(10, 8), ReLU, Linear(8, 3))`: the
    /// `sequential_f32` fixture, whose tensors are `0.weight`, `3.weight`, `6.weight`,
    /// `9.weight`, `11.weight` and their biases.
    #[derive(Clone, Debug)]
    pub struct Sequential<f32> {
        input: 6,
        hidden1: 16 => Relu,
        hidden2: 12 => Tanh,
        hidden3: 10 => Sigmoid,
        hidden4: 8 => Relu,
        out: 3,
        cost: SoftmaxCrossEntropy,
    }
}

const SEQUENTIAL: &[u8] = include_bytes!("fixtures/pytorch/sequential_f32.safetensors");

/// The fixture's tensor names, sorted as text.
const SEQUENTIAL_NAMES: [&str; 10] = [
    "0.bias",
    "0.weight",
    "11.bias",
    "11.weight",
    "3.bias",
    "3.weight",
    "6.bias",
    "6.weight",
    "9.bias",
    "9.weight",
];

/// The network's name of a tensor of the `sequential_f32` fixture, written out here: the
/// Linear modules 0, 3, 6, 9 and 11 are the layers `hidden1` … `out`.
fn sequential_layer(name: &str) -> String {
    let (index, parameter) = name.split_once('.').unwrap();
    let layer = match index {
        "0" => "hidden1",
        "3" => "hidden2",
        "6" => "hidden3",
        "9" => "hidden4",
        "11" => "out",
        other => panic!("no module {other} in the fixture"),
    };
    format!("{layer}.{parameter}")
}

/// The problem of a refused load.
fn problem(error: Error) -> SafetensorsProblem {
    match error {
        Error::Safetensors { problem, .. } => problem,
        other => panic!("expected Error::Safetensors, got {other:?}"),
    }
}

/// Loads the file of an `nn.Sequential` with `layers_by_position`, both ways, and gets
/// PyTorch's logits: the fixture's modules 0, 3, 6, 9 and 11, in numeric order (their text
/// order, 0, 11, 3, 6, 9, gives misshapen layers).
#[test]
fn sequential_weights_from_pytorch_by_position() {
    let options = LoadOptions::new().layers_by_position();
    let from_bytes = Sequential::from_safetensors_with(SEQUENTIAL, &options).unwrap();
    let from_file = Sequential::load_with(fixture_path("sequential_f32.safetensors"), &options).unwrap();
    check_renamed_fixture("sequential_f32", &from_bytes, &from_file, F32_TOLERANCE, &sequential_layer);

    // Into existing networks, through a file and from bytes.
    let mut into = Sequential::with_seed(3);
    into.load_into_with(fixture_path("sequential_f32.safetensors"), &options).unwrap();
    let mut into_bytes = Sequential::with_seed(4);
    into_bytes.load_safetensors_into_with(SEQUENTIAL, &options).unwrap();
    check_renamed_fixture("sequential_f32", &into, &into_bytes, F32_TOLERANCE, &sequential_layer);
}

/// A rename closure that names each module loads the same network as `layers_by_position`.
#[test]
fn sequential_weights_from_pytorch_renamed() {
    let options = LoadOptions::new().rename(sequential_layer);
    let renamed = Sequential::from_safetensors_with(SEQUENTIAL, &options).unwrap();
    let from_file = Sequential::load_with(fixture_path("sequential_f32.safetensors"), &options).unwrap();
    check_renamed_fixture("sequential_f32", &renamed, &from_file, F32_TOLERANCE, &sequential_layer);
    let by_position = Sequential::from_safetensors_with(SEQUENTIAL, &LoadOptions::new().layers_by_position());
    assert_bit_identical(
        "rename against layers_by_position",
        &parameters(&renamed),
        &parameters(&by_position.unwrap()),
    );

    // A rename, then positions: a module that holds the Sequential as `model` has `model.0.weight`.
    let prefixed = LoadOptions::new().rename(|name| format!("model.{name}")).layers_by_position();
    let error = problem(Sequential::from_safetensors_with(SEQUENTIAL, &prefixed).unwrap_err());
    assert!(
        matches!(&error, SafetensorsProblem::MissingTensor { tensor, .. } if tensor == "hidden1.weight"),
        "{error}"
    );
    let stripped = LoadOptions::new()
        .rename(|name| format!("model.{name}").trim_start_matches("model.").to_owned())
        .layers_by_position();
    let net = Sequential::from_safetensors_with(SEQUENTIAL, &stripped).unwrap();
    assert_bit_identical("prefix stripped, then by position", &parameters(&net), &parameters(&renamed));
}

/// A plain load of an `nn.Sequential`'s file says which tensor is missing, lists the file's
/// names with the nearest, and names the option that loads it.
#[test]
fn a_plain_load_of_a_sequential_lists_the_names_and_the_option() {
    let error = Sequential::load(fixture_path("sequential_f32.safetensors")).unwrap_err();
    let message = error.to_string();
    println!("{message}");
    let expected = SafetensorsProblem::MissingTensor {
        tensor: "hidden1.weight".into(),
        shape: vec![16, 6],
        in_file: SEQUENTIAL_NAMES.iter().map(|n| (*n).to_owned()).collect(),
        // The first module's, which `layers_by_position` loads as `hidden1.weight` (Levenshtein's
        // distance would say `11.weight`, 6 edits away, against 7 for `0.weight`).
        nearest: Some("0.weight".into()),
    };
    assert_eq!(problem(error), expected);
    assert!(message.contains("`0.bias`, `0.weight`, `11.bias`, `11.weight`, `3.bias`"), "{message}");
    assert!(message.contains("the nearest is `0.weight`"), "{message}");

    assert!(message.contains("LoadOptions::new().layers_by_position()"), "{message}");
    assert!(!message.contains("rename"), "{message}");
}

/// A rename that leaves a name the network does not have: the missing tensor's error lists the
/// names as renamed, with the nearest, and says how to map them.
#[test]
fn a_rename_that_misses_a_layer_lists_the_renamed_names() {
    let options = LoadOptions::new().rename(|name| sequential_layer(name).replace("out.", "output."));
    let expected = SafetensorsProblem::MissingTensor {
        tensor: "out.weight".into(),
        shape: vec![3, 8],
        in_file: [
            "hidden1.bias",
            "hidden1.weight",
            "hidden2.bias",
            "hidden2.weight",
            "hidden3.bias",
            "hidden3.weight",
            "hidden4.bias",
            "hidden4.weight",
            "output.bias",
            "output.weight",
        ]
        .map(str::to_owned)
        .to_vec(),
        // Distance 3 to `output.weight`, 7 or more to the others.
        nearest: Some("output.weight".into()),
    };
    let message = refused_unchanged("missing", SEQUENTIAL, &options, &expected);
    assert!(message.contains("the nearest is `output.weight`"), "{message}");
    assert!(message.contains("LoadOptions::new().rename(|name| ...)"), "{message}");
}

/// A rename that maps two tensors to one name is refused, naming both.
#[test]
fn a_rename_to_a_duplicate_name_is_refused() {
    let options = LoadOptions::new().rename(|name| sequential_layer(&name.replace("11.", "9.")));
    let expected = SafetensorsProblem::DuplicateTensor {
        tensor: "hidden4.bias".into(),
        first: "11.bias".into(),
        second: "9.bias".into(),
    };
    let message = refused_unchanged("duplicate", SEQUENTIAL, &options, &expected);
    assert!(message.contains("`11.bias` and `9.bias` both load as `hidden4.bias`"), "{message}");

    // Two spellings of one index, by position.
    let options = LoadOptions::new()
        .rename(|name| name.replace("11.", "011.").replace("9.", "11."))
        .layers_by_position();
    // Renamed, indices 0, 3, 6, 011 and 11: four layers, `011` and `11` both the fourth. The
    // error names the tensors as the file does.
    let expected = SafetensorsProblem::DuplicateTensor {
        tensor: "hidden4.bias".into(),
        first: "11.bias".into(),
        second: "9.bias".into(),
    };
    refused_unchanged("duplicate_index", SEQUENTIAL, &options, &expected);
}

/// A file with one layer too many or too few, by position: the extra index keeps its name, and
/// a missing one is a missing tensor; the network is unchanged.
#[test]
fn by_position_with_another_number_of_layers_is_refused() {
    let options = LoadOptions::new().layers_by_position();
    let missing = LoadOptions::new().rename(|name| name.replace("11.", "x.")).layers_by_position();
    let error = problem(Sequential::from_safetensors_with(SEQUENTIAL, &missing).unwrap_err());
    assert!(
        matches!(&error, SafetensorsProblem::MissingTensor { tensor, nearest, .. }
            if tensor == "out.weight" && nearest.as_deref() == Some("x.weight")),
        "{error}"
    );
    let mut net = TorchF32::with_seed(5);
    let before = parameters(&net);
    let error = problem(net.load_safetensors_into_with(SEQUENTIAL, &options).unwrap_err());
    // The first two modules, 0 and 3, are `hidden` and `out`; 0 is `hidden`, 16 × 6 is not 8 × 4.
    assert!(
        matches!(&error, SafetensorsProblem::Shape { tensor, .. } if tensor == "hidden.weight"),
        "{error}"
    );
    assert_bit_identical("a refused load", &parameters(&net), &before);
}

/// Loads `bytes` (through the file `test` names, for a file) with `options` four ways, each refused with `expected` and leaving the network
/// as it was; returns the message.
fn refused_unchanged(
    test: &str,
    bytes: &[u8],
    options: &LoadOptions,
    expected: &SafetensorsProblem,
) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pytorch_refused_{test}.safetensors"));
    std::fs::write(&path, bytes).unwrap();
    let mut net = Sequential::with_seed(7);
    let before = parameters(&net);
    assert_eq!(&problem(net.load_into_with(&path, options).unwrap_err()), expected);
    assert_bit_identical("load_into_with refused", &parameters(&net), &before);
    assert_eq!(&problem(net.load_safetensors_into_with(bytes, options).unwrap_err()), expected);
    assert_bit_identical("load_safetensors_into_with refused", &parameters(&net), &before);
    assert_eq!(&problem(Sequential::load_with(&path, options).unwrap_err()), expected);
    let error = Sequential::from_safetensors_with(bytes, options).unwrap_err();
    let message = error.to_string();
    assert_eq!(&problem(error), expected);
    message
}

/// The half-precision decoder of this test against values known exactly.
#[test]
fn f16_decoder() {
    assert_eq!(f16_to_f64(0x3c00), 1.0);
    assert_eq!(f16_to_f64(0xc000), -2.0);
    assert_eq!(f16_to_f64(0x3555), 0.333_251_953_125);
    assert_eq!(f16_to_f64(0x7bff), 65504.0);
    assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
    assert_eq!(f16_to_f64(0x0400), 2f64.powi(-14));
    assert_eq!(f16_to_f64(0xfc00), f64::NEG_INFINITY);
    assert!(f16_to_f64(0x7e00).is_nan());
}

/// The fixtures embedded when this test compiles, by `include_weights!`.
static EMBEDDED_F32: TorchF32Fixed =
    backprop::include_weights!(TorchF32, "tests/fixtures/pytorch/mlp_f32.safetensors");
static EMBEDDED_F16: TorchF32Fixed =
    backprop::include_weights!(TorchF32, "tests/fixtures/pytorch/mlp_f16.safetensors");
static EMBEDDED_BF16: TorchF32Fixed =
    backprop::include_weights!(TorchF32, "tests/fixtures/pytorch/mlp_bf16.safetensors");
static EMBEDDED_F64: TorchF64Fixed =
    backprop::include_weights!(TorchF64, "tests/fixtures/pytorch/mlp_f64.safetensors");

#[test]
fn weights_embedded_at_compile_time_are_the_weights_load_reads() -> Result<(), Error> {
    // F32, F16 and BF16 into f32, and F64 into f64: exactly what `load` converts them to.
    for (file, embedded) in [
        ("mlp_f32.safetensors", &EMBEDDED_F32),
        ("mlp_f16.safetensors", &EMBEDDED_F16),
        ("mlp_bf16.safetensors", &EMBEDDED_BF16),
    ] {
        let loaded = TorchF32::load(fixture_path(file))?;
        assert_eq!(&loaded.to_fixed()?, embedded, "{file}");
        let x = [0.5, -1.0, 0.25, 2.0];
        assert_eq!(embedded.predict_one(&x).map(f32::to_bits), loaded.predict_one(&x)?.map(f32::to_bits));
    }
    let loaded = TorchF64::load(fixture_path("mlp_f64.safetensors"))?;
    assert_eq!(loaded.to_fixed()?, EMBEDDED_F64);
    // The values PyTorch wrote, spot-checked: the first weight of `hidden1`, exactly.
    assert_eq!(EMBEDDED_F64.hidden1.weight[0][0], loaded.hidden1.weight[[0, 0]]);
    assert!(EMBEDDED_F64.hidden1.weight[0][0] != 0.0 && EMBEDDED_F64.logits.bias.iter().any(|&b| b != 0.0));
    Ok(())
}
