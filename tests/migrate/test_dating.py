"""`varshim_migrate.dating`: the idioms that say which torch release a source was written for."""

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from varshim_migrate.dating import (
    RELEASES, Evidence, date_source, format_release, parse_release, release_before,
)

HEADER = "import torch\nfrom torch.autograd import Variable\n"


def _kinds(source):
    return [("before" if e.before else "since", e.line, e.idiom.split(" (")[0]) for e in date_source(source)]


@pytest.mark.parametrize("line, idiom", [
    ("x = Variable(torch.ones(2), volatile=True)", "volatile=True"),
    ("total = (x * 2).sum().data[0]", "x.data[0]"),
    ("y.backward(retain_variables=True)", "backward(retain_variables=...)"),
    ("y = x.creator", "x.creator"),
    ("sample.reinforce(reward)", "sample.reinforce(reward)"),
    ("x = x.cuda(async=True)", "async=True"),
    ("x = Variable(t)", "Variable(x)"),
    ("class F(torch.autograd.Function):\n    def forward(self, x):\n        return x", "a legacy autograd.Function"),
])
def test_0_3_idioms_date_a_file_before_0_4(line, idiom):
    (evidence,) = date_source(HEADER + line + "\n")
    assert evidence.before == (0, 4) and evidence.since is None
    assert evidence.idiom.startswith(idiom + " (VS") and evidence.line == 3


@pytest.mark.parametrize("line, idiom", [
    ("print(loss.item())", "x.item()"),
    ("with torch.no_grad():\n    pass", "torch.no_grad"),
    ("t = torch.tensor([1.0])", "torch.tensor"),
    ("device = torch.device('cpu')", "torch.device"),
    ("z = torch.zeros(2, dtype=torch.float64)", "torch.zeros(..., dtype=...)"),
    ("w = torch.ones(2).requires_grad_()", "x.requires_grad_()"),
    ("from torch import no_grad", "from torch import no_grad"),
])
def test_names_new_in_0_4_date_a_file_for_0_4_or_later(line, idiom):
    (evidence,) = date_source("import torch\n" + line + "\n")
    assert evidence.since == (0, 4) and evidence.before is None
    assert evidence.idiom == idiom + " (new in 0.4)" and evidence.line == 2


def test_each_kind_is_reported_once_at_its_first_line():
    source = HEADER + "a = Variable(t)\nb = Variable(u)\nprint(a.sum().item())\nprint(b.item())\n"
    assert _kinds(source) == [("before", 3, "Variable(x)"), ("since", 5, "x.item()")]


def test_an_aliased_torch_module_is_recognised():
    assert _kinds("import torch as th\nwith th.no_grad():\n    pass\n") == [("since", 2, "th.no_grad")]


def test_lookalikes_date_nothing():
    source = textwrap.dedent("""\
        import numpy as np
        import torch
        x = np.zeros(2, dtype=np.float32)   # numpy's dtype=
        x.item(0)                            # numpy's item(i)
        with torch.cuda.device(0):           # existed in 0.3
            y = torch.FloatTensor(2)
        print(x.data[0], torch.arange(3))    # x.data[0] of something not certainly one-element
    """)
    assert date_source(source) == []


def test_a_modern_file_without_markers_is_not_parsed(monkeypatch):
    import ast

    monkeypatch.setattr(ast, "parse", lambda *a, **k: pytest.fail("parsed"))
    assert date_source("import torch\nx = torch.arange(4)\nprint(x.sum())\n") == []


def test_async_keywords_do_not_hide_the_modern_names():
    assert _kinds(HEADER + "x = t.cuda(async=True)\nprint(x.sum().item())\n") == [
        ("before", 3, "async=True"), ("since", 4, "x.item()")]


def test_an_unparsable_file_dates_nothing():
    assert date_source("import torch\nx = (\n") == []


@pytest.mark.parametrize("text, release", [("0.3", (0, 3)), ("0.3.1", (0, 3)), ("1.4", (1, 4)), ("2", (2, 0)),
                                           (" 1.13 ", (1, 13))])
def test_releases_parse(text, release):
    assert parse_release(text) == release


@pytest.mark.parametrize("text", ["", "auto", "1.x", "-1.0", "0.0", "1.2.3.4"])
def test_bad_releases_are_one_clear_error(text):
    with pytest.raises(ValueError, match="torch release"):
        parse_release(text)


def test_the_release_before_a_bound():
    assert release_before((0, 4)) == (0, 3) and release_before((2, 0)) == (1, 13) and release_before((0, 1)) is None


@given(st.sampled_from(RELEASES))
def test_every_release_round_trips(release):
    assert parse_release(format_release(release)) == release
    assert release_before(release) is None or release_before(release) < release


def test_evidence_is_a_plain_record():
    assert Evidence(3, "x.item() (new in 0.4)", since=(0, 4)).before is None
