"""Scalars and 0-dim results (VS2xx): `loss.data[0]`, `loss[0]`, reductions and elements of 0.3
Tensors, `torch.cat` of one-element results, integer indices as loss targets, `x.squeeze()[0]`.

Legacy: before 0.4 there were no 0-dim tensors. A loss, a full reduction of a Variable and an
integer index of a 1-D Variable were size-(1,) Variables; a full reduction or a single element of
a Tensor was a Python number (pytorch/pytorch v0.3.1 torch/tensor.py, torch/autograd/variable.py
`__getitem__`). Modern: 0-dim results, `.item()` for the number (0.4.0 migration guide, "0-dim
tensors" and "Deprecation of .data[0]"). Where the legacy size (1,) matters (a loss target, a
`torch.cat`), `torch.atleast_1d(x)` is 0.3's value exactly: x itself unless it is 0-dim, then x as
size (1,).
"""

import ast
import dataclasses
import re

from ..analysis import LOSSES
from ..edits import cst, method_call
from ..rule import ANY_NAME, NOT_A_NAME, NamesTorch, Rule

__all__ = ["DataIndex", "ScalarIndex", "TensorReduction", "CatScalars", "IndexTarget", "TensorElement",
           "SqueezeIndex"]

# Full reductions of a 0.3 Tensor returned Python numbers (v0.3.1 torch/tensor.py, TH bindings:
# the declarations returning `real`/`accreal`).
_NUMBER_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min", "std", "var", "norm", "median", "dot"})
# Where a 0-dim value and the Python number 0.3 gave behave alike: arithmetic, comparisons,
# methods called on it, further indexing (judged at the outer index), torch calls.
_NUMERIC_PARENTS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Attribute, ast.AugAssign, ast.BoolOp)


def _index_zero(node):
    return (
        isinstance(node.ctx, ast.Load)
        and isinstance(node.slice, ast.Constant)
        and type(node.slice.value) is int
        and node.slice.value == 0
    )


def _as_item(node, receiver):
    return method_call(receiver, "item").with_changes(lpar=node.lpar, rpar=node.rpar)


def _item_of(node):
    """`node.item()`, keeping the parentheses around `node`."""
    return method_call(node.with_changes(lpar=[], rpar=[]), "item").with_changes(lpar=node.lpar, rpar=node.rpar)


def _legacy_file(analysis):
    return analysis.targets_0_3()


@dataclasses.dataclass(frozen=True)
class IndexPlan:
    """`torch.atleast_1d(node)` (`torch`: the file's name for the module, `bound`: it has one),
    or `node.view(1)` when the node is known to be 0-dim."""

    view: bool = False
    torch: str = "torch"
    bound: bool = True


def _wrapped(node, plan):
    if plan.view:
        return method_call(node.with_changes(lpar=[], rpar=[]), "view", cst.Integer("1")).with_changes(
            lpar=node.lpar, rpar=node.rpar)
    func = cst.Attribute(value=cst.Name(plan.torch), attr=cst.Name("atleast_1d"))
    return cst.Call(func=func, args=[cst.Arg(node.with_changes(lpar=[], rpar=[]))], lpar=node.lpar, rpar=node.rpar)


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
        if context.analysis.one_element(value.value, context.scope):
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
        if context.analysis.one_element(value, context.scope):
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
    names = _NUMBER_REDUCTIONS

    def check(self, node, context):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _NUMBER_REDUCTIONS) or node.keywords:
            return
        if func.attr == "dot":
            if len(node.args) != 1:
                return
        elif node.args and not (func.attr == "norm" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)):
            return
        parent = context.parent()
        if isinstance(parent, ast.Attribute) and parent.attr == "item":
            return  # already modern
        analysis = context.analysis
        if not _legacy_file(analysis):  # `.data` in modern code is a plain tensor
            return
        call = ast.unparse(node)
        message = f"a full reduction of a tensor gave a Python number before 0.4: write {call}.item()"
        if analysis.is_legacy_tensor(func.value, context.scope):
            yield context.finding(self, node, message, fixable=True)
        elif analysis.calls_variable() and analysis.made_here(func.value, context.scope) and not _formatted(context):
            # A plain tensor this 0.3 file made; after a migration the same text may be a former
            # Variable, so this is never rewritten.
            yield context.finding(self, node, message + " (a plain tensor made here was a 0.3 Tensor)",
                                  suggestion=f"{call}.item()")

    def fix(self, node, finding):
        return _item_of(node)


