"""examples/variables_and_gradients.py (the seed lesson) runs under varshim and shows every value the
lesson shows. Numbers are compared by value: the printing layout is legacy_repr's business."""

import ast
import pathlib
import re
import subprocess
import sys


EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "variables_and_gradients.py"
LEGACY_IMPORT = "from torch.autograd import Variable\n"
ONE_LINE_EDIT = "from varshim import Variable\n"

# The values the lesson's output cells show, cell by cell (shared/seed/variables_and_gradients.md).
LESSON_VALUES = [
    [1.0] * 4,  # In [3]  a
    [1.0] * 4,  # In [4]  torch.ones(2, 2)
    [2.0] * 4,  # In [7]  a + b
    [2.0] * 4,  # In [8]  torch.add(a, b)
    [1.0] * 4,  # In [9]  a * b
    [1.0] * 4,  # In [9]  torch.mul(a, b)
    [1.0, 1.0],  # In [49] x
    [20.0, 20.0],  # In [50] y
    [20.0],  # In [51] o
    [10.0, 10.0],  # In [17] x.grad
    [10.0, 10.0],  # In [52] x.grad after o.backward(torch.FloatTensor([1.0, 1.0]))
]

# A number not glued to a word (skips "AddBackward0"), outside legacy size footers.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d*)?(?:e[-+]?\d+)?(?![\w])")
_SIZE_FOOTER = re.compile(r"\[torch\.\w+ of size [\dx]+\]")


def _numbers(text):
    return [float(token) for token in _NUMBER.findall(_SIZE_FOOTER.sub("", text))]


def _run(args, cwd):
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _expected():
    return [value for cell in LESSON_VALUES for value in cell]


def test_example_is_the_lesson_with_its_legacy_import():
    source = EXAMPLE.read_text()
    imports = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [ast.unparse(node) for node in imports] == ["import torch", LEGACY_IMPORT.strip()]
    assert source.count(LEGACY_IMPORT) == 1
    assert "o.backward(torch.FloatTensor([1.0, 1.0]))" in source


def test_number_parser_ignores_layout():
    legacy = "Variable containing:\n 1  1\n 1  1\n[torch.FloatTensor of size 2x2]\n"
    assert _numbers("Variable containing:\n 20\n[torch.FloatTensor of size 1]\n") == [20.0]
    modern = "tensor([[1., 1.],\n        [1., 1.]], grad_fn=<AddBackward0>)\ntensor(20.)\n"
    assert _numbers(legacy) == [1.0] * 4
    assert _numbers(modern) == [1.0] * 4 + [20.0]


def test_one_line_import_edit_runs_with_plain_python(tmp_path):
    edited = EXAMPLE.read_text().replace(LEGACY_IMPORT, ONE_LINE_EDIT)
    script = tmp_path / EXAMPLE.name
    script.write_text(edited)
    result = _run([str(script)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _numbers(result.stdout) == _expected()


def test_unchanged_lesson_runs_under_python_m_varshim(tmp_path):
    result = _run(["-m", "varshim", str(EXAMPLE)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _numbers(result.stdout) == _expected()


def test_unchanged_lesson_fails_on_plain_torch(tmp_path):
    # Why varshim exists: without it the lesson's last cell is a modern shape error.
    result = _run([str(EXAMPLE)], cwd=tmp_path)
    assert result.returncode != 0
    assert "Mismatch in shape" in result.stderr
    assert _numbers(result.stdout) == _expected()[:-2]
