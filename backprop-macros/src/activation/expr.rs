//! The expression IR: σ's body and σ' as one hash-consed DAG.
//!
//! Every node is interned once (`Graph::intern`), so two equal subexpressions are one node and
//! the emitter binds a node used twice to one `let`: common subexpressions are eliminated by
//! construction. Children are always interned before their parents, so the order of the ids is
//! a topological order of the DAG. The smart constructors that simplify while they build (constant
//! folding, `x*1`, `x+0`, `x*0`, ...) are in `simplify.rs`.

use std::collections::HashMap;

/// A node of a [`Graph`]; smaller ids were interned first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(usize);

/// A function of one argument that σ may apply: the float methods and the library's functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    Exp,
    /// e^x − 1, exact near 0.
    ExpM1,
    Ln,
    /// ln(1 + x), exact near 0.
    Ln1p,
    Log2,
    Log10,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sinh,
    Cosh,
    Abs,
    Signum,
    Recip,
    /// The library's `sigmoid`, 1/(1 + e^{−x}).
    Sigmoid,
    /// The library's `softplus`, ln(1 + e^x).
    Softplus,
}

impl Func {
    /// The float methods, by the name a user calls them with.
    pub const METHODS: [(&'static str, Func); 16] = [
        ("exp", Func::Exp),
        ("exp_m1", Func::ExpM1),
        ("ln", Func::Ln),
        ("ln_1p", Func::Ln1p),
        ("log2", Func::Log2),
        ("log10", Func::Log10),
        ("sqrt", Func::Sqrt),
        ("sin", Func::Sin),
        ("cos", Func::Cos),
        ("tan", Func::Tan),
        ("tanh", Func::Tanh),
        ("sinh", Func::Sinh),
        ("cosh", Func::Cosh),
        ("abs", Func::Abs),
        ("signum", Func::Signum),
        ("recip", Func::Recip),
    ];

    /// The library's functions (`backprop::activation::*`), by name.
    pub const FUNCTIONS: [(&'static str, Func); 3] =
        [("sigmoid", Func::Sigmoid), ("softplus", Func::Softplus), ("tanh", Func::Tanh)];

    /// The name of the function, as a method (`exp`) or a library function (`sigmoid`).
    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::ExpM1 => "exp_m1",
            Func::Ln => "ln",
            Func::Ln1p => "ln_1p",
            Func::Log2 => "log2",
            Func::Log10 => "log10",
            Func::Sqrt => "sqrt",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Tanh => "tanh",
            Func::Sinh => "sinh",
            Func::Cosh => "cosh",
            Func::Abs => "abs",
            Func::Signum => "signum",
            Func::Recip => "recip",
            Func::Sigmoid => "sigmoid",
            Func::Softplus => "softplus",
        }
    }

    /// Whether the generated code calls it as `::backprop::activation::name(x)`, not `x.name()`.
    pub fn is_library(self) -> bool {
        matches!(self, Func::Sigmoid | Func::Softplus)
    }

    /// Its value at a constant, computed as the generated code would (in `f64`).
    pub fn eval(self, x: f64) -> f64 {
        match self {
            Func::Exp => x.exp(),
            Func::ExpM1 => x.exp_m1(),
            Func::Ln => x.ln(),
            Func::Ln1p => x.ln_1p(),
            Func::Log2 => x.log2(),
            Func::Log10 => x.log10(),
            Func::Sqrt => x.sqrt(),
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Tanh => x.tanh(),
            Func::Sinh => x.sinh(),
            Func::Cosh => x.cosh(),
            Func::Abs => x.abs(),
            Func::Signum => x.signum(),
            Func::Recip => x.recip(),
            Func::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Func::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
        }
    }
}

/// A comparison in the condition of an `if`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    /// The Rust operator.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }

