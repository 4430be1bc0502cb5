"""Which files are the legacy program's own (`varshim.legacy_program`)."""

import os
import sys

import varshim
import varshim_cli
import varshim_migrate.async_keywords
from varshim import legacy_program


def test_a_folder_owns_its_files_but_not_its_installed_libraries(tmp_path):
    folder = legacy_program.ProgramFolder(tmp_path)
    assert folder.owns(str(tmp_path / "train.py"))
    assert folder.owns(str(tmp_path / "models" / "rnn.py"))
    assert not folder.owns(str(tmp_path / "venv" / "site-packages" / "lib.py"))
    assert not folder.owns(str(tmp_path / "venv" / "dist-packages" / "lib.py"))
    assert not folder.owns(str(tmp_path.parent / "elsewhere.py"))


def test_the_standard_library_and_every_varshim_file_are_never_owned():
    assert not legacy_program.ProgramFolder(os.path.dirname(os.__file__)).owns(os.__file__)
    site = os.path.dirname(os.path.dirname(varshim.__file__))
    folder = legacy_program.ProgramFolder(site)  # an editable install: varshim beside the user's files
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
