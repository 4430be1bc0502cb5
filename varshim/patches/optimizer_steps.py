"""Optimizer steps called from the legacy program leave version counters alone, as 0.3's `p.data` updates did.

0.3's optimizers updated `p.data` (pytorch/pytorch.github.io `docs/0.3.1/_modules/torch/optim/sgd.html`:
`p.data.add_(-group['lr'], d_p)`; `adam.html`: `p.data.addcdiv_(-step_size, exp_avg, denom)`), and
in-place changes of `.data` did not touch the Variable's version counter. So a graph built before
`optimizer.step()` could still be differentiated after it: 2017 GAN lessons step D's optimizer,
then call `backward` on G's loss from the same forward pass. That backward reads the parameters'
*updated* values wherever it reads a parameter (D's weight in the gradient with respect to D's
input) and the forward pass's values everywhere else (the activations saved then). torch 2.13's
optimizers update the parameters themselves, which bumps their version counters, and the backward
raises "one of the variables needed for gradient computation has been modified by an inplace
operation".

Rule: a step called from the legacy program's own files (`varshim.legacy_program.called_from_program`,
asked about the first caller outside torch, so LR schedulers' step wrappers do not count) puts
its parameters' version counters back as they were before the step
(`torch._C._autograd._unsafe_set_version_counter`, torch >= 2.1), through torch's global optimizer
step hooks, which `varshim.patches.HOOKS` registers only while a legacy program runs. The update
itself is torch's, bit for bit; steps of every other caller are untouched. One LegacyTorchWarning
per optimizer (a warning per step would cost more than a small step).
Modern spelling: step D after computing G's loss from a fresh forward pass (or detach D's input).
"""

import sys
import weakref

import torch

from ..legacy_program import called_from_program
from ..legacy_warnings import warn_legacy
from ..own_files import is_torch

__all__ = ["before_step", "after_step"]

_set_versions = torch._C._autograd._unsafe_set_version_counter
_pending = []  # (optimizer, parameters, versions) of legacy steps under way
_warned = weakref.WeakSet()  # optimizers whose legacy steps have warned (a warning per step costs more than the step)


def before_step(optimizer, args, kwargs):
    """Optimizer step pre-hook: remember the parameters' versions when the legacy program steps."""
    depth, frame = 1, sys._getframe(1)  # 1: torch's step wrapper
    while frame is not None and is_torch(frame.f_code.co_filename):
        depth, frame = depth + 1, frame.f_back
    if frame is None or not called_from_program(depth):
        return
    if _pending and _pending[-1][0] is optimizer:
        _pending.pop()  # left by a step that raised
    parameters = tuple([p for group in optimizer.param_groups for p in group["params"]])
    _pending.append((optimizer, parameters, tuple([p._version for p in parameters])))


def after_step(optimizer, args, kwargs):
    """Optimizer step post-hook: a legacy step's updates leave the version counters as 0.3's did."""
    if not _pending or _pending[-1][0] is not optimizer:
        return
    _, parameters, versions = _pending.pop()
    _set_versions(parameters, versions)
    if optimizer in _warned:
        return
    _warned.add(optimizer)
    warn_legacy(
        "optimizer.step() left the parameters' version counters as they were, as 0.3's p.data updates did: "
        "a graph built before the step backpropagates through the updated weights. On torch that "
        "backward raises; compute the loss from a forward pass after the step (or step afterwards)."
    )
