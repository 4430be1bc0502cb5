"""Which files are the legacy program's own (`varshim.legacy_program`)."""

import os
import sys

import pytest

import varshim
import varshim_cli
import varshim_migrate.async_keywords
from varshim import legacy_program


def test_a_folder_owns_its_files_but_not_its_installed_libraries(tmp_path):
    folder = legacy_program.Program(tmp_path)
    assert folder.owns(str(tmp_path / "train.py"))
    assert folder.owns(str(tmp_path / "models" / "rnn.py"))
    assert not folder.owns(str(tmp_path / "venv" / "site-packages" / "lib.py"))
    assert not folder.owns(str(tmp_path / "venv" / "dist-packages" / "lib.py"))
    assert not folder.owns(str(tmp_path.parent / "elsewhere.py"))


def test_the_standard_library_and_every_varshim_file_are_never_owned():
    assert not legacy_program.Program(os.path.dirname(os.__file__)).owns(os.__file__)
    site = os.path.dirname(os.path.dirname(varshim.__file__))
    folder = legacy_program.Program(site)  # an editable install: varshim beside the user's files
    for module in (varshim, varshim_migrate.async_keywords, varshim_cli):
        assert not folder.owns(module.__file__), module.__name__


def test_files_are_owned_only_between_enter_and_leave(tmp_path):
    script = str(tmp_path / "train.py")
    assert not legacy_program.owns(script)
    folder = legacy_program.enter(tmp_path)
    try:
        assert legacy_program.owns(script)
        assert not legacy_program.owns(sys.__file__ if hasattr(sys, "__file__") else os.__file__)
    finally:
        legacy_program.leave(folder)
    assert not legacy_program.owns(script)


def test_called_from_program_asks_about_the_callers_caller(tmp_path):
    def rule():  # stands for a patched torch function deciding by its caller's file
        return legacy_program.called_from_program()

    code = compile("result = rule()", str(tmp_path / "train.py"), "exec")
    namespace = {"rule": rule}
    exec(code, namespace)
    assert namespace["result"] is False  # no program is being run
    folder = legacy_program.enter(tmp_path)
    try:
        exec(code, namespace)
        assert namespace["result"] is True
        assert rule() is False  # this test file is not the program's
    finally:
        legacy_program.leave(folder)


@pytest.mark.usefixtures("_no_program_running")
def test_watchers_follow_whether_a_program_runs(tmp_path):
    seen = []
    legacy_program.watch(seen.append)
    try:
        outer = legacy_program.enter(tmp_path)
        inner = legacy_program.enter(tmp_path / "sub")  # nested runs: still running
        legacy_program.leave(inner)
        assert legacy_program.running()
        legacy_program.leave(outer)
        legacy_program.leave(outer)  # leaving twice changes nothing
    finally:
        legacy_program.unwatch(seen.append)
    assert seen == [False, True, False] and not legacy_program.running()
    legacy_program.leave(legacy_program.enter(tmp_path))
    assert seen == [False, True, False]  # unwatched


@pytest.fixture
def _no_program_running():
    from tests.support.legacy_program import no_program_running

    with no_program_running():
        yield


# -- which release a program was written for ------------------------------------------------------


def _program(tmp_path, files, **options):
    """A program folder with `files` ({relative path: source}); entered with `main.py` as the entry."""
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    main = tmp_path / "main.py"
    announced = []
    program = legacy_program.enter(tmp_path, entry=("main.py", str(main), main.read_text()),
                                   announce=announced.append, name="main.py", **options)
    return program, announced


def _asks_from(filename, release="0.4"):
    namespace = {"ask": lambda: legacy_program.targets_before(release)}
    exec(compile("result = ask()", str(filename), "exec"), namespace)
    return namespace["result"]


