//! The loader never panics and reads nothing it should not: over 100 000 files made from valid
//! ones by seeded mutations — truncations, flipped bits and bytes, lying header lengths,
//! overlapping, out-of-range and gapped offsets, huge and empty shapes, duplicate names, other
//! element types, invalid JSON, non-UTF-8 headers, trailing bytes, metadata of the wrong types —
//! each either loads, to exactly the parameters a reference reader written here finds in it, or
//! is refused, and a refusal leaves the network it was loaded into as it was. Hostile files
//! allocate a small multiple of their size, never what their header claims.
//!
//! A failing case is named by its kind, its number and the file it was made from; the cases
//! are generated in a fixed order from fixed seeds, so every run makes the same files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use allocation_counter::measure;
use backprop::prelude::*;
use backprop::{Error, Float};
use serde_json::{Value, json};

network! {
    /// 2-3-2 in f32: files of about 400 bytes, so that debug builds run 100 000 of them quickly.
    #[derive(Clone, Debug, PartialEq)]
    struct Tiny<f32> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }
}

network! {
    /// The same layers in f64: every file fits both or neither, but for values too large for f32.
    #[derive(Clone, Debug, PartialEq)]
    struct Tiny64<f64> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }
}

/// The tensors of both networks, in layer order.
const TENSORS: [(&str, &[usize]); 4] =
    [("hidden.weight", &[3, 2]), ("hidden.bias", &[3]), ("out.weight", &[2, 3]), ("out.bias", &[2])];

/// Seeded pseudo-random numbers: xorshift64*, seeded through splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`, for `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A valid file to mutate, taken apart: its bytes, its header's entries in order and its data.
struct Base {
    name: &'static str,
    bytes: Vec<u8>,
    header_len: usize,
    entries: Vec<(String, Value)>,
}

impl Base {
    /// The file `bytes`, its header written again with the keys of every object in order (as
    /// `serde_json::Map` keeps them), so that the cases do not depend on the order in which
    /// the writer put them.
    fn new(name: &'static str, bytes: &[u8]) -> Self {
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header: serde_json::Map<String, Value> =
            serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
        let entries: Vec<(String, Value)> = header.into_iter().collect();
        let json = render(&entries);
        Base {
            name,
            bytes: assemble(json.as_bytes(), &bytes[8 + header_len..]),
            header_len: json.len(),
            entries,
        }
    }

    fn data(&self) -> &[u8] {
        &self.bytes[8 + self.header_len..]
    }

    /// The header as compact JSON, without the padding of the original.
    fn json(&self) -> String {
        render(&self.entries)
    }

    /// The indices in `entries` of the tensors, in the order of their offsets.
    fn tensors(&self) -> Vec<usize> {
        let mut tensors: Vec<usize> =
            (0..self.entries.len()).filter(|&i| self.entries[i].0 != "__metadata__").collect();
        tensors.sort_by_key(|&i| offsets(&self.entries[i].1));
        tensors
    }

    /// Each tensor's bytes, in the order of [`tensors`](Base::tensors).
    fn blocks(&self) -> Vec<Vec<u8>> {
        self.tensors()
            .into_iter()
            .map(|i| {
                let (s, e) = offsets(&self.entries[i].1);
                self.data()[s as usize..e as usize].to_vec()
            })
            .collect()
    }
}

fn offsets(entry: &Value) -> (u64, u64) {
    (entry["data_offsets"][0].as_u64().unwrap(), entry["data_offsets"][1].as_u64().unwrap())
}

/// JSON of `entries` in their order, duplicates kept.
fn render(entries: &[(String, Value)]) -> String {
    let fields: Vec<String> =
        entries.iter().map(|(k, v)| format!("{}:{v}", Value::from(k.as_str()))).collect();
    format!("{{{}}}", fields.join(","))
}

/// JSON of `entries`, indented with `indent` (whitespace) and on several lines.
fn pretty(entries: &[(String, Value)], indent: &str) -> String {
    let map: serde_json::Map<String, Value> = entries.iter().cloned().collect();
    // Pretty JSON indents by two spaces, and no string holds a line break.
    let text = serde_json::to_string_pretty(&map).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim_start_matches(' ');
            format!("{}{trimmed}", indent.repeat((line.len() - trimmed.len()) / 2))
        })
        .collect();
    lines.join(if indent == "\r\n" { "\r\n" } else { "\n" })
}

/// A file: the length of `header`, `header`, `data`.
fn assemble(header: &[u8], data: &[u8]) -> Vec<u8> {
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(data);
    bytes
}

/// `entries`, with the tensors at `order` (indices into `entries`) given `blocks` as their data
/// in that order, their offsets laid out one after the other: a file the format accepts.
fn relayout(mut entries: Vec<(String, Value)>, order: &[usize], blocks: &[Vec<u8>]) -> Vec<u8> {
    let mut data = Vec::new();
    for (&i, block) in order.iter().zip(blocks) {
        entries[i].1["data_offsets"] = json!([data.len(), data.len() + block.len()]);
        data.extend_from_slice(block);
    }
    assemble(render(&entries).as_bytes(), &data)
}

/// A file of `Tiny`'s tensors in F16, written by hand as PyTorch's `save_file` writes it.
fn f16_file() -> Vec<u8> {
    // 1, −0.5, 0.333251953125, 2, 2^−24, 65504, −1.5: all finite.
    let values = [0x3C00u16, 0xB800, 0x3555, 0x4000, 0x0001, 0x7BFF, 0xBE00];
    let mut entries = vec![("__metadata__".to_owned(), json!({"format": "pt"}))];
    let mut blocks = Vec::new();
    for (k, (name, shape)) in TENSORS.iter().enumerate() {
        let n: usize = shape.iter().product();
        blocks.push((0..n).flat_map(|i| values[(i + k) % values.len()].to_le_bytes()).collect::<Vec<u8>>());
        entries.push(((*name).to_owned(), json!({"dtype": "F16", "shape": shape, "data_offsets": [0, 0]})));
    }
    relayout(entries, &[1, 2, 3, 4], &blocks)
}

/// What a file must give, whatever the loader.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// A valid file that fits: it loads.
    Ok,
    /// It is refused.
    Err,
    /// Either, as the reference reader decides.
    Any,
}

