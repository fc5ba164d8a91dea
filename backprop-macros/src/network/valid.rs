//! Checks a network description, in a pass of its own, before anything is generated, and
//! resolves it: the one way to the form `expand` consumes.
//!
//! Every check records its errors and goes on, so that one build reports every mistake.

use std::collections::HashSet;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;
use crate::network::ast::{Layer, Network, Origin, Size};
use crate::network::names::{self, ACTIVATIONS, COSTS, Misnamed};
use crate::network::parse_network::KEYWORDS;
use crate::network::resolved::{Level, Resolved};
use crate::suggest;

/// A description that has no resolved form: what to report beside the stub (see
/// `expand::stub`).
pub struct Invalid {
    /// Every mistake found in parsing and checking; `None` when the compiler's own error on the
    /// user's field is the one error (see [`Network::rejected_by_rustc`]).
    errors: Option<syn::Error>,
}

impl Invalid {
    /// The errors as `compile_error!` invocations; nothing when the compiler reports the one.
    pub fn to_compile_error(&self) -> TokenStream {
        self.errors.as_ref().map(syn::Error::to_compile_error).unwrap_or_default()
    }
}

/// Checks `net`, adding every mistake to `errors` (those found in parsing it), and resolves it
/// if there is none.
pub fn check(net: &Network, mut errors: Ctxt) -> Result<Resolved<'_>, Invalid> {
    let suggested = match net.origin {
        Origin::Network => keywords(net, &mut errors),
        Origin::Derive => Vec::new(),
    };
    layer_count(net, &suggested, &mut errors);
    sizes(net, &mut errors);
    matrices(net, &mut errors);
    names(net, &mut errors);
    activation_names(net, &mut errors);
    cost_name(net, &mut errors);
    if net.origin == Origin::Derive {
        chain(net, &mut errors);
        floats(net, &mut errors);
    }
    if net.rejected_by_rustc {
        // The compiler's own error on the user's field is the one error; the stub keeps the
        // rest of the program free of follow-on errors, beside any error of the macro's.
        return Err(Invalid { errors: errors.finish(()).err() });
    }
    errors.finish(()).and_then(|()| resolve(net)).map_err(|error| Invalid { errors: Some(error) })
}

/// The resolved form of a description the checks found no mistake in: the float type, the
/// cost, and each level's sizes, the sizes of a `network!` chained from `input`.
///
/// What it requires, the checks and the parsers have already reported when it is missing; its
/// errors (the messages the checks would give) are only there so that nothing can panic.
fn resolve(net: &Network) -> syn::Result<Resolved<'_>> {
    let missing =
        |what: &str| syn::Error::new(net.missing_span, format!("network `{}` has no {what}", net.ident));
    let cost = net.cost.as_ref().ok_or_else(|| missing("cost"))?;
    let input = net.input.as_ref().ok_or_else(|| missing("input size"))?;
    let float = net.float_ident();
    let mut inputs = input.dim.clone();
    let mut levels = Vec::with_capacity(net.layers.len());
    for (i, layer) in net.layers.iter().enumerate() {
        let units = layer.outputs.as_ref().ok_or_else(|| missing("layer size"))?;
        // A derive's layer takes the inputs its field's type declares (checked above, or
        // asserted at compile time, to be the units of the layer before it).
        if let Some(declared) = &layer.inputs {
            inputs = declared.dim.clone();
        }
        let level = Level::new(net, &float, i + 1, layer, inputs, units);
        inputs = level.outputs.clone();
        levels.push(level);
    }
    if levels.is_empty() {
        return Err(missing("layers"));
    }
    Ok(Resolved { net, float, cost, input, levels })
}

/// `network!` needs `input` and `cost`. A layer named like a missing keyword is most likely that
/// keyword, misspelled: it gets a "did you mean". Returns the keywords suggested so far.
fn keywords(net: &Network, errors: &mut Ctxt) -> Vec<&'static str> {
    let ident = &net.ident;
    let mut suggested = net.suggested.clone();
    for layer in &net.layers {
        let name = layer.name.to_string();
        let Some(keyword) = suggest::closest(&name, KEYWORDS) else { continue };
        let missing = match keyword {
            "input" => net.input.is_none(),
            _ => net.cost.is_none(),
        };
        if missing && !suggested.contains(&keyword) {
            suggested.push(keyword);
            let value = layer.outputs.as_ref().map_or_else(|| "...".to_owned(), |size| size.dim.to_string());
            errors.error_spanned_by(
                &layer.name,
                format!("unknown key `{name}`: did you mean `{keyword}`? Write `{keyword}: {value},`"),
            );
        }
    }
    if net.input.is_none() && !suggested.contains(&"input") {
        errors.error_spanned_by(
            ident,
            format!("network `{ident}` has no input size: add `input: <features>,` as its first entry, e.g. `input: 784,`"),
        );
    }
    if net.cost.is_none() && !suggested.contains(&"cost") {
        errors.error_spanned_by(
            ident,
            format!("network `{ident}` has no cost: add `cost: <Cost>,` as its last entry, e.g. `cost: SoftmaxCrossEntropy,` or `cost: Mse,`"),
        );
    }
    suggested
}

