"""`varshim run`: run a legacy script, module or notebook as `python` would, with varshim installed.

`varshim run SCRIPT ARGS...` (also `python -m varshim SCRIPT ARGS...`) gives the script what
`python SCRIPT ARGS...` gives it: `sys.argv`, `__name__ == "__main__"`, `sys.path[0]` = the
script's folder, stdin, the exit status, and tracebacks at the user's lines (varshim's own frames
are left out). The script and the modules of its own folder may use `async=` keyword arguments
(`varshim.importhook`). Notebooks are run by `varshim.notebook`.
"""

import argparse
import contextlib
import importlib.util
import os
import runpy
import sys
import types

_DESCRIPTION = """\
Run PyTorch 0.1-0.3 (Variable-era) code unchanged on modern torch, with varshim installed.
A script or module runs exactly as `python SCRIPT ARGS...` / `python -m MODULE ARGS...` would:
same sys.argv, __name__ == "__main__", sys.path[0], stdin and exit status. `async=` keyword
arguments (`x.cuda(async=True)`, a SyntaxError since Python 3.7) are read as `non_blocking=` in
the script and in the modules of its own folder (never in site-packages or the standard library).
A notebook (.ipynb) runs cell by cell in IPython; options may follow its name."""

_EXAMPLES = """\
examples:
  varshim run train.py --epochs 2          train.py sees sys.argv == ['train.py', '--epochs', '2']
  python -m varshim train.py --epochs 2    the same
  varshim run -m mypackage.train --lr 0.1  like `python -m mypackage.train --lr 0.1`
  varshim run lesson.ipynb                 run every code cell; report the first failing cell
  varshim run lesson.ipynb --check         compare each cell's output with the saved one
  varshim run lesson.ipynb --check --tolerance 1e-3 --output executed.ipynb
  varshim run --trust-pickle model.pt eval.py   let torch.load unpickle model.pt
"""

_VALUE_OPTIONS = ("--tolerance", "--output", "--trust-pickle")


def _parser():
    parser = argparse.ArgumentParser(
        prog="varshim run",
        usage="varshim run [OPTIONS] SCRIPT [ARGS...]\n"
              "       varshim run [OPTIONS] -m MODULE [ARGS...]\n"
              "       varshim run NOTEBOOK.ipynb [--check] [--tolerance TOL] [--output FILE.ipynb]",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", nargs="?", metavar="SCRIPT|NOTEBOOK.ipynb",
                        help="the legacy script (any arguments after it go to the script) or notebook")
    parser.add_argument("-m", dest="module", metavar="MODULE",
                        help="run library module MODULE as a script, like `python -m MODULE` "
                             "(e.g. -m examples.train); arguments after it go to the module")
    parser.add_argument("--trust-pickle", action="append", default=[], metavar="PATH",
                        help="let torch.load unpickle PATH (a file not written by this process); "
                             "repeatable, e.g. --trust-pickle old_model.pt")
    notebook = parser.add_argument_group("notebooks")
    notebook.add_argument("--check", action="store_true",
                          help="compare each cell's output with the output saved in the notebook, by "
                               "value (legacy and modern tensor printouts are read into numbers); exit "
                               "status 1 if a cell differs or fails, e.g. varshim run lesson.ipynb --check")
    notebook.add_argument("--tolerance", type=float, default=1e-4, metavar="TOL",
                          help="with --check: numbers a, b match if |a - b| <= TOL * (1 + |b|) "
                               "(default 1e-4, the 4 decimals tensors print with), e.g. --tolerance 1e-3")
    notebook.add_argument("--output", metavar="FILE.ipynb",
                          help="write the executed notebook, new outputs in place of the saved ones, "
                               "e.g. --output executed.ipynb")
    return parser


