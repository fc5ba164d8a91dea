//! The symbolic derivative, by the local rules of the paper's gates.
//!
//! Koushik, *Deriving the Backpropagation Equations*, section 4: an add gate passes the gradient
//! on to both inputs, ∂(x + y) = ∂x + ∂y; a multiply gate swaps its inputs,
//! ∂(xy) = y ∂x + x ∂y; a function gate multiplies by its local derivative, ∂g(x) = g'(x) ∂x;
//! and the chain rule joins them. Here the one input is z, so every node's derivative is
//! dnode/dz, computed once per node in topological order (forward mode, which for one input is
//! the same gradient as the paper's backward pass). A piecewise node is differentiated branch
//! by branch under the same condition, so at a kink σ' is the derivative of the branch taken.

use std::collections::HashMap;

use super::expr::{Cmp, Func, Graph, Id, Node};

/// dσ/dz for σ = `root`, built in `g` next to σ (sharing its nodes).
pub fn derivative(g: &mut Graph, root: Id) -> Id {
    let mut d: HashMap<Id, Id> = HashMap::new();
    for id in g.reachable(root) {
        let node = g.node(id).clone();
        let dx = if !g.varies(id) || !is_float(&node) {
            g.num(0.0)
        } else {
            local(g, &node, |child| d.get(&child).copied())
        };
        d.insert(id, dx);
    }
    d.get(&root).copied().unwrap_or_else(|| g.num(0.0))
}

/// Whether the node is a float (not a condition).
fn is_float(node: &Node) -> bool {
    !matches!(node, Node::Bool(_) | Node::Cmp(..) | Node::And(..) | Node::Or(..) | Node::Not(_))
}

/// The derivative of `node` from its children's derivatives `d`.
fn local(g: &mut Graph, node: &Node, d: impl Fn(Id) -> Option<Id>) -> Id {
    let zero = g.num(0.0);
    let d = |id: Id| d(id).unwrap_or(zero);
    match *node {
        Node::Const(_) | Node::Named(_) | Node::Target | Node::Bool(_) => zero,
        Node::Arg => g.num(1.0),
        Node::Neg(a) => g.neg(d(a)),
        // The add gate distributes the gradient.
        Node::Add(a, b) => g.add(d(a), d(b)),
        Node::Sub(a, b) => g.sub(d(a), d(b)),
        // The multiply gate switches its inputs.
        Node::Mul(a, b) => {
            let (da, db) = (d(a), d(b));
            let left = g.mul(da, b);
            let right = g.mul(a, db);
            g.add(left, right)
        }
        // (a/b)' = (a' b − a b') / b², which is a'/b when b is constant.
        Node::Div(a, b) => {
            let (da, db) = (d(a), d(b));
            if g.is(db, 0.0) {
                return g.div(da, b);
            }
            let left = g.mul(da, b);
            let right = g.mul(a, db);
            let top = g.sub(left, right);
            let bb = g.mul(b, b);
            g.div(top, bb)
        }
        // A function gate multiplies by its local derivative.
        Node::Call(f, a) => {
            let local = function(g, f, a);
            g.mul(local, d(a))
        }
        // (aⁿ)' = n aⁿ⁻¹ a'.
        Node::Powi(a, n) => {
            let (n_f, below) = (f64::from(n), n.checked_sub(1));
            let power = match below {
                Some(m) => g.powi(a, m),
                // n = i32::MIN: aⁿ⁻¹ = aⁿ / a.
                None => {
                    let p = g.powi(a, n);
                    g.div(p, a)
                }
            };
            let n = g.num(n_f);
            let local = g.mul(n, power);
            g.mul(local, d(a))
        }
        // (a^c)' = c a^{c−1} a'.
        Node::Powf(a, c) => {
            let one = g.num(1.0);
            let c1 = g.sub(c, one);
            let power = g.powf(a, c1);
            let local = g.mul(c, power);
            g.mul(local, d(a))
        }
        // max(a, b)' = a' where a > b, else b' (one side is constant, so its derivative is 0).
        Node::Max(a, b) => {
            let c = g.cmp(Cmp::Gt, a, b);
            g.select(c, d(a), d(b))
        }
        Node::Min(a, b) => {
            let c = g.cmp(Cmp::Lt, a, b);
            g.select(c, d(a), d(b))
        }
        // Piecewise: branch by branch, under the same condition.
        Node::Select(c, a, b) => g.select(c, d(a), d(b)),
        Node::Cmp(..) | Node::And(..) | Node::Or(..) | Node::Not(_) => zero,
    }
}

