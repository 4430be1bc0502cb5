"""The tensors a 0.3 program's own files create follow 0.3 Tensor rules; torch's own code, libraries
and every other file get exactly torch's objects (varshim/patches/program_tensors.py)."""

import copy
import pickle
import subprocess
import sys
import textwrap
import warnings

import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings

from varshim import legacy_program
from varshim.objects import printing
from varshim.objects.legacy_tensor import LegacyTensor
from varshim.objects.variable import Variable
from varshim.patches import PATCHES, program_tensors
from tests.support.legacy_program import run_as_program
from tests.support.strategies import float_arrays


@pytest.fixture
def program_0_3(tmp_path):
    """A 0.3 program runs (its patches applied) while the test, a modern file, calls torch."""
    program = legacy_program.enter(tmp_path, "0.3")
    yield tmp_path
    legacy_program.leave(program)


# -- the issue's snippets, as a 0.3 program's own file runs them ---------------------------------

ISSUE = textwrap.dedent("""\
    import torch
    from torch.nn import Parameter

    labels = torch.LongTensor([0, 2, 1])
    n = labels.max() + 1
    features = torch.FloatTensor(n)
    weight = Parameter(torch.FloatTensor(n))
    a = torch.randn(3, 4)
    b = torch.randn(3, 4)
    element, total, dot = a[0, 2], a.sum(), torch.dot(a, b)
    names = {2: "two", 0: "zero"}
    idx = torch.LongTensor([2, 0])
    looked_up = names[idx[0]]
    try:
        len(a.sum())
    except TypeError as error:
        length_error = str(error)
    counts = torch.zeros(3).index_add_(0, idx, torch.ones(2))
    made = [torch.Tensor(2, 3), torch.zeros(2), torch.ones(2), torch.rand(2), torch.randn(2), torch.randperm(3),
            torch.linspace(0, 1, 3), torch.logspace(0, 1, 3), torch.eye(2), torch.arange(3), torch.range(0, 2),
            torch.from_numpy(__import__("numpy").ones(2)), torch.IntTensor([1]), torch.DoubleTensor(2),
            torch.ByteTensor([1, 0]), torch.HalfTensor(1), torch.CharTensor(1), torch.ShortTensor(1)]
    modern = [torch.zeros(2, dtype=torch.float64), torch.ones(2, requires_grad=True), torch.tensor([1.0]),
              torch.empty(2), torch.randint(0, 3, (2,))]
""")


def test_the_issues_snippets_behave_as_0_3(tmp_path):
    ns = run_as_program(ISSUE, tmp_path)
    assert type(ns["n"]) is int and ns["n"] == 3
    assert ns["features"].shape == (3,) and ns["weight"].shape == (3,) and type(ns["weight"]) is nn.Parameter
    assert type(ns["element"]) is float and ns["element"] == ns["a"].tolist()[0][2]
    assert type(ns["total"]) is float and type(ns["dot"]) is float
    assert ns["looked_up"] == "two"
    assert ns["length_error"] == "object of type 'float' has no len()"  # as in 0.3: a number has no len
    assert isinstance(ns["counts"], LegacyTensor) and ns["counts"].tolist() == [1.0, 0.0, 1.0]
    assert all(isinstance(t, LegacyTensor) for t in ns["made"]), [type(t) for t in ns["made"]]
    assert ns["made"][9].dtype is torch.float32  # arange: the 0.3 FloatTensor
    assert all(type(t) is torch.Tensor for t in ns["modern"])  # 0.4 names and keywords: modern code


def test_the_same_file_in_a_program_written_for_0_4_gets_torchs_tensors(tmp_path):
    with pytest.raises(TypeError):  # torch.FloatTensor(0-dim tensor): today's error
        run_as_program(ISSUE, tmp_path, written_for="1.4")


def test_parameter_data_and_grad_read_by_the_program_are_0_3(tmp_path):
    ns = run_as_program(textwrap.dedent("""\
        import torch
        from torch.autograd import Variable
        torch.manual_seed(0)
        linear = torch.nn.Linear(3, 2)
        linear(Variable(torch.randn(4, 3))).sum().backward()
        bias_0, grad_norm = linear.bias.data[0], linear.weight.grad.data.norm()
        grad_type, printed = type(linear.weight.grad), repr(linear.bias)
        linear.weight.grad.data.zero_()
    """), tmp_path)
    assert type(ns["bias_0"]) is float and type(ns["grad_norm"]) is float
    assert ns["grad_type"] is Variable  # 0.3: a Parameter's gradient was a Variable
    assert ns["linear"].weight.grad.abs().sum().item() == 0  # an alias: zeroing it zeroed the gradient
    assert ns["printed"] == "Parameter containing:" + printing.tensor_repr(ns["linear"].bias)
    assert ns["printed"].endswith("[torch.FloatTensor of size 2]\n")
    # read here, from a modern file, the same objects are torch's
    assert type(ns["linear"].bias.data) is torch.Tensor
    assert repr(ns["linear"].bias).startswith("Parameter containing:\ntensor(")


