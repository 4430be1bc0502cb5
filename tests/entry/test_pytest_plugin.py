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

        def test_program_tensors_follow_0_3_and_torchs_own_stay_modern():
            assert torch.ones(2).sum() == 2.0  # the suite is 0.3 code: a Python number
            assert torch.utils.data.default_collate([1, 2]).sum().dim() == 0  # made by torch's own code
    """,
}


@pytest.fixture
def suite(pytester):
    pytester.makepyfile(**LEGACY_SUITE)
    return pytester


def test_legacy_suite_passes_under_the_plugin(suite):
    result = suite.runpytest_inprocess("-p", "varshim.pytest_plugin")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "varshim *: installed",
        "collected 2 items",
        "varshim: test_legacy_suite_passes_under_the_plugin0 runs as code for PyTorch 0.3: legacy_helpers.py:3 has "
        "async=True (VS601, a 0.3 idiom); --varshim-written-for modern runs it with torch 2.x rules",
    ])


def test_strict_turns_legacy_warnings_into_errors(suite):
    result = suite.runpytest_inprocess("-p", "varshim.pytest_plugin", "--varshim-strict")
    result.assert_outcomes(passed=0, failed=2)
    result.stdout.fnmatch_lines(["*LegacyTorchWarning: *", "FAILED test_legacy.py::test_loss_data_index*",
                                 "FAILED test_legacy.py::test_program_tensors_follow_0_3_and_torchs_own_stay_modern*"])


def test_written_for_modern_keeps_the_suites_own_tensors_modern(pytester):
    pytester.makepyfile(test_modern="""
        import torch
        from torch.autograd import Variable

        def test_sum_is_0_dim():
            assert Variable(torch.ones(2)).data.sum() == 2.0  # Variables keep their 0.3 rules
            assert torch.ones(2).sum().dim() == 0 and torch.arange(3).sum().dim() == 0
    """)
    for args in (["--varshim-written-for", "modern"], []):
        result = pytester.runpytest_inprocess("-p", "varshim.pytest_plugin", *args)
        result.assert_outcomes(**({"passed": 1} if args else {"failed": 1}))
    result = pytester.runpytest_inprocess("-p", "varshim.pytest_plugin", "--varshim-written-for", "modern")
    result.stdout.fnmatch_lines(["varshim: * runs as code for torch 2.x rules, as told "
                                 "(--varshim-written-for or $VARSHIM_WRITTEN_FOR)"])


def test_a_bad_written_for_is_a_usage_error(pytester):
    result = pytester.runpytest_inprocess("-p", "varshim.pytest_plugin", "--varshim-written-for", "new")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--varshim-written-for: 'new' is not a torch release*"])


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
