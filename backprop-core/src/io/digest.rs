//! The digest of a file's content: what [`DIGEST_KEY`] records and how it is computed.
//!
//! SHA-256 (RustCrypto's `sha2`, pure Rust, with the SHA extensions of x86 and ARM chosen at
//! run time) rather than BLAKE3: the standard hash that every tool can recompute, a small
//! dependency that builds no C or assembly, and fast enough that hashing a checkpoint costs a
//! fraction of writing it (BENCHMARKS.md and `benches/io.rs`, `checkpoint`). The digest guards
//! against a file changed or damaged after it was written, not against someone who means to
//! forge it: they can recompute it. What it cannot vouch for, resuming checks on its own.

use safetensors::View;
use sha2::{Digest, Sha256};

use super::DIGEST_KEY;

/// The digest of the metadata (but [`DIGEST_KEY`]) and the tensors, as [`DIGEST_KEY`] defines
/// it: `sha256:` and 64 lowercase hexadecimal digits.
pub(crate) fn digest<'a, V: View>(
    metadata: impl IntoIterator<Item = (&'a str, &'a str)>,
    tensors: impl IntoIterator<Item = (&'a str, V)>,
) -> String {
    let mut hash = Sha256::new();
    let mut put = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    put(b"backprop.digest/1");
    let mut entries: Vec<(&str, &str)> = metadata.into_iter().filter(|(key, _)| *key != DIGEST_KEY).collect();
    entries.sort_unstable();
    put(&(entries.len() as u64).to_le_bytes());
    for (key, value) in entries {
        put(key.as_bytes());
        put(value.as_bytes());
    }
    let mut tensors: Vec<(&str, V)> = tensors.into_iter().collect();
    tensors.sort_unstable_by(|a, b| a.0.cmp(b.0));
    put(&(tensors.len() as u64).to_le_bytes());
    for (name, tensor) in tensors {
        put(name.as_bytes());
        // The element type as the header writes it (`"F32"`).
        let dtype = serde_json::to_value(tensor.dtype()).ok();
        put(dtype.as_ref().and_then(serde_json::Value::as_str).unwrap_or_default().as_bytes());
        let shape: Vec<u8> = tensor.shape().iter().flat_map(|&d| (d as u64).to_le_bytes()).collect();
        put(&shape);
        put(&tensor.data());
    }
    let digest = hash.finalize();
    let mut text = String::with_capacity(7 + 2 * digest.len());
    text.push_str("sha256:");
    for byte in digest {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 15)]));
    }
    text
}

/// The digits of a byte in hexadecimal.
const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::io::tensors::Tensor;

    /// The digest of an empty file is SHA-256 of the definition's items: checked against the
    /// bytes written out by hand, hashed by `sha256sum` (GNU coreutils).
    #[test]
    fn the_digest_of_nothing_is_the_hash_of_its_definition() {
        // 17 "backprop.digest/1", then 8 (0u64), then 8 (0u64), each item length-prefixed.
        // printf '\x11\0\0\0\0\0\0\0backprop.digest/1\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' | sha256sum
        let found = digest::<&Tensor>([], []);
        assert_eq!(found, EMPTY);
    }

    const EMPTY: &str = "sha256:34f3e845dcdb0fa94dd1fad5465a6af5780132815c8977216191b2f4acbedf2a";

    /// Every part of the content changes the digest; the order of the entries does not.
    #[test]
    fn every_part_of_the_content_changes_the_digest() {
        let values = ndarray::array![[1.0_f32, -2.0], [0.5, 3.0]].into_dyn();
        let metadata = HashMap::from([("a".to_owned(), "1".to_owned()), ("b".to_owned(), "2".to_owned())]);
        let of = |metadata: &HashMap<String, String>, tensors: &[Tensor]| {
            let metadata = metadata.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            digest(metadata, tensors.iter().map(|t| (t.name.as_str(), t)))
        };
        let tensors = [Tensor::of("x".to_owned(), values.view()), Tensor::of("y".to_owned(), values.view())];
        let base = of(&metadata, &tensors);
        let reversed = [Tensor::of("y".to_owned(), values.view()), Tensor::of("x".to_owned(), values.view())];
        assert_eq!(of(&metadata, &reversed), base);
        let mut with_digest = metadata.clone();
        with_digest.insert(DIGEST_KEY.to_owned(), "anything".to_owned());
        assert_eq!(of(&with_digest, &tensors), base);

        let mut changed = metadata.clone();
        changed.insert("b".to_owned(), "3".to_owned());
        assert_ne!(of(&changed, &tensors), base);
        // A key and value split differently: the lengths tell them apart.
        let moved = HashMap::from([("a".to_owned(), "1".to_owned()), ("b2".to_owned(), String::new())]);
        let split = HashMap::from([("a".to_owned(), "1".to_owned()), ("b".to_owned(), "2".to_owned())]);
        assert_ne!(of(&moved, &tensors), of(&split, &tensors));
        let renamed = [Tensor::of("x".to_owned(), values.view()), Tensor::of("z".to_owned(), values.view())];
        assert_ne!(of(&metadata, &renamed), base);
        let reshaped =
            values.clone().into_shape_with_order(ndarray::IxDyn(&[4, 1])).unwrap_or(values.clone());
        let reshaped =
            [Tensor::of("x".to_owned(), values.view()), Tensor::of("y".to_owned(), reshaped.view())];
        assert_ne!(of(&metadata, &reshaped), base);
        let wider = values.mapv(f64::from);
        let wider = [Tensor::of("x".to_owned(), values.view()), Tensor::of("y".to_owned(), wider.view())];
        assert_ne!(of(&metadata, &wider), base);
        let mut edited = values.clone();
        edited[[1, 1]] = 3.000_000_2;
        let edited = [Tensor::of("x".to_owned(), values.view()), Tensor::of("y".to_owned(), edited.view())];
        assert_ne!(of(&metadata, &edited), base);
    }
}
