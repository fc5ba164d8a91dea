//! A network's weights as a safetensors file that PyTorch reads as a `state_dict`.

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array1, Array2, Ix1, Ix2};

use super::SafetensorsProblem;
use super::options::LoadOptions;
use super::tensors::{Tensor, TensorFile};
use crate::cost::Cost;
use crate::error::Error;
use crate::error::safetensors::positional;
use crate::float::Float;
use crate::network::Network;
use crate::parameters::LayerInfo;

/// The `__metadata__` key of the library's version.
pub const VERSION_KEY: &str = "backprop.version";
/// The `__metadata__` key of the network's type name.
pub const NETWORK_KEY: &str = "backprop.network";
/// The `__metadata__` key of the layers: a JSON array of `{"name", "inputs", "outputs",
/// "activation"}` objects, first layer first.
pub const LAYERS_KEY: &str = "backprop.layers";
/// The `__metadata__` key of the cost's name.
pub const COST_KEY: &str = "backprop.cost";
/// The `__metadata__` key of the float type the network computes in, `f32` or `f64`.
pub const FLOAT_KEY: &str = "backprop.float";

/// The tensors of `net`'s parameters, named as PyTorch names the parameters of a module whose
/// `nn.Linear` attributes are named like the layers: `<layer>.weight` (OUT × IN) and
/// `<layer>.bias`, prefixed with `prefix`.
pub(crate) fn parameter_tensors<F: Float, N: Network<F>>(net: &N, prefix: &str) -> Vec<Tensor> {
    let mut tensors = Vec::with_capacity(2 * N::LAYERS.len());
    net.visit_parameters(&mut |p| {
        tensors.push(Tensor::of(format!("{prefix}{}.weight", p.layer), p.weight.into_dyn()));
        tensors.push(Tensor::of(format!("{prefix}{}.bias", p.layer), p.bias.into_dyn()));
    });
    tensors
}

