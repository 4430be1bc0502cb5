"""`flake8 --select VS`: the plugin reports what `varshim check` reports, on flake8's own ast."""

import ast
import subprocess
import sys
from importlib import metadata

from varshim_migrate.flake8 import Flake8Checker

LEGACY = """\
import torch
from torch.autograd import Variable

x = Variable(torch.ones(2), requires_grad=True)  # weights
print(x.sum().data[0])
action.reinforce(1.0)
"""


def test_the_entry_point_is_registered():
    points = [e for e in metadata.entry_points(group="flake8.extension") if e.name == "VS"]
    assert [p.value for p in points] == ["varshim_migrate.flake8:Flake8Checker"]


def test_the_plugin_reports_the_same_findings():
    results = list(Flake8Checker(ast.parse(LEGACY), LEGACY.splitlines(True)).run())
    assert [(line, col, message.split()[0]) for line, col, message, _ in results] == [
        (4, 4, "VS101"), (5, 6, "VS201"), (6, 0, "VS502"),
    ]
    assert all(kind is Flake8Checker for *_, kind in results)


def test_files_without_torch_are_skipped():
    assert list(Flake8Checker(ast.parse("x = y.creator\n"), ["x = y.creator\n"]).run()) == []


def test_flake8_itself_runs_the_plugin(tmp_path):
    (tmp_path / "old.py").write_text(LEGACY)
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "VS", "old.py"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()] == ["VS101", "VS201", "VS502"]
    assert result.stdout.splitlines()[0].startswith("old.py:4:5: VS101 Variable(x, requires_grad=...)")
