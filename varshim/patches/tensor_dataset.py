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


def _legacy_attribute(index, name):
    def get(self):
        warn_legacy(f"TensorDataset.{name} was removed in 0.4: write dataset.tensors[{index}].")
        return self.tensors[index]

    return property(get, doc=f"0.3's `TensorDataset.{name}`: `tensors[{index}]`.")


data_tensor = _legacy_attribute(0, "data_tensor")
target_tensor = _legacy_attribute(1, "target_tensor")
