"""Throughput of `varshim check` and `varshim migrate` (lines per second), torchfix as reference.

    python benchmarks/bench_migrate.py [--files N] [--quick]

Generates a tree of legacy files (the test programs' idioms between ordinary modern code), then
times, in one process, best of several rounds:
1. varshim check (`check_source` per file: one `ast` walk);
2. varshim migrate (`migrate_source` per file: check, then libcst rewrites where something is found);
3. torchfix's checker (its flake8 entry, `TorchChecker(tree, lines).run()`: libcst parse plus a
   metadata pass) on the same files, if torchfix is installed (it is not a dependency).
Target: check faster than torchfix.
"""

import argparse
import ast
import pathlib
import sys
import tempfile
import time

from varshim_migrate import check_source, migrate_source

PROGRAMS = pathlib.Path(__file__).resolve().parent.parent / "tests" / "migrate" / "programs"

MODERN = '''
class Block{n}(nn.Module):
    """An ordinary modern module: what most of a real file looks like."""

    def __init__(self, width={w}):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        # residual block
        h = torch.relu(self.fc(self.norm(x)))
        return x + h * {n}


def train_step_{n}(model, batch, optimizer):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(batch["x"]), batch["y"], reduction="mean")
    loss.backward()
    optimizer.step()
    return {{"loss": loss.item(), "lr": optimizer.param_groups[0]["lr"]}}

'''


def make_tree(folder, files):
    legacy = [p.read_text() for p in sorted(PROGRAMS.glob("*.py"))]
    total = 0
    for i in range(files):
        parts = [legacy[i % len(legacy)]]
        parts += [MODERN.format(n=i * 10 + k, w=8 + k) for k in range(6)]
        text = "".join(parts)
        (folder / f"legacy_{i:04d}.py").write_text(text)
        total += text.count("\n")
    return total


def best(function, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--quick", action="store_true", help="30 files, 2 rounds")
    options = parser.parse_args(argv)
    files, rounds = (30, 2) if options.quick else (options.files, 3)
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        lines = make_tree(folder, files)
        sources = [p.read_text() for p in sorted(folder.glob("*.py"))]
        print(f"tree: {files} files, {lines} lines (legacy programs + modern code)")

        findings = sum(len(check_source(s)) for s in sources)
        check = best(lambda: [check_source(s) for s in sources], rounds)
        print(f"varshim check:   {lines / check:10.0f} lines/s  ({findings} findings)")
        migrate = best(lambda: [migrate_source(s) for s in sources], rounds)
        print(f"varshim migrate: {lines / migrate:10.0f} lines/s")
        plain_parse = best(lambda: [ast.parse(s) for s in sources], rounds)
        print(f"(ast.parse alone:{lines / plain_parse:10.0f} lines/s)")

        try:
            from torchfix.torchfix import TorchChecker
        except ImportError:
            print("torchfix not installed: no reference comparison (pip install torchfix)")
            return 0

        def torchfix_check():
            for source in sources:
                list(TorchChecker(None, source.splitlines(True)).run())

        reference = best(torchfix_check, rounds)
        print(f"torchfix check:  {lines / reference:10.0f} lines/s")
        ratio = reference / check
        print(f"varshim check is {ratio:.1f}x torchfix's throughput (target > 1): {'ok' if ratio > 1 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
