"""PatchGAN discriminators (pix2pix): each output scores one receptive-field patch as real.

`NLayerDiscriminator` with 3 layers sees 70x70 patches; `PixelDiscriminator` (1x1 convs)
judges each pixel alone. Both return raw scores, no sigmoid; keys follow the reference
(``model.*`` / ``net.*``).
"""

from __future__ import annotations

from torch import Tensor, nn

from ..interfaces import Discriminator
from .norms import conv_bias, norm_layer


class NLayerDiscriminator(Discriminator):
    """Strided 4x4 convs, widths 64·2^k capped at 512, then two stride-1 convs to one map.

    Args:
        in_channels: channels of what it judges (pix2pix: input + output stacked, e.g. 6).
        ndf: width of the first layer.
        n_layers: stride-2 layers (3 → 70x70 receptive field, 1 → 16x16, 5 → 286x286).
        norm: ``batch``, ``instance`` or ``none``; never on the first layer.
    """

    def __init__(self, in_channels: int = 3, ndf: int = 64, n_layers: int = 3,
                 norm: str = "batch", all_biases: bool = False):
        super().__init__()
        make_norm, bias = norm_layer(norm), conv_bias(norm, all_biases)
        layers: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, stride=2, padding=1),
                                   nn.LeakyReLU(0.2, True)]
        width = ndf
        for n in range(1, n_layers + 1):
            new_width = ndf * min(2 ** n, 8)
            stride = 2 if n < n_layers else 1  # the last widening conv keeps the resolution
            layers += [nn.Conv2d(width, new_width, 4, stride=stride, padding=1, bias=bias),
                       make_norm(new_width), nn.LeakyReLU(0.2, True)]
            width = new_width
        layers.append(nn.Conv2d(width, 1, 4, stride=1, padding=1))
        self.model = nn.Sequential(*layers)
        self.receptive_field = receptive_field(n_layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


def receptive_field(n_layers: int) -> int:
    """Side of the input patch one output of `NLayerDiscriminator` sees (70 for 3 layers)."""
    size = 4 + 3  # walking back from one output: the output conv, then the stride-1 conv
    for _ in range(n_layers):
        size = (size - 1) * 2 + 4  # each stride-2 4x4 conv
    return size


class PixelDiscriminator(Discriminator):
    """1x1-conv discriminator (a "PixelGAN"): judges colour per pixel, not structure.

    Args:
        in_channels: channels of what it judges.
        ndf: width of the first layer.
        norm: ``batch``, ``instance`` or ``none``.
    """

    def __init__(self, in_channels: int = 3, ndf: int = 64, norm: str = "batch",
                 all_biases: bool = False):
        super().__init__()
        make_norm, bias = norm_layer(norm), conv_bias(norm, all_biases)
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, ndf, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, ndf * 2, 1, bias=bias), make_norm(ndf * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 2, 1, 1, bias=bias))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)
