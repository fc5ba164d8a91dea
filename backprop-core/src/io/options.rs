//! [`LoadOptions`]: how the names of a file's tensors map to the network's when it loads.

use std::fmt;
use std::sync::Arc;

use crate::error::safetensors::positional;

/// How the names of a safetensors file's tensors map to the network's (`hidden1.weight`,
/// `hidden1.bias`) when it loads, for a file written by a model whose modules are named
/// otherwise: give it to [`load_with`](crate::io::Persist::load_with),
/// [`from_safetensors_with`](crate::io::Persist::from_safetensors_with),
/// [`load_into_with`](crate::io::Persist::load_into_with) or
/// [`load_safetensors_into_with`](crate::io::Persist::load_safetensors_into_with).
///
/// Each name in the file goes through [`rename`](LoadOptions::rename), if given, then through
/// [`layers_by_position`](LoadOptions::layers_by_position), if chosen; the names that come out
/// must be the network's, as for [`load`](crate::io::Persist::load), and errors about a tensor
/// name it as it came out. Two tensors that come out with the same name are a
/// [`DuplicateTensor`](crate::io::SafetensorsProblem::DuplicateTensor) error, which names both as
/// the file does. Where the file records the layers (a file the library wrote), their sizes and
/// activations must still be the network's, but not their names. `LoadOptions::new()` maps
/// nothing: loading with it is loading without it.
///
/// An `nn.Sequential`, the usual PyTorch model, names its parameters by position: `0.weight`,
/// `0.bias`, `2.weight`, … (activations and dropout have no parameters, so the indices skip).
///
/// ```
/// use backprop_core::io::LoadOptions;
/// use backprop_core::{Network, Persist};
///
/// /// Loads what `safetensors.torch.save_file(nn.Sequential(nn.Linear(…), nn.ReLU(), nn.Linear(…))
/// /// .state_dict(), path)` wrote, whose tensors are `0.weight`, `0.bias`, `2.weight`, `2.bias`.
/// fn from_pytorch<N: Network<f32>>(path: &str) -> Result<N, backprop_core::Error> {
///     N::load_with(path, &LoadOptions::new().layers_by_position())
/// }
///
/// /// The same file, each index named: the network's layers are `hidden` and `out`.
/// fn renamed<N: Network<f32>>(path: &str) -> Result<N, backprop_core::Error> {
///     let options = LoadOptions::new().rename(|name| {
///         name.replacen("0.", "hidden.", 1).replacen("2.", "out.", 1)
///     });
///     N::load_with(path, &options)
/// }
/// ```
///
/// The guide's chapter on saving (`backprop::guide::saving`) loads such a file, written by
/// PyTorch, into a `network!`.
#[derive(Clone, Default)]
pub struct LoadOptions {
    rename: Option<Arc<Rename>>,
    by_position: bool,
}

/// A renaming function, as [`LoadOptions::rename`] takes it.
type Rename = dyn Fn(&str) -> String + Send + Sync;

impl LoadOptions {
    /// Options that map no name: the file's names must be the network's.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the tensor named `name` in the file as the network's tensor `rename(name)`: for
    /// example `|name| name.trim_start_matches("model.").to_owned()` for a module that holds
    /// its layers in an attribute `model`. Replaces an earlier `rename`; comes before
    /// [`layers_by_position`](LoadOptions::layers_by_position).
    pub fn rename(mut self, rename: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        self.rename = Some(Arc::new(rename));
        self
    }

    /// Takes the file's tensors named `<index>.weight` and `<index>.bias`, as an
    /// `nn.Sequential` names them, as the layers' by position: the k-th distinct index, in
    /// numeric order (`0`, `3`, `11`, not the text order `0`, `11`, `3`), is the network's
    /// k-th layer. Other names are left as they are; an index past the network's layers keeps
    /// its name, which the network does not have.
    pub fn layers_by_position(mut self) -> Self {
        self.by_position = true;
        self
    }

    /// Whether these options map no name.
    pub(crate) fn is_identity(&self) -> bool {
        self.rename.is_none() && !self.by_position
    }

    /// The names `names` (the file's, in any order) load as, in the same order, for a network
    /// whose layers are `layers`, in order.
    pub(crate) fn map(&self, names: &[&str], layers: &[&str]) -> Vec<String> {
        let renamed: Vec<String> = match &self.rename {
            Some(rename) => names.iter().map(|n| rename(n)).collect(),
            None => names.iter().map(|n| (*n).to_owned()).collect(),
        };
        if !self.by_position {
            return renamed;
        }
        // The distinct indices in numeric order: by the number of digits once leading zeros
        // are gone, then as text (no parsing, so no overflow).
        let numeric = |index: &str| {
            let significant = index.trim_start_matches('0');
            (significant.len(), significant.to_owned())
        };
        let mut indices: Vec<(usize, String)> =
            renamed.iter().filter_map(|n| positional(n)).map(|(index, _)| numeric(index)).collect();
        indices.sort();
        indices.dedup();
        renamed
            .into_iter()
            .map(|name| {
                let layer = positional(&name).and_then(|(index, parameter)| {
                    let k = indices.binary_search(&numeric(index)).ok()?;
                    layers.get(k).map(|layer| format!("{layer}.{parameter}"))
                });
                layer.unwrap_or(name)
            })
            .collect()
    }
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("rename", &self.rename.as_ref().map(|_| "<function>"))
            .field("by_position", &self.by_position)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Indices in numeric order, however many digits and leading zeros; other names as they are.
    #[test]
    fn layers_by_position_takes_the_indices_in_numeric_order() {
        let big = "123456789012345678901234567890";
        let names = [
            "10.weight".to_owned(),
            "9.bias".to_owned(),
            format!("{big}.weight"),
            "007.weight".to_owned(),
            "running_mean".to_owned(),
            "2.scale".to_owned(),
        ];
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mapped = LoadOptions::new().layers_by_position().map(&names, &["a", "b", "c"]);
        // 7, 9, 10 and the big one: a, b, c, and past the layers.
        let big_weight = format!("{big}.weight");
        assert_eq!(
            mapped,
            ["c.weight", "b.bias", big_weight.as_str(), "a.weight", "running_mean", "2.scale"]
        );
        assert_eq!(LoadOptions::new().map(&names, &["a"]), names);
    }

    /// `rename` comes first, then the positions.
    #[test]
    fn rename_comes_before_the_positions() {
        let options =
            LoadOptions::new().rename(|n| n.trim_start_matches("model.").to_owned()).layers_by_position();
        let mapped = options.map(&["model.0.weight", "model.2.bias", "head.weight"], &["hidden", "out"]);
        assert_eq!(mapped, ["hidden.weight", "out.bias", "head.weight"]);
        assert!(!options.is_identity() && LoadOptions::new().is_identity());
        assert_eq!(
            format!("{options:?}"),
            r#"LoadOptions { rename: Some("<function>"), by_position: true }"#
        );
    }
}
