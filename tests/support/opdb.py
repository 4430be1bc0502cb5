"""Run torch's own op database (`op_db`) on plain tensors and on Variables; used by test_opdb.py.

Also a script: `python -m tests.support.opdb (plain|varshim) DTYPE... [--limit N] [--ops A,B]
[--repeat N]` prints one JSON line per sample (op, sample index, sha256 of inputs, outputs and
gradients, or of the error) so that test_opdb.py can compare a process without varshim against one
with varshim imported (`tests.support.side_by_side`).
"""

import hashlib
import itertools
import json
import random
import sys

import numpy
import torch

from tests.support import side_by_side

SEED = 0

# Samples outside the legacy dense API (checked per sample, so the reason is exact).
SKIP_REASONS = {
    "sparse": "a sparse tensor among the inputs or outputs: 0.3 Variables were dense (legacy sparse "
    "tensors had their own types and no autograd), outside the legacy dense API",
}


def load_ops():
    """Every differentiable op of torch's op database, in database order."""
    from torch.testing._internal.common_methods_invocations import op_db

    return [op for op in op_db if op.supports_autograd]


def op_id(op):
    return f"{op.name}.{op.variant_test_name}" if op.variant_test_name else op.name


def samples(op, dtype, limit=None):
    """The op's first `limit` (default all) CPU samples in `dtype` (inputs require grad where the
    dtype is differentiable)."""
    from torch.testing._internal import common_utils
    from torch.testing._internal.opinfo import core

    if dtype not in op.supported_dtypes("cpu"):
        return []
    seed()
    requires_grad = dtype in op.supported_backward_dtypes("cpu")
    # The op database looks for a calling unittest.TestCase with inspect.stack() on every sample
    # list and reseeds every generator per sample (set_seed), which costs more than the op.
    find_test = common_utils.extract_test_fn
    core.extract_test_fn = common_utils.extract_test_fn = lambda: None
    try:
        generated = op.sample_inputs("cpu", dtype, requires_grad=requires_grad, set_seed=False)
        return list(itertools.islice(generated, limit))
    finally:
        core.extract_test_fn = common_utils.extract_test_fn = find_test


def seed():
    # Samples also draw from `random` and numpy. torch's CPU generator only: torch.manual_seed also
    # queues a lazy CUDA seeding with a stack trace.
    random.seed(SEED)
    numpy.random.seed(SEED)
    torch.default_generator.manual_seed(SEED)


