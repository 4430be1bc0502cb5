"""Legacy (PyTorch <= 0.3.1) printing of Variables and `.data` tensors.

Expected strings are derived by hand from pytorch/pytorch v0.3.1 `torch/_tensor_str.py` (read from
pytorch/pytorch.github.io `docs/0.3.1/_modules/torch/_tensor_str.html`); each test names the rule.
Shorthand for `_number_format`: exp(x) = floor(log10(|x|)) + 1 (1 for 0), taken of the smallest and
largest magnitude; prec = 4.
"""

import math
import re
from decimal import Decimal

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim.objects.variable import Variable
from varshim.objects import printing
from varshim.objects.legacy_tensor import LegacyTensor
from tests.support.strategies import shapes

FOOTER = re.compile(r"\[(\S+) of size ([0-9x]+)\]\n\Z")


@pytest.fixture
def opts(monkeypatch):
    """Set legacy PRINT_OPTS for one test (0.3 `torch.set_printoptions` set the same object)."""

    def set_opts(**values):
        for name, value in values.items():
            monkeypatch.setattr(printing.PRINT_OPTS, name, value)

    return set_opts


# -- examples ---------------------------------------------------------------------------------


def test_seed_lesson_values():
    # Integer-valued floats (int_mode): '{:W.0f}', W = max(2, exp_max + 1); matrix rows joined by
    # ' ', a vector one value per line; `_str` = '\n' + body + footer + '\n';
    # Variable.__repr__ = 'Variable containing:' + repr(data).
    a = Variable(torch.ones(2, 2), requires_grad=True)
    assert repr(a) == "Variable containing:\n 1  1\n 1  1\n[torch.FloatTensor of size 2x2]\n"
    x = Variable(torch.ones(2), requires_grad=True)
    y = 5 * (x + 1) ** 2
    o = (1 / 2) * torch.sum(y)
    # 20: exp_max = 2, W = 3.
    assert repr(y) == "Variable containing:\n 20\n 20\n[torch.FloatTensor of size 2]\n"
    assert repr(o) == "Variable containing:\n 20\n[torch.FloatTensor of size 1]\n"
    o.backward()
    assert repr(x.grad) == "Variable containing:\n 10\n 10\n[torch.FloatTensor of size 2]\n"
    assert repr(x.grad.data) == "\n 10\n 10\n[torch.FloatTensor of size 2]\n"


def test_legacy_api_section6_examples():
    # Fractions with exp_max = 0: '{:7.4f}'.
    assert repr(Variable(torch.tensor([0.5, 0.5]))) == (
        "Variable containing:\n 0.5000\n 0.5000\n[torch.FloatTensor of size 2]\n"
    )
    # exp_max = exp(0.002) = -2 < 0: scale 10**(exp_max - 1) on a '{:.5e} *' line, values
    # '{:7.4f}' of value / scale, each indented by one more space.
    assert repr(Variable(torch.tensor([1e-3, 2e-3]))) == (
        "Variable containing:\n1.00000e-03 *\n  1.0000\n  2.0000\n[torch.FloatTensor of size 2]\n"
    )
    assert repr(Variable(torch.tensor([[1]]))) == (
        "Variable containing:\n 1\n[torch.LongTensor of size 1x1]\n"
    )


def test_print_and_str_match_repr(capsys):
    v = Variable(torch.ones(2, 2))
    print(v)
    assert capsys.readouterr().out == repr(v) + "\n"  # 0.3 printed the trailing blank line too
    assert str(v) == repr(v)
    assert str(v.data) == repr(v.data) == "\n 1  1\n 1  1\n[torch.FloatTensor of size 2x2]\n"


