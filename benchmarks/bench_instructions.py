"""bench_core's workloads counted in instructions (valgrind's callgrind): repeatable on a busy machine.

    python benchmarks/bench_instructions.py [--iterations 50] [--only modern|legacy]

Time ratios on a shared 2-core machine move by several percent between runs, which hides a 2%
target. callgrind counts the instructions a workload executes: the same count for the same binary
and inputs whatever else runs (two runs agree to about 0.01%). Each workload runs in its own
process under `valgrind --tool=callgrind --instr-atstart=no`; a tiny C helper, compiled here
with the system compiler against valgrind's `callgrind.h`, turns counting on only around the
timed loop, so imports and warm-up do not count.

Counts are not times: they miss cache misses and the cost of memory traffic (a legacy step's
extra Python code runs cold right after large kernels), so they bound what varshim adds in work,
not in seconds. Pair them with `bench_core.py`. Needs valgrind, its headers and a C compiler.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

_HELPER = """
#include <valgrind/callgrind.h>
void start_counting(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void stop_counting(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS; }
"""

# Run in the child: bench_core's workload `name`, `iterations` times, counted.
_CHILD = """
import ctypes, importlib.util, sys
helper, bench, kind, name, state, iterations = sys.argv[1:]
sys.argv = [bench]
spec = importlib.util.spec_from_file_location("bench_core", bench)
bench_core = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_core)
import varshim
if kind == "modern":
    workload = bench_core.modern_workloads()[name]
    (varshim.install if state == "installed" else varshim.uninstall)()
else:
    legacy, modern = {w[0]: w[1:3] for w in bench_core.legacy_vs_modern()}[name]
    workload = legacy if state == "legacy" else modern
for _ in range(20):
    workload()
counter = ctypes.CDLL(helper)
counter.start_counting()
for _ in range(int(iterations)):
    workload()
counter.stop_counting()
"""

MODERN = ("tiny graph", "MLP step", "indexing/cat/len/backward", "masks: masked_fill, -x, x[m] = v, 1 - x")
LEGACY = ("tiny graph loop", "per-character RNN step")  # the MLP step's count is its matmuls'


def _helper(folder):
    source = os.path.join(folder, "counting.c")
    with open(source, "w") as file:
        file.write(_HELPER)
    library = os.path.join(folder, "counting.so")
    compiler = os.environ.get("CC", "cc")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", library, source], check=True)
    return library


def count(helper, folder, kind, name, state, iterations):
    """Instructions per iteration of one workload, in a child process under callgrind."""
    bench = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_core.py")
    out = os.path.join(folder, "callgrind.out")
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               sys.executable, "-c", _CHILD, helper, bench, kind, name, state, str(iterations)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    collected = [line for line in result.stderr.splitlines() if "Collected :" in line]
    for leftover in os.listdir(folder):
        if leftover.startswith("callgrind.out"):
            os.remove(os.path.join(folder, leftover))
    return int(collected[-1].split()[-1]) / iterations


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=50, help="counted iterations per workload")
    parser.add_argument("--only", choices=("modern", "legacy"), help="one of the two tables")
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("bench_instructions: valgrind is not installed (Debian: apt install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        try:
            helper = _helper(folder)
        except (OSError, subprocess.CalledProcessError):
            sys.exit("bench_instructions: cannot compile the counting helper (needs cc and valgrind/callgrind.h)")
        print(f"{'workload':<44} {'baseline':>14} {'candidate':>14} {'ratio':>8}   (instructions per iteration)")
        tables = (
            ("modern", "-- modern code: varshim installed (candidate) vs uninstalled (baseline)", MODERN,
             ("uninstalled", "installed")),
            ("legacy", "-- legacy code under varshim (candidate) vs modern code on plain torch (baseline)", LEGACY,
             ("modern", "legacy")),
        )
        for kind, title, names, (baseline, candidate) in tables:
            if options.only not in (None, kind):
                continue
            print(title)
            for name in names:
                base = count(helper, folder, kind, name, baseline, options.iterations)
                cand = count(helper, folder, kind, name, candidate, options.iterations)
                print(f"{name:<44} {base:14,.0f} {cand:14,.0f} {cand / base:8.4f}x")

if __name__ == "__main__":
    main()
