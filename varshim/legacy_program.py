"""The legacy program being run: which files are its own.

Rules that change a result modern torch computes without error (float `torch.arange`, ...) apply
only to calls made from the legacy program's own files; torch's own code, libraries and every
other file keep modern torch. The entry points say which files those are, with `enter(folder)` and
`leave(...)`: `varshim run` the script's folder (the working folder for `-m`), a notebook run the
notebook's folder, the pytest plugin the rootdir. A folder's files are the program's, except the
standard library, site-packages and varshim itself (`varshim.own_files`).
"""

import os
import site
import sys
import sysconfig

from .own_files import VARSHIM_PATHS

__all__ = ["ProgramFolder", "enter", "leave", "owns", "called_from_program", "running", "watch", "unwatch"]


def _excluded_dirs():
    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    paths = {sysconfig.get_paths()[key] for key in keys}
    paths.update(getattr(site, "getsitepackages", list)())
    paths.add(site.getusersitepackages())
    folders = tuple(os.path.join(os.path.realpath(path), "") for path in paths if path)
    return folders + tuple(os.path.realpath(path.rstrip(os.sep)) for path in VARSHIM_PATHS)


class ProgramFolder:
    """The files of one legacy program: everything under `root` but libraries and varshim."""

    def __init__(self, root):
        self.root = os.path.join(os.path.realpath(root), "")
        self._excluded = _excluded_dirs()

    def owns(self, filename):
        path = os.path.realpath(filename)
        if not path.startswith(self.root) or path.startswith(self._excluded):
            return False
        parts = path[len(self.root):].split(os.sep)
        return "site-packages" not in parts and "dist-packages" not in parts


_folders = []  # the programs being run, innermost last
_owned = {}  # filename -> owned by one of `_folders` (cleared when they change)
_watchers = []  # called with `running()` whenever it changes


def enter(root):
    """The legacy program's files are under `root` until `leave(folder)`; returns the folder."""
    folder = ProgramFolder(root)
    _folders.append(folder)
    _owned.clear()
    if len(_folders) == 1:
        _notify()
    return folder


def leave(folder):
    if folder in _folders:
        _folders.remove(folder)
        if not _folders:
            _notify()
    _owned.clear()


def running():
    """Is a legacy program being run (so that some file may be one of its own)?"""
    return bool(_folders)


def watch(watcher):
    """Call `watcher(running())` now and whenever it changes: rules with a per-call cost for every
    caller (torch's global hooks) exist only while a legacy program runs."""
    _watchers.append(watcher)
    watcher(running())


def unwatch(watcher):
    if watcher in _watchers:
        _watchers.remove(watcher)


def _notify():
    for watcher in list(_watchers):
        watcher(running())


def owns(filename):
    """Is `filename` one of the legacy program's own files?"""
    if not _folders:
        return False
    owned = _owned.get(filename)
    if owned is None:
        owned = _owned[filename] = any(folder.owns(filename) for folder in _folders)
    return owned


def called_from_program(depth=1):
    """Is the caller's caller (`depth` frames above the function asking) a legacy program file?"""
    return bool(_folders) and owns(sys._getframe(depth + 1).f_code.co_filename)
