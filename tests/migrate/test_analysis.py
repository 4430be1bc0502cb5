"""`analysis`: imports, scopes, and the two inferences (one element, rank) the rules share."""

import ast
import re

import pytest

from varshim_migrate.analysis import Analysis, Scope, SourceWords, dotted

IMPORTS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable as V
from torch.autograd import *
from . import sibling
"""


def _analysis(source):
    tree = ast.parse(source)
    return Analysis(tree), Scope(tree, None), tree


def _expression(text):
    return ast.parse(text, mode="eval").body


def test_dotted_names():
    assert dotted(_expression("a.b.c")) == "a.b.c"
    assert dotted(_expression("f().b")) is None


@pytest.mark.parametrize("text, qualified", [
    ("torch.ones", "torch.ones"), ("nn.Linear", "torch.nn.Linear"), ("F.relu", "torch.nn.functional.relu"),
    ("V", "torch.autograd.Variable"), ("Variable", "torch.autograd.Variable"),  # the star import
    ("Function", "torch.autograd.Function"), ("sibling.x", None), ("numpy.ones", None), ("f().x", None),
])
def test_qualify_follows_the_imports(text, qualified):
    analysis, _, _ = _analysis(IMPORTS)
    assert analysis.qualify(_expression(text)) == qualified


def test_imports_inside_functions_count_and_legacy_variable_is_recognised():
    analysis, _, _ = _analysis("def f():\n    from torch.autograd import Variable\n")
    assert analysis.imports_legacy_variable() and analysis.is_variable(_expression("Variable"))
    assert not _analysis("import torch\n")[0].imports_legacy_variable()


def test_scope_bindings_values_and_nesting():
    source = "a = 1\ndef f(x, *rest, k=2, **kw):\n    y = x\n    y = g()\n    for i in r: pass\n    def inner(): z = 3\n"
    _, module_scope, tree = _analysis(source)
    function = Scope(tree.body[1], module_scope)
    assert sorted(function.bindings) == ["i", "inner", "k", "kw", "rest", "x", "y"]  # not the inner z
    assert [ast.unparse(v) for v in function.values("y")] == ["x", "g()"]
    assert function.values("x") == [None] and function.values("i") == [None]  # values unknown
    assert [ast.unparse(v) for v in function.values("a")] == ["1"]  # from the module
    assert function.values("nowhere") is None


def test_appended_values_of_a_list():
    _, scope, _ = _analysis("xs = []\nfor b in bs:\n    xs.append(loss(b))\ndef g():\n    xs.append(0)\n")
    assert [ast.unparse(v) for v in scope.appended("xs")] == ["loss(b)"]  # not the nested function's


def test_source_words_name_the_statements_whose_lines_may_hold_a_word():
    source = "a = 1\n@wrap(Fn)\ndef f():\n    return 2\nb = (\n    Fn)\r\nc = 3\rd = Fn\n"
    tree = ast.parse(source)
    words, fn = SourceWords(source), re.compile("Fn")
    assert [words.may_hold(fn, s) for s in tree.body] == [False, True, True, False, True]  # decorators count
    assert [words.may_hold(re.compile("return"), s) for s in tree.body] == [False, True, False, False, False]
    for unknown in (None, source.replace("1", "é")):  # no text, or names the parser may normalize (NFKC)
        assert all(SourceWords(unknown).may_hold(fn, s) for s in ast.parse(source).body)
    assert not words.may_contain("_six") and words.may_contain("wrap") and SourceWords(None).may_contain("_six")


# Texts where a binding or an append hides in an expression, an f-string, a decorator or a default,
# on lines ending in \r\n or \r: the passes that skip statements by their text find what a full walk finds.
_HIDDEN_BINDINGS = [
    "y = f((n := 3))\nz = [a for a in b]\nfor i, x in enumerate(xs): pass\n",
    "w = f'{(q := 1)}' + f\"\"\"\n{[k for k in v]}\n\"\"\"\nprint(f'{[j for j in r]}')\n",
    "xs = []\nif c:\n    xs.append(1)\nxs .append (2)\nys = xs\nwhile t: xs.\\\n    append(3)\n",
    "@deco(\n    g := 1)\ndef h(p=[m for m in r]):\n    out = []\n    out.append(p)\n    return out\n",
    "a = 1; b = [i for i in r]\r\nc = 2\rd = {e: 1 for e in s}\n",
    "with open(p) as f, g() as (h, k): pass\ntry:\n    pass\nexcept E as err:\n    t = lambda u: (v := u)\n",
    "x = 'é'\ny = [z for z in w]\nys = []\nys.append(y)\n",
    "class C:\n    n = [o for o in p]\n    def m(self):\n        return [(s := 1) for _ in q]\n",
]


def _scopes(analysis):
    nodes = [analysis.tree] + [n for n in ast.walk(analysis.tree) if isinstance(n, (ast.FunctionDef, ast.Lambda))]
    found = []
    for node in nodes:
        scope = analysis.scope_for(node, None)
        for name, values in sorted(scope.bindings.items()):
            found.append((node.__class__.__name__, getattr(node, "lineno", 0), name,
                          [v and ast.dump(v) for v in values], [ast.dump(v) for v in scope.loops(name)],
                          [ast.dump(v) for v in scope.appended(name)]))
    return found


@pytest.mark.parametrize("source", _HIDDEN_BINDINGS)
def test_passes_skipping_statements_by_their_text_find_what_a_full_walk_finds(source):
    tree = ast.parse(source)
    with_text, without = Analysis(tree, source), Analysis(tree)  # without the text nothing is skipped
    assert _scopes(with_text) == _scopes(without) != []


SCALARS = IMPORTS + """\
crit = nn.MSELoss()
per_element = nn.MSELoss(reduce=False)
loss = F.nll_loss(o, y)
total = 0
total += loss
mixed = x
mixed = loss
"""


@pytest.mark.parametrize("text, scalar", [
    ("F.mse_loss(a, b)", True), ("crit(a, b)", True), ("nn.L1Loss()(a, b)", True), ("x.sum()", True),
    ("torch.sum(x)", True), ("x.norm()", True), ("a.dot(b)", True), ("loss * 2 + 1", True), ("-loss", True),
    ("loss.data", True), ("loss[0]", True), ("total", True),
    ("x.sum(1)", False), ("torch.sum(x, dim=0)", False), ("per_element(a, b)", False),
    ("F.mse_loss(a, b, reduction='none')", False), ("loss * x", False), ("mixed", False), ("x", False),
    ("model(x)", False), ("2 + 3", False),
])
def test_is_scalar_only_when_certain(text, scalar):
    analysis, scope, _ = _analysis(SCALARS)
    assert analysis.is_scalar(_expression(text), scope) is scalar


@pytest.mark.parametrize("text, rank", [
    ("torch.randn(2, 3)", 2), ("torch.zeros((4, 5, 6))", 3), ("torch.Tensor([[1, 2], [3, 4]])", 2),
    ("V(torch.ones(3))", 1), ("torch.ones(2, 3).view(6)", 1), ("torch.ones(2).unsqueeze(0)", 2),
    ("torch.exp(torch.ones(2, 2))", 2), ("torch.mm(torch.ones(2, 3), torch.ones(3, 4))", 2),
    ("torch.ones(2, 3).float().cuda()", 2), ("torch.ones(2, 3) * 2", 2), ("torch.ones(2).data", 1),
    ("torch.ones(n)", None), ("x", None), ("model(torch.ones(2))", None), ("torch.ones(2).view(-1, *s)", None),
])
def test_ndim_only_when_certain(text, rank):
    analysis, scope, _ = _analysis(IMPORTS)
    assert analysis.ndim(_expression(text), scope) == rank


def test_ndim_of_names_agrees_or_is_unknown():
    analysis, scope, _ = _analysis(IMPORTS + "a = torch.ones(2, 2)\nb = torch.ones(2)\nb = torch.ones(2, 2, 2)\n")
    assert analysis.ndim(_expression("a"), scope) == 2
    assert analysis.ndim(_expression("b"), scope) is None


CALLS = IMPORTS + """\
crit = nn.NLLLoss()


