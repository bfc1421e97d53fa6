"""Import a foreign checkpoint into the published layout (``ganzoo convert``).

Pickled checkpoints (``.pth``/``.pt``/``.bin``/``.ckpt``) are read with
``torch.load(weights_only=True)`` only, which refuses anything but tensors and plain
containers, so a malicious pickle cannot run code. Keys are then mapped to ours:

- the variant's ``config_from_checkpoint(state_dict, values)`` (see `ganzoo.GANModel`)
  first completes the ``--set`` values with what the checkpoint tells (user values win);
- the variant's ``convert_checkpoint(state_dict, config)`` receives what was loaded, as
  loaded, and returns our keys. Its default (`default_mapping`) expects our keys, after
  unwrapping one common container
  (``state_dict``, ``params_ema``, ``params``, ``model``) and a DataParallel ``module.``
  prefix; a whole model's state dict keeps only its networks' keys; a bare generator state
  dict is accepted for single-generator variants.

The result is checked strictly against the model (readable diff) and written with
`ganzoo.layout.save_pretrained`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import GanzooError

#: Containers other projects wrap their state dicts in; the first one found is used.
_CONTAINERS = ("state_dict", "params_ema", "params", "model", "generator")


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """A checkpoint's content: safetensors as is, pickles through ``weights_only=True``."""
    import warnings

    import torch

    path = Path(path)
    if not path.is_file():
        raise GanzooError(f"{path} does not exist; pass the checkpoint file to convert")
    if path.suffix == ".safetensors":
        from .layout import read_safetensors

        return read_safetensors(path)
    try:
        with warnings.catch_warnings():  # torch's notes on pickle protocols are not for users
            warnings.simplefilter("ignore")
            loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        from .pickle_scan import code_globals

        wanted = code_globals(path)
        if wanted:
            raise GanzooError(
                f"{path} wants to run code when loaded ({', '.join(wanted[:3])}"
                f"{' …' if len(wanted) > 3 else ''}), so it was refused and nothing in it ran; "
                f"only plain state dicts are converted — re-save just the tensors in the "
                f"project it came from (torch.save(model.state_dict(), path)), from a source "
                f"you trust") from None
        _refuse_unreadable(path, exc)
    if not isinstance(loaded, dict):
        raise GanzooError(f"{path} holds a {type(loaded).__name__}, not a state dict")
    return loaded


def _refuse_unreadable(path: Path, exc: Exception) -> None:
    """Raise the one-line error for a checkpoint the safe loader could not read."""
    import pickle

    reason = _unpickler_reason(str(exc))
    if isinstance(exc, pickle.UnpicklingError) and "global" in reason.lower():
        raise GanzooError(
            f"{path} holds more than tensors and plain containers, so it is refused "
            f"(torch.load weights_only=True: {reason}); re-save just the state dict in the "
            f"project it came from: torch.save(model.state_dict(), path)") from None
    raise GanzooError(f"{path} is not a readable PyTorch checkpoint ({reason}); check the "
                      f"file (truncated download?)") from None


def _unpickler_reason(message: str) -> str:
    """The useful sentence of torch's long weights_only error."""
    marker = "WeightsUnpickler error:"
    if marker in message:
        detail = " ".join(message.split(marker, 1)[1].split())
        reason = detail.split(". ")[0].rstrip(".") or "unsupported content"
    else:
        reason = message.strip().splitlines()[0] if message.strip() else "unreadable"
    # Never pass on torch's advice to retry with weights_only=False: that runs the payload.
    if "weights_only" in reason:
        return "content the safe loader does not accept"
    return reason


def default_mapping(checkpoint: dict[str, Any], model) -> dict[str, Any]:
    """Our keys for a checkpoint of a variant without its own ``convert_checkpoint``
    (``model``: the variant class or an instance; only its network names are read)."""
    import torch

    state = checkpoint
    if not _is_state(state):
        for key in _CONTAINERS:
            if isinstance(checkpoint.get(key), dict) and _is_state(checkpoint[key]):
                state = checkpoint[key]
                break
        else:
            keys = ", ".join(sorted(map(str, checkpoint))[:8])
            raise GanzooError(f"the checkpoint is not a state dict (top-level keys: {keys}); "
                              f"the variant needs a convert_checkpoint mapping for it")
    odd = [k for k in state if not isinstance(k, str)]
    if odd:
        raise GanzooError(f"the checkpoint's state dict has keys that are not names (e.g. "
                          f"{odd[0]!r}); re-save it with torch.save(model.state_dict(), path)")
    state = {k.removeprefix("module."): v for k, v in state.items()
             if isinstance(v, torch.Tensor)}
    prefixes = tuple(f"{n}." for n in (*model.generator_names, *model.discriminator_names))
    if any(k.startswith(prefixes) for k in state):
        # A whole model's state dict: keep the networks, drop training state (step counters,
        # loss-module buffers) that a published model does not carry.
        return {k: v for k, v in state.items() if k.startswith(prefixes)}
    if len(model.generator_names) == 1:
        # A bare generator state dict (``torch.save(G.state_dict())``), the common case.
        return {f"{model.generator_names[0]}.{k}": v for k, v in state.items()}
    return state


def _is_state(mapping: dict[str, Any]) -> bool:
    import torch

    return bool(mapping) and all(isinstance(v, torch.Tensor) for v in mapping.values())


def convert_checkpoint(checkpoint: str | os.PathLike, variant: str, out: str | os.PathLike, *,
                       values: dict[str, Any] | None = None, overwrite: bool = False,
                       card: dict[str, Any] | None = None) -> Path:
    """Convert ``checkpoint`` for ``variant`` (config ``values``) and write the folder ``out``.

    Returns the folder. Discriminator weights are written when the checkpoint has them.
    """
    from .building import build_model, variant_class
    from .layout import load_state, require_variant, save_pretrained

    require_variant(variant, where="--variant")
    loaded = read_checkpoint(checkpoint)
    # The checkpoint is read first so the variant can fill in config values it tells (e.g.
    # a reference CycleGAN file holds one generator); the user's --set values win.
    values = dict(values or {})
    _, cls = variant_class(variant)
    values = {**cls.config_from_checkpoint(loaded, dict(values)), **values}
    model = build_model(variant, values, where="--set")
    state = type(model).convert_checkpoint(loaded, model.config)
    load_state(model, state, where=str(checkpoint))
    discriminator_prefixes = tuple(f"{n}." for n in model.discriminator_names)
    has_discriminator = any(k.startswith(discriminator_prefixes) for k in state)
    card = {"summary": f"Converted from `{Path(checkpoint).name}` with `ganzoo convert`.",
            **(card or {})}
    created = not Path(out).exists()
    try:
        return save_pretrained(model.eval(), out, include_discriminator=has_discriminator,
                               card=card, overwrite=overwrite)
    except BaseException:
        if created:  # a failed write (disk full) leaves no empty folder behind
            try:
                Path(out).rmdir()
            except OSError:
                pass
        raise
