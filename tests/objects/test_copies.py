"""Copies of legacy objects: `copy.deepcopy`, `pickle`, `torch.save`/`torch.load` (0.3.1 `Variable.__deepcopy__`, `__reduce_ex__`)."""

import copy
import io
import pickle
import re
import subprocess
import sys

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import varshim
from tests.support.legacy_program import modern_torch
from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from varshim.objects.legacy_tensor import LegacyTensor

NON_LEAF = re.escape("Only Variables created explicitly by the user (graph leaves) support the deepcopy protocol")


def test_deepcopy_makes_a_new_leaf_with_cloned_data_and_the_same_flags():
    x = Variable(torch.randn(3, 2), requires_grad=True)
    (x * 2).sum().backward()
    with pytest.warns(LegacyTorchWarning, match=r"x\.detach\(\)\.clone\(\)\.requires_grad_"):
        y = copy.deepcopy(x)
    assert type(y) is Variable and y is not x and y.is_leaf
    assert y.requires_grad and not y.volatile
    assert torch.equal(y.data, x.data) and y.data_ptr() != x.data_ptr()
    assert y.grad is None  # 0.3 copied the data only
    y.data.add_(1)
    assert not torch.equal(y.data, x.data)


def test_deepcopy_keeps_volatile():
    v = Variable(torch.ones(2), volatile=True)
    w = copy.deepcopy(v)
    assert w.volatile and not w.requires_grad
    assert (w * 2).volatile


def test_deepcopy_refuses_non_leaves_with_the_0_3_message():
    x = Variable(torch.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=NON_LEAF):
        copy.deepcopy(x * 2)
    assert copy.deepcopy(Variable(torch.ones(2)) * 2).is_leaf  # no graph: a leaf, copyable


def test_deepcopy_of_containers_copies_each_variable_once():
    w = Variable(torch.randn(2, 2), requires_grad=True)
    b = Variable(torch.zeros(2), requires_grad=True)
    state = {"params": [w, b, w], "best": {"w": w}, "epoch": 3}
    copied = copy.deepcopy(state)
    assert copied["params"][0] is copied["params"][2] is copied["best"]["w"]
    assert copied["params"][0] is not w and copied["epoch"] == 3
    assert all(type(v) is Variable and v.requires_grad for v in copied["params"])


