"""`Variable.register_hook`: the hook gets the gradient as a Variable, as in 0.3 (varshim.objects.variable)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable


def test_the_0_3_docstring_example_doubles_the_gradient():
    # v0.3.1 `Variable.register_hook` docstring
    v = Variable(torch.Tensor([0, 0, 0]), requires_grad=True)
    with pytest.warns(LegacyTorchWarning, match=r"grad\.item\(\)"):
        h = v.register_hook(lambda grad: grad * 2)
    v.backward(torch.Tensor([1, 1, 1]))
    assert v.grad.data.tolist() == [2.0, 2.0, 2.0]
    h.remove()
    v.grad.data.zero_()
    v.backward(torch.Tensor([1, 1, 1]))
    assert v.grad.data.tolist() == [1.0, 1.0, 1.0]


def test_a_hook_prints_and_indexes_its_gradient_as_a_variable():
    x = Variable(torch.ones(2, 2), requires_grad=True)
    y = x * 3
    seen = {}

    def hook(grad):
        seen["type"], seen["repr"], seen["first"] = type(grad), repr(grad), grad.data[0, 1]
        seen["volatile"], seen["sum"] = grad.volatile, grad.data.sum()

    y.register_hook(hook)
    y.sum().backward()
    assert seen["type"] is Variable
    assert seen["repr"].startswith("Variable containing:") and "[torch.FloatTensor of size 2x2]" in seen["repr"]
    assert seen["first"] == 1.0 and type(seen["first"]) is float and seen["sum"] == 4.0
    assert seen["volatile"]  # 0.3: gradients were volatile unless the backward built a graph
    assert x.grad.data.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_what_a_hook_returns_replaces_the_gradient_without_changing_anyone_elses_class():
    weight = torch.nn.Parameter(torch.ones(3))
    x = Variable(torch.arange(3.0), requires_grad=True)
    y = x * weight
    y.register_hook(lambda grad: grad * Variable(torch.Tensor([1, 10, 100])))
    y.sum().backward()
    assert x.grad.data.tolist() == [1.0, 10.0, 100.0]
    assert type(weight.grad) is torch.Tensor  # a modern leaf's gradient stays a plain tensor
    assert weight.grad.tolist() == [0.0, 10.0, 200.0]


def test_a_hook_returning_none_keeps_the_gradient():
    x = Variable(torch.ones(2), requires_grad=True)
    x.register_hook(lambda grad: None)
    (x * 5).sum().backward()
    assert x.grad.data.tolist() == [5.0, 5.0]


def test_under_create_graph_the_hook_gradient_is_differentiable():
    x = Variable(torch.Tensor([2.0]), requires_grad=True)
    y = x * x
    seen = []
    y.register_hook(lambda grad: seen.append(grad.volatile) or grad * x)  # d/dx(y) scaled by x
    (gx,) = torch.autograd.grad(y, x, create_graph=True)
    assert seen == [False] and type(gx) is Variable
    assert gx.data[0] == 8.0  # 2x * x
    (ggx,) = torch.autograd.grad(gx, x)
    assert ggx.data[0] == 8.0  # d(2x^2)/dx = 4x


def test_register_hook_without_grad_is_the_0_3_error():
    with pytest.raises(RuntimeError, match="cannot register a hook on a variable that doesn't require gradient"):
        Variable(torch.ones(2)).register_hook(lambda grad: None)


def test_torchs_own_hooks_on_variables_get_tensors():
    # a full backward hook is put on the module's input and output tensors by torch's own code
    layer = torch.nn.Linear(2, 2)
    seen = []
    layer.register_full_backward_hook(lambda module, gin, gout: seen.append((type(gin[0]), type(gout[0]))))
    layer(Variable(torch.ones(1, 2), requires_grad=True)).sum().backward()
    assert seen == [(torch.Tensor, torch.Tensor)]


@given(
    n=st.integers(1, 5),
    scale=st.floats(-3, 3, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_hooked_gradients_equal_plain_torch(n, scale, seed):
    torch.manual_seed(seed)
    data, weights = torch.randn(n), torch.randn(n)

    def graph(x):
        hidden = torch.tanh(x * weights)
        hidden.register_hook(lambda grad: grad * scale + 1)
        return (hidden * hidden).sum()

    plain = data.clone().requires_grad_()
    graph(plain).backward()
    legacy = Variable(data.clone(), requires_grad=True)
    graph(legacy).backward()
    torch.testing.assert_close(legacy.grad.data, plain.grad, rtol=0, atol=0)
    # the 0.3 formula: d/dx sum(tanh(wx)^2) with the hook's affine map on d/dh
    hidden = torch.tanh(data * weights)
    expected = (2 * hidden * scale + 1) * (1 - hidden**2) * weights
    torch.testing.assert_close(legacy.grad.data.as_subclass(torch.Tensor), expected)
