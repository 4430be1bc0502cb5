"""`varshim run NOTEBOOK --check`: one outcome per cell against outputs saved by PyTorch 0.3.

The notebooks here are written for these tests in the style 0.3-era notebooks were saved in:
legacy `Variable containing:` printouts, unseeded random cells, a lesson's error cell, object
addresses, numpy < 1.14 arrays, timings.
"""

import json
import os
import re
import subprocess
import sys

import nbformat

from varshim.entry.notebook import execute, run_notebook


def result(text):
    return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=None)


def stdout(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def error(ename, evalue):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=["%s: %s" % (ename, evalue)])


def notebook(cells):
    """A v4 notebook of code cells `(source, outputs)` or `(source, outputs, tags)`, counted In [1], [2], ..."""
    nb = nbformat.v4.new_notebook()
    for count, (source, outputs, *tags) in enumerate(cells, 1):
        cell = nbformat.v4.new_code_cell(source, execution_count=count, outputs=outputs)
        if tags:
            cell.metadata["tags"] = tags[0]
        nb.cells.append(cell)
    return nb


def write(tmp_path, cells, name="saved.ipynb"):
    path = str(tmp_path / name)
    nbformat.write(notebook(cells), path)
    return path


# A 0.3 lesson as it was saved: what each cell printed then, and the outcome expected now.
LESSON_03 = [
    ("import random, time\nimport numpy as np\nimport torch\nfrom torch.autograd import Variable",
     [], "match"),
    ("x = Variable(torch.ones(2, 3), requires_grad=True)\nx",
     [result("Variable containing:\n 1  1  1\n 1  1  1\n[torch.FloatTensor of size 2x3]")], "match"),
    ("w = torch.randn(2, 3)\nw",
     [result("\n-0.4376  1.2141 -0.2206\n 0.8152 -1.3125  0.4436\n[torch.FloatTensor of size 2x3]")],
     "random (torch's generator, not seeded by the notebook)"),
    ("print(w.sum(1))",
     [stdout("\n 0.5559\n-0.0537\n[torch.FloatTensor of size 2]\n\n")],
     "random (uses w, random since cell 3 (In [3]))"),
    ("u = torch.Tensor(2, 2)\nprint(u)",
     [stdout("\n 0.0000e+00  1.5846e+29\n-1.8750e+00  3.6893e+19\n[torch.FloatTensor of size 2x2]\n\n")],
     "random (uninitialised memory: torch.Tensor(2, 2))"),
    ("y = x * 2\ny.data",
     [result("\n 2  2  2\n 2  2  2\n[torch.FloatTensor of size 2x3]")], "match"),
    ("z = (x * x).sum()\nz.backward()\nz.backward()",
     [error("RuntimeError", "Trying to backward through the graph a second time, but the buffers have already "
                            "been freed. Specify retain_graph=True when calling backward the first time.")],
     "error (raised RuntimeError, as saved)"),
    ("x.grad",
     [result("Variable containing:\n 2  2  2\n 2  2  2\n[torch.FloatTensor of size 2x3]")], "match"),
    ("torch.manual_seed(1)", [result("<torch._C.Generator at 0x7f0c1d1b2b10>")], "match"),
    ("(x + x).grad_fn", [result("<AddBackward1 at 0x7f0c1c0a4e48>")],
     "not comparable (autograd node numbering: saved AddBackward1, got AddBackward0)"),
    ("x.data.numpy()",
     [result("array([[ 1.,  1.,  1.],\n       [ 1.,  1.,  1.]], dtype=float32)")], "match"),
    ("print(np.arange(4).reshape(2, 2) / 2.)", [stdout("[[ 0.   0.5]\n [ 1.   1.5]]\n")], "match"),
    ("lin = torch.nn.Linear(3, 1)\nlin.weight",
     [result("Parameter containing:\n-0.1392  0.4012  0.2310\n[torch.FloatTensor of size 1x3]")],
     "random (torch's generator: seeded in cell 9 (In [9]), but torch 2.x draws other numbers from a seed "
     "than 0.3 did)"),
    ("lin.weight.data.fill_(0.5)\nlin.weight",
     [result("Parameter containing:\n 0.5000  0.5000  0.5000\n[torch.FloatTensor of size 1x3]")], "match"),
    ("torch.optim.SGD(lin.parameters(), lr=0.1)", [result("<torch.optim.sgd.SGD at 0x7f0c1c0a4e48>")],
     "not comparable (the saved output is only object reprs with memory addresses)"),
    ("[v * 0.1 for v in range(3)], (1, 2.5)",
     [result("([0.0, 0.10000000000000001, 0.20000000000000001], (1, 2.5))")], "match"),
    ("%time y = x * 2", [stdout("CPU times: user 0 ns, sys: 0 ns, total: 0 ns\nWall time: 57.2 \u00b5s\n")],
     "not comparable (timing)"),
    ("t0 = time.time()\nprint('took %.3f s' % (time.time() - t0 + 1))", [stdout("took 1.021 s\n")],
     "not comparable (timing: the cell reads the clock)"),
    ("torch.__version__", [result("'0.3.0.post4'")], "not comparable (a version string)"),
    ("torch.ones?", [],
     "not comparable (IPython introspection (`x?`, `help`, `dir`))"),
    ("torch.ones(2000)",
     [result("\n 1\n 1\n 1\n\u22ee \n 1\n 1\n 1\n[torch.FloatTensor of size 2000]")],
     "not comparable (tensor 1 is summarised with '...')"),
    ("print(time.time())", [stdout("1514764800.123\n")], ["nbval-ignore-output"],
     "not comparable (tagged nbval-ignore-output)"),
    ("x.cuda()", [result("Variable containing:\n 1  1  1\n 1  1  1\n[torch.cuda.FloatTensor of size 2x3 (GPU 0)]")],
     ["nbval-skip"], "skipped (tagged nbval-skip)"),
    ("x.view(4)", [], ["raises-exception"], "error (raised RuntimeError, as tagged raises-exception)"),
    ("np.random.rand(2)", [result("array([ 0.5488135 ,  0.71518937])")],
     "random (numpy's generator, not seeded by the notebook)"),
    ("np.random.seed(0)\nnp.random.rand(2)", [result("array([ 0.5488135 ,  0.71518937])")], "match"),
    ("random.random()", [result("0.8444218515250481")],
     "random (Python's random generator, not seeded by the notebook)"),
    # real differences: a wrong value, a wrong shape in a random cell, an error that no longer happens
    ("(x * 3).data",
     [result("\n 4  4  4\n 4  4  4\n[torch.FloatTensor of size 2x3]")],
     "differs (tensor 1: saved 2x3 [4, 4, 4, 4, 4, 4], got 2x3 [3, 3, 3, 3, 3, 3])"),
    ("torch.randn(3)", [result("\n 0.1\n-0.2\n[torch.FloatTensor of size 2]")],
     "differs (tensor 1: saved size 2 [0.1, -0.2], got 3 [%s])"),
    ("torch.ones(2, 3) + torch.ones(3)",  # 0.1 did not broadcast
     [error("RuntimeError", "inconsistent tensor size at /py/conda-bld/pytorch_1493669264383/work/torch/lib/TH/"
                            "generic/THTensorMath.c:831")],
     "differs (the saved run raised RuntimeError; this run raised nothing)"),
    ("x.no_such_method()", [result("3")],
     "failed (line 1: AttributeError: 'Variable' object has no attribute 'no_such_method')\n"
     "    x.no_such_method()"),
]


