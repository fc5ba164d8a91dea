//! What a network shows of itself: `equations()` against text written by hand for two networks
//! (the README's, declared with `network!`, and one derived with an output activation),
//! `equations_latex()`, `circuit_dot()` (parsed by Graphviz when it is installed), and the
//! traces, which must equal `forward` and `backward` bit for bit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::process::{Command, Stdio};

use backprop::ndarray::{Array2, array};
use backprop::prelude::*;

network! {
    /// The README's network.
    #[derive(Clone, Debug)]
    pub struct Fashion<f32> {
        input: 784,
        hidden1: 128 => Relu,
        hidden2: 64 => Relu,
        logits: 10,
        cost: SoftmaxCrossEntropy,
    }
}

/// A derived network whose last layer has an activation: the cost is taken of a². (Mse, which
/// takes the output as it is: a cost on logits refuses an output activation.)
#[derive(Clone, Debug, Backprop)]
#[backprop(cost = Mse)]
pub struct Tagger {
    /// The hidden layer.
    pub embed: Dense<f64, 3, 5, LeakyRelu>,
    /// The output layer, with σ.
    pub out: Dense<f64, 5, 2, Sigmoid>,
}

network! {
    /// The xor example's network.
    pub struct Xor<f64> { input: 2, hidden: 4 => Tanh, out: 1, cost: Mse }
}

/// A cost of the user's own: its δ^L has no known formula.
#[derive(Clone, Copy, Debug, Default)]
pub struct Half;

impl Cost<f64> for Half {
    const NAME: &'static str = "Half";
    const CLASSIFICATION: bool = false;

    fn sample(
        &self,
        z: backprop::ndarray::ArrayView1<'_, f64>,
        target: &backprop::Target<'_, f64>,
        delta: Option<backprop::ndarray::ArrayViewMut1<'_, f64>>,
    ) -> f64 {
        if let Some(mut d) = delta {
            for (j, d) in d.iter_mut().enumerate() {
                *d = 0.5 * (z[j] - target.value(j));
            }
        }
        z.iter().enumerate().map(|(j, &z)| 0.25 * (z - target.value(j)).powi(2)).sum()
    }
}

network! {
    /// Three layers, the middle one without activation, and a cost of the user's own.
    pub struct Custom<f64> { input: 3, wide: 12 => Silu, linear: 6, out: 2, cost: Half }
}

/// The quantile of the pinball loss.
const TAU: f64 = 0.9;

/// The pinball loss of the `TAU`-quantile: a cost whose formulas `#[cost]` gives.
#[cost]
pub fn pinball(z: f64, y: f64) -> f64 {
    let r = y - z;
    if r > 0.0 { TAU * r } else { (TAU - 1.0) * r }
}

network! {
    /// A quantile regressor whose cost is taken of a² = sigmoid(z²).
    pub struct Quantile<f64> { input: 2, hidden: 3 => Tanh, out: 1 => Sigmoid, cost: Pinball }
}

