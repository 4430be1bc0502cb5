"""The project import hook reads `async=` in the user's own modules and nowhere else."""

import importlib
import os
import sys

import pytest

from varshim.entry.project_imports import program_files

LEGACY_MODULE = "import sys\nflags = []\nf = lambda **kw: flags.append(kw)\nf(async=True)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "legacy_mod.py").write_text(LEGACY_MODULE)
    for vendored in ("site-packages", "dist-packages"):
        (tmp_path / "proj" / "venv" / vendored).mkdir(parents=True)
        (tmp_path / "proj" / "venv" / vendored / ("vendored_" + vendored[:4] + ".py")).write_text(LEGACY_MODULE)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "outside_mod.py").write_text(LEGACY_MODULE)
    paths = [str(tmp_path / "proj"), str(tmp_path / "outside"), str(tmp_path / "proj" / "venv" / "site-packages"),
             str(tmp_path / "proj" / "venv" / "dist-packages")]
    sys.path[:0] = paths
    with program_files(tmp_path / "proj") as folder:
        yield folder
    del sys.path[:len(paths)]
    for name in ("legacy_mod", "outside_mod", "vendored_site", "vendored_dist"):
        sys.modules.pop(name, None)


def test_project_module_with_async_keyword_imports(project):
    module = importlib.import_module("legacy_mod")
    assert module.flags == [{"non_blocking": True}]
    assert not os.path.exists(os.path.join(os.path.dirname(module.__file__), "__pycache__")), "no bytecode"


@pytest.mark.parametrize("name", ["outside_mod", "vendored_site", "vendored_dist"])
def test_modules_outside_the_project_are_untouched(project, name):
    with pytest.raises(SyntaxError):
        importlib.import_module(name)


def test_the_hook_is_gone_after_the_block(tmp_path):
    with program_files(tmp_path) as folder:
        assert any(getattr(finder, "program", None) is folder for finder in sys.meta_path)
    assert not any(getattr(finder, "program", None) is folder for finder in sys.meta_path)