def _report(text):
    """A --check report as (one entry per cell, its indented lines included), summary line."""
    *entries, summary = re.split(r"\n(?=cell \d+ |\d+ match)", text.rstrip("\n"))
    return entries, summary


def test_each_outcome_on_a_lesson_saved_by_03(tmp_path, capsys):
    path = write(tmp_path, [cell[:-1] for cell in LESSON_03])
    assert run_notebook(path, check=True, json_path=str(tmp_path / "outcomes.json")) == 1
    entries, summary = _report(capsys.readouterr().out)
    assert len(entries) == len(LESSON_03)
    for number, (entry, cell) in enumerate(zip(entries, LESSON_03), 1):
        prefix, _, suffix = ("cell %d (In [%d]): %s" % (number, number, cell[-1])).partition("%s")
        assert entry.startswith(prefix) and entry.endswith(suffix) and (suffix or entry == prefix), entry
    assert summary == "10 match, 3 differs, 6 random, 8 not comparable, 2 error, 1 failed, 1 skipped"
    saved = json.loads((tmp_path / "outcomes.json").read_text())
    assert saved["counts"] == {"match": 10, "differs": 3, "random": 6, "not comparable": 8, "error": 2,
                               "failed": 1, "skipped": 1}
    assert saved["cells"][2] == {"cell": 3, "execution_count": 3, "outcome": "random",
                                 "detail": "torch's generator, not seeded by the notebook"}
    assert [cell["outcome"] for cell in saved["cells"]] == [c[-1].split(" (")[0] for c in LESSON_03]


def test_random_cells_timings_and_expected_errors_do_not_fail_a_check(tmp_path, capsys):
    cells = [cell[:-1] for cell in LESSON_03 if not cell[-1].startswith(("differs", "failed"))]
    assert run_notebook(write(tmp_path, cells), check=True) == 0
    assert _report(capsys.readouterr().out)[1] == "10 match, 0 differs, 6 random, 8 not comparable, 2 error, 1 skipped"


