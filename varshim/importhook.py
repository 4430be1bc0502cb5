"""Import the user's own legacy modules with `async=` keyword arguments accepted (PyTorch <= 0.3).

A meta path finder limited to one project folder: modules found there are compiled with
`varshim.source.compile_legacy` (identical to `compile` for files without `async=`). Nothing under
site-packages, dist-packages, the standard library or varshim itself is ever touched.
"""

import importlib.machinery
import importlib.util
import os
import site
import sys
import sysconfig

from .source import compile_legacy

__all__ = ["ProjectImportHook"]


class LegacySourceLoader(importlib.machinery.SourceFileLoader):
    """A source loader whose compile step accepts `async=` keyword arguments."""

    def source_to_code(self, data, path, *, _optimize=-1):
        return compile_legacy(importlib.util.decode_source(data), path, "exec", dont_inherit=True,
                              optimize=_optimize)

    def set_data(self, path, data, *, _mode=0o666):
        """Write no bytecode: plain `python` must not find a compiled rewrite of the user's file."""


def _excluded_dirs():
    paths = set(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    paths.update(getattr(site, "getsitepackages", list)())
    paths.add(site.getusersitepackages())
    paths.add(os.path.dirname(os.path.abspath(__file__)))
    return tuple(os.path.join(os.path.realpath(path), "") for path in paths if path)


class ProjectImportHook:
    """Meta path finder: modules under `root` load through `LegacySourceLoader`."""

    def __init__(self, root):
        self.root = os.path.join(os.path.realpath(root), "")
        self._excluded = _excluded_dirs()

    def owns(self, filename):
        path = os.path.realpath(filename)
        if not path.startswith(self.root) or path.startswith(self._excluded):
            return False
        parts = path[len(self.root):].split(os.sep)
        return "site-packages" not in parts and "dist-packages" not in parts

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if (spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader
                or not self.owns(spec.origin)):
            return None  # let the regular finders answer as if this hook did not exist
        spec.loader = LegacySourceLoader(fullname, spec.origin)
        return spec

    def install(self):
        """Insert just before the standard PathFinder: finders placed ahead of it (such as pytest's
        assertion rewriter) keep their precedence."""
        if self in sys.meta_path:
            return
        path_finder = importlib.machinery.PathFinder
        position = sys.meta_path.index(path_finder) if path_finder in sys.meta_path else len(sys.meta_path)
        sys.meta_path.insert(position, self)

    def remove(self):
        if self in sys.meta_path:
            sys.meta_path.remove(self)
