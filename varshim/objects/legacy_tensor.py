"""`LegacyTensor`: what `Variable.data` returns, a tensor with PyTorch 0.3 Tensor semantics.

Before 0.4 a Tensor had no 0-dim results: indexing a single element and full reductions gave
Python numbers, so `loss.data[0]` was a float and `(pred == y).data.sum()` an int (pytorch/pytorch
v0.3.1 `torch/tensor.py`; the 0.4.0 migration guide). Modern spelling: `.item()`.

Copies: `copy.deepcopy` gives a LegacyTensor with its own storage (shared storages copied once, as
0.3's `Tensor.__deepcopy__` did); pickling writes a plain tensor, so files the legacy program saves
load in any torch process, with or without varshim (0.3 tensors had no second class to record).
"""

import torch

from ..legacy_warnings import warn_legacy
from . import printing
from .tensor_rules import OVERRIDES as _OVERRIDES

__all__ = ["LegacyTensor"]

_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_Tensor = torch.Tensor
_GETITEM = _Tensor.__getitem__
_UNBIND = _Tensor.unbind


class LegacyTensor(_Tensor):
    """A plain tensor whose 0-dim results are Python numbers, as in 0.3."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if not all(issubclass(cls, t) for t in types):
            return NotImplemented  # a Variable among the arguments decides
        with _DisableSubclass():
            result = _OVERRIDES.get(func, func)(*args, **(kwargs or {}))  # 0.3 meanings: tensor_rules
            return _wrap(result, func, args)

    def __repr__(self, *, tensor_contents=None):
        return printing.tensor_repr(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with _DisableSubclass():
            alias = self.as_subclass(_Tensor)
            copy = _Tensor.__deepcopy__(alias, memo)  # storages are memoised by address, so shared ones stay shared
        del memo[id(alias)]  # the alias dies here and the next one may get its id
        copy.__class__ = LegacyTensor
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol):
        with _DisableSubclass():
            return self.as_subclass(_Tensor).__reduce_ex__(protocol)

    __str__ = __repr__


def _wrap(result, func, args):
    kind = type(result)
    if kind is _Tensor:
        if any(arg is result for arg in args):
            return result  # in-place on a plain tensor the caller owns
        if result.dim() == 0:
            return _as_number(result, func)
        result.__class__ = LegacyTensor  # fresh result: re-class it rather than alias it
        return result
    if isinstance(result, (tuple, list)) and kind is not torch.Size:
        items = [_wrap(item, func, args) for item in result]
        return kind(*items) if hasattr(kind, "_fields") else kind(items)
    return result


def _as_number(scalar, func):
    name = getattr(func, "__name__", "op")
    if func is _GETITEM:
        warn_legacy("x.data[i] on a one-element tensor gave a Python number before 0.4: write x.item().")
    elif func is _UNBIND:  # `for v in t` (Tensor.__iter__ is unbind)
        warn_legacy("iterating over a 1-D tensor gave Python numbers before 0.4: iterate over t.tolist().")
    else:
        warn_legacy(f"t.{name}() on a tensor gave a Python number before 0.4: write t.{name}().item().")
    number = scalar.item()
    return int(number) if isinstance(number, bool) else number  # ByteTensor values were ints
