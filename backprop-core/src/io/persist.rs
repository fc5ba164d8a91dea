//! [`Persist`]: a network's weights to and from safetensors files, for every [`Network`].

use std::path::Path;

use super::options::LoadOptions;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;

/// Weights on disk, for every [`Network`]: safetensors files whose tensors are named as
/// PyTorch's `state_dict` of a module whose `nn.Linear` attributes are named like the layers
/// (`hidden1.weight`, OUT × IN, and `hidden1.bias`); see [`crate::io`] for the format.
///
/// Implemented for every network: bring it into scope (the prelude does) and call
/// `net.save("model.safetensors")` or `Fashion::load("model.safetensors")`.
pub trait Persist<F: Float>: Network<F> {
    /// Writes the network's weights to the safetensors file at `path`, replacing it atomically
    /// (a sibling `<name>.<pid>-<random>.partial` file, synced, then renamed over `path`): see
    /// [`crate::io`] for the format. PyTorch reads it as the `state_dict` of a module whose
    /// `nn.Linear` attributes are named like the layers.
    ///
    /// One writer at a time: while it writes, `save` holds an advisory lock on
    /// `<name>.lock` beside the file (removed afterwards on Unix), as a
    /// [`Trainer`](crate::train::Trainer) checkpointing to `path` does for its whole run. A symbolic
    /// link is followed: the file it points to is replaced, and the link stays.
    ///
    /// # Errors
    ///
    /// - [`Error::NonFiniteParameter`] for a weight or bias that is NaN or infinite, which
    ///   [`load`](Persist::load) would refuse: nothing is written.
    /// - [`Error::Io`] of kind `WouldBlock` when another writer (another process, or a trainer
    ///   checkpointing to `path`) holds the path; of kind `IsADirectory` or `InvalidInput` when
    ///   `path` holds a folder or something else that is not a regular file (a FIFO, a device
    ///   such as `/dev/full`), which is left as it is; of kind `NotFound` or `NotADirectory`,
    ///   naming the folder, when the folder is missing or not a folder; and any error of
    ///   creating, writing, syncing or renaming the temporary file, which is then removed.
    ///   `path` keeps its old content on every error.
    ///
    /// ```
    /// use backprop_core::{Network, Persist};
    /// # fn save<N: Network<f32>>(net: &N) -> Result<(), backprop_core::Error> {
    /// net.save("model.safetensors")?;
    /// let copy = N::load("model.safetensors")?;
    /// # std::fs::remove_file("model.safetensors").ok();
    /// # Ok(())
    /// # }
    /// ```
    fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        super::weights::save(self, path.as_ref())
    }

    /// The bytes of the safetensors file [`save`](Persist::save) writes.
    ///
    /// This cannot fail, so it gives the parameters as they are: for a network that holds NaN
    /// or an infinity (which [`save`](Persist::save) and
    /// [`try_to_safetensors`](Persist::try_to_safetensors) refuse), bytes that
    /// [`from_safetensors`](Persist::from_safetensors) refuses, naming the same value.
    fn to_safetensors(&self) -> Vec<u8> {
        // Serialising cannot fail for a network: its tensor names are Rust identifiers with a
        // suffix, its shapes are those of arrays in memory, and its header is a few hundred
        // bytes (the format's limit is 100 MB). `try_to_safetensors` reports the error anyway.
        super::weights::to_bytes(self).unwrap_or_default()
    }

    /// [`to_safetensors`](Persist::to_safetensors) as [`save`](Persist::save) writes it: only
    /// for a network whose parameters are all finite, so that the bytes always load.
    ///
    /// # Errors
    ///
    /// [`Error::NonFiniteParameter`] naming the first weight or bias that is NaN or infinite,
    /// and the (unreachable) serialisation error.
    fn try_to_safetensors(&self) -> Result<Vec<u8>, Error> {
        super::weights::to_finite_bytes(self)
    }

    /// A network with the weights of the safetensors file at `path`: see
    /// [`load_into`](Persist::load_into) for what the file must hold.
    fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let mut net = Self::zeros();
        net.load_into(path)?;
        Ok(net)
    }

    /// A network with the weights of the safetensors file `bytes`, for example a trained model
    /// embedded in the binary with `include_bytes!("model.safetensors")`.
    fn from_safetensors(bytes: &[u8]) -> Result<Self, Error> {
        let mut net = Self::zeros();
        super::weights::read_into(&mut net, bytes, None, &LoadOptions::new())?;
        Ok(net)
    }

    /// Sets the weights from the safetensors file at `path`: a tensor `<layer>.weight` (OUT ×
    /// IN) and `<layer>.bias` per layer, of element type F16, BF16, F32 or F64 (converted to
    /// `F`), finite, and no other tensors, but a checkpoint's training state and an input
    /// standardisation (`input.mean` and `input.std`, which
    /// [`Standardized::save`](crate::Standardized::save) writes beside the weights), which are
    /// skipped unread: the network then takes standardised inputs. Where the file's metadata
    /// records the layers or the cost, they must be this network's. Any misfit is an
    /// [`Error::Safetensors`] naming the tensor, and leaves the network as it was: nothing
    /// changes unless the whole file fits.
    /// A missing tensor's error lists the file's names, with the nearest; a file whose names
    /// are another model's (an `nn.Sequential`'s `0.weight`, say) loads with
    /// [`load_into_with`](Persist::load_into_with).
    fn load_into(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = super::file::read(path)?;
        super::weights::read_into(self, &bytes, Some(path), &LoadOptions::new())
    }

    /// [`load_into`](Persist::load_into) from the bytes of a safetensors file.
    fn load_safetensors_into(&mut self, bytes: &[u8]) -> Result<(), Error> {
        super::weights::read_into(self, bytes, None, &LoadOptions::new())
    }

    /// [`load`](Persist::load) of a file whose tensors are named otherwise than the network's,
    /// mapped as `options` says: for example an `nn.Sequential`'s `0.weight`, `2.weight`, …
    /// with [`LoadOptions::layers_by_position`].
    ///
    /// # Errors
    ///
    /// Those of [`load_into`](Persist::load_into), naming the tensors as mapped, and
    /// [`SafetensorsProblem::DuplicateTensor`](crate::io::SafetensorsProblem::DuplicateTensor)
    /// for two tensors mapped to the same name.
    fn load_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Self, Error> {
        let mut net = Self::zeros();
        net.load_into_with(path, options)?;
        Ok(net)
    }

    /// [`from_safetensors`](Persist::from_safetensors) with the names mapped as `options` says:
    /// see [`load_with`](Persist::load_with).
    fn from_safetensors_with(bytes: &[u8], options: &LoadOptions) -> Result<Self, Error> {
        let mut net = Self::zeros();
        super::weights::read_into(&mut net, bytes, None, options)?;
        Ok(net)
    }

    /// [`load_into`](Persist::load_into) with the names mapped as `options` says: see
    /// [`load_with`](Persist::load_with). The network changes only if the whole file fits.
    fn load_into_with(&mut self, path: impl AsRef<Path>, options: &LoadOptions) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = super::file::read(path)?;
        super::weights::read_into(self, &bytes, Some(path), options)
    }

    /// [`load_safetensors_into`](Persist::load_safetensors_into) with the names mapped as
    /// `options` says: see [`load_with`](Persist::load_with).
    fn load_safetensors_into_with(&mut self, bytes: &[u8], options: &LoadOptions) -> Result<(), Error> {
        super::weights::read_into(self, bytes, None, options)
    }
}

impl<F: Float, N: Network<F>> Persist<F> for N {}
