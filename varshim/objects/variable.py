"""`Variable`: the PyTorch 0.1-0.3 autograd wrapper, restored as a `torch.Tensor` subclass.

Legacy rules live on the objects, not on torch: every torch operation that has a Variable among its
inputs returns Variables (through `__torch_function__`), so they apply exactly where legacy code
runs. Plain tensors never reach this module. Modern spelling: a tensor, `requires_grad_()`,
`torch.no_grad()`.

The 0.3 rules kept here (sources in docs/compatibility.md):
- no 0-dim results: a Variable is at least of size (1,) (pytorch/pytorch v0.3.1, the 0.4.0
  migration guide);
- `volatile`: one volatile input makes an output volatile; volatile work records no graph
  (`torch/csrc/autograd/function.cpp` `Function::flags`, v0.3.1);
- `.data` is a tensor with legacy semantics (`varshim.objects.legacy_tensor`), `.creator` is `grad_fn`;
- `backward` and `torch.autograd.grad` with 0.3 arguments (`legacy_backward`, `legacy_grad`; the
  patched module-level functions are `varshim.patches.autograd`);
- hooks get Variables: `register_hook(hook)` hands the hook the gradient as a Variable, volatile
  unless the backward builds a graph (`_make_grads` wrapped gradients as
  `Variable(g, volatile=not create_graph)`, v0.3.1 `torch/autograd/__init__.py`), and takes a
  Variable or None back (`legacy_gradient`, `plain_gradient` serve module hooks too);
- copies: `copy.deepcopy` makes a new leaf holding a clone of the data, same `requires_grad` and
  `volatile`, and refuses non-leaves; pickling keeps the data, `requires_grad` and `volatile`
  (v0.3.1 `torch/autograd/variable.py` `__deepcopy__`, `__reduce_ex__`).
"""

import collections
import functools
import sys

import torch
from torch.utils.hooks import RemovableHandle

from ..legacy_program import written_since
from ..legacy_warnings import call_as_caller, warn_legacy
from ..own_files import TORCH_DIR, is_torch
from . import fast_paths, printing, stochastic, tensor_rules
from .legacy_tensor import LegacyTensorType, legacy_class
from .root_gradients import lenient_backward, make_grads, modern_backward

__all__ = ["Variable", "OVERRIDES", "legacy_backward", "legacy_grad", "any_volatile", "wrap_result", "has_variable", "as_tuple",
           "rebuild_variable", "legacy_gradient", "plain_gradient", "enable_dispatch",
           "register_backward_check"]

# torch's own `torch.autograd.Variable` (a constructor of plain tensors since 0.4), captured before
# varshim's patch replaces the name: torch's own code keeps what it reads from it (see Variable).
_TorchVariable = torch.autograd.variable.Variable

_Tensor = torch.Tensor
_TensorBase = torch._C.TensorBase
_DisableSubclass = torch._C.DisableTorchFunctionSubclass
# `_disabled(func, (), args)`: func(*args) with subclass dispatch off and back to what it was, in one
# C call (cheaper than entering `_DisableSubclass`; never pass it kwargs=None: it crashes).
_disabled = torch._C._disabled_torch_function_impl
_dispatch_enabled = torch._C._is_torch_function_enabled
# Legacy callbacks (hooks, 0.3 Function backwards) run inside backward, which varshim starts with
# subclass dispatch off: they turn it back on for the user's code (`_EnableTorchFunction`, torch >= 2.0).
enable_dispatch = torch._C._EnableTorchFunction
_no_grad = torch.no_grad
_modern_grad = torch.autograd.grad
_REFUSED = object()  # sentinel default: `Variable()` without data

