"""0.3 meanings of dot on N-D tensors, ByteTensor masks and integer `/` (varshim.objects.tensor_rules)."""

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from varshim.objects.legacy_tensor import LegacyTensor
from varshim.objects.tensor_rules import OVERRIDES
from tests.support.legacy_program import modern_torch, run
from tests.support.strategies import seeds


DOT_PROGRAM = """
import torch
from torch.autograd import Variable
w = Variable(torch.Tensor([[1, 2], [3, 4]]), requires_grad=True)
x = Variable(torch.Tensor([[5, 6], [7, 8]]))
y = w.dot(x)
y.backward()
total = x.data.dot(w.data)
"""


def test_dot_program_fails_on_modern_torch():
    with modern_torch(), pytest.raises(RuntimeError, match="1D tensors expected"):
        run(DOT_PROGRAM)


def test_dot_program_flattens_like_0_3():
    ns = run(DOT_PROGRAM)
    assert type(ns["y"]) is Variable and ns["y"].shape == (1,)
    assert ns["y"].data[0] == 1 * 5 + 2 * 6 + 3 * 7 + 4 * 8
    assert torch.equal(ns["w"].grad.data, torch.tensor([[5.0, 6.0], [7.0, 8.0]]))
    assert ns["total"] == 70.0 and type(ns["total"]) is float  # 0.3 Tensor.dot gave a number


def test_dot_warns_with_modern_spelling_and_checks_sizes():
    a = Variable(torch.ones(2, 3))
    with pytest.warns(LegacyTorchWarning, match=r"torch.dot\(x.reshape\(-1\), y.reshape\(-1\)\)"):
        a.dot(a)
    with pytest.raises(RuntimeError, match="same number of elements"):
        a.dot(Variable(torch.ones(5)))


def test_plain_tensors_keep_modern_dot():
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        torch.ones(2, 2).dot(torch.ones(2, 2))
    assert torch.dot(torch.ones(3), torch.ones(3)).dim() == 0


