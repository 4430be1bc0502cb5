"""Loss targets of another shape but the same element count, matched element by element as in 0.3 (varshim.objects.loss_targets)."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from tests.support.legacy_program import modern_torch, run
from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable

# torch's own notes on the legacy loss keywords and on kl_div's 'mean', for both sides alike
pytestmark = [
    pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated:UserWarning"),
    pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning"),
]

# A 2017 regression/classification lesson: the network's (N, 1) output against an (N,) target
PROGRAM = """
import torch
import torch.nn as nn
from torch.autograd import Variable
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 1), nn.Sigmoid())
x = Variable(torch.randn(5, 3))
y = Variable(torch.Tensor([0, 1, 1, 0, 1]))
bce = nn.BCELoss()(model(x), y)
mse = nn.MSELoss()(model(x), y)
bce.backward()
"""


def test_the_lesson_fails_or_changes_meaning_on_modern_torch():
    with modern_torch(), pytest.raises(ValueError, match="Using a target size"):
        run(PROGRAM)
    with modern_torch(), pytest.warns(UserWarning, match="broadcasting"):
        run(PROGRAM.replace("bce = nn.BCELoss()(model(x), y)\n", "").replace("bce.backward()", ""))


def test_the_lesson_matches_targets_element_by_element_like_0_3():
    with pytest.warns(LegacyTorchWarning, match=r"target\.view_as\(output\)"):
        ns = run(PROGRAM)
    out = ns["model"](ns["x"]).data.as_subclass(torch.Tensor).view(-1)
    y = ns["y"].data.as_subclass(torch.Tensor)
    # 0.3's BCECriterion and MSECriterion walked both tensors in index order
    expected_bce = -(y * out.log() + (1 - y) * (1 - out).log()).mean()
    assert ns["bce"].shape == (1,) and ns["bce"].data[0] == pytest.approx(expected_bce.item(), rel=1e-5)
    assert ns["mse"].data[0] == pytest.approx(((out - y) ** 2).mean().item(), rel=1e-5)
    weight = ns["model"][0].weight
    assert weight.grad.shape == weight.shape


def test_no_torch_broadcasting_warning_when_0_3_matched_the_shapes():
    out, target = Variable(torch.rand(4, 1), requires_grad=True), Variable(torch.rand(4))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.mse_loss(out, target)
    assert [w.category for w in caught] == [LegacyTorchWarning]


def test_reduce_false_has_the_inputs_shape():
    out, target = Variable(torch.rand(4, 1)), Variable(torch.rand(4))
    assert F.l1_loss(out, target, reduce=False).shape == (4, 1)
    assert F.binary_cross_entropy(out, target, reduction="none").shape == (4, 1)


def test_bce_weight_given_in_the_targets_shape():
    out, target = Variable(torch.rand(2, 3)), Variable(torch.rand(3, 2).round())
    weight = torch.Tensor([1, 10])  # broadcast against the (3, 2) target, as 0.3 expanded it
    got = F.binary_cross_entropy(out, target, weight)
    flat_out, flat_target = out.data.as_subclass(torch.Tensor).reshape(-1), target.data.as_subclass(torch.Tensor).reshape(-1)
    flat_weight = weight.expand(3, 2).reshape(-1)
    expected = F.binary_cross_entropy(flat_out, flat_target, flat_weight)
    assert got.data[0] == pytest.approx(expected.item(), rel=1e-6)


def test_a_target_that_requires_grad_broadcasts_in_mse_as_0_3s_python_path_did():
    out, target = Variable(torch.rand(4, 1)), Variable(torch.rand(4), requires_grad=True)
    with pytest.warns(UserWarning, match="broadcasting"):
        got = F.mse_loss(out, target)
    with pytest.warns(UserWarning, match="broadcasting"):
        plain = F.mse_loss(out.data.as_subclass(torch.Tensor), target.data.as_subclass(torch.Tensor))
    assert got.data[0] == pytest.approx(plain.item())


def test_margin_ranking_and_cosine_embedding_targets():
    a, b = Variable(torch.randn(4, 1), requires_grad=True), Variable(torch.randn(4))
    y = Variable(torch.Tensor([1, -1, 1, -1]))
    got = F.margin_ranking_loss(a, b, y, margin=0.1)
    plain_a = a.data.as_subclass(torch.Tensor)
    expected = F.margin_ranking_loss(plain_a, b.data.as_subclass(torch.Tensor).view(4, 1), y.data.as_subclass(torch.Tensor).view(4, 1), margin=0.1)
    assert got.data[0] == pytest.approx(expected.item())
    got.backward()
    assert a.grad.shape == (4, 1)
    u, v = Variable(torch.randn(4, 3)), Variable(torch.randn(4, 3))
    got = F.cosine_embedding_loss(u, v, y.view(4, 1))
    expected = F.cosine_embedding_loss(u.data.as_subclass(torch.Tensor), v.data.as_subclass(torch.Tensor), y.data.as_subclass(torch.Tensor))
    assert got.data[0] == pytest.approx(expected.item())


def test_plain_tensors_keep_modern_losses():
    out, target = torch.rand(4, 1), torch.rand(4)
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(out, target)
    with pytest.warns(UserWarning, match="broadcasting"):
        broadcast = F.mse_loss(out, target)
    assert broadcast.item() == pytest.approx(((out - target) ** 2).mean().item())  # the 4 x 4 mean
    with modern_torch():
        with pytest.warns(UserWarning, match="broadcasting"):
            assert F.mse_loss(out, target).item() == broadcast.item()


LOSSES = {
    "mse": (F.mse_loss, lambda t: t),
    "l1": (F.l1_loss, lambda t: t),
    "smooth_l1": (F.smooth_l1_loss, lambda t: t),
    "bce": (F.binary_cross_entropy, lambda t: t.clamp(0, 1)),
    "kl_div": (F.kl_div, lambda t: t.abs()),
    "soft_margin": (F.soft_margin_loss, torch.sign),
    "multilabel_soft_margin": (F.multilabel_soft_margin_loss, lambda t: t.clamp(0, 1).round()),
    "hinge_embedding": (F.hinge_embedding_loss, torch.sign),
}


@given(
    name=st.sampled_from(sorted(LOSSES)),
    shapes=st.sampled_from([((4, 1), (4,)), ((2, 3), (3, 2)), ((6,), (2, 3)), ((1, 4), (4, 1))]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    seed=st.integers(0, 2**16),
)
def test_values_and_gradients_equal_torch_on_the_reshaped_target(name, shapes, reduction, seed):
    loss, make_target = LOSSES[name]
    input_shape, target_shape = shapes
    if name == "multilabel_soft_margin" and len(input_shape) != 2:
        return  # (N, C) only
    torch.manual_seed(seed)
    raw = torch.rand(*input_shape) * 0.98 + 0.01
    target = make_target(torch.randn(*target_shape))
    legacy_input = Variable(raw.clone(), requires_grad=True)
    got = loss(legacy_input, Variable(target), reduction=reduction)
    plain_input = raw.clone().requires_grad_()
    expected = loss(plain_input, target.reshape(input_shape), reduction=reduction)
    torch.testing.assert_close(got.data.as_subclass(torch.Tensor).reshape(expected.shape), expected.detach())
    got.sum().backward()
    expected.sum().backward()
    torch.testing.assert_close(legacy_input.grad.data.as_subclass(torch.Tensor), plain_input.grad)


@given(n=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_mse_gradient_is_the_0_3_formula(n, seed):
    torch.manual_seed(seed)
    out, target = Variable(torch.randn(n, 1), requires_grad=True), torch.randn(n)
    F.mse_loss(out, Variable(target)).backward()
    expected = 2 * (out.data.as_subclass(torch.Tensor).view(-1) - target) / n  # MSECriterion_updateGradInput
    torch.testing.assert_close(out.grad.data.as_subclass(torch.Tensor).view(-1), expected)