@pytest.mark.parametrize(
    "dtype, name",
    [
        (torch.float32, "torch.FloatTensor"),
        (torch.float64, "torch.DoubleTensor"),
        (torch.float16, "torch.HalfTensor"),
        (torch.int64, "torch.LongTensor"),
        (torch.int32, "torch.IntTensor"),
        (torch.int16, "torch.ShortTensor"),
        (torch.int8, "torch.CharTensor"),
        (torch.uint8, "torch.ByteTensor"),
        (torch.bool, "torch.ByteTensor"),  # 0.3 had no bool: masks were ByteTensors
    ],
)
def test_type_names(dtype, name):
    # 0.3 `torch.typename`; values 1, 0 are integers in every type: '{:2.0f}'.
    t = torch.tensor([1, 0]).to(dtype)
    assert repr(Variable(t)) == "Variable containing:\n 1\n 0\n[%s of size 2]\n" % name


def test_integer_types_width():
    # Integer types are always int_mode: W = max(2, exp(300) + 1) = 4.
    t = torch.tensor([1, -2, 300], dtype=torch.int32)
    assert repr(Variable(t)) == "Variable containing:\n   1\n  -2\n 300\n[torch.IntTensor of size 3]\n"


def test_exponent_format_when_magnitudes_span_more_than_prec_decades():
    # Not int_mode, exp_max - exp_min = 4 - (-4) > prec: '{:11.4e}' (sz = 7 + prec).
    assert repr(Variable(torch.tensor([1e-5, 1e3], dtype=torch.float64))) == (
        "Variable containing:\n 1.0000e-05\n 1.0000e+03\n[torch.DoubleTensor of size 2]\n"
    )


def test_exponent_format_for_large_integer_values():
    # int_mode with exp_max = 11 > prec + 1: '{:11.4e}'.
    assert repr(Variable(torch.tensor([1e10, 1.0]))) == (
        "Variable containing:\n 1.0000e+10\n 1.0000e+00\n[torch.FloatTensor of size 2]\n"
    )


def test_scale_factor_for_large_fractional_values():
    # exp_max = 6 > prec + 1, exp_max - exp_min = 1: scale 10**5, '{:7.4f}' of value / scale.
    t = torch.tensor([150000.5, 25000.25], dtype=torch.float64)
    assert repr(Variable(t)) == (
        "Variable containing:\n1.00000e+05 *\n  1.5000\n  0.2500\n[torch.DoubleTensor of size 2]\n"
    )


def test_scale_factor_in_a_matrix():
    # `_matrix_str`: the scale line once per column block, then each row indented by one space.
    t = torch.tensor([[0.01, 0.02]], dtype=torch.float64)
    assert repr(t.as_subclass(LegacyTensor)) == (
        "\n1.00000e-02 *\n  1.0000  2.0000\n[torch.DoubleTensor of size 1x2]\n"
    )


def test_fractional_width_grows_with_integer_digits():
    # Not int_mode, 1 <= exp_max <= prec + 1: '{:W.4f}', W = exp_max + 6 (exp(123.5) = 3: 9).
    t = torch.tensor([123.5, -0.25])
    assert repr(Variable(t)) == (
        "Variable containing:\n 123.5000\n  -0.2500\n[torch.FloatTensor of size 2]\n"
    )


def test_nan_and_inf():
    # inf/nan are measured as the first finite value and raise the minimum width to 3.
    t = torch.tensor([float("nan"), 1.5, float("inf")])
    assert repr(Variable(t)) == (
        "Variable containing:\n    nan\n 1.5000\n    inf\n[torch.FloatTensor of size 3]\n"
    )
    # No finite value: measured as 0, int_mode, W = max(3, 2).
    t = torch.tensor([float("nan"), float("nan")])
    assert repr(Variable(t)) == "Variable containing:\nnan\nnan\n[torch.FloatTensor of size 2]\n"
    # '{:3.0f}' of -inf overflows the width, as it did.
    t = torch.tensor([float("-inf"), 2.0])
    assert repr(Variable(t)) == "Variable containing:\n-inf\n  2\n[torch.FloatTensor of size 2]\n"


def test_three_dim_slices():
    # `_tensor_str`: '({},.,.) = ' headers, index centred in max(2, digits of the sizes), a blank
    # line between slices, rows indented by one space; one formatter for the whole tensor.
    t = torch.arange(8.0).view(2, 2, 2)
    assert repr(Variable(t)) == (
        "Variable containing:\n"
        "(0 ,.,.) = \n  0  1\n  2  3\n\n"
        "(1 ,.,.) = \n  4  5\n  6  7\n"
        "[torch.FloatTensor of size 2x2x2]\n"
    )


