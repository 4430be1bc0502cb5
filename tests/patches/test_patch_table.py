"""`install()` / `uninstall()` / `legacy()` are idempotent and reversible: after any sequence of them
torch is exactly (by identity) as it was, and `legacy()` restores the state at its entry."""

import contextlib

import pytest
import torch
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import varshim
from torch.optim import optimizer as torch_optimizer
from varshim import legacy_program
from varshim.patches import HOOKS, PATCHES
from tests.support.legacy_program import no_program_running

# torch's global hook registries that `HOOKS` registers with
_REGISTRIES = (torch_optimizer._global_optimizer_pre_hooks, torch_optimizer._global_optimizer_post_hooks)


def _special(patch):
    """Patches of a mapping entry (`sys.modules`) or of an object's class (`torch.fft`)."""
    return isinstance(patch.owner, dict) or patch.attribute == "__class__"


def _value(patch):
    if isinstance(patch.owner, dict):
        return patch.owner.get(patch.attribute)
    if patch.attribute == "__class__":
        return type(patch.owner)
    return vars(patch.owner).get(patch.attribute)


def _expected(patch, installed=True):
    """Applied while installed; a row with `before` only while a program written before it runs, a
    row `while_running` only while a legacy program runs."""
    if patch.while_running:
        return installed and legacy_program.running()
    return installed and (patch.before is None or legacy_program.any_targets_before(patch.before))


def _owners():
    owners = {id(patch.owner): patch.owner for patch in PATCHES if not _special(patch)}
    return list(owners.values())


def _snapshot():
    """Every attribute of every patched owner (module or class), each special patch's value and the
    hook registries, kept by identity."""
    snapshot = {id(owner): dict(vars(owner)) for owner in _owners()}
    snapshot["special"] = {patch.name: _value(patch) for patch in PATCHES if _special(patch)}
    snapshot["hooks"] = [list(registry.values()) for registry in _REGISTRIES]
    return snapshot


def _assert_identical(snapshot):
    now = _snapshot()
    assert [list(map(id, hooks)) for hooks in now["hooks"]] == [list(map(id, hooks)) for hooks in snapshot["hooks"]]
    for owner in _owners():
        before, after = snapshot[id(owner)], now[id(owner)]
        assert before.keys() == after.keys(), (owner, set(before) ^ set(after))
        changed = [name for name in before if before[name] is not after[name]]
        assert not changed, (owner, changed)
    changed = [name for name, value in snapshot["special"].items() if now["special"][name] is not value]
    assert not changed, changed


@pytest.fixture
def pristine():
    """Snapshots of torch with varshim installed and uninstalled; reinstalls afterwards."""
    assert varshim.installed()
    installed = _snapshot()
    varshim.uninstall()
    try:
        yield installed, _snapshot()
    finally:
        varshim.install()
        _assert_identical(installed)


def _is_varshim(value):
    return getattr(value, "__module__", "").startswith("varshim")


def test_table_names_are_unique():
    assert len({unit.name for unit in PATCHES + HOOKS}) == len(PATCHES + HOOKS)
    assert len({(id(patch.owner), patch.attribute) for patch in PATCHES}) == len(PATCHES)


def test_import_installs_every_patch():
    for patch in PATCHES:
        assert patch.applied is _expected(patch)
        if patch.applied:
            assert _value(patch) is patch.replacement
    assert torch.autograd.Variable is varshim.Variable
    assert torch.autograd.variable.Variable is varshim.Variable
    with no_program_running():  # registered with torch only while a legacy program runs
        for unit in HOOKS:
            assert unit.applied and not unit.registered


def test_uninstall_restores_torch_and_install_is_idempotent(pristine):
    installed, uninstalled = pristine
    for patch in PATCHES:
        value = _value(patch)
        assert value is None or not _is_varshim(value), patch
    assert not [hook for registry in _REGISTRIES for hook in registry.values() if _is_varshim(hook)]
    assert torch.autograd.Variable.__module__ == "torch.autograd.variable"
    assert torch.autograd.backward.__module__ == "torch.autograd"
    varshim.uninstall()
    _assert_identical(uninstalled)
    varshim.install()
    varshim.install()
    _assert_identical(installed)
    varshim.uninstall()
    _assert_identical(uninstalled)


def test_legacy_installs_for_the_block_only(pristine):
    installed, uninstalled = pristine
    with varshim.legacy():
        _assert_identical(installed)
        assert torch.autograd.Variable is varshim.Variable
    _assert_identical(uninstalled)


def test_legacy_restores_after_an_exception(pristine):
    _, uninstalled = pristine
    with pytest.raises(ZeroDivisionError):
        with varshim.legacy():
            1 / 0
    _assert_identical(uninstalled)


def test_legacy_restores_the_entry_state_after_changes_inside(pristine):
    installed, uninstalled = pristine
    varshim.install()
    with varshim.legacy():
        varshim.uninstall()
    _assert_identical(installed)
    varshim.uninstall()
    with varshim.legacy():
        with varshim.legacy():
            varshim.uninstall()
        _assert_identical(installed)
        varshim.uninstall()
    _assert_identical(uninstalled)


