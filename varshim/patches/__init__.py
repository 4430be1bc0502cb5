"""The only changes varshim makes to torch itself: module-level names that legacy code reaches.

Each row of `PATCHES` (a replaced name) and of `HOOKS` (hooks in one of torch's own global hook
registries) is one named, reversible unit (docs/compatibility.md has one row per unit); the modules
of this package hold the replacements that are not legacy objects themselves.
Everything else varshim does lives on legacy objects (`varshim.objects`) and never touches plain
tensors. A row with `before="0.4"` exists only while a program written before 0.4 runs
(`varshim.legacy_program`), and a row with `while_running=True` (a Python call on top of one of
torch's hot operators) only while any legacy program runs: without one, torch keeps its own object
under that name.
"""

import contextlib
import sys

import torch
import torch.autograd.variable
from torch.jit import _builtins as torchscript_builtins
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from torch.utils.data import TensorDataset

from .. import legacy_program
from ..objects import legacy_function, new_style_function
from ..objects.variable import Variable, register_backward_check
from . import (arange, autograd, clip_grad, module_hooks, optimizer_steps, pickles, program_tensors, removed_apis,
               silent_changes, tensor_dataset)

__all__ = ["Patch", "PATCHES", "Hooks", "HOOKS", "install", "uninstall", "installed", "legacy"]

_ABSENT = object()


class Patch:
    """Replace `owner.attribute` with `replacement`; `revert` puts back exactly what was there.

    `owner` is a module or class; a dict owner (`sys.modules`) has the entry `attribute` replaced,
    and the attribute `"__class__"` swaps an object's class (`torch.fft`, a callable module).

    TorchScript compiles a call by looking the called object up in its table of builtins
    (`torch.jit._builtins`, keyed by identity; `torch.autograd.grad` is `aten::grad`, `torch.arange`
    `aten::arange`). A replacement of a builtin is entered under the original's name (unless it is
    a builtin already, `removed_apis.torchscript`), so scripted modern code compiles to torch's own
    op whichever object it finds under the patched name.

    `before` (a release, "0.4"): applied only while some program written before it runs.
    `while_running`: applied only while a legacy program runs (`legacy_program.running()`), for a
    replacement that would cost every modern caller of a hot operator a Python call."""

    def __init__(self, name, owner, attribute, replacement, *, before=None, while_running=False):
        self.name = name
        self.owner = owner
        self.attribute = attribute
        self.replacement = replacement
        self.before = before
        self.while_running = while_running
        self._original = _ABSENT
        self._builtin = None
        self._registers = False  # whether apply entered the replacement in TorchScript's table
        self.applied = False

    @property
    def always(self):
        """Applied whenever varshim is installed, whatever runs."""
        return self.before is None and not self.while_running

    def wanted(self):
        """Should the row be in place for the programs running now (varshim installed)?"""
        if self.while_running:
            return legacy_program.running()
        return self.before is None or legacy_program.any_targets_before(self.before)

    @property
    def original(self):
        """What `apply` replaced (while applied) or would replace; `None` where torch has nothing."""
        value = self._original if self.applied else self._read()
        return None if value is _ABSENT else value

    def apply(self):
        if self.applied:
            return
        self._original = self._read()
        # looked up before the name changes: a table torch builds lazily then holds torch's own object
        self._builtin = None if self._original is _ABSENT else torchscript_builtins._find_builtin(self._original)
        self._registers = self._builtin is not None and torchscript_builtins._find_builtin(self.replacement) is None
        self._write(self.replacement)
        if self._registers:
            torchscript_builtins._register_builtin(self.replacement, self._builtin)
        self.applied = True

    def revert(self):
        if not self.applied:
            return
        if self._registers:
            torchscript_builtins._get_builtin_table().pop(id(self.replacement), None)
        self._write(self._original)
        self._original = _ABSENT
        self._builtin = None
        self._registers = False
        self.applied = False

    def _read(self):
        if isinstance(self.owner, dict):
            return self.owner.get(self.attribute, _ABSENT)
        if self.attribute == "__class__":
            return type(self.owner)
        return self.owner.__dict__.get(self.attribute, _ABSENT)

    def _write(self, value):
        if isinstance(self.owner, dict):
            if value is _ABSENT:
                del self.owner[self.attribute]
            else:
                self.owner[self.attribute] = value
        elif value is _ABSENT:
            delattr(self.owner, self.attribute)
        else:
            setattr(self.owner, self.attribute, value)

    def __repr__(self):
        state = "applied" if self.applied else "reverted"
        owner = "sys.modules" if self.owner is sys.modules else self.owner.__name__
        return f"<Patch {self.name}: {owner}.{self.attribute} ({state})>"


