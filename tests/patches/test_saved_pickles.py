"""The record of saved pickles across runs (varshim.patches.saved_pickles): bounded, private, safe
under concurrent processes, and vouching for nothing when it is damaged."""

import os
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings

import pytest

from varshim.patches import saved_pickles


def digest(n):
    return f"{n:064x}"


@pytest.fixture
def record(tmp_path, monkeypatch):
    """A record of its own, and the once-per-process warning not yet given."""
    monkeypatch.setenv("VARSHIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(saved_pickles, "_warned", False)
    return tmp_path / "cache" / "saved-pickles"


def test_the_tests_never_record_in_the_users_cache():
    chosen = os.environ["VARSHIM_CACHE_DIR"]  # set by tests/conftest.py for the whole session
    assert os.path.commonpath([chosen, tempfile.gettempdir()]) == tempfile.gettempdir()
    assert saved_pickles.folder() == chosen


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG rule is the other platforms'")
def test_the_folder_is_the_users_cache_unless_overridden(tmp_path, monkeypatch):
    monkeypatch.delenv("VARSHIM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert saved_pickles.folder() == str(tmp_path / "xdg" / "varshim")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert saved_pickles.folder() == str(tmp_path / "home" / ".cache" / "varshim")


def test_saves_are_recorded_and_the_newest_kept(record, monkeypatch):
    monkeypatch.setattr(saved_pickles, "MOST_ENTRIES", 8)
    assert saved_pickles.entries() == set()  # no record yet: nothing vouched, no warning
    for n in range(40):
        saved_pickles.add(digest(n), n)
        found = saved_pickles.entries()
        assert {(digest(k), k) for k in range(max(0, n - 7), n + 1)} <= found <= {(digest(k), k) for k in range(n + 1)}
        assert len(record.read_text().splitlines()) <= 1 + 2 * 8
    saved_pickles.add(digest(30), 30)  # saved again: among the newest once more
    for n in range(40, 47):
        saved_pickles.add(digest(n), n)
    assert (digest(30), 30) in saved_pickles.entries()


def test_the_default_bound_keeps_the_record_small(record):
    for n in range(2 * saved_pickles.MOST_ENTRIES + 3):
        saved_pickles.add(digest(n), 10**12 + n)
    assert len(saved_pickles.entries()) >= saved_pickles.MOST_ENTRIES
    assert record.stat().st_size < 400_000


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes")
def test_the_record_is_private(record):
    saved_pickles.add(digest(1), 1)
    assert record.stat().st_mode & 0o777 == 0o600
    assert record.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("damage", [
    lambda header, good: "garbage\n",
    lambda header, good: header + good[:-1],  # a torn last line: an entry without its newline
    lambda header, good: header + good + "z" * 81 + "\n",  # the length of an entry, not one
    lambda header, good: "",
], ids=["garbage", "torn-line", "bad-entry", "empty"])
def test_a_damaged_record_vouches_for_nothing_with_one_warning(record, damage):
    saved_pickles.add(digest(1), 1)
    header = record.read_text().splitlines(True)[0]
    record.write_text(damage(header, f"{digest(2)} {2:016d}\n"))
    with pytest.warns(RuntimeWarning, match="corrupt") as shown:
        assert saved_pickles.entries() == set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one warning per process; the record was reset
        assert saved_pickles.entries() == set()
        saved_pickles.add(digest(3), 3)
        assert saved_pickles.entries() == {(digest(3), 3)}
    assert len(shown) == 1 and "vouches for no file saved before" in str(shown[0].message)


def test_an_unreadable_record_vouches_for_nothing(record):
    record.mkdir(parents=True)  # something no one can read as a record, even as root
    with pytest.warns(RuntimeWarning, match="unreadable"):
        assert saved_pickles.entries() == set()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes")
def test_a_record_others_could_write_vouches_for_nothing(record):
    saved_pickles.add(digest(1), 1)
    record.chmod(0o666)
    with pytest.warns(RuntimeWarning, match="writable by other users"):
        assert saved_pickles.entries() == set()


def test_a_record_that_cannot_be_written_costs_one_warning(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("VARSHIM_CACHE_DIR", str(tmp_path / "a-file" / "cache"))  # no folder can be made
    monkeypatch.setattr(saved_pickles, "_warned", False)
    with pytest.warns(RuntimeWarning, match="could not record"):
        saved_pickles.add(digest(1), 1)
        saved_pickles.add(digest(2), 2)
    assert saved_pickles.entries() == set()


# Each process loads the module from its file (it needs neither torch nor varshim), bounds it at
# 64 entries so that rewrites happen too, waits for the same instant, then records its entries, in
# order, as fast as it can.
_WRITER = """
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("saved_pickles", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.MOST_ENTRIES = 64
worker, start = int(sys.argv[2]), float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
for n in range(int(sys.argv[4])):
    module.add(f"{worker:032x}{n:032x}", n)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no fcntl: a save during a rewrite may be lost")
def test_concurrent_processes_keep_a_whole_record_and_the_newest_saves(record):
    workers, each = 4, 400
    start = time.time() + 1.5  # after every interpreter has started
    env = dict(os.environ, VARSHIM_CACHE_DIR=str(record.parent))
    processes = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(_WRITER), saved_pickles.__file__, str(w),
                                   str(start), str(each)], env=env, stderr=subprocess.PIPE, text=True)
                 for w in range(workers)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * workers, errors
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the record is whole: no warning
        found = saved_pickles.entries()
    assert len(found) >= 64
    # the record is the newest saves in the order the lock let them in: of each process's saves,
    # which it made in order, the newest ones, without a gap (a lost save leaves one)
    for w in range(workers):
        kept = sorted(n for d, n in found if d.startswith(f"{w:032x}"))
        assert kept == list(range(each - len(kept), each)), f"process {w} lost saves"
        assert all(d == f"{w:032x}{n:032x}" for d, n in found if d.startswith(f"{w:032x}"))
