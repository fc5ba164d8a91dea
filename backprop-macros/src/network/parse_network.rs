//! The `network!` front end: parses `struct Name<f32> { input: .., layer: n => σ, .., cost: C }`.

use proc_macro2::{Span, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitInt, Token, Type, Visibility, braced};

use crate::ctxt::Ctxt;
use crate::network::ast::{Dim, Layer, Network, Origin, Size};
use crate::network::size::{self, NoValue};
use crate::suggest;

mod kw {
    syn::custom_keyword!(input);
    syn::custom_keyword!(cost);
}

/// The keywords of the body, for "did you mean" suggestions.
pub const KEYWORDS: &[&str] = &["input", "cost"];

/// A parsed `network!` invocation: the description and the errors found while parsing it.
pub struct NetworkInput {
    network: Network,
    errors: Ctxt,
}

impl NetworkInput {
    /// The description, and every error found in parsing it.
    pub fn into_description(self) -> (Network, Ctxt) {
        (self.network, self.errors)
    }
}

impl Parse for NetworkInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut errors = Ctxt::default();
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let ident: Ident = input.parse()?;
        let float = if input.peek(Token![<]) {
            input.parse::<Token![<]>()?;
            let ty: Type = input.parse()?;
            input.parse::<Token![>]>()?;
            float_ident(&ty, &ident, &mut errors)
        } else {
            errors.error_spanned_by(
                &ident,
                format!("network `{ident}` needs a float type: write `struct {ident}<f32>` or `struct {ident}<f64>`"),
            );
            None
        };
        let body;
        let brace = braced!(body in input);
        let mut network = Network {
            origin: Origin::Network,
            attrs,
            vis,
            ident,
            float,
            input: None,
            layers: Vec::new(),
            cost: None,
            missing_span: brace.span.close(),
            body_reported: false,
            generics: syn::Generics::default(),
            suggested: Vec::new(),
            rejected_by_rustc: false,
        };
        let mut order = Order::default();
        while !body.is_empty() {
            if let Err(error) = parse_entry(&body, &mut network, &mut order, &mut errors) {
                errors.push(error);
                skip_entry(&body)?;
            }
        }
        Ok(NetworkInput { network, errors })
    }
}

