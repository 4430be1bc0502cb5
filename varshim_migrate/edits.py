"""Small libcst constructions the rules share (parenthesising, method calls, keyword edits), and
`cst`: libcst itself, imported on first use.

Rules are imported by `check`, which must not pay for libcst (about 0.4 s): a rule module writes
`cst.Name(...)` in its `fix` as usual, and libcst loads the first time a fix runs.
"""

import functools
import importlib

__all__ = [
    "cst", "parenthesized", "method_call", "keyword", "without_keywords", "last_arg_fixed", "with_arg_inserted",
    "keyword_arg", "renamed",
]


class _OnFirstUse:
    """A module's attributes, importing it at the first one asked for (then cached here)."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)
        return value


cst = _OnFirstUse("libcst")


def _atoms():
    return (
        cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString,
        cst.List, cst.Tuple, cst.Dict, cst.Set, cst.ConcatenatedString, cst.FormattedString,
    )


def parenthesized(expression):
    """`expression`, in parentheses unless it is atomic (safe as the receiver of `.attr`)."""
    if isinstance(expression, _atoms()) or expression.lpar:
        return expression
    return expression.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def method_call(receiver, name, *args):
    """`receiver.name(*args)`."""
    return cst.Call(
        func=cst.Attribute(value=parenthesized(receiver), attr=cst.Name(name)),
        args=[cst.Arg(value=a) for a in args],
    )


def keyword(call, name):
    """The keyword argument `name` of a libcst Call, or None."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def keyword_arg(name, value):
    """The argument `name=value` (no spaces around `=`, as PEP 8 writes keywords)."""
    return cst.Arg(
        keyword=cst.Name(name), value=value,
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def without_keywords(call, names):
    """`call` with the keyword arguments in `names` removed (trailing comma tidied)."""
    args = [a for a in call.args if a.keyword is None or a.keyword.value not in names]
    return call.with_changes(args=last_arg_fixed(args))


def last_arg_fixed(args):
    """Arguments whose last one carries no comma unless the call had a trailing comma layout."""
    args = list(args)
    if args and args[-1].comma is not cst.MaybeSentinel.DEFAULT:
        comma = args[-1].comma
        if isinstance(comma, cst.Comma) and "\n" not in cst.Module([]).code_for_node(comma):
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args


def with_arg_inserted(args, position, new):
    """`args` with `new` inserted at `position`, commas written as `a, b`."""
    args = list(args)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if position < len(args):
        new = new.with_changes(comma=comma)
    elif args:
        args[-1] = args[-1].with_changes(comma=comma)
    args.insert(position, new)
    return args


def renamed(node, old, new):
    """`node` with the local name `old` spelled `new` everywhere but in attribute and keyword names."""
    return node.visit(_renamer()(old, new))


@functools.cache
def _renamer():
    class Rename(cst.CSTTransformer):
        """Dispatches on the three node types it edits itself (a transformer looks up a
        `visit_<Node>`, `leave_<Node>` and the attribute hooks by name for every node and field)."""

        def __init__(self, old, new):
            super().__init__()
            self.old, self.new = old, new

        def on_visit(self, node):
            return True

        def on_visit_attribute(self, node, attribute):
            pass

        def on_leave_attribute(self, original, attribute):
            pass

        def on_leave(self, original, updated):
            kind = type(original)
            if kind is cst.Name:
                return updated.with_changes(value=self.new) if original.value == self.old else updated
            if kind is cst.Attribute:
                return updated.with_changes(attr=original.attr)
            if kind is cst.Arg:
                return updated.with_changes(keyword=original.keyword)
            return updated

    return Rename
