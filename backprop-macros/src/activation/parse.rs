//! Lowering the body of the user's function to the IR, with an error spanned on every construct
//! that is not supported.
//!
//! Lowering never stops at the first error: an unsupported construct is recorded in the `Ctxt`
//! and stands for the constant 0, so that one build reports every such construct.

use syn::{BinOp, Block, Expr, Lit, Pat, Stmt, UnOp};

use super::expr::{Cmp, Func, Graph, Id};
use crate::ctxt::Ctxt;

/// What the body may contain, and what to do otherwise: the end of every error about the body
/// of an `#[activation]` function.
pub const SUPPORTED: &str = "the body of an `#[activation]` function may use float literals, \
    constants (possibly cast with `as`), the argument, `+ - * /`, unary `-`, parentheses, `let` bindings, `if`/`else` on \
    comparisons, the methods exp, exp_m1, ln, ln_1p, log2, log10, sqrt, powi (integer literal), powf (constant), \
    sin, cos, tan, tanh, sinh, cosh, abs, signum, recip, max and min (with a constant), and the \
    functions sigmoid, softplus and tanh of `backprop::activation`; for anything else, implement \
    `backprop::Activation` by hand";

/// [`SUPPORTED`], for the body of a `#[cost]` function.
pub const COST_SUPPORTED: &str = "the body of a `#[cost]` function may use what an `#[activation]` \
    function's may (float literals, constants, `+ - * /`, `let`, `if`/`else` on comparisons, the \
    methods exp, ln, sqrt, powi, powf, tanh, abs, max, min and the like, and the functions sigmoid, \
    softplus and tanh of `backprop::activation`), with the output z as the argument and the target \
    y as a constant; for anything else, implement `backprop::Cost` by hand";

/// The lowering of one function body into a graph.
pub struct Lower<'a> {
    pub g: &'a mut Graph,
    pub cx: &'a mut Ctxt,
    /// The name of the argument.
    pub arg: String,
    /// The name of a `#[cost]` function's target, if any.
    target: Option<String>,
    /// The end of every error about the body.
    supported: &'static str,
    /// What the function is called in errors: σ, or a cost's c.
    symbol: &'static str,
    /// The `let` bindings in scope, innermost last.
    scope: Vec<(String, Id)>,
    /// Names bound to a closure, already an error: calling one is not reported again.
    closures: Vec<String>,
}

impl<'a> Lower<'a> {
    /// A lowering for a function whose argument is named `arg`.
    pub fn new(g: &'a mut Graph, cx: &'a mut Ctxt, arg: String) -> Self {
        Lower {
            g,
            cx,
            arg,
            target: None,
            supported: SUPPORTED,
            symbol: "σ",
            scope: Vec::new(),
            closures: Vec::new(),
        }
    }

    /// The lowering of a `#[cost]` function, whose second argument, the target, is named `target`.
    pub fn cost(mut self, target: String) -> Self {
        self.target = Some(target);
        self.supported = COST_SUPPORTED;
        self.symbol = "c";
        self
    }

    /// Records that `tokens` is `what`, which is not supported; it stands for 0.
    fn unsupported<T: quote::ToTokens>(&mut self, tokens: T, what: &str) -> Id {
        self.cx.error_spanned_by(tokens, format!("{what} is not supported here: {}", self.supported));
        self.g.num(0.0)
    }

    /// Records that what is at `span` is `what`, which is not supported; it stands for 0.
    fn unsupported_at(&mut self, span: proc_macro2::Span, what: &str) -> Id {
        self.cx.push(syn::Error::new(span, format!("{what} is not supported here: {}", self.supported)));
        self.g.num(0.0)
    }