    /// The comparison of two constants.
    pub fn eval(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

/// One node of the DAG. Float-valued unless stated otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A float constant, by its bits (so that nodes can be hashed); always finite.
    Const(u64),
    /// A constant the macro cannot see the value of, by its index in the graph's constants.
    Named(usize),
    /// The argument z.
    Arg,
    /// The target y of a `#[cost]` function: a constant for the derivative, which is taken in z.
    Target,
    Neg(Id),
    Add(Id, Id),
    Sub(Id, Id),
    Mul(Id, Id),
    Div(Id, Id),
    Call(Func, Id),
    /// `x.powi(n)`.
    Powi(Id, i32),
    /// `x.powf(c)`, with `c` constant.
    Powf(Id, Id),
    /// `x.max(y)`.
    Max(Id, Id),
    /// `x.min(y)`.
    Min(Id, Id),
    /// A boolean constant (a folded condition).
    Bool(bool),
    /// A boolean comparison.
    Cmp(Cmp, Id, Id),
    /// Boolean `&&`.
    And(Id, Id),
    /// Boolean `||`.
    Or(Id, Id),
    /// Boolean `!`.
    Not(Id),
    /// `if cond { then } else { otherwise }`: a piecewise function.
    Select(Id, Id, Id),
}

impl Node {
    /// The nodes this one is computed from.
    pub fn children(&self) -> Vec<Id> {
        match *self {
            Node::Const(_) | Node::Named(_) | Node::Arg | Node::Target | Node::Bool(_) => Vec::new(),
            Node::Neg(a) | Node::Call(_, a) | Node::Powi(a, _) | Node::Not(a) => vec![a],
            Node::Add(a, b)
            | Node::Sub(a, b)
            | Node::Mul(a, b)
            | Node::Div(a, b)
            | Node::Powf(a, b)
            | Node::Max(a, b)
            | Node::Min(a, b)
            | Node::Cmp(_, a, b)
            | Node::And(a, b)
            | Node::Or(a, b) => vec![a, b],
            Node::Select(c, a, b) => vec![c, a, b],
        }
    }

    /// Whether it is a leaf that costs nothing to repeat: a constant, the argument or the target.
    pub fn is_leaf(&self) -> bool {
        matches!(self, Node::Const(_) | Node::Named(_) | Node::Arg | Node::Target | Node::Bool(_))
    }
}

/// The DAG: every node once, in the order interned.
#[derive(Default)]
pub struct Graph {
    nodes: Vec<Node>,
    /// Whether each node depends on the argument.
    varies: Vec<bool>,
    index: HashMap<Node, Id>,
    /// The named constants.
    names: Vec<Constant>,
}

/// A constant the macro cannot see the value of: a path, as written, possibly cast to a float type.
pub struct Constant {
    /// The constant as written: `ALPHA`, `consts::PI`, or `ALPHA as f32`.
    pub tokens: proc_macro2::TokenStream,
    /// Whether it is written as a cast, `ALPHA as f32`.
    pub cast: bool,
    /// Its path, for the formulas.
    pub text: String,
}

impl Graph {
    /// The node `id`.
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id.0]
    }

    /// Whether `id` depends on the argument; if not, its derivative is 0.
    pub fn varies(&self, id: Id) -> bool {
        self.varies[id.0]
    }

    /// The value of `id` if it is a known constant.
    pub fn value(&self, id: Id) -> Option<f64> {
        match self.nodes[id.0] {
            Node::Const(bits) => Some(f64::from_bits(bits)),
            _ => None,
        }
    }

    /// Whether `id` is the constant `v`.
    pub fn is(&self, id: Id, v: f64) -> bool {
        self.value(id) == Some(v)
    }

    /// The named constant `index`.
    pub fn constant(&self, index: usize) -> &Constant {
        &self.names[index]
    }

    /// The node for `node`, interned if it is new. No simplification: see `simplify.rs`.
    pub fn intern(&mut self, node: Node) -> Id {
        if let Some(&id) = self.index.get(&node) {
            return id;
        }
        let varies = matches!(node, Node::Arg) || node.children().iter().any(|&c| self.varies(c));
        let id = Id(self.nodes.len());
        self.nodes.push(node.clone());
        self.varies.push(varies);
        self.index.insert(node, id);
        id
    }

    /// The named constant at `path`, cast to `cast` if any (one node per distinct constant).
    pub fn named(&mut self, path: &syn::Path, cast: Option<&syn::Type>) -> Id {
        let text = quote::quote!(#path).to_string().replace(' ', "");
        let tokens = match cast {
            Some(ty) => quote::quote!(#path as #ty),
            None => quote::quote!(#path),
        };
        let key = tokens.to_string();
        let index = match self.names.iter().position(|c| c.tokens.to_string() == key) {
            Some(index) => index,
            None => {
                self.names.push(Constant { tokens, cast: cast.is_some(), text });
                self.names.len() - 1
            }
        };
        self.intern(Node::Named(index))
    }

    /// The ids of every node `root` is computed from, itself included, in topological order.
    pub fn reachable(&self, root: Id) -> Vec<Id> {
        let mut seen = vec![false; root.0 + 1];
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !seen[id.0] {
                seen[id.0] = true;
                stack.extend(self.node(id).children());
            }
        }
        seen.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| Id(i)).collect()
    }
}
