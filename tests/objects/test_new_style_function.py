"""New-style Functions written in the legacy program: the 0.3 protocol (varshim.objects.new_style_function)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.autograd import Function, gradcheck, gradgradcheck

import varshim
from tests.support.legacy_program import LEGACY_FILE, modern_torch, run, running_legacy_program
from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from varshim.objects.legacy_tensor import LegacyTensor

# The classes as 0.3 code wrote them: the 0.3.1 extending notes' LinearFunction and MulConstant, and
# a loss in the style of 0.3's own torch/nn/_functions/loss.py (tensor reductions are numbers).
PROGRAM = """
import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable
seen = []

class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        seen.append(("forward", type(input), type(weight), type(input.sum())))
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_variables
        seen.append(("backward", type(grad_output), type(input), type(ctx.saved_tensors[0]), repr(grad_output)))
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0).squeeze(0)
        return grad_input, grad_weight, grad_bias

class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None

class AbsLoss(Function):
    @staticmethod
    def forward(ctx, input, target):
        ctx.save_for_backward(input, target)
        total = (input - target).abs().sum()  # a Python number in 0.3
        seen.append(("loss", type(total)))
        return input.new((total / input.numel(),))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        scale = grad_output[0]  # a number: once_differentiable handed 0.3 backwards tensors
        seen.append(("loss backward", type(grad_output), type(scale)))
        return (input - target).sign() * (scale / input.numel()), None

