"""`varshim check` / `varshim migrate`: find Variable-era idioms and rewrite them to modern torch.

Pure source tooling: nothing here imports torch or varshim's runtime shim (only the token-level
`varshim.source`). `check` walks the standard `ast` once (fast); `migrate` applies libcst
rewrites at what `check` found, so comments and formatting are kept. Rules: `rules/`, one class
per idiom, codes documented in docs/migration.md.
"""

from .checker import check_source
from .fixer import Migration, VarshimCodemod, migrate_source, select_rules
from .rules import BY_CODE, CODES, RULES

__all__ = ["check_source", "migrate_source", "Migration", "VarshimCodemod", "select_rules", "RULES", "BY_CODE", "CODES"]
