"""`Module.register_backward_hook` called from a 0.3 program: the hook gets Variables, as in 0.3.

In 0.3 a module's backward hook was registered on the `grad_fn` of the module's output and called
as `hook(module, grad_input, grad_output)` with tuples of Variables; what it returned replaced
`grad_input` (pytorch/pytorch.github.io `docs/0.3.1/_modules/torch/nn/modules/module.html`
`Module.__call__`; the 0.3-era `torch/csrc/autograd/python_hook.cpp` wraps the gradients with
`THPVariable_Wrap`). torch 2.13 registers the hook the same way but passes plain tensors.
Hooks registered from the files of a program written for 0.3 (`legacy_program.targets_before("0.4")`)
get Variables (volatile unless the backward builds a graph, as gradients were in 0.3) and may return
Variables; every other caller, programs written for 0.4 or later included, gets torch's method
unchanged. Modern spelling: `register_full_backward_hook`, whose hooks get tensors.

Forward hooks need nothing: a module called with Variables passes its Variable inputs and output
to `hook(module, input, output)`, as 0.3 did.
"""

import functools

import torch

from ..legacy_program import targets_before
from ..legacy_warnings import warn_legacy
from ..objects.variable import enable_dispatch, legacy_gradient, plain_gradient

__all__ = ["register_backward_hook"]

_modern_register_backward_hook = torch.nn.Module.register_backward_hook


@functools.wraps(_modern_register_backward_hook)
def register_backward_hook(self, hook):
    if targets_before("0.4"):  # a program written for 0.4 or later gets torch's tensors
        warn_legacy(
            "Module.register_backward_hook: the hook gets grad_input and grad_output as Variables, as in "
            "0.3; modern hooks get tensors: write module.register_full_backward_hook(hook)."
        )
        hook = _legacy_module_hook(hook)
    return _modern_register_backward_hook(self, hook)


def _legacy_module_hook(hook):
    @functools.wraps(hook)
    def legacy_hook(module, grad_input, grad_output):
        with enable_dispatch():  # backward of Variables runs with subclass dispatch off
            grad_input = tuple([legacy_gradient(grad) for grad in grad_input])
            grad_output = tuple([legacy_gradient(grad) for grad in grad_output])
            return plain_gradient(hook(module, grad_input, grad_output))

    return legacy_hook
