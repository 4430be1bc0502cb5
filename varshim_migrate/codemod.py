"""`migrate` as a libcst codemod, for projects that run their rewrites through libcst's tooling."""

import libcst as cst
from libcst.codemod import Codemod

from .migration import migrate_source
from .rules import select_rules

__all__ = ["VarshimCodemod"]


class VarshimCodemod(Codemod):
    """`VarshimCodemod(context, codes=("VS101",), annotate=False)`.

    What needs a human is reported through `context.warnings` as `VSnnn line N: message`.
    """

    def __init__(self, context, codes=None, annotate=False):
        super().__init__(context)
        self.rules = select_rules(codes)
        self.annotate = annotate

    def transform_module_impl(self, tree):
        migration = migrate_source(tree.code, self.rules, self.annotate)
        for finding in migration.human:
            self.warn(f"{finding.code} line {finding.line}: {finding.message}")
        return cst.parse_module(migration.new_source) if migration.changed else tree
