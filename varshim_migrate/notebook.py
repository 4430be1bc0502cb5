"""Notebooks: check and migrate the code cells of an `.ipynb`, keeping outputs and metadata.

Cells are read and written with nbformat. IPython syntax (`%magic`, `!shell`, `%%cell` magics)
is not Python: magic lines are masked as comments for the parsers and restored afterwards; a
cell magic makes the whole cell opaque. Imports and globals are shared by all cells, as in the
running kernel, so a cell sees the imports of the first one.
"""

import ast
import collections
import difflib

import nbformat

from .checker import check_source, prepare
from .migration import migrate_source
from .rule import Finding

__all__ = ["NotebookMigration", "check_notebook", "migrate_notebook", "read"]

_MASK = "#@varshim-magic@"


def read(text):
    return nbformat.reads(text, as_version=nbformat.NO_CONVERT)


def _mask(source):
    lines = source.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            lines[i] = line[: len(line) - len(stripped)] + _MASK + stripped
    return "\n".join(lines)


def _unmask(source):
    return source.replace(_MASK, "")


def _code_cells(notebook):
    """(1-based cell number, cell, masked source, prepared) for each code cell that is Python."""
    cells = []
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "code" or cell.source.lstrip().startswith("%%"):
            continue
        masked = _mask(cell.source)
        cells.append((number, cell, masked, prepare(masked)))
    return cells


def _module(cells):
    """One ast module of every cell that parses: the names the kernel would know."""
    body = [statement for *_, (_, _, tree) in cells if isinstance(tree, ast.Module) for statement in tree.body]
    return ast.Module(body=body, type_ignores=[])


def _located(findings, path, number):
    for finding in findings:
        finding.path, finding.cell = path, number
    return findings


def check_notebook(text, path, rules):
    try:
        notebook = read(text)
    except Exception as error:  # nbformat raises several kinds for a broken file
        return [Finding("VS001", 1, 0, f"cannot read this notebook: {error}", path=path)]
    cells = _code_cells(notebook)
    module = _module(cells)
    findings = []
    for number, _, masked, prepared in cells:
        findings.extend(_located(check_source(masked, rules, module, prepared), path, number))
    return findings


class NotebookMigration:
    """A migrated notebook, shaped like `migration.Migration` for the report."""

    def __init__(self, path, text, notebook, cells):
        self.path, self.source, self.notebook, self.cells = path, text, notebook, cells
        self.findings = [f for _, migration in cells for f in migration.findings]
        self.applied = sum((m.applied for _, m in cells), start=collections.Counter())

    @property
    def changed(self):
        return any(m.changed for _, m in self.cells)

    @property
    def human(self):
        return [f for _, m in self.cells for f in m.human]

    @property
    def failure(self):
        return next((m.failure for _, m in self.cells if m.failure), None)

    @property
    def new_source(self):
        if not self.changed:
            return self.source
        text = nbformat.writes(self.notebook)
        return text if text.endswith("\n") else text + "\n"

    def diff(self):
        chunks = []
        for number, migration in self.cells:
            if migration.changed:
                chunks.extend(difflib.unified_diff(
                    _unmask(migration.source).splitlines(True), _unmask(migration.new_source).splitlines(True),
                    f"a/{self.path}:cell-{number}", f"b/{self.path}:cell-{number}",
                ))
                if chunks and not chunks[-1].endswith("\n"):
                    chunks.append("\n")
        return "".join(chunks)


def migrate_notebook(text, path, rules, annotate=False):
    notebook = read(text)
    cells = _code_cells(notebook)
    module = _module(cells)
    migrated = []
    for number, cell, masked, prepared in cells:
        migration = migrate_source(masked, rules, annotate, module, prepared)
        _located(migration.findings, path, number)
        if migration.changed:
            cell.source = _unmask(migration.new_source)
        migrated.append((number, migration))
    return NotebookMigration(path, text, notebook, migrated)
