"""`%load_ext varshim` / `%unload_ext varshim`: varshim in a running IPython or Jupyter kernel.

Loading installs varshim and reads `async=` keyword arguments (PyTorch <= 0.3) as `non_blocking=`
in every cell, as a cleanup input transformer (`varshim_migrate.async_keywords.rewrite_async_kwargs`).
The kernel's cells and the modules of its working folder are the legacy program
(`varshim.legacy_program`); the release they were written for is dated from each cell as it runs
(from the whole notebook first, when Jupyter names it in `JPY_SESSION_NAME`), or set with
`%varshim_written_for 0.3|modern|auto` (default: `$VARSHIM_WRITTEN_FOR`, else auto). Unloading
removes all of it and uninstalls varshim. Inside `varshim run NOTEBOOK.ipynb` the runner has made
the program already: loading adds the transformer and the magic.
"""

import itertools
import os

from varshim_migrate.async_keywords import rewrite_async_kwargs

from .. import legacy_program, patches
from .project_imports import ProjectImportHook

__all__ = ["load_ipython_extension", "unload_ipython_extension", "async_kwargs_transformer", "notebook_entry",
           "WRITTEN_FOR_MAGIC"]

WRITTEN_FOR_MAGIC = "varshim_written_for"
_kernel = {}  # what loading made: the program, its import hook, the cell-dating callback


def async_kwargs_transformer(lines):
    """IPython input transformer (list of lines -> list of lines); line numbers are kept."""
    source = "".join(lines)
    rewritten = rewrite_async_kwargs(source)
    return lines if rewritten == source else rewritten.splitlines(keepends=True)


def load_ipython_extension(ipython):
    patches.install()
    if async_kwargs_transformer not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(async_kwargs_transformer)
    ipython.register_magic_function(_written_for_magic, "line", WRITTEN_FOR_MAGIC)
    if _kernel.get("shell") is not ipython:
        _leave_kernel_program()  # loaded into another shell before (one per process, in tests)
        if legacy_program.cells_program() is None:  # not inside `varshim run NOTEBOOK.ipynb`
            _enter_kernel_program(ipython)


def unload_ipython_extension(ipython):
    while async_kwargs_transformer in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.remove(async_kwargs_transformer)
    _leave_kernel_program()
    patches.uninstall()


def _leave_kernel_program():
    if not _kernel:
        return
    if _kernel["date_cell"] in _kernel["shell"].events.callbacks["pre_run_cell"]:
        _kernel["shell"].events.unregister("pre_run_cell", _kernel["date_cell"])
    _kernel["hook"].remove()
    legacy_program.leave(_kernel["program"])
    _kernel.clear()


def notebook_entry(nb, name):
    """A notebook's code cells as one dating entry (`legacy_program.enter`): its idioms are named
    "NAME cell N, line L"."""
    from varshim_migrate.notebook import joined_cells  # nbformat and the checker: only for notebooks

    source, cell_line = joined_cells(nb.cells)

    def locate(line):
        return "%s cell %d, line %d" % ((name,) + cell_line(line))

    return locate, None, source


def _enter_kernel_program(ipython):
    entry, name = _session_notebook()
    program = legacy_program.enter(
        os.getcwd(), legacy_program.written_for_default(), cells=True, entry=entry, name=name,
        override="%" + WRITTEN_FOR_MAGIC + " {0}", announce=legacy_program.to_stderr)
    hook = ProjectImportHook(program)
    hook.install()

    imports = []  # the import lines of the cells run so far: a cell sees the kernel's names
    runs = itertools.count(1)
    import IPython  # a kernel is running: IPython is there

    # IPython >= 9.8 counts a cell before `pre_run_cell` (9.7 and earlier after it has run)
    counted_first = IPython.version_info >= (9, 8)

    def date_cell(info):
        stored = info.store_history and not info.silent
        number = ipython.execution_count - (1 if counted_first and stored else 0)
        cell = info.raw_cell or ""
        offset = len(imports)
        source = "".join(imports) + cell
        program.date_module(lambda line: f"In [{number}], line {line - offset}", source, key=next(runs))
        imports.extend(line + "\n" for line in cell.splitlines() if line.startswith(("import ", "from ")))

    ipython.events.register("pre_run_cell", date_cell)
    _kernel.update(shell=ipython, program=program, hook=hook, date_cell=date_cell)


def _session_notebook():
    """(dating entry, name) of the notebook Jupyter runs this kernel for; (None, "this kernel")
    when it is not known or cannot be read (its cells are then dated as they run)."""
    path = os.environ.get("JPY_SESSION_NAME", "")
    if path.endswith(".ipynb") and os.path.isfile(path):
        import nbformat

        name = os.path.basename(path)
        try:
            return notebook_entry(nbformat.read(path, as_version=4), name), name
        except Exception:  # nbformat raises several kinds for a broken file
            pass
    return None, "this kernel"


def _written_for_magic(line):
    """%varshim_written_for 0.3|modern|auto: the release this kernel's code was written for."""
    program = legacy_program.cells_program()
    if program is None:
        print("%varshim_written_for: %load_ext varshim first")
        return
    try:
        legacy_program.to_stderr(program.set_written_for(line.strip() or legacy_program.AUTO))
    except ValueError as error:
        print(f"%varshim_written_for: {error}, or auto, or modern")
