"""`varshim check` and `varshim migrate` command lines: files, folders, notebooks, stdin, reports."""

import io
import json
import os
import stat
import sys

import nbformat
import pytest

from varshim_cli import main

LEGACY = """\
import torch
from torch.autograd import Variable

x = Variable(torch.ones(2), requires_grad=True)  # weights
loss = (x * 2).sum()
loss.backward()
print(loss.data[0])
action.reinforce(1.0)
"""

MIGRATED = """\
import torch
from torch.autograd import Variable

x = torch.ones(2).requires_grad_()  # weights
loss = (x * 2).sum()
loss.backward()
print(loss.item())
action.reinforce(1.0)
"""

MODERN = "import torch\n\nx = torch.ones(2).requires_grad_()\nprint(x.sum().item())\n"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "legacy.py").write_text(LEGACY)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "modern.py").write_text(MODERN)
    (tmp_path / "pkg" / "broken.py").write_text("import torch\ndef f(:\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "skipped.py").write_text(LEGACY)
    (tmp_path / "notes.txt").write_text(LEGACY)
    return tmp_path


def _notebook(path):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Lesson"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch\nfrom torch.autograd import Variable"),
        nbformat.v4.new_code_cell(
            "a = Variable(torch.ones(2, 2), requires_grad=True)\n!ls\na",
            outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "Variable containing:\n 1  1\n 1  1\n"},
                                            execution_count=2)],
            execution_count=2,
        ),
        nbformat.v4.new_code_cell("%%time\nVariable(x)"),
    ]
    nbformat.write(notebook, str(path))
    return notebook


# -- check ---------------------------------------------------------------------------------------


def test_check_reports_files_and_folders_recursively(tree, capsys):
    assert main(["check", str(tree)]) == 1
    lines = capsys.readouterr().out.splitlines()
    legacy = str(tree / "legacy.py")
    assert lines[0] == f"{legacy}:4:5: VS101 Variable(x, requires_grad=...) is a tensor since 0.4: write " \
                       "torch.ones(2).requires_grad_()"
    codes = [(line.split(":")[0], line.split(": ")[1].split()[0]) for line in lines]
    assert codes == [(legacy, "VS101"), (legacy, "VS201"), (legacy, "VS502"), (str(tree / "pkg" / "broken.py"), "VS001")]


def test_check_clean_exit_zero_and_select_ignore(tree, capsys):
    assert main(["check", str(tree / "pkg" / "modern.py")]) == 0
    assert main(["check", "--select", "VS2", str(tree / "legacy.py")]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["VS201"]
    assert main(["check", "--ignore", "VS1,VS2,VS5", str(tree / "legacy.py")]) == 0


def test_check_json(tree, capsys):
    assert main(["check", "--format", "json", str(tree / "legacy.py")]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in findings] == ["VS101", "VS201", "VS502"]
    assert findings[2]["suggestion"].startswith("m = torch.distributions.Categorical(probs)")
    assert findings[0]["line"] == 4 and findings[0]["col"] == 5 and findings[0]["fixable"] is True


def test_check_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"import torch\nprint(y.creator)\n")))
    assert main(["check", "-"]) == 1
    assert capsys.readouterr().out == "-:2:7: VS104 Variable.creator was renamed in 0.2: write .grad_fn\n"


@pytest.mark.parametrize("argv", [["check"], ["check", "--select", "VS9"], ["check", "no/such/file.py"],
                                  ["migrate", "--write", "--diff", "x.py"], ["check", "--format", "xml", "x.py"]])
