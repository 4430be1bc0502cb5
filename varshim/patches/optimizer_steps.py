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
itself is torch's, bit for bit; steps of every other caller are untouched. The LegacyTorchWarning
comes where the 0.3 meaning matters: a backward from Variable roots whose graph holds a node built
before a legacy step changed parameters (autograd sequence numbers are ordered in time; the first
`_LOOK_AHEAD` nodes from the roots are looked at, which finds G's loss built on D's older nodes and
bounds the cost). An ordinary loop (forward, backward, step) has nothing to change and gets none.
Modern spelling: step D after computing G's loss from a fresh forward pass (or detach D's input).
"""

import collections
import sys

import torch

from ..legacy_program import called_from_program
from ..legacy_warnings import warn_legacy
from ..own_files import is_torch

__all__ = ["before_step", "after_step", "warn_on_graphs_older_than_a_step"]

_set_versions = torch._C._autograd._unsafe_set_version_counter
_sequence_nr = torch._C._autograd._get_sequence_nr  # the next autograd node's number (per thread)
_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_pending = []  # (optimizer, parameters, versions) of legacy steps under way
_stepped_at = None  # the sequence number when a legacy step last changed parameters
_LOOK_AHEAD = 32  # graph nodes looked at per backward after a legacy step


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
    global _stepped_at
    _, parameters, versions = _pending.pop()
    if any([p._version != version for p, version in zip(parameters, versions)]):
        _set_versions(parameters, versions)
        _stepped_at = _sequence_nr()


def warn_on_graphs_older_than_a_step(roots):
    """Backward check (`register_backward_check`): say so when the 0.3 meaning of a step matters."""
    if _stepped_at is None:
        return
    with _DisableSubclass():
        queue = collections.deque(root.grad_fn for root in roots if isinstance(root, torch.Tensor))
    seen = set()
    while queue and len(seen) < _LOOK_AHEAD:
        node = queue.popleft()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            continue  # AccumulateGrad: one per leaf, made once and reused by every later graph
        if node._sequence_nr() < _stepped_at:
            break
        queue.extend(next_node for next_node, _ in node.next_functions)
    else:
        return
    warn_legacy(
        "this backward runs through a graph built before optimizer.step() updated its parameters; "
        "0.3's p.data updates allowed it and its gradient uses the updated weights, torch raises. "
        "Compute the loss from a forward pass after the step, or step after this backward."
    )
