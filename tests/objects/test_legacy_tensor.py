"""`Variable.data` is a `LegacyTensor`: the same storage, 0.3 Tensor semantics (single elements and
full reductions are Python numbers; pytorch/pytorch v0.3.1 torch/tensor.py, legacy_api.md §4)."""

import pytest
import torch
from hypothesis import given

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from varshim.objects.legacy_tensor import LegacyTensor
from tests.support.strategies import float_arrays


def test_data_is_a_detached_alias_of_the_same_storage():
    x = Variable(torch.arange(6.0).view(2, 3), requires_grad=True)
    data = x.data
    assert isinstance(data, LegacyTensor) and type(data) == torch.FloatTensor
    assert not data.requires_grad and data.grad_fn is None
    assert data.data_ptr() == x.data_ptr()
    data.mul_(2)
    assert x.data.tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]
    assert data.sum() == 30.0  # the in-place update recorded nothing
    assert x.grad_fn is None


def test_single_elements_are_python_numbers():
    floats = Variable(torch.tensor([[1.5, 2.5], [3.5, 4.5]])).data
    longs = Variable(torch.LongTensor([3, 4])).data
    assert isinstance(floats[0], LegacyTensor) and floats[0].tolist() == [1.5, 2.5]
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


@pytest.mark.parametrize("values", [[2.5], [7], [True], [[1.5]], [1.0, 2.0], []])
def test_indexing_a_one_element_tensor_reads_what_the_indexing_path_reads(values):
    """`t[0]`/`t[-1]` of a one-element 1-D tensor takes a shortcut (`item()`, not an indexing op):
    the same number, type and warning as the indexed path, and the same results or errors elsewhere."""
    import warnings

    from varshim.objects import legacy_tensor

    data = Variable(torch.tensor(values)).data
    for key in (0, -1, 1, slice(None)):
        outcomes = []
        for index in (type(data).__getitem__, legacy_tensor._indexed):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    result = index(data, key)
                    outcome = (type(result), result.tolist() if isinstance(result, torch.Tensor) else result)
                except IndexError as error:
                    outcome = (IndexError, str(error))
            outcomes.append((outcome, [(w.category, str(w.message)) for w in caught]))
        assert outcomes[0] == outcomes[1], (values, key)
    if values in ([2.5], [7], [True]):
        assert type(data[0]) is type(int(values[0]) if values == [True] else values[0])


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
        assert isinstance(result, LegacyTensor)


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


# -- which operations give Python numbers (v0.3.1 cwrap `return: real/accreal/bool`) ----------------


def test_shape_operations_keep_size_1():
    w = Variable(torch.ones(1, 1))
    squeezed = w.data.squeeze()
    assert isinstance(squeezed, LegacyTensor) and squeezed.shape == (1,)
    assert type(squeezed[0]) is float and squeezed[0] == 1.0  # the issue's `w.data.squeeze()[0]`
    assert w.data.view(1).shape == (1,) and w.data.reshape(()).shape == (1,)


def test_reductions_over_a_dimension_are_tensors_of_size_1():
    data = Variable(torch.tensor([1.0, 5.0, 3.0])).data
    for result in (data.sum(0), data.mean(dim=0), data.norm(2, 0), data.max(0)[0], data.max(0)[1], data.prod(0)):
        assert isinstance(result, LegacyTensor) and result.shape == (1,)
    assert data.max(0)[1].tolist() == [1]


def test_the_0_3_number_operations():
    data = Variable(torch.tensor([[1.0, -2.0], [3.0, 4.0]])).data
    other = Variable(torch.tensor([[0.5, 1.0], [1.0, 2.0]])).data
    assert data.norm(1) == 10.0 and type(data.norm(1)) is float
    assert type(data.var()) is float and type(data.std()) is float and type(data.median()) is float
    assert data.dist(other) == pytest.approx(((data - other) ** 2).sum() ** 0.5)
    assert data.trace() == 5.0 and torch.dot(data, other) == 9.5  # 2-D dot: flat vectors, a number
    assert torch.max(data) == 4.0 and torch.sum(data) == 6.0
    mask = data > 0
    assert mask.all() is False and mask.any() is True  # `return: bool`
    assert mask.sum() == 3 and type(mask.sum()) is int


