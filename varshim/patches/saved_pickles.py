"""The record of whole-object pickles that `torch.save` wrote to files under varshim, kept across runs.

`varshim.patches.pickles` vouches for a file a later process loads (`main.py` saves the model,
`generate.py` loads it; a corpus cached on the first run) by its content: the sha256 and size of
what `torch.save` wrote, one line each in `saved-pickles` in this user's cache folder
(`$VARSHIM_CACHE_DIR`, else `$XDG_CACHE_HOME/varshim`, `~/.cache/varshim`; `~/Library/Caches/varshim`
on macOS, `%LOCALAPPDATA%\\varshim` on Windows). A file changed after saving has another digest.

- Bounded: at least the newest `MOST_ENTRIES` saves are kept, at most twice as many lines (82
  bytes each, about 340 kB); a file saved before those is refused again.
- Concurrent processes: a save appends its line with one write; dropping the oldest lines rewrites
  the record into a temporary file renamed over the old one (readers see one whole record or the
  other). Both happen under an exclusive lock on `saved-pickles.lock` where the platform has
  `fcntl`; elsewhere a save at the instant of a rewrite may be lost: that file is then refused,
  never wrongly trusted.
- A record that is corrupt, unreadable, not this user's or writable by others vouches for
  nothing: it is replaced by an empty one, with one warning per process.
Standard library only: nothing here needs torch.
"""

import contextlib
import os
import re
import sys
import tempfile
import warnings

__all__ = ["MOST_ENTRIES", "folder", "record_path", "entries", "add"]

MOST_ENTRIES = 2048
_HEADER = "varshim saved pickles 1: sha256 and size of each whole object torch.save wrote\n"
_SIZE_DIGITS = 16
_LINE = 64 + 1 + _SIZE_DIGITS + 1  # every entry has the same length: a torn one shows
_ENTRY = re.compile(r"([0-9a-f]{64}) ([0-9]{%d})\n" % _SIZE_DIGITS)
_warned = False


def folder():
    """This user's varshim cache folder (`$VARSHIM_CACHE_DIR` overrides the platform's)."""
    chosen = os.environ.get("VARSHIM_CACHE_DIR")
    if chosen:
        return os.path.abspath(os.path.expanduser(chosen))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
        return os.path.join(base, "varshim")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/varshim")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "varshim")


def record_path():
    return os.path.join(folder(), "saved-pickles")


def entries():
    """The recorded `(sha256 hex digest, size)` pairs; empty if the record is bad (which is then
    reset, with one warning)."""
    path = record_path()
    found, problem = _read(path)
    if problem:
        with contextlib.suppress(OSError), _locked(path + ".lock"):
            if _read(path)[1]:  # still bad: no save mended it meanwhile
                _replace(path, _HEADER)
        _warn_reset(path, problem)
    return set(found)


def add(digest, size):
    """Record a save: one line appended, and the oldest lines dropped once there are twice
    `MOST_ENTRIES`. A record that cannot be written costs this one file its cross-run trust, with
    one warning."""
    path = record_path()
    line = f"{digest} {size:0{_SIZE_DIGITS}d}\n"
    try:
        os.makedirs(folder(), mode=0o700, exist_ok=True)
        with _locked(path + ".lock"):
            if _appendable(path):
                descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
                try:
                    os.write(descriptor, line.encode("ascii"))  # one write: readers see all of it or none
                finally:
                    os.close(descriptor)
                return
            found, problem = _read(path)
            if problem:
                _warn_reset(path, problem)
            entry = (digest, size)
            newest_first = dict.fromkeys(e for e in reversed(found) if e != entry)  # a save again counts anew
            kept = list(newest_first)[:MOST_ENTRIES - 1][::-1]
            _replace(path, _HEADER + "".join(f"{d} {s:0{_SIZE_DIGITS}d}\n" for d, s in kept) + line)
    except OSError as error:
        _warn(f"varshim: could not record a torch.save in {path} ({error.strerror or error}): a later "
              "process will refuse to unpickle that file")


def _appendable(path):
    """Whether the record looks whole (its header, only whole lines) and has room for a line;
    otherwise it is rewritten. The full check of every line is `_read`'s."""
    try:
        stat = os.stat(path)
        with open(path, "rb") as record:
            header = record.read(len(_HEADER))
    except OSError:
        return False
    lines, rest = divmod(stat.st_size - len(_HEADER), _LINE)
    return (header == _HEADER.encode("ascii") and not rest and lines < 2 * MOST_ENTRIES
            and _foreign(stat) is None)


def _read(path):
    """(entries oldest first, None) or ([], why the record is unusable); a missing record is empty."""
    try:
        with open(path, encoding="ascii", newline="") as record:
            problem = _foreign(os.fstat(record.fileno()))
            lines = [] if problem else record.readlines()
    except FileNotFoundError:
        return [], None
    except (OSError, UnicodeDecodeError) as error:
        return [], f"unreadable: {getattr(error, 'strerror', None) or error}"
    if problem:
        return [], problem
    matches = [_ENTRY.fullmatch(line) for line in lines[1:]]
    if not lines or lines[0] != _HEADER or not all(matches):
        return [], "corrupt: not a record varshim wrote"
    return [(m.group(1), int(m.group(2))) for m in matches], None


def _foreign(stat):
    """Why a record another account could have written vouches for nothing (POSIX owners and modes)."""
    if hasattr(os, "getuid") and stat.st_uid != os.getuid():
        return "owned by another user"
    if hasattr(os, "getuid") and stat.st_mode & 0o022:
        return "writable by other users"
    return None


def _replace(path, text):
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".saved-pickles.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="ascii", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _locked(path):
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; a lost update only refuses a file
        yield
        return
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _warn_reset(path, problem):
    _warn(f"varshim: reset {path} ({problem}): it vouches for no file saved before, so torch.load "
          "refuses to unpickle those until they are saved again or trusted")


def _warn(message):
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, RuntimeWarning, stacklevel=2)
