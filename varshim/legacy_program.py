"""The legacy program being run: which files are its own, and which torch release it was written for.

Rules decided by their caller's file ask one of two questions here:

- `owns(filename)`: is it one of the legacy program's own files? The
  entry points say which files those are with `enter(root, ...)` and `leave(program)`: `varshim run`
  the script's folder (the working folder for `-m`), a notebook run the notebook's folder and its
  cells, `%load_ext varshim` the kernel's cells and working folder, the pytest plugin the rootdir.
  A folder's files are the program's, except the standard library, site-packages and varshim
  itself (`varshim.own_files`).
- `release_of(filename)`, `targets_before(release)`: which torch release was that file's program
  written for? Rules that change a result modern torch computes without error apply only to code
  written before the release that changed it: float `torch.arange` and the 0.3 Tensor semantics of
  the program's own tensors ask `targets_before("0.4")`; a rule for 1.x code asks, say,
  `targets_before("1.5")`. A file that is no program's own is never "before" anything.

The release is `enter(..., written_for=...)`: a release ("0.3", "1.4"), "modern" (torch 2.x
rules), or "auto" (the default): dated from the program's own files by `varshim_migrate.dating`,
the entry files and the program modules they import read before the program starts, modules
imported later as the import hook loads them. A module that does the one-line edit
`from varshim import Variable` is 0.3 code by definition (`adopt`). Each decision is printed once,
in one line: what was decided, why (the idiom and its file:line), and how to override it.
"""

import os
import re
import site
import sys
import sysconfig

from .own_files import VARSHIM_PATHS

__all__ = [
    "Program", "enter", "leave", "adopt", "owns", "called_from_program",
    "release_of", "targets_before", "written_since", "any_targets_before", "programs", "on_change", "running", "watch", "unwatch",
    "parse_written_for", "written_for_default", "to_stderr", "cells_program", "WRITTEN_FOR_ENV",
]

WRITTEN_FOR_ENV = "VARSHIM_WRITTEN_FOR"  # the override where no entry point takes options
AUTO = "auto"
MODERN = "modern"
_LATEST_0_3 = (0, 3)


def parse_written_for(text):
    """"auto", "modern" or a release tuple for a `--written-for` value; ValueError if neither."""
    from varshim_migrate.dating import parse_release

    value = str(text).strip().lower()
    if value in (AUTO, MODERN):
        return value
    return parse_release(value)


def _excluded_dirs():
    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    paths = {sysconfig.get_paths()[key] for key in keys}
    paths.update(getattr(site, "getsitepackages", list)())
    paths.add(site.getusersitepackages())
    folders = tuple(os.path.join(os.path.realpath(path), "") for path in paths if path)
    return folders + tuple(os.path.realpath(path.rstrip(os.sep)) for path in VARSHIM_PATHS)


def _is_cell(filename):
    # IPython names a cell's code `<ipython-input-N-hash>`; ipykernel writes it to a temporary file.
    if filename.startswith("<ipython-input-"):
        return True
    import tempfile  # only for cells programs, so `import varshim` does not load it

    return filename.startswith(os.path.join(tempfile.gettempdir(), "ipykernel_%d" % os.getpid(), ""))


