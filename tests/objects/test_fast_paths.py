"""Fast paths (`varshim.objects.fast_paths`): the precomputed method list is torch's, and a fast
path gives exactly what the `__torch_function__` path gives."""

import textwrap

import pytest
import torch

import varshim
from varshim.objects.variable import Variable
from varshim.objects import fast_paths, tensor_methods
from varshim.objects.legacy_tensor import LegacyTensor, as_legacy
from varshim.patches import PATCHES


def _scanned():
    # Patches that are always there replace what legacy objects get (`-mask`, ByteTensor masks); those
    # that exist only while an older-release program runs (`before`: integer `/`, `//`) hand legacy
    # objects to the protocol first, so their fast paths are what the patched method would do.
    patched = {patch.attribute for patch in PATCHES if patch.owner is torch.Tensor and patch.before is None}
    was_installed = varshim.installed()
    varshim.uninstall()  # scan torch's own methods, not varshim's replacements of some of them
    try:
        return fast_paths.scan_methods(patched)
    finally:
        if was_installed:
            varshim.install()


def tensor_methods_source(names, protocol_names):
    """The body of varshim/objects/tensor_methods.py after its docstring and __all__."""
    listed = textwrap.fill(", ".join(map(repr, names)) + ",", 108, initial_indent="    ", subsequent_indent="    ")
    mapping = "".join(f"    {name!r}: {value!r},\n" for name, value in sorted(protocol_names.items()))
    return (f"METHOD_NAMES = (\n{listed}\n)\n\n"
            "# operators whose call reaches `__torch_function__` as another method (`x + y` as `Tensor.add`)\n"
            f"PROTOCOL_NAMES = {{\n{mapping}}}\n")


def test_the_precomputed_method_names_are_this_torchs():
    names, protocol_names = _scanned()
    expected = tensor_methods_source(names, protocol_names)
    with open(tensor_methods.__file__) as source:
        assert source.read().endswith(expected), "regenerate varshim/objects/tensor_methods.py:\n" + expected


# -- a fast path gives exactly what the protocol path gives, on torch's op database ----------------

OPDB_SAMPLES = 2  # per op and variant (float64); the op database itself costs most of the time


def _variants(op, cls):
    """(name, fast call, protocol call) for the op's method, in-place and operator variants that
    `cls` gives a fast path; the protocol call is torch's own method, which dispatches."""
    names = [getattr(variant, "__name__", None) for variant in (op.method_variant, op.inplace_variant)]
    operator = op.operator_variant
    if operator is not None:
        names.append(f"__{operator.__name__.strip('_')}__")
    for name in names:
        fast = cls.__dict__.get(name)
        if name and getattr(fast, "__qualname__", None) == f"{cls.__name__}.{name}":
            if name in tensor_methods.METHOD_NAMES:
                yield name, fast, getattr(torch.Tensor, name)


def _state(value, inputs):
    """Everything a caller can see of a result: classes, values (bit for bit), flags, graph, identity."""
    if isinstance(value, torch.Tensor):
        identity = next((i for i, tensor in enumerate(inputs) if tensor is value), None)
        with torch._C.DisableTorchFunctionSubclass():
            plain = value.detach()
            values = (plain.dtype, tuple(plain.shape), plain.layout)
            numbers = plain.resolve_conj().resolve_neg().contiguous().reshape(-1).view(torch.uint8).tolist() \
                if plain.layout == torch.strided and plain.numel() else []
            return (type(value).__name__, values, numbers, value.requires_grad, type(value.grad_fn).__name__,
                    getattr(value, "volatile", None), identity)
    if isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        return (type(value).__name__, [_state(item, inputs) for item in value])
    if isinstance(value, float) and value != value:
        return ("nan",)
    return (type(value).__name__, value)


def _as_legacy_tensor(tensor):
    return as_legacy(tensor.detach())  # a 0.3 tensor: data, no graph


WRAPS = {Variable: lambda tensor: Variable(tensor, requires_grad=tensor.requires_grad), LegacyTensor: _as_legacy_tensor}


def _run_variant(call, sample, cls):
    from tests.support import opdb as support

    args, kwargs, leaves = support.copy_sample(sample, lift_scalar=True, wrap=WRAPS[cls])
    inputs = list(support.tensors_in([args, kwargs]))
    support.seed()
    try:
        output = call(*args, **kwargs)
    except Exception as error:  # both paths must raise alike
        return ("raises", type(error).__name__, str(error))
    gradients = None
    try:
        total = support.differentiable_total(sample, output)
        if total is not None and leaves:
            gradients = _state(torch.autograd.grad(total, leaves, allow_unused=True), [])
    except Exception as error:
        gradients = ("raises", type(error).__name__, str(error))
    return _state(output, inputs), gradients, _state(inputs, [])


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("cls", [Variable, LegacyTensor], ids=lambda cls: cls.__name__)
def test_fast_paths_equal_the_protocol_on_the_op_database(cls):
    from tests.support import opdb as support

    checked, differences = set(), []
    for op in support.load_ops():
        variants = list(_variants(op, cls))
        if not variants:
            continue
        for index, sample in enumerate(support.samples(op, torch.float64, OPDB_SAMPLES)):
            if support.skip_reason(sample):
                continue
            for name, fast, protocol in variants:
                checked.add(name)
                fast_outcome, protocol_outcome = _run_variant(fast, sample, cls), _run_variant(protocol, sample, cls)
                if fast_outcome != protocol_outcome:
                    differences.append(f"{support.op_id(op)}[{index}] {name}")
    assert not differences, differences[:40]
    assert len(checked) > 150, sorted(checked)  # the op database reaches most fast methods
