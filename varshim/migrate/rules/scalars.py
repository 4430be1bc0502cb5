"""Scalars (VS2xx): `loss.data[0]` and `loss[0]` on one-element results.

Legacy: before 0.4 there were no 0-dim tensors; a loss was a size-(1,) Variable and
`loss.data[0]` its Python number (pytorch/pytorch v0.3.1 torch/tensor.py). Modern: 0-dim
results, `loss.item()` (0.4.0 migration guide, "Deprecation of .data[0]").
"""

import ast

from ..edits import method_call
from ..rule import Rule

__all__ = ["DataIndex", "ScalarIndex"]


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
