"""`TensorDataset(data_tensor=x, target_tensor=y)`: the PyTorch 0.1-0.3 signature.

Before 0.4 `TensorDataset.__init__(self, data_tensor, target_tensor)` stored the two tensors as
`data_tensor` and `target_tensor` (pytorch/pytorch v0.3.1 `torch/utils/data/dataset.py`); 0.4 made
it `TensorDataset(*tensors)` with `.tensors`. Modern torch raises TypeError on the keywords and
AttributeError on the attributes, so these patches (`varshim.patches`) only change calls that fail.
Modern spelling: `TensorDataset(x, y)` and `dataset.tensors[0]`, `dataset.tensors[1]`.
"""

from torch.utils.data import TensorDataset

from ..legacy_warnings import warn_legacy

__all__ = ["tensor_dataset_init", "data_tensor", "target_tensor"]

_modern_init = TensorDataset.__init__
_LEGACY_KEYWORDS = ("data_tensor", "target_tensor")


def tensor_dataset_init(self, *tensors, **legacy):
    """`TensorDataset(*tensors)`, also accepting the 0.3 keywords `data_tensor`, `target_tensor`."""
    if legacy:
        unknown = sorted(set(legacy) - set(_LEGACY_KEYWORDS))
        if unknown:
            raise TypeError(f"TensorDataset.__init__() got an unexpected keyword argument '{unknown[0]}'")
        if "data_tensor" in legacy and tensors:
            raise TypeError("TensorDataset.__init__() got multiple values for argument 'data_tensor'")
        warn_legacy(
            "TensorDataset(data_tensor=x, target_tensor=y) is the 0.3 signature: write TensorDataset(x, y)."
        )
        tensors += tuple(legacy[name] for name in _LEGACY_KEYWORDS if name in legacy)
    _modern_init(self, *tensors)


class _LegacyAttribute:
    """0.3's `TensorDataset.<name>`: `tensors[index]`.

    A non-data descriptor (no `__set__`): an attribute of that name on the instance wins, so a
    subclass that sets `self.data_tensor = x` stores and reads its own value, as on modern torch.
    Without such a tensor it raises AttributeError, as modern torch does (so `hasattr` is False)."""

    def __init__(self, index, name):
        self.index, self.name = index, name
        self.__doc__ = f"0.3's `TensorDataset.{name}`: `tensors[{index}]`."

    def __get__(self, dataset, owner=None):
        if dataset is None:
            return self
        tensors = getattr(dataset, "tensors", ())
        if len(tensors) <= self.index:
            raise AttributeError(f"'{type(dataset).__name__}' object has no attribute '{self.name}'")
        warn_legacy(f"TensorDataset.{self.name} was removed in 0.4: write dataset.tensors[{self.index}].")
        return tensors[self.index]


data_tensor = _LegacyAttribute(0, "data_tensor")
target_tensor = _LegacyAttribute(1, "target_tensor")
