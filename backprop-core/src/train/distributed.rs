//! Data-parallel training across processes on MPI (the `mpi` feature): what
//! [`Trainer::mpi`](super::Trainer::mpi) turns on.
//!
//! Every process (rank) of the run holds the same network, optimiser and data. Each global
//! batch of B samples, drawn in the same shuffled order on every rank, is split into one
//! contiguous shard per rank, rank r taking the samples ⌊B·r/P⌋..⌊B·(r+1)/P⌋ of P ranks. A rank
//! computes the gradient of its shard of m_r samples, which is the mean (1/m_r) Σ_i ∂C_i/∂θ
//! because every cost averages over its batch (the crate's conventions), and scales it by
//! m_r/B; the sum of the scaled shard gradients over the ranks is then (1/B) Σ_i ∂C_i/∂θ, the
//! gradient of the whole batch. With two ranks and an even B, m_r/B = ½ and the scaling is
//! exact, so the result differs from one process's only in the order of the sums.
//!
//! The sum is taken in a fixed order, not by `MPI_Allreduce`, whose order the MPI standard
//! leaves to the implementation (and which may differ from run to run, or by message size):
//! every rank gathers every rank's buffer (`MPI_Allgather`) and adds them in rank order,
//! (…((g_0 + g_1) + g_2) + …) + g_{P−1}, so that every rank computes the same bits and takes the same
//! step, and a run is repeatable. The buffer of each rank is a status flag, its cost times
//! m_r, and every gradient tensor in [`Gradients::visit`] order.
//!
//! The evaluations after an epoch (the training accuracy, the validation set) are shared the
//! same way: each rank evaluates its contiguous share of the samples, and the sums of the cost,
//! of the decisions and of the right ones are gathered and added in rank order.
//!
//! A rank that fails (its data, its step) still takes part in the collective it would have
//! reached, with its status flag set; then every rank learns of the failure at the same step,
//! the failing ones' messages are gathered, and every rank returns an error: the failing rank
//! its own, the others [`Error::Distributed`] with its message. No rank is left waiting in a
//! collective.
//!
//! Before the first step the ranks compare everything that decides which collectives a rank
//! calls, or the result: whether it is `fit`, `resume` or `resume_or_fit`; the network (float type, cost,
//! layers with their sizes and activations); the training and validation data (their sizes and
//! fingerprints); the epochs, batch size, seed, initial learning rate, schedule, early
//! stopping, `training_accuracy`, `diagnostics`, `allow_schedule_change` and checkpoint
//! interval; the optimiser (its
//! [`Resumable::describe`](crate::Resumable::describe): kind, options, wrappers) and its state
//! (counters, and a fingerprint of its buffers). Only [`progress`](super::Trainer::progress),
//! the checkpoint's path and the [`on_epoch`](super::Trainer::on_epoch) hook, which only rank 0
//! uses, may differ. The comparison is two
//! collectives of fixed sizes, the same on every rank whatever the settings: every rank
//! contributes one 64-bit digest per setting, and only if one differs, which every rank sees
//! alike, every rank sends its value of the first setting that differs. Every rank then
//! returns the same [`Error::Distributed`], naming the first rank that differs, the setting,
//! and both values:
//!
//! ```text
//! process 1 of 2 in the MPI run: optimizer: process 0 has Adam(β₁ = 0.9, β₂ = 0.999, ε = 0.00000001),
//! process 1 has Sgd (every process must train the same network with the same options, optimiser state and data)
//! ```
//!
//! What it cannot see: a process that calls `fit` without [`Trainer::mpi`](super::Trainer::mpi)
//! trains alone and calls no collective, so the others wait for it in their first one; and a
//! schedule or optimiser of your own whose `Debug` or `describe` leaves out an option that
//! changes its results.

use std::ops::Range;

use mpi::collective::{CommunicatorCollectives, Root};
use mpi::environment::Universe;
use mpi::topology::{Communicator, SimpleCommunicator};

