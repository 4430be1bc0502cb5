"""Core overhead of varshim, as ratios against plain torch measured in the same run.

    python benchmarks/bench_core.py [--quick]

1. Modern code with varshim installed vs uninstalled (interleaved in one process: installing is
   the only thing `import varshim` does to torch). Target <= 1.02x.
2. Legacy code under varshim vs the same computation written the modern way on plain torch:
   tiny graph loop <= 1.6x, MLP training step <= 1.03x, per-character RNN step <= 1.2x (issue 15).
   Optimizer steps during a legacy run (varshim.patches.optimizer_steps), against the same step with
   no legacy run: a modern caller's step (target <= 1.02x) and the program's own step, whose version
   counters are saved and restored (legacy code, reported).
3. Volatile inference peak memory vs `torch.no_grad()` (12-layer MLP, subprocesses). Target <= 1.05x.
4. `import varshim` time after `import torch` (subprocesses), with and without the full garbage
   collection torch's import leaves due (`import_time_ms`). Target <= 50 ms for varshim's own.
5. While a program written for 0.3 runs (its factory, constructor and Parameter patches applied):
   calls from a modern file vs the same calls with no 0.3 program (torch's own objects), and calls
   from the program's own file (which make LegacyTensors): measured, as the time added per call.
   Without a 0.3 program these names are torch's own objects (nothing added).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings

import torch

import varshim
from varshim import legacy_program
from varshim.objects.variable import Variable

torch.set_num_threads(1)
warnings.simplefilter("ignore")


def timed(function, repeat, number):
    """Median over `repeat` rounds of the mean time of `number` calls, in microseconds."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        rounds.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(rounds)


def compare(name, candidate, baseline, repeat, number, target, before_candidate=None, before_baseline=None):
    # Interleave the two so drifts of a shared machine hit both alike.
    candidate_times, baseline_times = [], []
    for _ in range(repeat):
        if before_baseline:
            before_baseline()
        baseline_times.append(timed(baseline, 1, number))
        if before_candidate:
            before_candidate()
        candidate_times.append(timed(candidate, 1, number))
    cand, base = statistics.median(candidate_times), statistics.median(baseline_times)
    ratio = cand / base
    if target is None:  # measured, reported as the time added per call
        print(f"{name:<44} {base:10.2f} us {cand:10.2f} us {ratio:7.3f}x  (+{cand - base:.2f} us a call)")
        return ratio
    verdict = "ok" if ratio <= target else "OVER"
    print(f"{name:<44} {base:10.2f} us {cand:10.2f} us {ratio:7.3f}x  (target <= {target}x) {verdict}")
    return ratio


# -- 1. modern code, varshim installed or not ------------------------------------------------------


def modern_workloads():
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.SGD(mlp.parameters(), lr=0.01)
    inputs, targets = torch.randn(32, 64), torch.randint(0, 10, (32,))

    def tiny_graph():
        x = torch.ones(3, requires_grad=True)
        ((x * 2 + 1).sum()).backward()

    def mlp_step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(mlp(inputs), targets).backward()
        optimizer.step()

    small = torch.nn.Linear(4, 2)
    small_optimizer = torch.optim.SGD(small.parameters(), lr=0.01)
    for parameter in small.parameters():
        parameter.grad = torch.zeros_like(parameter)

    def small_step():  # the optimizer step hooks' cost against the cheapest step there is
        small_optimizer.step()

    values = torch.randn(16)

    def indexing_cat_len_backward():
        x = values.clone().requires_grad_()
        parts = [x[i] * 2 for i in range(4)]
        total = torch.stack(parts).sum() + len(x)
        torch.cat([x[:2], x[2:]]).sum().add(total).backward()

    scores = torch.randn(8, 16)
    lengths = torch.randint(1, 16, (8,))

    def masks_negation_setitem():
        # operators the restored 0.4-1.1 masks wrap (varshim/patches/removed_apis/masks.py)
        pad = torch.arange(16) >= lengths.unsqueeze(1)
        masked = (-scores).masked_fill(pad, 0.0)
        masked[pad] = 1.0
        return (1 - masked).masked_select(~pad).sum()

    return {"tiny graph": tiny_graph, "MLP step": mlp_step, "SGD step, 2 parameters": small_step,
            "indexing/cat/len/backward": indexing_cat_len_backward,
            "masks: masked_fill, -x, x[m] = v, 1 - x": masks_negation_setitem}


