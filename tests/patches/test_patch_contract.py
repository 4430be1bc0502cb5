"""What every row of `varshim.patches.PATCHES` owes modern code (principle 1), checked row by row.

For each row whose original exists on torch 2.13 (a row with `before` checked while a program
written for the release before it runs elsewhere, so that the row is applied):
(a) the replacement accepts every parameter of the original's signature (`inspect.signature`, or
    torch's own type stubs for C builtins), under the same name and position, with a default
    where the original has one, and requires nothing the original does not;
(b) the row's modern calls (MODERN_CALLS, which must reach the replacement) give the same result
    type and value, the same error, and the same warnings at the same file and line, as torch's
    original with varshim uninstalled;
(c) the replacement is the same TorchScript builtin as the original, and scripts where it does;
(d) a class replacement has every attribute of the original class, torch's objects by identity.
A new row needs its modern calls here; `test_the_checks_catch_broken_rows` shows each check
failing on a broken row.
"""

import ast
import contextlib
import functools
import importlib
import inspect
import io
import pathlib
import sys
import tempfile
import types
import warnings

import numpy

import pytest
import torch
from torch import nn
from torch.jit._builtins import _find_builtin
from torch.utils.data import TensorDataset

from varshim import legacy_program
from varshim.own_files import TORCH_DIR
from varshim.patches import PATCHES, Patch
from tests.support.legacy_program import modern_torch

ROWS = {patch.name: patch for patch in PATCHES}
_P = inspect.Parameter
_POSITIONAL = (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


# -- (a) signatures ---------------------------------------------------------------------------------


def original_signatures(original):
    """The original's signatures: one from `inspect.signature` (through torch's decorators, such as
    `deprecated`), or one per overload in torch's stubs; None for a builtin of Python's own without
    one (`object.__init_subclass__`) or for what is not called (a getset descriptor: `.data`)."""
    if not callable(original):
        return None
    try:
        return [inspect.signature(original)]
    except ValueError:  # a C builtin: torch documents it in torch/_C/*.pyi
        owner = getattr(original, "__objclass__", None)
        if owner is not None and owner.__module__ == "builtins":
            return None
        return _stub_signatures(original)


@functools.lru_cache(maxsize=None)
def _stub_tree(name):
    return ast.parse((pathlib.Path(TORCH_DIR) / "_C" / name).read_text())


def _stub_functions(body, name):
    return [n for n in body if isinstance(n, ast.FunctionDef) and n.name == name]


def _stub_class(name):
    return next(n for n in _stub_tree("__init__.pyi").body if isinstance(n, ast.ClassDef) and n.name == name)


def _stub_signatures(original):
    if isinstance(original, type):  # its constructor comes from the first base defined in torch._C
        # (torch's tensor types, `torch.FloatTensor`, construct as the legacy `torch.Tensor(...)`)
        base = next((c for c in original.__mro__ if c.__module__ == "torch._C"), torch._C.TensorBase)
        body = _stub_class(base.__name__).body
        functions = _stub_functions(body, "__init__") + _stub_functions(body, "__new__")
        drop_first = True  # inspect.signature of a class leaves out `self`/`cls` too
    elif original.__qualname__.startswith("_VariableFunctionsClass."):  # torch.<name>
        functions, drop_first = _stub_functions(_stub_tree("_VariableFunctions.pyi").body, original.__name__), False
    elif "." in original.__qualname__:  # a method of a torch._C class, `self` first (TensorBase.masked_fill)
        owner, name = original.__qualname__.rsplit(".", 1)
        functions, drop_first = _stub_functions(_stub_class(owner).body, name), False
    else:
        functions, drop_first = _stub_functions(_stub_tree("__init__.pyi").body, original.__name__), False
    assert functions, f"no signature for {original!r} in torch's stubs"
    return [_signature_of(function.args, drop_first) for function in functions]


def _signature_of(arguments, drop_first):
    positional = arguments.posonlyargs + arguments.args
    defaults = [False] * (len(positional) - len(arguments.defaults)) + [True] * len(arguments.defaults)
    parameters = [_P(a.arg, _P.POSITIONAL_ONLY if a in arguments.posonlyargs else _P.POSITIONAL_OR_KEYWORD,
                     default=... if has else _P.empty) for a, has in zip(positional, defaults)]
    if drop_first:
        parameters = parameters[1:]
    if arguments.vararg:
        parameters.append(_P(arguments.vararg.arg, _P.VAR_POSITIONAL))
    parameters += [_P(a.arg, _P.KEYWORD_ONLY, default=_P.empty if d is None else ...)
                   for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)]
    if arguments.kwarg:
        parameters.append(_P(arguments.kwarg.arg, _P.VAR_KEYWORD))
    return inspect.Signature(parameters)