    /// A block: `let` bindings, then the value.
    pub fn block(&mut self, block: &Block) -> Id {
        let depth = self.scope.len();
        let mut value = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == block.stmts.len();
            match stmt {
                Stmt::Local(local) => {
                    let name = match &local.pat {
                        Pat::Ident(p)
                            if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() =>
                        {
                            Some(p.ident.to_string())
                        }
                        Pat::Type(t) => match &*t.pat {
                            Pat::Ident(p)
                                if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() =>
                            {
                                Some(p.ident.to_string())
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(name) = name else {
                        self.unsupported(
                            &local.pat,
                            "this pattern (bind each value once to a name, as in `let u = 2.0 * z;`)",
                        );
                        continue;
                    };
                    if local.init.as_ref().is_some_and(|init| matches!(&*init.expr, Expr::Closure(_))) {
                        self.closures.push(name.clone());
                    }
                    let id = match &local.init {
                        Some(init) if init.diverge.is_none() => self.expr(&init.expr),
                        Some(init) => self.unsupported(&init.expr, "`let ... else`"),
                        None => self.unsupported(local, "a `let` without a value"),
                    };
                    self.scope.push((name, id));
                    if last {
                        self.unsupported(local, "a body that ends in a `let` (it must end in its value)");
                    }
                }
                Stmt::Expr(expr, None) if last => value = Some(self.expr(expr)),
                // A loop, an assignment...: its own message; anything else is a statement.
                Stmt::Expr(expr, _) if !is_value(expr) => {
                    self.expr(expr);
                }
                Stmt::Expr(expr, _) => {
                    self.unsupported(expr, "a statement other than `let` (the body ends in its value)");
                }
                Stmt::Item(item) => {
                    self.unsupported(item, "an item inside the body");
                }
                Stmt::Macro(mac) => {
                    self.unsupported(mac, "a macro call");
                }
            }
        }
        self.scope.truncate(depth);
        match value {
            Some(value) => value,
            None if block.stmts.is_empty() => self.unsupported(block, "an empty body"),
            None => self.g.num(0.0),
        }
    }

    /// A float-valued expression.
    pub fn expr(&mut self, expr: &Expr) -> Id {
        match expr {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Float(f) => match (f.suffix(), f.base10_parse::<f64>()) {
                    ("" | "f32" | "f64", Ok(v)) if v.is_finite() => self.g.num(v),
                    _ => self.unsupported(f, "this literal (a finite `f32` or `f64` one is)"),
                },
                Lit::Int(i) => {
                    self.unsupported(i, &format!("an integer literal (write `{}.0`)", i.base10_digits()))
                }
                other => self.unsupported(other, "a literal that is not a float"),
            },
            Expr::Path(path) => {
                if path.qself.is_some() || path.path.segments.iter().any(|s| !s.arguments.is_none()) {
                    return self.unsupported(path, "a path with generic arguments");
                }
                if let Some(ident) = path.path.get_ident() {
                    let name = ident.to_string();
                    if let Some((_, id)) = self.scope.iter().rev().find(|(n, _)| *n == name) {
                        return *id;
                    }
                    if name == self.arg {
                        return self.g.arg();
                    }
                    if self.target.as_ref() == Some(&name) {
                        return self.g.target();
                    }
                }
                match std_constant(&path.path) {
                    Some(v) => self.g.num(v),
                    None => self.g.named(&path.path, None),
                }
            }
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Block(b) if b.label.is_none() => self.block(&b.block),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => {
                    let a = self.expr(&u.expr);
                    self.g.neg(a)
                }
                _ => self.unsupported(u.op, "this operator"),
            },
            Expr::Binary(b) => {
                let op: fn(&mut Graph, Id, Id) -> Id = match b.op {
                    BinOp::Add(_) => Graph::add,
                    BinOp::Sub(_) => Graph::sub,
                    BinOp::Mul(_) => Graph::mul,
                    BinOp::Div(_) => Graph::div,
                    BinOp::Lt(_)
                    | BinOp::Le(_)
                    | BinOp::Gt(_)
                    | BinOp::Ge(_)
                    | BinOp::Eq(_)
                    | BinOp::Ne(_) => {
                        return self.unsupported(b, "a comparison outside the condition of an `if`");
                    }
                    BinOp::Rem(_) => return self.unsupported(b.op, "the remainder `%`"),
                    _ => return self.unsupported(b.op, "this operator"),
                };
                let (l, r) = (self.expr(&b.left), self.expr(&b.right));
                op(self.g, l, r)
            }
            Expr::MethodCall(m) => self.method(m),
            Expr::Call(call) => self.call(call),
            Expr::If(i) => {
                let c = self.cond(&i.cond);
                let then = self.block(&i.then_branch);
                let otherwise = match &i.else_branch {
                    Some((_, e)) => self.expr(e),
                    None => {
                        let what =
                            format!("an `if` without `else` ({} needs a value on both sides)", self.symbol);
                        return self.unsupported(i, &what);
                    }
                };
                self.g.select(c, then, otherwise)
            }
            Expr::ForLoop(e) => self.unsupported(e.for_token, "a `for` loop"),
            Expr::While(e) => self.unsupported(e.while_token, "a `while` loop"),
            Expr::Loop(e) => self.unsupported(e.loop_token, "a `loop`"),
            Expr::Match(e) => self.unsupported(e.match_token, "a `match` (write it with `if`/`else`)"),
            Expr::Closure(e) => self.unsupported(e, "a closure"),
            Expr::Macro(e) => self.unsupported(e, "a macro call"),
            Expr::Return(e) => self.unsupported(e, "`return` (the body must end in its value)"),
            Expr::Cast(e) => self.cast(e),
            Expr::Assign(e) => self.unsupported(e, "an assignment"),
            Expr::Field(e) => self.unsupported(e, "a field access"),
            Expr::Index(e) => self.unsupported(e, "indexing"),
            Expr::Try(e) => self.unsupported(e, "`?`"),
            Expr::Unsafe(e) => self.unsupported(e.unsafe_token, "an `unsafe` block"),
            other => self.unsupported(other, "this expression"),
        }
    }

