"""`varshim check` and `varshim migrate`: the command lines over files, folders, notebooks and stdin."""

import argparse
import contextlib
import difflib
import gc
import io
import json
import os
import signal
import sys
import threading
import tokenize

from .checker import check_source
from .migration import migrate_source
from .notebook import NotebookError, NotebookMigration, check_notebook, migrate_notebook
from .project import Project
from .report import Report
from .rule import Finding
from .rules import CODES, RULES, select_rules, selected
from .version import Parser, VersionAction

__all__ = ["check_main", "migrate_main"]

_CHECK_EPILOG = """\
output: one line per legacy idiom, `path:line:col: VSnnn message` (notebooks:
`path:cell-N:line:col:`, N counting all cells from 1); the message names the modern spelling.
exit status: 0 nothing found, 1 something found (parse failures are findings, VS001),
2 usage error (also: no .py/.ipynb file in the paths given), 130 interrupted (Ctrl-C).
The codes (for --select and --ignore) are listed below, each with its modern spelling.

examples:
  varshim check train.py models/          # .py and .ipynb files, folders recursively
  varshim check --select VS1,VS2 notebook.ipynb
  cat old.py | varshim check -            # stdin
  varshim check --format json src/ > findings.json
"""

_MIGRATE_EPILOG = """\
Prints a unified diff by default (--diff); --write rewrites the files in place, atomically.
The report (on stderr) lists files changed, idioms rewritten per rule, what needs a human
(with file:line and the suggested modern code) and files that failed to parse.
exit status: 0 when everything legacy was rewritten (or nothing was found), 1 when something
needs a human or a file failed to parse, 2 usage error, 130 interrupted (Ctrl-C: the files
already rewritten are whole, the others unchanged; the last line says how many).

examples:
  varshim migrate src/                    # review the diff
  varshim migrate --write src/ notebooks/ # apply it
  varshim migrate --write --annotate src/ # also mark what needs a human with `# varshim:` notes
  cat old.py | varshim migrate --write -  # stdin to stdout
"""


class _UsageError(Exception):
    pass


class _Interrupted(Exception):
    """Ctrl-C between files: `done` of `total` files were processed."""

    def __init__(self, done, total):
        super().__init__(done, total)
        self.done, self.total = done, total


def _code_list():
    """Every code with its legacy idiom and modern spelling, for --help (no docs/ a pip user lacks)."""
    lines = ["codes:", "  VS001  the file cannot be read or parsed"]
    lines += [f"  {rule.code}  {rule.title} -> {rule.modern}" for rule in RULES]
    return "\n".join(lines) + "\n"


def _codes(text):
    prefixes = [code.strip().upper() for code in text.split(",") if code.strip()]
    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in CODES):
            raise _UsageError(f"unknown rule code {prefix!r} (known: {', '.join(CODES)})")
    return prefixes


def _parser(prog, description, epilog):
    parser = Parser(
        prog=prog, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (recursive) or - for stdin")
    parser.add_argument("--select", type=_codes_type, default=None, help="only these codes or prefixes (VS1,VS201)")
    parser.add_argument("--ignore", type=_codes_type, default=None, help="skip these codes or prefixes")
    parser.add_argument("-j", "--jobs", type=_jobs_type, default=None, metavar="N",
                        help="spread the files over N processes (default: one per CPU; 1: this process "
                             "only); the output is the same, in the same order")
    parser.add_argument("-V", "--version", action=VersionAction)
    return parser


def _codes_type(text):
    try:
        return _codes(text)
    except _UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _jobs_type(text):
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"a number of processes, 1 or more, is needed (not {text!r})")
    return jobs


