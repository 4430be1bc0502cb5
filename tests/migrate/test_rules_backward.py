"""VS3xx: retain_variables, autograd.backward keywords, backward(torch.ones(1))."""

from tests.support.rulecase import RuleCase

HEADER = "import torch\nimport torch.nn.functional as F\nfrom torch import autograd\n"


class TestRetainVariables(RuleCase):
    CODE = "VS301"

    def test_renamed(self):
        self.assertRewrite(HEADER + "loss.backward(retain_variables=True)\nautograd.backward([y], [g], retain_variables=True)\n",
                           HEADER + "loss.backward(retain_graph=True)\nautograd.backward([y], [g], retain_graph=True)\n")

    def test_both_given_needs_a_human(self):
        self.assertUnchanged(HEADER + "loss.backward(retain_graph=True, retain_variables=True)\n", ["VS301 line 4"])

    def test_other_calls_unchanged(self):
        self.assertUnchanged(HEADER + "cache.store(retain_variables=True)\n")


class TestBackwardKeywords(RuleCase):
    CODE = "VS302"

    def test_renamed(self):
        self.assertRewrite(HEADER + "autograd.backward(variables=[y], grad_variables=[g])\n",
                           HEADER + "autograd.backward(tensors=[y], grad_tensors=[g])\n")
        self.assertRewrite(HEADER + "torch.autograd.backward([y], grad_variables=[g])\n",
                           HEADER + "torch.autograd.backward([y], grad_tensors=[g])\n")

    def test_modern_unchanged(self):
        self.assertUnchanged(HEADER + "autograd.backward(tensors=[y], grad_tensors=[g])\n")


class TestBackwardOnes(RuleCase):
    CODE = "VS303"

    def test_ones_gradient_on_a_scalar_dropped(self):
        self.assertRewrite(
            HEADER + "loss = F.mse_loss(a, b)\nloss.backward(torch.ones(1))\nloss.backward(torch.FloatTensor([1]), retain_graph=True)\n",
            HEADER + "loss = F.mse_loss(a, b)\nloss.backward()\nloss.backward(retain_graph=True)\n",
        )

    def test_named_one(self):
        self.assertRewrite(HEADER + "one = torch.FloatTensor([1])\ny = x.sum()\ny.backward(one)\n",
                           HEADER + "one = torch.FloatTensor([1])\ny = x.sum()\ny.backward()\n")

    def test_unknown_root_needs_a_human(self):
        self.assertUnchanged(HEADER + "out.backward(torch.ones(1))\n", ["VS303 line 4"])

    def test_real_gradients_unchanged(self):
        self.assertUnchanged(HEADER + "y = x.sum()\ny.backward(torch.ones(2))\nz.backward(g)\n")