class Program:
    """One legacy program: its files (a folder's, single files, IPython cells) and its release.

    `release` is None for a program that follows torch 2.x rules, else the `(major, minor)` release
    it was written for. `written_for` is what the entry point was told: "auto", "modern" or a release.
    """

    def __init__(self, root=None, written_for=AUTO, *, name=None, files=(), cells=False,
                 override="--written-for {}", announce=None):
        self.root = os.path.join(os.path.realpath(root), "") if root is not None else None
        self.files = {os.path.realpath(f) for f in files}
        self.cells = cells
        self.name = name or (os.path.basename(os.path.normpath(root)) if root else "the program")
        if isinstance(written_for, str):
            written_for = parse_written_for(written_for)
        self.written_for = written_for if written_for in (AUTO, MODERN) else tuple(written_for)
        self.override = override  # how to override this entry point's decision: "--written-for {}"
        self.announce = announce  # where the decision line goes (None: the caller prints it)
        self.running = False  # the program's code runs: a later module no longer undoes a 0.3 decision
        self.release = None if written_for in (AUTO, MODERN) else self.written_for
        self.legacy = None  # (where, Evidence): the old idiom the release was decided by (or the earliest)
        self.modern = None  # (where, Evidence): the first name of the latest release seen
        self._befores = {}  # bound -> (where, Evidence): the first idiom of code written before it
        self.dated = 0  # how many files or cells were dated
        self._seen = set()
        self._excluded = _excluded_dirs()

    def owns(self, filename):
        if self.cells and _is_cell(filename):
            return True
        path = os.path.realpath(filename)
        if path in self.files:
            return True
        if self.root is None or not path.startswith(self.root) or path.startswith(self._excluded):
            return False
        parts = path[len(self.root):].split(os.sep)
        return "site-packages" not in parts and "dist-packages" not in parts

    # -- the release ------------------------------------------------------------------------------

    def date(self, where, source, key=None):
        """Read one of the program's sources for idioms that date it (auto programs only); True if
        that changed the program's release. `where` names it in the decision line ("train.py"), or
        maps a line of `source` to a place (a notebook's cells, read as one source)."""
        key = where if key is None else key
        if self.written_for != AUTO or key in self._seen:
            return False
        self._seen.add(key)
        from varshim_migrate.dating import date_source

        self.dated += 1
        for evidence in date_source(source):
            if evidence.before is not None:
                self._befores.setdefault(evidence.before, (where, evidence))
            if evidence.since is not None and (self.modern is None or evidence.since > self.modern[1].since):
                self.modern = (where, evidence)
        release, self.legacy = self._dated()
        if release == self.release or self.running and self.release is not None \
                and (release is None or release > self.release):
            return False  # a running program's release only moves earlier (more rules), never later
        self.release = release
        _changed()
        return True

    def _dated(self):
        """(release, the idiom that says so) from the evidence: the last release before the earliest
        `before` bound that lies after every `since` (names new in 0.4 outweigh 0.3 idioms, which 0.4
        still ran); (None, the earliest old idiom, if any) when no bound does."""
        if not self._befores:
            return None, None
        since = self.modern[1].since if self.modern is not None else None
        bounds = [bound for bound in self._befores if since is None or bound > since]
        if not bounds:
            return None, self._befores[min(self._befores)]
        from varshim_migrate.dating import release_before

        bound = min(bounds)
        return release_before(bound), self._befores[bound]

    def set_written_for(self, written_for):
        """An override while the program runs (`%varshim_written_for 0.3`); returns the decision."""
        if isinstance(written_for, str):
            written_for = parse_written_for(written_for)
        self.written_for = written_for if written_for in (AUTO, MODERN) else tuple(written_for)
        self.release = None if written_for in (AUTO, MODERN) else self.written_for
        if written_for == AUTO:
            self.release, self.legacy = self._dated()
        _changed()
        return self.decision()

    def start(self):
        """The program's code starts running: announce the decision (if there is somewhere to)."""
        self.running = True
        if self.announce is not None:
            self.announce(self.decision())

    def decision(self):
        """The one line that says what was decided, why, and how to override it."""
        override = self.override.format
        if self.written_for != AUTO:
            what = "torch 2.x rules" if self.release is None else "PyTorch %s" % _release_text(self.release)
            told = f"{override('').strip()} or ${WRITTEN_FOR_ENV}"
            return f"varshim: {self.name} runs as code for {what}, as told ({told})"
        if self.release is not None:
            where, evidence = self.legacy
            return (f"varshim: {self.name} runs as code for PyTorch {_release_text(self.release)}: "
                    f"{_locate(where, evidence)} has {evidence.idiom}; {override(MODERN)} runs it with torch 2.x rules")
        if self.modern is not None:
            where, evidence = self.modern
            though = ""
            if self.legacy is not None:
                old_where, old = self.legacy
                idiom = old.idiom.split(" (")[0]
                though = f" (its older idioms, such as {idiom} at {_locate(old_where, old)}, still work)"
            since = _release_text(evidence.since)
            return (f"varshim: {self.name} runs as code for PyTorch {since} or later: {_locate(where, evidence)} has "
                    f"{evidence.idiom}{though}; {override('0.3')} applies the 0.3 rules")
        if not self.dated:
            return (f"varshim: {self.name} runs as code for PyTorch 0.4 or later until it shows a 0.3 idiom; "
                    f"{override('0.3')} applies the 0.3 rules")
        files = "1 file" if self.dated == 1 else f"{self.dated} files"
        return (f"varshim: {self.name} runs as code for PyTorch 0.4 or later: no 0.3 idiom in its {files}; "
                f"{override('0.3')} applies the 0.3 rules")

    def date_program(self, where, filename, source, search=None):
        """Date an entry file and every program module it imports (statically, transitively)."""
        pending = [(where, filename, source)]
        folders = [os.path.dirname(os.path.realpath(filename))] if filename else []
        search = list(search or ([self.root] if self.root else folders))
        while pending and len(self._seen) < _MAX_SCANNED:
            where, filename, source = pending.pop()
            self.date(where, source, key=os.path.realpath(filename) if filename else where)
            for module in _imported_files(source, filename, search):
                if module not in self._seen and self.owns(module):
                    text = _read(module)
                    if text is not None:
                        pending.append((self._relative(module), module, text))

    def date_module(self, where, source, key=None):
        """Date a module the import hook loads or a cell that runs (already dated ones are skipped);
        a change of the running program's release is announced."""
        changed = self.date(where, source, key)
        if changed and self.running and self.announce is not None:
            self.announce(self.decision())

    def date_file(self, filename, source):
        self.date_module(self._relative(filename), source, key=os.path.realpath(filename))

    def _relative(self, filename):
        path = os.path.realpath(filename)
        return path[len(self.root):] if self.root and path.startswith(self.root) else os.path.basename(path)

    def __repr__(self):
        release = "modern" if self.release is None else _release_text(self.release)
        return f"<Program {self.name} ({release})>"


