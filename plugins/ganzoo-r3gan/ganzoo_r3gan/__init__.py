"""ganzoo-r3gan: R3GAN, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("r3gan", "ganzoo_r3gan.variant:R3GAN", task="unconditional",
             summary="R3GAN (Huang et al. 2024): relativistic pairing loss with R1 + R2, "
                     "normalization-free ResNet G and D with grouped convs, inverted bottlenecks",
             paper="https://arxiv.org/abs/2501.05441", default_data="digits")