def test_a_program_with_a_0_3_idiom_targets_0_3_in_its_files_only(tmp_path):
    program, announced = _program(tmp_path, {"main.py": "import torch\nfrom torch.autograd import Variable\n"
                                                        "x = Variable(torch.ones(2))\n"})
    try:
        assert program.release == (0, 3) and legacy_program.release_of(str(tmp_path / "main.py")) == "0.3"
        assert _asks_from(tmp_path / "main.py") is True and _asks_from(tmp_path / "main.py", "0.3") is False
        assert _asks_from(tmp_path / "lib" / "x.py") is True  # any file of the folder
        assert _asks_from(os.__file__) is False and legacy_program.targets_before("0.4") is False  # not its file
        assert announced == ["varshim: main.py runs as code for PyTorch 0.3: main.py:3 has Variable(x) (VS101, a 0.3 "
                             "idiom); --written-for modern runs it with torch 2.x rules"]
    finally:
        legacy_program.leave(program)
    assert _asks_from(tmp_path / "main.py") is False and legacy_program.release_of(str(tmp_path / "main.py")) is None


def test_a_name_new_in_0_4_wins_over_0_3_idioms(tmp_path):
    program, announced = _program(tmp_path, {"main.py": "import torch\nfrom torch.autograd import Variable\n"
                                                        "x = Variable(torch.ones(2))\nprint(x.sum().item())\n"})
    legacy_program.leave(program)
    assert program.release is None
    assert announced == ["varshim: main.py runs as code for PyTorch 0.4 or later: main.py:4 has x.item() (new in 0.4) "
                         "(its older idioms, such as Variable(x) at main.py:3, still work); --written-for 0.3 applies "
                         "the 0.3 rules"]


def test_a_program_without_idioms_follows_torch_2(tmp_path):
    program, announced = _program(tmp_path, {"main.py": "import torch\nprint(torch.arange(4))\n"})
    legacy_program.leave(program)
    assert program.release is None and announced == [
        "varshim: main.py runs as code for PyTorch 0.4 or later: no 0.3 idiom in its 1 file; --written-for 0.3 "
        "applies the 0.3 rules"]


def test_the_modules_a_program_imports_are_dated_before_it_runs(tmp_path):
    files = {
        "main.py": "import torch\nfrom models import net\nimport utils.io as io, helpers\nfrom . import nothing\n",
        "models/__init__.py": "",
        "models/net.py": "from .layers import Dense\n",
        "models/layers.py": "import torch\nclass Dense(torch.autograd.Function):\n    def forward(self, x):\n"
                            "        return x\n",
        "utils/__init__.py": "", "utils/io.py": "", "helpers.py": "import numpy\n",
    }
    program, announced = _program(tmp_path, files)
    legacy_program.leave(program)
    assert program.release == (0, 3) and program.dated == 7
    assert announced[0].startswith("varshim: main.py runs as code for PyTorch 0.3: models/layers.py:2 has a legacy "
                                   "autograd.Function (VS401")


def test_a_module_loaded_later_can_still_make_the_program_0_3(tmp_path):
    program, announced = _program(tmp_path, {"main.py": "import importlib\n"})
    try:
        assert program.release is None
        program.date_file(str(tmp_path / "late.py"), "import torch\ny = x.creator\n")
        assert program.release == (0, 3) and legacy_program.any_targets_before("0.4")
        assert announced[-1].startswith("varshim: main.py runs as code for PyTorch 0.3: late.py:2 has x.creator")
        program.date_file(str(tmp_path / "later.py"), "import torch\nprint(torch.tensor(1).item())\n")
        assert program.release == (0, 3) and len(announced) == 2  # a running 0.3 program stays 0.3 code
    finally:
        legacy_program.leave(program)


@pytest.mark.parametrize("written_for, release, line", [
    ("0.3", (0, 3), "varshim: main.py runs as code for PyTorch 0.3, as told (--written-for or $VARSHIM_WRITTEN_FOR)"),
    ("1.4", (1, 4), "varshim: main.py runs as code for PyTorch 1.4, as told (--written-for or $VARSHIM_WRITTEN_FOR)"),
    ("modern", None, "varshim: main.py runs as code for torch 2.x rules, as told (--written-for or "
                     "$VARSHIM_WRITTEN_FOR)"),
])
def test_an_explicit_release_is_not_dated(tmp_path, written_for, release, line):
    program, announced = _program(tmp_path, {"main.py": "x = y.creator\n"}, written_for=written_for)
    try:
        assert program.release == release and program.dated == 0 and announced == [line]
        assert _asks_from(tmp_path / "main.py", "1.5") is (release is not None)
        assert _asks_from(tmp_path / "main.py", "0.4") is (release == (0, 3))
    finally:
        legacy_program.leave(program)