#[test]
fn a_generated_cost_shows_its_formula_and_the_derivative_it_derived() {
    let expected = "\
Quantile: 2 inputs → hidden: 3 tanh → out: 1 sigmoid, cost Pinball
For one sample x with target y: a⁰ = x, and ⊙ is the elementwise product.
For a batch, C and its gradients are the means over its samples.

Forward pass
  hidden  z¹ = W¹ a⁰ + b¹   (W¹: 3×2, b¹: 3)
          a¹ = tanh(z¹)
  out     z² = W² a¹ + b²   (W²: 1×3, b²: 1)
          a² = sigmoid(z²)
  cost    C = Σⱼ c(a²ⱼ, yⱼ)

Backward pass
  out     δ² = ∂C/∂a² ⊙ sigmoid'(z²) = c'(a², y) ⊙ sigmoid'(z²)   (1)
          ∂C/∂W² = δ² (a¹)ᵀ                                       (3)
          ∂C/∂b² = δ²                                             (4)
  hidden  δ¹ = tanh'(z¹) ⊙ (W²)ᵀ δ²                               (2)
          ∂C/∂W¹ = δ¹ (a⁰)ᵀ                                       (3)
          ∂C/∂b¹ = δ¹                                             (4)

Cost Pinball: c of one output (`#[cost]`), and c' its derivative in the output
  c(z, y) = if u1 > 0 then u1 * TAU else u1 * (TAU - 1)
    where u1 = y - z
  ∂c/∂z   = if y - z > 0 then -TAU else 1 - TAU
";
    assert_eq!(Quantile::equations(), expected, "{}", Quantile::equations());
    // The cost's own constants are the lines shown.
    assert!(expected.contains(&format!(
        "  {}\n  {}\n",
        Pinball::FORMULA.replace('\n', "\n  "),
        Pinball::DERIVATIVE
    )));
    let latex = Quantile::equations_latex();
    for row in [
        r"C &= \textstyle\sum_j c(a^{2}_j, y_j) \\",
        r"\delta^{2} &= \frac{\partial C}{\partial a^{2}} \odot \operatorname{sigmoid}'(z^{2}) = c'(a^{2}, y) \odot \operatorname{sigmoid}'(z^{2}) && (1) \\",
        r"c(z, y) &= \begin{cases} u_{1} \cdot \mathrm{TAU} & \text{if } u_{1} > 0 \\ u_{1} \cdot \left(\mathrm{TAU} - 1\right) & \text{otherwise} \end{cases} \\",
        r"\text{where } u_{1} &= y - z \\",
        r"\frac{\partial c}{\partial z} &= \begin{cases} -\mathrm{TAU} & \text{if } y - z > 0 \\ 1 - \mathrm{TAU} & \text{otherwise} \end{cases}",
    ] {
        assert!(latex.lines().any(|line| line == row), "no {row} in\n{latex}");
    }
    assert!(latex.ends_with("\\end{aligned}\n"), "{latex}");
    // In the circuit, the cost's box: left-justified lines (`\l`), quotes and backslashes escaped.
    let dot = Quantile::circuit_dot();
    let label = r#"label="C = Σⱼ c(a²ⱼ, yⱼ)   (Pinball)\n\nc(z, y) = if u1 > 0 then u1 * TAU else u1 * (TAU - 1)\l  where u1 = y - z\l∂c/∂z   = if y - z > 0 then -TAU else 1 - TAU\l""#;
    assert!(dot.contains(label), "no {label} in\n{dot}");
    // A cost written by hand has no formulas: it is shown by its name.
    assert!(Custom::equations().contains("C = Half(z³, y)"), "{}", Custom::equations());
}

#[test]
fn the_readme_network_shows_the_papers_equations() {
    let expected = "\
Fashion: 784 inputs → hidden1: 128 relu → hidden2: 64 relu → logits: 10, cost SoftmaxCrossEntropy
For one sample x with target y: a⁰ = x, and ⊙ is the elementwise product.
For a batch, C and its gradients are the means over its samples.

Forward pass
  hidden1  z¹ = W¹ a⁰ + b¹   (W¹: 128×784, b¹: 128)
           a¹ = relu(z¹)
  hidden2  z² = W² a¹ + b²   (W²: 64×128, b²: 64)
           a² = relu(z²)
  logits   z³ = W³ a² + b³   (W³: 10×64, b³: 10)
  cost     C = −Σⱼ yⱼ log softmax(z³)ⱼ

Backward pass
  logits   δ³ = ∂C/∂z³ = softmax(z³) − y   (1)
           ∂C/∂W³ = δ³ (a²)ᵀ               (3)
           ∂C/∂b³ = δ³                     (4)
  hidden2  δ² = relu'(z²) ⊙ (W³)ᵀ δ³       (2)
           ∂C/∂W² = δ² (a¹)ᵀ               (3)
           ∂C/∂b² = δ²                     (4)
  hidden1  δ¹ = relu'(z¹) ⊙ (W²)ᵀ δ²       (2)
           ∂C/∂W¹ = δ¹ (a⁰)ᵀ               (3)
           ∂C/∂b¹ = δ¹                     (4)
";
    assert_eq!(Fashion::equations(), expected);
}