    /// `c as f32` or `c as f64`, for a constant or a literal `c`.
    fn cast(&mut self, cast: &syn::ExprCast) -> Id {
        const CAST: &str = "this cast (only a constant or a literal may be cast, to `f32` or `f64`)";
        let float = match &*cast.ty {
            syn::Type::Path(t) if t.qself.is_none() => t.path.is_ident("f32") || t.path.is_ident("f64"),
            _ => false,
        };
        let value = self.expr(&cast.expr);
        if !float || self.g.varies(value) {
            return self.unsupported(cast, CAST);
        }
        if self.g.value(value).is_some() {
            return value;
        }
        match &*cast.expr {
            Expr::Path(path) => self.g.named(&path.path, Some(&cast.ty)),
            _ => self.unsupported(cast, CAST),
        }
    }

    /// The condition of an `if`: comparisons of expressions, joined by `&&`, `||` and `!`.
    fn cond(&mut self, expr: &Expr) -> Id {
        const CONDITION: &str = "this condition (an `if` may compare expressions in the argument, \
            as in `z > 0.0`, joined by `&&`, `||` and `!`)";
        match expr {
            Expr::Paren(p) => self.cond(&p.expr),
            Expr::Group(g) => self.cond(&g.expr),
            Expr::Lit(l) => match &l.lit {
                Lit::Bool(b) => self.g.bool(b.value),
                _ => self.unsupported(l, CONDITION),
            },
            Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => {
                let a = self.cond(&u.expr);
                self.g.not(a)
            }
            Expr::Binary(b) => {
                let cmp = match b.op {
                    BinOp::And(_) | BinOp::Or(_) => {
                        let (l, r) = (self.cond(&b.left), self.cond(&b.right));
                        return if matches!(b.op, BinOp::And(_)) {
                            self.g.and(l, r)
                        } else {
                            self.g.or(l, r)
                        };
                    }
                    BinOp::Lt(_) => Cmp::Lt,
                    BinOp::Le(_) => Cmp::Le,
                    BinOp::Gt(_) => Cmp::Gt,
                    BinOp::Ge(_) => Cmp::Ge,
                    BinOp::Eq(_) => Cmp::Eq,
                    BinOp::Ne(_) => Cmp::Ne,
                    _ => return self.unsupported(b, CONDITION),
                };
                let (l, r) = (self.expr(&b.left), self.expr(&b.right));
                self.g.cmp(cmp, l, r)
            }
            other => self.unsupported(other, CONDITION),
        }
    }

    /// `x.method(...)`.
    fn method(&mut self, m: &syn::ExprMethodCall) -> Id {
        let name = m.method.to_string();
        if let Some(turbofish) = &m.turbofish {
            return self.unsupported(turbofish, "a turbofish");
        }
        let function = Func::METHODS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
        let arity = match (function, name.as_str()) {
            (Some(_), _) => 0,
            (None, "powi" | "powf" | "max" | "min") => 1,
            (None, _) => return self.unsupported(&m.method, &format!("the method `{name}`")),
        };
        if m.args.len() != arity {
            let what = format!("`{name}` with {} arguments (it takes {arity})", m.args.len());
            return self.unsupported_at(m.paren_token.span.join(), &what);
        }
        let x = self.expr(&m.receiver);
        match (function, m.args.first()) {
            (Some(f), _) => self.g.call(f, x),
            (None, Some(arg)) => self.method_of_two(m, &name, x, arg),
            // The arity was checked: a method of one argument has it.
            (None, None) => x,
        }
    }

    /// `x.name(arg)`, for `powi`, `powf`, `max` and `min`.
    fn method_of_two(&mut self, m: &syn::ExprMethodCall, name: &str, x: Id, arg: &Expr) -> Id {
        match name {
            "powi" => match integer(arg) {
                Some(n) => self.g.powi(x, n),
                None => self.unsupported(arg, "an exponent of `powi` that is not an integer literal"),
            },
            "powf" => {
                let c = self.expr(arg);
                if self.g.varies(c) {
                    return self.unsupported(
                        arg,
                        "an exponent of `powf` that depends on the argument (it must be a constant)",
                    );
                }
                self.g.powf(x, c)
            }
            _ => {
                let y = self.expr(arg);
                let (x, y) = match (self.g.varies(x), self.g.varies(y)) {
                    (true, true) => {
                        return self.unsupported(
                            m,
                            &format!(
                                "`{name}` of two expressions in the argument (one side must be a constant)"
                            ),
                        );
                    }
                    // The constant goes second; max and min are symmetric.
                    (false, true) => (y, x),
                    _ => (x, y),
                };
                if name == "max" { self.g.max(x, y) } else { self.g.min(x, y) }
            }
        }
    }

