"""`varshim check` / `varshim migrate`: find Variable-era idioms and rewrite them to modern torch.

Pure source tooling: nothing here imports torch or varshim's runtime shim (`varshim`); the shim
imports this package's token-level `async_keywords` to compile legacy files, so importing the
package itself loads nothing (the names below load their module on first use). `check` walks the
standard `ast` once (fast, and libcst is never imported); `migrate` applies libcst rewrites at what
`check` found, so comments and formatting are kept. Rules: `rules/`, one class per idiom,
registered in `rules/__init__.py`, codes documented in docs/migration.md.
"""

import importlib

__all__ = ["check_source", "migrate_source", "Migration", "VarshimCodemod", "select_rules", "RULES", "BY_CODE", "CODES"]

_HOMES = {
    "check_source": "checker",
    "migrate_source": "migration", "Migration": "migration",
    "VarshimCodemod": "codemod",
    "select_rules": "rules", "RULES": "rules", "BY_CODE": "rules", "CODES": "rules",
}


def __getattr__(name):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
