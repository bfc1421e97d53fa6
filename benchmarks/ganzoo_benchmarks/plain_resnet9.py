"""CycleGAN's ResNet-9 generator written out in plain PyTorch, no ganzoo code involved: the
reference the CycleGAN speed benchmark times ganzoo's sampling path against. Its parameter names
match ganzoo's ``resnet_9blocks`` generator, so the same weights load into both."""

from __future__ import annotations

from torch import nn


class PlainBlock(nn.Module):
    """A residual block: two reflection-padded 3x3 convolutions with instance norm."""

    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), nn.InstanceNorm2d(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), nn.InstanceNorm2d(dim))

    def forward(self, x):
        return x + self.conv_block(x)


class PlainResnet9(nn.Module):
    """CycleGAN's ResNet-9 generator exactly as published (c7s1-64, d128, d256, 9xR256,
    u128, u64, c7s1-3, tanh)."""

    def __init__(self, ngf=64):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True),
                  nn.Conv2d(ngf, ngf * 2, 3, 2, 1), nn.InstanceNorm2d(ngf * 2), nn.ReLU(True),
                  nn.Conv2d(ngf * 2, ngf * 4, 3, 2, 1), nn.InstanceNorm2d(ngf * 4), nn.ReLU(True)]
        layers += [PlainBlock(ngf * 4) for _ in range(9)]
        layers += [nn.ConvTranspose2d(ngf * 4, ngf * 2, 3, 2, 1, 1), nn.InstanceNorm2d(ngf * 2),
                   nn.ReLU(True),
                   nn.ConvTranspose2d(ngf * 2, ngf, 3, 2, 1, 1), nn.InstanceNorm2d(ngf), nn.ReLU(True),
                   nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)
