"""examples/legacy/wgan.py written for modern torch (the same computation, no varshim)."""
import math

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(7)
batchSize, nz, ngf, ndf = 64, 2, 32, 32
niter, Diters, clamp_lower, clamp_upper, lrD, lrG = 2, 5, -0.05, 0.05, 5e-4, 5e-4


def gaussian_mixture(n):
    centers = torch.tensor([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)])
    which = torch.randint(0, 8, (n,))
    return 2 * centers[which] + 0.05 * torch.randn(n, 2)


dataloader = [(gaussian_mixture(batchSize), None) for _ in range(40)]


class MLP_G(nn.Module):
    def __init__(self, nz, ngf):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(nz, ngf), nn.ReLU(True), nn.Linear(ngf, ngf), nn.ReLU(True),
                                  nn.Linear(ngf, 2))

    def forward(self, input):
        return self.main(input)


class MLP_D(nn.Module):
    def __init__(self, ndf):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(2, ndf), nn.ReLU(True), nn.Linear(ndf, ndf), nn.ReLU(True),
                                  nn.Linear(ndf, 1))

    def forward(self, input):
        return self.main(input).mean()


def weights_init(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0.0, 0.1)
        nn.init.zeros_(m.bias)


netG = MLP_G(nz, ngf)
netG.apply(weights_init)
netD = MLP_D(ndf)
netD.apply(weights_init)

noise = torch.empty(batchSize, nz)
one = torch.tensor(1.)
mone = one * -1

optimizerD = optim.RMSprop(netD.parameters(), lr=lrD)
optimizerG = optim.RMSprop(netG.parameters(), lr=lrG)

gen_iterations = 0
for epoch in range(niter):
    data_iter = iter(dataloader)
    i = 0
    while i < len(dataloader):
        netD.requires_grad_(True)
        j = 0
        while j < Diters and i < len(dataloader):
            j += 1
            with torch.no_grad():
                for p in netD.parameters():
                    p.clamp_(clamp_lower, clamp_upper)

            real, _ = next(data_iter)
            i += 1

            netD.zero_grad()
            errD_real = netD(real)
            errD_real.backward(one)

            noise.normal_(0, 1)
            with torch.no_grad():  # totally freeze netG
                fake = netG(noise)
            errD_fake = netD(fake)
            errD_fake.backward(mone)
            errD = errD_real - errD_fake
            optimizerD.step()

        netD.requires_grad_(False)
        netG.zero_grad()
        noise.normal_(0, 1)
        fake = netG(noise)
        errG = netD(fake)
        errG.backward(one)
        optimizerG.step()
        gen_iterations += 1

        print('[%d/%d][%d/%d][%d] Loss_D: %.9f Loss_G: %.9f Loss_D_real: %.9f Loss_D_fake %.9f'
              % (epoch, niter, i, len(dataloader), gen_iterations,
                 errD.item(), errG.item(), errD_real.item(), errD_fake.item()))
