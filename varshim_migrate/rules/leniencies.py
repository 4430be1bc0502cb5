"""TH leniencies (VS9xx): 0.3 operators that read their operands by element count, where torch
2.x wants matching shapes (and raises, or broadcasts to another result).

Legacy: TH/THNN at pytorch/pytorch v0.3.1: `THTensor_(dot)` walks both tensors in index order
and needs only equal element counts (torch/lib/TH/generic/THTensorMath.c), so `torch.dot` read two
1 x D embeddings as vectors; THNN's pointwise criteria check `THNN_CHECK_NELEMENT` only
(`MSECriterion`, `AbsCriterion`, `SmoothL1Criterion`, `BCECriterion`, `DistKLDivCriterion`,
`SoftMarginCriterion`); `copy_` fell back to element count when the source did not broadcast
("src is not broadcastable to dst, but they have the same number of elements", 0.2/0.3
torch/csrc/generic/methods/TensorCopy.cwrap, docs/0.3.1 notes/broadcasting "Backwards
compatibility"). The runtime restores them for legacy objects (varshim/objects: loss_targets and
tensor_rules); these rules write the same computation in modern code where the ranks say it differs.
"""

import ast
import dataclasses

from ..edits import cst, method_call
from ..rule import ANY_NAME, NOT_A_NAME, Rule

__all__ = ["FlatDot", "LossTargetShape", "CopyByCount"]

# Pointwise losses whose 0.3 target matched the input by element count (0.3.1 THNN), by
# functional and module name. mse/l1 with a target that requires grad broadcast in 0.3 too.
_POINTWISE = {
    "mse_loss": "MSELoss", "l1_loss": "L1Loss", "smooth_l1_loss": "SmoothL1Loss", "kl_div": "KLDivLoss",
    "soft_margin_loss": "SoftMarginLoss", "multilabel_soft_margin_loss": "MultiLabelSoftMarginLoss",
    "hinge_embedding_loss": "HingeEmbeddingLoss", "binary_cross_entropy": "BCELoss",
}
_BROADCAST_IF_GRAD = frozenset({"mse_loss", "l1_loss"})


def _legacy_file(analysis):
    return analysis.targets_0_3()


@dataclasses.dataclass(frozen=True)
class DotPlan:
    flatten: tuple  # which operands get `.reshape(-1)`: (receiver or first, second)


class FlatDot(Rule):
    code = "VS901"
    title = "torch.dot(a, b) of tensors that are not 1-D"
    modern = "torch.dot(a.reshape(-1), b.reshape(-1))"
    nodes = (ast.Call,)
    names = frozenset({"dot"})

    def check(self, node, context):
        analysis, scope = context.analysis, context.scope
        func = node.func
        if analysis.qualify(func) == "torch.dot" and len(node.args) == 2 and not node.keywords:
            operands = node.args
        elif (isinstance(func, ast.Attribute) and func.attr == "dot" and len(node.args) == 1 and not node.keywords
              and analysis.qualify(func) is None and _known_tensor(func.value, analysis, scope)):
            operands = [func.value, node.args[0]]  # a.dot(b), a known tensor (numpy's dot is a matrix product)
        else:
            return
        if not _legacy_file(analysis) or any(isinstance(o, ast.Starred) for o in operands):
            return
        ranks = [analysis.ndim(o, scope) for o in operands]
        if ranks == [1, 1]:
            return
        flatten = tuple(rank != 1 for rank in ranks)
        a, b = (ast.unparse(o) + (".reshape(-1)" if f else "") for o, f in zip(operands, flatten))
        yield context.finding(
            self, node, f"0.3's dot read any two tensors of equal size as flat vectors, torch.dot takes 1-D "
            f"tensors only: write torch.dot({a}, {b})", fixable=True, plan=DotPlan(flatten))

    def fix(self, node, finding):
        flatten = finding.plan.flatten
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "dot" and len(node.args) == 1:
            receiver = _flat(node.func.value) if flatten[0] else node.func.value
            args = [node.args[0].with_changes(value=_flat(node.args[0].value))] if flatten[1] else node.args
            return node.with_changes(func=node.func.with_changes(value=receiver), args=args)
        args = [arg.with_changes(value=_flat(arg.value)) if f else arg for arg, f in zip(node.args, flatten)]
        return node.with_changes(args=args)


def _flat(expression):
    return method_call(expression, "reshape", cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer("1")))


