"""Legacy `backward`: 0.1-0.3 signatures and the 0.3/0.4.0 engine's leniency on root gradients.

Restores (pytorch/pytorch v0.3.1 `torch/autograd/__init__.py`, `torch/autograd/variable.py`):
- `torch.autograd.backward(variables, grad_variables=None, retain_graph=None, create_graph=None,
  retain_variables=None)` and `Variable.backward(gradient, retain_graph, create_graph,
  retain_variables)`; gradients given as tensors, Variables or None; `create_graph` defaults to
  "any gradient is a non-volatile Variable" (`_make_grads`).
- `torch.autograd.grad(...)` returning Variables when its outputs are Variables.
- a root gradient whose shape differs from its output's goes into the graph unchecked, as the
  engine did before PR #8168 (0.4.1): `o.backward(torch.FloatTensor([1, 1]))` on a scalar `o`.

Modern spelling: `backward(gradient=torch.ones_like(o))`, `retain_graph=`, `tensors=`/`grad_tensors=`.
"""

import torch
from torch.autograd.graph import GradientEdge

from . import stochastic
from .variable import Variable
from .warnings import warn_legacy

__all__ = ["backward", "grad", "legacy_backward"]

_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_Tensor = torch.Tensor
_REQUIRED = object()  # `tensors` not given (legacy code may pass `variables=` instead)
modern_backward = torch.autograd.backward
_modern_grad = torch.autograd.grad


def backward(tensors=_REQUIRED, grad_tensors=None, retain_graph=None, create_graph=None, grad_variables=None,
             inputs=None, **legacy):
    """`torch.autograd.backward` accepting the 0.1-0.3 names; modern calls pass straight through.

    Named parameters, not `*args, **kwargs`: this is on the path of every plain `Tensor.backward`,
    where repacking the arguments costs more than the check (benchmarks/bench_core.py).
    """
    if type(tensors) is _Tensor and not legacy:
        return modern_backward(tensors, grad_tensors, retain_graph, bool(create_graph), grad_variables, inputs)
    unknown = legacy.keys() - {"variables", "retain_variables"}
    if tensors is _REQUIRED and "variables" not in legacy or unknown:
        # torch's own TypeError for a missing `tensors` or a misspelt keyword
        arguments = {} if tensors is _REQUIRED else {"tensors": tensors}
        return modern_backward(**arguments, **{name: legacy[name] for name in unknown})
    if legacy or _has_variable(tensors):
        tensors = None if tensors is _REQUIRED else tensors
        return _legacy_backward_call(tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs, **legacy)
    return modern_backward(tensors, grad_tensors, retain_graph, bool(create_graph), grad_variables, inputs)


def grad(*args, **kwargs):
    """`torch.autograd.grad`; with Variable outputs, 0.3 defaults and Variable results."""
    if _has_variable(args[0] if args else kwargs.get("outputs")):
        return _legacy_grad(*args, **kwargs)
    return _modern_grad(*args, **kwargs)


def _legacy_grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=None, only_inputs=True, **modern):
    if not only_inputs:
        warn_legacy("autograd.grad(only_inputs=False) is ignored since PyTorch 0.4: call backward() for leaf gradients.")
    outputs = _as_tuple(outputs)
    if create_graph is None:
        create_graph = _any_differentiable_variable(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    with _DisableSubclass():  # as in legacy_backward: no per-attribute dispatch, no re-dispatch by torch
        grads = _make_grads(outputs, _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs))
        results = _modern_grad(outputs, inputs, grads, retain_graph, create_graph, **modern)
        # aliases, not re-classed: a gradient may be a tensor the caller passed in
        return tuple(None if g is None else g.as_subclass(Variable) for g in results)


def _legacy_backward_call(
    tensors=None,
    grad_tensors=None,
    retain_graph=None,
    create_graph=None,
    grad_variables=None,
    inputs=None,
    *,
    variables=None,
    retain_variables=None,
):
    if variables is not None:
        warn_legacy("autograd.backward(variables=...) was renamed: write autograd.backward(tensors=...).")
        tensors = variables
    if grad_variables is not None:
        warn_legacy("autograd.backward(grad_variables=...) was renamed: write grad_tensors=....")
        grad_tensors = grad_variables
    if isinstance(grad_tensors, bool) and not isinstance(retain_graph, bool):
        # 0.1.12 order: backward(variables, grad_variables, retain_variables)
        grad_tensors, retain_graph = None, grad_tensors
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    legacy_backward(tensors, grads, retain_graph, create_graph, retain_variables=retain_variables, inputs=inputs)


