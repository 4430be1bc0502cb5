"""Variable and volatile (VS1xx): `Variable(x, ...)`, `volatile=True`, `.volatile`, `.creator`.

Legacy: pytorch/pytorch v0.3.1 torch/autograd/variable.py; modern: the 0.4.0 migration guide
(pytorch.github.io _posts/2018-04-22-pytorch-0_4_0-migration-guide.md).
"""

import ast

import libcst as cst

from ..edits import method_call, parenthesized
from ..rule import Rule

__all__ = ["VariableWrapper", "Volatile", "VolatileAttribute", "Creator"]

# Calls that certainly return a tensor object nobody else holds (so requires_grad_() on it is the
# legacy "new leaf on the same storage" without touching anyone's tensor).
_FRESH_PREFIXES = ("torch.",)
_MAY_RETURN_INPUT = frozenset({"torch.as_tensor", "torch.asarray"})  # `as_tensor(t) is t`
_FRESH_METHODS = frozenset({"clone", "detach"})
# Where an expression needs no parentheses of its own.
_SAFE_PARENTS = (ast.Assign, ast.AnnAssign, ast.keyword, ast.Return, ast.List, ast.Tuple, ast.Expr)
# Statements after which a no_grad region would change what gets differentiated.
_DIFFERENTIATES = frozenset({"backward", "grad", "step"})


def _flag(call, name):
    """(present, literal value or the expression node) of a keyword of an ast Call."""
    for keyword in call.keywords:
        if keyword.arg == name:
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                return True, value.value
            return True, value
    return False, False


def _simple_variable_call(call, analysis):
    """An ast Call of `Variable` whose arguments the rewrite understands."""
    return (
        analysis.is_variable(call.func)
        and len(call.args) == 1
        and not isinstance(call.args[0], ast.Starred)
        and all(k.arg in ("requires_grad", "volatile") for k in call.keywords)
    )


def _is_fresh(node, analysis):
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return True
    if isinstance(node, ast.Attribute) and node.attr == "data":
        return True  # a new alias object on every access
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in _FRESH_METHODS:
            return True
        qualified = analysis.qualify(node.func)
        return (bool(qualified) and qualified.startswith(_FRESH_PREFIXES) and qualified not in _MAY_RETURN_INPUT
                and not analysis.is_variable(node.func))
    return False


def _data_code(node):
    return ast.unparse(node.args[0])


def _unwrap(call, finding):
    """The libcst rewrite of `Variable(data, ...)` to a plain tensor expression."""
    data = call.args[0].value
    mode = finding.data.get("mode", "plain")
    if mode == "plain":
        result = data if finding.data.get("safe") else parenthesized(data)
        return result.with_changes(lpar=call.lpar or result.lpar, rpar=call.rpar or result.rpar)
    receiver = data if finding.data.get("fresh") else method_call(data, "detach")
    flag = [] if mode == "grad" else [call.args[1].value if len(call.args) > 1 else _keyword_value(call)]
    return method_call(receiver, "requires_grad_", *flag).with_changes(lpar=call.lpar, rpar=call.rpar)


def _keyword_value(call):
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "requires_grad":
            return arg.value
    raise LookupError("requires_grad")


class VariableWrapper(Rule):
    code = "VS101"
    title = "Variable(x), Variable(x, requires_grad=True)"
    modern = "x, x.requires_grad_()"
    nodes = (ast.Call,)

    def check(self, node, context):
        analysis = context.analysis
        if not analysis.is_variable(node.func):
            return
        has_volatile, volatile = _flag(node, "volatile")
        if has_volatile and volatile is not False:
            return  # Volatile (VS102) reports it
        if not _simple_variable_call(node, analysis):
            yield context.finding(
                self, node, "Variable(...) is a no-op since 0.4: use the tensor itself "
                "(x.requires_grad_() for requires_grad=True)", suggestion="x  # or x.requires_grad_()",
            )
            return
        data = _data_code(node)
        _, requires_grad = _flag(node, "requires_grad")
        fresh = _is_fresh(node.args[0], analysis)
        if requires_grad is False:
            parent = context.parent()
            safe = isinstance(parent, _SAFE_PARENTS) or (isinstance(parent, ast.Call) and node is not parent.func)
            yield context.finding(
                self, node, f"Variable(x) is a no-op since 0.4: use the tensor itself: {data}",
                fixable=True, data={"mode": "plain", "safe": safe},
            )
            return
        receiver = data if fresh else f"{data}.detach()"
        flag = "" if requires_grad is True else ast.unparse(requires_grad)
        yield context.finding(
            self, node, f"Variable(x, requires_grad=...) is a tensor since 0.4: write {receiver}.requires_grad_({flag})",
            fixable=True, data={"mode": "grad" if requires_grad is True else "grad-flag", "fresh": fresh},
        )

    def fix(self, node, finding):
        return _unwrap(node, finding)


