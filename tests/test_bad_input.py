"""Bad input to every command: one line on stderr naming the file, the exit status of the table in
docs/running.md, and no file changed. Also: Ctrl-C during `migrate --write`."""

import os
import signal
import subprocess
import sys
import time

import pytest

from varshim_cli import main
from varshim_migrate import cli, migrate_source

LEGACY = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\nprint(x.data[0])\n"
V3 = ('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "code", '
      '"input": ["import torch\\n", "print(y.creator)\\n"], "language": "python", "outputs": [], "metadata": {}}]}]}')
FILES = {
    "invalid.ipynb": b"{not json\n", "empty.ipynb": b"", "list.ipynb": b"[1]\n", "binary.py": b"\xff\xfe\x00\x01\n",
    "empty.py": b"", "v3.ipynb": V3.encode(), "legacy.py": LEGACY.encode(),
}


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "nothing_here").mkdir()
    (tmp_path / "nothing_here" / "notes.txt").write_text(LEGACY)
    return tmp_path


def _snapshot(folder):
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def _lines(text):
    return [line for line in text.splitlines() if line]


# (argv, exit status, what the one line says) for check and migrate, run in this process
CASES = [
    (["check", "missing.py"], 2, "missing.py: no such file or folder"),
    (["migrate", "--write", "missing.py"], 2, "missing.py: no such file or folder"),
    (["check", "nothing_here"], 2, "nothing_here: no .py or .ipynb file in this folder"),
    (["migrate", "--write", "nothing_here"], 2, "nothing_here: no .py or .ipynb file in this folder"),
    (["check", "--frobnicate", "legacy.py"], 2, "unrecognized arguments: --frobnicate (`varshim check --help`"),
    (["migrate", "--jobs", "0", "legacy.py"], 2, "a number of processes, 1 or more"),
    (["check", "invalid.ipynb"], 1, "invalid.ipynb:1:1: VS001 cannot read this notebook: not JSON"),
    (["check", "empty.ipynb"], 1, "empty.ipynb:1:1: VS001 cannot read this notebook: not JSON"),
    (["check", "list.ipynb"], 1, "list.ipynb:1:1: VS001 cannot read this notebook: not a notebook"),
    (["check", "binary.py"], 1, "binary.py:1:1: VS001 cannot read this file"),
    (["check", "empty.py"], 0, None),
    (["check", "v3.ipynb"], 1, "v3.ipynb:cell-1:2:7: VS104"),  # nbformat 3 is read as it is
]


@pytest.mark.parametrize("argv, status, line", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_check_and_migrate(argv, status, line, files, capsys):
    before = _snapshot(files)
    assert main(argv) == status
    out, err = capsys.readouterr()
    said = _lines(err) if status == 2 else _lines(out)
    if line is None:
        assert said == [] and err == ""
    else:
        assert len(said) == 1 and line in said[0], (out, err)
    assert _snapshot(files) == before


@pytest.mark.parametrize("name", ["invalid.ipynb", "empty.ipynb", "list.ipynb", "binary.py"])
def test_migrate_write_reports_an_unreadable_file_and_leaves_it(name, files, capsys):
    before = _snapshot(files)
    assert main(["migrate", "--write", name]) == 1
    out, err = capsys.readouterr()
    assert out == "" and [line for line in _lines(err) if name in line][0].startswith(f"  {name}:1:1: VS001 cannot read")
    assert _snapshot(files) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_an_unreadable_file_is_a_finding(files, capsys):
    (files / "secret.py").write_text(LEGACY)
    (files / "secret.py").chmod(0)
    try:
        assert main(["check", "secret.py"]) == 1
        assert _lines(capsys.readouterr().out) == ["secret.py:1:1: VS001 cannot read this file: [Errno 13] "
                                                   "Permission denied: 'secret.py'"]
    finally:
        (files / "secret.py").chmod(0o644)


def _varshim(args, cwd):
    return subprocess.run([sys.executable, "-m", "varshim", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.mark.parametrize("name, status, line", [
    ("invalid.ipynb", 1, "varshim run: invalid.ipynb: not a notebook nbformat can read (Notebook does not"),
    ("empty.ipynb", 1, "varshim run: empty.ipynb: the file is empty, not a notebook"),
    ("list.ipynb", 1, "varshim run: list.ipynb: not a notebook nbformat can read"),
    ("missing.ipynb", 2, "varshim run: can't open notebook 'missing.ipynb': No such file or directory"),
    ("nothing_here", 2, "can't open file"),
])
def test_run_on_what_is_not_a_notebook(name, status, line, files):
    pytest.importorskip("IPython")
    before = _snapshot(files)
    result = _varshim(["run", name], files)
    assert result.returncode == status
    assert len(_lines(result.stderr)) == 1 and line in result.stderr, result.stderr
    assert _snapshot(files) == before


def test_run_unknown_option_is_one_line(files):
    result = _varshim(["run", "--frobnicate", "legacy.py"], files)
    assert result.returncode == 2 and _lines(result.stderr) == [
        "varshim run: error: unrecognized arguments: --frobnicate (`varshim run --help` lists the options)"]


# -- Ctrl-C during migrate --write ---------------------------------------------------------------

def _tree(folder, count):
    for i in range(count):
        (folder / f"module_{i:02d}.py").write_text(LEGACY + f"y{i} = Variable(torch.zeros({i + 1}))\n")


def test_interrupted_write_stops_between_files(tmp_path, capsys, monkeypatch):
    _tree(tmp_path, 5)
    before = _snapshot(tmp_path)
    replace, written = cli._replace, []

    def replace_twice(path, text, encoding):  # Ctrl-C arrives while the third file is written
        if len(written) == 2:
            raise KeyboardInterrupt
        replace(path, text, encoding)
        written.append(path)

    monkeypatch.setattr(cli, "_replace", replace_twice)
    assert main(["migrate", "--write", "--jobs", "1", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "varshim migrate: stopped after 2 of 5 files; the others are unchanged"
    assert "Traceback" not in err
    changed = sorted(str(p) for p, data in _snapshot(tmp_path).items() if data != before[p])
    assert changed == sorted(written) and len(changed) == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigint_during_write_leaves_every_file_whole(jobs, tmp_path):
    _tree(tmp_path, 40)
    before = _snapshot(tmp_path)
    child = subprocess.Popen([sys.executable, "-m", "varshim", "migrate", "--write", "--jobs", jobs, str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = tmp_path / "module_00.py"
    deadline = time.monotonic() + 120
    while first.read_bytes() == before[first] and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    after = _snapshot(tmp_path)
    changed = [p for p in after if after[p] != before[p]]
    if child.returncode == 0:  # finished before the signal arrived
        pytest.skip("the migration finished before Ctrl-C")
    assert child.returncode == 130 and "Traceback" not in err
    assert err.splitlines()[-1] == f"varshim migrate: stopped after {len(changed)} of 40 files; the others are unchanged"
    assert set(after) == set(before)  # no temporary file left behind
    for path in changed:  # whole: the migrated text, as an uninterrupted run writes it
        assert after[path].decode() == migrate_source(before[path].decode()).new_source


# -- --jobs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["migrate"], ["check", "--format", "json"]])
def test_jobs_output_is_the_serial_output(command, tmp_path, capsys):
    _tree(tmp_path, 12)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.py").write_text("import torch\ndef f(:\n")
    outputs = []
    for jobs in ("1", "3"):
        status = main([*command, "--jobs", jobs, str(tmp_path)])
        outputs.append((status, capsys.readouterr()))
    assert outputs[0] == outputs[1] and outputs[0][1].out
