"""`varshim check` and `varshim migrate`: the command lines over files, folders, notebooks and stdin."""

import argparse
import difflib
import io
import json
import os
import sys
import tempfile
import tokenize

from .checker import check_source
from .migration import migrate_source
from .notebook import NotebookError, check_notebook, migrate_notebook
from .project import Project
from .report import Report
from .rule import Finding
from .rules import CODES, select_rules, selected
from .version import VersionAction

__all__ = ["check_main", "migrate_main"]

_CHECK_EPILOG = """\
output: one line per legacy idiom, `path:line:col: VSnnn message` (notebooks:
`path:cell-N:line:col:`, N counting all cells from 1); the message names the modern spelling.
exit status: 0 nothing found, 1 something found (parse failures are findings, VS001),
2 usage error. Codes: docs/migration.md.

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
needs a human or a file failed to parse, 2 usage error.

examples:
  varshim migrate src/                    # review the diff
  varshim migrate --write src/ notebooks/ # apply it
  varshim migrate --write --annotate src/ # also mark what needs a human with `# varshim:` notes
  cat old.py | varshim migrate --write -  # stdin to stdout
"""


class _UsageError(Exception):
    pass


def _codes(text):
    prefixes = [code.strip().upper() for code in text.split(",") if code.strip()]
    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in CODES):
            raise _UsageError(f"unknown rule code {prefix!r} (known: {', '.join(CODES)})")
    return prefixes


def _parser(prog, description, epilog):
    parser = argparse.ArgumentParser(
        prog=prog, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (recursive) or - for stdin")
    parser.add_argument("--select", type=_codes_type, default=None, help="only these codes or prefixes (VS1,VS201)")
    parser.add_argument("--ignore", type=_codes_type, default=None, help="skip these codes or prefixes")
    parser.add_argument("-V", "--version", action=VersionAction)
    return parser


def _codes_type(text):
    try:
        return _codes(text)
    except _UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _files(paths):
    """(path, is_notebook) for every file to process; folders recursively, in sorted order."""
    for path in paths:
        if path == "-":
            yield path, False
        elif os.path.isdir(path):
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d != "__pycache__")
                for name in sorted(names):
                    if name.endswith((".py", ".ipynb")):
                        yield os.path.join(folder, name), name.endswith(".ipynb")
        elif os.path.isfile(path):
            yield path, path.endswith(".ipynb")
        else:
            raise _UsageError(f"no such file or folder: {path}")


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


def _run(main, argv):
    try:
        return main(list(argv))
    except _UsageError as error:
        print(f"varshim: error: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit:  # argparse: --help (0) and usage errors (2)
        return exit.code if isinstance(exit.code, int) else 2


def check_main(argv):
    return _run(_check, argv)


def _check(argv):
    parser = _parser("varshim check", "Report every legacy (PyTorch 0.1-0.3) idiom varshim knows.", _CHECK_EPILOG)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="json: a list of findings")
    options = parser.parse_args(argv)
    rules = select_rules(options.select, options.ignore)
    keep_parse_failures = selected("VS001", options.select, options.ignore)
    findings = []
    for path, notebook in list(_files(options.paths)):
        try:
            text, _ = _read(path)
        except (OSError, UnicodeDecodeError, SyntaxError) as error:
            found = [_unreadable(path, error)]
        else:
            found = check_notebook(text, path, rules) if notebook else check_source(text, rules)
        for finding in found:
            finding.path = finding.path or path
            if finding.code != "VS001" or keep_parse_failures:
                findings.append(finding)
    if options.format == "json":
        json.dump([f.as_json() for f in findings], sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(finding.format())
    return 1 if findings else 0


def migrate_main(argv):
    return _run(_migrate, argv)


def _migrate(argv):
    parser = _parser("varshim migrate", "Rewrite legacy (PyTorch 0.1-0.3) idioms to modern torch.", _MIGRATE_EPILOG)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place (stdin: to stdout)")
    parser.add_argument("--annotate", action="store_true",
                        help="add `# varshim: VSnnn ...` notes above what needs a human")
    options = parser.parse_args(argv)
    rules = select_rules(options.select, options.ignore)
    report = Report(options.write)
    files = list(_files(options.paths))
    # Checkpoints one file writes and another loads (main.py, then generate.py): read the tree first.
    project = Project.scan([path for path, notebook in files if path != "-" and not notebook], lambda p: _read(p)[0])
    for path, notebook in files:
        try:
            text, encoding = _read(path)
        except (OSError, UnicodeDecodeError, SyntaxError) as error:
            report.fail(_unreadable(path, error))
            continue
        if notebook:
            try:
                migration = migrate_notebook(text, path, rules, options.annotate, project)
            except NotebookError as error:
                report.fail(Finding("VS001", 1, 0, f"cannot read this notebook: {error}", path=path))
                continue
        else:
            migration = migrate_source(text, rules, options.annotate, project=project)
        report.add(path, migration)
        if options.write and path == "-":
            sys.stdout.write(migration.new_source)
        elif options.write and migration.changed:
            _replace(path, migration.new_source, encoding)
        elif not options.write and migration.changed:
            sys.stdout.write(migration.diff() if notebook else _diff(path, migration))
    sys.stdout.flush()
    sys.stderr.write(report.render())
    return 0 if report.clean else 1


def _diff(path, migration):
    lines = difflib.unified_diff(
        migration.source.splitlines(True), migration.new_source.splitlines(True), f"a/{path}", f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _replace(path, text, encoding):
    """Write `text` to `path` atomically: a temporary file in the same folder, then os.replace."""
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
