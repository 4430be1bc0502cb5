"""Scalars (VS2xx): `loss.data[0]` and `loss[0]` on one-element results.

Legacy: before 0.4 there were no 0-dim tensors; a loss was a size-(1,) Variable and
`loss.data[0]` its Python number (pytorch/pytorch v0.3.1 torch/tensor.py). Modern: 0-dim
results, `loss.item()` (0.4.0 migration guide, "Deprecation of .data[0]").
"""

import ast

from ..edits import cst, method_call
from ..rule import Rule

__all__ = ["DataIndex", "ScalarIndex", "TensorReduction", "CatScalars"]

# Full reductions of a 0.3 Tensor returned Python numbers (v0.3.1 torch/tensor.py, TH bindings).
_NUMBER_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min", "std", "var", "norm", "median"})
# Methods leaving the tensor world: what follows them is not a legacy Tensor.
_EXITS = frozenset({"numpy", "tolist", "item", "size", "dim", "numel", "type", "storage"})


def _index_zero(node):
    return (
        isinstance(node.ctx, ast.Load)
        and isinstance(node.slice, ast.Constant)
        and type(node.slice.value) is int
        and node.slice.value == 0
    )


def _as_item(node, receiver):
    return method_call(receiver, "item").with_changes(lpar=node.lpar, rpar=node.rpar)


class DataIndex(Rule):
    code = "VS201"
    title = "x.data[0] on a one-element result"
    modern = "x.item()"
    nodes = (ast.Subscript,)

    def check(self, node, context):
        value = node.value
        if not (_index_zero(node) and isinstance(value, ast.Attribute) and value.attr == "data"):
            return
        receiver = ast.unparse(value.value)
        if context.analysis.is_scalar(value.value, context.scope):
            yield context.finding(
                self, node, f"x.data[0] of a one-element result is a 0-dim tensor since 0.4: write {receiver}.item()",
                fixable=True,
            )
        else:
            yield context.finding(
                self, node, f"x.data[0] gave a Python number before 0.4: write {receiver}.item() if it holds "
                f"one value, {receiver}[0].item() for the first of several",
                suggestion=f"{receiver}.item()",
            )

    def fix(self, node, finding):
        return _as_item(node, node.value.value)


class ScalarIndex(Rule):
    code = "VS202"
    title = "loss[0] on a one-element result"
    modern = "loss.item()"
    nodes = (ast.Subscript,)

    def check(self, node, context):
        value = node.value
        if not _index_zero(node) or (isinstance(value, ast.Attribute) and value.attr == "data"):
            return
        if context.analysis.is_scalar(value, context.scope):
            receiver = ast.unparse(value)
            yield context.finding(
                self, node, f"indexing a one-element result fails on 0-dim tensors since 0.4: write {receiver}.item()",
                fixable=True,
            )

    def fix(self, node, finding):
        return _as_item(node, node.value)


class TensorReduction(Rule):
    code = "VS203"
    title = "x.data.sum() (a Tensor reduction) used as a number"
    modern = "x.data.sum().item()"
    nodes = (ast.Call,)

    def check(self, node, context):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _NUMBER_REDUCTIONS) or node.keywords:
            return
        if node.args and not (func.attr == "norm" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)):
            return
        parent = context.parent()
        if isinstance(parent, ast.Attribute) and parent.attr == "item":
            return  # already modern
        analysis = context.analysis
        if not analysis.imports_legacy_variable():  # `.data` in modern code is a plain tensor
            return
        if _tensor_world(func.value, context.scope, analysis):
            call = ast.unparse(node)
            yield context.finding(
                self, node, f"a full reduction of a tensor gave a Python number before 0.4: write {call}.item()",
                fixable=True,
            )

    def fix(self, node, finding):
        return method_call(node.with_changes(lpar=[], rpar=[]), "item").with_changes(lpar=node.lpar, rpar=node.rpar)


def _tensor_world(node, scope, analysis, depth=0):
    """Is `node` a 0.3 Tensor: reached from a `.data` through tensor methods and indexing?"""
    if depth > 6:
        return False
    depth += 1
    if isinstance(node, ast.Attribute):
        return node.attr == "data" or (node.attr == "T" and _tensor_world(node.value, scope, analysis, depth))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _EXITS or node.func.attr in _NUMBER_REDUCTIONS and not node.args:
            return False
        return _tensor_world(node.func.value, scope, analysis, depth)
    if isinstance(node, ast.Subscript):
        return _tensor_world(node.value, scope, analysis, depth)
    if isinstance(node, ast.BinOp):
        return _tensor_world(node.left, scope, analysis, depth) or _tensor_world(node.right, scope, analysis, depth)
    if isinstance(node, ast.Name):
        values = scope.values(node.id)
        return bool(values) and None not in values and all(_tensor_world(v, scope, analysis, depth) for v in values)
    return False


class CatScalars(Rule):
    code = "VS204"
    title = "torch.cat(losses) of one-element results"
    modern = "torch.stack(losses)"
    nodes = (ast.Call,)

    def check(self, node, context):
        analysis = context.analysis
        if analysis.qualify(node.func) != "torch.cat" or len(node.args) != 1 or node.keywords:
            return
        items = node.args[0]
        if not isinstance(items, ast.Name):
            return
        scope = context.scope
        values = scope.values(items.id)
        if not values or any(not (isinstance(v, ast.List) and not v.elts) for v in values):
            return  # only lists built here with `append`
        appended = [s for s in _scopes(scope, items.id) for s in s.appended(items.id)]
        if not appended:
            return
        message = (f"0.3 results were size (1,), they are 0-dim since 0.4 and torch.cat refuses them: "
                   f"write torch.stack({items.id})")
        if all(analysis.is_scalar(value, scope) for value in appended) and isinstance(node.func, ast.Attribute):
            yield context.finding(self, node, message, fixable=True)
        elif analysis.imports_legacy_variable():
            yield context.finding(self, node, message + " if its items are one-element results",
                                  suggestion=f"torch.stack({items.id})")

    def fix(self, node, finding):
        func = node.func
        return node.with_changes(func=func.with_changes(attr=cst.Name("stack")))


def _scopes(scope, name):
    """The scope that binds `name` (where its appends are)."""
    while scope is not None and name not in scope.bindings:
        scope = scope.parent
    return [scope] if scope is not None else []
