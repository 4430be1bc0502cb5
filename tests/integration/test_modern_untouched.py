"""Modern code keeps its meaning with varshim imported: plain tensors, plain results and the patched
module-level names (`torch.autograd.backward`, `grad`) behave exactly as torch 2.13 without varshim.
Every test runs twice: alone, and while a program written for 0.3 runs in the same process (its
patches applied: factories, constructors, Parameter attributes), which this file is not part of."""

import contextlib
import subprocess
import sys
import textwrap

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import varshim
from varshim import legacy_program
from varshim.objects.variable import Variable
from varshim.objects.root_gradients import modern_backward as ORIGINAL_BACKWARD
from varshim.patches.autograd import _modern_grad as ORIGINAL_GRAD
from tests.support.legacy_program import modern_torch, running_legacy_program

# torch's own advice when backward(create_graph=True) runs, which these tests do on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")


@pytest.fixture(autouse=True, params=["alone", "beside a 0.3 program"])
def _process(request, tmp_path_factory):
    if request.param == "alone":
        yield
        return
    program = legacy_program.enter(tmp_path_factory.mktemp("legacy_program"), "0.3")
    assert torch.FloatTensor is not torch.FloatTensor._tensortype  # its patches are applied
    yield
    legacy_program.leave(program)


def test_patched_names_are_installed():
    # the premise of the comparisons below: the calls go through varshim's replacements
    assert torch.autograd.backward is not ORIGINAL_BACKWARD
    assert torch.autograd.grad is not ORIGINAL_GRAD
    assert varshim.installed()


def test_plain_results_keep_0_dim_and_type():
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (t.sum(), t.mean(), t[0], F.mse_loss(t, torch.zeros(3)), torch.dot(t, t)):
        assert type(result) is torch.Tensor and result.dim() == 0
    assert type(t * 2) is torch.Tensor and type(t.data) is torch.Tensor
    out = nn.Linear(3, 2)(t)
    assert type(out) is torch.Tensor
    out.sum().backward()
    assert type(t.grad) is torch.Tensor


def test_plain_0_dim_errors_remain():
    scalar = torch.ones(3).sum()
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        scalar[0]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        scalar.data[0]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(scalar)
    with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
        torch.cat([scalar, scalar])


def test_plain_scalar_backward_with_mis_shaped_gradient_still_raises():
    t = torch.ones(2, requires_grad=True)
    loss = (t * 2).sum()
    with pytest.raises(RuntimeError, match=r"^Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[2\]\)"):
        loss.backward(torch.ones(2))
    with pytest.raises(RuntimeError, match="^Mismatch in shape"):
        loss.backward(torch.ones(1))
    assert t.grad is None


def test_plain_backward_rejects_legacy_backward_arguments():
    loss = (torch.ones(2, requires_grad=True) * 2).sum()
    with pytest.raises(TypeError, match="retain_variables"):
        loss.backward(retain_variables=True)


def test_volatile_variables_do_not_change_plain_code():
    Variable(torch.ones(2), volatile=True) * 2
    t = torch.ones(2, requires_grad=True)
    assert (t * 2).grad_fn is not None


# -- torch.autograd.backward / grad: same results and same errors as the originals -----------------


def _outcome(run):
    try:
        return ("ok", run())
    except Exception as error:  # compared by type and message
        return ("error", type(error), str(error))


def _graph():
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    w = torch.randn(3, 3, requires_grad=True)
    y = torch.tanh(w @ x)
    return x, w, y


def _backward_scenarios(backward):
    def grads_after(call):
        def run():
            x, w, y = _graph()
            call(x, w, y)
            return [None if p.grad is None else p.grad.clone() for p in (x, w)]

        return run

    return {
        "scalar": grads_after(lambda x, w, y: backward(y.sum())),
        "list with gradient": grads_after(lambda x, w, y: backward([y], [torch.arange(3.0)])),
        "keywords": grads_after(lambda x, w, y: backward(tensors=y, grad_tensors=torch.ones(3), inputs=[x])),
        "positional retain twice": grads_after(lambda x, w, y: [backward(y.sum(), None, True), backward(y.sum())]),
        "create_graph": grads_after(lambda x, w, y: backward(y.pow(2).sum(), create_graph=True)),
        "non-scalar implicit": grads_after(lambda x, w, y: backward(y)),
        "mismatch": grads_after(lambda x, w, y: backward(y.sum(), torch.ones(2))),
        "second time": grads_after(lambda x, w, y: [backward(y.sum()), backward(y.sum())]),
        "no grad root": grads_after(lambda x, w, y: backward(torch.ones(1))),
        "wrong type": grads_after(lambda x, w, y: backward([y.sum()], [1.0])),
        "no tensors": grads_after(lambda x, w, y: backward(grad_tensors=torch.ones(3))),
        "misspelt keyword": grads_after(lambda x, w, y: backward(y.sum(), retain_grap=True)),
        "create_graph positional": grads_after(lambda x, w, y: backward(y.pow(2).sum(), None, None, True)),
        "inputs tuple": grads_after(lambda x, w, y: backward(y.sum(), inputs=(w,))),
    }