# Getters that return stored tensors. `_base` keeps its identity for torch's own view checks; a
# gradient is a Variable in 0.3, aliasing the real one so `x.grad.data.zero_()` still zeroes it.
_BASE_GETTER = _Tensor._base.__get__
_GRAD_GETTER = _Tensor.grad.__get__
_REFERENCES = frozenset({_BASE_GETTER, _GRAD_GETTER, _Tensor._grad.__get__})
_GET_DATA, _SET_DATA = _TensorBase.data.__get__, _TensorBase.data.__set__
_GET_GRAD, _SET_GRAD, _DELETE_GRAD = _TensorBase.grad.__get__, _TensorBase.grad.__set__, _TensorBase.grad.__delete__
_GET_GRAD_, _SET_GRAD_, _DELETE_GRAD_ = _TensorBase._grad.__get__, _TensorBase._grad.__set__, _TensorBase._grad.__delete__
_AS_SUBCLASS, _DETACH = _Tensor.as_subclass, _TensorBase.detach

# Set once any volatile Variable exists; until then ops skip the volatile scan entirely.
_volatile_seen = False

# check(roots) callables run before every backward varshim starts from Variable roots
# (`register_backward_check`; varshim.patches.optimizer_steps uses one while a legacy program runs).
_backward_checks = collections.OrderedDict()  # weak-referenceable, as RemovableHandle needs


# Ops whose 0.3 meaning differs, for Variables: `tensor_rules.OVERRIDES` (which LegacyTensor uses
# alone) and, added below the class because they need it, the 0.2 stochastic samplers.
OVERRIDES = dict(tensor_rules.OVERRIDES)


class _VariableMeta(torch._C._TensorMeta):
    # 0.3: `nn.Parameter` was a Variable subclass and plain tensors were not Variables.
    def __instancecheck__(cls, instance):
        return type.__instancecheck__(cls, instance) or (
            cls is Variable and isinstance(instance, torch.nn.Parameter)
        )

    # 0.3's `print(type(v))`; pickle and torch read the real `__module__` and `__qualname__`.
    def __repr__(cls):
        if cls is Variable:
            return "<class 'torch.autograd.variable.Variable'>"
        return super().__repr__()


