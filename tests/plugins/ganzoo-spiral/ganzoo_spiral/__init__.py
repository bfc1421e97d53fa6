"""ganzoo-spiral: registrations only (no torch here, so `ganzoo list` stays fast)."""

from importlib import resources

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("spiralgan", "ganzoo_spiral.variant:SpiralGAN", task="toy",
             summary="MLP GAN on spiral arms; --cond turn=DEGREES rotates what it draws",
             default_data="spiral:2")


@hookimpl
def register_datasets(register):
    register("spiral", "ganzoo_spiral.data:spiral",
             summary="points on K spiral arms (--data spiral:K, K = 1..6)")


@hookimpl
def register_metrics(register):
    register("arm-distance", "ganzoo_spiral.metric:arm_distance",
             summary="spiral data: mean distance of samples to the nearest arm point")


@hookimpl
def register_pretrained(register):
    register(resources.files("ganzoo_spiral") / "registry.yaml")