def _files(paths, prog):
    """[(path, is_notebook)] for every file to process; folders recursively, in sorted order."""
    files, empty = [], []
    for path in paths:
        if path == "-":
            files.append((path, False))
        elif os.path.isdir(path):
            found = len(files)
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d != "__pycache__")
                for name in sorted(names):
                    if name.endswith((".py", ".ipynb")):
                        files.append((os.path.join(folder, name), name.endswith(".ipynb")))
            if len(files) == found:
                empty.append(path)
        elif os.path.isfile(path):
            files.append((path, path.endswith(".ipynb")))
        elif os.path.lexists(path):
            raise _UsageError(f"{path}: not a file or folder (a broken link, a socket?)")
        else:
            raise _UsageError(f"{path}: no such file or folder")
    if empty:
        message = (f"{', '.join(empty)}: no .py or .ipynb file in {'this folder' if len(empty) == 1 else 'these folders'}"
                   " (hidden folders and __pycache__ are skipped)")
        if not files:
            raise _UsageError(message)
        print(f"{prog}: warning: {message}", file=sys.stderr)
    return files


def _processes(options, files):
    """How many processes to spread `files` over."""
    if options.jobs is not None:
        jobs = options.jobs
    else:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if any(path == "-" for path, _ in files):
        return 1  # stdin is this process's
    return max(1, min(jobs, len(files)))


