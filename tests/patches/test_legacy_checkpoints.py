"""Checkpoints in the PyTorch 0.1-0.3 format, written here byte for byte (varshim.patches.legacy_checkpoints).

`save_legacy` lays a file out as pytorch/pytorch v0.3.1 `torch/serialization.py` `_save` did:
pickled magic number, protocol version and sys_info; the object pickled (protocol 2) with
persistent ids `('storage', FloatStorage, key, 'cpu', size, None)` for storages and
`('module', class, source file, source)` for module classes; the sorted
storage keys; then each storage as an int64 element count and its raw bytes. Tensors reduce to
`torch._utils._rebuild_tensor(storage, offset, size, stride)` (v0.3.1 `torch/tensor.py`),
Parameters to `Parameter(data)` + `(requires_grad, volatile, hooks)` (v0.3.1
`torch/autograd/variable.py` `__reduce_ex__`), modules to their `__dict__` without the attributes
added after 0.3 and with the `_backend` they had.
"""

import collections
import copyreg
import inspect
import io
import pickle
import struct
import sys

import pytest
import torch
import torch.nn.backends.thnn
from torch import nn

import varshim

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_STORAGES = {torch.float32: torch.FloatStorage, torch.int64: torch.LongStorage}
_AFTER_0_3 = {  # module attributes that 0.3.1 modules did not have
    "_non_persistent_buffers_set", "_is_full_backward_hook", "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called", "_forward_pre_hooks_with_kwargs", "_state_dict_hooks",
    "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
    "padding_mode", "_reversed_padding_repeated_twice", "track_running_stats", "reduction",
    "proj_size", "_flat_weights", "_flat_weights_names", "_flat_weight_refs", "align_corners",
    "recompute_scale_factor", "divisor_override",
}
_AFTER_0_3_BY_CLASS = {
    nn.KLDivLoss: {"log_target"}, nn.CrossEntropyLoss: {"label_smoothing"}, nn.SmoothL1Loss: {"beta"},
}
_BUFFERS_AFTER_0_3 = {"num_batches_tracked", "pos_weight"}


class _THNNBackend:
    """0.3 modules held `_backend`, pickled as a call of `torch.nn.backends.thnn._get_thnn_function_backend`."""


class _Storage:
    def __init__(self, tensor):
        self.data = tensor.detach().reshape(-1).contiguous().clone()


class _LegacyPickler(pickle.Pickler):
    def __init__(self, file, storages):
        super().__init__(file, protocol=2)
        self.storages = storages
        self.module_classes = set()

    def persistent_id(self, obj):
        if isinstance(obj, type) and issubclass(obj, nn.Module) and obj not in self.module_classes:
            self.module_classes.add(obj)  # the first time only: then the class pickles by name
            return ("module", obj, inspect.getsourcefile(obj), inspect.getsource(obj))
        if isinstance(obj, _Storage):
            key = str(len(self.storages))
            self.storages[key] = obj.data
            return ("storage", _STORAGES[obj.data.dtype], key, "cpu", obj.data.numel(), None)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, _THNNBackend):
            return torch.nn.backends.thnn._get_thnn_function_backend, ()
        if isinstance(obj, nn.Parameter):
            return nn.Parameter, (obj.data,), (obj.requires_grad, False, collections.OrderedDict())
        if isinstance(obj, torch.Tensor):
            stride = torch.empty(obj.shape).stride()
            return torch._utils._rebuild_tensor, (_Storage(obj), 0, tuple(obj.shape), stride)
        if type(obj) is collections.OrderedDict and hasattr(obj, "_metadata"):
            return collections.OrderedDict, (), None, None, iter(obj.items())  # no _metadata in 0.3
        if isinstance(obj, nn.Module):
            removed = _AFTER_0_3 | _AFTER_0_3_BY_CLASS.get(type(obj), set())
            state = {k: v for k, v in obj.__dict__.items() if k not in removed}
            state["_buffers"] = collections.OrderedDict(
                (k, v) for k, v in obj._buffers.items() if k not in _BUFFERS_AFTER_0_3
            )
            state["_backend"] = _THNNBackend()
            if isinstance(obj, nn.modules.instancenorm._InstanceNorm):
                state["_use_running_stats"] = obj.track_running_stats
            if isinstance(obj, nn.modules.loss._Loss):  # 0.3 losses stored the two flags
                state.update(size_average=obj.reduction == "mean", reduce=obj.reduction != "none")
            return copyreg.__newobj__, (type(obj),), state
        return NotImplemented


