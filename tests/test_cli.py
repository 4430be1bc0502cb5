"""The `varshim` command itself (`varshim_cli`): dispatch, --version, mistyped commands, the summary."""

import subprocess
import sys

import pytest

import varshim_cli
from varshim_migrate.version import version


@pytest.mark.parametrize("argv", [["--version"], ["-V"], ["run", "--version"], ["check", "--version"],
                                  ["migrate", "-V"]])
def test_version_on_the_command_and_every_subcommand(argv, capsys):
    try:
        status = varshim_cli.main(argv)
    except SystemExit as exit:  # argparse's way out of a subcommand's parser
        status = exit.code
    assert status == 0
    assert capsys.readouterr().out == f"varshim {version()}\n"


@pytest.mark.parametrize("typo, suggestion", [("chek", "check"), ("migrat", "migrate"), ("rnu", "run")])
def test_a_mistyped_command_is_not_run_as_a_script(typo, suggestion, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert varshim_cli.main([typo, "src/"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"did you mean `varshim {suggestion}`?" in error


def test_an_unknown_word_lists_the_commands(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert varshim_cli.main(["frobnicate"]) == 2
    assert "commands: run, check, migrate" in capsys.readouterr().err


def test_an_existing_file_without_a_python_suffix_is_a_script(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train").write_text("print('ran')\n")
    assert varshim_cli.main(["train"]) == 0
    assert capsys.readouterr().out == "ran\n"


def _run(args, cwd):
    return subprocess.run([sys.executable, "-m", "varshim", *args], capture_output=True, text=True, cwd=cwd)


LEGACY = """\
import torch
from torch.autograd import Variable
x = Variable(torch.ones(2), requires_grad=True)
loss = (x * 2).sum()
loss.backward(retain_variables=True)
print(loss.data[0])
"""


def test_a_legacy_run_ends_with_one_summary_line(tmp_path):
    (tmp_path / "train.py").write_text(LEGACY)
    result = _run(["train.py"], tmp_path)
    assert result.returncode == 0, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("varshim: 3 legacy idioms at 3 sites; `varshim check train.py` lists them, "
                           "`varshim migrate --write train.py` rewrites them; silence")


@pytest.mark.parametrize("how", [["--quiet", "train.py"], ["-W", "ignore::FutureWarning"], ["modern.py"]])
def test_no_summary_when_asked_or_when_nothing_was_shown(how, tmp_path):
    (tmp_path / "train.py").write_text(LEGACY)
    (tmp_path / "modern.py").write_text("import torch\nprint(torch.ones(2).sum().item())\n")
    args = ["train.py"] if how[0] == "-W" else how
    command = [sys.executable, *(how if how[0] == "-W" else []), "-m", "varshim", *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "legacy idioms at" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("varshim:")]
    # the one line saying which release the program is code for, unless --quiet
    assert lines == [] if how[0] == "--quiet" else [line for line in lines if " runs as code for " in line] == lines
    assert len(lines) == (0 if how[0] == "--quiet" else 1)
