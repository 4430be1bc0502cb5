"""torch.load of whole pickled objects: saved by varshim in this process or an earlier one, or trusted
(varshim.patches.pickles)."""

import hashlib
import io
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np

import pytest
import torch
from torch import nn

import varshim
from varshim import LegacyTorchWarning
from varshim.patches import pickles, saved_pickles
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
    assert (hashlib.sha256(buffer.getvalue()).hexdigest(), len(buffer.getvalue())) in pickles._saved
    foreign = io.BytesIO()
    pickles._modern_save(nn.Linear(3, 2), foreign)  # other bytes, written without varshim
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        torch.load(io.BytesIO(foreign.getvalue()))  # noqa: TOR102 (the legacy call under test)


def test_a_save_that_skips_bytes_vouches_for_nothing():
    # torch.serialization.skip_data() seeks over the tensor data: the digest would not be the file's
    buffer = io.BytesIO()
    with torch.serialization.skip_data():
        torch.save(nn.Linear(3, 2), buffer)
    assert (hashlib.sha256(buffer.getvalue()).hexdigest(), len(buffer.getvalue())) not in pickles._saved


def test_plain_data_saves_at_torchs_speed_and_loads_without_trust():
    # tensors, numbers and strings in plain containers load with weights_only=True: nothing is hashed
    state = {"model": nn.Linear(3, 2).state_dict(), "step": 7, "names": ["a", "b"], "p": nn.Parameter(torch.ones(2))}
    buffer, known = io.BytesIO(), set(pickles._saved)
    torch.save(state, buffer)
    assert pickles._saved == known
    buffer.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = torch.load(buffer)  # noqa: TOR102 (the legacy call under test)
    assert loaded["step"] == 7 and torch.equal(loaded["model"]["weight"], state["model"]["weight"])


# -- across runs: the record of saves in the user's cache folder (varshim.patches.saved_pickles) ----

_MODEL_PY = """
import torch.nn as nn
from torch.autograd import Variable


class RNNModel(nn.Module):
    def __init__(self, ntoken, nhid):
        super(RNNModel, self).__init__()
        self.nhid = nhid
        self.encoder = nn.Embedding(ntoken, nhid)
        self.rnn = nn.LSTM(nhid, nhid)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, input, hidden):
        output, hidden = self.rnn(self.encoder(input), hidden)
        return self.decoder(output), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters()).data
        return (Variable(weight.new(1, bsz, self.nhid).zero_()), Variable(weight.new(1, bsz, self.nhid).zero_()))
"""

_DATA_PY = """
import torch


class Corpus(object):
    def __init__(self, text):
        self.words = sorted(set(text.split()))
        self.ids = torch.LongTensor([self.words.index(w) for w in text.split()])
"""

# The first run: caches its corpus (a path), writes a data file through a handle it never closes,
# saves the whole model through `with open(...)`.
_TRAIN_PY = """
import argparse, os
import numpy as np
import torch
from torch.autograd import Variable
import data, model

parser = argparse.ArgumentParser()
parser.add_argument('--save', default='model.pt')
args = parser.parse_args()
torch.manual_seed(1)
fn = 'corpus.data'
if os.path.exists(fn):
    corpus = torch.load(fn)
else:
    corpus = data.Corpus('the cat sat on the mat')
    torch.save(corpus, fn)
torch.save(np.sin(np.arange(12).reshape(3, 4) / 3.0), open('traindata.pt', 'wb'))
net = model.RNNModel(len(corpus.words), 4)
with open(args.save, 'wb') as f:
    torch.save(net, f)
out, _ = net(Variable(corpus.ids[:3].view(3, 1)), net.init_hidden(1))
print('%.6f' % out.data.sum())
"""

