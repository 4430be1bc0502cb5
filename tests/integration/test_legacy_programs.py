"""Realistic Variable-era programs run unchanged under `python -m varshim` and print what their modern
twins print on plain torch.

examples/legacy/<name>.py is a small program in the style of a 2017 tutorial or pytorch/examples
(synthetic data made with a fixed seed, ~1 s of work); examples/legacy/modern/<name>.py is the same
computation written for torch 2.13 without varshim. Every number either prints is compared: losses
per epoch, accuracies, parameter norms, samples. Where the two run the same op sequence the numbers
must be equal; otherwise the program's tolerance says why they may differ. Each unchanged program
is also run on plain torch, where it must stop at the legacy idiom it is there for, and migrated
(`varshim migrate`, every file of the folder): the migration runs on plain torch and prints the
twin's numbers, or stops at a line its report left for a human (never silently elsewhere).

Cost: one `python -m varshim` process per program plus one plain process for all the rest, all
started at once (~40 s of CPU in all, most of it interpreter and torch start-up).
"""

import json
import math
import os
import pathlib
import re
import subprocess
import sys
from typing import NamedTuple

import pytest

from varshim_migrate import check_source, migrate_source

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEGACY_DIR = ROOT / "examples" / "legacy"
MODERN_DIR = LEGACY_DIR / "modern"
TIMEOUT = 300


class Program(NamedTuple):
    name: str
    on_plain_torch: str  # how the unchanged program fails without varshim ("" = runs, same output)
    idioms: tuple  # source snippets the legacy program must keep (what it is there to test)
    rel_tol: float = 0.0  # 0: numbers equal; else the documented reason is on the entry
    # The finding of the migration's report whose site the migrated program's failure on plain torch comes
    # from, where the failing line is another one (the value flows there); "" = it fails at a reported line.
    migrated_stop: str = ""


PROGRAMS = (
    Program("mnist_cnn", 'SyntaxError: invalid syntax', (
        "TensorDataset(data_tensor=train_x, target_tensor=train_y)", ".cuda(async=True)",
        "Variable(data, volatile=True)", "loss.data[0]", "size_average=False", "return F.log_softmax(x)\n",
        "correct += pred.eq(target.data.view_as(pred)).cpu().sum()",
    )),
    Program("word_language_model", 'TypeError: iteration over a 0-d tensor', (
        "if type(h) == Variable:", "Variable(source[i:i+seq_len], volatile=evaluation)",
        "Variable(weight.new(self.nlayers, bsz, self.nhid).zero_())", "torch.nn.utils.clip_grad_norm(",
        "p.data.add_(-lr, p.grad.data)", "total_loss[0]", "torch.save(model, f)", "model = torch.load(f)",
    )),
    # 0.2's REINFORCE gradient for a multinomial draw is -r / (p + 1e-6) (varshim/objects/stochastic.py, from
    # torch/autograd/_functions/stochastic.py @37d94795); the modern twin differentiates -log(p) * r.
    # They agree to ~1e-7 relative per step, and Adam over 8 episodes keeps the drift below 1e-5.
    Program("reinforce", 'TypeError: multinomial() missing 1 required positional arguments: "num_samples"', (
        "return F.softmax(action_scores)\n", "probs.multinomial()", "action.reinforce(r)",
        "autograd.backward(policy.saved_actions, [None for _ in policy.saved_actions])", "action[0, 0]",
    ), rel_tol=1e-5),
    Program("actor_critic", 'IndexError: invalid index of a 0-dim tensor', (
        "return action.data[0]", "value.data[0]", "Variable(torch.Tensor([r]))",
        "torch.cat(policy_losses).sum() + torch.cat(value_losses).sum()", "return loss.data[0]",
    )),
    # Its critic returns `.view(1)` and volatile only saved work, so plain torch computes the same
    # numbers (with a graph for the frozen generator): varshim must not change them.
    Program("wgan", '', (
        "one = torch.FloatTensor([1])", "errD_real.backward(one)", "errD_fake.backward(mone)",
        "Variable(noise, volatile=True)", "fake = Variable(netG(noisev).data)",
        "p.data.clamp_(clamp_lower, clamp_upper)", "errD.data[0]",
    )),
    Program("wgan_gp", 'RuntimeError: Mismatch in shape: grad_output[0] has a shape of torch.Size([1])', (
        "D_real = D_real.mean()", "D_real.backward(mone)", "mone = one * -1",
        "create_graph=True, retain_graph=True, only_inputs=True)[0]", "autograd.Variable(noise, volatile=True)",
        "autograd.Variable(interpolates, requires_grad=True)", "D_cost.data[0]",
    )),
    Program("char_rnn_classification", 'IndexError: invalid index of a 0-dim tensor', (
        "self.softmax = nn.LogSoftmax()", "Variable(torch.LongTensor([all_categories.index(category)]))",
        "rnn(line_tensor[i], hidden)", "p.data.add_(-learning_rate, p.grad.data)", "return output, loss.data[0]",
        "category_i = top_i[0][0]",
    )),
    Program("char_rnn_generation", 'ValueError: Expected input batch_size (1) to match target batch_size (0)', (
        "loss = 0\n", "loss += criterion(output, target_line_tensor[i])",
        "loss.data[0] / input_line_tensor.size()[0]", "topi = topi[0][0]",
    )),
    Program("seq2seq_translation", 'IndexError: invalid index of a 0-dim tensor', (
        "encoder_outputs = Variable(torch.zeros(max_length, encoder.hidden_size))",
        "encoder_outputs[ei] = encoder_output[0][0]", "attn_weights = F.softmax(self.attn(",
        "output = F.log_softmax(self.out(output[0]))", "loss += criterion(decoder_output, target_variable[di])",
        "ni = topi[0][0]", "Variable(torch.LongTensor([[ni]]))", "return loss.data[0] / target_length",
        "Variable(torch.LongTensor(indexes).view(-1, 1), volatile=volatile)",
        "prevK = bestScoresId / numWords", "for k, word in enumerate(beam.getCurrentState()):",
    ), migrated_stop="VS206"),  # ni = topi[0][0] (rank unknown to the migrator), then index2word[ni]
    Program("skipgram", 'RuntimeError: 1D tensors expected, but got 2D and 2D tensors', (
        "torch.dot(emb_u, emb_v)", "sparse=True", "Variable(torch.LongTensor([u]))", "running += loss.data[0]",
        "self.u_embeddings.weight.data.uniform_(-initrange, initrange)",
    )),
    Program("two_layer_net_custom_function", 'RuntimeError: Legacy autograd function with non-static forward method', (
        "def forward(self, input):", "self.save_for_backward(input)", "input, = self.saved_tensors",
        "relu = MyReLU()", "relu(x.mm(w1))", "print(t, loss.data[0])",
        "w1.data -= learning_rate * w1.grad.data", "w1.grad.data.zero_()",
    ), migrated_stop="VS401"),  # reported at the class, fails where the kept instance is called
    Program("attention_classifier", 'RuntimeError: masked_fill_ only supports boolean masks', (
        "nn.init.xavier_uniform(layer.weight)", "torch.ByteTensor(batch_size, T).zero_()",
        "scores.data.masked_fill_(mask, -float('inf'))", "attn = F.softmax(scores)\n",
        "Variable(torch.arange(0, steps).view(1, steps, 1)) / steps", "class_loss.backward(retain_variables=True)",
        "torch.nn.utils.clip_grad_norm(", "(pred == Variable(test_y)).data.sum()", "Variable(test_x, volatile=True)",
    # 0.3's clip_grad_norm (varshim.patches.clip_grad) scales by a coefficient computed in double from double
    # norms; the twin's clip_grad_norm_ computes it in float32: last-bit differences in the gradients.
    ), rel_tol=1e-5),
)

