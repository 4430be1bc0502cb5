"""Printed tensors (legacy 0.3 and modern) are read back into shapes and numbers and compared by value."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim import Variable
from varshim.entry.saved_outputs import DIFFERS, MATCH, NOT_COMPARABLE, Tensor, compare, parse

# legacy_api.md section 6 (re-derived from pytorch/pytorch v0.3.1 torch/_tensor_str.py)
LEGACY_2X2 = "Variable containing:\n 1  1\n 1  1\n[torch.FloatTensor of size 2x2]\n"
LEGACY_HALVES = "Variable containing:\n 0.5000\n 0.5000\n[torch.FloatTensor of size 2]\n"
LEGACY_SCALED = "Variable containing:\n1.00000e-03 *\n  1.0000\n  2.0000\n[torch.FloatTensor of size 2]\n"
LEGACY_SLICES = ("\n(0 ,.,.) = \n  1  2\n  3  4\n\n(1 ,.,.) = \n  5  6\n  7  8\n"
                 "[torch.LongTensor of size 2x2x2]\n")
LEGACY_COLUMNS = ("Variable containing:\n\nColumns 0 to 1 \n 1  2\n 5  6\n\nColumns 2 to 3 \n 3  4\n 7  8\n"
                  "[torch.FloatTensor of size 2x4]\n")


def _only(text):
    items = parse(text)
    assert len(items) == 1 and isinstance(items[0], Tensor), items
    return items[0].shape, items[0].values


@pytest.mark.parametrize("text, shape, values", [
    (LEGACY_2X2, (2, 2), [1.0] * 4),
    (LEGACY_HALVES, (2,), [0.5, 0.5]),
    (LEGACY_SCALED, (2,), [0.001, 0.002]),
    (LEGACY_SLICES, (2, 2, 2), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
    (LEGACY_COLUMNS, (2, 4), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
    ("Variable containing:[torch.FloatTensor with no dimension]\n", (0,), []),
    ("\n 3\n[torch.cuda.LongTensor of size 1 (GPU 0)]\n", (1,), [3.0]),
    ("tensor([[1., 1.]], requires_grad=True)", (1, 2), [1.0, 1.0]),
    ("tensor([ 10.,  10.])", (2,), [10.0, 10.0]),  # 0.4's sign padding
    ("tensor(20.)", (), [20.0]),
    ("tensor(1.00000e-03 *\n       [ 1.0000,  2.0000])", (2,), [0.001, 0.002]),  # 0.4's scale factor
    ("tensor([-inf, nan, 2.5000e+08], dtype=torch.float64, grad_fn=<AddBackward0>)", (3,),
     [-math.inf, math.nan, 2.5e8]),
    ("tensor([True, False])", (2,), [1.0, 0.0]),
    ("tensor([], size=(0, 3))", (0, 3), []),
])
def test_parse_reads_shape_and_values(text, shape, values):
    got_shape, got_values = _only(text)
    assert got_shape == shape
    assert [repr(v) for v in got_values] == [repr(float(v)) for v in values]


def test_parse_separates_text_from_tensors():
    items = parse("epoch 1\n" + LEGACY_HALVES + "\nloss tensor(0.5000) done")
    assert [type(item) for item in items] == [str, Tensor, str, Tensor, str]
    assert items[0].strip() == "epoch 1" and items[-1].strip() == "done"


def test_numbers_of_preceding_text_stay_text():
    items = parse("3\n\n 1\n 2\n[torch.LongTensor of size 2]\n")
    assert items[0].strip() == "3" and items[1].values == [1.0, 2.0]


def test_summarised_printouts_are_not_comparable():
    modern = "tensor([0, 1, 2,  ..., 7, 8, 9])"
    assert _only(modern)[1] is None
    assert compare(modern, modern)[0] == NOT_COMPARABLE


@pytest.mark.parametrize("saved, new", [
    ("tensor([ 10.,  10.])", "Variable containing:\n 10\n 10\n[torch.FloatTensor of size 2]\n"),
    ("tensor(20.)", "Variable containing:\n 20\n[torch.FloatTensor of size 1]\n"),  # size (1,) == 0-dim
    (LEGACY_SCALED, "tensor([0.0010, 0.0020])"),
    ("loss:   0.50000\n\nepoch  1", "loss: 0.5\nepoch 1"),
])
def test_compare_matches_by_value(saved, new):
    assert compare(saved, new) == (MATCH, "")


@pytest.mark.parametrize("saved, new, detail", [
    ("tensor([ 10.,  10.])", "tensor([10., 11.])", "tensor 1: saved 2 [10, 10], got 2 [10, 11]"),
    ("tensor([ 1.,  1.])", "tensor([[1., 1.]])", "tensor 1: saved size 2 [1, 1], got 1x2 [1, 1]"),
    ("tensor([1., 1.])", "tensor(2.)", "tensor 1: saved size 2 [1, 1], got 0-dim [2]"),
])
def test_compare_reports_tensor_differences(saved, new, detail):
    assert compare(saved, new) == (DIFFERS, detail)


def test_compare_reports_text_differences_as_a_short_diff():
    verdict, detail = compare("epoch 1\nloss 0.5", "epoch 1\nloss 0.7")
    assert verdict == DIFFERS
    assert detail.splitlines() == ["@@ -2 +2 @@", "-loss 0.5", "+loss 0.7"]


def test_tolerance_is_relative_and_absolute():
    assert compare("tensor([100.])", "tensor([100.5])", tolerance=1e-2)[0] == MATCH
    assert compare("tensor([100.])", "tensor([100.5])", tolerance=1e-4)[0] == DIFFERS
    assert compare("tensor([0.])", "tensor([0.0005])", tolerance=1e-3)[0] == MATCH


# -- numpy arrays, lists, Parameters, addresses: one tolerance rule -------------------------------

# numpy < 1.14 padded each number for a sign (`array([ 1.,  2.])`, printed `[ 1.  2.]`); 1.14 dropped it
OLD_NUMPY_REPR = "array([[ 1.        ,  0.5       ],\n       [ 0.25      , -2.        ]], dtype=float32)"
OLD_NUMPY_PRINT = "[[ 1.    0.5 ]\n [ 0.25 -2.  ]]"


@pytest.mark.parametrize("saved, new", [
    (OLD_NUMPY_REPR, "array([[ 1.  ,  0.5 ],\n       [ 0.25, -2.  ]], dtype=float32)"),
    (OLD_NUMPY_PRINT, "[[ 1.    0.5 ]\n [ 0.25 -2.  ]]".replace("[ 1.", "[1.")),
    ("array([  1.00000000e-03,   2.50000000e+02])", "array([1.e-03, 2.5e+02])"),
    ("0.5", "np.float64(0.5)"),  # numpy 2 prints its scalars with their type
    ("(True, 3)", "(np.True_, np.int64(3))"),
    ("[0.30000001192092896, 2.0]", "[0.3, 2]"),
    ("Parameter containing:\n 0.1000  0.2000\n[torch.FloatTensor of size 1x2]\n",
     "Parameter containing:\ntensor([[0.1000, 0.2000]], requires_grad=True)"),
    ("[<matplotlib.lines.Line2D at 0x7f3c2c1b6f98>]", "[<matplotlib.lines.Line2D at 0x7f16741b2d10>]"),
])
def test_arrays_lists_parameters_and_addresses_match_by_value(saved, new):
    assert compare(saved, new) == (MATCH, "")


@pytest.mark.parametrize("saved, new, line", [
    (OLD_NUMPY_REPR, "array([[ 1.  ,  0.5 ],\n       [ 0.25, -2.5 ]], dtype=float32)", "+[0.25, -2.5]], dtype=float32)"),
    (OLD_NUMPY_PRINT, "[[1.   0.5 ]\n [0.25 2.  ]]", "+[0.25 2.]]"),
    ("[1, 2, 3]", "[1, 2]", "+[1, 2]"),
    ("array([ 1.,  2.])", "[1.0, 2.0]", "+[1.0, 2.0]"),  # a list is not an array
    ("(0.5, 2)", "np.float64(0.6)", "+np.float64(0.6)"),
])
def test_a_wrong_array_or_list_differs(saved, new, line):
    verdict, detail = compare(saved, new)
    assert verdict == DIFFERS and line in detail.splitlines(), detail


def test_numbers_in_one_bracket_group_share_its_scale():
    # as a printed tensor's numbers do: precision is relative to the group's largest value
    assert compare("[1000.0, 0.001]", "[1000.0, 0.05]", tolerance=1e-4)[0] == MATCH
    assert compare("1000.0 0.001", "1000.0 0.05", tolerance=1e-4)[0] == DIFFERS  # lone numbers: their own


def test_numbers_inside_names_and_versions_are_text():
    assert compare("conv1 0.3.0.post4", "conv1 0.3.0.post4")[0] == MATCH
    assert compare("(conv1): Linear", "(conv2): Linear")[0] == DIFFERS
    assert compare("version 0.3.0", "version 0.3.1")[0] == DIFFERS


def test_autograd_node_numbering_is_not_comparable():
    verdict, detail = compare("<AddBackward1 at 0x7f3c2c1b6f98>", "<AddBackward0 at 0x7f16741b2d10>")
    assert (verdict, detail) == (NOT_COMPARABLE, "autograd node numbering: saved AddBackward1, got AddBackward0")
    assert compare("<AddBackward1 at 0x7f3c>", "<MulBackward0 at 0x7f16>")[0] == DIFFERS


def test_summarised_arrays_are_not_comparable():
    assert compare("array([ 0.,  1., ...,  8.,  9.])", "array([0., 1., ..., 8., 7.])") == (
        NOT_COMPARABLE, "summarised with '...'")
    assert compare("Loading... done 1", "Loading... done 2")[0] == DIFFERS  # '...' in plain text is text


@pytest.mark.parametrize("saved, new, verdict", [
    ("loss: 2.3012\n" + LEGACY_HALVES, "loss: 2.2957\ntensor([0.1000, -3.0000])", MATCH),
    ("loss: 2.3012", "loss: nan", MATCH),
    (LEGACY_HALVES, "tensor([[0.5000, 0.5000]])", DIFFERS),  # a shape is still compared
    ("loss: 2.3012", "cost: 2.3012", DIFFERS),
    ("[1, 2]", "[1, 2, 3]", DIFFERS),
])
def test_structure_only_comparison_ignores_numbers_but_not_shapes_or_text(saved, new, verdict):
    assert compare(saved, new, values=False)[0] == verdict


# -- properties: what torch and varshim print reads back as the tensor's values ------------------

tensors = st.builds(
    lambda shape, data, scale, dtype: (torch.tensor(data.draw(st.lists(
        st.floats(-1, 1, allow_nan=False, width=32), min_size=math.prod(shape), max_size=math.prod(shape))))
        .reshape(shape) * scale).to(dtype),
    st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
    st.data(),
    st.sampled_from([1.0, 1e-3, 10.0, 1e6]),
    st.sampled_from([torch.float32, torch.float64]),
)


def _reads_back(text, tensor):
    shape, values = _only(text)
    assert shape == tuple(tensor.shape) or (shape, tensor.dim()) == ((1,), 0)
    assert compare(text, repr(tensor.double()))[0] == MATCH
    largest = tensor.double().abs().max().item() if tensor.numel() else 0.0
    for value, expected in zip(values, tensor.double().flatten().tolist()):
        assert abs(value - expected) <= 1e-4 * (1 + largest)


@given(tensors)
def test_modern_printout_reads_back(tensor):
    _reads_back(repr(tensor), tensor)


@given(tensors.filter(lambda t: t.dim() > 0))
def test_legacy_printout_reads_back(tensor):
    _reads_back(repr(Variable(tensor)), tensor)
    _reads_back(repr(Variable(tensor).data), tensor)


@given(tensors.filter(lambda t: t.numel() > 0), st.data())
def test_a_changed_number_differs(tensor, data):
    index = data.draw(st.integers(0, tensor.numel() - 1))
    changed = tensor.double().clone().flatten()
    changed[index] += 1e-3 * (1 + changed.abs().max())  # ten times the default tolerance
    assert compare(repr(tensor), repr(changed.reshape(tensor.shape)))[0] == DIFFERS
