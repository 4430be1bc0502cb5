import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import varshim
from varshim import LegacyTorchWarning, Variable
from tests.support.strategies import seeds


def _model_with_grads(seed, scale):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    (model(Variable(torch.randn(5, 3))) * scale).sum().backward()
    return model


@given(seed=seeds, scale=st.floats(0.01, 100.0), max_norm=st.floats(0.05, 50.0), norm_type=st.sampled_from([1, 2, 3.5, "inf"]))
def test_clips_as_0_3_did_and_agrees_with_modern_clip_grad_norm_(seed, scale, max_norm, norm_type):
    norm_type = float(norm_type)
    legacy_model, modern_model = _model_with_grads(seed, scale), _model_with_grads(seed, scale)
    grads = [p.grad.clone() for p in legacy_model.parameters()]

    total = torch.nn.utils.clip_grad_norm(legacy_model.parameters(), max_norm, norm_type)

    # 0.3.1 clip_grad.py, step by step: Python-number norms, scaling only when the coefficient is < 1.
    if math.isinf(norm_type):
        expected_total = max(g.abs().max().item() for g in grads)
    else:
        expected_total = sum(g.double().norm(norm_type).item() ** norm_type for g in grads) ** (1.0 / norm_type)
    coefficient = max_norm / (expected_total + 1e-6)
    assert type(total) is float and total == expected_total
    for p, g in zip(legacy_model.parameters(), grads):
        assert torch.equal(p.grad, g * coefficient if coefficient < 1 else g)

    modern_total = torch.nn.utils.clip_grad_norm_(modern_model.parameters(), max_norm, norm_type)
    assert total == pytest.approx(modern_total.item(), rel=1e-5)
    for legacy_p, modern_p in zip(legacy_model.parameters(), modern_model.parameters()):
        torch.testing.assert_close(legacy_p.grad, modern_p.grad, rtol=1e-5, atol=1e-7)


def test_warns_with_the_modern_spelling_and_is_reversible():
    model = _model_with_grads(0, 1.0)
    with pytest.warns(LegacyTorchWarning, match=r"clip_grad_norm_\(parameters, max_norm\)\.item\(\)"):
        torch.nn.utils.clip_grad_norm(model.parameters(), 0.1)
    varshim.uninstall()
    try:
        with pytest.warns(FutureWarning, match="clip_grad_norm_"):
            assert isinstance(torch.nn.utils.clip_grad_norm(model.parameters(), 0.1), torch.Tensor)
    finally:
        varshim.install()


def test_modern_clip_grad_norm_underscore_is_untouched():
    assert torch.nn.utils.clip_grad_norm_.__module__ == "torch.nn.utils.clip_grad"
