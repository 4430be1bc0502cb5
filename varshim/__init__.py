"""varshim: run PyTorch 0.1-0.3 `Variable`-era code unchanged on modern torch.

    from varshim import Variable          # or: python -m varshim script.py

Importing varshim installs it: `torch.autograd.Variable` becomes varshim's `Variable`, and the few
module-level names legacy code reaches (`torch.autograd.backward`, ...) accept their legacy forms.
Plain tensors keep modern behavior; legacy rules follow `Variable` objects. `uninstall()` and
`with legacy():` restore torch exactly.
"""

import contextlib

from .ipython import load_ipython_extension, unload_ipython_extension  # `%load_ext varshim`
from .patches import PATCHES
from .serialization import trust
from .variable import Variable
from .warnings import LegacyTorchWarning

__all__ = ["Variable", "install", "uninstall", "legacy", "trust", "LegacyTorchWarning", "__version__"]
__version__ = "0.1.0"


def install():
    """Apply every legacy patch (idempotent)."""
    for patch in PATCHES:
        patch.apply()


def uninstall():
    """Revert every legacy patch, leaving torch as it was before `install()` (idempotent)."""
    for patch in reversed(PATCHES):
        patch.revert()


def installed():
    return all(patch.applied for patch in PATCHES)


@contextlib.contextmanager
def legacy():
    """Install for the duration of a block; afterwards torch is as it was on entry."""
    applied_before = [patch for patch in PATCHES if patch.applied]
    install()
    try:
        yield
    finally:
        # by state at entry, not by "what this block applied": an uninstall() inside the block is undone too
        for patch in reversed(PATCHES):
            if patch in applied_before:
                patch.apply()
            else:
                patch.revert()


install()
