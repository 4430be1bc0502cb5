"""Start-up cost of `varshim run` over plain `python -c 'import torch'` (target: <= 0.2 s more).

    python benchmarks/bench_startup.py [--repeat N]

Each command runs N times, interleaved so machine load hits all alike. Printed per command: the
median wall time and the median CPU time (user + sys of the child, which waiting on a busy machine
does not inflate), and their overhead over `import torch`. The script run is one line,
`import torch`, so what is measured is varshim's own start-up: importing (and installing) varshim,
argument parsing, the import hook, compiling the script.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def commands(script):
    varshim_exe = shutil.which("varshim") or os.path.join(os.path.dirname(sys.executable), "varshim")
    return {
        "python -c 'import torch'": [sys.executable, "-c", "import torch"],
        "python -c 'import torch, varshim'": [sys.executable, "-c", "import torch, varshim"],
        "python -m varshim SCRIPT": [sys.executable, "-m", "varshim", script],
        "varshim run SCRIPT": [varshim_exe, "run", script],
    }


def timed(argv):
    """(wall seconds, CPU seconds) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10, help="runs per command (default 10)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        script = os.path.join(folder, "script.py")
        with open(script, "w") as handle:
            handle.write("import torch\n")
        table = commands(script)
        times = {name: [] for name in table}
        for argv in table.values():  # warm the file cache once
            timed(argv)
        for _ in range(options.repeat):
            for name, argv in table.items():
                times[name].append(timed(argv))
    base_wall, base_cpu = (statistics.median(t[i] for t in times["python -c 'import torch'"]) for i in (0, 1))
    print("%-34s %9s %9s %12s %12s" % ("command", "wall s", "CPU s", "+wall s", "+CPU s"))
    for name, samples in times.items():
        wall, cpu = (statistics.median(t[i] for t in samples) for i in (0, 1))
        print("%-34s %9.3f %9.3f %+12.3f %+12.3f" % (name, wall, cpu, wall - base_wall, cpu - base_cpu))
    cpu_overhead = statistics.median(t[1] for t in times["varshim run SCRIPT"]) - base_cpu
    print("varshim run start-up over import torch: %.3f s CPU (target <= 0.2 s: %s)"
          % (cpu_overhead, "ok" if cpu_overhead <= 0.2 else "over"))


if __name__ == "__main__":
    main()
