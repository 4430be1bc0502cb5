"""Fast paths for the methods and operators of legacy objects: one call with dispatch off, then the 0.3 result.

A method call on a Variable crosses torch's `__torch_function__` protocol: torch's C++ side finds
the override, and the override parses the call again (about 1.6 us for `x + 1`, whatever the
override's body does; issue 15). For every tensor method named in `METHOD_NAMES` the legacy class
gets a method of its own that, when nothing could make the protocol decide differently, does what
its `__torch_function__` would do without the trip: calls torch's method once with subclass
dispatch disabled (`torch._C._disabled_torch_function_impl`, torch >= 1.7) and makes the result
what the override would have made. "Nothing could decide differently" is the class's `accept`
(for Variable: exact class, no volatile input, every argument a plain tensor, a Variable, a
Parameter or a plain value) plus dispatch on and no torch-function mode active. An operation with
a 0.3 meaning (`OVERRIDES`) runs its override there, as `__torch_function__` would. Otherwise
torch's method runs, and with it the protocol.

Reflected operators (`__radd__`, ...) take the fast path only with a number on the left: Python
calls a subclass's own reflected method before the left tensor's forward one (`p + v` would
become `v.__radd__(p)`), so with a tensor on the left they call the forward method first, as
Python does for an inherited one.

The names are precomputed in `varshim.objects.tensor_methods` (scanning torch costs about 150 ms
at import): `tests/objects/test_fast_paths.py` regenerates them with `scan_methods` and compares.
"""

import inspect
import types

import torch

from .tensor_methods import METHOD_NAMES, PROTOCOL_NAMES

__all__ = ["REFLECTED", "PLAIN_VALUES", "scan_methods", "install_fast_methods"]

_Tensor = torch.Tensor
_disabled = torch._C._disabled_torch_function_impl  # never pass it kwargs=None: it crashes
_dispatch_enabled = torch._C._is_torch_function_enabled
_mode_active = torch._C._is_torch_function_mode_enabled

# The object protocol and autograd machinery rather than tensor operations: no fast path.
_NOT_OPERATIONS = frozenset({
    "__delattr__", "__delitem__", "__getattribute__", "__init__", "__setattr__", "__str__", "__repr__", "__reduce__",
    "__reduce_ex__", "__getstate__", "__setstate__", "__sizeof__", "__deepcopy__", "__dir__", "__format__",
    "__array__", "__array_wrap__", "__dlpack__", "__dlpack_device__", "backward", "register_hook",
    "register_post_accumulate_grad_hook", "module_load",
})

# reflected operator -> the forward one Python tries first on the left operand
REFLECTED = {
    "__radd__": "__add__", "__rand__": "__and__", "__rdiv__": "__div__", "__rfloordiv__": "__floordiv__",
    "__rlshift__": "__lshift__", "__rmatmul__": "__matmul__", "__rmod__": "__mod__", "__rmul__": "__mul__",
    "__ror__": "__or__", "__rpow__": "__pow__", "__rrshift__": "__rshift__", "__rsub__": "__sub__",
    "__rtruediv__": "__truediv__", "__rxor__": "__xor__",
}
_NUMBERS = (int, float, bool, complex)
# arguments that are not tensors and never take part in the protocol's choice
PLAIN_VALUES = frozenset({
    int, float, bool, complex, type(None), str, slice, type(Ellipsis), torch.dtype, torch.device, torch.Size,
    torch.memory_format, torch.layout,
})


def scan_methods(excluded=()):
    """(METHOD_NAMES, PROTOCOL_NAMES) of this torch: the tensor methods that dispatch through
    `__torch_function__` and compute something (torch's C methods and the Python ones of
    `torch.Tensor` that hand themselves to the protocol; public names and operator dunders), less
    `excluded` (the names varshim's always-applied patches replace on torch.Tensor); and the operators whose call
    reaches the protocol as another method (`x + y` as `Tensor.add`), found by calling each on a probe."""
    names = []
    for name in dir(_Tensor):
        dunder = name.startswith("__") and name.endswith("__")
        if name in excluded or name in _NOT_OPERATIONS or (name.startswith("_") and not dunder):
            continue
        attribute = inspect.getattr_static(_Tensor, name)
        if isinstance(attribute, (types.MethodDescriptorType, types.WrapperDescriptorType)) or (
            isinstance(attribute, types.FunctionType) and "handle_torch_function" in attribute.__code__.co_names
        ):
            names.append(name)
    protocol_names = {}
    for name in names:
        if name.startswith("__"):
            seen = _protocol_function(getattr(_Tensor, name))
            if seen is not None and seen.__name__ != name:
                protocol_names[name] = seen.__name__
    return tuple(sorted(names)), protocol_names


class _Seen(Exception):
    pass


class _Probe(_Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        raise _Seen(func)


def _protocol_function(operator):
    """The function `operator` hands to `__torch_function__`, called as a binary or unary operator."""
    probe = _Tensor._make_subclass(_Probe, torch.ones(2))
    for args in ((probe, probe), (probe,)):
        try:
            operator(*args)
        except _Seen as seen:
            return seen.args[0]
        except Exception:  # noqa: BLE001  (the wrong arity: try the other)
            continue
    return None


def install_fast_methods(cls, exact, overrides, accept, wrap):
    """Give `cls` a fast method for every name of METHOD_NAMES it does not define itself.

    `exact`: the ids of the classes whose instances take the fast path (a subclass of them takes
    the protocol path). The protocol function (`PROTOCOL_NAMES`; the method itself for most) runs
    as its `overrides` entry where it has one, as `__torch_function__` runs it. `accept(args,
    kwargs)` says whether the protocol would hand the call to `cls.__torch_function__`, and
    `wrap(result, func, args, kwargs)` (args with self first) what that makes of the result; both
    run with dispatch on."""
    for name in METHOD_NAMES:
        original = getattr(_Tensor, name, None)
        if original is None or name in cls.__dict__:
            continue
        func = getattr(_Tensor, PROTOCOL_NAMES.get(name, name), original)  # what __torch_function__ gets
        call = overrides.get(func, original)
        forward = REFLECTED.get(name)
        method = (_reflected_method(exact, original, call, func, forward, accept, wrap) if forward
                  else _fast_method(exact, original, call, func, accept, wrap))
        method.__name__, method.__qualname__ = name, f"{cls.__name__}.{name}"
        method.__doc__ = getattr(original, "__doc__", None)
        setattr(cls, name, method)


def _fast_method(exact, original, call, func, accept, wrap):
    def method(self, *args, **kwargs):
        args = (self, *args)
        if id(type(self)) in exact and _dispatch_enabled() and not _mode_active() and accept(args, kwargs):
            return wrap(_disabled(call, (), args, kwargs) if kwargs else _disabled(call, (), args), func, args, kwargs)
        return original(*args, **kwargs)

    return method


def _reflected_method(exact, original, call, func, forward, accept, wrap):
    def method(self, other):
        if type(other) in _NUMBERS:
            args = (self, other)
            if id(type(self)) in exact and _dispatch_enabled() and not _mode_active() and accept(args, None):
                return wrap(_disabled(call, (), args), func, args, None)
        elif isinstance(other, _Tensor) and type(other) is not type(self) and isinstance(self, type(other)):
            # Python asked us first only because our reflected method differs from the left's class's
            result = getattr(type(other), forward)(other, self)
            if result is not NotImplemented:
                return result
        return original(self, other)

    return method