class Variable(_Tensor, metaclass=_VariableMeta):
    """`Variable(data, requires_grad=False, volatile=False)` with PyTorch 0.3 semantics."""

    _volatile = False
    _stochastic = None  # a 0.1-0.2 sample's stochastic node (varshim.objects.stochastic)

    # torch's own code reads the autograd engine from the patched name (torch 2.x: checkpointing's
    # `_is_checkpoint_valid`, AOT autograd under torch.compile, ModuleTracker, FSDP and DDP hooks).
    _execution_engine = _TorchVariable._execution_engine

    def __new__(cls, data=_REFUSED, requires_grad=False, volatile=False, _grad_fn=None, name=None):
        if cls is Variable and (is_torch(sys._getframe(1).f_code.co_filename) or written_since("0.4")):
            # torch's own files calling `torch.autograd.Variable(t)` (its test helpers, distributed
            # optimizers), and programs written for 0.4 or later, get what torch's Variable makes
            # there: a plain tensor (0.4-1.x code still wrote `Variable(x)`, a no-op since 0.4)
            arguments = () if data is _REFUSED else (data, requires_grad, volatile, _grad_fn, name)
            return call_as_caller(_TorchVariable, arguments, {})
        if data is _REFUSED:
            raise TypeError("Variable() missing required argument 'data' (a tensor)")
        if not isinstance(data, _Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if not isinstance(requires_grad, bool) or not isinstance(volatile, bool):
            raise TypeError("Variable: requires_grad and volatile must be bools")
        if volatile and requires_grad:
            raise RuntimeError("Variable can't be volatile and require_grad at the same time!")
        if requires_grad and not (data.is_floating_point() or data.is_complex()):
            # 0.3 accepted integer data that required grad (arange and LongTensor lessons);
            # modern autograd cannot differentiate integers, so the data becomes floats.
            warn_legacy(
                f"Variable({data.type()}, requires_grad=True): integer tensors cannot require "
                "grad on modern torch; varshim made a float copy. Write "
                "torch.arange(..., dtype=torch.float32) or x.float().requires_grad_()."
            )
            data = data.to(torch.get_default_dtype())
        else:
            warn_legacy(
                "Variable(t) is a no-op since PyTorch 0.4: use the tensor t itself "
                "(t.requires_grad_() for requires_grad=True)."
            )
        with _DisableSubclass():
            if data.dim() == 0:
                data = data.reshape(1)
            variable = _Tensor._make_subclass(cls, data, requires_grad)
        if volatile:
            warn_legacy("volatile=True was removed in PyTorch 0.4: run the code under `with torch.no_grad():`.")
            _mark_volatile(variable)
        return variable

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if kwargs is None:
            kwargs = {}
        if func in _REFERENCES:
            with _DisableSubclass():
                if func == _GRAD_GETTER and not (args[0].is_leaf or args[0].retains_grad):
                    return None  # 0.3: a non-leaf's .grad is None, without torch's modern warning
                result = func(*args, **kwargs)
                # Stored tensors (a gradient the caller may also hold plainly) are aliased, never re-classed.
                return result if func is _BASE_GETTER or result is None else result.as_subclass(Variable)
        call = OVERRIDES.get(func, func)  # ops whose 0.3 meaning differs (tensor_rules, stochastic)
        if any_volatile(args, kwargs):
            with _DisableSubclass(), _no_grad():
                return wrap_result(call(*args, **kwargs), True, args, kwargs)
        # one C call with dispatch off (cheaper than entering _DisableSubclass); the result is a
        # plain tensor or an argument, which `_fast_result` (below) wraps as wrap_result would
        result = _disabled(call, (), args, kwargs) if kwargs else _disabled(call, (), args)
        return _fast_result(result, func, args, kwargs)

    # -- legacy attributes -------------------------------------------------------------------

    @property
    def data(self):
        """The wrapped tensor, with 0.3 Tensor semantics (`varshim.objects.legacy_tensor`)."""
        data = _disabled(_GET_DATA, (), (self,))  # a fresh detached alias on every access
        # torch's own Python code (gradcheck, optimizers, nn.utils) reading `.data` of a Variable
        # expects a modern tensor; legacy semantics are for the legacy program.
        if not sys._getframe(1).f_code.co_filename.startswith(TORCH_DIR):
            data.__class__ = legacy_class(data)
        return data

    @data.setter
    def data(self, value):
        _disabled(_SET_DATA, (), (self, value))

    # Stored tensors, read without a trip through `__torch_function__` (which gives the same: see
    # `_REFERENCES`). A gradient is a Variable in 0.3, an alias of the real one so that
    # `x.grad.data.zero_()` still zeroes it; with dispatch off (torch's own code under
    # `DisableTorchFunctionSubclass`) it is what torch stored, as without these properties.
    @property
    def grad(self):
        if _dispatch_enabled() and not _disabled(_keeps_grad, (), (self,)):
            return None  # 0.3: a non-leaf's .grad is None, without torch's modern warning
        return _variable_alias(_disabled(_GET_GRAD, (), (self,)))

    @grad.setter
    def grad(self, value):
        _disabled(_SET_GRAD, (), (self, value))

    @grad.deleter
    def grad(self):
        _disabled(_DELETE_GRAD, (), (self,))

    @property
    def _grad(self):
        return _variable_alias(_disabled(_GET_GRAD_, (), (self,)))

    @_grad.setter
    def _grad(self, value):
        _disabled(_SET_GRAD_, (), (self, value))

    @_grad.deleter
    def _grad(self):
        _disabled(_DELETE_GRAD_, (), (self,))

    @property
    def _base(self):
        return _disabled(_BASE_GETTER, (), (self,))  # the base itself: torch's view checks compare identity

    @property
    def volatile(self):
        """0.1-0.3: True when this Variable (or any input it came from) was volatile."""
        return self._volatile

    @volatile.setter
    def volatile(self, value):
        if not isinstance(value, bool):
            raise RuntimeError("volatile must be a bool")
        if not self.is_leaf:
            raise RuntimeError("volatile can only be set on leaf variables")
        if value:
            warn_legacy("volatile was removed in PyTorch 0.4: run the code under `with torch.no_grad():`.")
            _mark_volatile(self)
        else:
            self.__dict__.pop("_volatile", None)

    @property
    def creator(self):
        """0.1.12's name for `grad_fn` (None for leaves and volatile results)."""
        warn_legacy("Variable.creator was renamed grad_fn in PyTorch 0.2: write x.grad_fn.")
        return self.grad_fn

    def backward(self, gradient=None, retain_graph=None, create_graph=None, retain_variables=None, inputs=None):
        """0.3 signature: `backward(gradient=None, retain_graph=None, create_graph=None, retain_variables=None)`."""
        if gradient is None and create_graph is None and not self._volatile and self._stochastic is None \
                and (retain_variables is None or retain_graph is None):
            if retain_variables is not None:  # 0.1-0.2 `loss.backward(retain_variables=True)`: only renamed
                warn_legacy(_RETAIN_VARIABLES)
                retain_graph = retain_variables
            if _backward_checks:
                _run_backward_checks((self,))
            with _DisableSubclass():  # the common `loss.backward()`: nothing legacy to decide
                modern_backward(self, None, retain_graph, False, inputs=inputs)
            return
        legacy_backward(
            (self,), (gradient,), retain_graph, create_graph, retain_variables=retain_variables, inputs=inputs
        )

    # 0.3 `Variable.__float__`/`__int__` read `.data`: a number, no graph, so no modern warning
    # about converting a tensor that requires grad.
    def __float__(self):
        with _DisableSubclass():
            return float(self.detach())

    def __int__(self):
        with _DisableSubclass():
            return int(self.detach())

    multinomial = stochastic.multinomial  # 0.2 signature; torch's parser would refuse it
    reinforce = stochastic.reinforce  # 0.1.12-0.2.0

    def register_hook(self, hook):
        """0.3: `hook(grad)` gets the gradient as a Variable and may return a Variable to replace it."""
        if self._volatile:
            raise RuntimeError("cannot register a hook on a volatile variable")
        with _DisableSubclass():
            if not self.requires_grad:
                raise RuntimeError("cannot register a hook on a variable that doesn't require gradient")
        # torch's own hooks on Variables (full module hooks, checkpointing) keep modern tensors
        if not is_torch(sys._getframe(1).f_code.co_filename):
            warn_legacy(
                "register_hook on a Variable: the hook gets the gradient as a Variable, as in 0.3; on a "
                "modern tensor it gets a tensor: write grad.item() / grad[i].item() for grad.data[i]."
            )
            hook = _legacy_hook(hook)
        return super().register_hook(hook)

    # -- copies (0.3.1 `Variable.__deepcopy__` / `__reduce_ex__`) ----------------------------------

    def __deepcopy__(self, memo):
        with _DisableSubclass():
            if self.grad_fn is not None:
                raise RuntimeError(
                    "Only Variables created explicitly by the user (graph leaves) support the deepcopy "
                    "protocol at the moment"
                )
            data = self.detach().clone()
        warn_legacy(
            "copy.deepcopy(Variable) copied only the data, requires_grad and volatile in 0.3 (not .grad): "
            "write x.detach().clone().requires_grad_(x.requires_grad) for that copy."
        )
        copy = rebuild_variable(data, self.requires_grad, self._volatile)
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol):
        # 0.3 pickled (data, requires_grad, volatile) and rebuilt a leaf; the data is pickled as a
        # plain tensor, so storage sharing with other tensors in the same file is kept.
        with _DisableSubclass():
            data = self.detach()
        return rebuild_variable, (data, self.requires_grad, self._volatile)

    def __repr__(self, *, tensor_contents=None):
        return printing.variable_repr(self)

    __str__ = __repr__


