"""`report`: what migrate prints on stderr at the end of a run."""

from varshim_migrate import migrate_source
from varshim_migrate.report import Report
from varshim_migrate.rule import Finding

LEGACY = "import torch\nprint(y.creator, x.creator)\na.reinforce(r)\n"


def test_render_lists_files_rewrites_per_rule_what_needs_a_human_and_failures():
    report = Report(written=True)
    report.add("a.py", migrate_source(LEGACY))
    report.add("modern.py", migrate_source("import torch\n"))
    report.add("broken.py", migrate_source("import torch\ndef f(:\n"))
    report.fail(Finding("VS001", 1, 0, "cannot read this file: denied", path="locked.py"))
    lines = report.render().splitlines()
    assert lines[:4] == [
        "varshim migrate: 4 file(s) scanned, 1 rewritten", "  a.py", "Idioms rewritten, per rule:",
        "  VS104     2  x.creator -> x.grad_fn",
    ]
    assert lines[4:7] == [
        "Needs a human (1), left unchanged:",
        "  a.py:3:1: VS502 reinforce() was removed in 0.3: sample with torch.distributions and back-propagate "
        "-log_prob(sample) * reward",
        "      suggested: m = torch.distributions.Categorical(probs); action = m.sample(); "
        "loss = -(m.log_prob(action) * reward).sum(); loss.backward()",
    ]
    assert lines[7] == "Failed to parse (2), left unchanged:"
    assert lines[8].startswith("  broken.py:2:7: VS001 cannot parse this file: ")  # the parser's words
    assert lines[9:] == [
        "  locked.py:1:1: VS001 cannot read this file: denied",
        "0 file(s) fully migrated (plain torch runs them), 1 still need varshim at run time:",
        "  a.py (1 left for a human)",
    ]
    assert not report.clean


def test_a_diff_run_says_what_would_be_rewritten_and_a_clean_one_is_clean():
    report = Report(written=False)
    report.add("a.py", migrate_source("import torch\nprint(y.creator)\n"))
    assert report.render().startswith("varshim migrate: 1 file(s) scanned, 1 would be rewritten (diff above; --write applies it)\n")
    assert report.clean


def test_the_last_line_counts_files_fully_migrated_and_those_that_still_need_varshim():
    report = Report(written=True)
    report.add("done.py", migrate_source("import torch\nprint(y.creator)\n"))
    report.add("clipped.py", migrate_source("import torch\ntorch.nn.utils.clip_grad_norm(ps, 1.0)\n"))
    report.add("nothing.py", migrate_source("import torch\nprint(torch.ones(2))\n"))
    assert report.render().splitlines()[-2:] == [
        "1 file(s) fully migrated (plain torch runs them), 1 still need varshim at run time:",
        "  clipped.py (VS703 is not bit-exact)",
    ]
    assert report.clean  # nothing is left for a human: the exit status says so
