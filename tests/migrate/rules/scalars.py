"""VS2xx cases: loss.data[0], loss[0], reductions of .data and torch.cat of one-element results."""

from tests.migrate.rules import STYLE_2019
from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
LEGACY = "import torch\nfrom torch.autograd import Variable\n"  # `.data` of a Variable: a 0.3 Tensor
LEGACY_F = "import torch\nimport torch.nn.functional as F\nfrom torch.autograd import Variable\n"
LOSSES = ("def f(batches):\n    losses = []\n    for o, y in batches:\n        losses.append(F.mse_loss(o, y))\n"
          "    return torch.{}(losses).sum()\n")
LEGACY_CHAR = (LEGACY + "import torch.nn as nn\ncriterion = nn.NLLLoss()\n\n\ndef targets(line):\n"
               "    return Variable(torch.LongTensor([ord(c) - 97 for c in line]))\n\n\n"
               "def train(rnn, line):\n    target = targets(line)\n    loss = 0\n"
               "    for i in range(len(line)):\n        output = rnn(i)\n        loss += criterion(output, {target})\n"
               "    return loss\n")
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
    rewrite("VS203", "dot of tensors is a number", LEGACY + "s = u.data.dot(v.data)\n",
            LEGACY + "s = u.data.dot(v.data).item()\n"),
    unchanged("VS203", "a reduction of a plain tensor made here needs a human",
              LEGACY + "labels = torch.LongTensor([0, 2, 1])\nv = Variable(labels)\nn = labels.max() + 1\n",
              human=["VS203 line 5"]),
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
    # Items of unknown shape: 0.3 never made them 0-dim, so atleast_1d each is 0.3's value exactly.
    rewrite("VS204", "unknown items in legacy files are made at least 1-D", LEGACY_F + PARTS,
            LEGACY_F + PARTS.replace("torch.cat(parts)", "torch.cat([torch.atleast_1d(x) for x in parts])")),
    unchanged("VS204", "unknown items in a modern file are ordinary concatenation", "import torch\n" + PARTS),
    unchanged("VS204", "other cats", LEGACY_F + "y = torch.cat([a, b], 1)\nz = torch.cat(outputs)\n"),
    rewrite("VS204", "a list literal of losses",
            LEGACY_F + "l = torch.cat([F.mse_loss(a, b), F.l1_loss(a, b)]).sum()\n",
            LEGACY_F + "l = torch.stack([F.mse_loss(a, b), F.l1_loss(a, b)]).sum()\n"),
    rewrite("VS204", "per-step scores of a seq2seq decoder",
            LEGACY + "def decode(out, steps):\n    scores = []\n    for t in range(steps):\n"
                     "        scores.append(out[t].max())\n    return torch.cat(scores, dim=0)\n",
            LEGACY + "def decode(out, steps):\n    scores = []\n    for t in range(steps):\n"
                     "        scores.append(out[t].max())\n    return torch.stack(scores, dim=0)\n"),
    rewrite("VS204", "indexed items", LEGACY + "picked = []\nfor i in range(3):\n    picked.append(v[i])\ny = torch.cat(picked)\n",
            LEGACY + "picked = []\nfor i in range(3):\n    picked.append(v[i])\n"
                     "y = torch.cat([torch.atleast_1d(x) for x in picked])\n"),
    unchanged("VS204", "items of known rank", LEGACY + "rows = []\nfor i in range(3):\n    rows.append(torch.zeros(1, 4))\n"
                                              "y = torch.cat(rows)\n"),
    unchanged("VS204", "a cat along another dim", LEGACY_F + "parts = []\nparts.append(F.mse_loss(a, b))\ny = torch.cat(parts, 1)\n"),
    # VS205 integer indices as loss targets
    rewrite("VS205", "a per-character loop over a 1-D target",
            LEGACY_CHAR.format(target="target[i]"), LEGACY_CHAR.format(target="target[i].view(1)")),
    rewrite("VS205", "a target of unknown rank is made at least 1-D",
            LEGACY + "import torch.nn as nn\ncriterion = nn.NLLLoss()\ndef step(out, y, i):\n    return criterion(out, y[i])\n",
            LEGACY + "import torch.nn as nn\ncriterion = nn.NLLLoss()\n"
                     "def step(out, y, i):\n    return criterion(out, torch.atleast_1d(y[i]))\n"),
    rewrite("VS205", "functional losses and import torch added",
            "import torch.nn.functional as F\nfrom torch.autograd import Variable\nl = F.nll_loss(o, t[k])\n",
            "import torch.nn.functional as F\nfrom torch.autograd import Variable\nimport torch\n\n"
            "l = F.nll_loss(o, torch.atleast_1d(t[k]))\n"),
    unchanged("VS205", "a 2-D target indexed by step is 1-D already",
              LEGACY + "import torch.nn as nn\ncriterion = nn.NLLLoss()\nt = Variable(torch.LongTensor([1, 2]).view(-1, 1))\n"
                       "for i in range(2):\n    loss = criterion(o, t[i])\n"),
    unchanged("VS205", "slices and modern files",
              LEGACY + "import torch.nn as nn\ncriterion = nn.NLLLoss()\nloss = criterion(o, t[i:i + 1])\n"
              "loss = criterion(o, t[:, 0])\n"),
    unchanged("VS205", "a modern file's index is its own business",
              "import torch\nimport torch.nn as nn\ncriterion = nn.NLLLoss()\nloss = criterion(o, t[i])\n"),
    # VS206 single elements of 0.3 Tensors
    rewrite("VS206", "an element of a 2-D similarity table",
            LEGACY + "emb = w.data\nsim = emb.mm(emb.t())\nsame = [sim[a, b] for a in range(4) for b in range(4)]\n",
            LEGACY + "emb = w.data\nsim = emb.mm(emb.t())\nsame = [sim[a, b].item() for a in range(4) for b in range(4)]\n"),
    unchanged("VS206", "an element of a topk of unknown rank needs a human",
              LEGACY + "topv, topi = out.data.topk(1)\nni = topi[0][0]\nword = index2word[ni]\n", human=["VS206 line 4"]),
    unchanged("VS206", "a plain tensor made here needs a human",
              LEGACY + "a = torch.randn(3, 4)\nv = Variable(a)\nprint(a[0, 2])\n", human=["VS206 line 5"]),
    unchanged("VS206", "elements in arithmetic, rows, Variables and modern files",
              LEGACY + "x = out.data\ny = x[0, 1] * 2\nrow = x[0]\nz = Variable(torch.ones(2, 2))[0, 1]\n"
                       "m = x[0, 1].item()\n"),
    unchanged("VS206", "modern files", "import torch\nsim = w.data.mm(w.data.t())\nprint(sim[0, 1])\n"),
    # VS207 squeeze()[0]
    rewrite("VS202", "squeeze of a one-element tensor", LEGACY + "w = Variable(torch.ones(1, 1))\nv = w.data.squeeze()[0]\n",
            LEGACY + "w = Variable(torch.ones(1, 1))\nv = w.data.squeeze().item()\n"),
    unchanged("VS207", "squeeze of an unknown tensor needs a human", LEGACY + "v = w.data.squeeze()[0]\n",
              human=["VS207 line 3"]),
    unchanged("VS207", "squeeze in modern files and with a dim", "import torch\nv = w.squeeze()[0]\nu = w.squeeze(1)[0]\n"),
    # 2019 code that kept `import Variable`: an index gives a 0-dim value on purpose there
    unchanged("VS203", "2019 style: reductions of data", STYLE_2019 + "x = x.to(device)\npred = output.data.max(1)[1]\n"
              "correct += pred.eq(target.data).cpu().sum()\n"),
    unchanged("VS204", "2019 style: cats of unknown items",
              STYLE_2019 + "model.to(device)\nparts = []\nparts.append(-log_prob * r)\nloss = torch.cat(parts).sum()\n"),
    unchanged("VS205", "2019 style: targets indexed by step",
              STYLE_2019 + "criterion = nn.NLLLoss()\ny = torch.tensor([[1], [2]], device=device)\n"
                           "def step(out, y, i):\n    return criterion(out, y[i])\n"),
    unchanged("VS206", "2019 style: elements of a similarity table",
              STYLE_2019 + "emb = w.data.to(device)\nsim = emb.mm(emb.t())\nsame = [sim[a, b] for a in range(4) for b in range(4)]\n"),
    unchanged("VS207", "2019 style: squeeze then index", STYLE_2019 + "w = w.to(device)\nv = w.data.squeeze()[0]\n"),
]
