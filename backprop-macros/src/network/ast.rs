//! The one description of a network that both front ends produce and the generator consumes.

use core::fmt;

use proc_macro2::{Literal, Span, TokenStream};
use quote::ToTokens;
use syn::{Attribute, Ident, Type, Visibility};

/// Which front end a description came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `network! { ... }`: the generator also emits the struct.
    Network,
    /// `#[derive(Backprop)]`: the struct exists already.
    Derive,
}

/// A fully connected network: its input size, its layers in order and its cost.
pub struct Network {
    pub origin: Origin,
    /// Attributes to put on the struct (`network!` only; a derive leaves the struct as it is).
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    /// The float type of the network (`network!`), or of its first layer (derive).
    pub float: Option<Ident>,
    /// The size of a^0; `None` when `network!` lacks `input:` (an error) or a derive has no layers.
    pub input: Option<Size>,
    pub layers: Vec<Layer>,
    /// The cost type; `None` when it is missing (an error).
    pub cost: Option<Type>,
    /// Where to report a missing `input` or `cost`, or an empty body.
    pub missing_span: Span,
    /// Whether an error already says that the body cannot hold layers (a derive on an enum, a
    /// union, a tuple or a unit struct, or whose fields are all not layers), so that an empty
    /// network is not reported again.
    pub body_reported: bool,
    /// The derive's generic parameters (an error: the layers fix the types and sizes), which the
    /// stub's impls carry so that a program naming `Net::<f32>` still type-checks; none for
    /// `network!`.
    pub generics: syn::Generics,
    /// Keywords a "did you mean" error, or an error in their value, has already pointed to, so
    /// they are not also reported as missing.
    pub suggested: Vec<&'static str>,
    /// Whether a derive's layer computes in a primitive type that is not a float (`i32`,
    /// `bool`, ...): the compiler rejects the user's field `Dense<i32, ..>` itself, with
    /// `Float`'s message, and no crate can make `i32` a `Float` (the orphan rule), so the macro
    /// adds no error of its own and generates only the stub.
    pub rejected_by_rustc: bool,
}

/// One `Dense` layer, level l of the paper.
pub struct Layer {
    /// Doc comments and other attributes of the field.
    pub attrs: Vec<Attribute>,
    pub name: Ident,
    /// The float type written on this layer (derive only; `network!` has one for all).
    pub float: Option<Ident>,
    /// The number of inputs as written (derive only; `network!` chains them).
    pub inputs: Option<Size>,
    /// The number of units, n_l; `None` when it could not be read (an error already says so).
    pub outputs: Option<Size>,
    /// σ of the layer; `None` for no activation (the identity).
    pub activation: Option<Type>,
}

/// A layer size as written, with its span for errors.
#[derive(Clone)]
pub struct Size {
    pub dim: Dim,
    pub span: Span,
}

impl Size {
    /// The number, if the macro could compute it.
    pub fn value(&self) -> Option<usize> {
        match self.dim {
            Dim::Known(value) => Some(value),
            Dim::Const(_) => None,
        }
    }
}

/// A size as the generated code and the explanations write it: a number the macro computed
/// (`784`, from `28 * 28`), or a constant expression it leaves to the compiler (`HIDDEN`), whose
/// checks are then `const` assertions in the generated code.
#[derive(Clone)]
pub enum Dim {
    Known(usize),
    Const(syn::Expr),
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(value) => write!(f, "{value}"),
            Dim::Const(expr) => write!(f, "{}", quote::quote!(#expr)),
        }
    }
}

impl ToTokens for Dim {
    /// A literal, a path as written, or any other expression in braces, which is how a const
    /// generic argument must be written.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Dim::Known(value) => Literal::usize_unsuffixed(*value).to_tokens(tokens),
            Dim::Const(syn::Expr::Path(path)) => path.to_tokens(tokens),
            Dim::Const(expr) => quote::quote!({ #expr }).to_tokens(tokens),
        }
    }
}

impl Network {
    /// The float type's identifier, or `f32` when none could be read (an error already says so).
    pub fn float_ident(&self) -> Ident {
        self.float.clone().unwrap_or_else(|| Ident::new("f32", self.ident.span()))
    }
}