_MAX_SCANNED = 500  # files read ahead of a run: a bound for a program folder that is someone's home
_programs = []  # the programs being run, innermost last
_owned = {}  # filename -> owned by one of `_programs` (cleared when they change)
_targets = {}  # filename -> the release its program targets, None (modern), or _NOT_OWNED
_NOT_OWNED = object()
_UNKNOWN = object()
_bounds = {}  # "0.4" -> (0, 4)
_listeners = []
_watchers = []  # called with `running()` whenever it changes
_was_running = False


def enter(root, written_for=AUTO, *, entry=None, start=True, **options):
    """The legacy program's files are under `root` (and `options`: files, cells, name, override,
    announce) until `leave(program)`; returns the program. `entry` is `(where, filename, source)` of
    the script, or a list of them (notebook cells), dated with the program modules they import
    before the program starts. `start=False` leaves starting it (and announcing the decision) to the
    caller: the pytest plugin dates the test files once they are collected."""
    program = Program(root, written_for, **options)
    if entry is not None:
        for where, filename, source in [entry] if isinstance(entry, tuple) else entry:
            program.date_program(where, filename, source)
    _programs.append(program)
    _changed()
    if start:
        program.start()
    return program


def leave(program):
    if program in _programs:
        _programs.remove(program)
    _changed()


def adopt(filename, line=None):
    """The one-line edit: `filename` imported Variable from varshim, so it is 0.3 code by definition
    (VARSHIM_WRITTEN_FOR overrides). A file an explicit `written_for` already covers is left as it is.
    Returns the file's program, or None."""
    path = os.path.realpath(filename)
    for program in _programs:
        if program.owns(path) and (program.written_for != AUTO or path in program.files):
            return None
    override = os.environ.get(WRITTEN_FOR_ENV, "").strip()
    written_for = parse_written_for(override) if override else _LATEST_0_3
    if written_for == AUTO:
        written_for = _LATEST_0_3
    program = Program(None, written_for, name=os.path.basename(path), files=(path,), override=WRITTEN_FOR_ENV + "={}")
    program.running = True
    _programs.append(program)
    _changed()
    if not override:
        where = f"{program.name}:{line}" if line else program.name
        to_stderr(f"varshim: {program.name} runs as code for PyTorch 0.3: {where} imports Variable from varshim "
                  f"(the one-line edit); {WRITTEN_FOR_ENV}=modern to run it with torch 2.x rules")
    return program


def programs():
    return tuple(_programs)


def cells_program():
    """The running program that owns IPython cells (a notebook run, `%load_ext varshim`), or None."""
    for program in reversed(_programs):
        if program.cells:
            return program
    return None


def written_for_default():
    """What an entry point was told when no option says it: VARSHIM_WRITTEN_FOR, else "auto"."""
    return os.environ.get(WRITTEN_FOR_ENV, "").strip() or AUTO


def owns(filename):
    """Is `filename` one of the legacy program's own files?"""
    if not _programs:
        return False
    owned = _owned.get(filename)
    if owned is None:
        owned = _owned[filename] = any(program.owns(filename) for program in _programs)
    return owned


def called_from_program(depth=1):
    """Is the caller's caller (`depth` frames above the function asking) a legacy program file?"""
    return bool(_programs) and not _is_compiling() and owns(sys._getframe(depth + 1).f_code.co_filename)


def release_of(filename):
    """The release ("0.3") the program owning `filename` was written for; None if it follows torch
    2.x rules or is no program's file."""
    target = _target(filename)
    return None if target is None or target is _NOT_OWNED else _release_text(target)


def _caller_target(depth):
    """The target of the file `depth` frames above the function asking its public caller."""
    if _is_compiling():
        return _NOT_OWNED
    filename = sys._getframe(depth + 2).f_code.co_filename
    target = _targets.get(filename, _UNKNOWN)
    return _target(filename) if target is _UNKNOWN else target


def targets_before(release, depth=1):
    """Was the caller's caller (`depth` frames above the function asking) written for a torch
    release before `release` ("0.4", or a tuple)? False for every file that is not a legacy
    program's own. One frame lookup and two dictionary lookups: cheap enough for every call of a
    patched function."""
    if not _programs:
        return False
    target = _caller_target(depth)
    if target is None or target is _NOT_OWNED:
        return False
    return target < (release if type(release) is tuple else _bounds.get(release) or _bound(release))