def signature_problems(original, replacement, method=False):
    """Calls of the original the replacement would not take; for a `method`, the instance (first
    parameter) is passed by position only, whatever either side names it."""
    problems = []
    replacement = getattr(replacement, "__func__", replacement)  # a classmethod row: its function, `cls` first
    mine = inspect.signature(replacement, follow_wrapped=False).parameters
    by_name = {p.name: p for p in mine.values() if p.kind not in _POSITIONAL[:1]}
    slots = [p for p in mine.values() if p.kind in _POSITIONAL]
    takes_args = any(p.kind is _P.VAR_POSITIONAL for p in mine.values())
    takes_kwargs = any(p.kind is _P.VAR_KEYWORD for p in mine.values())
    instance = {slots[0].name} if method and slots else set()
    for signature in original_signatures(original):
        theirs = list(signature.parameters.values())
        for index, p in enumerate(theirs):
            if method and index == 0:
                if not slots and not takes_args:
                    problems.append("no positional for the instance")
                continue
            if p.kind in _POSITIONAL:
                if index < len(slots):
                    if p.kind is _P.POSITIONAL_OR_KEYWORD and slots[index].name != p.name:
                        problems.append(f"positional {index} is {slots[index].name!r}, torch's is {p.name!r}")
                elif not takes_args:
                    problems.append(f"no positional {index} ({p.name!r})")
            if p.kind in (_P.POSITIONAL_OR_KEYWORD, _P.KEYWORD_ONLY) and p.name not in by_name and not takes_kwargs:
                problems.append(f"no keyword {p.name!r}")
            if p.kind is _P.VAR_POSITIONAL and not takes_args or p.kind is _P.VAR_KEYWORD and not takes_kwargs:
                problems.append(f"no {p}")
            own = by_name.get(p.name) or (slots[index] if p.kind in _POSITIONAL and index < len(slots) else None)
            if p.default is not _P.empty and own is not None and own.default is _P.empty and own.kind not in (
                    _P.VAR_POSITIONAL, _P.VAR_KEYWORD):
                problems.append(f"{p.name!r} has a default in torch, none here")
        names = {p.name for p in theirs} | instance
        for own in mine.values():
            required = own.default is _P.empty and own.kind not in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD)
            if required and own.name not in names:
                problems.append(f"requires {own.name!r}, which torch's {signature} does not have")
    return sorted(set(problems))


def torchs(patch):
    """What the patched name gave before the patch: the original, or for a class the attribute it
    inherits (a `Tensor` method that `TensorBase` defines); None where torch has nothing."""
    if patch.original is not None or not isinstance(patch.owner, type):
        return patch.original
    inherited = (vars(base)[patch.attribute] for base in patch.owner.__mro__[1:] if patch.attribute in vars(base))
    return next(inherited, None)


# -- (b) modern calls -------------------------------------------------------------------------------


class _NewStyle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2


class _OwnTensors(TensorDataset):
    def __init__(self, x, y):
        super().__init__(x, y)
        self.data_tensor, self.target_tensor = x * 2, y * 3


