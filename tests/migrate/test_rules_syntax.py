"""VS601: async= keyword arguments (a SyntaxError, so tested on source text, not through libcst)."""

from varshim_migrate import check_source, migrate_source, select_rules


def test_async_keyword_found_and_renamed():
    source = "import torch\nx = x.cuda(async=True)  # copy\ny.copy_(x, async=True)\n"
    findings = check_source(source, select_rules(["VS601"]))
    assert [(f.code, f.line, f.col) for f in findings] == [("VS601", 2, 11), ("VS601", 3, 11)]
    migrated = migrate_source(source)
    assert migrated.new_source == "import torch\nx = x.cuda(non_blocking=True)  # copy\ny.copy_(x, non_blocking=True)\n"
    assert migrated.applied["VS601"] == 2
    assert migrate_source(migrated.new_source).new_source == migrated.new_source


def test_async_rewritten_together_with_other_rules():
    source = "import torch\nfrom torch.autograd import Variable\nx = Variable(t.cuda(async=True))\n"
    assert migrate_source(source).new_source == "import torch\nfrom torch.autograd import Variable\nx = t.cuda(non_blocking=True)\n"


def test_async_functions_and_modern_code_unchanged():
    source = "import torch\nasync def f(x):\n    return await g(x, non_blocking=True)\n"
    assert check_source(source) == []
    assert not migrate_source(source).changed
