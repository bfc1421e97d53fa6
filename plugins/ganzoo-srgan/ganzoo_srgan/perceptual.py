"""Content losses for image restoration: pixel (L1/MSE) and feature ("perceptual") losses.

The feature loss compares images in the feature space of a frozen network (Johnson et al. 2016;
SRGAN's "VGG54" is the MSE between VGG19 ``relu5_4`` maps). The extractor is pluggable and its
weights are loaded like any other weights, as safetensors, never downloaded at run time:

- a local ``.safetensors`` file, or a folder holding ``model.safetensors``;
- ``hf://org/name[@revision][/file.safetensors]``, read from the local Hugging Face cache only
  (fetch it beforehand, e.g. ``huggingface-cli download org/name model.safetensors``).

The bundled extractor is VGG16/VGG19 ``features`` with torchvision's key layout
(``features.{index}.weight``), so ``save_file(vgg19(weights=...).state_dict(), path)`` from a
machine that has torchvision produces a usable file. Any ``nn.Module`` mapping ImageNet-normalised
images to a feature map can be passed to `FeatureLoss` instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ganzoo.colour import CHROMA, LUMA
from ganzoo.errors import GanzooError

if TYPE_CHECKING:
    from torch import Tensor, nn

#: Conv widths per block ("M" = 2x2 max-pool), as in Simonyan & Zisserman 2015.
VGG_LAYOUTS = {
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def pixel_loss(prediction: Tensor, target: Tensor, kind: str = "l1",
               chroma_weight: float | None = None) -> Tensor:
    """Mean absolute (``"l1"``) or squared (``"mse"``) error.

    With ``chroma_weight`` (and 3-channel ``(N, 3, H, W)`` images), the error is taken in BT.601
    YCbCr instead of RGB: the luma error plus ``chroma_weight`` times the mean chroma error.
    Super-resolution is scored on luma (PSNR/SSIM on Y), so a weight below 1 spends the
    network's capacity where the score is.
    """
    import torch
    import torch.nn.functional as F

    if kind not in ("l1", "mse"):
        raise GanzooError(f"pixel loss must be l1 or mse, got {kind!r}")
    if chroma_weight is None or prediction.dim() != 4 or prediction.shape[1] != 3:
        return F.l1_loss(prediction, target) if kind == "l1" else F.mse_loss(prediction, target)
    to_ycbcr = prediction.new_tensor((LUMA, *CHROMA))
    difference = torch.einsum("kc,nchw->nkhw", to_ycbcr, prediction - target)
    error = difference.abs() if kind == "l1" else difference.square()
    return error[:, 0].mean() + chroma_weight * error[:, 1:].mean()


def vgg_layer_names(arch: str) -> list[str]:
    """Names of the modules of ``features``, in order: conv1_1, relu1_1, ..., pool1, ..."""
    names, block, index = [], 1, 1
    for item in VGG_LAYOUTS[arch]:
        if item == "M":
            names.append(f"pool{block}")
            block, index = block + 1, 1
        else:
            names += [f"conv{block}_{index}", f"relu{block}_{index}"]
            index += 1
    return names


def build_vgg_features(arch: str = "vgg19", layer: str = "relu5_4") -> nn.Module:
    """A VGG ``features`` stack cut after ``layer`` (torchvision's key layout)."""
    from torch import nn

    if arch not in VGG_LAYOUTS:
        raise GanzooError(f"unknown feature extractor {arch!r}; choose one of "
                          f"{', '.join(VGG_LAYOUTS)}")
    names = vgg_layer_names(arch)
    if layer not in names:
        raise GanzooError(f"{arch} has no layer {layer!r}; choose one like relu5_4, conv5_4, "
                          f"relu2_2")
    modules: list[nn.Module] = []
    channels = 3
    for item in VGG_LAYOUTS[arch]:
        if item == "M":
            modules.append(nn.MaxPool2d(2, 2))
        else:
            modules += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU()]
            channels = item
    return nn.Sequential(*modules[: names.index(layer) + 1])