class Volatile(Rule):
    code = "VS102"
    title = "Variable(x, volatile=True)"
    modern = "with torch.no_grad(): ... x"
    nodes = (ast.Call,)

    def check(self, node, context):
        analysis = context.analysis
        if not analysis.is_variable(node.func):
            return
        has_volatile, volatile = _flag(node, "volatile")
        if not has_volatile or volatile is False:
            return
        message = "volatile=True was removed in 0.4: use the tensor and run this code under `with torch.no_grad():`"
        _, requires_grad = _flag(node, "requires_grad")
        if volatile is not True or requires_grad is not False or not _simple_variable_call(node, analysis):
            yield context.finding(self, node, message, suggestion="with torch.no_grad(): ...")
            return
        region = self._region(node, context)
        if region is None:
            yield context.finding(
                self, node, message + " (the no-grad region is unclear here: the code after it "
                "differentiates, returns or yields)",
                suggestion=f"with torch.no_grad():  # around the inference code using {_data_code(node)}",
            )
            return
        parent = context.parent()
        safe = isinstance(parent, _SAFE_PARENTS) or (isinstance(parent, ast.Call) and node is not parent.func)
        data = {"mode": "plain", "safe": safe}
        if region is not True:
            data["wrap"] = region.lineno  # the statement the no_grad block starts at
        yield context.finding(self, node, message, fixable=True, data=data)

    def fix(self, node, finding):
        return _unwrap(node, finding)

    def _region(self, node, context):
        """The statement a no_grad block must start at; True if already inside one; None if unclear."""
        parents = context.parents
        wraps = context.__dict__.setdefault("_volatile_wraps", set())  # (id(block), start index)
        statement_at = None
        for depth in range(len(parents) - 1, -1, -1):
            ancestor = parents[depth]
            if isinstance(ancestor, ast.With) and any(_is_no_grad(item.context_expr, context) for item in ancestor.items):
                return True
            child = parents[depth + 1] if depth + 1 < len(parents) else node
            block = _block_of(ancestor, child)
            if block is not None and any(id(block) == b and start <= block.index(child) for b, start in wraps):
                return True
            if statement_at is None and isinstance(child, ast.stmt) and block is not None:
                statement_at = (block, child)
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                break
        if statement_at is None:
            return None
        block, statement = statement_at
        start = block.index(statement)
        if any(_differentiates(s) for s in block[start:]):
            return None
        wraps.add((id(block), start))
        return statement


def _is_no_grad(expression, context):
    return isinstance(expression, ast.Call) and context.analysis.qualify(expression.func) == "torch.no_grad"


def _block_of(container, child):
    for field in ("body", "orelse", "finalbody"):
        block = getattr(container, field, None)
        if isinstance(block, list) and any(s is child for s in block):
            return block if not isinstance(container, ast.ClassDef) else None
    return None


def _differentiates(statement):
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Global, ast.Nonlocal)):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in _DIFFERENTIATES:
                return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False


class VolatileAttribute(Rule):
    code = "VS103"
    title = "x.volatile"
    modern = "torch.no_grad() / torch.is_grad_enabled()"
    nodes = (ast.Attribute,)

    def check(self, node, context):
        if node.attr == "volatile":
            yield context.finding(
                self, node, "Variable.volatile was removed in 0.4: run inference under `with torch.no_grad():` "
                "(read torch.is_grad_enabled() instead of the flag)",
                suggestion="with torch.no_grad(): ...",
            )


class Creator(Rule):
    code = "VS104"
    title = "x.creator"
    modern = "x.grad_fn"
    nodes = (ast.Attribute,)

    def check(self, node, context):
        if node.attr == "creator" and isinstance(node.ctx, ast.Load):
            yield context.finding(
                self, node, "Variable.creator was renamed in 0.2: write .grad_fn", fixable=True,
            )

    def fix(self, node, finding):
        return node.with_changes(attr=cst.Name("grad_fn"))
