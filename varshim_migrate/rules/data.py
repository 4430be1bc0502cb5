"""Data and nn APIs (VS7xx): renamed or re-spelled calls that modern torch warns about or refuses.

Legacy sources: pytorch/pytorch v0.3.1 torch/utils/data/dataset.py (`TensorDataset(data_tensor,
target_tensor)`), torch/nn/init.py (`xavier_uniform`, ...), torch/nn/utils/clip_grad.py
(`clip_grad_norm` returning a float), torch/nn/functional.py (`size_average`/`reduce`,
`_get_softmax_dim`). Modern: the trailing-underscore names (0.4), `reduction=` (torch
torch/nn/_reduction.py `legacy_get_string`), an explicit `dim`.
"""

import ast
import dataclasses

from ..edits import cst, keyword, keyword_arg, last_arg_fixed, method_call, with_arg_inserted, without_keywords
from ..rule import Rule

__all__ = ["TensorDatasetKeywords", "InitInplace", "ClipGradNorm", "LossReduction", "SoftmaxDim"]

_INITS = frozenset({
    "uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "orthogonal", "sparse", "eye", "dirac",
})
_CLIP = frozenset({"torch.nn.utils.clip_grad_norm", "torch.nn.utils.clip_grad.clip_grad_norm"})
_FUNCTIONAL_LOSSES = frozenset({"cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"})
_SOFTMAX = {
    "torch.nn.functional.softmax": "softmax",
    "torch.nn.functional.log_softmax": "log_softmax",
    "torch.nn.functional.softmin": "softmin",
}
_SOFTMAX_MODULES = frozenset({"torch.nn.Softmax", "torch.nn.LogSoftmax", "torch.nn.Softmin", "torch.nn.Softmax2d"})


class TensorDatasetKeywords(Rule):
    code = "VS701"
    title = "TensorDataset(data_tensor=x, target_tensor=y)"
    modern = "TensorDataset(x, y)"
    nodes = (ast.Call,)

    def may_match(self, name, plain):
        return name is not None and name.endswith("TensorDataset")

    def check(self, node, context):
        qualified = context.analysis.qualify(node.func) or ""
        if not qualified.endswith("TensorDataset") or not qualified.startswith("torch."):
            return
        names = [k.arg for k in node.keywords]
        if "data_tensor" not in names and "target_tensor" not in names:
            return
        fixable = not node.args and set(names) <= {"data_tensor", "target_tensor"}
        yield context.finding(
            self, node, "TensorDataset takes its tensors positionally since 0.4: write TensorDataset(data, target)",
            fixable=fixable, suggestion="" if fixable else "TensorDataset(data, target)",
        )

    def fix(self, node, finding):
        ordered = [keyword(node, "data_tensor"), keyword(node, "target_tensor")]
        args = [a.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) for a in ordered if a is not None]
        for i in range(len(args) - 1):
            args[i] = args[i].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return node.with_changes(args=last_arg_fixed(args))


class InitInplace(Rule):
    code = "VS702"
    title = "nn.init.xavier_uniform(w)"
    modern = "nn.init.xavier_uniform_(w)"
    nodes = (ast.Call,)
    names = _INITS

    def check(self, node, context):
        qualified = context.analysis.qualify(node.func) or ""
        module, _, name = qualified.rpartition(".")
        if module == "torch.nn.init" and name in _INITS:
            yield context.finding(
                self, node, f"nn.init.{name} is deprecated since 0.4: write nn.init.{name}_", fixable=True,
            )

    def fix(self, node, finding):
        return node.with_changes(func=_renamed(node.func))


def _renamed(func):
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(func.attr.value + "_"))
    return func.with_changes(value=func.value + "_")


@dataclasses.dataclass(frozen=True)
class ClipPlan:
    item: bool  # the value is used: 0.3 returned a float, clip_grad_norm_ a tensor


class ClipGradNorm(Rule):
    code = "VS703"
    title = "clip_grad_norm(params, c)"
    modern = "clip_grad_norm_(params, c)"
    exact = False  # 0.3 (and varshim) sum the norm in double, clip_grad_norm_ in float32
    nodes = (ast.Call,)
    names = frozenset({"clip_grad_norm"})

    def check(self, node, context):
        if context.analysis.qualify(node.func) not in _CLIP:
            return
        used = not isinstance(context.parent(), ast.Expr)
        modern = "clip_grad_norm_(...).item()" if used else "clip_grad_norm_(...)"
        yield context.finding(
            self, node, f"clip_grad_norm is deprecated since 0.4 (and returns a tensor, not a float): write {modern}",
            fixable=True, plan=ClipPlan(item=used),
        )

    def fix(self, node, finding):
        call = node.with_changes(func=_renamed(node.func), lpar=[], rpar=[])
        if finding.plan.item:
            return method_call(call, "item").with_changes(lpar=node.lpar, rpar=node.rpar)
        return call.with_changes(lpar=node.lpar, rpar=node.rpar)


