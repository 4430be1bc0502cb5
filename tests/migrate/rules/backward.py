"""VS3xx cases: retain_variables, autograd.backward keywords, backward(torch.ones(1))."""

from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\nimport torch.nn.functional as F\nfrom torch import autograd\n"

GAN = """\
import torch
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable
D_solver = optim.Adam(D.parameters(), lr=1e-3)
G_solver = optim.Adam(G.parameters(), lr=1e-3)
for it in range(3):
    z = Variable(torch.randn(4, 2))
    G_sample = G(z)
    D_real = D(X)
    D_fake = D(G_sample)
    D_loss = -torch.mean(torch.log(D_real) + torch.log(1 - D_fake))
    D_loss.backward(retain_graph=True)
    D_solver.step()
{g_step}    G_loss = -torch.mean(torch.log(D_fake))
    G_loss.backward()
    G_solver.step()
"""

CASES = [
    # VS301 retain_variables=
    rewrite("VS301", "renamed",
            HEADER + "loss.backward(retain_variables=True)\nautograd.backward([y], [g], retain_variables=True)\n",
            HEADER + "loss.backward(retain_graph=True)\nautograd.backward([y], [g], retain_graph=True)\n"),
    unchanged("VS301", "both given needs a human", HEADER + "loss.backward(retain_graph=True, retain_variables=True)\n",
              human=["VS301 line 4"]),
    unchanged("VS301", "other calls", HEADER + "cache.store(retain_variables=True)\n"),
    # VS302 variables=, grad_variables=
    rewrite("VS302", "both renamed", HEADER + "autograd.backward(variables=[y], grad_variables=[g])\n",
            HEADER + "autograd.backward(tensors=[y], grad_tensors=[g])\n"),
    rewrite("VS302", "after a positional", HEADER + "torch.autograd.backward([y], grad_variables=[g])\n",
            HEADER + "torch.autograd.backward([y], grad_tensors=[g])\n"),
    unchanged("VS302", "modern keywords", HEADER + "autograd.backward(tensors=[y], grad_tensors=[g])\n"),
    # VS303 backward(torch.ones(1))
    rewrite("VS303", "ones gradient on a scalar dropped",
            HEADER + "loss = F.mse_loss(a, b)\nloss.backward(torch.ones(1))\n"
                     "loss.backward(torch.FloatTensor([1]), retain_graph=True)\n",
            HEADER + "loss = F.mse_loss(a, b)\nloss.backward()\nloss.backward(retain_graph=True)\n"),
    rewrite("VS303", "a name bound to one", HEADER + "one = torch.FloatTensor([1])\ny = x.sum()\ny.backward(one)\n",
            HEADER + "one = torch.FloatTensor([1])\ny = x.sum()\ny.backward()\n"),
    unchanged("VS303", "unknown root needs a human", HEADER + "out.backward(torch.ones(1))\n", human=["VS303 line 4"]),
    unchanged("VS303", "real gradients", HEADER + "y = x.sum()\ny.backward(torch.ones(2))\nz.backward(g)\n"),
    unchanged("VS303", "a one-element gradient other than 1 needs a human",
              HEADER + "one = torch.FloatTensor([1])\nmone = one * -1\ny = x.mean()\ny.backward(mone)\n"
              "y.backward(-one)\n", human=["VS303 line 7", "VS303 line 8"]),
    unchanged("VS303", "2019 style: a 0-dim gradient matches a 0-dim loss",
              HEADER + "y = x.mean()\ny.backward(torch.tensor(-1.0))\ny.backward(y.detach() * 2)\n"),
    # VS304 backward through a module after its optimizer stepped
    unchanged("VS304", "a GAN that steps D before G's backward needs a human", GAN.format(g_step=""),
              human=["VS304 line 16"]),
    unchanged("VS304", "a fresh forward pass after the step",
              GAN.format(g_step="    D_fake = D(G_sample)\n").replace("G_loss.backward()", "G_loss.backward()")),
    unchanged("VS304", "steps of a module the graph does not go through, and plain loops",
              GAN.replace("D_solver.step()", "C_solver.step()").format(g_step="")
              + "C_solver = optim.SGD(C.parameters(), lr=0.1)\n"
              + "for x in data:\n    loss = D(x).sum()\n    loss.backward()\n    D_solver.step()\n"),
]
