"""Modern code under varshim: torch's own module database (`module_db`) on plain tensors.

For every module of `torch.testing._internal.common_modules.module_db`, each of its CPU samples
(constructor and forward inputs) in training mode, and in eval mode where the database says the
two differ: the parameters and buffers as constructed, the outputs, and the gradients of the sum
of every floating output (`backward()`, so through the patched `torch.autograd.backward`) must be
bit-identical (sha256 digests) in a process without varshim and in one with varshim imported, and
the same samples must raise with the same error. Nobody here keeps the list of modules in sync:
it is torch's.

CI runs the first CI_SAMPLES samples of every module and mode in float64; `pytest --modern-full`
(or VARSHIM_MODERN_FULL=1) runs every sample in float64 and float32. Figures: docs/modern_code.md.
"""

import os

import pytest

from tests.support import side_by_side

CI_SAMPLES = 4  # per module, mode and dtype in CI; --modern-full: every sample


@pytest.fixture(scope="module")
def full(request):
    return bool(request.config.getoption("--modern-full") or os.environ.get("VARSHIM_MODERN_FULL"))


def _digests(mode, dtypes, full):
    return side_by_side.start("module_db", mode, *dtypes, *([] if full else ["--limit", CI_SAMPLES]))


def test_plain_modules_bit_identical_with_varshim(full):
    dtypes = ["float64", "float32"] if full else ["float64"]
    processes = [_digests(mode, dtypes, full) for mode in side_by_side.MODES]
    plain, patched = (side_by_side.records(p, "module", "training", "dtype", "sample") for p in processes)
    assert plain.keys() == patched.keys(), "the two processes saw different samples"
    differing = sorted(key for key in plain if plain[key] != patched[key])
    modules = {key[0] for key in plain}
    raising = sum(1 for value in plain.values() if {status for status, _ in value} == {"raises"})
    print(f"module_db: {len(modules)} modules, {len(plain)} samples compared ({dtypes}), {raising} raise in both")
    assert len(modules) >= 100, "torch's module database lost its modules: the comparison would be void"
    assert not differing, "plain modules differ with varshim imported:\n" + "\n".join(map(str, differing[:60]))
