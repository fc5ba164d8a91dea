//! Writing the IR out: as Rust for `f32` or `f64`, and as a formula for the documentation.
//!
//! A node used more than once is bound once to a `let` (`__v0`, `__v1`, ... in the code,
//! `t1`, `t2`, ... in the formula), in topological order. In the code a node that only one
//! branch of an `if` uses is bound inside that branch, so that an `if` computes nothing for the
//! branch it does not take; a node that several branches use (or a branch and the code around
//! the `if`) is bound once before it. So the derivative of each `let` of the user's body is its
//! own `let` next to the value's, and the code grows linearly with the body, however many `if`s
//! follow one another. Constants are literals of the target type; named
//! constants are cast to it when the user's function is of the other type.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::expr::{Func, Graph, Id, Node};

/// A float type the generated code is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    F32,
    F64,
}

impl Ty {
    /// The type, by an absolute path.
    pub fn tokens(self) -> TokenStream {
        match self {
            Ty::F32 => quote!(::core::primitive::f32),
            Ty::F64 => quote!(::core::primitive::f64),
        }
    }
}

/// How tightly an expression binds; an operand binding less tightly than its place requires is
/// parenthesised.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    /// `if ... { } else { }`: a block-like expression, parenthesised inside any operator.
    If,
    Or,
    And,
    Cmp,
    Sum,
    Product,
    Prefix,
    /// `x as f32`.
    Cast,
    /// A method call's receiver, a call, a literal, a name.
    Atom,
}

/// The precedence of `node` as written; `cast` if named constants are cast to another type.
fn prec(g: &Graph, node: &Node, cast: bool) -> Prec {
    match *node {
        Node::Select(..) => Prec::If,
        Node::Or(..) => Prec::Or,
        Node::And(..) => Prec::And,
        Node::Cmp(..) => Prec::Cmp,
        Node::Add(..) | Node::Sub(..) => Prec::Sum,
        Node::Mul(..) | Node::Div(..) => Prec::Product,
        Node::Neg(_) | Node::Not(_) => Prec::Prefix,
        Node::Const(bits) if f64::from_bits(bits) < 0.0 => Prec::Prefix,
        Node::Named(i) if cast || g.constant(i).cast => Prec::Cast,
        _ => Prec::Atom,
    }
}

/// The Rust code of `root` for the float type `ty`, with the argument named `arg`. `own` is the
/// type of the user's function, whose named constants need no cast.
pub fn rust(g: &Graph, root: Id, ty: Ty, own: Ty, arg: &syn::Ident) -> TokenStream {
    let mut w = Rust { g, ty, own, arg, next: 0 };
    w.block(root, &HashMap::new())
}

/// [`rust`] of two roots at once, as the `let`s they share and the two values: what they have
/// in common is computed once.
pub fn rust_pair(
    g: &Graph,
    roots: [Id; 2],
    ty: Ty,
    own: Ty,
    arg: &syn::Ident,
) -> (TokenStream, [TokenStream; 2]) {
    let mut w = Rust { g, ty, own, arg, next: 0 };
    let (lets, values) = w.block_parts(&roots, &HashMap::new());
    let mut values = values.into_iter();
    let mut value = || values.next().unwrap_or_default();
    (lets, [value(), value()])
}

/// The state of the Rust writer.
struct Rust<'a> {
    g: &'a Graph,
    ty: Ty,
    own: Ty,
    arg: &'a syn::Ident,
    /// The number of the next `let`.
    next: usize,
}

