//! The smart constructors of the IR, which simplify as they build.
//!
//! Each folds what it can: operations on known constants become constants (only when the result
//! is finite, so that no literal is ever infinite or NaN), `x + 0`, `x + x`, `x − 0`, `0 − x`, `x · 1`,
//! `x · 0`, `x / 1`, `0 / x`, `x / x`, `x − x`, `−(−x)`, products of constants with products of
//! constants, `if true`, and an `if` whose branches are equal. Commutative operations put a
//! constant first and otherwise order their operands by id, so that `a·b` and `b·a` are one
//! node. Together with interning this is all the simplification σ' needs to come out lean.

use super::expr::{Cmp, Func, Graph, Id, Node};

impl Graph {
    /// The constant `v`, which must be finite.
    pub fn num(&mut self, v: f64) -> Id {
        // −0 is 0 for every use the IR makes of it, and one zero node shares better.
        let v = if v == 0.0 { 0.0 } else { v };
        self.intern(Node::Const(v.to_bits()))
    }

    /// The constant `v` if it is finite, else `otherwise`.
    fn folded(&mut self, v: f64, otherwise: Node) -> Id {
        if v.is_finite() { self.num(v) } else { self.intern(otherwise) }
    }

    /// The argument z.
    pub fn arg(&mut self) -> Id {
        self.intern(Node::Arg)
    }

    /// The target y of a `#[cost]` function.
    pub fn target(&mut self) -> Id {
        self.intern(Node::Target)
    }

    /// −a.
    pub fn neg(&mut self, a: Id) -> Id {
        if let Some(x) = self.value(a) {
            return self.num(-x);
        }
        match *self.node(a) {
            Node::Neg(x) => x,
            Node::Sub(x, y) => self.intern(Node::Sub(y, x)),
            Node::Mul(c, x) if self.value(c).is_some() => {
                let c = self.neg(c);
                self.mul(c, x)
            }
            _ => self.intern(Node::Neg(a)),
        }
    }

