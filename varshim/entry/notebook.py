"""`varshim run NOTEBOOK.ipynb`: run a legacy notebook's code cells in order, in IPython, under varshim.

Cells run in an `InteractiveShell` (magics work; `%matplotlib inline` draws headless with Agg) with
`%load_ext varshim` applied (varshim installed, `async=` read as `non_blocking=`), in the
notebook's folder, whose modules may use `async=` too. The cells and those modules are the legacy
program; the release it was written for is `written_for`, "auto" to date it from all its code
cells (read as one source, as the kernel shares their imports) before the first one runs. The
first cell that fails unexpectedly stops
the run and is reported with its cell number and the line of the cell that failed; cells whose
saved output is an error (or tagged `raises-exception`) may raise and the run goes on, as it did in
Jupyter. `--check` runs every cell and gives each an outcome as it finishes, judged by the rules of
`varshim.entry.saved_outputs` (the saved-output reader); `--json` writes the outcomes, `--output` the executed
notebook. Warnings from a cell's code name the cell and line as failures do.
"""

import contextlib
import json
import linecache
import os
import sys
import tempfile
import warnings

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from .. import legacy_program
from . import saved_outputs
from .ipython import load_ipython_extension, notebook_entry
from .project_imports import program_files

__all__ = ["run_notebook", "execute", "CellRun", "CellFailure"]


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
        # where the user sees the cells' output: stderr (warnings) always, the rest unless it is checked
        self.echo = (sys.stdout if echo else None, sys.stderr)
        self.outputs = []

    def record(self, output):
        if output.output_type == "stream" and self.echo[output.name == "stderr"]:
            self.echo[output.name == "stderr"].write(output.text)
        elif self.echo[0] and "text/plain" in output.get("data", {}):
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
    """A failing cell: its 1-based number among all the notebook's cells, label, line and error."""

    def __init__(self, cell_number, label, line, source_line, error):
        self.cell_number, self.label, self.line, self.source_line, self.error = (
            cell_number, label, line, source_line, error)

    def __str__(self):
        where = self.label + (", line %d" % self.line if self.line else "")
        text = "%s failed: %s: %s" % (where, type(self.error).__name__, self._message())
        return text + ("\n    " + self.source_line.strip() if self.source_line else "")

    def _message(self):
        return self.error.msg if isinstance(self.error, SyntaxError) else self.error  # not IPython's file name

    def reason(self):
        """`line 2: RuntimeError: <first line of the message>`, then the line's text on a line of its own."""
        message = str(self._message()).strip().split("\n")[0]
        text = ("line %d: " % self.line if self.line else "") + "%s: %s" % (type(self.error).__name__, message)
        return text + ("\n" + self.source_line.strip() if self.source_line else "")


class CellRun:
    """A code cell as it finished: its number and label, its saved outputs (the cell has the new
    ones), its nbval markers, its `CellFailure` if it raised, why its numbers are random, if they are."""

    def __init__(self, number, label, cell, saved, cell_markers):
        self.number, self.label, self.cell, self.saved, self.markers = number, label, cell, saved, cell_markers
        self.saved_count = cell.get("execution_count")  # the cell itself gets this run's count
        self.skipped = saved_outputs.SKIP in cell_markers
        self.failure = self.random_because = None

    @property
    def expected_error(self):
        return saved_outputs.expects_error(self.saved, self.markers)

    def outcome(self, tolerance):
        """(outcome, explanation), by the rules of the saved-output reader."""
        if self.skipped:
            return saved_outputs.SKIPPED, "tagged " + saved_outputs.SKIP
        raised = type(self.failure.error).__name__ if self.failure else None
        outcome, detail = saved_outputs.judge(self.saved, self.cell.outputs, self.cell.source, raised,
                                              self.random_because, self.markers, tolerance)
        if outcome == saved_outputs.FAILED:
            return outcome, self.failure.reason() + ("\n" + detail if detail else "")
        return outcome, detail


