"""torch.load of whole pickled objects: saved by this process, or trusted (varshim.patches.pickles)."""

import hashlib
import io
import os
import pickle
import warnings

import pytest
import torch
from torch import nn

import varshim
from varshim import LegacyTorchWarning
from varshim.patches import pickles
from tests.support.legacy_program import modern_torch

PROGRAM = """
import torch
import torch.nn as nn
from torch.autograd import Variable
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
x = Variable(torch.Tensor([[1, 2], [3, -4]]))
before = model(x)
torch.save(model, PATH)
restored = torch.load(PATH)
after = restored(x)
"""


def run(program, **names):
    exec(compile(program, "<legacy program>", "exec"), names)
    return names


def test_program_fails_on_modern_torch(tmp_path):
    with modern_torch(), pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        run(PROGRAM, PATH=str(tmp_path / "model.pt"))


def test_program_reloads_the_model_it_saved(tmp_path):
    ns = run(PROGRAM, PATH=str(tmp_path / "model.pt"))
    assert ns["restored"] is not ns["model"] and type(ns["restored"]) is nn.Sequential
    assert torch.equal(ns["after"].data, ns["before"].data)
    assert ns["after"].shape == (2, 1)


def test_reload_warns_with_modern_spelling(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(2, 2), path)
    with pytest.warns(LegacyTorchWarning, match="weights_only=False"):
        torch.load(path)  # noqa: TOR102 (the legacy call under test)


def test_buffer_saved_by_this_process_reloads():
    model, buffer = nn.Linear(3, 2), io.BytesIO()
    buffer.write(b"header")  # torch.save writes from the current position
    torch.save(model, buffer)
    buffer.seek(len(b"header"))
    restored = torch.load(buffer)  # noqa: TOR102 (the legacy call under test)
    assert torch.equal(restored.weight, model.weight)


def test_file_handles_saved_by_this_process_reload(tmp_path):
    path, model = tmp_path / "model.pt", nn.Linear(3, 2)
    with open(path, "wb") as handle:  # write-only: varshim cannot read back what it wrote
        torch.save(model, handle)
    with open(path, "rb") as handle:
        restored = torch.load(handle)  # noqa: TOR102 (the legacy call under test)
    assert torch.equal(restored.weight, model.weight)
    assert torch.equal(torch.load(path).bias, model.bias)  # noqa: TOR102 (the legacy call under test)


_ran = []


def _record(value):
    _ran.append(value)
    return value


class _Payload:
    def __reduce__(self):
        return _record, ("code from the file ran",)


def test_foreign_pickle_is_refused_without_running_it(tmp_path):
    path = tmp_path / "foreign.pt"
    path.write_bytes(pickle.dumps(_Payload(), protocol=2))
    with pytest.raises(pickle.UnpicklingError) as refusal:
        torch.load(path)  # noqa: TOR102 (the legacy call under test)
    assert _ran == []
    message = str(refusal.value)
    assert f"--trust-pickle {path}" in message and f"varshim.trust({str(path)!r})" in message
    assert "_record" in message  # names what the file needs


def test_foreign_model_loads_once_trusted(tmp_path):
    path, model = tmp_path / "foreign_model.pt", nn.Linear(2, 2)
    pickles._modern_save(model, path)  # another program wrote it
    with pytest.raises(pickle.UnpicklingError, match="varshim.trust"):
        torch.load(path)  # noqa: TOR102 (the legacy call under test)
    varshim.trust(path)
    assert torch.equal(torch.load(path).weight, model.weight)  # noqa: TOR102 (the legacy call under test)


def test_file_replaced_after_save_is_foreign_again(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(2, 2), path)
    stat = os.stat(path)
    pickles._modern_save(nn.Linear(4, 4), path)  # someone else overwrites it
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        torch.load(path)  # noqa: TOR102 (the legacy call under test)


def test_modern_calls_keep_modern_behavior(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(2, 2), path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        torch.load(path, weights_only=True)  # explicit choice: passed straight to torch
    state_path = tmp_path / "state.pt"
    weights = nn.Linear(2, 2).state_dict()
    torch.save(weights, state_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = torch.load(state_path)  # noqa: TOR102 (the legacy call under test)
    assert loaded.keys() == weights.keys() and all(torch.equal(loaded[k], weights[k]) for k in weights)


def test_uninstall_restores_torch_save_and_load():
    with modern_torch():
        assert torch.load is pickles._modern_load and torch.save is pickles._modern_save
    assert torch.load is pickles.load and torch.save is pickles.save


class _Stream:
    """A stream with only the given methods, recording every call torch or varshim makes on it."""

    def __init__(self, *methods):
        self.data, self.calls = bytearray(), []
        for name in methods:
            setattr(self, name, self._recorded(name))

    def _recorded(self, name):
        def method(*args):
            self.calls.append(name)
            if name == "write":
                self.data += args[0]
                return len(args[0])
            return len(self.data) if name == "tell" else None

        return method


@pytest.mark.parametrize("whole", [True, False], ids=["model", "state-dict"])
@pytest.mark.parametrize("methods", [("write", "flush"), ("write", "flush", "tell")], ids=["write-only", "seek-less"])
def test_saving_to_a_stream_calls_only_what_torch_calls(methods, whole):
    model = nn.Linear(3, 2)  # a whole model goes through varshim's digesting writer, a state dict not
    state = model if whole else model.state_dict()
    with modern_torch():
        expected = _Stream(*methods)
        torch.save(state, expected)
    got = _Stream(*methods)
    torch.save(state, got)
    assert got.data == expected.data and got.calls == expected.calls
    assert set(got.calls) == {"write", "flush"}  # nothing read back, no position asked


def test_a_buffer_is_vouched_for_by_the_digest_of_what_was_written():
    model, buffer = nn.Linear(3, 2), io.BytesIO()
    torch.save(model, buffer)
    assert hashlib.sha256(buffer.getvalue()).hexdigest() in pickles._saved_buffers
    foreign = io.BytesIO()
    pickles._modern_save(nn.Linear(3, 2), foreign)  # other bytes, written without varshim
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        torch.load(io.BytesIO(foreign.getvalue()))  # noqa: TOR102 (the legacy call under test)


def test_a_save_that_skips_bytes_vouches_for_nothing():
    # torch.serialization.skip_data() seeks over the tensor data: the digest would not be the file's
    buffer = io.BytesIO()
    with torch.serialization.skip_data():
        torch.save(nn.Linear(3, 2), buffer)
    assert hashlib.sha256(buffer.getvalue()).hexdigest() not in pickles._saved_buffers


def test_plain_data_saves_at_torchs_speed_and_loads_without_trust():
    # tensors, numbers and strings in plain containers load with weights_only=True: nothing is hashed
    state = {"model": nn.Linear(3, 2).state_dict(), "step": 7, "names": ["a", "b"], "p": nn.Parameter(torch.ones(2))}
    buffer, known = io.BytesIO(), set(pickles._saved_buffers)
    torch.save(state, buffer)
    assert pickles._saved_buffers == known
    buffer.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = torch.load(buffer)  # noqa: TOR102 (the legacy call under test)
    assert loaded["step"] == 7 and torch.equal(loaded["model"]["weight"], state["model"]["weight"])
