"""The tensors a 0.3 program's own files create are LegacyTensors; everyone else gets torch's own.

In PyTorch 0.3 every Tensor had 0.3 semantics (`varshim.objects.legacy_tensor`): `labels.max() + 1`
was the int 3, `a[0, 2]` and `a.sum()` Python numbers, `torch.dot` of 2-D tensors a number. Legacy
code makes its tensors through module-level names, so these patches replace those names, and each
replacement decides by its caller's file (`legacy_program.targets_before("0.4")`): a call from a
file of a program written for 0.3 gets a LegacyTensor; torch's own code, libraries and every other
file get exactly torch's result. They are applied only while such a program runs (Patch `before`).

- factories: the functions v0.3.1 declares `only_stateless` without a tensor argument,
  `torch/csrc/generic/methods/Tensor.cwrap` (zeros, ones, range, arange), `TensorMath.cwrap`
  (linspace, logspace, eye), `TensorRandom.cwrap` (rand, randn, randperm), and `torch.from_numpy`;
  a call passing a keyword 0.3 did not have (`dtype=`, `device=`, `requires_grad=`, ...) is modern
  code and gets torch's tensor. `torch.tensor`, `empty`, `full`, `randint` are 0.4 names: untouched.
- constructors: `torch.Tensor(...)` (its `__new__`) and the typed classes `torch.FloatTensor(...)`
  ... `torch.cuda.LongTensor(...)` (stand-ins that are torch's classes for `isinstance`, `==`,
  `x.type(torch.FloatTensor)`, attributes and pickle).
- `nn.Parameter`: in 0.3 a Parameter was a Variable wrapping its tensor, so
  `Parameter(torch.FloatTensor(n))` is a Parameter, `p.data` was a 0.3 Tensor, `p.grad` a Variable
  (`p.grad.data.norm()` a float) and `print(p)` printed `Parameter containing:` and the 0.3 body
  (v0.3.1 `torch/nn/parameter.py`).
- `torch.set_default_tensor_type('torch.IntTensor')`: 0.3 rebound `torch.Tensor` to any type
  (v0.3.1 `torch/__init__.py`); torch 2.x takes only floating types, and the error names the
  modern spelling (always applied: modern torch raises there anyway).
"""

import functools
import sys

import torch
import torch.jit._builtins

from .. import legacy_program
from ..legacy_warnings import call_as_caller
from ..objects import printing
from ..objects.legacy_tensor import LegacyTensorType, as_legacy
from ..objects.variable import Variable
from .removed_apis.torchscript import as_builtin

__all__ = [
    "FACTORIES", "TYPED_CONSTRUCTORS", "factory", "tensor_new", "stand_in", "parameter_new", "parameter_data",
    "parameter_grad", "parameter_repr", "set_default_tensor_type",
]

_0_4 = (0, 4)
_targets_before = legacy_program.targets_before  # asked on every call: one global lookup
_Tensor = torch.Tensor
_TensorBase = torch._C.TensorBase
_DisableSubclass = torch._C.DisableTorchFunctionSubclass

FACTORIES = ("zeros", "ones", "rand", "randn", "randperm", "range", "linspace", "logspace", "eye", "from_numpy")
# Keywords 0.3's factories did not take: a call with one is modern code.
_MODERN_KEYWORDS = frozenset({"dtype", "device", "layout", "requires_grad", "pin_memory", "memory_format", "names"})
TYPED_CONSTRUCTORS = tuple(
    (module, name) for module in ("torch", "torch.cuda")
    for name in ("FloatTensor", "DoubleTensor", "HalfTensor", "ByteTensor", "CharTensor", "ShortTensor",
                 "IntTensor", "LongTensor")
)


def _program_tensor(result):
    # A LegacyTensor warns where its 0.3 meaning shows (a number instead of a 0-dim tensor), not here.
    if type(result) is _Tensor:  # not `out=` of another class, not a subclass's instance
        as_legacy(result)
    return result


def factory(original):
    """`torch.<name>` whose result is a LegacyTensor when a 0.3 program's file calls it; scripted
    modern code compiles it as torch's op (`removed_apis.torchscript`)."""

    # torch.range warns that it is deprecated: the warning names the caller's line, as without varshim
    call = functools.partial(call_as_caller, original) if original is torch.range else None

    @functools.wraps(original)
    def program_factory(*args, **kwargs):
        result = original(*args, **kwargs) if call is None else call(args, kwargs)
        modern = kwargs and ("out" in kwargs or not kwargs.keys().isdisjoint(_MODERN_KEYWORDS))
        if not modern and _targets_before(_0_4):
            _program_tensor(result)
        return result

    op = torch.jit._builtins._find_builtin(original)
    return as_builtin(program_factory, op) if op else program_factory


_TENSOR_NEW = _TensorBase.__new__


def _tensor_new(*args, **kwargs):
    # (cls, *args, **kwargs) taken as one: torch reads the signature (Dynamo's polyfill of
    # `torch.Tensor.__new__` accepts a replacement that forwards everything).
    result = _TENSOR_NEW(*args, **kwargs)
    if args[0] is _Tensor and _targets_before(_0_4):
        _program_tensor(result)
    return result


tensor_new = staticmethod(_tensor_new)  # `torch.Tensor.__new__`; subclasses pass straight through