def _split(argv):
    """varshim's own options | the target option(s) | the target's arguments (untouched)."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return argv[:index], argv[index + 1:index + 2], argv[index + 2:]
        if arg == "-m":
            return argv[:index], argv[index:index + 2], argv[index + 2:]
        if arg in _VALUE_OPTIONS:
            index += 2
            continue
        if not arg.startswith("-") or arg == "-":
            return argv[:index], [arg], argv[index + 1:]
        index += 1
    return argv, [], []


def main(argv=None):
    """`varshim run ...`; returns the exit status (a script's `sys.exit(...)` propagates as in python)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    options, target, args = _split(argv)
    if target[-1:] and target[-1].endswith(".ipynb") and target[0] != "-m":
        ns = parser.parse_args(options + args + target)  # notebook options may follow its name
        args = []
    else:
        ns = parser.parse_args(options + target)
        if ns.check or ns.output:
            parser.error("--check and --output apply to notebooks (.ipynb) only")
    if ns.target is None and ns.module is None:
        parser.error("give a SCRIPT, -m MODULE or NOTEBOOK.ipynb to run")

    import varshim

    varshim.install()
    _trust(ns.trust_pickle)
    if ns.module is not None:
        return _run_module(ns.module, args)
    if ns.target.endswith(".ipynb"):
        try:
            from .notebook import run_notebook
        except ImportError as error:
            parser.error(f"running a notebook needs IPython and nbformat ({error.name} is missing): "
                         "pip install 'varshim[notebook]'")
        return run_notebook(ns.target, check=ns.check, tolerance=ns.tolerance, output=ns.output)
    return _run_script(ns.target, args)


def _trust(paths):
    import varshim

    for path in paths or ():
        varshim.trust(path)  # the pickle trust rule of torch.load (varshim.serialization)


def _run_script(path, args):
    from .importhook import LegacySourceLoader, ProjectImportHook
    from .source import compile_legacy

    filename = os.path.abspath(path)
    try:
        with open(filename, "rb") as handle:
            source = importlib.util.decode_source(handle.read())
    except OSError as error:  # python's own message and status for a missing script
        print("%s: can't open file %r: [Errno %d] %s" % (sys.executable, filename, error.errno, error.strerror),
              file=sys.stderr)
        return 2
    main_module = types.ModuleType("__main__")
    main_module.__dict__.update(__file__=filename, __cached__=None, __builtins__=sys.modules["builtins"],
                                __loader__=LegacySourceLoader("__main__", filename))
    hook = ProjectImportHook(os.path.dirname(os.path.realpath(filename)))
    with _as_main(main_module, [path] + args, hook.root.rstrip(os.sep) or os.sep, hook):
        try:
            code = compile_legacy(source, filename)
            exec(code, main_module.__dict__)
        except SystemExit:
            raise
        except Exception as error:
            return _report(error)
    return 0


def _run_module(name, args):
    from .importhook import ProjectImportHook

    hook = ProjectImportHook(os.getcwd())
    with _as_main(sys.modules["__main__"], [name] + args, os.getcwd(), hook):
        try:
            if importlib.util.find_spec(name) is None:
                print("%s: No module named %s" % (sys.executable, name), file=sys.stderr)
                return 1
            runpy.run_module(name, run_name="__main__", alter_sys=True)
        except SystemExit:
            raise
        except Exception as error:
            return _report(error)
    return 0


@contextlib.contextmanager
def _as_main(module, argv, path0, hook):
    """Set up `sys` as `python SCRIPT` would; put everything back afterwards (for in-process callers)."""
    saved = sys.argv, sys.path[:1], sys.modules.get("__main__")
    sys.argv = argv
    sys.path[:1] = [path0]
    sys.modules["__main__"] = module
    hook.install()
    try:
        yield
    finally:
        hook.remove()
        sys.argv, sys.path[:1], sys.modules["__main__"] = saved


_INTERNAL = (os.path.dirname(os.path.abspath(__file__)) + os.sep, os.path.abspath(runpy.__file__),
             "<frozen importlib", "<frozen runpy")


def user_traceback(tb):
    """`tb` without varshim's, runpy's and importlib's frames, as `python SCRIPT` would show it."""
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_INTERNAL):
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