def _is_loss(qualified):
    return qualified.startswith("torch.nn.") and _is_loss_name(qualified.rsplit(".", 1)[1])


def _is_loss_name(name):
    return name.endswith(("Loss", "_loss")) or name in _FUNCTIONAL_LOSSES


def _literal_bool(value):
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, bool) else None


@dataclasses.dataclass(frozen=True)
class ReductionPlan:
    reduction: str  # "mean" (the default: the flags go), "sum" or "none"


class LossReduction(Rule):
    code = "VS704"
    title = "size_average=, reduce= in losses"
    modern = "reduction='mean' | 'sum' | 'none'"
    nodes = (ast.Call,)

    def may_match(self, name, plain):
        return name is not None and _is_loss_name(name)

    def check(self, node, context):
        flags = {k.arg: k.value for k in node.keywords if k.arg in ("size_average", "reduce")}
        if not flags or not _is_loss(context.analysis.qualify(node.func) or ""):
            return
        values = {name: _literal_bool(value) for name, value in flags.items()}
        if None in values.values() or any(k.arg == "reduction" for k in node.keywords):
            yield context.finding(
                self, node,
                "size_average and reduce are deprecated since 0.4.1: write reduction='mean', 'sum' or 'none'",
                suggestion="reduction='sum' if not size_average else 'mean' (reduction='none' when reduce=False)",
            )
            return
        # torch/nn/_reduction.py legacy_get_string: None counts as True.
        size_average = values.get("size_average", True)
        reduce = values.get("reduce", True)
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
        if reduction == "mean":
            spelling = "drop them (reduction='mean' is the default)"
        else:
            spelling = f"write reduction='{reduction}'"
        yield context.finding(
            self, node, f"size_average and reduce are deprecated since 0.4.1: {spelling}", fixable=True,
            plan=ReductionPlan(reduction),
        )

    def fix(self, node, finding):
        reduction = finding.plan.reduction
        position = next(i for i, a in enumerate(node.args) if a.keyword and a.keyword.value in ("size_average", "reduce"))
        call = without_keywords(node, ("size_average", "reduce"))
        if reduction == "mean":
            return call
        new = keyword_arg("reduction", cst.SimpleString(f"'{reduction}'"))
        return call.with_changes(args=with_arg_inserted(call.args, position, new))


@dataclasses.dataclass(frozen=True)
class DimPlan:
    dim: int  # what 0.3's _get_softmax_dim chose for the input's rank


class SoftmaxDim(Rule):
    code = "VS705"
    title = "F.softmax(x) without dim"
    modern = "F.softmax(x, dim=...)"
    nodes = (ast.Call,)
    names = frozenset(name.rsplit(".", 1)[1] for name in _SOFTMAX_MODULES | set(_SOFTMAX))

    def check(self, node, context):
        analysis = context.analysis
        qualified = analysis.qualify(node.func)
        has_dim = any(k.arg == "dim" for k in node.keywords)
        if qualified in _SOFTMAX_MODULES and not node.args and not has_dim and qualified != "torch.nn.Softmax2d":
            name = qualified.rsplit(".", 1)[1]
            yield context.finding(
                self, node, f"nn.{name}() without dim picks a dimension from the input rank (deprecated since "
                f"0.3): write nn.{name}(dim=1) for (N, C) inputs, dim=0 for 1-D ones",
                suggestion=f"nn.{name}(dim=1)",
            )
            return
        if qualified not in _SOFTMAX or len(node.args) != 1 or has_dim:
            return
        name = _SOFTMAX[qualified]
        rank = analysis.ndim(node.args[0], context.scope)
        if rank is None:
            yield context.finding(
                self, node, f"{name} without dim is deprecated since 0.3 (legacy rule: dim=0 for 0-, 1- and 3-D "
                "inputs, else 1): pass dim= explicitly", suggestion=f"F.{name}(x, dim=1)  # (N, C) input",
            )
            return
        dim = 0 if rank in (0, 1, 3) else 1  # torch/nn/functional.py _get_softmax_dim
        yield context.finding(
            self, node, f"{name} without dim is deprecated since 0.3: this {rank}-D input gets dim={dim}",
            fixable=True, plan=DimPlan(dim),
        )

    def fix(self, node, finding):
        dim = keyword_arg("dim", cst.Integer(str(finding.plan.dim)))
        return node.with_changes(args=with_arg_inserted(node.args, len(node.args), dim))
