"""Running a small legacy program in-process, with varshim installed or with torch as it is."""

import contextlib
import os
import tempfile

import varshim
from varshim import legacy_program

# A file of the legacy program, as under `varshim run`: code compiled with this name is the
# program's own while `running_legacy_program()` is active (it need not exist on disk).
LEGACY_FILE = os.path.join(tempfile.gettempdir(), "varshim-legacy-program", "program.py")


@contextlib.contextmanager
def modern_torch():
    """torch without varshim's patches (the program's `torch.autograd.Variable` is torch's own)."""
    varshim.uninstall()
    try:
        yield
    finally:
        varshim.install()


@contextlib.contextmanager
def running_legacy_program(written_for="0.3"):
    """LEGACY_FILE's folder is the legacy program's for the duration of the block (as `varshim run`
    makes it), a program written for `written_for` (0.3: its Variables, hooks and tensors are 0.3's)."""
    folder = legacy_program.enter(os.path.dirname(LEGACY_FILE), written_for, start=False)
    try:
        yield
    finally:
        legacy_program.leave(folder)


@contextlib.contextmanager
def no_program_running():
    """No legacy program for the duration of the block: the ones of the session (a test module's
    one-line edit adopts it until the process ends) leave and come back in the same order."""
    programs = legacy_program.programs()
    for program in programs:
        legacy_program.leave(program)
    try:
        yield
    finally:
        for program in programs:
            legacy_program._programs.append(program)
        legacy_program._changed()


def run(program, filename="<legacy program>", **names):
    """Execute `program` in a fresh namespace (holding `names`) and return the namespace."""
    namespace = dict(names)
    exec(compile(program, filename, "exec"), namespace)
    return namespace


def run_as_program(program, folder, written_for="0.3", **names):
    """Execute `program` as `folder/program.py`, a file of a program written for `written_for`
    (`varshim.legacy_program`), with `names` defined; returns the namespace."""
    from varshim import legacy_program

    entered = legacy_program.enter(folder, written_for)
    try:
        namespace = {"__name__": "__main__", **names}
        exec(compile(program, str(folder / "program.py"), "exec"), namespace)
        return namespace
    finally:
        legacy_program.leave(entered)
