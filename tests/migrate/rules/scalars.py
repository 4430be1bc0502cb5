"""VS2xx cases: loss.data[0], loss[0], reductions of .data and torch.cat of one-element results."""

from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
LEGACY = "import torch\nfrom torch.autograd import Variable\n"  # `.data` of a Variable: a 0.3 Tensor
LEGACY_F = "import torch\nimport torch.nn.functional as F\nfrom torch.autograd import Variable\n"
LOSSES = ("def f(batches):\n    losses = []\n    for o, y in batches:\n        losses.append(F.mse_loss(o, y))\n"
          "    return torch.{}(losses).sum()\n")
PARTS = "parts = []\nparts.append(-log_prob * r)\nloss = torch.cat(parts).sum()\n"

CASES = [
    # VS201 x.data[0]
    rewrite("VS201", "losses and reductions become item",
            HEADER + "loss = F.nll_loss(out, y)\ntotal += loss.data[0]\nc = (p == y).sum().data[0]\n",
            HEADER + "loss = F.nll_loss(out, y)\ntotal += loss.item()\nc = (p == y).sum().item()\n"),
    rewrite("VS201", "criterion modules and arithmetic",
            HEADER + "crit = nn.MSELoss()\nloss = crit(a, b) + 0.5 * crit(c, d)\nprint(loss.data[0])\n",
            HEADER + "crit = nn.MSELoss()\nloss = crit(a, b) + 0.5 * crit(c, d)\nprint(loss.item())\n"),
    rewrite("VS201", "accumulated scalar names",
            HEADER + "def f():\n    loss = 0\n    loss += F.mse_loss(a, b)\n    return loss.data[0]\n",
            HEADER + "def f():\n    loss = 0\n    loss += F.mse_loss(a, b)\n    return loss.item()\n"),
    unchanged("VS201", "unknown shape needs a human", HEADER + "first = x.data[0]\n", human=["VS201 line 4"]),
    unchanged("VS201", "a loss kept per element is not one value",
              HEADER + "l = F.mse_loss(a, b, reduce=False)\nv = l.data[0]\n", human=["VS201 line 5"]),
    unchanged("VS201", "a reduction over a dim is not one value", HEADER + "s = x.sum(1)\nv = s.data[0]\n",
              human=["VS201 line 5"]),
    unchanged("VS201", "modern item and other indices",
              HEADER + "loss = F.nll_loss(out, y)\nv = loss.item()\nw = x.data[1]\n"),
    # VS202 loss[0]
    rewrite("VS202", "index zero of a loss", HEADER + "loss = F.cross_entropy(o, y)\nprint(loss[0])\n",
            HEADER + "loss = F.cross_entropy(o, y)\nprint(loss.item())\n"),
    unchanged("VS202", "index zero of unknown values is not an idiom", HEADER + "row = x[0]\nfirst = batch[0]\n"),
    # VS203 reductions of .data
    rewrite("VS203", "reductions of data are numbers",
            LEGACY + "pred = output.data.max(1)[1]\ncorrect += pred.eq(target.data).cpu().sum()\n"
                     "err = (p.data - t).abs().mean()\nn = w.grad.data.norm(2)\n",
            LEGACY + "pred = output.data.max(1)[1]\ncorrect += pred.eq(target.data).cpu().sum().item()\n"
                     "err = (p.data - t).abs().mean().item()\nn = w.grad.data.norm(2).item()\n"),
    unchanged("VS203", "dims, numpy and item",
              LEGACY + "a = x.data.sum(1)\nb = x.data.numpy().sum()\nc = x.data.sum().item()\nd = x.sum()\n"),
    # Without `Variable` imported, `.data` is a modern tensor and its reductions stay tensors.
    unchanged("VS203", "modern files keep data reductions",
              "import torch\nnorms = torch.stack([p.data.norm() for p in ps])\n"),
    # VS204 torch.cat of one-element results
    rewrite("VS204", "a list of losses is stacked", LEGACY_F + LOSSES.format("cat"), LEGACY_F + LOSSES.format("stack")),
    unchanged("VS204", "unknown items need a human in legacy files", LEGACY_F + PARTS, human=["VS204 line 6"]),
    unchanged("VS204", "unknown items in a modern file are ordinary concatenation", "import torch\n" + PARTS),
    unchanged("VS204", "other cats", LEGACY_F + "y = torch.cat([a, b], 1)\nz = torch.cat(outputs)\n"),
]
