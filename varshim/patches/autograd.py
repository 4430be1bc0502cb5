"""`torch.autograd.backward` and `torch.autograd.grad` accepting their 0.1-0.3 forms.

Restores (pytorch/pytorch v0.3.1 `torch/autograd/__init__.py`; 0.1.12 for the positional order):
`backward(variables, grad_variables=None, retain_graph=None, create_graph=None,
retain_variables=None)` with gradients given as tensors, Variables or None, and `grad(...)`
returning Variables when its outputs are Variables. Modern calls (no Variable, no legacy keyword)
pass straight through to torch. Modern spelling: `tensors=`/`grad_tensors=`, `retain_graph=`.
"""

import torch

from ..legacy_warnings import call_as_caller, warn_legacy
from ..objects.root_gradients import modern_backward
from ..objects.variable import as_tuple, has_variable, legacy_backward, legacy_grad

__all__ = ["backward", "grad"]

_Tensor = torch.Tensor
_REQUIRED = object()  # `tensors` not given (legacy code may pass `variables=` instead)
_modern_grad = torch.autograd.grad


def backward(tensors=_REQUIRED, grad_tensors=None, retain_graph=None, create_graph=None, grad_variables=None,
             inputs=None, **legacy):
    """`torch.autograd.backward` accepting the 0.1-0.3 names; modern calls pass straight through.

    Named parameters, not `*args, **kwargs`: this is on the path of every plain `Tensor.backward`,
    where repacking the arguments costs more than the check (benchmarks/bench_core.py).
    """
    if type(tensors) is _Tensor and not legacy and grad_variables is None:
        return modern_backward(tensors, grad_tensors, retain_graph, bool(create_graph), None, inputs)
    unknown = legacy.keys() - {"variables", "retain_variables"}
    if tensors is _REQUIRED and "variables" not in legacy or unknown:
        # torch's own TypeError for a missing `tensors` or a misspelt keyword
        arguments = {} if tensors is _REQUIRED else {"tensors": tensors}
        return modern_backward(**arguments, **{name: legacy[name] for name in unknown})
    if legacy or has_variable(tensors):
        tensors = None if tensors is _REQUIRED else tensors
        return _legacy_backward_call(tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs, **legacy)
    # torch's FutureWarning about `grad_variables` (its only warning) names the caller's line
    arguments = (tensors, grad_tensors, retain_graph, bool(create_graph), grad_variables, inputs)
    return call_as_caller(modern_backward, arguments, {})


def grad(*args, **kwargs):
    """`torch.autograd.grad`; with Variable outputs, 0.3 defaults and Variable results."""
    if has_variable(args[0] if args else kwargs.get("outputs")):
        return legacy_grad(*args, **kwargs)
    return call_as_caller(_modern_grad, args, kwargs)  # torch's warnings name the caller's line


def _legacy_backward_call(
    tensors=None,
    grad_tensors=None,
    retain_graph=None,
    create_graph=None,
    grad_variables=None,
    inputs=None,
    *,
    variables=None,
    retain_variables=None,
):
    if variables is not None:
        warn_legacy("autograd.backward(variables=...) was renamed: write autograd.backward(tensors=...).")
        tensors = variables
    if grad_variables is not None:
        warn_legacy("autograd.backward(grad_variables=...) was renamed: write grad_tensors=....")
        grad_tensors = grad_variables
    if isinstance(grad_tensors, bool) and not isinstance(retain_graph, bool):
        # 0.1.12 order: backward(variables, grad_variables, retain_variables)
        grad_tensors, retain_graph = None, grad_tensors
    tensors = as_tuple(tensors)
    grads = as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    legacy_backward(tensors, grads, retain_graph, create_graph, retain_variables=retain_variables, inputs=inputs)
