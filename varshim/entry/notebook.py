"""`varshim run NOTEBOOK.ipynb`: run a legacy notebook's code cells in order, in IPython, under varshim.

Cells run in an `InteractiveShell` (magics work; `%matplotlib inline` draws headless with Agg) with
`%load_ext varshim` applied (varshim installed, `async=` read as `non_blocking=`), in the
notebook's folder, whose modules may use `async=` too. The first failing cell stops the run and
is reported with its cell number and the line of the cell that failed. `--check` compares each
cell's output with the saved one by value (`varshim.entry.saved_outputs`); `--output` writes the executed
notebook with nbformat.
"""

import contextlib
import os
import sys

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from . import saved_outputs
from .ipython import load_ipython_extension
from .project_imports import program_files

__all__ = ["run_notebook", "execute", "CellFailure"]


class _RecordingDisplayHook(DisplayHook):
    """The last expression of a cell becomes an `execute_result` output (no `Out[n]:` printing)."""

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.record(nbformat.v4.new_output(
            "execute_result", data=format_dict, metadata=md_dict or {}, execution_count=self.prompt_count))

    def finish_displayhook(self):
        self._is_active = False


class _RecordingDisplayPublisher(DisplayPublisher):
    """`display(...)` and inline figures become `display_data` outputs."""

    def publish(self, data, metadata=None, *args, transient=None, update=False, **kwargs):
        self.shell.record(nbformat.v4.new_output("display_data", data=data, metadata=metadata or {}))

    def clear_output(self, wait=False):
        self.shell.outputs.clear()


class _NotebookShell(InteractiveShell):
    displayhook_class = Type(_RecordingDisplayHook)
    display_pub_class = Type(_RecordingDisplayPublisher)

    def __init__(self, echo, **kwargs):
        super().__init__(**kwargs)
        self.echo = echo and (sys.stdout, sys.stderr)  # where the user sees the cells' output
        self.outputs = []

    def record(self, output):
        if self.echo and output.output_type == "stream":
            self.echo[output.name == "stderr"].write(output.text)
        elif self.echo and "text/plain" in output.get("data", {}):
            print(output.data["text/plain"], file=self.echo[0])
        last = self.outputs[-1] if self.outputs else None
        if last is not None and output.output_type == "stream" and last.output_type == "stream" \
                and last.name == output.name:
            last.text += output.text
        else:
            self.outputs.append(output)

    def enable_gui(self, gui=None):
        """Headless: no GUI event loop (figures are drawn by the inline backend or Agg)."""

    def _showtraceback(self, etype, evalue, stb):
        self.outputs.append(nbformat.v4.new_output(
            "error", ename=etype.__name__, evalue=str(evalue), traceback=list(stb)))


class _Stream:
    """sys.stdout / sys.stderr during a cell: text becomes `stream` outputs, in order."""

    def __init__(self, shell, name):
        self.shell, self.name = shell, name

    def write(self, text):
        if text:
            self.shell.record(nbformat.v4.new_output("stream", name=self.name, text=text))
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


class CellFailure:
    """The first failing cell: its 1-based number among all the notebook's cells, line and error."""

    def __init__(self, cell_number, label, line, source_line, error):
        self.cell_number, self.label, self.line, self.source_line, self.error = (
            cell_number, label, line, source_line, error)

    def __str__(self):
        where = self.label + (", line %d" % self.line if self.line else "")
        message = self.error.msg if isinstance(self.error, SyntaxError) else self.error  # not IPython's file name
        text = "%s failed: %s: %s" % (where, type(self.error).__name__, message)
        return text + ("\n    " + self.source_line.strip() if self.source_line else "")


@contextlib.contextmanager
def _kernel_like_process(folder):
    """cwd, sys.path and import hook as a Jupyter kernel started in `folder`; restored afterwards."""
    import builtins

    saved = os.getcwd(), list(sys.path), sys.modules.get("__main__"), set(vars(builtins))
    os.environ.setdefault("MPLBACKEND", "Agg")  # headless; `%matplotlib inline` still works
    os.chdir(folder)
    sys.path.insert(0, folder)
    try:
        with program_files(folder):
            yield
    finally:
        os.chdir(saved[0])
        sys.path[:] = saved[1]
        sys.modules["__main__"] = saved[2]
        for name in set(vars(builtins)) - saved[3]:  # IPython adds `display` and `__IPYTHON__`
            delattr(builtins, name)


