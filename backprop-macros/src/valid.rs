//! Checks a network description, in a pass of its own, before anything is generated.

use std::collections::HashSet;

use crate::ast::{Network, Origin};
use crate::ctxt::Ctxt;
use crate::parse_network::KEYWORDS;
use crate::suggest;

/// Records every mistake of `net` in `errors`.
pub fn check(net: &Network, errors: &mut Ctxt) {
    let ident = &net.ident;
    let mut suggested = net.suggested.clone();
    if net.origin == Origin::Network {
        // A layer named like a missing keyword is most likely that keyword, misspelled.
        for layer in &net.layers {
            let name = layer.name.to_string();
            if let Some(keyword) = suggest::closest(&name, KEYWORDS) {
                let missing = match keyword {
                    "input" => net.input.is_none(),
                    _ => net.cost.is_none(),
                };
                if missing && !suggested.contains(&keyword) {
                    suggested.push(keyword);
                    let value = layer.outputs.map_or_else(|| "...".to_owned(), |size| size.value.to_string());
                    errors.error_spanned_by(
                        &layer.name,
                        format!(
                            "unknown key `{name}`: did you mean `{keyword}`? Write `{keyword}: {value},`"
                        ),
                    );
                }
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
    }
    let real_layers = net.layers.iter().filter(|l| !suggested.iter().any(|k| l.name == k)).count();
    if real_layers == 0 && !net.body_reported {
        let message = match net.origin {
            Origin::Network => format!(
                "network `{ident}` has no layers: declare at least the output layer after `input`, e.g. `out: 10,`"
            ),
            Origin::Derive => {
                format!("`{ident}` has no layers: add one field per layer, e.g. `out: Dense<f32, 4, 3>`")
            }
        };
        errors.push(syn::Error::new(net.missing_span, message));
    }
    if let Some(input) = net.input {
        if input.value == 0 && net.origin == Origin::Network {
            errors.push(syn::Error::new(
                input.span,
                format!("network `{ident}` has 0 inputs: a network needs at least one input feature, e.g. `input: 784,`"),
            ));
        }
    }

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
        if let Some(outputs) = layer.outputs {
            if outputs.value == 0 {
                let is_output = net.layers.last().is_some_and(|l| std::ptr::eq(l, layer));
                let what = if is_output {
                    "the output layer needs at least one unit, one per output of the network"
                } else {
                    "a layer needs at least one unit"
                };
                let example = match net.origin {
                    Origin::Network => format!("`{name}: {}`", if is_output { 10 } else { 64 }),
                    Origin::Derive => format!(
                        "`Dense<{}, {}, {}>`",
                        layer.float.as_ref().map_or_else(|| "f32".to_owned(), ToString::to_string),
                        layer.inputs.map_or(64, |i| i.value),
                        if is_output { 10 } else { 64 }
                    ),
                };
                errors.push(syn::Error::new(
                    outputs.span,
                    format!("layer `{name}` has 0 units: {what}, e.g. {example}"),
                ));
            }
        }
        if layer.inputs.is_some_and(|i| i.value == 0) && net.layers.first().is_some_and(|f| f.name == *name) {
            if let Some(inputs) = layer.inputs {
                errors.push(syn::Error::new(
                    inputs.span,
                    format!("layer `{name}` has 0 inputs: the first layer takes the network's input, which needs at least one feature, e.g. `Dense<{}, 784, ...>`", layer.float.as_ref().map_or_else(|| "f32".to_owned(), ToString::to_string)),
                ));
            }
        }
    }

    if net.origin == Origin::Derive {
        for pair in net.layers.windows(2) {
            let (before, layer) = (&pair[0], &pair[1]);
            if let (Some(units), Some(inputs)) = (before.outputs, layer.inputs) {
                if units.value != inputs.value {
                    errors.push(syn::Error::new(
                        inputs.span,
                        format!(
                            "layer `{}` takes {} inputs, but the layer before it, `{}`, has {} units: write `{}` as `{}`'s number of inputs, or give `{}` {} units",
                            layer.name, inputs.value, before.name, units.value, units.value, layer.name, before.name, inputs.value
                        ),
                    ));
                }
            }
        }
        if let Some(first) = net.layers.iter().find_map(|l| l.float.as_ref().map(|f| (l, f))) {
            for layer in &net.layers {
                if let Some(float) = &layer.float {
                    if float != first.1 {
                        errors.error_spanned_by(
                            float,
                            format!(
                                "layer `{}` computes in `{float}`, but layer `{}` computes in `{}`: all layers of a network use one float type, so write `{}` here too (or `{float}` in every layer)",
                                layer.name, first.0.name, first.1, first.1
                            ),
                        );
                    }
                }
            }
        }
    }
}
