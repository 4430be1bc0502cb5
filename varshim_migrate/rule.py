"""`Rule` and `Finding`: one legacy idiom, how `check` finds it and how `migrate` rewrites it.

A rule finds its idiom on the standard `ast` (fast, for `check` and flake8) and, when the rewrite
is exact, rewrites the matching libcst node (for `migrate`). The two meet by source position:
the finding records the libcst node type and the start of the node it will replace.
"""

import dataclasses

__all__ = ["Finding", "Rule"]


@dataclasses.dataclass
class Finding:
    code: str
    line: int  # 1-based
    col: int  # 0-based, in characters
    message: str
    fixable: bool = False
    suggestion: str = ""  # the modern code, for what needs a human
    anchor: tuple = ()  # (libcst node type, line, col) of the node the fix replaces
    data: dict = dataclasses.field(default_factory=dict)
    path: str = ""
    cell: int = 0  # notebooks: 1-based cell number

    def location(self):
        cell = f"cell-{self.cell}:" if self.cell else ""
        return f"{self.path}:{cell}{self.line}:{self.col + 1}"

    def format(self):
        return f"{self.location()}: {self.code} {self.message}"

    def as_json(self):
        return {
            "path": self.path, "cell": self.cell or None, "line": self.line, "col": self.col + 1,
            "code": self.code, "message": self.message, "fixable": self.fixable,
            "suggestion": self.suggestion or None,
        }


class Rule:
    """One legacy idiom. Subclasses set the class attributes and implement `check` (and `fix`)."""

    code = ""
    title = ""  # the legacy idiom, short
    modern = ""  # its modern spelling, short
    nodes = ()  # ast node types `check` is called with

    def check(self, node, context):
        """Yield `context.finding(...)` for each occurrence at `node`."""
        raise NotImplementedError

    def fix(self, node, finding):
        """Return the rewritten libcst node for a fixable finding anchored at `node`."""
        raise NotImplementedError
