"""`LegacyTorchWarning`: how varshim tells a user which legacy idiom it shimmed.

Every shim calls :func:`warn_legacy` with the modern spelling; the warning is attributed to the
first frame outside varshim and torch (`varshim.own_files`), so the default filter shows it once
per user call site and `warnings.simplefilter("ignore", LegacyTorchWarning)` silences all of them.
"""

import sys
import warnings

from .own_files import is_varshim_or_torch

__all__ = ["LegacyTorchWarning", "warn_legacy"]


class LegacyTorchWarning(FutureWarning):
    """A Variable-era idiom ran under varshim; the message names the modern spelling."""


def _user_frame():
    frame = sys._getframe(2)
    while frame is not None and is_varshim_or_torch(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def warn_legacy(message):
    """Warn once per user call site that a legacy idiom was shimmed."""
    frame = _user_frame()
    if frame is None:  # called from varshim or torch only (e.g. tests of the shim itself)
        warnings.warn(message, LegacyTorchWarning, stacklevel=3)
        return
    module_globals = frame.f_globals
    warnings.warn_explicit(
        message,
        LegacyTorchWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=module_globals.get("__name__", "<unknown>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
    )