# A number not glued to a word (skips "fc2", "LogSoftmax"); the rest of a line is its skeleton.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d*)?(?:e[-+]?\d+)?(?![\w.])")

# One plain `python` process (varshim never imported) runs every modern twin, then every legacy program
# unchanged, each as __main__ with its own folder first on sys.path and its own argv; each program
# seeds its own generators as it starts.
_PLAIN_DRIVER = r"""
import contextlib, io, json, runpy, sys, traceback
results = {}
for path in sys.argv[1:]:
    folder = path.rsplit("/", 1)[0]
    sys.path.insert(0, folder)
    sys.argv = [path]
    out = io.StringIO()
    error = trace = None
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
    except BaseException as exc:
        error, trace = type(exc).__name__ + ": " + str(exc), traceback.format_exc()
    sys.path.remove(folder)
    results[path] = {"stdout": out.getvalue(), "error": error, "traceback": trace}
assert "varshim" not in sys.modules
print(json.dumps(results))
"""


def _numbers(text):
    return [float(token) for token in _NUMBER.findall(text)]


def _skeleton(text):
    return _NUMBER.sub("#", text)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{name: (legacy under varshim: CompletedProcess, modern twin: {"stdout", "error"}, legacy on plain
    torch: {"stdout", "error"}, migrated on plain torch: {"stdout", "error", "traceback", "path", "human"})};
    all processes start at once. "human": the lines of the migrated file its report leaves to a human."""
    cwd = tmp_path_factory.mktemp("legacy_programs")
    migrated_dir = tmp_path_factory.mktemp("migrated")
    human = {}
    for path in LEGACY_DIR.glob("*.py"):  # helper modules too: the programs import them
        migration = migrate_source(path.read_text())
        (migrated_dir / path.name).write_text(migration.new_source)
        human[path.stem] = {finding.line: finding.code for finding in check_source(migration.new_source)}
    # One thread: the same reduction order in every process. TMPDIR: checkpoints land in pytest's tmp.
    env = dict(os.environ, OMP_NUM_THREADS="1", TMPDIR=str(cwd))
    start = dict(cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    names = [program.name for program in PROGRAMS]
    plain_paths = ([f"{MODERN_DIR}/{name}.py" for name in names] + [f"{LEGACY_DIR}/{name}.py" for name in names]
                   + [f"{migrated_dir}/{name}.py" for name in names])
    plain = subprocess.Popen([sys.executable, "-c", _PLAIN_DRIVER, *plain_paths], **start)
    legacy = {name: subprocess.Popen([sys.executable, "-m", "varshim", str(LEGACY_DIR / f"{name}.py")], **start)
              for name in names}
    finished = {}
    for name, process in legacy.items():
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        finished[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    stdout, stderr = plain.communicate(timeout=TIMEOUT)
    assert plain.returncode == 0, stderr
    on_plain = json.loads(stdout)
    migrated = {name: dict(on_plain[f"{migrated_dir}/{name}.py"], path=f"{migrated_dir}/{name}.py", human=human[name])
                for name in names}
    return {name: (finished[name], on_plain[f"{MODERN_DIR}/{name}.py"], on_plain[f"{LEGACY_DIR}/{name}.py"],
                   migrated[name]) for name in names}


def test_number_parser():
    text = "Train Epoch: 2 [256/512 (50%)]\tLoss: 2.304151 fc2 norm: 0.79 1e-06 -3 x.py:12"
    assert _numbers(text) == [2, 256, 512, 50, 2.304151, 0.79, 1e-06, -3, 12]
    assert _skeleton("Episode 8\tLast length:    12") == "Episode #\tLast length:    #"


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_legacy_program_keeps_its_idioms_and_the_twin_is_modern(program):
    legacy = (LEGACY_DIR / f"{program.name}.py").read_text()
    modern = (MODERN_DIR / f"{program.name}.py").read_text()
    assert re.search(r"^from torch.autograd import Variable$|autograd\.Variable\(", legacy, re.M)
    assert "varshim" not in legacy.split('"""', 2)[-1]  # unchanged legacy code: no import edit
    assert [idiom for idiom in program.idioms if idiom not in legacy] == []
    for legacy_only in ("Variable", "varshim", ".data[", "volatile", "retain_variables", "size_average"):
        assert legacy_only not in modern.split('"""', 2)[-1], legacy_only


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_legacy_program_prints_what_its_modern_twin_prints(program, runs):
    legacy, modern, _, _ = runs[program.name]
    assert modern["error"] is None, modern["traceback"]
    assert legacy.returncode == 0, legacy.stderr[-4000:]
    assert _skeleton(legacy.stdout) == _skeleton(modern["stdout"])
    got, expected = _numbers(legacy.stdout), _numbers(modern["stdout"])
    assert len(got) == len(expected) > 10
    if program.rel_tol == 0:
        assert got == expected
    else:
        far = [(a, b) for a, b in zip(got, expected) if not math.isclose(a, b, rel_tol=program.rel_tol, abs_tol=1e-9)]
        assert far == []
    # The shims were used, and their warnings point at the program's own lines.
    assert re.search(rf"{program.name}\.py:\d+: LegacyTorchWarning", legacy.stderr)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_unchanged_legacy_program_on_plain_torch(program, runs):
    # Why each program is here: without varshim it stops at a legacy idiom (or, for wgan, must agree).
    _, modern, plain, _ = runs[program.name]
    if program.on_plain_torch:
        assert plain["error"] is not None and plain["error"].startswith(program.on_plain_torch), plain["error"]
    else:
        assert plain["error"] is None, plain["traceback"]
        assert plain["stdout"] == modern["stdout"]


def _same_numbers(got_text, expected_text, rel_tol):
    got, expected = _numbers(got_text), _numbers(expected_text)
    return len(got) == len(expected) and all(
        math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9 if rel_tol else 0) for a, b in zip(got, expected))


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_migrated_program_prints_the_twins_numbers_or_stops_where_its_report_says(program, runs):
    _, modern, _, migrated = runs[program.name]
    if migrated["error"] is None:
        assert _skeleton(migrated["stdout"]) == _skeleton(modern["stdout"])
        # VS703: clip_grad_norm_ sums in float32 where 0.3 summed in double (docs/migration.md).
        assert _same_numbers(migrated["stdout"], modern["stdout"], program.rel_tol or 1e-6)
    else:
        lines = {int(line) for path, line in re.findall(r'File "([^"]+)", line (\d+)', migrated["traceback"])
                 if path == migrated["path"]}
        human = migrated["human"]
        assert human, f"fully migrated, yet it fails on plain torch: {migrated['traceback']}"
        assert lines & set(human) or program.migrated_stop in human.values(), \
            f"fails at a line its report does not name: {migrated['traceback']}"