def test_four_dim_slices():
    t = torch.zeros(1, 2, 1, 1, dtype=torch.long)
    assert repr(Variable(t)) == (
        "Variable containing:\n"
        "(0 ,0 ,.,.) = \n  0\n\n"
        "(0 ,1 ,.,.) = \n  0\n"
        "[torch.LongTensor of size 1x2x1x1]\n"
    )


def test_empty_tensor():
    # 0.3 empty tensors had no dimension: the footer alone, without the leading newline.
    assert repr(torch.zeros(0).as_subclass(LegacyTensor)) == "[torch.FloatTensor with no dimension]\n"
    assert repr(Variable(torch.zeros(2, 0))) == (
        "Variable containing:[torch.FloatTensor with no dimension]\n"
    )


def test_zero_dim_tensor_prints_as_size_one():
    # 0.3 had no 0-dim tensors; varshim's rule: a 0-dim result is the size-(1,) tensor.
    assert repr(torch.tensor(2.5).as_subclass(LegacyTensor)) == "\n 2.5000\n[torch.FloatTensor of size 1]\n"


def test_vector_summarised_from_threshold_elements():
    # `_vector_str`: all values when numel < threshold (1000), else the edgeitems (3) first and
    # last around '⋮' centred in the width (W = exp(999) + 1 = 4).
    assert repr(Variable(torch.arange(1000.0))) == (
        "Variable containing:\n   0\n   1\n   2\n \u22ee  \n 997\n 998\n 999\n"
        "[torch.FloatTensor of size 1000]\n"
    )
    full = repr(Variable(torch.arange(999.0))).split("\n")
    assert full[1:-2] == ["{:4.0f}".format(i) for i in range(999)]


def test_wide_matrix_split_in_column_blocks():
    # `_matrix_str`: a side > 2 * edgeitems sets the minimum width to 5 even when printed in full;
    # floor((linewidth - len(indent)) / (W + 1)) = floor(80 / 6) = 13 columns per block, each
    # block led by '\n' + 'Columns a to b ' (0-based, inclusive).
    def row(n):
        return " ".join(["    1"] * n) + "\n"

    assert repr(Variable(torch.ones(2, 30))) == (
        "Variable containing:\n"
        "\nColumns 0 to 12 \n" + row(13) + row(13)
        + "\nColumns 13 to 25 \n" + row(13) + row(13)
        + "\nColumns 26 to 29 \n" + row(4) + row(4)
        + "[torch.FloatTensor of size 2x30]\n"
    )
    # Small sides: W = 2, 26 columns per block.
    assert repr(Variable(torch.ones(1, 6))) == (
        "Variable containing:\n 1  1  1  1  1  1\n[torch.FloatTensor of size 1x6]\n"
    )


def test_big_matrix_summarised_both_ways():
    # numel >= threshold and a side > 2 * edgeitems: min width 5 ('{:5.0f}'); rows cut to their 3
    # first and last values around ' {:^5} '.format('...'); a row of '...', '⋱', '...'.
    t = torch.arange(1000.0).view(10, 100)
    dots = " ".join(["{:^17}".format("..."), "{:^5}".format("\u22f1"), "{:^17}".format("...")])

    def row(r):
        head = " ".join("{:5.0f}".format(100 * r + c) for c in range(3))
        tail = " ".join("{:5.0f}".format(100 * r + c) for c in range(97, 100))
        return head + "  ...  " + tail + "\n"

    assert repr(Variable(t)) == (
        "Variable containing:\n" + row(0) + row(1) + row(2) + dots + "\n" + row(7) + row(8) + row(9)
        + "[torch.FloatTensor of size 10x100]\n"
    )


def test_tall_matrix_summarised(opts):
    # Only rows cut: '⋮' centred in the length of a full row including its newline (12).
    opts(threshold=10)
    t = torch.arange(14.0).view(7, 2)
    assert repr(Variable(t)) == (
        "Variable containing:\n    0     1\n    2     3\n    4     5\n     \u22ee      \n"
        "    8     9\n   10    11\n   12    13\n[torch.FloatTensor of size 7x2]\n"
    )


