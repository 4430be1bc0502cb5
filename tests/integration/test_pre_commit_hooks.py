"""The pre-commit hooks (`.pre-commit-hooks.yaml`), loaded and run by pre-commit itself.

`pre-commit try-repo` installs this checkout into a fresh virtualenv of its own, with pip and the
package's requirements only (no extras), so the run proves the hooks work without torch or
nbformat installed. try-repo keeps that environment in a temporary store of its own (so
PRE_COMMIT_HOME cannot cache it): both hooks run in one call, and the environment is built once
(about 15-50 s, mostly pip fetching libcst and setuptools).
"""

import importlib.metadata
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from pre_commit.clientlib import load_manifest

ROOT = pathlib.Path(__file__).resolve().parents[2]

LEGACY = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\nprint(x.sum().data[0])\n"
MIGRATED = "import torch\nfrom torch.autograd import Variable\nx = torch.ones(2)\nprint(x.sum().item())\n"
MODERN = "import torch\nprint(torch.ones(2).sum().item())\n"


def test_the_manifest_is_valid_for_pre_commit():
    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert sorted(hooks) == ["varshim-check", "varshim-migrate"]
    assert hooks["varshim-check"]["entry"] == "varshim check"
    assert hooks["varshim-migrate"]["entry"] == "varshim migrate --write"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"]
        assert hook["additional_dependencies"] == []


def test_the_hook_environment_needs_neither_torch_nor_nbformat():
    """What pre-commit's `pip install .` brings: the requirements outside every extra."""
    requirements = [r for r in importlib.metadata.requires("varshim") if "extra ==" not in r]
    assert not [r for r in requirements if re.match(r"(torch|nbformat|numpy)\b", r)], requirements


def _git(folder, *args):
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def _index_unreachable(folder):
    """Why pip cannot fetch a package the hook environment needs, or None if it can."""
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(folder), "libcst"],
        capture_output=True, text=True, timeout=300,
    )
    return None if probe.returncode == 0 else (probe.stderr.strip().splitlines() or ["pip download failed"])[-1]


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "old.py").write_text(LEGACY)
    (folder / "modern.py").write_text(MODERN)
    cell = {"cell_type": "code", "source": ["import torch\n", "y = x.creator"], "metadata": {}, "outputs": [],
            "execution_count": None}
    (folder / "lesson.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                     "cells": [cell]}, indent=1) + "\n")
    _git(folder, "init", "-q")
    _git(folder, "add", ".")
    return folder


def test_pre_commit_runs_both_hooks(project, tmp_path):
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--files", "old.py", "modern.py", "lesson.ipynb"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    if result.returncode not in (0, 1):  # pre-commit itself failed, e.g. installing the environment
        reason = _index_unreachable(tmp_path / "probe")
        if reason is not None:
            pytest.skip(f"pre-commit cannot build the hook environment: no package index reachable ({reason})")
    assert result.returncode == 1, output  # both hooks fail: findings, then files rewritten

    check, migrate = output.split("- hook id: varshim-check\n")[1].split("- hook id: varshim-migrate\n")
    assert "varshim check (legacy PyTorch idioms)....." in output and "- exit code: 1\n" in check
    found = sorted(line.split(": ")[1].split()[0] for line in check.splitlines() if ": VS" in line)
    assert found == ["VS101", "VS104", "VS201"]  # files may come in any order
    assert "lesson.ipynb:cell-1:2:5: VS104" in check and "old.py:3:5: VS101" in check and "modern.py" not in check
    assert "- files were modified by this hook\n" in migrate
    assert "3 file(s) scanned, 2 rewritten" in migrate
    assert (project / "old.py").read_text() == MIGRATED
    assert (project / "modern.py").read_text() == MODERN
    assert json.loads((project / "lesson.ipynb").read_text())["cells"][0]["source"] == ["import torch\n", "y = x.grad_fn"]
