use crate::cost::Prediction;
use crate::float::Float;

/// Mean squared error, C = (1/n) Σ_i ½‖z_i − y_i‖², with ∂C_i/∂z_i = z_i − y_i.
///
/// The ½·(z − y)² of every output is summed over the outputs of a sample, and those sums are
/// averaged over the n samples of the batch. PyTorch's `nn.MSELoss()` (reduction `"mean"`)
/// averages (z − y)² over every element, outputs included, without the ½: for a batch with k
/// outputs it gives 2·C/k (C itself when k = 2), and its gradient is 2/k times this one.
///
/// The quadratic cost of Nielsen, *Neural Networks and Deep Learning*, ch. 1, eq. (6) (there
/// with a^L for z^L), which the paper cites as \[2\]. Class labels are read as one-hot rows.
///
/// Its prediction ([`Prediction::predict_slice`], and with `std`
/// `Cost::predict_in_place`) is z itself, the value fitted to the targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

/// z itself (the default).
impl<F: Float> Prediction<F> for Mse {}
