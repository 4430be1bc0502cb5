"""`analysis`: imports, scopes, and the two inferences (one element, rank) the rules share."""

import ast

import pytest

from varshim_migrate.analysis import Analysis, Scope, dotted

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
