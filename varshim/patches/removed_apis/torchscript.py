"""Python wrappers that TorchScript still reads as the torch functions they replace.

TorchScript resolves `torch.name` in a scripted function by the object it finds there: a builtin
op by identity (`torch.jit._builtins._find_builtin`), anything else is compiled from its Python
source, which a `*args` wrapper cannot be. Modern scripted code calling a function varshim wraps
must compile as before, so a wrapper of a builtin op is registered as that op
(`_register_builtin`, torch.jit internals since torch 1.0). A wrapper of a Python function
(`torch.stft`) is written to be compiled itself: typed, its legacy branch under
`if not torch.jit.is_scripting():`.
"""

import torch.jit._builtins

__all__ = ["as_builtin", "as_builtin_op"]


def as_builtin(wrapper, op):
    """Script `wrapper` as the aten `op` (e.g. "aten::masked_select"); it takes the op's name."""
    torch.jit._builtins._register_builtin(wrapper, op)
    wrapper.__name__ = wrapper.__qualname__ = op.split("::")[1]
    return wrapper


def as_builtin_op(op):
    """Decorator form of `as_builtin`."""
    return lambda wrapper: as_builtin(wrapper, op)
