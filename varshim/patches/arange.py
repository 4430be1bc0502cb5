"""`torch.arange` on integers returns floats when the legacy program's own files call it.

Before 0.4, `torch.arange(-2, 4)` returned the default tensor type, a FloatTensor (pytorch/pytorch
v0.3.1 `torch/functional.py` docs and `TH` `arange` on real types); 0.4 made integer arguments
give int64 (`torch.range` still returns the default float type). Legacy code relies on the float
(`Variable(torch.arange(0, 5), requires_grad=True)`, `scatter_` of float sources into it).

Rule: a call with integer arguments and no `dtype`/`out`, made from a file of a program written
for 0.3 (`varshim.legacy_program.targets_before("0.4")`: the script's folder under `varshim run`
when the program is 0.3 code, a module that imports Variable from varshim), gets the default float
dtype, with a `LegacyTorchWarning`, as a 0.3 Tensor (`varshim.patches.program_tensors`). Every other
caller -- libraries, tests, programs written for 0.4 or later -- gets modern int64. Everywhere,
`Variable(int_tensor, requires_grad=True)` still makes a float copy (`varshim.objects.variable`).
Modern spelling: `torch.arange(-2, 4, dtype=torch.float32)`.
"""

import torch

from ..legacy_program import targets_before
from ..legacy_warnings import call_as_caller, warn_legacy
from ..objects.legacy_tensor import as_legacy

__all__ = ["arange"]

_modern_arange = torch.arange


def arange(*args, **kwargs):
    """`torch.arange`; float results for integer arguments when called from the legacy program."""
    if "dtype" not in kwargs and "out" not in kwargs and targets_before("0.4"):
        if all(type(arg) is int for arg in args) and all(type(v) is int for v in kwargs.values()):
            warn_legacy(
                "torch.arange on integers gave a FloatTensor before 0.4: write "
                "torch.arange(..., dtype=torch.float32), or keep int64 where you need indices."
            )
            kwargs = dict(kwargs, dtype=torch.get_default_dtype())
            return as_legacy(call_as_caller(_modern_arange, args, kwargs))
        if not kwargs.keys() & {"device", "layout", "requires_grad", "pin_memory"}:
            return as_legacy(call_as_caller(_modern_arange, args, kwargs))
    # torch's own warnings (e.g. resizing `out=`) name the caller's line, as without varshim
    return call_as_caller(_modern_arange, args, kwargs)