def test_usage_errors_exit_two(argv, capsys):
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_check_notebook_reports_cells(tmp_path, capsys):
    _notebook(tmp_path / "lesson.ipynb")
    assert main(["check", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (
        f"{tmp_path / 'lesson.ipynb'}:cell-3:1:5: VS101 Variable(x, requires_grad=...) is a tensor since 0.4: "
        "write torch.ones(2, 2).requires_grad_()\n"
    )


def test_undecodable_file_is_a_finding(tmp_path, capsys):
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: utf-8 -*-\nx = '\xff'\n")
    assert main(["check", str(tmp_path)]) == 1
    assert "VS001 cannot read this file" in capsys.readouterr().out


# -- migrate -------------------------------------------------------------------------------------


def test_migrate_prints_a_diff_and_report_without_writing(tree, capsys):
    assert main(["migrate", str(tree)]) == 1  # something needs a human, a file failed to parse
    captured = capsys.readouterr()
    assert (tree / "legacy.py").read_text() == LEGACY
    assert f"--- a/{tree / 'legacy.py'}" in captured.out
    assert "-x = Variable(torch.ones(2), requires_grad=True)  # weights\n+x = torch.ones(2).requires_grad_()  # weights\n" \
        in captured.out
    report = captured.err
    assert "3 file(s) scanned, 1 would be rewritten" in report
    assert "VS101     1  Variable(x)" in report and "VS201     1" in report
    assert f"Needs a human (1), left unchanged:\n  {tree / 'legacy.py'}:8:1: VS502" in report
    assert "suggested: m = torch.distributions.Categorical(probs)" in report
    assert f"Failed to parse (1), left unchanged:\n  {tree / 'pkg' / 'broken.py'}:2:7: VS001" in report


def test_migrate_write_is_atomic_keeps_mode_and_is_idempotent(tree, capsys):
    path = tree / "legacy.py"
    os.chmod(path, 0o754)
    before = set(os.listdir(tree))
    main(["migrate", "--write", str(path)])
    assert path.read_text() == MIGRATED
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o754
    assert set(os.listdir(tree)) == before  # no temporary file left behind
    capsys.readouterr()
    assert main(["migrate", "--write", str(path)]) == 1  # reinforce still needs a human
    captured = capsys.readouterr()
    assert path.read_text() == MIGRATED and "0 rewritten" in captured.err and captured.out == ""


def test_migrate_never_touches_modern_code(tree, capsys):
    assert main(["migrate", "--write", str(tree / "pkg" / "modern.py")]) == 0
    assert (tree / "pkg" / "modern.py").read_text() == MODERN
    assert capsys.readouterr().out == ""


def test_migrate_annotate_marks_what_needs_a_human(tree, capsys):
    main(["migrate", "--write", "--annotate", str(tree / "legacy.py")])
    text = (tree / "legacy.py").read_text()
    assert "print(loss.item())\n# varshim: VS502 m = torch.distributions.Categorical(probs);" in text
    main(["migrate", "--write", "--annotate", str(tree / "legacy.py")])
    assert (tree / "legacy.py").read_text() == text


def test_migrate_stdin_to_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LEGACY.encode())))
    main(["migrate", "--write", "-"])
    assert capsys.readouterr().out == MIGRATED


def test_migrate_keeps_encoding_and_newlines(tmp_path, capsys):
    path = tmp_path / "crlf.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\r\nimport torch\r\nx = y.creator  # \xe9\r\n")
    main(["migrate", "--write", str(path)])
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\r\nimport torch\r\nx = y.grad_fn  # \xe9\r\n"


def test_migrate_notebook_code_cells_only(tmp_path, capsys):
    original = _notebook(tmp_path / "lesson.ipynb")
    assert main(["migrate", str(tmp_path / "lesson.ipynb")]) == 0
    assert f"+++ b/{tmp_path / 'lesson.ipynb'}:cell-3" in capsys.readouterr().out
    main(["migrate", "--write", str(tmp_path / "lesson.ipynb")])
    notebook = nbformat.read(str(tmp_path / "lesson.ipynb"), as_version=4)
    assert notebook.cells[1].source == original.cells[1].source  # magics and imports kept
    assert notebook.cells[2].source == "a = torch.ones(2, 2).requires_grad_()\n!ls\na"
    assert notebook.cells[2].outputs == original.cells[2].outputs
    assert notebook.cells[3].source == "%%time\nVariable(x)"  # a cell magic: not Python
    assert notebook.metadata == original.metadata and notebook.cells[0] == original.cells[0]


def test_help_exits_zero(capsys):
    assert main(["check", "--help"]) == 0
    assert "examples:" in capsys.readouterr().out
    assert main(["migrate", "--help"]) == 0
