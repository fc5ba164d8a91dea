//! The `#[derive(Backprop)]` front end: reads a struct of `Dense<F, IN, OUT, A>` fields and its
//! `#[backprop(cost = C)]` attribute.

use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, GenericArgument, Ident, PathArguments, Type};

use crate::ctxt::Ctxt;
use crate::network::ast::{Dim, Layer, Network, Origin, Size};
use crate::network::size::{self, NoValue};
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
        body_reported: true,
        generics: input.generics.clone(),
        suggested: Vec::new(),
        rejected_by_rustc: false,
    };
    if let Some(param) = input.generics.params.first() {
        errors.error_spanned_by(
            &input.generics,
            format!(
                "`#[derive(Backprop)]` does not support generic parameters (found `{}`): the layers fix the float type and the sizes, e.g. `{EXAMPLE}`",
                match param {
                    syn::GenericParam::Type(t) => t.ident.to_string(),
                    syn::GenericParam::Const(c) => c.ident.to_string(),
                    syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
                }
            ),
        );
    }
    // Generic parameters are reported once, above, not again in every layer that uses them.
    let generic = |arg: &GenericArgument| {
        let ident = match arg {
            GenericArgument::Type(Type::Path(path)) => path.path.get_ident(),
            GenericArgument::Const(Expr::Path(path)) => path.path.get_ident(),
            _ => None,
        };
        ident.is_some_and(|ident| {
            input.generics.type_params().any(|p| p.ident == *ident)
                || input.generics.const_params().any(|p| p.ident == *ident)
        })
    };
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                for field in &fields.named {
                    if let Some(layer) = layer(field, &generic, &mut network.rejected_by_rustc, &mut errors) {
                        network.layers.push(layer);
                    }
                }
                // A field that is not a layer has an error of its own.
                network.body_reported = !fields.named.is_empty();
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
        network.input = first.inputs.clone();
    }
    (network, errors)
}