/// The parameters a correct reader finds in `bytes` for `Tiny` or `Tiny64`, as f64 (every
/// element type converts exactly), in the order of [`TENSORS`]; `None` if the file is not a
/// valid safetensors file or does not fit the networks. Written from the format's description,
/// independently of the library and of the `safetensors` crate. Where JSON leaves the meaning
/// open — a key twice in one object — it follows the format's reference implementation (the
/// `safetensors` crate, which PyTorch's reader also is): of two tensors of the same name the
/// last counts, and so does the last of two metadata entries, but a second `__metadata__` or a
/// field twice in one tensor's entry makes the file invalid.
fn reference(bytes: &[u8]) -> Option<Vec<Vec<f64>>> {
    let n = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
    if n > 100_000_000 {
        return None; // the format's limit
    }
    let header = std::str::from_utf8(bytes.get(8..8usize.checked_add(n)?)?).ok()?;
    let data = &bytes[8 + n..];
    let text = header;
    let header: serde_json::Map<String, Value> = serde_json::from_str(text).ok()?;
    for (depth, parent, key) in duplicate_keys(text) {
        let field = ["dtype", "shape", "data_offsets"].contains(&key.as_str());
        match (depth, parent.as_deref()) {
            (1, _) if key == "__metadata__" => return None,
            (2, Some(tensor)) if tensor != "__metadata__" && field => return None,
            _ => {}
        }
    }
    let metadata: BTreeMap<&str, &str> = match header.get("__metadata__") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(m)) => {
            m.iter().map(|(k, v)| Some((k.as_str(), v.as_str()?))).collect::<Option<_>>()?
        }
        Some(_) => return None,
    };
    // Every tensor: a known element type, a shape, and a byte range of the shape's size; the
    // ranges tile the data from its first byte to its last.
    let mut tensors = Vec::new();
    for (name, entry) in header.iter().filter(|(k, _)| *k != "__metadata__") {
        let entry = entry.as_object()?;
        let bits: usize = match entry.get("dtype")?.as_str()? {
            "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" | "F8_E4M3FNUZ" | "F8_E5M2FNUZ" => 8,
            "F4" => 4,
            "F6_E2M3" | "F6_E3M2" => 6,
            "I16" | "U16" | "F16" | "BF16" => 16,
            "I32" | "U32" | "F32" => 32,
            "I64" | "U64" | "F64" | "C64" => 64,
            _ => return None,
        };
        let shape: Vec<usize> = entry
            .get("shape")?
            .as_array()?
            .iter()
            .map(|d| usize::try_from(d.as_u64()?).ok())
            .collect::<Option<_>>()?;
        let range = entry.get("data_offsets")?.as_array()?;
        if range.len() != 2 {
            return None;
        }
        let (start, end) =
            (usize::try_from(range[0].as_u64()?).ok()?, usize::try_from(range[1].as_u64()?).ok()?);
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))?;
        let size_bits = count.checked_mul(bits)?;
        if size_bits % 8 != 0 || end < start || end - start != size_bits / 8 {
            return None;
        }
        tensors.push((start, end, name.as_str(), entry["dtype"].as_str()?, shape));
    }
    tensors.sort_by_key(|t| (t.0, t.1));
    let mut next = 0;
    for &(start, end, ..) in &tensors {
        if start != next {
            return None;
        }
        next = end;
    }
    if next != data.len() {
        return None;
    }
    // The networks: their four tensors, in F16, BF16, F32 or F64, of their shapes,
    // finite; and the layers and the cost, where the metadata records them.
    let mut found = Vec::new();
    for (name, shape) in TENSORS {
        let &(start, end, _, dtype, ref stored) = tensors.iter().find(|t| t.2 == name)?;
        if stored != shape {
            return None;
        }
        let bytes = &data[start..end];
        let values: Vec<f64> = match dtype {
            "F64" => bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect(),
            "F32" => {
                bytes.chunks_exact(4).map(|b| f64::from(f32::from_le_bytes(b.try_into().unwrap()))).collect()
            }
            "F16" => bytes.chunks_exact(2).map(|b| f16_to_f64(u16::from_le_bytes([b[0], b[1]]))).collect(),
            "BF16" => bytes
                .chunks_exact(2)
                .map(|b| f64::from(f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16)))
                .collect(),
            _ => return None,
        };
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        found.push(values);
    }
    // Beside them, only an input standardisation, which the network's loader skips unread.
    let skipped = ["input.mean", "input.std"];
    if !tensors.iter().all(|t| TENSORS.iter().any(|(n, _)| *n == t.2) || skipped.contains(&t.2)) {
        return None;
    }
    if let Some(layers) = metadata.get("backprop.layers") {
        let layers: Value = serde_json::from_str(layers).ok()?;
        let recorded: Vec<(&str, u64, u64, &str)> = layers
            .as_array()?
            .iter()
            .map(|l| {
                Some((
                    l.get("name")?.as_str()?,
                    l.get("inputs")?.as_u64()?,
                    l.get("outputs")?.as_u64()?,
                    l.get("activation")?.as_str()?,
                ))
            })
            .collect::<Option<_>>()?;
        if recorded != [("hidden", 2, 3, "Tanh"), ("out", 3, 2, "Identity")] {
            return None;
        }
    }
    if metadata.get("backprop.cost").is_some_and(|&cost| cost != "Mse") {
        return None;
    }
    Some(found)
}

/// The keys that appear twice in one object of `json` (valid JSON): the depth of the object
/// (1 for the outermost), the key the object is the value of, and the key.
fn duplicate_keys(json: &str) -> Vec<(usize, Option<String>, String)> {
    enum Frame {
        Object { keys: BTreeSet<String>, name: Option<String>, expecting_key: bool },
        Array,
    }
    let bytes = json.as_bytes();
    let (mut stack, mut duplicates, mut last_key) = (Vec::new(), Vec::new(), None);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                keys: BTreeSet::new(),
                name: last_key.take(),
                expecting_key: true,
            }),
            b'[' => {
                last_key = None;
                stack.push(Frame::Array);
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = true;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                // Decoded, so that `"a"` and `"\u0061"` are the same key.
                let text: String = serde_json::from_str(&json[start..=i]).unwrap();
                let depth = stack.len();
                if let Some(Frame::Object { keys, name, expecting_key: expecting_key @ true }) =
                    stack.last_mut()
                {
                    *expecting_key = false;
                    if !keys.insert(text.clone()) {
                        duplicates.push((depth, name.clone(), text.clone()));
                    }
                    last_key = Some(text);
                }
            }
            _ => {}
        }
        i += 1;
    }
    duplicates
}

/// An IEEE half-precision number, decoded by its definition.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1F);
    let fraction = f64::from(bits & 0x3FF);
    match exponent {
        0 => sign * fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        _ => sign * (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
    }
}

/// The parameters of a network as f64, in the order of [`TENSORS`].
fn parameters<F: Float, N: Network<F>>(net: &N) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    net.visit_parameters(&mut |p| {
        out.push(p.weight.iter().map(|v| Float::to_f64(*v)).collect());
        out.push(p.bias.iter().map(|v| Float::to_f64(*v)).collect());
    });
    out
}

fn same_bits(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()))
}

thread_local! {
    /// Whether this thread is running cases, whose panics are recorded rather than printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// The message of the last panic on this thread.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Routes panics on threads running cases to [`LAST_PANIC`], silently; others as before.
fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                LAST_PANIC.with(|last| *last.borrow_mut() = info.to_string());
            } else {
                default(info);
            }
        }));
    });
}