def _grad_scenarios(grad):
    def run(call):
        def inner():
            x, w, y = _graph()
            return call(x, w, y)

        return inner

    return {
        "scalar": run(lambda x, w, y: grad(y.sum(), x)),
        "list": run(lambda x, w, y: grad([y], [x, w], [torch.arange(3.0)])),
        "create_graph": run(lambda x, w, y: [g.requires_grad for g in grad(y.sum(), [x], create_graph=True)]),
        "unused": run(lambda x, w, y: grad(y.sum(), [x, torch.ones(1, requires_grad=True)])),
        "allow_unused": run(lambda x, w, y: grad(y.sum(), [x, torch.ones(1, requires_grad=True)], allow_unused=True)),
        "mismatch": run(lambda x, w, y: grad(y, x, torch.ones(2))),
        "only_inputs": run(lambda x, w, y: grad(y.sum(), x, only_inputs=True)),
    }


def _assert_same(modern, original):
    assert modern[0] == original[0], (modern, original)
    if modern[0] == "error":
        assert modern == original
        return
    assert type(modern[1]) is type(original[1])
    torch.testing.assert_close(modern[1], original[1], rtol=0, atol=0)
    for value in modern[1] if isinstance(modern[1], (list, tuple)) else [modern[1]]:
        assert value is None or type(value) in (torch.Tensor, bool)


@pytest.mark.parametrize("name", list(_backward_scenarios(None)))
def test_autograd_backward_on_plain_tensors_is_unchanged(name):
    patched, original = _backward_scenarios(torch.autograd.backward), _backward_scenarios(ORIGINAL_BACKWARD)
    _assert_same(_outcome(patched[name]), _outcome(original[name]))


@pytest.mark.parametrize("name", list(_grad_scenarios(None)))
def test_autograd_grad_on_plain_tensors_is_unchanged(name):
    _assert_same(_outcome(_grad_scenarios(torch.autograd.grad)[name]), _outcome(_grad_scenarios(ORIGINAL_GRAD)[name]))


# A training step and modern idioms; `record(kinds, values)` receives what must be identical.
STEP = textwrap.dedent(
    """\
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    kinds, values = [], []
    for _ in range(3):
        model.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        with torch.no_grad():  # SGD by hand: torch.optim's first use imports torch._dynamo (slow)
            for p in model.parameters():
                p -= 0.1 * p.grad
        kinds.append((type(loss).__name__, loss.dim()))
        values.append(loss.detach().clone())
    try:
        x.sum()[0]
    except IndexError as error:
        kinds.append(str(error))
    (gx,) = torch.autograd.grad(model(x.requires_grad_()).sum(), x)
    kinds.append(type(gx).__name__)
    values += [gx] + [p.detach().clone() for p in model.parameters()]
    """
)


def test_bitwise_same_training_step_with_and_without_varshim(tmp_path):
    # The reference is a fresh interpreter that never imported varshim.
    reference = tmp_path / "plain.pt"
    script = f"import sys, torch\n{STEP}torch.save((kinds, values), sys.argv[1])\n"
    subprocess.run([sys.executable, "-c", script, str(reference)], check=True, timeout=120)
    plain_kinds, plain_values = torch.load(reference, weights_only=False)
    namespace = {"torch": torch}
    exec(STEP, namespace)  # here, with varshim installed
    assert plain_kinds[0] == ("Tensor", 0)
    assert namespace["kinds"] == plain_kinds
    torch.testing.assert_close(namespace["values"], plain_values, rtol=0, atol=0)