@contextlib.contextmanager
def _kernel_like_process(folder, program):
    """cwd, sys.path and import hook as a Jupyter kernel started in `folder`, whose files and cells
    are the legacy program (`program`: the `legacy_program.enter` options); restored afterwards."""
    import builtins

    saved = os.getcwd(), list(sys.path), sys.modules.get("__main__"), set(vars(builtins))
    os.environ.setdefault("MPLBACKEND", "Agg")  # headless; `%matplotlib inline` still works
    os.chdir(folder)
    sys.path.insert(0, folder)
    try:
        with program_files(folder, cells=True, **program):
            yield
    finally:
        os.chdir(saved[0])
        sys.path[:] = saved[1]
        sys.modules["__main__"] = saved[2]
        for name in set(vars(builtins)) - saved[3]:  # IPython adds `display` and `__IPYTHON__`
            delattr(builtins, name)


def execute(nb, folder, echo=False, keep_going=False, seed=None, written_for="auto", name="the notebook",
            announce=True):
    """Run `nb`'s code cells in order, outputs in place; yield a `CellRun` for each as it finishes.

    Each code cell that runs gets its new `outputs` and `execution_count`; a cell tagged nbval-skip
    does not run. A cell that fails, unless it was expected to (`CellRun.expected_error`), ends the
    run unless `keep_going`; cells not run keep what was saved. `seed` seeds torch, numpy and
    Python's random before the first cell. The program's release (`legacy_program`) is announced on
    stderr unless `announce` is false.
    """
    config = Config()
    config.HistoryManager.enabled = False
    program = dict(written_for=written_for, name=name, entry=notebook_entry(nb, name),
                   override="varshim run --written-for {0}", announce=legacy_program.to_stderr if announce else None)
    with _kernel_like_process(os.path.abspath(folder), program):
        shell = _NotebookShell.instance(echo=echo, config=config, colors="nocolor")
        load_ipython_extension(shell)
        sources = saved_outputs.RandomSources(shell.user_ns)
        labels = {}  # this run's execution count -> the cell's label
        try:
            with sources.watch(), _warnings_named_by_cell(shell, labels):
                if seed is not None:
                    sources.seed_all(seed)
                for number, cell in enumerate(nb.cells, 1):
                    if cell.cell_type != "code":
                        continue
                    run = CellRun(number, _label(cell, number), cell, list(cell.outputs), saved_outputs.markers(cell))
                    if not run.skipped:
                        _run_cell(shell, run, sources, labels)
                    yield run
                    if run.failure is not None and not run.expected_error and not keep_going:
                        return
        finally:
            _NotebookShell.clear_instance()


def _run_cell(shell, run, sources, labels):
    cell = run.cell
    shell.outputs = []
    count = shell.execution_count
    labels[count] = run.label
    sources.start_cell(run.label)
    with contextlib.redirect_stdout(_Stream(shell, "stdout")), contextlib.redirect_stderr(_Stream(shell, "stderr")):
        result = shell.run_cell(cell.source, store_history=True)
    run.random_because = sources.end_cell(shell.transform_cell(cell.source), run.label)
    cell.outputs = shell.outputs
    cell.execution_count = count
    error = result.error_before_exec or result.error_in_exec
    if error is None:
        return
    if shell.echo[0]:  # as the notebook showed it
        for output in shell.outputs:
            if output.output_type == "error":
                print("\n".join(output.traceback), file=shell.echo[1])
    line = _cell_line(shell, error, count)
    lines = cell.source.splitlines()
    run.failure = CellFailure(run.number, run.label, line, lines[line - 1] if line and line <= len(lines) else None,
                              error)


def _cell_count(shell, filename):
    """The execution count of the cell whose code object has `filename`, or None (not a cell's)."""
    name = shell.compile.format_code_name(filename or "")
    if not name or name[0] != "Cell":
        return None
    try:
        return int(name[1][len("In["):-1])
    except ValueError:
        return None


def _cell_line(shell, error, count):
    """The cell's line that was running when `error` was raised (a SyntaxError: its own line)."""
    if isinstance(error, SyntaxError) and _cell_count(shell, error.filename) == count:
        return error.lineno
    line = None
    tb = error.__traceback__
    while tb is not None:
        if _cell_count(shell, tb.tb_frame.f_code.co_filename) == count:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@contextlib.contextmanager
def _warnings_named_by_cell(shell, labels):
    """A warning whose code is a cell's says `cell N (In [k]), line L`, not `<ipython-input-2-...>:L`."""
    show = warnings.showwarning

    def show_named(message, category, filename, lineno, file=None, line=None):
        count = _cell_count(shell, filename)
        if count not in labels:
            return show(message, category, filename, lineno, file, line)
        text = (linecache.getline(filename, lineno) if line is None else line).strip()
        (file or sys.stderr).write("%s, line %d: %s: %s\n" % (labels[count], lineno, category.__name__, message)
                                   + ("    %s\n" % text if text else ""))

    warnings.showwarning = show_named
    try:
        yield
    finally:
        warnings.showwarning = show


