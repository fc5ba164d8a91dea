//! Performance policy a program may choose: how training uses the cores of one machine.
//!
//! Neither is needed for speed by default — the matrix products already run on rayon's threads
//! where they are large enough — and both keep results bit for bit independent of the number
//! of threads:
//!
//! - [`Shards`]: data parallelism inside one machine, a batch cut into shards of a fixed size
//!   whose gradients are summed in shard order, then one update;
//! - [`with_busy_workers`]: rayon's threads kept polling instead of sleeping while a training
//!   loop runs, so that small products can use the second core.
//!
//! Which one helps, and by how much, depends on the machine: BENCHMARKS.md has the figures
//! measured so far, with the CPUs they were measured on. Across machines, see
//! [`Trainer::mpi`](crate::train::Trainer) (the `mpi` feature).

mod shards;

pub use crate::linalg::with_busy_workers;
pub use shards::Shards;
