"""ganzoo-pix2pix: pix2pix, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("pix2pix", "ganzoo_pix2pix.variant:Pix2Pix", task="image-to-image",
             summary="pix2pix (Isola et al. 2017): paired translation with a U-Net generator, a "
                     "conditional 70x70 PatchGAN and an L1 term (lambda 100)",
             paper="https://arxiv.org/abs/1611.07004")


@hookimpl
def register_datasets(register):
    register("paired", "ganzoo_pix2pix.paired_data:paired",
             summary="aligned pairs for pix2pix: A|B side-by-side files or A/ and B/ folders "
                     "matched by name (--data paired:PATH[?split=train&load_size=286])",
             layout="PATH/train/*.jpg with A|B side by side in each file (the reference "
                    "layout), or PATH/A/ and PATH/B/ with files matched by name",
             example="--data paired:~/facades  or  --data paired:~/pairs?split=val")
