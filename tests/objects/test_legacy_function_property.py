"""Property tests: legacy Functions give the values and gradients of plain torch and of new-style Functions."""

import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.autograd import Function

from varshim.objects.variable import Variable
from tests.support.strategies import seeds, shapes, sides

# f, f' pairs for the elementwise bodies: output k = f_k(x[i_k]) * x[j_k]
UNARY = {
    "exp": (torch.exp, torch.exp),
    "sin": (torch.sin, torch.cos),
    "tanh": (torch.tanh, lambda x: 1 - torch.tanh(x) ** 2),
    "square": (lambda x: x * x, lambda x: 2 * x),
    "identity": (lambda x: x, torch.ones_like),
}


def elementwise_forward(spec, inputs):
    outputs = tuple(UNARY[name][0](inputs[i]) * inputs[j] for name, i, j in spec)
    return outputs if len(outputs) > 1 else outputs[0]


def elementwise_backward(spec, inputs, grads, needs_input_grad):
    result = [torch.zeros_like(x) for x in inputs]
    for (name, i, j), grad in zip(spec, grads):
        f, derivative = UNARY[name]
        result[i] = result[i] + grad * derivative(inputs[i]) * inputs[j]
        result[j] = result[j] + grad * f(inputs[i])
    return tuple(g if needed else None for g, needed in zip(result, needs_input_grad))


class LegacyElementwise(Function):
    def __init__(self, spec):
        super(LegacyElementwise, self).__init__()
        self.spec = spec

    def forward(self, *inputs):
        self.save_for_backward(*inputs)
        return elementwise_forward(self.spec, inputs)

    def backward(self, *grads):
        return elementwise_backward(self.spec, self.saved_tensors, grads, self.needs_input_grad)


class ModernElementwise(Function):
    @staticmethod
    def forward(ctx, spec, *inputs):
        ctx.spec = spec
        ctx.save_for_backward(*inputs)
        return elementwise_forward(spec, inputs)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + elementwise_backward(ctx.spec, ctx.saved_tensors, grads, ctx.needs_input_grad[1:])


class LegacyLinear(Function):
    """The 0.1.12 notes/extending.rst Linear, in its instance-method form."""

    def forward(self, input, weight, bias=None):
        self.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    def backward(self, grad_output):
        input, weight, bias = self.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if self.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and self.needs_input_grad[2]:
            grad_bias = grad_output.sum(0).squeeze(0)
        return grad_input, grad_weight, grad_bias


def plain(variable):
    with torch._C.DisableTorchFunctionSubclass():
        return variable.detach().clone()


@st.composite
def elementwise_cases(draw):
    shape = draw(shapes())
    count = draw(st.integers(1, 3))
    spec = tuple(
        (draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1)))
        for _ in range(draw(st.integers(1, 3)))
    )
    requires = [draw(st.booleans()) for _ in range(count)]
    requires[spec[0][1]] = True  # the first (always used) output depends on an input requiring grad
    used = [draw(st.booleans()) for _ in spec]  # unused outputs get zero (materialised None) gradients
    used[0] = True
    seed = draw(seeds)
    return shape, spec, requires, used, seed


def _loss(outputs, used, weights):
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return sum((o * w).sum() for o, w, u in zip(outputs, weights, used) if u)


@given(elementwise_cases())
def test_elementwise_legacy_matches_plain_torch_and_new_style(case):
    shape, spec, requires, used, seed = case
    generator = torch.Generator().manual_seed(seed)
    values = [torch.randn(shape, generator=generator) * 0.5 for _ in requires]
    weights = [torch.randn(shape, generator=generator) for _ in spec]

    legacy_inputs = [Variable(v.clone(), requires_grad=r) for v, r in zip(values, requires)]
    legacy_out = LegacyElementwise(spec)(*legacy_inputs)
    legacy_outputs = legacy_out if isinstance(legacy_out, tuple) else (legacy_out,)
    assert all(type(o) is Variable and o.requires_grad for o in legacy_outputs)
    _loss(legacy_out, used, weights).backward()

    modern_inputs = [v.clone().requires_grad_(r) for v, r in zip(values, requires)]
    modern_out = ModernElementwise.apply(spec, *modern_inputs)
    _loss(modern_out, used, weights).backward()

    torch_inputs = [v.clone().requires_grad_(r) for v, r in zip(values, requires)]
    torch_out = tuple(UNARY[name][0](torch_inputs[i]) * torch_inputs[j] for name, i, j in spec)
    _loss(torch_out, used, weights).backward()

    modern_outputs = modern_out if isinstance(modern_out, tuple) else (modern_out,)
    for got, new_style, reference in zip(legacy_outputs, modern_outputs, torch_out):
        assert torch.equal(plain(got), new_style)
        assert torch.allclose(plain(got), reference)
    for legacy, modern, reference in zip(legacy_inputs, modern_inputs, torch_inputs):
        if modern.grad is None:
            assert legacy.grad is None and reference.grad is None
            continue
        assert torch.equal(plain(legacy.grad), modern.grad)
        # an input no used output depends on: a Function still returns zeros, plain torch None
        expected = reference.grad if reference.grad is not None else torch.zeros(shape)
        assert torch.allclose(plain(legacy.grad), expected, rtol=1e-5, atol=1e-5)


@given(sides, st.integers(1, 5), st.integers(1, 5), st.booleans(), st.booleans(), seeds)
def test_linear_legacy_matches_torch_linear(batch, features, outputs, with_bias, input_grad, seed):
    generator = torch.Generator().manual_seed(seed)
    x, w, b = (torch.randn(*s, generator=generator) for s in ((batch, features), (outputs, features), (outputs,)))
    legacy = [Variable(x.clone(), requires_grad=input_grad), Variable(w.clone(), requires_grad=True),
              Variable(b.clone(), requires_grad=True)]
    modern = [x.clone().requires_grad_(input_grad), w.clone().requires_grad_(), b.clone().requires_grad_()]
    result = LegacyLinear()(*(legacy if with_bias else legacy[:2]))
    reference = torch.nn.functional.linear(*(modern if with_bias else modern[:2]))
    assert result.shape == reference.shape and torch.allclose(plain(result), reference, atol=1e-6)
    gradient = torch.randn(reference.shape, generator=generator)
    result.backward(gradient)
    reference.backward(gradient)
    for got, want in zip(legacy, modern):
        if want.grad is None:
            assert got.grad is None
        else:
            assert torch.allclose(plain(got.grad), want.grad, atol=1e-5)


@given(elementwise_cases())
def test_gradcheck_elementwise_float64(case):
    shape, spec, requires, _, seed = case
    generator = torch.Generator().manual_seed(seed)
    inputs = tuple(
        (torch.randn(shape, generator=generator, dtype=torch.float64) * 0.5).requires_grad_(r) for r in requires
    )
    assert torch.autograd.gradcheck(lambda *xs: LegacyElementwise(spec)(*xs), inputs)


@given(st.integers(1, 3), sides, st.integers(1, 3), seeds)
def test_gradcheck_linear_float64(batch, features, outputs, seed):
    generator = torch.Generator().manual_seed(seed)
    inputs = tuple(
        torch.randn(*s, generator=generator, dtype=torch.float64).requires_grad_()
        for s in ((batch, features), (outputs, features), (outputs,))
    )
    assert torch.autograd.gradcheck(lambda *xs: LegacyLinear()(*xs), inputs)
