"""Results torch 2.13 computes without error that code written for an older torch expected
otherwise, restored for the legacy program's own files when the program targets a release before
the change. Every other file, torch's own code and every program written for a later release get
torch's result.

| change | legacy result | modern spelling |
|---|---|---|
| integer `/` (1.5 made it an error, 1.7 true division) | truncated toward zero | `torch.div(a, b, rounding_mode='trunc')` |
| `torch.full(size, 1)` (1.7 infers the dtype) | the default float dtype | `torch.full(size, 1.0)` |
| `//`, `floor_divide` (1.13 made it floor division) | truncated toward zero | `torch.div(a, b, rounding_mode='trunc')` |

Sources: pytorch/pytorch.github.io `docs/1.6.0/generated/torch.full.html` ("In PyTorch 1.7, ...
an integral fill_value will return a tensor of torch.long dtype"); torch 2.13
`torch/_torch_docs.py` `floor_divide` ("Before PyTorch 1.13 torch.floor_divide incorrectly
performed truncation division"); 1.5-1.6 `test/test_foreach.py` ("Integer division of tensors
using div or / is no longer supported") and v0.3.1 `THTensor_(div)` (C division, see
`varshim.objects.tensor_rules`).

Every rule asks `varshim.legacy_program.targets_before(release)` about its caller's file (the
program's release: `varshim run --written-for 1.4`, ...). The patches (`torch.full`, and the
operators, hot in modern code: `OPERATOR_ROWS`) exist only while a program that targets a release
before their change runs (Patch `before`), so modern processes never pay for them.
"""

import torch

from ..legacy_program import targets_before
from ..legacy_warnings import warn_legacy
from ..objects.tensor_rules import is_integral
from .removed_apis.torchscript import as_builtin_op

__all__ = ["full", "OPERATOR_ROWS", "TRUE_DIVISION", "INFERRED_FULL", "FLOOR_DIVISION"]

TRUE_DIVISION = (1, 5)  # integer `/` refused from 1.5, true division from 1.7
INFERRED_FULL = (1, 7)
FLOOR_DIVISION = (1, 13)


_has_torch_function = torch._C._has_torch_function_variadic
_handle_torch_function = torch.overrides.handle_torch_function
_Tensor = torch.Tensor
_modern_full = torch.full


@as_builtin_op("aten::full")
def full(size, fill_value, *args, **kwargs):
    """`torch.full`; an int or bool fill gives the default float dtype to a program written before 1.7."""
    if (type(fill_value) in (int, bool) and not args and "dtype" not in kwargs and "out" not in kwargs
            and targets_before(INFERRED_FULL)):
        warn_legacy("torch.full with an integer or bool fill gave the default float dtype before 1.7: "
                    "write torch.full(size, 1.0) (or dtype=torch.float32).")
        return _modern_full(size, fill_value, dtype=torch.get_default_dtype(), **kwargs)
    return _modern_full(size, fill_value, *args, **kwargs)


def _truncating(original, dispatched_as, release, idiom, legacy, applies, method):
    """`original(a, b)`; `legacy(a, b)` where `applies(a, b)` in a program written before `release`.
    A method's first parameter is `self`, a function's `input` (torch's names, for keyword calls)."""

    depth = 1 if method else 2  # the caller of `function` below

    def patched(self, other, *args, **kwargs):
        if _has_torch_function(self, other):  # subclasses see what torch would have passed them
            return _handle_torch_function(dispatched_as, (self, other), self, other, *args, **kwargs)
        if not args and not kwargs and applies(self, other) and targets_before(release, depth):
            warn_legacy(f"{idiom} truncated toward zero before {release[0]}.{release[1]}: write "
                        "torch.div(a, b, rounding_mode='trunc').")
            return legacy(self, other)
        return original(self, other, *args, **kwargs)

    if method:
        patched.__name__ = patched.__qualname__ = original.__name__
        return patched

    def function(input, other, *args, **kwargs):
        return patched(input, other, *args, **kwargs)

    function.__name__ = function.__qualname__ = original.__name__
    return function


def _integers(a, b):
    return is_integral(a) and is_integral(b)


def _any(a, b):
    return True


def _trunc(a, b):
    return torch.div(a, b, rounding_mode="trunc")


def _trunc_reflected(a, b):
    return torch.div(b, a, rounding_mode="trunc")


def _trunc_inplace(a, b):
    return a.div_(b, rounding_mode="trunc")


def _rows(release, idiom, applies, specs):
    rows = []
    for name, owner, attribute, dispatched_as, legacy in specs:
        replacement = _truncating(getattr(owner, attribute), dispatched_as, release, idiom, legacy, applies,
                                  method=owner is not torch)
        if owner is torch:  # TorchScript reads the module-level functions as their aten ops
            as_builtin_op(f"aten::{attribute}")(replacement)
        rows.append((release, name, owner, attribute, replacement))
    return tuple(rows)


# (release of the change, patch name, owner, attribute, replacement); subclasses are dispatched
# with the function torch itself passes them (`x / y` reaches __torch_function__ as Tensor.div).
OPERATOR_ROWS = _rows(TRUE_DIVISION, "integer `/`", _integers, (
    ("truediv-integer-trunc", _Tensor, "__truediv__", _Tensor.div, _trunc),
    ("itruediv-integer-trunc", _Tensor, "__itruediv__", _Tensor.div_, _trunc_inplace),
    ("div-integer-trunc", _Tensor, "div", _Tensor.div, _trunc),
    ("div-inplace-integer-trunc", _Tensor, "div_", _Tensor.div_, _trunc_inplace),
    ("torch-div-integer-trunc", torch, "div", torch.div, _trunc),
)) + _rows(FLOOR_DIVISION, "`//` (floor_divide)", _any, (
    ("floordiv-trunc", _Tensor, "__floordiv__", _Tensor.__floordiv__, _trunc),
    ("rfloordiv-trunc", _Tensor, "__rfloordiv__", _Tensor.__rfloordiv__, _trunc_reflected),
    ("ifloordiv-trunc", _Tensor, "__ifloordiv__", _Tensor.floor_divide_, _trunc_inplace),
    ("floor-divide-trunc", _Tensor, "floor_divide", _Tensor.floor_divide, _trunc),
    ("floor-divide-inplace-trunc", _Tensor, "floor_divide_", _Tensor.floor_divide_, _trunc_inplace),
    ("torch-floor-divide-trunc", torch, "floor_divide", torch.floor_divide, _trunc),
))
