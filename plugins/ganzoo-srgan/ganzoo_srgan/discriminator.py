"""SRGAN's discriminators: the paper's VGG-style one (Ledig et al. 2017, Fig. 4) and a PatchGAN.

Eight 3x3 convs (64, 64, 128, 128, 256, 256, 512, 512 channels; stride 2 on every second one;
BatchNorm after all but the first; LeakyReLU 0.2), then Dense(1024) - LeakyReLU - Dense(1).
The paper flattens the 6x6 map of a 96x96 crop; adaptive average pooling to 6x6 keeps exactly
that for 96x96 crops and lets other crop sizes work too.

`PatchDiscriminator` scores every receptive-field patch instead of the whole crop (as the
pix2pix PatchGAN, and as U-Net discriminators do per pixel in Real-ESRGAN): many local real/fake
decisions per crop, a denser texture signal for a short fine-tune.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.interfaces import Discriminator
from ganzoo.nets.patchgan import NLayerDiscriminator


class VGGStyleDiscriminator(Discriminator):
    """HR image in [0, 1] → one raw realness logit per image, shape ``(N, 1)``.

    Args:
        image_channels: channels of the images judged.
        channels: width of the first conv (64 in the paper); later convs double it.
        pooled: spatial size the final map is pooled to before the dense layers (6 in the paper).
    """

    def __init__(self, image_channels: int = 3, channels: int = 64, pooled: int = 6):
        super().__init__()
        widths = [channels, channels, 2 * channels, 2 * channels, 4 * channels, 4 * channels,
                  8 * channels, 8 * channels]
        layers: list[nn.Module] = []
        previous = image_channels
        for index, width in enumerate(widths):
            stride = 2 if index % 2 == 1 else 1
            layers.append(nn.Conv2d(previous, width, 3, stride=stride, padding=1))
            if index > 0:
                layers.append(nn.BatchNorm2d(width))
            layers.append(nn.LeakyReLU(0.2))
            previous = width
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(pooled)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(previous * pooled * pooled, 1024),
            nn.LeakyReLU(0.2),
            nn.Linear(1024, 1),
        )

    def forward(self, images: Tensor) -> Tensor:
        # Centre [0, 1] inputs so the first conv sees zero-mean data.
        return self.classifier(self.pool(self.features(images * 2.0 - 1.0)))


class PatchDiscriminator(Discriminator):
    """HR image in [0, 1] → a map of raw realness logits, one per patch, ``(N, 1, h, w)``.

    Args:
        image_channels: channels of the images judged.
        channels: width of the first conv (doubling per layer, capped at 8x).
        layers: stride-2 layers (2 → 34x34 patches, 3 → 70x70).
    """

    def __init__(self, image_channels: int = 3, channels: int = 64, layers: int = 2):
        super().__init__()
        self.patches = NLayerDiscriminator(image_channels, channels, layers, norm="batch")

    def forward(self, images: Tensor) -> Tensor:
        return self.patches(images * 2.0 - 1.0)
