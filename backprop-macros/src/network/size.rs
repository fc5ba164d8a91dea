//! Layer sizes as written: integer literals, and arithmetic on them (`28 * 28`), which the macro
//! evaluates itself so that its errors can say which numbers do not fit.

use syn::{BinOp, Expr, Lit};

/// Why a size expression has no value the macro can compute.
#[derive(Debug, PartialEq, Eq)]
pub enum NoValue {
    /// It is not made of integer literals and `+ - * / %` (a constant, a call, …).
    NotLiteral,
    /// Its arithmetic overflows `usize`, goes below zero or divides by zero.
    Overflow,
}

/// The value of `expr` if it is an integer literal, or `+`, `-`, `*`, `/`, `%` and parentheses
/// (or a block of one such expression, as const generic arguments are written) on integer
/// literals, computed in `usize` without overflow.
pub fn evaluate(expr: &Expr) -> Result<usize, NoValue> {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int) => int.base10_parse::<usize>().map_err(|_| NoValue::Overflow),
            _ => Err(NoValue::NotLiteral),
        },
        Expr::Paren(inner) => evaluate(&inner.expr),
        Expr::Group(inner) => evaluate(&inner.expr),
        Expr::Block(block) if block.attrs.is_empty() && block.label.is_none() => {
            match block.block.stmts.as_slice() {
                [syn::Stmt::Expr(inner, None)] => evaluate(inner),
                _ => Err(NoValue::NotLiteral),
            }
        }
        Expr::Binary(binary) => {
            let (left, right) = (evaluate(&binary.left), evaluate(&binary.right));
            let (left, right) = match (left, right) {
                (Ok(left), Ok(right)) => (left, right),
                (Err(NoValue::NotLiteral), _) | (_, Err(NoValue::NotLiteral)) => {
                    return Err(NoValue::NotLiteral);
                }
                _ => return Err(NoValue::Overflow),
            };
            let value = match binary.op {
                BinOp::Add(_) => left.checked_add(right),
                BinOp::Sub(_) => left.checked_sub(right),
                BinOp::Mul(_) => left.checked_mul(right),
                BinOp::Div(_) => left.checked_div(right),
                BinOp::Rem(_) => left.checked_rem(right),
                _ => return Err(NoValue::NotLiteral),
            };
            value.ok_or(NoValue::Overflow)
        }
        _ => Err(NoValue::NotLiteral),
    }
}

/// Whether `expr` can be a size the compiler computes: made of integer literals, paths (constants),
/// calls (of `const fn`s), and arithmetic, parentheses and blocks of these. A string, a float or a
/// closure cannot.
pub fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(lit) => matches!(lit.lit, Lit::Int(_)),
        Expr::Path(path) => path.qself.is_none(),
        Expr::Paren(inner) => is_constant(&inner.expr),
        Expr::Group(inner) => is_constant(&inner.expr),
        Expr::Unary(unary) => is_constant(&unary.expr),
        Expr::Binary(binary) => is_constant(&binary.left) && is_constant(&binary.right),
        Expr::Call(call) => is_constant(&call.func) && call.args.iter().all(is_constant),
        Expr::Block(block) => {
            matches!(block.block.stmts.as_slice(), [syn::Stmt::Expr(inner, None)] if is_constant(inner))
        }
        _ => false,
    }
}

/// Whether a path ends in a name written like a type's, `UpperCamelCase` (`Relu`), rather than
/// like a constant's (`N`, `HIDDEN`): in a size's place, most likely an activation without its
/// size.
pub fn looks_like_type(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|segment| {
        let name = segment.ident.to_string();
        name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> Result<usize, NoValue> {
        evaluate(&syn::parse_str(text).unwrap_or_else(|e| unreachable!("{e}")))
    }

    #[test]
    fn arithmetic_on_literals_is_evaluated() {
        assert_eq!(eval("784"), Ok(784));
        assert_eq!(eval("28 * 28"), Ok(784));
        assert_eq!(eval("(2 + 3) * 4 - 1"), Ok(19));
        assert_eq!(eval("{ 7 / 2 % 2 }"), Ok(1));
        assert_eq!(eval("0x10_usize"), Ok(16));
    }

    #[test]
    fn constants_and_calls_are_not_evaluated() {
        assert_eq!(eval("HIDDEN"), Err(NoValue::NotLiteral));
        assert_eq!(eval("2 * HIDDEN"), Err(NoValue::NotLiteral));
        assert_eq!(eval("size()"), Err(NoValue::NotLiteral));
        assert_eq!(eval("1 << 4"), Err(NoValue::NotLiteral));
    }

    #[test]
    fn constants_are_sizes_for_the_compiler_strings_and_floats_are_not() {
        let constant =
            |text: &str| is_constant(&syn::parse_str(text).unwrap_or_else(|e| unreachable!("{e}")));
        assert!(constant("HIDDEN"));
        assert!(constant("{ 2 * config::N + 1 }"));
        assert!(constant("size(4)"));
        assert!(!constant("\"784\""));
        assert!(!constant("8.0"));
        assert!(!constant("|| 3"));
    }

    #[test]
    fn overflow_is_no_value() {
        assert_eq!(eval("18446744073709551615 * 2"), Err(NoValue::Overflow));
        assert_eq!(eval("1 - 2"), Err(NoValue::Overflow));
        assert_eq!(eval("1 / 0"), Err(NoValue::Overflow));
        assert_eq!(eval("99999999999999999999999"), Err(NoValue::Overflow));
    }
}
