"""Modern code under varshim: a `torch.compile`d model trains to the same bits as without varshim.

Each backend trains the model of `tests/support/compiled_training.py` for three SGD steps in a
process without varshim and in one with varshim imported; losses and parameters must be
bit-identical. CI compiles with `aot_eager` (dynamo and AOT autograd, torch's own Python);
`pytest --modern-full` also with `inductor`, which generates and compiles C++ for the CPU (about 30 s
a process) and is skipped when no C++ compiler is on PATH.
"""

import os
import shutil

import pytest

from tests.support import side_by_side

_COMPILERS = ("g++", "c++", "clang++")


def _trained(mode, backend, cache):
    # a cache per process: the varshim process must compile for itself, not reuse the plain one's kernels
    return side_by_side.start("compiled_training", mode, backend, TORCHINDUCTOR_CACHE_DIR=str(cache / mode))


@pytest.mark.parametrize("backend", ["aot_eager", pytest.param("inductor", marks=pytest.mark.modern_full)])
def test_compiled_training_bit_identical_with_varshim(backend, request, tmp_path):
    if backend == "inductor":
        if not (request.config.getoption("--modern-full") or os.environ.get("VARSHIM_MODERN_FULL")):
            pytest.skip("inductor compiles C++ (about 30 s a process): run with --modern-full")
        if not any(map(shutil.which, _COMPILERS)):
            pytest.skip(f"inductor needs a C++ compiler on CPU; none of {', '.join(_COMPILERS)} is on PATH")
    processes = [_trained(mode, backend, tmp_path) for mode in side_by_side.MODES]
    (plain,), (patched,) = (side_by_side.lines(p) for p in processes)
    assert plain["status"] == "ok", plain["traceback"]
    assert patched["status"] == "ok", patched["traceback"]
    assert patched["losses"] == plain["losses"] and patched["digest"] == plain["digest"]
    assert plain["losses"][-1] < plain["losses"][0]  # it trained: the steps reached the parameters