@given(
    shape=st.sampled_from([(6,), (2, 3), (3, 2), (1, 2, 3), (2, 1, 3)]),
    other_shape=st.sampled_from([(6,), (3, 2), (6, 1)]),
    seed=seeds,
)
def test_dot_gradients_match_flat_modern_dot(shape, other_shape, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(shape, generator=g, dtype=torch.float64)
    b = torch.randn(other_shape, generator=g, dtype=torch.float64)
    va, vb = Variable(a, requires_grad=True), Variable(b, requires_grad=True)
    va.dot(vb).backward()
    pa, pb = a.clone().requires_grad_(), b.clone().requires_grad_()
    torch.dot(pa.reshape(-1), pb.reshape(-1)).backward()
    assert torch.equal(va.grad.data, pa.grad) and torch.equal(vb.grad.data, pb.grad)


def test_dot_override_gradcheck():
    # gradcheck itself reads `.data` elements, so it runs on the override legacy objects dispatch to.
    a = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(OVERRIDES[torch.Tensor.dot], (a, b))


# -- ByteTensor masks -----------------------------------------------------------------------------

MASK_PROGRAM = """
import torch
from torch.autograd import Variable
scores = Variable(torch.Tensor([[1, 2, 3], [4, 5, 6]]), requires_grad=True)
pad = torch.ByteTensor([[0, 0, 1], [0, 1, 1]])
masked = scores.masked_fill(Variable(pad), -1000)
kept = scores.masked_select(Variable(1 - pad))
loss = masked.sum() + kept.sum()
loss.backward()
data = scores.data.clone()
data[pad] = 0
picked = scores.data[pad]
scattered = scores.data.masked_scatter(pad, torch.Tensor([10, 20, 30]))
"""


def test_mask_program_fails_on_modern_torch():
    with modern_torch(), pytest.raises(RuntimeError, match="boolean masks|BoolTensor"):
        run(MASK_PROGRAM)


def test_mask_program_uses_byte_masks_as_masks():
    ns = run(MASK_PROGRAM)
    assert torch.equal(ns["masked"].data, torch.tensor([[1.0, 2, -1000], [4, -1000, -1000]]))
    assert torch.equal(ns["kept"].data, torch.tensor([1.0, 2, 4]))
    assert ns["loss"].data[0] == 1 + 2 + 4 - 3000 + 1 + 2 + 4
    assert torch.equal(ns["scores"].grad.data, torch.tensor([[2.0, 2, 0], [2, 0, 0]]))
    assert torch.equal(ns["data"], torch.tensor([[1.0, 2, 0], [4, 0, 0]]))
    assert torch.equal(ns["picked"], torch.tensor([3.0, 5, 6]))
    assert torch.equal(ns["scattered"], torch.tensor([[1.0, 2, 10], [4, 20, 30]]))


def test_byte_mask_warns_once_without_torch_deprecation_warning():
    x, mask = Variable(torch.arange(4.0)), Variable(torch.ByteTensor([1, 0, 1, 0]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x[mask]
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "mask.bool()" in messages[0], messages


def test_byte_mask_values_must_be_0_or_1_as_in_0_3():
    with pytest.raises(RuntimeError, match="0 and 1 values only"):
        Variable(torch.ones(2)).masked_fill(Variable(torch.ByteTensor([2, 0])), 0)


def test_plain_tensors_keep_modern_bool_masks():
    # ByteTensor masks on plain tensors, an error on torch 2.13, are restored globally by the
    # `mask-method-*` patches (tests/patches/removed_apis/test_removed_masks.py); bool masks are torch's own.
    assert torch.equal(torch.ones(2).masked_fill(torch.tensor([True, False]), 0), torch.tensor([0.0, 1.0]))


masks = st.lists(st.booleans(), min_size=6, max_size=6)


@given(mask=masks, seed=seeds)
def test_masked_op_gradients_match_bool_masks(mask, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 3, generator=g, dtype=torch.float64)
    src = torch.randn(6, generator=g, dtype=torch.float64)
    bool_mask = torch.tensor(mask).view(2, 3)

    def losses(value, source, m):
        return (value.masked_fill(m, 0.5) * 3).sum() + value.masked_select(m).pow(2).sum() + (
            value.masked_scatter(m, source) * value
        ).sum()

    vx, vs = Variable(x, requires_grad=True), Variable(src, requires_grad=True)
    losses(vx, vs, Variable(bool_mask.to(torch.uint8))).backward()
    px, ps = x.clone().requires_grad_(), src.clone().requires_grad_()
    losses(px, ps, bool_mask).backward()
    assert torch.equal(vx.grad.data, px.grad) and torch.equal(vs.grad.data, ps.grad)


# -- integer division -----------------------------------------------------------------------------

DIVISION_PROGRAM = """
import torch
from torch.autograd import Variable
total = Variable(torch.LongTensor([7, -7, 9, -9]))
count = Variable(torch.LongTensor([2, 2, -4, -4]))
per_item = total / count
halves = total.data / 2
total.data /= 3
"""


def test_division_program_gives_floats_on_modern_torch():
    with modern_torch(), pytest.raises(RuntimeError, match="can't be cast"):
        run(DIVISION_PROGRAM)  # `/=` on a LongTensor: the true-division result is a float


def test_division_program_truncates_like_c():
    ns = run(DIVISION_PROGRAM)
    # THTensor_(cdiv) is C division: truncation toward zero, not floor (-7 / 2 == -3).
    assert ns["per_item"].data.tolist() == [3, -3, -2, 2]
    assert ns["per_item"].dtype is torch.int64 and type(ns["per_item"]) is Variable
    assert ns["halves"].tolist() == [3, -3, 4, -4] and isinstance(ns["halves"], LegacyTensor)
    assert ns["total"].data.tolist() == [2, -2, 3, -3]


def test_plain_and_float_division_keep_modern_meaning():
    assert torch.equal(torch.tensor([7]) / torch.tensor([2]), torch.tensor([3.5]))
    assert (Variable(torch.LongTensor([7])) / 2.0).data.tolist() == [3.5]  # only int / int truncates
    assert torch.div(Variable(torch.LongTensor([-7])), 2, rounding_mode="floor").data.tolist() == [-4]


@given(
    numerators=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=5),
    denominator=st.integers(-50, 50).filter(bool),
)
def test_integer_division_is_c_truncation(numerators, denominator):
    result = Variable(torch.LongTensor(numerators)) / Variable(torch.LongTensor([denominator]))
    expected = [abs(n) // abs(denominator) * (1 if (n >= 0) == (denominator > 0) else -1) for n in numerators]
    assert result.data.tolist() == expected


@given(seed=seeds)
def test_float_division_gradients_unchanged(seed):
    g = torch.Generator().manual_seed(seed)
    a, b = torch.randn(3, generator=g, dtype=torch.float64), torch.rand(3, generator=g, dtype=torch.float64) + 0.5
    va, vb = Variable(a, requires_grad=True), Variable(b, requires_grad=True)
    (va / vb).sum().backward()
    pa, pb = a.clone().requires_grad_(), b.clone().requires_grad_()
    (pa / pb).sum().backward()
    assert torch.equal(va.grad.data, pa.grad) and torch.equal(vb.grad.data, pb.grad)


# -- copies by element count ------------------------------------------------------------------------

COPY_PROGRAM = """
import torch
from torch.autograd import Variable
s = torch.zeros(4, 3)
o = Variable(torch.Tensor([[1], [2], [3], [4]]))
s[:, 0] = o.data
"""


def test_copy_program_fails_on_modern_torch():
    with modern_torch(), pytest.raises(RuntimeError):
        run(COPY_PROGRAM)


def test_copy_program_copies_by_element_count_like_0_3():
    with pytest.warns(LegacyTorchWarning, match=r"view\(-1\)"):
        ns = run(COPY_PROGRAM)
    assert ns["s"][:, 0].tolist() == [1.0, 2.0, 3.0, 4.0] and ns["s"][:, 1:].abs().sum() == 0
    assert type(ns["s"]) is torch.Tensor  # the caller's plain tensor keeps its class


def test_setitem_by_element_count_on_variables_passes_gradients_back_in_the_values_shape():
    target = Variable(torch.zeros(2, 3), requires_grad=True)
    values = Variable(torch.Tensor([[1, 2, 3]]).t(), requires_grad=True)  # (3, 1) into a (3,) row
    filled = target * 1
    filled[1] = values
    (filled * Variable(torch.Tensor([[1, 1, 1], [10, 20, 30]]))).sum().backward()
    assert filled.data[1].tolist() == [1.0, 2.0, 3.0]
    assert values.grad.data.tolist() == [[10.0], [20.0], [30.0]]
    assert target.grad.data.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]


def test_copy__by_element_count():
    data = Variable(torch.zeros(2, 3)).data
    data.copy_(torch.arange(6.0).view(3, 2))
    assert data.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_plain_copies_and_other_element_counts_keep_torchs_errors():
    with pytest.raises(RuntimeError):
        torch.zeros(4, 3)[:, 0] = torch.ones(4, 1)
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3).copy_(torch.ones(3, 2))
    with pytest.raises(RuntimeError):
        Variable(torch.zeros(4, 3)).data[:, 0] = torch.ones(5, 1)  # 0.3 refused different counts too


@given(
    shape=st.sampled_from([(4, 1), (1, 4), (2, 2), (4,)]),
    rows=st.integers(2, 3),
    seed=st.integers(0, 2**16),
)
def test_setitem_by_count_equals_a_reshaped_copy(shape, rows, seed):
    torch.manual_seed(seed)
    values = torch.randn(*shape)
    legacy = Variable(torch.zeros(rows, 4)).data
    plain = torch.zeros(rows, 4)
    legacy[1] = values if shape != (4,) else values.view(1, 4).t()  # never the target's own shape
    plain[1] = values.reshape(4)
    torch.testing.assert_close(legacy.as_subclass(torch.Tensor), plain, rtol=0, atol=0)
