"""The 0.3 object model: `Variable`, `LegacyTensor` (what `.data` is, and a 0.3 program's tensors).

Legacy semantics follow these objects: every torch operation that has one of them among its
inputs runs through their `__torch_function__`, so plain tensors never reach this package.

    variable.py         Variable: 0.3 results (no 0-dim, volatile), backward/grad with 0.3 arguments
    legacy_tensor.py    LegacyTensor: 0.3.1's number-returning ops give numbers; one class per 0.3 type
    tensor_rules.py     ops whose 0.3 meaning differs (N-D dot, ByteTensor masks, integer `/`)
    fast_paths.py       methods and operators that do what `__torch_function__` would, without the protocol
    tensor_methods.py   the precomputed names fast_paths generates methods for (checked against torch by a test)
    root_gradients.py   0.3 `_make_grads` and the engine's leniency on mis-shaped root gradients
    legacy_function.py  legacy autograd.Function (instance-method forward, `Fn(...)(x)`)
    new_style_function.py  new-style Functions of the legacy program: tensors to forward, Variables to backward
    stochastic.py       0.1-0.2 stochastic samples and `reinforce`
    printing.py         the 0.3 printer ("Variable containing:", "[torch.FloatTensor of size 2x3]")
"""
