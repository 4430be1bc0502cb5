"""pytest plugin: run a legacy (PyTorch 0.1-0.3) test suite under varshim. Opt-in only:

    pytest -p varshim.pytest_plugin                    # varshim installed for the session
    pytest -p varshim.pytest_plugin --varshim-strict   # every LegacyTorchWarning is an error
    pytest -p varshim.pytest_plugin --varshim-written-for 0.3   # the suite is code for PyTorch 0.3

(or `addopts = -p varshim.pytest_plugin` in the suite's pytest.ini). There is deliberately no
pytest11 entry point: `import varshim` installs varshim, so an auto-loaded plugin inside the
package would change every pytest run wherever varshim is installed.

While active, varshim is installed (loading the plugin imports varshim) and the project's own
modules, under pytest's rootdir, are the legacy program's and may use `async=`
(`varshim.entry.project_imports`). Test files themselves go through pytest's assertion rewriter,
which cannot read `async=`: run such files with `--assert=plain`, or migrate them (`varshim migrate`).
The release the suite was written for (`--varshim-written-for`, default `$VARSHIM_WRITTEN_FOR` or
auto) is dated from the collected test files and the project modules they import, and reported
after "collected N items"; module-level code of the test files runs before that, as modern code
unless the modules imported so far dated it.
"""

import contextlib
import os

import pytest

import varshim

from .. import legacy_program
from ..legacy_warnings import shown_summary, start_summary
from .project_imports import program_files


def pytest_addoption(parser):
    group = parser.getgroup("varshim", "legacy PyTorch 0.1-0.3 test suites under varshim")
    group.addoption("--varshim-strict", action="store_true", default=False,
                    help="turn every LegacyTorchWarning into an error, to find each legacy idiom")
    group.addoption("--varshim-written-for", default=None, metavar="RELEASE",
                    help="the torch release the suite was written for: 0.3, modern, or auto (the default, "
                         "or $VARSHIM_WRITTEN_FOR: dated from its own files)")


def pytest_configure(config):
    if config.getoption("varshim_strict"):
        config.addinivalue_line("filterwarnings", "error::varshim.LegacyTorchWarning")
    written_for = config.getoption("varshim_written_for") or legacy_program.written_for_default()
    try:
        legacy_program.parse_written_for(written_for)
    except ValueError as error:
        raise pytest.UsageError(f"--varshim-written-for: {error}, or auto, or modern") from None
    config.stash[_SESSION] = _Session(str(config.rootpath), written_for)
    start_summary()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    program = session.config.stash[_SESSION].program
    for path in dict.fromkeys(str(item.path) for item in session.items if item.path.suffix == ".py"):
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                source = handle.read()
        except OSError:
            continue
        program.date_program(os.path.relpath(path, str(session.config.rootpath)), path, source)
    program.start()


def pytest_report_collectionfinish(config, items):
    return config.stash[_SESSION].program.decision()


def pytest_report_header(config):
    strict = ", LegacyTorchWarning is an error" if config.getoption("varshim_strict") else ""
    return "varshim %s: installed%s" % (varshim.__version__, strict)


def pytest_terminal_summary(terminalreporter, config):
    summary = shown_summary(str(config.rootpath))
    if summary:
        terminalreporter.write_line(summary)


def pytest_unconfigure(config):
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()


class _Session:
    """varshim installed and the rootdir's files the legacy program's, until `close`."""

    def __init__(self, rootdir, written_for):
        varshim.install()
        self._stack = contextlib.ExitStack()
        self.program = self._stack.enter_context(program_files(
            rootdir, written_for=written_for, start=False, name=os.path.basename(rootdir) or rootdir,
            override="--varshim-written-for {0}"))

    def close(self):
        self._stack.close()


_SESSION = pytest.StashKey[_Session]()
