"""Optimizer steps from the legacy program leave version counters alone, as 0.3's p.data updates did (varshim.patches.optimizer_steps)."""

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import varshim
from tests.support.legacy_program import LEGACY_FILE, modern_torch, no_program_running, run, running_legacy_program
from varshim import LegacyTorchWarning

# A 2017 GAN lesson's step: D is stepped, then G's loss from the same forward pass is backpropagated.
GAN = """
import torch
import torch.nn as nn
from torch.autograd import Variable
torch.manual_seed(SEED)
G = nn.Linear(NOISE, HIDDEN)
D = nn.Sequential(nn.Linear(HIDDEN, 1), nn.Sigmoid())
d_optimizer = torch.optim.SGD(D.parameters(), lr=LR)
z = Variable(torch.randn(BATCH, NOISE))
fake = G(z)
out = D(fake)
weights_before = D[0].weight.data.clone()
d_loss = out.mean()
D.zero_grad()
d_loss.backward(retain_graph=True)
d_optimizer.step()
g_loss = -out.mean()
G.zero_grad()
g_loss.backward()
"""

SIZES = dict(SEED=0, NOISE=2, HIDDEN=3, BATCH=4, LR=0.5)


def _gan(filename="<legacy program>", **sizes):
    return run(GAN, filename, **dict(SIZES, **sizes))


def test_the_gan_step_fails_on_modern_torch():
    with modern_torch(), running_legacy_program(), pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _gan(LEGACY_FILE)


def test_the_gan_step_runs_in_the_legacy_program_with_the_updated_weights():
    with running_legacy_program(), pytest.warns(LegacyTorchWarning, match="graph built before optimizer.step"):
        ns = _gan(LEGACY_FILE)
    _check_0_3_gradient(ns)
    assert not torch.equal(ns["D"][0].weight.data, ns["weights_before"])  # the step did update D


def _check_0_3_gradient(ns):
    # The 0.3 result: sigmoid's backward uses the forward's output, the Linear's input gradient
    # reads D's weight as the step left it, G's weight gradient uses the forward's noise.
    z, out = ns["z"].data.as_subclass(torch.Tensor), ns["out"].data.as_subclass(torch.Tensor)
    updated = ns["D"][0].weight.detach()
    grad_out = torch.full_like(out, -1.0 / out.numel())
    grad_hidden = (grad_out * out * (1 - out)) @ updated
    expected_weight, expected_bias = grad_hidden.t() @ z, grad_hidden.sum(0)
    torch.testing.assert_close(ns["G"].weight.grad, expected_weight)
    torch.testing.assert_close(ns["G"].bias.grad, expected_bias)
    # with the weights before the step the gradient would differ
    stale = (grad_out * out * (1 - out)) @ ns["weights_before"].as_subclass(torch.Tensor)
    assert not torch.allclose(stale.t() @ z, expected_weight)


@given(
    seed=st.integers(0, 2**16), noise=st.integers(1, 3), hidden=st.integers(1, 4),
    batch=st.integers(1, 5), lr=st.floats(0.01, 2.0),
)
def test_the_gradient_is_the_0_3_formula(seed, noise, hidden, batch, lr):
    with running_legacy_program():
        ns = _gan(LEGACY_FILE, SEED=seed, NOISE=noise, HIDDEN=hidden, BATCH=batch, LR=lr)
    z, out = ns["z"].data.as_subclass(torch.Tensor), ns["out"].data.as_subclass(torch.Tensor)
    grad_hidden = (torch.full_like(out, -1.0 / out.numel()) * out * (1 - out)) @ ns["D"][0].weight.detach()
    torch.testing.assert_close(ns["G"].weight.grad, grad_hidden.t() @ z)


def test_modern_callers_keep_torchs_error_and_version_counters():
    with running_legacy_program(), pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _gan()  # compiled as "<legacy program>": not one of the program's files
    weight = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([weight], lr=0.1, momentum=0.9)
    weight.grad = torch.ones(2)
    before = weight._version
    optimizer.step()
    assert weight._version > before


def test_a_scheduler_wrapped_step_still_counts_as_the_programs():
    program = GAN.replace("d_optimizer.step()", "scheduler = torch.optim.lr_scheduler.StepLR(d_optimizer, 1)\nd_optimizer.step()")
    with running_legacy_program():
        ns = run(program, LEGACY_FILE, **SIZES)
    _check_0_3_gradient(ns)


def test_an_ordinary_loop_gets_no_warning(recwarn):
    program = "from torch.autograd import Variable\ntorch.manual_seed(0)\nmodel = torch.nn.Linear(3, 1)\n" \
              "opt = torch.optim.SGD(model.parameters(), lr=0.1)\nfor _ in range(3):\n" \
              "    opt.zero_grad()\n    model(Variable(torch.randn(4, 3))).pow(2).mean().backward()\n    opt.step()\n"
    with running_legacy_program(), warnings.catch_warnings():
        warnings.simplefilter("always")
        run(program, LEGACY_FILE, torch=torch)
    assert not [w for w in recwarn if issubclass(w.category, LegacyTorchWarning) and "optimizer" in str(w.message)]


def test_steps_are_bit_for_bit_torchs():
    def train(filename):
        program = "torch.manual_seed(0)\nmodel = torch.nn.Linear(3, 2)\nopt = torch.optim.Adam(model.parameters(), lr=0.1)\n" \
                  "for _ in range(3):\n    opt.zero_grad()\n    model(torch.randn(4, 3)).pow(2).sum().backward()\n    opt.step()\n"
        return [p.detach().clone() for p in run(program, filename, torch=torch)["model"].parameters()]

    with running_legacy_program("auto"):  # a modern-style loop (plain tensors) in a program of any release
        legacy = train(LEGACY_FILE)
    with modern_torch():
        modern = train(LEGACY_FILE)
    for a, b in zip(legacy, modern):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_the_hooks_exist_only_while_a_legacy_program_runs_and_varshim_is_installed():
    from torch.optim import optimizer as torch_optimizer

    def registered():
        hooks = list(torch_optimizer._global_optimizer_pre_hooks.values()) + list(torch_optimizer._global_optimizer_post_hooks.values())
        return [hook.__module__ for hook in hooks].count("varshim.patches.optimizer_steps")

    from varshim.objects import variable

    with no_program_running():  # not even a test module's one-line edit
        assert registered() == 0 and not variable._backward_checks  # nothing to pay outside a legacy run
        with running_legacy_program():
            assert registered() == 2 and len(variable._backward_checks) == 1
            with modern_torch():
                assert registered() == 0 and not variable._backward_checks
            assert registered() == 2
        assert registered() == 0 and varshim.installed()
