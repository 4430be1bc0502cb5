"""Variable and volatile (VS1xx): `Variable(x, ...)`, `volatile=True`, `.volatile`, `.creator`.

Legacy: pytorch/pytorch v0.3.1 torch/autograd/variable.py; modern: the 0.4.0 migration guide
(pytorch.github.io _posts/2018-04-22-pytorch-0_4_0-migration-guide.md).
"""

import ast
import dataclasses
import re

from ..analysis import add_children
from ..edits import cst, keyword, method_call, parenthesized
from ..rule import NamesTorch, Rule

__all__ = ["VariableWrapper", "Volatile", "VolatileAttribute", "Creator", "VariableType"]

# Calls that certainly return a tensor object nobody else holds (so requires_grad_() on it is the
# legacy "new leaf on the same storage" without touching anyone's tensor).
_FRESH_PREFIXES = ("torch.",)
_MAY_RETURN_INPUT = frozenset({"torch.as_tensor", "torch.asarray"})  # `as_tensor(t) is t`
_FRESH_METHODS = frozenset({"clone", "detach"})
# Where an expression needs no parentheses of its own.
_SAFE_PARENTS = (ast.Assign, ast.AnnAssign, ast.keyword, ast.Return, ast.List, ast.Tuple, ast.Expr)
# Statements after which a no_grad region would change what gets differentiated.
_DIFFERENTIATES = frozenset({"backward", "grad", "step"})
# What `_differentiates` looks for, as words of the source.
_DIFFERENTIATING_WORDS = re.compile("return|yield|await|global|nonlocal|backward|grad|step")
_DIFFERENTIATES_AFTER = "the code after it differentiates, returns or yields"


def _flag(call, name):
    """(present, literal value or the expression node) of a keyword of an ast Call."""
    for argument in call.keywords:
        if argument.arg == name:
            value = argument.value
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


def _needs_no_parentheses(node, context):
    parent = context.parent()
    return isinstance(parent, _SAFE_PARENTS) or (isinstance(parent, ast.Call) and node is not parent.func)


@dataclasses.dataclass(frozen=True)
class Unwrap:
    """How `Variable(data, ...)` becomes a tensor expression (the plan of a VS101/VS102 finding)."""

    mode: str = "plain"  # "plain": the data; "grad": data.requires_grad_(); "grad-flag": ...requires_grad_(flag)
    safe: bool = False  # plain: the data needs no parentheses where the call stood
    fresh: bool = False  # grad: the data is a new tensor (no `.detach()` needed)
    no_grad_from: int = 0  # VS102: the line of the statement a `with torch.no_grad():` starts at (0: none)


def _unwrap(call, plan):
    """The libcst rewrite of `Variable(data, ...)` to a plain tensor expression."""
    data = call.args[0].value
    if plan.mode == "plain":
        result = data if plan.safe else parenthesized(data)
        return result.with_changes(lpar=call.lpar or result.lpar, rpar=call.rpar or result.rpar)
    receiver = data if plan.fresh else method_call(data, "detach")
    if plan.mode == "grad":
        flag = []
    else:
        flag = [call.args[1].value if len(call.args) > 1 else keyword(call, "requires_grad").value]
    return method_call(receiver, "requires_grad_", *flag).with_changes(lpar=call.lpar, rpar=call.rpar)


class _VariableCall(Rule):
    """VS101 and VS102: a `Variable(...)` call becomes its tensor, and the `x = x` statements
    that `x = Variable(x)` leaves behind are removed. VS102 takes the calls whose `volatile=` may
    be true, VS101 the others."""

    nodes = (ast.Call,)
    names = frozenset({"Variable"})
    volatile = False

    def check(self, node, context):
        if context.analysis.is_variable(node.func):
            _, volatile = _flag(node, "volatile")  # False when absent
            if (volatile is not False) is self.volatile:
                yield from self.check_call(node, context, volatile)

    def check_call(self, node, context, volatile):
        raise NotImplementedError

    def fix(self, node, finding):
        return _unwrap(node, finding.plan)

    def fix_block(self, block, applied):
        lines = {finding.line for finding in applied}
        index = 0
        while index < len(block.statements):
            line, statement = block.statements[index]
            if line in lines and _is_self_assignment(statement):
                block.remove(index)
            else:
                index += 1


