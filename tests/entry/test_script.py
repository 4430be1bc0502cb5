"""`varshim run` / `python -m varshim` behave as `python SCRIPT` (real subprocesses, one per scenario)."""

import os
import pathlib
import subprocess
import sys

import pytest
import torch

import varshim
import varshim_cli

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
PROJECT = DATA / "legacy_project"
VARSHIM_DIR = os.path.dirname(os.path.abspath(varshim.__file__))


def _start(args, cwd=DATA):
    env = dict(os.environ, PYTHONWARNINGS="ignore::FutureWarning")
    return subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)


# Every scenario is one real subprocess; they all start at once (each imports torch) and each
# test reads the run it is about.
SCENARIOS = {
    "succeeded": (["-m", "varshim", "run", "legacy_project/main.py", "3", "--flag", "two words"], "hello\n", DATA),
    "failed": (["-m", "varshim", "legacy_project/main.py", "fail"], "\n", DATA),
    "module": (["-m", "varshim", "run", "-m", "legacy_pkg", "a", "--b"], "", PROJECT),
    "bad_syntax": (["-m", "varshim", "run", "legacy_project/bad_syntax.py"], "", DATA),
}


@pytest.fixture(scope="module")
def runs():
    started = {name: (_start(args, cwd), stdin) for name, (args, stdin, cwd) in SCENARIOS.items()}
    results = {}
    for name, (process, stdin) in started.items():
        stdout, stderr = process.communicate(stdin, timeout=180)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return results


def _line_of(path, text):
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _printed(stdout):
    return dict(line.split(" ", 1) for line in stdout.splitlines())


def _after_the_decision(stderr):
    """What the program wrote to stderr, after varshim's one line saying what it runs as."""
    decision, _, rest = stderr.partition("\n")
    assert decision.startswith("varshim: ") and " runs as code for " in decision, stderr
    return rest


@pytest.fixture
def succeeded(runs):
    return runs["succeeded"]


@pytest.fixture
def failed(runs):
    return runs["failed"]


def test_the_decision_is_one_line_before_the_program_runs(runs):
    assert runs["succeeded"].stderr.splitlines()[0] == (
        "varshim: main.py runs as code for PyTorch 0.3: main.py:13 has Variable(x) (VS101, a 0.3 idiom); "
        "--written-for modern runs it with torch 2.x rules")
    # `x.sum().item()` (new in 0.4) beside `async=True`: written for 0.4, whose shims still run
    assert runs["module"].stderr.splitlines()[0].startswith(
        "varshim: legacy_pkg runs as code for PyTorch 0.4 or later: __main__.py:12 has x.item() (new in 0.4) "
        "(its older idioms, such as async=True at __main__.py:9, still work)")
    assert [line for line in runs["succeeded"].stderr.splitlines() if line.startswith("varshim: ")] == \
        runs["succeeded"].stderr.splitlines()[:1]


def test_script_sees_what_python_gives_it(succeeded):
    assert succeeded.returncode == 3, succeeded.stderr
    printed = _printed(succeeded.stdout)
    assert printed["argv"] == repr(["legacy_project/main.py", "3", "--flag", "two words"])
    assert printed["name"] == "__main__"
    assert printed["path0"] == str(PROJECT)
    assert printed["stdin"] == "hello"


def test_sibling_module_with_async_keyword_runs_legacy_code(succeeded):
    assert _printed(succeeded.stdout)["loss"] == "6.0 grad [3.0, 3.0]"


def test_plain_python_cannot_import_the_sibling_module():
    with pytest.raises(SyntaxError):
        compile((PROJECT / "helpers.py").read_text(), "helpers.py", "exec")


def test_uncaught_exception_exits_1_with_traceback_at_user_lines(failed):
    assert failed.returncode == 1
    stderr = _after_the_decision(failed.stderr)
    assert stderr.startswith("Traceback (most recent call last):\n"), stderr
    frames = [line.strip() for line in stderr.splitlines() if line.startswith('  File "')]
    assert frames == [
        'File "%s", line %d, in <module>' % (PROJECT / "main.py", _line_of(PROJECT / "main.py", "helpers.explode(x)")),
        'File "%s", line %d, in explode' % (PROJECT / "helpers.py", _line_of(PROJECT / "helpers.py", "x.data[7]")),
    ]
    assert VARSHIM_DIR not in stderr and "runpy" not in stderr
    assert stderr.splitlines()[-1].startswith("IndexError")


def test_run_module_like_python_m(runs):
    result = runs["module"]
    assert result.returncode == 5, result.stderr
    printed = _printed(result.stdout)
    assert printed["argv"] == repr([str(PROJECT / "legacy_pkg" / "__main__.py"), "a", "--b"])
    assert printed["name"] == "__main__"
    assert printed["sum"] == "3.0"


def test_other_syntax_error_is_reported_at_the_users_line(runs):
    result = runs["bad_syntax"]
    assert result.returncode == 1
    line = _line_of(PROJECT / "bad_syntax.py", "z = (1 +")
    assert _after_the_decision(result.stderr).splitlines()[:3] == [
        '  File "%s", line %d' % (PROJECT / "bad_syntax.py", line), "    z = (1 +", "        ^"]
    assert result.stderr.splitlines()[-1] == "SyntaxError: '(' was never closed"


