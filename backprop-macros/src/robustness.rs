//! The macros never panic: every declaration obtained from a valid one by deleting, doubling or
//! replacing a single token is either accepted or turned into compile errors. The same holds for
//! an `#[activation]` function.

use proc_macro2::{Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::activation;
use crate::network::{parse_derive, parse_network};

const NETWORK: &str = "
    /// Docs.
    #[derive(Clone)]
    pub struct Net<f32> {
        input: 4,
        /// First layer.
        hidden: 8 => Relu,
        second: 6 => LeakyRelu,
        out: 3 => Sigmoid,
        cost: SoftmaxCrossEntropy,
    }
";

const DERIVE: &str = "
    #[derive(Clone, Backprop)]
    #[backprop(cost = Mse)]
    pub struct Net {
        pub hidden: Dense<f64, 4, 8, Relu>,
        pub second: backprop::Dense<f64, 8, 6, Tanh>,
        pub out: Dense<f64, 6, 3>,
    }
";

const ACTIVATION: &str = "
    /// Docs.
    #[activation(init = He)]
    pub fn gelu_like(z: f64) -> f64 {
        let u = SCALE * (z + 0.044715 * z.powi(3));
        if z > -3.0 { 0.5 * z * (1.0 + u.tanh()) } else { z.exp().max(1e-9) / sigmoid(z).sqrt() }
    }
";

/// Every stream obtained from `stream` by applying `edit` to one token, at any depth.
fn mutations(stream: &TokenStream, edit: &dyn Fn(&TokenTree) -> Vec<TokenTree>) -> Vec<TokenStream> {
    let tokens: Vec<TokenTree> = stream.clone().into_iter().collect();
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let rebuild = |middle: Vec<TokenTree>| -> TokenStream {
            tokens[..i].iter().cloned().chain(middle).chain(tokens[i + 1..].iter().cloned()).collect()
        };
        out.push(rebuild(edit(token)));
        if let TokenTree::Group(group) = token {
            for inner in mutations(&group.stream(), edit) {
                let mut replaced = Group::new(group.delimiter(), inner);
                replaced.set_span(group.span());
                out.push(rebuild(vec![TokenTree::Group(replaced)]));
            }
        }
    }
    out
}

/// A change to one token: what to put in its place.
type Edit = Box<dyn Fn(&TokenTree) -> Vec<TokenTree>>;

/// The single-token edits tried: delete, double, and replace by a few likely wrong tokens.
fn edits() -> Vec<Edit> {
    vec![
        Box::new(|_| Vec::new()),
        Box::new(|t| vec![t.clone(), t.clone()]),
        Box::new(|_| vec![TokenTree::Literal(Literal::usize_unsuffixed(0))]),
        Box::new(|_| vec![TokenTree::Literal(Literal::string("x"))]),
        Box::new(|_| vec![TokenTree::Literal(Literal::u128_unsuffixed(u128::MAX))]),
        Box::new(|_| vec![TokenTree::Ident(Ident::new("input", Span::call_site()))]),
        Box::new(|_| vec![TokenTree::Punct(Punct::new(',', Spacing::Alone))]),
    ]
}

fn expand_network(tokens: TokenStream) -> TokenStream {
    match syn::parse2::<parse_network::NetworkInput>(tokens) {
        Ok(input) => crate::expand_network(input.into_description()),
        Err(error) => error.to_compile_error(),
    }
}

fn expand_derive(tokens: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(tokens) {
        Ok(input) => crate::expand_network(parse_derive::description(&input)),
        Err(error) => error.to_compile_error(),
    }
}

/// `#[activation(...)] fn ...` split into the attribute's arguments and the item, as the compiler
/// hands them to the macro; a mutation that breaks the attribute itself is an error already.
fn expand_activation(tokens: TokenStream) -> TokenStream {
    let mut trees: Vec<TokenTree> = tokens.into_iter().collect();
    let is_attribute = |i: usize| {
        matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(trees.get(i + 1), Some(TokenTree::Group(g))
                if g.stream().into_iter().next().is_some_and(|t| t.to_string() == "activation"))
    };
    let Some(at) = (0..trees.len()).find(|&i| is_attribute(i)) else {
        return quote::quote!(compile_error!("no `#[activation]` attribute"));
    };
    let TokenTree::Group(group) = trees.remove(at + 1) else { return TokenStream::new() };
    trees.remove(at);
    let mut inner = group.stream().into_iter().skip(1);
    let attr = match (inner.next(), inner.next()) {
        (None, _) => TokenStream::new(),
        (Some(TokenTree::Group(args)), None) => args.stream(),
        _ => return quote::quote!(compile_error!("not an attribute the compiler would accept")),
    };
    activation::expand(attr, trees.into_iter().collect())
}

/// Whether `tokens` contains a `compile_error!` invocation.
fn is_error(tokens: &TokenStream) -> bool {
    tokens.to_string().contains("compile_error")
}

#[test]
fn valid_declarations_expand_without_errors() {
    for (source, expand) in [(NETWORK, expand_network as fn(_) -> _), (DERIVE, expand_derive)] {
        let tokens: TokenStream = source.parse().unwrap_or_default();
        let output = expand(tokens);
        assert!(!is_error(&output), "{output}");
        assert!(output.to_string().contains("impl :: backprop :: Network"), "{output}");
    }
}

#[test]
fn a_valid_activation_expands_without_errors() {
    let output = expand_activation(ACTIVATION.parse().unwrap_or_default());
    assert!(!is_error(&output), "{output}");
    assert!(output.to_string().contains("impl :: backprop :: Activation"), "{output}");
}

#[test]
fn no_single_token_mistake_makes_activation_panic() {
    let tokens: TokenStream = ACTIVATION.parse().unwrap_or_default();
    let mut tried = 0;
    for edit in edits() {
        for mutated in mutations(&tokens, &*edit) {
            tried += 1;
            // Accepted or rejected, the expansion is tokens, never a panic.
            let _ = expand_activation(mutated);
        }
    }
    assert!(tried > 500, "only {tried} mutations tried");
}

#[test]
fn no_single_token_mistake_makes_a_macro_panic() {
    let mut tried = 0;
    let mut rejected = 0;
    for (source, expand) in [(NETWORK, expand_network as fn(_) -> _), (DERIVE, expand_derive)] {
        let tokens: TokenStream = source.parse().unwrap_or_default();
        for edit in edits() {
            for mutated in mutations(&tokens, &*edit) {
                tried += 1;
                rejected += usize::from(is_error(&expand(mutated)));
            }
        }
    }
    // Most edits break the declaration; some (doubling a doc comment, renaming a layer to
    // `input`...) may not, and all must come back as code or errors, never as a panic.
    assert!(tried > 500, "only {tried} mutations tried");
    assert!(rejected > tried / 2, "only {rejected} of {tried} mutations rejected");
}
