"""APIs of torch 0.4-1.13 that torch 2.x removed, restored where modern torch raises.

One module per family: `six` (`torch._six`), `linalg` (`symeig`, `eig`, `lstsq`, `solve`,
`matrix_rank`, the 1.0/1.1 LAPACK names), `spectral` (the 1.7 `torch.fft`/`rfft`/..., real
`stft`/`istft`), `masks` (`1 - mask`, ByteTensor masks), `dataloader` (private loader names).
Each restored name calls the modern function that replaced it and warns once per call site with a
`LegacyTorchWarning` naming that function. Every row of `ROWS` and `HOT_ROWS` becomes one named, reversible
`Patch` of `varshim.patches.PATCHES`: a global patch is allowed here because each patched name
raises on modern torch (AttributeError, ImportError, or its "was removed" / "not supported"
RuntimeError), and calls torch accepts go to torch unchanged. docs/compatibility.md, section
"0.4-1.13 code on torch 2.x", has the sources and the release that removed each.
"""

import sys

import torch
import torch.utils.data._utils.collate
import torch.utils.data.dataloader

from . import dataloader, linalg, masks, six, spectral

__all__ = ["ROWS", "HOT_ROWS"]


def _slug(name):
    """`masked_fill_` -> `masked-fill-inplace`, `__rsub__` -> `rsub`."""
    if name.startswith("__"):
        return name.strip("_")
    return name.rstrip("_").replace("_", "-") + ("-inplace" if name.endswith("_") else "")


def _rows(prefix, owner, replacements):
    return [(f"{prefix}-{_slug(name)}", owner, name, value) for name, value in replacements.items()]


# (patch name, owner, attribute, replacement)
ROWS = (
    ("torch-six", torch, "_six", six.module),
    ("torch-six-import", sys.modules, "torch._six", six.module),
    *_rows("linalg", torch, linalg.FUNCTIONS),
    *_rows("linalg-method", torch.Tensor, linalg.METHODS),
    ("fft-callable", torch.fft, "__class__", spectral.CallableFFT),
    *_rows("fft", torch, spectral.FUNCTIONS),
    *_rows("fft-method", torch.Tensor, spectral.METHODS),
    ("stft-real", torch, "stft", spectral.stft),
    ("istft-real", torch, "istft", spectral.istft),
    ("dataloader-names", torch.utils.data.dataloader, "__getattr__", dataloader.dataloader_getattr),
    ("collate-names", torch.utils.data._utils.collate, "__getattr__", dataloader.collate_getattr),
)

# Rows on operators modern code calls in its inner loops (`-x`, `1 - x`, `x[m] = v`, masked_fill):
# a replacement is a Python call over torch's (about 0.1-0.3 us), so these exist only while a
# legacy program runs (`Patch(..., while_running=True)`), and code that merely imports varshim
# calls torch's own operators.
HOT_ROWS = (
    *_rows("mask", torch, masks.FUNCTIONS),
    *_rows("mask-method", torch.Tensor, masks.METHODS),
)