# -- in-process: argument handling -------------------------------------------------------------

@pytest.mark.parametrize("argv, split", [
    (["s.py", "-m", "x"], ([], ["s.py"], ["-m", "x"])),
    (["--trust-pickle", "a.pt", "s.py", "--check"], (["--trust-pickle", "a.pt"], ["s.py"], ["--check"])),
    (["-m", "pkg.mod", "--tolerance", "1"], ([], ["-m", "pkg.mod"], ["--tolerance", "1"])),
    (["--", "-odd.py", "x"], ([], ["-odd.py"], ["x"])),
    (["nb.ipynb", "--check"], ([], ["nb.ipynb"], ["--check"])),
    (["--seed", "1", "--json", "o.json", "nb.ipynb"], (["--seed", "1", "--json", "o.json"], ["nb.ipynb"], [])),
])
def test_arguments_after_the_target_belong_to_it(argv, split):
    assert varshim_cli._split(argv) == split


def test_help_explains_every_option_with_examples(capsys):
    with pytest.raises(SystemExit) as info:
        varshim_cli.run_main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ("-m MODULE", "--trust-pickle PATH", "--written-for RELEASE", "--check", "--tolerance TOL",
                   "--json FILE", "--seed N",
                   "--output FILE.ipynb"):
        assert option in text
    assert "examples:" in text and "python -m varshim train.py" in text


