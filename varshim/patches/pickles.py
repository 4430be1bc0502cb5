"""`torch.load` of whole pickled objects: files varshim-run programs saved, and files the user trusts.

Before torch 2.6, `torch.load` unpickled anything, so 0.1-0.3 code saved whole models with
`torch.save(model, path)` and loaded them back with `torch.load(path)` (pytorch/pytorch v0.3.1
`torch/serialization.py`). torch 2.6 made `weights_only=True` the default, which refuses them.
Unpickling runs code from the file, so varshim keeps that refusal except for:

- bytes `torch.save` wrote under varshim, unchanged since: their sha256 and size. A save to a
  stream is hashed on the way out, by the writer torch.save is handed, so saving reads nothing
  back and a stream needs only what torch needs, `write` and `flush`; a save to a path is read
  back once to hash it, so the file is byte for byte torch's own (torch names the archive after
  the file). This process remembers every such save; saves to files are also recorded in this
  user's cache folder for later processes (`varshim.patches.saved_pickles`). A load torch refused
  hashes the file, or the rest of the stream, and compares;
- a path the user trusts: `varshim.trust(path)`, `varshim run --trust-pickle PATH`, or the
  environment variable `VARSHIM_TRUST_PICKLE=PATH` (several joined by `os.pathsep`).
  Trusted files also get the legacy-checkpoint fixes of `varshim.patches.legacy_checkpoints`.

Variables (pickled by `Variable.__reduce_ex__` as data, `requires_grad` and `volatile`) are data,
not code: their rebuild function is one of the safe globals of the default load, so a file holding
Variables loads like one holding tensors. Calls that pass `weights_only` or `pickle_module`
themselves, and every load that modern torch accepts, run exactly as modern torch. A refused load names both ways to trust the file.
Modern spelling: `torch.load(path, weights_only=False)` for files you trust.
"""

import collections
import hashlib
import io
import os
import pickle
import re

import torch

from . import legacy_checkpoints, saved_pickles
from ..legacy_warnings import call_as_caller, warn_legacy
from ..objects.variable import rebuild_variable

__all__ = ["trust", "save", "load"]

_modern_save = torch.save
_modern_load = torch.load

_saved = set()  # (sha256, size) of each whole object this process saved (files are in the record too)
_trusted = set()  # real paths the user vouched for
_safe_globals = torch.serialization.safe_globals
_VARSHIM_DATA = [rebuild_variable]  # rebuilds a Variable from a tensor and two bools: runs no code of the file
_CHUNK = 1 << 20  # bytes hashed at a time when a file or buffer is checked
TRUST_VARIABLE = "VARSHIM_TRUST_PICKLE"


def trust(path):
    """Let `torch.load` unpickle the file at `path`. Only for files you trust: loading runs their code."""
    _trusted.add(os.path.realpath(os.fspath(path)))


def save(obj, f, *args, **kwargs):
    """`torch.save`, remembering what it wrote so this process, and later ones, may unpickle it."""
    if _plain_data(obj) or not (_is_path(f) or callable(getattr(f, "write", None))):
        # torch.load takes plain data without trust: nothing to vouch for, torch's own speed (and errors)
        call_as_caller(_modern_save, (obj, f, *args), kwargs)
        return
    if _is_path(f):
        call_as_caller(_modern_save, (obj, f, *args), kwargs)
        path = _file_path(f)
        if path is not None:
            _vouch_for_file(path)
        return
    writer = _DigestingWriter(f)
    call_as_caller(_modern_save, (obj, writer, *args), kwargs)
    if not writer.whole:
        return
    entry = (writer.digest.hexdigest(), writer.size)
    _saved.add(entry)
    path = _file_path(f)
    if path is not None and os.stat(path).st_size == writer.size:  # torch flushed: the file is all ours
        saved_pickles.add(*entry)


def _vouch_for_file(path):
    """Record the file torch.save just wrote at `path`, if it did not change while being hashed."""
    if not os.path.isfile(path):  # a device or pipe (/dev/null): nothing to read back
        return
    before = _signature(path)
    with open(path, "rb") as handle:
        digest, size = _digest(handle, 0)
    if digest is not None and _signature(path) == before:  # nobody wrote to it while it was read
        _saved.add((digest, size))
        saved_pickles.add(digest, size)


