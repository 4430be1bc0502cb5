"""Small libcst constructions the rules share (parenthesising, method calls, keyword edits)."""

import libcst as cst

__all__ = ["parenthesized", "method_call", "keyword", "without_keywords", "last_arg_fixed", "with_arg_inserted"]

_ATOMS = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString,
    cst.List, cst.Tuple, cst.Dict, cst.Set, cst.ConcatenatedString, cst.FormattedString,
)


def parenthesized(expression):
    """`expression`, in parentheses unless it is atomic (safe as the receiver of `.attr`)."""
    if isinstance(expression, _ATOMS) or expression.lpar:
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
