//! Weights embedded in the program: what `include_weights!` expands to calls these `const fn`s,
//! which read a network's tensors out of the bytes of a safetensors file (`include_bytes!`)
//! while the crate compiles, so that the fixed-size network is a `static` in read-only memory.
//!
//! The macro reads the file when it expands and checks what it alone can know: that the file is
//! there and is a safetensors file, that every tensor's dtype is F16, BF16, F32 or F64 and every
//! value finite. What needs the declaration, which the network's type carries, is checked here,
//! in `const` evaluation: every tensor the network needs is in the file with the layer's shape,
//! and the file holds no other. A mistake is a compile error ("evaluation panicked") whose
//! message names the tensor, the shape expected and the one found. Values are converted to the
//! network's float type as [`Persist::load`](https://docs.rs/backprop) converts them: exactly,
//! or, for F64 into `f32`, to nearest.
//!
//! Nothing here but [`ConstDefault`] is part of the public API: the rest is reached as
//! `::backprop::__private::…`.

use crate::activation::{Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Silu, Softplus, Tanh};

/// The element type of a tensor, as the file names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// IEEE binary64.
    F64,
    /// IEEE binary32.
    F32,
    /// IEEE binary16.
    F16,
    /// bfloat16: the upper half of a binary32.
    BF16,
}

/// One tensor of the file, as the macro found it: where its little-endian values start in the
/// file's bytes.
#[derive(Clone, Copy, Debug)]
pub struct Tensor {
    /// Its name, `<layer>.weight` or `<layer>.bias`.
    pub name: &'static str,
    /// Its element type.
    pub dtype: Dtype,
    /// Its shape.
    pub shape: &'static [usize],
    /// The offset of its first byte in the file.
    pub start: usize,
}

/// A layer as a file's metadata records it (`backprop.layers`), or as a network declares it.
#[derive(Clone, Copy, Debug)]
pub struct Recorded {
    /// The layer's name.
    pub name: &'static str,
    /// Its number of inputs.
    pub inputs: usize,
    /// Its number of units.
    pub outputs: usize,
    /// Its activation, as written (`Relu`, `Identity` for none).
    pub activation: &'static str,
}

/// The costs whose names the library knows: a file that records one of them, or a network that
/// declares one, must agree with the other side.
const BUILT_IN_COSTS: [&str; 4] = ["Mse", "SoftmaxCrossEntropy", "BinaryCrossEntropy", "MulticlassHinge"];

/// Fails the build unless what the file records of the network, where it records it, is what
/// `network` declares: its layers (names, sizes and activations, in order) and its cost. A file
/// without the library's metadata (PyTorch's) is checked by its tensors alone. Costs are compared
/// when either is built in: a cost of one's own may record another `NAME` than its type's.
pub const fn check_recorded(
    recorded: Option<&[Recorded]>,
    declared: &[Recorded],
    recorded_cost: Option<&str>,
    declared_cost: &str,
    network: &str,
    file: &str,
) {
    if let Some(recorded) = recorded {
        let mut same = recorded.len() == declared.len();
        let mut i = 0;
        while same && i < recorded.len() {
            let (r, d) = (&recorded[i], &declared[i]);
            same = eq(r.name, d.name)
                && r.inputs == d.inputs
                && r.outputs == d.outputs
                && eq(r.activation, d.activation);
            i += 1;
        }
        if !same {
            let mut m = Message::new();
            m.push("`")
                .push(file)
                .push("` records the layers ")
                .layers(recorded)
                .push(", but `")
                .push(network);
            m.push("` declares ").layers(declared).fail();
        }
    }
    if let Some(cost) = recorded_cost {
        let built_in = is_built_in(cost) || is_built_in(declared_cost);
        if built_in && !eq(cost, declared_cost) {
            let mut m = Message::new();
            m.push("`")
                .push(file)
                .push("` was trained with the cost `")
                .push(cost)
                .push("`, but `")
                .push(network);
            m.push("` declares `").push(declared_cost).push("`").fail();
        }
    }
}

/// Whether `cost` names one of the library's costs.
const fn is_built_in(cost: &str) -> bool {
    let mut i = 0;
    while i < BUILT_IN_COSTS.len() {
        if eq(cost, BUILT_IN_COSTS[i]) {
            return true;
        }
        i += 1;
    }
    false
}

/// An activation with a value that `const` evaluation can build: the one a layer of a network
/// embedded by `include_weights!` gets, as `Persist::load` gives a layer `A::default()`. The
/// built-in activations and those `#[activation]` generates implement it; an activation written
/// by hand implements it to be embedded (`const DEFAULT: Self = MyActivation;`).
pub trait ConstDefault {
    /// The value, equal to `Default::default()`.
    const DEFAULT: Self;
}

