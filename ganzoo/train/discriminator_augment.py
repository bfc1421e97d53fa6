"""How the Trainer applies DiffAugment (`ganzoo.train.diff_augment`) without any variant knowing.

Every image a discriminator judges passes through its ``forward``: the D step's real and fake
scores, the G step's scores (and real ones, for relativistic losses), and the gradient penalties,
which call D on their own inputs. A forward pre-hook on each of the model's
``discriminator_names`` networks (on its `image_input`, the trunk where a network judges through
several heads) augments the first argument there, so all of those see augmented
images and gradients flow through the augmentation (to G in its step; to the un-augmented input
in the R1/R2 and gradient penalties, as the DiffAugment paper does). The hooks live only while the loop runs,
so previews, the saved model and evaluation never see them.

A discriminator input that stacks several images along the channels (packed samples, a
conditional D's source-and-output pair) is treated as one image: one shift, one cutout and one colour change per
row, the same for real and fake rows, which is what keeps D's task honest.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

from ..errors import GanzooError
from .adaptive_augment import check_settings
from .diff_augment import diff_augment, parse_policy


def image_input(network) -> torch.nn.Module:
    """Where ``network``'s images enter (`ganzoo.interfaces.Discriminator.image_input`); a plain
    module that is no `Discriminator` is its own input."""
    method = getattr(network, "image_input", None)
    return method() if callable(method) else network


class DiscriminatorAugment:
    """Forward pre-hooks augmenting every discriminator input of ``model`` with ``policy``."""

    def __init__(self, model, policy: tuple[str, ...], strength=None):
        self.model = model
        self.policy = policy
        self.strength = strength  # an `AdaptiveStrength` (its p), or None: always augment
        self.calls = 0
        inputs = [image_input(getattr(model, name)) for name in model.discriminator_names]
        self.handles = [module.register_forward_pre_hook(self._augment) for module in inputs]

    def _augment(self, module, args):
        if not args or not isinstance(args[0], torch.Tensor) or args[0].dim() != 4:
            shape = tuple(args[0].shape) if args and isinstance(args[0], torch.Tensor) else None
            raise GanzooError(f"diffaugment transforms images (N, C, H, W), but "
                              f"{type(self.model).__name__}'s discriminator is fed "
                              f"{shape or 'no tensor'}; drop --set diffaugment for this variant "
                              f"or train a convolutional one on image data")
        self.calls += 1
        probability = None if self.strength is None else self.strength.p
        return (diff_augment(args[0], self.policy, probability=probability), *args[1:])

    def check_used(self) -> None:
        """After an iteration: refuse a variant whose steps judge images by calling some other
        method of its discriminator than ``forward`` (the hook would have augmented nothing)."""
        if self.calls == 0:
            raise GanzooError(f"diffaugment augments what a discriminator's forward() receives, "
                              f"but {type(self.model).__name__}'s training steps never called it "
                              f"(they judge no images with these settings, or call other methods "
                              f"of the network); drop --set diffaugment for this variant")

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []


def check_diffaugment(model, policy_text: str, ada_target: float = 0.0,
                      ada_kimg: float = 500.0) -> tuple[str, ...]:
    """The parsed policy, refusing it in one line where it cannot apply (toy points, a model
    without a discriminator, adaptive strength without transforms or out of range)."""
    policy = parse_policy(policy_text)
    if ada_target:
        check_settings(ada_target, ada_kimg)
        if not policy:
            raise GanzooError("ada_target adapts how often the diffaugment transforms apply, "
                              "but no transform is chosen; add --set diffaugment=color,"
                              "translation,cutout (or drop ada_target)")
    if not policy:
        return policy
    if getattr(model, "task", None) == "toy":
        raise GanzooError("diffaugment transforms images, but this run trains on 2-D points; "
                          "drop --set diffaugment or train on image data (e.g. --data digits)")
    if not model.discriminator_names:
        raise GanzooError(f"diffaugment augments the discriminator's inputs, but "
                          f"{type(model).__name__} has no discriminator; drop --set diffaugment")
    return policy


@contextmanager
def augmented_discriminators(model, policy_text: str, strength=None):
    """Within the block, every discriminator forward of ``model`` sees augmented images (each
    transform with probability ``strength.p`` when an `AdaptiveStrength` is given); yields
    the `DiscriminatorAugment` (None when ``policy_text`` is empty)."""
    policy = check_diffaugment(model, policy_text)
    if not policy:
        yield None
        return
    augment = DiscriminatorAugment(model, policy, strength)
    try:
        yield augment
    finally:
        augment.remove()
