//! SplitMix64 (Steele, Lea & Flood 2014): a tiny generator for test data, the same on every
//! machine and every process. Shared by the tests that draw data (`train.rs`, `mpi.rs`).

/// The generator's state.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// A uniform draw in [0, 1), from the top 53 bits of the next output.
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}