impl Rust<'_> {
    /// `root` as a sequence of `let`s and a final value, where `bound` names the nodes an
    /// enclosing block has bound already.
    fn block(&mut self, root: Id, bound: &HashMap<Id, syn::Ident>) -> TokenStream {
        let (lets, value) = self.block_parts(&[root], bound);
        quote!(#lets #(#value)*)
    }

    /// The `let`s of [`block`](Self::block) and the final values, one per root.
    fn block_parts(
        &mut self,
        roots: &[Id],
        bound: &HashMap<Id, syn::Ident>,
    ) -> (TokenStream, Vec<TokenStream>) {
        let g = self.g;
        // The nodes computed outside the branches of any `if` (conditions included): region 0.
        let outer: HashSet<Id> = roots.iter().flat_map(|&root| reach(g, root, bound, false)).collect();
        // Each root is used once, by what the values are given to.
        let mut uses: HashMap<Id, usize> = HashMap::new();
        for &root in roots {
            *uses.entry(root).or_default() += 1;
        }
        for &id in &outer {
            for child in outside_children(g.node(id)) {
                *uses.entry(child).or_default() += 1;
            }
        }
        // Each branch of an `if` computed here is a region of its own. A node in two regions
        // (outside and in a branch, or in two branches) is bound here, once, for all of them:
        // copying it into each branch would double the code at every `if` that uses it.
        let mut regions: HashMap<Id, usize> = outer.iter().map(|&id| (id, 1)).collect();
        for &id in &outer {
            if let Node::Select(_, a, b) = *g.node(id) {
                for branch in [a, b] {
                    // The walk stops at nodes computed outside: what they are computed from is
                    // counted with them.
                    for inner in reach_until(g, branch, bound, &outer) {
                        *regions.entry(inner).or_default() += 1;
                    }
                }
            }
        }
        let mut parents: HashMap<Id, usize> = HashMap::new();
        for &id in regions.keys() {
            for child in g.node(id).children() {
                *parents.entry(child).or_default() += 1;
            }
        }
        // A node of several regions with one parent is written inside that parent, which is then
        // in the same regions: only the topmost node of such a chain needs a name.
        for (&id, &n) in &regions {
            if n > 1 && parents.get(&id).copied().unwrap_or(0) > 1 {
                *uses.entry(id).or_default() += 2;
            }
        }
        let mut shared: Vec<Id> = uses
            .keys()
            .copied()
            .filter(|id| !bound.contains_key(id) && !g.node(*id).is_leaf())
            .filter(|id| uses.get(id).copied().unwrap_or(0) > 1)
            .collect();
        shared.sort();
        let mut names = bound.clone();
        let mut lets = TokenStream::new();
        for id in shared {
            let value = self.expr(id, Prec::If, &names);
            let name = format_ident!("__v{}", self.next);
            self.next += 1;
            lets.extend(quote!(let #name = #value;));
            names.insert(id, name);
        }
        let values = roots.iter().map(|&root| self.expr(root, Prec::If, &names)).collect();
        (lets, values)
    }

    /// `id` as an expression that binds at least as tightly as `needs`.
    fn expr(&mut self, id: Id, needs: Prec, names: &HashMap<Id, syn::Ident>) -> TokenStream {
        if let Some(name) = names.get(&id) {
            return quote!(#name);
        }
        let g = self.g;
        let node = g.node(id);
        let code = match *node {
            Node::Const(bits) => self.literal(f64::from_bits(bits)),
            Node::Bool(b) => quote!(#b),
            Node::Named(index) => {
                let constant = &g.constant(index).tokens;
                if self.ty == self.own {
                    constant.clone()
                } else {
                    let ty = self.ty.tokens();
                    quote!(#constant as #ty)
                }
            }
            Node::Arg => {
                let arg = self.arg;
                quote!(#arg)
            }
            // The target of a `#[cost]` function, bound by its generated `sample`.
            Node::Target => quote!(__y),
            Node::Neg(a) => {
                let a = self.expr(a, Prec::Prefix, names);
                quote!(-#a)
            }
            Node::Not(a) => {
                let a = self.expr(a, Prec::Prefix, names);
                quote!(!#a)
            }
            Node::Add(a, b) => self.binary(a, quote!(+), b, Prec::Sum, names),
            Node::Sub(a, b) => self.binary(a, quote!(-), b, Prec::Sum, names),
            Node::Mul(a, b) => self.binary(a, quote!(*), b, Prec::Product, names),
            Node::Div(a, b) => self.binary(a, quote!(/), b, Prec::Product, names),
            Node::And(a, b) => self.binary(a, quote!(&&), b, Prec::And, names),
            Node::Or(a, b) => self.binary(a, quote!(||), b, Prec::Or, names),
            Node::Cmp(op, a, b) => {
                let op: TokenStream = op.symbol().parse().unwrap_or_default();
                let (a, b) = (self.expr(a, Prec::Sum, names), self.expr(b, Prec::Sum, names));
                // `x as f32 < y` would parse `<` as the start of generic arguments.
                let ty = self.ty.tokens().to_string();
                if a.to_string().ends_with(&format!("as {ty}")) {
                    quote!((#a) #op #b)
                } else {
                    quote!(#a #op #b)
                }
            }
            Node::Call(f, a) if f.is_library() => {
                let name = format_ident!("{}", f.name());
                let a = self.expr(a, Prec::If, names);
                quote!(::backprop::activation::#name(#a))
            }
            Node::Call(f, a) => {
                let name = format_ident!("{}", f.name());
                let a = self.expr(a, Prec::Atom, names);
                quote!(#a.#name())
            }
            Node::Powi(a, n) => {
                let a = self.expr(a, Prec::Atom, names);
                let lit = Literal::u32_unsuffixed(n.unsigned_abs());
                if n < 0 { quote!(#a.powi(-#lit)) } else { quote!(#a.powi(#lit)) }
            }
            Node::Powf(a, c) => self.method(a, "powf", c, names),
            Node::Max(a, c) => self.method(a, "max", c, names),
            Node::Min(a, c) => self.method(a, "min", c, names),
            Node::Select(c, then, otherwise) => {
                let c = self.expr(c, Prec::Or, names);
                let a = self.block(then, names);
                let (lets, b) = self.block_parts(&[otherwise], names);
                let b = quote!(#(#b)*);
                if lets.is_empty() && matches!(g.node(otherwise), Node::Select(..)) {
                    // `else if`: the else branch is an `if` with nothing to bind first.
                    quote!(if #c { #a } else #b)
                } else {
                    quote!(if #c { #a } else { #lets #b })
                }
            }
        };
        if prec(g, node, self.ty != self.own) < needs { quote!((#code)) } else { code }
    }

    /// `a op b` for a left-associative operator of precedence `p`.
    fn binary(
        &mut self,
        a: Id,
        op: TokenStream,
        b: Id,
        p: Prec,
        names: &HashMap<Id, syn::Ident>,
    ) -> TokenStream {
        let a = self.expr(a, p, names);
        let b = self.expr(b, next(p), names);
        quote!(#a #op #b)
    }

    /// `a.method(b)`.
    fn method(&mut self, a: Id, method: &str, b: Id, names: &HashMap<Id, syn::Ident>) -> TokenStream {
        let method = format_ident!("{method}");
        let a = self.expr(a, Prec::Atom, names);
        let b = self.expr(b, Prec::If, names);
        quote!(#a.#method(#b))
    }

    /// A literal of the target type for the finite `v`, negated if negative; a mathematical
    /// constant of the standard library by its name (`::core::f64::consts::LN_2`).
    fn literal(&self, v: f64) -> TokenStream {
        let ty = self.ty.tokens();
        // The simplifier folds only to finite constants; should another ever reach here, it is
        // written by name rather than passed to `Literal`, which would panic on it.
        if v.is_nan() {
            return quote!(#ty::NAN);
        } else if v.is_infinite() {
            return if v < 0.0 { quote!(#ty::NEG_INFINITY) } else { quote!(#ty::INFINITY) };
        }
        let magnitude = v.abs();
        if let Some(name) = std_constant(magnitude, self.ty) {
            let name = format_ident!("{name}");
            let path = match self.ty {
                Ty::F32 => quote!(::core::f32::consts::#name),
                Ty::F64 => quote!(::core::f64::consts::#name),
            };
            return if v < 0.0 { quote!(-#path) } else { path };
        }
        let lit = match self.ty {
            // Rounding an `f64` within f32's range never overflows; one beyond it is written as
            // the `f64` cast, which rounds to ±∞ as the user's function would.
            Ty::F32 if (magnitude as f32).is_finite() => Literal::f32_suffixed(magnitude as f32),
            Ty::F32 => {
                let lit = Literal::f64_suffixed(magnitude);
                return if v < 0.0 {
                    quote!(-(#lit as ::core::primitive::f32))
                } else {
                    quote!((#lit as ::core::primitive::f32))
                };
            }
            Ty::F64 => Literal::f64_suffixed(magnitude),
        };
        if v < 0.0 { quote!(-#lit) } else { quote!(#lit) }
    }
}

/// The name of the constant of `core::f64::consts` (or `f32`'s, for `Ty::F32`) equal to `v`.
fn std_constant(v: f64, ty: Ty) -> Option<&'static str> {
    use core::{f32::consts as c32, f64::consts as c64};
    let table: [(&str, f64, f32); 18] = [
        ("PI", c64::PI, c32::PI),
        ("TAU", c64::TAU, c32::TAU),
        ("E", c64::E, c32::E),
        ("SQRT_2", c64::SQRT_2, c32::SQRT_2),
        ("FRAC_1_SQRT_2", c64::FRAC_1_SQRT_2, c32::FRAC_1_SQRT_2),
        ("FRAC_2_SQRT_PI", c64::FRAC_2_SQRT_PI, c32::FRAC_2_SQRT_PI),
        ("FRAC_1_PI", c64::FRAC_1_PI, c32::FRAC_1_PI),
        ("FRAC_2_PI", c64::FRAC_2_PI, c32::FRAC_2_PI),
        ("FRAC_PI_2", c64::FRAC_PI_2, c32::FRAC_PI_2),
        ("FRAC_PI_3", c64::FRAC_PI_3, c32::FRAC_PI_3),
        ("FRAC_PI_4", c64::FRAC_PI_4, c32::FRAC_PI_4),
        ("FRAC_PI_6", c64::FRAC_PI_6, c32::FRAC_PI_6),
        ("FRAC_PI_8", c64::FRAC_PI_8, c32::FRAC_PI_8),
        ("LN_2", c64::LN_2, c32::LN_2),
        ("LN_10", c64::LN_10, c32::LN_10),
        ("LOG2_E", c64::LOG2_E, c32::LOG2_E),
        ("LOG10_E", c64::LOG10_E, c32::LOG10_E),
        ("LOG2_10", c64::LOG2_10, c32::LOG2_10),
    ];
    table
        .iter()
        .find(|(_, x64, x32)| if ty == Ty::F32 { v as f32 == *x32 } else { v == *x64 })
        .map(|(n, ..)| *n)
}

/// The precedence just above `p`, for the right operand of a left-associative operator.
fn next(p: Prec) -> Prec {
    match p {
        Prec::If => Prec::Or,
        Prec::Or => Prec::And,
        Prec::And => Prec::Cmp,
        Prec::Cmp => Prec::Sum,
        Prec::Sum => Prec::Product,
        Prec::Product => Prec::Prefix,
        Prec::Prefix => Prec::Cast,
        Prec::Cast | Prec::Atom => Prec::Atom,
    }
}

/// The children of `node` computed where `node` is: all but the branches of an `if`.
fn outside_children(node: &Node) -> Vec<Id> {
    match *node {
        Node::Select(c, _, _) => vec![c],
        _ => node.children(),
    }
}

/// The nodes `root` is computed from, stopping at `bound` nodes and, unless `into_branches`, at
/// the branches of an `if`.
fn reach(g: &Graph, root: Id, bound: &HashMap<Id, syn::Ident>, into_branches: bool) -> HashSet<Id> {
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if bound.contains_key(&id) || !seen.insert(id) {
            continue;
        }
        if into_branches {
            stack.extend(g.node(id).children());
        } else {
            stack.extend(outside_children(g.node(id)));
        }
    }
    seen
}

/// The nodes `root` is computed from, branches included, stopping at `bound` nodes and after
/// the nodes of `outer`.
fn reach_until(g: &Graph, root: Id, bound: &HashMap<Id, syn::Ident>, outer: &HashSet<Id>) -> HashSet<Id> {
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if bound.contains_key(&id) || !seen.insert(id) {
            continue;
        }
        if !outer.contains(&id) {
            stack.extend(g.node(id).children());
        }
    }
    seen
}

/// How a formula is written: as plain text, for the documentation, or as LaTeX.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Latex,
}

/// The formula of `root` in `style`, with the argument named `arg` (and a `#[cost]`'s target
/// `target`): the expression, and the `(name, expression)` of every node it uses more than once,
/// in order, named `prefix` and a number (`t1`; `t_{1}` in LaTeX).
pub fn formula(
    g: &Graph,
    root: Id,
    [arg, target]: [&str; 2],
    prefix: &str,
    style: Style,
) -> (String, Vec<(String, String)>) {
    let order = g.reachable(root);
    let mut uses: HashMap<Id, usize> = HashMap::new();
    for &id in &order {
        for child in g.node(id).children() {
            *uses.entry(child).or_default() += 1;
        }
    }
    let mut names: HashMap<Id, String> = HashMap::new();
    let mut lines = Vec::new();
    for &id in &order {
        if id != root && uses.get(&id).copied().unwrap_or(0) > 1 && !g.node(id).is_leaf() {
            let writer = Formula { g, names: &names, arg, target, style };
            let text = writer.text(id, Prec::If);
            let name = match style {
                Style::Text => format!("{prefix}{}", lines.len() + 1),
                Style::Latex => format!("{prefix}_{{{}}}", lines.len() + 1),
            };
            names.insert(id, name.clone());
            lines.push((name, text));
        }
    }
    let writer = Formula { g, names: &names, arg, target, style };
    (writer.text(root, Prec::If), lines)
}

/// The writer of [`formula`].
struct Formula<'a> {
    g: &'a Graph,
    /// The names of the nodes bound already.
    names: &'a HashMap<Id, String>,
    arg: &'a str,
    target: &'a str,
    style: Style,
}

impl Formula<'_> {
    /// `id` as text that binds at least as tightly as `needs`.
    fn text(&self, id: Id, needs: Prec) -> String {
        if let Some(name) = self.names.get(&id) {
            return name.clone();
        }
        let node = self.g.node(id);
        let latex = self.style == Style::Latex;
        let t = |id: Id, p: Prec| self.text(id, p);
        let s = match *node {
            Node::Const(bits) => f64::from_bits(bits).to_string(),
            Node::Bool(b) => b.to_string(),
            Node::Named(index) if latex => {
                format!(r"\mathrm{{{}}}", self.g.constant(index).text.replace('_', r"\_"))
            }
            Node::Named(index) => self.g.constant(index).text.clone(),
            Node::Arg => self.arg.to_owned(),
            Node::Target => self.target.to_owned(),
            Node::Neg(a) => format!("-{}", t(a, Prec::Prefix)),
            Node::Not(a) if latex => format!(r"\lnot {}", t(a, Prec::Prefix)),
            Node::Not(a) => format!("!{}", t(a, Prec::Prefix)),
            Node::Add(a, b) => format!("{} + {}", t(a, Prec::Sum), t(b, Prec::Product)),
            Node::Sub(a, b) => format!("{} - {}", t(a, Prec::Sum), t(b, Prec::Product)),
            Node::Mul(a, b) if latex => format!(r"{} \cdot {}", t(a, Prec::Product), t(b, Prec::Prefix)),
            Node::Mul(a, b) => format!("{} * {}", t(a, Prec::Product), t(b, Prec::Prefix)),
            Node::Div(a, b) if latex => format!(r"\frac{{{}}}{{{}}}", t(a, Prec::If), t(b, Prec::If)),
            Node::Div(a, b) => format!("{} / {}", t(a, Prec::Product), t(b, Prec::Prefix)),
            Node::And(a, b) if latex => format!(r"{} \land {}", t(a, Prec::And), t(b, Prec::Cmp)),
            Node::And(a, b) => format!("{} && {}", t(a, Prec::And), t(b, Prec::Cmp)),
            Node::Or(a, b) if latex => format!(r"{} \lor {}", t(a, Prec::Or), t(b, Prec::And)),
            Node::Or(a, b) => format!("{} || {}", t(a, Prec::Or), t(b, Prec::And)),
            Node::Cmp(op, a, b) => {
                let symbol = match op.symbol() {
                    "<=" if latex => r"\le",
                    ">=" if latex => r"\ge",
                    "!=" if latex => r"\ne",
                    "==" if latex => "=",
                    symbol => symbol,
                };
                format!("{} {symbol} {}", t(a, Prec::Sum), t(b, Prec::Sum))
            }
            Node::Call(f, a) if latex => return latex_call(f, &t(a, Prec::If)),
            Node::Call(f, a) => format!("{}({})", f.name(), t(a, Prec::If)),
            Node::Powi(a, n) if latex => format!("{}^{{{n}}}", t(a, Prec::Atom)),
            Node::Powi(a, n) if n < 0 => format!("{}^({n})", t(a, Prec::Atom)),
            Node::Powi(a, n) => format!("{}^{n}", t(a, Prec::Atom)),
            Node::Powf(a, c) if latex => format!("{}^{{{}}}", t(a, Prec::Atom), t(c, Prec::If)),
            Node::Powf(a, c) => format!("{}^{}", t(a, Prec::Atom), t(c, Prec::Atom)),
            Node::Max(a, b) if latex => format!(r"\max({}, {})", t(a, Prec::If), t(b, Prec::If)),
            Node::Max(a, b) => format!("max({}, {})", t(a, Prec::If), t(b, Prec::If)),
            Node::Min(a, b) if latex => format!(r"\min({}, {})", t(a, Prec::If), t(b, Prec::If)),
            Node::Min(a, b) => format!("min({}, {})", t(a, Prec::If), t(b, Prec::If)),
            Node::Select(c, a, b) if latex => format!(
                r"\begin{{cases}} {} & \text{{if }} {} \\ {} & \text{{otherwise}} \end{{cases}}",
                t(a, Prec::If),
                t(c, Prec::If),
                t(b, Prec::If)
            ),
            Node::Select(c, a, b) => {
                format!("if {} then {} else {}", t(c, Prec::Or), t(a, Prec::Sum), t(b, Prec::If))
            }
        };
        // A fraction is a unit in LaTeX.
        let p = if latex && matches!(node, Node::Div(..)) { Prec::Atom } else { prec(self.g, node, false) };
        match (p < needs, latex) {
            (true, true) => format!(r"\left({s}\right)"),
            (true, false) => format!("({s})"),
            (false, _) => s,
        }
    }
}

/// The call `f(a)` in LaTeX, a unit.
fn latex_call(f: Func, a: &str) -> String {
    match f {
        Func::Sqrt => format!(r"\sqrt{{{a}}}"),
        Func::Abs => format!(r"\lvert {a} \rvert"),
        Func::Recip => format!(r"\frac{{1}}{{{a}}}"),
        Func::Log2 => format!(r"\log_2\left({a}\right)"),
        Func::Log10 => format!(r"\log_{{10}}\left({a}\right)"),
        Func::ExpM1 => format!(r"\left(e^{{{a}}} - 1\right)"),
        Func::Ln1p => format!(r"\ln\left(1 + {a}\right)"),
        Func::Exp | Func::Ln | Func::Sin | Func::Cos | Func::Tan | Func::Tanh | Func::Sinh | Func::Cosh => {
            format!(r"\{}\left({a}\right)", f.name())
        }
        Func::Signum => format!(r"\operatorname{{sign}}\left({a}\right)"),
        Func::Sigmoid | Func::Softplus => format!(r"\operatorname{{{}}}\left({a}\right)", f.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::diff::derivative;
    use crate::activation::expr::Func;

    /// swish and its derivative.
    fn swish() -> (Graph, Id, Id) {
        let mut g = Graph::default();
        let z = g.arg();
        let one = g.num(1.0);
        let minus = g.neg(z);
        let e = g.call(Func::Exp, minus);
        let bottom = g.add(one, e);
        let f = g.div(z, bottom);
        let df = derivative(&mut g, f);
        (g, f, df)
    }

    #[test]
    fn formula_binds_shared_subexpressions() {
        let (g, f, df) = swish();
        assert_eq!(formula(&g, f, ["z", "y"], "t", Style::Text), ("z / (1 + exp(-z))".to_owned(), vec![]));
        let (text, lines) = formula(&g, df, ["z", "y"], "t", Style::Text);
        assert_eq!(
            lines,
            vec![("t1".to_owned(), "exp(-z)".to_owned()), ("t2".to_owned(), "1 + t1".to_owned())]
        );
        assert_eq!(text, "(t2 + z * t1) / (t2 * t2)");
    }

    #[test]
    fn a_pair_computes_what_its_roots_share_once() {
        // c = exp(z) − y·z and c' = exp(z) − y share exp(z); a root may also be the other's
        // part, or the other root itself.
        let mut g = Graph::default();
        let (z, y) = (g.arg(), g.target());
        let e = g.call(Func::Exp, z);
        let yz = g.mul(y, z);
        let c = g.sub(e, yz);
        let dc = derivative(&mut g, c);
        let arg = format_ident!("__z");
        let (lets, [value, slope]) = rust_pair(&g, [c, dc], Ty::F64, Ty::F64, &arg);
        assert_eq!(lets.to_string(), "let __v0 = __z . exp () ;");
        assert_eq!([value.to_string(), slope.to_string()], ["__v0 - __z * __y", "__v0 - __y"]);
        let (lets, [a, b]) = rust_pair(&g, [e, e], Ty::F64, Ty::F64, &arg);
        assert_eq!(
            (lets.to_string(), a.to_string(), b.to_string()),
            ("let __v0 = __z . exp () ;".into(), "__v0".into(), "__v0".into())
        );
        let (lets, [a, b]) = rust_pair(&g, [e, c], Ty::F64, Ty::F64, &arg);
        assert_eq!((lets.to_string(), a.to_string()), ("let __v0 = __z . exp () ;".into(), "__v0".into()));
        assert_eq!(b.to_string(), "__v0 - __z * __y");
    }

    #[test]
    fn rust_binds_shared_subexpressions_once() {
        let (g, _, df) = swish();
        let z = format_ident!("__z");
        let code = rust(&g, df, Ty::F32, Ty::F64, &z).to_string();
        assert_eq!(
            code,
            "let __v0 = (- __z) . exp () ; let __v1 = 1f32 + __v0 ; (__v1 + __z * __v0) / (__v1 * __v1)"
        );
    }
}