def _formatted(context):
    """Is the expression an operand of a numeric format (`'%.4f' % x`, `'{:.4f}'.format(x)`), where
    a 0-dim tensor prints as its number?"""
    parent = context.parent()
    template = _percent_format(context.parent(2) if isinstance(parent, ast.Tuple) else parent)
    if template is not None:
        return bool(_NUMERIC_PERCENT.fullmatch(template))
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr == "format":
        template = parent.func.value
        return isinstance(template, ast.Constant) and isinstance(template.value, str) and _numeric_fields(template.value)
    return False


def _used_as_number(context):
    """Is the expression used where only a number does (a size, a key, printed as such), not in
    arithmetic, a comparison or a numeric format?"""
    parent = context.parent()
    if _formatted(context):
        return False
    if _percent_format(context.parent(2) if isinstance(parent, ast.Tuple) else parent) is not None:
        return True  # '%s' % x prints tensor(...)
    if isinstance(parent, _NUMERIC_PARENTS):
        return False
    if isinstance(parent, ast.Call) and (context.analysis.qualify(parent.func) or "").startswith("torch."):
        return not (context.analysis.qualify(parent.func) or "").endswith("Tensor")  # sizes: torch.FloatTensor(n)
    return True


# A %-format whose conversions are all numeric, and str.format fields with a numeric type.
_NUMERIC_PERCENT = re.compile(r"(?:[^%]|%%|%[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgG])*", re.S)
_FIELD = re.compile(r"(?<!\{)\{([^{}]*)\}")


