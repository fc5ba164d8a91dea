//! Activation and cost names the macros reject themselves: other spellings of the built-in ones
//! (`ReLU`, `RELU`, `leaky_relu`, `MSE`, …) and softmax, which no element-wise activation can be.
//!
//! A proc macro cannot know whether any other name resolves in the user's scope: users define
//! activations with `#[activation]` (a `Swish`, say) and costs of their own. So only these names
//! are the macro's errors; any other name is left to the compiler, which reports a name that does
//! not resolve once, on the user's token, and one that is not an `Activation` or a `Cost` with
//! the traits' own messages.

use syn::{PathArguments, Type};

/// The built-in activations, as the prelude exports them.
pub const ACTIVATIONS: &[&str] =
    &["Identity", "Sigmoid", "Tanh", "Relu", "LeakyRelu", "Elu", "Softplus", "Gelu", "Silu"];

/// The built-in costs, as the prelude exports them.
pub const COSTS: &[&str] = &["Mse", "SoftmaxCrossEntropy", "BinaryCrossEntropy", "MulticlassHinge"];

/// Softmax under the names other libraries give it: a function of the whole output, part of
/// `SoftmaxCrossEntropy`, never an element-wise activation.
const SOFTMAX: &[&str] = &["softmax", "logsoftmax"];

/// What is wrong with a name written as an activation or a cost.
#[derive(Debug, PartialEq, Eq)]
pub enum Misnamed {
    /// Another spelling of this built-in name (case, underscores).
    Spelling(&'static str),
    /// Softmax or log-softmax.
    Softmax,
}

/// The last identifier of `ty` if it is a plain path (`ReLU`, `backprop::ReLU`), as written.
pub fn written_name(ty: &Type) -> Option<String> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    matches!(segment.arguments, PathArguments::None).then(|| segment.ident.to_string())
}

/// Whether `ty`, written where `builtins` are expected, is another spelling of one of them or
/// softmax. `None` for a built-in name itself and for any other name (the user's own type).
pub fn misnamed(ty: &Type, builtins: &[&'static str]) -> Option<Misnamed> {
    let name = written_name(ty)?;
    if builtins.contains(&name.as_str()) {
        return None;
    }
    let key = normalized(&name);
    if SOFTMAX.contains(&key.as_str()) {
        return Some(Misnamed::Softmax);
    }
    builtins.iter().find(|b| normalized(b) == key).map(|b| Misnamed::Spelling(b))
}

/// The name in lower case without underscores: `LeakyReLU`, `leaky_relu` and `LEAKYRELU` are
/// one name.
fn normalized(name: &str) -> String {
    name.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

/// `a`, `b` and `c` as a list in prose, each in backquotes.
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        syn::parse_str(text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn other_spellings_of_built_ins_are_misnamed() {
        for (written, builtin) in [
            ("ReLU", "Relu"),
            ("RELU", "Relu"),
            ("relu", "Relu"),
            ("LeakyReLU", "LeakyRelu"),
            ("leaky_relu", "LeakyRelu"),
            ("TanH", "Tanh"),
            ("GELU", "Gelu"),
            ("SiLU", "Silu"),
            ("backprop::ELU", "Elu"),
        ] {
            assert_eq!(misnamed(&ty(written), ACTIVATIONS), Some(Misnamed::Spelling(builtin)), "{written}");
        }
        assert_eq!(misnamed(&ty("MSE"), COSTS), Some(Misnamed::Spelling("Mse")));
        assert_eq!(
            misnamed(&ty("softmax_cross_entropy"), COSTS),
            Some(Misnamed::Spelling("SoftmaxCrossEntropy"))
        );
    }

    #[test]
    fn softmax_is_misnamed_as_activation_and_as_cost() {
        for written in ["Softmax", "SoftMax", "softmax", "LogSoftmax", "log_softmax"] {
            assert_eq!(misnamed(&ty(written), ACTIVATIONS), Some(Misnamed::Softmax), "{written}");
            assert_eq!(misnamed(&ty(written), COSTS), Some(Misnamed::Softmax), "{written}");
        }
    }

    #[test]
    fn built_ins_and_other_names_are_left_to_the_compiler() {
        for written in ["Relu", "backprop::LeakyRelu", "Swish", "Swsh", "Reul", "my::Act", "Act<f32>"] {
            assert_eq!(misnamed(&ty(written), ACTIVATIONS), None, "{written}");
        }
        assert_eq!(misnamed(&ty("Mse"), COSTS), None);
        assert_eq!(misnamed(&ty("Relu"), COSTS), None);
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(list(&["a"]), "`a`");
    }
}