# Modern uses of what issue 12 gave 0.3 meanings for legacy objects: a custom Function, tensor and
# module hooks, deepcopy, a loss whose target broadcasts, copies that must fail.
OBJECT_MODEL = textwrap.dedent(
    """\
    import copy, warnings
    warnings.simplefilter("ignore")
    torch.manual_seed(0)

    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            kinds.append(type(x).__name__)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            kinds.append(type(grad).__name__)
            return 3 * x ** 2 * grad

    kinds, values = [], []
    layer = torch.nn.Linear(4, 1)
    layer.register_backward_hook(lambda module, gin, gout: kinds.append([type(g).__name__ for g in gout]))
    x = torch.randn(5, 4, requires_grad=True)
    hidden = Cube.apply(x)
    hidden.register_hook(lambda grad: kinds.append(type(grad).__name__) or grad * 2)
    out = layer(hidden)
    loss = torch.nn.functional.mse_loss(out, torch.randn(5)) + torch.nn.functional.l1_loss(out, torch.randn(5))
    loss.backward()
    twin = copy.deepcopy(layer)
    values += [loss.detach(), x.grad, layer.weight.grad, twin.weight.grad, copy.deepcopy(x).grad]
    for bad in (lambda: torch.zeros(4, 3).__setitem__((slice(None), 0), torch.ones(4, 1)),
                lambda: torch.nn.functional.binary_cross_entropy(torch.rand(4, 1), torch.rand(4))):
        try:
            bad()
        except (RuntimeError, ValueError) as error:
            kinds.append(type(error).__name__)
    """
)


def test_modern_object_model_idioms_are_bit_for_bit_as_without_varshim(tmp_path):
    reference = tmp_path / "plain.pt"
    script = f"import sys, torch\n{OBJECT_MODEL}torch.save((kinds, values), sys.argv[1])\n"
    subprocess.run([sys.executable, "-c", script, str(reference)], check=True, timeout=120)
    plain_kinds, plain_values = torch.load(reference, weights_only=False)
    assert plain_kinds == ["Tensor", ["Tensor"], "Tensor", "Tensor", "RuntimeError", "ValueError"]
    for during_a_legacy_run in (False, True):
        namespace = {"torch": torch}
        with running_legacy_program() if during_a_legacy_run else contextlib.nullcontext():
            exec(compile(OBJECT_MODEL, __file__, "exec"), namespace)  # a modern file, varshim installed
        assert namespace["kinds"] == plain_kinds
        torch.testing.assert_close(namespace["values"], plain_values, rtol=0, atol=0)


# -- torch's own code reading the patched `torch.autograd.Variable` ---------------------------------


def _checkpointed_gradients(use_reentrant):
    from torch.utils.checkpoint import checkpoint

    torch.manual_seed(0)
    layer = nn.Linear(4, 4)
    x = torch.randn(3, 4, requires_grad=True)
    checkpoint(lambda t: torch.tanh(layer(t)), x, use_reentrant=use_reentrant).sum().backward()
    return [x.grad, layer.weight.grad, layer.bias.grad]


@pytest.mark.parametrize("use_reentrant", [True, False], ids=["reentrant", "non-reentrant"])
def test_checkpointing_runs_as_without_varshim(use_reentrant):
    # reentrant checkpointing asks `torch.autograd.Variable._execution_engine` whether it may run
    with modern_torch():
        expected = _checkpointed_gradients(use_reentrant)
    torch.testing.assert_close(_checkpointed_gradients(use_reentrant), expected, rtol=0, atol=0)


def _tracked():
    from torch.utils.module_tracker import ModuleTracker

    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    seen = []
    with ModuleTracker() as tracker:  # queues a callback on Variable._execution_engine in backward
        model(torch.randn(2, 3)).sum().backward()
        seen.append(sorted(tracker.parents))
    return seen


def test_module_tracker_runs_as_without_varshim():
    with modern_torch():
        expected = _tracked()
    assert _tracked() == expected


def test_torch_files_calling_variable_get_torchs_plain_tensor():
    # torch's own helpers (torch.testing._internal.common_nn, distributed optimizers) call
    # `torch.autograd.Variable(t)`; there it is torch's Variable, whatever varshim installed
    from varshim.own_files import TORCH_DIR

    call = eval(compile("lambda *a, **k: torch.autograd.Variable(*a, **k)", TORCH_DIR + "probe.py", "eval"))
    t = torch.ones(2)
    for arguments in [(t,), (t, True), ()]:
        with modern_torch():
            expected = call(*arguments)
        got = call(*arguments)
        assert type(got) is torch.Tensor and got.requires_grad is expected.requires_grad
        assert torch.equal(got, expected)
    assert type(torch.autograd.Variable(t)) is Variable  # the legacy program's own calls
