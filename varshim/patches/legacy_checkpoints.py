"""Whole-model pickles written by PyTorch 0.1-0.3: the module attributes their pickles lack.

`torch.save(model, path)` pickled each module's `__dict__` (pytorch/pytorch v0.3.1
`torch/serialization.py` `_save`: magic number, protocol version, sys_info, the pickle with
persistent ids for storages and module classes, then the raw storages). torch 2.13 still reads
that format, but its `nn` modules read attributes added after 0.3 (`BatchNorm.track_running_stats`,
`_Loss.reduction`, `LSTM._flat_weights`, ...) and fail on first use or while unpickling. This
module's `pickle_module` fills each missing attribute with the value that gives the 0.3 behavior
before the module's own `__setstate__` runs, and names the missing class when one is gone.
Modern spelling: save and load `state_dict()`s.
"""

import pickle
import types

import torch
from torch import nn
from torch.nn import _reduction

__all__ = ["pickle_module", "LegacyCheckpointError"]


class LegacyCheckpointError(pickle.UnpicklingError):
    """A legacy whole-model pickle needs something this program or torch 2.13 does not have."""


def _batch_norm(state):
    # 0.3 BatchNorm always kept running statistics; the step counter arrived in 0.4.
    state.setdefault("track_running_stats", True)
    state["_buffers"].setdefault("num_batches_tracked", torch.tensor(0, dtype=torch.long))


def _instance_norm(state):
    # 0.3 InstanceNorm used instance statistics unless `use_running_stats()` had been called.
    state.setdefault("track_running_stats", state.get("_use_running_stats", False))


def _loss(state):
    # 0.3 losses had size_average (and some reduce); `reduction` replaced both in 0.4.1.
    reduction = _reduction.legacy_get_string(state.get("size_average"), state.get("reduce"), emit_warning=False)
    state.setdefault("reduction", reduction)


def _defaults(**attributes):
    # Options added after 0.3 whose defaults are the 0.3 behavior.
    def fill(state):
        for name, value in attributes.items():
            state.setdefault(name, value)

    return fill


def _no_pos_weight(state):
    state["_buffers"].setdefault("pos_weight", None)  # BCEWithLogitsLoss(pos_weight=) arrived in 0.4.1


def _rnn(state):
    # 0.3 kept the weight names in `_all_weights` only; modern forward reads `_flat_weights`.
    names = [name for layer in state.get("_all_weights", ()) for name in layer]
    if names and all(isinstance(name, str) for name in names):
        parameters = state.get("_parameters", {})
        state.setdefault("_flat_weights_names", names)
        state.setdefault("_flat_weights", [parameters.get(name) for name in names])


def _upsample(state):
    # 0.3 interpolated (bi/tri)linear modes with corners aligned; the flag arrived in 0.4.
    linear = state.get("mode") in ("linear", "bilinear", "trilinear")
    state.setdefault("align_corners", True if linear else None)


def _avg_pool(state):
    state.setdefault("divisor_override", None)


_FILLERS = (
    (nn.modules.batchnorm._BatchNorm, _batch_norm),
    (nn.modules.instancenorm._InstanceNorm, _instance_norm),
    (nn.modules.loss._Loss, _loss),
    (nn.CrossEntropyLoss, _defaults(label_smoothing=0.0)),
    (nn.KLDivLoss, _defaults(log_target=False)),
    (nn.SmoothL1Loss, _defaults(beta=1.0)),
    (nn.BCEWithLogitsLoss, _no_pos_weight),
    (nn.RNNBase, _rnn),
    (nn.Upsample, _upsample),
    ((nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d), _avg_pool),
)


class _Unpickler(pickle._Unpickler):
    """The pure-Python unpickler, filling legacy module state before `__setstate__` sees it."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def _load_build(self):
        instance, state = self.stack[-2], self.stack[-1]
        if isinstance(instance, nn.Module) and isinstance(state, dict) and "_parameters" in state:
            for kind, fill in _FILLERS:
                if isinstance(instance, kind):
                    fill(state)
        pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = _load_build

    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            if module == "__main__" or not module.startswith("torch"):
                hint = f"define or import {name} in the program before torch.load (pickles name classes, not code)"
            else:
                hint = "load the weights instead: save model.state_dict() with the old torch and load_state_dict() it"
            raise LegacyCheckpointError(
                f"the checkpoint needs {module}.{name}, which does not exist in this program or in torch "
                f"{torch.__version__}: {hint}."
            ) from None


def _load(file, **kwargs):
    return _Unpickler(file, **kwargs).load()


pickle_module = types.ModuleType("varshim.patches.legacy_checkpoints.pickle_module")
pickle_module.Unpickler = _Unpickler
pickle_module.load = _load
pickle_module.UnpicklingError = pickle.UnpicklingError
