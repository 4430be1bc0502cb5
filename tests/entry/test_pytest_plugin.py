"""`pytest -p varshim.pytest_plugin`: a legacy test suite runs under varshim; nothing changes without it."""

import warnings

import pytest

pytest_plugins = ["pytester"]

LEGACY_SUITE = {
    "legacy_helpers": """
        def to_device(v):
            moved = v.clone()
            moved.copy_(v, async=True)  # PyTorch 0.3 spelling, read as non_blocking=
            return moved
    """,
    "test_legacy": """
        import torch
        from torch.autograd import Variable

        import legacy_helpers

        def test_loss_data_index():
            x = Variable(torch.ones(3), requires_grad=True)
            loss = legacy_helpers.to_device(x * 2).sum()
            loss.backward()
            assert loss.data[0] == 6.0 and x.grad.data.tolist() == [2.0, 2.0, 2.0]

        def test_modern_code():
            assert torch.ones(2).sum().dim() == 0
    """,
}


@pytest.fixture
def suite(pytester):
    pytester.makepyfile(**LEGACY_SUITE)
    return pytester


def test_legacy_suite_passes_under_the_plugin(suite):
    result = suite.runpytest_inprocess("-p", "varshim.pytest_plugin")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["varshim *: installed"])


def test_strict_turns_legacy_warnings_into_errors(suite):
    result = suite.runpytest_inprocess("-p", "varshim.pytest_plugin", "--varshim-strict")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*LegacyTorchWarning: *", "FAILED test_legacy.py::test_loss_data_index*"])


def test_without_the_plugin_pytest_runs_do_not_load_varshim(pytester):
    pytester.makepyfile(test_other="""
        import sys

        def test_untouched():
            assert "varshim" not in sys.modules and "torch" not in sys.modules
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_session_ends_with_the_summary_line(suite):
    with warnings.catch_warnings():  # this suite's own conftest silences legacy warnings
        warnings.simplefilter("default", FutureWarning)
        result = suite.runpytest_inprocess("-p", "varshim.pytest_plugin")
    result.stdout.fnmatch_lines(["varshim: * legacy idiom* at * site*; `varshim check *` lists them*"])
