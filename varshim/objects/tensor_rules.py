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
"""

import torch

from ..legacy_warnings import warn_legacy

__all__ = ["OVERRIDES", "bool_mask", "bool_key", "is_integral"]

_Tensor = torch.Tensor


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


def _table():
    table = {}
    for func in (torch.dot, _Tensor.dot):
        table[func] = _flat_dot(func)
    masked = (_Tensor.masked_fill, _Tensor.masked_fill_, _Tensor.masked_select, _Tensor.masked_scatter,
              _Tensor.masked_scatter_, torch.masked_fill, torch.masked_select, torch.masked_scatter)
    for func in masked:
        table[func] = _byte_mask(func)
    for func in (_Tensor.__getitem__, _Tensor.__setitem__):
        table[func] = _byte_index(func)
    for func in (torch.div, _Tensor.div, _Tensor.div_):
        table[func] = _c_division(func)
    return table


OVERRIDES = _table()
