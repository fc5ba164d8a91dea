use ndarray::{ArrayView1, ArrayViewMut1};

use crate::cost::{Cost, Mse};

use crate::float::Float;

use crate::targets::Target;

impl<F: Float> Cost<F> for Mse {
    const NAME: &'static str = "Mse";
    const CLASSIFICATION: bool = false;

    fn sample(
        &self,
        z: ArrayView1<'_, F>,
        target: &Target<'_, F>,
        mut delta: Option<ArrayViewMut1<'_, F>>,
    ) -> F {
        let half = F::of(0.5);
        let mut c = F::zero();
        for (j, &zj) in z.iter().enumerate() {
            let r = zj - target.value(j);
            c += half * r * r;
            if let Some(dj) = delta.as_mut().and_then(|d| d.get_mut(j)) {
                *dj = r;
            }
        }
        c
    }
}