def _known_tensor(node, analysis, scope):
    return (analysis.ndim(node, scope) is not None or analysis.is_legacy_tensor(node, scope)
            or analysis.made_here(node, scope) or analysis.is_scalar(node, scope))


@dataclasses.dataclass(frozen=True)
class ShapePlan:
    position: int  # the target argument's index among the call's arguments


class LossTargetShape(Rule):
    code = "VS902"
    title = "a loss target of another shape (0.3 matched it by element count)"
    modern = "criterion(output, target.view_as(output))"
    nodes = (ast.Call,)
    names = frozenset(_POINTWISE) | {ANY_NAME, NOT_A_NAME}  # F.mse_loss(...), criterion(...), nn.MSELoss()(...)

    def check(self, node, context):
        analysis, scope = context.analysis, context.scope
        name = self._pointwise(node, analysis, scope)
        if name is None or not _legacy_file(analysis) or len(node.args) < 2 or node.keywords and any(
                k.arg in ("input", "target") for k in node.keywords):
            return
        output, target = node.args[:2]
        ranks = analysis.ndim(output, scope), analysis.ndim(target, scope)
        if None in ranks or ranks[0] == ranks[1]:
            return
        if name in _BROADCAST_IF_GRAD and not _never_requires_grad(target, analysis, scope):
            return  # 0.3 computed (a - b) ** 2 with broadcasting when the target required grad
        modern = f"{ast.unparse(target)}.view_as({ast.unparse(output)})"
        yield context.finding(
            self, node, f"a {ranks[1]}-D target for a {ranks[0]}-D input: 0.3 matched them element by element, "
            f"torch broadcasts or refuses them: write {modern}", fixable=True, plan=ShapePlan(1))

    def _pointwise(self, node, analysis, scope):
        qualified = analysis.qualify(node.func) or ""
        if qualified.startswith("torch.nn.functional."):
            name = qualified.rsplit(".", 1)[1]
            return name if name in _POINTWISE else None
        modules = {module: name for name, module in _POINTWISE.items()}
        candidates = [node.func] if isinstance(node.func, ast.Call) else [v for v, _ in analysis.origins(node.func, scope)]
        names = set()
        for value in candidates:
            if not isinstance(value, ast.Call):
                return None
            module = (analysis.qualify(value.func) or "").rsplit(".", 1)[-1]
            if not (analysis.qualify(value.func) or "").startswith("torch.nn.") or module not in modules:
                return None
            names.add(modules[module])
        return names.pop() if len(names) == 1 else None

    def fix(self, node, finding):
        args = list(node.args)
        output, target = args[0].value, args[1].value
        args[1] = args[1].with_changes(value=method_call(target, "view_as", output.with_changes(lpar=[], rpar=[])))
        return node.with_changes(args=args)


def _never_requires_grad(node, analysis, scope):
    """A target that certainly does not require grad: `.data`, a constructor, `Variable(t)` without
    requires_grad."""
    for value, home in analysis.origins(node, scope):
        if value is None:
            return False
        if isinstance(value, ast.Call) and analysis.is_variable(value.func):
            if any(k.arg == "requires_grad" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                   for k in value.keywords) or len(value.args) > 1:
                return False
            continue
        if not (analysis.is_legacy_tensor(value, home) or analysis.made_here(value, home)):
            return False
    return True


class CopyByCount(Rule):
    code = "VS903"
    title = "dst[...] = src of more dimensions (0.3 copied by element count)"
    modern = "dst[...] = src.reshape_as(dst[...])"
    nodes = (ast.Assign,)

    def check(self, node, context):
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Subscript):
            return
        analysis, scope = context.analysis, context.scope
        if not _legacy_file(analysis):
            return
        target, source = node.targets[0], node.value
        ranks = analysis.ndim(target, scope), analysis.ndim(source, scope)
        if None in ranks or ranks[1] <= ranks[0]:
            return
        modern = f"{ast.unparse(source)}.reshape_as({ast.unparse(target)})"
        yield context.finding(
            self, node, f"a {ranks[1]}-D value into a {ranks[0]}-D slot: 0.3 copied it by element count, torch "
            f"broadcasts and refuses it: write {ast.unparse(target)} = {modern}", fixable=True)

    def fix(self, node, finding):
        target = node.targets[0].target
        return node.with_changes(value=method_call(node.value, "reshape_as", target.with_changes(lpar=[], rpar=[])))
