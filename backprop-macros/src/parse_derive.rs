//! The `#[derive(Backprop)]` front end: reads a struct of `Dense<F, IN, OUT, A>` fields and its
//! `#[backprop(cost = C)]` attribute.

use syn::{Data, DeriveInput, Expr, Fields, GenericArgument, Ident, Lit, PathArguments, Type};

use crate::ast::{Layer, Network, Origin, Size};
use crate::ctxt::Ctxt;
use crate::suggest;

/// How a derive's struct must look, for messages.
const EXAMPLE: &str = "struct Net { hidden: Dense<f32, 4, 16, Relu>, out: Dense<f32, 16, 3> }";

/// Reads the description of the network a derive is on, with every error found.
pub fn description(input: &DeriveInput) -> (Network, Ctxt) {
    let mut errors = Ctxt::default();
    let mut network = Network {
        origin: Origin::Derive,
        attrs: Vec::new(),
        vis: input.vis.clone(),
        ident: input.ident.clone(),
        float: None,
        input: None,
        layers: Vec::new(),
        cost: cost(input, &mut errors),
        missing_span: input.ident.span(),
        suggested: Vec::new(),
    };
    if let Some(param) = input.generics.params.first() {
        errors.error_spanned_by(
            &input.generics,
            format!(
                "`#[derive(Backprop)]` does not support generic parameters (found `{}`): the layers fix the float type and the sizes, e.g. `{EXAMPLE}`",
                quote::quote!(#param)
            ),
        );
    }
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                for field in &fields.named {
                    if let Some(layer) = layer(field, &mut errors) {
                        network.layers.push(layer);
                    }
                }
                if fields.named.is_empty() {
                    network.missing_span = fields.brace_token.span.join();
                }
            }
            Fields::Unnamed(fields) => errors.error_spanned_by(
                fields,
                format!(
                    "`#[derive(Backprop)]` needs named fields, one per layer, but `{}` is a tuple struct: write `{EXAMPLE}`",
                    input.ident
                ),
            ),
            Fields::Unit => errors.error_spanned_by(
                &input.ident,
                format!(
                    "`#[derive(Backprop)]` needs one named field per layer, but `{}` is a unit struct: write `{EXAMPLE}`",
                    input.ident
                ),
            ),
        },
        Data::Enum(data) => errors.error_spanned_by(
            data.enum_token,
            format!("`#[derive(Backprop)]` goes on a struct of `Dense` layers, not on an enum: write `{EXAMPLE}`"),
        ),
        Data::Union(data) => errors.error_spanned_by(
            data.union_token,
            format!("`#[derive(Backprop)]` goes on a struct of `Dense` layers, not on a union: write `{EXAMPLE}`"),
        ),
    }
    if let Some(first) = network.layers.first() {
        network.float = first.float.clone();
        network.input = first.inputs;
    }
    (network, errors)
}

/// The cost of `#[backprop(cost = C)]`, recording errors for a missing, repeated or unknown
/// argument.
fn cost(input: &DeriveInput, errors: &mut Ctxt) -> Option<Type> {
    let mut cost: Option<Type> = None;
    let mut seen_attr = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("backprop")) {
        seen_attr = true;
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("cost") {
                let ty: Type = meta.value()?.parse()?;
                if cost.is_some() {
                    return Err(meta.error("`cost` is given twice: a network has one cost"));
                }
                cost = Some(ty);
                Ok(())
            } else {
                let path = &meta.path;
                let name = path.get_ident().map(Ident::to_string).unwrap_or_default();
                let hint = match suggest::closest(&name, &["cost"]) {
                    Some(s) => format!("did you mean `{s}`? "),
                    None => String::new(),
                };
                Err(meta.error(format!(
                    "unknown argument `{}` of `#[backprop(...)]`: {hint}the only argument is `cost`, as in `#[backprop(cost = SoftmaxCrossEntropy)]`",
                    quote::quote!(#path).to_string().replace(' ', ""),
                )))
            }
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    if cost.is_none() && !(seen_attr && errors.has_errors()) {
        let at = input.attrs.iter().find(|a| a.path().is_ident("backprop"));
        let message = format!(
            "`{}` needs a cost: add `#[backprop(cost = SoftmaxCrossEntropy)]` (or `Mse`, `BinaryCrossEntropy`, `MulticlassHinge`) below `#[derive(Backprop)]`",
            input.ident
        );
        match at {
            Some(attr) => errors.error_spanned_by(attr, message),
            None => errors.error_spanned_by(&input.ident, message),
        }
    }
    cost
}

/// The layer a field declares, if its type is `Dense<F, IN, OUT>` or `Dense<F, IN, OUT, A>`.
fn layer(field: &syn::Field, errors: &mut Ctxt) -> Option<Layer> {
    let name = field.ident.clone()?;
    let not_dense = |errors: &mut Ctxt| {
        errors.error_spanned_by(
            &field.ty,
            format!(
                "field `{name}` is not a layer: every field of a `#[derive(Backprop)]` struct must be `Dense<F, IN, OUT>` or `Dense<F, IN, OUT, Activation>`, e.g. `{name}: Dense<f32, 784, 128, Relu>`"
            ),
        );
    };
    let Type::Path(path) = &field.ty else {
        not_dense(errors);
        return None;
    };
    let segment = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        not_dense(errors);
        return None;
    };
    if segment.ident != "Dense" || !(3..=4).contains(&args.args.len()) {
        not_dense(errors);
        return None;
    }
    let args: Vec<&GenericArgument> = args.args.iter().collect();
    let float = match args[0] {
        GenericArgument::Type(Type::Path(p)) if p.path.is_ident("f32") || p.path.is_ident("f64") => {
            p.path.get_ident().cloned()
        }
        other => {
            errors.error_spanned_by(
                other,
                format!("layer `{name}` computes in `{}`, but only `f32` and `f64` are supported: write `Dense<f32, ...>` or `Dense<f64, ...>`", quote::quote!(#other)),
            );
            None
        }
    };
    let inputs = size(args[1], &name, "inputs", errors);
    let outputs = size(args[2], &name, "units", errors);
    let activation = match args.get(3) {
        Some(GenericArgument::Type(ty)) => Some(ty.clone()),
        Some(other) => {
            errors.error_spanned_by(
                other,
                format!(
                    "the fourth argument of layer `{name}`'s `Dense` is its activation, a type such as `Relu`"
                ),
            );
            None
        }
        None => None,
    };
    Some(Layer { attrs: Vec::new(), name, float, inputs, outputs, activation })
}

/// A size argument of `Dense`, which must be an integer literal so that the macro can check
/// that the layers chain.
fn size(arg: &GenericArgument, layer: &Ident, what: &str, errors: &mut Ctxt) -> Option<Size> {
    if let GenericArgument::Const(Expr::Lit(lit)) = arg {
        if let Lit::Int(int) = &lit.lit {
            if let Ok(value) = int.base10_parse::<usize>() {
                return Some(Size { value, span: int.span() });
            }
        }
    }
    errors.error_spanned_by(
        arg,
        format!("the number of {what} of layer `{layer}` must be an integer literal such as `128`, so that the macro can check that the layers fit together"),
    );
    None
}
