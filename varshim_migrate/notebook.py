"""Notebooks: check and migrate the code cells of an `.ipynb`, keeping outputs and metadata.

A notebook is JSON (nbformat 4, and 3's worksheets): it is read and written with `json`, so
checking one costs no more than checking its code, and a migration changes only the sources of
the cells it rewrites (written back as lines, indented by 1, as Jupyter writes them). IPython
syntax (`%magic`, `!shell`, `%%cell` magics) is not Python: magic lines are masked as comments
for the parsers and restored afterwards; a cell magic makes the whole cell opaque. Imports and
globals are shared by all cells, as in the running kernel, so a cell sees the imports of the
first one.
"""

import ast
import collections
import difflib
import json

from .checker import check_source, prepare
from .migration import Migration, migrate_source
from .rule import Finding

__all__ = ["NotebookError", "NotebookMigration", "check_notebook", "migrate_notebook", "joined_cells"]

_MASK = "#@varshim-magic@"


class NotebookError(ValueError):
    """The text is not a notebook this module can read."""


def _load(text):
    """(the notebook's JSON, its cells as a list of dicts)."""
    try:
        notebook = json.loads(text)
    except ValueError as error:
        raise NotebookError(f"not JSON ({error})") from None
    if not isinstance(notebook, dict):
        raise NotebookError("not a notebook (the JSON is not an object)")
    if "cells" in notebook:
        cells = notebook["cells"]
    elif "worksheets" in notebook:  # nbformat 3
        cells = [cell for sheet in notebook["worksheets"] for cell in sheet.get("cells", ())]
    else:
        raise NotebookError("not a notebook (no cells)")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError("not a notebook (its cells are not a list of objects)")
    return notebook, cells


def _source_key(cell):
    return "input" if "input" in cell and "source" not in cell else "source"  # nbformat 3 says input


def _source(cell):
    source = cell.get(_source_key(cell), "")
    return "".join(source) if isinstance(source, list) else source


def _set_source(cell, text):
    key = _source_key(cell)
    cell[key] = text.splitlines(True) if isinstance(cell.get(key), list) else text


def _mask(source):
    lines = source.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        # magics, shell escapes and help (`torch.ones?`, `?x`, `x??`): no Python line ends in `?`
        if stripped.startswith(("%", "!", "?")) or stripped.rstrip().endswith("?"):
            lines[i] = line[: len(line) - len(stripped)] + _MASK + stripped
    return "\n".join(lines)


def _unmask(source):
    return source.replace(_MASK, "")


def _cell_sources(cells):
    """(1-based cell number, cell, source with IPython syntax masked) of each Python code cell."""
    sources = []
    for number, cell in enumerate(cells, 1):
        source = _source(cell)
        if cell.get("cell_type") != "code" or source.lstrip().startswith("%%"):
            continue
        sources.append((number, cell, _mask(source)))
    return sources


def _code_cells(cells):
    """(1-based cell number, cell, masked source, prepared) for each code cell that is Python."""
    return [(number, cell, masked, prepare(masked)) for number, cell, masked in _cell_sources(cells)]


def joined_cells(cells):
    """A notebook's Python code cells (dicts, as JSON or nbformat has them) as one source (a kernel
    shares their imports and names), and a function from one of its lines to (cell number, line)."""
    parts, starts, line = [], [], 1
    for number, _, source in _cell_sources(cells):
        starts.append((line, number))
        parts.append(source)
        line += source.count("\n") + 1

    def cell_line(at):
        start, number = max((s for s in starts if s[0] <= at), default=(1, 0))
        return number, at - start + 1

    return "\n".join(parts), cell_line


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
        _, cells = _load(text)
    except NotebookError as error:
        return [Finding("VS001", 1, 0, f"cannot read this notebook: {error}", path=path)]
    cells = _code_cells(cells)
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
    def inexact(self):
        return sorted({code for _, m in self.cells for code in m.inexact})

    needs_varshim = Migration.needs_varshim

    @property
    def new_source(self):
        if not self.changed:
            return self.source
        return json.dumps(self.notebook, indent=1, ensure_ascii=False) + "\n"

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


def migrate_notebook(text, path, rules, annotate=False, project=None):
    """The notebook migrated cell by cell; raises `NotebookError` if `text` is not a notebook.
    `project` is as for `migrate_source`."""
    notebook, cells = _load(text)
    cells = _code_cells(cells)
    module = _module(cells)
    migrated = []
    for number, cell, masked, prepared in cells:
        migration = migrate_source(masked, rules, annotate, module, prepared, project)
        _located(migration.findings, path, number)
        if migration.changed:
            _set_source(cell, _unmask(migration.new_source))
        migrated.append((number, migration))
    return NotebookMigration(path, text, notebook, migrated)
