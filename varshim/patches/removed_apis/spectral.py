"""The 1.7 Fourier functions, and `stft`/`istft` returning and taking real tensors.

Before the `torch.fft` module (1.7 opt-in, 1.8 default), `torch.fft(x, signal_ndim)`,
`torch.ifft`, `torch.rfft` and `torch.irfft` (and their Tensor methods) held complex numbers as a
last dimension of size 2 (real, imaginary) and transformed the last `signal_ndim` (1-3) signal
dimensions; `normalized=True` scaled by 1/sqrt(N) both ways, else the inverse divided by N;
`onesided` kept half of the last dimension (N//2 + 1); `irfft(..., signal_sizes=)` gave the output
size (default 2 * (M - 1) for a onesided input). pytorch/pytorch.github.io
`docs/1.7.1/generated/torch.rfft.html` (and `torch.fft`, `torch.ifft`, `torch.irfft`); removed in
1.8. Modern: `torch.fft.fftn`/`ifftn`/`rfftn`/`irfftn` on complex tensors, with
`torch.view_as_real`/`view_as_complex` for the old layout.

`torch.stft` on a real signal without `return_complex` returned that real layout up to 1.13
(with a warning from 1.8); torch 2.0 made it an error. `torch.istft` took it back.
"""

import types
from typing import Optional

import torch

from ...legacy_warnings import call_as_caller, warn_legacy
from .torchscript import as_builtin

__all__ = ["CallableFFT", "FUNCTIONS", "METHODS", "stft", "istft"]

_fft = torch.fft
_stft = torch.stft
_istft = torch.istft


def _dims(signal_ndim):
    if signal_ndim not in (1, 2, 3):
        raise RuntimeError(f"signal_ndim can only be 1, 2 or 3, but got {signal_ndim}")
    return tuple(range(-signal_ndim, 0))


def _norm(normalized):
    return "ortho" if normalized else "backward"


def _complex(input, name):
    if input.shape[-1:] != (2,):
        raise RuntimeError(f"torch.{name} (1.7 layout) expects a last dimension of size 2 (real, imaginary), "
                           f"got shape {tuple(input.shape)}")
    return torch.view_as_complex(input.contiguous())


def _removed(name, modern):
    warn_legacy(f"torch.{name}(input, signal_ndim) was removed in 1.8: write {modern}.")


def fft(input, signal_ndim, normalized=False):
    _removed("fft", "torch.view_as_real(torch.fft.fftn(torch.view_as_complex(x), dim=...))")
    dims = _dims(signal_ndim)
    return torch.view_as_real(_fft.fftn(_complex(input, "fft"), dim=dims, norm=_norm(normalized)))


def ifft(input, signal_ndim, normalized=False):
    _removed("ifft", "torch.view_as_real(torch.fft.ifftn(torch.view_as_complex(x), dim=...))")
    dims = _dims(signal_ndim)
    return torch.view_as_real(_fft.ifftn(_complex(input, "ifft"), dim=dims, norm=_norm(normalized)))


def rfft(input, signal_ndim, normalized=False, onesided=True):
    _removed("rfft", "torch.view_as_real(torch.fft.rfftn(x, dim=...)) (fftn for onesided=False)")
    transform = _fft.rfftn if onesided else _fft.fftn
    return torch.view_as_real(transform(input, dim=_dims(signal_ndim), norm=_norm(normalized)))


def irfft(input, signal_ndim, normalized=False, onesided=True, signal_sizes=None):
    _removed("irfft", "torch.fft.irfftn(torch.view_as_complex(x), s=signal_sizes, dim=...)")
    dims = _dims(signal_ndim)
    spectrum = _complex(input, "irfft")
    if signal_sizes is None:
        signal_sizes = list(spectrum.shape[-signal_ndim:])
        if onesided:
            signal_sizes[-1] = 2 * (signal_sizes[-1] - 1)
    # irfftn reads the first s[-1] // 2 + 1 entries of the last dimension: a full (two-sided)
    # spectrum is cut to its onesided half, as 1.7 did.
    return _fft.irfftn(spectrum, s=list(signal_sizes), dim=dims, norm=_norm(normalized))


class CallableFFT(types.ModuleType):
    """`torch.fft`, the module, also callable as the 1.7 function `torch.fft(input, signal_ndim)`."""

    def __call__(self, input, signal_ndim, normalized=False):
        return fft(input, signal_ndim, normalized)


def stft(input: torch.Tensor, n_fft: int, hop_length: Optional[int] = None, win_length: Optional[int] = None,
         window: Optional[torch.Tensor] = None, center: bool = True, pad_mode: str = "reflect",
         normalized: bool = False, onesided: Optional[bool] = None, return_complex: Optional[bool] = None,
         align_to_window: Optional[bool] = None) -> torch.Tensor:
    """`torch.stft` (torch 2.13's signature); a real signal without `return_complex` gets the real
    (..., 2) result of 1.x. Typed and guarded by `torch.jit.is_scripting()` so that TorchScript and
    dynamo compile modern calls exactly as they compile torch's own `stft`."""
    if not torch.jit.is_scripting():
        if return_complex is None and not input.is_complex() and (window is None or not window.is_complex()):
            warn_legacy("torch.stft without return_complex returned real and imaginary parts as a last dimension "
                        "before torch 2.0: write torch.view_as_real(torch.stft(..., return_complex=True)).")
            return torch.view_as_real(_stft(input, n_fft, hop_length, win_length, window, center, pad_mode,
                                            normalized, onesided, True, align_to_window))
    return _stft(input, n_fft, hop_length, win_length, window, center, pad_mode, normalized, onesided,
                 return_complex, align_to_window)


def istft(input, *args, **kwargs):
    """`torch.istft`; a real (..., 2) input is read as the complex spectrum it holds, as in 1.x."""
    if not input.is_complex() and input.shape[-1:] == (2,):
        warn_legacy("torch.istft of a real (..., 2) spectrum was removed in torch 2.0: write "
                    "torch.istft(torch.view_as_complex(spectrum), ...).")
        input = torch.view_as_complex(input.contiguous())
    return call_as_caller(_istft, (input, *args), kwargs)  # torch's C++ warnings name the caller's line


as_builtin(istft, "aten::istft")

FUNCTIONS = {"ifft": ifft, "rfft": rfft, "irfft": irfft}  # torch.fft is the module made callable
METHODS = {"fft": fft, "ifft": ifft, "rfft": rfft, "irfft": irfft}