/// A network needs at least one layer (not counting misspelled keywords).
fn layer_count(net: &Network, suggested: &[&str], errors: &mut Ctxt) {
    let ident = &net.ident;
    let layers = net.layers.iter().filter(|l| !suggested.iter().any(|k| l.name == k)).count();
    if layers > 0 || net.body_reported {
        return;
    }
    let message = match net.origin {
        Origin::Network => {
            format!(
                "network `{ident}` has no layers: declare at least the output layer after `input`, e.g. `out: 10,`"
            )
        }
        Origin::Derive => {
            format!("`{ident}` has no layers: add one field per layer, e.g. `out: Dense<f32, 4, 3>`")
        }
    };
    errors.push(syn::Error::new(net.missing_span, message));
}

/// No size is zero: not the input, not any layer.
fn sizes(net: &Network, errors: &mut Ctxt) {
    let ident = &net.ident;
    if let (Origin::Network, Some(input)) = (net.origin, &net.input) {
        if input.value() == Some(0) {
            errors.push(syn::Error::new(
                input.span,
                format!("network `{ident}` has 0 inputs: a network needs at least one input feature, e.g. `input: 784,`"),
            ));
        }
    }
    if let Some(first) = net.layers.first() {
        if let Some(inputs) = first.inputs.as_ref().filter(|i| i.value() == Some(0)) {
            errors.push(syn::Error::new(
                inputs.span,
                format!(
                    "layer `{}` has 0 inputs: the first layer takes the network's input, which needs at least one feature, e.g. `Dense<{}, 784, ...>`",
                    first.name,
                    float_name(first)
                ),
            ));
        }
    }
    for (i, layer) in net.layers.iter().enumerate() {
        let Some(outputs) = layer.outputs.as_ref().filter(|o| o.value() == Some(0)) else { continue };
        let name = &layer.name;
        let is_output = i + 1 == net.layers.len();
        let what = if is_output {
            "the output layer needs at least one unit, one per output of the network"
        } else {
            "a layer needs at least one unit"
        };
        let units = if is_output { 10 } else { 64 };
        let example = match net.origin {
            Origin::Network => format!("`{name}: {units}`"),
            Origin::Derive => {
                format!(
                    "`Dense<{}, {}, {units}>`",
                    float_name(layer),
                    layer.inputs.as_ref().and_then(Size::value).unwrap_or(64)
                )
            }
        };
        errors.push(syn::Error::new(
            outputs.span,
            format!("layer `{name}` has 0 units: {what}, e.g. {example}"),
        ));
    }
}

/// Every weight matrix can exist: IN·OUT values of the float type fit in `isize::MAX` bytes, the
/// most any allocation may hold. A layer that takes the units of a layer already reported is not
/// reported again: fixing the one fixes both.
fn matrices(net: &Network, errors: &mut Ctxt) {
    let mut previous = net.input.as_ref().and_then(Size::value);
    let mut previous_reported = false;
    for layer in &net.layers {
        let inputs = layer.inputs.as_ref().and_then(Size::value).or(previous);
        // A size the macro cannot compute (a constant) is the compiler's to check.
        let Some((outputs, span)) = layer.outputs.as_ref().and_then(|s| s.value().map(|v| (v, s.span)))
        else {
            (previous, previous_reported) = (None, false);
            continue;
        };
        let float = match net.origin {
            Origin::Network => net.float.as_ref(),
            Origin::Derive => layer.float.as_ref(),
        };
        let (bytes, float) = match float.map(ToString::to_string).as_deref() {
            Some("f64") => (8, "f64"),
            _ => (4, "f32"),
        };
        // A layer whose number of inputs is not known (an error already says so) fits.
        let fits = inputs.is_none_or(|n| {
            n.checked_mul(outputs)
                .and_then(|n| n.checked_mul(bytes))
                .is_some_and(|n| isize::try_from(n).is_ok())
        });
        if !fits && !previous_reported {
            errors.push(syn::Error::new(
                span,
                format!(
                    "layer `{}` would hold a {}×{} weight matrix of `{float}`, more than the {} bytes any \
                     allocation may hold (`isize::MAX`): give it fewer units",
                    layer.name,
                    outputs,
                    inputs.unwrap_or_default(),
                    isize::MAX
                ),
            ));
        }
        (previous, previous_reported) = (Some(outputs), !fits);
    }
}

/// Each layer has a name of its own.
fn names(net: &Network, errors: &mut Ctxt) {
    let mut seen = HashSet::new();
    for layer in &net.layers {
        let name = &layer.name;
        if !seen.insert(name.to_string()) {
            errors.error_spanned_by(
                name,
                format!(
                    "layer `{name}` is declared twice: give each layer a name of its own, e.g. `{name}2`"
                ),
            );
        }
    }
}

