"""ganzoo-cgan: the class-conditional GAN, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("cgan", "ganzoo_cgan.variant:CGAN", task="conditional",
             summary="Conditional GAN (Mirza & Osindero 2014): label embedding in G, projection "
                     "(Miyato & Koyama 2018) or concatenation discriminator",
             paper="https://arxiv.org/abs/1411.1784", default_data="digits")


@hookimpl
def register_datasets(register):
    register("labelled", "ganzoo_cgan.labelled_folder:labelled_folder",
             summary="one sub-folder of images per class (--data labelled:PATH); labels = "
                     "sorted folder names",
             layout="PATH/<class name>/**/*.png|jpg|... (at least two class folders)",
             example="--data labelled:~/pets  (PATH/cat/, PATH/dog/)")
