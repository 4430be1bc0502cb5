"""A process without varshim and one with it, side by side, each printing one JSON record a line.

The parent (a test) starts both with `start` and reads them with `records`; the child (a script of
this folder, run as `python -m tests.support.<script> MODE ...` from the repository's root) runs its
work inside `child(mode)`.
"""

import argparse
import contextlib
import json
import os
import pathlib
import subprocess
import sys
import warnings
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODES = ("plain", "varshim")


def start(script, mode, *arguments, **env):
    """Run `tests.support.<script> mode arguments...`; some sample lists come from iterating a set,
    so both processes get PYTHONHASHSEED=0."""
    command = [sys.executable, "-m", f"tests.support.{script}", mode, *map(str, arguments)]
    environment = dict(os.environ, PYTHONHASHSEED="0", **env)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
                            cwd=ROOT)


def lines(process):
    """The records a finished child printed (its stderr's tail if it failed)."""
    out, err = process.communicate()
    assert process.returncode == 0, err[-3000:]
    return [json.loads(line) for line in out.splitlines()]


def records(process, *key):
    """{record's values of `key`: {(status, digest), ...}} (a set: a sample may be digested again)."""
    found = defaultdict(set)
    for record in lines(process):
        found[tuple(record[name] for name in key)].add((record["status"], record["digest"]))
    return found


def parser(description, unit=None):
    """The child's arguments: MODE, and for a database of `unit`s, DTYPE... and --limit."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("mode", choices=MODES, help="import varshim first or not")
    if unit:
        parser.add_argument("dtypes", nargs="+", help="e.g. float64 float32")
        parser.add_argument("--limit", type=int, help=f"the first LIMIT samples of each {unit} (default: all)")
    return parser


@contextlib.contextmanager
def child(mode):
    """In the child: varshim imported or not, one thread (the same kernels in both processes, and
    two run at once), warnings off; the plain process must end without varshim ever imported."""
    import torch

    if mode == "varshim":
        import tempfile

        import varshim  # noqa: F401  (importing installs it)
        from varshim import legacy_program

        # A program written for 0.3 runs in this process too, so the patches that exist only for
        # one are applied: the child's own code and torch's must still see torch exactly.
        legacy_program.enter(tempfile.mkdtemp(), "0.3")
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    yield
    if mode == "plain" and "varshim" in sys.modules:
        raise SystemExit("varshim was imported in the plain process: the comparison would be void")
