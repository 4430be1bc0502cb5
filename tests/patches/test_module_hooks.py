"""`Module.register_backward_hook` from the legacy program: hooks get Variables (varshim.patches.module_hooks)."""

import pytest
import torch

from tests.support.legacy_program import LEGACY_FILE, modern_torch, run, running_legacy_program
from varshim.objects.variable import Variable

# torch's own deprecation of non-full hooks on modules whose forward has several nodes (Linear)
pytestmark = pytest.mark.filterwarnings("ignore:Using a non-full backward hook:FutureWarning")

# The 2017 tutorial pattern (pytorch/tutorials "Forward and Backward Function Hooks", written for 0.3)
PROGRAM = """
import torch
from torch.autograd import Variable
seen = []

def printgradnorm(self, grad_input, grad_output):
    seen.append((self.__class__.__name__, [type(g).__name__ for g in grad_input if g is not None],
                 type(grad_output[0]).__name__, grad_output[0].data.norm(), repr(grad_output[0])))
    return tuple(None if g is None else g * 2 for g in grad_input)

def printshapes(self, input, output):
    seen.append(("forward", type(input[0]).__name__, type(output).__name__))

torch.manual_seed(0)
layer = torch.nn.Linear(3, 2)
layer.register_backward_hook(printgradnorm)
layer.register_forward_hook(printshapes)
x = Variable(torch.randn(4, 3), requires_grad=True)
layer(x).sum().backward()
"""


def test_a_legacy_programs_module_hooks_get_variables():
    with running_legacy_program():
        namespace = run(PROGRAM, LEGACY_FILE)
    forward, backward = namespace["seen"]
    assert forward == ("forward", "Variable", "Variable")
    name, grad_inputs, grad_output, norm, shown = backward
    assert name == "Linear" and grad_inputs and set(grad_inputs) == {"Variable"}
    assert grad_output == "Variable" and type(norm) is float and norm == pytest.approx(8**0.5)  # ones of shape 4x2
    assert shown.startswith("Variable containing:")


def test_what_a_legacy_module_hook_returns_replaces_grad_input_as_torch_does():
    with running_legacy_program():
        legacy = run(PROGRAM, LEGACY_FILE)
    modern_program = PROGRAM.replace("g.data.norm()", "g.norm()")
    with modern_torch():
        modern = run(modern_program)
    torch.testing.assert_close(legacy["x"].grad.data.as_subclass(torch.Tensor), modern["x"].grad, rtol=0, atol=0)
    for name in ("weight", "bias"):
        torch.testing.assert_close(getattr(legacy["layer"], name).grad, getattr(modern["layer"], name).grad)


def test_modern_callers_keep_torchs_hooks_and_tensors():
    seen = []
    layer = torch.nn.Linear(3, 2)
    with running_legacy_program():  # this test file is not the program's: torch's method, unchanged
        layer.register_backward_hook(lambda module, gin, gout: seen.append([type(g) for g in gin + gout]))
    layer(Variable(torch.randn(4, 3), requires_grad=True)).sum().backward()
    assert seen and {kind for kind in seen[0] if kind is not type(None)} == {torch.Tensor}
    assert torch.nn.Module.register_backward_hook.__wrapped__.__module__ == "torch.nn.modules.module"
