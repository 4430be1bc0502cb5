"""VS2xx: loss.data[0] and loss[0] on one-element results."""

from tests.support.rulecase import RuleCase

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


class TestDataIndex(RuleCase):
    CODE = "VS201"

    def test_losses_and_reductions_become_item(self):
        self.assertRewrite(
            HEADER + "loss = F.nll_loss(out, y)\ntotal += loss.data[0]\nc = (p == y).sum().data[0]\n",
            HEADER + "loss = F.nll_loss(out, y)\ntotal += loss.item()\nc = (p == y).sum().item()\n",
        )

    def test_criterion_modules_and_arithmetic(self):
        self.assertRewrite(
            HEADER + "crit = nn.MSELoss()\nloss = crit(a, b) + 0.5 * crit(c, d)\nprint(loss.data[0])\n",
            HEADER + "crit = nn.MSELoss()\nloss = crit(a, b) + 0.5 * crit(c, d)\nprint(loss.item())\n",
        )

    def test_accumulated_scalar_names(self):
        self.assertRewrite(
            HEADER + "def f():\n    loss = 0\n    loss += F.mse_loss(a, b)\n    return loss.data[0]\n",
            HEADER + "def f():\n    loss = 0\n    loss += F.mse_loss(a, b)\n    return loss.item()\n",
        )

    def test_unknown_shape_needs_a_human(self):
        self.assertUnchanged(HEADER + "first = x.data[0]\n", ["VS201 line 4"])
        # a loss kept per element is not one value
        self.assertUnchanged(HEADER + "l = F.mse_loss(a, b, reduce=False)\nv = l.data[0]\n", ["VS201 line 5"])
        self.assertUnchanged(HEADER + "s = x.sum(1)\nv = s.data[0]\n", ["VS201 line 5"])

    def test_modern_item_and_other_indices_unchanged(self):
        self.assertUnchanged(HEADER + "loss = F.nll_loss(out, y)\nv = loss.item()\nw = x.data[1]\n")


class TestScalarIndex(RuleCase):
    CODE = "VS202"

    def test_index_zero_of_a_loss(self):
        self.assertRewrite(HEADER + "loss = F.cross_entropy(o, y)\nprint(loss[0])\n",
                           HEADER + "loss = F.cross_entropy(o, y)\nprint(loss.item())\n")

    def test_index_zero_of_unknown_values_is_not_an_idiom(self):
        self.assertUnchanged(HEADER + "row = x[0]\nfirst = batch[0]\n")


class TestTensorReduction(RuleCase):
    CODE = "VS203"
    LEGACY = "import torch\nfrom torch.autograd import Variable\n"

    def test_reductions_of_data_are_numbers(self):
        self.assertRewrite(
            self.LEGACY + "pred = output.data.max(1)[1]\ncorrect += pred.eq(target.data).cpu().sum()\n"
                          "err = (p.data - t).abs().mean()\nn = w.grad.data.norm(2)\n",
            self.LEGACY + "pred = output.data.max(1)[1]\ncorrect += pred.eq(target.data).cpu().sum().item()\n"
                          "err = (p.data - t).abs().mean().item()\nn = w.grad.data.norm(2).item()\n",
        )

    def test_dims_numpy_and_item_unchanged(self):
        self.assertUnchanged(self.LEGACY + "a = x.data.sum(1)\nb = x.data.numpy().sum()\nc = x.data.sum().item()\n"
                                           "d = x.sum()\n")

    def test_modern_files_keep_data_reductions(self):
        # Without `Variable` imported, `.data` is a modern tensor and its reductions stay tensors.
        self.assertUnchanged("import torch\nnorms = torch.stack([p.data.norm() for p in ps])\n")


class TestCatScalars(RuleCase):
    CODE = "VS204"
    LEGACY = "import torch\nimport torch.nn.functional as F\nfrom torch.autograd import Variable\n"

    def test_list_of_losses_is_stacked(self):
        body = "def f(batches):\n    losses = []\n    for o, y in batches:\n        losses.append(F.mse_loss(o, y))\n" \
               "    return torch.{}(losses).sum()\n"
        self.assertRewrite(self.LEGACY + body.format("cat"), self.LEGACY + body.format("stack"))

    def test_unknown_items_need_a_human_in_legacy_files_only(self):
        body = "parts = []\nparts.append(-log_prob * r)\nloss = torch.cat(parts).sum()\n"
        self.assertUnchanged(self.LEGACY + body, ["VS204 line 6"])
        self.assertUnchanged("import torch\n" + body)  # modern file: ordinary concatenation

    def test_other_cats_unchanged(self):
        self.assertUnchanged(self.LEGACY + "y = torch.cat([a, b], 1)\nz = torch.cat(outputs)\n")