def tensors_in(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        for item in value:
            yield from tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensors_in(item)


def map_tensors(value, fn):
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        items = [map_tensors(item, fn) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {key: map_tensors(item, fn) for key, item in value.items()}
    return value


def skip_reason(sample, output=None):
    values = [sample.input, sample.args, sample.kwargs, output]
    if any(t.layout != torch.strided for v in values for t in tensors_in(v)):
        return "sparse"
    return None


def fresh_copy(tensor, lift_scalar=False):
    """A new leaf with the same sizes, strides and values on its own storage (so in-place ops and
    gradients of one run never touch another); 0-dim becomes size (1,) when `lift_scalar`."""
    with torch.no_grad():
        copy = torch.empty(0, dtype=tensor.dtype)
        size, stride = tensor.size(), tensor.stride()
        if lift_scalar and tensor.dim() == 0:
            size, stride = (1,), (1,)
        copy.set_(tensor.untyped_storage().clone(), tensor.storage_offset(), size, stride)
    return copy.requires_grad_(tensor.requires_grad)


def copy_sample(sample, lift_scalar=False, wrap=None):
    """(args, kwargs, leaves requiring grad) for one run of `sample` on fresh tensors."""
    leaves = []

    def make(tensor):
        copy = fresh_copy(tensor, lift_scalar)
        if wrap is not None:
            copy = wrap(copy)
        if copy.requires_grad:
            leaves.append(copy)
        return copy

    args = map_tensors((sample.input, *sample.args), make)
    kwargs = map_tensors(dict(sample.kwargs), make)
    return args, kwargs, leaves


def run(op, sample, args, kwargs):
    seed()
    return op(*args, **kwargs)


def differentiable_total(sample, output):
    """Sum of every floating output that requires grad (after the sample's own output processing),
    or None when nothing is differentiable."""
    processed = sample.output_process_fn_grad(output)
    floating = [t for t in tensors_in(processed) if t.is_floating_point() and t.requires_grad]
    if not floating:
        return None
    total = floating[0].sum()
    for tensor in floating[1:]:
        total = total + tensor.sum()
    return total


def gradients(sample, output, leaves):
    total = differentiable_total(sample, output)
    if total is None or not leaves:
        return None
    return torch.autograd.grad(total, leaves, allow_unused=True)


# -- Variable against plain torch -----------------------------------------------------------------

_DisableSubclass = torch._C.DisableTorchFunctionSubclass


def _plain(tensor):
    with _DisableSubclass():
        return tensor.detach()


def compare(expected, actual, path="output", *, variables=True, volatile=False, inputs=()):
    """Problems (strings) between a plain result and the Variable one: same structure and values,
    every tensor a Variable whose 0-dim results are size (1,), the same requires_grad (or, with
    `volatile`, volatile and without graph, unless the result is one of the `inputs`: those keep
    their class and flags, as in 0.3)."""
    from varshim import Variable

    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            return [f"{path}: expected a tensor, got {type(actual).__name__}"]
        problems = []
        if variables and type(actual) is not Variable:
            problems.append(f"{path}: a {type(actual).__name__}, not a Variable")
        shape = tuple(expected.shape) or (1,)
        if tuple(actual.shape) != shape or actual.dtype != expected.dtype:
            return problems + [f"{path}: {actual.dtype}{list(actual.shape)}, expected {expected.dtype}{list(shape)}"]
        if volatile and not any(actual is i for i in inputs):
            if not getattr(actual, "volatile", False) or actual.requires_grad or actual.grad_fn is not None:
                problems.append(f"{path}: not volatile or records a graph")
        elif not volatile and actual.requires_grad != expected.requires_grad:
            problems.append(f"{path}: requires_grad {actual.requires_grad}, expected {expected.requires_grad}")
        try:
            torch.testing.assert_close(_plain(actual), _plain(expected).reshape(shape), rtol=0, atol=0, equal_nan=True)
        except AssertionError as error:
            problems.append(f"{path}: values differ: {str(error).splitlines()[0:4]}")
        return problems
    if isinstance(expected, (list, tuple)) and not isinstance(expected, torch.Size):
        if type(actual) is not type(expected) or len(actual) != len(expected):
            return [f"{path}: {type(actual).__name__} of {len(actual) if isinstance(actual, (list, tuple)) else '-'}, "
                    f"expected {type(expected).__name__} of {len(expected)}"]
        flags = dict(variables=variables, volatile=volatile, inputs=inputs)
        return [p for i, (e, a) in enumerate(zip(expected, actual)) for p in compare(e, a, f"{path}[{i}]", **flags)]
    if type(actual) is not type(expected) or not (actual == expected or (actual != actual and expected != expected)):
        return [f"{path}: {actual!r}, expected {expected!r}"]
    return []


def _outcome(fn):
    """(result, None) or (None, exception)."""
    try:
        return fn(), None
    except Exception as error:  # compared between the two runs
        return None, error


def plain_reference(op, sample, *, no_grad=False):
    """Outputs and gradients on plain tensors (0-dim inputs lifted to (1,), like Variable's); with
    `no_grad`, outputs under torch.no_grad() with the first tensor detached, as check_volatile's is
    (some kernels, matmul's folding, choose their path by requires_grad)."""
    if no_grad:
        args, kwargs, _ = copy_sample(sample, lift_scalar=True, wrap=_first_tensor(torch.Tensor.detach, None))
        with torch.no_grad():
            return _outcome(lambda: (run(op, sample, args, kwargs), None))
    args, kwargs, leaves = copy_sample(sample, lift_scalar=True)
    return _outcome(lambda: _with_gradients(op, sample, args, kwargs, leaves, modern_grads))


def _first_tensor(first, rest):
    """A copy_sample wrap applying `first` to the sample's first tensor and `rest` to the others."""
    seen = []

    def wrap(tensor):
        seen.append(tensor)
        make = first if len(seen) == 1 else rest
        return tensor if make is None else make(tensor)

    return wrap


def _with_gradients(op, sample, args, kwargs, leaves, grad_style):
    output = run(op, sample, args, kwargs)
    total = differentiable_total(sample, output)
    if total is None or not leaves:
        return output, None
    return output, grad_style(total, leaves)


def modern_grads(total, leaves):
    return torch.autograd.grad(total, leaves, allow_unused=True)


def _leaf_grads(leaves):
    return tuple(leaf.grad for leaf in leaves)


def retain_variables(total, leaves):
    total.backward(retain_variables=True)
    return _leaf_grads(leaves)


def one_element_gradient(total, leaves):
    total.backward(torch.ones(1, dtype=total.dtype))
    return _leaf_grads(leaves)


def autograd_backward_variables(total, leaves):
    from varshim import Variable

    ones = Variable(torch.ones(1, dtype=total.dtype)).data  # a 0.3 tensor gradient: no graph of it
    torch.autograd.backward(variables=[total], grad_variables=[ones])
    return _leaf_grads(leaves)


GRAD_STYLES = {
    "autograd.grad": modern_grads,
    "backward(retain_variables=True)": retain_variables,
    "backward(1-element gradient)": one_element_gradient,
    "autograd.backward(variables=, grad_variables=)": autograd_backward_variables,
}


def _as_variable(tensor):
    from varshim import Variable

    return Variable(tensor, requires_grad=tensor.requires_grad)


def check_variable(op, sample, reference, grad_style=modern_grads):
    """Problems between the plain reference and the same sample on Variables."""
    args, kwargs, leaves = copy_sample(sample, lift_scalar=True, wrap=_as_variable)
    result, error = _outcome(lambda: _with_gradients(op, sample, args, kwargs, leaves, grad_style))
    variables = any(True for _ in tensors_in([args, kwargs]))  # no tensor input: a plain call
    return _compare_outcomes(reference, (result, error), variables=variables)


def check_volatile(op, sample, reference):
    """Problems between plain outputs under no_grad and the sample with its first tensor volatile."""
    from varshim import Variable

    wrap = _first_tensor(lambda tensor: Variable(tensor.detach(), volatile=True), _as_variable)
    args, kwargs, _ = copy_sample(sample, lift_scalar=True, wrap=wrap)
    inputs = list(tensors_in([args, kwargs]))
    result, error = _outcome(lambda: (run(op, sample, args, kwargs), None))
    return _compare_outcomes(reference, (result, error), variables=bool(inputs), volatile=bool(inputs), inputs=inputs)


def _compare_outcomes(reference, outcome, *, variables, volatile=False, inputs=()):
    (expected, expected_error), (actual, actual_error) = reference, outcome
    if expected_error is not None or actual_error is not None:
        if type(expected_error) is type(actual_error):
            return []
        return [f"plain: {expected_error!r:.300}; Variable: {actual_error!r:.300}"]
    expected_output, expected_grads = expected
    actual_output, actual_grads = actual
    problems = compare(expected_output, actual_output, variables=variables, volatile=volatile, inputs=inputs)
    if not volatile:
        problems += compare(expected_grads, actual_grads, "gradients", variables=variables)
    return problems


# -- digests for the plain-tensor comparison across processes ------------------------------------


def update_digest(digest, value):
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        if tensor.layout != torch.strided:
            tensor = tensor.to_dense()
        grad_fn = type(value.grad_fn).__name__ if value.grad_fn is not None else None
        header = (str(tensor.dtype), tuple(tensor.shape), tensor.stride(), value.requires_grad, grad_fn)
        digest.update(repr(header).encode())
        digest.update(tensor.numpy(force=True).tobytes())  # force: ZeroTensor gradients, conj/neg bits
    elif isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        digest.update(f"{type(value).__name__}[{len(value)}](".encode())
        for item in value:
            update_digest(digest, item)
        digest.update(b")")
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


def sample_digest(op, sample):
    """(status, sha256): status is "ok" or "raises"; the digest covers inputs, outputs, gradients,
    or the error's type and message."""
    digest = hashlib.sha256()
    args, kwargs, leaves = copy_sample(sample)
    update_digest(digest, [args, sorted(kwargs.items(), key=lambda item: item[0])])
    try:
        output = run(op, sample, args, kwargs)
        update_digest(digest, output)
        update_digest(digest, gradients(sample, output, leaves))
    except Exception as error:  # the error itself is what is compared
        digest.update(f"{type(error).__name__}: {error}".encode())
        return "raises", digest.hexdigest()
    return "ok", digest.hexdigest()


def digests(dtypes, limit=None, ops=None, repeat=1):
    """Yield `repeat` records per sample of every op (or the named ops) in each dtype."""
    for op in load_ops():
        if ops is not None and op_id(op) not in ops:
            continue
        for dtype in dtypes:
            for index, sample in enumerate(samples(op, dtype, limit)):
                if skip_reason(sample):
                    continue
                for _ in range(repeat):
                    status, value = sample_digest(op, sample)
                    yield {"op": op_id(op), "dtype": str(dtype), "sample": index, "status": status, "digest": value}


def main(argv):
    parser = side_by_side.parser(__doc__.splitlines()[0], "op")
    parser.add_argument("--ops", help="comma-separated op ids (default: every op)")
    parser.add_argument("--repeat", type=int, default=1, help="digest each sample this many times")
    options = parser.parse_args(argv)
    dtypes = [getattr(torch, name) for name in options.dtypes]
    ops = set(options.ops.split(",")) if options.ops else None
    with side_by_side.child(options.mode):
        for record in digests(dtypes, options.limit, ops, options.repeat):
            print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