def test_plain_code_works_while_uninstalled(pristine):
    t = torch.ones(2, requires_grad=True)
    (t * 2).sum().backward()
    assert t.grad.tolist() == [2.0, 2.0]
    # varshim.Variable itself keeps its legacy rules: they live on the objects, not on torch
    v = varshim.Variable(torch.ones(2), requires_grad=True)
    assert v.sum().shape == (1,)


class PatchStateMachine(RuleBasedStateMachine):
    """Random install/uninstall/legacy() enter/exit; torch must always match the model."""

    def __init__(self):
        super().__init__()
        assert varshim.installed()
        self.installed_snapshot = _snapshot()
        varshim.uninstall()
        self.uninstalled_snapshot = _snapshot()
        self.installed = False
        self.blocks = []  # (context manager stack, installed at entry)

    @rule()
    def install(self):
        varshim.install()
        self.installed = True

    @rule()
    def uninstall(self):
        varshim.uninstall()
        self.installed = False

    @rule()
    def enter_legacy(self):
        stack = contextlib.ExitStack()
        stack.enter_context(varshim.legacy())
        self.blocks.append((stack, self.installed))
        self.installed = True

    @precondition(lambda self: self.blocks)
    @rule(raising=st.booleans())
    def exit_legacy(self, raising):
        stack, installed_at_entry = self.blocks.pop()
        if raising:
            with pytest.raises(KeyError):
                with stack:
                    raise KeyError("inside legacy()")
        else:
            stack.close()
        self.installed = installed_at_entry

    @invariant()
    def torch_matches_the_model(self):
        _assert_identical(self.installed_snapshot if self.installed else self.uninstalled_snapshot)
        assert varshim.installed() is self.installed
        assert all(patch.applied is _expected(patch, self.installed) for patch in PATCHES)
        assert all(unit.applied is self.installed for unit in HOOKS)

    def teardown(self):
        try:
            while self.blocks:
                stack, installed_at_entry = self.blocks.pop()
                stack.close()
                self.installed = installed_at_entry
            self.torch_matches_the_model()
        finally:
            varshim.install()  # as the rest of the suite expects
        _assert_identical(self.installed_snapshot)


TestPatchStateMachine = PatchStateMachine.TestCase


def test_every_patch_has_a_row_in_the_compatibility_table():
    # Principle 2: each global change is a named unit documented in docs/compatibility.md.
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "compatibility.md").read_text()
    section = text[text.index("## Global patches of torch"):text.index("## Error paths")]
    missing = [unit.name for unit in PATCHES + HOOKS if f"`{unit.name}`" not in section]
    assert not missing, f"patches without a row in docs/compatibility.md: {missing}"


# -- TorchScript finds torch's builtins under the patched names -------------------------------------

# torch 2.13 deprecates TorchScript, which modern code still uses
scripting = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _scripted_results():
    def grads(x: torch.Tensor):
        return torch.autograd.grad([(x * x).sum()], [x])[0]

    def backward(x: torch.Tensor):
        torch.autograd.backward([(x * 3).sum()])
        return x

    def arange(n: int):
        return torch.arange(n)

    x = torch.ones(2, requires_grad=True)
    y = torch.ones(2, requires_grad=True)
    torch.jit.script(backward)(y)
    return [torch.jit.script(grads)(x), y.grad, torch.jit.script(arange)(3)]


@scripting
def test_patched_builtins_script_as_torchs_own():
    from torch.jit._builtins import _find_builtin

    names = [_find_builtin(torch.autograd.grad), _find_builtin(torch.autograd.backward), _find_builtin(torch.arange)]
    assert names == ["aten::grad", "aten::backward", "aten::arange"]
    expected = [torch.tensor([2.0, 2.0]), torch.tensor([3.0, 3.0]), torch.tensor([0, 1, 2])]
    torch.testing.assert_close(_scripted_results(), expected, rtol=0, atol=0)


@scripting
def test_builtin_table_built_after_varshim_keeps_torchs_objects(pristine):
    # as if TorchScript built its table lazily after `import varshim`: install builds it first
    from torch.jit import _builtins

    saved = _builtins._builtin_table
    _builtins._builtin_table = None
    try:
        varshim.install()
        torch.testing.assert_close(_scripted_results()[2], torch.tensor([0, 1, 2]))
        varshim.uninstall()
        assert _builtins._find_builtin(torch.arange) == "aten::arange"  # torch's own, once more
        torch.testing.assert_close(_scripted_results()[2], torch.tensor([0, 1, 2]))
    finally:
        _builtins._builtin_table = saved


def test_uninstall_takes_the_replacements_out_of_the_builtin_table(pristine):
    from torch.jit import _builtins

    before = dict(_builtins._get_builtin_table())
    varshim.install()
    assert _builtins._find_builtin(torch.autograd.grad) == "aten::grad"  # varshim's, entered by apply
    varshim.uninstall()
    assert _builtins._get_builtin_table() == before
