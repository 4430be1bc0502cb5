"""examples/legacy/wgan_gp.py written for modern torch (the same computation, no varshim)."""
import random

import torch
import torch.autograd as autograd
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(1)
random.seed(1)

DIM = 64
LAMBDA = .1
CRITIC_ITERS = 5
BATCH_SIZE = 64
ITERS = 12
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(2, DIM), nn.ReLU(True), nn.Linear(DIM, DIM), nn.ReLU(True),
                                  nn.Linear(DIM, 2))

    def forward(self, noise, real_data):
        return self.main(noise)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(2, DIM), nn.ReLU(True), nn.Linear(DIM, DIM), nn.ReLU(True),
                                  nn.Linear(DIM, 1))

    def forward(self, inputs):
        return self.main(inputs).view(-1)


def weights_init(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0.0, 0.02)
        nn.init.zeros_(m.bias)


def inf_train_gen():
    scale = 2.
    centers = [(1, 0), (-1, 0), (0, 1), (0, -1), (1. / 2 ** .5, 1. / 2 ** .5), (1. / 2 ** .5, -1. / 2 ** .5),
               (-1. / 2 ** .5, 1. / 2 ** .5), (-1. / 2 ** .5, -1. / 2 ** .5)]
    centers = [(scale * x, scale * y) for x, y in centers]
    while True:
        dataset = []
        for i in range(BATCH_SIZE):
            point = [random.gauss(0, 1) * .02, random.gauss(0, 1) * .02]
            center = random.choice(centers)
            point[0] += center[0]
            point[1] += center[1]
            dataset.append(point)
        yield torch.tensor(dataset) / 1.414


def calc_gradient_penalty(netD, real_data, fake_data):
    alpha = torch.rand(BATCH_SIZE, 1, device=device)
    alpha = alpha.expand(real_data.size())
    interpolates = alpha * real_data + ((1 - alpha) * fake_data)
    interpolates.requires_grad_(True)
    disc_interpolates = netD(interpolates)
    gradients = autograd.grad(outputs=disc_interpolates, inputs=interpolates,
                              grad_outputs=torch.ones(disc_interpolates.size(), device=device),
                              create_graph=True, retain_graph=True)[0]
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean() * LAMBDA


netG = Generator().to(device)
netD = Discriminator().to(device)
netD.apply(weights_init)
netG.apply(weights_init)

optimizerD = optim.Adam(netD.parameters(), lr=1e-3, betas=(0.5, 0.9))
optimizerG = optim.Adam(netG.parameters(), lr=1e-3, betas=(0.5, 0.9))

one = torch.tensor(1.)
mone = one * -1

data = inf_train_gen()

for iteration in range(ITERS):
    netD.requires_grad_(True)

    for iter_d in range(CRITIC_ITERS):
        real_data = next(data).to(device)

        netD.zero_grad()

        D_real = netD(real_data).mean()
        D_real.backward(mone)

        noise = torch.randn(BATCH_SIZE, 2, device=device)
        with torch.no_grad():  # totally freeze netG
            fake = netG(noise, real_data)
        D_fake = netD(fake).mean()
        D_fake.backward(one)

        gradient_penalty = calc_gradient_penalty(netD, real_data, fake)
        gradient_penalty.backward()

        D_cost = D_fake - D_real + gradient_penalty
        Wasserstein_D = D_real - D_fake
        optimizerD.step()

    netD.requires_grad_(False)
    netG.zero_grad()

    real_data = next(data).to(device)
    noise = torch.randn(BATCH_SIZE, 2, device=device)
    fake = netG(noise, real_data)
    G = netD(fake).mean()
    G.backward(mone)
    G_cost = -G
    optimizerG.step()

    print('iter %d disc cost %.8f gen cost %.8f wasserstein distance %.8f gradient penalty %.8f' % (
        iteration, D_cost.item(), G_cost.item(), Wasserstein_D.item(), gradient_penalty.item()))
