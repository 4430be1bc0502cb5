"""2017 tutorial idioms that need no shim of their own but must keep working under varshim.

- `type(h) == Variable` on op results, volatile ones and LSTM `(h, c)` tuples: the word language
  model's `repackage_hidden` (pytorch/examples `word_language_model/main.py`, 2017).
- Deprecated APIs torch 2.13 still accepts with its own warning (legacy_api §7): they must give
  the modern numbers on Variables, with torch's warning once and no LegacyTorchWarning on top.
"""

import contextlib
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable
from tests.support.legacy_program import LEGACY_FILE, modern_torch, run, running_legacy_program

WORD_LANGUAGE_MODEL = """
import torch
import torch.nn as nn
from torch.autograd import Variable


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers):
        super(RNNModel, self).__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers

    def forward(self, input, hidden):
        emb = self.encoder(input)
        output, hidden = self.rnn(emb, hidden)
        decoded = self.decoder(output.view(output.size(0) * output.size(1), output.size(2)))
        return decoded.view(output.size(0), output.size(1), decoded.size(1)), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters()).data
        return (Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()),
                Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()))


def repackage_hidden(h):
    \"\"\"Wraps hidden states in new Variables, to detach them from their history.\"\"\"
    if type(h) == Variable:
        return Variable(h.data)
    else:
        return tuple(repackage_hidden(v) for v in h)


torch.manual_seed(0)
data = Variable(torch.LongTensor([[1, 2], [3, 4], [5, 6]]))
targets = Variable(torch.LongTensor([2, 3, 4, 5, 6, 7]))
model = RNNModel(10, 4, 5, 2)
criterion = nn.CrossEntropyLoss()
hidden = model.init_hidden(2)
losses = []
for step in range(3):
    hidden = repackage_hidden(hidden)
    model.zero_grad()
    output, hidden = model(data, hidden)
    loss = criterion(output.view(-1, 10), targets)
    loss.backward()
    for p in model.parameters():
        p.data.add_(-0.5, p.grad.data)
    losses.append(loss.data[0])

eval_hidden = model.init_hidden(2)
eval_output, eval_state = model(Variable(data.data, volatile=True), eval_hidden)
eval_hidden = repackage_hidden(eval_state)
"""


def modern_word_language_model_losses():
    """The same training in modern spelling: detach() instead of repackage_hidden."""
    ns = run(WORD_LANGUAGE_MODEL.split("torch.manual_seed(0)")[0].replace("Variable(", "("))
    torch.manual_seed(0)
    data = torch.tensor([[1, 2], [3, 4], [5, 6]])
    targets = torch.tensor([2, 3, 4, 5, 6, 7])
    model, criterion = ns["RNNModel"](10, 4, 5, 2), nn.CrossEntropyLoss()
    hidden, losses = model.init_hidden(2), []
    for _ in range(3):
        hidden = tuple(h.detach() for h in hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, 10), targets)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-0.5)
        losses.append(loss.item())
    return losses


def test_word_language_model_fails_on_modern_torch():
    with modern_torch(), pytest.raises((TypeError, RuntimeError)):
        run(WORD_LANGUAGE_MODEL)


def test_word_language_model_repackages_hidden_states():
    ns = run(WORD_LANGUAGE_MODEL)
    assert ns["losses"] == modern_word_language_model_losses()
    assert ns["losses"][2] < ns["losses"][0]
    assert type(ns["hidden"]) is tuple and all(type(h) is Variable for h in ns["hidden"])
    assert all(type(h) is Variable and h.volatile for h in ns["eval_state"] + (ns["eval_output"],))
    assert all(type(h) is Variable and not h.volatile for h in ns["eval_hidden"])  # Variable(h.data)


def test_result_types_are_variable_exactly():
    x = Variable(torch.ones(2, 3), requires_grad=True)
    results = [x * 2, x.sum(), x[0], torch.cat([x, x]), F.relu(x), x.data.new(2).zero_() + x[0, :2]]
    assert all(type(r) == Variable for r in results)  # noqa: E721 (the legacy idiom under test)
    assert type(Variable(torch.ones(2), volatile=True).exp()) == Variable


