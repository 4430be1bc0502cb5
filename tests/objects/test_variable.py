"""`varshim.Variable`: construction, classes, size-(1,) scalars, volatile, `.creator`, `.grad`
(issue 2 behaviors 1, 2, 3, 5; PyTorch 0.3.1 semantics, legacy_api.md §1a, §4)."""

import warnings

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from tests.support.saved_tensors import SavedTensors

# -- construction (behavior 1) -------------------------------------------------------------------


def test_positional_and_keyword_arguments_follow_0_3_order():
    data = torch.ones(2)
    assert Variable(data, True).requires_grad
    assert Variable(data, requires_grad=True).requires_grad
    assert not Variable(data).requires_grad
    assert Variable(data, False, True).volatile
    assert Variable(data, volatile=True).volatile


def test_storage_is_shared_both_ways():
    data = torch.zeros(3)
    variable = Variable(data, requires_grad=True)
    assert variable.data_ptr() == data.data_ptr()
    data[0] = 5.0
    assert variable.data.tolist() == [5.0, 0.0, 0.0]
    variable.data[1] = 7.0
    assert data.tolist() == [5.0, 7.0, 0.0]
    variable.data.add_(1)
    assert data.tolist() == [6.0, 8.0, 1.0]


def test_data_setter_replaces_the_wrapped_tensor():
    variable = Variable(torch.zeros(2))
    variable.data = torch.ones(3)
    assert variable.shape == (3,) and variable.data.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("data, name", [(1.5, "float"), ([1.0, 2.0], "list"), (None, "NoneType")])
def test_non_tensor_data_raises_the_legacy_type_error(data, name):
    with pytest.raises(TypeError, match=f"^Variable data has to be a tensor, but got {name}$"):
        Variable(data)


def test_missing_data_raises():
    # modern torch.autograd.Variable() silently returns tensor([])
    with pytest.raises(TypeError, match="data"):
        Variable()


def test_volatile_and_requires_grad_together_raise_the_legacy_error():
    with pytest.raises(RuntimeError, match=r"^Variable can't be volatile and require_grad at the same time!$"):
        Variable(torch.ones(2), requires_grad=True, volatile=True)


def test_integer_data_requiring_grad_is_accepted_with_a_warning():
    with pytest.warns(LegacyTorchWarning, match=r"torch.LongTensor.*requires_grad=True.*float"):
        variable = Variable(torch.arange(3), requires_grad=True)
    assert variable.requires_grad and variable.is_floating_point()
    (variable * variable).sum().backward()
    assert variable.grad.data.tolist() == [0.0, 2.0, 4.0]


def test_integer_data_without_grad_keeps_its_dtype():
    assert Variable(torch.LongTensor([1, 2])).dtype == torch.int64


def test_0_dim_data_becomes_size_1():
    assert Variable(torch.tensor(3.0)).shape == (1,)


def test_isinstance_rules():
    assert isinstance(Variable(torch.ones(1)), Variable)
    assert isinstance(nn.Parameter(torch.ones(1)), Variable)
    assert not isinstance(torch.ones(1), Variable)
    assert not isinstance(torch.ones(1, requires_grad=True), Variable)
    assert isinstance(Variable(torch.ones(1)), torch.Tensor)


# -- every result is exactly a Variable ----------------------------------------------------------


def _results(x, w):
    linear = nn.Linear(3, 2)
    return {
        "add": x + 1,
        "torch.add": torch.add(x, x),
        "matmul": x @ w,
        "relu": F.relu(x),
        "index": x[0],
        "slice": x[:, 1:],
        "view": x.view(-1),
        "sum": x.sum(),
        "max(dim) values": x.max(1)[0],
        "max(dim) indices": x.max(1)[1],
        "linear": linear(x),
        "cat": torch.cat([x, x]),
        "detach": x.detach(),
    }


@pytest.mark.parametrize("volatile", [False, True])
def test_type_of_every_op_result_is_variable(volatile):
    x = Variable(torch.randn(4, 3), volatile=volatile)
    w = Variable(torch.randn(3, 2))
    for name, result in _results(x, w).items():
        assert type(result) is Variable, name
        assert result.volatile is volatile, name


