"""`LegacyTorchWarning` (issue 2 behavior 7): one warning per user call site, attributed to the user's
file and line, naming the modern spelling; standard filters silence or escalate it."""

import subprocess
import sys
import textwrap
import warnings

import pytest
import torch
import torch.fx.experimental.symbolic_shapes  # noqa: F401  (see _recorded)

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from varshim.legacy_warnings import warn_legacy


def _recorded(action, run):
    # torch imports sympy lazily on the first backward with a gradient, and sympy installs a
    # warning filter, which clears every once-per-site registry (also for torch's own warnings);
    # the import above keeps that out of these tests.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action, LegacyTorchWarning)
        run()
    return [w for w in caught if issubclass(w.category, LegacyTorchWarning)]


def _line_of(marker):
    with open(__file__) as source:
        return next(n for n, line in enumerate(source, 1) if line.rstrip().endswith(marker))


def test_is_a_future_warning():
    assert issubclass(LegacyTorchWarning, FutureWarning)


# Each idiom, the line of this file that triggers it, and the modern spelling its message names.
def _variable_call():
    Variable(torch.ones(2))  # site: variable


def _volatile():
    Variable(torch.ones(2), volatile=True)  # site: volatile


def _creator():
    (Variable(torch.ones(2), requires_grad=True) * 2).creator  # site: creator


def _data_index():
    Variable(torch.ones(2)).sum().data[0]  # site: data-index


def _data_sum():
    Variable(torch.ones(2)).data.sum()  # site: data-sum


def _retain_variables():
    Variable(torch.ones(1), requires_grad=True).mul(2).backward(retain_variables=True)  # site: retain


def _autograd_variables():
    torch.autograd.backward(variables=[Variable(torch.ones(1), requires_grad=True).mul(2)])  # site: variables


def _mis_shaped():
    Variable(torch.ones(2), requires_grad=True).sum().backward(torch.ones(2))  # site: mis-shaped


def _integer_grad():
    Variable(torch.arange(2), requires_grad=True)  # site: integer


IDIOMS = [
    (_variable_call, "# site: variable", "requires_grad_()"),
    (_volatile, "# site: volatile", "torch.no_grad()"),
    (_creator, "# site: creator", "x.grad_fn"),
    (_data_index, "# site: data-index", "x.item()"),
    (_data_sum, "# site: data-sum", "t.sum().item()"),
    (_retain_variables, "# site: retain", "retain_graph="),
    (_autograd_variables, "# site: variables", "tensors="),
    (_mis_shaped, "# site: mis-shaped", "torch.ones_like(out)"),
    (_integer_grad, "# site: integer", "dtype=torch.float32"),
]


@pytest.mark.parametrize("idiom, marker, modern", IDIOMS, ids=[m.split(": ")[1] for _, m, _ in IDIOMS])
def test_warns_once_at_the_user_line_naming_the_modern_spelling(idiom, marker, modern):
    caught = _recorded("default", lambda: [idiom() for _ in range(3)])
    at_site = [w for w in caught if modern in str(w.message)]
    assert len(at_site) == 1, [str(w.message) for w in caught]
    assert at_site[0].filename == __file__
    assert at_site[0].lineno == _line_of(marker)
    assert all(w.filename == __file__ and w.lineno == _line_of(marker) for w in caught)


def test_two_call_sites_warn_twice():
    def run():
        for _ in range(2):
            Variable(torch.ones(2)).sum().data[0]  # site: first
            Variable(torch.ones(2)).sum().data[0]  # site: second

    caught = _recorded("default", run)
    index_warnings = [w for w in caught if "x.item()" in str(w.message)]
    assert [w.lineno for w in index_warnings] == [_line_of("# site: first"), _line_of("# site: second")]


def test_ignore_filter_silences():
    assert _recorded("ignore", lambda: [idiom() for idiom, _, _ in IDIOMS]) == []


