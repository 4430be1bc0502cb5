"""Rule cases as data: what a rule turns a source into, and what it leaves alone.

Each family's table is a module in tests/migrate/rules/ (mirroring varshim_migrate/rules/) with
`CASES`, a list of `rewrite(...)` and `unchanged(...)`; tests/migrate/test_rules.py runs every
case through `migrate_source` with only the case's codes selected, and runs it again on the
result, which must be a fixed point (a rule is idempotent).
"""

import dataclasses

__all__ = ["Case", "rewrite", "unchanged"]


@dataclasses.dataclass(frozen=True)
class Case:
    select: tuple  # codes or prefixes selected (`--select`)
    name: str
    before: str
    after: str  # == before for a case the rules leave alone
    human: tuple = ()  # what is left for a person, `VSnnn line N`, in order
    annotate: bool = False  # migrate --annotate

    def __str__(self):
        return f"{','.join(self.select)}:{self.name.replace(' ', '_')}"


def _codes(select):
    return (select,) if isinstance(select, str) else tuple(select)


def rewrite(select, name, before, after, *, human=(), annotate=False):
    """`before` migrates to `after` (and `after` to itself)."""
    assert before != after, f"{name}: a rewrite must change something (use unchanged)"
    return Case(_codes(select), name, before, after, tuple(human), annotate)


def unchanged(select, name, source, *, human=(), annotate=False):
    """`source` is left as it is; `human` lists what is reported as needing a person."""
    return Case(_codes(select), name, source, source, tuple(human), annotate)
