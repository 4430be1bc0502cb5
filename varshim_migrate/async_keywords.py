"""The `async=` keyword argument of PyTorch <= 0.3 (`x.cuda(async=True)`, `y.copy_(x, async=True)`).

`async` became a reserved word in Python 3.7, so such files do not even compile; torch 0.4 renamed
the argument `non_blocking` (pytorch/pytorch v0.4.0, torch/tensor.py `cuda(..., non_blocking=False)`).
`tokenize` still reads `async` as a NAME, so both functions here work on tokens:

- `rewrite_async_kwargs` returns the source with those keywords spelled `non_blocking` (the
  migrator's fix; lines keep their number, columns after the keyword move by 7);
  `rewrite_and_parse` does the same for a whole file and parses the result, tokenizing only the
  statements around each `async` (tokenize is as slow as the parser);
- `compile_legacy` compiles a file as `compile` would, but with those keywords accepted, keeping
  every line and column of the user's file (for tracebacks and coverage).

Pure standard library: the runner, the IPython transformer and the migrator import it.
"""

import ast
import bisect
import io
import keyword
import re
import tokenize

__all__ = ["async_kwarg_positions", "rewrite_async_kwargs", "rewrite_and_parse", "compile_legacy"]

_PLACEHOLDER = "_asyn"  # same length as "async", so nothing after it moves
_OPEN = {"(": ")", "[": "]", "{": "}"}
_NOT_CALLERS = {"def", "class", "lambda"}  # `def f(async=...)` is a parameter, not a keyword argument
_KEYWORDS = frozenset(keyword.kwlist) - {"True", "False", "None"}


def async_kwarg_positions(source):
    """(line, column) of every `async` NAME used as `async=` keyword argument of a call.

    Lines are 1-based, columns are 0-based character offsets (tokenize's). Tokenizing stops at the
    first token error; keywords found before it are returned (compile then reports that error).
    """
    positions = []
    brackets = []  # per open bracket: True if it is the parenthesis of a call
    previous = [None, None]  # the two last significant tokens
    pending = None  # an `async` NAME that may be followed by `=`
    lambdas = []  # bracket depths at which a lambda's parameters are being read
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENCODING):
                continue
            if pending is not None and token.type == tokenize.OP and token.string == "=":
                positions.append(pending)
            pending = None
            if token.type == tokenize.OP and token.string in _OPEN:
                brackets.append(token.string == "(" and _is_call(*previous))
            elif token.type == tokenize.OP and token.string in (")", "]", "}") and brackets:
                brackets.pop()
            elif token.type == tokenize.NAME and token.string == "lambda":
                lambdas.append(len(brackets))
            elif token.type == tokenize.OP and token.string == ":" and lambdas and lambdas[-1] == len(brackets):
                lambdas.pop()
            elif (token.type == tokenize.NAME and token.string == "async" and brackets and brackets[-1]
                  and previous[1] is not None and previous[1].string in ("(", ",")
                  and not (lambdas and lambdas[-1] == len(brackets))):
                pending = token.start
            previous = [previous[1], token]
    except (tokenize.TokenError, SyntaxError):
        pass
    return positions


def _is_call(before_name, opener):
    """Is a `(` after `opener` (preceded by `before_name`) the parenthesis of a call?"""
    if opener is None:
        return False
    if opener.type == tokenize.NAME:
        return opener.string not in _KEYWORDS and (before_name is None or before_name.string not in _NOT_CALLERS)
    return opener.type == tokenize.STRING or opener.string in (")", "]")


