use backprop_core::*;
fn fd<A: Activation<f64>>(name: &str, a: A) {
    let h = 1e-4;
    let mut worst: f64 = 0.0;
    let mut wz = 0.0;
    for i in 0..200 {
        let z = -6.0 + 12.0 * f64::from(i) / 199.0;
        if z.abs() < 1e-3 {
            continue;
        }
        let n = (a.apply(z + h) - a.apply(z - h)) / (2.0 * h);
        let d = a.derivative(z);
        let r = (n - d).abs() / n.abs().max(d.abs());
        if r > worst {
            worst = r;
            wz = z;
        }
    }
    println!("{name}: worst fd rel {worst:e} at {wz}");
}
fn f32c<A: Activation<f64> + Activation<f32>>(name: &str, a: A) {
    let mut worst: f64 = 0.0;
    for z in [-3.0_f32, -0.7, 0.2, 1.1, 2.5] {
        let v32 = f64::from(Activation::<f32>::apply(&a, z));
        let v64 = Activation::<f64>::apply(&a, f64::from(z));
        let d32 = f64::from(Activation::<f32>::derivative(&a, z));
        let d64 = Activation::<f64>::derivative(&a, f64::from(z));
        worst = worst.max((v32 - v64).abs() / v64.abs()).max((d32 - d64).abs() / d64.abs());
    }
    println!("{name}: worst f32 rel {worst:e}");
}
#[test]
fn scratch() {
    fd("sigmoid", Sigmoid);
    fd("tanh", Tanh);
    fd("leaky", LeakyRelu::default());
    fd("elu", Elu::default());
    fd("softplus", Softplus);
    fd("gelu", Gelu);
    fd("silu", Silu);
    f32c("sigmoid", Sigmoid);
    f32c("tanh", Tanh);
    f32c("leaky", LeakyRelu::default());
    f32c("elu", Elu::default());
    f32c("softplus", Softplus);
    f32c("gelu", Gelu);
    f32c("silu", Silu);
    for z in [9.0f32, 10.0, 10.5, 11.0, 12.0] {
        println!("f32 gelu' {z}: {:e} ds0? {}", Gelu.derivative(z), Sigmoid.derivative(Gelu.apply(z)));
    }
}