class _WriteOnly:
    def __init__(self):
        self.data = bytearray()

    def write(self, chunk):
        self.data += chunk

    def flush(self):
        pass


class _SeekLess(_WriteOnly):
    def tell(self):  # a socket-like stream: knows how much it took, cannot go back
        return len(self.data)


def _from_torchs_folder(expression):
    """A call made from a file in torch's own folder (what torch's helpers calling the name see)."""
    return eval(compile(f"lambda: {expression}", TORCH_DIR + "_varshim_contract_probe.py", "eval"), {"torch": torch})


def _graph():
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    return x, torch.tanh(x * 2)


def _backward(*args, **kwargs):
    x, y = _graph()
    torch.autograd.backward(y.sum() if not args else args[0](y), *args[1:], **kwargs)
    return x.grad


def _saved(obj, stream):
    torch.save(obj, stream)
    return bytes(stream.getvalue() if isinstance(stream, io.BytesIO) else stream.data)


def _saved_bytes(obj):
    with modern_torch():
        buffer = io.BytesIO()
        torch.save(obj, buffer)
    return buffer.getvalue()


def _clipped(clip, grads=True, *arguments):
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    if grads:
        model(torch.randn(4, 3)).sum().backward()
    total = clip(model.parameters(), *arguments)
    return total, [p.grad for p in model.parameters()]


class TorchRefuses:
    """A row where torch 2.13 refuses every call (a removed API, a name it no longer has): no modern
    call has a result to keep. `call` shows the refusal on torch and must reach the replacement."""

    def __init__(self, call):
        self.call = call


def _removed(owner, name):
    """A call of the restored `owner.name` (a function of torch or a Tensor method) with a matrix for
    every required parameter: enough to enter the replacement, whatever it then makes of it."""
    def call():
        function = getattr(torch, name) if owner is torch else getattr(torch.eye(3, dtype=torch.float64), name)
        replacement = ROWS_BY_TARGET[owner, name].replacement
        required = [q for q in inspect.signature(replacement).parameters.values()
                    if q.default is _P.empty and q.kind in _POSITIONAL]
        return function(*[torch.eye(3, dtype=torch.float64)] * (len(required) - (owner is not torch)))

    return TorchRefuses(call)


_MASK, _VALUES = torch.tensor([True, False, True]), torch.arange(3.0)


def _set_masked():
    values = torch.arange(3.0)
    values[_MASK] = -1.0
    return values


def _modern_function():
    # a new-style Function made by the call, so that Function.__init_subclass__ runs in it
    Double = type("Double", (torch.autograd.Function,), {
        "forward": staticmethod(lambda ctx, x: x * 2), "backward": staticmethod(lambda ctx, grad: grad * 2)})
    x = torch.ones(2, requires_grad=True)
    y = Double.apply(x)
    y.sum().backward()
    return y, x.grad, sorted(vars(Double))


def _module_backward_hook():
    seen = []
    layer = nn.Linear(3, 2)
    layer.register_backward_hook(lambda module, grad_input, grad_output: seen.append(
        [type(g).__name__ for g in grad_input + grad_output]))
    x = torch.ones(4, 3, requires_grad=True)
    layer(x).sum().backward()
    return x.grad, layer.weight.grad, seen


def _parameter_with_grad():
    layer = nn.Linear(3, 2)
    layer(torch.ones(1, 3)).sum().backward()
    return layer.weight


def _set_parameter_data():
    weight = nn.Linear(3, 2).weight
    weight.data = torch.zeros(2, 3)
    return weight.data, weight


def _set_parameter_grad():
    weight = _parameter_with_grad()
    weight.grad = torch.ones(2, 3)
    first = weight.grad
    del weight.grad
    return first, weight.grad


def _default_tensor_type(name):
    torch.set_default_tensor_type(name)
    try:
        return torch.tensor([1.5]).dtype, torch.Tensor([1.5]).dtype
    finally:
        torch.set_default_tensor_type(torch.FloatTensor)