/// Runs `f`, returning its result or the message of its panic.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f)).map_err(|_| LAST_PANIC.with(|last| last.borrow().clone()));
    QUIET.with(|q| q.set(false));
    result
}

/// What is called with each case: a description of it, what it must give, and the file.
type Visit<'a> = dyn FnMut(&dyn Fn() -> String, Expect, &[u8]) + 'a;

/// The results of `Tiny::from_safetensors`, `Tiny64::from_safetensors` and
/// `load_safetensors_into` for one file.
type Loads<'a> = (&'a Result<Tiny, Error>, &'a Result<Tiny64, Error>, &'a Result<(), Error>);

/// What went wrong with the cases run so far.
#[derive(Default)]
struct Tally {
    cases: usize,
    loaded: usize,
    panics: Vec<String>,
    wrong: Vec<String>,
    /// The case of 256 bytes or more whose `Tiny::from_safetensors` allocated the most for its
    /// size: the peak of the heap over the file's size, the peak, the size and the case.
    worst: (f64, u64, usize, String),
}

impl Tally {
    /// Loads `bytes` into both networks and checks the results against `expect` and the
    /// reference reader.
    fn check(&mut self, label: &dyn Fn() -> String, expect: Expect, bytes: &[u8]) {
        self.cases += 1;
        let reference = reference(bytes);
        let mut problems: Vec<String> = Vec::new();
        let mut wrong = |what: String| problems.push(what);
        match (expect, &reference) {
            (Expect::Ok, None) => wrong("the reference reader refuses a file made to be valid".into()),
            (Expect::Err, Some(_)) => wrong("the reference reader accepts a file made to be invalid".into()),
            _ => {}
        }

        let mut narrow = Err(String::new());
        let memory = measure(|| narrow = guarded(|| Tiny::from_safetensors(bytes)));
        // Ranked among files of 256 bytes or more (the valid ones have 400 to 900): for a
        // file of a few bytes, the error's message alone is many times its size.
        let ratio = memory.bytes_max as f64 / bytes.len().max(1) as f64;
        if bytes.len() >= 256 && ratio > self.worst.0 {
            self.worst = (ratio, memory.bytes_max, bytes.len(), label());
        }
        // At most 4 times the file, beside a constant for the network's own arrays and the
        // error's message, which do not grow with the file.
        if memory.bytes_max > 4 * bytes.len() as u64 + PEAK_ALLOWANCE {
            let peak = memory.bytes_max;
            self.wrong.push(format!("{}: Tiny::from_safetensors allocated {peak} bytes at most", label()));
        }
        let wide = guarded(|| Tiny64::from_safetensors(bytes));
        let mut into = Tiny::with_seed(7);
        let before = parameters(&into);
        let loaded_into = guarded(|| into.load_safetensors_into(bytes));
        for (what, panic) in [
            ("Tiny::from_safetensors", narrow.as_ref().err()),
            ("Tiny64::from_safetensors", wide.as_ref().err()),
            ("load_safetensors_into", loaded_into.as_ref().err()),
        ] {
            if let Some(message) = panic {
                self.panics.push(format!("{}: {what} panicked: {message}", label()));
            }
        }
        if let (Ok(narrow), Ok(wide), Ok(loaded_into)) = (narrow, wide, loaded_into) {
            self.compare(&mut wrong, reference.as_deref(), (&narrow, &wide, &loaded_into), (&into, &before));
            if narrow.is_ok() || wide.is_ok() {
                self.loaded += 1;
            }
        }
        for what in problems {
            self.wrong.push(format!("{}: {what}", label()));
        }
    }

    /// Compares the loads of one file with the reference reader's `reference` values.
    fn compare(
        &self,
        wrong: &mut impl FnMut(String),
        reference: Option<&[Vec<f64>]>,
        (narrow, wide, loaded_into): Loads<'_>,
        (into, before): (&Tiny, &[Vec<f64>]),
    ) {
        // In f32, the reference's values rounded to f32 must all be finite.
        let narrowed = reference.map(|r| {
            r.iter().map(|t| t.iter().map(|&v| f64::from(v as f32)).collect::<Vec<_>>()).collect::<Vec<_>>()
        });
        let narrowed = narrowed.filter(|r| r.iter().flatten().all(|v| v.is_finite()));
        match (narrow, &narrowed) {
            (Ok(net), Some(values)) if !same_bits(&parameters(net), values) => {
                wrong("Tiny loaded other values than the file holds".into())
            }
            (Ok(_), None) => wrong("Tiny loaded a file the reference reader refuses".into()),
            (Err(e), Some(_)) => wrong(format!("Tiny refused a file the reference reader accepts: {e}")),
            (Err(e), None) if !matches!(e, Error::Safetensors { file: None, .. }) => {
                wrong(format!("Tiny's error is not Error::Safetensors: {e:?}"))
            }
            _ => {}
        }
        match (wide, reference) {
            (Ok(net), Some(values)) if !same_bits(&parameters(net), values) => {
                wrong("Tiny64 loaded other values than the file holds".into())
            }
            (Ok(_), None) => wrong("Tiny64 loaded a file the reference reader refuses".into()),
            (Err(e), Some(_)) => wrong(format!("Tiny64 refused a file the reference reader accepts: {e}")),
            _ => {}
        }
        match (loaded_into, narrow) {
            (Ok(()), Ok(net)) if parameters(into) != parameters(net) => {
                wrong("load_safetensors_into and from_safetensors disagree".into())
            }
            (Err(e), Err(f)) if e != f => {
                wrong(format!("load_safetensors_into says {e}, from_safetensors {f}"))
            }
            (Err(_), Err(_)) if !same_bits(&parameters(into), before) => {
                wrong("load_safetensors_into failed and changed the network".into())
            }
            (Ok(()), Err(_)) | (Err(_), Ok(_)) => {
                wrong("load_safetensors_into and from_safetensors disagree".into())
            }
            _ => {}
        }
    }
}

/// What loading a file may allocate beside 4 times its size: the network (17 `f32`, in four
/// arrays), the error and its message.
const PEAK_ALLOWANCE: u64 = 4096;

/// Interesting values for a byte.
const BYTES: [u8; 18] = [
    0x00, 0xFF, 0x7F, 0x80, 0xC3, b'"', b'{', b'}', b'[', b']', b',', b':', b'0', b'9', b'-', b' ', b'\\',
    b'e',
];

/// Interesting numbers to write into a header.
const NUMBERS: [&str; 22] = [
    "0",
    "1",
    "2",
    "3",
    "6",
    "7",
    "8",
    "12",
    "24",
    "-1",
    "1.0",
    "1e3",
    "4294967296",
    "4611686018427387904",
    "2305843009213693951",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "null",
    "\"8\"",
];

/// Element types, known to the format and not, valid as floats for the networks or not.
const DTYPES: [&str; 17] = [
    "I32", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "I64", "U64", "I16", "U16", "C64", "F4", "F6_E2M3", "F8_E8M0",
    "f32", "F128", "", "float32",
];