def targets(line):
    return V(torch.LongTensor([ord(c) for c in line]))


def example(line):
    return torch.zeros(len(line), 1, 5), targets(line)


def train(inputs, target, criterion, steps=3):
    loss = 0
    for i in range(inputs.size()[0]):
        loss += criterion(inputs[i], target[i])
    return loss


def callback(x):
    return x


train(*example("abc"), crit)
train(torch.zeros(2, 1, 5), targets("ab"), criterion=crit)
handlers = [callback]
"""


def _function_scope(source, name):
    analysis, module, tree = _analysis(source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return analysis, analysis.scope_for(function, module)


@pytest.mark.parametrize("text, rank", [
    ("target", 1), ("inputs", 3), ("target[i]", 0), ("inputs[i]", 2), ("inputs[i, :, 0]", 1), ("steps", None),
])
def test_parameters_take_the_arguments_of_every_call_in_the_module(text, rank):
    analysis, scope = _function_scope(CALLS, "train")
    assert analysis.ndim(_expression(text), scope) == rank


def test_parameters_of_losses_and_accumulated_losses_are_scalars():
    analysis, scope = _function_scope(CALLS, "train")
    assert analysis.is_loss_call(_expression("criterion(a, b)"), scope)
    assert analysis.is_scalar(_expression("loss"), scope)
    assert analysis.is_integer(_expression("i"), scope) and analysis.is_integer(_expression("steps"), scope)


def test_a_function_used_as_a_value_has_unknown_parameters():
    analysis, scope = _function_scope(CALLS, "callback")
    assert analysis.origins(_expression("x"), scope) == [(None, scope)]


def test_unpacking_binds_items_and_tuple_literals_element_wise():
    analysis, scope, _ = _analysis(IMPORTS + "a, b = torch.ones(2, 3), torch.ones(4)\nv, i = torch.ones(2, 3).topk(1)\n"
                                   "m, n = f()\nwith open(p) as handle: pass\n")
    assert analysis.ndim(_expression("a"), scope) == 2 and analysis.ndim(_expression("b"), scope) == 1
    assert analysis.ndim(_expression("i"), scope) == 2 and analysis.ndim(_expression("m"), scope) is None
    assert [ast.unparse(v) for v in scope.values("m")] == ["f()[0]"]
    assert [ast.unparse(v) for v in scope.values("handle")] == ["open(p)"]


@pytest.mark.parametrize("text, integer", [
    ("3", True), ("-1", True), ("n + 1", True), ("len(xs)", True), ("x.size(0)", True), ("x.size()[1]", True),
    ("k", True), ("j", True), ("word", False), ("1.5", False), ("x.size()", False), ("unknown", False),
])
def test_integers(text, integer):
    analysis, scope, _ = _analysis("n = 2\nfor k in range(3): pass\nfor j, word in enumerate(words): pass\n")
    assert analysis.is_integer(_expression(text), scope) is integer


@pytest.mark.parametrize("text, legacy, made_here", [
    ("x.data", True, False), ("x.data.topk(1)[1]", True, False), ("x.data.sum()", False, False),
    ("t", False, True), ("t.float()", False, True), ("torch.randn(2, requires_grad=True)", False, False),
    ("V(t)", False, False), ("t.requires_grad_()", False, False),
])
def test_legacy_tensors_and_tensors_made_here(text, legacy, made_here):
    analysis, scope, _ = _analysis(IMPORTS + "t = torch.LongTensor([0, 2, 1])\n")
    assert analysis.is_legacy_tensor(_expression(text), scope) is legacy
    assert analysis.made_here(_expression(text), scope) is made_here


@pytest.mark.parametrize("text, one", [
    ("torch.ones(1, 1)", True), ("V(torch.ones(1, 1)).data.squeeze()", True), ("torch.FloatTensor([2])", True),
    ("torch.FloatTensor(1)", True), ("torch.ones(1).view(1, 1) * 2", True), ("F.mse_loss(a, b)", True),
    ("torch.ones(2, 1)", False), ("torch.FloatTensor([1, 2])", False), ("x.squeeze()", False),
])
def test_one_element(text, one):
    analysis, scope, _ = _analysis(IMPORTS)
    assert analysis.one_element(_expression(text), scope) is one


MODULES = IMPORTS + """\
class Decoder(nn.Module):
    def __init__(self):
        super(Decoder, self).__init__()
        self.embedding = nn.Embedding(10, 4)
        self.gru = nn.GRU(4, 4)
        self.out = nn.Linear(4, 10)
        self.head = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))

    def forward(self, word, hidden):
        output, hidden = self.gru(self.embedding(word).view(1, 1, -1), hidden)
        return F.log_softmax(self.out(output[0]), dim=1), hidden

    def score(self, x):
        return self.head(x).mean().view(1)


