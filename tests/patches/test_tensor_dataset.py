"""`TensorDataset(data_tensor=x, target_tensor=y)` and its 0.3 attributes (varshim.patches.tensor_dataset)."""


import contextlib

import pytest
import torch
from torch.utils.data import TensorDataset

from varshim import LegacyTorchWarning
from tests.support.legacy_program import modern_torch, run

PROGRAM = """
import torch
from torch.utils.data import TensorDataset, DataLoader
x = torch.Tensor([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]])
y = torch.LongTensor([0, 1, 0, 1, 1])
train = TensorDataset(data_tensor=x, target_tensor=y)
loader = DataLoader(train, batch_size=2, shuffle=False)
batch_sums = [(data.sum(), target.sum()) for data, target in loader]
n = len(train)
third = train[2]
mean = train.data_tensor.mean()
positives = train.target_tensor.sum()
"""


def test_program_fails_on_modern_torch():
    with modern_torch(), pytest.raises(TypeError, match="data_tensor"):
        run(PROGRAM)


def test_program_runs_with_0_3_keywords_and_attributes():
    ns = run(PROGRAM)
    assert [(float(a), int(b)) for a, b in ns["batch_sums"]] == [(10.0, 1), (26.0, 1), (19.0, 1)]
    assert ns["n"] == 5
    assert torch.equal(ns["third"][0], torch.tensor([5.0, 6.0])) and int(ns["third"][1]) == 0
    assert float(ns["mean"]) == 5.5 and int(ns["positives"]) == 3


def test_keywords_warn_with_modern_spelling():
    x, y = torch.zeros(3, 2), torch.zeros(3)
    with pytest.warns(LegacyTorchWarning, match=r"write TensorDataset\(x, y\)"):
        TensorDataset(data_tensor=x, target_tensor=y)
    with pytest.warns(LegacyTorchWarning, match=r"dataset.tensors\[1\]"):
        TensorDataset(x, y).target_tensor
    assert TensorDataset(x, target_tensor=y).tensors[1] is y


def test_modern_calls_and_errors_unchanged():
    x, y = torch.zeros(3, 2), torch.zeros(3)
    assert TensorDataset(x, y).tensors == (x, y)
    with pytest.raises(TypeError, match="unexpected keyword argument 'inputs'"):
        TensorDataset(inputs=x)
    with pytest.raises(TypeError, match="multiple values"):
        TensorDataset(x, data_tensor=x)
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(data_tensor=x, target_tensor=torch.zeros(2))


def test_uninstall_restores_torch_exactly():
    patched_init = TensorDataset.__init__
    with modern_torch():
        assert TensorDataset.__init__ is not patched_init
        assert not hasattr(TensorDataset, "data_tensor") and not hasattr(TensorDataset, "target_tensor")
    assert TensorDataset.__init__ is patched_init


class _OwnAttributes(TensorDataset):
    """A modern subclass that keeps its tensors under the 0.3 names itself."""

    def __init__(self, x, y):
        super().__init__(x, y)
        self.data_tensor = x
        self.target_tensor = y * 2


def test_subclasses_setting_the_0_3_names_keep_their_own_values(recwarn):
    x, y = torch.zeros(3, 2), torch.ones(3)
    for patched in (False, True):
        with modern_torch() if not patched else contextlib.nullcontext():
            dataset = _OwnAttributes(x, y)
            assert dataset.data_tensor is x and torch.equal(dataset.target_tensor, y * 2)
            del dataset.data_tensor  # an instance attribute, as on modern torch
            assert "data_tensor" not in vars(dataset)
    assert not [w for w in recwarn if issubclass(w.category, LegacyTorchWarning)]


def test_missing_tensors_are_missing_attributes():
    # getattr(..., None) and hasattr, as modern code probes a dataset, see what modern torch shows
    assert getattr(TensorDataset(torch.zeros(3)), "target_tensor", None) is None
    assert not hasattr(TensorDataset(), "data_tensor")
