//! `include_weights!(Name, "path.safetensors")`: a network's weights, read from a safetensors
//! file when the crate compiles, as a `NameFixed` value that can be a `static`.
//!
//! The macro reads the file (relative to the crate's `CARGO_MANIFEST_DIR`, as `include_bytes!`
//! paths are read by users of Cargo) and checks what only it can: that the file is there and is
//! a safetensors file, and that every tensor is F16, BF16, F32 or F64 with finite values. Each
//! problem is one error on the path. It then expands to the file's bytes (`include_bytes!`, so
//! that editing the file rebuilds the crate, and the bytes are in the program once) and the
//! table of its tensors, given to `NameFixed::__from_safetensors`, which `network!` generated:
//! a `const fn` that checks the tensors against the declaration (each present with the layer's
//! shape, no other) and converts them to the network's float type, in `const` evaluation.

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use safetensors::tensor::Metadata;
use safetensors::{Dtype, SafeTensors};
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Path, Token};

/// The input: the network's type and the file's path.
struct Input {
    network: Path,
    file: LitStr,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let usage = "`include_weights!` takes the network and the path of its weights, relative to \
                     the crate's Cargo.toml, as in `include_weights!(Fashion, \"model/fashion.safetensors\")`";
        let network: Path = input.parse().map_err(|e| syn::Error::new(e.span(), usage))?;
        input.parse::<Token![,]>().map_err(|e| syn::Error::new(e.span(), usage))?;
        let file: LitStr = input.parse().map_err(|e| syn::Error::new(e.span(), usage))?;
        let _ = input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(syn::Error::new(input.span(), usage));
        }
        Ok(Input { network, file })
    }
}

/// The expansion of `include_weights!(input)`.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Input>(input).and_then(|input| weights(&input)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

