"""SRGAN's VGG-style discriminator (Ledig et al. 2017, Fig. 4).

Eight 3x3 convs (64, 64, 128, 128, 256, 256, 512, 512 channels; stride 2 on every second one;
BatchNorm after all but the first; LeakyReLU 0.2), then Dense(1024) - LeakyReLU - Dense(1).
The paper flattens the 6x6 map of a 96x96 crop; adaptive average pooling to 6x6 keeps exactly
that for 96x96 crops and lets other crop sizes work too.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.interfaces import Discriminator


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
