"""The only changes varshim makes to torch itself: module-level names that legacy code reaches.

Each row is one named, reversible unit (docs/compatibility.md has one row per unit). Everything
else varshim does lives on legacy objects (`Variable`, `LegacyTensor`) and never touches plain
tensors.
"""

import torch
import torch.autograd.variable
from torch.utils.data import TensorDataset

from . import backward, clip_grad, datasets, function, legacy_dtypes, serialization
from .variable import Variable

__all__ = ["Patch", "PATCHES"]

_ABSENT = object()


class Patch:
    """Replace `owner.attribute` with `replacement`; `revert` puts back exactly what was there."""

    def __init__(self, name, owner, attribute, replacement):
        self.name = name
        self.owner = owner
        self.attribute = attribute
        self.replacement = replacement
        self._original = _ABSENT
        self.applied = False

    def apply(self):
        if self.applied:
            return
        self._original = self.owner.__dict__.get(self.attribute, _ABSENT)
        setattr(self.owner, self.attribute, self.replacement)
        self.applied = True

    def revert(self):
        if not self.applied:
            return
        if self._original is _ABSENT:
            delattr(self.owner, self.attribute)
        else:
            setattr(self.owner, self.attribute, self._original)
        self._original = _ABSENT
        self.applied = False

    def __repr__(self):
        state = "applied" if self.applied else "reverted"
        return f"<Patch {self.name}: {self.owner.__name__}.{self.attribute} ({state})>"


PATCHES = (
    Patch("variable", torch.autograd, "Variable", Variable),
    Patch("variable-module", torch.autograd.variable, "Variable", Variable),
    Patch("autograd-backward", torch.autograd, "backward", backward.backward),
    Patch("autograd-grad", torch.autograd, "grad", backward.grad),
    Patch("function-call", torch.autograd.Function, "__call__", function.legacy_call),
    Patch("function-init", torch.autograd.Function, "__init__", function.legacy_init),
    Patch("tensordataset-keywords", TensorDataset, "__init__", datasets.tensor_dataset_init),
    Patch("tensordataset-data-tensor", TensorDataset, "data_tensor", datasets.data_tensor),
    Patch("tensordataset-target-tensor", TensorDataset, "target_tensor", datasets.target_tensor),
    Patch("torch-save", torch, "save", serialization.save),
    Patch("torch-load", torch, "load", serialization.load),
    Patch("arange-legacy-float", torch, "arange", legacy_dtypes.arange),
    Patch("clip-grad-norm", torch.nn.utils, "clip_grad_norm", clip_grad.clip_grad_norm),
    Patch("clip-grad-norm-module", torch.nn.utils.clip_grad, "clip_grad_norm", clip_grad.clip_grad_norm),
)
