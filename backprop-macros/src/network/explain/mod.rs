//! What a generated network shows of itself, written out at compile time: its forward and
//! backward passes as the paper's equations (1)–(4), instantiated for its layers, as text and
//! as LaTeX, and its circuit of gates (the paper's figures 1 and 2) as Graphviz DOT.
//!
//! Everything here is plain string building from the network's description; `expand` emits the
//! results as string literals, so `equations()` and its relatives return `&'static str`s and the
//! same text documents the generated type.
//!
//! σ is named after the type written for it, in snake case (`Relu` is `relu`, `LeakyRelu` is
//! `leaky_relu`, an `#[activation] fn swish` is `swish`). The built-in costs are known by their
//! names, so that δ^L appears with its formula (`softmax(z³) − y`); any other cost appears as
//! ∂C/∂z^L. Of another cost the macro cannot know whether it is a `#[cost]`, a sum over the
//! outputs of a function c(z, y) whose formulas its `Cost::FORMULAS` gives: for such costs it
//! also writes the text with C = Σⱼ c(zⱼ, yⱼ) and δ^L = c'(z^L, y), and slots ([`SLOTS`]) where
//! c and c' go, which the generated code fills from the cost's type when the program compiles.
//!
//! The text of `equations()` is written here; `latex` writes the LaTeX, `circuit` the DOT.

mod circuit;
mod latex;

use std::fmt::Write as _;

use syn::Type;

use crate::network::ast::Dim;

/// A network as the explanations see it: names, sizes, σ and the cost.
pub struct Description {
    pub name: String,
    pub input: Dim,
    pub layers: Vec<LayerDescription>,
    pub cost: CostKind,
}

/// One layer, level l of the paper.
#[derive(Clone)]
pub struct LayerDescription {
    pub name: String,
    pub inputs: Dim,
    pub outputs: Dim,
    /// σ's name (`relu`), or `None` when the layer declares no activation.
    pub sigma: Option<String>,
}

/// The cost, as far as its formula is known.
pub enum CostKind {
    SoftmaxCrossEntropy,
    Mse,
    BinaryCrossEntropy,
    MulticlassHinge,
    /// A cost of the user's own, by the name written for it.
    Other(String),
    /// A cost of the user's own whose formulas its type gives (`#[cost]`): C = Σⱼ c(zⱼ, yⱼ),
    /// with c and c' in slots.
    PerOutput(String),
}

/// The slots of a [`CostKind::PerOutput`] cost's formulas in the text: c and c' as text, then
/// as LaTeX. Characters of Unicode's private use area, which no other part of the text has.
pub const SLOTS: [char; 4] = ['\u{E000}', '\u{E001}', '\u{E002}', '\u{E003}'];

/// The `i`th of [`SLOTS`].
fn slot(i: usize) -> char {
    SLOTS.get(i).copied().unwrap_or('?')
}

impl CostKind {
    /// The cost named by `ty`'s last path segment.
    pub fn of(ty: &Type) -> Self {
        match last_segment(ty).as_deref() {
            Some("SoftmaxCrossEntropy") => CostKind::SoftmaxCrossEntropy,
            Some("Mse") => CostKind::Mse,
            Some("BinaryCrossEntropy") => CostKind::BinaryCrossEntropy,
            Some("MulticlassHinge") => CostKind::MulticlassHinge,
            _ => CostKind::Other(written(ty)),
        }
    }

    /// The per-output reading of a cost of the user's own, if this is one.
    pub fn per_output(&self) -> Option<Self> {
        match self {
            CostKind::Other(name) => Some(CostKind::PerOutput(name.clone())),
            _ => None,
        }
    }

    fn name(&self) -> &str {
        match self {
            CostKind::SoftmaxCrossEntropy => "SoftmaxCrossEntropy",
            CostKind::Mse => "Mse",
            CostKind::BinaryCrossEntropy => "BinaryCrossEntropy",
            CostKind::MulticlassHinge => "MulticlassHinge",
            CostKind::Other(name) | CostKind::PerOutput(name) => name,
        }
    }