#[test]
fn an_output_activation_takes_the_cost_of_a_and_multiplies_by_its_derivative() {
    let expected = "\
Tagger: 3 inputs → embed: 5 leaky_relu → out: 2 sigmoid, cost Mse
For one sample x with target y: a⁰ = x, and ⊙ is the elementwise product.
For a batch, C and its gradients are the means over its samples.

Forward pass
  embed  z¹ = W¹ a⁰ + b¹   (W¹: 5×3, b¹: 5)
         a¹ = leaky_relu(z¹)
  out    z² = W² a¹ + b²   (W²: 2×5, b²: 2)
         a² = sigmoid(z²)
  cost   C = ½ ‖a² − y‖²

Backward pass
  out    δ² = ∂C/∂a² ⊙ sigmoid'(z²) = (a² − y) ⊙ sigmoid'(z²)   (1)
         ∂C/∂W² = δ² (a¹)ᵀ                                      (3)
         ∂C/∂b² = δ²                                            (4)
  embed  δ¹ = leaky_relu'(z¹) ⊙ (W²)ᵀ δ²                        (2)
         ∂C/∂W¹ = δ¹ (a⁰)ᵀ                                      (3)
         ∂C/∂b¹ = δ¹                                            (4)
";
    assert_eq!(Tagger::equations(), expected);
}

#[test]
fn a_layer_without_activation_and_a_cost_of_ones_own() {
    let text = Custom::equations();
    assert!(text.starts_with("Custom: 3 inputs → wide: 12 silu → linear: 6 → out: 2, cost Half\n"), "{text}");
    // A hidden layer without σ passes z on, and its δ has no σ' factor.
    assert!(text.contains("\n          a² = z²\n"), "{text}");
    assert!(text.contains("  linear  δ² = (W³)ᵀ δ³"), "{text}");
    assert!(text.contains("  wide    δ¹ = silu'(z¹) ⊙ (W²)ᵀ δ²"), "{text}");
    // A cost of one's own is named, and δ^L is what it is by definition.
    assert!(text.contains("  cost    C = Half(z³, y)\n"), "{text}");
    assert!(text.contains("  out     δ³ = ∂C/∂z³ "), "{text}");
    assert!(!text.contains("δ³ = ∂C/∂z³ ="), "{text}");
}

#[test]
fn the_equations_name_no_generated_local() {
    for text in [
        Fashion::equations(),
        Fashion::equations_latex(),
        Fashion::circuit_dot(),
        Tagger::equations(),
        Tagger::equations_latex(),
        Tagger::circuit_dot(),
    ] {
        assert!(!text.contains("__"), "{text}");
    }
}

#[test]
fn the_latex_has_every_equation_and_balanced_braces() {
    let latex = Fashion::equations_latex();
    assert!(latex.starts_with("\\begin{aligned}\n") && latex.ends_with("\\end{aligned}\n"), "{latex}");
    for line in [
        r"z^{1} &= W^{1} a^{0} + b^{1} && W^{1} \in \mathbb{R}^{128 \times 784},\ b^{1} \in \mathbb{R}^{128} \quad \text{(hidden1)} \\",
        r"a^{2} &= \operatorname{relu}(z^{2}) \\",
        r"C &= -\sum_j y_j \log \operatorname{softmax}(z^{3})_j \\",
        r"\delta^{3} &= \frac{\partial C}{\partial z^{3}} = \operatorname{softmax}(z^{3}) - y && (1) \\",
        r"\delta^{2} &= \operatorname{relu}'(z^{2}) \odot (W^{3})^{\mathsf{T}} \delta^{3} && (2) \\",
        r"\frac{\partial C}{\partial W^{1}} &= \delta^{1} (a^{0})^{\mathsf{T}} && (3) \\",
        r"\frac{\partial C}{\partial b^{1}} &= \delta^{1} && (4)",
    ] {
        assert!(latex.lines().any(|l| l == line), "missing {line:?} in\n{latex}");
    }
    for latex in [
        Fashion::equations_latex(),
        Tagger::equations_latex(),
        Custom::equations_latex(),
        Quantile::equations_latex(),
    ] {
        let mut depth = 0i32;
        for c in latex.chars() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            assert!(depth >= 0, "{latex}");
        }
        assert_eq!(depth, 0, "{latex}");
    }
    // Underscores of names are escaped.
    assert!(Tagger::equations_latex().contains(r"\operatorname{leaky\_relu}'(z^{1})"));
}

/// The node names of a DOT graph as this crate writes it: `name [...]` lines, and the ends of
/// `a -> b [...]` lines.
fn dot_nodes_and_edges(dot: &str) -> (HashSet<&str>, Vec<(&str, &str)>) {
    let mut nodes = HashSet::new();
    let mut edges = Vec::new();
    for line in dot.lines().map(str::trim) {
        if let Some((ends, _)) = line.split_once(" [") {
            match ends.split_once(" -> ") {
                Some((a, b)) => edges.push((a, b)),
                None if !matches!(ends, "graph" | "node" | "edge") => {
                    nodes.insert(ends);
                }
                None => {}
            }
        }
    }
    (nodes, edges)
}

