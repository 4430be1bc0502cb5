"""Every rule case (tests/migrate/rules/*.py) through migrate, and again through migrate.

A case selects its codes only, so it shows what that rule does alone; the second run proves the
rule idempotent: what it wrote, and what it left alone, migrates to itself.
"""

import pathlib
import re

import pytest

from tests.migrate.rules import backward, data, function, leniencies, removed, scalars, stochastic, syntax, variable
from varshim_migrate import RULES, migrate_source, select_rules
from varshim_migrate.rules import CODES
from varshim_migrate.rule import Rule

CASES = [case for family in (variable, scalars, backward, function, stochastic, syntax, data, removed, leniencies) for case in family.CASES]


def _migrate(case, source):
    return migrate_source(source, select_rules(case.select), annotate=case.annotate)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    migration = _migrate(case, case.before)
    assert migration.new_source == case.after
    assert [f"{f.code} line {f.line}" for f in migration.human] == list(case.human)
    assert migration.failure is None


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case_is_a_fixed_point(case):
    assert _migrate(case, case.after).new_source == case.after


def test_every_rule_has_cases():
    """A new rule comes with its table: a rewrite if it can fix anything, and what it leaves alone."""
    for rule in RULES:
        cases = [case for case in CASES if any(rule.code.startswith(prefix) for prefix in case.select)]
        assert any(case.before == case.after for case in cases), f"{rule.code}: no unchanged case"
        fixes = not isinstance(rule, Rule) or type(rule).fix is not Rule.fix
        assert not fixes or any(case.before != case.after for case in cases), f"{rule.code}: no rewrite case"


def test_case_names_are_unique():
    assert len({str(case) for case in CASES}) == len(CASES)


def test_every_rule_has_a_row_in_the_docs():
    """docs/migration.md's rule table lists every code, once, in code order."""
    docs = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "migration.md").read_text()
    assert re.findall(r"^\| (VS\d{3}) \|", docs, re.M) == list(CODES)
