"""Tensor operations whose PyTorch 0.3 meaning differs from torch 2.13, for legacy objects only.

`OVERRIDES` maps a torch function to its legacy implementation. `Variable` and `LegacyTensor`
look an operation up there (one dict lookup) and run the override with subclass dispatch disabled,
so plain tensors never see these rules. Each override restores one 0.3 behavior (sources in
docs/compatibility.md, "Data, tensor and checkpoint APIs"):

- `dot` on N-D tensors: TH's `THTensor_(dot)` walked both tensors as flat vectors of equal length
  (pytorch/pytorch v0.3.1 `torch/lib/TH/generic/THTensorMath.c`). Modern: 1-D only.
- ByteTensor masks: 0.3 masks were uint8 (`THTensor_(maskedFill)`, `maskedSelect`, `maskedCopy`
  take a `THByteTensor`, values 0 or 1). Modern: bool masks.
- `/` between integer tensors: `THTensor_(div)`/`cdiv` used C division, which truncates toward
  zero. Modern `/` is true division (float result); modern spelling `rounding_mode='trunc'`.
- copies by element count: `s[:, 0] = o` and `s.copy_(o)` with `o` of another shape that does not
  broadcast to the target but holds as many elements were copied element by element in index
  order (`THTensor_(copy)` is `TH_TENSOR_APPLY2`; the fallback of 0.2-0.3 broadcasting,
  `docs/0.3.1/notes/broadcasting.html` "Backwards compatibility"). Modern: an expand error.
- loss targets of another shape with the same element count: `varshim.objects.loss_targets`.
"""

import torch

from ..legacy_warnings import warn_legacy
from . import loss_targets

__all__ = ["OVERRIDES", "bool_mask", "bool_key", "is_integral"]

_Tensor = torch.Tensor
_GETITEM = _Tensor.__getitem__


# -- dot ------------------------------------------------------------------------------------------


def _flat_dot(func):
    def dot(input, other, *args, **kwargs):
        if isinstance(other, _Tensor) and (input.dim() != 1 or other.dim() != 1):
            if input.numel() != other.numel():
                raise RuntimeError(
                    f"dot: inconsistent tensor size, expected tensor {list(input.shape)} and src "
                    f"{list(other.shape)} to have the same number of elements (PyTorch 0.3 rule)"
                )
            warn_legacy(
                "x.dot(y) on tensors with more than one dimension treated them as flat vectors before "
                "0.4: write torch.dot(x.reshape(-1), y.reshape(-1))."
            )
            input, other = input.reshape(-1), other.reshape(-1)
        return func(input, other, *args, **kwargs)

    return dot


# -- ByteTensor masks -----------------------------------------------------------------------------


def bool_mask(mask):
    """A ByteTensor mask as the bool mask it stood for (values other than 0 and 1 were errors)."""
    if mask.numel() and mask.max() > 1:
        raise RuntimeError("Mask tensor can take 0 and 1 values only (a ByteTensor mask, PyTorch 0.3)")
    warn_legacy("ByteTensor masks were the 0.3 mask type: write mask.bool() (comparisons return bool since 1.2).")
    return mask.bool()


def _is_byte(value):
    return isinstance(value, _Tensor) and value.dtype is torch.uint8


def bool_key(key):
    """An index (`x[mask]`, `x[mask, 0]`) with its ByteTensor masks as bool masks; None if it has none."""
    if _is_byte(key):
        return bool_mask(key)
    if type(key) is tuple and any(map(_is_byte, key)):
        return tuple(bool_mask(item) if _is_byte(item) else item for item in key)
    return None


def _byte_mask(func):
    # masked_fill(self, mask, value), masked_select(self, mask), masked_scatter(self, mask, source)
    def masked(input, mask, *args, **kwargs):
        if _is_byte(mask):
            mask = bool_mask(mask)
        return func(input, mask, *args, **kwargs)

    return masked


def _byte_index(func):
    # x[mask], x[mask] = v, and tuples holding a mask (x[mask, 0])
    def index(input, key, *args):
        converted = bool_key(key)
        return func(input, key if converted is None else converted, *args)

    return index


# -- integer division -----------------------------------------------------------------------------


def is_integral(value):
    """An integer tensor or a Python int (bool excluded): what C division truncated."""
    if isinstance(value, _Tensor):
        return not (value.is_floating_point() or value.is_complex() or value.dtype is torch.bool)
    return type(value) is int


def _c_division(func):
    def div(input, other, *args, **kwargs):
        if not args and "rounding_mode" not in kwargs and is_integral(input) and is_integral(other):
            warn_legacy(
                "`/` between integer tensors truncated toward zero before 0.4 (C division): write "
                "torch.div(a, b, rounding_mode='trunc')."
            )
            kwargs["rounding_mode"] = "trunc"
        return func(input, other, *args, **kwargs)

    return div


# -- copies by element count ---------------------------------------------------------------------


def _by_count(target_shape, value):
    """Does 0.3 copy `value` into a target of `target_shape` element by element (torch could not)?"""
    return isinstance(value, _Tensor) and value.shape != target_shape and value.numel() == target_shape.numel()


def _warn_by_count(value_shape, target_shape):
    warn_legacy(
        f"copying a tensor of shape {list(value_shape)} into one of shape {list(target_shape)}: PyTorch 0.3 "
        "copied them element by element (same number of elements); torch broadcasts and cannot. "
        "Write target[...] = value.view(target[...].shape) (or value.view(-1))."
    )


def _element_count_setitem(setitem):
    def set_item(input, key, value):
        try:
            return setitem(input, key, value)
        except RuntimeError:
            with torch.no_grad():
                shape = _GETITEM(input, key).shape if isinstance(value, _Tensor) else None
            if shape is None or not _by_count(shape, value):
                raise
        value = value.reshape(shape)
        setitem(input, key, value)
        _warn_by_count(value.shape, shape)

    return set_item


def _element_count_copy(copy_):
    def copy(input, src, *args, **kwargs):
        try:
            return copy_(input, src, *args, **kwargs)
        except RuntimeError:
            if not _by_count(input.shape, src):
                raise
        result = copy_(input, src.reshape(input.shape), *args, **kwargs)
        _warn_by_count(src.shape, input.shape)
        return result

    return copy


def _table():
    table = {}
    for func in (torch.dot, _Tensor.dot):
        table[func] = _flat_dot(func)
    masked = (_Tensor.masked_fill, _Tensor.masked_fill_, _Tensor.masked_select, _Tensor.masked_scatter,
              _Tensor.masked_scatter_, torch.masked_fill, torch.masked_select, torch.masked_scatter)
    for func in masked:
        table[func] = _byte_mask(func)
    table[_Tensor.__getitem__] = _byte_index(_Tensor.__getitem__)
    table[_Tensor.__setitem__] = _byte_index(_element_count_setitem(_Tensor.__setitem__))
    table[_Tensor.copy_] = _element_count_copy(_Tensor.copy_)
    for func in (torch.div, _Tensor.div, _Tensor.div_):
        table[func] = _c_division(func)
    table.update(loss_targets.OVERRIDES)
    return table


OVERRIDES = _table()
