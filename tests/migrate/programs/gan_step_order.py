"""Legacy (PyTorch 0.3) GAN with the 2017 step order: one forward pass, D's loss back-propagated
(`retain_variables=True`) and D stepped, then G's loss from the same D_fake back-propagated through
D with D's new weights. D is stepped by hand on `.data` (as the lessons of the time wrote SGD), G by
an optimizer; `nn.BCELoss` with `Variable(torch.ones(mb, 1))` labels; `.data[0]` of the losses."""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(0)
mb, z_dim, x_dim, lr = 16, 4, 2, 0.05
G = nn.Sequential(nn.Linear(z_dim, 16), nn.ReLU(), nn.Linear(16, x_dim))
D = nn.Sequential(nn.Linear(x_dim, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
G_solver = torch.optim.Adam(G.parameters(), lr=1e-3)
criterion = nn.BCELoss()
ones_label = Variable(torch.ones(mb, 1))
zeros_label = Variable(torch.zeros(mb, 1))


def sample_real():
    return Variable(torch.randn(mb, x_dim) * 0.5 + 2.0)


for it in range(1, 121):
    z = Variable(torch.randn(mb, z_dim))
    G_sample = G(z)
    D_real = D(sample_real())
    D_fake = D(G_sample)

    D_loss = criterion(D_real, ones_label) + criterion(D_fake, zeros_label)
    D.zero_grad()
    D_loss.backward(retain_variables=True)
    for p in D.parameters():
        p.data.add_(-lr, p.grad.data)

    G_loss = criterion(D_fake, ones_label)
    G.zero_grad()
    G_loss.backward()
    G_solver.step()
    if it % 30 == 0:
        print('iter %d D_loss %.6f G_loss %.6f mean %.6f' % (it, D_loss.data[0], G_loss.data[0],
                                                              G_sample.data.mean()))
