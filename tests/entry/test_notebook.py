"""`varshim run NOTEBOOK.ipynb`: legacy notebooks run in IPython under varshim; --check; --output."""

import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from varshim.entry.notebook import run_notebook

FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "legacy_notebook")
LESSON = os.path.join(FOLDER, "lesson.ipynb")  # PyTorch 0.3 printing, `async=`, a plot
SEED = os.path.join(FOLDER, "variables_and_gradients.ipynb")  # the seed lesson as saved (0.4 printing)


@pytest.fixture
def copy(tmp_path):
    """A copy of the lesson (with its helper module) that a test may edit: edit(cell_number, ...)."""
    shutil.copy(os.path.join(FOLDER, "tensor_utils.py"), tmp_path)
    nb = nbformat.read(LESSON, as_version=4)
    path = str(tmp_path / "lesson.ipynb")

    def write(edit):
        edit(nb.cells)
        nbformat.write(nb, path)
        return path

    return write


def test_legacy_lesson_matches_its_saved_outputs(capsys):
    assert run_notebook(LESSON, check=True) == 0
    report = capsys.readouterr().out.splitlines()
    assert report == [
        "cell 2 (In [1]): match",
        "cell 3 (In [2]): match",
        "cell 4 (In [3]): match",
        "cell 5 (In [4]): match",
        "cell 6 (In [5]): match",
        "cell 7 (In [6]): match",
        "cell 8 (In [7]): match",
        "cell 10 (In [8]): not comparable (the saved output is an image or other non-text data)",
        "cell 11 (In [9]): match",
        "8 match, 0 differs, 1 not comparable",
    ]


def test_seed_lesson_as_saved_fails_at_its_out_of_order_cell(capsys):
    """Saved after In [49]..[51] were re-run; in order, the second backward hits a freed graph."""
    assert run_notebook(SEED, check=True) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0].startswith(
        "varshim: variables_and_gradients.ipynb runs as code for PyTorch 0.3: variables_and_gradients.ipynb cell 3, "
        "line 1 has Variable(x)")
    report = captured.out.splitlines()
    assert report[-3].startswith("cell 15 (In [52]): failed (line 2: RuntimeError: Trying to backward through the "
                                 "graph a second time")
    assert report[-2:] == ["    o.backward(torch.FloatTensor([1.0, 1.0]))", "12 match, 0 differs, 1 failed"]

    assert run_notebook(SEED) == 1  # without --check: the failure, on stderr
    message = capsys.readouterr().err.splitlines()[-2:]
    assert message[0].startswith("varshim run: cell 15 (In [52]), line 2 failed: RuntimeError:")
    assert message[1].strip() == "o.backward(torch.FloatTensor([1.0, 1.0]))"


def test_seed_lesson_with_its_rebuild_cell_matches(tmp_path, capsys):
    nb = nbformat.read(SEED, as_version=4)
    rebuild = next(i for i, cell in enumerate(nb.cells) if cell.source.startswith("# backward in detail"))
    nb.cells.insert(rebuild, nbformat.v4.new_code_cell("x = Variable(torch.ones(2), requires_grad=True)\n"
                                                       "y = 5 * (x + 1) ** 2\no = (1/2) * torch.sum(y)"))
    path = str(tmp_path / "seed.ipynb")
    nbformat.write(nb, path)
    assert run_notebook(path, check=True) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "14 match, 0 differs"


def test_changed_values_and_text_differ(copy, capsys):
    def edit(cells):
        cells[4].outputs[0].data["text/plain"] = "Variable containing:\n 28\n[torch.FloatTensor of size 1]"
        cells[6].outputs[0].text = "loss 26.0\n"

    assert run_notebook(copy(edit), check=True) == 1
    report = capsys.readouterr().out
    assert "cell 5 (In [4]): differs (tensor 1: saved 1 [28], got 1 [27])" in report
    assert "cell 7 (In [6]): differs\n    @@ -1 +1 @@\n    -loss 26.0\n    +loss 27.0\n" in report
    assert report.splitlines()[-1] == "6 match, 2 differs, 1 not comparable"


def test_first_failing_cell_is_reported_with_the_users_line(copy, capsys):
    def edit(cells):
        cells[5].source = "z.backward()\nx.grad\ny.copy_(x, async=True)\nz = (1 + 2))"  # SyntaxError on line 4

    assert run_notebook(copy(edit), check=False) == 1
    captured = capsys.readouterr()
    assert "3  3" in captured.out  # cells before it ran, their output shown
    message = captured.err.splitlines()[-2:]
    assert message == ["varshim run: cell 6 (In [5]), line 4 failed: SyntaxError: unmatched ')'", "    z = (1 + 2))"]


def test_error_in_a_sibling_module_points_at_the_cells_line(copy, capsys):
    def edit(cells):
        cells[3].source = "print('before')\ny = to_device(None)\nprint(y)"

    assert run_notebook(copy(edit)) == 1
    err = capsys.readouterr().err
    assert "varshim run: cell 4 (In [3]), line 2 failed: AttributeError:" in err
    assert "tensor_utils.py" in err  # the IPython traceback goes on into the module
    assert err.rstrip().endswith("y = to_device(None)")


def test_output_writes_the_executed_notebook_with_a_headless_plot(tmp_path):
    out = str(tmp_path / "executed.ipynb")
    result = subprocess.run([sys.executable, "-m", "varshim", "run", LESSON, "--check", "--output", out],
                            capture_output=True, text=True, cwd=str(tmp_path), timeout=120,
                            env=dict(os.environ, PYTHONWARNINGS="ignore::FutureWarning"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "8 match, 0 differs, 1 not comparable"
    executed = nbformat.read(out, as_version=4)
    nbformat.validate(executed)
    saved = nbformat.read(LESSON, as_version=4)
    assert [c.source for c in executed.cells] == [c.source for c in saved.cells]
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    results = [o for cell in code for o in cell.outputs if o.output_type == "execute_result"]
    first = ["Variable containing:", " 1  1", " 1  1", "[torch.FloatTensor of size 2x2]"]
    assert results[0].data["text/plain"].splitlines() == first
    plot = code[7].outputs
    assert [o.output_type for o in plot] == ["display_data"] and "image/png" in plot[0].data


def test_a_notebooks_cells_are_its_programs_files(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import torch\nfrom torch.autograd import Variable"),
        nbformat.v4.new_code_cell("print(torch.arange(3).dtype)"),  # no 0.3 idiom of its own
        nbformat.v4.new_code_cell("x = Variable(torch.ones(1))"),  # dates all cells, the earlier ones too
        nbformat.v4.new_code_cell("print(torch.LongTensor([2]).max() + 1)"),  # a 0.3 Tensor's number
    ])
    path = str(tmp_path / "cells.ipynb")
    nbformat.write(nb, path)
    assert run_notebook(path) == 0
    captured = capsys.readouterr()
    assert "torch.float32\n" in captured.out and "\n3\n" in captured.out
    assert captured.err.splitlines()[0] == (
        "varshim: cells.ipynb runs as code for PyTorch 0.3: cells.ipynb cell 3, line 1 has Variable(x) (VS101, a 0.3 "
        "idiom); varshim run --written-for modern runs it with torch 2.x rules")
    assert run_notebook(path, written_for="modern") == 0
    modern = capsys.readouterr().out
    assert "torch.int64\n" in modern and "tensor(3)\n" in modern
