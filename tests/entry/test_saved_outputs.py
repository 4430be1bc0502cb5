"""Printed tensors (legacy 0.3 and modern) are read back into shapes and numbers and compared by value."""

import math
import random

import nbformat
import numpy
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim.objects.variable import Variable
from varshim.entry.saved_outputs import (DIFFERS, ERROR, FAILED, MATCH, NOT_COMPARABLE, RANDOM, RandomSources,
                                         Tensor, compare, judge, markers, parse)
from tests.support.strategies import shapes

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
    (OLD_NUMPY_REPR, "array([[ 1.  ,  0.5 ],\n       [ 0.25, -2.5 ]], dtype=float32)",
     "+[0.25, -2.5]], dtype=float32)"),
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
    shapes(min_dims=0),
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


# -- one cell's outcome ---------------------------------------------------------------------------

def _result(text):
    return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)


def _stdout(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _error(ename):
    return nbformat.v4.new_output("error", ename=ename, evalue="...", traceback=[])


def test_markers_are_nbvals_tags_and_comments():
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nx = 1")
    cell.metadata["tags"] = ["nbval-skip", "raises-exception", "other"]
    assert markers(cell) == {"nbval-skip", "raises-exception", "nbval-ignore-output"}
    cell.metadata["tags"] = ["nbval-raises-exception"]
    assert markers(cell) == {"raises-exception", "nbval-ignore-output"}
    assert markers(nbformat.v4.new_code_cell("x = 1  # NBVAL_SKIP")) == frozenset()  # a marker is a whole comment


@pytest.mark.parametrize("saved, new, raised, cell_markers, outcome", [
    ([_error("RuntimeError")], [_error("RuntimeError")], "RuntimeError", (), (ERROR, "raised RuntimeError, as saved")),
    ([_stdout("a\n"), _error("ValueError")], [_stdout("b\n")], "ValueError", (), DIFFERS),  # printed before it
    ([_error("ValueError")], [_stdout("b\n")], "ValueError", (), ERROR),  # nothing saved to compare it with
    ([_error("RuntimeError")], [], "TypeError", (), (FAILED, "the saved run raised RuntimeError")),
    ([], [], "TypeError", (), (FAILED, "")),
    ([], [], "TypeError", {"raises-exception"}, (ERROR, "raised TypeError, as tagged raises-exception")),
    ([_error("RuntimeError")], [], None, (), (DIFFERS, "the saved run raised RuntimeError; this run raised nothing")),
    ([_error("KeyboardInterrupt")], [], None, (),
     (NOT_COMPARABLE, "the saved run was interrupted (KeyboardInterrupt)")),
    ([_result("1")], [_result("2")], None, {"nbval-ignore-output"}, (NOT_COMPARABLE, "tagged nbval-ignore-output")),
    ([], [_stdout("x\n")], None, (), (NOT_COMPARABLE, "no saved output")),
    ([], [nbformat.v4.new_output("stream", name="stderr", text="warning\n")], None, (), (MATCH, "")),  # warnings
])
def test_judge_errors_tags_and_missing_output(saved, new, raised, cell_markers, outcome):
    got = judge(saved, new, "x", raised=raised, cell_markers=frozenset(cell_markers))
    assert (got[0] if isinstance(outcome, str) else got) == outcome


@pytest.mark.parametrize("source, saved, new, reason", [
    ("%timeit x * 2", "100000 loops, best of 3: 3.12 \u00b5s per loop", "1.1 us +- 2 ns per loop", "timing"),
    ("%%time\ntrain()", "CPU times: user 1 s\nWall time: 2 s", "CPU times: user 3 s\nWall time: 4 s", "timing"),
    ("torch.__version__", "'0.3.0.post4'", "'2.13.0+cpu'", "a version string"),
    ("import sys; sys.version", "'3.6.3 |Anaconda'", "'3.11.7'", "a version string"),
    ("torch.ones??", "", "Docstring: ...", "IPython introspection (`x?`, `help`, `dir`)"),
    ("help(torch.ones)", "Help on built-in function ones", "Help on built-in function ones in module torch",
     "IPython introspection (`x?`, `help`, `dir`)"),
    ("!nvidia-smi", "Tesla K80", "command not found", "a shell command: its output is the machine's"),
    ("optimizer", "<torch.optim.sgd.SGD at 0x7f3c2c1b6f98>", "SGD (\nParameter Group 0\n    lr: 0.1\n)",
     "the saved output is only object reprs with memory addresses"),
])
def test_what_a_rerun_cannot_reproduce_is_not_comparable(source, saved, new, reason):
    assert judge([_stdout(saved)], [_stdout(new)], source) == (NOT_COMPARABLE, reason)


def test_excuses_are_only_for_outputs_that_differ():
    assert judge([_stdout("'0.3.0'")], [_stdout("'0.3.0'")], "torch.__version__") == (MATCH, "")


def test_random_cells_still_compare_their_structure():
    saved = [_result("Variable containing:\n 0.3 -0.1\n[torch.FloatTensor of size 1x2]")]
    assert judge(saved, [_result("tensor([[0.5, 0.2]])")], "w", random_because="why") == (RANDOM, "why")
    assert judge(saved, [_result("tensor([0.5, 0.2])")], "w", random_because="why")[0] == DIFFERS  # a shape
    assert judge(saved, [_result("tensor([[0.5, 0.2]])")], "w")[0] == DIFFERS  # not random: the values count
    clock = "t = time.time()\nprint('%.1f s' % (time.time() - t))"
    assert judge([_stdout("1.3 s\n")], [_stdout("0.0 s\n")], clock) == (
        NOT_COMPARABLE, "timing: the cell reads the clock")
    assert judge([_stdout("1.3 s\n")], [_stdout("0.0 min\n")], clock)[0] == DIFFERS


# -- what makes a cell random ---------------------------------------------------------------------

def _cell(sources, code, namespace, label="cell 1"):
    sources.start_cell(label)
    exec(code, namespace)
    return sources.end_cell(code, label)


@pytest.fixture
def notebook():
    namespace = {"torch": torch, "np": numpy, "random": random}
    sources = RandomSources(namespace)
    with sources.watch():
        yield sources, namespace


@pytest.mark.parametrize("code, generator", [
    ("w = torch.randn(2)", "torch's generator"),
    ("w = torch.nn.Linear(2, 1)", "torch's generator"),  # weight init
    ("w = np.random.rand(2)", "numpy's generator"),
    ("w = random.random()", "Python's random generator"),
])
def test_unseeded_draws_are_random_and_named(notebook, code, generator):
    sources, namespace = notebook
    assert _cell(sources, code, namespace) == generator + ", not seeded by the notebook"
    assert _cell(sources, "v = w", namespace, "cell 2") == "uses w, random since cell 1"
    assert _cell(sources, "w = 3", namespace, "cell 3") is None  # w no longer holds random numbers
    assert _cell(sources, "u = w + 1", namespace, "cell 4") is None


def test_random_numbers_travel_with_the_names_that_hold_them(notebook):
    sources, namespace = notebook
    _cell(sources, "x = torch.randn(2)", namespace)
    assert _cell(sources, "x = torch.ones(2)\nprint(x)", namespace, "cell 2") is None  # rebound before it is read
    _cell(sources, "y = torch.randn(1)", namespace, "cell 3")
    assert _cell(sources, "z = y * 2", namespace, "cell 4") == "uses y, random since cell 3"
    assert _cell(sources, "print(z)", namespace, "cell 5") == "uses z, random since cell 3"  # where it was drawn
    assert _cell(sources, "y = y + 1", namespace, "cell 6") == "uses y, random since cell 3"  # the y it had


def test_seeded_numpy_and_python_draws_are_reproducible_but_torch_draws_are_not(notebook):
    sources, namespace = notebook
    seeded = "np.random.seed(0)\nrandom.seed(0)\na = np.random.rand(2), random.random()"
    assert _cell(sources, seeded, namespace) is None
    assert namespace["a"][0].tolist() == numpy.random.RandomState(0).rand(2).tolist()  # the seed reached numpy
    assert _cell(sources, "torch.manual_seed(0)", namespace, "cell 2") is None  # seeding alone draws nothing
    assert _cell(sources, "b = torch.rand(2)", namespace, "cell 3") == (
        "torch's generator: seeded in cell 2, but torch 2.x draws other numbers from a seed than 0.3 did")


def test_seed_option_seeds_without_counting_as_the_notebooks_seed(notebook):
    sources, namespace = notebook
    sources.seed_all(5)
    first = _cell(sources, "a = torch.rand(1).item(), np.random.rand(), random.random()", namespace)
    sources.seed_all(5)
    assert _cell(sources, "b = torch.rand(1).item(), np.random.rand(), random.random()", namespace) == first
    assert namespace["a"] == namespace["b"] and "not seeded by the notebook" in first


def test_watch_puts_the_seed_functions_back():
    seeds = random.seed, numpy.random.seed
    with RandomSources({}).watch():
        assert (random.seed, numpy.random.seed) != seeds
    assert (random.seed, numpy.random.seed) == seeds


@pytest.mark.parametrize("code, found", [
    ("x = torch.Tensor(5, 3)", "torch.Tensor(5, 3)"),
    ("x = torch.FloatTensor(n)", "torch.FloatTensor(n)"),  # n is an int: a size
    ("x = torch.LongTensor(*sizes)", "torch.LongTensor(*sizes)"),
    ("x = torch.Tensor(v.size())", "torch.Tensor(v.size())"),
    ("x = v.new(2, n * 2)", "v.new(2, n * 2)"),
    ("x = torch.empty(3)", "torch.empty(3)"),
    ("x = torch.empty_like(v)", "torch.empty_like(v)"),
    ("import torch as th\nx = th.DoubleTensor(2)", "th.DoubleTensor(2)"),
    ("x = torch.Tensor([1, 2])", None),  # data
    ("x = torch.Tensor(data)", None),
    ("x = torch.Tensor()", None),  # empty: nothing to print
    ("x = v.new([1.0])", None),
    ("x = torch.Tensor(2, 2).zero_()", None),  # filled
    ("x = torch.Tensor(2, 2)\nx.fill_(1)", None),
    ("x = torch.Tensor(2)\ntorch.add(v[:2], 1, out=x)", None),
])
def test_uninitialised_memory_is_random(notebook, code, found):
    sources, namespace = notebook
    namespace.update(n=2, sizes=(2, 2), v=torch.ones(3), data=[1.0])
    expected = "uninitialised memory: " + found if found else None
    assert _cell(sources, code, namespace) == expected


def test_modules_classes_and_functions_never_carry_random_numbers(notebook):
    sources, namespace = notebook
    _cell(sources, "import math\ndef f(v):\n    return v\nw = f(torch.randn(1)) * math.pi", namespace)
    assert set(sources.carriers) == {"w"}
    assert _cell(sources, "print(f(1), math.pi, torch.ones(1))", namespace, "cell 2") is None


def test_a_cell_that_does_not_parse_has_no_names(notebook):
    sources, namespace = notebook
    sources.start_cell("cell 1")
    assert sources.end_cell("x = (", "cell 1") is None
