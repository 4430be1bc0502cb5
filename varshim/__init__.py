"""varshim: run PyTorch 0.1-0.3 `Variable`-era code unchanged on modern torch.

    from varshim import Variable          # or: python -m varshim script.py

Importing varshim installs it: `torch.autograd.Variable` becomes varshim's `Variable`, and the few
module-level names legacy code reaches (`torch.autograd.backward`, ...) accept their legacy forms.
Plain tensors keep modern behavior; legacy rules follow `Variable` objects and the legacy
program's own files. `uninstall()` and `with legacy():` restore torch exactly.

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

from .entry.ipython import load_ipython_extension, unload_ipython_extension  # `%load_ext varshim`
from .legacy_warnings import LegacyTorchWarning
from .objects.variable import Variable
from .patches import PATCHES, install, installed, legacy, uninstall
from .patches.pickles import trust

__all__ = ["Variable", "install", "uninstall", "legacy", "trust", "LegacyTorchWarning", "__version__"]
__version__ = "0.2.0"

install()  # importing varshim installs it: the one-line edit `from varshim import Variable`
