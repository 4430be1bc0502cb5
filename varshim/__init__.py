"""varshim: run PyTorch 0.1-0.3 `Variable`-era code unchanged on modern torch.

    from varshim import Variable          # or: python -m varshim script.py

Importing varshim installs it: `torch.autograd.Variable` becomes varshim's `Variable`, and the few
module-level names legacy code reaches (`torch.autograd.backward`, ...) accept their legacy forms.
Plain tensors keep modern behavior; legacy rules follow `Variable` objects and the legacy
program's own files. A module that imports `Variable` from varshim is 0.3 code by definition: its
own tensors follow 0.3 rules too (`legacy_program.adopt`). `uninstall()` and `with legacy():`
restore torch exactly.

The tree: `objects/` (the 0.3 object model), `patches/` (every change to torch itself, one row
each), `entry/` (the ways a legacy program starts). The migrator, `varshim_migrate`, and the
command line, `varshim_cli`, never import torch or this package.
"""

try:
    import torch  # noqa: F401  (varshim runs legacy code on torch; the migrator does not need it)
except ImportError as error:
    raise ImportError(
        "varshim runs legacy code on torch, which is not installed: pip install torch "
        "(varshim check / varshim migrate work without it)"
    ) from error

import sys
import typing

from . import legacy_program
from .entry.ipython import load_ipython_extension, unload_ipython_extension  # `%load_ext varshim`
from .legacy_warnings import LegacyTorchWarning
from .objects import variable as _variable
from .own_files import is_varshim_or_torch
from .patches import PATCHES, install, installed, legacy, uninstall
from .patches.pickles import trust

if typing.TYPE_CHECKING:
    from .objects.variable import Variable

__all__ = ["Variable", "install", "uninstall", "legacy", "trust", "LegacyTorchWarning", "__version__"]
__version__ = "0.2.0"


def __getattr__(name):
    # `Variable` is served here, not stored: a module that takes it at import time (the one-line
    # edit `from varshim import Variable`, at its top level) is a file of a 0.3 program.
    if name != "Variable":
        raise AttributeError(f"module 'varshim' has no attribute {name!r}")
    frame = sys._getframe(1)
    filename = frame.f_code.co_filename
    if frame.f_code.co_name == "<module>" and not is_varshim_or_torch(filename):
        legacy_program.adopt(filename, frame.f_lineno)
    return _variable.Variable


install()  # importing varshim installs it: the one-line edit `from varshim import Variable`
