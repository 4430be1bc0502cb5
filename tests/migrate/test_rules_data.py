"""VS7xx: TensorDataset keywords, nn.init names, clip_grad_norm, size_average/reduce, softmax dim."""

from tests.support.rulecase import RuleCase

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch.utils.data import TensorDataset\n"


class TestTensorDatasetKeywords(RuleCase):
    CODE = "VS701"

    def test_keywords_become_positions(self):
        self.assertRewrite(HEADER + "d = TensorDataset(data_tensor=x, target_tensor=y)\n"
                           "e = TensorDataset(target_tensor=y, data_tensor=x)\n",
                           HEADER + "d = TensorDataset(x, y)\ne = TensorDataset(x, y)\n")

    def test_modern_unchanged(self):
        self.assertUnchanged(HEADER + "d = TensorDataset(x, y)\n")


class TestInitInplace(RuleCase):
    CODE = "VS702"

    def test_trailing_underscore(self):
        self.assertRewrite(HEADER + "nn.init.xavier_uniform(w, gain=2)\ntorch.nn.init.constant(b, 0)\n",
                           HEADER + "nn.init.xavier_uniform_(w, gain=2)\ntorch.nn.init.constant_(b, 0)\n")
        self.assertRewrite("from torch.nn.init import normal\nnormal(w)\n", "from torch.nn.init import normal\nnormal_(w)\n")

    def test_modern_and_foreign_unchanged(self):
        self.assertUnchanged(HEADER + "nn.init.xavier_uniform_(w)\nnp.random.normal(0, 1)\n")


class TestClipGradNorm(RuleCase):
    CODE = "VS703"

    def test_statement_and_value(self):
        self.assertRewrite(HEADER + "nn.utils.clip_grad_norm(ps, 5)\nn = nn.utils.clip_grad_norm(ps, 5)\n",
                           HEADER + "nn.utils.clip_grad_norm_(ps, 5)\nn = nn.utils.clip_grad_norm_(ps, 5).item()\n")

    def test_modern_unchanged(self):
        self.assertUnchanged(HEADER + "nn.utils.clip_grad_norm_(ps, 5)\n")


class TestLossReduction(RuleCase):
    CODE = "VS704"

    def test_literal_flags(self):
        self.assertRewrite(
            HEADER + "a = F.nll_loss(o, y, size_average=False)\nb = nn.MSELoss(reduce=False)\n"
                     "c = F.mse_loss(x, y, size_average=True)\nd = F.l1_loss(x, y, size_average=False, reduce=True)\n",
            HEADER + "a = F.nll_loss(o, y, reduction='sum')\nb = nn.MSELoss(reduction='none')\n"
                     "c = F.mse_loss(x, y)\nd = F.l1_loss(x, y, reduction='sum')\n",
        )

    def test_variable_flags_need_a_human(self):
        self.assertUnchanged(HEADER + "a = F.nll_loss(o, y, size_average=avg)\n", ["VS704 line 5"])

    def test_non_losses_unchanged(self):
        self.assertUnchanged(HEADER + "s = x.scatter_reduce(0, i, v, reduce='sum')\nf = F.nll_loss(o, y, reduction='sum')\n")


class TestSoftmaxDim(RuleCase):
    CODE = "VS705"

    def test_known_ranks_get_the_legacy_dim(self):
        self.assertRewrite(
            HEADER + "a = F.softmax(torch.randn(4, 3))\nb = F.log_softmax(torch.randn(5))\n"
                     "x = torch.randn(2, 3, 4)\nc = F.softmax(x)\n",
            HEADER + "a = F.softmax(torch.randn(4, 3), dim=1)\nb = F.log_softmax(torch.randn(5), dim=0)\n"
                     "x = torch.randn(2, 3, 4)\nc = F.softmax(x, dim=0)\n",
        )

    def test_unknown_rank_and_modules_need_a_human(self):
        self.assertUnchanged(HEADER + "p = F.softmax(self.fc(h))\nm = nn.Softmax()\n", ["VS705 line 5", "VS705 line 6"])

    def test_explicit_dim_unchanged(self):
        self.assertUnchanged(HEADER + "p = F.softmax(h, dim=1)\nq = F.softmax(h, 1)\nm = nn.Softmax(dim=1)\n")
