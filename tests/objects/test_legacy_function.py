"""Legacy `torch.autograd.Function` (instance-method forward/backward) through `varshim.objects.legacy_function`."""

import traceback
import warnings

import pytest
import torch
from torch.autograd import Function

import varshim
from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable


class MyReLU(Function):
    """The 0.1.12 extending-notes ReLU, verbatim in style."""

    def forward(self, input):
        self.save_for_backward(input)
        return input.clamp(min=0)

    def backward(self, grad_output):
        input, = self.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class ScaledSumDiff(Function):
    """Constructor state, two inputs, two outputs, a non-tensor argument and a trailing None."""

    def __init__(self, scale):
        super(ScaledSumDiff, self).__init__()
        self.scale = scale

    def forward(self, a, b, shift):
        self.seen_needs = self.needs_input_grad
        self.shift = shift
        return a * self.scale + b + shift, a - b

    def backward(self, grad_sum, grad_diff):
        assert self.shift == 0.5  # state set in forward is visible in backward
        return grad_sum * self.scale + grad_diff, grad_sum - grad_diff, None, None


def leaf(*shape, requires_grad=True, dtype=torch.float32):
    return Variable(torch.randn(*shape, dtype=dtype), requires_grad=requires_grad)


def test_relu_values_gradients_and_node():
    x = leaf(6)
    y = MyReLU()(x)
    assert type(y) is Variable
    assert torch.equal(y.data, torch.relu(x.data))
    assert isinstance(y.grad_fn, MyReLU) and y.creator is y.grad_fn
    y.sum().backward()
    assert torch.equal(x.grad.data, (x.data > 0).float())


def test_forward_gets_plain_tensors_and_backward_plain_gradients():
    seen = []

    class Probe(Function):
        def forward(self, x):
            seen.append(type(x))
            return x * 2

        def backward(self, grad):
            seen.append(type(grad))
            return grad * 2

    x = leaf(3)
    Probe()(x).sum().backward()
    assert seen == [torch.Tensor, torch.Tensor]
    assert type(x) is Variable  # the caller's object is untouched


def test_init_state_two_outputs_non_tensor_argument_and_trailing_none():
    a, b = leaf(4), leaf(4)
    s, d = ScaledSumDiff(3.0)(a, b, 0.5)
    assert type(s) is Variable and type(d) is Variable
    assert torch.allclose(s.data, a.data * 3 + b.data + 0.5)
    (s.sum() + 2 * d.sum()).backward()
    assert torch.allclose(a.grad.data, torch.full((4,), 5.0))
    assert torch.allclose(b.grad.data, torch.full((4,), -1.0))


def test_needs_input_grad_and_inputs_not_requiring_grad():
    a, b = leaf(2), leaf(2, requires_grad=False)
    s, _ = ScaledSumDiff(1.0)(a, b, 0.5)
    assert s.grad_fn.seen_needs == (True, False, False)
    s.sum().backward()
    assert b.grad is None and a.grad is not None


def test_fresh_state_per_call_and_instance_reuse():
    fn = ScaledSumDiff(2.0)
    a = leaf(3)
    first, _ = fn(a, leaf(3), 0.5)
    second, _ = fn(a, leaf(3), 0.5)
    assert first.grad_fn is not second.grad_fn
    assert not hasattr(fn, "shift")  # forward wrote on its own node, not on the instance
    (first.sum() + second.sum()).backward()
    assert torch.allclose(a.grad.data, torch.full((3,), 4.0))


def test_wrong_number_of_gradients_names_the_class():
    class TooFew(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, grad):
            return grad

    with pytest.raises(RuntimeError, match=r"TooFew.backward returned an incorrect number of gradients \(expected 2, got 1\)"):
        TooFew()(leaf(2), leaf(2)).sum().backward()


def test_save_for_backward_saved_variables_and_mark_non_differentiable():
    class Sort(Function):
        def forward(self, x):
            values, order = x.sort()
            self.mark_non_differentiable(order)
            self.save_for_backward(x, order)
            return values, order

        def backward(self, grad_values, grad_order):
            x, order = self.saved_variables
            assert type(x) is Variable and type(order) is Variable
            grad = torch.zeros_like(x.data)
            grad.index_add_(0, order.data, grad_values)
            return grad

    x = leaf(5)
    values, order = Sort()(x)
    assert values.requires_grad and not order.requires_grad
    assert torch.equal(order.data, x.data.sort()[1])
    with pytest.warns(LegacyTorchWarning, match="saved_tensors"):
        (values * torch.arange(5.0)).sum().backward()
    assert torch.equal(x.grad.data[order.data], torch.arange(5.0))