def _typed_constructor(module, name):
    def kind():  # looked up at the call: the row puts a stand-in under the name while it is applied
        return getattr(sys.modules[module], name)

    calls = [lambda: (isinstance(torch.ones(2), kind()), issubclass(type(torch.ones(2)), kind()), kind().dtype,
                      repr(kind()), kind() == getattr(torch.ones(2), "__class__")),
             lambda: (torch.ones(2).type(kind()), torch.ones(2).type() == f"{module}.{name}")]
    if module == "torch" or torch.cuda.is_available():
        calls.append(lambda: kind()([1, 2]).cpu())
    else:
        calls.append(TorchRefuses(lambda: kind()([1, 2])))
    return calls


_INTS = torch.tensor([7, -7, 5])


def _in_place(method, *args):
    values = _INTS.clone()
    getattr(values, method)(*args)
    return values


_CLIP_CALLS = [
    lambda clip: _clipped(clip, True, 0.5),
    lambda clip: _clipped(clip, True, 0.5, "inf", True, False),
    lambda clip: _clipped(clip, False, 1.0, "inf"),
]

MODERN_CALLS = {
    "variable": [
        _from_torchs_folder("torch.autograd.Variable(torch.ones(2), requires_grad=True)"),
        _from_torchs_folder("torch.autograd.Variable(torch.ones(2), volatile=True)"),
    ],
    "variable-module": [_from_torchs_folder("torch.autograd.variable.Variable(torch.ones(2))")],
    "autograd-backward": [
        lambda: _backward(),
        lambda: _backward(lambda y: [y], [torch.arange(3.0)], inputs=None),
        lambda: _backward(lambda y: y, grad_variables=torch.ones(3)),
        lambda: _backward(lambda y: y.sum(), torch.ones(2)),
    ],
    "autograd-grad": [
        lambda: torch.autograd.grad(_graph()[1].sum(), _graph()[0], allow_unused=True),
        lambda: (lambda x, y: torch.autograd.grad(y.sum(), x, only_inputs=False))(*_graph()),
        lambda: (lambda x, y: torch.autograd.grad([y], [x], [torch.ones(3)], create_graph=True))(*_graph()),
    ],
    "function-call": [lambda: _NewStyle()(torch.ones(2))],
    "function-init": [lambda: type(_NewStyle()).__name__],
    "tensordataset-keywords": [lambda: TensorDataset(torch.zeros(2, 3), torch.ones(2)).tensors,
                               lambda: TensorDataset(inputs=torch.zeros(2))],
    "tensordataset-data-tensor": [lambda: _OwnTensors(torch.ones(2), torch.ones(2)).data_tensor,
                                  lambda: getattr(TensorDataset(), "data_tensor", None)],
    "tensordataset-target-tensor": [lambda: _OwnTensors(torch.ones(2), torch.ones(2)).target_tensor,
                                    lambda: getattr(TensorDataset(torch.zeros(2)), "target_tensor", None)],
    "torch-save": [lambda: _saved(nn.Linear(2, 2).state_dict(), _WriteOnly()),
                   lambda: _saved(nn.Linear(2, 2), _WriteOnly()),
                   lambda: _saved(nn.Linear(2, 2), _SeekLess()),
                   lambda: _saved({"step": 1, "model": nn.Linear(2, 2)}, io.BytesIO())],
    "torch-load": [lambda: torch.load(io.BytesIO(_saved_bytes({"w": torch.ones(2)}))),
                   lambda: torch.load(io.BytesIO(_saved_bytes(nn.Linear(2, 2))), weights_only=True)],
    "arange-legacy-float": [lambda: torch.arange(5), lambda: torch.arange(0, 1, 0.25),
                            lambda: torch.arange(3, out=torch.empty(1)), lambda: torch.arange(2, dtype=torch.int32)],
    "clip-grad-norm": [functools.partial(call, lambda *a: torch.nn.utils.clip_grad_norm(*a)) for call in _CLIP_CALLS],
    "clip-grad-norm-module": [functools.partial(call, lambda *a: torch.nn.utils.clip_grad.clip_grad_norm(*a))
                              for call in _CLIP_CALLS],
    "full-legacy-float": [lambda: torch.full((2,), 1), lambda: torch.full((2,), 1.5), lambda: torch.full((1,), True)],
    "torch-six": [TorchRefuses(lambda: torch._six)],
    "torch-six-import": [TorchRefuses(lambda: importlib.import_module("torch._six"))],
    "fft-callable": [lambda: torch.fft.fft(torch.arange(4.0)),
                     lambda: torch.fft.irfft(torch.fft.rfft(torch.arange(4.0))),
                     lambda: (isinstance(torch.fft, types.ModuleType), torch.fft.__name__)],
    "stft-real": [lambda: torch.stft(torch.arange(16.0), 8, return_complex=True),
                  lambda: torch.arange(16.0).stft(8, hop_length=2, window=torch.hann_window(8), return_complex=True)],
    "istft-real": [lambda: torch.istft(torch.stft(torch.arange(16.0), 8, return_complex=True), 8)],
    "mask-masked-fill": [lambda: torch.masked_fill(_VALUES, _MASK, -1.0)],
    "mask-masked-select": [lambda: torch.masked_select(_VALUES, _MASK)],
    "mask-masked-scatter": [lambda: torch.masked_scatter(_VALUES, _MASK, torch.ones(3))],
    "mask-method-rsub": [lambda: 1 - _VALUES, lambda: _VALUES.__rsub__(2)],
    "mask-method-neg": [lambda: -_VALUES, lambda: -torch.arange(3)],
    "mask-method-setitem": [_set_masked],
    "mask-method-masked-fill": [lambda: _VALUES.masked_fill(_MASK, -1.0)],
    "mask-method-masked-fill-inplace": [lambda: torch.arange(3.0).masked_fill_(_MASK, -1.0)],
    "mask-method-masked-select": [lambda: _VALUES.masked_select(_MASK)],
    "mask-method-masked-scatter": [lambda: _VALUES.masked_scatter(_MASK, torch.ones(3))],
    "mask-method-masked-scatter-inplace": [lambda: torch.arange(3.0).masked_scatter_(_MASK, torch.ones(3))],
    "function-subclass": [_modern_function],
    "module-backward-hook": [_module_backward_hook],
    # only while a program written for 0.3 runs (varshim/patches/program_tensors.py)
    "factory-zeros": [lambda: torch.zeros(2, 3), lambda: torch.zeros(2, dtype=torch.int64),
                      lambda: torch.zeros(2, out=torch.empty(2))],
    "factory-ones": [lambda: torch.ones(2, 3), lambda: torch.ones((2,), requires_grad=True)],
    "factory-rand": [lambda: torch.rand(2, 3), lambda: torch.rand(2, generator=torch.Generator().manual_seed(1))],
    "factory-randn": [lambda: torch.randn(4), lambda: torch.randn(2, 2, dtype=torch.float64)],
    "factory-randperm": [lambda: torch.randperm(5), lambda: torch.randperm(3, dtype=torch.int32)],
    "factory-range": [lambda: torch.range(0, 3), lambda: torch.range(0, 1, 0.5, dtype=torch.float64)],
    "factory-linspace": [lambda: torch.linspace(0, 1, 5), lambda: torch.linspace(0, 1, steps=3)],
    "factory-logspace": [lambda: torch.logspace(0, 1, 3), lambda: torch.logspace(0, 2, 3, base=2)],
    "factory-eye": [lambda: torch.eye(2), lambda: torch.eye(2, 3, dtype=torch.int64)],
    "factory-from_numpy": [lambda: torch.from_numpy(numpy.arange(3.0)), lambda: torch.from_numpy(numpy.ones(2, "int32"))],
    "tensor-constructor": [lambda: torch.Tensor([1, 2]), lambda: torch.Tensor(2, 3).shape, lambda: torch.Tensor(),
                           lambda: nn.Parameter(torch.ones(2)).__class__],
    **{f"typed-constructor-{module}.{name}": _typed_constructor(module, name)
       for module in ("torch", "torch.cuda")
       for name in ("FloatTensor", "DoubleTensor", "HalfTensor", "ByteTensor", "CharTensor", "ShortTensor",
                    "IntTensor", "LongTensor")},
    "parameter-new": [lambda: nn.Parameter(torch.ones(2)), lambda: nn.Parameter(torch.ones(2), requires_grad=False),
                      lambda: nn.Parameter(), lambda: nn.Linear(2, 1).bias],
    "parameter-data": [lambda: nn.Linear(3, 2).weight.data, _set_parameter_data,
                       lambda: nn.Linear(3, 2).weight.data.sum()],
    "parameter-grad": [lambda: _parameter_with_grad().grad, lambda: nn.Linear(3, 2).weight.grad, _set_parameter_grad],
    "parameter-repr": [lambda: repr(nn.Parameter(torch.ones(2))), lambda: str(nn.Linear(1, 1).weight.shape)],
    "set-default-tensor-type": [lambda: _default_tensor_type(torch.DoubleTensor),
                                lambda: _default_tensor_type("torch.DoubleTensor"),
                                TorchRefuses(lambda: torch.set_default_tensor_type(torch.IntTensor))],
    # only while a program written before 1.5 / 1.13 runs (varshim/patches/silent_changes.py)
    "truediv-integer-trunc": [lambda: _INTS / 2, lambda: _INTS / 2.0, lambda: 7 / _INTS],
    "itruediv-integer-trunc": [lambda: _in_place("__itruediv__", 2.0), lambda: _in_place("__itruediv__", 2)],
    "div-integer-trunc": [lambda: _INTS.div(2), lambda: _INTS.div(2, rounding_mode="floor")],
    "div-inplace-integer-trunc": [lambda: _in_place("div_", 2), lambda: _in_place("div_", 2, rounding_mode="trunc")],
    "torch-div-integer-trunc": [lambda: torch.div(_INTS, 2), lambda: torch.div(input=_INTS, other=2),
                                lambda: torch.div(_INTS, 2, rounding_mode="floor")],
    "floordiv-trunc": [lambda: _INTS // 2, lambda: torch.tensor([-7.5]) // 2],
    "rfloordiv-trunc": [lambda: 7 // _INTS],
    "ifloordiv-trunc": [lambda: _in_place("__ifloordiv__", 2)],
    "floor-divide-trunc": [lambda: _INTS.floor_divide(2), lambda: _INTS.floor_divide(torch.tensor(-2))],
    "floor-divide-inplace-trunc": [lambda: _in_place("floor_divide_", 2)],
    "torch-floor-divide-trunc": [lambda: torch.floor_divide(_INTS, 2), lambda: torch.floor_divide(input=_INTS, other=3)],
    "dataloader-names": [lambda: torch.utils.data.dataloader.no_such_name],
    "collate-names": [lambda: torch.utils.data._utils.collate.no_such_name],
}
ROWS_BY_TARGET = {(patch.owner, patch.attribute): patch for patch in PATCHES if not isinstance(patch.owner, dict)}
for _patch in PATCHES:  # the restored linear algebra and 1.7 Fourier names: torch refuses them all
    if _patch.name.startswith(("linalg-", "fft-")) and _patch.name != "fft-callable":
        MODERN_CALLS[_patch.name] = [_removed(torch if _patch.owner is torch else torch.Tensor, _patch.attribute)]


@contextlib.contextmanager
def applied(patch):
    """The row in place as in a process that runs a program it is for: a row with `before` exists
    only while a program written for an earlier release runs, a row `while_running` while any legacy
    program runs (here, one that owns no file of ours)."""
    if patch.always:
        yield
        return
    if patch.while_running:
        written_for = legacy_program.AUTO
    else:
        major, minor = legacy_program.parse_written_for(patch.before) if isinstance(patch.before, str) else patch.before
        written_for = (major, minor - 1)
    program = legacy_program.enter(tempfile.mkdtemp(), written_for, start=False)
    try:
        assert patch.applied
        yield
    finally:
        legacy_program.leave(program)


def _outcome(call):
    """(result or error, warnings as (category, message, file, line)), with torch seeded; torch's
    once-per-process C++ warnings (TORCH_WARN_ONCE) warn every time, as Python's "always" filter."""
    torch.manual_seed(0)
    warn_always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("returns", call())
        except Exception as error:  # compared by type and message
            result = ("raises", type(error), str(error))
        finally:
            torch.set_warn_always(warn_always)
    return result, [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


def _difference(expected, got, path="result"):
    if type(expected) is not type(got):
        return f"{path}: {type(got).__name__}, torch gives {type(expected).__name__}"
    if isinstance(expected, torch.Tensor):
        same = (expected.dtype, expected.shape, expected.requires_grad) == (got.dtype, got.shape, got.requires_grad)
        if not same or not torch.equal(expected.detach().nan_to_num(), got.detach().nan_to_num()):
            return f"{path}: {got!r}, torch gives {expected!r}"
        return None
    if isinstance(expected, dict):
        if expected.keys() != got.keys():
            return f"{path}: keys {list(got)}, torch gives {list(expected)}"
        expected, got = list(expected.values()), list(got.values())
    if isinstance(expected, (list, tuple)):
        if len(expected) != len(got):
            return f"{path}: {len(got)} items, torch gives {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            if problem := _difference(e, g, f"{path}[{i}]"):
                return problem
        return None
    return None if expected == got else f"{path}: {got!r}, torch gives {expected!r}"


def _replacement_codes(replacement):
    """Code objects run when the replacement is used: its function, methods or descriptor methods."""
    found = getattr(getattr(replacement, "__func__", replacement), "__code__", None)
    if found is not None:
        return {found}
    owner = replacement if isinstance(replacement, type) else type(replacement)
    owners = [owner] + ([type(owner)] if isinstance(replacement, type) and type(owner) is not type else [])
    return {f.__code__ for owner in owners for f in map(inspect.unwrap, vars(owner).values()) if hasattr(f, "__code__")}


def modern_call_problems(patch, calls, without, within):
    """Problems of `calls` run `within` the patched state against `without` it (torch's original)."""
    problems = []
    codes, reached = _replacement_codes(patch.replacement), []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            reached.append(frame.f_code)

    for index, call in enumerate(calls):
        refused = isinstance(call, TorchRefuses)
        call = call.call if refused else call
        with without():
            expected, expected_warnings = _outcome(call)
        with within():
            sys.setprofile(profile)
            try:
                got, got_warnings = _outcome(call)
            finally:
                sys.setprofile(None)
        if refused:
            if expected[0] != "raises":
                problems.append(f"call {index}: torch does not refuse it: {expected}")
            continue
        if expected[0] != got[0] or expected[0] == "raises" and expected != got:
            problems.append(f"call {index}: {got[1:]}, torch: {expected[1:]}")
        elif expected[0] == "returns" and (problem := _difference(expected[1], got[1])):
            problems.append(f"call {index}: {problem}")
        if got_warnings != expected_warnings:
            problems.append(f"call {index}: warnings {got_warnings}, torch: {expected_warnings}")
    # a module, or a swapped class (`torch.fft`'s), runs none of its own code when it is used
    if not reached and codes and patch.attribute != "__class__":
        problems.append("no modern call reaches the replacement")
    return problems


# -- (c) TorchScript and (d) class attributes -------------------------------------------------------


def _scripts(function):
    try:
        torch.jit.script(function)
    except Exception:  # TorchScript's many refusals are all "does not script"
        return False
    return True


def torchscript_problems(original, replacement):
    if _find_builtin(replacement) != _find_builtin(original):
        return [f"TorchScript builtin {_find_builtin(replacement)}, torch's is {_find_builtin(original)}"]
    if _find_builtin(original) is None and callable(original) and _scripts(original) and not _scripts(replacement):
        return ["torch.jit.script refuses the replacement, not the original"]
    return []


_OWN_TO_EACH_CLASS = {"__module__", "__doc__", "__dict__", "__weakref__", "__qualname__"}


def attribute_problems(original, replacement):
    if not isinstance(original, type):
        return []
    problems = [f"no attribute {name!r}" for name in sorted(set(dir(original)) - set(dir(replacement)))]
    for name in vars(original).keys() - _OWN_TO_EACH_CLASS:
        mine = inspect.getattr_static(replacement, name, None)  # descriptors themselves, not what they give
        if mine is not None and mine is not vars(original)[name]:
            problems.append(f"{name!r} is not torch's object")
    return problems


# -- the rows ---------------------------------------------------------------------------------------


def test_every_row_has_modern_calls():
    assert set(MODERN_CALLS) == set(ROWS), "each row of PATCHES needs its modern calls in MODERN_CALLS"


@pytest.mark.parametrize("name", ROWS)
def test_modern_calls_get_the_originals_results_and_warnings(name):
    patch = ROWS[name]
    assert modern_call_problems(patch, MODERN_CALLS[name], modern_torch, functools.partial(applied, patch)) == []


# (a), (c) and (d): what a replacement must keep of its original
KEPT = {
    "signature": lambda patch, original: signature_problems(original, patch.replacement, isinstance(patch.owner, type)),
    "torchscript": lambda patch, original: torchscript_problems(original, patch.replacement),
    "attributes": lambda patch, original: attribute_problems(original, patch.replacement),
}


@pytest.mark.parametrize("kept", KEPT)
@pytest.mark.parametrize("name", ROWS)
def test_replacement_keeps_what_torch_has(name, kept):
    patch = ROWS[name]
    with applied(patch):
        _keeps(patch, name, kept)


def _keeps(patch, name, kept):
    original = torchs(patch)
    if original is None:
        pytest.skip("torch 2.13 has no such attribute: nothing of torch's to keep")
    if kept == "signature" and all(isinstance(call, TorchRefuses) for call in MODERN_CALLS[name]):
        pytest.skip("torch 2.13 refuses every call: no call of the original to keep")
    if kept == "signature" and original_signatures(original) is None:
        pytest.skip(f"{original!r} (Python's own, or not called) says nothing of a signature")
    assert KEPT[kept](patch, original) == []


def test_the_checks_catch_broken_rows():
    # the 0.3-only clip_grad_norm varshim had before: missing keywords, a float for modern callers
    def clip_grad_norm(parameters, max_norm, norm_type=2):
        return float(torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type))

    row = ROWS["clip-grad-norm"]
    assert signature_problems(row.original, clip_grad_norm) == [
        "no keyword 'error_if_nonfinite'", "no keyword 'foreach'", "no positional 3 ('error_if_nonfinite')",
        "no positional 4 ('foreach')"]
    broken = Patch("broken", torch.nn.utils, "clip_grad_norm", clip_grad_norm)

    @contextlib.contextmanager
    def applied():
        broken.apply()
        try:
            yield
        finally:
            broken.revert()

    with modern_torch():
        problems = modern_call_problems(broken, MODERN_CALLS["clip-grad-norm"][:1], contextlib.nullcontext, applied)
    assert problems and "float, torch gives Tensor" in problems[0]
    # a replacement of a builtin that TorchScript does not know, and a class without torch's engine
    assert torchscript_problems(ROWS["autograd-grad"].original, lambda *args: None)
    assert attribute_problems(ROWS["variable"].original, type("Variable", (torch.Tensor,), {})) == [
        "no attribute '_execution_engine'"]
