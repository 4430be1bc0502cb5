"""`torch.save` with varshim imported vs plain torch: peak memory and time, as ratios measured in the same run.

    python benchmarks/bench_save.py [--quick] [--megabytes 256]

To vouch for a whole pickled object saved to a stream, varshim's torch.save hands torch a writer
that forwards every byte to the caller's stream and hashes it on the way (the provenance
`torch.load` checks later): no memory, only the hashing time. A whole object saved to a path is
written by torch alone, then read back a megabyte at a time to hash it for the record of saves
across runs (`varshim/patches/saved_pickles.py`). Plain data (a tensor, a state dict) loads
without trust and is saved by torch alone. Each sample is a fresh process (one thread) that
saves one float32 tensor to an `io.BytesIO`, a module holding that tensor to an `io.BytesIO`
(hashed on the way), the tensor to a file, and the module to a file (read back); peak memory is
the growth of the process's maximum resident set size during the save. Plain and varshim
processes alternate, so drifts of a shared machine hit both alike. Target: peak memory <= 1.05x
plain torch.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CASES = ("tensor to buffer", "module to buffer", "tensor to file", "module to file")

# One case per process: the maximum resident set size only ever grows.
SAMPLE = r"""
import io, json, resource, sys, time
import torch
mode, case, megabytes, path = sys.argv[1:]
if mode == "varshim":
    import varshim  # noqa: F401  (importing installs it)
torch.set_num_threads(1)
obj = torch.ones(int(megabytes) * 2**20 // 4)
if case.startswith("module"):
    module = torch.nn.Module()
    module.register_buffer("weight", obj)
    obj = module
destination = path if case.endswith("file") else io.BytesIO()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
torch.save(obj, destination)
seconds = time.perf_counter() - start
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, "seconds": seconds}))
"""


def sample(mode, case, megabytes, path):
    command = [sys.executable, "-c", SAMPLE, mode, case, str(megabytes), path]
    env = dict(os.environ, OMP_NUM_THREADS="1", VARSHIM_CACHE_DIR=os.path.join(os.path.dirname(path), "cache"))
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 samples per mode instead of 7")
    parser.add_argument("--megabytes", type=int, default=256, help="size of the saved tensor")
    options = parser.parse_args()
    rounds = 3 if options.quick else 7
    runs = {(mode, case): [] for mode in ("plain", "varshim") for case in CASES}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "tensor.pt")
        for _ in range(rounds):
            for mode, case in runs:
                runs[mode, case].append(sample(mode, case, options.megabytes, path))
    print(f"torch.save of a {options.megabytes} MB float32 tensor, {rounds} processes per mode and case")
    for case in CASES:
        for measure, unit, scale in (("peak_kib", "MB", 1 / 1024), ("seconds", "s", 1)):
            plain = [run[measure] for run in runs["plain", case]]
            patched = [run[measure] for run in runs["varshim", case]]
            ratios = [p / q for p, q in zip(patched, plain)]
            # a file is written by torch itself (a peak of a few hundred kB); reading a whole object
            # back adds a fixed megabyte or two, whatever the size: no ratio target
            target_note = "  (target <= 1.05x)" if measure == "peak_kib" and "buffer" in case else ""
            print(f"  {case:16} {measure:8}: plain {statistics.median(plain) * scale:8.2f} {unit}, varshim "
                  f"{statistics.median(patched) * scale:8.2f} {unit}, ratio {statistics.median(ratios):.3f}x "
                  f"(spread {min(ratios):.3f}-{max(ratios):.3f}){target_note}")


if __name__ == "__main__":
    main()