    /// C of one sample whose output is `out` (`z³`), and its components `out_j` (`z³ⱼ`).
    fn text(&self, out: &str, out_j: &str, out_y: &str) -> String {
        match self {
            CostKind::SoftmaxCrossEntropy => format!("C = −Σⱼ yⱼ log softmax({out})ⱼ"),
            CostKind::Mse => format!("C = ½ ‖{out} − y‖²"),
            CostKind::BinaryCrossEntropy => format!("C = Σⱼ softplus({out_j}) − yⱼ {out_j}"),
            CostKind::MulticlassHinge => format!("C = Σⱼ≠y max(0, {out_j} − {out_y} + 1)"),
            CostKind::Other(name) => format!("C = {name}({out}, y)"),
            CostKind::PerOutput(_) => format!("C = Σⱼ c({out_j}, yⱼ)"),
        }
    }

    /// ∂C/∂out, when the formula is known.
    fn gradient_text(&self, out: &str, out_j: &str, out_y: &str) -> Option<String> {
        match self {
            CostKind::SoftmaxCrossEntropy => Some(format!("softmax({out}) − y")),
            CostKind::Mse => Some(format!("{out} − y")),
            CostKind::BinaryCrossEntropy => Some(format!("sigmoid({out}) − y")),
            CostKind::MulticlassHinge => Some(format!("Σⱼ≠y 1[{out_j} − {out_y} + 1 > 0] (eⱼ − e_y)")),
            CostKind::Other(_) => None,
            CostKind::PerOutput(_) => Some(format!("c'({out}, y)")),
        }
    }

    /// Whether the gradient's formula is a call, `c'(a³, y)`, which needs no parentheses.
    pub(super) fn gradient_is_a_call(&self) -> bool {
        matches!(self, CostKind::PerOutput(_))
    }

    /// The closing lines of the text: c and c', when the cost is a sum of them.
    fn text_formulas(&self) -> Option<String> {
        match self {
            CostKind::PerOutput(name) => Some(format!(
                "\nCost {name}: c of one output (`#[cost]`), and c' its derivative in the output\n  {}\n  {}\n",
                slot(0),
                slot(1)
            )),
            _ => None,
        }
    }

    fn latex(&self, out: &str) -> String {
        match self {
            CostKind::SoftmaxCrossEntropy => format!(r"-\sum_j y_j \log \operatorname{{softmax}}({out})_j"),
            CostKind::Mse => format!(r"\tfrac{{1}}{{2}} \lVert {out} - y \rVert^2"),
            CostKind::BinaryCrossEntropy => {
                format!(r"\sum_j \operatorname{{softplus}}({out}_j) - y_j {out}_j")
            }
            CostKind::MulticlassHinge => format!(r"\sum_{{j \ne y}} \max(0,\ {out}_j - {out}_y + 1)"),
            CostKind::Other(name) => format!(r"\text{{{}}}({out}, y)", latex_text(name)),
            CostKind::PerOutput(_) => format!(r"\textstyle\sum_j c({out}_j, y_j)"),
        }
    }

    fn gradient_latex(&self, out: &str) -> Option<String> {
        match self {
            CostKind::SoftmaxCrossEntropy => Some(format!(r"\operatorname{{softmax}}({out}) - y")),
            CostKind::Mse => Some(format!("{out} - y")),
            CostKind::BinaryCrossEntropy => Some(format!(r"\operatorname{{sigmoid}}({out}) - y")),
            CostKind::MulticlassHinge => Some(format!(
                r"\textstyle\sum_{{j \ne y}} \mathbf{{1}}[{out}_j - {out}_y + 1 > 0]\,(e_j - e_y)"
            )),
            CostKind::Other(_) => None,
            CostKind::PerOutput(_) => Some(format!("c'({out}, y)")),
        }
    }

    /// The closing rows of the LaTeX: c and c', when the cost is a sum of them.
    fn latex_formulas(&self) -> Option<String> {
        match self {
            CostKind::PerOutput(_) => Some(format!("{} \\\\\n{}", slot(2), slot(3))),
            _ => None,
        }
    }

