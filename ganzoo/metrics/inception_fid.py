"""The FID Inception-v3: the TensorFlow graph of 2015-12-05 that every published FID uses.

Written from the architecture description (Szegedy et al. 2016, "Rethinking the Inception
Architecture", and the layer list of the released TF graph): a 5-convolution stem, three
35x35 blocks (``mixed_5b-d``), a grid reduction (``6a``), four 17x17 blocks with factorised 7x7
convolutions (``6b-e``), a second reduction (``7a``), two 8x8 blocks (``7b``, ``7c``) and a global
average pool to 2,048 features. Where the FID graph differs from torchvision's ImageNet
Inception it is spelled out below:

- every convolution is followed by batch norm *without* a learned scale (only ``beta``),
  eps 0.001, then ReLU; convolutions have no bias;
- the pooling branch of the 35x35/17x17 blocks and of ``7b`` averages without counting the
  zero padding (TF's ``SAME`` average pool), while ``7c`` max-pools there;
- input: ``(N, 3, 299, 299)`` RGB pixels in [0, 255] scaled as ``pixel / 128 - 1`` (the graph's
  ``(x - 128) / 128``); no resize happens inside (see `ganzoo.metrics.fid_preprocess`).

Weights come from `ganzoo.metrics.inception_weights` (safetensors, sha256-pinned); the state-dict
names are this module's attribute names.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

#: TF's batch-norm epsilon in this graph.
BN_EPS = 1e-3
FEATURES = 2048
INPUT_SIZE = 299


class ConvBN(nn.Module):
    """Convolution (no bias), batch norm with shift only (``beta``), ReLU.

    The norm is folded into the convolution at run time (``w * s``, bias ``beta - mean * s``
    with ``s = 1 / sqrt(var + eps)``): one kernel instead of two, the same function.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int | tuple[int, int],
                 stride: int = 1, padding: int | tuple[int, int] = 0):
        super().__init__()
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        # Buffers, not parameters: this network is only ever evaluated.
        self.register_buffer("weight", torch.zeros(out_channels, in_channels, kh, kw))
        self.register_buffer("beta", torch.zeros(out_channels))
        self.register_buffer("mean", torch.zeros(out_channels))
        self.register_buffer("var", torch.ones(out_channels))
        self.stride, self.padding = stride, padding

    def forward(self, x: Tensor) -> Tensor:
        scale = torch.rsqrt(self.var + BN_EPS)
        weight = self.weight * scale[:, None, None, None]
        bias = self.beta - self.mean * scale
        return F.relu(F.conv2d(x, weight, bias, self.stride, self.padding))


