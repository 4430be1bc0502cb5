"""`clip_grad_norm` as PyTorch 0.3 had it, for the legacy program: the total norm comes back as a float.

Port of pytorch/pytorch.github.io `docs/0.3.1/_modules/torch/nn/utils/clip_grad.html` (v0.3.1
`torch/nn/utils/clip_grad.py`): per-parameter norms summed as Python numbers (0.3's `normall`
accumulated in double), gradients scaled only when the coefficient is below 1. Modern spelling:
`torch.nn.utils.clip_grad_norm_(parameters, max_norm).item()`.

Rule: calls from the legacy program's own files (`varshim.legacy_program`: the script's folder
under `varshim run`, a notebook's, a suite's under the pytest plugin) get the 0.3 float. Every
other caller gets torch 2.13's deprecated `clip_grad_norm` unchanged: its tensor, its
FutureWarning at the caller's line, `tensor(0.)` without gradients.
"""

import math

import torch

from ..legacy_program import called_from_program
from ..legacy_warnings import call_as_caller, warn_legacy

__all__ = ["clip_grad_norm"]

_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_modern_clip_grad_norm = torch.nn.utils.clip_grad.clip_grad_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """`torch.nn.utils.clip_grad_norm`; for the legacy program, 0.3's: a Python float."""
    if not called_from_program():
        arguments = (parameters, max_norm, norm_type, error_if_nonfinite, foreach)
        return call_as_caller(_modern_clip_grad_norm, arguments, {})
    warn_legacy(
        "clip_grad_norm was renamed clip_grad_norm_ in PyTorch 0.4 and returns a tensor: "
        "write clip_grad_norm_(parameters, max_norm).item() for the number."
    )
    return _legacy_clip_grad_norm(parameters, max_norm, norm_type, error_if_nonfinite)


def _legacy_clip_grad_norm(parameters, max_norm, norm_type, error_if_nonfinite):
    """0.3.1's algorithm. Not in 0.3: `error_if_nonfinite` (kept with torch's meaning) and a norm of
    no gradients, 0.0 for every norm type (0.3.1's `max()` raised ValueError for 'inf')."""
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    with _DisableSubclass(), torch.no_grad():  # plain tensor math, whatever the parameters' class
        grads = [p.grad for p in parameters if p.grad is not None]
        max_norm, norm_type = float(max_norm), float(norm_type)
        if norm_type == float("inf"):
            total_norm = max((grad.abs().max().item() for grad in grads), default=0.0)
        else:
            total_norm = 0
            for grad in grads:
                total_norm += grad.double().norm(norm_type).item() ** norm_type
            total_norm = total_norm ** (1.0 / norm_type)
        if error_if_nonfinite and not math.isfinite(total_norm):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
                "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                "anyway, set `error_if_nonfinite=False`"
            )
        clip_coef = max_norm / (total_norm + 1e-6)
        if clip_coef < 1:
            for grad in grads:
                grad.mul_(clip_coef)
    return total_norm
