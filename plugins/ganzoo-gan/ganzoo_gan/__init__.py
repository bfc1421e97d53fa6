"""ganzoo-gan: the seed GANs, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("gan", "ganzoo_gan.vanilla:VanillaGAN", task="toy",
             summary="Vanilla GAN (Goodfellow et al. 2014): MLP G and D, toy 2-D data or "
                     "flattened images",
             paper="https://arxiv.org/abs/1406.2661", default_data="grid25")
    register("dcgan", "ganzoo_gan.dcgan:DCGAN", task="unconditional",
             summary="DCGAN (Radford et al. 2015): conv G/D with BatchNorm, ReLU/LeakyReLU, tanh",
             paper="https://arxiv.org/abs/1511.06434", default_data="digits")
    register("wgan-gp", "ganzoo_gan.wgan_gp:WGANGP", task="toy",
             summary="WGAN-GP (Gulrajani et al. 2017): Wasserstein critic with gradient penalty; "
                     "MLPs, toy 2-D data or flattened images",
             paper="https://arxiv.org/abs/1704.00028", default_data="grid25")
