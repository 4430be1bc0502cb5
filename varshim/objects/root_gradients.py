"""Root gradients as 0.3 took them: `_make_grads`, and the engine's leniency on mis-shaped ones.

Restores (pytorch/pytorch v0.3.1 `torch/autograd/__init__.py` `_make_grads`; the engine before
PR #8168, 0.4.1):
- gradients given as tensors, Variables or None, None meaning ones for one-element outputs;
- a root gradient whose shape differs from its output's goes into the graph unchecked:
  `o.backward(torch.FloatTensor([1, 1]))` on a scalar `o`.

Pure tensor code: which arguments are legacy, and what volatile means, is decided by
`varshim.objects.variable`. Modern spelling: `backward(gradient=torch.ones_like(o))`.
"""

import torch
from torch.autograd.graph import GradientEdge

__all__ = ["make_grads", "lenient_backward", "modern_backward"]

modern_backward = torch.autograd.backward


def make_grads(outputs, grads):
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


def lenient_backward(roots, grads, retain_graph, create_graph):
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