def _keeps_grad(tensor):
    return tensor.is_leaf or tensor.retains_grad


def _variable_alias(tensor):
    if tensor is None or not _dispatch_enabled():
        return tensor
    if tensor.requires_grad:  # a gradient with a graph (create_graph=True): the alias stays in it
        return _disabled(_AS_SUBCLASS, (), (tensor, Variable))
    # no graph to keep: a detached view shares storage and version counter and costs a third of
    # `as_subclass` (an `alias` op)
    alias = _disabled(_DETACH, (), (tensor,))
    alias.__class__ = Variable
    return alias


def _legacy_hook(hook):
    @functools.wraps(hook)
    def legacy_hook(grad):
        with enable_dispatch():
            return plain_gradient(hook(legacy_gradient(grad)))

    return legacy_hook


def legacy_gradient(grad):
    """A gradient as a 0.3 hook saw it: a Variable alias, volatile unless the backward builds a graph."""
    if grad is None:
        return None
    with _DisableSubclass():
        variable = grad.as_subclass(Variable)
    if not torch.is_grad_enabled():
        _mark_volatile(variable)
    return variable


def plain_gradient(value):
    """What a hook returned, for torch's engine: legacy objects (also in a tuple) as plain aliases."""
    kind = type(value)
    if kind is Variable or type(kind) is LegacyTensorType:
        with _DisableSubclass():
            return value.as_subclass(_Tensor)  # an alias: the hook's own object keeps its class
    if kind is tuple:
        return tuple([plain_gradient(item) for item in value])
    return value


