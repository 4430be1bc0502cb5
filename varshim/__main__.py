"""`varshim` command line: `run` old code, `check` it for legacy idioms, `migrate` it.

`python -m varshim SCRIPT [ARGS...]` is `varshim run SCRIPT [ARGS...]`.
"""

import sys

_USAGE = """\
usage: varshim COMMAND [ARGS...]
       python -m varshim SCRIPT [ARGS...]     (same as: varshim run SCRIPT [ARGS...])

Run PyTorch 0.1-0.3 (Variable-era) code unchanged on modern torch, and migrate it.

commands:
  run      run a legacy script, module (-m) or notebook (.ipynb) with varshim installed
  check    report every legacy idiom in files or folders (path:line:col: VSnnn message)
  migrate  rewrite legacy idioms to modern torch (prints a diff; --write to apply)

`varshim COMMAND --help` explains each command with examples.
"""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, end="")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        from .runner import main as run
    elif command == "check":
        from .migrate.cli import check_main as run
    elif command == "migrate":
        from .migrate.cli import migrate_main as run
    else:
        from .runner import main as run

        rest = argv
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