def save_legacy(obj, file):
    sys_info = dict(
        protocol_version=PROTOCOL_VERSION,
        little_endian=sys.byteorder == "little",
        type_sizes=dict(short=2, int=4, long=8),
    )
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(header, file, protocol=2)
    storages = {}
    _LegacyPickler(file, storages).dump(obj)
    keys = sorted(storages)
    pickle.dump(keys, file, protocol=2)
    for key in keys:
        file.write(struct.pack("<q", storages[key].numel()))
        file.write(storages[key].numpy().tobytes())


def legacy_file(tmp_path, obj, name="legacy.pt"):
    path = tmp_path / name
    with open(path, "wb") as file:
        save_legacy(obj, file)
    return path


def convnet():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), nn.AvgPool2d(2),
        nn.Dropout(0.5),
    )


def test_writer_produces_the_legacy_layout(tmp_path):
    data = legacy_file(tmp_path, {"w": torch.ones(2)}).read_bytes()
    assert not data.startswith(b"PK")  # not the zip format of torch >= 1.6
    assert pickle.loads(data) == MAGIC_NUMBER
    assert data.endswith(struct.pack("<q", 2) + struct.pack("<2f", 1.0, 1.0))


def test_legacy_state_dict_loads_without_trust(tmp_path):
    weights = convnet().state_dict()
    path = legacy_file(tmp_path, collections.OrderedDict(
        (key, value) for key, value in weights.items() if not key.endswith("num_batches_tracked")
    ))
    state = torch.load(path)  # noqa: TOR102 (the legacy call under test)
    assert "1.num_batches_tracked" not in state
    torch.manual_seed(1)
    fresh = convnet()
    fresh.load_state_dict(state)  # modern BatchNorm fills num_batches_tracked for 0.3 state dicts
    assert all(torch.equal(fresh.state_dict()[k], v) for k, v in state.items())


def test_whole_legacy_model_needs_trust(tmp_path):
    path = legacy_file(tmp_path, convnet())
    with pytest.raises(pickle.UnpicklingError, match="varshim.trust"):
        torch.load(path)  # noqa: TOR102 (the legacy call under test)


def test_whole_legacy_model_fails_on_modern_torch_even_unpickled(tmp_path):
    path = legacy_file(tmp_path, convnet())
    varshim.uninstall()
    try:
        model = torch.load(path, weights_only=False).eval()
        with pytest.raises(AttributeError, match="object has no attribute"):
            model(torch.randn(1, 1, 4, 4))
    finally:
        varshim.install()


def test_trusted_legacy_model_runs_like_the_original(tmp_path):
    original = convnet().eval()
    with torch.no_grad():
        original[1].running_mean.uniform_()
        original[1].running_var.uniform_(0.5, 2)
    path = legacy_file(tmp_path, original)
    varshim.trust(path)
    restored = torch.load(path).eval()  # noqa: TOR102 (the legacy call under test)
    x = torch.randn(2, 1, 4, 4)
    assert torch.equal(restored(x), original(x))
    assert restored[1].track_running_stats and int(restored[1].num_batches_tracked) == 0
    restored.train()(x)  # training forward counts batches, as modern BatchNorm does
    assert int(restored[1].num_batches_tracked) == 1


def test_trusted_legacy_lstm_and_loss(tmp_path):
    torch.manual_seed(0)
    lstm, loss = nn.LSTM(3, 4, num_layers=2), nn.CrossEntropyLoss(size_average=False)
    path = legacy_file(tmp_path, {"rnn": lstm, "loss": loss})
    varshim.trust(path)
    restored = torch.load(path)  # noqa: TOR102 (the legacy call under test)
    x = torch.randn(5, 1, 3)
    assert torch.equal(restored["rnn"](x)[0], lstm(x)[0])
    scores, target = torch.randn(4, 3), torch.tensor([0, 2, 1, 0])
    assert restored["loss"].reduction == "sum"
    assert torch.equal(restored["loss"](scores, target), loss(scores, target))


