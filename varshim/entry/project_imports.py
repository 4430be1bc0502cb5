"""Import the legacy program's own modules with `async=` keyword arguments accepted (PyTorch <= 0.3).

A meta path finder for one legacy program (`varshim.legacy_program.Program`): modules found
among its files are compiled with `varshim_migrate.async_keywords.compile_legacy` (identical to
`compile` for files without `async=`), and dated as they load (the program's release, when it is
decided from its files). Nothing under site-packages, the standard library or varshim itself is
ever touched.
"""

import contextlib
import importlib.machinery
import importlib.util
import sys

from varshim_migrate.async_keywords import compile_legacy

from .. import legacy_program

__all__ = ["LegacySourceLoader", "ProjectImportHook", "program_files"]


class LegacySourceLoader(importlib.machinery.SourceFileLoader):
    """A source loader whose compile step accepts `async=` keyword arguments and dates the module
    for its `program` (a `legacy_program.Program`, or None)."""

    def __init__(self, fullname, path, program=None):
        super().__init__(fullname, path)
        self.program = program

    def source_to_code(self, data, path, *, _optimize=-1):
        source = importlib.util.decode_source(data)
        if self.program is not None:
            self.program.date_file(path, source)
        return compile_legacy(source, path, "exec", dont_inherit=True, optimize=_optimize)

    def set_data(self, path, data, *, _mode=0o666):
        """Write no bytecode: plain `python` must not find a compiled rewrite of the user's file."""


class ProjectImportHook:
    """Meta path finder: the modules of `program` (a `ProgramFolder`) load through `LegacySourceLoader`."""

    def __init__(self, program):
        self.program = program

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if (spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader
                or not self.program.owns(spec.origin)):
            return None  # let the regular finders answer as if this hook did not exist
        spec.loader = LegacySourceLoader(fullname, spec.origin, self.program)
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


@contextlib.contextmanager
def program_files(root, **options):
    """Within the block, the files under `root` are the legacy program's own
    (`varshim.legacy_program.enter(root, **options)`: its release, entry files, ...) and its
    modules import with `async=` accepted."""
    program = legacy_program.enter(root, **options)
    hook = ProjectImportHook(program)
    hook.install()
    try:
        yield program
    finally:
        hook.remove()
        legacy_program.leave(program)
