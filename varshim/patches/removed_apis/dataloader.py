"""Private names of `torch.utils.data.dataloader` that 0.4-1.1 code imported.

`torch/utils/data/dataloader.py` up to 1.0 held the whole loader: `_DataLoaderIter` (split in 1.2
into `_SingleProcessDataLoaderIter` and `_MultiProcessingDataLoaderIter`; subclassed by data
prefetchers), `numpy_type_map` (copied with `default_collate` into countless custom collate
functions; 1.1 moved it to `_utils/collate.py`, later versions dropped it when `default_collate`
switched to `torch.as_tensor`), the worker flag `_use_shared_memory`, `pin_memory_batch` (now
`_utils.pin_memory.pin_memory`), and the `torch._six` names it imported (`string_classes`,
`int_classes`). Each is served by a module `__getattr__` (PEP 562), reached only for names the
module does not have, with a `LegacyTorchWarning` naming the modern spelling.
"""

import torch
import torch.utils.data._utils.pin_memory

from .module_names import removed_names

__all__ = ["DataLoaderIter", "dataloader_getattr", "collate_getattr"]


class DataLoaderIter:
    """The 1.0 `_DataLoaderIter(loader)`: iterates `loader` as `iter(loader)` does today.

    The work is done by the iterator modern torch makes (`DataLoader._get_iterator()`, torch >= 1.7);
    the 1.0 attributes subclasses read are set, and other attributes are read from that iterator.
    """

    def __init__(self, loader):
        self._iterator = loader._get_iterator()
        self.dataset = loader.dataset
        self.collate_fn = loader.collate_fn
        self.batch_sampler = loader.batch_sampler
        self.num_workers = loader.num_workers
        self.pin_memory = loader.pin_memory
        self.timeout = loader.timeout
        self.sample_iter = self._iterator._sampler_iter

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iterator)

    next = __next__  # the Python 2 name 1.0 kept

    def __len__(self):
        return len(self._iterator)

    def __getattr__(self, name):
        if name == "_iterator":
            raise AttributeError(name)
        return getattr(self._iterator, name)


DataLoaderIter.__name__ = DataLoaderIter.__qualname__ = "_DataLoaderIter"

_NUMPY_TYPE_MAP = {
    "float64": torch.DoubleTensor,
    "float32": torch.FloatTensor,
    "float16": torch.HalfTensor,
    "int64": torch.LongTensor,
    "int32": torch.IntTensor,
    "int16": torch.ShortTensor,
    "int8": torch.CharTensor,
    "uint8": torch.ByteTensor,
}
_TYPE_MAP_MODERN = "torch.as_tensor(array) (keeps the NumPy dtype)"

# name -> (value, the modern spelling)
_COLLATE = {
    "numpy_type_map": (_NUMPY_TYPE_MAP, _TYPE_MAP_MODERN),
    "_use_shared_memory": (False, "torch.utils.data.get_worker_info() is not None"),
    "string_classes": ((str, bytes), "(str, bytes)"),
    "int_classes": (int, "int"),
}
_DATALOADER = {
    **_COLLATE,
    "_DataLoaderIter": (DataLoaderIter, "iter(loader) (or subclass DataLoader and override __iter__)"),
    "pin_memory_batch": (torch.utils.data._utils.pin_memory.pin_memory,
                         "torch.utils.data._utils.pin_memory.pin_memory"),
}


_REMOVED = "{module}.{name} was removed from torch: write {modern}."
dataloader_getattr = removed_names("torch.utils.data.dataloader", _DATALOADER, _REMOVED)
collate_getattr = removed_names("torch.utils.data._utils.collate", _COLLATE, _REMOVED)
