"""Function (VS4xx): legacy `torch.autograd.Function` subclasses and their `Fn()(x)` calls.

Legacy: instance methods `forward(self, ...)`/`backward(self, ...)`, one instance per call,
`MyFn(args)(x)` (pytorch.github.io docs/0.1.12/_sources/notes/extending.rst.txt; pytorch/pytorch
v0.3.1 torch/autograd/function.py). Modern: `@staticmethod forward(ctx, ...)`/`backward(ctx, ...)`
called as `MyFn.apply(x)` (torch/autograd/function.py). The rewrite is exact when the class has
no constructor state and every use of it is `MyFn()(...)`: `ctx` takes the place of the instance.
"""

import ast
import collections
import re

from ..analysis import add_children
from ..edits import cst, renamed
from ..rule import NOT_A_NAME, Rule

__all__ = ["LegacyFunction", "LegacyFunctionCall"]

_FUNCTION = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})
_METHODS = ("forward", "backward")
_SUGGESTION = (
    "@staticmethod forward(ctx, *inputs, *params) / @staticmethod backward(ctx, *grads) returning "
    "None for each param; call Fn.apply(*inputs, *params)"
)


def _methods(classdef):
    return {s.name: s for s in classdef.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}


class LegacyFunctions:
    """The state VS401 and VS402 share in one file: its legacy Function classes, each with the
    reason it cannot be rewritten (None when it can)."""

    def __init__(self, analysis):
        classes = {}
        for node in _class_definitions(analysis):
            if not any(analysis.qualify(base) in _FUNCTION for base in node.bases):
                continue
            forward = _methods(node).get("forward")
            if forward is None or forward.decorator_list:
                continue  # already new-style
            classes[node.name] = [node, _blocker(node)]
        if classes:
            _check_uses(analysis, classes)
        self.classes = {name: tuple(entry) for name, entry in classes.items()}  # name -> (ClassDef, blocker)


def _blocker(classdef):
    methods = _methods(classdef)
    for statement in classdef.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # docstring
        name = getattr(statement, "name", None)
        if name in _METHODS and isinstance(statement, ast.FunctionDef):
            if statement.decorator_list or not statement.args.args:
                return f"{name} is not a plain instance method"
            continue
        if name == "__init__" and _trivial_init(statement):
            continue
        if name == "__init__":
            return "it has constructor state"
        return f"it defines {name or type(statement).__name__.lower()} besides forward/backward"
    if "backward" not in methods:
        return "it has no backward"
    return None


def _trivial_init(function):
    """`def __init__(self): super(...).__init__()` (or `pass`): no state."""
    if len(function.args.args) != 1 or function.args.vararg or function.args.kwarg:
        return False
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                and isinstance(statement.value.func, ast.Attribute) and statement.value.func.attr == "__init__"
                and not statement.value.args):
            continue
        return False
    return True


_STATEMENT_LISTS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


def _class_definitions(analysis):
    """Every class statement, in `ast.walk`'s order (breadth first), visiting statement lists only
    (and only those statements whose lines spell `class`)."""
    words = analysis.words
    todo = collections.deque([analysis.tree])
    while todo:
        node = todo.popleft()
        kind = type(node)
        if kind is ast.ClassDef:
            yield node
        fields = _LISTS_OF.get(kind)
        if fields is None:
            fields = _LISTS_OF[kind] = tuple(f for f in kind._fields if f in _STATEMENT_LISTS)
        for field in fields:
            value = getattr(node, field)
            if type(value) is list:
                todo.extend(s for s in value if not isinstance(s, ast.stmt) or words.may_hold(_CLASS, s))


_LISTS_OF = {}  # node type -> its fields among _STATEMENT_LISTS, in order
_CLASS = re.compile("class")


