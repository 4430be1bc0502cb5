"""`LegacyTensor`: a tensor with PyTorch 0.3 Tensor semantics: what `Variable.data` returns, and the
tensors a 0.3 program's own files create (`varshim.patches.program_tensors`).

Before 0.4 a Tensor had no 0-dim results. Single-element indexing and full reductions gave Python
numbers, and only those: the TH/cwrap declarations of pytorch/pytorch v0.3.1 that return `real`,
`accreal` or `bool` (`NUMBER_OPS` below, sources in docs/compatibility.md); every other operation
returned a tensor, which TH could not make 0-dim, so a shape operation kept size (1,)
(`w.data.squeeze()[0]` of a 1x1 `w` is 1.0). Modern spelling: `.item()`.

0.3 had one class per tensor type: `type(t)` printed `<class 'torch.FloatTensor'>` and equalled
`torch.FloatTensor`. A LegacyTensor's class is one of those per dtype and device (`legacy_class`),
a subclass of `LegacyTensor` that prints and compares that way; `isinstance(t, torch.FloatTensor)`
is torch's own check.

Copies: `copy.deepcopy` gives a tensor of the same 0.3 class with its own storage (shared storages
copied once, as 0.3's `Tensor.__deepcopy__` did); pickling writes a plain tensor, so files the
legacy program saves load in any torch process, with or without varshim (0.3 tensors had no second
class to record).
"""

import torch

from ..legacy_warnings import warn_legacy
from . import fast_paths, printing
from .tensor_rules import OVERRIDES as _OVERRIDES

__all__ = ["LegacyTensor", "LegacyTensorType", "legacy_class", "as_legacy", "NUMBER_OPS"]

_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_disabled = torch._C._disabled_torch_function_impl
_Tensor = torch.Tensor
_GETITEM = _Tensor.__getitem__
_NUMEL = torch._C.TensorBase.numel


class LegacyTensorType(torch._C._TensorMeta):
    """The metaclass of the 0.3 tensor classes: `<class 'torch.FloatTensor'>`, equal to (and hashing
    as) torch's `torch.FloatTensor`, so `type(t) == torch.FloatTensor` and dictionaries keyed by
    tensor types work as in 0.3. Identity (`type(t) is torch.FloatTensor`) cannot hold."""

    _tensortype = None  # torch's own type object, e.g. torch.FloatTensor
    _legacy_name = "torch.Tensor"

    def __repr__(cls):
        return f"<class '{cls._legacy_name}'>"

    def __eq__(cls, other):
        if cls is other:
            return True
        tensortype = cls._tensortype
        return tensortype is not None and getattr(other, "_tensortype", other) is tensortype

    def __hash__(cls):
        return hash(cls._tensortype) if cls._tensortype is not None else type.__hash__(cls)


class LegacyTensor(_Tensor, metaclass=LegacyTensorType):
    """A plain tensor with 0.3 Tensor semantics: Python numbers from indexing and full reductions."""

    _legacy_name = "varshim.objects.legacy_tensor.LegacyTensor"  # the base of the 0.3 classes

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        for kind in types:
            if not (type(kind) is LegacyTensorType or issubclass(cls, kind)):
                return NotImplemented  # a Variable among the arguments decides
        with _DisableSubclass():
            result = _OVERRIDES.get(func, func)(*args, **(kwargs or {}))  # 0.3 meanings: tensor_rules
            return _wrap(result, func, args, kwargs)

    def __repr__(self, *, tensor_contents=None):
        return printing.tensor_repr(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with _DisableSubclass():
            alias = self.as_subclass(_Tensor)
            copy = _Tensor.__deepcopy__(alias, memo)  # storages are memoised by address, so shared ones stay shared
        del memo[id(alias)]  # the alias dies here and the next one may get its id
        copy.__class__ = type(self)
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol):
        with _DisableSubclass():
            return self.as_subclass(_Tensor).__reduce_ex__(protocol)

    __str__ = __repr__


# -- one class per 0.3 tensor type -----------------------------------------------------------------