def test_type_equality_repackages_rnn_hidden_states():
    # word_language_model (0.3): `if type(h) == Variable: return Variable(h.data)`.
    def repackage_hidden(h):
        if type(h) == Variable:  # noqa: E721  (the legacy idiom under test)
            return Variable(h.data)
        return tuple(repackage_hidden(v) for v in h)

    lstm = nn.LSTM(3, 4)
    _, hidden = lstm(Variable(torch.randn(5, 1, 3)))
    assert all(h.grad_fn is not None for h in hidden)
    repackaged = repackage_hidden(hidden)
    assert [type(h) for h in repackaged] == [Variable, Variable]
    assert all(h.grad_fn is None and not h.requires_grad for h in repackaged)
    assert all(torch.equal(a, b) for a, b in zip(repackaged, hidden))


# -- size-(1,) scalars (behavior 2) --------------------------------------------------------------


def test_full_reductions_and_losses_have_size_1():
    x = Variable(torch.randn(4, 3), requires_grad=True)
    target = Variable(torch.randn(4, 3))
    for scalar in (x.sum(), x.mean(), x.max(), torch.sum(x), F.mse_loss(x, target), nn.MSELoss()(x, target)):
        assert type(scalar) is Variable and scalar.shape == (1,)
        assert len(scalar) == 1
        (item,) = list(scalar)
        assert item.shape == (1,) and torch.equal(item, scalar)


def test_int_index_of_1d_variable_has_size_1():
    x = Variable(torch.tensor([1.0, 2.0, 3.0]))
    assert x[1].shape == (1,) and x[1].data.tolist() == [2.0]
    assert [item.shape for item in x] == [(1,)] * 3


def test_cat_of_scalar_losses():
    x = Variable(torch.randn(3), requires_grad=True)
    losses = [(x * k).sum() for k in range(4)]
    total = torch.cat(losses)
    assert total.shape == (4,)
    total.sum().backward()
    assert torch.equal(x.grad.data, torch.full((3,), 6.0))


def test_target_index_feeds_a_loss_per_character():
    # char-rnn tutorials (0.3): `loss += criterion(output, target[i])`, target a 1-D LongTensor.
    torch.manual_seed(0)
    rnn = nn.RNNCell(5, 4)
    head = nn.Linear(4, 3)
    inputs = torch.randn(6, 1, 5)
    target = torch.tensor([0, 2, 1, 1, 0, 2])

    def run(wrap, index):
        hidden = torch.zeros(1, 4)
        loss = 0
        for i in range(len(target)):
            hidden = rnn(wrap(inputs[i]), hidden)
            loss = loss + F.cross_entropy(head(hidden), index(wrap(target), i))
        return loss

    legacy = run(Variable, lambda t, i: t[i])
    modern = run(lambda t: t, lambda t, i: t[i:i + 1])
    assert legacy.shape == (1,)
    torch.testing.assert_close(legacy.data[0], modern.item(), rtol=0, atol=0)
    with pytest.raises((RuntimeError, ValueError, IndexError)):
        run(lambda t: t, lambda t, i: t[i])  # modern 0-dim target: the failure varshim removes


def test_data_of_scalars_gives_python_numbers():
    x = Variable(torch.randn(3), requires_grad=True)
    loss = (x**2).sum()
    assert type(loss.data[0]) is float and loss.data[0] == pytest.approx((x.data**2).sum())
    pred = Variable(torch.LongTensor([1, 0, 2, 2]))
    y = Variable(torch.LongTensor([1, 1, 2, 0]))
    correct = (pred == y).data.sum()
    assert type(correct) is int and correct == 2


def test_numpy_of_a_scalar_is_indexable():
    assert Variable(torch.ones(3)).sum().numpy()[0] == 3.0
    x = Variable(torch.ones(3), requires_grad=True)
    assert x.sum().data.numpy()[0] == 3.0


def test_float_and_int_of_size_1():
    assert float(Variable(torch.ones(3)).sum()) == 3.0
    assert int(Variable(torch.ones(3)).sum()) == 3


# -- volatile (behavior 3) ------------------------------------------------------------------------


def _assert_recorded_nothing(result):
    assert type(result) is Variable
    assert result.volatile
    assert not result.requires_grad
    assert result.grad_fn is None


