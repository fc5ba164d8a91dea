//! What a trainer calls after each epoch: nothing ([`NoHook`], the default), or the closure that
//! [`Trainer::on_epoch`](super::Trainer::on_epoch) set ([`OnEpoch`]), which may stop the run.

use core::fmt;
use core::marker::PhantomData;
use core::ops::ControlFlow;

use super::history::Epoch;

/// What [`Trainer::fit`](super::Trainer::fit), [`resume`](super::Trainer::resume) and
/// [`resume_or_fit`](super::Trainer::resume_or_fit) call after each epoch of a network `N`:
/// [`NoHook`], or the closure of [`Trainer::on_epoch`](super::Trainer::on_epoch) in an
/// [`OnEpoch`]. Sealed: a trainer takes a hook through `on_epoch` only.
pub trait EpochHook<F, N>: sealed::Sealed {
    /// Called with the record of the epoch just finished and the network with the weights of
    /// its end; `Break` stops the run after this epoch.
    fn after_epoch(&mut self, epoch: &Epoch<F>, net: &N) -> ControlFlow<()>;
}

/// The hook of a trainer without [`on_epoch`](super::Trainer::on_epoch): it never stops a run.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct NoHook;

impl fmt::Debug for NoHook {
    /// `none`, as a trainer's `on_epoch` field shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("none")
    }
}

impl<F, N> EpochHook<F, N> for NoHook {
    fn after_epoch(&mut self, _: &Epoch<F>, _: &N) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// The closure of [`Trainer::on_epoch`](super::Trainer::on_epoch), for a network `N`. The
/// network's type is part of it, so that the closure's arguments need no annotations: `fit`
/// fixes it.
pub struct OnEpoch<N, H> {
    /// The closure.
    hook: H,
    /// The network the closure is given (`fn(&N)`, so that the hook is `Send` and `Sync` when
    /// the closure is, whatever `N` is).
    network: PhantomData<fn(&N)>,
}

impl<N, H> OnEpoch<N, H> {
    /// The hook that calls `hook`.
    pub(crate) fn new(hook: H) -> Self {
        OnEpoch { hook, network: PhantomData }
    }
}

impl<N, H> fmt::Debug for OnEpoch<N, H> {
    /// `a closure`, as a trainer's `on_epoch` field shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a closure")
    }
}

impl<F, N, H: FnMut(&Epoch<F>, &N) -> ControlFlow<()>> EpochHook<F, N> for OnEpoch<N, H> {
    fn after_epoch(&mut self, epoch: &Epoch<F>, net: &N) -> ControlFlow<()> {
        (self.hook)(epoch, net)
    }
}

mod sealed {
    /// Only this module's hooks are hooks.
    pub trait Sealed {}
    impl Sealed for super::NoHook {}
    impl<N, H> Sealed for super::OnEpoch<N, H> {}
}