def test_error_filter_raises_at_the_call():
    y = Variable(torch.ones(2), requires_grad=True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", LegacyTorchWarning)
        with pytest.raises(LegacyTorchWarning, match="grad_fn"):
            y.creator


def test_warning_from_shim_internals_only_still_warns():
    with pytest.warns(LegacyTorchWarning, match="modern"):
        warn_legacy("modern spelling")


def _warn_at_one_site():
    warn_legacy("a repeated legacy idiom")  # site: repeated


def test_a_site_already_shown_is_not_decided_again(monkeypatch):
    calls = []
    explicit = warnings.warn_explicit
    monkeypatch.setattr(warnings, "warn_explicit", lambda *a, **k: calls.append(a) or explicit(*a, **k))
    caught = _recorded("default", lambda: [_warn_at_one_site() for _ in range(5)])
    assert len(caught) == 1 and len(calls) == 1  # four repeats cost a lookup, not a warn_explicit


@pytest.mark.parametrize("change", ["simplefilter", "catch_warnings", "resetwarnings"])
def test_a_filter_change_after_a_site_was_shown_is_obeyed(change):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("default", LegacyTorchWarning)
        _warn_at_one_site()
        _warn_at_one_site()
        if change == "catch_warnings":
            with warnings.catch_warnings():
                warnings.simplefilter("error", LegacyTorchWarning)
                with pytest.raises(LegacyTorchWarning):
                    _warn_at_one_site()
            return
        if change == "resetwarnings":
            warnings.resetwarnings()
            warnings.filterwarnings("error", category=LegacyTorchWarning, append=True)
        else:
            warnings.simplefilter("error", LegacyTorchWarning)  # in place, on the same list
        with pytest.raises(LegacyTorchWarning):
            _warn_at_one_site()


def test_always_filter_warns_at_every_call():
    assert len(_recorded("always", lambda: [_warn_at_one_site() for _ in range(3)])) == 3


def test_an_ignored_site_is_shown_once_filters_let_it_through():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LegacyTorchWarning)
        _warn_at_one_site()
        _warn_at_one_site()
        warnings.simplefilter("always", LegacyTorchWarning)
        with pytest.warns(LegacyTorchWarning, match="repeated"):
            _warn_at_one_site()


def test_script_output_shows_each_site_once(tmp_path):
    script = tmp_path / "legacy_loop.py"
    script.write_text(
        textwrap.dedent(
            """\
            import torch
            from varshim import Variable

            x = Variable(torch.ones(3), requires_grad=True)
            for step in range(5):
                loss = (x * 2).sum()
                total = loss.data[0]
                loss.creator
            """
        )
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stderr.splitlines() if "LegacyTorchWarning" in line]
    assert headers == [
        f"{script}:4: LegacyTorchWarning: Variable(t) is a no-op since PyTorch 0.4: use the tensor t itself "
        "(t.requires_grad_() for requires_grad=True).",
        f"{script}:7: LegacyTorchWarning: x.data[i] on a one-element tensor gave a Python number before 0.4: "
        "write x.item().",
        f"{script}:8: LegacyTorchWarning: Variable.creator was renamed grad_fn in PyTorch 0.2: write x.grad_fn.",
    ]


# -- torch's own warnings raised inside a patched function keep pointing at the caller ------------


class _NewStyle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x


def _torch_warnings():
    """Calls through patched names in which torch itself warns: C++ warnings (stack level 1) and
    Python ones (`stacklevel=2`), each twice from two lines, under the default filter."""
    x = torch.ones(2, requires_grad=True)
    for _ in range(2):
        torch.arange(3, out=torch.empty(1))  # site: torch C++ 1
        torch.arange(3, out=torch.empty(1))  # site: torch C++ 2
        torch.autograd.backward([(x * 2).sum()], grad_variables=[None])  # site: torch grad_variables
        torch.autograd.grad((x * 2).sum(), x, only_inputs=False)  # site: torch only_inputs
        _NewStyle()  # site: torch Function()


def _torch_recorded():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        _torch_warnings()
    return [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


def test_torch_warnings_inside_patched_functions_name_the_callers_line():
    from tests.support.legacy_program import modern_torch

    with modern_torch():
        expected = _torch_recorded()
    got = _torch_recorded()
    sites = ["torch C++ 1", "torch C++ 2", "torch grad_variables", "torch only_inputs", "torch Function()"]
    places = [(filename, line) for _, _, filename, line in expected]
    assert places == [(__file__, _line_of(f"# site: {site}")) for site in sites]
    assert got == expected


def test_calling_as_the_caller_leaves_the_warning_registries_alone():
    # a once-per-site warning elsewhere must not show again because varshim called torch in between
    # (warnings.catch_warnings would reset every registry)
    def elsewhere():
        warnings.warn("shown once", UserWarning)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(3):
            elsewhere()
            torch.arange(2, out=torch.empty(1))
            _NewStyle()
    assert [str(w.message) for w in caught].count("shown once") == 1


def test_torch_is_called_from_a_frame_like_each_callers():
    # one code object run in two namespaces (as exec'd cells are): each call comes from its own globals
    from varshim.legacy_warnings import call_as_caller

    cell = ("import sys\n\ndef patched():\n    return call(sys._getframe, (0,), {})\n\n"
            "def probe():\n    return patched()\n")
    code = compile(cell, "cell.py", "exec")
    frames = []
    for name in ("first", "second"):
        namespace = {"__name__": name, "call": call_as_caller}
        exec(code, namespace)
        frames.append((namespace, namespace["probe"]()))
    for namespace, frame in frames:
        assert frame.f_globals is namespace and (frame.f_code.co_filename, frame.f_lineno) == ("cell.py", 7)