def _modules():
    torch.manual_seed(0)
    return {
        "Embedding": (nn.Embedding(10, 3, padding_idx=0), torch.tensor([[1, 0, 4]])),
        "GRU": (nn.GRU(3, 4, bidirectional=True, batch_first=True), torch.randn(2, 5, 3)),
        "RNN": (nn.RNN(3, 4, nonlinearity="relu"), torch.randn(5, 2, 3)),
        "LSTMCell": (nn.LSTMCell(3, 4), torch.randn(2, 3)),
        "ConvTranspose2d": (nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1), torch.randn(1, 2, 4, 4)),
        "Conv1d": (nn.Conv1d(2, 3, 3), torch.randn(1, 2, 6)),
        "BatchNorm1d": (nn.BatchNorm1d(3), torch.randn(4, 3)),
        "InstanceNorm2d": (nn.InstanceNorm2d(2, affine=True), torch.randn(2, 2, 3, 3)),
        "PReLU": (nn.PReLU(), torch.randn(4)),
        "Softmax": (nn.Softmax(dim=1), torch.randn(2, 3)),
        "Upsample": (nn.Upsample(scale_factor=2), torch.randn(1, 1, 2, 2)),
        "AvgPool1d": (nn.AvgPool1d(2), torch.randn(1, 2, 6)),
        "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d(2), torch.randn(1, 2, 5, 5)),
    }


def _losses():
    torch.manual_seed(0)
    return {
        "NLLLoss": (nn.NLLLoss(), torch.randn(3, 4).log_softmax(1), torch.tensor([0, 3, 1])),
        "CrossEntropyLoss": (
            nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2, 3]), ignore_index=1),
            torch.randn(4, 3), torch.tensor([0, 1, 2, 2]),
        ),
        "KLDivLoss": (nn.KLDivLoss(reduction="sum"), torch.randn(3), torch.rand(3)),
        "SmoothL1Loss": (nn.SmoothL1Loss(), torch.randn(3), torch.randn(3)),
        "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss(), torch.randn(3), torch.rand(3)),
        "MSELoss": (nn.MSELoss(reduction="none"), torch.randn(3), torch.randn(3)),
    }


@pytest.mark.parametrize("name", sorted(_modules()))
def test_legacy_modules_compute_what_they_computed(tmp_path, name):
    module, x = _modules()[name]
    path = legacy_file(tmp_path, module.eval())
    varshim.trust(path)
    restored = torch.load(path).eval()  # noqa: TOR102 (the legacy call under test)
    out, expected = restored(x), module(x)
    if isinstance(out, tuple):
        out, expected = out[0], expected[0]
    assert torch.equal(out, expected)


@pytest.mark.parametrize("name", sorted(_losses()))
def test_legacy_losses_compute_what_they_computed(tmp_path, name):
    loss, scores, target = _losses()[name]
    path = legacy_file(tmp_path, loss)
    varshim.trust(path)
    restored = torch.load(path)  # noqa: TOR102 (the legacy call under test)
    assert torch.equal(restored(scores, target), loss(scores, target))


class MissingNet(nn.Module):
    pass


def test_missing_class_is_named(tmp_path):
    path = legacy_file(tmp_path, MissingNet())
    data = path.read_bytes().replace(b"MissingNet", b"RemovedNet")
    path.write_bytes(data)
    varshim.trust(path)
    with pytest.raises(pickle.UnpicklingError, match=r"RemovedNet.*define or import RemovedNet"):
        torch.load(path)  # noqa: TOR102 (the legacy call under test)


def test_buffers_in_legacy_format_load_too():
    buffer = io.BytesIO()
    save_legacy({"step": torch.LongTensor([3])}, buffer)
    buffer.seek(0)
    assert torch.load(buffer)["step"].tolist() == [3]  # noqa: TOR102 (the legacy call under test)