/// Shapes that no file of this size can hold, or whose products overflow.
const HUGE_SHAPES: [&[u64]; 10] = [
    &[1 << 62, 4],
    &[u64::MAX, 2],
    &[1 << 32, 1 << 32],
    &[1 << 31, 1 << 31, 4],
    &[u64::MAX],
    &[1 << 61, 8],
    &[1 << 63, 2],
    &[3, 1 << 62],
    &[1 << 40],
    &[0, u64::MAX],
];

/// Calls `f` with every case of part `part` of `parts`: a description of it, what it must
/// give, and the file. Part 0 has the cases made from each valid file by hand.
fn for_each_case(bases: &[Base], (part, parts): (usize, usize), f: &mut Visit<'_>) {
    structured(bases, (part, parts), f);
    random(bases, (part, parts), f);
    if part != 0 {
        return;
    }
    for (b, base) in bases.iter().enumerate() {
        let case = |kind: &'static str, i: usize| move || format!("{kind} #{i} of the {} file", base.name);
        let (len, n, data) = (base.bytes.len(), base.header_len, base.data());
        let json = base.json();

        // Truncations at every length: in the length, the header, its padding, every tensor.
        for cut in 0..len {
            f(&case("truncated", cut), Expect::Err, &base.bytes[..cut]);
        }
        // The JSON cut at every point, with a header length that says so.
        for cut in 0..json.len() {
            f(&case("JSON cut", cut), Expect::Err, &assemble(&json.as_bytes()[..cut], data));
        }
        // Header lengths that lie.
        let (n64, len64) = (n as u64, len as u64);
        let mut lies = vec![
            0,
            1,
            7,
            8,
            n64 - 1,
            n64 + 1,
            n64 + 8,
            len64 - 8,
            len64 - 7,
            len64,
            len64 + 1,
            100_000_000,
            100_000_001,
            u64::from(u32::MAX),
            1 << 63,
            u64::MAX - 8,
            u64::MAX - 7,
            u64::MAX - 1,
            u64::MAX,
            usize::MAX as u64 - len64,
            usize::MAX as u64 - 7,
        ];
        let mut rng = Rng::new(b as u64);
        lies.extend((0..40).map(|_| rng.next() >> rng.below(64)));
        lies.retain(|&lie| lie != n64);
        for (i, lie) in lies.iter().enumerate() {
            let mut bytes = base.bytes.clone();
            bytes[..8].copy_from_slice(&lie.to_le_bytes());
            f(&case("lying header length", i), Expect::Err, &bytes);
        }
        // Bytes after the last tensor, and before the file.
        for extra in 1..=64 {
            let mut bytes = base.bytes.clone();
            bytes.extend((0..extra).map(|i| (i * 37) as u8));
            f(&case("trailing bytes", extra), Expect::Err, &bytes);
            let mut bytes = vec![0u8; extra % 9 + 1];
            bytes.extend_from_slice(&base.bytes);
            f(&case("leading bytes", extra), Expect::Err, &bytes);
        }
        // Another file's data under this header.
        for (o, other) in bases.iter().enumerate().filter(|&(o, _)| o != b) {
            f(&case("spliced data", o), Expect::Err, &assemble(json.as_bytes(), other.data()));
        }
        // The same file, its header laid out differently: whitespace, padding, key order.
        for i in 0..32 {
            let spaces = [" ", "\n", "\t", "\r\n", "  "][i % 5];
            let padded =
                format!("{}{}{}", spaces.repeat(i % 3), pretty(&base.entries, spaces), " ".repeat(i));
            f(&case("whitespace", i), Expect::Ok, &assemble(padded.as_bytes(), data));
            let mut entries = base.entries.clone();
            let k = i % entries.len();
            entries.rotate_left(k);
            f(&case("key order", i), Expect::Ok, &assemble(render(&entries).as_bytes(), data));
        }
        f(&case("padded with NUL", 0), Expect::Err, &assemble(format!("{json}\0\0\0").as_bytes(), data));
    }
}

