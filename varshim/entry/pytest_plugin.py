"""pytest plugin: run a legacy (PyTorch 0.1-0.3) test suite under varshim. Opt-in only:

    pytest -p varshim.pytest_plugin                    # varshim installed for the session
    pytest -p varshim.pytest_plugin --varshim-strict   # every LegacyTorchWarning is an error

(or `addopts = -p varshim.pytest_plugin` in the suite's pytest.ini). There is deliberately no
pytest11 entry point: `import varshim` installs varshim, so an auto-loaded plugin inside the
package would change every pytest run wherever varshim is installed.

While active, varshim is installed (loading the plugin imports varshim) and the project's own
modules, under pytest's rootdir, are the legacy program's and may use `async=`
(`varshim.entry.project_imports`). Test files themselves go through pytest's assertion rewriter,
which cannot read `async=`: run such files with `--assert=plain`, or migrate them (`varshim migrate`).
"""

import contextlib

import pytest

import varshim

from ..legacy_warnings import shown_summary, start_summary
from .project_imports import program_files


def pytest_addoption(parser):
    group = parser.getgroup("varshim", "legacy PyTorch 0.1-0.3 test suites under varshim")
    group.addoption("--varshim-strict", action="store_true", default=False,
                    help="turn every LegacyTorchWarning into an error, to find each legacy idiom")


def pytest_configure(config):
    if config.getoption("varshim_strict"):
        config.addinivalue_line("filterwarnings", "error::varshim.LegacyTorchWarning")
    config.stash[_SESSION] = _Session(str(config.rootpath))
    start_summary()


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

    def __init__(self, rootdir):
        varshim.install()
        self.program = contextlib.ExitStack()
        self.program.enter_context(program_files(rootdir))

    def close(self):
        self.program.close()


_SESSION = pytest.StashKey[_Session]()
