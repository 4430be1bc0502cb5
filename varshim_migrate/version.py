"""The installed varshim's version, for `--version` and the flake8 plugin, without importing torch;
and the argparse parser every varshim command uses (usage errors in one line).

Read from the distribution's metadata only when asked: `importlib.metadata` costs tens of
milliseconds, more than the rest of `varshim check`'s start-up.
"""

import argparse

__all__ = ["version", "VersionAction", "Parser"]


def version():
    import importlib.metadata

    return importlib.metadata.version("varshim")


class VersionAction(argparse.Action):
    """`-V`/`--version`: print `varshim X.Y.Z` and exit (argparse's own action needs the text up front)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print varshim's version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"varshim {version()}")
        parser.exit()


class Parser(argparse.ArgumentParser):
    """Usage errors in one line, naming the command and where its help is (argparse prints the
    whole usage first, which for `varshim run` is four lines)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (`{self.prog} --help` lists the options)\n")