/// Cases that rewrite the header as JSON, each made from its own seed.
fn structured(bases: &[Base], (part, parts): (usize, usize), f: &mut Visit<'_>) {
    type Make = fn(&Base, &mut Rng) -> (Expect, Vec<u8>);
    let kinds: [(&'static str, usize, Make); 15] = [
        ("overlapping offsets", 300, overlapping),
        ("out-of-range offsets", 300, out_of_range),
        ("offsets with a gap", 200, gap),
        ("tensors in another order", 200, permuted),
        ("tensors of the same size swapped", 50, swapped),
        ("huge shape", 300, huge_shape),
        ("empty shape", 200, empty_shape),
        ("duplicate name", 300, duplicate),
        ("other element type", 400, other_dtype),
        ("F32 rewritten as F64", 100, widened),
        ("invalid JSON", 400, invalid_json),
        ("non-UTF-8 header", 200, non_utf8),
        ("metadata", 600, metadata),
        ("tensor entry", 500, tensor_entry),
        ("random offsets and shapes", 3000, random_layout),
    ];
    for (k, (kind, count, make)) in kinds.into_iter().enumerate() {
        for i in (part..count).step_by(parts) {
            let mut rng = Rng::new((k as u64 + 1) << 32 | i as u64);
            let base = &bases[i % bases.len()];
            let (expect, bytes) = make(base, &mut rng);
            f(&|| format!("{kind} #{i} of the {} file", base.name), expect, &bytes);
        }
    }
}

/// A random tensor's index in `base.entries`, and its position in offset order.
fn some_tensor(base: &Base, rng: &mut Rng) -> (usize, usize) {
    let tensors = base.tensors();
    let t = rng.below(tensors.len());
    (tensors[t], t)
}

fn with_offsets(base: &Base, entry: usize, start: u64, end: u64) -> Vec<(String, Value)> {
    let mut entries = base.entries.clone();
    entries[entry].1["data_offsets"] = json!([start, end]);
    entries
}

fn overlapping(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (entry, t) = some_tensor(base, rng);
    let (s, e) = offsets(&base.entries[entry].1);
    let k = 1 + rng.below((e - s) as usize) as u64;
    let tensors = base.tensors();
    let entries = match rng.below(3) {
        // Moved back into the tensor before it (or, for the first, forward into the next).
        0 if t > 0 => with_offsets(base, entry, s - k.min(s), e - k.min(s)),
        0 | 1 => with_offsets(base, entry, s + k, e + k),
        // The range of another tensor.
        _ => {
            let other = tensors[(t + 1 + rng.below(tensors.len() - 1)) % tensors.len()];
            let (os, oe) = offsets(&base.entries[other].1);
            with_offsets(base, entry, os, oe)
        }
    };
    (Expect::Err, assemble(render(&entries).as_bytes(), base.data()))
}

fn out_of_range(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (entry, _) = some_tensor(base, rng);
    let (s, e) = offsets(&base.entries[entry].1);
    let (size, d) = (e - s, base.data().len() as u64);
    let k = 1 + rng.below(1000) as u64;
    let (start, end) = *rng.pick(&[
        (s, d + k),
        (d + k, d + k + size),
        (1 << 63, (1 << 63) + size),
        (u64::MAX - size, u64::MAX),
        (0, u64::MAX),
        (u64::MAX, u64::MAX),
        (e, s),
        (s, s + size + k),
    ]);
    let mut data = base.data().to_vec();
    if rng.below(4) == 0 {
        // The offsets as they were, the data shorter.
        data.truncate(data.len().saturating_sub(k as usize));
        return (Expect::Err, assemble(base.json().as_bytes(), &data));
    }
    (Expect::Err, assemble(render(&with_offsets(base, entry, start, end)).as_bytes(), &data))
}

fn gap(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    // k bytes inserted before the t-th tensor, which the offsets skip.
    let (order, blocks) = (base.tensors(), base.blocks());
    let (t, k) = (rng.below(order.len() + 1), 1 + rng.below(16));
    let mut entries = base.entries.clone();
    let mut data = Vec::new();
    for (position, (&i, block)) in order.iter().zip(&blocks).enumerate() {
        if position == t {
            data.extend(std::iter::repeat_n(0u8, k));
        }
        entries[i].1["data_offsets"] = json!([data.len(), data.len() + block.len()]);
        data.extend_from_slice(block);
    }
    if t == order.len() {
        data.extend(std::iter::repeat_n(0u8, k));
    }
    (Expect::Err, assemble(render(&entries).as_bytes(), &data))
}

fn permuted(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (mut order, blocks) = (base.tensors(), base.blocks());
    let mut paired: Vec<(usize, Vec<u8>)> = order.iter().copied().zip(blocks).collect();
    for i in (1..paired.len()).rev() {
        paired.swap(i, rng.below(i + 1));
    }
    order = paired.iter().map(|p| p.0).collect();
    let blocks: Vec<Vec<u8>> = paired.into_iter().map(|p| p.1).collect();
    (Expect::Ok, relayout(base.entries.clone(), &order, &blocks))
}

fn swapped(base: &Base, _rng: &mut Rng) -> (Expect, Vec<u8>) {
    // hidden.weight (3 × 2) and out.weight (2 × 3) have the same size: swapping their ranges
    // makes a valid file with the values exchanged.
    let find = |name: &str| base.entries.iter().position(|(k, _)| k == name).unwrap();
    let (a, b) = (find("hidden.weight"), find("out.weight"));
    let mut entries = base.entries.clone();
    let (ra, rb) = (entries[a].1["data_offsets"].clone(), entries[b].1["data_offsets"].clone());
    entries[a].1["data_offsets"] = rb;
    entries[b].1["data_offsets"] = ra;
    (Expect::Ok, assemble(render(&entries).as_bytes(), base.data()))
}

fn huge_shape(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (entry, _) = some_tensor(base, rng);
    let mut entries = base.entries.clone();
    let shape = *rng.pick(&HUGE_SHAPES);
    entries[entry].1["shape"] = json!(shape);
    if rng.below(2) == 0 {
        // Offsets that agree with the shape, where they can be written.
        let (s, _) = offsets(&base.entries[entry].1);
        let bytes = shape.iter().try_fold(4u64, |a, &d| a.checked_mul(d)).unwrap_or(u64::MAX);
        entries[entry].1["data_offsets"] = json!([s, s.saturating_add(bytes)]);
        entries[entry].1["dtype"] = json!("F32");
    }
    (Expect::Err, assemble(render(&entries).as_bytes(), base.data()))
}

fn empty_shape(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (order, mut blocks) = (base.tensors(), base.blocks());
    let mut entries = base.entries.clone();
    if rng.below(3) == 0 {
        // An extra tensor with no elements, under a name the network does not have.
        let name =
            *rng.pick(&["extra", "", "hidden", "hidden.weight2", "out.bias ", "optimizer.hidden.weight.m"]);
        entries.push((name.to_owned(), json!({"dtype": "F32", "shape": [0], "data_offsets": [0, 0]})));
        let mut order = order;
        order.insert(rng.below(order.len() + 1), entries.len() - 1);
        let position = order.iter().position(|&i| i == entries.len() - 1).unwrap();
        blocks.insert(position, Vec::new());
        return (Expect::Err, relayout(entries, &order, &blocks));
    }
    // A tensor of the network with a shape of no elements, or a scalar, its data to match.
    let t = rng.below(order.len());
    let shapes: [&[usize]; 6] = [&[0], &[0, 2], &[3, 0], &[0, 0], &[], &[1, 0, 1]];
    let shape = *rng.pick(&shapes);
    let dtype = entries[order[t]].1["dtype"].as_str().unwrap().to_owned();
    let width = match dtype.as_str() {
        "F16" => 2,
        "F32" => 4,
        _ => 8,
    };
    entries[order[t]].1["shape"] = json!(shape);
    blocks[t] = vec![0x11; width * shape.iter().product::<usize>()];
    (Expect::Err, relayout(entries, &order, &blocks))
}

fn duplicate(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (entry, _) = some_tensor(base, rng);
    let mut entries = base.entries.clone();
    let copy = match rng.below(4) {
        // The same entry twice.
        0 => entries[entry].clone(),
        // The name twice, the second with another tensor's range.
        1 => {
            let (other, _) = some_tensor(base, rng);
            (entries[entry].0.clone(), entries[other].1.clone())
        }
        // `__metadata__` twice.
        2 => ("__metadata__".to_owned(), json!({"format": "pt", "backprop.cost": "Mse"})),
        // A field of the entry twice: rendered by hand below.
        _ => {
            let (name, value) = &entries[entry];
            let (s, e) = offsets(value);
            let text = format!(
                r#"{}:{{"dtype":"F32","dtype":{},"shape":{},"data_offsets":[{s},{e}]}}"#,
                Value::from(name.as_str()),
                value["dtype"],
                value["shape"]
            );
            let others = render(&[&entries[..entry], &entries[entry + 1..]].concat());
            let rendered = format!("{{{text},{}", &others[1..]);
            return (Expect::Any, assemble(rendered.as_bytes(), base.data()));
        }
    };
    entries.insert(rng.below(entries.len() + 1), copy);
    (Expect::Any, assemble(render(&entries).as_bytes(), base.data()))
}

fn other_dtype(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (entry, _) = some_tensor(base, rng);
    let mut entries = base.entries.clone();
    let current = entries[entry].1["dtype"].as_str().unwrap().to_owned();
    let (dtype, expect) = match rng.below(6) {
        0 => (json!(null), Expect::Err),
        1 => (json!(7), Expect::Err),
        // The other 16-bit float: a valid file whose values may be finite or not.
        2 if current == "F16" => (json!("BF16"), Expect::Any),
        _ => (json!(rng.pick(&DTYPES)), Expect::Err),
    };
    entries[entry].1["dtype"] = dtype;
    (expect, assemble(render(&entries).as_bytes(), base.data()))
}

fn widened(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    // An F32 tensor rewritten as F64, its values unchanged: a valid file with the same values.
    let (order, mut blocks) = (base.tensors(), base.blocks());
    let mut entries = base.entries.clone();
    let t = rng.below(order.len());
    if entries[order[t]].1["dtype"] != "F32" {
        return (Expect::Ok, base.bytes.clone());
    }
    entries[order[t]].1["dtype"] = json!("F64");
    blocks[t] = blocks[t]
        .chunks_exact(4)
        .flat_map(|b| f64::from(f32::from_le_bytes(b.try_into().unwrap())).to_le_bytes())
        .collect();
    (Expect::Ok, relayout(entries, &order, &blocks))
}

fn invalid_json(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let json = base.json();
    let position = rng.below(json.len());
    let (expect, header): (Expect, Vec<u8>) = match rng.below(12) {
        0 => (Expect::Err, json.replacen(':', "=", 1).into_bytes()),
        1 => (Expect::Err, json.replace('"', "'").into_bytes()),
        2 => (Expect::Err, format!("{},}}", &json[..json.len() - 1]).into_bytes()),
        3 => (Expect::Err, format!("{json}{json}").into_bytes()),
        4 => (
            Expect::Err,
            rng.pick(&["", "null", "[]", "true", "\"x\"", "{", "}", "{}}", "12", "[{}]"]).as_bytes().to_vec(),
        ),
        5 => (Expect::Err, format!("// comment\n{json}").into_bytes()),
        6 => (Expect::Err, json.replacen("\"shape\":[", "\"shape\":[NaN,", 1).into_bytes()),
        // Nesting far deeper than any parser's recursion limit, as a value and in a tensor.
        7 => {
            let depth = *rng.pick(&[129, 1000, 100_000]);
            let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            (Expect::Err, format!("{{\"deep\":{nested},{}", &json[1..]).into_bytes())
        }
        8 => (Expect::Err, format!("{{\"a\":{}", &json[1..]).replacen('}', "", 1).into_bytes()),
        // A character taken out or put in at random: usually, not always, invalid.
        9 => {
            let mut bytes = json.into_bytes();
            bytes.remove(position);
            (Expect::Any, bytes)
        }
        10 => {
            let mut bytes = json.into_bytes();
            bytes.insert(position, *rng.pick(&BYTES));
            (Expect::Any, bytes)
        }
        _ => (Expect::Err, json.as_bytes()[..position].to_vec()),
    };
    (expect, assemble(&header, base.data()))
}

fn non_utf8(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let json = base.json();
    let sequences: [&[u8]; 7] =
        [b"\xFF", b"\xC3", b"\x80", b"\xED\xA0\x80", b"\xC0\x80", b"\xF8\x88\x80\x80\x80", b"\xFE"];
    // Inside a string: a tensor name, a key, a metadata value.
    let quotes: Vec<usize> = json.match_indices('"').map(|(i, _)| i + 1).collect();
    let at = *rng.pick(&quotes);
    let mut header = json.as_bytes()[..at].to_vec();
    if rng.below(4) == 0 {
        // Valid UTF-8 that is not ASCII: refused in a tensor name, fine in a metadata value.
        header.extend_from_slice("é".as_bytes());
        header.extend_from_slice(&json.as_bytes()[at..]);
        return (Expect::Any, assemble(&header, base.data()));
    }
    let sequence: &[u8] = sequences[rng.below(sequences.len())];
    header.extend_from_slice(sequence);
    header.extend_from_slice(&json.as_bytes()[at..]);
    (Expect::Err, assemble(&header, base.data()))
}

fn metadata(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let layers = r#"[{"name":"hidden","inputs":2,"outputs":3,"activation":"Tanh"},{"name":"out","inputs":3,"outputs":2,"activation":"Identity"}]"#;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let options: Vec<(Value, Expect)> = vec![
        (json!(1), Expect::Err),
        (json!("format"), Expect::Err),
        (json!([]), Expect::Err),
        (json!(true), Expect::Err),
        (json!({"a": 1}), Expect::Err),
        (json!({"a": null}), Expect::Err),
        (json!({"a": {}}), Expect::Err),
        (json!({"a": ["x"]}), Expect::Err),
        (json!({"backprop.layers": 5}), Expect::Err),
        (json!(null), Expect::Ok),
        (json!({}), Expect::Ok),
        (json!({"backprop.layers": "not JSON"}), Expect::Err),
        (json!({"backprop.layers": "{}"}), Expect::Err),
        (json!({"backprop.layers": "[]"}), Expect::Err),
        (json!({"backprop.layers": "[1]"}), Expect::Err),
        (json!({"backprop.layers": deep}), Expect::Err),
        (json!({"backprop.layers": layers.replace("\"inputs\":2", "\"inputs\":-2")}), Expect::Err),
        (json!({"backprop.layers": layers.replace("\"inputs\":2", "\"inputs\":2.0")}), Expect::Err),
        (
            json!({"backprop.layers": layers.replace("\"inputs\":2", "\"inputs\":18446744073709551616")}),
            Expect::Err,
        ),
        (json!({"backprop.layers": layers.replace("\"Tanh\"", "5")}), Expect::Err),
        (json!({"backprop.layers": layers.replace("\"Tanh\"", "\"Relu\"")}), Expect::Err),
        (json!({"backprop.layers": layers.replace("\"name\":\"out\",", "")}), Expect::Err),
        (json!({"backprop.layers": layers.replace("hidden", "out")}), Expect::Err),
        (
            json!({"backprop.layers": layers.replace("]", r#",{"name":"x","inputs":2,"outputs":2,"activation":"Tanh"}]"#)}),
            Expect::Err,
        ),
        (json!({"backprop.layers": layers}), Expect::Ok),
        (
            json!({"backprop.layers": layers.replace("\"name\":\"hidden\",", "\"extra\":[1],\"name\":\"hidden\",")}),
            Expect::Ok,
        ),
        (json!({"backprop.cost": "SoftmaxCrossEntropy"}), Expect::Err),
        (json!({"backprop.cost": ""}), Expect::Err),
        (json!({"backprop.cost": "Mse"}), Expect::Ok),
        (
            json!({"backprop.float": "f16", "backprop.network": "Other", "backprop.version": "9.9.9"}),
            Expect::Ok,
        ),
        (json!({"format": "pt", "": "", "\u{0}": "\u{0}"}), Expect::Ok),
    ];
    let (value, expect) = rng.pick(&options).clone();
    let mut entries: Vec<(String, Value)> =
        base.entries.iter().filter(|(k, _)| k != "__metadata__").cloned().collect();
    entries.insert(rng.below(entries.len() + 1), ("__metadata__".to_owned(), value));
    (expect, assemble(render(&entries).as_bytes(), base.data()))
}

fn tensor_entry(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    let (entry, _) = some_tensor(base, rng);
    let mut entries = base.entries.clone();
    let original = entries[entry].1.clone();
    let (s, e) = offsets(&original);
    let (dtype, shape) = (original["dtype"].clone(), original["shape"].clone());
    let options: Vec<(Value, Expect)> = vec![
        (json!(1), Expect::Err),
        (json!("x"), Expect::Err),
        (json!(null), Expect::Err),
        (json!([]), Expect::Err),
        (json!({}), Expect::Err),
        (json!({"shape": shape, "data_offsets": [s, e]}), Expect::Err),
        (json!({"dtype": dtype, "data_offsets": [s, e]}), Expect::Err),
        (json!({"dtype": dtype, "shape": shape}), Expect::Err),
        (json!({"dtype": dtype, "shape": shape, "data_offsets": [s]}), Expect::Err),
        (json!({"dtype": dtype, "shape": shape, "data_offsets": [s, e, e]}), Expect::Err),
        (json!({"dtype": dtype, "shape": shape, "data_offsets": [-1, e]}), Expect::Err),
        (json!({"dtype": dtype, "shape": shape, "data_offsets": [s as f64, e as f64 + 0.5]}), Expect::Err),
        (
            json!({"dtype": dtype, "shape": shape, "data_offsets": [s.to_string(), e.to_string()]}),
            Expect::Err,
        ),
        (json!({"dtype": dtype, "shape": shape, "data_offsets": {"0": s, "1": e}}), Expect::Err),
        (json!({"dtype": dtype, "shape": [-3, 2], "data_offsets": [s, e]}), Expect::Err),
        (json!({"dtype": dtype, "shape": "3x2", "data_offsets": [s, e]}), Expect::Err),
        (json!({"dtype": dtype, "shape": [[3], 2], "data_offsets": [s, e]}), Expect::Err),
        // The entry as an array of its fields, in their order, which serde would take.
        (json!([dtype, shape, [s, e]]), Expect::Err),
        // A field the format does not define: ignored.
        (json!({"dtype": dtype, "shape": shape, "data_offsets": [s, e], "extra": {"a": [1]}}), Expect::Ok),
    ];
    let (value, expect) = rng.pick(&options).clone();
    entries[entry].1 = value;
    (expect, assemble(render(&entries).as_bytes(), base.data()))
}

fn random_layout(base: &Base, rng: &mut Rng) -> (Expect, Vec<u8>) {
    // Random small offsets and shapes: a few tile the data by chance.
    let mut entries = base.entries.clone();
    let d = base.data().len();
    for _ in 0..1 + rng.below(3) {
        let (entry, _) = some_tensor(base, rng);
        if rng.below(2) == 0 {
            let (a, b) = (rng.below(d + 9), rng.below(d + 9));
            entries[entry].1["data_offsets"] = json!([a.min(b), a.max(b)]);
        } else {
            let rank = rng.below(4);
            let shape: Vec<usize> = (0..rank).map(|_| *rng.pick(&[0, 1, 2, 3, 4, 6, 8, 12])).collect();
            entries[entry].1["shape"] = json!(shape);
        }
    }
    (Expect::Any, assemble(render(&entries).as_bytes(), base.data()))
}

/// Random damage to the bytes: 100 000 cases.
fn random(bases: &[Base], (part, parts): (usize, usize), f: &mut Visit<'_>) {
    type Damage = fn(&Base, &mut Rng) -> Vec<u8>;
    let kinds: [(&'static str, usize, Damage); 5] = [
        ("flipped bits", 35_000, flip_bits),
        ("flipped header bits", 25_000, flip_header_bits),
        ("bytes set", 15_000, set_bytes),
        ("header bytes inserted or removed", 10_000, edit_header),
        ("numbers replaced", 15_000, numbers),
    ];
    for (k, (kind, count, damage)) in kinds.into_iter().enumerate() {
        for i in (part..count).step_by(parts) {
            let mut rng = Rng::new((k as u64 + 100) << 32 | i as u64);
            let base = &bases[i % bases.len()];
            let bytes = damage(base, &mut rng);
            f(&|| format!("{kind} #{i} of the {} file", base.name), Expect::Any, &bytes);
        }
    }
}

fn flip_bits(base: &Base, rng: &mut Rng) -> Vec<u8> {
    let mut bytes = base.bytes.clone();
    for _ in 0..1 + rng.below(4) {
        let bit = rng.below(8 * bytes.len());
        bytes[bit / 8] ^= 1 << (bit % 8);
    }
    bytes
}

fn flip_header_bits(base: &Base, rng: &mut Rng) -> Vec<u8> {
    let mut bytes = base.bytes.clone();
    for _ in 0..1 + rng.below(3) {
        let bit = rng.below(8 * (8 + base.header_len));
        bytes[bit / 8] ^= 1 << (bit % 8);
    }
    bytes
}

fn set_bytes(base: &Base, rng: &mut Rng) -> Vec<u8> {
    let mut bytes = base.bytes.clone();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(bytes.len());
        bytes[at] = if rng.below(4) == 0 { rng.next() as u8 } else { *rng.pick(&BYTES) };
    }
    bytes
}

fn edit_header(base: &Base, rng: &mut Rng) -> Vec<u8> {
    let mut header = base.bytes[8..8 + base.header_len].to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(header.len());
        if rng.below(2) == 0 {
            header.remove(at);
        } else {
            header.insert(at, if rng.below(2) == 0 { rng.next() as u8 } else { *rng.pick(&BYTES) });
        }
    }
    let mut bytes = assemble(&header, base.data());
    if rng.below(2) == 0 {
        // The length as it was, which now lies.
        bytes[..8].copy_from_slice(&(base.header_len as u64).to_le_bytes());
    }
    bytes
}

fn numbers(base: &Base, rng: &mut Rng) -> Vec<u8> {
    // A run of digits in the header (a size, an offset, a version) replaced by another number.
    let json = base.json();
    let mut runs = Vec::new();
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push(start..i);
        }
        i += 1;
    }
    let mut json = json;
    for _ in 0..1 + rng.below(2) {
        let run = rng.pick(&runs).clone();
        let data_len = base.data().len().to_string();
        let number = match rng.below(5) {
            0 => data_len,
            1 => (rng.below(base.data().len() + 16)).to_string(),
            _ => (*rng.pick(&NUMBERS)).to_owned(),
        };
        if run.end <= json.len() {
            json.replace_range(run, &number);
        }
    }
    assemble(json.as_bytes(), base.data())
}