def written_since(release, depth=1):
    """Is the caller's caller a file of a program written for `release` or later (torch 2.x rules
    included)? False for every file that is not a legacy program's own: the complement of
    `targets_before` within the programs' files (`Variable(x)` in code dated 0.4 is torch's)."""
    if not _programs:
        return False
    target = _caller_target(depth)
    return target is not _NOT_OWNED and (target is None or target >= _bound(release))


def any_targets_before(release):
    """Does some program being run target a release before `release`?"""
    if not _programs:
        return False
    bound = _bound(release)
    return any(program.release is not None and program.release < bound for program in _programs)


def on_change(callback):
    """Call `callback()` whenever programs enter or leave or a release changes (patches that exist
    only while a 0.3 program runs are applied and reverted this way)."""
    if callback not in _listeners:
        _listeners.append(callback)


def running():
    """Is a legacy program being run (so that some file may be one of its own)?"""
    return bool(_programs)


def watch(watcher):
    """Call `watcher(running())` now and whenever it changes: rules with a per-call cost for every
    caller (torch's global hooks) exist only while a legacy program runs."""
    _watchers.append(watcher)
    watcher(running())


def unwatch(watcher):
    if watcher in _watchers:
        _watchers.remove(watcher)


def _target(filename):
    target = _targets.get(filename, _UNKNOWN)
    if target is _UNKNOWN:
        target = _NOT_OWNED
        for program in reversed(_programs):  # innermost first: an adopted file before its folder
            if program.owns(filename):
                target = program.release
                break
        _targets[filename] = target
    return target


def _not_compiling():
    return False


# Code that torch.compile traces is modern code (torch 2.x), and dynamo cannot trace the frame
# lookups a caller's file is read from: while it traces, no caller is a program's file.
# `torch.compiler.is_compiling` (torch >= 2.3; dynamo reads it as True) once a program runs, so
# that this module loads without torch.
_is_compiling = _not_compiling


def _changed():
    global _was_running, _is_compiling
    if _programs and _is_compiling is _not_compiling:
        import torch.compiler

        _is_compiling = getattr(torch.compiler, "is_compiling", _not_compiling)
    _owned.clear()
    _targets.clear()
    for callback in _listeners:
        callback()
    if running() != _was_running:
        _was_running = running()
        for watcher in list(_watchers):
            watcher(_was_running)


def _bound(release):
    if isinstance(release, tuple):
        return release
    bound = _bounds.get(release)
    if bound is None:
        from varshim_migrate.dating import parse_release

        bound = _bounds[release] = parse_release(release)
    return bound


def _release_text(release):
    from varshim_migrate.dating import format_release  # loaded when a decision is told, not at import

    return format_release(release)


def _locate(where, evidence):
    """file:line of an idiom; `where` may map a line to a place itself (a notebook's cells)."""
    return where(evidence.line) if callable(where) else f"{where}:{evidence.line}"


def to_stderr(line):
    """Where entry points announce a decision: one line on stderr."""
    print(line, file=sys.stderr)


# -- the modules a source imports ------------------------------------------------------------------

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))", re.M)


def _imported_files(source, filename, search):
    """Files a source's import statements may load, under the `search` folders (relative imports:
    the file's own package). Read from the text, so `importlib` calls are found only at load."""
    here = os.path.dirname(os.path.realpath(filename)) if filename else None
    for match in _IMPORT.finditer(source):
        dots, module, names, plain = match.groups()
        if plain is not None:
            for name in plain.split(","):
                name = name.split(" as ")[0].strip()
                if name:
                    yield from _module_files(name, search)
            continue
        if dots:
            if here is None:
                continue
            base = here
            for _ in range(len(dots) - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            bases = search
        names = [n.split(" as ")[0].strip() for n in names.strip("()").replace("\n", " ").split(",")]
        for name in [module] + [f"{module}.{n}" if module else n for n in names if n and n != "*"]:
            if name:
                yield from _module_files(name, bases)


def _module_files(dotted, bases):
    """The files importing `dotted` runs: each package's `__init__.py` and the module itself."""
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return
    for base in bases:
        folder = base
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            init = os.path.join(folder, "__init__.py")
            if os.path.isfile(init):
                yield init
        leaf = os.path.join(folder, parts[-1])
        for candidate in (leaf + ".py", os.path.join(leaf, "__init__.py")):
            if os.path.isfile(candidate):
                yield candidate
                return


def _read(filename):
    try:
        with open(filename, "rb") as handle:
            data = handle.read(1 << 20)
        return data.decode("utf-8", errors="replace")
    except OSError:
        return None