    /// The cost's box in the circuit: its name, or C = Σⱼ c(zⱼ, yⱼ) with c and c'.
    fn dot_label(&self, out_j: &str) -> String {
        match self {
            CostKind::PerOutput(name) => {
                format!("C = Σⱼ c({out_j}, yⱼ)   ({name})\\n\\n{}{}", slot(0), slot(1))
            }
            _ => format!("C\\n{}", self.name()),
        }
    }
}

/// σ's name for an activation type: its last path segment in snake case, or `σ` for a type
/// that is not a path.
pub fn sigma_name(ty: &Type) -> String {
    last_segment(ty).map_or_else(|| "σ".to_owned(), |s| snake_case(&s))
}

/// The last segment of a path type, without generic arguments or `r#`.
fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|s| s.ident.to_string().trim_start_matches("r#").to_owned())
        }
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// A type as written, without the spaces the token printer puts in.
fn written(ty: &Type) -> String {
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// `LeakyRelu` → `leaky_relu`, `GELU` → `gelu`, `HTTPServer` → `http_server`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let before = chars[i - 1];
            let after = chars.get(i + 1).copied();
            let boundary = before.is_lowercase()
                || before.is_ascii_digit()
                || (before.is_uppercase() && after.is_some_and(char::is_lowercase));
            if boundary && before != '_' {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `n` in superscript digits: 12 → `¹²`.
pub fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string().chars().map(|d| d.to_digit(10).map_or(d, |d| DIGITS[d as usize])).collect()
}

/// Text for LaTeX's `\text{}` and `\operatorname{}`: underscores escaped.
fn latex_text(s: &str) -> String {
    s.replace('_', r"\_")
}

/// Lines of three columns (a label, an equation, a note), aligned: the notes line up after the
/// longest equation that has one.
#[derive(Default)]
struct Block {
    rows: Vec<(String, String, String)>,
}

impl Block {
    fn row(&mut self, label: impl Into<String>, equation: impl Into<String>, note: impl Into<String>) {
        self.rows.push((label.into(), equation.into(), note.into()));
    }

    fn write(&self, out: &mut String) {
        let width =
            |rows: &mut dyn Iterator<Item = &String>| rows.map(|s| s.chars().count()).max().unwrap_or(0);
        let label_width = width(&mut self.rows.iter().map(|r| &r.0));
        let equation_width = width(&mut self.rows.iter().filter(|r| !r.2.is_empty()).map(|r| &r.1));
        for (label, equation, note) in &self.rows {
            let mut line = format!("  {}  {}", pad(label, label_width), pad(equation, equation_width));
            if !note.is_empty() {
                line.push_str("   ");
                line.push_str(note);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

fn pad(s: &str, width: usize) -> String {
    let mut s = s.to_owned();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(s.chars().count())));
    s
}

impl Description {
    /// The same network read with its cost as a sum over outputs with c and c' in slots, if
    /// its cost is the user's own.
    pub fn per_output(&self) -> Option<Description> {
        Some(Description {
            name: self.name.clone(),
            input: self.input.clone(),
            layers: self.layers.iter().map(LayerDescription::clone).collect(),
            cost: self.cost.per_output()?,
        })
    }

    fn last(&self) -> usize {
        self.layers.len()
    }

    /// The header line: `Fashion: 784 inputs → hidden1: 128 relu → … → logits: 10, cost …`.
    fn header(&self) -> String {
        let mut line = format!("{}: {} inputs", self.name, self.input);
        for layer in &self.layers {
            let _ = write!(line, " → {}: {}", layer.name, layer.outputs);
            if let Some(sigma) = &layer.sigma {
                let _ = write!(line, " {sigma}");
            }
        }
        let _ = write!(line, ", cost {}", self.cost.name());
        line
    }

    /// The equations of the forward and backward passes, in the paper's notation.
    pub fn equations(&self) -> String {
        let mut out = self.header();
        out.push_str(
            "\nFor one sample x with target y: a⁰ = x, and ⊙ is the elementwise product.\n\
             For a batch, C and its gradients are the means over its samples.\n\nForward pass\n",
        );
        let last = self.last();
        let mut forward = Block::default();
        for (i, layer) in self.layers.iter().enumerate() {
            let l = i + 1;
            let (s, p) = (superscript(l), superscript(i));
            forward.row(
                layer.name.clone(),
                format!("z{s} = W{s} a{p} + b{s}"),
                format!("(W{s}: {}×{}, b{s}: {})", layer.outputs, layer.inputs, layer.outputs),
            );
            match &layer.sigma {
                Some(sigma) => forward.row("", format!("a{s} = {sigma}(z{s})"), ""),
                None if l < last => forward.row("", format!("a{s} = z{s}"), ""),
                None => {}
            }
        }
        let (out_var, out_j, out_y) = self.output_symbols();
        forward.row("cost", self.cost.text(&out_var, &out_j, &out_y), "");
        forward.write(&mut out);

        out.push_str("\nBackward pass\n");
        let mut backward = Block::default();
        for (i, layer) in self.layers.iter().enumerate().rev() {
            let l = i + 1;
            let (s, p) = (superscript(l), superscript(i));
            let delta = if l == last {
                let gradient = self.cost.gradient_text(&out_var, &out_j, &out_y);
                match (&layer.sigma, gradient) {
                    (None, Some(g)) => format!("δ{s} = ∂C/∂z{s} = {g}"),
                    (None, None) => format!("δ{s} = ∂C/∂z{s}"),
                    (Some(sigma), Some(g)) => {
                        let g = if self.cost.gradient_is_a_call() { g } else { format!("({g})") };
                        format!("δ{s} = ∂C/∂a{s} ⊙ {sigma}'(z{s}) = {g} ⊙ {sigma}'(z{s})")
                    }
                    (Some(sigma), None) => format!("δ{s} = ∂C/∂a{s} ⊙ {sigma}'(z{s})"),
                }
            } else {
                let next = superscript(l + 1);
                match &layer.sigma {
                    Some(sigma) => format!("δ{s} = {sigma}'(z{s}) ⊙ (W{next})ᵀ δ{next}"),
                    None => format!("δ{s} = (W{next})ᵀ δ{next}"),
                }
            };
            let number = if l == last { "(1)" } else { "(2)" };
            backward.row(layer.name.clone(), delta, number);
            backward.row("", format!("∂C/∂W{s} = δ{s} (a{p})ᵀ"), "(3)");
            backward.row("", format!("∂C/∂b{s} = δ{s}"), "(4)");
        }
        backward.write(&mut out);
        if let Some(formulas) = self.cost.text_formulas() {
            out.push_str(&formulas);
        }
        out
    }

    /// The symbols of what the cost is taken of: z^L, or a^L when the last layer has σ.
    fn output_symbols(&self) -> (String, String, String) {
        let last = self.last();
        let s = superscript(last);
        let var = match self.layers.last().and_then(|l| l.sigma.as_ref()) {
            Some(_) => "a",
            None => "z",
        };
        (format!("{var}{s}"), format!("{var}{s}ⱼ"), format!("{var}{s}_y"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        assert_eq!(snake_case("Relu"), "relu");
        assert_eq!(snake_case("LeakyRelu"), "leaky_relu");
        assert_eq!(snake_case("GELU"), "gelu");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("Swish2Fast"), "swish2_fast");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn superscripts_of_several_digits() {
        assert_eq!(superscript(0), "⁰");
        assert_eq!(superscript(12), "¹²");
        assert_eq!(superscript(3), "³");
    }

    #[test]
    fn sigma_names_from_paths() {
        let ty: Type = syn::parse_quote!(::backprop::LeakyRelu);
        assert_eq!(sigma_name(&ty), "leaky_relu");
        let ty: Type = syn::parse_quote!(my::Act<3>);
        assert_eq!(sigma_name(&ty), "act");
        let ty: Type = syn::parse_quote!(&'static str);
        assert_eq!(sigma_name(&ty), "σ");
    }
}