def test_nd_summarised_skips_middle_slices(opts):
    # `_tensor_str` with numel >= threshold: after edgeitems slices the counter jumps to
    # size - edgeitems and a '...' line (centred in dim width + 1) marks the gap.
    opts(threshold=10)
    t = torch.arange(32.0).view(8, 2, 2)
    assert repr(Variable(t)) == (
        "Variable containing:\n"
        "(0 ,.,.) = \n   0   1\n   2   3\n\n"
        "(1 ,.,.) = \n   4   5\n   6   7\n\n"
        "(2 ,.,.) = \n   8   9\n  10  11\n...\n\n"
        "(5 ,.,.) = \n  20  21\n  22  23\n\n"
        "(6 ,.,.) = \n  24  25\n  26  27\n\n"
        "(7 ,.,.) = \n  28  29\n  30  31\n"
        "[torch.FloatTensor of size 8x2x2]\n"
    )


def test_nd_summarised_marks_restarted_dimensions(opts):
    # The 0.3 odometer prints ' ' + '⋮' (per restarted leading dim) whenever an inner index wraps.
    opts(threshold=1)
    t = torch.arange(4.0).view(2, 2, 1, 1)
    assert repr(Variable(t)) == (
        "Variable containing:\n"
        "(0 ,0 ,.,.) = \n  0\n\n"
        "(0 ,1 ,.,.) = \n  1\n     \u22ee \n\n"
        "(1 ,0 ,.,.) = \n  2\n\n"
        "(1 ,1 ,.,.) = \n  3\n"
        "[torch.FloatTensor of size 2x2x1x1]\n"
    )


def test_precision_option(opts):
    # PRINT_OPTS.precision sets the decimals; the fixed width for exp_max = 0 stays 7 in 0.3.
    opts(precision=2)
    assert repr(Variable(torch.tensor([0.125, 0.5]))) == (
        "Variable containing:\n   0.12\n   0.50\n[torch.FloatTensor of size 2]\n"
    )


def test_complex_keeps_modern_form():
    # No 0.3 counterpart: the plain modern repr (never an exception).
    t = torch.tensor([1 + 2j]).as_subclass(LegacyTensor)
    assert repr(t) == "tensor([1.+2.j])"


def test_printing_records_nothing_and_keeps_modern_printing():
    x = Variable(torch.ones(2), requires_grad=True)
    y = x * 2
    grad_fn = y.grad_fn
    repr(y), repr(y.data)
    assert y.grad_fn is grad_fn and x.grad is None
    assert repr(torch.ones(2)) == "tensor([1., 1.])"
    assert repr(torch.tensor(3.0)) == "tensor(3.)"
    assert printing.PRINT_OPTS.precision == 4


def test_volatile_variable_prints():
    v = Variable(torch.ones(1), volatile=True)
    assert repr(v * 3) == "Variable containing:\n 3\n[torch.FloatTensor of size 1]\n"


# -- property: the numbers printed are the tensor's, to the printed precision -----------------

_NAMES = {
    torch.float32: "torch.FloatTensor",
    torch.float64: "torch.DoubleTensor",
    torch.float16: "torch.HalfTensor",
    torch.int64: "torch.LongTensor",
    torch.int32: "torch.IntTensor",
    torch.int16: "torch.ShortTensor",
    torch.int8: "torch.CharTensor",
    torch.uint8: "torch.ByteTensor",
    torch.bool: "torch.ByteTensor",
}
_HEADER = re.compile(r"\((?:\d+ *,)+\.,\.\) = ")
_SCALE = re.compile(r" *(\S+) \*")