_TYPE_NAMES = {  # 0.3's names; dtypes 0.3 lacked keep their modern type name
    torch.float32: "FloatTensor", torch.float64: "DoubleTensor", torch.float16: "HalfTensor",
    torch.int64: "LongTensor", torch.int32: "IntTensor", torch.int16: "ShortTensor",
    torch.int8: "CharTensor", torch.uint8: "ByteTensor", torch.bool: "ByteTensor",  # masks were bytes
}
_CLASSES = {}  # (dtype, is_cuda) -> class


def _make_classes():
    dtypes = dict.fromkeys(list(_TYPE_NAMES) + [torch.bfloat16, torch.complex64, torch.complex128])
    for dtype in dtypes:
        for cuda in (False, True):
            modern = torch.empty(0, dtype=dtype).type()  # 'torch.FloatTensor', 'torch.BFloat16Tensor'
            name = _TYPE_NAMES.get(dtype) or modern.rsplit(".", 1)[-1]
            prefix = "torch.cuda." if cuda else "torch."
            module = torch.cuda if cuda else torch
            qualname = ("Cuda" if cuda else "") + name
            cls = LegacyTensorType(qualname, (LegacyTensor,), {
                "__module__": __name__, "__qualname__": qualname, "__doc__": f"A 0.3 {prefix}{name}.",
                "_tensortype": getattr(module, name, None), "_legacy_name": prefix + name,
            })
            cls.__name__ = name
            globals()[qualname] = cls  # found by pickle and copy under its qualified name
            _CLASSES[dtype, cuda] = cls


_make_classes()


def legacy_class(tensor):
    """The 0.3 class of a tensor of this dtype and device (`LegacyTensor` for dtypes 0.3 lacked)."""
    return _CLASSES.get((tensor.dtype, tensor.is_cuda), LegacyTensor)


def as_legacy(tensor):
    """Re-class a fresh plain tensor as a LegacyTensor (in place: no graph node); returns it."""
    tensor.__class__ = legacy_class(tensor)
    return tensor


# -- which operations returned Python numbers ------------------------------------------------------

# v0.3.1 torch/csrc/generic/methods/TensorMath.cwrap (`return: accreal` of sumall, prodall, meanall,
# varall, stdall, normall, dist, trace, dot), TensorCompare.cwrap (`return: real` of minall, maxall,
# medianall; `return: bool` of logicalall, logicalany): the full reductions. The value is the
# position of the `dim` argument, after which a call reduces one dimension and returns a tensor
# (None: always a number).
NUMBER_OPS = {}
for _name, _dim in (("sum", 1), ("prod", 1), ("mean", 1), ("var", 1), ("std", 1), ("norm", 2), ("max", 1),
                    ("min", 1), ("median", 1), ("all", 1), ("any", 1), ("dist", None), ("dot", None),
                    ("trace", None)):
    for _owner in (torch, _Tensor):
        NUMBER_OPS[getattr(_owner, _name)] = (_name, _dim)
# torch/csrc/generic/Tensor.cpp `THPTensor_(getValue)`: an integer index that reaches a 1-D tensor
# returns `THStorage_(get)`, a number; Tensor.cwrap `THPTensor_(select)` of a 1-D tensor `get1d`;
# `for x in t` selects (v0.3.1 torch/tensor.py `__iter__`).
for _func, _name in ((_GETITEM, "index"), (_Tensor.select, "select"), (torch.select, "select"),
                     (_Tensor.unbind, "iterate"), (torch.unbind, "iterate")):
    NUMBER_OPS[_func] = (_name, None)


def _is_number(func, args, kwargs):
    entry = NUMBER_OPS.get(func)
    if entry is None:
        return False
    dim = entry[1]
    return dim is None or (len(args) <= dim and not (kwargs and kwargs.get("dim") is not None))


def _wrap(result, func, args, kwargs):
    kind = type(result)
    if kind is _Tensor:
        for arg in args:
            if arg is result:
                return result  # in-place on a plain tensor the caller owns
        if result.dim() == 0:
            if _is_number(func, args, kwargs):
                return _as_number(result, func, args)
            _warn_lifted(func)
            result = result.reshape(1)  # TH had no 0-dim tensors: a shape operation kept size (1,)
        result.__class__ = legacy_class(result)  # fresh result: re-class it rather than alias it
        return result
    if isinstance(result, (tuple, list)) and kind is not torch.Size and result and isinstance(result[0], _Tensor):
        # (values, indices), split(); not the numbers of tolist()
        items = [_wrap(item, func, args, kwargs) for item in result]
        return kind(*items) if hasattr(kind, "_fields") else kind(items)
    return result


