"""`clip_grad_norm` as PyTorch 0.3 had it: the total norm comes back as a Python float.

Port of pytorch/pytorch.github.io `docs/0.3.1/_modules/torch/nn/utils/clip_grad.html` (v0.3.1
`torch/nn/utils/clip_grad.py`): per-parameter norms summed as Python numbers (0.3's `normall`
accumulated in double), gradients scaled only when the coefficient is below 1. Modern spelling:
`torch.nn.utils.clip_grad_norm_(parameters, max_norm).item()`.
"""

import torch

from ..legacy_warnings import warn_legacy

__all__ = ["clip_grad_norm"]

_DisableSubclass = torch._C.DisableTorchFunctionSubclass


def clip_grad_norm(parameters, max_norm, norm_type=2):
    """0.3's `torch.nn.utils.clip_grad_norm`: clip in place, return the total norm as a float."""
    warn_legacy(
        "clip_grad_norm was renamed clip_grad_norm_ in PyTorch 0.4 and returns a tensor: "
        "write clip_grad_norm_(parameters, max_norm).item() for the number."
    )
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    with _DisableSubclass(), torch.no_grad():  # plain tensor math, whatever the parameters' class
        grads = [p.grad for p in parameters if p.grad is not None]
        max_norm, norm_type = float(max_norm), float(norm_type)
        if norm_type == float("inf"):
            total_norm = max(grad.abs().max().item() for grad in grads)
        else:
            total_norm = 0
            for grad in grads:
                total_norm += grad.double().norm(norm_type).item() ** norm_type
            total_norm = total_norm ** (1.0 / norm_type)
        clip_coef = max_norm / (total_norm + 1e-6)
        if clip_coef < 1:
            for grad in grads:
                grad.mul_(clip_coef)
    return total_norm
