//! [`Standardized`]: a network with the input standardisation it was trained with, which its
//! predictions apply and its file carries, so that a program that predicts needs neither the
//! training data nor a second file.

use std::path::Path;

use ndarray::{Array2, ArrayView2};

use crate::check::check_input;
use crate::data::Standardizer;
use crate::error::Error;
use crate::float::Float;
use crate::inference::{Predict, one_row};
use crate::io::options::LoadOptions;
use crate::io::tensors::{TensorFile, serialize};
use crate::io::weights::{assign, check_finite, network_metadata, parameter_tensors, read_network};
use crate::network::Network;

/// A network `N` and the [`Standardizer`] its inputs were standardised with in training: its
/// [`predict`](Standardized::predict), [`classify`](Standardized::classify) and
/// [`predict_one`](Standardized::predict_one) take raw inputs and standardise them first, and
/// [`save`](Standardized::save) writes both to one safetensors file.
///
/// The file holds the network's tensors as [`Persist::save`](crate::io::Persist::save) writes
/// them (`hidden.weight`, `hidden.bias`, …) and two more, `input.mean` and `input.std`, one
/// value per input (shape `[INPUT]`, in the network's float type): z = (x − mean) / std, std
/// being 1 for a column whose values were all equal when fitted
/// ([`Standardizer::save`] writes the same two). So:
///
/// - `N::load` of the file loads the network alone and skips the two tensors: its predictions
///   then expect inputs standardised already;
/// - [`Standardizer::load`] of the file loads the standardiser alone;
/// - PyTorch's `safetensors.torch.load_file` returns every tensor; a module's
///   `load_state_dict(strict=True)` refuses the two it does not have, so leave them out
///   (`{k: v for k, v in tensors.items() if not k.startswith("input.")}`), or give the module
///   a submodule `input` with buffers `mean` and `std`, whose `state_dict` names are these.
///
/// ```
/// use backprop_core::data::Standardizer;
/// use backprop_core::ndarray::Array2;
/// use backprop_core::{Error, Network, Standardized};
///
/// // The training program: fit on the training set, train on its standardised copy, save both.
/// fn save<N: Network<f64>>(mut net: N, x: &Array2<f64>, train: impl Fn(&mut N, &Array2<f64>)) -> Result<(), Error> {
///     let standardizer = Standardizer::fit(x.view())?;
///     train(&mut net, &standardizer.transform(x.view())?);
///     Standardized::new(net, standardizer)?.save("model.safetensors")
/// }
///
/// // The program that predicts, on inputs as they come.
/// fn classify<N: Network<f64>>(raw: &Array2<f64>) -> Result<Vec<usize>, Error> {
///     Standardized::<N, f64>::load("model.safetensors")?.classify(raw.view())
/// }
/// ```
///
/// The guide's chapter on inference (`backprop::guide::inference`) and the examples `iris` and
/// `iris_predict` show it with a network and a trainer.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardized<N, F> {
    network: N,
    standardizer: Standardizer<F>,
}

impl<F: Float, N: Network<F>> Standardized<N, F> {
    /// The network and the standardiser its inputs were standardised with in training, which
    /// must have as many columns as the network has inputs ([`Error::ColumnCount`]).
    pub fn new(network: N, standardizer: Standardizer<F>) -> Result<Self, Error> {
        if standardizer.len() != N::INPUT {
            return Err(Error::ColumnCount {
                what: "the standardizer (the data it was fitted on)",
                expected: N::INPUT,
                found: standardizer.len(),
            });
        }
        Ok(Standardized { network, standardizer })
    }

    /// The network, which takes standardised inputs.
    pub fn network(&self) -> &N {
        &self.network
    }

    /// The network, to train it further or set its weights (on standardised inputs:
    /// [`standardize`](Standardized::standardize) gives them).
    pub fn network_mut(&mut self) -> &mut N {
        &mut self.network
    }

    /// The standardiser.
    pub fn standardizer(&self) -> &Standardizer<F> {
        &self.standardizer
    }

    /// The network and the standardiser, taken apart.
    pub fn into_parts(self) -> (N, Standardizer<F>) {
        (self.network, self.standardizer)
    }

