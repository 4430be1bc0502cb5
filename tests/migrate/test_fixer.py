"""`migration`, `fixer` and `codemod`: rewrites at the findings, block edits, notes, the codemod."""

import ast

import libcst as cst
import pytest
from hypothesis import given
from hypothesis import strategies as st
from libcst.codemod import CodemodContext, CodemodTest

from tests.migrate.rules import backward, data, function, leniencies, removed, scalars, stochastic, variable
from tests.support.strategies import modern_sources
from varshim_migrate import RULES, VarshimCodemod, migrate_source, select_rules
from varshim_migrate.checker import check_source
from varshim_migrate.fixer import Block, _Spans, _with_imports, rewrite
from varshim_migrate.rule import Rule

LEGACY = "import torch\nfrom torch.autograd import Variable\nx = Variable(t)  # keep\nprint(y.creator)\na.reinforce(r)\n"


def _block(body):
    """The Block of a function's body (a module's first comments would be its header)."""
    statements = cst.parse_module("def f():\n" + body).body[0].body.body
    return Block(range(2, len(statements) + 2), statements)


def _code(block):
    body = cst.IndentedBlock(body=[s for _, s in block.statements], footer=block.footer)
    return cst.Module(body=[cst.parse_statement("def f(): pass").with_changes(body=body)]).code[len("def f():\n"):]


def test_block_remove_carries_comments_to_the_next_statement():
    block = _block("    a = 1\n    # about b\n    b = 2\n    c = 3\n")
    block.remove(1)
    assert _code(block) == "    a = 1\n    # about b\n    c = 3\n"
    assert [line for line, _ in block.statements] == [2, 4]  # original lines kept


def test_block_remove_of_the_last_statement_keeps_its_comments_in_the_footer():
    block = _block("    a = 1\n    # about b\n    b = 2\n")
    block.remove(1)
    assert _code(block) == "    a = 1\n    # about b\n"


def test_block_remove_of_the_only_statement_leaves_pass():
    block = _block("    # about a\n    a = 1\n")
    block.remove(0)
    assert _code(block) == "    # about a\n    pass\n"


def test_block_index_from_finds_the_first_statement_at_or_after_a_line():
    block = _block("    a = 1\n    b = 2\n    c = 3\n")
    block.remove(1)
    assert block.index_from(3) == 1 and block.index_from(2) == 0 and block.index_from(5) is None
    block.require_import("torch")
    assert block.imports == {"torch"}


def test_rewrite_counts_rewrites_per_rule():
    findings = check_source(LEGACY)
    text, applied = rewrite(LEGACY, findings, RULES)
    assert text == "import torch\nfrom torch.autograd import Variable\nx = t  # keep\nprint(y.grad_fn)\na.reinforce(r)\n"
    assert applied == {"VS101": 1, "VS104": 1}


def test_migration_reports_what_it_did_and_what_needs_a_human():
    migration = migrate_source("import torch\nx = x.cuda(async=True)\n" + LEGACY[13:])
    assert migration.changed and migration.failure is None
    assert migration.applied == {"VS601": 1, "VS101": 1, "VS104": 1}
    assert [(f.code, f.line) for f in migration.human] == [("VS502", 6)]


def test_nothing_to_rewrite_leaves_the_text_as_it_is():
    for source in ("import torch\nx = torch.ones(2)\n", "import torch\na.reinforce(r)\n", "def f(:\n"):
        migration = migrate_source(source)
        assert not migration.changed and migration.applied == {}
    assert migrate_source("import torch\ndef f(:\n").failure.code == "VS001"


def test_annotate_adds_one_note_per_idiom_above_its_statement():
    source = "import torch\nif a.volatile:\n    a.reinforce(r)\n"
    annotated = migrate_source(source, annotate=True).new_source
    assert annotated == (
        "import torch\n# varshim: VS103 with torch.no_grad(): ...\nif a.volatile:\n"
        "    # varshim: VS502 m = torch.distributions.Categorical(probs); action = m.sample(); "
        "loss = -(m.log_prob(action) * reward).sum(); loss.backward()\n    a.reinforce(r)\n"
    )
    assert migrate_source(annotated, annotate=True).new_source == annotated
    assert not migrate_source(source).changed  # without --annotate


def test_a_block_edit_is_made_in_the_block_of_its_statement():
    source = ("import torch\nfrom torch.autograd import Variable\ndef f(x):\n    for b in x:\n"
              "        b = Variable(b, volatile=True)\n        print(b)\n    return 1\n")
    assert migrate_source(source, select_rules(["VS102"])).new_source == (
        "import torch\nfrom torch.autograd import Variable\ndef f(x):\n    for b in x:\n"
        "        with torch.no_grad():\n            print(b)\n    return 1\n"
    )


class _Rename(Rule):
    """A rule the registry does not know: `old(...)` becomes `new(...)`; records its block calls."""

    code = "VS999"
    nodes = (ast.Call,)

    def __init__(self):
        self.blocks = []

    def check(self, node, context):
        if isinstance(node.func, ast.Name) and node.func.id == "old":
            yield context.finding(self, node, "write new", fixable=True)

    def fix(self, node, finding):
        return node.with_changes(func=cst.Name("new"))

    def fix_block(self, block, applied):
        self.blocks.append((block.lines, [finding.line for finding in applied]))


def test_the_engine_runs_the_rules_it_is_given_and_their_block_hooks_innermost_block_first():
    rule = _Rename()
    migration = migrate_source("import torch\nold(1)\ndef f():\n    old(2)\n    return 3\n", (rule,))
    assert migration.new_source == "import torch\nnew(1)\ndef f():\n    new(2)\n    return 3\n"
    assert migration.applied == {"VS999": 2}
    # the function body, then the module; each time with what was fixed inside it, in source order
    assert rule.blocks == [((4, 5), [4]), ((1, 2, 3), [2, 4])]