def _check_uses(analysis, classes):
    """Every use of a rewritable class must be `Fn()(...)`, `Fn.apply` or the definition itself."""
    named = re.compile("|".join(map(re.escape, classes)))
    words = analysis.words
    todo = collections.deque([analysis.tree])  # breadth first, as ast.walk: the first reason found is the one given
    while todo:
        parent = todo.popleft()
        found = []
        add_children(found, parent)
        for child in found:
            if isinstance(child, ast.stmt) and not words.may_hold(named, child):
                continue  # none of the names on its lines: nothing in it uses them
            todo.append(child)
            if type(child) is not ast.Call and type(child) is not ast.Name:
                continue
            if (isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in classes
                    and not (isinstance(parent, ast.Call) and parent.func is child)):
                # `f = Fn()` then `f(x)`: the instance outlives one call
                classes[child.func.id][1] = classes[child.func.id][1] or "an instance is kept and called later"
            if not (isinstance(child, ast.Name) and child.id in classes):
                continue
            entry = classes[child.id]
            if isinstance(parent, ast.Attribute) and parent.attr == "apply":
                continue
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "super":
                continue  # super(Fn, self) in its own methods
            if isinstance(parent, ast.Call) and parent.func is child and not parent.args and not parent.keywords:
                continue  # `Fn()`; whether it is called at once is checked at the call
            if isinstance(parent, ast.Call) and parent.func is child:
                entry[1] = entry[1] or "it is constructed with arguments (constructor state)"
            elif isinstance(parent, ast.ClassDef) and child in parent.bases:
                entry[1] = entry[1] or f"{parent.name} subclasses it"
            elif isinstance(child.ctx, ast.Load):
                entry[1] = entry[1] or "it is used other than as Fn()(...)"


class LegacyFunction(Rule):
    code = "VS401"
    title = "class F(Function) with forward(self, ...)"
    modern = "@staticmethod forward(ctx, ...), F.apply"
    nodes = (ast.ClassDef,)
    State = LegacyFunctions

    def check(self, node, context):
        entry = context.state(self).classes.get(node.name)
        if entry is None or entry[0] is not node:
            return
        blocker = entry[1]
        message = "legacy Function (instance forward/backward) fails since 1.3: make forward/backward " \
                  "@staticmethods taking ctx and call Fn.apply(...)"
        if blocker is None:
            yield context.finding(self, node, message, fixable=True)
        else:
            yield context.finding(self, node, f"{message} ({blocker})", suggestion=_SUGGESTION)

    def fix(self, node, finding):
        body = []
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
                continue
            if isinstance(statement, cst.FunctionDef) and statement.name.value in _METHODS:
                statement = _static(statement)
            body.append(statement)
        return node.with_changes(body=node.body.with_changes(body=body))


def _static(function):
    params = function.params.params
    old = params[0].name.value
    params = [params[0].with_changes(name=cst.Name("ctx"))] + list(params[1:])
    body = renamed(function.body, old, "ctx")
    return function.with_changes(
        decorators=[cst.Decorator(cst.Name("staticmethod"))],
        params=function.params.with_changes(params=params),
        body=body,
    )


class LegacyFunctionCall(Rule):
    code = "VS402"
    title = "F()(x) on a legacy Function"
    modern = "F.apply(x)"
    nodes = (ast.Call,)
    names = frozenset({NOT_A_NAME})  # Fn()(x)
    State = LegacyFunctions

    def check(self, node, context):
        inner = node.func
        if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)):
            return
        entry = context.state(self).classes.get(inner.func.id)
        if entry is None:
            return
        name = inner.func.id
        message = f"calling a legacy Function instance fails since 1.3: write {name}.apply(...)"
        if entry[1] is None:
            yield context.finding(self, node, message, fixable=True)
        else:
            yield context.finding(self, node, f"{message} ({entry[1]})", suggestion=f"{name}.apply(...)")

    def fix(self, node, finding):
        cls = node.func.func
        return node.with_changes(func=cst.Attribute(value=cls, attr=cst.Name("apply")))
