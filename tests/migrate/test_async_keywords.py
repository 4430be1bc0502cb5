"""`async=` keyword arguments: the token rewrite is exact, and compiling keeps every line and column."""

import ast
import glob
import io
import os
import re
import sysconfig
import tokenize
import traceback

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.support.strategies import FRAGMENTS, identifiers, modern_sources
from varshim_migrate.async_keywords import (
    async_kwarg_positions, compile_legacy, rewrite_and_parse, rewrite_async_kwargs,
)

LEGACY = """\
import torch
x = torch.ones(2)
y = x.cuda(async=True)
z = x.cuda(0, async = True)  # async=True in a comment stays
y.copy_(z, async=True)
s = 'f(async=True)'
w = f(g(async=1))[h(async=2)]
v = f(lambda a, b=g(async=3): a, async=4)
async def coroutine():
    await f(x)
"""


def test_rewrite_renames_only_keyword_arguments():
    assert rewrite_async_kwargs(LEGACY) == """\
import torch
x = torch.ones(2)
y = x.cuda(non_blocking=True)
z = x.cuda(0, non_blocking = True)  # async=True in a comment stays
y.copy_(z, non_blocking=True)
s = 'f(async=True)'
w = f(g(non_blocking=1))[h(non_blocking=2)]
v = f(lambda a, b=g(non_blocking=3): a, non_blocking=4)
async def coroutine():
    await f(x)
"""


@pytest.mark.parametrize("source", [
    "def f(async=True): pass\n",  # a parameter, not a keyword argument
    "class C(async=1): pass\n",
    "d = {'async': 1}\n",
    "f(x.async_, async_=1)\n",
    "f(lambda: 1)\n",
    "f(lambda x, async=1: x)\n",  # a lambda's parameter
    "x = [async for async in y]\n",
    "if (async == 1): pass\n",
])
def test_other_uses_of_async_are_left_alone(source):
    assert rewrite_async_kwargs(source) == source


def test_compile_legacy_runs_the_modern_keyword():
    calls = []
    namespace = {"f": lambda *args, **kwargs: calls.append(kwargs)}
    exec(compile_legacy("f(1, async=True)\nf(async=False, other=2)\n", "<legacy>"), namespace)
    assert calls == [{"non_blocking": True}, {"non_blocking": False, "other": 2}]


def test_compile_legacy_keeps_traceback_lines_and_columns(tmp_path):
    source = "x = [1]\nf(é, async=True); x[5]\n"
    path = tmp_path / "legacy.py"
    path.write_text(source, encoding="utf-8")
    namespace = {"f": lambda *a, **k: None, "é": 0}
    with pytest.raises(IndexError) as info:
        exec(compile_legacy(source, str(path)), namespace)
    frame = traceback.extract_tb(info.tb)[-1]
    assert (frame.filename, frame.lineno) == (str(path), 2)
    assert frame.line == "f(é, async=True); x[5]"
    assert source.splitlines()[1].encode("utf-8")[frame.colno:frame.end_colno] == b"x[5]"  # byte columns


def test_other_syntax_errors_are_reported_at_the_users_line():
    source = "y = x.cuda(async=True)\n\nz = (1 +\n"
    with pytest.raises(SyntaxError) as plain:
        compile(source.replace("async", "non_blocking"), "bad.py", "exec")
    with pytest.raises(SyntaxError) as info:
        compile_legacy(source, "bad.py")
    assert (info.value.filename, info.value.lineno) == ("bad.py", plain.value.lineno)

    same_line = "y = x.cuda(async=True))\n"
    with pytest.raises(SyntaxError) as info:
        compile_legacy(same_line, "bad.py")
    assert (info.value.lineno, info.value.offset) == (1, 23)
    assert info.value.text == same_line


def test_without_async_keyword_compile_legacy_is_compile():
    with pytest.raises(SyntaxError) as info:
        compile_legacy("def f(async=True): pass\n", "bad.py")
    assert info.value.lineno == 1


# -- properties --------------------------------------------------------------------------------


STDLIB = sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "*.py"))
                + glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "asyncio", "*.py")))


@given(st.one_of(modern_sources, st.text().filter(lambda s: "async" not in s)))
def test_rewrite_is_identity_without_async_keyword(source):
    assert async_kwarg_positions(source) == []
    assert rewrite_async_kwargs(source) == source


