"""DCGAN (Radford et al. 2015): strided transposed convolutions with BatchNorm and ReLU in G,
strided convolutions with BatchNorm and LeakyReLU(0.2) in D (none on D's input layer), tanh
output, weights initialised from N(0, 0.02), Adam(2e-4, β1 = 0.5).

Any power-of-two ``image_size`` ≥ 8 works: G grows a 4×4 seed by ×2 per layer, D mirrors it
(8×8 digits: one up-sampling layer; 64×64: four, as in the paper).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from torch import Tensor, nn

from ganzoo.interfaces import Discriminator, Generator
from ganzoo.nets.dcgan_stack import upsampling_stages

from .noise_gan import NoiseDrivenGAN


@dataclass
class DCGANConfig:
    """DCGAN's architecture (widths double per layer) and the paper's optimizer settings."""

    channels: int = 1
    image_size: int = 8
    latent_dim: int = 64
    ngf: int = 64                # G's width at the last hidden layer
    ndf: int = 64                # D's width at the first layer
    d_norm: Literal["batch", "layer", "none"] = "batch"  # penalties need layer or none
    loss: str = "non-saturating"
    penalty: str = "none"
    penalty_weight: float = 0.0
    pack: int = 1
    n_critic: int = 1
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)

    @property
    def data_shape(self) -> list[int]:
        return [self.channels, self.image_size, self.image_size]


class DCGANGenerator(Generator):
    """z → 4×4 → … → image_size, channels halving as resolution doubles; tanh output."""

    def __init__(self, latent_dim: int, channels: int, image_size: int, ngf: int):
        super().__init__()
        self.latent_dim = latent_dim
        ups = upsampling_stages(image_size)
        width = ngf * 2 ** (ups - 1)
        layers: list[nn.Module] = [nn.ConvTranspose2d(latent_dim, width, 4, 1, 0, bias=False),
                                   nn.BatchNorm2d(width), nn.ReLU(True)]
        for _ in range(ups - 1):
            layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(width // 2), nn.ReLU(True)]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(Discriminator):
    """image → … → 4×4 → one score; BatchNorm on every layer but the first.

    ``norm="layer"`` (GroupNorm with one group: WGAN-GP's critic) or ``"none"`` replace the
    BatchNorm, which a gradient penalty cannot be applied through.
    """

    def __init__(self, in_channels: int, image_size: int, ndf: int, norm: str = "batch"):
        super().__init__()
        downs = upsampling_stages(image_size)
        layers: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, 2, 1, bias=False),
                                   nn.LeakyReLU(0.2, True)]
        width = ndf
        for _ in range(downs - 1):
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=norm == "none"),
                       *discriminator_norm(norm, width * 2), nn.LeakyReLU(0.2, True)]
            width *= 2
        layers.append(nn.Conv2d(width, 1, 4, 1, 0, bias=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).flatten()


def discriminator_norm(norm: str, channels: int) -> list[nn.Module]:
    if norm == "batch":
        return [nn.BatchNorm2d(channels)]
    if norm == "layer":
        return [nn.GroupNorm(1, channels)]
    return []


def dcgan_init(module: nn.Module) -> None:
    """The paper's initialisation: conv weights N(0, 0.02), BatchNorm γ ~ N(1, 0.02), β = 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:  # only with d_norm=none
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGAN(NoiseDrivenGAN):
    """Deep convolutional GAN for images (default: 8×8 grayscale digits)."""

    Config = DCGANConfig
    task: ClassVar[str] = "unconditional"
    #: Images only (a convolutional network); labels, where the data has them, are ignored.
    data_kinds: ClassVar[tuple[str, ...]] = ("digits", "folder", "images", "labelled")
    recipes: ClassVar[dict[str, dict[str, Any]]] = {"digits": {"steps": 2000, "batch_size": 64}}
    #: CPU-sized for a folder of photos: 32-px images, narrower networks.
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "small": {"image_size": 32, "ngf": 32, "ndf": 32, "steps": 1500, "batch_size": 16}}
    batchnorm_fix = "use --set d_norm=layer (WGAN-GP's critic) or d_norm=none"

    def __init__(self, config: DCGANConfig | None = None):
        super().__init__(config)
        cfg = self.config
        self.generator = DCGANGenerator(cfg.latent_dim, cfg.channels, cfg.image_size, cfg.ngf)
        self.discriminator = DCGANDiscriminator(cfg.pack * cfg.channels, cfg.image_size, cfg.ndf,
                                                cfg.d_norm)
        self.apply(dcgan_init)