def _is_self_assignment(statement):
    """`x = x` or `a, b = a, b` (a libcst statement): what `x = Variable(x)` leaves behind."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    assign = statement.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return False
    names = _names(assign.targets[0].target)
    return names is not None and names == _names(assign.value)


def _names(node):
    if isinstance(node, cst.Name):
        return (node.value,)
    if isinstance(node, cst.Tuple) and all(isinstance(e.value, cst.Name) for e in node.elements):
        return tuple(e.value.value for e in node.elements)
    return None


class VariableWrapper(_VariableCall):
    code = "VS101"
    title = "Variable(x), Variable(x, requires_grad=True)"
    modern = "x, x.requires_grad_()"

    def check_call(self, node, context, volatile):
        analysis = context.analysis
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
            yield context.finding(
                self, node, f"Variable(x) is a no-op since 0.4: use the tensor itself: {data}",
                fixable=True, plan=Unwrap(safe=_needs_no_parentheses(node, context)),
            )
            return
        receiver = data if fresh else f"{data}.detach()"
        flag = "" if requires_grad is True else ast.unparse(requires_grad)
        yield context.finding(
            self, node, f"Variable(x, requires_grad=...) is a tensor since 0.4: write {receiver}.requires_grad_({flag})",
            fixable=True, plan=Unwrap(mode="grad" if requires_grad is True else "grad-flag", fresh=fresh),
        )


class _NoGradRegions:
    """VS102's state in one file: the statement lists already given a no_grad block, and where;
    and, computed once per statement list, where each statement sits and what differentiates."""

    def __init__(self, analysis):
        self._words = analysis.words
        self.starts = {}  # id(ast statement list) -> index of the first statement of its no_grad block
        self._places = {}  # id(container) -> {id(statement): (its statement list, index)}
        self._last_differentiating = {}  # id(statement list) -> index of its last statement that differentiates

    def place(self, container, child):
        """(the statement list of `container` holding `child`, its index), or (None, None)."""
        places = self._places.get(id(container))
        if places is None:
            places = self._places[id(container)] = {}
            if not isinstance(container, ast.ClassDef):
                for field in ("body", "orelse", "finalbody"):
                    block = getattr(container, field, None)
                    if isinstance(block, list):
                        for index, statement in enumerate(block):
                            places.setdefault(id(statement), (block, index))
        return places.get(id(child), (None, None))

    def differentiates_from(self, block, start):
        """Does a statement of `block` from index `start` on differentiate, return or yield?"""
        last = self._last_differentiating.get(id(block))
        if last is None:  # from the end: the last one is often a return
            last = self._last_differentiating[id(block)] = next(
                (i for i in range(len(block) - 1, -1, -1) if type(block[i]) not in _DEFINITIONS
                 and self._words.may_hold(_DIFFERENTIATING_WORDS, block[i]) and _differentiates(block[i])), -1)
        return last >= start


class Volatile(_VariableCall):
    code = "VS102"
    title = "Variable(x, volatile=True)"
    modern = "with torch.no_grad(): ... x"
    volatile = True
    State = _NoGradRegions

    def check_call(self, node, context, volatile):
        analysis = context.analysis
        message = "volatile=True was removed in 0.4: use the tensor and run this code under `with torch.no_grad():`"
        _, requires_grad = _flag(node, "requires_grad")
        if volatile is not True or requires_grad is not False or not _simple_variable_call(node, analysis):
            yield context.finding(self, node, message, suggestion="with torch.no_grad(): ...")
            return
        region = self._region(node, context)
        if isinstance(region, str):
            yield context.finding(
                self, node, f"{message} (the no-grad region is unclear here: {region})",
                suggestion=f"with torch.no_grad():  # around the inference code using {_data_code(node)}",
            )
            return
        start = 0 if region is True else region.lineno
        plan = Unwrap(safe=_needs_no_parentheses(node, context), no_grad_from=start)
        yield context.finding(self, node, message, fixable=True, plan=plan)

    def _region(self, node, context):
        """The statement a no_grad block must start at; True if already inside one; why not if unclear."""
        parents = context.parents
        regions = context.state(self)
        statement_at = None
        for depth in range(len(parents) - 1, -1, -1):
            ancestor = parents[depth]
            if isinstance(ancestor, ast.With) and any(_is_no_grad(item.context_expr, context) for item in ancestor.items):
                return True
            child = parents[depth + 1] if depth + 1 < len(parents) else node
            block, index = regions.place(ancestor, child)
            if block is not None and regions.starts.get(id(block), index + 1) <= index:
                return True
            if statement_at is None and isinstance(child, ast.stmt) and block is not None:
                statement_at = (block, index, child)
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                break
        if statement_at is None:
            return _DIFFERENTIATES_AFTER
        block, start, statement = statement_at
        if not _starts_its_line(statement, context):  # `for x in xs: v = ...`, `a(); v = ...`
            return "other code shares its line"
        if regions.differentiates_from(block, start):
            return _DIFFERENTIATES_AFTER
        regions.starts[id(block)] = min(start, regions.starts.get(id(block), start))
        return statement

    def fix_block(self, block, applied):
        super().fix_block(block, applied)  # `x = x` removed first: the region starts at what follows
        lines = set(block.lines)
        starts = [f.plan.no_grad_from for f in applied if f.plan.no_grad_from in lines]
        index = block.index_from(min(starts)) if starts else None
        if index is None:
            return
        line, first = block.statements[index]
        body = [first.with_changes(leading_lines=[])] + [statement for _, statement in block.statements[index + 1:]]
        no_grad = cst.With(
            items=[cst.WithItem(cst.parse_expression("torch.no_grad()"))],
            body=cst.IndentedBlock(body=body),
            leading_lines=first.leading_lines,
        )
        block.statements[index:] = [(line, no_grad)]
        block.require_import("torch")


def _starts_its_line(statement, context):
    text = context.lines[statement.lineno - 1].encode()
    return not text[:statement.col_offset].strip()


def _is_no_grad(expression, context):
    return isinstance(expression, ast.Call) and context.analysis.qualify(expression.func) == "torch.no_grad"


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})  # `_differentiates` does not enter them


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
            add_children(stack, node)
    return False


class VolatileAttribute(Rule):
    code = "VS103"
    title = "x.volatile"
    modern = "torch.no_grad() / torch.is_grad_enabled()"
    nodes = (ast.Attribute,)
    names = frozenset({"volatile"})

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
    names = frozenset({"creator"})

    def check(self, node, context):
        if node.attr == "creator" and isinstance(node.ctx, ast.Load):
            yield context.finding(
                self, node, "Variable.creator was renamed in 0.2: write .grad_fn", fixable=True,
            )

    def fix(self, node, finding):
        return node.with_changes(attr=cst.Name("grad_fn"))


@dataclasses.dataclass(frozen=True)
class TypePlan:
    negated: bool  # `!=` / `is not`
    torch: str = "torch"
    bound: bool = True


class VariableType(NamesTorch):
    code = "VS105"
    title = "type(h) == Variable"
    modern = "isinstance(h, torch.Tensor)"
    nodes = (ast.Compare,)

    def check(self, node, context):
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            return
        analysis = context.analysis
        sides = (node.left, node.comparators[0])
        typed = next((s.args[0] for s in sides if _is_type_call(s, context)), None)
        if typed is None or not any(analysis.is_variable(s) for s in sides):
            return
        negated = isinstance(node.ops[0], (ast.NotEq, ast.IsNot))
        torch = analysis.torch_name()
        modern = f"{'not ' if negated else ''}isinstance({ast.unparse(typed)}, torch.Tensor)"
        message = (f"every tensor is a Variable since 0.4 and type(x) is torch.Tensor, never Variable "
                   f"(a hidden state then falls through to the tuple branch and is iterated down to 0-d): write {modern}")
        # In a hidden-state helper (the function also iterates what it tests: a Variable or a tuple
        # of them), isinstance is the same choice 0.3 made for every value it is given.
        fixable = any(ast.dump(loop) == ast.dump(typed) for loop in _iterated(context))
        yield context.finding(
            self, node, message if fixable else message + " (0.3 told Variables from plain tensors and Parameters here)",
            fixable=fixable, suggestion="" if fixable else modern,
            plan=TypePlan(negated, torch or "torch", bound=bool(torch)),
        )

    def fix(self, node, finding):
        sides = (node.left, node.comparisons[0].comparator)
        typed = next(s for s in sides if isinstance(s, cst.Call) and isinstance(s.func, cst.Name)).args[0].value
        plan = finding.plan
        tensor = cst.Attribute(value=cst.Name(plan.torch), attr=cst.Name("Tensor"))
        check = cst.Call(func=cst.Name("isinstance"), args=[
            cst.Arg(typed, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(tensor)])
        if plan.negated:
            return cst.UnaryOperation(operator=cst.Not(), expression=check, lpar=node.lpar, rpar=node.rpar)
        return check.with_changes(lpar=node.lpar, rpar=node.rpar)


def _is_type_call(node, context):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"
            and len(node.args) == 1 and not node.keywords and context.scope.binding("type") is None)


def _iterated(context):
    """The iterables of the for loops and comprehensions of the enclosing function."""
    function = next((p for p in reversed(context.parents) if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef))),
                    None)
    if function is None:
        return []
    return [n.iter for n in ast.walk(function) if isinstance(n, (ast.For, ast.comprehension))]
