"""`checker`: one ast walk, rules dispatched by node type, token passes first, parse failures kept."""

import ast

from hypothesis import given
from hypothesis import strategies as st

from varshim_migrate.checker import CheckContext, check_source, check_tree, prepare
from varshim_migrate.rule import Rule
from varshim_migrate.rules import select_rules

LEGACY = "import torch\nfrom torch.autograd import Variable\nx = Variable(t)\nprint(y.creator, x.data[0])\n"


def _codes(findings):
    return [(f.code, f.line, f.col) for f in findings]


def test_findings_are_sorted_by_position_with_their_anchor():
    findings = check_source(LEGACY)
    assert _codes(findings) == [("VS101", 3, 4), ("VS104", 4, 6), ("VS201", 4, 17)]
    assert findings[0].anchor == ("Call", 3, 4, 3, 15) and findings[0].fixable
    assert findings[2].suggestion == "x.item()" and not findings[2].fixable


def test_selection_limits_the_rules():
    assert _codes(check_source(LEGACY, select_rules(["VS104"]))) == [("VS104", 4, 6)]


def test_token_pass_findings_come_first_and_the_rest_is_checked_on_the_rewritten_text():
    source = "import torch\nx = x.cuda(async=True)  # copy\ny.copy_(x, async=True)\nz = w.creator\n"
    assert _codes(check_source(source)) == [("VS601", 2, 11), ("VS601", 3, 11), ("VS104", 4, 4)]
    assert _codes(check_source(source, select_rules(["VS104"]))) == [("VS104", 4, 4)]  # VS601 not reported
    found, text, tree = prepare(source)
    assert len(found) == 2 and "non_blocking=True" in text and isinstance(tree, ast.Module)


def test_a_file_that_does_not_parse_is_a_vs001_finding():
    [failure] = check_source("import torch\ndef f(:\n")
    assert (failure.code, failure.line) == ("VS001", 2)
    assert failure.message.startswith("cannot parse this file: ") and failure.message.endswith("fix the syntax, then re-run")
    assert check_source("x = '\0'\n")[0].code == "VS001"  # ast's ValueError too


def test_files_without_torch_or_variable_are_not_walked():
    assert check_source("print(post.creator)\n") == []
    assert check_source("async def f(x):\n    return await g(x, non_blocking=True)\n") == []


def test_columns_count_characters_not_bytes():
    [finding] = check_source("import torch\ns = 'é'; y = x.creator\n")
    assert finding.col == len("s = 'é'; y = ")
    assert finding.anchor[1:3] == (2, finding.col)


def test_check_tree_with_a_module_sees_its_imports():
    """Notebook cells: a cell's names come from the module of all cells."""
    module = ast.parse("import torch.nn.functional as F\n")
    cell = "loss = F.mse_loss(a, b)\nprint(loss.data[0])\n"
    assert check_source(cell) == []  # alone: no torch in the text
    assert _codes(check_source(cell, module=module)) == [("VS201", 2, 6)]
    assert _codes(check_tree(ast.parse(cell), cell, module=module)) == [("VS201", 2, 6)]


class _Counter(Rule):
    code = "VS999"
    nodes = (ast.Name,)

    class State:
        def __init__(self, analysis):
            self.analysis, self.seen = analysis, []

    def check(self, node, context):
        context.state(self).seen.append(node.id)
        return ()


class _Other(_Counter):
    pass


def test_rule_state_is_made_once_per_file_and_shared_by_rules_declaring_it():
    counter, other = _Counter(), _Other()
    context = CheckContext(None, [], [counter, other])
    tree = ast.parse("a + b")
    context.walk(tree)
    assert context.state(counter) is context.state(other)
    assert context.state(counter).seen == ["a", "a", "b", "b"]  # both rules, in walk order
    assert CheckContext(None, [], [counter]).state(counter).seen == []  # another file: fresh


def test_parents_and_scope_during_the_walk():
    seen = []

    class Probe(Rule):
        code = "VS998"
        nodes = (ast.Return,)

        def check(self, node, context):
            seen.append((type(context.parent()).__name__, type(context.scope.node).__name__))
            return ()

    check_tree(ast.parse("def f():\n    return 1\n"), "", [Probe()])
    assert seen == [("FunctionDef", "FunctionDef")]


_PIECES = ["x = f(a,\n      b)", "y = 'é' + g(é)", "z = (1 +\r\n     2)", "w = h(3)\r", "\x0cv = k[0]", "s = '''a\rb''' + t"]


@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map("\n".join))
def test_segment_is_ast_get_source_segment(source):
    # line ends of every kind, form feeds, non-ASCII columns and lines spanning several rows
    context = CheckContext(None, source.split("\n"), ())
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.expr):
            assert context.segment(node) == ast.get_source_segment(source, node)


def _every_rule_at_every_node(monkeypatch):
    """The checker without its name index: every rule meets every node of its types."""
    from varshim_migrate import checker
    from varshim_migrate.rules import RULES

    monkeypatch.setattr(checker, "_BY_NAME", {})
    for rule in RULES:
        monkeypatch.setattr(type(rule), "may_match", lambda self, name, plain: True, raising=False)


def _corpus():
    import pathlib

    from tests.migrate.test_rules import CASES

    programs = sorted(pathlib.Path(__file__).parent.glob("programs/**/*.py"))
    sources = [case.before for case in CASES] + [path.read_text() for path in programs]
    aliased = ("import torch\nfrom torch.autograd import Variable as V\nfrom torch.nn.utils import clip_grad_norm as clip\n"
               "from torch.nn.functional import softmax as sm, mse_loss as mse\nfrom torch import load as ld\n"
               "x = V(t, volatile=True)\nclip(ps, 1)\np = sm(V(torch.randn(3)))\nl = mse(V(torch.randn(2, 3)), V(u))\n"
               "m = ld('m.pt')\n")
    return sources + [aliased]


def test_the_name_index_hides_no_finding(monkeypatch):
    # Rule.names: a rule is not asked at a node whose name it cannot match; asking it everywhere finds the same.
    corpus = _corpus()
    indexed = [check_source(source) for source in corpus]
    assert any(indexed)
    with monkeypatch.context() as patched:
        _every_rule_at_every_node(patched)
        assert [check_source(source) for source in corpus] == indexed


def test_a_call_of_an_imported_name_meets_the_rules_of_the_name_it_was_imported_under():
    source = "import torch\nfrom torch.autograd import Variable as V\nfrom torch.nn.utils import clip_grad_norm as clip\n" \
             "x = V(t)\nclip(ps, 1)\n"
    assert [f.code for f in check_source(source)] == ["VS101", "VS703"]


def test_legacy_file_dating_without_a_walk_agrees_with_the_walk():
    # targets_0_3 skips its walk of the calls when the text has no name a 0.4 call needs.
    from varshim_migrate.analysis import Analysis

    legacy = "import torch\nfrom torch.autograd import Variable\nv = Variable(torch.ones(2))\n"
    for source in _corpus() + [legacy, legacy + "w = v.to(d)\n", legacy + "w = v.ｔｏ(d)\n",
                               legacy + "z = torch.zeros(2, dtype=torch.long)\n", legacy + "# to\n"]:
        tree = ast.parse(prepare(source)[1])
        assert Analysis(tree, source).targets_0_3() == Analysis(tree).targets_0_3(), source
    assert Analysis(ast.parse(legacy), legacy).targets_0_3()
    assert not Analysis(ast.parse(legacy + "w = v.ｔｏ(d)\n"), legacy + "w = v.ｔｏ(d)\n").targets_0_3()  # NFKC: `to`
