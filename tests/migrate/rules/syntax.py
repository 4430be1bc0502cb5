"""VS601 cases: async= keyword arguments (a SyntaxError today: the token pass rewrites them)."""

from tests.support.rule_cases import rewrite, unchanged

CASES = [
    rewrite("VS601", "found and renamed", "import torch\nx = x.cuda(async=True)  # copy\ny.copy_(x, async=True)\n",
            "import torch\nx = x.cuda(non_blocking=True)  # copy\ny.copy_(x, non_blocking=True)\n"),
    rewrite(("VS101", "VS601"), "rewritten together with other rules",
            "import torch\nfrom torch.autograd import Variable\nx = Variable(t.cuda(async=True))\n",
            "import torch\nfrom torch.autograd import Variable\nx = t.cuda(non_blocking=True)\n"),
    unchanged("VS601", "async functions and modern keywords",
              "import torch\nasync def f(x):\n    return await g(x, non_blocking=True)\n"),
]
