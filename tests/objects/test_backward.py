"""Legacy backward (issue 2 behavior 4): 0.1-0.3 call styles, gradients as tensors/Variables/None,
`autograd.grad(only_inputs=)`, and the 0.3/0.4.0 engine's unchecked root gradients (legacy_api.md §1b, §5)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable

# torch's own advice when backward(create_graph=True) runs, which these tests do on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")


def _seed_graph(values=(1.0, 1.0)):
    """The seed lesson: o = 1/2 * sum(5 * (x + 1) ** 2)."""
    x = Variable(torch.tensor(values), requires_grad=True)
    y = 5 * (x + 1) ** 2
    o = (1 / 2) * torch.sum(y)
    return x, y, o


def _grad_list(x):
    return x.grad.data.tolist()


# -- Variable.backward -----------------------------------------------------------------------------


def test_backward_without_arguments_on_a_size_1_loss():
    x, _, o = _seed_graph()
    assert o.shape == (1,)
    o.backward()
    assert _grad_list(x) == [10.0, 10.0]


@pytest.mark.parametrize(
    "gradient",
    [
        lambda: torch.ones(1),
        lambda: torch.FloatTensor([1.0]),
        lambda: torch.tensor(1.0),
        lambda: Variable(torch.ones(1), volatile=True),
        lambda: None,
    ],
    ids=["ones(1)", "FloatTensor([1])", "0-dim", "Variable", "None"],
)
def test_one_element_gradient_for_a_size_1_loss(gradient):
    x, _, o = _seed_graph()
    o.backward(gradient())
    assert _grad_list(x) == [10.0, 10.0]


def test_wgan_one_and_mone_gradients():
    # WGAN (2017): `one = torch.FloatTensor([1]); mone = one * -1; errD_real.backward(one)`.
    one = torch.FloatTensor([1])
    mone = one * -1
    x, _, o = _seed_graph()
    o.backward(mone)
    assert _grad_list(x) == [-10.0, -10.0]


def test_positional_and_keyword_forms():
    x, _, o = _seed_graph()
    o.backward(None, True)  # (gradient, retain_graph)
    o.backward(torch.ones(1), retain_graph=True)
    o.backward(gradient=torch.ones(1), retain_graph=False)
    assert _grad_list(x) == [30.0, 30.0]


def test_graph_is_freed_without_retain():
    _, _, o = _seed_graph()
    o.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        o.backward()


def test_retain_variables_is_retain_graph_with_a_warning():
    x, _, o = _seed_graph()
    with pytest.warns(LegacyTorchWarning, match="retain_graph"):
        o.backward(retain_variables=True)
    o.backward(torch.ones(1), None, None, True)  # 0.3 positional order
    o.backward()
    assert _grad_list(x) == [30.0, 30.0]


def test_retain_variables_with_retain_graph_is_the_legacy_value_error():
    _, _, o = _seed_graph()
    with pytest.raises(ValueError, match="^only one of retain_graph and retain_variables can be specified$"):
        o.backward(retain_graph=True, retain_variables=True)


def test_implicit_gradient_only_for_one_element_outputs():
    x, y, _ = _seed_graph()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()


def test_gradient_of_the_wrong_type_is_the_legacy_type_error():
    _, _, o = _seed_graph()
    with pytest.raises(TypeError, match="^gradients can be either Tensors, Variables or None, but got float$"):
        torch.autograd.backward([o], [1.0])


def test_gradient_variable_asks_for_a_graph_of_the_gradient():
    # 0.3 `_make_grads`: create_graph defaults to "some gradient is a non-volatile Variable".
    x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    (x**3).backward(Variable(torch.ones(2)))
    assert x.grad.requires_grad
    first = x.grad.data.clone()
    x2 = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    (x2**3).backward(Variable(torch.ones(2), volatile=True))
    assert not x2.grad.requires_grad
    (x2**3).backward(torch.ones(2))
    assert not x2.grad.requires_grad
    assert first.tolist() == [3.0, 12.0]


# -- torch.autograd.backward ----------------------------------------------------------------------


def test_autograd_backward_legacy_keywords_warn_and_work():
    x, _, o = _seed_graph()
    with pytest.warns(LegacyTorchWarning, match="tensors="):
        with pytest.warns(LegacyTorchWarning, match="grad_tensors="):
            torch.autograd.backward(variables=[o], grad_variables=[torch.ones(1)])
    assert _grad_list(x) == [10.0, 10.0]


def test_autograd_backward_0_1_12_positional_forms():
    # reinforce.py (pytorch/examples @2dca104): `autograd.backward(saved, [None for _ in saved])`.
    x, _, o = _seed_graph()
    torch.autograd.backward([o], [None])
    assert _grad_list(x) == [10.0, 10.0]
    x, _, o = _seed_graph()
    torch.autograd.backward([o], [torch.ones(1)], True)  # 0.1.12: third positional = retain_variables
    torch.autograd.backward([o], [Variable(torch.ones(1))])
    assert _grad_list(x) == [20.0, 20.0]


def test_autograd_backward_mixed_roots_and_gradient_kinds():
    # actor_critic.py (pytorch/examples @2dca104): `[value_loss] + actions`, `[torch.ones(1)] + [None] * n`.
    x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    roots = [(x * x).sum(), (3 * x).sum(), x.mean()]
    torch.autograd.backward(roots, [torch.ones(1), Variable(torch.ones(1), volatile=True), None])
    assert _grad_list(x) == [2.0 + 3.0 + 0.5, 4.0 + 3.0 + 0.5]


def test_root_without_graph_is_refused_as_in_0_3():
    x = Variable(torch.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="element 1 of tensors does not require grad"):
        torch.autograd.backward([x.sum(), Variable(torch.ones(1))], [None, None])


def test_gradient_count_must_match():
    _, _, o = _seed_graph()
    with pytest.raises(RuntimeError, match="1 gradients for 2 variables"):
        torch.autograd.backward([o, o], [None])


def test_autograd_backward_accepts_modern_keywords_on_variables():
    x, _, o = _seed_graph()
    torch.autograd.backward(tensors=[o], grad_tensors=[torch.ones(1)])
    assert _grad_list(x) == [10.0, 10.0]


# -- torch.autograd.grad --------------------------------------------------------------------------


def test_grad_returns_variables_and_accepts_only_inputs():
    x, _, o = _seed_graph()
    (gx,) = torch.autograd.grad(o, x, only_inputs=True)
    assert type(gx) is Variable and gx.data.tolist() == [10.0, 10.0]
    assert x.grad is None


def test_grad_only_inputs_false_warns_and_is_ignored():
    x, _, o = _seed_graph()
    with pytest.warns(LegacyTorchWarning, match="only_inputs"):
        (gx,) = torch.autograd.grad([o], [x], only_inputs=False)
    assert gx.data.tolist() == [10.0, 10.0] and x.grad is None


def test_grad_with_variable_grad_outputs_builds_a_graph():
    # WGAN-GP: `grad(outputs=d, inputs=x, grad_outputs=ones, create_graph=True)`, then a penalty.
    x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    (gx,) = torch.autograd.grad([(x**3).sum()], [x], [Variable(torch.ones(1))])
    assert gx.requires_grad
    gx.sum().backward()
    assert _grad_list(x) == [6.0, 12.0]


# -- unchecked root gradients (legacy_api.md §5) ------------------------------------------------


def test_seed_backward_in_detail():
    x, _, o = _seed_graph()
    with pytest.warns(LegacyTorchWarning, match=r"shape \[2\].*shape \[1\].*ones_like"):
        o.backward(torch.FloatTensor([1.0, 1.0]))
    assert _grad_list(x) == [10.0, 10.0]


def test_seed_mis_shaped_gradient_flows_elementwise():
    x, _, o = _seed_graph()
    o.backward(torch.FloatTensor([2.0, 3.0]))
    assert _grad_list(x) == [20.0, 30.0]


def test_mis_shaped_gradient_matches_the_0_4_0_engine_formula():
    # o = 1/2 sum(5 (x+1)^2), gradient g of x's shape reaching SumBackward: x.grad = 5 (x+1) g.
    values = [0.5, -1.25, 3.0]
    gradient = torch.tensor([2.0, -1.0, 0.25])
    x, _, o = _seed_graph(values)
    o.backward(gradient)
    expected = 5 * (torch.tensor(values) + 1) * gradient
    torch.testing.assert_close(x.grad.data, expected, rtol=0, atol=0)


def test_mis_shaped_gradients_on_two_roots():
    x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    a = 0.5 * (x * 3).sum()
    b = (x * x).sum()
    torch.autograd.backward([a, b], [torch.FloatTensor([2.0, 4.0]), torch.FloatTensor([1.0, -1.0])])
    # a: 0.5 * 3 * [2, 4]; b: 2x * [1, -1]
    assert _grad_list(x) == [3.0 + 2.0, 6.0 - 4.0]


def test_mis_shaped_and_well_shaped_roots_together():
    x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    a = (x * 3).sum()
    b = x * x
    torch.autograd.backward([a, b], [torch.FloatTensor([1.0, 2.0]), torch.ones(2)])
    assert _grad_list(x) == [3.0 + 2.0, 6.0 + 4.0]


def test_mis_shaped_gradient_with_retain_graph():
    x = Variable(torch.ones(2), requires_grad=True)
    o = (x * 3).sum()
    o.backward(torch.FloatTensor([2.0, 3.0]), retain_graph=True)
    o.backward(torch.FloatTensor([2.0, 3.0]))
    assert _grad_list(x) == [12.0, 18.0]


def test_hooks_see_the_legacy_gradient():
    x = Variable(torch.ones(2), requires_grad=True)
    h = x * 3
    seen = []
    h.register_hook(lambda g: seen.append(g.tolist()))
    (h.sum() * 0.5).backward(torch.FloatTensor([2.0, 3.0]))
    assert seen == [[1.0, 1.5]]
    assert _grad_list(x) == [3.0, 4.5]


def test_mis_shaped_gradient_reaching_a_leaf_is_a_clear_error():
    x = Variable(torch.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"mis-shaped gradient reached a leaf: got \[\[3\]\] .*shape \[2\]"):
        (x * 2).backward(torch.ones(3))
    with pytest.raises(RuntimeError, match="mis-shaped gradient reached a leaf"):
        x.backward(torch.ones(3))
    assert x.grad is None


def test_mis_shaped_gradient_failing_in_a_backward_kernel_names_the_cause():
    x = Variable(torch.randn(2, 3), requires_grad=True)
    w = Variable(torch.randn(3, 4), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"mis-shaped gradient failed in MmBackward0: .*output's shape"):
        x.mm(w).backward(torch.ones(5))


def test_mis_shaped_gradient_with_inputs_is_refused():
    x, _, o = _seed_graph()
    with pytest.raises(RuntimeError, match="inputs="):
        o.backward(torch.ones(2), inputs=[x])


def test_volatile_roots_are_refused_by_every_style():
    v = Variable(torch.ones(2), volatile=True)
    r = (v * 2).sum()
    for call in (r.backward, lambda: torch.autograd.backward([r], [None]), lambda: torch.autograd.backward(variables=[r])):
        with pytest.raises(RuntimeError, match="element 0 of variables tuple is volatile"):
            call()


_CHAIN = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "exp": torch.exp, "square": lambda t: t * t}


@given(
    values=st.lists(st.floats(-2, 2), min_size=2, max_size=6),
    chain=st.lists(st.sampled_from(sorted(_CHAIN)), max_size=3),
    scale=st.sampled_from([0.5, 2.0, -1.0]),
    data=st.data(),
)
def test_mis_shaped_root_gradient_passes_through_sum_elementwise(values, chain, scale, data):
    # legacy_api §5: SumBackward expands a gradient of the input's shape as is, so
    # `(scale * h(x).sum()).backward(g)` gives x.grad = h'(x) * scale * g elementwise.
    gradient = torch.tensor(data.draw(st.lists(st.floats(-3, 3), min_size=len(values), max_size=len(values))))

    def h(t):
        for name in chain:
            t = _CHAIN[name](t)
        return t

    x = Variable(torch.tensor(values, dtype=torch.float64), requires_grad=True)
    (scale * h(x).sum()).backward(gradient.to(torch.float32))  # a FloatTensor, as legacy code wrote it
    plain = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (expected,) = torch.autograd.grad(h(plain), plain, gradient.to(torch.float32).double() * scale)
    # exp(exp(exp(2))) overflows: where plain torch gets nan (0 * inf), so must the legacy path
    torch.testing.assert_close(x.grad.data.as_subclass(torch.Tensor), expected, rtol=0, atol=0, equal_nan=True)


def test_mis_shaped_gradient_on_a_freed_graph_reports_the_freed_graph():
    # The seed notebook as saved ran `o.backward()` and then `o.backward(FloatTensor([1, 1]))` on the
    # same graph: that fails in 0.3 too, and the error must name the freed graph, not the shape.
    x = Variable(torch.ones(2), requires_grad=True)
    o = (1 / 2) * torch.sum(5 * (x + 1) ** 2)
    o.backward()
    with pytest.raises(RuntimeError, match="second time"):
        o.backward(torch.FloatTensor([1.0, 1.0]))


def test_mis_shaped_float_gradient_takes_the_outputs_dtype_before_the_first_node():
    # Found by the thorough profile: a FloatTensor gradient for a double graph was multiplied in
    # float32 by the hand-run nodes (0.5 * 1.4e-45 underflowed to 0); the engine casts first.
    x = Variable(torch.zeros(2, dtype=torch.float64), requires_grad=True)
    (0.5 * x.sum()).backward(torch.tensor([0.0, 1.401298464324817e-45]))
    assert x.grad.data.tolist() == [0.0, 0.5 * 1.401298464324817e-45]
