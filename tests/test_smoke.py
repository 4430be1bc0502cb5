import torch

import varshim
from varshim import Variable


def test_seed_lesson_backward_in_detail():
    x = Variable(torch.ones(2), requires_grad=True)
    y = 5 * (x + 1) ** 2
    o = (1 / 2) * torch.sum(y)
    o.backward(torch.FloatTensor([1.0, 1.0]))
    assert x.grad.data.tolist() == [10.0, 10.0]


def test_import_installs():
    assert torch.autograd.Variable is varshim.Variable