# The second run, another process: loads all three with torch.load as 0.3 allowed.
_GENERATE_PY = """
import argparse
import torch
from torch.autograd import Variable

parser = argparse.ArgumentParser()
parser.add_argument('--checkpoint', default='model.pt')
args = parser.parse_args()
with open(args.checkpoint, 'rb') as f:
    net = torch.load(f)
corpus = torch.load('corpus.data')
data = torch.load('traindata.pt')
out, _ = net(Variable(corpus.ids[:3].view(3, 1), volatile=True), net.init_hidden(1))
print('%.6f' % out.data.sum())
print(data.shape, '%.6f' % data.sum())
"""


def test_a_model_saved_by_one_run_loads_in_the_next_zero_edit(tmp_path):
    for name, text in [("model.py", _MODEL_PY), ("data.py", _DATA_PY), ("train.py", _TRAIN_PY),
                       ("generate.py", _GENERATE_PY)]:
        (tmp_path / name).write_text(text)

    def run_varshim(*args, cache="cache"):
        env = dict(os.environ, VARSHIM_CACHE_DIR=str(tmp_path / cache))
        return subprocess.run([sys.executable, "-m", "varshim", "--quiet", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)

    trained = run_varshim("train.py", "--save", "model.pt")
    assert trained.returncode == 0, trained.stderr
    generated = run_varshim("generate.py", "--checkpoint", "model.pt")
    assert generated.returncode == 0, generated.stderr
    expected = "%.6f" % np.sin(np.arange(12) / 3.0).sum()
    assert generated.stdout == trained.stdout + f"(3, 4) {expected}\n"
    # the record is what vouched: with another user's (an empty) cache folder, the same run is refused
    refused = run_varshim("generate.py", "--checkpoint", "model.pt", cache="elsewhere")
    assert refused.returncode == 1 and "UnpicklingError: torch.load refused to unpickle 'model.pt'" in refused.stderr
    assert "torch.load('model.pt', weights_only=False)" in refused.stderr
    assert "VARSHIM_TRUST_PICKLE=model.pt" in refused.stderr


@pytest.fixture
def later_process(tmp_path, monkeypatch):
    """A record of its own, and `forget()`: what a new process knows of earlier saves (only the record)."""
    monkeypatch.setenv("VARSHIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(pickles.TRUST_VARIABLE, raising=False)
    monkeypatch.setattr(saved_pickles, "_warned", False)

    def forget():
        monkeypatch.setattr(pickles, "_saved", set())
        monkeypatch.setattr(pickles, "_trusted", set())

    forget()
    return forget


def _through_a_handle(path):
    with open(path, "wb") as handle:
        torch.save(nn.Linear(3, 2), handle)


@pytest.mark.parametrize("save", [
    lambda path: torch.save(nn.Linear(3, 2), str(path)),
    lambda path: torch.save(nn.Linear(3, 2), path),
    _through_a_handle,
], ids=["str", "pathlib", "handle"])
def test_a_later_process_loads_what_torch_save_wrote(later_process, tmp_path, save):
    path = tmp_path / "model.pt"
    torch.manual_seed(0)
    save(path)
    later_process()
    with pytest.warns(LegacyTorchWarning, match="weights_only=False"):
        restored = torch.load(path)  # noqa: TOR102 (the legacy call under test)
    torch.manual_seed(0)
    assert torch.equal(restored.weight, nn.Linear(3, 2).weight)
    with open(path, "rb") as handle:
        assert type(torch.load(handle)) is nn.Linear  # noqa: TOR102 (the legacy call under test)


def test_a_save_to_a_path_is_byte_for_byte_torchs(later_process, tmp_path):
    model = nn.LSTM(3, 4)
    (tmp_path / "plain").mkdir()
    (tmp_path / "varshim").mkdir()
    pickles._modern_save(model, tmp_path / "plain" / "m.pt")  # torch names the archive after the file
    torch.save(model, tmp_path / "varshim" / "m.pt")
    written = (tmp_path / "varshim" / "m.pt").read_bytes()
    assert written == (tmp_path / "plain" / "m.pt").read_bytes()
    assert saved_pickles.entries() == {(hashlib.sha256(written).hexdigest(), len(written))}


def test_a_file_plain_torch_wrote_is_refused_naming_both_ways_to_trust_it(later_process, tmp_path, monkeypatch):
    path = tmp_path / "downloaded.pt"
    pickles._modern_save(nn.Linear(2, 2), path)  # torch without varshim: nobody vouched for it
    with pytest.raises(pickle.UnpicklingError) as refusal:
        torch.load(path)  # noqa: TOR102 (the legacy call under test)
    message = str(refusal.value)
    assert f"torch.load({str(path)!r}, weights_only=False)" in message  # the modern fix
    assert f"VARSHIM_TRUST_PICKLE={path}" in message and f"--trust-pickle {path}" in message  # varshim's
    monkeypatch.setenv(pickles.TRUST_VARIABLE, os.pathsep.join(["elsewhere.pt", str(path)]))
    assert type(torch.load(path)) is nn.Linear  # noqa: TOR102 (the legacy call under test)


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    return bytes(data)


def _saved_elsewhere(model, name):
    """What torch without varshim writes for `model` to a file called `name`."""
    with tempfile.TemporaryDirectory() as folder:
        pickles._modern_save(model, os.path.join(folder, name))
        return pathlib.Path(folder, name).read_bytes()


@pytest.mark.parametrize("change", [
    _flip_a_byte,  # same size, same modification time
    lambda path: path.read_bytes() + b"\0",
    lambda path: _saved_elsewhere(nn.Linear(2, 2), path.name),  # another model, the same size
], ids=["a-byte", "appended", "replaced"])
@pytest.mark.parametrize("in_a_later_process", [True, False], ids=["later-process", "same-process"])
def test_a_file_changed_after_saving_is_refused(later_process, tmp_path, change, in_a_later_process):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(2, 2), path)
    stat = os.stat(path)
    changed = change(path)
    assert changed != path.read_bytes()
    path.write_bytes(changed)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    if in_a_later_process:
        later_process()
    with pytest.raises(pickle.UnpicklingError, match="torch.load refused"):
        torch.load(path)  # noqa: TOR102 (the legacy call under test)


def test_the_record_vouches_for_content_not_for_a_path(later_process, tmp_path):
    torch.save(nn.Linear(2, 2), tmp_path / "model.pt")
    later_process()
    shutil.copy(tmp_path / "model.pt", tmp_path / "copy.pt")  # the same bytes torch.save wrote
    assert type(torch.load(tmp_path / "copy.pt")) is nn.Linear  # noqa: TOR102 (the legacy call under test)


def test_a_refused_file_of_a_size_never_saved_is_not_read(later_process, tmp_path, monkeypatch):
    torch.save(nn.Linear(2, 2), tmp_path / "model.pt")
    pickles._modern_save(nn.Linear(20, 20), tmp_path / "foreign.pt")
    later_process()
    monkeypatch.setattr(pickles, "_digest", lambda *args: pytest.fail("hashed a file of a size never saved"))
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        torch.load(tmp_path / "foreign.pt")  # noqa: TOR102 (the legacy call under test)


def test_a_damaged_record_refuses_with_one_warning(later_process, tmp_path):
    torch.save(nn.Linear(2, 2), tmp_path / "model.pt")
    later_process()
    pathlib.Path(saved_pickles.record_path()).write_text("not a record\n")
    with pytest.warns(RuntimeWarning, match="corrupt") as shown, pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "model.pt")  # noqa: TOR102 (the legacy call under test)
    assert len([w for w in shown if issubclass(w.category, RuntimeWarning)]) == 1


def test_buffers_and_plain_data_are_not_recorded_across_runs(later_process, tmp_path):
    torch.save(nn.Linear(2, 2), io.BytesIO())  # vouched for in this process only
    torch.save(nn.Linear(2, 2).state_dict(), tmp_path / "state.pt")  # loads without trust anyway
    assert saved_pickles.entries() == set()
