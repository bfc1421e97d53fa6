"""ganzoo-cyclegan: CycleGAN, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("cyclegan", "ganzoo_cyclegan.variant:CycleGAN", task="image-to-image",
             summary="CycleGAN (Zhu et al. 2017): unpaired translation A<->B with LSGAN, cycle "
                     "and identity losses; ResNet-9 generators, 70x70 PatchGANs",
             paper="https://arxiv.org/abs/1703.10593")


@hookimpl
def register_datasets(register):
    register("unpaired", "ganzoo_cyclegan.unpaired_data:unpaired",
             summary="two unpaired domains for CycleGAN: trainA/ and trainB/ "
                     "(--data unpaired:PATH[?split=test&flip=false])",
             layout="PATH/trainA/ and PATH/trainB/ (any image files, any counts; ?split=test "
                    "reads testA/ and testB/)",
             example="--data unpaired:~/horse2zebra")
