"""Whose code a frame runs: varshim's own, torch's, or someone else's. Defined once.

Warnings are attributed to the first frame that is neither varshim's nor torch's
(`varshim.legacy_warnings`), tracebacks of a legacy run leave varshim's frames out
(`varshim.entry.script`), the import hook never compiles varshim's files
(`varshim.entry.project_imports`), and `Variable.data` gives torch's own code modern tensors
(`varshim.objects.variable`). Each of them asks this module, so moving a file inside varshim never
silently narrows what counts as varshim.
"""

import os

import torch

__all__ = ["VARSHIM_PATHS", "TORCH_DIR", "VARSHIM_OR_TORCH_PATHS", "is_varshim", "is_torch", "is_varshim_or_torch"]

_SITE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The three top-level names the varshim distribution installs (pyproject.toml, [tool.setuptools]).
VARSHIM_PATHS = (
    os.path.join(_SITE, "varshim", ""),
    os.path.join(_SITE, "varshim_migrate", ""),
    os.path.join(_SITE, "varshim_cli.py"),
)
TORCH_DIR = os.path.join(os.path.dirname(os.path.abspath(torch.__file__)), "")
VARSHIM_OR_TORCH_PATHS = VARSHIM_PATHS + (TORCH_DIR,)  # for str.startswith on hot paths


def is_varshim(filename):
    return filename.startswith(VARSHIM_PATHS)


def is_torch(filename):
    return filename.startswith(TORCH_DIR)


def is_varshim_or_torch(filename):
    return filename.startswith(VARSHIM_OR_TORCH_PATHS)