class Hooks:
    """Register `(register, hook)` pairs with global hook registries (torch's own, and varshim's
    backward checks) while applied *and* a legacy program runs (`legacy_program.watch`): torch calls
    global hooks for every caller, so outside a legacy program they are not there to cost anything.
    `revert` removes them."""

    always = True  # applied with varshim; the hooks themselves follow the running programs

    def __init__(self, name, *registrations):
        self.name = name
        self.registrations = registrations
        self._handles = []
        self.applied = False

    def apply(self):
        if self.applied:
            return
        self.applied = True
        legacy_program.watch(self._follow)

    def revert(self):
        if not self.applied:
            return
        legacy_program.unwatch(self._follow)
        self._follow(False)
        self.applied = False

    @property
    def registered(self):
        return bool(self._handles)

    def _follow(self, program_running):
        if program_running and not self._handles:
            self._handles = [register(hook) for register, hook in self.registrations]
        elif not program_running:
            for handle in self._handles:
                handle.remove()
            self._handles = []

    def __repr__(self):
        state = "applied" if self.applied else "reverted"
        return f"<Hooks {self.name}: {[hook.__name__ for _, hook in self.registrations]} ({state})>"


PATCHES = (
    Patch("variable", torch.autograd, "Variable", Variable),
    Patch("variable-module", torch.autograd.variable, "Variable", Variable),
    Patch("autograd-backward", torch.autograd, "backward", autograd.backward),
    Patch("autograd-grad", torch.autograd, "grad", autograd.grad),
    Patch("function-call", torch.autograd.Function, "__call__", legacy_function.legacy_call),
    Patch("function-init", torch.autograd.Function, "__init__", legacy_function.legacy_init),
    Patch("function-subclass", torch.autograd.Function, "__init_subclass__", classmethod(new_style_function.init_subclass)),
    Patch("tensordataset-keywords", TensorDataset, "__init__", tensor_dataset.tensor_dataset_init),
    Patch("tensordataset-data-tensor", TensorDataset, "data_tensor", tensor_dataset.data_tensor),
    Patch("tensordataset-target-tensor", TensorDataset, "target_tensor", tensor_dataset.target_tensor),
    Patch("torch-save", torch, "save", pickles.save),
    Patch("torch-load", torch, "load", pickles.load),
    Patch("full-legacy-float", torch, "full", silent_changes.full, before=silent_changes.INFERRED_FULL),
    Patch("clip-grad-norm", torch.nn.utils, "clip_grad_norm", clip_grad.clip_grad_norm),
    Patch("clip-grad-norm-module", torch.nn.utils.clip_grad, "clip_grad_norm", clip_grad.clip_grad_norm),
    Patch("module-backward-hook", torch.nn.Module, "register_backward_hook", module_hooks.register_backward_hook),
    Patch("set-default-tensor-type", torch, "set_default_tensor_type", program_tensors.set_default_tensor_type),
    *(Patch(*row) for row in removed_apis.ROWS),  # 0.4-1.13 APIs torch 2.x removed (varshim/patches/removed_apis)
    *(Patch(*row, while_running=True) for row in removed_apis.HOT_ROWS),  # ... on hot operators: `1 - mask`, masks
    # operators whose result changed silently: hot in modern code (varshim/patches/silent_changes.py)
    *(Patch(*row, before=release) for release, *row in silent_changes.OPERATOR_ROWS),
    # only while a 0.3 program runs: its own files' tensors (varshim/patches/program_tensors.py)
    Patch("arange-legacy-float", torch, "arange", arange.arange, before="0.4"),
    *(Patch(f"factory-{name}", torch, name, program_tensors.factory(getattr(torch, name)), before="0.4")
      for name in program_tensors.FACTORIES),
    Patch("tensor-constructor", torch.Tensor, "__new__", program_tensors.tensor_new, before="0.4"),
    *(Patch(f"typed-constructor-{module}.{name}", sys.modules[module], name,
            program_tensors.stand_in(module, name), before="0.4")
      for module, name in program_tensors.TYPED_CONSTRUCTORS),
    Patch("parameter-new", torch.nn.Parameter, "__new__", program_tensors.parameter_new, before="0.4"),
    Patch("parameter-data", torch.nn.Parameter, "data", program_tensors.parameter_data, before="0.4"),
    Patch("parameter-grad", torch.nn.Parameter, "grad", program_tensors.parameter_grad, before="0.4"),
    Patch("parameter-repr", torch.nn.Parameter, "__repr__", program_tensors.parameter_repr, before="0.4"),
)