# -- 2. legacy code under varshim vs modern code on plain torch ------------------------------------


def legacy_vs_modern():
    def legacy_tiny():
        x = Variable(torch.ones(3), requires_grad=True)
        y = (x * 2 + 1).sum()
        y.backward()
        return y.data[0]

    def modern_tiny():
        x = torch.ones(3, requires_grad=True)
        y = (x * 2 + 1).sum()
        y.backward()
        return y.item()

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    optimizer = torch.optim.SGD(mlp.parameters(), lr=0.01)
    images, labels = torch.randn(64, 784), torch.randint(0, 10, (64,))

    def legacy_mlp():
        inputs, targets = Variable(images), Variable(labels)
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(mlp(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss.data[0]

    def modern_mlp():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(mlp(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    # The char-RNN tutorial (2017): a hand-written RNN cell stepped one character at a time.
    class CharRNN(torch.nn.Module):
        def __init__(self, n_letters=57, hidden=128, n_categories=18):
            super().__init__()
            self.hidden_size = hidden
            self.i2h = torch.nn.Linear(n_letters + hidden, hidden)
            self.i2o = torch.nn.Linear(n_letters + hidden, n_categories)

        def forward(self, letter, hidden):
            combined = torch.cat((letter, hidden), 1)
            return torch.nn.functional.log_softmax(self.i2o(combined), dim=1), self.i2h(combined)

    rnn = CharRNN()
    letters = torch.zeros(6, 1, 57)
    for i in range(6):
        letters[i, 0, i * 7] = 1
    category = torch.tensor([3])

    def legacy_rnn():
        line, target = Variable(letters), Variable(category)
        hidden = Variable(torch.zeros(1, rnn.hidden_size))
        rnn.zero_grad()
        for i in range(line.size()[0]):
            output, hidden = rnn(line[i], hidden)
        loss = torch.nn.functional.nll_loss(output, target)
        loss.backward()
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-0.005)
        return loss.data[0]

    def modern_rnn():
        hidden = torch.zeros(1, rnn.hidden_size)
        rnn.zero_grad()
        for i in range(letters.size(0)):
            output, hidden = rnn(letters[i], hidden)
        loss = torch.nn.functional.nll_loss(output, category)
        loss.backward()
        with torch.no_grad():
            for p in rnn.parameters():
                p.add_(p.grad, alpha=-0.005)
        return loss.item()

    return [
        ("tiny graph loop", legacy_tiny, modern_tiny, 1.6),
        ("MLP training step", legacy_mlp, modern_mlp, 1.03),
        ("per-character RNN step", legacy_rnn, modern_rnn, 1.2),
    ]


def optimizer_steps_in_a_legacy_run():
    """(name, step, enter, leave, target): the MLP's SGD step during a legacy run vs outside one."""
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9)
    for parameter in mlp.parameters():
        parameter.grad = torch.zeros_like(parameter)
    root = tempfile.mkdtemp()
    namespace = {"optimizer": optimizer}
    exec(compile("def program_step():\n    optimizer.step()\n", os.path.join(root, "train.py"), "exec"), namespace)
    entered = []

    def enter():
        entered.append(legacy_program.enter(root))

    def leave():
        while entered:
            legacy_program.leave(entered.pop())

    return [("modern caller's SGD step, legacy run", optimizer.step, enter, leave, 1.02),
            ("the program's own SGD step (restores versions)", namespace["program_step"], enter, leave, 1.15)]


# -- 5. calls while a 0.3 program runs --------------------------------------------------------------

_CALLS = """
def zeros():
    return torch.zeros(3)

def randn():
    return torch.randn(3)

def tensor_constructor():
    return torch.Tensor(3)

def typed_constructor():
    return torch.FloatTensor(3)

def parameter_data():
    return parameter.data
"""


def program_calls(filename):
    """The calls of section 5, compiled as the file `filename` (a modern file or the program's)."""
    namespace = {"torch": torch, "parameter": torch.nn.Parameter(torch.ones(3))}
    exec(compile(_CALLS, filename, "exec"), namespace)
    return {name: namespace[name] for name in ("zeros", "randn", "tensor_constructor", "typed_constructor",
                                               "parameter_data")}


def beside_a_0_3_program(repeat):
    folder = tempfile.mkdtemp()
    modern = program_calls(__file__)
    legacy = program_calls(os.path.join(folder, "train.py"))
    program = None

    def enter():
        nonlocal program
        if program is None:
            program = legacy_program.enter(folder, "0.3")

    def leave():
        nonlocal program
        if program is not None:
            legacy_program.leave(program)
            program = None

    for name, call in modern.items():
        compare(f"modern file: {name}", call, call, repeat * 2, 2000, None, enter, leave)
    for name, call in legacy.items():
        compare(f"0.3 program's file: {name}", call, modern[name], repeat, 2000, None, enter, leave)
    leave()


# -- 3. volatile inference memory, 4. import time (subprocesses) -----------------------------------

_MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource, sys, warnings
    import torch
    warnings.simplefilter("ignore")
    mode = sys.argv[1]
    if mode != "plain":
        import varshim
    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for _ in range(12):
        layers += [torch.nn.Linear(1024, 1024), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers)
    batch = torch.randn(4096, 1024)
    with torch.no_grad():  # load the matmul kernels on a tiny batch, so their buffers count in no mode
        model(batch[:2])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode == "no_grad":
        with torch.no_grad():
            out = model(batch)
    elif mode == "volatile":
        out = model(varshim.Variable(batch, volatile=True))
    else:  # modern torch ignores volatile: the graph is recorded
        out = model(torch.autograd.Variable(batch))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(after - before)
    """
)


def peak_memory_kib(mode):
    # A fixed mmap threshold: glibc's adaptive one makes freed activations linger in the heap, so the
    # RSS high-water mark would depend on allocation history rather than on what was alive.
    environment = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, mode], capture_output=True, text=True, check=True, env=environment
    )
    return int(result.stdout.split()[-1])


def import_time_ms(repeat, collect_first):
    """Median of `import varshim` after `import torch`, in fresh processes. torch's import leaves
    Python's collector close to a full collection of its ~165,000 objects (about 90 ms here), which
    the next allocations of any import set off: `collect_first` runs it before the clock starts,
    so that what is timed is varshim's own import."""
    script = (
        "import gc, time; import torch; "
        + ("gc.collect(); " if collect_first else "")
        + "start = time.perf_counter(); import varshim; print((time.perf_counter() - start) * 1000)"
    )
    times = [
        float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
        for _ in range(repeat)
    ]
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    options = parser.parse_args()
    repeat = 5 if options.quick else 15
    print(f"torch {torch.__version__}, varshim {varshim.__version__}, 1 thread\n")
    print(f"{'workload':<44} {'baseline':>13} {'candidate':>13} {'ratio':>8}")

    print("-- modern code: varshim installed (candidate) vs uninstalled (baseline)")
    for name, workload in modern_workloads().items():
        workload()
        compare(name, workload, workload, repeat * 2, 200, 1.02, varshim.install, varshim.uninstall)
    varshim.install()

    print("-- optimizer steps: during a legacy run (candidate) vs outside one (baseline)")
    for name, step, enter, leave, target in optimizer_steps_in_a_legacy_run():
        step()
        compare(name, step, step, repeat * 2, 200, target, enter, leave)
        leave()

    print("-- legacy code under varshim (candidate) vs modern code on plain torch (baseline)")
    for name, legacy, modern, target in legacy_vs_modern():
        legacy(), modern()
        compare(name, legacy, modern, repeat, 100 if "MLP" in name else 300, target)

    print("-- volatile inference, 12-layer MLP: peak memory growth during the forward pass")
    no_grad, volatile, ignored = (peak_memory_kib(mode) for mode in ("no_grad", "volatile", "modern_volatile"))
    print(f"no_grad {no_grad / 1024:.1f} MiB, varshim volatile {volatile / 1024:.1f} MiB "
          f"({volatile / no_grad:.3f}x, target <= 1.05x), modern torch's ignored volatile "
          f"{ignored / 1024:.1f} MiB ({ignored / no_grad:.2f}x)")

    runs = 3 if options.quick else 7
    print(f"-- import varshim after import torch: {import_time_ms(runs, True):.1f} ms (target <= 50 ms); "
          f"{import_time_ms(runs, False):.1f} ms when the full collection torch's import left due lands in it")

    print("-- while a 0.3 program runs (candidate) vs no 0.3 program (baseline)")
    beside_a_0_3_program(repeat)


if __name__ == "__main__":
    main()