def rebuild_variable(data, requires_grad, volatile):
    """A leaf Variable over `data` (a plain tensor): what copies and unpickling make, without warnings."""
    with _DisableSubclass():
        variable = _Tensor._make_subclass(Variable, data, requires_grad)
    if volatile:
        _mark_volatile(variable)
    return variable


def _mark_volatile(variable):
    global _volatile_seen
    _volatile_seen = True
    variable._volatile = True


def _is_volatile(value):
    return type(value) is Variable and value._volatile


def any_volatile(args, kwargs):
    """Is a volatile Variable among the arguments (lists and tuples of them included)?"""
    if not _volatile_seen:
        return False
    for group in (args, kwargs.values()) if kwargs else (args,):
        for arg in group:
            if _is_volatile(arg):
                return True
            if type(arg) in (list, tuple) and any(map(_is_volatile, arg)):
                return True
    return False


def wrap_result(result, volatile, args, kwargs):
    """Make torch results Variables with the 0.3 rules; runs with subclass dispatch disabled."""
    kind = type(result)
    if kind is _Tensor or type(kind) is LegacyTensorType:
        if _is_argument(result, args, kwargs):
            return result  # in-place or no-op on a tensor the caller owns: it keeps its class
        if volatile and result.requires_grad:
            # A view made under no_grad keeps its base's requires_grad; a 0.3 volatile result never did.
            result = result.detach()
        if result.dim() == 0:
            result = result.unsqueeze(0)  # its backward squeezes, so legacy gradients pass unchanged
        # A fresh result nobody else holds: re-class it in place. `as_subclass` would add an
        # AliasBackward node per op to the graph.
        result.__class__ = Variable
        if volatile:
            result._volatile = True
        return result
    if kind is Variable or result is None:
        return result
    if isinstance(result, (tuple, list)) and kind is not torch.Size:
        items = [wrap_result(item, volatile, args, kwargs) for item in result]
        return kind(*items) if hasattr(kind, "_fields") else kind(items)
    return result


def _is_argument(result, args, kwargs):
    for arg in args:
        if arg is result:
            return True
    if not kwargs:
        return False
    out = kwargs.get("out")
    if type(out) in (tuple, list) and any(item is result for item in out):
        return True  # out=(values, indices): the caller's tensors, whatever their class
    return any(value is result for value in kwargs.values())


OVERRIDES.update(stochastic.sampler_overrides(Variable))


# -- fast paths: what __torch_function__ does, without the protocol (varshim.objects.fast_paths) ----

# Argument types with which the protocol would hand the call to `Variable.__torch_function__` and it
# would only call torch: plain tensors, Parameters (their override is torch's disabled one, and a
# Variable comes first as self), plain values. A Variable subclass, a LegacyTensor or anything else
# takes the protocol path.
_PLAIN_ARGUMENTS = fast_paths.PLAIN_VALUES | {_Tensor, torch.nn.Parameter}
_PLAIN_VALUES = fast_paths.PLAIN_VALUES


def _fast_arguments(args, kwargs):
    for arg in args:
        kind = type(arg)
        if kind is Variable:
            if _volatile_seen and arg._volatile:
                return False
        elif kind not in _PLAIN_ARGUMENTS:
            if kind is not tuple and kind is not list:
                return False
            for item in arg:
                kind = type(item)
                if kind is Variable:
                    if _volatile_seen and item._volatile:
                        return False
                elif kind not in _PLAIN_ARGUMENTS:
                    return False
    return not kwargs or _fast_arguments(kwargs.values(), None)