@settings(max_examples=20)
@given(float_arrays())
def test_program_tensors_compute_plain_torchs_values(tmp_path_factory, array):
    shape, flat = array
    values = torch.tensor(flat, dtype=torch.float64).reshape(shape)
    program = "import torch\nt = torch.DoubleTensor(values.tolist())\n" \
              "results = [t.sum(), t.max(), t.mean(), t.view(-1)[0], (t * 2 + 1).sum(0), t.exp().norm()]\n"
    ns = run_as_program(program, tmp_path_factory.mktemp("program"), values=values)
    plain = [values.sum(), values.max(), values.mean(), values.view(-1)[0], (values * 2 + 1).sum(0),
             values.exp().norm()]
    for legacy, modern in zip(ns["results"], plain):
        if isinstance(legacy, float):
            assert modern.dim() == 0 and legacy == modern.item()
        else:
            assert isinstance(legacy, LegacyTensor)
            assert legacy.tolist() == (modern.tolist() if modern.dim() else [modern.item()])


# -- modern callers while a 0.3 program runs ------------------------------------------------------


def test_modern_files_get_torchs_own_tensors_and_random_draws(program_0_3):
    torch.manual_seed(7)
    made = [torch.zeros(2), torch.randn(3), torch.Tensor(2), torch.FloatTensor([1.0]), torch.LongTensor(2),
            torch.from_numpy(__import__("numpy").ones(1)), torch.arange(3), torch.eye(2)]
    assert all(type(t) is torch.Tensor for t in made)
    assert made[6].dtype is torch.int64 and made[1].sum().dim() == 0
    torch.manual_seed(7)
    torch.zeros.__wrapped__(2)
    assert torch.equal(made[1], torch.randn.__wrapped__(3))  # torch's own function, the same draws


def test_stand_ins_are_torchs_types_for_everything_but_construction(program_0_3):
    stand_in = torch.FloatTensor
    real = stand_in._tensortype
    assert type(stand_in) is program_tensors.TensorTypeStandIn and real is not stand_in
    assert repr(stand_in) == "<class 'torch.FloatTensor'>" and stand_in == real and real == stand_in
    assert hash(stand_in) == hash(real) and {real: 1}[stand_in] == 1
    assert isinstance(torch.ones(1), stand_in) and not isinstance(torch.ones(1, dtype=torch.int64), stand_in)
    assert stand_in.dtype is torch.float32 and stand_in.is_cuda is False
    assert set(dir(real)) <= set(dir(stand_in)) and all(hasattr(stand_in, name) for name in dir(real))
    assert torch.ones(2, dtype=torch.float64).type(stand_in).dtype is torch.float32  # torch reads its name
    assert torch.ones(2).type(torch.LongTensor).dtype is torch.int64
    assert pickle.loads(pickle.dumps(stand_in)) is stand_in and copy.deepcopy(stand_in) is stand_in
    with pytest.raises(TypeError, match="not available"):
        torch.cuda.FloatTensor(2)  # torch's own error on a CPU build


def test_set_default_tensor_type_takes_the_stand_ins_and_names_the_modern_way_for_integers(program_0_3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch deprecates set_default_tensor_type
        torch.set_default_tensor_type(torch.DoubleTensor)
        try:
            assert torch.zeros(1).dtype is torch.float64
        finally:
            torch.set_default_tensor_type("torch.FloatTensor")
    with pytest.raises(TypeError, match=r"torch.set_default_tensor_type\('torch.IntTensor'\): PyTorch 0.3 then made "
                                        r"torch.Tensor\(...\) a IntTensor.*dtype=torch.int32"):
        torch.set_default_tensor_type("torch.IntTensor")
    with pytest.raises(TypeError, match="LongTensor"):
        torch.set_default_tensor_type(torch.LongTensor)
    assert torch.get_default_dtype() is torch.float32


def test_parameters_read_by_modern_code_are_torchs(program_0_3):
    linear = nn.Linear(2, 1)
    linear(torch.ones(3, 2)).sum().backward()
    assert type(linear.weight.data) is torch.Tensor and type(linear.weight.grad) is torch.Tensor
    linear.weight.data = torch.zeros(1, 2)
    linear.weight.grad = None
    assert linear.weight.tolist() == [[0.0, 0.0]] and linear.weight.grad is None
    assert repr(linear.bias).startswith("Parameter containing:\ntensor(")
    linear.bias.grad = torch.ones(1)
    del linear.bias.grad
    assert linear.bias.grad is None


def test_the_rows_exist_only_while_a_0_3_program_runs(tmp_path):
    rows = {patch.name: patch for patch in PATCHES if patch.before == "0.4"}
    assert {"factory-zeros", "tensor-constructor", "typed-constructor-torch.FloatTensor", "parameter-data"} <= set(rows)
    elsewhere = legacy_program.any_targets_before("0.4")
    for modern in ("1.4", "modern"):
        program = legacy_program.enter(tmp_path, modern)
        assert all(patch.applied is elsewhere for patch in rows.values())
        legacy_program.leave(program)


def test_dynamo_and_optimizers_load_while_a_0_3_program_runs(tmp_path):
    # torch reads torch.Tensor.__new__'s signature and the typed classes when Dynamo is first imported
    # (an optimizer's constructor does it): with the patches applied, that must work as on plain torch.
    script = textwrap.dedent(f"""\
        import torch, varshim
        from varshim import legacy_program
        legacy_program.enter({str(tmp_path)!r}, "0.3")
        assert torch.zeros is not torch._C._VariableFunctions.zeros
        import torch._dynamo
        torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1)
        assert torch._dynamo.utils.tensortype_to_dtype[torch.FloatTensor] == (torch.float32, torch.float)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