/// What the built-in activations are, and where softmax and new activations come from: the end
/// of every message about an activation's name.
fn activations_note() -> String {
    format!(
        "the built-in activations are {}; softmax is no activation but part of the cost `SoftmaxCrossEntropy` \
         (the output layer then has none), and `#[activation]` defines new ones",
        names::list(ACTIVATIONS)
    )
}

/// An activation written as another spelling of a built-in one (`ReLU`) or as softmax is the
/// macro's error, on the name; any other name is the compiler's to resolve (see `names`).
fn activation_names(net: &Network, errors: &mut Ctxt) {
    let count = net.layers.len();
    for (i, layer) in net.layers.iter().enumerate() {
        let Some(ty) = &layer.activation else { continue };
        let Some(misnamed) = names::misnamed(ty, ACTIVATIONS) else { continue };
        let written = names::written_name(ty).unwrap_or_default();
        let name = &layer.name;
        let message = match misnamed {
            Misnamed::Spelling(builtin) => format!(
                "`{written}` is not an activation: did you mean `{builtin}`? Write `{builtin}` for layer `{name}`; {}",
                activations_note()
            ),
            Misnamed::Softmax => {
                let fix = if i + 1 < count {
                    format!("give the hidden layer `{name}` an element-wise activation such as `Relu`")
                } else {
                    let without = match net.origin {
                        Origin::Network => format!("remove `=> {written}` from `{name}`"),
                        Origin::Derive => format!("leave the activation out of `{name}`'s `Dense`"),
                    };
                    format!(
                        "{without} and use the cost `SoftmaxCrossEntropy`, which applies softmax to z^L itself"
                    )
                };
                format!(
                    "`{written}` is not an activation: softmax is a function of all outputs together, not of each unit, \
                     so no layer can apply it: {fix}; the built-in activations are {}, and `#[activation]` defines new ones",
                    names::list(ACTIVATIONS)
                )
            }
        };
        errors.error_spanned_by(ty, message);
    }
}

/// A cost written as another spelling of a built-in one (`MSE`) or as softmax is the macro's
/// error, on the name.
fn cost_name(net: &Network, errors: &mut Ctxt) {
    let Some(ty) = &net.cost else { return };
    let Some(misnamed) = names::misnamed(ty, COSTS) else { return };
    let written = names::written_name(ty).unwrap_or_default();
    let what = match misnamed {
        Misnamed::Spelling(builtin) => format!("did you mean `{builtin}`? Write `{builtin}`"),
        Misnamed::Softmax => {
            "softmax is part of the cost `SoftmaxCrossEntropy`, which takes z^L and applies softmax \
             itself: write `SoftmaxCrossEntropy` (the output layer then has no activation)"
                .to_owned()
        }
    };
    errors.error_spanned_by(
        ty,
        format!(
            "`{written}` is not a cost: {what}; the built-in costs are {}, and a type of your own is a cost once it implements `backprop::Cost`",
            names::list(COSTS)
        ),
    );
}

/// In a derive, each layer takes as many inputs as the layer before it has units.
fn chain(net: &Network, errors: &mut Ctxt) {
    for pair in net.layers.windows(2) {
        let (before, layer) = (&pair[0], &pair[1]);
        let (Some(units), Some(inputs)) = (&before.outputs, &layer.inputs) else { continue };
        // Sizes the macro cannot compute (constants) are checked by a `const` assertion.
        let (Some(units_value), Some(inputs_value)) = (units.value(), inputs.value()) else { continue };
        if units_value != inputs_value {
            errors.push(syn::Error::new(
                inputs.span,
                format!(
                    "layer `{}` takes {} inputs, but the layer before it, `{}`, has {} units: write `{}` as `{}`'s number of inputs, or give `{}` {} units",
                    layer.name, inputs_value, before.name, units_value, units_value, layer.name, before.name, inputs_value
                ),
            ));
        }
    }
}

/// In a derive, every layer uses the float type of the first.
fn floats(net: &Network, errors: &mut Ctxt) {
    let Some((first, expected)) = net.layers.iter().find_map(|l| l.float.as_ref().map(|f| (l, f))) else {
        return;
    };
    for layer in &net.layers {
        let Some(float) = layer.float.as_ref().filter(|f| *f != expected) else { continue };
        errors.error_spanned_by(
            float,
            format!(
                "layer `{}` computes in `{float}`, but layer `{}` computes in `{expected}`: all layers of a network use one float type, so write `{expected}` here too (or `{float}` in every layer)",
                layer.name, first.name
            ),
        );
    }
}

/// The float type written on a layer, or `f32` for examples when none could be read.
fn float_name(layer: &Layer) -> String {
    layer.float.as_ref().map_or_else(|| "f32".to_owned(), ToString::to_string)
}
