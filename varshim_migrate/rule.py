"""What a rule is: `Rule` (found on the `ast`, rewritten on libcst nodes), `TokenPass` (found and
rewritten on tokens) and the `Finding` both report.

A `Rule` finds its idiom on the standard `ast` (fast, for `check` and flake8) and, when the
rewrite is exact, rewrites the matching libcst node (for `migrate`). The two meet by source
position: the finding records the libcst node type and the span of the node it will replace, and
carries the rule's own `plan` (a small dataclass of the rule's) for the fix. A rule whose rewrite
reaches beyond its node (removing a statement, wrapping statements in a block) also edits the
statement lists around its fixes (`fix_block`). State a rule keeps while checking one file is
declared (`State`) and handed out by the check context.

A `TokenPass` is for legacy syntax that no parser of today's Python reads (`async=`): it runs on
the source text before anything parses it. Both kinds are registered in `rules/__init__.py`.
Nothing here imports libcst: `check` never loads it.
"""

import dataclasses

__all__ = ["Finding", "Rule", "NamesTorch", "TokenPass", "ANY_NAME", "NOT_A_NAME"]

# In `Rule.names`: every call of a plain name, whichever (`criterion(output, target)`), and every
# call of something that is neither a name nor an attribute (`Fn()(x)`, `nn.MSELoss()(a, b)`).
ANY_NAME = "<any name>"
NOT_A_NAME = "<not a name>"


@dataclasses.dataclass
class Finding:
    code: str
    line: int  # 1-based
    col: int  # 0-based, in characters
    message: str
    fixable: bool = False
    suggestion: str = ""  # the modern code, for what needs a human
    anchor: tuple = ()  # (libcst node type, line, col[, end line, end col]) of the node the fix replaces
    plan: object = None  # the rule's own record of how to fix it (a dataclass of the rule's), or None
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
    """One legacy idiom on the `ast`. Subclasses set the class attributes and implement `check`
    (and `fix` when some occurrences are fixable; `fix_block` and `State` when they need them)."""

    code = ""
    title = ""  # the legacy idiom, short
    modern = ""  # its modern spelling, short
    exact = True  # its rewrites compute what varshim computes, bit for bit (else the file still needs varshim)
    nodes = ()  # ast node types `check` is called with
    # The names `check` can find something at, for the node types that have one: what a call calls
    # (`f` of `f(x)` and `x.f(y)`; an imported name by its own name, `clip_grad_norm` for
    # `from torch.nn.utils import clip_grad_norm as clip`), an attribute's `attr`, a keyword's `arg`.
    # The checker calls `check` only there (None: at every node); other node types are not filtered.
    names = None
    # A class whose instance, made once per checked file from its `Analysis`, is what
    # `context.state(rule)` returns; rules that declare the same class share the instance.
    State = None

    def check(self, node, context):
        """Yield `context.finding(self, node, ...)` for each occurrence at `node`."""
        raise NotImplementedError

    def may_match(self, name, plain):
        """Can `check` find something at a node whose name (see `names`) is `name`? `plain`: the
        node is a call of a plain name. A rule matching names by more than equality overrides this."""
        names = self.names
        if names is None or name in names:
            return True
        return NOT_A_NAME in names if name is None else plain and ANY_NAME in names

    def fix(self, node, finding):
        """Return the rewritten libcst node for a fixable finding anchored at `node`."""
        raise NotImplementedError

    def fix_block(self, block, applied):
        """Edit a statement list (a `fixer.Block`) once the fixes inside it are made.

        `applied` lists this rule's findings fixed inside `block` (in its statements, nested blocks
        included), in source order; blocks are left innermost first. Called only for rules that
        override it, and only for blocks holding one of their fixes: an edit is made in the block
        around a fix (a statement list without one is not even visited).
        """


class NamesTorch(Rule):
    """A rule whose rewrites write `torch.<name>` with the file's own name for the module: a plan
    with `bound=False` (the file has none) has `import torch` added."""

    def fix_block(self, block, applied):
        if any(getattr(finding.plan, "bound", True) is False for finding in applied):
            block.require_import("torch")


class TokenPass:
    """One legacy idiom that today's parsers reject, found and rewritten on the source text."""

    code = ""
    title = ""
    modern = ""
    exact = True

    def apply(self, source):
        """(findings, `source` rewritten to modern syntax, the `ast` of that text if the pass parsed
        it or None); `([], source, None)` without the idiom."""
        raise NotImplementedError
