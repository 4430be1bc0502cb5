"""VS1xx cases: Variable(x), volatile=True, .volatile, .creator."""

from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\nfrom torch.autograd import Variable\n"

INFERENCE_LOOP = HEADER + """\
def test(model, loader):
    total = 0
    for data in loader:
        # eval input
        data = Variable(data, volatile=True)
        total += model(data).sum()
    return total
"""

INFERENCE_LOOP_MIGRATED = HEADER + """\
def test(model, loader):
    total = 0
    for data in loader:
        # eval input
        with torch.no_grad():
            total += model(data).sum()
    return total
"""

REPACKAGE = """\
def repackage_hidden(h):
    if {test}:
        return Variable(h.data)
    else:
        return tuple(repackage_hidden(v) for v in h)
"""

CASES = [
    # VS101 Variable(x)
    rewrite("VS101", "plain wrapper is the tensor",
            HEADER + "x = Variable(t)  # input\ny = Variable(torch.ones(2)).sum()\n",
            HEADER + "x = t  # input\ny = torch.ones(2).sum()\n"),
    rewrite("VS101", "requires grad on a fresh tensor",
            HEADER + "w = Variable(torch.randn(3, 2), requires_grad=True)\n",
            HEADER + "w = torch.randn(3, 2).requires_grad_()\n"),
    # 0.3: a new leaf on t's storage; t itself never required grad.
    rewrite("VS101", "requires grad on a name keeps the name untouched",
            HEADER + "w = Variable(t, requires_grad=True)\n", HEADER + "w = t.detach().requires_grad_()\n"),
    rewrite("VS101", "as_tensor may be the input itself",
            HEADER + "w = Variable(torch.as_tensor(t), requires_grad=True)\n",
            HEADER + "w = torch.as_tensor(t).detach().requires_grad_()\n"),
    rewrite("VS101", "requires grad flag expression",
            HEADER + "w = Variable(t.data, requires_grad=train)\n", HEADER + "w = t.data.requires_grad_(train)\n"),
    rewrite("VS101", "expression argument is parenthesised where needed",
            HEADER + "y = Variable(a + b).sum()\nz = Variable(a + b)\n", HEADER + "y = (a + b).sum()\nz = a + b\n"),
    rewrite("VS101", "self assignment left behind is removed",
            HEADER + "def f(x, y):\n    # inputs\n    x, y = Variable(x), Variable(y)\n    return x + y\n",
            HEADER + "def f(x, y):\n    # inputs\n    return x + y\n"),
    rewrite("VS101", "comments above a removed last statement are kept",
            HEADER + "def f(x):\n    y = g(x)\n    # the input\n    x = Variable(x)\n# done\nz = 1\n",
            HEADER + "def f(x):\n    y = g(x)\n    # the input\n# done\nz = 1\n"),
    rewrite("VS101", "an emptied block keeps a pass",
            HEADER + "def f(x):\n    # only\n    x = Variable(x)\n", HEADER + "def f(x):\n    # only\n    pass\n"),
    rewrite("VS101", "module alias", "import torch.autograd as ag\nx = ag.Variable(t)\n",
            "import torch.autograd as ag\nx = t\n"),
    rewrite("VS101", "imported under another name", "from torch.autograd import Variable as V\nx = V(t)\n",
            "from torch.autograd import Variable as V\nx = t\n"),
    unchanged("VS101", "modern code", "import torch\nx = torch.ones(2).requires_grad_()\n"),
    unchanged("VS101", "a Variable that is not torch's", "from mylib import Variable\nx = Variable(t)\n"),
    unchanged("VS101", "unusual arguments need a human", HEADER + "x = Variable(t, True)\n", human=["VS101 line 3"]),
    # VS102 volatile=True
    rewrite("VS102", "rest of an inference loop runs under no_grad", INFERENCE_LOOP, INFERENCE_LOOP_MIGRATED),
    rewrite("VS102", "expression use keeps the statement",
            HEADER + "out = model(Variable(x, volatile=True))\nprint(out)\n",
            HEADER + "with torch.no_grad():\n    out = model(x)\n    print(out)\n"),
    rewrite("VS102", "inside no_grad already only unwraps",
            HEADER + "with torch.no_grad():\n    out = model(Variable(x, volatile=True))\n",
            HEADER + "with torch.no_grad():\n    out = model(x)\n"),
    rewrite("VS102", "import torch added when missing",
            "from torch.autograd import Variable\nout = model(Variable(x, volatile=True))\n",
            "from torch.autograd import Variable\nimport torch\n\nwith torch.no_grad():\n    out = model(x)\n"),
    unchanged("VS102", "backward after it needs a human",
              HEADER + "def f(x):\n    v = Variable(x, volatile=True)\n    loss = model(v)\n    loss.backward()\n",
              human=["VS102 line 4"]),
    unchanged("VS102", "a backward on a continuation line after it needs a human",
              HEADER + "def f(x):\n    v = Variable(x, volatile=True)\n    out = model(v)\n    (out\n     .backward())\n",
              human=["VS102 line 4"]),
    unchanged("VS102", "return after it needs a human",
              HEADER + "def f(x):\n    v = Variable(x, volatile=True)\n    return model(v)\n", human=["VS102 line 4"]),
    # A block there would take in the code before it on the line (here a backward).
    unchanged("VS102", "a one-line loop body needs a human",
              HEADER + "for t in xs: v = Variable(t, volatile=True)\nloss.backward()\n", human=["VS102 line 3"]),
    unchanged("VS102", "a statement after a semicolon needs a human",
              HEADER + "loss.backward(); v = Variable(t, volatile=True)\n", human=["VS102 line 3"]),
    unchanged("VS102", "non literal flag needs a human", HEADER + "v = Variable(x, volatile=not train)\n",
              human=["VS102 line 3"]),
    unchanged("VS102", "volatile=False is left to VS101", HEADER + "v = Variable(x, volatile=False)\n"),
    # VS103 .volatile
    unchanged("VS103", "reading the flag needs a human", HEADER + "if x.volatile:\n    pass\n", human=["VS103 line 3"]),
    unchanged("VS103", "setting the flag needs a human", HEADER + "x.volatile = True\n", human=["VS103 line 3"]),
    # VS104 .creator
    rewrite("VS104", "creator is grad_fn", HEADER + "print(y.creator, y.creator.previous)\n",
            HEADER + "print(y.grad_fn, y.grad_fn.previous)\n"),
    unchanged("VS104", "an assignment is someone else's attribute", HEADER + "self.creator = user\n"),
    unchanged("VS104", "files without torch", "print(post.creator)\n"),
    # VS105 type(h) == Variable
    rewrite("VS105", "a hidden-state helper", HEADER + REPACKAGE.format(test="type(h) == Variable"),
            HEADER + REPACKAGE.format(test="isinstance(h, torch.Tensor)")),
    rewrite("VS105", "negated, and import torch added",
            "from torch.autograd import Variable\n" + REPACKAGE.replace("    if {test}:\n        return Variable(h.data)\n"
                                                                         "    else:\n", "    if {test}:\n").format(
                test="type(h) is not Variable") + "",
            "from torch.autograd import Variable\nimport torch\n\n" + REPACKAGE.replace(
                "    if {test}:\n        return Variable(h.data)\n    else:\n", "    if {test}:\n").format(
                test="not isinstance(h, torch.Tensor)")),
    unchanged("VS105", "a type test elsewhere needs a human", HEADER + "def kind(x):\n    return type(x) == Variable\n",
              human=["VS105 line 4"]),
    unchanged("VS105", "isinstance and other types", HEADER + "a = isinstance(h, Variable)\nb = type(h) == torch.Tensor\n"),
]
