"""WassersteinGAN (martinarjovsky/WassersteinGAN main.py + models/mlp.py, 2017) on a 2-D Gaussian mixture.

Legacy idioms: `errD_real.backward(one)` / `errD_fake.backward(mone)` with `one = torch.FloatTensor([1])`
on size-(1,) critic outputs, `Variable(noise, volatile=True)` to freeze G, `Variable(netG(noisev).data)`,
`p.data.clamp_(...)` weight clipping, `errD.data[0]`, `m.weight.data.normal_` init.
Modern version: examples/legacy/modern/wgan.py.
"""
from __future__ import print_function
import math

import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable

torch.manual_seed(7)
batchSize, nz, ngf, ndf = 64, 2, 32, 32
niter, Diters, clamp_lower, clamp_upper, lrD, lrG = 2, 5, -0.05, 0.05, 5e-4, 5e-4


def gaussian_mixture(n):
    # eight Gaussians on a circle, the classic toy target
    centers = torch.Tensor([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)])
    which = torch.LongTensor(n).random_(0, 8)
    return 2 * centers[which] + 0.05 * torch.randn(n, 2)


dataloader = [(gaussian_mixture(batchSize), None) for _ in range(40)]


class MLP_G(nn.Module):
    def __init__(self, nz, ngf):
        super(MLP_G, self).__init__()
        self.main = nn.Sequential(nn.Linear(nz, ngf), nn.ReLU(True), nn.Linear(ngf, ngf), nn.ReLU(True),
                                  nn.Linear(ngf, 2))

    def forward(self, input):
        return self.main(input)


class MLP_D(nn.Module):
    def __init__(self, ndf):
        super(MLP_D, self).__init__()
        self.main = nn.Sequential(nn.Linear(2, ndf), nn.ReLU(True), nn.Linear(ndf, ndf), nn.ReLU(True),
                                  nn.Linear(ndf, 1))

    def forward(self, input):
        output = self.main(input)
        output = output.mean(0)
        return output.view(1)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Linear') != -1:
        m.weight.data.normal_(0.0, 0.1)
        m.bias.data.fill_(0)


netG = MLP_G(nz, ngf)
netG.apply(weights_init)
netD = MLP_D(ndf)
netD.apply(weights_init)

input = torch.FloatTensor(batchSize, 2)
noise = torch.FloatTensor(batchSize, nz)
one = torch.FloatTensor([1])
mone = one * -1

optimizerD = optim.RMSprop(netD.parameters(), lr=lrD)
optimizerG = optim.RMSprop(netG.parameters(), lr=lrG)

gen_iterations = 0
for epoch in range(niter):
    data_iter = iter(dataloader)
    i = 0
    while i < len(dataloader):
        ############################
        # (1) Update D network
        ###########################
        for p in netD.parameters():  # reset requires_grad
            p.requires_grad = True  # they are set to False below in netG update

        j = 0
        while j < Diters and i < len(dataloader):
            j += 1

            # clamp parameters to a cube
            for p in netD.parameters():
                p.data.clamp_(clamp_lower, clamp_upper)

            data = next(data_iter)
            i += 1

            # train with real
            real_cpu, _ = data
            netD.zero_grad()
            input.resize_as_(real_cpu).copy_(real_cpu)
            inputv = Variable(input)

            errD_real = netD(inputv)
            errD_real.backward(one)

            # train with fake
            noise.resize_(batchSize, nz).normal_(0, 1)
            noisev = Variable(noise, volatile=True)  # totally freeze netG
            fake = Variable(netG(noisev).data)
            inputv = fake
            errD_fake = netD(inputv)
            errD_fake.backward(mone)
            errD = errD_real - errD_fake
            optimizerD.step()

        ############################
        # (2) Update G network
        ###########################
        for p in netD.parameters():
            p.requires_grad = False  # to avoid computation
        netG.zero_grad()
        noise.resize_(batchSize, nz).normal_(0, 1)
        noisev = Variable(noise)
        fake = netG(noisev)
        errG = netD(fake)
        errG.backward(one)
        optimizerG.step()
        gen_iterations += 1

        print('[%d/%d][%d/%d][%d] Loss_D: %.9f Loss_G: %.9f Loss_D_real: %.9f Loss_D_fake %.9f'
              % (epoch, niter, i, len(dataloader), gen_iterations,
                 errD.data[0], errG.data[0], errD_real.data[0], errD_fake.data[0]))