impl ConstDefault for Identity {
    const DEFAULT: Self = Identity;
}
impl ConstDefault for Sigmoid {
    const DEFAULT: Self = Sigmoid;
}
impl ConstDefault for Tanh {
    const DEFAULT: Self = Tanh;
}
impl ConstDefault for Relu {
    const DEFAULT: Self = Relu;
}
impl ConstDefault for LeakyRelu {
    /// Slope 0.01, `LeakyRelu::default()`'s.
    const DEFAULT: Self = LeakyRelu::new(0.01);
}
impl ConstDefault for Elu {
    /// α = 1, `Elu::default()`'s.
    const DEFAULT: Self = Elu::new(1.0);
}
impl ConstDefault for Softplus {
    const DEFAULT: Self = Softplus;
}
impl ConstDefault for Gelu {
    const DEFAULT: Self = Gelu;
}
impl ConstDefault for Silu {
    const DEFAULT: Self = Silu;
}

/// `weight_<float>` and `bias_<float>`: W and b of a layer in one float type, `convert` taking
/// each value from `f64` to it.
macro_rules! decoders {
    ($weight:ident, $bias:ident, $float:ty, $convert:ident) => {
        #[doc = concat!(
                    "W of a layer, the tensor `name` (`<layer>.weight`), as `OUT` rows of `IN` values in `",
                    stringify!($float),
                    "`."
                )]
        pub const fn $weight<const IN: usize, const OUT: usize>(
            bytes: &[u8],
            tensors: &[Tensor],
            name: &str,
            file: &str,
        ) -> [[$float; IN]; OUT] {
            let t = tensor(tensors, name, &[OUT, IN], file);
            let mut w = [[0.0; IN]; OUT];
            let mut j = 0;
            while j < OUT {
                let mut k = 0;
                while k < IN {
                    w[j][k] = $convert(value(bytes, t, j * IN + k));
                    k += 1;
                }
                j += 1;
            }
            w
        }

        #[doc = concat!("b of a layer, the tensor `name` (`<layer>.bias`), in `", stringify!($float), "`.")]
        pub const fn $bias<const OUT: usize>(
            bytes: &[u8],
            tensors: &[Tensor],
            name: &str,
            file: &str,
        ) -> [$float; OUT] {
            let t = tensor(tensors, name, &[OUT], file);
            let mut b = [0.0; OUT];
            let mut j = 0;
            while j < OUT {
                b[j] = $convert(value(bytes, t, j));
                j += 1;
            }
            b
        }
    };
}

decoders!(weight_f32, bias_f32, f32, to_f32);
decoders!(weight_f64, bias_f64, f64, to_f64);

/// Fails the build unless every tensor of the file is one of `expected`, the tensors of
/// `network`'s layers.
pub const fn check_no_other(tensors: &[Tensor], expected: &[&str], network: &str, file: &str) {
    let mut i = 0;
    while i < tensors.len() {
        let mut j = 0;
        let mut found = false;
        while j < expected.len() {
            found |= eq(tensors[i].name, expected[j]);
            j += 1;
        }
        if !found {
            let mut m = Message::new();
            m.push("`").push(file).push("` holds the tensor `").push(tensors[i].name).push("`, which `");
            m.push(network).push("` has no layer for: its tensors are");
            let mut k = 0;
            while k < expected.len() {
                m.push(if k == 0 { " `" } else { ", `" }).push(expected[k]).push("`");
                k += 1;
            }
            m.fail();
        }
        i += 1;
    }
}

/// The tensor `name`, checked to have `shape`; fails the build otherwise.
const fn tensor<'t>(tensors: &'t [Tensor], name: &str, shape: &[usize], file: &str) -> &'t Tensor {
    let mut i = 0;
    while i < tensors.len() {
        if eq(tensors[i].name, name) {
            let found = tensors[i].shape;
            if !same(found, shape) {
                let mut m = Message::new();
                m.push("tensor `").push(name).push("` of `").push(file).push("` has shape ").shape(found);
                m.push(", but the layer needs ").shape(shape);
                if found.len() == 2 && shape.len() == 2 && found[0] == shape[1] && found[1] == shape[0] {
                    m.push(" (its transpose: a weight is stored OUT × IN, as PyTorch's nn.Linear stores it)");
                }
                m.fail();
            }
            return &tensors[i];
        }
        i += 1;
    }
    let mut m = Message::new();
    m.push("tensor `").push(name).push("` of shape ").shape(shape).push(" is missing from `").push(file);
    m.push("`, which holds");
    let mut k = 0;
    while k < tensors.len() {
        m.push(if k == 0 { " `" } else { ", `" }).push(tensors[k].name).push("`");
        k += 1;
    }
    if tensors.is_empty() {
        m.push(" no tensor");
    }
    m.fail()
}