@pytest.mark.parametrize(
    "make_module, shape",
    [
        (lambda: nn.Linear(3, 2), (4, 3)),
        (lambda: nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)), (4, 3)),
        (lambda: nn.Conv1d(3, 2, 2), (1, 3, 6)),
    ],
)
def test_volatile_through_modules_with_trainable_parameters(make_module, shape):
    module = make_module()
    assert all(p.requires_grad for p in module.parameters())
    inputs = torch.randn(shape)
    with SavedTensors() as saved:
        out = module(Variable(inputs, volatile=True))
    _assert_recorded_nothing(out)
    assert saved.count == 0  # nothing kept for backward: memory is no_grad's
    with SavedTensors() as saved:
        module(Variable(inputs))
    assert saved.count > 0  # the counter does see a recorded forward
    with torch.no_grad():
        expected = module(inputs)
    torch.testing.assert_close(out, expected, rtol=0, atol=0)
    with pytest.raises(RuntimeError, match="volatile"):
        out.sum().backward()
    assert all(p.grad is None for p in module.parameters())


def test_volatile_through_lstm():
    lstm = nn.LSTM(3, 4)
    with SavedTensors() as saved:
        out, (h, c) = lstm(Variable(torch.randn(5, 2, 3), volatile=True))
    assert saved.count == 0
    for result in (out, h, c):
        _assert_recorded_nothing(result)
    # a volatile hidden state alone is enough (0.3: any volatile input)
    h0 = Variable(torch.zeros(1, 2, 4), volatile=True)
    out, _ = lstm(Variable(torch.randn(5, 2, 3)), (h0, h0))
    _assert_recorded_nothing(out)
    assert all(p.grad is None for p in lstm.parameters())


def test_one_volatile_input_makes_the_result_volatile():
    x = Variable(torch.randn(3), requires_grad=True)
    v = Variable(torch.randn(3), volatile=True)
    for result in (x + v, v * x, torch.cat([x, v]), torch.stack([v, x]), torch.addcmul(x, v, x)):
        _assert_recorded_nothing(result)
    assert (x * 2).requires_grad and not (x * 2).volatile


def test_volatile_is_readable_everywhere_and_settable_on_leaves():
    x = Variable(torch.randn(3), requires_grad=True)
    y = x * 2
    assert x.volatile is False and y.volatile is False
    with pytest.raises(RuntimeError, match="^volatile can only be set on leaf variables$"):
        y.volatile = True
    with pytest.raises(RuntimeError, match="^volatile must be a bool$"):
        x.volatile = 1
    leaf = Variable(torch.randn(3))
    leaf.volatile = True
    _assert_recorded_nothing(leaf * x)
    leaf.volatile = False
    assert (leaf * x).requires_grad and not (leaf * x).volatile


def test_detach_keeps_volatile():
    v = Variable(torch.randn(3), volatile=True)
    assert v.detach().volatile and type(v.detach()) is Variable
    assert not Variable(torch.randn(3)).detach().volatile


def test_backward_on_a_volatile_result_names_volatile():
    v = Variable(torch.randn(3), volatile=True)
    with pytest.raises(RuntimeError, match="volatile"):
        (v * 2).sum().backward()
    with pytest.raises(RuntimeError, match="volatile"):
        torch.autograd.backward([(v * 2).sum()], [None])


def test_register_hook_on_volatile_raises_the_legacy_error():
    with pytest.raises(RuntimeError, match="^cannot register a hook on a volatile variable$"):
        Variable(torch.randn(3), volatile=True).register_hook(lambda g: g)


def test_volatile_does_not_leak_to_plain_tensors():
    Variable(torch.ones(1), volatile=True)
    t = torch.ones(2, requires_grad=True)
    assert (t * 2).requires_grad and type(t * 2) is torch.Tensor


# -- .creator and .grad (behavior 5) -------------------------------------------------------------


def test_creator_is_grad_fn():
    x = Variable(torch.randn(3), requires_grad=True)
    y = x * 2
    assert x.creator is None
    assert y.creator is y.grad_fn and y.creator is not None
    assert Variable(torch.randn(3), volatile=True).mul(2).creator is None
    with pytest.warns(LegacyTorchWarning, match=r"grad_fn"):
        y.creator


def test_grad_is_none_then_a_variable():
    x = Variable(torch.randn(3), requires_grad=True)
    assert x.grad is None
    (x * 3).sum().backward()
    assert type(x.grad) is Variable
    assert x.grad.data.tolist() == [3.0, 3.0, 3.0]


def test_grad_data_zero_zeroes_the_real_gradient():
    x = Variable(torch.randn(3), requires_grad=True)
    (x * 3).sum().backward()
    x.grad.data.zero_()
    assert x.grad.data.tolist() == [0.0, 0.0, 0.0]
    (x * 2).sum().backward()  # accumulates onto the zeroed gradient
    assert x.grad.data.tolist() == [2.0, 2.0, 2.0]