class AddOneInPlace(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output
"""


@pytest.fixture(scope="module")
def legacy():
    with running_legacy_program():
        return run(PROGRAM, LEGACY_FILE)


@pytest.fixture(autouse=True)
def _clear_seen(legacy):
    legacy["seen"].clear()


def leaf(*shape, dtype=torch.float32):
    return Variable(torch.randn(*shape, dtype=dtype), requires_grad=True)


def test_forward_gets_0_3_tensors_and_backward_variables(legacy):
    x, w, b = leaf(4, 3), leaf(2, 3), leaf(2)
    with pytest.warns(LegacyTorchWarning, match="forward gets their tensors and backward Variables"):
        z = legacy["LinearFunction"].apply(x, w, b)
    assert type(z) is Variable and type(z.grad_fn).__name__ == "LinearFunctionBackward"
    z.sum().backward()
    forward, backward = legacy["seen"]
    assert forward == ("forward", torch.FloatTensor, torch.FloatTensor, float)  # type(x) printed torch.FloatTensor
    assert backward[:4] == ("backward", Variable, Variable, torch.FloatTensor)
    assert backward[4].startswith("Variable containing:")
    assert type(x) is Variable and type(x.grad) is Variable  # the caller's objects are Variables again
    expected = torch.nn.functional.linear(x.data, w.data, b.data)
    torch.testing.assert_close(z.data.as_subclass(torch.Tensor), expected.as_subclass(torch.Tensor))
    ones = torch.ones(4, 2)
    torch.testing.assert_close(x.grad.data.as_subclass(torch.Tensor), ones @ w.data.as_subclass(torch.Tensor))
    assert b.grad.data.tolist() == [4.0, 4.0]


def test_the_extending_notes_gradcheck_and_gradgradcheck(legacy):
    inputs = (leaf(5, 3, dtype=torch.float64), leaf(2, 3, dtype=torch.float64))
    assert gradcheck(legacy["LinearFunction"].apply, inputs, eps=1e-6, atol=1e-4)
    assert gradgradcheck(legacy["LinearFunction"].apply, inputs, eps=1e-6, atol=1e-4)  # Variables: differentiable


def test_non_tensor_arguments_and_ctx_state(legacy):
    x = leaf(3)
    y = legacy["MulConstant"].apply(x, 2.5)
    y.sum().backward()
    assert x.grad.data.tolist() == [2.5, 2.5, 2.5]


def test_a_0_3_loss_function_with_number_reductions_and_once_differentiable(legacy):
    x, target = leaf(6), Variable(torch.zeros(6))
    loss = legacy["AbsLoss"].apply(x, target)
    assert type(loss) is Variable and loss.shape == (1,)
    assert loss.data[0] == pytest.approx(x.data.abs().mean())
    loss.backward()
    assert ("loss", float) in legacy["seen"] and ("loss backward", torch.FloatTensor, float) in legacy["seen"]
    torch.testing.assert_close(x.grad.data.as_subclass(torch.Tensor), x.data.sign().as_subclass(torch.Tensor) / 6)
    loss = legacy["AbsLoss"].apply(x, target)
    seed = Variable(torch.ones(1), requires_grad=True)  # a gradient that is itself differentiated
    (gx,) = torch.autograd.grad(loss, x, seed, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        gx.sum().backward()


def test_grad_fn_apply_by_hand_returns_variables(legacy):
    x, w = leaf(4, 3), leaf(2, 3)
    z = legacy["LinearFunction"].apply(x, w)
    grads = z.grad_fn.apply(Variable(torch.ones(4, 2)))
    assert [type(g) for g in grads] == [Variable, Variable, type(None)]
    torch.testing.assert_close(grads[0].data.as_subclass(torch.Tensor), torch.ones(4, 2) @ w.data.as_subclass(torch.Tensor))


def test_parameters_are_tensors_in_forward_and_parameters_again_after(legacy):
    layer = torch.nn.Linear(3, 2)
    x = leaf(4, 3)
    z = legacy["LinearFunction"].apply(x, layer.weight, layer.bias)
    assert legacy["seen"][0][2] == torch.FloatTensor and issubclass(legacy["seen"][0][2], LegacyTensor)
    assert type(layer.weight) is torch.nn.Parameter
    z.sum().backward()
    assert type(layer.weight.grad) is torch.Tensor  # a modern leaf's gradient stays plain
    torch.testing.assert_close(layer.bias.grad, torch.full((2,), 4.0))


def test_mark_dirty_returns_the_callers_variable(legacy):
    x = Variable(torch.zeros(2), requires_grad=True)
    y = x * 1
    out = legacy["AddOneInPlace"].apply(y)
    assert out is y and y.data.tolist() == [1.0, 1.0]
    out.sum().backward()
    assert x.grad.data.tolist() == [1.0, 1.0]


def test_volatile_inputs_give_volatile_outputs_without_a_node(legacy):
    out = legacy["MulConstant"].apply(Variable(torch.ones(2), volatile=True), 3.0)
    assert out.volatile and out.grad_fn is None and out.data.tolist() == [3.0, 3.0]


def test_a_program_class_called_with_plain_tensors_is_modern(legacy):
    x = torch.ones(2, requires_grad=True)
    y = legacy["MulConstant"].apply(x, 2.0)
    assert type(y) is torch.Tensor
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


class ModernSquare(Function):
    """Defined in this (modern) file: never touched."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ModernSquare.seen.append(type(x))
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        ModernSquare.seen.append(type(grad_output))
        return 2 * x * grad_output


ModernSquare.seen = []


def test_functions_defined_outside_the_program_keep_torchs_apply():
    assert ModernSquare.apply.__func__ is Function.apply.__func__
    ModernSquare.seen.clear()
    x = torch.randn(3, requires_grad=True)
    ModernSquare.apply(x).sum().backward()
    assert ModernSquare.seen == [torch.Tensor, torch.Tensor]
    with modern_torch():
        y = x.detach().clone().requires_grad_()
        ModernSquare.apply(y).sum().backward()
    torch.testing.assert_close(x.grad, y.grad, rtol=0, atol=0)


def test_uninstall_removes_the_class_hook():
    with modern_torch():
        assert "__init_subclass__" not in vars(Function)
    assert "__init_subclass__" in vars(Function)
    assert varshim.installed()


@given(
    batch=st.integers(1, 4), features=st.integers(1, 4), outputs=st.integers(1, 3),
    with_bias=st.booleans(), seed=st.integers(0, 2**16),
)
def test_gradients_equal_torchs_linear(legacy, batch, features, outputs, with_bias, seed):
    torch.manual_seed(seed)
    data = [torch.randn(batch, features), torch.randn(outputs, features), torch.randn(outputs)]
    data = data if with_bias else data[:2]
    legacy_inputs = [Variable(d.clone(), requires_grad=True) for d in data]
    plain_inputs = [d.clone().requires_grad_() for d in data]
    out = legacy["LinearFunction"].apply(*legacy_inputs)
    (out * out).sum().backward()
    expected = torch.nn.functional.linear(*plain_inputs)
    (expected * expected).sum().backward()
    torch.testing.assert_close(out.data.as_subclass(torch.Tensor), expected.detach())
    for got, want in zip(legacy_inputs, plain_inputs):
        torch.testing.assert_close(got.grad.data.as_subclass(torch.Tensor), want.grad)
