"""Private DataLoader names of 0.4-1.1 code (varshim.patches.removed_apis.dataloader)."""

import numpy
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import varshim
from tests.support.legacy_program import modern_torch, run

COLLATE = """
import numpy, torch, re
from torch.utils.data.dataloader import numpy_type_map, _use_shared_memory
from torch.utils.data._utils.collate import int_classes, string_classes

def collate(batch):  # the 0.4 default_collate branch for NumPy arrays, as copied into many repos
    elem = batch[0]
    if isinstance(elem, numpy.ndarray):
        return torch.stack([torch.from_numpy(b) for b in batch], 0)
    if type(elem).__module__ == 'numpy' and elem.shape == ():
        py_type = float if elem.dtype.name.startswith('float') else int
        return numpy_type_map[elem.dtype.name](list(map(py_type, batch)))
    if isinstance(elem, int_classes):
        return torch.LongTensor(batch)
    raise TypeError(type(elem))

batch = collate([numpy.float32(1.5), numpy.float32(2.5)])
labels = collate([1, 2])
"""


def test_modern_torch_has_no_numpy_type_map():
    with modern_torch(), pytest.raises(ImportError, match="numpy_type_map"):
        run(COLLATE)


def test_a_copied_collate_function_runs():
    ns = run(COLLATE)
    assert ns["batch"].dtype == torch.float32 and ns["batch"].tolist() == [1.5, 2.5]
    assert ns["labels"].tolist() == [1, 2] and ns["_use_shared_memory"] is False
    # `==`: while a 0.3 program runs, torch.ByteTensor is a stand-in equal to torch's type
    assert ns["numpy_type_map"]["uint8"] == torch.ByteTensor and len(ns["numpy_type_map"]) == 8


def _loader():
    return DataLoader(TensorDataset(torch.arange(10.0)), batch_size=3)


def test_dataloaderiter_iterates_as_iter_does():
    from torch.utils.data.dataloader import _DataLoaderIter

    loader = _loader()
    legacy = _DataLoaderIter(loader)
    assert iter(legacy) is legacy and len(legacy) == 4
    assert legacy.num_workers == 0 and legacy.dataset is loader.dataset and legacy.batch_sampler is loader.batch_sampler
    assert [b[0].tolist() for b in legacy] == [b[0].tolist() for b in iter(loader)]


def test_dataloaderiter_subclasses_of_prefetchers_work():
    from torch.utils.data.dataloader import _DataLoaderIter

    class Doubling(_DataLoaderIter):
        def __init__(self, loader):
            super().__init__(loader)
            self.seen = 0

        def __next__(self):
            (batch,) = super().__next__()
            self.seen += 1
            return batch * 2

    class DoublingLoader(DataLoader):
        def __iter__(self):
            return Doubling(self)

    loader = DoublingLoader(TensorDataset(torch.arange(4.0)), batch_size=2)
    assert [b.tolist() for b in loader] == [[0.0, 2.0], [4.0, 6.0]]


def test_names_warn_and_unknown_names_stay_attribute_errors():
    import torch.utils.data.dataloader as dataloader

    with pytest.warns(varshim.LegacyTorchWarning, match=r"torch\.as_tensor"):
        dataloader.numpy_type_map
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dataloader.nope
    assert numpy.float64(1) and dataloader.default_collate  # modern names are torch's
