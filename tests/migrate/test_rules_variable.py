"""VS1xx: Variable(x), volatile=True, .volatile, .creator."""

from tests.support.rulecase import RuleCase

HEADER = "import torch\nfrom torch.autograd import Variable\n"


class TestVariableWrapper(RuleCase):
    CODE = "VS101"

    def test_plain_wrapper_is_the_tensor(self):
        self.assertRewrite(HEADER + "x = Variable(t)  # input\ny = Variable(torch.ones(2)).sum()\n",
                           HEADER + "x = t  # input\ny = torch.ones(2).sum()\n")

    def test_requires_grad_on_a_fresh_tensor(self):
        self.assertRewrite(HEADER + "w = Variable(torch.randn(3, 2), requires_grad=True)\n",
                           HEADER + "w = torch.randn(3, 2).requires_grad_()\n")

    def test_requires_grad_on_a_name_keeps_the_name_untouched(self):
        # 0.3: a new leaf on t's storage; t itself never required grad.
        self.assertRewrite(HEADER + "w = Variable(t, requires_grad=True)\n",
                           HEADER + "w = t.detach().requires_grad_()\n")

    def test_as_tensor_may_be_the_input_itself(self):
        self.assertRewrite(HEADER + "w = Variable(torch.as_tensor(t), requires_grad=True)\n",
                           HEADER + "w = torch.as_tensor(t).detach().requires_grad_()\n")

    def test_requires_grad_flag_expression(self):
        self.assertRewrite(HEADER + "w = Variable(t.data, requires_grad=train)\n",
                           HEADER + "w = t.data.requires_grad_(train)\n")

    def test_expression_argument_is_parenthesised_where_needed(self):
        self.assertRewrite(HEADER + "y = Variable(a + b).sum()\nz = Variable(a + b)\n",
                           HEADER + "y = (a + b).sum()\nz = a + b\n")

    def test_self_assignment_left_behind_is_removed(self):
        self.assertRewrite(HEADER + "def f(x, y):\n    # inputs\n    x, y = Variable(x), Variable(y)\n    return x + y\n",
                           HEADER + "def f(x, y):\n    # inputs\n    return x + y\n")

    def test_aliases_and_module_paths(self):
        self.assertRewrite("import torch.autograd as ag\nx = ag.Variable(t)\n", "import torch.autograd as ag\nx = t\n")
        self.assertRewrite("from torch.autograd import Variable as V\nx = V(t)\n",
                           "from torch.autograd import Variable as V\nx = t\n")

    def test_modern_and_foreign_code_unchanged(self):
        self.assertUnchanged("import torch\nx = torch.ones(2).requires_grad_()\n")
        self.assertUnchanged("from mylib import Variable\nx = Variable(t)\n")  # not torch's

    def test_unusual_arguments_need_a_human(self):
        self.assertUnchanged(HEADER + "x = Variable(t, True)\n", ["VS101 line 3"])


class TestVolatile(RuleCase):
    CODE = "VS102"

    def test_rest_of_an_inference_loop_runs_under_no_grad(self):
        before = HEADER + (
            "def test(model, loader):\n"
            "    total = 0\n"
            "    for data in loader:\n"
            "        # eval input\n"
            "        data = Variable(data, volatile=True)\n"
            "        total += model(data).sum()\n"
            "    return total\n"
        )
        after = HEADER + (
            "def test(model, loader):\n"
            "    total = 0\n"
            "    for data in loader:\n"
            "        # eval input\n"
            "        with torch.no_grad():\n"
            "            total += model(data).sum()\n"
            "    return total\n"
        )
        self.assertRewrite(before, after)

    def test_expression_use_keeps_statement(self):
        self.assertRewrite(HEADER + "out = model(Variable(x, volatile=True))\nprint(out)\n",
                           HEADER + "with torch.no_grad():\n    out = model(x)\n    print(out)\n")

    def test_inside_no_grad_already_only_unwraps(self):
        self.assertRewrite(HEADER + "with torch.no_grad():\n    out = model(Variable(x, volatile=True))\n",
                           HEADER + "with torch.no_grad():\n    out = model(x)\n")

    def test_import_torch_added_when_missing(self):
        self.assertRewrite("from torch.autograd import Variable\nout = model(Variable(x, volatile=True))\n",
                           "from torch.autograd import Variable\nimport torch\n\nwith torch.no_grad():\n    out = model(x)\n")

    def test_unclear_scope_needs_a_human(self):
        source = HEADER + "def f(x):\n    v = Variable(x, volatile=True)\n    loss = model(v)\n    loss.backward()\n"
        self.assertUnchanged(source, ["VS102 line 4"])
        returns = HEADER + "def f(x):\n    v = Variable(x, volatile=True)\n    return model(v)\n"
        self.assertUnchanged(returns, ["VS102 line 4"])

    def test_non_literal_flag_needs_a_human(self):
        self.assertUnchanged(HEADER + "v = Variable(x, volatile=not train)\n", ["VS102 line 3"])

    def test_volatile_false_is_left_to_vs101(self):
        self.assertUnchanged(HEADER + "v = Variable(x, volatile=False)\n")


class TestVolatileAttribute(RuleCase):
    CODE = "VS103"

    def test_flag_access_needs_a_human(self):
        self.assertUnchanged(HEADER + "if x.volatile:\n    pass\n", ["VS103 line 3"])
        self.assertUnchanged(HEADER + "x.volatile = True\n", ["VS103 line 3"])


class TestCreator(RuleCase):
    CODE = "VS104"

    def test_creator_is_grad_fn(self):
        self.assertRewrite(HEADER + "print(y.creator, y.creator.previous)\n",
                           HEADER + "print(y.grad_fn, y.grad_fn.previous)\n")

    def test_assignment_and_files_without_torch_unchanged(self):
        self.assertUnchanged(HEADER + "self.creator = user\n")
        self.assertUnchanged("print(post.creator)\n")