fn bases() -> Vec<Base> {
    vec![
        Base::new("f32", &Tiny::with_seed(1).to_safetensors()),
        Base::new("f64", &Tiny64::with_seed(2).to_safetensors()),
        Base::new("F16", &f16_file()),
    ]
}

#[test]
fn over_100_000_mutated_files_load_or_are_refused_without_panicking() {
    quiet_panics();
    let bases = bases();
    // The valid files themselves load, to the values the reference reader finds, as the
    // writer's own bytes do.
    let written = Tiny::with_seed(1).to_safetensors();
    assert!(same_bits(&reference(&written).unwrap(), &parameters(&Tiny::with_seed(1))));
    assert_eq!(Tiny::from_safetensors(&written).unwrap(), Tiny::with_seed(1));
    for base in &bases {
        let found = reference(&base.bytes).unwrap();
        assert!(
            same_bits(&parameters(&Tiny64::from_safetensors(&base.bytes).unwrap()), &found),
            "{}",
            base.name
        );
    }
    assert_eq!(
        parameters(&Tiny64::from_safetensors(&bases[1].bytes).unwrap()),
        parameters(&Tiny64::with_seed(2))
    );

    // Two threads, each with its part of the cases.
    let parts = 2;
    let tallies: Vec<(Tally, usize)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..parts)
            .map(|part| {
                let bases = &bases;
                scope.spawn(move || {
                    let (mut tally, mut expected_ok) = (Tally::default(), 0);
                    for_each_case(bases, (part, parts), &mut |label, expect, bytes| {
                        expected_ok += usize::from(expect == Expect::Ok);
                        tally.check(label, expect, bytes);
                    });
                    (tally, expected_ok)
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    let mut tally = Tally::default();
    let mut expected_ok = 0;
    for (part, ok) in tallies {
        tally.cases += part.cases;
        tally.loaded += part.loaded;
        tally.panics.extend(part.panics);
        tally.wrong.extend(part.wrong);
        if part.worst.0 > tally.worst.0 {
            tally.worst = part.worst;
        }
        expected_ok += ok;
    }
    println!(
        "{} mutated files: {} loaded, {} refused",
        tally.cases,
        tally.loaded,
        tally.cases - tally.loaded
    );
    let (ratio, peak, size, case) = &tally.worst;
    println!(
        "the most for its size (of files of 256 bytes or more): {case}, {size} bytes, {peak} allocated at most ({ratio:.2}× its size)"
    );
    assert!(
        tally.panics.is_empty(),
        "{} cases panicked; the first:\n{}",
        tally.panics.len(),
        tally.panics[..tally.panics.len().min(10)].join("\n")
    );
    assert!(
        tally.wrong.is_empty(),
        "{} cases went wrong; the first:\n{}",
        tally.wrong.len(),
        tally.wrong[..tally.wrong.len().min(10)].join("\n")
    );
    assert!(tally.cases >= 100_000, "only {} cases", tally.cases);
    // Both outcomes are common: the mutations are neither all fatal nor all harmless.
    assert!(
        tally.loaded >= expected_ok && tally.loaded > 5_000,
        "{} of {} loaded",
        tally.loaded,
        tally.cases
    );
    assert!(tally.cases - tally.loaded > 50_000, "{} of {} refused", tally.cases - tally.loaded, tally.cases);
}

#[test]
fn hostile_files_allocate_a_small_multiple_of_their_size() {
    let base = &bases()[0];
    let (n, data) = (base.header_len, base.data());
    let mut hostile: Vec<(&str, Vec<u8>)> = Vec::new();
    for lie in [u64::MAX, 1 << 40, 100_000_000, (base.bytes.len() + 1) as u64] {
        let mut bytes = base.bytes.clone();
        bytes[..8].copy_from_slice(&lie.to_le_bytes());
        hostile.push(("a lying header length", bytes));
    }
    let hidden = base.entries.iter().position(|(k, _)| k == "hidden.weight").unwrap();
    for (shape, end) in [
        (json!([1u64 << 62, 4]), json!(24)),
        (json!([u64::MAX, 2]), json!(24)),
        (json!([1u64 << 40]), json!(1u64 << 42)),
        (json!([1u64 << 28, 4]), json!(1u64 << 32)),
    ] {
        let mut entries = base.entries.clone();
        entries[hidden].1["shape"] = shape;
        entries[hidden].1["data_offsets"][1] = end;
        hostile.push(("a huge shape", assemble(render(&entries).as_bytes(), data)));
    }
    let m = u64::MAX / 8;
    let entries: Vec<(String, Value)> = (0..8)
        .map(|i| {
            (format!("t{i}"), json!({"dtype": "U8", "shape": [m], "data_offsets": [i * m, (i + 1) * m]}))
        })
        .collect();
    hostile.push(("offsets that overflow", assemble(render(&entries).as_bytes(), &[])));

    let net_bytes = 4 * (3 * 2 + 3 + 2 * 3 + 2);
    for (what, bytes) in &hostile {
        let result = measure(|| {
            assert!(Tiny::from_safetensors(bytes).is_err(), "{what}");
        });
        println!(
            "{what}: {} bytes, {} allocated at most, {} in all",
            bytes.len(),
            result.bytes_max,
            result.bytes_total
        );
        assert!(result.bytes_max < 16 * bytes.len() as u64 + 4 * net_bytes + 4096, "{what}: {result:?}");
    }

    // A large tensor the network has no room for: refused by its shape, its data never copied.
    let big: Vec<u8> = (0..4usize << 20).map(|i| i as u8).collect();
    let mut entries = base.entries.clone();
    entries[hidden].1 = json!({"dtype": "U8", "shape": [big.len()], "data_offsets": [0, big.len()]});
    let order = base.tensors();
    let mut blocks = base.blocks();
    let position = order.iter().position(|&i| i == hidden).unwrap();
    blocks[position] = big;
    let bytes = relayout(entries, &order, &blocks);
    let result = measure(|| assert!(Tiny::from_safetensors(&bytes).is_err()));
    println!(
        "a 4 MiB tensor of the wrong shape: {} allocated at most, {} in all",
        result.bytes_max, result.bytes_total
    );
    assert!(result.bytes_total < 64 * n as u64 + 4 * net_bytes + 4096, "{result:?}");

    // A header of 100 000 one-digit numbers, the densest JSON: serde holds each number of two
    // bytes ("0,") in 32, in a vector that grows by doubling. The library's own parse of the
    // header is dropped before the `safetensors` crate parses it, so the peak is the crate's.
    let zeros = vec!["0"; 100_000].join(",");
    let mut entries = base.entries.clone();
    entries[hidden].1["shape"] = serde_json::from_str(&format!("[{zeros}]")).unwrap();
    let bytes = assemble(render(&entries).as_bytes(), data);
    let result = measure(|| assert!(Tiny::from_safetensors(&bytes).is_err()));
    println!(
        "a {} byte header: {} allocated at most, {} in all",
        bytes.len(),
        result.bytes_max,
        result.bytes_total
    );
    let alone = measure(|| assert!(safetensors::SafeTensors::deserialize(&bytes).is_err()));
    println!(
        "the safetensors crate alone: {} allocated at most, {} in all",
        alone.bytes_max, alone.bytes_total
    );
    assert!(result.bytes_max < 40 * bytes.len() as u64, "{result:?}");
    assert!(result.bytes_max <= alone.bytes_max + 65_536, "{result:?}, the crate alone {alone:?}");
}
