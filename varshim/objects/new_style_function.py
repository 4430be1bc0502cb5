"""New-style Functions written in the legacy program (`@staticmethod forward(ctx, ...)`, `Fn.apply`): the 0.3 protocol.

0.3's `Fn.apply(x, ...)` unwrapped its Variable arguments: `forward` received their tensors (0.3
Tensor semantics: `x.sum()` a number), `backward` received the gradients as Variables and returned
Variables, `ctx.saved_variables` gave the saved tensors as Variables and `ctx.saved_tensors` their
data; a backward decorated with `@once_differentiable` received tensors; `z.grad_fn.apply(g)` ran
`backward` by hand and returned its Variables (pytorch/pytorch.github.io `docs/0.3.1/notes/extending.html`;
`docs/0.3.1/_modules/torch/autograd/function.html`: `BackwardCFunction.apply`, `once_differentiable`;
the 0.3-era `torch/csrc/autograd/python_function.cpp`: `saved_tensors` wraps `var.data`,
`saved_variables` the Variables). torch 2.13 hands `forward` whatever it is given and `backward`
plain tensors.

Rule: a class whose `class` statement runs in the legacy program's own files
(`varshim.legacy_program.called_from_program`) gets an `apply` that, called with a Variable among
its arguments, runs the class through a generated runner with the 0.3 protocol. Classes defined
anywhere else (libraries, torch, modern code) are never touched, and calls without a Variable go to
torch's `Function.apply`. Modern spelling: tensors in both methods, `ctx.saved_tensors`.
"""

import inspect
import sys

import torch
from torch.autograd.function import BackwardCFunction, Function, once_differentiable

from ..legacy_program import called_from_program
from ..legacy_warnings import warn_legacy
from ..own_files import is_varshim_or_torch
from .legacy_function import ContextSpellings
from .legacy_tensor import legacy_class
from .variable import Variable, any_volatile, enable_dispatch, legacy_gradient, plain_gradient, wrap_result

__all__ = ["init_subclass"]

_Tensor = torch.Tensor
_Parameter = torch.nn.Parameter
_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_no_grad = torch.no_grad
_modern_apply = Function.apply.__func__
_c_apply = torch._C._FunctionBase.__dict__["apply"]
_saved_tensors = torch._C._FunctionBase.saved_tensors.__get__
_functorch_active = torch._C._are_functorch_transforms_active
_ONCE_DIFFERENTIABLE = once_differentiable(lambda ctx: None).__code__  # torch's wrapper, by its code
_SHOWN_AS_TENSORS = (Variable, _Tensor, _Parameter)  # the argument classes forward sees as LegacyTensor
_RUNNER = "_varshim_0_3_apply"  # the runner's C apply, cached on the user's class


def init_subclass(cls, **kwargs):
    """`Function.__init_subclass__`: new-style classes of the legacy program get the 0.3 `apply`."""
    super(Function, cls).__init_subclass__(**kwargs)  # torch 2.13's Function defines none itself
    if called_from_program() and _is_0_3_style(cls):
        cls.apply = classmethod(_apply)


def _is_0_3_style(cls):
    forward = inspect.getattr_static(cls, "forward", None)
    return (
        isinstance(forward, staticmethod)
        and "apply" not in cls.__dict__
        and getattr(cls, "setup_context", None) is Function.setup_context  # forward(ctx, ...) as 0.3 wrote it
    )


def _apply(cls, *args, **kwargs):
    if kwargs or _functorch_active() or not any(type(arg) is Variable for arg in args):
        return _modern_apply(cls, *args, **kwargs)
    runner = cls.__dict__.get(_RUNNER) or _generate(cls)
    volatile = any_volatile(args, None)
    with _DisableSubclass():
        if volatile:
            with _no_grad():
                outputs = runner(*args)
        else:
            outputs = runner(*args)
        return wrap_result(outputs, volatile, args, None)


def _generate(cls):
    """Build (once per class) a Function running `cls.forward`/`cls.backward` with the 0.3 protocol."""
    warn_legacy(
        f"{cls.__name__}.apply on Variables: forward gets their tensors and backward Variables, as in 0.3. "
        f"Modern Functions get tensors in both: call {cls.__name__}.apply on tensors and use ctx.saved_tensors."
    )
    user_forward, user_backward = cls.forward, cls.backward
    tensor_gradients = getattr(user_backward, "__code__", None) is _ONCE_DIFFERENTIABLE

    def forward(ctx, *args):
        shown = [(arg, type(arg)) for arg in args if type(arg) in _SHOWN_AS_TENSORS]
        for arg, _ in shown:
            arg.__class__ = legacy_class(arg)  # the caller's own objects: mark_dirty and saving keep their meaning
        try:
            with enable_dispatch():
                outputs = user_forward(ctx, *args)
        finally:
            for arg, kind in shown:
                arg.__class__ = kind
        if type(outputs) is tuple:
            return tuple([_no_zero_dim(output) for output in outputs])
        return _no_zero_dim(outputs)

    def backward(ctx, *grads):
        with enable_dispatch():
            grads = [_legacy_data(g) if tensor_gradients else legacy_gradient(g) for g in grads]
            return user_backward(ctx, *grads)

    runner = type(cls.__name__, (Function,), {
        "forward": staticmethod(forward),
        "backward": staticmethod(backward),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
    })
    runner._backward_cls = type(cls.__name__ + "Backward", (_Context, BackwardCFunction), {
        "_forward_cls": runner,
        "_autograd_function_id": runner._backward_cls._autograd_function_id,
        "__module__": cls.__module__,
    })
    apply = _c_apply.__get__(None, runner)
    setattr(cls, _RUNNER, apply)
    return apply


class _Context(ContextSpellings):
    """The ctx (and `grad_fn`) of a 0.3-protocol call: `saved_tensors` are data, gradients Variables."""

    @property
    def saved_tensors(self):
        return tuple([None if t is None else _legacy_data(t.detach()) for t in _saved_tensors(self)])

    def apply(self, *grads):
        """The engine gets plain gradients; `z.grad_fn.apply(g)` by hand gets what backward returned, as in 0.3."""
        result = self._forward_cls.backward(self, *grads)
        try:
            caller = sys._getframe(1).f_code.co_filename
        except ValueError:  # an autograd worker thread: no Python caller
            caller = torch.__file__
        return plain_gradient(result) if is_varshim_or_torch(caller) else result


def _legacy_data(tensor):
    """A tensor as 0.3 handed it to a Function: 0.3 semantics, the same storage. An alias, so a
    gradient keeps `requires_grad` (torch's `once_differentiable` refuses a double backward by it)."""
    if tensor is None:
        return None
    with _DisableSubclass():
        return tensor.as_subclass(legacy_class(tensor))


def _no_zero_dim(output):
    if isinstance(output, _Tensor) and output.dim() == 0:
        return output.reshape(1)  # 0.3 had no 0-dim tensors
    return output