class TensorTypeStandIn(type):
    """The metaclass of a stand-in for one of torch's tensor types (`torch.FloatTensor`): calling it
    constructs with torch's type, and everything else is torch's type's (isinstance, equality and
    hashing, attributes, `repr`); its `__name__` is the name torch's C code reads (`x.type(T)`)."""

    def __call__(cls, *args, **kwargs):
        result = cls._tensortype(*args, **kwargs)
        if _targets_before(_0_4):
            _program_tensor(result)
        return result

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls._tensortype)

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, cls._tensortype)

    def __eq__(cls, other):
        return other is cls or getattr(other, "_tensortype", other) is cls._tensortype

    def __hash__(cls):
        return hash(cls._tensortype)

    def __getattr__(cls, name):
        return getattr(cls._tensortype, name)

    def __dir__(cls):
        return dir(cls._tensortype)

    def __repr__(cls):
        return repr(cls._tensortype)


def stand_in(module_name, name):
    """The stand-in for `module_name.name` (torch.cuda.FloatTensor): pickled under that name."""
    tensortype = getattr(sys.modules[module_name], name)
    # torch's own attributes by identity (`torch.FloatTensor.__eq__` is the tensor method, not
    # object's); names torch's metaclass answers (`dtype`, `is_cuda`) are left to `__getattr__`
    own = _OWN_TO_EACH_CLASS.union(vars(type(tensortype)))
    namespace = {key: value for key, value in vars(tensortype).items() if key not in own}
    namespace.update({"__module__": module_name, "__qualname__": name, "__doc__": tensortype.__doc__,
                      "_tensortype": tensortype})
    return TensorTypeStandIn(f"{module_name}.{name}", (), namespace)


_OWN_TO_EACH_CLASS = frozenset({"__dict__", "__weakref__", "__module__", "__qualname__", "__doc__"})


# -- nn.Parameter as 0.3's Variable subclass -------------------------------------------------------

_DATA = _TensorBase.data
_GRAD = _TensorBase.grad
_data = _DATA.__get__
_grad = _GRAD.__get__


def _get_data(self):
    data = _data(self)
    if _targets_before(_0_4):
        as_legacy(data)
    return data


def _set_data(self, value):
    _DATA.__set__(self, value)


def _get_grad(self):
    grad = _grad(self)
    if grad is not None and _targets_before(_0_4):
        return grad.as_subclass(Variable)  # an alias: `p.grad.data.zero_()` zeroes the real gradient
    return grad


def _set_grad(self, value):
    _GRAD.__set__(self, value)


def _delete_grad(self):
    _GRAD.__delete__(self)


_PARAMETER_NEW = torch.nn.Parameter.__new__


def _parameter_new(cls, data=None, requires_grad=True):
    # 0.3: a Parameter wraps the tensor itself. torch makes one of a plain tensor; a LegacyTensor (a
    # subclass) would stay a LegacyTensor flagged as a parameter.
    if type(type(data)) is LegacyTensorType:
        with _DisableSubclass():
            data = data.as_subclass(_Tensor)
    return _PARAMETER_NEW(cls, data, requires_grad)


parameter_new = staticmethod(_parameter_new)
parameter_data = property(_get_data, _set_data, doc=_DATA.__doc__)
parameter_grad = property(_get_grad, _set_grad, _delete_grad, doc=_GRAD.__doc__)
_PARAMETER_REPR = torch.nn.Parameter.__repr__


@functools.wraps(_PARAMETER_REPR)
def parameter_repr(self, *args, **kwargs):
    if _targets_before(_0_4):
        return "Parameter containing:" + printing.tensor_repr(self)  # v0.3.1 torch/nn/parameter.py
    return _PARAMETER_REPR(self, *args, **kwargs)


# -- torch.set_default_tensor_type -----------------------------------------------------------------

_SET_DEFAULT_TENSOR_TYPE = torch.set_default_tensor_type


@functools.wraps(_SET_DEFAULT_TENSOR_TYPE)
def set_default_tensor_type(t, /):
    name = t if isinstance(t, str) else f"{getattr(t, '__module__', '')}.{getattr(t, '__name__', '')}"
    if isinstance(t, str):  # torch resolves the name itself, which would find a stand-in
        module, _, attribute = t.rpartition(".")
        t = getattr(sys.modules.get(module), attribute, t)
    if type(t) is TensorTypeStandIn:
        name, t = f"{t.__module__}.{t.__qualname__}", t._tensortype
    kind = name.rsplit(".", 1)[-1]
    if kind in _INTEGER_TYPES:
        raise TypeError(
            f"torch.set_default_tensor_type({name!r}): PyTorch 0.3 then made torch.Tensor(...) a {kind}, but torch "
            f"2.x takes only floating-point default types. Make the integer tensors as such where they are "
            f"created: {name}(...), or torch.zeros(..., dtype={_INTEGER_TYPES[kind]})."
        )
    return call_as_caller(_SET_DEFAULT_TENSOR_TYPE, (t,), {})  # torch's warnings at the caller's line


_INTEGER_TYPES = {
    "ByteTensor": "torch.uint8", "CharTensor": "torch.int8", "ShortTensor": "torch.int16",
    "IntTensor": "torch.int32", "LongTensor": "torch.int64",
}