def _fast_result(result, func, args, kwargs):
    """`wrap_result` for a non-volatile call, with its common case (a fresh plain tensor) inline;
    runs with dispatch on (a plain tensor's ops do not dispatch)."""
    if type(result) is _Tensor:
        for arg in args:
            if arg is result:
                return result
        if kwargs and _is_argument(result, (), kwargs):
            return result  # out=
        if result.dim() == 0:
            result = result.unsqueeze(0)
        result.__class__ = Variable
        return result
    if type(result) is Variable or type(result) in _PLAIN_VALUES:
        return result  # `item()`, `dim()`, `size()`: what wrap_result returns unchanged
    return _disabled(wrap_result, (), (result, False, args, kwargs))


fast_paths.install_fast_methods(Variable, {id(Variable)}, OVERRIDES, _fast_arguments, _fast_result)


# -- backward and grad with 0.3 arguments ---------------------------------------------------------


def register_backward_check(check):
    """Call `check(roots)` before every backward from Variable roots (`backward`, `autograd.backward`,
    `autograd.grad`); returns a handle whose `remove()` unregisters it."""
    handle = RemovableHandle(_backward_checks)
    _backward_checks[handle.id] = check
    return handle


def _run_backward_checks(roots):
    for check in list(_backward_checks.values()):
        check(roots)


_RETAIN_VARIABLES = "backward(retain_variables=...) was renamed in PyTorch 0.2: write retain_graph=...."


def legacy_backward(tensors, grad_tensors, retain_graph=None, create_graph=None, *, retain_variables=None, inputs=None):
    """Run backward from `tensors` with 0.3 argument rules and the legacy root-gradient leniency."""
    if _backward_checks:
        _run_backward_checks(tensors)
    if retain_variables is not None:
        if retain_graph is not None:
            raise ValueError("only one of retain_graph and retain_variables can be specified")
        warn_legacy(_RETAIN_VARIABLES)
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
    if stochastic.sampled:  # 0.1-0.2 reinforced samples among the roots (objects.stochastic)
        tensors, grad_tensors = stochastic.reinforce_roots(tensors, grad_tensors, retain_graph)
        if not tensors:
            return
    # Subclass dispatch off: every `.shape` or `.requires_grad` of a Variable would otherwise be a
    # trip through `Variable.__torch_function__`, and torch's own backward would re-dispatch.
    with _DisableSubclass():
        grads = make_grads(tensors, grad_tensors)
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
        lenient_backward(tensors, grads, retain_graph, create_graph)


def legacy_grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=None, only_inputs=True, **modern):
    """`torch.autograd.grad` with Variable outputs: 0.3 defaults, Variable results."""
    if not only_inputs:
        warn_legacy("autograd.grad(only_inputs=False) is ignored since PyTorch 0.4: call backward() for leaf gradients.")
    outputs = as_tuple(outputs)
    if _backward_checks:
        _run_backward_checks(outputs)
    if create_graph is None:
        create_graph = _any_differentiable_variable(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    with _DisableSubclass():  # as in legacy_backward: no per-attribute dispatch, no re-dispatch by torch
        grads = make_grads(outputs, as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs))
        results = _modern_grad(outputs, inputs, grads, retain_graph, create_graph, **modern)
        # aliases, not re-classed: a gradient may be a tensor the caller passed in
        return tuple(None if g is None else g.as_subclass(Variable) for g in results)


def as_tuple(value):
    """A list or tuple as a tuple; anything else as a 1-tuple."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def has_variable(value):
    """Is `value` a Variable, or a list or tuple holding one?"""
    if type(value) is Variable:
        return True
    return isinstance(value, (list, tuple)) and any(type(v) is Variable for v in value)


def _any_differentiable_variable(grads):
    # 0.3 `_make_grads`: a gradient given as a non-volatile Variable asks for a graph of the gradient.
    grads = as_tuple(grads) if grads is not None else ()
    return any(type(g) is Variable and not g._volatile for g in grads)