def test_deepcopy_of_an_optimizer_over_variables():
    # 2017 lessons optimise Variables directly: optim.SGD([w, b], ...)
    w = Variable(torch.randn(3), requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    optimizer.step()
    twin = copy.deepcopy(optimizer)
    copied_w = twin.param_groups[0]["params"][0]
    assert type(copied_w) is Variable and copied_w is not w and torch.equal(copied_w.data, w.data)
    buffer = twin.state[copied_w]["momentum_buffer"]
    assert torch.equal(buffer, optimizer.state[w]["momentum_buffer"])
    saved = copy.deepcopy(optimizer.state_dict())
    assert torch.equal(saved["state"][0]["momentum_buffer"], buffer)


def test_deepcopy_of_data_keeps_the_legacy_class_and_shared_storage():
    x = Variable(torch.arange(6.0).view(2, 3))
    whole, row = x.data, x.data[0]
    copied_whole, copied_row = copy.deepcopy([whole, row])
    assert type(copied_whole) is type(whole) is type(copied_row) and issubclass(type(whole), LegacyTensor)
    assert type(copied_whole) == torch.FloatTensor
    assert copied_whole.data_ptr() != whole.data_ptr()
    copied_whole[0, 0] = 10.0
    assert copied_row[0] == 10.0  # the two copies share one storage, as the originals did
    assert copied_whole.sum() == 25.0  # and keep 0.3 semantics: a Python number


def test_deepcopy_of_many_data_tensors_copies_each_one():
    # each copy goes through a temporary alias; a dead alias's id must not stand for the next one
    x = Variable(torch.arange(200.0).view(100, 2))
    rows = [x.data[i] for i in range(100)]
    copies = copy.deepcopy(rows)
    assert [row.tolist() for row in copies] == [row.tolist() for row in rows]


def test_pickle_round_trip_keeps_data_and_flags():
    x = Variable(torch.randn(2, 3), requires_grad=True)
    v = Variable(torch.ones(2), volatile=True)
    y, w = pickle.loads(pickle.dumps((x, v)))
    assert type(y) is Variable and y.requires_grad and y.is_leaf and torch.equal(y.data, x.data)
    assert type(w) is Variable and w.volatile
    z = pickle.loads(pickle.dumps(x * 2))  # 0.3 pickled a non-leaf's data: it loads as a leaf
    assert z.is_leaf and z.requires_grad and torch.equal(z.data, x.data * 2)


def test_pickled_data_is_a_plain_tensor():
    x = Variable(torch.randn(4))
    loaded = pickle.loads(pickle.dumps(x.data))
    assert type(loaded) is torch.Tensor and torch.equal(loaded, x.data)
    assert b"varshim" not in pickle.dumps(x.data)


def test_torch_save_and_load_keep_variables_and_shared_storage(tmp_path):
    x = Variable(torch.randn(3), requires_grad=True)
    path = tmp_path / "checkpoint.pt"
    torch.save({"x": x, "data": x.data, "half": x.data[:2]}, path)
    loaded = torch.load(path)
    assert type(loaded["x"]) is Variable and loaded["x"].requires_grad
    assert type(loaded["data"]) is torch.Tensor
    loaded["data"][0] = 100.0
    assert loaded["x"].data[0] == 100.0 and loaded["half"][0] == 100.0  # one storage, as saved


def test_a_file_holding_variables_loads_without_trust(tmp_path):
    # written by another process (modern torch's own save, so varshim recorded nothing): Variables
    # are data, so the default weights-only load accepts them
    x = Variable(torch.randn(2), volatile=True)
    buffer = io.BytesIO()
    with modern_torch():
        torch.save([x], buffer)
    buffer.seek(0)
    (loaded,) = torch.load(buffer)
    assert type(loaded) is Variable and loaded.volatile and torch.equal(loaded.data, x.data)


PROGRAM = """
import torch
from torch.autograd import Variable
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x = Variable(torch.randn(8, 3))
loss = model(x).pow(2).mean()
optimizer.zero_grad()
loss.backward()
optimizer.step()
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "best_loss": loss.data[0], "mean_input": x.data.mean(0)}, CHECKPOINT)
"""

LOADER = """
import sys, torch
checkpoint = torch.load(sys.argv[1])  # the default: weights only
kinds = {type(t).__name__ for t in checkpoint["model"].values()}
print(sorted(kinds), type(checkpoint["best_loss"]).__name__, type(checkpoint["mean_input"]).__name__,
      "varshim" in sys.modules)
"""


def test_a_modern_process_without_varshim_loads_what_legacy_code_saved(tmp_path):
    checkpoint = tmp_path / "model.pt"
    script = tmp_path / "train.py"
    script.write_text(f"CHECKPOINT = {str(checkpoint)!r}\n" + PROGRAM)
    import varshim_cli

    assert varshim_cli.run_main([str(script)]) == 0
    result = subprocess.run([sys.executable, "-c", LOADER, str(checkpoint)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['Tensor']", "float", "Tensor", "False"]


@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    dtype=st.sampled_from([torch.float32, torch.float64, torch.int64]),
    requires_grad=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_copies_are_bit_for_bit_and_independent(shape, dtype, requires_grad, seed):
    torch.manual_seed(seed)
    data = (torch.randn(*shape) * 10).to(dtype)
    requires_grad = requires_grad and dtype is not torch.int64
    x = Variable(data, requires_grad=requires_grad)
    for copied in (copy.deepcopy(x), pickle.loads(pickle.dumps(x)), copy.deepcopy(x.data)):
        assert torch.equal(copied.data if type(copied) is Variable else copied, data)
        assert copied.dtype is dtype and copied.shape == data.shape
    deep = copy.deepcopy(x)
    assert deep.requires_grad is requires_grad and deep.data_ptr() != x.data_ptr()


def test_uninstalled_varshim_still_unpickles_variables():
    # the rebuild function lives in varshim, not in the patch table: a pickle stays loadable
    blob = pickle.dumps(Variable(torch.ones(1), requires_grad=True))
    with modern_torch():
        assert type(pickle.loads(blob)) is varshim.Variable