/// What the header of every file the library writes records of the network `N`: its name, its
/// layers, its cost, its float type and the library's version; and `"format": "pt"`, which
/// tells Hugging Face's tools that the tensors are a PyTorch `state_dict`.
pub(crate) fn network_metadata<F: Float, N: Network<F>>() -> HashMap<String, String> {
    HashMap::from([
        ("format".to_owned(), "pt".to_owned()),
        (VERSION_KEY.to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        (NETWORK_KEY.to_owned(), N::NAME.to_owned()),
        (LAYERS_KEY.to_owned(), layers_json(N::LAYERS)),
        (COST_KEY.to_owned(), <N::Cost as Cost<F>>::NAME.to_owned()),
        (FLOAT_KEY.to_owned(), F::NAME.to_owned()),
    ])
}

/// The safetensors bytes of `net`, whatever its values: see
/// [`Persist::to_safetensors`](crate::io::Persist::to_safetensors).
pub(crate) fn to_bytes<F: Float, N: Network<F>>(net: &N) -> Result<Vec<u8>, Error> {
    super::tensors::serialize(&parameter_tensors(net, ""), network_metadata::<F, N>())
}

/// The safetensors bytes of `net`, which must be finite, as [`read_into`] requires: see
/// [`Persist::try_to_safetensors`](crate::io::Persist::try_to_safetensors).
pub(crate) fn to_finite_bytes<F: Float, N: Network<F>>(net: &N) -> Result<Vec<u8>, Error> {
    check_finite(net)?;
    to_bytes(net)
}

/// Writes `net` to `path` atomically, if it is finite: see
/// [`Persist::save`](crate::io::Persist::save).
pub(crate) fn save<F: Float, N: Network<F>>(net: &N, path: &Path) -> Result<(), Error> {
    super::file::write_atomic(path, &to_finite_bytes(net)?)
}

/// Checks that every weight and bias of `net` is finite, as loading checks every value of a
/// file ([`TensorFile::read`]), naming the first that is not as the forward pass does
/// ([`Error::NonFiniteParameter`]).
pub(crate) fn check_finite<F: Float, N: Network<F>>(net: &N) -> Result<(), Error> {
    let mut found = None;
    net.visit_parameters(&mut |p| {
        if found.is_some() {
            return;
        }
        let weight = p.weight.indexed_iter().find(|(_, v)| !v.is_finite());
        let bias = p.bias.indexed_iter().find(|(_, v)| !v.is_finite());
        found = match (weight, bias) {
            (Some(((j, k), v)), _) => Some((p.layer, "weight", vec![j, k], v.to_string())),
            (None, Some((j, v))) => Some((p.layer, "bias", vec![j], v.to_string())),
            (None, None) => None,
        };
    });
    match found {
        Some((layer, parameter, index, value)) => {
            Err(Error::NonFiniteParameter { layer, parameter, index, value })
        }
        None => Ok(()),
    }
}

/// Sets the parameters of `net` from the safetensors `bytes` (read from `file`, if given), with
/// the names mapped as `options` says: see [`Persist::load_into`](crate::io::Persist::load_into)
/// and [`LoadOptions`]. `net` is changed only if the whole file fits.
pub(crate) fn read_into<F: Float, N: Network<F>>(
    net: &mut N,
    bytes: &[u8],
    file: Option<&Path>,
    options: &LoadOptions,
) -> Result<(), Error> {
    let tensors = TensorFile::parse(bytes, file)?;
    let parameters = read_network::<F, N>(&tensors, options)?;
    assign(net, parameters);
    Ok(())
}

/// The parameters of `N` in a parsed file, with the names mapped as `options` says, after
/// checking its digest (if it has one), its metadata and its tensor names: what [`read_into`]
/// sets, and what a [`Standardized`](crate::Standardized) model reads beside its
/// standardization.
pub(crate) fn read_network<F: Float, N: Network<F>>(
    tensors: &TensorFile<'_>,
    options: &LoadOptions,
) -> Result<Vec<LayerParameters<F>>, Error> {
    // A file the library wrote with a digest (a checkpoint) is checked against it; files
    // without one (weights, PyTorch's) are read as they are.
    tensors.check_digest()?;
    let layers: Vec<&str> = N::LAYERS.iter().map(|l| l.name).collect();
    if options.is_identity() {
        check_metadata::<F, N>(tensors, true)?;
        return read_named::<F, N>(tensors).map_err(|e| nearest_by_position(e, tensors, &layers));
    }
    // Names that are mapped are not the network's to begin with: the recorded layers are
    // compared by their sizes and activations.
    check_metadata::<F, N>(tensors, false)?;
    read_named::<F, N>(&tensors.renamed(options, &layers)?)
}

/// The parameters of `N` in a file whose names are the network's, after checking that it holds
/// no other tensors but a checkpoint's state and an input standardization.
fn read_named<F: Float, N: Network<F>>(tensors: &TensorFile<'_>) -> Result<Vec<LayerParameters<F>>, Error> {
    let parameters = read_parameters::<F, N>(tensors, "")?;
    // A checkpoint holds the trainer's state beside the weights; loading the weights from it
    // is fine, and its other tensors are not the network's. Nor is an input standardization
    // (`input.mean`, `input.std`), which a `Standardized` model saves beside its weights.
    let checkpoint = tensors.metadata(super::CHECKPOINT_KEY).is_some();
    check_names::<F, N>(tensors, |name| (checkpoint && is_state(name)) || is_standardization(name))?;
    Ok(parameters)
}

/// Whether a tensor name is one of an input standardization's.
fn is_standardization(name: &str) -> bool {
    name == super::INPUT_MEAN || name == super::INPUT_STD
}

/// `error`, but when it is a missing tensor of a file whose names are all an `nn.Sequential`'s
/// (`0.weight`, `3.bias`, …), with the tensor that
/// [`LoadOptions::layers_by_position`] would load under the missing name as the nearest: the
/// fewest edits miss it (`11.weight` is nearer `hidden1.weight` than `0.weight` is).
fn nearest_by_position(error: Error, tensors: &TensorFile<'_>, layers: &[&str]) -> Error {
    let Error::Safetensors {
        file,
        problem: SafetensorsProblem::MissingTensor { tensor, shape, in_file, nearest },
    } = error
    else {
        return error;
    };
    let names: Vec<&str> = tensors.names().collect();
    let positional = !names.is_empty() && names.iter().all(|n| positional(n).is_some());
    let mapped =
        if positional { LoadOptions::new().layers_by_position().map(&names, layers) } else { Vec::new() };
    let by_position = names.iter().zip(&mapped).find(|(_, m)| **m == tensor).map(|(n, _)| (*n).to_owned());
    let nearest = by_position.or(nearest);
    Error::Safetensors {
        file,
        problem: SafetensorsProblem::MissingTensor { tensor, shape, in_file, nearest },
    }
}

/// Whether a tensor name belongs to a checkpoint's training state rather than the network.
fn is_state(name: &str) -> bool {
    super::STATE_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// One layer's weight (OUT × IN) and bias.
pub(crate) type LayerParameters<F> = (Array2<F>, Array1<F>);

/// Every parameter of `N`, read from the tensors named `<prefix><layer>.weight` and
/// `<prefix><layer>.bias`, in layer order.
pub(crate) fn read_parameters<F: Float, N: Network<F>>(
    tensors: &TensorFile<'_>,
    prefix: &str,
) -> Result<Vec<LayerParameters<F>>, Error> {
    let shape_error = |name: &str, e: ndarray::ShapeError| {
        tensors.error(SafetensorsProblem::Format { message: format!("tensor `{name}`: {e}") })
    };
    N::LAYERS
        .iter()
        .map(|layer| {
            let (w, b) = (format!("{prefix}{}.weight", layer.name), format!("{prefix}{}.bias", layer.name));
            let weight = tensors.read::<F>(&w, &[layer.outputs, layer.inputs])?;
            let bias = tensors.read::<F>(&b, &[layer.outputs])?;
            Ok((
                weight.into_dimensionality::<Ix2>().map_err(|e| shape_error(&w, e))?,
                bias.into_dimensionality::<Ix1>().map_err(|e| shape_error(&b, e))?,
            ))
        })
        .collect()
}

/// Sets every parameter of `net` from `parameters`, in layer order; their shapes were checked
/// against [`Network::LAYERS`] when they were read.
pub(crate) fn assign<F: Float, N: Network<F>>(net: &mut N, parameters: Vec<LayerParameters<F>>) {
    let mut parameters = parameters.into_iter();
    net.visit_parameters_mut(&mut |mut p| {
        if let Some((w, b)) = parameters.next() {
            if p.weight.dim() == w.dim() && p.bias.dim() == b.dim() {
                p.weight.assign(&w);
                p.bias.assign(&b);
            }
        }
    });
}

/// Checks that the file holds no tensor that is neither a parameter of `N` nor `ignored`.
pub(crate) fn check_names<F: Float, N: Network<F>>(
    tensors: &TensorFile<'_>,
    ignored: impl Fn(&str) -> bool,
) -> Result<(), Error> {
    let expected: Vec<String> =
        N::LAYERS.iter().flat_map(|l| [format!("{}.weight", l.name), format!("{}.bias", l.name)]).collect();
    let mut unexpected: Vec<String> = tensors
        .names()
        .filter(|name| !expected.iter().any(|e| e == name) && !ignored(name))
        .map(str::to_owned)
        .collect();
    if unexpected.is_empty() {
        return Ok(());
    }
    unexpected.sort();
    Err(tensors.error(SafetensorsProblem::UnexpectedTensors { unexpected, expected }))
}

/// Checks what the file's metadata records of the network, where it records it, against `N`:
/// the layers (names, unless `names` is false, sizes and activations, in order) and the cost. A
/// file without the library's metadata (written by PyTorch, say) is checked by its tensors alone.
pub(crate) fn check_metadata<F: Float, N: Network<F>>(
    tensors: &TensorFile<'_>,
    names: bool,
) -> Result<(), Error> {
    if let Some(json) = tensors.metadata(LAYERS_KEY) {
        let layers = parse_layers(json).map_err(|message| {
            tensors.error(SafetensorsProblem::BadMetadata { key: LAYERS_KEY.to_owned(), message })
        })?;
        let declared: Vec<_> =
            N::LAYERS.iter().map(|l| (l.name, l.inputs, l.outputs, l.activation)).collect();
        let recorded: Vec<_> =
            layers.iter().map(|l| (l.name.as_str(), l.inputs, l.outputs, l.activation.as_str())).collect();
        let same = declared.len() == recorded.len()
            && declared
                .iter()
                .zip(&recorded)
                .all(|(d, r)| (!names || d.0 == r.0) && (d.1, d.2, d.3) == (r.1, r.2, r.3));
        if !same {
            return Err(tensors.error(SafetensorsProblem::Metadata {
                what: "layers",
                file: describe(recorded.iter().copied()),
                network: describe(declared.iter().copied()),
            }));
        }
    }
    if let Some(cost) = tensors.metadata(COST_KEY) {
        let declared = <N::Cost as Cost<F>>::NAME;
        if cost != declared {
            return Err(tensors.error(SafetensorsProblem::Metadata {
                what: "cost",
                file: format!("`{cost}`"),
                network: format!("`{declared}`"),
            }));
        }
    }
    Ok(())
}

/// A layer as the metadata records it.
struct RecordedLayer {
    name: String,
    inputs: usize,
    outputs: usize,
    activation: String,
}

/// The layers as JSON: `[{"name":"hidden","inputs":4,"outputs":8,"activation":"Tanh"}, …]`.
fn layers_json(layers: &[LayerInfo]) -> String {
    let layers: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            serde_json::json!({
                "name": l.name, "inputs": l.inputs, "outputs": l.outputs, "activation": l.activation,
            })
        })
        .collect();
    serde_json::Value::Array(layers).to_string()
}

/// Reads [`layers_json`]'s format back.
fn parse_layers(json: &str) -> Result<Vec<RecordedLayer>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let array = value.as_array().ok_or("not a JSON array")?;
    array
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let text = |key: &str| layer.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let size =
                |key: &str| layer.get(key).and_then(|v| v.as_u64()).and_then(|v| usize::try_from(v).ok());
            let missing = |key: &str| format!("layer {i} has no `{key}`");
            Ok(RecordedLayer {
                name: text("name").ok_or_else(|| missing("name"))?,
                inputs: size("inputs").ok_or_else(|| missing("inputs"))?,
                outputs: size("outputs").ok_or_else(|| missing("outputs"))?,
                activation: text("activation").ok_or_else(|| missing("activation"))?,
            })
        })
        .collect()
}

/// `hidden 4→8 Tanh, out 8→3 Identity`.
fn describe<'a>(layers: impl Iterator<Item = (&'a str, usize, usize, &'a str)>) -> String {
    let layers: Vec<String> = layers.map(|(n, i, o, a)| format!("`{n}` {i}→{o} {a}")).collect();
    if layers.is_empty() { "no layers".to_owned() } else { layers.join(", ") }
}