_PLAIN_TENSORS = (torch.Tensor, torch.nn.Parameter)
_PLAIN_VALUES = (int, float, bool, str, bytes, type(None))
_PLAIN_CONTAINERS = (dict, collections.OrderedDict, list, tuple)


def _plain_data(obj):
    """Whether `obj` is only tensors, numbers and strings in plain dicts, lists and tuples (a state
    dict), which torch.load reads with its default `weights_only=True`. Deliberately narrower than
    torch's allow-list: whatever it leaves out is hashed, so a mistake costs time, never trust."""
    stack, seen = [obj], set()
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind in _PLAIN_VALUES:
            continue
        if kind in _PLAIN_TENSORS:
            if value.layout is not torch.strided or value.is_quantized or value.__dict__:
                return False
        elif kind in _PLAIN_CONTAINERS:
            if id(value) not in seen:
                seen.add(id(value))
                stack.extend(value.items() if isinstance(value, dict) else value)
        else:
            return False
    return True


class _DigestingWriter:
    """What torch.save writes to instead of the caller's stream: every byte goes on to the stream
    as it comes (no copy: torch's zip writer hands over memoryviews) and into a sha256."""

    def __init__(self, stream):
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0
        self.whole = True  # False once torch skipped bytes by seeking (torch.serialization.skip_data)

    def write(self, data):
        self.digest.update(data)
        self.size += memoryview(data).nbytes
        return self._stream.write(data)

    def flush(self):
        return self._stream.flush()

    def seek(self, *args):
        self.whole = False
        return self._stream.seek(*args)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, **kwargs):
    """`torch.load`; a whole pickled object loads only from a file varshim saved, unchanged, or one trusted."""
    if weights_only is not None or pickle_module is not None:
        return call_as_caller(_modern_load, (f, map_location, pickle_module), dict(kwargs, weights_only=weights_only))
    start = _position(f)
    try:
        with _safe_globals(_VARSHIM_DATA):
            return call_as_caller(_modern_load, (f, map_location), kwargs)
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
    return call_as_caller(_modern_load, (f, map_location, legacy), dict(kwargs, weights_only=False))


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
    """(sha256, size) of `f` from `start` to its end, a chunk at a time; (None, None) if unreadable.
    Only a save to a path and a load torch refused read it (a file object torch.load was given,
    so it reads and seeks)."""
    digest, size = hashlib.sha256(), 0
    try:
        f.seek(start)
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None, None
    return digest.hexdigest(), size


def _trusted_paths():
    named = os.environ.get(TRUST_VARIABLE, "")
    return _trusted | {os.path.realpath(p) for p in named.split(os.pathsep) if p}


def _origin(f, start):
    """"saved" (by varshim, unchanged since: its digest is this process's or on record), "trusted"
    (by the user) or None."""
    path = _file_path(f)
    if path is not None and path in _trusted_paths():
        return "trusted"
    recorded = saved_pickles.entries() | _saved
    if start is None:  # a path: hashed only if a save of its size is known
        if path is None or os.stat(path).st_size not in {size for _, size in recorded}:
            return None
        with open(path, "rb") as handle:
            entry = _digest(handle, 0)
    else:
        entry = _digest(f, start)
    return "saved" if entry in recorded else None


def _refusal_message(f, refusal):
    name = os.fspath(f) if _is_path(f) else getattr(f, "name", None)
    shown = repr(name) if isinstance(name, (str, os.PathLike)) else "this file object"
    needed = re.search(r"GLOBAL (\S+) was not an allowed global", refusal)
    needs = f" (it needs {needed.group(1)})" if needed else ""
    target = name if isinstance(name, str) else "PATH"
    return (
        f"torch.load refused to unpickle {shown}{needs}: it holds pickled Python objects, not only "
        "tensors, and unpickling runs code from the file. varshim unpickles only what torch.save wrote "
        "under varshim for this user, unchanged since, and files you trust. If you trust this one: "
        f"torch.load({target!r}, weights_only=False) (the modern spelling), or, without editing the "
        f"program, run it with {TRUST_VARIABLE}={target} in the environment or with `varshim run "
        f"--trust-pickle {target} SCRIPT`, or call varshim.trust({target!r}) before torch.load."
    )