HOOKS = (
    Hooks(
        "optimizer-step-versions",
        (register_optimizer_step_pre_hook, optimizer_steps.before_step),
        (register_optimizer_step_post_hook, optimizer_steps.after_step),
        (register_backward_check, optimizer_steps.warn_on_graphs_older_than_a_step),
    ),
)

_UNITS = PATCHES + HOOKS
_installed = False  # between install() and uninstall(): rows with `before` follow the running programs


def _compiler_tables_follow():
    """torch.compile's tables of torch's functions (`torch._dynamo.trace_rules`, keyed by object
    identity) are built at the first compile from what `torch.<name>` holds then: built while a
    row was applied, they would not know torch's own function once it is back ("Attempted to call
    function marked as skipped" at `torch.ones`). After rows change they are dropped, with torch's
    own `clear_lru_cache` (torch >= 2.1), and rebuilt at the next compile."""
    trace_rules = sys.modules.get("torch._dynamo.trace_rules")
    clear = getattr(trace_rules, "clear_lru_cache", None)
    if clear is not None:
        clear()


def install():
    """Apply every legacy patch and hook (idempotent); rows with `before` while a program they are
    for runs."""
    global _installed
    _installed = True
    for unit in _UNITS:
        if unit.always:
            unit.apply()
    _apply_rows_for_programs()
    _compiler_tables_follow()


def uninstall():
    """Revert every legacy patch and hook, leaving torch as it was before `install()` (idempotent)."""
    global _installed
    _installed = False
    for unit in reversed(_UNITS):
        unit.revert()
    _compiler_tables_follow()


def installed():
    return all(unit.applied for unit in _UNITS if unit.always)


def _apply_rows_for_programs():
    """Apply or revert the rows that follow the running programs; did any change?"""
    changed = False
    for patch in PATCHES:
        if not patch.always and patch.applied != patch.wanted():
            (patch.revert if patch.applied else patch.apply)()
            changed = True
    return changed


def _follow_programs():
    if _installed and _apply_rows_for_programs():
        _compiler_tables_follow()


legacy_program.on_change(_follow_programs)


@contextlib.contextmanager
def legacy():
    """Install for the duration of a block; afterwards torch is as it was on entry."""
    global _installed
    applied_before, installed_before = [unit for unit in _UNITS if unit.applied], _installed
    install()
    try:
        yield
    finally:
        # by state at entry, not by "what this block applied": an uninstall() inside the block is undone too
        _installed = installed_before
        for unit in reversed(_UNITS):
            if unit in applied_before:
                unit.apply()
            else:
                unit.revert()
        _compiler_tables_follow()
