"""A PyTorch 0.3 script for tests/test_runner.py: prints what it was given, exits as asked."""
import sys

import torch
from torch.autograd import Variable

import helpers  # a sibling module that uses `async=` (a SyntaxError for plain python 3.7+)

print("argv", sys.argv)
print("name", __name__)
print("path0", sys.path[0])
print("stdin", sys.stdin.readline().strip())
x = Variable(torch.ones(2), requires_grad=True)
loss = helpers.to_device((x * 3).sum())
loss.backward()
print("loss", loss.data[0], "grad", x.grad.data.tolist())
if sys.argv[1:2] == ["fail"]:
    helpers.explode(x)  # the call in the traceback
sys.exit(int(sys.argv[1]) if sys.argv[1:2] and sys.argv[1].isdigit() else 0)
