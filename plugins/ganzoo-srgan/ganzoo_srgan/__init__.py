"""ganzoo-srgan: ResNet super-resolution (SRResNet, SRGAN), registered lazily (no torch here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("srresnet", "ganzoo_srgan.srresnet:SRResNet", task="super-resolution",
             summary="SRResNet (Ledig et al. 2017): 16 residual blocks, PReLU, sub-pixel "
                     "upsampling; x2/x3/x4, pixel (or perceptual) content loss",
             paper="https://arxiv.org/abs/1609.04802")
    register("srgan", "ganzoo_srgan.srgan:SRGAN", task="super-resolution",
             summary="SRGAN (Ledig et al. 2017): SRResNet + VGG-style discriminator, content + "
                     "1e-3 adversarial loss, initialised from a trained SRResNet",
             paper="https://arxiv.org/abs/1609.04802")


@hookimpl
def register_datasets(register):
    register("sr", "ganzoo_srgan.degrade:sr_pairs",
             summary="super-resolution pairs: random HR crops of a folder's images and their "
                     "bicubic xscale reductions (--data sr:PATH)",
             layout="PATH/**/*.png|jpg|... high-resolution photos at least image_size "
                    "(96 by default) on each side",
             example="--data sr:~/photos")
