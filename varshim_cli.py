"""The `varshim` command: `run` old code, `check` it for legacy idioms, `migrate` it.

Arguments are parsed here, without torch: `varshim --help`, `varshim check`, `varshim migrate`
and every usage error never import torch or the runtime shim (`varshim`); `varshim run` imports it
only once its arguments are valid, to start the program (`varshim.entry`).
`python -m varshim SCRIPT [ARGS...]` is `varshim run SCRIPT [ARGS...]`.
"""

import argparse
import difflib
import os
import sys

from varshim_migrate.version import Parser, VersionAction, version

__all__ = ["main", "run_main"]

COMMANDS = ("run", "check", "migrate")

_USAGE = """\
usage: varshim COMMAND [ARGS...]
       python -m varshim SCRIPT [ARGS...]     (same as: varshim run SCRIPT [ARGS...])

Run PyTorch 0.1-0.3 (Variable-era) code unchanged on modern torch, and migrate it.

commands:
  run      run a legacy script, module (-m) or notebook (.ipynb) with varshim installed
  check    report every legacy idiom in files or folders (path:line:col: VSnnn message)
  migrate  rewrite legacy idioms to modern torch (prints a diff; --write to apply)

`varshim COMMAND --help` explains each command with examples; `varshim --version` prints the version.
"""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, end="")
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        print(f"varshim {version()}")
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS and not _is_script(command):
        close = difflib.get_close_matches(command, COMMANDS, n=1)
        hint = f"did you mean `varshim {close[0]}`?" if close else "commands: " + ", ".join(COMMANDS)
        print(f"varshim: {command!r} is neither a command nor a script to run ({hint}); "
              "`varshim --help` lists the commands", file=sys.stderr)
        return 2
    if command == "check":
        from varshim_migrate.cli import check_main

        return check_main(rest)
    if command == "migrate":
        from varshim_migrate.cli import migrate_main

        return migrate_main(rest)
    return run_main(rest if command == "run" else argv)


def _is_script(arg):
    """`varshim SCRIPT ...` runs SCRIPT: a path that exists, a .py/.ipynb name, or run's own options."""
    return arg.startswith("-") or arg.endswith((".py", ".ipynb")) or os.path.exists(arg)


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
  varshim run lesson.ipynb --check         compare each cell's output with the saved one:
                                           a line per cell (match, differs, random, not
                                           comparable, error, failed, skipped), then a summary
  varshim run lesson.ipynb --check --tolerance 1e-3 --json outcomes.json --output executed.ipynb
  varshim run lesson.ipynb --seed 0        seed torch, numpy and random before the first cell
  varshim run --trust-pickle model.pt eval.py   let torch.load unpickle model.pt
  varshim run --written-for 0.3 train.py   apply the 0.3 rules whatever train.py's idioms say
  varshim run --written-for modern lesson.ipynb   torch 2.x results (int64 arange, 0-dim tensors)
