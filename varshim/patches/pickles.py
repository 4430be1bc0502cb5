"""`torch.load` of whole pickled objects: files this process saved, and files the user trusts.

Before torch 2.6, `torch.load` unpickled anything, so 0.1-0.3 code saved whole models with
`torch.save(model, path)` and loaded them back with `torch.load(path)` (pytorch/pytorch v0.3.1
`torch/serialization.py`). torch 2.6 made `weights_only=True` the default, which refuses them.
Unpickling runs code from the file, so varshim keeps that refusal except for:

- a file or buffer this process wrote with `torch.save` a moment earlier, unchanged since
  (same path with the same inode, size and modification time; or the same bytes in a buffer);
- a path the user trusts: `varshim.trust(path)` or `varshim run --trust-pickle PATH`.
  Trusted files also get the legacy-checkpoint fixes of `varshim.patches.legacy_checkpoints`.

Variables (pickled by `Variable.__reduce_ex__` as data, `requires_grad` and `volatile`) are data,
not code: their rebuild function is one of the safe globals of the default load, so a file holding
Variables loads like one holding tensors. Calls that pass `weights_only` or `pickle_module`
themselves, and every load that modern torch accepts, run exactly as modern torch. A refused load names both ways to trust the file.
Modern spelling: `torch.load(path, weights_only=False)` for files you trust.
"""

import hashlib
import io
import os
import pickle
import re

import torch

from . import legacy_checkpoints
from ..legacy_warnings import warn_legacy
from ..objects.variable import rebuild_variable

__all__ = ["trust", "save", "load"]

_modern_save = torch.save
_modern_load = torch.load

_saved_files = {}  # real path -> (device, inode, size, mtime_ns) right after torch.save wrote it
_saved_buffers = set()  # sha256 of the bytes torch.save wrote to a readable file object
_trusted = set()  # real paths the user vouched for
_safe_globals = torch.serialization.safe_globals
_VARSHIM_DATA = [rebuild_variable]  # rebuilds a Variable from a tensor and two bools: runs no code of the file


def trust(path):
    """Let `torch.load` unpickle the file at `path`. Only for files you trust: loading runs their code."""
    _trusted.add(os.path.realpath(os.fspath(path)))


def save(obj, f, *args, **kwargs):
    """`torch.save`, remembering what it wrote so this process may unpickle it again."""
    start = _position(f)
    _modern_save(obj, f, *args, **kwargs)
    path = _file_path(f)
    if path is not None and (_is_path(f) or start == 0):  # a whole file this process wrote
        if not _is_path(f):
            f.flush()  # so closing the handle later writes nothing: the signature stays the same
        _saved_files[path] = _signature(path)
    elif start is not None:
        digest = _digest(f, start)
        if digest is not None:
            _saved_buffers.add(digest)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, **kwargs):
    """`torch.load`; a whole pickled object loads only from a file this process saved or one trusted."""
    if weights_only is not None or pickle_module is not None:
        return _modern_load(f, map_location, pickle_module, weights_only=weights_only, **kwargs)
    start = _position(f)
    try:
        with _safe_globals(_VARSHIM_DATA):
            return _modern_load(f, map_location, **kwargs)
    except pickle.UnpicklingError as error:
        refusal = str(error)
    origin = _origin(f, start)
    if origin is None:
        raise pickle.UnpicklingError(_refusal_message(f, refusal)) from None
    if start is not None:
        f.seek(start)
    warn_legacy(
        "torch.load unpickled a whole object: since torch 2.6 that needs "
        "torch.load(f, weights_only=False), for files you trust."
    )
    legacy = legacy_checkpoints.pickle_module if origin == "trusted" else None
    return _modern_load(f, map_location, legacy, weights_only=False, **kwargs)


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def _file_path(f):
    """The real path of a path or of an open file's name; None for buffers."""
    name = f if _is_path(f) else getattr(f, "name", None)
    if isinstance(name, (str, os.PathLike)) and os.path.exists(name):
        return os.path.realpath(os.fspath(name))
    return None


def _position(f):
    if _is_path(f):
        return None
    try:
        return f.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def _signature(path):
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _digest(f, start):
    """sha256 of `f` from `start` to its end, leaving the position where it was; None if unreadable."""
    end = f.tell()
    try:
        f.seek(start)
        digest = hashlib.sha256(f.read()).hexdigest()
    except (AttributeError, OSError, io.UnsupportedOperation):
        digest = None
    f.seek(end)
    return digest


def _origin(f, start):
    """"saved" (written by this process, unchanged), "trusted" (by the user) or None."""
    path = _file_path(f)
    if path is not None:
        if path in _trusted:
            return "trusted"
        if _saved_files.get(path) == _signature(path):
            return "saved"
    if start is not None and _digest(f, start) in _saved_buffers:
        return "saved"
    return None


def _refusal_message(f, refusal):
    name = os.fspath(f) if _is_path(f) else getattr(f, "name", None)
    shown = repr(name) if isinstance(name, (str, os.PathLike)) else "this file object"
    needed = re.search(r"GLOBAL (\S+) was not an allowed global", refusal)
    needs = f" (it needs {needed.group(1)})" if needed else ""
    target = name if isinstance(name, str) else "PATH"
    return (
        f"torch.load refused to unpickle {shown}{needs}: it holds pickled Python objects, not only "
        "tensors, and unpickling runs code from the file. varshim unpickles only files this process "
        "wrote with torch.save, or files you trust: run `varshim run --trust-pickle "
        f"{target} SCRIPT`, or call varshim.trust({target!r}) before torch.load. Modern spelling: "
        "torch.load(path, weights_only=False)."
    )