class TestCodemod(CodemodTest):
    TRANSFORM = VarshimCodemod

    def test_selected_codes_rewritten_and_the_rest_warned(self):
        context = CodemodContext()
        self.assertCodemod(LEGACY, LEGACY.replace("y.creator", "y.grad_fn"), codes=("VS104",), context_override=context)
        assert context.warnings == []
        self.assertCodemod(LEGACY, LEGACY.replace("Variable(t)", "t"), codes=("VS101", "VS5"), context_override=context)
        assert [w.split(":")[0] for w in context.warnings] == ["VS502 line 5"]


@given(modern_sources)
def test_modern_code_is_never_reported_or_changed(source):
    text = "import torch\nfrom torch.autograd import Variable\n" + source  # even in a legacy file
    assert check_source(text) == []
    assert migrate_source(text, annotate=True).new_source == text


_HEADS = [
    '"""Doc."""', "__strict__ = True", "import torch", "import torch.nn as nn", "import torch.nn", "import os",
    "import torch as torch", "from torch import nn", "import os; import sys", "# a comment", "", "x = 1",
    "def f():\n    import torch", "'''doc''' 'more'", "if x:\n    import torch",
]


@given(st.lists(st.sampled_from(_HEADS), max_size=6), st.sets(st.sampled_from(["torch", "os", "torch.nn"]), min_size=1))
def test_imports_go_where_libcsts_add_imports_visitor_puts_them(head, names):
    from libcst.codemod.visitors import AddImportsVisitor

    module = cst.parse_module("\n".join(head + ["y = 2"]) + "\n")
    context = CodemodContext()
    for name in sorted(names):
        AddImportsVisitor.add_needed_import(context, name)
    assert _with_imports(module, names).code == AddImportsVisitor(context).transform_module(module).code


_LAYOUTS = [
    "@decorator(Variable(x))\n@other\ndef f(a,\n      b):  # c\n    '''doc\n    '''\n    return (a +\n            b)\n",
    "x = 1; y = (\n  # inside\n  2)\r\nif x:\r\n    pass\r\n# end\r\n",
    "class A(B):\n\tdef f(self): return [i for i in (1, 2)]\n\n\t# trailing\n\n# after\nz = f'{a!r:>{w}}' \\\n    'more'",
    "if a:\n    b\nelif c:\n    d\nelse:\n    e\ntry:\n    f()\nexcept (E, F) as g:\n    raise\nfinally:\n    h = lambda *a, k=1, **kw: k\n",
]


def _rule_case_sources():
    for family in (backward, data, function, leniencies, removed, scalars, stochastic, variable):
        for case in family.CASES:
            yield case.before
            yield case.after


@pytest.mark.parametrize("source", [*_LAYOUTS, *_rule_case_sources()])
def test_spans_are_where_libcsts_position_provider_puts_every_node(source):
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return  # legacy syntax (async=): the token pass rewrites it before the fixer parses
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    spans = _Spans.of(module, source)
    assert spans.spans.keys() == expected.keys()
    for node, position in expected.items():
        start, end = spans.spans[node]
        assert (spans.position(start), spans.position(end)) == (
            (position.start.line, position.start.column), (position.end.line, position.end.column)), node


_PIECES = [
    "import torch\nx = 1\n\n# about f\ndef f():\n    return 1\n    # f's footer\n\n# y's\ny = 2; z = 3\n",
    "a = 1\r\nif a:\r\n\tb = 2\r\n\r\n\t# tab footer\r\nc = (1,\r\n  2)\r\n",
    "'''doc'''\n# header?\nv = 1\nclass A: pass\nw = 2\nif v: pass\nelse:\n  u = 3\nt = 4",
    "x = 1\ny = 2\n\n    # trailing indented\n\n",
    "s = '''a\nb'''\nq = 1 + \\\n    2\nr = 3\n",
]


@pytest.mark.parametrize("source", [*_PIECES, *_LAYOUTS, *_rule_case_sources()])
def test_a_file_parsed_in_pieces_is_libcsts_parse_of_the_whole_file(source):
    from varshim_migrate.checker import prepare
    from varshim_migrate.fixer import Pieces, parse

    _, text, tree = prepare(source)
    if not isinstance(tree, ast.AST):
        return
    try:
        whole = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return
    for piece_lines in (1, 2):
        module = parse(text, Pieces(text, tree, piece_lines))
        assert module.deep_equals(whole) and module.code == whole.code


def test_a_note_above_the_first_statement_is_written_once():
    """libcst reads the comments above a file's first statement as the module's header; a second
    `migrate --annotate` must see the note it wrote there (it wrote another one each run)."""
    source = "from torch.utils.data.dataloader import default_collate, numpy_type_map\nx = 1\n"
    once = migrate_source(source, annotate=True).new_source
    assert once.startswith("# varshim: VS812 ") and once.count("# varshim:") == 1
    assert migrate_source(once, annotate=True).new_source == once


def test_two_rewrites_of_one_node_are_both_made_in_one_migrate():
    """VS203 (`.item()` on the number) and VS901 (flatten an N-D dot) rewrite the same call: the
    first run must make both, so that a second run changes nothing, and count each once."""
    source = "import torch\nfrom torch.autograd import Variable\ns = u.data.dot(v.data)\n"
    migration = migrate_source(source)
    assert migration.new_source.endswith("s = u.data.reshape(-1).dot(v.data.reshape(-1)).item()\n")
    assert dict(migration.applied) == {"VS203": 1, "VS901": 1}
    assert migrate_source(migration.new_source).new_source == migration.new_source
