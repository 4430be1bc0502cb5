"""How `varshim check` and `varshim migrate` scale: dense legacy code, one big file and a big tree.

    python benchmarks/bench_scale.py [--sizes 1000,10000,50000] [--files 1000] [--jobs N] [--skip-tree]

The code is generated (`dense_legacy`): every few lines a legacy idiom, at module level and in
functions, with legacy Functions, volatile evaluation loops, `.data[0]`, `async=`, the removed 1.x
APIs, and as many findings that need a human as rewrites. Each measurement is the real command in a
subprocess, `varshim check FILE` and `varshim migrate FILE` (the diff: the same work as `--write`
without touching the file), timed by the child's CPU time (user + sys, children included, which a
loaded machine does not inflate) and wall time, with its peak resident memory (`ru_maxrss`).
Targets: check >= 30,000 lines/s, migrate >= 5,000 lines/s (CPU), peak memory <= 300 MB at
50,000 lines; time and memory linear in the number of lines.
The tree (FILES files of about 120 lines) is checked and migrated with `--jobs 1` and `--jobs N`.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

_BLOCK = '''\
class Clamp{n}(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x.clamp(min=0)

    def backward(self, grad):
        x, = self.saved_tensors
        return grad * (x > 0).float()


def train_{n}(model, loader, optimizer, clip={n}):
    total = 0
    for data, target in loader:
        data, target = Variable(data.cuda(async=True)), Variable(target)
        optimizer.zero_grad()
        output = F.log_softmax(model(data))
        loss = F.nll_loss(output, target, size_average=False)
        loss.backward(retain_variables=True)
        nn.utils.clip_grad_norm(model.parameters(), clip)
        optimizer.step()
        total += loss.data[0]
    return total


def evaluate_{n}(model, loader):
    correct = 0
    for data, target in loader:
        data = Variable(data, volatile=True)
        output = model(data)
        pred = output.data.max(1)[1]
        correct += pred.eq(target).sum()
    print(correct, output.volatile)


w{n} = Variable(torch.randn(4, 3), requires_grad=True)
y{n} = Clamp{n}()(w{n})
p{n} = F.softmax(torch.randn(2, 3))
e{n}, v{n} = torch.symeig(torch.eye(3), eigenvectors=True)
crit{n} = nn.CrossEntropyLoss(size_average=True)
probs{n} = F.softmax(Variable(torch.rand(5), volatile=True), dim=0)
sample{n} = probs{n}.multinomial()
print(y{n}.creator, p{n}.sum().data[0], torch.stft(w{n}[0], 4), torch.cat(losses))
sample{n}.reinforce(torch.ones(1))
nn.init.xavier_uniform(w{n})
'''
_HEADER = '''\
"""Generated dense legacy code (benchmarks/bench_scale.py)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Function, Variable

losses = []

'''
BLOCK_LINES = _BLOCK.count("\n")


def dense_legacy(lines):
    """About `lines` lines of generated legacy code (whole blocks of BLOCK_LINES lines)."""
    blocks = max(1, round((lines - _HEADER.count("\n")) / BLOCK_LINES))
    return _HEADER + "\n".join(_BLOCK.format(n=n) for n in range(blocks))


def _command():
    varshim = shutil.which("varshim", path=os.path.dirname(sys.executable)) or shutil.which("varshim")
    return [varshim] if varshim else [sys.executable, "-m", "varshim_cli"]


def measure(argv):
    """(CPU seconds, wall seconds, peak RSS in MB) of one run of `argv` in a child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as report:  # a pipe would fill up with migrate's report and block the child
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=report)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        report.seek(0)
        error = report.read().decode()
    if child.returncode not in (0, 1):  # 1: something legacy was found, as expected
        raise RuntimeError(f"{' '.join(argv)} exited {child.returncode}: {error}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def best(argv, rounds):
    runs = [measure(argv) for _ in range(rounds)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def _row(label, lines, cpu, wall, rss, target):
    rate = lines / cpu
    print(f"{label:32s} {lines:8d} {cpu:8.2f} {wall:8.2f} {rate:10.0f} {rss:8.0f}   "
          f"{'ok' if rate >= target else 'MISSED'} (>= {target:,} lines/s)", flush=True)
    return rate


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000", help="lines of the single files")
    parser.add_argument("--files", type=int, default=1000, help="files in the tree")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs for the tree run")
    parser.add_argument("--rounds", type=int, default=1, help="runs per measurement, best kept")
    parser.add_argument("--skip-tree", action="store_true")
    parser.add_argument("--only", choices=("check", "migrate"), help="one command (default: both)")
    options = parser.parse_args(argv)
    command = _command()
    commands = [c for c in ("check", "migrate") if options.only in (None, c)]
    targets = {"check": 30_000, "migrate": 5_000}
    print(f"{'':32s} {'lines':>8s} {'CPU s':>8s} {'wall s':>8s} {'lines/s':>10s} {'RSS MB':>8s}")
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        for size in (int(s) for s in options.sizes.split(",")):
            path = folder / f"dense_{size}.py"
            text = dense_legacy(size)
            path.write_text(text)
            lines = text.count("\n")
            for name in commands:
                cpu, wall, rss = best(command + [name, "--jobs", "1", str(path)], options.rounds)
                _row(f"varshim {name} (one file)", lines, cpu, wall, rss, targets[name])
                if rss > 300 and size >= 50_000:
                    print(f"    peak memory {rss:.0f} MB: over the 300 MB target")
        if options.skip_tree:
            return 0
        tree = folder / "tree"
        tree.mkdir()
        lines = 0
        for i in range(options.files):
            package = tree / f"package_{i // 100:02d}"
            package.mkdir(exist_ok=True)
            text = dense_legacy(120)
            (package / f"module_{i:04d}.py").write_text(text)
            lines += text.count("\n")
        for name in commands:
            for jobs in sorted({1, options.jobs}):
                cpu, wall, rss = best(command + [name, "--jobs", str(jobs), str(tree)], options.rounds)
                _row(f"varshim {name} (tree, --jobs {jobs})", lines, cpu, wall, rss, targets[name])
                print(f"{'':32s} {'':8s} {'':8s} {'':8s} {lines / wall:10.0f} lines/s wall", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
