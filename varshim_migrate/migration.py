"""`migrate` on one source text: the token passes, then libcst rewrites at what `check` found.

`check` finds each idiom on the standard `ast`; a fixable finding names the libcst node (type and
span) its rule rewrites. Everything else in the file is left byte for byte, comments and
formatting included. libcst is imported only when there is something to rewrite (`fixer`).
"""

import collections
import dataclasses

from .checker import check_source, prepare
from .rules import BY_CODE, RULES, TOKEN_PASSES

__all__ = ["Migration", "migrate_source"]

_TOKEN_CODES = frozenset(token_pass.code for token_pass in TOKEN_PASSES)


@dataclasses.dataclass
class Migration:
    """The outcome of migrating one source text."""

    source: str
    new_source: str
    findings: list  # everything check found (VS001 if the file does not parse)
    applied: collections.Counter  # rule code -> idioms rewritten

    @property
    def changed(self):
        return self.new_source != self.source

    @property
    def human(self):
        """Findings left for a person (not rewritten)."""
        return [f for f in self.findings if not f.fixable and f.code != "VS001"]

    @property
    def failure(self):
        return next((f for f in self.findings if f.code == "VS001"), None)

    @property
    def inexact(self):
        """Codes of the rules applied here whose rewrites are not bit-exact (`Rule.exact`)."""
        return sorted(code for code in self.applied if not BY_CODE[code].exact)

    @property
    def needs_varshim(self):
        """Does the file still need varshim at run time: something left for a human, or a rewrite
        that is not bit-exact?"""
        return bool(self.human or self.inexact)


# Two rules may rewrite one node (`u.data.dot(v.data)`: the number of VS203, the flattening of
# VS901); the fixer applies one fix a node, and the other shows in the rewritten text. Passes
# repeat until the text stays the same, so that a second `varshim migrate` is a no-op.
_MOST_PASSES = 4


def migrate_source(source, rules=RULES, annotate=False, module=None, prepared=None, project=None):
    """Migrate one source text; idempotent, and the identity on code with nothing legacy in it.

    `module`, `prepared` and `project` are as for `check_source` (notebooks pass the first two;
    `varshim migrate` the project of the files it was given). The findings are the first pass's
    (they name lines of `source`); `applied` counts the rewrites of every pass.
    """
    migration = _one_pass(source, rules, annotate, module, prepared, project)
    for _ in range(_MOST_PASSES - 1):
        if not migration.changed:
            break
        again = _one_pass(migration.new_source, rules, annotate, module, None, project)
        if not again.changed or again.failure:
            break
        migration = Migration(source, again.new_source, migration.findings, migration.applied + again.applied)
    return migration


def _one_pass(source, rules, annotate, module, prepared, project):
    prepared = prepared or prepare(source)
    findings = check_source(source, rules, module, prepared, project)
    unchanged = Migration(source, source, findings, collections.Counter())
    if unchanged.failure or not (any(f.fixable for f in findings) or (annotate and unchanged.human)):
        return unchanged
    from .fixer import Pieces, rewrite  # libcst: only when there is something to write

    _, text, tree = prepared
    pieces = Pieces(text, tree)
    del prepared, tree  # libcst's tree may take the memory of the ast (unless the caller holds it)
    new_source, applied = rewrite(text, findings, rules, annotate, pieces)
    applied.update(f.code for f in findings if f.code in _TOKEN_CODES)
    return Migration(source, new_source, findings, applied)
