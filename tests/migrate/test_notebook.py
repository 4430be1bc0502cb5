"""`notebook`: code cells checked and migrated; everything else in the file kept as it was."""

import json

import pytest

from varshim_migrate.notebook import NotebookError, check_notebook, migrate_notebook
from varshim_migrate.rules import RULES


def _cell(source, kind="code", **fields):
    cell = {"cell_type": kind, "metadata": {"tags": ["kept"]}, "source": source}
    if kind == "code":
        cell.update(outputs=[{"output_type": "stream", "name": "stdout", "text": ["1\n"]}], execution_count=3)
    cell.update(fields)
    return cell


def _notebook(*cells):
    return json.dumps({"metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 2,
                       "cells": list(cells)}, indent=1, ensure_ascii=False) + "\n"


NOTEBOOK = _notebook(
    _cell(["# Lesson é\n"], "markdown"),
    _cell(["%matplotlib inline\n", "import torch\n", "from torch.autograd import Variable"]),
    _cell("x = Variable(t)\n!ls\nprint(y.creator)"),  # one string, as some tools write it
    _cell(["%%time\n", "Variable(x)"]),  # a cell magic: not Python
    _cell(["a.reinforce(r)"]),
)


def _locations(findings):
    return [(f.cell, f.line, f.code) for f in findings]


def test_check_reports_code_cells_with_the_imports_of_all_cells():
    findings = check_notebook(NOTEBOOK, "lesson.ipynb", RULES)
    assert _locations(findings) == [(3, 1, "VS101"), (3, 3, "VS104"), (5, 1, "VS502")]
    assert findings[0].format().startswith("lesson.ipynb:cell-3:1:5: VS101")


def test_migrate_changes_only_the_sources_of_the_cells_it_rewrites():
    migration = migrate_notebook(NOTEBOOK, "lesson.ipynb", RULES)
    assert migration.changed and migration.applied == {"VS101": 1, "VS104": 1}
    assert _locations(migration.human) == [(5, 1, "VS502")]
    before, after = json.loads(NOTEBOOK), json.loads(migration.new_source)
    assert after["cells"][2]["source"] == "x = t\n!ls\nprint(y.grad_fn)"  # magic line restored, form kept
    after["cells"][2]["source"] = before["cells"][2]["source"]
    assert after == before  # outputs, metadata, markdown, the cell magic: all as they were
    assert migration.new_source.replace("x = t", "x = Variable(t)").replace("grad_fn", "creator") == NOTEBOOK
    assert "é" in migration.new_source  # written as Jupyter does: not escaped


def test_sources_stored_as_lines_stay_lines():
    text = _notebook(_cell(["import torch\n", "print(y.creator)\n", "z = 1"]))
    cell = json.loads(migrate_notebook(text, "n.ipynb", RULES).new_source)["cells"][0]
    assert cell["source"] == ["import torch\n", "print(y.grad_fn)\n", "z = 1"]


def test_the_diff_names_each_changed_cell():
    diff = migrate_notebook(NOTEBOOK, "lesson.ipynb", RULES).diff()
    assert diff.startswith("--- a/lesson.ipynb:cell-3\n+++ b/lesson.ipynb:cell-3\n")
    assert "-x = Variable(t)\n+x = t\n" in diff and " !ls\n" in diff


def test_a_notebook_without_legacy_code_is_left_byte_for_byte():
    text = _notebook(_cell(["import torch\n", "x = torch.ones(2)"]))
    migration = migrate_notebook(text.replace("\n", "\r\n"), "n.ipynb", RULES)
    assert not migration.changed and migration.new_source == text.replace("\n", "\r\n")


def test_nbformat_3_worksheets_are_read_too():
    text = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["import torch\n", "print(y.creator)"], "language": "python", "outputs": []},
    ]}]})
    assert _locations(check_notebook(text, "old.ipynb", RULES)) == [(1, 2, "VS104")]
    migrated = json.loads(migrate_notebook(text, "old.ipynb", RULES).new_source)
    assert migrated["worksheets"][0]["cells"][0]["input"] == ["import torch\n", "print(y.grad_fn)"]


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not JSON"), ("[1, 2]", "the JSON is not an object"), ('{"metadata": {}}', "no cells"),
    ('{"cells": [1]}', "its cells are not a list of objects"),
])
def test_what_is_not_a_notebook_is_one_vs001_finding(text, reason):
    [finding] = check_notebook(text, "bad.ipynb", RULES)
    assert (finding.code, finding.path) == ("VS001", "bad.ipynb")
    assert finding.message.startswith("cannot read this notebook: ") and reason in finding.message
    with pytest.raises(NotebookError, match=reason):
        migrate_notebook(text, "bad.ipynb", RULES)


def test_a_cell_that_does_not_parse_is_reported_and_the_others_still_migrate():
    text = _notebook(_cell("import torch\ndef f(:"), _cell("print(y.creator)"))
    migration = migrate_notebook(text, "n.ipynb", RULES)
    assert migration.failure.cell == 1 and migration.failure.code == "VS001"
    assert json.loads(migration.new_source)["cells"][1]["source"] == "print(y.grad_fn)"