def _average_pool_3x3(x: Tensor) -> Tensor:
    # TF 'SAME' average pooling divides by the number of real (unpadded) pixels.
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class Block35(nn.Module):
    """35x35 block (``mixed_5b-d``): 1x1 | 1x1→5x5 | 1x1→3x3→3x3 | avg-pool→1x1."""

    def __init__(self, in_channels: int, pool_channels: int):
        super().__init__()
        self.branch1x1 = ConvBN(in_channels, 64, 1)
        self.branch5x5_1 = ConvBN(in_channels, 48, 1)
        self.branch5x5_2 = ConvBN(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = ConvBN(in_channels, 64, 1)
        self.branch3x3dbl_2 = ConvBN(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = ConvBN(96, 96, 3, padding=1)
        self.branch_pool = ConvBN(in_channels, pool_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([
            self.branch1x1(x),
            self.branch5x5_2(self.branch5x5_1(x)),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            self.branch_pool(_average_pool_3x3(x)),
        ], 1)


class Reduction35(nn.Module):
    """35→17 grid reduction (``mixed_6a``): 3x3/2 | 1x1→3x3→3x3/2 | max-pool/2."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch3x3 = ConvBN(in_channels, 384, 3, stride=2)
        self.branch3x3dbl_1 = ConvBN(in_channels, 64, 1)
        self.branch3x3dbl_2 = ConvBN(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = ConvBN(96, 96, 3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([
            self.branch3x3(x),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            F.max_pool2d(x, 3, stride=2),
        ], 1)


class Block17(nn.Module):
    """17x17 block (``mixed_6b-e``) with 7x7 convolutions factorised into 1x7 and 7x1."""

    def __init__(self, in_channels: int, channels_7x7: int):
        super().__init__()
        c = channels_7x7
        self.branch1x1 = ConvBN(in_channels, 192, 1)
        self.branch7x7_1 = ConvBN(in_channels, c, 1)
        self.branch7x7_2 = ConvBN(c, c, (1, 7), padding=(0, 3))
        self.branch7x7_3 = ConvBN(c, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = ConvBN(in_channels, c, 1)
        self.branch7x7dbl_2 = ConvBN(c, c, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = ConvBN(c, c, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = ConvBN(c, c, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = ConvBN(c, 192, (1, 7), padding=(0, 3))
        self.branch_pool = ConvBN(in_channels, 192, 1)

    def forward(self, x: Tensor) -> Tensor:
        double = x
        for layer in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3,
                      self.branch7x7dbl_4, self.branch7x7dbl_5):
            double = layer(double)
        return torch.cat([
            self.branch1x1(x),
            self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x))),
            double,
            self.branch_pool(_average_pool_3x3(x)),
        ], 1)


class Reduction17(nn.Module):
    """17→8 grid reduction (``mixed_7a``): 1x1→3x3/2 | 1x1→1x7→7x1→3x3/2 | max-pool/2."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch3x3_1 = ConvBN(in_channels, 192, 1)
        self.branch3x3_2 = ConvBN(192, 320, 3, stride=2)
        self.branch7x7x3_1 = ConvBN(in_channels, 192, 1)
        self.branch7x7x3_2 = ConvBN(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = ConvBN(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = ConvBN(192, 192, 3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        tower = x
        for layer in (self.branch7x7x3_1, self.branch7x7x3_2, self.branch7x7x3_3,
                      self.branch7x7x3_4):
            tower = layer(tower)
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), tower,
                          F.max_pool2d(x, 3, stride=2)], 1)


class Block8(nn.Module):
    """8x8 block (``mixed_7b``, ``mixed_7c``): branches that split into 1x3 and 3x1 halves.

    Args:
        in_channels: 1280 (7b) or 2048 (7c).
        max_pool: the pooling branch max-pools (7c in the FID graph) instead of averaging.
    """

    def __init__(self, in_channels: int, max_pool: bool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = ConvBN(in_channels, 320, 1)
        self.branch3x3_1 = ConvBN(in_channels, 384, 1)
        self.branch3x3_2a = ConvBN(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = ConvBN(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = ConvBN(in_channels, 448, 1)
        self.branch3x3dbl_2 = ConvBN(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = ConvBN(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = ConvBN(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = ConvBN(in_channels, 192, 1)

    def forward(self, x: Tensor) -> Tensor:
        single = self.branch3x3_1(x)
        double = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        pooled = (F.max_pool2d(x, 3, stride=1, padding=1) if self.max_pool
                  else _average_pool_3x3(x))
        return torch.cat([
            self.branch1x1(x),
            self.branch3x3_2a(single), self.branch3x3_2b(single),
            self.branch3x3dbl_3a(double), self.branch3x3dbl_3b(double),
            self.branch_pool(pooled),
        ], 1)


class FIDInceptionV3(nn.Module):
    """``(N, 3, 299, 299)`` pixels in [0, 255] → ``(N, 2048)`` pool features of the FID graph.

    Inputs are taken as float pixels (8-bit values, not necessarily integers after resizing);
    the graph's ``/128 - 1`` scaling happens here. Build it with
    `ganzoo.metrics.inception_weights.load_fid_inception` to get the pinned weights.
    """

    def __init__(self):
        super().__init__()
        self.conv_1a = ConvBN(3, 32, 3, stride=2)
        self.conv_2a = ConvBN(32, 32, 3)
        self.conv_2b = ConvBN(32, 64, 3, padding=1)
        self.conv_3b = ConvBN(64, 80, 1)
        self.conv_4a = ConvBN(80, 192, 3)
        self.mixed_5b = Block35(192, pool_channels=32)
        self.mixed_5c = Block35(256, pool_channels=64)
        self.mixed_5d = Block35(288, pool_channels=64)
        self.mixed_6a = Reduction35(288)
        self.mixed_6b = Block17(768, channels_7x7=128)
        self.mixed_6c = Block17(768, channels_7x7=160)
        self.mixed_6d = Block17(768, channels_7x7=160)
        self.mixed_6e = Block17(768, channels_7x7=192)
        self.mixed_7a = Reduction17(768)
        self.mixed_7b = Block8(1280, max_pool=False)
        self.mixed_7c = Block8(2048, max_pool=True)

    def forward(self, pixels: Tensor) -> Tensor:
        if pixels.dim() != 4 or pixels.shape[1:] != (3, INPUT_SIZE, INPUT_SIZE):
            raise ValueError(f"expected (N, 3, {INPUT_SIZE}, {INPUT_SIZE}) pixels, got "
                             f"{tuple(pixels.shape)}; resize with ganzoo.metrics.fid_preprocess")
        # Channels-last runs oneDNN's convolutions without layout reorders between layers (~25 %
        # faster on CPU, benchmarks/feature_speed.py); the values are the same.
        x = (pixels / 128.0 - 1.0).contiguous(memory_format=torch.channels_last)
        x = self.conv_2b(self.conv_2a(self.conv_1a(x)))
        x = F.max_pool2d(x, 3, stride=2)
        x = self.conv_4a(self.conv_3b(x))
        x = F.max_pool2d(x, 3, stride=2)
        for block in (self.mixed_5b, self.mixed_5c, self.mixed_5d, self.mixed_6a,
                      self.mixed_6b, self.mixed_6c, self.mixed_6d, self.mixed_6e,
                      self.mixed_7a, self.mixed_7b, self.mixed_7c):
            x = block(x)
        return x.mean(dim=(2, 3))  # the graph's 8x8 average pool