    /// `f(x)`, for a function of the library.
    fn call(&mut self, call: &syn::ExprCall) -> Id {
        let Expr::Path(path) = &*call.func else {
            return self.unsupported(&call.func, "calling this");
        };
        let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
        if matches!(segments.as_slice(), [local] if self.closures.contains(local)) {
            // The closure's `let` has its error; its arguments may have errors of their own.
            for arg in &call.args {
                self.expr(arg);
            }
            return self.g.num(0.0);
        }
        let name = segments.last().map_or("", String::as_str);
        let function = Func::FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
        // `sigmoid`, or a path to it through the library's `activation` module.
        let through_library =
            segments.len() == 1 || segments.len() >= 2 && segments[segments.len() - 2] == "activation";
        let Some(function) = function.filter(|_| through_library && path.qself.is_none()) else {
            let written = segments.join("::");
            let what = match segments.as_slice() {
                [float, method]
                    if matches!(float.as_str(), "f32" | "f64")
                        && Func::METHODS.iter().any(|(n, _)| n == method) =>
                {
                    format!("a call of `{written}` (call it as a method, as in `z.{method}()`)")
                }
                _ => format!("a call of the function `{written}`"),
            };
            return self.unsupported(&call.func, &what);
        };
        if call.args.len() != 1 {
            let what = format!("`{name}` with {} arguments (it takes 1)", call.args.len());
            return self.unsupported_at(call.paren_token.span.join(), &what);
        }
        let x = match call.args.first() {
            Some(arg) => self.expr(arg),
            None => self.g.num(0.0),
        };
        self.g.call(function, x)
    }
}

/// Whether `expr` is a value, as opposed to a construct that is one only syntactically (a loop, an
/// assignment, ...), which `Lower::expr` rejects with a message of its own.
fn is_value(expr: &Expr) -> bool {
    !matches!(
        expr,
        Expr::ForLoop(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::Match(_)
            | Expr::Macro(_)
            | Expr::Return(_)
            | Expr::Assign(_)
            | Expr::Unsafe(_)
    )
}

/// An integer literal, possibly negated, as an `i32`.
fn integer(expr: &Expr) -> Option<i32> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) => i.base10_parse::<i32>().ok(),
        Expr::Unary(syn::ExprUnary { op: UnOp::Neg(_), expr, .. }) => integer(expr)?.checked_neg(),
        Expr::Paren(p) => integer(&p.expr),
        Expr::Group(g) => integer(&g.expr),
        _ => None,
    }
}

/// The value of a mathematical constant of the standard library, `core::f64::consts::PI` or
/// `std::f32::consts::PI` (in any form ending in `f32::consts::NAME` or `f64::consts::NAME`), so
/// that it folds with the literals around it.
fn std_constant(path: &syn::Path) -> Option<f64> {
    use core::f64::consts;
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let [.., float, module, name] = segments.as_slice() else { return None };
    if !matches!(float.as_str(), "f32" | "f64") || module != "consts" {
        return None;
    }
    let value = match name.as_str() {
        "PI" => consts::PI,
        "TAU" => consts::TAU,
        "E" => consts::E,
        "SQRT_2" => consts::SQRT_2,
        "FRAC_1_SQRT_2" => consts::FRAC_1_SQRT_2,
        "FRAC_2_SQRT_PI" => consts::FRAC_2_SQRT_PI,
        "FRAC_1_PI" => consts::FRAC_1_PI,
        "FRAC_2_PI" => consts::FRAC_2_PI,
        "FRAC_PI_2" => consts::FRAC_PI_2,
        "FRAC_PI_3" => consts::FRAC_PI_3,
        "FRAC_PI_4" => consts::FRAC_PI_4,
        "FRAC_PI_6" => consts::FRAC_PI_6,
        "FRAC_PI_8" => consts::FRAC_PI_8,
        "LN_2" => consts::LN_2,
        "LN_10" => consts::LN_10,
        "LOG2_E" => consts::LOG2_E,
        "LOG10_E" => consts::LOG10_E,
        "LOG2_10" => consts::LOG2_10,
        "LOG10_2" => consts::LOG10_2,
        _ => return None,
    };
    // An `f32` constant is the `f64` one rounded, as the user's function sees it.
    Some(if float == "f32" { f64::from(value as f32) } else { value })
}