@pytest.mark.parametrize("argv", [[], ["--check", "script.py"], ["--seed", "0", "script.py"],
                                  ["--json", "o.json", "script.py"], ["nb.ipynb", "--seed", "x"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        varshim_cli.run_main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err  # one line (issue 14), pointing at the help
    assert err.startswith("varshim run: error: ") and err.count("\n") == 1 and "`varshim run --help`" in err


def test_in_process_run_restores_sys(tmp_path, capsys):
    script = tmp_path / "script.py"
    script.write_text("import sys\nprint(sys.argv, __name__)\nsys.exit(4)\n")
    argv, path, main = sys.argv, list(sys.path), sys.modules["__main__"]
    with pytest.raises(SystemExit) as info:
        varshim_cli.run_main([str(script), "x"])
    assert info.value.code == 4
    assert capsys.readouterr().out == "%r __main__\n" % ([str(script), "x"],)
    assert (sys.argv, sys.path, sys.modules["__main__"]) == (argv, path, main)
    assert not any(type(finder).__module__ == "varshim.entry.project_imports" for finder in sys.meta_path)


def test_trust_pickle_lets_the_script_unpickle_that_file(tmp_path, capsys):
    checkpoint = tmp_path / "model.pt"
    varshim.uninstall()  # plain torch.save: varshim does not know this process wrote it
    try:
        torch.save(torch.nn.Linear(1, 1), checkpoint)
    finally:
        varshim.install()
    script = tmp_path / "load.py"
    script.write_text("import torch\nprint(type(torch.load(%r)).__name__)\n" % str(checkpoint))
    assert varshim_cli.run_main([str(script)]) == 1  # refused: a foreign pickle
    assert "trust" in capsys.readouterr().err
    assert varshim_cli.run_main(["--trust-pickle", str(checkpoint), str(script)]) == 0
    assert capsys.readouterr().out == "Linear\n"


@pytest.mark.parametrize("content", [
    b"x = '\xe9'\nprint(x)\n",  # latin-1 bytes, no coding cookie
    b"# -*- coding: klingon -*-\nx = 1\n",  # an unknown encoding
    b"# -*- coding: ascii -*-\nx = '\xc3\xa9'\n",  # bytes the declared encoding cannot read
])
def test_an_undecodable_script_gets_pythons_one_line(content, tmp_path, capsys):
    script = tmp_path / "script.py"
    script.write_bytes(content)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert varshim_cli.run_main([str(script)]) == plain.returncode == 1
    assert capsys.readouterr().err == plain.stderr


# -- which release the program was written for ----------------------------------------------------

# d2l-style code for torch 1.x: integer arange, 0-dim sums and indexing, no 0.3 idiom.
MODERN_LESSON = """\
import torch

x = torch.arange(12)
print(x, x.dtype, x.shape)
A = x.reshape(3, 4)
print(A.sum(), A.sum(0), A[1, 2], A[1, 2].dim())
B = torch.zeros(2, 3) + torch.ones(3)
print(B, torch.randn(2).dim(), torch.Tensor([1, 2]).sum())
labels = torch.LongTensor([0, 2, 1])
print(labels.max() + 1, {int(i): i for i in labels})
torch.manual_seed(0)
linear = torch.nn.Linear(4, 2)
print(linear.weight.data[0, 0], linear.bias, type(linear.weight.data), torch.FloatTensor(2).shape)
"""


def test_a_1x_program_prints_what_it_prints_on_plain_torch(tmp_path):
    script = tmp_path / "lesson.py"
    script.write_text(MODERN_LESSON)
    varshim_run = [sys.executable, "-c", "import sys, varshim_cli; sys.exit(varshim_cli.main())", "run"]  # `varshim run`
    commands = ([sys.executable], varshim_run, [sys.executable, "-m", "varshim"],
                [sys.executable, "-m", "varshim", "--written-for", "0.3"])
    runs = [subprocess.Popen([*command, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for command in commands]
    (plain, plain_err), *shimmed, (forced, _) = (run.communicate(timeout=180) for run in runs)
    assert "tensor([ 0,  1,  2" in plain and plain_err == ""
    decision = ("varshim: lesson.py runs as code for PyTorch 0.4 or later: no 0.3 idiom in its 1 file; "
                "--written-for 0.3 applies the 0.3 rules\n")
    assert shimmed == [(plain, decision)] * 2
    assert forced != plain and "[torch.FloatTensor of size 12]" in forced  # 0.3's float arange, as told


# 2018-2019 code for torch 0.4-1.x: `Variable(x)` was a no-op there, `.item()` dates it.
VARIABLE_LESSON = """\
import torch
from torch.autograd import Variable

x = Variable(torch.ones(2, 2), requires_grad=True)
y = (x * 3).sum()
y.backward()
print(type(x), y, x.grad, y.item(), x.data[0], torch.arange(3))
hooked = []
layer = torch.nn.Linear(2, 1)
layer.register_backward_hook(lambda module, grad_in, grad_out: hooked.append(type(grad_out[0]).__name__))
layer(Variable(torch.ones(1, 2))).sum().backward()
print(hooked, layer.weight.data[0, 0].dim())
"""


def test_variable_in_a_program_written_for_0_4_is_torchs(tmp_path):
    script = tmp_path / "lesson.py"
    script.write_text(VARIABLE_LESSON)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    env.pop("VARSHIM_WRITTEN_FOR", None)
    commands = ([sys.executable], [sys.executable, "-c", "import sys, varshim_cli; sys.exit(varshim_cli.main())", "run"])
    runs = [subprocess.Popen([*command, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for command in commands]
    (plain, _), (shimmed, decision) = (run.communicate(timeout=180) for run in runs)
    assert "<class 'torch.Tensor'> tensor(12., grad_fn=<SumBackward0>)" in plain and "['Tensor'] 0" in plain
    assert shimmed == plain
    assert decision == ("varshim: lesson.py runs as code for PyTorch 0.4 or later: lesson.py:7 has x.item() (new in "
                        "0.4) (its older idioms, such as Variable(x) at lesson.py:4, still work); --written-for 0.3 "
                        "applies the 0.3 rules\n")


def test_the_one_line_edit_makes_its_file_0_3_code(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import torch\nfrom varshim import Variable\nn = torch.LongTensor([0, 2, 1]).max() + 1\n"
                      "print(type(n).__name__, torch.FloatTensor(n).shape, torch.arange(2).dtype)\n")
    env = dict(os.environ, PYTHONWARNINGS="ignore::FutureWarning")
    env.pop("VARSHIM_WRITTEN_FOR", None)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180, env=env)
    assert result.stdout == "int torch.Size([3]) torch.float32\n"
    assert result.stderr == ("varshim: train.py runs as code for PyTorch 0.3: train.py:2 imports Variable from varshim "
                             "(the one-line edit); VARSHIM_WRITTEN_FOR=modern to run it with torch 2.x rules\n")


@pytest.mark.parametrize("argv, error", [
    (["--written-for", "0.7x", "s.py"], "argument --written-for: '0.7x' is not a torch release: write one like 0.3, "
                                        "1.4 or 2.0, or auto, or modern"),
    (["--written-for"], "argument --written-for: expected one argument"),
])
def test_a_bad_written_for_is_a_usage_error(argv, error, capsys):
    with pytest.raises(SystemExit) as info:
        varshim_cli.run_main(argv)
    assert info.value.code == 2 and capsys.readouterr().err.splitlines() == [
        f"varshim run: error: {error} (`varshim run --help` lists the options)"]


def test_a_bad_written_for_in_the_environment_names_the_variable(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("VARSHIM_WRITTEN_FOR", "latest")
    with pytest.raises(SystemExit):
        varshim_cli.run_main([str(tmp_path / "s.py")])
    assert "$VARSHIM_WRITTEN_FOR: 'latest' is not a torch release" in capsys.readouterr().err


def test_written_for_reaches_the_program(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VARSHIM_WRITTEN_FOR", raising=False)
    script = tmp_path / "s.py"
    script.write_text("import torch\nprint(torch.arange(2).dtype)\n")
    for argv, dtype in ((["--written-for", "0.3"], "torch.float32"), ([], "torch.int64")):
        assert varshim_cli.run_main([*argv, str(script)]) == 0
        assert capsys.readouterr().out == dtype + "\n"
    monkeypatch.setenv("VARSHIM_WRITTEN_FOR", "0.3")
    monkeypatch.chdir(tmp_path)
    assert varshim_cli.run_main(["-m", "s"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "torch.float32\n"
    assert captured.err.startswith("varshim: s runs as code for PyTorch 0.3, as told")