def test_grad_setters_and_the_stored_gradient_with_dispatch_off():
    x = Variable(torch.randn(3), requires_grad=True)
    stored = torch.ones(3)
    x.grad = stored
    assert type(x.grad) is Variable and x.grad.data_ptr() == stored.data_ptr()
    x.grad.add_(1)  # the alias shares storage and version counter with what torch stored
    assert stored.tolist() == [2.0, 2.0, 2.0] and x.grad._version == stored._version
    with torch._C.DisableTorchFunctionSubclass():  # torch's own code sees what it stored
        assert x.grad is stored and x._grad is stored
    del x.grad
    assert x.grad is None and x._grad is None
    x._grad = stored
    assert type(x._grad) is Variable and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_grad_with_a_graph_stays_in_the_graph():
    x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert type(x.grad) is Variable and x.grad.grad_fn is not None
    (second,) = torch.autograd.grad(x.grad.sum(), x)
    assert second.tolist() == [6.0, 12.0]  # d/dx of 3x**2


def test_base_is_the_base_itself():
    x = Variable(torch.randn(4))
    view = x[1:]
    assert view._base is x
    assert x._base is None


def test_grad_of_parameters_zeroed_in_legacy_style():
    # 0.3 training loops: `for p in model.parameters(): p.grad.data.zero_()`.
    model = nn.Linear(3, 1)
    for _ in range(2):
        for p in model.parameters():
            if p.grad is not None:
                p.grad.data.zero_()
        model(Variable(torch.ones(2, 3))).sum().backward()
    assert model.bias.grad.tolist() == [2.0]


def test_float_and_int_read_the_data_without_torch_warning():
    # 0.3.1 torch/autograd/variable.py: __float__/__int__ go through .data (no graph involved).
    import warnings as _warnings

    loss = (Variable(torch.Tensor([1.5, 2.0]), requires_grad=True) * 2).sum()
    with _warnings.catch_warnings():
        _warnings.simplefilter("error")
        assert float(loss) == 7.0 and type(float(loss)) is float
        assert int(loss) == 7 and type(int(loss)) is int
    with pytest.raises((ValueError, RuntimeError)):
        float(Variable(torch.ones(2)))  # only one-element Variables convert, as in 0.3


def test_a_non_leaf_grad_is_none_without_torchs_warning():
    # 0.3: `.grad` of a result was None; torch 2.x warns that a non-leaf's .grad is not populated.
    x = Variable(torch.ones(2), requires_grad=True)
    y = x * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    assert y.grad.data.tolist() == [1.0, 1.0] and x.grad.data.tolist() == [2.0, 2.0]


# -- which release the calling program was written for (issue 12 item 9) ----------------------------

_VARIABLE_CODE = """
x = torch.autograd.Variable(data, requires_grad=True)
y = (x * x).sum()
y.backward()
"""


def _program_variables(tmp_path, written_for, data):
    from tests.support.legacy_program import run_as_program

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LegacyTorchWarning)
        return run_as_program(_VARIABLE_CODE, tmp_path, written_for, torch=torch, data=data)


@pytest.mark.parametrize("written_for, kind", [("0.3", Variable), ("0.4", torch.Tensor), ("1.4", torch.Tensor),
                                               ("modern", torch.Tensor)])
def test_variable_follows_the_programs_release(tmp_path, written_for, kind):
    namespace = _program_variables(tmp_path, written_for, torch.arange(3.0))
    assert type(namespace["x"]) is kind and type(namespace["y"]) is kind
    assert namespace["y"].shape == ((1,) if kind is Variable else ())  # 0.3 had no 0-dim results
    assert type(Variable(torch.ones(1))) is Variable  # this file is no program's: varshim's Variable


@given(values=arrays("float64", st.integers(1, 5), elements=st.floats(-10, 10)))
def test_a_0_4_programs_variables_compute_plain_torchs_values(tmp_path_factory, values):
    data = torch.from_numpy(values)
    namespace = _program_variables(tmp_path_factory.mktemp("program"), "0.4", data)
    plain = data.clone().requires_grad_()
    (plain * plain).sum().backward()
    assert torch.equal(namespace["y"], (plain * plain).sum().detach())
    assert torch.equal(namespace["x"].grad, plain.grad)