# -- deprecated APIs that torch 2.13 still runs with its own warning ----------------------------


@contextlib.contextmanager
def recorded():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def single_torch_warning(caught, text):
    """Exactly one warning, torch's own (containing `text`), and none of varshim's."""
    messages = [(w.category, str(w.message)) for w in caught]
    assert not [m for c, m in messages if issubclass(c, LegacyTorchWarning)], messages
    assert len(messages) == 1 and text in messages[0][1], messages


def test_init_xavier_uniform():
    w = nn.Parameter(torch.empty(3, 4))
    torch.manual_seed(0)
    with recorded() as caught:
        nn.init.xavier_uniform(w)
    single_torch_warning(caught, "xavier_uniform_")
    expected = torch.empty(3, 4)
    torch.manual_seed(0)
    nn.init.xavier_uniform_(expected)
    assert torch.equal(w.data, expected)


def test_clip_grad_norm():
    # 0.3's clip_grad_norm returned a Python float (varshim.patches.clip_grad) to the legacy
    # program's own files; ours is the one warning.
    model = nn.Linear(3, 2)
    model(Variable(torch.ones(4, 3))).sum().backward()
    expected = torch.cat([p.grad.reshape(-1) for p in model.parameters()]).norm()
    program = "from torch import nn\ntotal = nn.utils.clip_grad_norm(model.parameters(), 0.5)\n"
    with running_legacy_program(), recorded() as caught:
        total = run(program, LEGACY_FILE, model=model)["total"]
    messages = [(w.category, str(w.message)) for w in caught]
    assert len(messages) == 1 and messages[0][0] is LegacyTorchWarning and "clip_grad_norm_" in messages[0][1]
    assert type(total) is float and total == pytest.approx(expected.item(), rel=1e-6)
    assert torch.allclose(torch.cat([p.grad.reshape(-1) for p in model.parameters()]).norm(), torch.tensor(0.5))


def test_size_average_and_reduce():
    a, b = Variable(torch.Tensor([[1, 2], [3, 4]]), requires_grad=True), Variable(torch.Tensor([[0, 0], [1, 1]]))
    with recorded() as caught:
        summed = nn.MSELoss(size_average=False)(a, b)
    single_torch_warning(caught, "reduction='sum'")
    with recorded() as caught:
        per_item = F.mse_loss(a, b, reduce=False)
    single_torch_warning(caught, "reduction='none'")
    assert summed.data.tolist() == [1 + 4 + 4 + 9] and type(summed) is Variable
    assert per_item.data.tolist() == [[1, 4], [4, 9]]


def test_softmax_without_dim():
    x = Variable(torch.Tensor([[1, 2, 3], [1, 1, 1]]), requires_grad=True)
    with recorded() as caught:
        y = F.softmax(x)
    single_torch_warning(caught, "Implicit dimension choice")
    assert torch.equal(y.data, torch.softmax(x.data, dim=1))
    with recorded() as caught:
        z = nn.LogSoftmax()(x)
    single_torch_warning(caught, "Implicit dimension choice")
    assert torch.equal(z.data, torch.log_softmax(x.data, dim=1))


def test_upsample():
    x = Variable(torch.arange(4.0).view(1, 1, 2, 2))
    with recorded() as caught:
        y = F.upsample(x, scale_factor=2, mode="nearest")
    single_torch_warning(caught, "interpolate")
    assert torch.equal(y.data, F.interpolate(x.data, scale_factor=2, mode="nearest"))
    assert type(y) is Variable


def test_set_default_tensor_type_and_typed_constructors():
    try:
        with recorded() as caught:
            torch.set_default_tensor_type("torch.DoubleTensor")
        single_torch_warning(caught, "set_default_dtype")
        assert Variable(torch.Tensor([1, 2])).dtype is torch.float64
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.set_default_tensor_type("torch.FloatTensor")
    with recorded() as caught:
        values = [torch.FloatTensor(2, 3), torch.LongTensor([1, 2]), torch.ByteTensor([1, 0])]
    assert caught == []
    assert [tuple(v.shape) for v in values] == [(2, 3), (2,), (2,)]
    assert Variable(values[1]).data.tolist() == [1, 2] and Variable(values[0]).dtype is torch.float32