#[test]
fn the_circuit_has_every_gate_and_wire() {
    let dot = Xor::circuit_dot();
    assert!(dot.starts_with("digraph \"Xor\" {\n") && dot.ends_with("}\n"), "{dot}");
    let (nodes, edges) = dot_nodes_and_edges(dot);
    let expected_nodes = ["x", "W1", "b1", "mul1", "add1", "act1", "W2", "b2", "mul2", "add2", "cost", "y"];
    assert_eq!(nodes, expected_nodes.into_iter().collect(), "{dot}");
    for (a, b) in &edges {
        assert!(nodes.contains(a) && nodes.contains(b), "edge {a} -> {b} to an undeclared node in\n{dot}");
    }
    // The forward wires, each once in green, and the backward path in red along them.
    for wire in [
        ("x", "mul1"),
        ("W1", "mul1"),
        ("mul1", "add1"),
        ("b1", "add1"),
        ("add1", "act1"),
        ("act1", "mul2"),
        ("W2", "mul2"),
        ("mul2", "add2"),
        ("b2", "add2"),
        ("add2", "cost"),
        ("y", "cost"),
    ] {
        assert!(edges.contains(&wire), "no wire {wire:?} in\n{dot}");
    }
    for label in [
        "label=\"a⁰ [2]\"",
        "label=\"z¹ [4]\"",
        "label=\"a¹ [4]\"",
        "label=\"δ² = ∂C/∂z²  (1)\"",
        "label=\"δ¹ = tanh'(z¹) ⊙ (W²)ᵀδ²  (2)\"",
        "label=\"∂C/∂W¹ = δ¹(a⁰)ᵀ  (3)\"",
        "label=\"∂C/∂b² = δ²  (4)\"",
        "label=\"(W²)ᵀδ² [4]\"",
        "label=\"W¹\\n4×2\"",
        "label=\"σ¹\\ntanh\"",
    ] {
        assert!(dot.contains(label), "no {label} in\n{dot}");
    }
    // No gradient flows back into the input.
    assert!(!dot.lines().any(|l| l.trim_start().starts_with("x -> mul1") && l.contains("dir=back")), "{dot}");
}

/// Whether Graphviz's `dot` runs here.
fn graphviz() -> bool {
    Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn graphviz_draws_every_circuit() {
    if !graphviz() {
        // CI installs Graphviz and sets this, so that there the test cannot pass without it.
        assert!(
            std::env::var_os("BACKPROP_REQUIRE_GRAPHVIZ").is_none(),
            "BACKPROP_REQUIRE_GRAPHVIZ is set but Graphviz's `dot` does not run"
        );
        eprintln!("Graphviz's `dot` is not installed: the DOT files are not parsed (apt install graphviz)");
        return;
    }
    for dot in [
        Fashion::circuit_dot(),
        Tagger::circuit_dot(),
        Xor::circuit_dot(),
        Custom::circuit_dot(),
        Quantile::circuit_dot(),
    ] {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), dot.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && stderr.trim().is_empty(), "dot: {stderr}\n{dot}");
        let svg = String::from_utf8(output.stdout).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    }
}

fn batch(rows: usize, columns: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, columns), |(i, j)| ((i * columns + j) as f64 * 0.71).sin())
}

#[test]
fn the_forward_trace_is_the_forward_pass() -> Result<(), backprop::Error> {
    let net = Fashion::with_seed(3);
    let x = batch(5, 784).mapv(|v| v as f32);
    let trace = net.forward_trace(x.view())?;
    assert_eq!(
        trace.layers.iter().map(|l| (l.name, l.level)).collect::<Vec<_>>(),
        [("hidden1", 1), ("hidden2", 2), ("logits", 3)]
    );
    assert_eq!(trace.output(), Some(&net.forward(x.view())?));
    // Each layer's values are its equations applied to the layer below's.
    let hidden1 = trace.layer("hidden1").unwrap();
    assert_eq!(hidden1.z, net.hidden1.weighted_input(x.view()));
    assert_eq!(hidden1.a, hidden1.z.mapv(|z| z.max(0.0)));
    let hidden2 = trace.layer("hidden2").unwrap();
    assert_eq!(hidden2.z, net.hidden2.weighted_input(hidden1.a.view()));
    assert_eq!(trace.layer("logits").unwrap().a, trace.layer("logits").unwrap().z);
    assert!(trace.layer("nothing").is_none());
    Ok(())
}

