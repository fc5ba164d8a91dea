//! The network's circuit of gates as Graphviz DOT, as in the paper's figures 1 and 2.

use std::fmt::Write as _;

use super::{Description, superscript};

impl Description {
    /// The circuit as a Graphviz digraph: per layer a matrix-product gate (×, fed by W^l), an
    /// add gate (+, fed by b^l) and the σ^l gate, then the cost; forward wires in green with the
    /// values and their sizes, the backward path in red with the gradients and the equations'
    /// numbers, as in the paper's figures 1 and 2.
    pub fn circuit_dot(&self) -> String {
        const GREEN: &str = "color=\"#1a7f37\", fontcolor=\"#1a7f37\"";
        const RED: &str = "color=\"#cf222e\", fontcolor=\"#cf222e\", style=dashed, dir=back";
        let last = self.last();
        let mut dot = String::new();
        let _ = writeln!(dot, "digraph \"{}\" {{", self.name);
        let _ = writeln!(
            dot,
            "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, nodesep=0.5, ranksep=0.6,\n         label=\"{}\\nforward: values and sizes (green); backward: gradients (red, dashed), with the numbers of equations (1)–(4)\"];",
            self.header()
        );
        dot.push_str(
            "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        let _ = writeln!(dot, "  x [shape=plaintext, label=\"a⁰ = x\\n{}\"];", self.input);
        // The wire into layer l's product gate: a^(l−1), from x or from the σ (or add) gate below.
        let mut below = ("x".to_owned(), format!("a⁰ [{}]", self.input));
        for (i, layer) in self.layers.iter().enumerate() {
            let l = i + 1;
            let (s, p) = (superscript(l), superscript(i));
            let (out, inp) = (&layer.outputs, &layer.inputs);
            let _ = writeln!(dot, "  subgraph cluster_{l} {{");
            let _ = writeln!(dot, "    label=\"{} (level {l})\"; style=rounded; color=gray60;", layer.name);
            let _ = writeln!(dot, "    W{l} [shape=box, label=\"W{s}\\n{out}×{inp}\"];");
            let _ = writeln!(dot, "    b{l} [shape=box, label=\"b{s}\\n{out}\"];");
            let _ = writeln!(dot, "    mul{l} [shape=circle, label=\"×\"];");
            let _ = writeln!(dot, "    add{l} [shape=circle, label=\"+\"];");
            if let Some(sigma) = &layer.sigma {
                let _ = writeln!(dot, "    act{l} [shape=ellipse, label=\"σ{s}\\n{sigma}\"];");
            }
            dot.push_str("  }\n");
            let (from, value) = &below;
            let _ = writeln!(dot, "  {from} -> mul{l} [label=\"{value}\", {GREEN}];");
            let _ = writeln!(dot, "  W{l} -> mul{l} [{GREEN}];");
            let _ = writeln!(dot, "  mul{l} -> add{l} [label=\"W{s}a{p} [{out}]\", {GREEN}];");
            let _ = writeln!(dot, "  b{l} -> add{l} [{GREEN}];");
            if layer.sigma.is_some() {
                let _ = writeln!(dot, "  add{l} -> act{l} [label=\"z{s} [{out}]\", {GREEN}];");
            }
            // Backward: equations (3) and (4) at this layer's parameters, δ^l through the add gate,
            // and (W^l)ᵀ δ^l back to the layer below (not to the input, which needs none).
            let _ = writeln!(dot, "  W{l} -> mul{l} [label=\"∂C/∂W{s} = δ{s}(a{p})ᵀ  (3)\", {RED}];");
            let _ = writeln!(dot, "  b{l} -> add{l} [label=\"∂C/∂b{s} = δ{s}  (4)\", {RED}];");
            let _ = writeln!(dot, "  mul{l} -> add{l} [label=\"δ{s} [{out}]\", {RED}];");
            if l > 1 {
                let _ = writeln!(dot, "  {from} -> mul{l} [label=\"(W{s})ᵀδ{s} [{inp}]\", {RED}];");
            }
            if l < last {
                let below_layer = match layer.sigma {
                    Some(_) => format!("act{l}"),
                    None => format!("add{l}"),
                };
                if let Some(sigma) = &layer.sigma {
                    let next = superscript(l + 1);
                    let _ = writeln!(
                        dot,
                        "  add{l} -> act{l} [label=\"δ{s} = {sigma}'(z{s}) ⊙ (W{next})ᵀδ{next}  (2)\", {RED}];"
                    );
                }
                let value = match layer.sigma {
                    Some(_) => format!("a{s} [{out}]"),
                    None => format!("a{s} = z{s} [{out}]"),
                };
                below = (below_layer, value);
            }
        }
        // The cost, fed by the output and the target.
        let s = superscript(last);
        let outputs = self.layers.last().map_or_else(String::new, |l| l.outputs.to_string());
        let (_, out_j, _) = self.output_symbols();
        let _ = writeln!(
            dot,
            "  cost [shape=box, style=rounded, peripheries=2, label=\"{}\"];",
            self.cost.dot_label(&out_j)
        );
        let _ = writeln!(dot, "  y [shape=plaintext, label=\"y\\n{outputs}\"];");
        let _ = writeln!(dot, "  y -> cost [{GREEN}];");
        match self.layers.last().and_then(|l| l.sigma.as_ref()) {
            Some(sigma) => {
                let _ = writeln!(dot, "  act{last} -> cost [label=\"a{s} [{outputs}]\", {GREEN}];");
                let _ = writeln!(dot, "  act{last} -> cost [label=\"∂C/∂a{s}\", {RED}];");
                let _ = writeln!(
                    dot,
                    "  add{last} -> act{last} [label=\"δ{s} = ∂C/∂a{s} ⊙ {sigma}'(z{s})  (1)\", {RED}];"
                );
            }
            None => {
                let _ = writeln!(dot, "  add{last} -> cost [label=\"z{s} [{outputs}]\", {GREEN}];");
                let _ = writeln!(dot, "  add{last} -> cost [label=\"δ{s} = ∂C/∂z{s}  (1)\", {RED}];");
            }
        }
        dot.push_str("}\n");
        dot
    }
}
