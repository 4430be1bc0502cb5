"""`1 - mask`, `-mask` and ByteTensor masks on plain tensors (varshim.patches.removed_apis.masks): the 1.1
results where torch 2.13 raises, torch's own results and errors everywhere else, subclasses
dispatched with torch's functions; the rows exist only while a legacy program runs (here, one that
owns no file: the readings are for every caller during a legacy run)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import varshim
from tests.support.legacy_program import modern_torch, no_program_running, run, running_legacy_program
from varshim.objects.variable import Variable
from varshim.patches import PATCHES

bool_masks = st.lists(st.booleans(), min_size=1, max_size=8).map(torch.tensor)
seeds = st.integers(0, 2**16)

PROGRAM = """
import torch
scores = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
lengths = torch.tensor([2, 1])
pad = torch.arange(3).unsqueeze(0) >= lengths.unsqueeze(1)      # bool since 1.2, uint8 before
keep = 1 - pad                                                  # the 1.1 inversion
masked = scores.masked_fill(keep == 0, -1000.0)
byte_pad = pad.byte()
filled = scores.masked_fill(byte_pad, 0.0)
picked = torch.masked_select(scores, byte_pad)
loss = masked.sum() + filled.sum() + picked.sum()
loss.backward()
copy = scores.detach().clone()
copy[byte_pad] = -1.0
"""


HOT_ROWS = [patch for patch in PATCHES if patch.while_running]


@pytest.fixture(autouse=True)
def _a_legacy_run():
    with running_legacy_program("1.1"):
        yield


def test_outside_a_legacy_run_modern_code_calls_torchs_own_operators():
    assert {patch.attribute for patch in HOT_ROWS} >= {"__rsub__", "__neg__", "__setitem__", "masked_fill"}
    assert all(patch.applied for patch in HOT_ROWS)
    with no_program_running():
        assert not any(patch.applied for patch in HOT_ROWS)
        assert torch.Tensor.__dict__["__rsub__"] is next(p for p in HOT_ROWS if p.attribute == "__rsub__").original
        with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"):
            1 - torch.tensor([True, False])
        with pytest.raises(RuntimeError, match="only supports boolean masks"):
            torch.ones(2).masked_fill(torch.tensor([1, 0], dtype=torch.uint8), 0.0)
    assert all(patch.applied for patch in HOT_ROWS)


def test_program_fails_on_modern_torch():
    with modern_torch(), pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"):
        run(PROGRAM)


def test_program_gets_the_1_1_values_and_gradients():
    ns = run(PROGRAM)
    assert ns["keep"].dtype == torch.uint8 and ns["keep"].tolist() == [[1, 1, 0], [1, 0, 0]]
    assert ns["masked"].tolist() == [[1.0, 2.0, -1000.0], [4.0, -1000.0, -1000.0]]
    assert ns["filled"].tolist() == [[1.0, 2.0, 0.0], [4.0, 0.0, 0.0]]
    assert ns["picked"].tolist() == [3.0, 5.0, 6.0]
    assert ns["scores"].grad.tolist() == [[2.0, 2.0, 1.0], [2.0, 1.0, 1.0]]  # kept: masked + filled; pad: picked
    assert ns["copy"].tolist() == [[1.0, 2.0, -1.0], [4.0, -1.0, -1.0]]


@given(mask=bool_masks, number=st.sampled_from([1, 0, 2, 1.0, 0.5]))
def test_number_minus_mask_is_uint8_arithmetic(mask, number):
    result = number - mask
    assert torch.equal(result, number - mask.to(torch.uint8))
    assert result.dtype == (torch.uint8 if isinstance(number, int) else torch.float32)


@given(mask=bool_masks)
def test_minus_mask_negates_the_uint8_tensor(mask):
    assert torch.equal(-mask, -mask.to(torch.uint8)) and (-mask).dtype == torch.uint8


def test_other_subtractions_keep_torchs_errors_and_results():
    mask = torch.tensor([True, False])
    with pytest.raises(RuntimeError, match="with a bool tensor"):
        mask - 1  # Tensor.__sub__ is not patched (the hottest operator of modern code)
    x = torch.tensor([1.5, -2.0])
    assert torch.equal(1 - x, torch.tensor([-0.5, 3.0])) and torch.equal(-x, torch.tensor([-1.5, 2.0]))
    assert (1 - x).dtype == torch.float32


def test_minus_mask_on_variables():
    v = Variable(torch.tensor([True, False]))
    assert (1 - v).tolist() == [0, 1] and type(1 - v) is Variable


@given(mask=bool_masks, seed=seeds)
def test_byte_masks_mean_their_bool_masks_values_and_gradients(mask, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(mask.shape, generator=g, dtype=torch.float64)
    source = torch.randn(mask.shape, generator=g, dtype=torch.float64)
    byte = mask.to(torch.uint8)
    calls = {
        "masked_fill": lambda t, m: t.masked_fill(m, -3.0),
        "masked_fill_": lambda t, m: t.clone().masked_fill_(m, -3.0),
        "masked_select": lambda t, m: t.masked_select(m),
        "masked_scatter": lambda t, m: t.masked_scatter(m, source),
        "masked_scatter_": lambda t, m: t.clone().masked_scatter_(m, source),
        "torch.masked_fill": lambda t, m: torch.masked_fill(t, m, 7.0),
        "torch.masked_select": lambda t, m: torch.masked_select(t, m),
        "torch.masked_scatter": lambda t, m: torch.masked_scatter(t, m, source),
    }
    for name, call in calls.items():
        ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
        legacy, modern = call(ours, byte), call(theirs, mask)
        assert torch.equal(legacy, modern), name
        (legacy * 2).sum().backward()
        (modern * 2).sum().backward()
        assert torch.equal(ours.grad, theirs.grad), name
    copy, expected = x.clone(), x.clone()
    copy[byte] = 5.0
    expected[mask] = 5.0
    assert torch.equal(copy, expected)


def test_byte_masks_take_0_and_1_only_and_other_dtypes_keep_torchs_error():
    x = torch.ones(2)
    with pytest.raises(RuntimeError, match="0 and 1 values only"):
        x.masked_fill(torch.tensor([2, 0], dtype=torch.uint8), 0.0)
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_fill(torch.tensor([1.0, 0.0]), 0.0)
    with pytest.raises(IndexError, match="tensors used as indices"):
        x[torch.tensor([1.0, 0.0])] = 0.0


def test_each_idiom_warns_with_its_modern_spelling():
    mask = torch.tensor([True, False])
    with pytest.warns(varshim.LegacyTorchWarning, match="~mask"):
        1 - mask
    with pytest.warns(varshim.LegacyTorchWarning, match="~mask"):
        -mask
    with pytest.warns(varshim.LegacyTorchWarning, match=r"mask\.bool\(\)"):
        torch.ones(2).masked_fill(mask.byte(), 0.0)


class Recorder(torch.Tensor):
    """A subclass that records the function torch dispatches to it."""

    seen = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        cls.seen.append(func)
        return super().__torch_function__(func, types, args, kwargs or {})


@pytest.mark.parametrize("name", ["masked_fill", "masked_select", "__setitem__", "torch.masked_fill"])
def test_subclasses_are_dispatched_with_torchs_own_function(name):
    x, mask = torch.ones(3).as_subclass(Recorder), torch.tensor([True, False, True])
    Recorder.seen.clear()
    if name == "masked_fill":
        x.masked_fill(mask, 0.0)
        expected = torch._C.TensorBase.masked_fill
    elif name == "masked_select":
        x.masked_select(mask)
        expected = torch._C.TensorBase.masked_select
    elif name == "__setitem__":
        x[mask] = 0.0
        expected = torch._C.TensorBase.__setitem__
    else:
        torch.masked_fill(x, mask, 0.0)
        expected = torch._C._VariableFunctions.masked_fill
    assert Recorder.seen[0] is expected, Recorder.seen[:1]


def test_a_byte_mask_warns_once_without_torchs_deprecation_warning():
    import warnings

    x, byte = torch.ones(3), torch.tensor([1, 0, 1], dtype=torch.uint8)
    for call in (lambda: x.masked_scatter(byte, x), lambda: x.masked_fill(byte, 0.0), lambda: x.masked_select(byte)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert [w.category for w in caught] == [varshim.LegacyTorchWarning], [str(w.message) for w in caught]
