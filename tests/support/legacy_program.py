"""Running a small legacy program in-process, with varshim installed or with torch as it is."""

import contextlib

import varshim


@contextlib.contextmanager
def modern_torch():
    """torch without varshim's patches (the program's `torch.autograd.Variable` is torch's own)."""
    varshim.uninstall()
    try:
        yield
    finally:
        varshim.install()


def run(program):
    """Execute `program` in a fresh namespace and return the namespace."""
    namespace = {}
    exec(compile(program, "<legacy program>", "exec"), namespace)
    return namespace