    /// a + b.
    pub fn add(&mut self, a: Id, b: Id) -> Id {
        let (a, b) = self.order(a, b);
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => return self.folded(x + y, Node::Add(a, b)),
            (Some(0.0), None) => return b,
            _ => {}
        }
        if a == b {
            // x + x = 2x.
            let two = self.num(2.0);
            return self.mul(two, a);
        }
        match (self.node(a).clone(), self.node(b).clone()) {
            (_, Node::Neg(y)) => self.sub(a, y),
            (Node::Neg(x), _) => self.sub(b, x),
            _ => self.intern(Node::Add(a, b)),
        }
    }

    /// a − b.
    pub fn sub(&mut self, a: Id, b: Id) -> Id {
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => return self.folded(x - y, Node::Sub(a, b)),
            (_, Some(0.0)) => return a,
            (Some(0.0), _) => return self.neg(b),
            _ if a == b => return self.num(0.0),
            _ => {}
        }
        match *self.node(b) {
            Node::Neg(y) => self.add(a, y),
            _ => self.intern(Node::Sub(a, b)),
        }
    }

    /// a · b.
    pub fn mul(&mut self, a: Id, b: Id) -> Id {
        let (a, b) = self.order(a, b);
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => return self.folded(x * y, Node::Mul(a, b)),
            (Some(0.0), None) => return self.num(0.0),
            (Some(1.0), None) => return b,
            (Some(-1.0), None) => return self.neg(b),
            _ => {}
        }
        if let Some(id) = self.signs_out(a, b, Graph::mul) {
            return id;
        }
        match (self.node(a).clone(), self.node(b).clone()) {
            // c₁ · (c₂ · x) = (c₁c₂) · x.
            (Node::Const(_), Node::Mul(c, x)) if self.value(c).is_some() => {
                let (c1, c2) = (self.value(a).unwrap_or(1.0), self.value(c).unwrap_or(1.0));
                if (c1 * c2).is_finite() {
                    let c = self.num(c1 * c2);
                    self.mul(c, x)
                } else {
                    self.intern(Node::Mul(a, b))
                }
            }
            _ => self.intern(Node::Mul(a, b)),
        }
    }

    /// a / b.
    pub fn div(&mut self, a: Id, b: Id) -> Id {
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => return self.folded(x / y, Node::Div(a, b)),
            (_, Some(1.0)) => return a,
            (_, Some(-1.0)) => return self.neg(a),
            (Some(0.0), _) => return self.num(0.0),
            _ if a == b => return self.num(1.0),
            _ => {}
        }
        match self.signs_out(a, b, Graph::div) {
            Some(id) => id,
            None => self.intern(Node::Div(a, b)),
        }
    }

    /// `op(a, b)` with the signs of negated operands taken out, `(−x)·(−y) = x·y` and
    /// `(−x)·y = x·(−y) = −(x·y)`, for `op` a product or a quotient; `None` if neither is negated.
    fn signs_out(&mut self, a: Id, b: Id, op: fn(&mut Graph, Id, Id) -> Id) -> Option<Id> {
        let (x, negated_a) = match *self.node(a) {
            Node::Neg(x) => (x, true),
            _ => (a, false),
        };
        let (y, negated_b) = match *self.node(b) {
            Node::Neg(y) => (y, true),
            _ => (b, false),
        };
        let positive = match (negated_a, negated_b) {
            (false, false) => return None,
            _ => op(self, x, y),
        };
        Some(if negated_a == negated_b { positive } else { self.neg(positive) })
    }

    /// f(a).
    pub fn call(&mut self, f: Func, a: Id) -> Id {
        match self.value(a) {
            Some(x) => self.folded(f.eval(x), Node::Call(f, a)),
            None => self.intern(Node::Call(f, a)),
        }
    }

    /// aⁿ, for an integer n.
    pub fn powi(&mut self, a: Id, n: i32) -> Id {
        match n {
            0 => self.num(1.0),
            1 => a,
            _ => match self.value(a) {
                Some(x) => self.folded(x.powi(n), Node::Powi(a, n)),
                None => self.intern(Node::Powi(a, n)),
            },
        }
    }

    /// a^c, for a constant c.
    pub fn powf(&mut self, a: Id, c: Id) -> Id {
        match (self.value(a), self.value(c)) {
            (Some(x), Some(y)) => self.folded(x.powf(y), Node::Powf(a, c)),
            (_, Some(1.0)) => a,
            (_, Some(0.0)) => self.num(1.0),
            _ => self.intern(Node::Powf(a, c)),
        }
    }

    /// max(a, b).
    pub fn max(&mut self, a: Id, b: Id) -> Id {
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => self.num(x.max(y)),
            _ => self.intern(Node::Max(a, b)),
        }
    }

    /// min(a, b).
    pub fn min(&mut self, a: Id, b: Id) -> Id {
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => self.num(x.min(y)),
            _ => self.intern(Node::Min(a, b)),
        }
    }

    /// The comparison `a op b`.
    pub fn cmp(&mut self, op: Cmp, a: Id, b: Id) -> Id {
        match (self.value(a), self.value(b)) {
            (Some(x), Some(y)) => self.intern(Node::Bool(op.eval(x, y))),
            _ => self.intern(Node::Cmp(op, a, b)),
        }
    }

    /// The boolean constant `b`.
    pub fn bool(&mut self, b: bool) -> Id {
        self.intern(Node::Bool(b))
    }

    /// a && b.
    pub fn and(&mut self, a: Id, b: Id) -> Id {
        match (self.node(a), self.node(b)) {
            (Node::Bool(false), _) => a,
            (Node::Bool(true), _) => b,
            _ => self.intern(Node::And(a, b)),
        }
    }

    /// a || b.
    pub fn or(&mut self, a: Id, b: Id) -> Id {
        match (self.node(a), self.node(b)) {
            (Node::Bool(true), _) => a,
            (Node::Bool(false), _) => b,
            _ => self.intern(Node::Or(a, b)),
        }
    }

    /// !a.
    pub fn not(&mut self, a: Id) -> Id {
        match *self.node(a) {
            Node::Bool(b) => self.bool(!b),
            Node::Not(x) => x,
            _ => self.intern(Node::Not(a)),
        }
    }

    /// `if c { a } else { b }`.
    pub fn select(&mut self, c: Id, a: Id, b: Id) -> Id {
        match *self.node(c) {
            Node::Bool(true) => a,
            Node::Bool(false) => b,
            _ if a == b => a,
            _ => self.intern(Node::Select(c, a, b)),
        }
    }

    /// The operands of a commutative operation in canonical order: a constant first, otherwise
    /// the older node first.
    fn order(&self, a: Id, b: Id) -> (Id, Id) {
        match (self.value(a).is_some(), self.value(b).is_some()) {
            (false, true) => (b, a),
            (true, false) => (a, b),
            _ if b < a => (b, a),
            _ => (a, b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_constants_and_identities() {
        let mut g = Graph::default();
        let z = g.arg();
        let (zero, one, two, three) = (g.num(0.0), g.num(1.0), g.num(2.0), g.num(3.0));
        let six = g.mul(two, three);
        assert_eq!(g.value(six), Some(6.0));
        assert_eq!(g.add(z, zero), z);
        assert_eq!(g.add(zero, z), z);
        assert_eq!(g.sub(z, zero), z);
        assert_eq!(g.mul(z, one), z);
        assert_eq!(g.mul(one, z), z);
        assert_eq!(g.mul(z, zero), zero);
        assert_eq!(g.div(z, one), z);
        assert_eq!(g.div(zero, z), zero);
        assert_eq!(g.div(z, z), one);
        assert_eq!(g.sub(z, z), zero);
        let minus_z = g.neg(z);
        assert_eq!(g.neg(minus_z), z);
        assert_eq!(g.powi(z, 1), z);
        assert_eq!(g.powi(z, 0), one);
        let e = g.call(Func::Exp, zero);
        assert_eq!(g.value(e), Some(1.0));
    }

    #[test]
    fn never_folds_to_a_non_finite_constant() {
        let mut g = Graph::default();
        let (zero, one) = (g.num(0.0), g.num(1.0));
        let inf = g.div(one, zero);
        assert!(g.value(inf).is_none());
        assert_eq!(*g.node(inf), Node::Div(one, zero));
        let ln0 = g.call(Func::Ln, zero);
        assert!(g.value(ln0).is_none());
    }

    #[test]
    fn commutative_operations_share_one_node() {
        let mut g = Graph::default();
        let z = g.arg();
        let e = g.call(Func::Exp, z);
        assert_eq!(g.mul(z, e), g.mul(e, z));
        assert_eq!(g.add(z, e), g.add(e, z));
        let two = g.num(2.0);
        let three = g.num(3.0);
        // 2 · (3 · z) = 6 · z, and z · 2 puts the constant first.
        let inner = g.mul(z, three);
        let outer = g.mul(two, inner);
        let six = g.num(6.0);
        assert_eq!(*g.node(outer), Node::Mul(six, z));
    }

    #[test]
    fn signs_move_outwards() {
        let mut g = Graph::default();
        let z = g.arg();
        let e = g.call(Func::Exp, z);
        let minus_e = g.neg(e);
        // z · (−e) = −(z · e); a − (−b) = a + b; (−a)/(−b) = a/b.
        let product = g.mul(z, minus_e);
        let ze = g.mul(z, e);
        assert_eq!(*g.node(product), Node::Neg(ze));
        assert_eq!(g.sub(z, minus_e), g.add(z, e));
        let minus_z = g.neg(z);
        assert_eq!(g.div(minus_z, minus_e), g.div(z, e));
    }

    #[test]
    fn folds_conditions() {
        let mut g = Graph::default();
        let z = g.arg();
        let (one, two) = (g.num(1.0), g.num(2.0));
        let yes = g.cmp(Cmp::Lt, one, two);
        assert_eq!(g.select(yes, z, one), z);
        let c = g.cmp(Cmp::Gt, z, one);
        assert_eq!(g.select(c, two, two), two);
        let s = g.select(c, z, two);
        assert_eq!(*g.node(s), Node::Select(c, z, two));
    }
}
