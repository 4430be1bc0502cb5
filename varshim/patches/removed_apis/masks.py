"""Masks of 0.4-1.1 code: arithmetic on comparison results, and ByteTensor masks.

- Comparisons returned uint8 tensors until 1.2, so `1 - (src == 0)` inverted a mask
  (`x.masked_fill_(1 - mask, -inf)`, PreSumm and OpenNMT of 2019). 1.2 made comparisons bool and
  `-` on bool tensors an error ("Subtraction, the `-` operator, with a bool tensor is not
  supported"). Where torch raises that error for `number - mask` or `-mask`, varshim reads the bool
  tensor as the uint8 tensor 1.1 had and computes the uint8 result (`1 - mask` a uint8 mask,
  `-mask` 255 where True, as uint8 arithmetic wraps). `mask - number` (`Tensor.__sub__`, the
  hottest operator of modern code) is left to torch's error.
- ByteTensor masks in `masked_fill`, `masked_select`, `masked_scatter` and `x[mask] = v` (values 0
  or 1; deprecated from 1.2 with a warning) are errors since torch 2.x; varshim uses them as the bool
  masks they stood for, with the rule legacy objects already follow (`varshim.objects.tensor_rules.bool_mask`).

These are hot operators of modern code, so the rows exist only while a legacy program runs
(`removed_apis.HOT_ROWS`): code that merely imports varshim calls torch's own. Every replacement
changes nothing torch accepts: torch is called first and only its RuntimeError
is followed by the legacy reading (`masked_scatter`, which warns before it refuses a uint8 mask,
has its mask read first). Tensor subclasses and torch-function modes are dispatched with
torch's own function, as if varshim were not there.
"""

import torch

from ...objects.tensor_rules import bool_key, bool_mask
from ...legacy_warnings import warn_legacy
from .torchscript import as_builtin_op

__all__ = ["FUNCTIONS", "METHODS"]

# Each replacement is one Python call on top of torch's (about 0.1 us, measured in
# benchmarks/bench_core.py): fixed signatures, torch called first, the legacy reading only after
# torch's RuntimeError.
_has_torch_function = torch._C._has_torch_function_variadic
_handle_torch_function = torch.overrides.handle_torch_function
_Tensor = torch.Tensor
_uint8 = torch.uint8
_rsub, _neg, _setitem = _Tensor.__rsub__, _Tensor.__neg__, _Tensor.__setitem__
_masked_fill, _masked_fill_, _masked_select = _Tensor.masked_fill, _Tensor.masked_fill_, _Tensor.masked_select
_masked_scatter, _masked_scatter_ = _Tensor.masked_scatter, _Tensor.masked_scatter_


def _uint8_view(mask, refusal):
    if not (isinstance(mask, _Tensor) and mask.dtype is torch.bool):
        raise refusal
    return mask.to(_uint8)


def __rsub__(self, other):
    """`number - mask`: torch's, or 1.1's uint8 arithmetic where torch refuses a bool mask."""
    try:
        return _rsub(self, other)  # torch's own __rsub__ dispatches subclasses itself
    except RuntimeError as error:
        refusal = error
    mask = _uint8_view(self, refusal)
    warn_legacy("`number - mask` on a comparison result was uint8 arithmetic before 1.2 (comparisons "
                "returned uint8): write ~mask to invert a mask, or 1 - mask.byte() for the uint8 tensor.")
    return _rsub(mask, other)


def __neg__(self):
    """`-mask`: torch's, or 1.1's uint8 negation (255 where True) where torch refuses a bool mask."""
    try:
        return _neg(self)  # Tensor.neg dispatches subclasses as Tensor.neg, which varshim leaves alone
    except RuntimeError as error:
        refusal = error
    mask = _uint8_view(self, refusal)
    warn_legacy("`-mask` on a comparison result negated a uint8 tensor before 1.2 (255 where True): write "
                "~mask to invert a mask, or -mask.byte() for the uint8 values.")
    return _neg(mask)


