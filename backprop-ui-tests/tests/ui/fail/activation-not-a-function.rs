use backprop::prelude::*;

#[activation]
struct Swish;

fn main() {}