def test_patch_rows_for_0_3_programs_follow_the_programs(tmp_path):
    from varshim.patches import PATCHES

    rows = [patch for patch in PATCHES if patch.before == "0.4"]
    elsewhere = legacy_program.any_targets_before("0.4")  # another 0.3 program of this process
    assert all(patch.applied is elsewhere for patch in rows)
    program = legacy_program.enter(tmp_path, "0.3")
    assert all(patch.applied for patch in rows) and legacy_program.any_targets_before("0.4")
    legacy_program.leave(program)
    assert all(patch.applied is elsewhere for patch in rows)


def test_the_one_line_edit_adopts_its_file(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(legacy_program.WRITTEN_FOR_ENV, raising=False)
    script = tmp_path / "train.py"
    program = legacy_program.adopt(str(script), 3)
    try:
        assert _asks_from(script) is True and _asks_from(tmp_path / "other.py") is False
        assert legacy_program.adopt(str(script), 3) is None  # once
        assert capsys.readouterr().err == (
            "varshim: train.py runs as code for PyTorch 0.3: train.py:3 imports Variable from varshim (the one-line "
            "edit); VARSHIM_WRITTEN_FOR=modern to run it with torch 2.x rules\n")
    finally:
        legacy_program.leave(program)
    monkeypatch.setenv(legacy_program.WRITTEN_FOR_ENV, "modern")
    program = legacy_program.adopt(str(script), 3)
    try:
        assert _asks_from(script) is False and capsys.readouterr().err == ""
    finally:
        legacy_program.leave(program)


def test_an_explicit_program_keeps_its_release_over_the_one_line_edit(tmp_path):
    program = legacy_program.enter(tmp_path, "modern")
    try:
        assert legacy_program.adopt(str(tmp_path / "train.py")) is None
        assert _asks_from(tmp_path / "train.py") is False
    finally:
        legacy_program.leave(program)


def test_ipython_cells_belong_to_a_cells_program(tmp_path):
    program = legacy_program.enter(tmp_path, "0.3", cells=True)
    try:
        assert legacy_program.cells_program() is program
        assert _asks_from("<ipython-input-3-0123abcd>") is True
    finally:
        legacy_program.leave(program)
    assert legacy_program.cells_program() is None or legacy_program.cells_program() is not program


def test_a_bad_written_for_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="'1.x' is not a torch release"):
        legacy_program.enter(tmp_path, "1.x")


def test_any_release_bound_dates_a_program_as_the_last_release_before_it(tmp_path, monkeypatch):
    # What a rule for 1.x code would add to varshim_migrate.dating: evidence with other bounds.
    import varshim_migrate.dating as dating

    found = {
        "six.py": [dating.Evidence(1, "torch._six (gone in 2.0)", before=(2, 0))],
        "item.py": [dating.Evidence(2, "x.item() (new in 0.4)", since=(0, 4))],
        "old.py": [dating.Evidence(3, "x.creator (VS104, a 0.3 idiom)", before=(0, 4))],
    }
    monkeypatch.setattr(dating, "date_source", lambda source: found[source])
    program = legacy_program.Program(tmp_path)
    program.date("six.py", "six.py")
    assert program.release == (1, 13)
    program.date("old.py", "old.py")
    assert program.release == (0, 3) and program.legacy[0] == "old.py"
    program.date("item.py", "item.py")  # written for 0.4 or later, before 2.0
    assert program.release == (1, 13) and program.legacy[0] == "six.py"
    assert program.decision().startswith("varshim: ")
