"""Gaps and regressions found by running whole legacy programs (tests/integration/test_legacy_programs.py).

Each test is the smallest reproduction of what a legacy program met. Known gaps are strict xfails
naming the missing piece, so they fail (XPASS) the day the piece lands and must then become
plain regression tests. This file does the one-line edit (`from varshim import Variable`), so it
is 0.3 code by definition, as the programs were (`varshim.legacy_program.adopt`).
"""

import pytest
import torch
import torch.nn as nn

from varshim import Variable
from tests.support.legacy_program import LEGACY_FILE, run, running_legacy_program


def _trained_linear():
    torch.manual_seed(0)
    linear = nn.Linear(3, 2)
    linear(Variable(torch.randn(4, 3))).sum().backward()
    return linear


def test_parameter_data_reductions_are_python_numbers():
    # print(model.fc.bias.data[0]), p.grad.data.norm() in gradient monitors: 0.3 printed numbers
    linear = _trained_linear()
    assert isinstance(linear.bias.data[0], float)
    assert isinstance(linear.weight.grad.data.norm(), float)


def test_clip_grad_norm_returns_a_python_float_to_the_legacy_program():
    linear = _trained_linear()
    program = "import torch\ntotal = torch.nn.utils.clip_grad_norm(linear.parameters(), 0.5)\n"
    with running_legacy_program():
        assert isinstance(run(program, LEGACY_FILE, linear=linear)["total"], float)


def test_iterating_legacy_data_names_a_valid_modern_spelling():
    # seq2seq beam search (`for k, word in enumerate(beam.getCurrentState())` over `.data` results) got
    # "write t.unbind().item()", which is not valid code: unbind returns a tuple.
    from varshim import LegacyTorchWarning

    ids = Variable(torch.LongTensor([4, 7])).data
    with pytest.warns(LegacyTorchWarning, match=r"iterating over a 1-D tensor .* t\.tolist\(\)") as caught:
        words = [word for word in ids]
    assert words == [4, 7] and all(type(word) is int for word in words)
    assert not any("unbind().item()" in str(w.message) for w in caught)
    assert caught[0].filename == __file__