def _percent_format(node):
    """The template of `'...' % args` when `node` is that operation, else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return node.left.value
    return None


def _numeric_fields(template):
    fields = _FIELD.findall(template)
    return bool(fields) and all(":" in f and f.rstrip()[-1:] in "bcdeEfFgGnoxX%" for f in fields)


class CatScalars(NamesTorch):
    code = "VS204"
    title = "torch.cat(losses) of one-element results"
    modern = "torch.stack(losses)"
    nodes = (ast.Call,)
    names = frozenset({"cat"})

    def check(self, node, context):
        analysis = context.analysis
        if analysis.qualify(node.func) != "torch.cat" or len(node.args) != 1 or not isinstance(node.func, ast.Attribute):
            return
        if any(k.arg != "dim" or not _is_zero(k.value) for k in node.keywords):
            return
        items = node.args[0]
        scope = context.scope
        if isinstance(items, (ast.List, ast.Tuple)):
            values, name = [(v, scope) for v in items.elts], None
        elif isinstance(items, ast.Name):
            values, name = _appended(analysis, scope, items.id), items.id
        else:
            return
        if not values or any(isinstance(v, ast.Starred) for v, _ in values):
            return
        if all(analysis.is_scalar(v, s) for v, s in values):
            target = name or ast.unparse(items)
            yield context.finding(
                self, node, f"0.3 results were size (1,), they are 0-dim since 0.4 and torch.cat refuses them: "
                f"write torch.stack({target})", fixable=True, plan=CatPlan(stack=True))
        elif name and _legacy_file(analysis) and not all((analysis.ndim(v, s) or 0) >= 1 for v, s in values):
            torch = analysis.torch_name()
            source = name or ast.unparse(items)
            yield context.finding(
                self, node, f"0.3 results were never 0-dim, today's 0-dim ones make torch.cat fail: write "
                f"torch.cat([torch.atleast_1d(x) for x in {source}]) (torch.stack({source}) if every item is "
                f"one value)", fixable=True, plan=CatPlan(stack=False, torch=torch or "torch", bound=bool(torch)))

    def fix(self, node, finding):
        func = node.func
        if finding.plan.stack:
            return node.with_changes(func=func.with_changes(attr=cst.Name("stack")))
        items = node.args[0].value
        element = cst.Name("x")  # the comprehension's own name: `items` is read outside it
        each = cst.Call(func=cst.Attribute(value=cst.Name(finding.plan.torch), attr=cst.Name("atleast_1d")),
                        args=[cst.Arg(element)])
        comprehension = cst.ListComp(elt=each, for_in=cst.CompFor(target=element, iter=items))
        return node.with_changes(args=[node.args[0].with_changes(value=comprehension)])


@dataclasses.dataclass(frozen=True)
class CatPlan:
    stack: bool
    torch: str = "torch"
    bound: bool = True  # the file binds the torch name (else `import torch` is added)


def _appended(analysis, scope, name):
    """[(value, scope)] appended to a list `name` built here (bound only to `[]`), or []."""
    home = scope.binding(name)
    if home is None:
        return []
    values = home.bindings[name]
    if not values or any(not (isinstance(v, ast.List) and not v.elts) for v in values):
        return []
    return [(v, home) for v in home.appended(name)]


def _is_zero(node):
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == 0


def _has_slice(subscript):
    parts = subscript.slice.elts if isinstance(subscript.slice, ast.Tuple) else [subscript.slice]
    return any(isinstance(part, ast.Slice) for part in parts)


class IndexTarget(NamesTorch):
    code = "VS205"
    title = "criterion(output, target[i]) (a size-(1,) target in 0.3)"
    modern = "criterion(output, target[i].view(1))"
    nodes = (ast.Call,)
    names = LOSSES | {ANY_NAME, NOT_A_NAME}  # F.nll_loss(...), criterion(...), nn.NLLLoss()(...)

    def check(self, node, context):
        analysis = context.analysis
        if not _legacy_file(analysis) or not analysis.is_loss_call(node, context.scope):
            return
        target = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "target"), None)
        if not isinstance(target, ast.Subscript) or _has_slice(target):
            return  # a slice keeps its dimension: the result is at least 1-D
        rank = analysis.ndim(target, context.scope)
        if rank is not None and rank >= 1:
            return
        source = ast.unparse(target)
        torch = analysis.torch_name()
        if rank == 0:
            modern, plan = f"{source}.view(1)", IndexPlan(view=True)
        else:
            modern, plan = f"torch.atleast_1d({source})", IndexPlan(torch=torch or "torch", bound=bool(torch))
        yield context.finding(
            self, target, f"an integer index of a 1-D Variable was a size-(1,) target in 0.3, it is 0-dim since 0.4 "
            f"(the loss then sees batch size 0): write {modern}", fixable=True, plan=plan)

    def fix(self, node, finding):
        return _wrapped(node, finding.plan)


class TensorElement(Rule):
    code = "VS206"
    title = "t[i, j] (a single element of a 0.3 Tensor) used as a number"
    modern = "t[i, j].item()"
    nodes = (ast.Subscript,)

    def check(self, node, context):
        parent = context.parent()
        if not isinstance(node.ctx, ast.Load) or (isinstance(parent, ast.Subscript) and parent.value is node):
            return  # x[0][0]: judged at the outer index
        if isinstance(parent, ast.Attribute):
            return  # a method of the element: x[0, 1].item()
        analysis, scope = context.analysis, context.scope
        if not _legacy_file(analysis):
            return
        base, count = node, 0
        while isinstance(base, ast.Subscript):
            indices = analysis.integer_indices(base, scope)
            if indices is None:
                return
            count, base = count + indices, base.value
        if count == 0 or analysis.one_element(node.value, scope):
            return  # slices; loss[0] and x.data[0] of one element are VS201/VS202's
        if isinstance(node.value, ast.Attribute) and node.value.attr == "data" and _index_zero(node):
            return  # VS201's
        legacy = analysis.is_legacy_tensor(base, scope)
        if not legacy and not (analysis.calls_variable() and analysis.made_here(base, scope)):
            return
        rank = analysis.ndim(base, scope)
        source = ast.unparse(node)
        message = f"a single element of a 0.3 Tensor was a Python number, it is a 0-dim tensor since 0.4: write {source}.item()"
        if rank == count and legacy:
            yield context.finding(self, node, message, fixable=True)
        elif (rank == count or (rank is None and count >= 2)) and _used_as_number(context):
            yield context.finding(self, node, message + " if it is one element (its rank is not known here)"
                                  if rank is None else message, suggestion=f"{source}.item()")

    def fix(self, node, finding):
        return _item_of(node)


class SqueezeIndex(Rule):
    code = "VS207"
    title = "x.squeeze()[0] (0.3 kept size (1,))"
    modern = "x.item()"
    nodes = (ast.Subscript,)

    def check(self, node, context):
        value = node.value
        if not (_index_zero(node) and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr == "squeeze" and not value.args and not value.keywords):
            return
        if context.analysis.one_element(value, context.scope):
            return  # VS202 rewrites it
        if not _legacy_file(context.analysis):
            return
        receiver = ast.unparse(value.func.value)
        yield context.finding(
            self, node, f"0.3's squeeze() of a one-element tensor kept size (1,), it is 0-dim since 0.4 and [0] "
            f"fails: write {receiver}.item() if it holds one value, torch.atleast_1d({receiver}.squeeze())[0] "
            f"otherwise", suggestion=f"{receiver}.item()")
