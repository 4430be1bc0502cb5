"""Legacy (PyTorch 0.3) linear regression: Variable, .data[0], manual SGD, size_average."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(0)
x = Variable(torch.randn(32, 3))
true_w = torch.Tensor([[1.5], [-2.0], [0.5]])
y = Variable(torch.mm(x.data, true_w) + 0.1 * torch.randn(32, 1))

w = Variable(torch.randn(3, 1), requires_grad=True)
b = Variable(torch.zeros(1), requires_grad=True)
for step in range(20):
    pred = x.mm(w) + b
    loss = F.mse_loss(pred, y, size_average=False) / 32
    loss.backward()
    w.data -= 0.05 * w.grad.data
    b.data -= 0.05 * b.grad.data
    w.grad.data.zero_()
    b.grad.data.zero_()
    if step % 5 == 0:
        print("step %d loss %.6f" % (step, loss.data[0]))

model = nn.Linear(3, 1)
nn.init.xavier_uniform(model.weight)
nn.init.constant(model.bias, 0.1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.MSELoss()
for step in range(10):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    norm = nn.utils.clip_grad_norm(model.parameters(), 1.0)
    optimizer.step()
print("final %.6f norm %.6f" % (loss.data[0], norm))
print("weights", " ".join("%.5f" % v for v in model.weight.data.view(-1).tolist()))