/// The cost of `#[backprop(cost = C)]`, recording errors for a missing, repeated or unknown
/// argument.
fn cost(input: &DeriveInput, errors: &mut Ctxt) -> Option<Type> {
    let mut cost: Option<Type> = None;
    // Whether an error already concerns the cost (a misspelled `cost`, or a malformed argument),
    // so that it is not also reported as missing.
    let mut cost_reported = false;
    let mut unknown = Vec::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("backprop")) {
        if !matches!(attr.meta, syn::Meta::List(_)) {
            cost_reported = true;
            errors.error_spanned_by(
                attr,
                "`#[backprop]` takes the network's cost in parentheses: write `#[backprop(cost = SoftmaxCrossEntropy)]`",
            );
            continue;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("cost") {
                let value = meta.value().map_err(|e| {
                    syn::Error::new(e.span(), "expected `= <Cost>` after `cost`, e.g. `#[backprop(cost = SoftmaxCrossEntropy)]`")
                })?;
                let ty: Type = value.parse()?;
                if cost.is_some() {
                    return Err(meta.error("`cost` is given twice: a network has one cost"));
                }
                cost = Some(ty);
                Ok(())
            } else {
                let path = &meta.path;
                let name = path.get_ident().map(Ident::to_string).unwrap_or_default();
                // Skip its value, whatever it is, so that the arguments after it are still read.
                let has_value = meta.input.peek(syn::Token![=]);
                if has_value {
                    meta.input.parse::<syn::Token![=]>()?;
                }
                let mut value = proc_macro2::TokenStream::new();
                while !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                    value.extend([meta.input.parse::<proc_macro2::TokenTree>()?]);
                }
                let suggestion = suggest::closest(&name, &["cost"]);
                cost_reported |= suggestion.is_some();
                let hint = match suggestion {
                    Some(keyword) if has_value && !value.is_empty() => format!(
                        "did you mean `{keyword}`? Write `#[backprop({keyword} = {})]`",
                        value.to_string().replace(' ', "")
                    ),
                    Some(keyword) => format!(
                        "did you mean `{keyword}`? Write `#[backprop({keyword} = SoftmaxCrossEntropy)]`"
                    ),
                    None if matches!(name.as_str(), "lr" | "learning_rate") => {
                        "the learning rate belongs to the optimiser, as in `Sgd::new(0.1)`, not to the network: remove it here; the only argument is `cost`".to_owned()
                    }
                    None => "the only argument is `cost`, as in `#[backprop(cost = SoftmaxCrossEntropy)]`: remove this one".to_owned(),
                };
                unknown.push(syn::Error::new_spanned(path, format!(
                    "unknown argument `{}` in `#[backprop(...)]`: {hint}",
                    quote::quote!(#path).to_string().replace(' ', ""),
                )));
                Ok(())
            }
        });
        for error in unknown.drain(..) {
            errors.push(error);
        }
        if let Err(error) = parsed {
            cost_reported = true;
            errors.push(error);
        }
    }
    if cost.is_none() && !cost_reported {
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
/// `rejected_by_rustc` is set if the layer computes in a primitive that is not a float (see
/// [`Network::rejected_by_rustc`]).
fn layer(
    field: &syn::Field,
    generic: &dyn Fn(&GenericArgument) -> bool,
    rejected_by_rustc: &mut bool,
    errors: &mut Ctxt,
) -> Option<Layer> {
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
        other if generic(other) => None,
        // The compiler rejects `Dense<i32, ..>` itself, with `Float`'s message on this very
        // type; a second error here would say the same thing.
        other if primitive_non_float(other) => {
            *rejected_by_rustc = true;
            None
        }
        other => {
            errors.error_spanned_by(
                other,
                format!("layer `{name}` computes in `{}`, but only `f32` and `f64` are supported: write `Dense<f32, ...>` or `Dense<f64, ...>`", quote::quote!(#other)),
            );
            None
        }
    };
    let size = |arg: &GenericArgument, what: &str, errors: &mut Ctxt| {
        if generic(arg) { None } else { size(arg, &name, what, errors) }
    };
    let inputs = size(args[1], "inputs", errors);
    let outputs = size(args[2], "units", errors);
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

/// A size argument of `Dense`: an integer literal, or arithmetic on integer literals in a block
/// (`{ 28 * 28 }`), which the macro evaluates so that it can check that the layers chain.
fn size(arg: &GenericArgument, layer: &Ident, what: &str, errors: &mut Ctxt) -> Option<Size> {
    let written = quote::quote!(#arg).to_string();
    let message = match arg {
        // A constant: a path, which syn reads as a type (`N`), or an expression in braces.
        GenericArgument::Type(Type::Path(path))
            if path.qself.is_none() && !size::looks_like_type(&path.path) =>
        {
            let expr = Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path: path.path.clone() });
            return Some(Size { dim: Dim::Const(expr), span: path.span() });
        }
        GenericArgument::Const(expr) => match size::evaluate(expr) {
            Ok(value) => return Some(Size { dim: Dim::Known(value), span: expr.span() }),
            Err(NoValue::NotLiteral) if size::is_constant(expr) => {
                // Without the user's braces: the generated code puts its own around it (`Dim`),
                // where the user's would be unnecessary and warned about.
                let inner = match expr {
                    Expr::Block(block) => match block.block.stmts.as_slice() {
                        [syn::Stmt::Expr(inner, None)] => inner.clone(),
                        _ => expr.clone(),
                    },
                    _ => expr.clone(),
                };
                return Some(Size { dim: Dim::Const(inner), span: expr.span() });
            }
            Err(NoValue::NotLiteral) => not_literal(layer, what, &written),
            Err(NoValue::Overflow) => format!(
                "the number of {what} of layer `{layer}`, `{written}`, overflows `usize` (or divides by zero): write a smaller number"
            ),
        },
        _ => not_literal(layer, what, &written),
    };
    errors.error_spanned_by(arg, message);
    None
}

/// The message for a size the macro cannot compute.
fn not_literal(layer: &Ident, what: &str, written: &str) -> String {
    format!(
        "the number of {what} of layer `{layer}` must be a size: an integer literal such as `128`, arithmetic on integers \
         such as `{{ 28 * 28 }}` or a constant such as `N`, not `{written}`"
    )
}

/// Whether `arg` is a primitive type other than `f32` and `f64`, which no crate can make a
/// `Float` (the orphan rule), so that the compiler rejects a `Dense` of it on its own.
fn primitive_non_float(arg: &GenericArgument) -> bool {
    const PRIMITIVES: [&str; 15] = [
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "bool",
        "char", "str",
    ];
    matches!(arg, GenericArgument::Type(Type::Path(p))
        if p.qself.is_none() && p.path.get_ident().is_some_and(|i| PRIMITIVES.iter().any(|n| i == n)))
}
