"""Gradients are the product: random graphs of differentiable ops give, through Variables, the values
and gradients plain torch gives, bit for bit; every legacy backward style equals modern backward;
volatile equals no_grad and records nothing; gradcheck passes on Variable-built functions.

A program is drawn step by step while it runs on plain tensors (so each step knows its operands'
shapes), then replayed on Variables. The one legacy difference is allowed and checked: where plain
torch gives a 0-dim result, the Variable has size (1,). 0-dim results are outputs only, never
operands, so both programs stay the same computation.
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from varshim.objects.variable import Variable
from tests.support.saved_tensors import SavedTensors
from tests.support.strategies import constants, seeds, shapes, sides

pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")

SMOOTH_UNARY = {"exp": torch.exp, "tanh": torch.tanh, "sigmoid": torch.sigmoid}
UNARY = {**SMOOTH_UNARY, "relu": F.relu}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: torch.sub(a, b),
    "mul": lambda a, b: a.mul(b),
    "div": lambda a, b: a / (b * b + 1),  # denominators away from 0
    "pow": lambda a, b: (torch.sigmoid(a) + 0.5) ** b,  # positive bases
}
SCALAR = {
    "add": lambda a, c: c + a,
    "sub": lambda a, c: c - a,
    "mul": lambda a, c: a * c,
    "div": lambda a, c: a / c,
    "pow": lambda a, c: a**2 if c > 0 else a.pow(3),
}


class World:
    """Where a program runs: legacy (Variables) or modern (plain tensors). Leaves are created in the
    same order in both; `given` supplies them instead (gradcheck). Inputs are pool operands;
    parameters (weights, biases) exist only inside the layer that uses them, as in a model."""

    def __init__(self, legacy, volatile=False, given=None):
        self.legacy, self.volatile, self.given = legacy, volatile, given
        self.leaves = []

    def leaf(self, tensor, is_input):
        if self.given is not None:
            value = self.given[len(self.leaves)]
        elif self.legacy:
            volatile = self.volatile and is_input  # parameters of a model still require grad
            value = Variable(tensor.clone(), requires_grad=not volatile, volatile=volatile)
        else:
            value = tensor.clone().requires_grad_()
        self.leaves.append(value)
        return value

    def const(self, tensor):
        return Variable(tensor) if self.legacy else tensor


class Program:
    """Steps recorded while running on plain tensors; `replay` runs them in another world."""

    def __init__(self, data, dtype, smooth):
        self.data, self.dtype, self.smooth = data, dtype, smooth
        self.generator = torch.Generator().manual_seed(data.draw(seeds, label="seed"))
        self.steps = []  # (function(world, pool) -> results, keep each result as an operand?)
        self.world = World(legacy=False)
        self.pool, self.results = [], []

    # -- drawing helpers -------------------------------------------------------------------------

    def draw(self, strategy, label=None):
        return self.data.draw(strategy, label=label)

    def values(self, shape):
        values = torch.randn(shape, generator=self.generator, dtype=torch.float64)
        if not self.smooth and self.draw(st.booleans(), label="ties"):
            values = values.mul(2).round().div(2)  # equal values: max/min/relu tie rules
        return values.to(self.dtype)

    def shape(self, max_dims=3):
        return self.draw(shapes(max_dims=max_dims), label="shape")

    def operand(self, predicate=lambda shape: True):
        choices = [i for i, t in enumerate(self.pool) if predicate(t.shape)]
        assume(choices)
        return self.draw(st.sampled_from(choices), label="operand")

    def input_step(self, shape):
        values = self.values(shape)
        self.record(lambda w, p: [w.leaf(values, is_input=True)])

    def record(self, step):
        results = step(self.world, self.pool)
        keep = [r.dim() > 0 for r in results]
        self.steps.append((step, keep))
        self.absorb(results, keep, self.pool, self.results)

    @staticmethod
    def absorb(results, keep, pool, all_results):
        all_results.extend(results)
        pool.extend(r for r, k in zip(results, keep) if k)

    def replay(self, world):
        pool, results = [], []
        for step, keep in self.steps:
            self.absorb(step(world, pool), keep, pool, results)
        return results

    # -- ops ---------------------------------------------------------------------------------------

    def build(self, max_steps):
        for _ in range(self.draw(st.integers(1, 3), label="inputs")):
            self.input_step(self.shape())
        ops = [self.unary, self.binary, self.reduce, self.matmul, self.index, self.join, self.layer]
        if not self.smooth:
            ops.append(self.loss)
        for _ in range(self.draw(st.integers(1, max_steps), label="steps")):
            op = self.draw(st.sampled_from(ops), label="op")
            event(op.__name__)
            op()
        return self

    def unary(self):
        fn = self.draw(st.sampled_from(sorted(SMOOTH_UNARY if self.smooth else UNARY)), label="unary")
        i = self.operand()
        self.record(lambda w, p: [UNARY[fn](p[i])])

    def binary(self):
        fn = self.draw(st.sampled_from(sorted(BINARY)), label="binary")
        i = self.operand()
        kind = self.draw(st.sampled_from(["pool", "broadcast leaf", "scalar"]), label="other")
        if kind == "scalar":
            c = self.draw(constants, label="scalar")
            self.record(lambda w, p: [SCALAR[fn](p[i], c)])
            return
        if kind == "broadcast leaf":
            shape = list(self.pool[i].shape)
            shape = shape[self.draw(st.integers(0, len(shape) - 1), label="drop"):]
            shape = [1 if self.draw(st.booleans(), label="ones") else n for n in shape]
            self.input_step(tuple(shape))
            j = len(self.pool) - 1
        else:
            j = self.operand(lambda s: _broadcastable(s, self.pool[i].shape))
        a, b = self.draw(st.sampled_from([(i, j), (j, i)]), label="order")
        self.record(lambda w, p: [BINARY[fn](p[a], p[b])])

    def reduce(self):
        names = ["sum", "mean", "prod"] + ([] if self.smooth else ["max", "min"])
        name = self.draw(st.sampled_from(names), label="reduction")
        i = self.operand()
        if self.draw(st.booleans(), label="full"):
            self.record(lambda w, p: [getattr(p[i], name)()])
            return
        dim = self.draw(st.integers(-self.pool[i].dim(), self.pool[i].dim() - 1), label="dim")
        keepdim = self.draw(st.booleans(), label="keepdim")
        if name in ("max", "min"):
            self.record(lambda w, p: [getattr(torch, name)(p[i], dim, keepdim)[0]])
        else:
            self.record(lambda w, p: [getattr(p[i], name)(dim, keepdim=keepdim)])

    def matmul(self):
        i = self.operand(lambda s: len(s) <= 3)
        k, m = self.pool[i].shape[-1], self.draw(sides, label="m")
        weight = self.values((k, m))
        form = self.draw(st.sampled_from(["matmul", "@", "mm"] if self.pool[i].dim() == 2 else ["matmul", "@"]))
        call = {"matmul": torch.matmul, "@": lambda a, b: a @ b, "mm": lambda a, b: a.mm(b)}[form]
        self.record(lambda w, p: [call(p[i], w.leaf(weight, is_input=False))])

    def index(self):
        i = self.operand()
        shape = self.pool[i].shape
        dim = self.draw(st.integers(0, len(shape) - 1), label="dim")
        n = shape[dim]
        kind = self.draw(st.sampled_from(["int", "slice", "index_select"]), label="index")
        if kind == "int":
            k = self.draw(st.integers(-n, n - 1), label="k")
            key = (slice(None),) * dim + (k,)
            self.record(lambda w, p: [p[i][key]])
        elif kind == "slice":
            start = self.draw(st.integers(0, n - 1), label="start")
            stop = self.draw(st.integers(start + 1, n), label="stop")
            key = (slice(None),) * dim + (slice(start, stop, self.draw(st.integers(1, 2), label="step")),)
            self.record(lambda w, p: [p[i][key]])
        else:
            chosen = self.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4), label="indices")
            indices = torch.tensor(chosen)  # repeats accumulate gradients
            self.record(lambda w, p: [torch.index_select(p[i], dim, w.const(indices))])

    def join(self):
        i = self.operand()
        shape = self.pool[i].shape
        others = [j for j, t in enumerate(self.pool) if t.shape == shape]
        parts = [i] + self.draw(st.lists(st.sampled_from(others), min_size=1, max_size=2), label="parts")
        if self.draw(st.booleans(), label="cat"):
            dim = self.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
            self.record(lambda w, p: [torch.cat([p[j] for j in parts], dim)])
        else:
            dim = self.draw(st.integers(0, len(shape)), label="dim")
            self.record(lambda w, p: [torch.stack([p[j] for j in parts], dim)])

    def layer(self):
        kind = self.draw(st.sampled_from(["linear", "conv1d", "softmax", "log_softmax"]), label="layer")
        i = self.operand()
        shape = self.pool[i].shape
        if kind == "linear":
            out = self.draw(sides, label="out")
            weight = self.values((out, shape[-1]))
            if self.draw(st.booleans(), label="bias"):
                bias = self.values((out,))
                self.record(lambda w, p: [F.linear(p[i], w.leaf(weight, False), w.leaf(bias, False))])
            else:
                self.record(lambda w, p: [F.linear(p[i], w.leaf(weight, False))])
        elif kind == "conv1d":
            length = self.pool[i].numel()
            width = self.draw(st.integers(1, min(length, 3)), label="kernel")
            channels = self.draw(st.integers(1, 3), label="channels")
            weight, bias = self.values((channels, 1, width)), self.values((channels,))
            self.record(lambda w, p: [F.conv1d(p[i].reshape(1, 1, -1), w.leaf(weight, False), w.leaf(bias, False))])
        else:
            dim = self.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
            fn = getattr(F, kind)
            self.record(lambda w, p: [fn(p[i], dim=dim)])

    def loss(self):
        kind = self.draw(st.sampled_from(["mse_loss", "cross_entropy", "nll_loss"]), label="loss")
        i = self.operand()
        if kind == "mse_loss":
            target = self.values(self.pool[i].shape)
            self.record(lambda w, p: [F.mse_loss(p[i], w.const(target))])
            return
        rows, classes = self.pool[i].numel() // self.pool[i].shape[-1], self.pool[i].shape[-1]
        labels = self.draw(st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows), label="labels")
        target = torch.tensor(labels)
        if kind == "cross_entropy":
            self.record(lambda w, p: [F.cross_entropy(p[i].reshape(rows, classes), w.const(target))])
        else:
            self.record(lambda w, p: [F.nll_loss(F.log_softmax(p[i].reshape(rows, classes), 1), w.const(target))])


def _broadcastable(a, b):
    try:
        torch.broadcast_shapes(a, b)
    except RuntimeError:
        return False
    return True


def _total(results):
    """One scalar from every result, summed in the same order in both worlds."""
    total = results[0].sum()
    for result in results[1:]:
        total = total + result.sum()
    return total


def _assert_legacy_equals(legacy, modern):
    assert type(legacy) is Variable
    legacy = legacy.as_subclass(torch.Tensor)
    if modern.dim() == 0:
        assert legacy.shape == (1,)
        legacy = legacy.reshape(())
    torch.testing.assert_close(legacy, modern, rtol=0, atol=0, equal_nan=True)


def _assert_same_grads(legacy_leaves, modern_leaves):
    for legacy, modern in zip(legacy_leaves, modern_leaves, strict=True):
        if modern.grad is None:
            assert legacy.grad is None
            continue
        assert type(legacy.grad) is Variable
        torch.testing.assert_close(legacy.grad.as_subclass(torch.Tensor), modern.grad, rtol=0, atol=0, equal_nan=True)


dtypes = st.sampled_from([torch.float32, torch.float64])


@given(data=st.data(), dtype=dtypes)
def test_values_and_gradients_equal_plain_torch(data, dtype):
    program = Program(data, dtype, smooth=False).build(max_steps=8)
    modern = World(legacy=False)
    modern_results = program.replay(modern)
    legacy = World(legacy=True)
    legacy_results = program.replay(legacy)
    for legacy_result, modern_result in zip(legacy_results, modern_results, strict=True):
        _assert_legacy_equals(legacy_result, modern_result)
    legacy_total, modern_total = _total(legacy_results), _total(modern_results)
    _assert_legacy_equals(legacy_total, modern_total)
    modern_total.backward()
    legacy_total.backward()
    _assert_same_grads(legacy.leaves, modern.leaves)


LEGACY_STYLES = {
    "Variable.backward(g)": lambda out, g: out.backward(g),
    "Variable.backward(Variable(g))": lambda out, g: out.backward(Variable(g)),
    "Variable.backward(g, retain_variables=True)": lambda out, g: out.backward(g, retain_variables=True),
    "autograd.backward([out], [g])": lambda out, g: torch.autograd.backward([out], [g]),
    "autograd.backward([out], [g], True)": lambda out, g: torch.autograd.backward([out], [g], True),
    "autograd.backward(variables=, grad_variables=)": lambda out, g: torch.autograd.backward(
        variables=[out], grad_variables=[Variable(g, volatile=True)]
    ),
}
SCALAR_STYLES = {
    "loss.backward()": lambda out: out.backward(),
    "loss.backward(torch.ones(1))": lambda out: out.backward(torch.ones(1, dtype=out.dtype)),
    "loss.backward(retain_variables=False)": lambda out: out.backward(retain_variables=False),
    "autograd.backward([loss], [None])": lambda out: torch.autograd.backward([out], [None]),
    "autograd.backward(variables=[loss])": lambda out: torch.autograd.backward(variables=[out]),
}


@given(data=st.data(), dtype=dtypes, style=st.sampled_from(sorted(LEGACY_STYLES) + sorted(SCALAR_STYLES)))
def test_each_legacy_backward_style_equals_modern_backward(data, dtype, style):
    program = Program(data, dtype, smooth=False).build(max_steps=5)
    modern, legacy = World(legacy=False), World(legacy=True)
    modern_results, legacy_results = program.replay(modern), program.replay(legacy)
    if style in SCALAR_STYLES:
        modern_total = _total(modern_results)
        modern_total.backward()
        SCALAR_STYLES[style](_total(legacy_results))
    else:
        k = data.draw(st.sampled_from([n for n, r in enumerate(modern_results) if r.requires_grad]), label="root")
        gradient = torch.randn(modern_results[k].shape, dtype=dtype, generator=program.generator)
        torch.autograd.backward(modern_results[k], gradient)
        LEGACY_STYLES[style](legacy_results[k], gradient.reshape(legacy_results[k].shape))
    _assert_same_grads(legacy.leaves, modern.leaves)


@given(data=st.data(), dtype=dtypes)
def test_legacy_grad_equals_modern_grad(data, dtype):
    program = Program(data, dtype, smooth=False).build(max_steps=5)
    modern, legacy = World(legacy=False), World(legacy=True)
    modern_total, legacy_total = _total(program.replay(modern)), _total(program.replay(legacy))
    expected = torch.autograd.grad(modern_total, modern.leaves, allow_unused=True)
    got = torch.autograd.grad([legacy_total], legacy.leaves, only_inputs=True, allow_unused=True)
    for g, e in zip(got, expected, strict=True):
        assert (g is None) == (e is None)
        if e is not None:
            _assert_legacy_equals(g, e)


@given(data=st.data(), dtype=dtypes)
def test_volatile_equals_no_grad_and_records_nothing(data, dtype):
    program = Program(data, dtype, smooth=False).build(max_steps=8)
    with torch.no_grad():
        modern_results = program.replay(World(legacy=False))
    volatile = World(legacy=True, volatile=True)
    with SavedTensors() as saved:
        legacy_results = program.replay(volatile)
    assert saved.count == 0
    for legacy_result, modern_result in zip(legacy_results, modern_results, strict=True):
        _assert_legacy_equals(legacy_result, modern_result)
        assert legacy_result.volatile and not legacy_result.requires_grad and legacy_result.grad_fn is None
    with pytest.raises(RuntimeError, match="volatile"):
        _total(legacy_results).backward()
    assert all(leaf.grad is None for leaf in volatile.leaves)


@settings(max_examples=15)
@given(data=st.data())
def test_gradcheck_on_variable_built_functions(data):
    program = Program(data, torch.float64, smooth=True).build(max_steps=4)
    leaves = [Variable(leaf.detach().clone(), requires_grad=True) for leaf in program.world.leaves]
    assume(all(torch.isfinite(r).all() and r.abs().max() < 1e3 for r in program.results))

    def function(*given):
        return tuple(program.replay(World(legacy=True, given=given)))

    assert all(type(r) is Variable for r in function(*leaves))
    assert torch.autograd.gradcheck(function, leaves, fast_mode=True)
