"""migrate on the repo's realistic legacy programs (examples/legacy) and their modern twins."""

import ast
import pathlib

import pytest

from varshim_migrate import check_source, migrate_source

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "legacy"
LEGACY = sorted(EXAMPLES.glob("*.py"))
MODERN = sorted((EXAMPLES / "modern").glob("*.py"))


def test_examples_exist():
    assert len(LEGACY) >= 5 and len(MODERN) >= 5


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.stem)
def test_legacy_example_migrates_to_what_is_left_for_a_human(path):
    migration = migrate_source(path.read_text())
    assert migration.failure is None
    assert migration.changed == any(f.fixable for f in migration.findings)  # helper modules have nothing legacy
    ast.parse(migration.new_source)
    again = migrate_source(migration.new_source)
    assert again.new_source == migration.new_source  # idempotent
    left = check_source(migration.new_source)
    assert not any(f.fixable for f in left)  # everything exact was rewritten
    assert sorted(f.code for f in left) == sorted(f.code for f in migration.human)


@pytest.mark.parametrize("path", MODERN, ids=lambda p: p.stem)
def test_modern_twin_is_clean_and_unchanged(path):
    source = path.read_text()
    assert check_source(source) == []
    assert migrate_source(source, annotate=True).new_source == source