def test_select_and_iteration_of_a_1d_tensor_are_numbers():
    data = Variable(torch.LongTensor([7, 8, 9])).data
    assert data.select(0, 1) == 8 and type(data.select(0, 1)) is int
    assert [type(x) for x in data] == [int, int, int]
    rows = Variable(torch.ones(2, 3)).data
    assert all(isinstance(row, LegacyTensor) and row.shape == (3,) for row in rows)


def test_number_results_warn_and_lifted_results_too():
    data = Variable(torch.ones(1, 1)).data
    with pytest.warns(LegacyTorchWarning, match=r"t.sum\(\).item\(\)"):
        data.sum()
    with pytest.warns(LegacyTorchWarning, match=r"size \(1,\) before 0.4.*\.reshape\(1\)"):
        data.squeeze()


@given(float_arrays())
def test_numbers_equal_plain_torchs_values_and_tensors_its_values_reshaped(array):
    shape, flat = array
    values = torch.tensor(flat, dtype=torch.float64).reshape(shape)
    data = Variable(values.clone()).data
    for name in ("sum", "prod", "mean", "max", "min", "norm"):
        result = getattr(data, name)()
        assert type(result) is float and result == getattr(values, name)().item()
    assert data[(0,) * values.dim()] == values[(0,) * values.dim()].item()
    for dim in range(values.dim()):
        reduced = data.sum(dim)
        expected = values.sum(dim)
        assert isinstance(reduced, LegacyTensor)
        assert reduced.shape == (expected.shape or (1,))
        assert reduced.tolist() == (expected.tolist() if expected.dim() else [expected.item()])


# -- 0.3's class names per tensor type ------------------------------------------------------------


@pytest.mark.parametrize("dtype, name", [
    (torch.float32, "FloatTensor"), (torch.float64, "DoubleTensor"), (torch.float16, "HalfTensor"),
    (torch.int64, "LongTensor"), (torch.int32, "IntTensor"), (torch.int16, "ShortTensor"),
    (torch.int8, "CharTensor"), (torch.uint8, "ByteTensor"),
])
def test_type_of_data_prints_and_compares_as_0_3(dtype, name):
    data = Variable(torch.zeros(2, dtype=dtype)).data
    tensortype = getattr(torch, name)
    assert repr(type(data)) == str(type(data)) == f"<class 'torch.{name}'>"
    assert type(data) == tensortype and tensortype == type(data) and type(data) != torch.cuda.FloatTensor
    assert {tensortype: "found"}[type(data)] == "found" and type(data) in (tensortype,)
    assert isinstance(data, tensortype) and not isinstance(data, getattr(torch.cuda, name))
    assert type(data).__name__ == name and data.type() == f"torch.{name}"


def test_masks_are_byte_tensors_as_0_3_had_no_bool():
    mask = Variable(torch.ones(2)).data > 0
    assert repr(type(mask)) == "<class 'torch.ByteTensor'>" and type(mask) == torch.ByteTensor


def test_type_of_a_variable_prints_as_0_3():
    v = Variable(torch.ones(2))
    assert repr(type(v)) == "<class 'torch.autograd.variable.Variable'>"
    assert type(v).__module__ == "varshim.objects.variable"  # what pickle and torch read


def test_legacy_tensors_copy_and_pickle():
    import copy
    import pickle

    data = Variable(torch.arange(4.0)).data
    copied = copy.deepcopy([data, data])
    assert type(copied[0]) == torch.FloatTensor and copied[0] is copied[1] and copied[0].tolist() == data.tolist()
    loaded = pickle.loads(pickle.dumps(data))
    assert type(loaded) is torch.Tensor and torch.equal(loaded, data)  # loads without varshim too
