"""BasicSR MSRResNet checkpoints → ganzoo keys (what ``ganzoo convert … --variant srresnet`` uses).

BasicSR saves ``{"params": state_dict}`` (sometimes also ``params_ema``). Its MSRResNet names
(``basicsr/archs/srresnet_arch.py``) map one to one onto our `SRResNetGenerator` with
``arch="msrresnet"``:

====================  ===========================
BasicSR               ganzoo
====================  ===========================
conv_first.*          generator.head.*
body.{i}.conv1.*      generator.blocks.{i}.conv1.*
body.{i}.conv2.*      generator.blocks.{i}.conv2.*
upconv1.*             generator.upsample.0.conv.*
upconv2.* (x4 only)   generator.upsample.1.conv.*
conv_hr.*             generator.hr_conv.*
conv_last.*           generator.tail.*
====================  ===========================

The checkpoint's shape decides blocks, features, channels and scale; when they disagree with the config
the error names the ``--set`` that fixes it, instead of failing later on a shape mismatch.
"""

from __future__ import annotations

import re
from typing import Any

from ganzoo.errors import GanzooError

_RENAMES = (
    (re.compile(r"^conv_first\.(weight|bias)$"), r"head.\1"),
    (re.compile(r"^body\.(\d+)\.(conv[12])\.(weight|bias)$"), r"blocks.\1.\2.\3"),
    (re.compile(r"^upconv1\.(weight|bias)$"), r"upsample.0.conv.\1"),
    (re.compile(r"^upconv2\.(weight|bias)$"), r"upsample.1.conv.\1"),
    (re.compile(r"^conv_hr\.(weight|bias)$"), r"hr_conv.\1"),
    (re.compile(r"^conv_last\.(weight|bias)$"), r"tail.\1"),
)


def unwrap(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The tensors of a BasicSR checkpoint: inside ``params`` (or ``params_ema``), with any
    DataParallel ``module.`` prefix removed."""
    for key in ("params", "params_ema"):
        if isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    return {(k[len("module."):] if k.startswith("module.") else k): v
            for k, v in checkpoint.items()}


def describe(state: dict[str, Any]) -> dict[str, int]:
    """Architecture values read off an unwrapped MSRResNet state dict."""
    if "conv_first.weight" not in state or "conv_last.weight" not in state:
        raise GanzooError("not a BasicSR MSRResNet checkpoint (no conv_first/conv_last "
                          "weights); pass a checkpoint of basicsr.archs.srresnet_arch.MSRResNet")
    features, channels = state["conv_first.weight"].shape[:2]
    blocks = len({int(m.group(1)) for k in state
                  if (m := re.match(r"^body\.(\d+)\.", k))})
    if "upconv2.weight" in state:
        scale = 4
    else:
        scale = round((state["upconv1.weight"].shape[0] / features) ** 0.5)
    return {"features": int(features), "channels": int(channels),
            "blocks": blocks, "scale": int(scale)}


def convert_msrresnet(checkpoint: dict[str, Any], config: Any) -> dict[str, Any]:
    """Map a BasicSR MSRResNet checkpoint to ``generator.*`` keys, checking it fits ``config``."""
    state = unwrap(checkpoint)
    found = describe(state)
    if getattr(config, "arch", None) != "msrresnet":
        raise GanzooError("this is a BasicSR MSRResNet checkpoint (no BatchNorm, LeakyReLU); "
                          "convert it with --set arch=msrresnet")
    wrong = [f"{key}={value}" for key, value in found.items() if getattr(config, key) != value]
    if wrong:
        raise GanzooError(f"the checkpoint's architecture differs from the config; add "
                          f"{' '.join('--set ' + w for w in wrong)}")
    out, unknown = {}, []
    for key, tensor in state.items():
        for pattern, replacement in _RENAMES:
            if pattern.match(key):
                out["generator." + pattern.sub(replacement, key)] = tensor
                break
        else:
            unknown.append(key)
    if unknown:
        raise GanzooError(f"unexpected keys in the MSRResNet checkpoint: "
                          f"{', '.join(unknown[:5])}; is it a different BasicSR architecture?")
    return out