/// The local derivative f'(a) of a function gate, reusing f(a) where f' is written with it.
fn function(g: &mut Graph, f: Func, a: Id) -> Id {
    let one = g.num(1.0);
    match f {
        // exp' = exp.
        Func::Exp => g.call(Func::Exp, a),
        // (e^x − 1)' = e^x.
        Func::ExpM1 => g.call(Func::Exp, a),
        Func::Ln => g.div(one, a),
        // ln(1 + x)' = 1/(1 + x).
        Func::Ln1p => {
            let x = g.add(one, a);
            g.div(one, x)
        }
        // log₂' = 1/(x ln 2), log₁₀' = 1/(x ln 10).
        Func::Log2 | Func::Log10 => {
            let base = if f == Func::Log2 { core::f64::consts::LN_2 } else { core::f64::consts::LN_10 };
            let base = g.num(base);
            let x = g.mul(base, a);
            g.div(one, x)
        }
        // sqrt' = 1/(2 sqrt).
        Func::Sqrt => {
            let two = g.num(2.0);
            let s = g.call(Func::Sqrt, a);
            let bottom = g.mul(two, s);
            g.div(one, bottom)
        }
        Func::Sin => g.call(Func::Cos, a),
        Func::Cos => {
            let s = g.call(Func::Sin, a);
            g.neg(s)
        }
        // tan' = 1 + tan², tanh' = 1 − tanh².
        Func::Tan | Func::Tanh => {
            let t = g.call(f, a);
            let tt = g.mul(t, t);
            if f == Func::Tan { g.add(one, tt) } else { g.sub(one, tt) }
        }
        Func::Sinh => g.call(Func::Cosh, a),
        Func::Cosh => g.call(Func::Sinh, a),
        // |x|' = signum x (±1; at 0, signum(+0) = 1).
        Func::Abs => g.call(Func::Signum, a),
        Func::Signum => g.num(0.0),
        // (1/x)' = −1/x².
        Func::Recip => {
            let xx = g.mul(a, a);
            let r = g.div(one, xx);
            g.neg(r)
        }
        // sigmoid' = sigmoid (1 − sigmoid).
        Func::Sigmoid => {
            let s = g.call(Func::Sigmoid, a);
            let rest = g.sub(one, s);
            g.mul(s, rest)
        }
        // softplus' = sigmoid.
        Func::Softplus => g.call(Func::Sigmoid, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derivative of `build(z)`, with the graph.
    fn d(build: impl Fn(&mut Graph, Id) -> Id) -> (Graph, Id) {
        let mut g = Graph::default();
        let z = g.arg();
        let f = build(&mut g, z);
        let df = derivative(&mut g, f);
        (g, df)
    }

    #[test]
    fn rules_of_the_gates() {
        // (3z + 2)' = 3.
        let (g, df) = d(|g, z| {
            let (three, two) = (g.num(3.0), g.num(2.0));
            let m = g.mul(three, z);
            g.add(m, two)
        });
        assert_eq!(g.value(df), Some(3.0));
        // (z²)' = 2z, by the multiply gate: z·1 + 1·z.
        let (mut g, df) = d(|g, z| g.mul(z, z));
        let (two, z) = (g.num(2.0), g.arg());
        assert_eq!(*g.node(df), Node::Mul(two, z));
        // exp(z)' = exp(z): the same node.
        let (g, df) = d(|g, z| g.call(Func::Exp, z));
        assert!(matches!(*g.node(df), Node::Call(Func::Exp, _)));
        // A constant's derivative is 0.
        let (g, df) = d(|g, _| g.num(4.0));
        assert_eq!(g.value(df), Some(0.0));
    }

    #[test]
    fn swish_derivative_reuses_its_exponential() {
        // z / (1 + e^{−z}) → (1 + e + z e) / (1 + e)² with e = e^{−z} one node.
        let (g, df) = d(|g, z| {
            let one = g.num(1.0);
            let minus = g.neg(z);
            let e = g.call(Func::Exp, minus);
            let bottom = g.add(one, e);
            g.div(z, bottom)
        });
        let exps = g.reachable(df).into_iter().filter(|&i| matches!(g.node(i), Node::Call(Func::Exp, _)));
        assert_eq!(exps.count(), 1);
    }

    #[test]
    fn piecewise_keeps_the_condition() {
        let (mut g, df) = d(|g, z| {
            let zero = g.num(0.0);
            let c = g.cmp(Cmp::Gt, z, zero);
            let e = g.call(Func::Exp, z);
            g.select(c, z, e)
        });
        let zero = g.num(0.0);
        let z = g.arg();
        let (c, one, e) = (g.cmp(Cmp::Gt, z, zero), g.num(1.0), g.call(Func::Exp, z));
        assert_eq!(*g.node(df), Node::Select(c, one, e));
    }
}