def execute(nb, folder, echo=False):
    """Run `nb`'s code cells in order, outputs in place; return the first `CellFailure` or None.

    Each code cell gets its new `outputs` and `execution_count`; cells after a failure are not run
    and keep what was saved.
    """
    config = Config()
    config.HistoryManager.enabled = False
    with _kernel_like_process(os.path.abspath(folder)):
        shell = _NotebookShell.instance(echo=echo, config=config, colors="nocolor")
        load_ipython_extension(shell)
        try:
            for number, cell in enumerate(nb.cells, 1):
                if cell.cell_type != "code":
                    continue
                failure = _run_cell(shell, cell, number)
                if failure is not None:
                    return failure
            return None
        finally:
            _NotebookShell.clear_instance()


def _run_cell(shell, cell, number):
    label = _label(cell, number)
    shell.outputs = []
    count = shell.execution_count
    with contextlib.redirect_stdout(_Stream(shell, "stdout")), contextlib.redirect_stderr(_Stream(shell, "stderr")):
        result = shell.run_cell(cell.source, store_history=True)
    cell.outputs = shell.outputs
    cell.execution_count = count
    error = result.error_before_exec or result.error_in_exec
    if error is None:
        return None
    if shell.echo:
        for output in shell.outputs:
            if output.output_type == "error":
                print("\n".join(output.traceback), file=shell.echo[1])
    line = _cell_line(shell, error, count)
    lines = cell.source.splitlines()
    return CellFailure(number, label, line, lines[line - 1] if line and line <= len(lines) else None, error)


def _cell_line(shell, error, count):
    """The cell's line that was running when `error` was raised (a SyntaxError: its own line)."""
    cell_name = ("Cell", "In[%d]" % count)
    if isinstance(error, SyntaxError) and shell.compile.format_code_name(error.filename or "") == cell_name:
        return error.lineno
    line = None
    tb = error.__traceback__
    while tb is not None:
        if shell.compile.format_code_name(tb.tb_frame.f_code.co_filename) == cell_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _text(outputs):
    """What a reader compares: stdout, results and displays as plain text (stderr is warnings)."""
    parts = []
    for output in outputs:
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data") and "text/plain" in output.data \
                and not any(kind.startswith("image/") for kind in output.data):  # a figure's text is its address
            parts.append(output.data["text/plain"] + "\n")
        elif output.output_type == "error":
            parts.append("%s: %s\n" % (output.ename, output.evalue))
    return "".join(parts)


def check_cell(saved_cell, new_outputs, tolerance):
    """(status, explanation) of one cell: `saved_outputs.MATCH`, `saved_outputs.DIFFERS` or `saved_outputs.NOT_COMPARABLE`."""
    saved, new = _text(saved_cell), _text(new_outputs)
    if not saved.strip():
        if any(output.output_type != "stream" or output.name == "stdout" for output in saved_cell):
            return saved_outputs.NOT_COMPARABLE, "the saved output is an image or other non-text data"
        if new.strip():
            return saved_outputs.NOT_COMPARABLE, "no saved output"
        return saved_outputs.MATCH, ""
    return saved_outputs.compare(saved, new, tolerance)


def _label(cell, number):
    saved_count = cell.get("execution_count")
    return "cell %d" % number + (" (In [%s])" % saved_count if saved_count is not None else "")


def run_notebook(path, check=False, tolerance=1e-4, output=None):
    """`varshim run NOTEBOOK.ipynb [--check] [--tolerance TOL] [--output FILE]`; returns the exit status."""
    nb = nbformat.read(path, as_version=4)
    saved = [(number, _label(cell, number), list(cell.outputs))
             for number, cell in enumerate(nb.cells, 1) if cell.cell_type == "code"]
    failure = execute(nb, os.path.dirname(os.path.abspath(path)), echo=not check)
    if output:
        nbformat.validate(nb)
        nbformat.write(nb, output)
    status = 0 if failure is None else 1
    if check:
        counts = {saved_outputs.MATCH: 0, saved_outputs.DIFFERS: 0, saved_outputs.NOT_COMPARABLE: 0}
        for number, label, saved_cell in saved:
            if failure is not None and number >= failure.cell_number:
                break
            verdict, detail = check_cell(saved_cell, nb.cells[number - 1].outputs, tolerance)
            counts[verdict] += 1
            if "\n" in detail:  # a diff
                print("%s: %s\n    %s" % (label, verdict, detail.replace("\n", "\n    ")))
            else:
                print("%s: %s" % (label, verdict) + (" (%s)" % detail if detail else ""))
        print("%d match, %d differ, %d not comparable" % tuple(counts.values())
              + (", stopped at %s" % failure.label if failure else ""))
        status = max(status, 1 if counts[saved_outputs.DIFFERS] else 0)
    if failure is not None:
        print("varshim run: %s" % failure, file=sys.stderr)
    return status