def resolve_extractor_file(source: str) -> Path:
    """Local path of the extractor's safetensors for ``source``; never downloads."""
    if source.startswith("hf://"):
        return _cached_hub_file(source)
    path = Path(os.path.expanduser(source))
    if path.is_dir():
        path = path / "model.safetensors"
    if not path.is_file():
        raise GanzooError(f"feature-extractor weights {path} not found; pass the path of a "
                          f"VGG .safetensors file (perceptual_weights=...) or use a pixel loss")
    if path.suffix != ".safetensors":
        raise GanzooError(f"feature-extractor weights must be .safetensors, got {path.name}; "
                          f"convert the checkpoint to safetensors first")
    return path


def _cached_hub_file(source: str) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    spec = source[len("hf://"):]
    parts = spec.split("/")
    if len(parts) < 2:
        raise GanzooError(f"{source}: expected hf://org/name[@revision][/file.safetensors]")
    repo, revision = "/".join(parts[:2]), None
    if "@" in repo:
        repo, revision = repo.split("@", 1)
    filename = "/".join(parts[2:]) or "model.safetensors"
    try:
        return Path(hf_hub_download(repo, filename, revision=revision, local_files_only=True))
    except LocalEntryNotFoundError:
        raise GanzooError(f"feature-extractor weights {source} are not in the local Hugging "
                          f"Face cache and are never downloaded during training; fetch them "
                          f"first: huggingface-cli download {repo} {filename}"
                          + (f" --revision {revision}" if revision else "")) from None


def load_feature_extractor(source: str, arch: str = "vgg19", layer: str = "relu5_4") -> nn.Module:
    """A frozen, eval-mode VGG feature stack with weights from ``source`` (see module doc)."""
    from safetensors.torch import load_file

    network = build_vgg_features(arch, layer)
    path = resolve_extractor_file(source)
    try:
        tensors = load_file(str(path))
    except Exception as exc:
        raise GanzooError(f"cannot read feature-extractor weights {path}: {exc}; is it a "
                          f"complete .safetensors file?") from None
    wanted = {f"features.{k}": v for k, v in network.state_dict().items()}
    missing = [k for k in wanted if k not in tensors]
    if missing:
        raise GanzooError(f"{path.name} lacks {len(missing)} {arch} weights (e.g. {missing[0]}); "
                          f"it must hold torchvision-style 'features.N.weight' keys")
    state = {}
    for key, reference in wanted.items():
        if tuple(tensors[key].shape) != tuple(reference.shape):
            raise GanzooError(f"{path.name}: {key} has shape {tuple(tensors[key].shape)}, "
                              f"{arch} needs {tuple(reference.shape)}; wrong architecture?")
        state[key[len("features."):]] = tensors[key]
    network.load_state_dict(state)
    network.eval().requires_grad_(False)
    return network


class FeatureLoss:
    """Distance between frozen-network features of prediction and target.

    Args:
        extractor: a module mapping ImageNet-normalised RGB to features (frozen by the caller
            or by `load_feature_extractor`).
        kind: ``"mse"`` (SRGAN) or ``"l1"`` (ESRGAN).
        weight: multiplier; SRGAN rescales VGG MSE by 1/12.75² ≈ 0.006.

    Inputs are images in [0, 1]; grayscale is repeated to three channels.
    """

    def __init__(self, extractor: nn.Module, kind: str = "mse", weight: float = 1.0):
        self.extractor = extractor
        self.kind = kind
        self.weight = weight

    def _normalise(self, images: Tensor) -> Tensor:
        import torch

        if images.shape[1] == 1:
            images = images.repeat(1, 3, 1, 1)
        mean = torch.tensor(_IMAGENET_MEAN, device=images.device, dtype=images.dtype)
        std = torch.tensor(_IMAGENET_STD, device=images.device, dtype=images.dtype)
        return (images - mean[:, None, None]) / std[:, None, None]

    def to(self, device) -> FeatureLoss:
        self.extractor.to(device)
        return self

    def __call__(self, prediction: Tensor, target: Tensor) -> Tensor:
        import torch

        with torch.no_grad():
            target_features = self.extractor(self._normalise(target))
        features = self.extractor(self._normalise(prediction))
        return self.weight * pixel_loss(features, target_features, self.kind)