use ndarray::{ArrayView2, Axis, Slice};

use super::metrics::{Metrics, Sums, evaluation_sums};
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::parameters::Gradients;
use crate::targets::Targets;
use crate::workspace::Workspace;

/// The processes of an MPI run (`MPI_COMM_WORLD`) that train one network together: give it to
/// [`Trainer::mpi`](super::Trainer::mpi).
///
/// It is made from the [`Universe`] that `mpi::initialize()` returned, which must live while
/// the trainer trains: MPI is finalised when the universe is dropped, and a trainer given a
/// `Mpi` after that fails with [`Error::InvalidOption`]. The trainer calls MPI from the thread
/// that calls [`fit`](super::Trainer::fit) only, while the matrix products may run on rayon's
/// threads: initialise MPI with `mpi::initialize_with_threading(Threading::Funneled)` (or
/// `Serialized` if training runs on another thread than the one that initialised MPI), as
/// the example `fashion_mnist_mpi` does.
///
/// # When a process dies
///
/// A process that dies while training (killed, out of memory, its machine lost) ends the whole
/// run, and the others' [`fit`](super::Trainer::fit) never returns: no error, no history. This
/// is what happens with Open MPI 4.1 (Debian's), measured with a rank sending itself SIGKILL in
/// the middle of an epoch: the survivor's next collective fails inside Open MPI (`Read -1,
/// expected …, errno = 3`: its shared-memory transport reading from a process that is gone), and `mpirun` ends every other
/// process of the job (`mpirun noticed that process rank 1 … exited on signal 9`) within a few
/// seconds of the death (1 to 3 s measured); `mpirun` exits with 137.
///
/// The library cannot turn this into an error: that would need the communicator's error
/// handler set to `MPI_ERRORS_RETURN` (`MPI_Comm_set_errhandler`), which rsmpi 0.8 does not
/// expose (only through its raw bindings, and this crate forbids `unsafe` code), and rsmpi's
/// collectives discard the codes MPI returns; and Open MPI's runtime aborts the job when a
/// process ends abnormally whatever the handler (only its fault-tolerant ULFM build keeps
/// survivors running). What survives is on disk: with [`checkpoint`](super::Trainer::checkpoint),
/// rank 0's last checkpoint is whole (each is written atomically) unless rank 0 itself dies in
/// the middle of one, when the previous one is; start the job again and
/// [`resume`](super::Trainer::resume) from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mpi {
    rank: usize,
    size: usize,
}

impl Mpi {
    /// Every process of the run, from the universe `mpi::initialize()` returned.
    pub fn world(universe: &Universe) -> Self {
        let world = universe.world();
        Mpi {
            // MPI ranks and sizes are never negative (MPI 4.0, section 7.4.1).
            rank: usize::try_from(world.rank()).unwrap_or(0),
            size: usize::try_from(world.size()).unwrap_or(1).max(1),
        }
    }

    /// This process's rank, 0 to [`size`](Mpi::size) − 1.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The number of processes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether this is rank 0, the one that shows progress, writes checkpoints and whose
    /// initial weights every rank starts from.
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }
}

/// The bytes each process contributes to the sum of every step of a network `N`: its status,
/// its cost and every gradient, (2 + Σ_l (n_{l−1} + 1) n_l) · `size_of::<F>()`. With P processes
/// each receives P times as many (`MPI_Allgather`).
pub fn bytes_per_step<F: Float, N: Network<F>>() -> usize {
    (2 + parameters::<F, N>()) * core::mem::size_of::<F>()
}

/// The number of parameters of `N`: Σ_l (n_{l−1} + 1) n_l, weights and biases.
pub(crate) fn parameters<F: Float, N: Network<F>>() -> usize {
    N::LAYERS.iter().map(|l| (l.inputs + 1) * l.outputs).sum()
}

/// The length of a message sent between ranks (a failure, a setting that differs), in bytes;
/// longer ones are cut.
const MESSAGE: usize = 512;