def _parse(text):
    """Numbers of a legacy repr in row-major order (scale applied), its type name and size.

    Decimals, so a value printed just past the float range (1.7977e+308) still parses exactly.
    """
    footer = FOOTER.search(text)
    name, size = footer.group(1), tuple(int(s) for s in footer.group(2).split("x"))
    assert text.startswith("\n")
    lines = text[1:footer.start()].split("\n")[:-1]
    scale = Decimal(1)
    if len(size) == 1:
        values = []
        for line in lines:
            match = _SCALE.fullmatch(line)
            if match:
                scale = Decimal(match.group(1))
            else:
                values.append(Decimal(line) * scale)
        return values, name, size
    sections = [[]]
    for line in lines:
        if _HEADER.fullmatch(line):
            sections.append([])
        else:
            sections[-1].append(line)
    sections = [s for s in sections if any(line.strip() for line in s)]
    values = []
    for section in sections:
        blocks = [[]]
        for line in section:
            match = _SCALE.fullmatch(line)
            if match:
                scale = Decimal(match.group(1))
            elif line.startswith("Columns "):
                blocks.append([])
            elif line.strip():
                blocks[-1].append([Decimal(tok) * scale for tok in line.split()])
        blocks = [b for b in blocks if b]
        for row in zip(*blocks):
            values.extend(v for part in row for v in part)
    return values, name, size


_SHAPES = st.one_of(
    shapes(max_dims=4, side=st.integers(1, 5)),
    st.tuples(st.integers(1, 4), st.integers(20, 60)).map(list),  # wide: column blocks
    st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(25, 40)).map(list),
)


@st.composite
def tensors(draw):
    shape = draw(_SHAPES)
    numel = math.prod(shape)
    dtype = draw(st.sampled_from(list(_NAMES)))
    if dtype is torch.bool:
        elements = st.booleans()
    elif not dtype.is_floating_point:
        info = torch.iinfo(dtype)
        elements = st.integers(info.min, info.max) | st.integers(max(info.min, -300), min(info.max, 300))
    else:
        width = {torch.float16: 16, torch.float32: 32, torch.float64: 64}[dtype]
        exponent = draw(st.integers(-8, 8))
        elements = st.one_of(
            st.floats(width=width),  # any value of the dtype, subnormals, 0, nan, inf
            st.floats(-1, 1, width=width).map(lambda v: v * 10.0**exponent),  # scale-factor cases
            st.integers(-1000, 1000).map(float),  # integer-valued floats
            st.sampled_from([math.nan, math.inf, -math.inf]),
        )
    values = draw(st.lists(elements, min_size=numel, max_size=numel))
    return torch.tensor(values, dtype=dtype).view(shape)


@given(tensors())
def test_repr_reproduces_values_type_and_size(t):
    text = repr(Variable(t))
    assert text.startswith("Variable containing:\n")
    values, name, size = _parse(text[len("Variable containing:"):])
    assert name == _NAMES[t.dtype]
    assert size == tuple(t.shape)
    expected = t.reshape(-1).tolist() if t.is_floating_point() else t.reshape(-1).long().tolist()
    assert len(values) == len(expected)
    # Printed with `precision` decimals, of value / scale or of the mantissa: off by at most half a
    # unit in the last printed place of max(scale, |value|).
    half_ulp = Decimal("0.5").scaleb(-printing.PRINT_OPTS.precision)
    scale = _scale_of(text)
    for got, want in zip(values, expected):
        if isinstance(want, float) and math.isnan(want):
            assert got.is_nan(), (got, want, text)
            continue
        want = Decimal(want)
        if want.is_infinite():
            assert got == want, (got, want, text)
            continue
        # Slack for the float division value / scale before rounding.
        tolerance = half_ulp * max(abs(want), scale) * (1 + Decimal("1e-9"))
        assert abs(got - want) <= tolerance, (got, want, text)


def _scale_of(text):
    match = re.search(r"^ *(\S+) \*$", text, re.MULTILINE)
    return Decimal(match.group(1)) if match else Decimal(1)


def test_set_printoptions_applies_as_in_0_3():
    # 0.3's torch.set_printoptions set the options its printer read; legacy scripts rely on it.
    torch.set_printoptions(precision=2)
    try:
        assert printing.tensor_repr(torch.tensor([1.23456, 2.5])) == "\n   1.23\n   2.50\n[torch.FloatTensor of size 2]\n"
    finally:
        torch.set_printoptions(precision=4)
