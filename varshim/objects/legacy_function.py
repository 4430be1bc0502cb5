"""Legacy `torch.autograd.Function`: instance-method `forward(self, ...)`, called as `MyFn(args)(x)`.

Restores the PyTorch 0.1-0.3 calling convention (pytorch/pytorch v0.3.1 `torch/autograd/function.py`,
`Function.__call__ = _C._FunctionBase._do_forward`; 0.1.12 notes/extending.rst): a fresh instance
per call, `__init__` state visible in `forward`/`backward`, Tensors in and out of `forward`, one
gradient (or None) per input from `backward`, once-differentiable. Modern spelling: `@staticmethod
forward(ctx, ...)` / `backward(ctx, ...)` and `MyFn.apply(...)` (docs/functions.md).

How: each legacy class gets a generated new-style Function whose ctx class derives from the legacy
class, so `self` in the user's methods is the modern ctx (with the instance's `__init__` state copied
on it) and modern autograd records, checks and frees everything. During `forward` the caller's
Variables are shown under their base class (0.3 unwrapped them), so torch sees its own tensor objects;
this assumes no other thread uses those Variables during the call. New-style Functions never reach
this module: torch raises for `Fn()(x)` and `Fn(...)` only warns, and those two entry points are
all varshim patches (`varshim.patches`).
"""

import inspect

import torch
from torch.autograd.function import BackwardCFunction, Function

from ..legacy_warnings import call_as_caller, warn_legacy
from .variable import Variable, any_volatile, wrap_result

__all__ = ["legacy_call", "legacy_init", "ContextSpellings"]

_Tensor = torch.Tensor
_as_subclass = torch._C.TensorBase.as_subclass
_needs_input_grad = torch._C._FunctionBase.needs_input_grad.__get__
_saved_tensors = torch._C._FunctionBase.saved_tensors.__get__
_is_grad_enabled = torch.is_grad_enabled
_no_grad = torch.no_grad
_DelayedError = torch._C._functions.DelayedError
_c_apply = torch._C._FunctionBase.__dict__["apply"]
_functorch_active = torch._C._are_functorch_transforms_active
_modern_call = Function.__call__
_modern_init = Function.__init__
_APPLY = "_varshim_legacy_apply"  # the generated `apply`, cached on each legacy class itself


def legacy_call(self, *args, **kwargs):
    """`Function.__call__`: 0.3 `_do_forward` for legacy classes; torch's error for new-style ones."""
    apply = type(self).__dict__.get(_APPLY) or _generate(type(self))
    if apply is None or kwargs:
        return _modern_call(self, *args, **kwargs)
    if _functorch_active():
        apply = apply.__self__.apply  # torch's own error: functorch needs a new-style Function
    volatile = any_volatile(args, None)
    if volatile:
        with _no_grad():
            outputs = apply(self, *args)
    else:
        outputs = apply(self, *args)
    if type(outputs) is _Tensor and not volatile and outputs.dim():
        for arg in args:
            if arg is outputs:  # a plain tensor the caller passed in, returned in place
                return outputs
        outputs.__class__ = Variable  # fresh result of the call: re-classed, as the core does
        return outputs
    return wrap_result(outputs, volatile, args, None)


def legacy_init(self, *args, **kwargs):
    """`Function.__init__`: instantiating is the legacy protocol, so legacy classes do not warn."""
    if type(self).__dict__.get(_APPLY) or _generate(type(self)):
        return
    call_as_caller(_modern_init, (self, *args), kwargs)  # torch's DeprecationWarning names the caller's line


def _generate(cls):
    """Build (once per class) the new-style Function that runs legacy `cls`; None if `cls` is new-style."""
    if isinstance(inspect.getattr_static(cls, "forward"), (staticmethod, classmethod)):
        return None
    warn_legacy(
        f"{cls.__name__} is a legacy autograd.Function (instance-method forward/backward, called as "
        f"{cls.__name__}(...)(x)); torch 2.13 refuses it. Write @staticmethod forward(ctx, ...) and "
        f"backward(ctx, ...), keep constructor arguments as forward arguments, and call {cls.__name__}.apply(x)."
    )
    runner = type(cls.__name__, (Function,), {
        "forward": staticmethod(_forward),
        "backward": staticmethod(_backward),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
    })
    # The node (`ctx`, the outputs' grad_fn) is an instance of the legacy class, as in 0.3.
    context = type(cls.__name__ + "Backward", (_LegacyContext, BackwardCFunction, cls), {
        "_forward_cls": runner,
        "_autograd_function_id": runner._backward_cls._autograd_function_id,
        "_varshim_legacy_name": cls.__qualname__,
        "__module__": cls.__module__,
    })
    runner._backward_cls = context
    # torch's C `apply` directly: `Function.apply` adds only functorch handling, which legacy
    # Functions cannot use (they have no setup_context), and that path stays with torch.
    apply = _c_apply.__get__(None, runner)
    setattr(cls, _APPLY, apply)
    return apply


