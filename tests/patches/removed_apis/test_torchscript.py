"""Modern code calling a torch function varshim wraps compiles as before (varshim.patches.removed_apis.torchscript):
TorchScript reads each wrapper as torch's op, dynamo traces it to the same graph; also while a legacy
program runs, when the masks, the 0.3 factories and the 1.x operator rows are in place."""

import contextlib
import warnings

import pytest
import torch

from tests.support.legacy_program import no_program_running, running_legacy_program


def modern_calls(x):
    m = x > 0
    z = x.clone()
    z[m] = 1.0
    spectrum = torch.stft(x, 16, window=torch.ones(16), return_complex=True)
    signal = torch.istft(spectrum, 16, window=torch.ones(16), length=64)
    masked = torch.masked_fill(x, m, 0.0) + torch.masked_scatter(x, m, x) + z.masked_fill(m, 2.0)
    return signal + masked + torch.masked_select(x, m).sum() + (-x) + (1 - x) + torch.fft.rfft(x).abs().sum()


@pytest.mark.parametrize("legacy_run", [None, "0.3", "1.1"])
def test_modern_calls_compile_with_torchscript_and_dynamo(legacy_run):
    with no_program_running(), (running_legacy_program(legacy_run) if legacy_run else contextlib.nullcontext()):
        _compile_and_compare()


def _compile_and_compare():
    x = torch.randn(64)
    expected = modern_calls(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.script itself is deprecated
        scripted = torch.jit.script(modern_calls)
    assert torch.allclose(scripted(x), expected)
    assert torch.allclose(torch.compile(modern_calls, backend="eager", fullgraph=True)(x), expected)


def test_code_compiled_during_a_legacy_run_and_after_it_both_compile():
    """torch.compile's tables of torch's functions are built at the first compile: built while the
    0.3 factory rows were applied, they must not make torch's own `torch.ones` unknown afterwards."""
    def during(x):
        return x + torch.ones(4)

    def after(x):
        return x * torch.ones(4)

    torch._dynamo.trace_rules.clear_lru_cache()  # as in a process whose first compile is in the run
    with no_program_running():
        with running_legacy_program("0.3"):
            assert torch.compile(during, backend="eager", fullgraph=True)(torch.zeros(4)).tolist() == [1.0] * 4
        assert torch.compile(after, backend="eager", fullgraph=True)(torch.full((4,), 2.0)).tolist() == [2.0] * 4