def _name(func):
    return getattr(func, "__name__", "op")


def _as_number(scalar, func, args):
    name, _ = NUMBER_OPS[func]
    if name == "index" and _NUMEL(args[0]) == 1:  # torch's own: no trip through a fast method
        warn_legacy("x.data[i] on a one-element tensor gave a Python number before 0.4: write x.item().")
    elif name == "index":
        warn_legacy("indexing one element (t[i, j]) gave a Python number before 0.4: write t[i, j].item().")
    elif name == "select":
        warn_legacy("t.select(0, i) of a 1-D tensor gave a Python number before 0.4: write t[i].item().")
    elif name == "iterate":  # `for v in t` (Tensor.__iter__ is unbind)
        warn_legacy("iterating over a 1-D tensor gave Python numbers before 0.4: iterate over t.tolist().")
    else:
        warn_legacy(f"t.{name}() on a tensor gave a Python number before 0.4: write t.{name}().item().")
    number = scalar.item()
    if name in ("all", "any"):
        return number  # `return: bool`
    return int(number) if isinstance(number, bool) else number  # ByteTensor values were ints


def _warn_lifted(func):
    warn_legacy(
        f"{_name(func)}() gave a one-element tensor of size (1,) before 0.4, which is 0-dim now: where the "
        "size (1,) matters write .reshape(1), where the value does write .item()."
    )


# -- fast paths: what __torch_function__ does, without the protocol (varshim.objects.fast_paths) ----

_EXACT = frozenset(map(id, (LegacyTensor, *_CLASSES.values())))  # ids: these classes hash in Python


def _fast_arguments(args, kwargs):
    # plain tensors, the 0.3 classes and plain values: the protocol would hand the call to
    # LegacyTensor; a Variable, a Parameter or any other tensor takes the protocol path
    for arg in args:
        kind = type(arg)
        if kind is _Tensor or id(kind) in _EXACT or kind in fast_paths.PLAIN_VALUES:
            continue
        if kind is not tuple and kind is not list:
            return False
        for item in arg:
            kind = type(item)
            if not (kind is _Tensor or id(kind) in _EXACT or kind in fast_paths.PLAIN_VALUES):
                return False
    return not kwargs or _fast_arguments(kwargs.values(), None)


def _fast_result(result, func, args, kwargs):
    if type(result) in fast_paths.PLAIN_VALUES:
        return result  # `dim()`, `size()`, `item()` on a 0-dim result: what _wrap returns unchanged
    return _disabled(_wrap, (), (result, func, args, kwargs))


fast_paths.install_fast_methods(LegacyTensor, _EXACT, _OVERRIDES, _fast_arguments, _fast_result)

# `loss.data[0]`, the 0.3 idiom read once per training step: the element of a one-element 1-D tensor
# read with `item()` (the same number `_as_number` makes of the indexed 0-dim tensor) rather than by
# indexing, whose C++ path is cold right after a step's large kernels. The tensor's own C methods
# are called with dispatch off (on a LegacyTensor they would each cross the protocol). Every other
# key takes the fast path above.
_indexed = LegacyTensor.__getitem__
_ITEM = torch._C.TensorBase.item
_DIM = torch._C.TensorBase.dim
_dispatch_enabled = torch._C._is_torch_function_enabled
_mode_active = torch._C._is_torch_function_mode_enabled
_NOT_ONE = object()


def _only_element(tensor):
    return _ITEM(tensor) if _DIM(tensor) == 1 and _NUMEL(tensor) == 1 else _NOT_ONE


def __getitem__(self, key):
    if type(key) is int and (key == 0 or key == -1) and id(type(self)) in _EXACT and _dispatch_enabled() \
            and not _mode_active():
        number = _disabled(_only_element, (), (self,))
        if number is not _NOT_ONE:
            warn_legacy("x.data[i] on a one-element tensor gave a Python number before 0.4: write x.item().")
            return int(number) if isinstance(number, bool) else number
    return _indexed(self, key)


__getitem__.__qualname__ = "LegacyTensor.__getitem__"
LegacyTensor.__getitem__ = __getitem__