"""

_VALUE_OPTIONS = ("--tolerance", "--output", "--json", "--seed", "--trust-pickle", "--written-for")

_WRITTEN_FOR_ENV = "VARSHIM_WRITTEN_FOR"  # varshim.legacy_program.WRITTEN_FOR_ENV, read without torch


def _written_for(text):
    """A --written-for value: auto, modern or a torch release; checked here, without torch."""
    from varshim_migrate.dating import parse_release

    value = text.strip().lower()
    if value in ("auto", "modern"):
        return value
    try:
        parse_release(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error}, or auto, or modern") from None
    return value


def _parser():
    parser = Parser(
        prog="varshim run",
        usage="varshim run [OPTIONS] SCRIPT [ARGS...]\n"
              "       varshim run [OPTIONS] -m MODULE [ARGS...]\n"
              "       varshim run NOTEBOOK.ipynb [--check] [--tolerance TOL] [--json FILE] [--seed N]"
              " [--output FILE.ipynb]",
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
                        help="let torch.load unpickle PATH, a file varshim did not save (files your earlier "
                             "varshim runs saved load without it); repeatable, e.g. --trust-pickle "
                             "old_model.pt; the environment variable VARSHIM_TRUST_PICKLE=PATH does the same")
    parser.add_argument("--written-for", type=_written_for, default=None, metavar="RELEASE",
                        help="the torch release the program was written for: 0.3 applies the 0.3 rules "
                             "that change what torch 2.x computes (float arange, Python numbers from the "
                             "program's own tensors), modern applies none, auto (the default, or "
                             f"${_WRITTEN_FOR_ENV}) decides from the program's own files and says why "
                             "in one line on stderr")
    parser.add_argument("--quiet", action="store_true",
                        help="no varshim lines on stderr: neither the release decision before the run "
                             "nor the summary line at the end (how many legacy idioms ran, how to find "
                             "and rewrite them); the warnings themselves follow Python's -W filters")
    parser.add_argument("-V", "--version", action=VersionAction)
    notebook = parser.add_argument_group("notebooks")
    notebook.add_argument("--check", action="store_true",
                          help="run every cell and compare its output with the output saved in the "
                               "notebook, by value (legacy and modern tensor printouts, numpy arrays and "
                               "lists are read into numbers); print one outcome per cell as it finishes "
                               "and a summary; exit status 1 if a cell differs or fails unexpectedly, "
                               "e.g. varshim run lesson.ipynb --check")
    notebook.add_argument("--tolerance", type=float, default=1e-4, metavar="TOL",
                          help="with --check: numbers a, b match if |a - b| <= TOL * (1 + m), m the "
                               "largest |value| of their tensor, array or list (default 1e-4, the 4 "
                               "decimals tensors print with), e.g. --tolerance 1e-3")
    notebook.add_argument("--json", dest="json_path", metavar="FILE",
                          help="write each cell's outcome and explanation to FILE as JSON (implies "
                               "--check), e.g. --json outcomes.json")
    notebook.add_argument("--seed", type=int, metavar="N",
                          help="seed torch, numpy and Python's random with N before the first cell, so "
                               "that reruns draw the same numbers (the saved run drew others: cells "
                               "that draw are still 'random'), e.g. --seed 0")
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


def run_main(argv=None):
    """`varshim run ...`; returns the exit status (a script's `sys.exit(...)` propagates as in python)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    options, target, args = _split(argv)
    if target[-1:] and target[-1].endswith(".ipynb") and target[0] != "-m":
        ns = parser.parse_args(options + args + target)  # notebook options may follow its name
        args = []
    else:
        ns = parser.parse_args(options + target)
        if ns.check or ns.output or ns.json_path or ns.seed is not None:
            parser.error("--check, --json, --seed and --output apply to notebooks (.ipynb) only")
    if ns.target is None and ns.module is None:
        parser.error("give a SCRIPT, -m MODULE or NOTEBOOK.ipynb to run")
    written_for = ns.written_for
    if written_for is None:
        try:
            written_for = _written_for(os.environ.get(_WRITTEN_FOR_ENV, "") or "auto")
        except argparse.ArgumentTypeError as error:
            parser.error(f"${_WRITTEN_FOR_ENV}: {error}")

    import varshim
    from varshim.entry import script
    from varshim.legacy_warnings import shown_summary, start_summary

    varshim.install()
    start_summary()
    for path in ns.trust_pickle:
        varshim.trust(path)  # the pickle trust rule of torch.load (varshim.patches.pickles)
    try:
        if ns.module is not None:
            return script.run_module(ns.module, args, written_for, announce=not ns.quiet)
        if ns.target.endswith(".ipynb"):
            try:
                from varshim.entry.notebook import run_notebook
            except ImportError as error:
                parser.error(f"running a notebook needs IPython and nbformat ({error.name} is missing): "
                             "pip install 'varshim[notebook]'")
            return run_notebook(ns.target, check=ns.check, tolerance=ns.tolerance, output=ns.output,
                                json_path=ns.json_path, seed=ns.seed, written_for=written_for,
                                announce=not ns.quiet)
        return script.run_script(ns.target, args, written_for, announce=not ns.quiet)
    finally:  # also after the program's own sys.exit()
        summary = None if ns.quiet else shown_summary("." if ns.module else ns.target)
        if summary:
            sys.stderr.flush()
            print(summary, file=sys.stderr)
