"""VS7xx cases: TensorDataset keywords, nn.init names, clip_grad_norm, size_average/reduce, softmax dim."""

from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch.utils.data import TensorDataset\n"

CASES = [
    # VS701 TensorDataset(data_tensor=, target_tensor=)
    rewrite("VS701", "keywords become positions",
            HEADER + "d = TensorDataset(data_tensor=x, target_tensor=y)\ne = TensorDataset(target_tensor=y, data_tensor=x)\n",
            HEADER + "d = TensorDataset(x, y)\ne = TensorDataset(x, y)\n"),
    unchanged("VS701", "positional tensors", HEADER + "d = TensorDataset(x, y)\n"),
    unchanged("VS701", "mixed with positionals needs a human", HEADER + "d = TensorDataset(x, target_tensor=y)\n",
              human=["VS701 line 5"]),
    # VS702 nn.init without the trailing underscore
    rewrite("VS702", "trailing underscore",
            HEADER + "nn.init.xavier_uniform(w, gain=2)\ntorch.nn.init.constant(b, 0)\n",
            HEADER + "nn.init.xavier_uniform_(w, gain=2)\ntorch.nn.init.constant_(b, 0)\n"),
    rewrite("VS702", "imported by name", "from torch.nn.init import normal\nnormal(w)\n",
            "from torch.nn.init import normal\nnormal_(w)\n"),
    unchanged("VS702", "modern and foreign names", HEADER + "nn.init.xavier_uniform_(w)\nnp.random.normal(0, 1)\n"),
    # VS703 clip_grad_norm
    rewrite("VS703", "a statement and a used value",
            HEADER + "nn.utils.clip_grad_norm(ps, 5)\nn = nn.utils.clip_grad_norm(ps, 5)\n",
            HEADER + "nn.utils.clip_grad_norm_(ps, 5)\nn = nn.utils.clip_grad_norm_(ps, 5).item()\n"),
    unchanged("VS703", "the modern name", HEADER + "nn.utils.clip_grad_norm_(ps, 5)\n"),
    # VS704 size_average=, reduce=
    rewrite("VS704", "literal flags",
            HEADER + "a = F.nll_loss(o, y, size_average=False)\nb = nn.MSELoss(reduce=False)\n"
                     "c = F.mse_loss(x, y, size_average=True)\nd = F.l1_loss(x, y, size_average=False, reduce=True)\n",
            HEADER + "a = F.nll_loss(o, y, reduction='sum')\nb = nn.MSELoss(reduction='none')\n"
                     "c = F.mse_loss(x, y)\nd = F.l1_loss(x, y, reduction='sum')\n"),
    unchanged("VS704", "variable flags need a human", HEADER + "a = F.nll_loss(o, y, size_average=avg)\n",
              human=["VS704 line 5"]),
    unchanged("VS704", "non losses and reduction=",
              HEADER + "s = x.scatter_reduce(0, i, v, reduce='sum')\nf = F.nll_loss(o, y, reduction='sum')\n"),
    # VS705 softmax without dim
    rewrite("VS705", "known ranks get the legacy dim",
            HEADER + "a = F.softmax(torch.randn(4, 3))\nb = F.log_softmax(torch.randn(5))\n"
                     "x = torch.randn(2, 3, 4)\nc = F.softmax(x)\n",
            HEADER + "a = F.softmax(torch.randn(4, 3), dim=1)\nb = F.log_softmax(torch.randn(5), dim=0)\n"
                     "x = torch.randn(2, 3, 4)\nc = F.softmax(x, dim=0)\n"),
    unchanged("VS705", "unknown rank and modules need a human", HEADER + "p = F.softmax(self.fc(h))\nm = nn.Softmax()\n",
              human=["VS705 line 5", "VS705 line 6"]),
    unchanged("VS705", "explicit dim", HEADER + "p = F.softmax(h, dim=1)\nq = F.softmax(h, 1)\nm = nn.Softmax(dim=1)\n"),
]