/// The bytes and the tensor table, or the error on the path.
fn weights(input: &Input) -> syn::Result<TokenStream> {
    let Input { network, file } = input;
    let error = |message: String| syn::Error::new(file.span(), message);
    let relative = file.value();
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| error("`include_weights!` reads its file relative to CARGO_MANIFEST_DIR, which Cargo sets: build with Cargo".to_owned()))?;
    let path = PathBuf::from(dir).join(&relative);
    let bytes = std::fs::read(&path)
        .map_err(|e| error(format!("cannot read the weights `{relative}` ({}): {e}", path.display())))?;
    let tensors = SafeTensors::deserialize(&bytes).map_err(|e| {
        error(format!("`{relative}` is not a safetensors file ({e}): save the network with `Persist::save`, or PyTorch's `safetensors.torch.save_file`"))
    })?;
    // The header again, parsed on its own: its tensors' offsets and what `save` recorded. The
    // data start after its 8-byte length and the header.
    let (header, metadata) = SafeTensors::read_metadata(&bytes)
        .map_err(|e| error(format!("`{relative}` is not a safetensors file ({e})")))?;
    let mut entries = Vec::new();
    let mut names: Vec<String> = tensors.names().into_iter().map(str::to_owned).collect();
    names.sort();
    for name in &names {
        let view = tensors.tensor(name).map_err(|e| error(format!("`{relative}`: {e}")))?;
        let dtype = match view.dtype() {
            Dtype::F64 => quote!(F64),
            Dtype::F32 => quote!(F32),
            Dtype::F16 => quote!(F16),
            Dtype::BF16 => quote!(BF16),
            other => {
                return Err(error(format!(
                    "tensor `{name}` of `{relative}` is {other:?}: the weights must be F16, BF16, F32 or F64, as `Persist::load` reads them"
                )));
            }
        };
        if let Some((index, value)) = first_non_finite(view.dtype(), view.data()) {
            return Err(error(format!(
                "tensor `{name}` of `{relative}` holds {value} at flat index {index}: the weights must be finite"
            )));
        }
        let start = 8 + header + metadata.info(name).map_or(0, |info| info.data_offsets.0);
        let shape = view.shape();
        entries.push(quote! {
            ::backprop::__private::Tensor {
                name: #name,
                dtype: ::backprop::__private::Dtype::#dtype,
                shape: &[#(#shape),*],
                start: #start,
            }
        });
    }
    let (layers, cost) = recorded(&metadata, &relative).map_err(error)?;
    let layers = match layers {
        Some(layers) => {
            let layers = layers.iter().map(|(name, inputs, outputs, activation)| {
                quote! {
                    ::backprop::__private::Recorded {
                        name: #name, inputs: #inputs, outputs: #outputs, activation: #activation,
                    }
                }
            });
            quote!(::core::option::Option::Some(&[#(#layers),*]))
        }
        None => quote!(::core::option::Option::None),
    };
    let cost = match cost {
        Some(cost) => quote!(::core::option::Option::Some(#cost)),
        None => quote!(::core::option::Option::None),
    };
    let mut fixed = network.clone();
    if let Some(last) = fixed.segments.last_mut() {
        last.ident = format_ident!("{}Fixed", last.ident, span = last.ident.span());
    }
    let absolute = LitStr::new(&path.to_string_lossy(), Span::call_site());
    // In a `const` block, which the compiler evaluates whatever the expression's place: a file
    // that does not fit the declaration is always a compile error, never a panic at run time.
    Ok(quote! {
        const {
            #fixed::__from_safetensors(
                ::core::include_bytes!(#absolute),
                &[#(#entries),*],
                #layers,
                #cost,
                #file,
            )
        }
    })
}

/// A layer as `save` records it: name, inputs, outputs, activation.
type RecordedLayer = (String, usize, usize, String);

/// What the file's metadata records of the network, where `save` wrote it: the layers
/// (`backprop.layers`) and the cost (`backprop.cost`); `None` for what it does not record (a file
/// PyTorch wrote). Malformed metadata is an error.
fn recorded(
    metadata: &Metadata,
    relative: &str,
) -> Result<(Option<Vec<RecordedLayer>>, Option<String>), String> {
    let Some(map) = metadata.metadata() else { return Ok((None, None)) };
    let bad = |e: &dyn std::fmt::Display| {
        format!("`{relative}`: the metadata `backprop.layers` is not the library's ({e})")
    };
    let layers = match map.get("backprop.layers") {
        None => None,
        Some(json) => {
            let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e))?;
            let layers = value.as_array().ok_or_else(|| bad(&"not an array"))?;
            let layer = |l: &serde_json::Value| -> Option<RecordedLayer> {
                Some((
                    l.get("name")?.as_str()?.to_owned(),
                    usize::try_from(l.get("inputs")?.as_u64()?).ok()?,
                    usize::try_from(l.get("outputs")?.as_u64()?).ok()?,
                    l.get("activation")?.as_str()?.to_owned(),
                ))
            };
            Some(layers.iter().map(|l| layer(l).ok_or_else(|| bad(&l))).collect::<Result<Vec<_>, _>>()?)
        }
    };
    Ok((layers, map.get("backprop.cost").cloned()))
}

/// The first value of the little-endian `data` of `dtype` that is not finite, with its index.
fn first_non_finite(dtype: Dtype, data: &[u8]) -> Option<(usize, String)> {
    let values: Box<dyn Iterator<Item = f64> + '_> = match dtype {
        Dtype::F64 => {
            Box::new(data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))))
        }
        Dtype::F32 => Box::new(
            data.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap_or([0; 4])))),
        ),
        // Binary16 and bfloat16 are infinite or NaN exactly when their exponent bits are all ones.
        Dtype::F16 => Box::new(data.chunks_exact(2).map(|c| {
            let bits = u16::from_le_bytes([c[0], c[1]]);
            if bits & 0x7c00 == 0x7c00 { special(bits & 0x3ff != 0, bits & 0x8000 != 0) } else { 0.0 }
        })),
        Dtype::BF16 => Box::new(
            data.chunks_exact(2)
                .map(|c| f64::from(f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))),
        ),
        _ => Box::new(std::iter::empty()),
    };
    values.enumerate().find(|(_, v)| !v.is_finite()).map(|(i, v)| (i, v.to_string()))
}

/// NaN, or an infinity of the sign given.
fn special(nan: bool, negative: bool) -> f64 {
    match (nan, negative) {
        (true, _) => f64::NAN,
        (false, false) => f64::INFINITY,
        (false, true) => f64::NEG_INFINITY,
    }
}