def legacy_backward(tensors, grad_tensors, retain_graph=None, create_graph=None, *, retain_variables=None, inputs=None):
    """Run backward from `tensors` with 0.3 argument rules and the legacy root-gradient leniency."""
    if retain_variables is not None:
        if retain_graph is not None:
            raise ValueError("only one of retain_graph and retain_variables can be specified")
        warn_legacy("backward(retain_variables=...) was renamed in PyTorch 0.2: write retain_graph=....")
        retain_graph = retain_variables
    for index, tensor in enumerate(tensors):
        if type(tensor) is Variable and tensor._volatile:
            raise RuntimeError(
                f"element {index} of variables tuple is volatile: a volatile Variable records no graph, "
                "so it cannot be differentiated (volatile=True means torch.no_grad())"
            )
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"got {len(grad_tensors)} gradients for {len(tensors)} variables; pass one gradient (or None) per variable"
        )
    if create_graph is None:
        create_graph = _any_differentiable_variable(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if stochastic.sampled:  # 0.1-0.2 reinforced samples among the roots (varshim.stochastic)
        tensors, grad_tensors = stochastic.reinforce_roots(tensors, grad_tensors, retain_graph)
        if not tensors:
            return
    # Subclass dispatch off: every `.shape` or `.requires_grad` of a Variable would otherwise be a
    # trip through `Variable.__torch_function__`, and torch's own backward would re-dispatch.
    with _DisableSubclass():
        grads = _make_grads(tensors, grad_tensors)
        mismatched = [i for i, (t, g) in enumerate(zip(tensors, grads)) if g is not None and g.shape != t.shape]
        if not mismatched:
            modern_backward(tensors, grads, retain_graph, create_graph, inputs=inputs)
            return
        for i in mismatched:
            warn_legacy(
                f"backward() got a gradient of shape {list(grads[i].shape)} for an output of shape "
                f"{list(tensors[i].shape)}; PyTorch <= 0.4.0 passed it on unchecked and varshim does too. "
                "Write a gradient of the output's shape, e.g. out.backward(torch.ones_like(out))."
            )
        if inputs is not None:
            raise RuntimeError("backward(inputs=...) cannot be combined with a legacy mis-shaped gradient")
        _lenient_backward(tensors, grads, retain_graph, create_graph)


def _as_tuple(value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _has_variable(value):
    if type(value) is Variable:
        return True
    return isinstance(value, (list, tuple)) and any(type(v) is Variable for v in value)


def _any_differentiable_variable(grads):
    # 0.3 `_make_grads`: a gradient given as a non-volatile Variable asks for a graph of the gradient.
    grads = _as_tuple(grads) if grads is not None else ()
    return any(type(g) is Variable and not g._volatile for g in grads)


def _make_grads(outputs, grads):
    """0.3 `_make_grads`: tensors, Variables or None; None means ones for 1-element outputs."""
    made = []
    for output, grad_value in zip(outputs, grads):
        if grad_value is None:
            if output.requires_grad and output.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            made.append(torch.ones_like(output) if output.requires_grad else None)
        elif isinstance(grad_value, torch.Tensor):
            grad_value = grad_value.as_subclass(torch.Tensor)
            if grad_value.shape != output.shape and grad_value.numel() == output.numel() == 1:
                grad_value = grad_value.reshape(output.shape)  # (1,) and 0-dim scalars are one thing in 0.3
            made.append(grad_value)
        else:
            raise TypeError(f"gradients can be either Tensors, Variables or None, but got {type(grad_value).__name__}")
    return tuple(made)


def _lenient_backward(roots, grads, retain_graph, create_graph):
    """Run graph nodes by hand until every pending gradient has its expected shape, then hand the
    rest to torch's engine through `GradientEdge`s (hooks, accumulation and freeing stay modern)."""
    pending = {}  # node -> {input_nr: gradient}
    for root, root_grad in zip(roots, grads):
        if root_grad is None or not root.requires_grad:
            continue
        node = root.grad_fn or torch.autograd.graph.get_gradient_edge(root).node
        _accumulate(pending, node, root.output_nr if root.grad_fn is not None else 0, root_grad)
    dependencies = _count_dependencies(pending)
    with torch.set_grad_enabled(create_graph):
        while not all(_well_shaped(node, buffer) for node, buffer in pending.items()):
            node = next(n for n in pending if dependencies.get(n, 0) == 0)
            buffer = pending.pop(node)
            if hasattr(node, "variable"):  # AccumulateGrad: the leaf keeps modern shape rules
                raise RuntimeError(
                    "a legacy mis-shaped gradient reached a leaf: "
                    f"got {[list(g.shape) for g in buffer.values()]} for a tensor of shape {list(node.variable.shape)}. "
                    "PyTorch 0.3 stored it as is; modern tensors cannot. Pass a gradient of the output's shape."
                )
            # The engine's checks, less the shape one: a gradient takes its output's dtype and device.
            inputs = [
                None if (value := buffer.get(i)) is None else value.to(dtype=meta.dtype, device=meta.device)
                for i, meta in enumerate(node._input_metadata)
            ]
            try:
                outputs = node(*inputs)
            except RuntimeError as error:  # 0.3 failed in the backward kernel too; name the cause
                if "second time" in str(error):
                    raise  # a freed graph, not the gradient's shape: torch's message says what to do
                raise RuntimeError(
                    f"a legacy mis-shaped gradient failed in {node.name()}: {error}. PyTorch <= 0.4.0 passed "
                    "root gradients on unchecked; pass a gradient of the output's shape."
                ) from None
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
            for (next_node, input_nr), output_grad in zip(node.next_functions, outputs):
                if next_node is None:
                    continue
                dependencies[next_node] -= 1
                if output_grad is not None:
                    _accumulate(pending, next_node, input_nr, output_grad)
    edges, edge_grads = [], []
    for node, buffer in pending.items():
        for input_nr, value in buffer.items():
            edges.append(GradientEdge(node, input_nr))
            edge_grads.append(value)
    if edges:
        modern_backward(edges, edge_grads, retain_graph, create_graph)


def _accumulate(pending, node, input_nr, value):
    buffer = pending.setdefault(node, {})
    buffer[input_nr] = value if input_nr not in buffer else buffer[input_nr] + value


def _well_shaped(node, buffer):
    metadata = node._input_metadata
    return all(value.shape == tuple(metadata[i].shape) for i, value in buffer.items())


def _count_dependencies(pending):
    dependencies = {}
    stack = list(pending)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return dependencies