def test_a_run_goes_on_after_a_cell_whose_saved_output_is_an_error(tmp_path, capsys):
    path = write(tmp_path, [cell[:-1] for cell in LESSON_03[:2] + LESSON_03[6:8]])
    executed = str(tmp_path / "executed.ipynb")
    assert run_notebook(path, output=executed) == 0  # without --check too, as Jupyter went on
    captured = capsys.readouterr()
    assert "RuntimeError: Trying to backward through the graph a second time" in captured.err
    assert captured.out.endswith(" 2  2  2\n 2  2  2\n[torch.FloatTensor of size 2x3]\n")  # x.grad, after it
    cells = nbformat.read(executed, as_version=4).cells
    assert [cell.execution_count for cell in cells] == [1, 2, 3, 4]
    assert [output.output_type for output in cells[2].outputs][-1] == "error"


def test_a_check_goes_on_after_an_unexpected_error(tmp_path, capsys):
    path = write(tmp_path, [("x = 1", []), ("x.backward()", []), ("x + 1", [result("2")])])
    assert run_notebook(path, check=True) == 1
    entries, summary = _report(capsys.readouterr().out)
    assert entries[1] == ("cell 2 (In [2]): failed (line 1: AttributeError: 'int' object has no attribute "
                          "'backward')\n    x.backward()")
    assert (entries[2], summary) == ("cell 3 (In [3]): match", "2 match, 0 differs, 1 failed")


def test_an_error_of_another_type_fails(tmp_path, capsys):
    path = write(tmp_path, [("[][1]", [error("KeyError", "1")]), ("{}[1]", [error("KeyboardInterrupt", "")])])
    assert run_notebook(path, check=True) == 1
    entries, _ = _report(capsys.readouterr().out)
    assert entries == ["cell 1 (In [1]): failed (line 1: IndexError: list index out of range)\n"
                       "    [][1]\n    the saved run raised KeyError",
                       "cell 2 (In [2]): not comparable (the saved run was interrupted (KeyboardInterrupt))"]


def test_each_cell_is_reported_as_it_finishes(tmp_path):
    """The next cell has not run when a cell's outcome is known (a long notebook never looks hung)."""
    folder = tmp_path / "nb"
    folder.mkdir()
    path = write(folder, [("import os, time", []),
                          ("for _ in range(1200):\n    if os.path.exists('go'):\n        break\n"
                           "    time.sleep(0.05)\nprint(os.path.exists('go'))", [stdout("True\n")])])
    env = dict(os.environ, PYTHONWARNINGS="ignore::FutureWarning")
    outcomes = str(tmp_path / "outcomes.json")
    with subprocess.Popen([sys.executable, "-m", "varshim", "run", path, "--json", outcomes, "--seed", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        first = process.stdout.readline()  # --json implies --check
        (folder / "go").write_text("")
        rest, err = process.communicate(timeout=120)
    assert (first, rest) == ("cell 1 (In [1]): match\n", "cell 2 (In [2]): match\n2 match, 0 differs\n"), err
    assert process.returncode == 0
    assert [cell["outcome"] for cell in json.loads(open(outcomes).read())["cells"]] == ["match", "match"]


def test_warnings_name_the_cell_and_line_as_failures_do(tmp_path):
    """In a process of its own: the tests silence legacy warnings, and a run counts those it showed."""
    path = write(tmp_path, [("import torch\nfrom torch.autograd import Variable", []),
                            ("x = Variable(torch.ones(1))\nprint(x.data[0])", [stdout("1.0\n")])])
    executed = str(tmp_path / "executed.ipynb")
    result = subprocess.run([sys.executable, "-m", "varshim", "run", path, "--check", "--output", executed],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "cell 2 (In [2]), line 2: LegacyTorchWarning: x.data[i] on a one-element tensor gave a Python number " \
           "before 0.4: write x.item().\n    print(x.data[0])\n" in result.stderr
    assert "ipython-input" not in result.stderr
    stderr = [output.text for output in nbformat.read(executed, as_version=4).cells[1].outputs
              if output.get("name") == "stderr"]
    assert stderr and stderr[0].startswith("cell 2 (In [2]), line 1: LegacyTorchWarning: Variable(t) is a no-op")


def test_seed_makes_reruns_draw_the_same_numbers_which_stay_random(tmp_path):
    cells = [("import random\nimport numpy as np\nimport torch", []),
             ("torch.rand(2).tolist(), np.random.rand(1).tolist(), random.random()",
              [result("([0.1, 0.2], [0.3], 0.4)")])]
    drawn = []
    for _ in range(2):
        nb = notebook(cells)
        runs = list(execute(nb, str(tmp_path), keep_going=True, seed=3))
        drawn.append(nb.cells[1].outputs[0].data["text/plain"])
    assert drawn[0] == drawn[1]
    assert runs[1].outcome(1e-4) == ("random", "torch's generator, not seeded by the notebook; Python's random "
                                     "generator, not seeded by the notebook; numpy's generator, not seeded by the "
                                     "notebook")