    /// The raw inputs `x` standardised, as the network takes them: for
    /// [`train::evaluate`](crate::train::evaluate) and the other functions of a network.
    ///
    /// # Errors
    ///
    /// Those of the network's input checks: [`Error::EmptyBatch`], [`Error::InputWidth`] and
    /// [`Error::NonFinite`] (naming the row of `x`).
    pub fn standardize(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>, Error> {
        check_input(x, N::INPUT)?;
        self.standardizer.transform(x)
    }

    /// [`Predict::predict`] of the network on the raw inputs `x`, standardised first: bit for
    /// bit `network().predict(standardizer().transform(x)?.view())`.
    ///
    /// # Errors
    ///
    /// Those of [`standardize`](Standardized::standardize) and [`Predict::predict`].
    pub fn predict(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>, Error> {
        self.network.predict(self.standardize(x)?.view())
    }

    /// [`Predict::classify`] of the network on the raw inputs `x`, standardised first.
    ///
    /// # Errors
    ///
    /// Those of [`predict`](Standardized::predict).
    pub fn classify(&self, x: ArrayView2<'_, F>) -> Result<Vec<usize>, Error> {
        self.network.classify(self.standardize(x)?.view())
    }

    /// [`predict`](Standardized::predict) for one raw sample, taken and returned as arrays.
    ///
    /// Unlike the network's generated `predict_one`, whose sizes are literals, the sizes here
    /// are the arrays' own (Rust cannot yet write an array type from `N::INPUT`): an array of
    /// another length than the network's input is [`Error::InputWidth`], and a result of
    /// another length than its output [`Error::BufferShape`], when called rather than when
    /// compiled.
    ///
    /// # Errors
    ///
    /// Those of [`predict`](Standardized::predict), and the two above.
    pub fn predict_one<const INPUT: usize, const OUTPUT: usize>(
        &self,
        x: &[F; INPUT],
    ) -> Result<[F; OUTPUT], Error> {
        one_row(self.predict(ArrayView2::from_shape((1, INPUT), x.as_slice())?)?)
    }

    /// Writes the network and the standardiser to the safetensors file at `path`, atomically,
    /// as [`Persist::save`](crate::io::Persist::save) writes a network, with the tensors
    /// `input.mean` and `input.std` beside the weights.
    ///
    /// # Errors
    ///
    /// Those of [`Persist::save`](crate::io::Persist::save): a weight that is not finite, and
    /// the errors of writing the file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        crate::io::file::write_atomic(path.as_ref(), &self.try_to_safetensors()?)
    }

    /// The bytes of the safetensors file [`save`](Standardized::save) writes, whatever the
    /// weights hold, as [`Persist::to_safetensors`](crate::io::Persist::to_safetensors) gives
    /// them.
    pub fn to_safetensors(&self) -> Vec<u8> {
        // Serialising cannot fail: see `Persist::to_safetensors`.
        self.to_bytes().unwrap_or_default()
    }

    /// [`to_safetensors`](Standardized::to_safetensors) as [`save`](Standardized::save) writes
    /// it: only for a network whose weights are all finite.
    ///
    /// # Errors
    ///
    /// [`Error::NonFiniteParameter`] naming the first weight or bias that is NaN or infinite.
    pub fn try_to_safetensors(&self) -> Result<Vec<u8>, Error> {
        check_finite(&self.network)?;
        self.to_bytes()
    }

    /// The model saved in the safetensors file at `path` by [`save`](Standardized::save).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, and [`Error::Safetensors`] naming the file for
    /// one that does not fit: every misfit [`Persist::load`](crate::io::Persist::load) refuses;
    /// no `input.mean` or no `input.std` ([`SafetensorsProblem::MissingStandardization`],
    /// naming them: a file of weights alone loads with `N::load`); either of another shape
    /// than `[INPUT]` ([`SafetensorsProblem::Shape`]); a NaN or an infinity in them
    /// ([`SafetensorsProblem::NonFinite`]); and a standard deviation that is 0 or negative
    /// ([`SafetensorsProblem::NotPositive`]).
    ///
    /// [`SafetensorsProblem::MissingStandardization`]: crate::io::SafetensorsProblem::MissingStandardization
    /// [`SafetensorsProblem::Shape`]: crate::io::SafetensorsProblem::Shape
    /// [`SafetensorsProblem::NonFinite`]: crate::io::SafetensorsProblem::NonFinite
    /// [`SafetensorsProblem::NotPositive`]: crate::io::SafetensorsProblem::NotPositive
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = crate::io::file::read(path)?;
        Self::read(&TensorFile::parse(&bytes, Some(path))?)
    }

    /// [`load`](Standardized::load) from the bytes of a safetensors file, for example a model
    /// embedded in the binary with `include_bytes!`.
    ///
    /// # Errors
    ///
    /// Those of [`load`](Standardized::load) but the I/O errors.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, Error> {
        Self::read(&TensorFile::parse(bytes, None)?)
    }

    /// The model a parsed file holds: the network's tensors, checked as `N::load` checks them,
    /// then its standardisation, of the network's input size.
    fn read(file: &TensorFile<'_>) -> Result<Self, Error> {
        let parameters = read_network::<F, N>(file, &LoadOptions::new())?;
        let standardizer = Standardizer::read(file, Some(N::INPUT))?;
        let mut network = N::zeros();
        assign(&mut network, parameters);
        Ok(Standardized { network, standardizer })
    }

    /// The bytes of the file, or the serialiser's error.
    fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut tensors = parameter_tensors(&self.network, "");
        tensors.extend(self.standardizer.tensors());
        serialize(&tensors, network_metadata::<F, N>())
    }
}
