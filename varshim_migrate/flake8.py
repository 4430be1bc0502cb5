"""flake8 plugin: `flake8 --select VS` reports the same findings as `varshim check`.

Registered as `[project.entry-points."flake8.extension"] VS = "varshim_migrate.flake8:Flake8Checker"`.
flake8 hands over the standard `ast` it already parsed, so no file is parsed twice. A file with
`async=` keywords does not parse for flake8 (E999); `varshim check` reports those (VS601).
"""

from .checker import check_tree
from .rules import RULES

__all__ = ["Flake8Checker"]


class Flake8Checker:
    name = "varshim"

    def __init__(self, tree, lines):
        self.tree = tree
        self.lines = lines

    def run(self):
        source = "".join(self.lines)
        if "torch" not in source and "Variable" not in source:
            return
        for finding in check_tree(self.tree, source, RULES):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