/// The float type if it is `f32` or `f64`; otherwise records an error.
fn float_ident(ty: &Type, network: &Ident, errors: &mut Ctxt) -> Option<Ident> {
    if let Type::Path(path) = ty {
        if let Some(ident) = path.path.get_ident() {
            if ident == "f32" || ident == "f64" {
                return Some(ident.clone());
            }
        }
    }
    errors.error_spanned_by(
        ty,
        format!(
            "network `{network}` computes in `{}`, but only `f32` and `f64` are supported: write `struct {network}<f32>` or `struct {network}<f64>`",
            quote::quote!(#ty)
        ),
    );
    None
}

/// Where the entries read so far put the next one: `input` first, then the layers, `cost` last.
#[derive(Default)]
struct Order {
    /// The `cost` key and its entry as written, once read.
    cost: Option<(Span, String)>,
    /// Whether an entry after `cost` has been reported (once: moving `cost` fixes them all).
    after_cost_reported: bool,
}

impl Order {
    /// Reports the `cost` entry, once, if `what` follows it.
    fn check_after_cost(&mut self, what: &str, errors: &mut Ctxt) {
        if let Some((span, entry)) = &self.cost {
            if !self.after_cost_reported {
                self.after_cost_reported = true;
                errors.push(syn::Error::new(
                    *span,
                    format!("`cost` goes last, but {what} follows it: move `{entry}` to the end of the body, after the output layer"),
                ));
            }
        }
    }
}

/// Parses one `key: value` entry of the body and the comma after it.
fn parse_entry(
    body: ParseStream,
    network: &mut Network,
    order: &mut Order,
    errors: &mut Ctxt,
) -> syn::Result<()> {
    let attrs = body.call(Attribute::parse_outer)?;
    let lookahead = body.lookahead1();
    if lookahead.peek(kw::input) {
        let key: kw::input = body.parse()?;
        body.parse::<Token![:]>()?;
        // A size that cannot be read is that error only, not also a missing `input`.
        let size = parse_size(body, "the number of inputs, e.g. `input: 784`")
            .inspect_err(|_| network.suggested.push("input"))?;
        if network.input.is_some() {
            errors.error_spanned_by(key, "`input` is given twice: a network has one input size");
        } else if let Some(first) = network.layers.first() {
            errors.error_spanned_by(
                key,
                format!(
                    "`input` goes first, but layer `{}` comes before it: move `input: {},` to the top of the body",
                    first.name, size.dim
                ),
            );
        } else {
            order.check_after_cost("`input`", errors);
        }
        network.input = Some(size);
    } else if lookahead.peek(kw::cost) {
        let key: kw::cost = body.parse()?;
        body.parse::<Token![:]>()?;
        let cost: Type = body.parse()?;
        if network.cost.is_some() {
            errors.error_spanned_by(key, "`cost` is given twice: a network has one cost");
        } else {
            order.cost =
                Some((key.span, format!("cost: {},", quote::quote!(#cost).to_string().replace(' ', ""))));
        }
        network.cost = Some(cost);
    } else if lookahead.peek(Ident) {
        let name: Ident = body.parse()?;
        body.parse::<Token![:]>()?;
        let text = name.to_string();
        let keyword = suggest::closest(&text, KEYWORDS).filter(|_| !body.peek(LitInt));
        if let Some(keyword) = keyword {
            network.suggested.push(keyword);
            let value = entry_rest(body);
            return Err(syn::Error::new(
                name.span(),
                format!("unknown key `{text}`: did you mean `{keyword}`? Write `{keyword}: {value},`"),
            ));
        }
        let what = format!(
            "the number of units of layer `{text}`, e.g. `{text}: 64 => Relu,` (or `{text}: 10,` for a layer without activation)"
        );
        if !starts_size(body) {
            return Err(body.error(format!("expected {what}")));
        }
        let outputs = parse_size(body, &what)?;
        order.check_after_cost(&format!("layer `{name}`"), errors);
        let activation = if body.peek(Token![=>]) {
            body.parse::<Token![=>]>()?;
            Some(body.parse::<Type>()?)
        } else {
            None
        };
        network.layers.push(Layer {
            attrs,
            name,
            float: None,
            inputs: None,
            outputs: Some(outputs),
            activation,
        });
    } else {
        return Err(lookahead.error());
    }
    separator(body, errors)
}

/// The comma after an entry; a `;` in its place is reported and read as the comma, so that the
/// entries after it are still read.
fn separator(body: ParseStream, errors: &mut Ctxt) -> syn::Result<()> {
    if body.is_empty() {
        return Ok(());
    }
    if body.peek(Token![;]) {
        let semicolon: Token![;] = body.parse()?;
        errors.error_spanned_by(semicolon, "entries of `network!` end with `,`, not `;`: write `,` here");
        return Ok(());
    }
    body.parse::<Token![,]>()?;
    Ok(())
}

/// Whether the next tokens can start a size: an integer literal, a parenthesis or an identifier.
fn starts_size(body: ParseStream) -> bool {
    body.peek(LitInt) || body.peek(syn::token::Paren) || body.peek(Ident)
}

/// Parses a size: an integer literal, or arithmetic on integer literals (`28 * 28`), which it
/// evaluates.
fn parse_size(body: ParseStream, what: &str) -> syn::Result<Size> {
    if !starts_size(body) {
        return Err(body.error(format!("expected {what}")));
    }
    let expr = Expr::parse_without_eager_brace(body)?;
    let span = expr.span();
    let written = quote::quote!(#expr).to_string();
    match size::evaluate(&expr) {
        Ok(value) => Ok(Size { dim: Dim::Known(value), span }),
        // A constant (`HIDDEN`, `2 * HIDDEN`) is the compiler's to compute; a name written like a
        // type (`Relu`) is most likely an activation without its size.
        Err(NoValue::NotLiteral)
            if size::is_constant(&expr)
                && !matches!(&expr, Expr::Path(p) if size::looks_like_type(&p.path)) =>
        {
            Ok(Size { dim: Dim::Const(expr), span })
        }
        Err(NoValue::Overflow) => Err(syn::Error::new_spanned(
            &expr,
            format!(
                "expected {what}, but `{written}` overflows `usize` (or divides by zero): write a smaller number"
            ),
        )),
        Err(NoValue::NotLiteral) => Err(syn::Error::new_spanned(
            &expr,
            format!(
                "expected {what}; a size is an integer, arithmetic on integers such as `28 * 28` or a constant such as \
                 `HIDDEN`, not `{written}`"
            ),
        )),
    }
}

/// The rest of the entry, up to its comma, as written (for messages); `...` if there is none.
/// Reads a fork: nothing is consumed.
fn entry_rest(body: ParseStream) -> String {
    let rest = take_until_comma(&body.fork());
    if rest.is_empty() { "...".to_owned() } else { rest.to_string().replace(' ', "") }
}

/// Skips the rest of a malformed entry, up to and including its comma, so that parsing can go on
/// and report the mistakes of the following entries too.
fn skip_entry(body: ParseStream) -> syn::Result<()> {
    take_until_comma(body);
    if body.peek(Token![,]) {
        body.parse::<Token![,]>()?;
    } else if body.peek(Token![;]) {
        body.parse::<Token![;]>()?;
    }
    Ok(())
}

/// Consumes and returns the tokens of `input` up to (not including) the next top-level comma or
/// semicolon (a misplaced one).
fn take_until_comma(input: ParseStream) -> proc_macro2::TokenStream {
    let mut tokens = proc_macro2::TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) && !input.peek(Token![;]) {
        match input.parse::<TokenTree>() {
            Ok(token) => tokens.extend([token]),
            Err(_) => break,
        }
    }
    tokens
}
