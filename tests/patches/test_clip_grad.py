"""`clip_grad_norm`: 0.3's float for the legacy program, torch's own for other callers (varshim.patches.clip_grad)."""

import math
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from tests.support.strategies import seeds
from tests.support.legacy_program import LEGACY_FILE, modern_torch, run, running_legacy_program

# The call as a file of the legacy program makes it (the 0.3 float is for those files only).
LEGACY_CLIP = "import torch\ndef clip(*args, **kwargs):\n    return torch.nn.utils.clip_grad_norm(*args, **kwargs)\n"
legacy_clip = run(LEGACY_CLIP, LEGACY_FILE)["clip"]


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

    with running_legacy_program():
        total = legacy_clip(legacy_model.parameters(), max_norm, norm_type)

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


def test_legacy_callers_without_gradients_get_zero_and_modern_keywords_work():
    with running_legacy_program():
        assert legacy_clip(torch.nn.Linear(2, 2).parameters(), 1.0, "inf") == 0.0  # 0.3.1's max() raised
        assert legacy_clip(torch.nn.Linear(2, 2).parameters(), 1.0) == 0.0
        model = _model_with_grads(0, 1.0)
        next(model.parameters()).grad[0, 0] = float("nan")
        with pytest.raises(RuntimeError, match="non-finite"):
            legacy_clip(model.parameters(), 1.0, error_if_nonfinite=True, foreach=False)


def test_warns_with_the_modern_spelling_and_is_reversible():
    model = _model_with_grads(0, 1.0)
    modern_spelling = r"clip_grad_norm_\(parameters, max_norm\)\.item\(\)"
    with running_legacy_program(), pytest.warns(LegacyTorchWarning, match=modern_spelling):
        legacy_clip(model.parameters(), 0.1)
    with modern_torch(), running_legacy_program(), pytest.warns(FutureWarning, match="clip_grad_norm_"):
        assert isinstance(legacy_clip(model.parameters(), 0.1), torch.Tensor)


def _modern_calls():
    """What a modern caller sees: (result, its type, the warnings with their file and line)."""
    outcomes = []
    for arguments in [(0.5,), (0.5, "inf"), (0.5, 2.0, True, False), (1.0, "inf", False, None)]:
        model = _model_with_grads(1, 3.0) if len(outcomes) < 3 else torch.nn.Linear(2, 2)  # the last: no gradients
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            total = torch.nn.utils.clip_grad_norm(model.parameters(), *arguments)
        outcomes.append((total, [p.grad for p in model.parameters()],
                         [(w.category, str(w.message), w.filename, w.lineno) for w in caught]))
    return outcomes


def test_modern_callers_get_torch_2_13s_clip_grad_norm():
    with modern_torch():
        expected = _modern_calls()
    got = _modern_calls()
    for (total, grads, caught), (expected_total, expected_grads, expected_caught) in zip(got, expected):
        assert type(total) is torch.Tensor and torch.equal(total, expected_total)
        assert all(g is None and e is None or torch.equal(g, e) for g, e in zip(grads, expected_grads))
        assert caught == expected_caught and caught[0][0] is FutureWarning and caught[0][2] == __file__
    assert got[-1][0].item() == 0.0  # no gradients, 'inf': tensor(0.)


def test_modern_clip_grad_norm_underscore_is_untouched():
    assert torch.nn.utils.clip_grad_norm_.__module__ == "torch.nn.utils.clip_grad"