/// Element `i` of tensor `t` in `f64`: exact for every dtype.
const fn value(bytes: &[u8], t: &Tensor, i: usize) -> f64 {
    match t.dtype {
        Dtype::F64 => {
            let at = t.start + 8 * i;
            f64::from_bits(u64::from_le_bytes([
                bytes[at],
                bytes[at + 1],
                bytes[at + 2],
                bytes[at + 3],
                bytes[at + 4],
                bytes[at + 5],
                bytes[at + 6],
                bytes[at + 7],
            ]))
        }
        Dtype::F32 => {
            let at = t.start + 4 * i;
            f32::from_bits(u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]))
                as f64
        }
        Dtype::F16 => {
            let at = t.start + 2 * i;
            f16_to_f64(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
        }
        Dtype::BF16 => {
            let at = t.start + 2 * i;
            f32::from_bits((u16::from_le_bytes([bytes[at], bytes[at + 1]]) as u32) << 16) as f64
        }
    }
}

/// `v` rounded to the nearest `f32`, as `as` rounds (exact for what came from F16, BF16, F32).
const fn to_f32(v: f64) -> f32 {
    v as f32
}

/// `v` itself.
const fn to_f64(v: f64) -> f64 {
    v
}

/// The value of the binary16 `bits`, exactly. (Infinities and NaN, which the macro rejects, come
/// out as the largest magnitude and as 0.)
const fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = ((bits >> 10) & 0x1f) as i32;
    let mantissa = (bits & 0x3ff) as f64;
    // m × 2^-24 for subnormals, (1024 + m) × 2^(e − 25) otherwise.
    let (significand, power) =
        if exponent == 0 { (mantissa, -24) } else { (1024.0 + mantissa, exponent - 25) };
    let mut scale = 1.0;
    let mut p = power;
    while p > 0 {
        scale *= 2.0;
        p -= 1;
    }
    while p < 0 {
        scale /= 2.0;
        p += 1;
    }
    sign * significand * scale
}

/// Whether two strings are equal (`==` is not `const` for `str`).
const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether two shapes are equal.
const fn same(a: &[usize], b: &[usize]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A compile error's message, built in `const` evaluation (cut at 1 KiB).
struct Message {
    bytes: [u8; 1024],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message { bytes: [0; 1024], len: 0 }
    }

    const fn push(&mut self, s: &str) -> &mut Self {
        let s = s.as_bytes();
        let mut i = 0;
        while i < s.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = s[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// `[a, b]`.
    const fn shape(&mut self, shape: &[usize]) -> &mut Self {
        self.push("[");
        let mut i = 0;
        while i < shape.len() {
            if i > 0 {
                self.push(", ");
            }
            self.number(shape[i]);
            i += 1;
        }
        self.push("]")
    }

    /// `hidden 784 → 256 Relu, out 256 → 10 Identity`.
    const fn layers(&mut self, layers: &[Recorded]) -> &mut Self {
        let mut i = 0;
        while i < layers.len() {
            if i > 0 {
                self.push(", ");
            }
            let l = &layers[i];
            self.push(l.name)
                .push(" ")
                .number(l.inputs)
                .push(" → ")
                .number(l.outputs)
                .push(" ")
                .push(l.activation);
            i += 1;
        }
        self
    }

    const fn number(&mut self, mut n: usize) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut d = 0;
        loop {
            digits[d] = b'0' + (n % 10) as u8;
            d += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while d > 0 && self.len < self.bytes.len() {
            d -= 1;
            self.bytes[self.len] = digits[d];
            self.len += 1;
        }
        self
    }

    /// Fails the build with the message: `include_weights!` calls these functions in a `const`
    /// block only, where a panic is a compile error.
    #[allow(clippy::panic)]
    const fn fail(&self) -> ! {
        let (text, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(text) {
            Ok(text) => panic!("{}", text),
            // A name cut inside a character at 1 KiB.
            Err(_) => panic!("the embedded weights do not fit the network"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::f16_to_f64;

    #[test]
    fn binary16_converts_exactly() {
        // 1.0, −2.0, 65504 (the largest), 2^-14 (the smallest normal), 2^-24 (the smallest
        // subnormal), 0.333 rounded to binary16 (0x3555 = 1365/4096).
        let cases = [(0x3c00, 1.0), (0xc000, -2.0), (0x7bff, 65504.0), (0x0400, 2f64.powi(-14))];
        for (bits, v) in cases {
            assert_eq!(f16_to_f64(bits), v, "{bits:#x}");
        }
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x3555), 1365.0 / 4096.0);
        assert_eq!(f16_to_f64(0x8000), 0.0);
    }
}
