"""VS9xx cases: torch.dot of tensors that are not 1-D, loss targets and copies by element count."""

from tests.migrate.rules import STYLE_2019
from tests.support.rule_cases import rewrite, unchanged

LEGACY = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch.autograd import Variable\n"
EMBEDDINGS = LEGACY + "emb_u = u_embeddings(u)  # 1 x D\nemb_v = v_embeddings(v)\n"

CASES = [
    # VS901 torch.dot
    rewrite("VS901", "embeddings of unknown rank are flattened", EMBEDDINGS + "score = F.logsigmoid(torch.dot(emb_u, emb_v))\n",
            EMBEDDINGS + "score = F.logsigmoid(torch.dot(emb_u.reshape(-1), emb_v.reshape(-1)))\n"),
    rewrite("VS901", "only the operands that are not 1-D",
            LEGACY + "a = Variable(torch.randn(2, 3))\nb = Variable(torch.randn(6))\nd = torch.dot(a, b)\n",
            LEGACY + "a = Variable(torch.randn(2, 3))\nb = Variable(torch.randn(6))\nd = torch.dot(a.reshape(-1), b)\n"),
    rewrite("VS901", "the method of a known tensor",
            LEGACY + "w = torch.randn(2, 2)\nd = w.dot(w + 1)\n", LEGACY + "w = torch.randn(2, 2)\nd = w.reshape(-1).dot((w + 1).reshape(-1))\n"),
    unchanged("VS901", "1-D dots, numpy's dot and modern files",
              LEGACY + "a = torch.randn(3)\nd = torch.dot(a, a)\nm = array.dot(other)\n"),
    unchanged("VS901", "a modern file", "import torch\nd = torch.dot(a, b)\n"),
    # VS902 loss targets of another shape
    rewrite("VS902", "an (N, 1) output and an (N,) label",
            LEGACY + "out = Variable(torch.rand(4, 1))\nlabel = Variable(torch.ones(4))\nloss = nn.BCELoss()(out, label)\n",
            LEGACY + "out = Variable(torch.rand(4, 1))\nlabel = Variable(torch.ones(4))\nloss = nn.BCELoss()(out, label.view_as(out))\n"),
    rewrite("VS902", "mse of a target that needs no grad",
            LEGACY + "crit = nn.MSELoss()\nout = Variable(torch.rand(4, 1))\nloss = crit(out, Variable(torch.ones(4)))\n",
            LEGACY + "crit = nn.MSELoss()\nout = Variable(torch.rand(4, 1))\nloss = crit(out, Variable(torch.ones(4)).view_as(out))\n"),
    unchanged("VS902", "mse of a target that may require grad broadcast in 0.3 too",
              LEGACY + "out = Variable(torch.rand(4, 1))\nt = Variable(torch.ones(4), requires_grad=True)\nl = F.mse_loss(out, t)\n"),
    unchanged("VS902", "same or unknown ranks and class targets",
              LEGACY + "out = Variable(torch.rand(4, 1))\nl = F.binary_cross_entropy(out, Variable(torch.ones(4, 1)))\n"
                       "m = F.binary_cross_entropy(net(x), Variable(torch.ones(4)))\nn = F.nll_loss(out, y)\n"),
    # VS903 copies by element count
    rewrite("VS903", "a column from an (N, 1) output",
            LEGACY + "s = torch.zeros(4, 3)\no = torch.randn(4, 1)\ns[:, 0] = o\n",
            LEGACY + "s = torch.zeros(4, 3)\no = torch.randn(4, 1)\ns[:, 0] = o.reshape_as(s[:, 0])\n"),
    unchanged("VS903", "matching, smaller or unknown sources",
              LEGACY + "s = torch.zeros(4, 3)\ns[:, 0] = torch.ones(4)\ns[0] = 1\ns[:, 1] = out.data\n"),
    unchanged("VS901", "2019 style: dots of embeddings",
              STYLE_2019 + "emb_u = u_embeddings(u.to(device))\nemb_v = v_embeddings(v)\nscore = torch.dot(emb_u, emb_v)\n"),
    unchanged("VS902", "2019 style: loss targets",
              STYLE_2019 + "out = torch.rand(4, 1, device=device)\nloss = nn.BCELoss()(out, torch.ones(4))\n"),
    unchanged("VS903", "2019 style: copies", STYLE_2019 + "s = torch.zeros(4, 3).to(device)\no = torch.randn(4, 1)\ns[:, 0] = o\n"),
]