def _label(cell, number):
    saved_count = cell.get("execution_count")
    return "cell %d" % number + (" (In [%s])" % saved_count if saved_count is not None else "")


def _report(label, outcome, detail):
    """`cell 12 (In [9]): differs (explanation)`; a diff, or a failing line's text, on indented lines."""
    if not detail:
        return "%s: %s" % (label, outcome)
    head, _, rest = detail.partition("\n")
    if head.startswith("@@"):
        head, rest = "", detail
    text = "%s: %s" % (label, outcome) + (" (%s)" % head if head else "")
    return text + ("\n    " + rest.replace("\n", "\n    ") if rest else "")


def _summary(counts):
    """`9 match, 0 differs, 2 random, 1 not comparable`: match and differs always, the others if any."""
    return ", ".join("%d %s" % (counts[outcome], outcome) for outcome in saved_outputs.OUTCOMES
                     if counts[outcome] or outcome in (saved_outputs.MATCH, saved_outputs.DIFFERS))


def _write_json(path, notebook, cells, counts):
    """The outcomes for tools, written atomically (a reader never sees half a file)."""
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump({"notebook": notebook, "cells": cells, "counts": counts}, handle, indent=1)
        handle.write("\n")
    os.replace(handle.name, path)


class NotebookUnreadable(Exception):
    """A notebook that cannot be run: the message names the file and what to do; `status` is the exit
    status (2: no such file, as python's; 1: the file is not a notebook)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def read_notebook(path):
    """The notebook at `path` as nbformat 4 (nbformat 3 converted, as Jupyter does), or
    `NotebookUnreadable` with one line saying why not."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise NotebookUnreadable(f"can't open notebook {path!r}: {error.strerror}", 2) from None
    if not data.strip():
        raise NotebookUnreadable(f"{path}: the file is empty, not a notebook; open and save it in Jupyter", 1)
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise NotebookUnreadable(f"{path}: not a notebook (not UTF-8 text); is it the .ipynb Jupyter saved?", 1) from None
    except Exception as error:  # nbformat's reader: NotJSONError, validation and version errors, AttributeError
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        reason = reason if len(reason) <= 120 else reason[:117] + "..."
        raise NotebookUnreadable(f"{path}: not a notebook nbformat can read ({reason}); "
                                 "is it the .ipynb Jupyter saved?", 1) from None
    return nb


def run_notebook(path, check=False, tolerance=1e-4, output=None, json_path=None, seed=None, written_for="auto",
                 announce=True):
    """`varshim run NOTEBOOK.ipynb [--check] [--tolerance TOL] [--seed N] [--json FILE] [--output FILE]`.

    Returns the exit status: with `check` (implied by `json_path`), 1 if a cell differs or failed;
    without, 1 if a cell failed unexpectedly (the run stopped there).
    """
    check = check or json_path is not None
    try:
        nb = read_notebook(path)
    except NotebookUnreadable as error:
        print(f"varshim run: {error}", file=sys.stderr)
        return error.status
    counts, cells, stopped = dict.fromkeys(saved_outputs.OUTCOMES, 0), [], None
    runs = execute(nb, os.path.dirname(os.path.abspath(path)), echo=not check, keep_going=check, seed=seed,
                   written_for=written_for, name=os.path.basename(path), announce=announce)
    for run in runs:
        if run.failure is not None and not run.expected_error and stopped is None:
            stopped = run.failure
        if not check:
            continue
        outcome, detail = run.outcome(tolerance)
        counts[outcome] += 1
        cells.append({"cell": run.number, "execution_count": run.saved_count, "outcome": outcome, "detail": detail})
        print(_report(run.label, outcome, detail), flush=True)
    if output:
        nbformat.validate(nb)
        nbformat.write(nb, output)
    if not check:
        if stopped is not None:
            print("varshim run: %s" % stopped, file=sys.stderr)
        return 0 if stopped is None else 1
    print(_summary(counts))
    if json_path is not None:
        _write_json(json_path, path, cells, counts)
    return 1 if counts[saved_outputs.DIFFERS] or counts[saved_outputs.FAILED] else 0
