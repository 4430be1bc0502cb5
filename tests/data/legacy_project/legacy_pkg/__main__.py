"""`varshim run -m legacy_pkg ARGS`: a package main with `async=`, importing a module of the project."""
import sys

import torch

import helpers

x = torch.ones(3)
x.copy_(helpers.to_device(x), async=True)
print("argv", sys.argv)
print("name", __name__)
print("sum", x.sum().item())
sys.exit(5)
