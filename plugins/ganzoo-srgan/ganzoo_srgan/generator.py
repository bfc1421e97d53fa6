"""The SRResNet generator, in two architecture families.

``arch="srresnet"`` is the network of Ledig et al. 2017 ("Photo-Realistic Single Image
Super-Resolution Using a Generative Adversarial Network"): a 9x9 head conv + PReLU, residual
blocks (conv-BN-PReLU-conv-BN), a conv-BN closing the long skip, sub-pixel upsampling stages
(conv + PixelShuffle + PReLU) and a 9x9 tail conv. With 16 blocks, 64 channels, x4 and
single-parameter PReLUs it has 1,549,462 parameters.

``arch="msrresnet"`` is BasicSR's "modified SRResNet" (MSRResNet), supported so its published
checkpoints convert: 3x3 head, no BatchNorm, ReLU inside blocks and LeakyReLU(0.1) elsewhere, no
long-skip conv, an extra ``hr_conv`` after upsampling, and the bilinear-upsampled input added to
the output (the network learns a residual over bilinear).

Both families share module names, so one key map (`ganzoo_srgan.basicsr_keys`) covers BasicSR.
The network works in [0, 1] in and out (the SR literature's and BasicSR's convention).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.interfaces import Generator

ARCHS = ("srresnet", "msrresnet")
SCALES = (2, 3, 4)


def _activation(arch: str) -> nn.Module:
    # Ledig's PReLU has one learned slope per layer (num_parameters=1): the 1,549,462 count.
    return nn.PReLU() if arch == "srresnet" else nn.LeakyReLU(0.1)


class ResidualBlock(nn.Module):
    """conv-(BN)-act-conv-(BN) with an identity skip."""

    def __init__(self, channels: int, arch: str):
        super().__init__()
        batch_norm = arch == "srresnet"
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels) if batch_norm else nn.Identity()
        self.act = nn.PReLU() if arch == "srresnet" else nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels) if batch_norm else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return x + self.bn2(self.conv2(self.act(self.bn1(self.conv1(x)))))


class UpsampleStage(nn.Module):
    """Sub-pixel convolution: conv to factor² × channels, PixelShuffle, activation."""

    def __init__(self, channels: int, factor: int, arch: str):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels * factor * factor, 3, padding=1)
        self.shuffle = nn.PixelShuffle(factor)
        self.act = _activation(arch)

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.shuffle(self.conv(x)))


class SRResNetGenerator(Generator):
    """SRResNet: low-resolution image in [0, 1] → ``scale``× larger image (unclamped).

    Args:
        scale: upscaling factor, 2, 3 or 4 (x4 uses two x2 stages, as in the paper).
        channels: feature channels (64 in the paper).
        blocks: residual blocks (16 in the paper).
        image_channels: input/output image channels (3 for RGB, 1 for grayscale).
        arch: ``"srresnet"`` (Ledig et al.) or ``"msrresnet"`` (BasicSR's modified SRResNet).
    """

    latent_dim = 0

    def __init__(self, scale: int = 4, channels: int = 64, blocks: int = 16,
                 image_channels: int = 3, arch: str = "srresnet"):
        super().__init__()
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {scale}")
        if arch not in ARCHS:
            raise ValueError(f"arch must be one of {ARCHS}, got {arch!r}")
        self.scale, self.arch = scale, arch
        paper = arch == "srresnet"
        edge = 9 if paper else 3
        self.head = nn.Conv2d(image_channels, channels, edge, padding=edge // 2)
        self.head_act = _activation(arch)
        self.blocks = nn.Sequential(*(ResidualBlock(channels, arch) for _ in range(blocks)))
        # The paper closes the long skip with conv-BN; MSRResNet has no such layer.
        self.body_conv = nn.Conv2d(channels, channels, 3, padding=1) if paper else None
        self.body_bn = nn.BatchNorm2d(channels) if paper else None
        factors = (2, 2) if scale == 4 else (scale,)
        self.upsample = nn.Sequential(*(UpsampleStage(channels, f, arch) for f in factors))
        self.hr_conv = None if paper else nn.Conv2d(channels, channels, 3, padding=1)
        self.hr_act = None if paper else nn.LeakyReLU(0.1)
        self.tail = nn.Conv2d(channels, image_channels, edge, padding=edge // 2)
        if not paper:
            self._init_like_basicsr()

    def _init_like_basicsr(self) -> None:
        # Residual nets without BN train stably only if the blocks start near identity: scaled
        # Kaiming init (x0.1), as in EDSR/BasicSR.
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight)
                module.weight.data.mul_(0.1)
                nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        features = self.head_act(self.head(x))
        out = self.blocks(features)
        if self.body_conv is not None:
            out = features + self.body_bn(self.body_conv(out))
        out = self.upsample(out)
        if self.hr_conv is not None:
            out = self.hr_act(self.hr_conv(out))
        out = self.tail(out)
        if self.arch == "msrresnet":
            out = out + F.interpolate(x, scale_factor=self.scale, mode="bilinear",
                                      align_corners=False)
        return out
