//! The integration tests, as one test binary: each file of `tests/` is a module of it. One binary
//! links the library and instantiates its generic code once, where one binary per file did it
//! seventeen times (BENCHMARKS.md, "Build time"). `cargo test --test integration pytorch` runs
//! one file's tests. The tests that count allocations install a global allocator, or count a whole
//! process's, so they stay binaries of their own: `no_allocation`, `no_allocation_threads`,
//! `readers` and `safetensors_mutation`.

#[path = "binary.rs"]
mod binary;
#[path = "busy.rs"]
mod busy;
#[path = "checkpoint.rs"]
mod checkpoint;
#[path = "column_targets.rs"]
mod column_targets;
#[path = "custom_activation.rs"]
mod custom_activation;
#[path = "custom_cost.rs"]
mod custom_cost;
#[path = "diagnostics.rs"]
mod diagnostics;
#[path = "errors.rs"]
mod errors;
#[path = "explain.rs"]
mod explain;
#[path = "fast_paths.rs"]
mod fast_paths;
#[path = "finite.rs"]
mod finite;
#[path = "fixed.rs"]
mod fixed;
#[path = "front_ends.rs"]
mod front_ends;
#[path = "gradients.rs"]
mod gradients;
#[path = "inference.rs"]
mod inference;
#[path = "no_panic.rs"]
mod no_panic;
#[path = "one_sample.rs"]
mod one_sample;
#[path = "optim.rs"]
mod optim;
#[path = "pytorch.rs"]
mod pytorch;
#[path = "reference_values.rs"]
mod reference_values;
#[path = "shards.rs"]
mod shards;
#[path = "standardized.rs"]
mod standardized;
#[path = "support/times.rs"]
mod times;
#[path = "train.rs"]
mod train;
#[path = "weights.rs"]
mod weights;