def _bool_view(mask, refusal):
    if not (isinstance(mask, _Tensor) and mask.dtype is _uint8):
        raise refusal
    return bool_mask(mask)


def _scatter_mask(mask):
    # masked_scatter warns that uint8 masks are deprecated before it refuses them: read them first
    return bool_mask(mask) if isinstance(mask, _Tensor) and mask.dtype is _uint8 else mask


# The masked methods and x[key] = v. Torch dispatches a subclass (a Variable) to the function it
# finds on Tensor, now this one: it is sent on with torch's own, as if varshim were not there.

def masked_fill(self, mask, value):
    if _has_torch_function(self, mask):
        return _handle_torch_function(_masked_fill, (self, mask), self, mask, value)
    try:
        return _masked_fill(self, mask, value)
    except RuntimeError as error:
        refusal = error
    return _masked_fill(self, _bool_view(mask, refusal), value)


def masked_fill_(self, mask, value):
    if _has_torch_function(self, mask):
        return _handle_torch_function(_masked_fill_, (self, mask), self, mask, value)
    try:
        return _masked_fill_(self, mask, value)
    except RuntimeError as error:
        refusal = error
    return _masked_fill_(self, _bool_view(mask, refusal), value)


def masked_select(self, mask):
    if _has_torch_function(self, mask):
        return _handle_torch_function(_masked_select, (self, mask), self, mask)
    try:
        return _masked_select(self, mask)
    except RuntimeError as error:
        refusal = error
    return _masked_select(self, _bool_view(mask, refusal))


def masked_scatter(self, mask, source):
    if _has_torch_function(self, mask, source):
        return _handle_torch_function(_masked_scatter, (self, mask, source), self, mask, source)
    return _masked_scatter(self, _scatter_mask(mask), source)


def masked_scatter_(self, mask, source):
    if _has_torch_function(self, mask, source):
        return _handle_torch_function(_masked_scatter_, (self, mask, source), self, mask, source)
    return _masked_scatter_(self, _scatter_mask(mask), source)


def __setitem__(self, key, value):
    if _has_torch_function(self, value):
        return _handle_torch_function(_setitem, (self, value), self, key, value)
    try:
        return _setitem(self, key, value)
    except RuntimeError as error:
        refusal = error
    converted = bool_key(key)
    if converted is None:
        raise refusal
    return _setitem(self, converted, value)


_fill, _select, _scatter = torch.masked_fill, torch.masked_select, torch.masked_scatter


@as_builtin_op("aten::masked_fill")
def torch_masked_fill(input, mask, value):
    if _has_torch_function(input, mask):
        return _handle_torch_function(_fill, (input, mask), input, mask, value)
    try:
        return _fill(input, mask, value)
    except RuntimeError as error:
        refusal = error
    return _fill(input, _bool_view(mask, refusal), value)


@as_builtin_op("aten::masked_select")
def torch_masked_select(input, mask, *, out=None):
    if _has_torch_function(input, mask):
        return _handle_torch_function(_select, (input, mask), input, mask, out=out)
    try:  # out=None is not passed on: torch would parse it as a keyword, a slower path
        return _select(input, mask) if out is None else _select(input, mask, out=out)
    except RuntimeError as error:
        refusal = error
    mask = _bool_view(mask, refusal)
    return _select(input, mask) if out is None else _select(input, mask, out=out)


@as_builtin_op("aten::masked_scatter")
def torch_masked_scatter(input, mask, source):
    if _has_torch_function(input, mask, source):
        return _handle_torch_function(_scatter, (input, mask, source), input, mask, source)
    return _scatter(input, _scatter_mask(mask), source)


METHODS = {f.__name__: f for f in (
    __rsub__, __neg__, __setitem__, masked_fill, masked_fill_, masked_select, masked_scatter, masked_scatter_,
)}
FUNCTIONS = {"masked_fill": torch_masked_fill, "masked_select": torch_masked_select, "masked_scatter": torch_masked_scatter}
