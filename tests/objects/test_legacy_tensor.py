"""`Variable.data` is a `LegacyTensor`: the same storage, 0.3 Tensor semantics (single elements and
full reductions are Python numbers; pytorch/pytorch v0.3.1 torch/tensor.py, legacy_api.md §4)."""

import pytest
import torch

from varshim import LegacyTorchWarning, Variable
from varshim.objects.legacy_tensor import LegacyTensor


def test_data_is_a_detached_alias_of_the_same_storage():
    x = Variable(torch.arange(6.0).view(2, 3), requires_grad=True)
    data = x.data
    assert type(data) is LegacyTensor
    assert not data.requires_grad and data.grad_fn is None
    assert data.data_ptr() == x.data_ptr()
    data.mul_(2)
    assert x.data.tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]
    assert data.sum() == 30.0  # the in-place update recorded nothing
    assert x.grad_fn is None


def test_single_elements_are_python_numbers():
    floats = Variable(torch.tensor([[1.5, 2.5], [3.5, 4.5]])).data
    longs = Variable(torch.LongTensor([3, 4])).data
    assert type(floats[0]) is LegacyTensor and floats[0].tolist() == [1.5, 2.5]
    assert type(floats[0][1]) is float and floats[0][1] == 2.5
    assert type(floats[1, 0]) is float and floats[1, 0] == 3.5
    assert type(longs[1]) is int and longs[1] == 4


def test_loss_data_0_is_a_float():
    x = Variable(torch.randn(5), requires_grad=True)
    loss = (x**2).mean()
    total = 0
    total += loss.data[0]
    assert type(total) is float
    assert total == loss.item()


@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min", "prod", "norm"])
def test_full_reductions_are_python_numbers(reduction):
    values = torch.tensor([[0.5, -2.0], [3.0, 1.25]])
    result = getattr(Variable(values).data, reduction)()
    assert type(result) is float
    assert result == getattr(values, reduction)().item()


def test_comparison_sums_are_ints():
    pred = Variable(torch.LongTensor([1, 0, 2, 2, 1]))
    y = Variable(torch.LongTensor([1, 1, 2, 0, 1]))
    correct = (pred == y).data.sum()
    assert type(correct) is int and correct == 3
    assert type(pred.data.eq(y.data).sum()) is int


def test_non_scalar_results_stay_legacy_tensors():
    data = Variable(torch.randn(3, 4)).data
    for result in (data + 1, data.sum(0), data.max(1)[0], data.max(1)[1], data.view(-1), data[:, 1], torch.ones(4) * data):
        assert type(result) is LegacyTensor


def test_in_place_ops_keep_the_callers_object():
    data = Variable(torch.zeros(3)).data
    assert data.add_(1) is data
    plain = torch.zeros(3)
    assert plain.add_(data) is plain and type(plain) is torch.Tensor


def test_legacy_sgd_update_through_data():
    # 0.3 training loops: `w.data -= lr * w.grad.data; w.grad.data.zero_()`.
    w = Variable(torch.ones(3), requires_grad=True)
    for _ in range(2):
        (w * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
        w.data -= 0.5 * w.grad.data
        w.grad.data.zero_()
    assert w.data.tolist() == [0.0, -1.0, -2.0]
    assert w.grad.data.tolist() == [0.0, 0.0, 0.0]


def test_scalar_data_warns_with_the_modern_spelling():
    loss = Variable(torch.ones(3)).sum()
    with pytest.warns(LegacyTorchWarning, match=r"item\(\)"):
        loss.data[0]
    with pytest.warns(LegacyTorchWarning, match=r"t\.sum\(\)\.item\(\)"):
        Variable(torch.ones(3)).data.sum()


def test_numpy_of_data():
    x = Variable(torch.ones(3), requires_grad=True)
    assert x.sum().data.numpy()[0] == 3.0
    assert x.data.numpy().tolist() == [1.0, 1.0, 1.0]