/// The most settings [`Group::check_settings`] compares, each in its own slot of the digest
/// every rank contributes: room to spare over the trainer's 19.
pub(crate) const SETTINGS: usize = 32;

/// One setting that every rank of a run must share: its name and its value, as text.
pub(crate) type Setting = (&'static str, String);

/// The offset basis of 64-bit FNV-1a: the hash of nothing.
pub(crate) const FNV_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a of `bytes`, continuing from `hash` ([`FNV_BASIS`] to start).
pub(crate) fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Writes `text` into a message: a 1 (there is a message), then the text, cut at a character
/// boundary to fit, so that the receiver reads valid UTF-8, then zeros.
fn encode(text: &str, message: &mut [u8; MESSAGE]) {
    message.fill(0);
    message[0] = 1;
    let mut end = text.len().min(MESSAGE - 1);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    message[1..=end].copy_from_slice(&text.as_bytes()[..end]);
}

/// The text of a message that [`encode`] wrote.
fn decode(message: &[u8]) -> String {
    let text = message.get(1..).unwrap_or_default();
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    String::from_utf8_lossy(&text[..end]).into_owned()
}

/// The ranks of a run while it trains: the communicator and the buffers of the collectives,
/// reused from step to step.
pub(crate) struct Group<F> {
    world: SimpleCommunicator,
    rank: usize,
    size: usize,
    /// This rank's buffer: status, cost · m_r, then the scaled gradients.
    send: Vec<F>,
    /// Every rank's buffer, rank after rank.
    received: Vec<F>,
}

impl<F: Float> Group<F> {
    /// The group of `mpi`'s processes, with buffers for a network of `parameters` parameters;
    /// an error if MPI is not running (finalised, or never initialised).
    pub(crate) fn new(mpi: Mpi, parameters: usize) -> Result<Self, Error> {
        if !mpi::environment::is_initialized() || mpi::environment::is_finalized() {
            return Err(Error::InvalidOption {
                what: "the MPI run to train across",
                expected: "MPI initialised and not yet finalised (keep the universe of `mpi::initialize()` alive while training)",
                found: "MPI not running".to_owned(),
            });
        }
        let len = 2 + parameters;
        Ok(Group {
            world: SimpleCommunicator::world(),
            rank: mpi.rank,
            size: mpi.size,
            send: vec![F::zero(); len],
            received: vec![F::zero(); len * mpi.size],
        })
    }

    pub(crate) fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// The samples of a global batch of `batch` samples that this rank computes: a contiguous
    /// shard, ⌊batch·r/P⌋..⌊batch·(r+1)/P⌋, empty when the batch has fewer samples than ranks.
    pub(crate) fn shard(&self, batch: usize) -> Range<usize> {
        (batch * self.rank / self.size)..(batch * (self.rank + 1) / self.size)
    }

    /// Every rank's `local` outcome: `local` itself if every rank succeeded, otherwise an error
    /// on every rank (see [`fail`](Group::fail)). A collective: every rank must call it at the
    /// same point.
    pub(crate) fn agree<T>(&self, local: Result<T, Error>) -> Result<T, Error> {
        let flag = i32::from(local.is_err());
        let mut flags = vec![0i32; self.size];
        self.world.all_gather_into(&flag, &mut flags[..]);
        if flags.iter().all(|&f| f == 0) {
            return local;
        }
        Err(self.fail(local.err()))
    }

    /// Once every rank knows that some rank failed: gathers the messages of the failed ranks,
    /// and returns this rank's own error if it failed, otherwise [`Error::Distributed`] with
    /// the message of the first rank that did. A collective.
    pub(crate) fn fail(&self, local: Option<Error>) -> Error {
        let mut message = [0u8; MESSAGE];
        if let Some(error) = &local {
            encode(&error.to_string(), &mut message);
        }
        let mut messages = vec![0u8; MESSAGE * self.size];
        self.world.all_gather_into(&message[..], &mut messages[..]);
        if let Some(error) = local {
            return error;
        }
        let (rank, text) = messages
            .chunks(MESSAGE)
            .enumerate()
            .find(|(_, m)| m[0] == 1)
            .map(|(rank, m)| (rank, decode(m)))
            .unwrap_or((0, "failed".to_owned()));
        Error::Distributed { rank, size: self.size, message: text }
    }

    /// Checks that every rank has the same `settings` as rank 0: everything that decides
    /// which collectives a rank calls, and the result. A collective, the same two calls on
    /// every rank whatever the settings are, so that no rank enters one that another skips:
    ///
    /// 1. every rank contributes a fixed-size digest, one 64-bit FNV-1a of name and value per
    ///    setting (`MPI_Allgather` of [`SETTINGS`] numbers);
    /// 2. only if some digest differs from rank 0's, which every rank sees in the same gathered
    ///    digests, every rank contributes its name and value of the first setting that differs
    ///    (for the first rank that differs), cut to a fixed length (`MPI_Allgather` again).
    ///
    /// Then every rank returns the same [`Error::Distributed`]: `"<setting>: process 0 has
    /// <value>, process r has <value> (…)"`.
    pub(crate) fn check_settings(&self, settings: &[Setting]) -> Result<(), Error> {
        let mut digests = [0u64; SETTINGS];
        for (i, (name, value)) in settings.iter().enumerate() {
            // Never more than SETTINGS settings; any beyond would share the last slot.
            let slot = &mut digests[i.min(SETTINGS - 1)];
            *slot = fnv1a(fnv1a(fnv1a(*slot ^ FNV_BASIS, name.as_bytes()), &[0x1f]), value.as_bytes());
        }
        let mut all = vec![0u64; SETTINGS * self.size];
        self.world.all_gather_into(&digests[..], &mut all[..]);
        let root = &all[..SETTINGS];
        let Some((rank, slot)) = all
            .chunks(SETTINGS)
            .enumerate()
            .skip(1)
            .find_map(|(rank, other)| (0..SETTINGS).find(|&i| other[i] != root[i]).map(|i| (rank, i)))
        else {
            return Ok(());
        };
        let mine = settings.get(slot).map_or_else(
            || ("(no setting)".to_owned(), "none".to_owned()),
            |(name, value)| ((*name).to_owned(), value.clone()),
        );
        let mut message = [0u8; MESSAGE];
        encode(&format!("{}\u{1f}{}", mine.0, mine.1), &mut message);
        let mut messages = vec![0u8; MESSAGE * self.size];
        self.world.all_gather_into(&message[..], &mut messages[..]);
        let setting = |r: usize| {
            let text = messages.chunks(MESSAGE).nth(r).map(decode).unwrap_or_default();
            match text.split_once('\u{1f}') {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => (String::new(), text),
            }
        };
        let ((name, value), (other_name, other_value)) = (setting(0), setting(rank));
        let other = if other_name == name { other_value } else { format!("{other_name} = {other_value}") };
        Err(Error::Distributed {
            rank,
            size: self.size,
            message: format!(
                "{name}: process 0 has {value}, process {rank} has {other} (every process must train the same network with the same options, optimiser state and data)"
            ),
        })
    }

    /// The bytes `read` returns on rank 0 (or none: no file), on every rank (a collective): an
    /// error on every rank if reading fails there.
    pub(crate) fn bytes_from_root(
        &self,
        read: impl FnOnce() -> Result<Option<Vec<u8>>, Error>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let bytes = self.agree(if self.rank == 0 { read() } else { Ok(None) })?;
        // u64::MAX, which no length reaches, for none.
        let mut len = bytes.as_ref().map_or(u64::MAX, |b| b.len() as u64);
        let root = self.world.process_at_rank(0);
        root.broadcast_into(&mut len);
        if len == u64::MAX {
            return Ok(None);
        }
        let mut bytes = bytes.unwrap_or_default();
        bytes.resize(usize::try_from(len).unwrap_or(0), 0);
        if !bytes.is_empty() {
            root.broadcast_into(&mut bytes[..]);
        }
        Ok(Some(bytes))
    }

    /// What `decide` returns on rank 0, on every rank (a collective: a broadcast of one byte);
    /// the other ranks do not call it.
    pub(crate) fn decision_from_root(&self, decide: impl FnOnce() -> bool) -> bool {
        let mut decision = u8::from(self.rank == 0 && decide());
        self.world.process_at_rank(0).broadcast_into(&mut decision);
        decision != 0
    }

    /// Gives every rank rank 0's parameters. A collective.
    pub(crate) fn broadcast_parameters<N: Network<F>>(&mut self, net: &mut N) {
        let buffer = &mut self.send[2..];
        if self.rank == 0 {
            let mut values = buffer.iter_mut();
            net.visit_parameters(&mut |p| {
                // The layer's values first: zip takes from its first iterator first, and must
                // not take a slot of the buffer past the layer's end.
                for (&w, v) in p.weight.iter().chain(p.bias.iter()).zip(&mut values) {
                    *v = w;
                }
            });
        }
        self.world.process_at_rank(0).broadcast_into(&mut *buffer);
        if self.rank != 0 {
            let mut values = buffer.iter();
            net.visit_parameters_mut(&mut |p| {
                for (w, &v) in p.weight.into_iter().chain(p.bias).zip(&mut values) {
                    *w = v;
                }
            });
        }
    }

    /// Sums the gradients of a global batch of `batch` samples over the ranks, in rank order,
    /// into `workspace`'s gradients, and returns the cost of the batch. `local` is this rank's
    /// outcome of [`Network::backward_in`] on its shard of `shard` samples (which left the
    /// shard's mean gradient in `workspace`); a rank with an empty shard passes `Ok(0)`. A
    /// collective: if any rank failed, every rank returns an error (see [`fail`](Group::fail)).
    pub(crate) fn sum_gradients<G: Gradients<F>>(
        &mut self,
        local: Result<F, Error>,
        shard: usize,
        batch: usize,
        workspace: &mut Workspace<F, G>,
    ) -> Result<F, Error> {
        let len = self.send.len();
        let (status, rest) = self.send.split_at_mut(1);
        let (cost, gradients) = rest.split_at_mut(1);
        match &local {
            Ok(c) if shard > 0 => {
                status[0] = F::zero();
                cost[0] = *c * F::of_usize(shard);
                // The shard's mean gradient times m_r / B: its share of the batch's mean.
                let scale = F::of_usize(shard) / F::of_usize(batch);
                let mut rest = &mut gradients[..];
                workspace.gradients().visit(&mut |g| {
                    for tensor in [g.weight.into_dyn(), g.bias.into_dyn()] {
                        let n = tensor.len().min(rest.len());
                        let (values, after) = core::mem::take(&mut rest).split_at_mut(n);
                        match tensor.as_slice() {
                            // One pass over contiguous memory, which the compiler vectorises.
                            Some(slice) => values.iter_mut().zip(slice).for_each(|(v, &d)| *v = d * scale),
                            None => values.iter_mut().zip(tensor.iter()).for_each(|(v, &d)| *v = d * scale),
                        }
                        rest = after;
                    }
                });
            }
            Ok(_) => {
                status[0] = F::zero();
                cost[0] = F::zero();
                gradients.fill(F::zero());
            }
            Err(_) => {
                status[0] = F::one();
                cost[0] = F::zero();
                gradients.fill(F::zero());
            }
        }
        self.world.all_gather_into(&self.send[..], &mut self.received[..]);
        if self.received.chunks(len).any(|r| r[0] != F::zero()) {
            return Err(self.fail(local.err()));
        }
        // g_0 + g_1 + … + g_{P−1}, rank after rank: the same order, hence the same bits, on
        // every rank. The sum goes into the send buffer, free once the gather is done.
        let sum = &mut self.send[..];
        for (rank, buffer) in self.received.chunks(len).enumerate() {
            if rank == 0 {
                sum.iter_mut().zip(buffer).for_each(|(s, &g)| *s = g);
            } else {
                sum.iter_mut().zip(buffer).for_each(|(s, &g)| *s += g);
            }
        }
        let total = sum[1];
        let mut rest = &sum[2..];
        workspace.gradients_mut().visit_mut(&mut |g| {
            for mut tensor in [g.weight.into_dyn(), g.bias.into_dyn()] {
                let (values, after) = rest.split_at(tensor.len().min(rest.len()));
                match tensor.as_slice_mut() {
                    Some(slice) => slice.iter_mut().zip(values).for_each(|(d, &v)| *d = v),
                    None => tensor.iter_mut().zip(values).for_each(|(d, &v)| *d = v),
                }
                rest = after;
            }
        });
        Ok(total / F::of_usize(batch.max(1)))
    }

    /// [`evaluate`](super::evaluate) of `net` on `x` and `y` (checked before training), shared:
    /// each rank evaluates its contiguous share of the samples, and the sums of the cost, of
    /// the decisions and of the right ones are added in rank order. A collective; an error on
    /// every rank if one fails.
    pub(crate) fn evaluate<N: Network<F>>(
        &self,
        net: &N,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
    ) -> Result<Metrics<F>, Error> {
        let n = x.nrows();
        let rows = self.shard(n);
        let local = evaluation_sums(
            net,
            x.slice_axis(Axis(0), Slice::from(rows.clone())),
            y.rows(rows.start, rows.end),
        );
        let mine = match &local {
            Ok(s) => [0.0, s.total.to_f64(), s.decisions as f64, s.correct as f64],
            Err(_) => [1.0, 0.0, 0.0, 0.0],
        };
        let mut all = vec![0.0f64; 4 * self.size];
        self.world.all_gather_into(&mine[..], &mut all[..]);
        if all.chunks(4).any(|r| r[0] != 0.0) {
            return Err(self.fail(local.err()));
        }
        let (mut total, mut decisions, mut correct) = (0.0f64, 0.0f64, 0.0f64);
        for r in all.chunks(4) {
            total += r[1];
            decisions += r[2];
            correct += r[3];
        }
        // Counts below 2^53 are exact in f64.
        let sums = Sums { total: F::of(total), decisions: decisions as usize, correct: correct as usize };
        Ok(sums.metrics::<N>(n))
    }

    /// The units of each layer that fired on no rank: each rank's flags (1 for a unit that
    /// never fired on its shards) combined by "and". A collective.
    pub(crate) fn never_fired_anywhere(&self, flags: &mut [u8]) {
        // Every rank has the same layers, so all return here or none. (An empty buffer's
        // address, 0x1 for bytes, is Open MPI's MPI_IN_PLACE, which MPI_Allgather refuses.)
        if flags.is_empty() {
            return;
        }
        let mut all = vec![0u8; flags.len() * self.size];
        self.world.all_gather_into(&*flags, &mut all[..]);
        for chunk in all.chunks(flags.len()) {
            for (f, &o) in flags.iter_mut().zip(chunk) {
                *f &= o;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_cut_at_a_character_boundary() {
        // 'é' is two bytes: 511 bytes of room end in the middle of the 256th.
        let text = "é".repeat(400);
        let mut message = [0u8; MESSAGE];
        encode(&text, &mut message);
        let decoded = decode(&message);
        assert_eq!(decoded, "é".repeat(255));
        encode("short", &mut message);
        assert_eq!(decode(&message), "short");
    }

    #[test]
    fn digests_tell_settings_apart() {
        let digest = |name: &str, value: &str| {
            fnv1a(fnv1a(fnv1a(FNV_BASIS, name.as_bytes()), &[0x1f]), value.as_bytes())
        };
        assert_ne!(digest("seed", "1"), digest("seed", "2"));
        assert_ne!(digest("seed", "12"), digest("seed1", "2"));
        assert_eq!(digest("epochs", "3"), digest("epochs", "3"));
    }
}