def test_mark_dirty_in_place_on_the_callers_variable():
    class AddInPlace(Function):
        def forward(self, x, amount):
            x.add_(amount)
            self.mark_dirty(x)
            return x

        def backward(self, grad):
            return grad * 3, None

    a = leaf(3)
    b = a * 1
    version = b._version
    c = AddInPlace()(b, 2.0)
    assert c is b and b._version > version
    assert torch.allclose(c.data, a.data + 2)
    assert isinstance(c.grad_fn, AddInPlace)
    c.sum().backward()
    assert torch.equal(a.grad.data, torch.full((3,), 3.0))


def test_mark_shared_storage_is_a_warned_no_op():
    class View(Function):
        def forward(self, x):
            out = x.view(-1)
            self.mark_shared_storage((x, out))
            return out

        def backward(self, grad):
            return grad.view(2, 2)

    x = leaf(2, 2)
    with pytest.warns(LegacyTorchWarning, match="mark_shared_storage"):
        y = View()(x)
    y.sum().backward()
    assert torch.equal(x.grad.data, torch.ones(2, 2))


def test_input_returned_unchanged_is_a_new_variable_on_the_node():
    class Identity(Function):
        def forward(self, x):
            return x

        def backward(self, grad):
            return grad * 2

    x = leaf(3)
    y = Identity()(x)
    assert y is not x and type(y) is Variable and isinstance(y.grad_fn, Identity)
    y.sum().backward()
    assert torch.equal(x.grad.data, torch.full((3,), 2.0))


def test_zero_dim_result_is_lifted_to_size_one():
    class Total(Function):
        def forward(self, x):
            self.size = x.size()
            return x.sum()

        def backward(self, grad):
            assert grad.shape == (1,)
            return grad.expand(self.size)

    x = leaf(2, 3)
    total = Total()(x)
    assert total.shape == (1,)
    total.backward()
    assert torch.equal(x.grad.data, torch.ones(2, 3))


def test_volatile_input_gives_volatile_output_without_node():
    x = Variable(torch.randn(4), volatile=True)
    y = MyReLU()(x)
    assert y.volatile and y.grad_fn is None and not y.requires_grad
    assert torch.equal(y.data, torch.relu(x.data))


def test_plain_tensor_inputs_give_variables():
    x = torch.randn(3, requires_grad=True)
    y = MyReLU()(x)
    assert type(y) is Variable
    y.sum().backward()
    assert torch.equal(x.grad, (x > 0).float())


def test_double_backward_raises_a_clear_error():
    class Square(Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x * x

        def backward(self, grad):
            x, = self.saved_tensors
            return 2 * x * grad

    x = leaf(3, dtype=torch.float64)
    grad, = torch.autograd.grad(Square()(x).sum(), x, create_graph=True)
    assert torch.allclose(grad.data, 2 * x.data)
    with pytest.raises(RuntimeError, match="Square is a legacy autograd.Function, which is differentiable only once"):
        grad.sum().backward()


def test_gradcheck_float64():
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, b: ScaledSumDiff(1.5)(x, b, 0.5), (x, b))
    assert torch.autograd.gradcheck(lambda x: MyReLU()(x), (x,))


def _frames(error):
    return [(frame.name, frame.line) for frame in traceback.extract_tb(error.__traceback__)]


def test_errors_in_user_forward_and_backward_show_user_lines():
    class Broken(Function):
        def forward(self, x):
            return x.no_such_method()

        def backward(self, grad):
            raise ValueError("user backward failed")

    class BrokenBackward(Broken):
        def forward(self, x):
            return x * 2

    with pytest.raises(AttributeError) as forward_error:
        Broken()(leaf(2))
    assert ("forward", "return x.no_such_method()") in _frames(forward_error.value)
    with pytest.raises(ValueError, match="user backward failed") as backward_error:
        BrokenBackward()(leaf(2)).sum().backward()
    assert ("backward", 'raise ValueError("user backward failed")') in _frames(backward_error.value)


