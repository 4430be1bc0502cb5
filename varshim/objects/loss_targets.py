"""Loss targets of another shape matched element by element, as PyTorch 0.3 did, for legacy objects.

0.3's pointwise criteria checked only that input and target hold the same number of elements
(`THNN_CHECK_NELEMENT` in THNN's `MSECriterion`, `AbsCriterion`, `SmoothL1Criterion`,
`BCECriterion`, `DistKLDivCriterion`, `SoftMarginCriterion`) and walked both in index order
(`TH_TENSOR_APPLY2`), so an (N, 1) output met an (N,) target element by element;
`binary_cross_entropy` (and `multilabel_soft_margin_loss`, built on it) also warned "Using a target
size (...) that is different to the input size (...) is deprecated" (pytorch/pytorch.github.io
`docs/0.3.1/_modules/torch/nn/functional.html`). 0.3's Python losses did the same through masks and
in-place ops, which fell back to element counts (0.3.1 `torch/nn/_functions/loss.py`:
`HingeEmbeddingLoss`, `MarginRankingLoss`, `CosineEmbeddingLoss`; `docs/0.3.1/notes/broadcasting.html`,
"Backwards compatibility"). torch 2.13 broadcasts instead (`mse_loss`, `l1_loss`, `smooth_l1_loss`,
`kl_div`, `hinge_embedding_loss`: an N x N loss from (N, 1) and (N,)) or raises
(`binary_cross_entropy`, `soft_margin_loss`, `multilabel_soft_margin_loss`, `margin_ranking_loss`,
`cosine_embedding_loss`).

Rule, for calls with a Variable or LegacyTensor among the arguments (`varshim.objects.tensor_rules`):
a target (and `margin_ranking_loss`'s second input) of another shape but the same element count is
reshaped to the input's shape (`cosine_embedding_loss`: to (N,)), with a LegacyTorchWarning.
Unchanged: `mse_loss`/`l1_loss` with a target that requires grad (0.3 computed `(a - b) ** 2` with
broadcasting there, as torch does), losses whose shape checks 0.3 shared with torch
(`binary_cross_entropy_with_logits`, `nll_loss`, `cross_entropy`, `multi_margin_loss`,
`poisson_nll_loss`), and different element counts (torch's broadcasting or error).
Modern spelling: `criterion(output, target.view_as(output))`.
"""

import torch
import torch.nn.functional as F

from ..legacy_warnings import warn_legacy

__all__ = ["OVERRIDES"]

_Tensor = torch.Tensor


def _matched(operand, shape, name):
    """`operand` reshaped to `shape` when 0.3 would have matched them element by element."""
    if not isinstance(operand, _Tensor) or operand.shape == shape or operand.numel() != shape.numel():
        return operand
    warn_legacy(
        f"a loss {name} of shape {list(operand.shape)} for an input of shape {list(shape)}: PyTorch 0.3 "
        f"matched them element by element (same number of elements); torch broadcasts or refuses them. "
        f"Write criterion(output, {name}.view_as(output))."
    )
    return operand.reshape(shape)


def _target_matched(func, *, unless_target_requires_grad=False):
    def loss(input, target, *args, **kwargs):
        if not (unless_target_requires_grad and target.requires_grad):
            target = _matched(target, input.shape, "target")
        return func(input, target, *args, **kwargs)

    return loss


def _binary_cross_entropy(input, target, *args, **kwargs):
    matched = _matched(target, input.shape, "target")
    if matched is not target:
        # 0.3 expanded the weight to the target's own shape, then went element by element
        weight = args[0] if args else kwargs.get("weight")
        if isinstance(weight, _Tensor):
            weight = weight.expand(torch.broadcast_shapes(target.shape, weight.shape)).reshape(input.shape)
            args, kwargs = args[1:], dict(kwargs, weight=weight)
    return F.binary_cross_entropy(input, matched, *args, **kwargs)


def _margin_ranking_loss(input1, input2, target, *args, **kwargs):
    # 0.3: `input1.clone().add_(-1, input2).mul_(-1).mul_(y)`, in input1's shape
    input2 = _matched(input2, input1.shape, "input2")
    return F.margin_ranking_loss(input1, input2, _matched(target, input1.shape, "target"), *args, **kwargs)


def _cosine_embedding_loss(input1, input2, target, *args, **kwargs):
    # 0.3: the target masked an (N,) vector of cosines
    target = _matched(target, input1.shape[:1], "target") if input1.dim() == 2 else target
    return F.cosine_embedding_loss(input1, input2, target, *args, **kwargs)


OVERRIDES = {
    F.mse_loss: _target_matched(F.mse_loss, unless_target_requires_grad=True),
    F.l1_loss: _target_matched(F.l1_loss, unless_target_requires_grad=True),
    F.smooth_l1_loss: _target_matched(F.smooth_l1_loss),
    F.kl_div: _target_matched(F.kl_div),
    F.soft_margin_loss: _target_matched(F.soft_margin_loss),
    F.multilabel_soft_margin_loss: _target_matched(F.multilabel_soft_margin_loss),
    F.hinge_embedding_loss: _target_matched(F.hinge_embedding_loss),
    F.binary_cross_entropy: _binary_cross_entropy,
    F.margin_ranking_loss: _margin_ranking_loss,
    F.cosine_embedding_loss: _cosine_embedding_loss,
}
