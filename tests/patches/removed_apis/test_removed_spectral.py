"""The 1.7 Fourier functions and real stft/istft (varshim.patches.removed_apis.spectral), against NumPy's FFT
(an independent oracle) and torch.fft; gradients by gradcheck; modern torch.fft and stft untouched
(compiled modern calls: test_torchscript.py)."""

import types
import warnings

import numpy
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import varshim
from tests.support.legacy_program import modern_torch

seeds = st.integers(0, 2**16)


@st.composite
def signals(draw, complex_layout):
    """(tensor, signal_ndim): batch dims, 1-3 signal dims of sizes 1-6, and a last 2 if complex."""
    signal_ndim = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 1)))]
    shape += [draw(st.integers(1, 6)) for _ in range(signal_ndim)]
    g = torch.Generator().manual_seed(draw(seeds))
    x = torch.randn(*shape, *([2] if complex_layout else []), generator=g, dtype=torch.float64)
    return x, signal_ndim


def _numpy_complex(x):
    array = x.numpy()
    return array[..., 0] + 1j * array[..., 1]


def _axes(signal_ndim):
    return tuple(range(-signal_ndim, 0))


def _layout(array):
    return torch.from_numpy(numpy.stack([array.real, array.imag], axis=-1))


def _norm(normalized):
    return "ortho" if normalized else "backward"


def test_modern_torch_refuses_them():
    x = torch.randn(4, 2)
    with modern_torch():
        for call in (lambda: torch.fft(x, 1), lambda: torch.rfft(x, 1), lambda: x.ifft(1)):
            with pytest.raises((TypeError, AttributeError)):
                call()
        with pytest.raises(RuntimeError, match="return_complex"):
            torch.stft(torch.randn(64), 16)


@given(signal=signals(complex_layout=True), normalized=st.booleans())
def test_fft_and_ifft_transform_the_last_signal_dims_of_the_real_imaginary_layout(signal, normalized):
    x, d = signal
    expected = numpy.fft.fftn(_numpy_complex(x), axes=_axes(d), norm=_norm(normalized))
    assert torch.allclose(torch.fft(x, d, normalized), _layout(expected))
    assert torch.allclose(x.fft(d, normalized=normalized), _layout(expected))
    inverse = numpy.fft.ifftn(_numpy_complex(x), axes=_axes(d), norm=_norm(normalized))
    assert torch.allclose(torch.ifft(x, d, normalized), _layout(inverse))


@given(signal=signals(complex_layout=False), normalized=st.booleans(), onesided=st.booleans())
def test_rfft_keeps_half_of_the_last_dim_when_onesided(signal, normalized, onesided):
    x, d = signal
    full = numpy.fft.fftn(x.numpy(), axes=_axes(d), norm=_norm(normalized))
    expected = full[..., : x.shape[-1] // 2 + 1] if onesided else full
    result = torch.rfft(x, d, normalized=normalized, onesided=onesided)
    assert result.shape == (*expected.shape, 2) and torch.allclose(result, _layout(expected))
    assert torch.allclose(x.rfft(d, normalized, onesided), result)


@given(signal=signals(complex_layout=False), normalized=st.booleans(), onesided=st.booleans())
def test_irfft_inverts_rfft_given_the_signal_sizes(signal, normalized, onesided):
    x, d = signal
    spectrum = torch.rfft(x, d, normalized=normalized, onesided=onesided)
    back = torch.irfft(spectrum, d, normalized=normalized, onesided=onesided, signal_sizes=x.shape[-d:])
    assert back.shape == x.shape and torch.allclose(back, x)


def test_irfft_default_size_is_twice_the_onesided_length_minus_one():
    spectrum = torch.rfft(torch.randn(3, 8, dtype=torch.float64), 1)
    assert torch.irfft(spectrum, 1).shape == (3, 8)
    assert spectrum.irfft(1).shape == (3, 8)


def test_gradients_pass_gradcheck():
    real = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    layout = torch.randn(2, 5, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: torch.rfft(x, 1), (real,))
    assert torch.autograd.gradcheck(lambda x: torch.rfft(x, 2, normalized=True, onesided=False), (real,))
    assert torch.autograd.gradcheck(lambda x: torch.fft(x, 1), (layout,))
    assert torch.autograd.gradcheck(lambda x: torch.irfft(x, 1, signal_sizes=(8,)), (layout,))


def test_signal_ndim_and_layout_errors_are_clear():
    with pytest.raises(RuntimeError, match="signal_ndim can only be 1, 2 or 3"):
        torch.rfft(torch.randn(4), 4)
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        torch.fft(torch.randn(4, 3), 1)


def test_torch_fft_is_still_the_module():
    assert isinstance(torch.fft, types.ModuleType) and torch.fft.__name__ == "torch.fft"
    x = torch.randn(8)
    assert torch.equal(torch.fft.fft(x), torch.fft.fft(x)) and torch.fft.rfft(x).shape == (5,)
    import torch.fft as fft_module

    assert fft_module is torch.fft


# -- stft / istft ---------------------------------------------------------------------------------


@given(seed=seeds, n_fft=st.sampled_from([8, 16]), center=st.booleans(), windowed=st.booleans())
def test_stft_without_return_complex_is_the_real_layout(seed, n_fft, center, windowed):
    x = torch.randn(2, 64, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    window = torch.hann_window(n_fft, dtype=torch.float64) if windowed else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's own "no window" advice
        legacy = torch.stft(x, n_fft, window=window, center=center)
        modern = torch.stft(x, n_fft, window=window, center=center, return_complex=True)
        assert torch.equal(x.stft(n_fft, window=window, center=center), legacy)
        assert torch.equal(legacy, torch.view_as_real(modern))
        if center:  # istft reads the real layout back (without centering the window may not overlap-add)
            assert torch.allclose(torch.istft(legacy, n_fft, window=window, length=64), x)


def test_stft_calls_torch_accepts_are_torchs():
    x = torch.randn(64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = torch.stft(x, 16, window=torch.ones(16), return_complex=True)
    assert result.is_complex() and not [w for w in caught if issubclass(w.category, varshim.LegacyTorchWarning)]
    assert torch.stft(x.to(torch.complex64), 16, window=torch.ones(16), return_complex=True).is_complex()