decoder = Decoder()
output, hidden = decoder(V(torch.LongTensor([[0]])), V(torch.zeros(1, 1, 4)))
"""


def test_instances_of_the_modules_of_this_file_return_what_forward_returns():
    analysis, scope, tree = _analysis(MODULES)
    assert analysis.ndim(_expression("output"), scope) == 2
    assert analysis.ndim(_expression("hidden"), scope) == 3
    decoder = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    forward = analysis.scope_for(decoder.body[1], scope)
    assert analysis.ndim(_expression("word"), forward) == 2  # from the instance's call
    assert analysis.ndim(_expression("self.embedding(word)"), forward) == 3
    assert analysis.ndim(_expression("self.head(torch.zeros(2, 4))"), forward) == 2
    assert analysis.layer(_expression("self.out"), forward)[0] == "torch.nn.Linear"
    assert analysis.layer(_expression("self.nothing"), forward) is None
    score = analysis.scope_for(decoder.body[2], scope)
    assert analysis.one_element(_expression("self.head(x).mean().view(1)"), score)


def test_elementwise_functions_of_scalars_are_scalars():
    analysis, scope, _ = _analysis(IMPORTS)
    assert analysis.is_scalar(_expression("F.logsigmoid(torch.dot(a, b))"), scope)
    assert analysis.is_scalar(_expression("F.mse_loss(a, b).float()"), scope)
    assert not analysis.is_scalar(_expression("F.logsigmoid(a)"), scope)