def test_first_use_warns_with_the_modern_spelling():
    class Fresh(Function):
        def forward(self, x):
            return x + 1

        def backward(self, grad):
            return grad

    with pytest.warns(LegacyTorchWarning, match=r"Fresh.apply\(x\)"):
        Fresh()(leaf(2))


class Double(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


def test_new_style_functions_are_untouched():
    x = torch.randn(3, requires_grad=True)
    y = Double.apply(x)
    assert type(y) is torch.Tensor
    y.sum().backward()
    assert torch.equal(x.grad, torch.full((3,), 2.0))
    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward method is deprecated"):
        with pytest.warns(DeprecationWarning, match="should not be instantiated"):
            Double()(x)
    with pytest.warns(DeprecationWarning, match="should not be instantiated") as caught:
        Double()
    assert caught[0].filename == __file__


def test_uninstall_restores_torch_function_exactly():
    originals = (Function.__dict__["__call__"], Function.__dict__["__init__"])
    varshim.uninstall()
    try:
        assert Function.__call__.__module__ == "torch.autograd.function"
        with pytest.raises(RuntimeError, match="non-static forward method is deprecated"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                MyReLU()(leaf(2))
    finally:
        varshim.install()
    assert (Function.__dict__["__call__"], Function.__dict__["__init__"]) == originals


class _LegacyNet:
    """A 2017-style two-layer network: parameters as Variables, ReLU as a legacy Function."""

    def __init__(self, relu):
        generator = torch.Generator().manual_seed(0)
        self.w1 = Variable(torch.randn(5, 8, generator=generator) * 0.5, requires_grad=True)
        self.w2 = Variable(torch.randn(8, 2, generator=generator) * 0.5, requires_grad=True)
        self.relu = relu

    def train(self, steps=30, lr=0.005):
        generator = torch.Generator().manual_seed(1)
        x = Variable(torch.randn(16, 5, generator=generator))
        y = Variable(torch.randn(16, 2, generator=generator))
        losses = []
        for _ in range(steps):
            loss = (self.relu(x.mm(self.w1)).mm(self.w2) - y).pow(2).sum()
            for w in (self.w1, self.w2):
                if w.grad is not None:
                    w.grad.data.zero_()
            loss.backward()
            for w in (self.w1, self.w2):
                w.data -= lr * w.grad.data
            losses.append(loss.data[0])
        return losses


def test_two_layer_network_trains_like_torch_relu():
    legacy = _LegacyNet(lambda h: MyReLU()(h)).train()
    modern = _LegacyNet(torch.relu).train()
    assert legacy == pytest.approx(modern, rel=1e-5)
    assert legacy[-1] < legacy[0] / 2


def test_zero_dim_gradient_for_a_size_one_input():
    class Bias(Function):
        def forward(self, x, bias):
            return x + bias.expand_as(x)

        def backward(self, grad):
            return grad, grad.sum(0).squeeze(0)  # (1,) in 0.1.12, 0-dim on modern torch

    x, bias = leaf(3, 1), leaf(1)
    Bias()(x, bias).sum().backward()
    assert torch.equal(bias.grad.data, torch.tensor([3.0]))


def test_none_gradient_for_an_input_requiring_grad_leaves_it_untouched():
    class FirstOnly(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad):
            return grad, None

    a, b = leaf(3), leaf(3)
    FirstOnly()(a, b).sum().backward()
    assert torch.equal(a.grad.data, torch.ones(3)) and b.grad is None


def test_gradcheck_of_a_legacy_function_instance_as_the_extending_notes_wrote_it():
    # 0.1.12 docs/notes/extending.rst: gradcheck(Linear(), input, eps=1e-6, atol=1e-4) with
    # Variable inputs; torch's gradcheck reads `.data`, which must stay modern inside torch.
    class Linear(torch.autograd.Function):
        def forward(self, input, weight):
            self.save_for_backward(input, weight)
            return input.mm(weight.t())

        def backward(self, grad_output):
            input, weight = self.saved_tensors
            return grad_output.mm(weight), grad_output.t().mm(input)

    inputs = (
        Variable(torch.randn(5, 4).double(), requires_grad=True),
        Variable(torch.randn(3, 4).double(), requires_grad=True),
    )
    assert torch.autograd.gradcheck(Linear(), inputs, eps=1e-6, atol=1e-4)
    assert type(inputs[0].data[0, 0]) is float  # user code still sees 0.3 `.data`
