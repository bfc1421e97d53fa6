"""ganzoo-cyclegan: CycleGAN, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("cyclegan", "ganzoo_cyclegan.variant:CycleGAN", task="image-to-image",
             summary="CycleGAN (Zhu et al. 2017): unpaired translation A<->B with LSGAN, cycle "
                     "and identity losses; ResNet-9 generators, 70x70 PatchGANs",
             paper="https://arxiv.org/abs/1703.10593")
