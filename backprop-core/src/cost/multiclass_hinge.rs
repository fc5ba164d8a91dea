use crate::cost::Prediction;
use crate::float::Float;

/// The multiclass hinge (multiclass SVM) loss, C = (1/n) Σ_i C_i with
/// C_i = Σ_{j≠y} max(0, z_j − z_y + 1), where y is the sample's class, and
/// ∂C_i/∂z_j = 1 if z_j − z_y + 1 > 0 else 0 for j ≠ y,
/// ∂C_i/∂z_y = −#{j ≠ y : z_j − z_y + 1 > 0}.
///
/// Weston & Watkins, "Support Vector Machines for Multi-Class Pattern Recognition", ESANN 1999,
/// with margin 1, as in the CS231n notes "Linear classification" (the "multiclass SVM loss" the
/// paper names in section 5). At a margin of exactly 0 the gradient is taken as 0. The cost is
/// piecewise linear in the logits, so it is exact and finite for any finite logits (as long as the
/// differences z_j − z_y are finite).
///
/// Targets are class labels, or one-hot rows (a single 1, the rest 0): any other row is rejected
/// with [`Error::NotOneHot`](crate::Error::NotOneHot).
///
/// Its prediction ([`Prediction::predict_slice`], and with `std` `Cost::predict_in_place`) is
/// the scores z themselves: the largest is the class, but they are not probabilities (the loss
/// only asks the class's score to lead the others by a margin of 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MulticlassHinge;

/// z itself (the default).
impl<F: Float> Prediction<F> for MulticlassHinge {}
