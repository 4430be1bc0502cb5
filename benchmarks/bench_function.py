"""Cost of a legacy `Function` call under varshim versus the same new-style Function on plain torch.

    python benchmarks/bench_function.py

Both run the same ReLU body in the same process on one thread; the legacy side is 0.1.12's
`MyReLU()(x)` on a Variable, the modern side `MyReLU.apply(x)` on a tensor. Target: ratio <= 1.2
for the Function itself ("forward", "forward + backward" through torch's engine). The "as written"
row is the legacy idiom as written; its extra cost is the `Variable` dispatch of
`.sum()`/`.backward()` (varshim.objects.variable), not the Function.

The "0.3 new-style" rows: `ModernReLU`'s own source compiled as a legacy program's file
(`varshim.objects.new_style_function`: tensors with 0.3 semantics into forward, Variables into
backward) called on a Variable, against `ModernReLU.apply` on a tensor.
"""

import inspect
import os
import tempfile
import timeit
import warnings

import torch
from torch.autograd import Function

import varshim
from varshim import legacy_program
from varshim.objects.variable import Variable
from varshim.objects.root_gradients import modern_backward  # torch's own autograd.backward


class LegacyReLU(Function):
    def forward(self, input):
        self.save_for_backward(input)
        return input.clamp(min=0)

    def backward(self, grad_output):
        input, = self.saved_tensors
        return grad_output * (input > 0)


class ModernReLU(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * (input > 0)


def program_relu():
    """ModernReLU's own source, compiled as a file of a legacy program: the 0.3 protocol, same body."""
    folder = legacy_program.enter(tempfile.mkdtemp())  # left entered: the class is decided when it is made
    source = inspect.getsource(ModernReLU).replace("ModernReLU", "ProgramReLU")
    namespace = {"Function": Function}
    exec(compile(source, os.path.join(folder.root, "relu.py"), "exec"), namespace)
    return namespace["ProgramReLU"]


def interleaved(modern, legacy, number, rounds=60):
    """Best per-call time of each side, alternating short runs so both see the same machine load."""
    modern_best = legacy_best = float("inf")
    for _ in range(rounds):
        modern_best = min(modern_best, timeit.timeit(modern, number=number))
        legacy_best = min(legacy_best, timeit.timeit(legacy, number=number))
    return modern_best / number * 1e6, legacy_best / number * 1e6


def main():
    torch.set_num_threads(1)
    warnings.simplefilter("ignore", varshim.LegacyTorchWarning)
    print(f"torch {torch.__version__}, varshim {varshim.__version__}, 1 thread; microseconds per call (best of 60 interleaved runs)")
    print(f"{'case':<44}{'modern':>10}{'legacy':>10}{'ratio':>8}")
    ProgramReLU = program_relu()
    for shape in ((16,), (256, 256)):
        plain = torch.randn(*shape, requires_grad=True)
        legacy = Variable(plain.detach().clone(), requires_grad=True)
        number = 500 if len(shape) == 1 else 100
        gradient = torch.ones(shape)

        def engine_backward(output):
            with torch._C.DisableTorchFunctionSubclass():  # the engine alone, no Variable dispatch
                modern_backward(output, gradient)

        cases = (
            ("forward", lambda: ModernReLU.apply(plain), lambda: LegacyReLU()(legacy)),
            ("forward + backward", lambda: engine_backward(ModernReLU.apply(plain)),
             lambda: engine_backward(LegacyReLU()(legacy))),
            ("as written: f(x).sum().backward()", lambda: ModernReLU.apply(plain).sum().backward(),
             lambda: LegacyReLU()(legacy).sum().backward()),
            ("0.3 new-style: forward", lambda: ModernReLU.apply(plain), lambda: ProgramReLU.apply(legacy)),
            ("0.3 new-style: forward + backward", lambda: engine_backward(ModernReLU.apply(plain)),
             lambda: engine_backward(ProgramReLU.apply(legacy))),
        )
        for name, modern_call, legacy_call in cases:
            modern_call(), legacy_call()  # warm up
            modern_us, legacy_us = interleaved(modern_call, legacy_call, number)
            label = f"{name} {tuple(shape)}"
            print(f"{label:<44}{modern_us:>10.2f}{legacy_us:>10.2f}{legacy_us / modern_us:>8.2f}")


if __name__ == "__main__":
    main()
