"""torch.arange on integers: floats for the legacy program's own files only (varshim.patches.arange)."""

import json
import runpy

import pytest
import torch

import varshim_cli
from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from tests.support.legacy_program import modern_torch

PROGRAM = """
import json, sys
import torch
from torch.autograd import Variable

x = Variable(torch.arange(-2, 4), requires_grad=True)
(x * x).sum().backward()
c = torch.arange(0, 6).view(2, 3)
c.scatter_(1, torch.LongTensor([[2, 0, 1], [1, 2, 0]]), torch.Tensor([[10, 20, 30], [40, 50, 60]]))
steps = torch.arange(0, 1, 0.25)
sys.path.insert(0, LIBRARY)
import library
json.dump({
    "x": str(x.dtype), "grad": x.grad.data.tolist(), "c": c.tolist(), "c_dtype": str(c.dtype),
    "steps": str(steps.dtype), "library": library.indices(), "explicit": str(torch.arange(3, out=torch.LongTensor()).dtype),
}, open(OUTPUT, "w"))
"""


@pytest.fixture
def program(tmp_path):
    (tmp_path / "lib").mkdir()
    library = "import torch\n\ndef indices():\n    return str(torch.arange(3).dtype)\n"
    (tmp_path / "lib" / "library.py").write_text(library)
    (tmp_path / "project").mkdir()
    script = tmp_path / "project" / "lesson.py"
    output = tmp_path / "result.json"
    script.write_text(f"LIBRARY = {str(tmp_path / 'lib')!r}\nOUTPUT = {str(output)!r}\n" + PROGRAM)
    return script, output


def test_program_fails_on_modern_torch(program):
    script, _ = program
    with modern_torch(), pytest.raises(RuntimeError, match="floating point"):
        runpy.run_path(str(script))


def test_program_run_by_varshim_gets_0_3_float_ranges(program):
    script, output = program
    with pytest.warns(LegacyTorchWarning, match=r"torch.arange\(..., dtype=torch.float32\)"):
        assert varshim_cli.run_main([str(script)]) == 0
    result = json.loads(output.read_text())
    assert result["x"] == "torch.float32" and result["c_dtype"] == "torch.float32"
    assert result["grad"] == [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0]
    assert result["c"] == [[20.0, 30.0, 10.0], [60.0, 40.0, 50.0]]
    assert result["steps"] == "torch.float32"
    assert result["library"] == "torch.int64"  # a library the program imports keeps modern dtypes
    assert result["explicit"] == "torch.int64"


def test_callers_outside_a_legacy_program_keep_int64(program):
    script, _ = program
    assert torch.arange(-2, 4).dtype is torch.int64
    assert torch.arange(5, out=torch.empty(5, dtype=torch.int64)).dtype is torch.int64
    with pytest.raises(RuntimeError, match="expected scalar type|same dtype|dtype"):
        runpy.run_path(str(script))  # varshim installed, but not run by `varshim run`: modern arange


def test_variable_of_integer_range_still_becomes_float_with_a_warning():
    with pytest.warns(LegacyTorchWarning, match="float copy"):
        x = Variable(torch.arange(-2, 4), requires_grad=True)
    assert x.dtype is torch.get_default_dtype() and x.data.tolist() == [-2, -1, 0, 1, 2, 3]


def test_the_patch_exists_only_while_a_0_3_program_runs_and_uninstall_restores_torch_arange(tmp_path):
    from varshim import legacy_program
    from varshim.patches import arange

    program = legacy_program.enter(tmp_path, "0.3")
    try:
        assert torch.arange is arange.arange
        with modern_torch():
            assert torch.arange is arange._modern_arange
        assert torch.arange is arange.arange
    finally:
        legacy_program.leave(program)
    assert (torch.arange is arange.arange) == legacy_program.any_targets_before("0.4")  # other programs of this process
