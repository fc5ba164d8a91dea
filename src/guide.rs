//! The guide: how to declare, train, save and run a network, chapter by chapter.
//!
//! Its chapters are the Markdown files of `docs/guide/` in the repository, included here so
//! that their examples run as documentation tests. Read them in this order:
//!
//! 1. [`declaring`]: what `network!` and `#[derive(Backprop)]` generate, targets, the built-in
//!    activations and costs, and the errors a mistake gets, at compile time and at run time;
//! 2. [`equations`]: what a network shows of itself (its equations, its circuit, the values of
//!    a pass) and the code generated for each of the equations (1)–(4);
//! 3. [`training`]: optimisers, schedules, [`Trainer`](crate::Trainer), failures and
//!    diagnostics;
//! 4. [`inference`]: `predict`, `classify`, `predict_one`, and binary classification;
//! 5. [`saving`]: weights as safetensors files that PyTorch reads and writes, and checkpoints;
//! 6. [`speed`]: the in-place passes, the fast paths and the choices for more cores;
//! 7. [`distributed`]: training across the processes of an MPI run;
//! 8. [`data`]: the IDX and CSV readers and the bundled data sets;
//! 9. [`activations`]: an activation or a cost written as a function, its derivative derived at
//!    compile time;
//! 10. [`examples`]: the examples of the repository, from the smallest.

#[doc = include_str!("../docs/guide/declaring.md")]
pub mod declaring {}

#[doc = include_str!("../docs/guide/equations.md")]
pub mod equations {}

#[doc = include_str!("../docs/guide/training.md")]
pub mod training {}

#[doc = include_str!("../docs/guide/inference.md")]
pub mod inference {}

#[doc = include_str!("../docs/guide/saving.md")]
pub mod saving {}

#[doc = include_str!("../docs/guide/speed.md")]
pub mod speed {}

#[doc = include_str!("../docs/guide/distributed.md")]
pub mod distributed {}

#[doc = include_str!("../docs/guide/data.md")]
pub mod data {}

#[doc = include_str!("../docs/guide/activations.md")]
pub mod activations {}

#[doc = include_str!("../docs/guide/examples.md")]
pub mod examples {}
