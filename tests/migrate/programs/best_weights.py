"""Legacy (PyTorch 0.3) logistic regression that keeps its best weights with `copy.deepcopy` of
Variables (0.3 made a new leaf with cloned data and the same requires_grad), manual SGD on `.data`."""
import copy

import torch
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(0)
x = Variable(torch.randn(40, 3))
y = Variable((x.data[:, 0] + 0.5 * x.data[:, 1] > 0).float().view(-1, 1))
w = Variable(torch.zeros(3, 1), requires_grad=True)
b = Variable(torch.zeros(1), requires_grad=True)
best, best_params = None, None
for step in range(1, 41):
    loss = F.binary_cross_entropy(F.sigmoid(x.mm(w) + b), y)
    loss.backward()
    w.data -= 0.5 * w.grad.data
    b.data -= 0.5 * b.grad.data
    w.grad.data.zero_()
    b.grad.data.zero_()
    if best is None or loss.data[0] < best:
        best, best_params = loss.data[0], copy.deepcopy((w, b))
    if step % 10 == 0:
        print('step %d loss %.6f' % (step, loss.data[0]))
w, b = best_params
print('best %.6f requires_grad %s %s' % (best, w.requires_grad, b.requires_grad))
print('w', ' '.join('%.6f' % v for v in w.data.view(-1).tolist()))
