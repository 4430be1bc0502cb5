"""`varshim run SCRIPT` / `-m MODULE`: run a legacy script or module as `python` would.

The script gets what `python SCRIPT ARGS...` gives it: `sys.argv`, `__name__ == "__main__"`,
`sys.path[0]` = the script's folder, stdin, the exit status, and tracebacks at the user's lines
(varshim's own frames are left out). The files of the script's folder are the legacy program's
(`varshim.legacy_program`) and may use `async=` keyword arguments (`varshim.entry.project_imports`);
the release the program was written for is `written_for`, "auto" to date it from the script and
the modules it imports, announced in one line on stderr before the script runs.
The command line is parsed by `varshim_cli`; notebooks are run by `varshim.entry.notebook`.
"""

import contextlib
import importlib.util
import os
import runpy
import sys
import types

from varshim_migrate.async_keywords import compile_legacy

from .. import legacy_program
from ..own_files import is_varshim
from .project_imports import LegacySourceLoader, program_files

__all__ = ["run_script", "run_module", "user_traceback"]


def run_script(path, args, written_for="auto", announce=True):
    """Run the script at `path` with `sys.argv[1:] == args`; returns its exit status. The release
    decision is announced on stderr unless `announce` is false."""
    filename = os.path.abspath(path)
    try:
        with open(filename, "rb") as handle:
            data = handle.read()
    except OSError as error:  # python's own message and status for a missing script
        print("%s: can't open file %r: [Errno %d] %s" % (sys.executable, filename, error.errno, error.strerror),
              file=sys.stderr)
        return 2
    try:
        source = importlib.util.decode_source(data)
    except (SyntaxError, UnicodeDecodeError) as error:  # python's own one line for an undecodable script
        print(_undecodable(data, filename, error), file=sys.stderr)
        return 1
    main_module = types.ModuleType("__main__")
    main_module.__dict__.update(__file__=filename, __cached__=None, __builtins__=sys.modules["builtins"],
                                __loader__=LegacySourceLoader("__main__", filename))
    folder = os.path.dirname(os.path.realpath(filename))
    options = dict(written_for=written_for, entry=(os.path.basename(filename), filename, source),
                   name=os.path.basename(filename), announce=legacy_program.to_stderr if announce else None)
    with _as_main(main_module, [path] + args, folder, options):
        try:
            code = compile_legacy(source, filename)
            exec(code, main_module.__dict__)
        except SystemExit:
            raise
        except Exception as error:
            return _report(error)
    return 0


def _undecodable(data, filename, error):
    """What python prints for a script it cannot decode (PEP 263): no declared encoding and not
    UTF-8, or a declared encoding that is unknown or does not fit the bytes."""
    if isinstance(error, UnicodeDecodeError):
        return f"SyntaxError: encoding problem: {error.encoding}"
    if "unknown encoding" in str(error):
        return f"SyntaxError: encoding problem: {str(error).rpartition(': ')[2]}"
    for number, line in enumerate(data.splitlines(), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as undecodable:
            return (f"SyntaxError: Non-UTF-8 code starting with '\\x{line[undecodable.start]:02x}' in file "
                    f"{filename} on line {number}, but no encoding declared; see "
                    "https://peps.python.org/pep-0263/ for details")
    return f"SyntaxError: {error} in file {filename}"


def run_module(name, args, written_for="auto", announce=True):
    """Run module `name` as `python -m name args...` would; returns its exit status."""
    options = dict(written_for=written_for, name=name, start=False,  # started once the module is found
                   announce=legacy_program.to_stderr if announce else None)
    with _as_main(sys.modules["__main__"], [name] + args, os.getcwd(), options) as program:
        try:
            spec = importlib.util.find_spec(name)
            if spec is None:
                print("%s: No module named %s" % (sys.executable, name), file=sys.stderr)
                return 1
            entry = _module_entry(spec)
            if entry is not None:
                program.date_program(*entry)
            program.start()
            runpy.run_module(name, run_name="__main__", alter_sys=True)
        except SystemExit:
            raise
        except Exception as error:
            return _report(error)
    return 0


def _module_entry(spec):
    """(where, filename, source) of a module `-m` runs (a package's `__main__`), for dating; or None."""
    origin = spec.origin
    if spec.submodule_search_locations is not None:
        origin = os.path.join(spec.submodule_search_locations[0], "__main__.py")
    try:
        with open(origin, "rb") as handle:
            return os.path.basename(origin), origin, importlib.util.decode_source(handle.read())
    except (OSError, TypeError):
        return None


@contextlib.contextmanager
def _as_main(module, argv, folder, options):
    """Set up `sys` as `python SCRIPT` would, with `folder` the legacy program's (`options`: its
    release, entry file and name); yields the program; puts everything back afterwards (for
    in-process callers)."""
    saved = sys.argv, sys.path[:1], sys.modules.get("__main__")
    sys.argv = argv
    sys.path[:1] = [folder]
    sys.modules["__main__"] = module
    try:
        with program_files(folder, **options) as program:
            yield program
    finally:
        sys.argv, sys.path[:1], sys.modules["__main__"] = saved


_RUNNERS = (os.path.abspath(runpy.__file__), "<frozen importlib", "<frozen runpy")


def user_traceback(tb):
    """`tb` without varshim's, runpy's and importlib's frames, as `python SCRIPT` would show it."""
    kept = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (is_varshim(filename) or filename.startswith(_RUNNERS)):
            kept.append(tb)
        tb = tb.tb_next
    result = None
    for entry in reversed(kept):
        result = types.TracebackType(result, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return result


def _report(error):
    """Show an uncaught exception through `sys.excepthook` (the script may have set one); status 1."""
    tb = user_traceback(error.__traceback__)
    sys.excepthook(type(error), error.with_traceback(tb), tb)
    return 1