#[test]
fn the_backward_trace_is_the_backward_pass() -> Result<(), backprop::Error> {
    let net = Tagger::with_seed(5);
    let x = batch(6, 3);
    let y = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [0.5, 0.5], [1.0, 0.0]];
    let trace = net.backward_trace(x.view(), &y)?;
    let (cost, gradients) = net.backward(x.view(), &y)?;
    assert_eq!(trace.cost, cost);
    assert_eq!(trace.layer("embed").unwrap().gradients, gradients.embed);
    assert_eq!(trace.layer("out").unwrap().gradients, gradients.out);
    // The trace is the training path's backward pass: the values `backward_in` leaves in its
    // workspace, bit for bit.
    let mut workspace = Tagger::workspace();
    assert_eq!(net.backward_in(x.view(), &y, &mut workspace)?, cost);
    for (layer, buffers) in trace.layers.iter().zip(workspace.layers()) {
        assert_eq!(
            (&layer.z, &layer.a, &layer.delta),
            (&buffers.z().to_owned(), &buffers.a().to_owned(), &buffers.delta().to_owned())
        );
    }
    assert_eq!(trace.layers[1].a, net.forward_in(x.view(), &mut Tagger::workspace())?);
    // Each value is the paper's equation applied to the others, up to rounding (the kernels
    // sum in their own order): a^L is the output of `forward`, δ of each layer gives its
    // gradients by (3) and (4), and δ¹ comes from δ² by (2).
    let close = |a: &Array2<f64>, b: &Array2<f64>| {
        a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-12 * (1.0 + b.abs()))
    };
    assert!(close(&trace.layers[1].a, &net.forward(x.view())?));
    for (layer, a_prev) in trace.layers.iter().zip([x.clone(), trace.layers[0].a.clone()]) {
        assert!(close(&layer.gradients.weight, &layer.delta.t().dot(&a_prev)));
        let bias = layer.delta.sum_axis(backprop::ndarray::Axis(0)).insert_axis(backprop::ndarray::Axis(0));
        assert!(close(
            &layer.gradients.bias.view().insert_axis(backprop::ndarray::Axis(0)).to_owned(),
            &bias
        ));
    }
    let (embed, out) = (&trace.layers[0], &trace.layers[1]);
    let back = out.delta.dot(&net.out.weight);
    let expected = Array2::from_shape_fn(back.dim(), |(i, j)| {
        net.embed.activation.derivative(embed.z[[i, j]]) * back[[i, j]]
    });
    assert!(close(&embed.delta, &expected));
    Ok(())
}

#[test]
fn traces_check_their_input_as_the_passes_do() {
    let net = Xor::with_seed(1);
    let wrong = Array2::<f64>::zeros((2, 3));
    assert!(matches!(
        net.forward_trace(wrong.view()),
        Err(backprop::Error::InputWidth { expected: 2, found: 3 })
    ));
    let nan = array![[0.0, f64::NAN]];
    assert!(matches!(net.forward_trace(nan.view()), Err(backprop::Error::NonFinite { .. })));
    let x = array![[0.0, 1.0]];
    assert!(net.backward_trace(x.view(), &array![[1.0], [0.0]]).is_err());
}

#[test]
fn traces_print_in_the_papers_names() -> Result<(), backprop::Error> {
    let net = Xor::with_seed(42);
    let x = array![[0.0, 1.0]];
    let forward = net.forward_trace(x.view())?.to_string();
    assert!(forward.starts_with("hidden (level 1)\n  z¹ = [["), "{forward}");
    assert!(forward.contains("\nout (level 2)\n  z² = [["), "{forward}");
    let backward = net.backward_trace(x.view(), &array![[1.0]])?.to_string();
    assert!(backward.starts_with("C = "), "{backward}");
    for name in ["δ²", "∂C/∂W²", "∂C/∂b²", "δ¹", "∂C/∂W¹", "∂C/∂b¹"] {
        assert!(backward.contains(&format!("  {name} = [[")), "{name} in {backward}");
    }
    Ok(())
}