def _replace(source, positions, replacement):
    if not positions:
        return source
    lines = io.StringIO(source).readlines()  # the same line split tokenize uses
    for row, col in sorted(positions, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + replacement + line[col + len("async"):]
    return "".join(lines)


def rewrite_async_kwargs(source):
    """`source` with every `async=` keyword argument spelled `non_blocking=`; identity without one."""
    return _replace(source, async_kwarg_positions(source), "non_blocking")


# `async` then `=`: the first is a cheap filter (most files never tokenize); the second also finds
# the spellings tokenize accepts with a comment or a line break before the `=`.
_MAYBE = re.compile(r"\basync\s*=(?!=)")
_CANDIDATE = re.compile(r"\basync\b(?:\s|\\|#[^\r\n]*)*=(?!=)")
_STATEMENT_LISTS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


def rewrite_and_parse(source):
    """(`async_kwarg_positions(source)`, `rewrite_async_kwargs(source)`, the `ast` of that text or
    None), for a whole file.

    Every `async` followed by `=` is taken for a keyword and the text parsed; then only the
    statements holding one are tokenized. If tokenize agrees about every one, the parse stands;
    otherwise (an `async=` in a string or comment, a text that does not parse) the whole file is
    tokenized as `async_kwarg_positions` does, and no tree is returned.
    """
    if not _MAYBE.search(source):
        return [], source, None
    lines = io.StringIO(source).readlines()  # the rows tokenize counts
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    candidates = []
    for match in _CANDIDATE.finditer(source):
        row = bisect.bisect_right(starts, match.start())
        candidates.append((row, match.start() - starts[row - 1]))
    if "\r" not in source.replace("\r\n", ""):  # the parser and tokenize count lines alike
        text = _replace(source, candidates, "non_blocking")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            tree = None
        if tree is not None and _tokenized_around(tree, lines, candidates) == candidates:
            return candidates, text, tree
    positions = async_kwarg_positions(source)
    return positions, _replace(source, positions, "non_blocking"), None


def _tokenized_around(tree, lines, candidates):
    """`async_kwarg_positions` over the innermost statements holding the candidates' rows."""
    rows = sorted({row for row, _ in candidates})
    spans = _innermost(tree.body, rows)
    found = set()
    for first, last in sorted({spans.get(row, (row, row)) for row in rows}):
        fragment = "".join(lines[first - 1:last])
        found.update((first - 1 + row, col) for row, col in async_kwarg_positions(fragment))
    return sorted(found)


def _innermost(statements, rows):
    """{row: (first row, last row) of the innermost statement holding it, decorators included} for
    the sorted `rows` that some statement of `statements` (or one nested in it) holds."""
    spans, index = {}, 0
    for statement in statements:
        first = min([d.lineno for d in getattr(statement, "decorator_list", ())] + [statement.lineno])
        while index < len(rows) and rows[index] < first:
            index += 1
        inside = []
        while index < len(rows) and rows[index] <= statement.end_lineno:
            inside.append(rows[index])
            index += 1
        if inside:
            nested = []
            for field in statement._fields:  # in the order of the source
                if field in _STATEMENT_LISTS:
                    for item in getattr(statement, field):
                        nested.extend(item.body if not hasattr(item, "lineno") else [item])  # match cases
            spans.update(_innermost(nested, inside))
            spans.update((row, (first, statement.end_lineno)) for row in inside if row not in spans)
        if index == len(rows):
            break
    return spans


def compile_legacy(source, filename, mode="exec", flags=0, dont_inherit=True, optimize=-1):
    """`compile(source, ...)` accepting `async=` keyword arguments as `non_blocking=`.

    Each `async` becomes a same-length placeholder, the file is parsed, and those keywords are
    renamed in the tree, so every other token keeps its line and column. Without an `async=`
    keyword this is exactly `compile`.
    """
    positions = async_kwarg_positions(source)
    if not positions:
        return compile(source, filename, mode, flags, dont_inherit, optimize)
    original_lines = io.StringIO(source).readlines()
    try:
        tree = compile(_replace(source, positions, _PLACEHOLDER), filename, mode,
                       flags | ast.PyCF_ONLY_AST, dont_inherit, optimize)
    except SyntaxError as error:  # another error in the file: show the user's own line
        if error.lineno and error.lineno <= len(original_lines) and error.text is not None:
            error.text = original_lines[error.lineno - 1]
        raise
    byte_positions = {(row, len(original_lines[row - 1][:col].encode("utf-8"))) for row, col in positions}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and (node.lineno, node.col_offset) in byte_positions:
            node.arg = "non_blocking"
    return compile(tree, filename, mode, flags, dont_inherit, optimize)
