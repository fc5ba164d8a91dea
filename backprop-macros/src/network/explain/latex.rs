//! The network's equations as LaTeX.

use super::{Description, latex_text};

impl Description {
    /// The same equations as LaTeX: one `aligned` environment, which KaTeX and MathJax render.
    pub fn equations_latex(&self) -> String {
        let last = self.last();
        let sup = |l: usize| format!("^{{{l}}}");
        let mut lines = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            let l = i + 1;
            let (s, p) = (sup(l), sup(i));
            lines.push(format!(
                r"z{s} &= W{s} a{p} + b{s} && W{s} \in \mathbb{{R}}^{{{} \times {}}},\ b{s} \in \mathbb{{R}}^{{{}}} \quad \text{{({})}}",
                layer.outputs,
                layer.inputs,
                layer.outputs,
                latex_text(&layer.name)
            ));
            match &layer.sigma {
                Some(sigma) => lines.push(format!(r"a{s} &= \operatorname{{{}}}(z{s})", latex_text(sigma))),
                None if l < last => lines.push(format!("a{s} &= z{s}")),
                None => {}
            }
        }
        let out_var = match self.layers.last().and_then(|l| l.sigma.as_ref()) {
            Some(_) => format!("a{}", sup(last)),
            None => format!("z{}", sup(last)),
        };
        lines.push(format!("C &= {}", self.cost.latex(&out_var)));
        for (i, layer) in self.layers.iter().enumerate().rev() {
            let l = i + 1;
            let (s, p) = (sup(l), sup(i));
            let delta = if l == last {
                let gradient = self.cost.gradient_latex(&out_var);
                let partial = |v: &str| format!(r"\frac{{\partial C}}{{\partial {v}}}");
                match (&layer.sigma, gradient) {
                    (None, Some(g)) => format!(r"\delta{s} &= {} = {g} && (1)", partial(&out_var)),
                    (None, None) => format!(r"\delta{s} &= {} && (1)", partial(&out_var)),
                    (Some(sigma), g) => {
                        let sigma = format!(r"\operatorname{{{}}}'(z{s})", latex_text(sigma));
                        let through = format!(r"{} \odot {sigma}", partial(&out_var));
                        match g {
                            Some(g) if self.cost.gradient_is_a_call() => {
                                format!(r"\delta{s} &= {through} = {g} \odot {sigma} && (1)")
                            }
                            Some(g) => format!(r"\delta{s} &= {through} = ({g}) \odot {sigma} && (1)"),
                            None => format!(r"\delta{s} &= {through} && (1)"),
                        }
                    }
                }
            } else {
                let next = sup(l + 1);
                let back = format!(r"(W{next})^{{\mathsf{{T}}}} \delta{next}");
                match &layer.sigma {
                    Some(sigma) => {
                        format!(
                            r"\delta{s} &= \operatorname{{{}}}'(z{s}) \odot {back} && (2)",
                            latex_text(sigma)
                        )
                    }
                    None => format!(r"\delta{s} &= {back} && (2)"),
                }
            };
            lines.push(delta);
            lines.push(format!(
                r"\frac{{\partial C}}{{\partial W{s}}} &= \delta{s} (a{p})^{{\mathsf{{T}}}} && (3)"
            ));
            lines.push(format!(r"\frac{{\partial C}}{{\partial b{s}}} &= \delta{s} && (4)"));
        }
        lines.extend(self.cost.latex_formulas());
        format!("\\begin{{aligned}}\n{}\n\\end{{aligned}}\n", lines.join(" \\\\\n"))
    }
}
