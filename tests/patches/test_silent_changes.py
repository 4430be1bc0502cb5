"""Silent changes (varshim.patches.silent_changes): the old result only for the files of a program that
targets a release before the change; libraries it imports, other callers and programs for later
releases get torch's result."""

import json

import pytest
import torch

import varshim_cli
from varshim import LegacyTorchWarning, legacy_program
from varshim.patches import PATCHES

PROGRAM = """
import json, sys
import torch
sys.path.insert(0, LIBRARY)
import release_library

a = torch.tensor([-7, 7])
b = torch.tensor([-7, 7])
b //= 2
c = torch.tensor([-7, 7])
try:
    c /= 2                                           # an error since 1.5 (a float result in an int tensor)
except RuntimeError:
    c = None
criterion = torch.nn.BCELoss()
label = torch.full((2,), 1)                          # the DCGAN tutorial's labels
loss = criterion(torch.sigmoid(torch.zeros(2)), label) if label.is_floating_point() else None
json.dump({
    "div": (a / 2).tolist(), "div_dtype": str((a / 2).dtype), "torch_div": torch.div(a, 2).tolist(),
    "itruediv": None if c is None else c.tolist(), "float_div": (torch.tensor([-7.0]) / 2).tolist(),
    "floordiv": (a // 2).tolist(), "float_floordiv": (torch.tensor([-7.5]) // 2).tolist(),
    "rfloordiv": (7 // torch.tensor([-2])).tolist(), "floor_divide": torch.floor_divide(a, 2).tolist(),
    "ifloordiv": b.tolist(), "full": str(label.dtype), "full_float": str(torch.full((2,), 1.5).dtype),
    "loss": None if loss is None else round(loss.item(), 4), "library": release_library.compute(),
}, open(OUTPUT, "w"))
"""
LIBRARY = """
import torch

def compute():
    a = torch.tensor([-7, 7])
    return [(a / 2).tolist(), (a // 2).tolist(), str(torch.full((2,), 1).dtype)]
"""
MODERN_LIBRARY = [[-3.5, 3.5], [-4, 3], "torch.int64"]

TRUNC, TRUE, FLOOR = [-3, 3], [-3.5, 3.5], [-4, 3]
EXPECTED = {  # target: (`/`, `//`, torch.full's dtype)
    "0.3": (TRUNC, [-3, 3], "torch.float32"),
    "1.4": (TRUNC, [-3, 3], "torch.float32"),
    "1.6": (TRUE, [-3, 3], "torch.float32"),
    "1.8": (TRUE, [-3, 3], "torch.int64"),
    "1.13": (TRUE, FLOOR, "torch.int64"),
    None: (TRUE, FLOOR, "torch.int64"),
}


@pytest.fixture
def program(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "release_library.py").write_text(LIBRARY)
    (tmp_path / "project").mkdir()
    script, output = tmp_path / "project" / "train.py", tmp_path / "result.json"
    script.write_text(f"LIBRARY = {str(tmp_path / 'lib')!r}\nOUTPUT = {str(output)!r}\n" + PROGRAM)

    def run(target):
        assert varshim_cli.run_main(["--written-for", target or "modern", str(script)]) == 0
        return json.loads(output.read_text())

    return run


@pytest.mark.parametrize("target", sorted(EXPECTED, key=str))
def test_each_rule_applies_only_before_its_release(program, target):
    division, floor, full = EXPECTED[target]
    result = program(target)
    assert result["div"] == division and result["torch_div"] == division
    assert result["div_dtype"] == ("torch.int64" if division == TRUNC else "torch.float32")
    assert result["floordiv"] == floor and result["floor_divide"] == floor and result["ifloordiv"] == floor
    assert result["float_floordiv"] == ([-3.0] if floor != FLOOR else [-4.0])
    assert result["rfloordiv"] == ([-3] if floor != FLOOR else [-4])
    assert result["full"] == full and result["full_float"] == "torch.float32"
    assert result["loss"] == (0.6931 if full == "torch.float32" else None)  # BCELoss accepts the labels
    assert result["float_div"] == [-3.5]  # a float operand: true division in every release
    assert result["library"] == MODERN_LIBRARY  # a library the program imports keeps modern results


def test_in_place_integer_division_of_a_1_4_program(program):
    assert program("1.4")["itruediv"] == TRUNC and program("1.8")["itruediv"] is None


def test_a_1_4_program_is_told_the_modern_spelling(program):
    with pytest.warns(LegacyTorchWarning, match=r"truncated toward zero before 1\.5.*rounding_mode='trunc'"):
        program("1.4")


SILENT_ROWS = [patch for patch in PATCHES if patch.before in ((1, 5), (1, 7), (1, 13))]


def test_without_a_program_for_an_older_release_torch_is_untouched():
    assert len(SILENT_ROWS) == 12
    for patch in SILENT_ROWS:
        older = legacy_program.any_targets_before(patch.before)  # another program of this process
        assert patch.applied is older and (getattr(patch.owner, patch.attribute) is patch.replacement) is older
    if not legacy_program.any_targets_before((1, 13)):
        assert (torch.tensor([-7]) / 2).tolist() == [-3.5] and (torch.tensor([-7]) // 2).tolist() == [-4]
        assert torch.full((2,), 1).dtype is torch.int64


def test_callers_outside_the_program_keep_torchs_results(tmp_path):
    program = legacy_program.enter(tmp_path, "1.4")
    try:
        assert all(patch.applied for patch in SILENT_ROWS)
        assert (torch.tensor([-7]) / 2).tolist() == [-3.5]  # this file is not the program's
        assert torch.full((2,), 1).dtype is torch.int64
    finally:
        legacy_program.leave(program)


def test_releases_are_written_like_1_4(tmp_path):
    with pytest.raises(ValueError, match="'one point four' is not a torch release"):
        legacy_program.enter(tmp_path, "one point four")
    program = legacy_program.enter(tmp_path, "1.12.1")
    legacy_program.leave(program)
    assert program.release == (1, 12)