@given(st.sampled_from(STDLIB))
def test_rewrite_is_identity_on_stdlib_files(path):
    with tokenize.open(path) as handle:
        source = handle.read()
    assume(not async_kwarg_positions(source))
    assert rewrite_async_kwargs(source) == source


calls = st.builds(
    lambda func, before, after, value: "%s(%s)" % (func, ", ".join(before + ["async=" + value] + after)),
    st.sampled_from(["x.cuda", "y.copy_", "f", "f(1)", "m[0].cuda"]),
    st.lists(identifiers.map(lambda n: n + "=1"), max_size=2),
    st.lists(identifiers.map(lambda n: n + "=2"), max_size=2),
    st.sampled_from(["True", "False", "flag", "(1 if a else 2)"]),
)


# (source piece, number of `async=` keyword arguments in it)
pieces = st.one_of(st.sampled_from(FRAGMENTS).map(lambda f: (f, 0)), calls.map(lambda c: ("r = " + c, 1)))
legacy_sources = st.lists(pieces, min_size=1, max_size=6).map(
    lambda ps: ("\n".join(p for p, _ in ps), sum(n for _, n in ps)))


@given(legacy_sources)
def test_rewrite_changes_only_async_keyword_tokens(legacy):
    source, count = legacy
    rewritten = rewrite_async_kwargs(source)
    before = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)]
    after = [t for t in tokenize.generate_tokens(io.StringIO(rewritten).readline)]
    assert len(before) == len(after)
    positions = set(async_kwarg_positions(source))
    for old, new in zip(before, after):
        if old.start in positions:
            assert (old.string, new.string) == ("async", "non_blocking")
        else:
            assert (old.type, old.string, old.start[0]) == (new.type, new.string, new.start[0])
    assert len(positions) == count


@given(legacy_sources)
def test_compile_legacy_keeps_every_column(legacy):
    source, _ = legacy
    tree = compile_legacy(source, "<legacy>", flags=ast.PyCF_ONLY_AST)
    assert ast.dump(tree) == ast.dump(ast.parse(rewrite_async_kwargs(source)))
    lines = [line.encode("utf-8") for line in io.StringIO(source).readlines()]
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert lines[node.lineno - 1][node.col_offset:node.end_col_offset] == node.id.encode("utf-8")
        if isinstance(node, ast.keyword) and node.arg == "non_blocking":
            assert lines[node.lineno - 1][node.col_offset:].startswith(b"async")


# Where a bare `async` then `=` is not a keyword argument, or tokenize reads the file otherwise.
TRICKY = [
    "doc = \"\"\"\nx.cuda(async=True)\n\"\"\"", "# x.cuda(async=True)", "s = 'f(async = 1)'",
    "def g(async=1): pass", "h = lambda async=1: 0", "class A(async=1): pass", 'f"{x.cuda(async=True)}"',
    "y = f(async  # why\n  =True)", "y = f(async \\\n =True)", "a = 1; b = f(async=True)",
    "@dec(x.cuda(async=True))\ndef k():\n    pass", "if c:\n    r = m.cuda(async=True)\nelse:\n    pass",
    "try:\n    pass\nexcept E:\n    q = f(async=False)", "while w: z = f(async=True)", "x = (1,\n 2); y = f(async=True)",
]
tricky_sources = st.lists(st.one_of(pieces.map(lambda p: p[0]), st.sampled_from(TRICKY)), min_size=1, max_size=6).map(
    lambda ps: "\n".join(ps) + "\n")
indented_sources = tricky_sources.map(lambda s: "def outer():\n" + "".join("    " + line for line in s.splitlines(True)))


@given(st.one_of(tricky_sources, indented_sources))
def test_rewrite_and_parse_is_the_token_rewrite_parsed(source):
    positions, text, tree = rewrite_and_parse(source)
    tokenized = re.search(r"\basync\s*=", source) is not None  # otherwise the file is not even tokenized
    assert positions == (async_kwarg_positions(source) if tokenized else [])
    assert text == (rewrite_async_kwargs(source) if tokenized else source)
    if tree is not None:
        assert ast.dump(tree, include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)


def test_rewrite_and_parse_tokenizes_only_around_async_when_it_can():
    assert rewrite_and_parse(LEGACY)[2] is None  # async= in a string and a comment: the whole file is tokenized
    source = "import torch\n\ndef f(x):\n    return x.cuda(async=True)\n"
    positions, text, tree = rewrite_and_parse(source)
    assert positions == [(4, 18)] and tree is not None and ast.dump(tree) == ast.dump(ast.parse(text))
