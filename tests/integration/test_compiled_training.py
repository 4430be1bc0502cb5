"""Modern code under varshim: a `torch.compile`d model trains to the same bits as without varshim.

Each backend trains the model of `tests/support/compiled_training.py` for three SGD steps in a
process without varshim and in one with varshim imported; losses and parameters must be
bit-identical. CI compiles with `aot_eager` (dynamo and AOT autograd, torch's own Python);
`pytest --modern-full` also with `inductor`, which generates and compiles C++ for the CPU (about 30 s
a process) and is skipped when no C++ compiler is on PATH.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_COMPILERS = ("g++", "c++", "clang++")


def _trained(mode, backend, cache):
    command = [sys.executable, "-m", "tests.support.compiled_training", mode, backend]
    # a cache per process: the varshim process must compile for itself, not reuse the plain one's kernels
    env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=str(cache / mode))
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _record(process):
    out, err = process.communicate()
    assert process.returncode == 0, err[-3000:]
    (record,) = [json.loads(line) for line in out.splitlines()]
    return record


@pytest.mark.parametrize("backend", ["aot_eager", pytest.param("inductor", marks=pytest.mark.modern_full)])
def test_compiled_training_bit_identical_with_varshim(backend, request, tmp_path):
    if backend == "inductor":
        if not (request.config.getoption("--modern-full") or os.environ.get("VARSHIM_MODERN_FULL")):
            pytest.skip("inductor compiles C++ (about 30 s a process): run with --modern-full")
        if not any(map(shutil.which, _COMPILERS)):
            pytest.skip(f"inductor needs a C++ compiler on CPU; none of {', '.join(_COMPILERS)} is on PATH")
    plain, patched = (_record(p) for p in [_trained(mode, backend, tmp_path) for mode in ("plain", "varshim")])
    assert plain["status"] == "ok", plain["traceback"]
    assert patched["status"] == "ok", patched["traceback"]
    assert patched["losses"] == plain["losses"] and patched["digest"] == plain["digest"]
    assert plain["losses"][-1] < plain["losses"][0]  # it trained: the steps reached the parameters