class ContextSpellings:
    """The 0.3 spellings on a Function's ctx: `saved_variables` and `mark_shared_storage`."""

    @property
    def saved_variables(self):
        warn_legacy("ctx.saved_variables was renamed in PyTorch 0.4: write ctx.saved_tensors.")
        return tuple([None if t is None else t if type(t) is Variable else _as_subclass(t, Variable)
                      for t in _saved_tensors(self)])

    def mark_shared_storage(self, *pairs):
        warn_legacy(
            "mark_shared_storage() is a no-op since PyTorch 0.4 (shared storage is tracked "
            "automatically): delete the call."
        )


class _LegacyContext(ContextSpellings):
    """What `self` is inside a legacy forward/backward: the modern ctx with 0.3 spellings."""

    __init__ = object.__init__  # the user's __init__ ran on the instance; `_forward` copies its state

    @property
    def needs_input_grad(self):
        return _needs_input_grad(self)[1:]  # slot 0 carries the instance

    @property
    def saved_tensors(self):
        return tuple([_as_subclass(t, _Tensor) if type(t) is Variable else t for t in _saved_tensors(self)])


def _forward(ctx, instance, *args):
    state = instance.__dict__
    if state:
        ctx.__dict__.update(state)
    # 0.3 unwrapped Variables: forward sees its inputs as plain tensors. They are the caller's
    # objects (so mark_dirty, returning an input and saving one keep their modern meaning), shown
    # under their base class for the duration of the call; `saved_tensors` unwraps them again.
    variables = []
    for a in args:
        if type(a) is Variable:
            a.__class__ = _Tensor
            variables.append(a)
    try:
        outputs = ctx.forward(*args)
    finally:
        for a in variables:
            a.__class__ = Variable
    if type(outputs) is tuple:
        return tuple([_output(o) for o in outputs])
    if type(outputs) is _Tensor and outputs.dim():
        return outputs
    return _output(outputs)


def _output(output):
    if isinstance(output, _Tensor) and output.dim() == 0:
        return output.reshape(1)  # 0.3 had no 0-dim tensors
    return output


def _backward(ctx, *grad_outputs):
    differentiable = _is_grad_enabled()  # only under backward(create_graph=True)
    if differentiable:
        with _no_grad():
            grads = ctx.backward(*grad_outputs)
    else:
        grads = ctx.backward(*grad_outputs)
    grads = grads if type(grads) is tuple else (grads,)
    expected = len(_needs_input_grad(ctx)) - 1  # slot 0 carries the instance
    if len(grads) != expected:
        if len(grads) < expected or any(g is not None for g in grads[expected:]):
            raise RuntimeError(
                f"function {ctx._varshim_legacy_name}.backward returned an incorrect number of gradients "
                f"(expected {expected}, got {len(grads)}): return one gradient or None per forward input"
            )
        grads = grads[:expected]
    for grad in grads:
        if isinstance(grad, _Tensor) and grad.dim() == 0:
            # 0.3 had no 0-dim tensors: `g.sum(0).squeeze(0)` meant size (1,), torch sums it back
            grads = tuple(g.reshape(1) if isinstance(g, _Tensor) and g.dim() == 0 else g for g in grads)
            break
    if differentiable and any(ctx.needs_input_grad):
        grads = _once_differentiable(ctx, grads)
    return (None,) + grads


def _once_differentiable(ctx, grads):
    """0.3 legacy Functions had no graph of their backward: differentiating it again must fail."""
    message = (
        f"{ctx._varshim_legacy_name} is a legacy autograd.Function, which is differentiable only once "
        "(as in PyTorch 0.3); a double backward through it needs a new-style Function whose backward "
        "uses differentiable torch operations (@staticmethod forward/backward, Fn.apply)."
    ).encode()
    tensors = [i for i, g in enumerate(grads) if isinstance(g, _Tensor)]
    if not tensors:
        return grads
    fake = [grads[i].detach().requires_grad_() for i in tensors]
    errors = _DelayedError(message, len(fake))(*fake)
    errors = errors if isinstance(errors, tuple) else (errors,)
    grads = list(grads)
    for i, error in zip(tensors, errors):
        grads[i] = error
    return tuple(grads)
