"""Modern code calling a torch function varshim wraps compiles as before (varshim.patches.removed_apis.torchscript):
TorchScript reads each wrapper as torch's op, dynamo traces it to the same graph."""

import warnings

import torch


def modern_calls(x):
    m = x > 0
    z = x.clone()
    z[m] = 1.0
    spectrum = torch.stft(x, 16, window=torch.ones(16), return_complex=True)
    signal = torch.istft(spectrum, 16, window=torch.ones(16), length=64)
    masked = torch.masked_fill(x, m, 0.0) + torch.masked_scatter(x, m, x) + z.masked_fill(m, 2.0)
    return signal + masked + torch.masked_select(x, m).sum() + (-x) + (1 - x) + torch.fft.rfft(x).abs().sum()


def test_modern_calls_compile_with_torchscript_and_dynamo():
    x = torch.randn(64)
    expected = modern_calls(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.script itself is deprecated
        scripted = torch.jit.script(modern_calls)
    assert torch.allclose(scripted(x), expected)
    assert torch.allclose(torch.compile(modern_calls, backend="eager", fullgraph=True)(x), expected)