def _in_order(work, tasks, processes):
    """`work(task)` for every task, in order; over `processes` worker processes when more than one."""
    if processes == 1:
        yield from map(work, tasks)
        return
    import multiprocessing

    chunk = max(1, min(8, len(tasks) // (processes * 4)))
    pool = multiprocessing.Pool(processes, initializer=_worker_start)
    try:
        yield from pool.imap(work, tasks, chunk)
        pool.close()
    finally:
        pool.terminate()  # at once, also when the caller stops early (Ctrl-C)
        pool.join()


def _worker_start():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


@contextlib.contextmanager
def _no_cycle_collection():
    """The parsers build large trees without reference cycles; the cycle collector's passes over
    them cost a quarter of `check` on a large file."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(path):
    """(text, encoding) of a file or stdin, decoded as Python would (PEP 263), newlines kept."""
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as handle:
            data = handle.read()
    encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    return data.decode(encoding), encoding


def _unreadable(path, error):
    return Finding("VS001", 1, 0, f"cannot read this file: {error}", path=path)


def _run(main, argv, prog):
    try:
        return main(list(argv))
    except _UsageError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit:  # argparse: --help (0) and usage errors (2)
        return exit.code if isinstance(exit.code, int) else 2
    except _Interrupted as stop:
        sys.stdout.flush()
        print(f"{prog}: stopped after {stop.done} of {stop.total} files; the others are unchanged", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no file was changed", file=sys.stderr)
        return 130


def check_main(argv):
    return _run(_check, argv, "varshim check")


def _check_file(task):
    """The findings in one file (a worker's unit), each naming its path."""
    path, notebook, select, ignore = task
    rules = select_rules(select, ignore)
    try:
        text, _ = _read(path)
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        found = [_unreadable(path, error)]
    else:
        with _no_cycle_collection():
            found = check_notebook(text, path, rules) if notebook else check_source(text, rules)
    for finding in found:
        finding.path = finding.path or path
    if not selected("VS001", select, ignore):
        found = [finding for finding in found if finding.code != "VS001"]
    return found


def _check(argv):
    parser = _parser("varshim check", "Report every legacy (PyTorch 0.1-0.3) idiom varshim knows.", _CHECK_EPILOG + "\n" + _code_list())
    parser.add_argument("--format", choices=("text", "json"), default="text", help="json: a list of findings")
    options = parser.parse_args(argv)
    files = _files(options.paths, parser.prog)
    tasks = [(path, notebook, options.select, options.ignore) for path, notebook in files]
    findings, done, count = [], 0, 0
    results = _in_order(_check_file, tasks, _processes(options, files))
    try:
        for found in results:
            done += 1
            count += len(found)
            if options.format == "json":
                findings += found
            else:
                for finding in found:
                    print(finding.format())
    except KeyboardInterrupt:
        raise _Interrupted(done, len(files)) from None
    finally:
        results.close()
    if options.format == "json":
        json.dump([f.as_json() for f in findings], sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 1 if count else 0


def migrate_main(argv):
    return _run(_migrate, argv, "varshim migrate")


def _migrate_file(task):
    """(path, encoding, the migration or the VS001 finding of a file that cannot be read): a
    worker's unit; nothing is written here."""
    path, notebook, select, ignore, annotate, project = task
    rules = select_rules(select, ignore)
    try:
        text, encoding = _read(path)
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        return path, None, _unreadable(path, error)
    with _no_cycle_collection():
        if not notebook:
            return path, encoding, migrate_source(text, rules, annotate, project=project)
        try:
            return path, encoding, migrate_notebook(text, path, rules, annotate, project)
        except NotebookError as error:
            return path, None, Finding("VS001", 1, 0, f"cannot read this notebook: {error}", path=path)


def _migrate(argv):
    parser = _parser("varshim migrate", "Rewrite legacy (PyTorch 0.1-0.3) idioms to modern torch.", _MIGRATE_EPILOG + "\n" + _code_list())
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place (stdin: to stdout)")
    parser.add_argument("--annotate", action="store_true",
                        help="add `# varshim: VSnnn ...` notes above what needs a human")
    options = parser.parse_args(argv)
    files = _files(options.paths, parser.prog)
    # Checkpoints one file writes and another loads (main.py, then generate.py): read the tree first.
    project = Project.scan([path for path, notebook in files if path != "-" and not notebook], lambda p: _read(p)[0])
    tasks = [(path, notebook, options.select, options.ignore, options.annotate, project) for path, notebook in files]
    report = Report(options.write)
    done = 0
    results = _in_order(_migrate_file, tasks, _processes(options, files))
    try:
        with _SigintBetweenFiles() as sigint:
            for path, encoding, migration in results:
                with sigint.deferred():  # a file is rewritten and counted, or neither
                    _emit(path, encoding, migration, report, options.write)
                    done += 1
    except KeyboardInterrupt:
        sys.stdout.flush()
        sys.stderr.write(report.render())
        raise _Interrupted(done, len(files)) from None
    finally:
        results.close()
    sys.stdout.flush()
    sys.stderr.write(report.render())
    return 0 if report.clean else 1


def _emit(path, encoding, migration, report, write):
    """Report one file's migration; write it (--write) or print its diff."""
    if isinstance(migration, Finding):
        report.fail(migration)
        return
    report.add(path, migration)
    if write and path == "-":
        sys.stdout.write(migration.new_source)
    elif write and migration.changed:
        _replace(path, migration.new_source, encoding)
    elif not write and migration.changed:
        sys.stdout.write(migration.diff() if isinstance(migration, NotebookMigration) else _diff(path, migration))


class _SigintBetweenFiles:
    """Ctrl-C at once, except while a file is rewritten and counted: then right after it.

    A signal mask would not do: Python runs its handler in the main thread even when the signal is
    delivered to one of the worker pool's threads, which do not block it."""

    def __init__(self):
        self._writing = self._asked = False

    def __enter__(self):
        self._previous = None
        if threading.current_thread() is threading.main_thread():  # only it may set handlers
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame):
        if not self._writing:
            raise KeyboardInterrupt
        self._asked = True

    @contextlib.contextmanager
    def deferred(self):
        self._writing = True
        try:
            yield
        finally:
            self._writing = False
        if self._asked:
            raise KeyboardInterrupt


def _diff(path, migration):
    lines = difflib.unified_diff(
        migration.source.splitlines(True), migration.new_source.splitlines(True), f"a/{path}", f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _replace(path, text, encoding):
    """Write `text` to `path` atomically: a temporary file in the same folder, then os.replace."""
    import tempfile  # only --write needs it (with shutil, random, bz2, lzma: a tenth of check's start-up)

    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".varshim")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(text.encode(encoding))
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
