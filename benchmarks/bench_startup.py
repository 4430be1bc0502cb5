"""Start-up cost of the `varshim` command, each group against its own baseline in the same run.

    python benchmarks/bench_startup.py [--repeat N] [--only linter|run]

- linter: `varshim --help`, `varshim migrate --help` and `varshim check` on a legacy .py file and
  notebook, against `python -c pass` (target: <= 0.3 s each, wall and CPU; they never import
  torch, libcst or nbformat);
- run: `varshim run SCRIPT` and `python -m varshim SCRIPT` against `python -c 'import torch'`
  (target: <= 0.2 s of CPU more). The script is one line, `import torch`, so what is measured is
  varshim's own start-up: importing (and installing) varshim, argument parsing, the import hook,
  compiling the script.

Each command runs N times, interleaved so machine load hits all alike. Printed per command: the
median wall time and the median CPU time (user + sys of the child, which waiting on a busy machine
does not inflate), and their overhead over the group's baseline. `varshim run LEGACY_SCRIPT` runs a
script with a `Variable(...)` line, so deciding its release parses and checks it
(`varshim_migrate.dating`); SCRIPT, `import torch` alone, costs that decision a substring scan.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

LEGACY = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\nprint(x.sum().data[0])\n"


def groups(folder):
    script = os.path.join(folder, "script.py")
    with open(script, "w") as handle:
        handle.write("import torch\n")
    legacy = os.path.join(folder, "legacy.py")
    with open(legacy, "w") as handle:
        handle.write(LEGACY)
    notebook = os.path.join(folder, "legacy.ipynb")
    with open(notebook, "w") as handle:
        cell = {"cell_type": "code", "source": LEGACY.splitlines(True), "metadata": {}, "outputs": [],
                "execution_count": None}
        json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}, handle, indent=1)
    legacy_script = os.path.join(folder, "legacy_script.py")
    with open(legacy_script, "w") as handle:
        handle.write("import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(1))\n")
    varshim = shutil.which("varshim") or os.path.join(os.path.dirname(sys.executable), "varshim")
    return {
        "linter": ("python -c pass", 0.3, {
            "python -c pass": [sys.executable, "-c", "pass"],
            "varshim --help": [varshim, "--help"],
            "varshim migrate --help": [varshim, "migrate", "--help"],
            "varshim check FILE.py": [varshim, "check", legacy],
            "varshim check FILE.ipynb": [varshim, "check", notebook],
        }),
        "run": ("python -c 'import torch'", 0.2, {
            "python -c 'import torch'": [sys.executable, "-c", "import torch"],
            "python -c 'import torch, varshim'": [sys.executable, "-c", "import torch, varshim"],
            "python -m varshim SCRIPT": [sys.executable, "-m", "varshim", script],
            "varshim run SCRIPT": [varshim, "run", script],
            "varshim run LEGACY_SCRIPT": [varshim, "run", legacy_script],
        }),
    }


# An installed package has its bytecode compiled; so does a checkout after its first run, unless
# this is set (as some sandboxes do): the warm-up run then writes it.
_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(argv):
    """(wall seconds, CPU seconds) of one run of `argv` (its exit status is not checked: check
    exits 1 when it finds something)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(table, repeat):
    times = {name: [] for name in table}
    for argv in table.values():  # warm the file and bytecode caches once
        timed(argv)
    for _ in range(repeat):
        for name, argv in table.items():
            times[name].append(timed(argv))
    return {name: tuple(statistics.median(t[i] for t in samples) for i in (0, 1)) for name, samples in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10, help="runs per command (default 10)")
    parser.add_argument("--only", choices=("linter", "run"), help="one group (default: both)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for group, (baseline, target, table) in groups(folder).items():
            if options.only and group != options.only:
                continue
            medians = measure(table, options.repeat)
            base_wall, base_cpu = medians[baseline]
            print("%-34s %9s %9s %12s %12s" % (group, "wall s", "CPU s", "+wall s", "+CPU s"))
            for name, (wall, cpu) in medians.items():
                print("%-34s %9.3f %9.3f %+12.3f %+12.3f" % (name, wall, cpu, wall - base_wall, cpu - base_cpu))
            if group == "linter":
                worst = max(max(wall, cpu) for name, (wall, cpu) in medians.items() if name != baseline)
                print("slowest linter command: %.3f s (target <= %.1f s: %s)\n" % (worst, target, _verdict(worst, target)))
            else:
                overhead = medians["varshim run SCRIPT"][1] - base_cpu
                print("varshim run start-up over import torch: %.3f s CPU (target <= %.1f s: %s)\n"
                      % (overhead, target, _verdict(overhead, target)))


def _verdict(value, target):
    return "ok" if value <= target else "over"


if __name__ == "__main__":
    main()
