"""The published-model layout: one folder (or Hub repo) that fully describes a model.

::

    folder/
      config.json         {"ganzoo_version", "variant", "task", "plugin": {"name", "version"},
                           "config": {...variant Config...}, "preprocessing": {...}}
      model.safetensors   the networks' state dicts, keys prefixed by the network's attribute
                          name: ``generator.*`` (required), ``discriminator.*`` (optional)
      README.md           model card with YAML front matter (see `ganzoo.model_card`)

Training output, ``ganzoo publish``, ``ganzoo convert`` and ``ganzoo.load`` all go through this
module, so a folder written by one is read by all the others. Only safetensors are ever read
here: nothing is unpickled.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .atomic_file import write_atomic
from .errors import GanzooError
from .key_diff import describe_key_mismatch, dtype_kind

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CARD_FILE = "README.md"
#: Written into the safetensors header so a stray file says what it is.
FORMAT_NAME = "ganzoo"
#: Pickle-based checkpoint suffixes: never loaded, only imported by `ganzoo convert`.
PICKLE_SUFFIXES = (".bin", ".pth", ".pt", ".ckpt", ".pkl")
_REQUIRED_CONFIG_KEYS = ("variant", "config")


class WeightsMismatchError(GanzooError):
    """A weights file does not fit the model its config.json describes."""


def save_pretrained(model, folder: str | os.PathLike, *, include_discriminator: bool = True,
                    card: dict[str, Any] | None = None, overwrite: bool = False) -> Path:
    """Write ``model`` to ``folder`` in the published layout and return the folder.

    Args:
        model: a `ganzoo.GANModel` built by `ganzoo.building.build_model` (so it knows its
            variant and plugin).
        folder: created if missing.
        include_discriminator: also save the networks in ``model.discriminator_names``
            (needed to fine-tune; not needed to sample).
        card: extra model-card fields (see `ganzoo.model_card.render_model_card`).
        overwrite: replace existing files; without it existing files are an error.
    """
    folder = Path(folder)
    existing = [name for name in (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE) if (folder / name).exists()]
    if existing and not overwrite:
        raise GanzooError(f"{folder} already holds {', '.join(existing)}; pass --force "
                          f"(overwrite=True) to replace them, or choose another folder")
    folder.mkdir(parents=True, exist_ok=True)
    config = model_config(model)
    tensors = network_state(model, include_discriminator=include_discriminator)
    metadata = {"format": "pt", "library": FORMAT_NAME, "variant": config["variant"],
                "ganzoo_version": config["ganzoo_version"],
                "networks": ",".join(sorted({k.split(".", 1)[0] for k in tensors}))}
    card = dict(card or {})
    card.setdefault("weights_description", "networks " + metadata["networks"].replace(",", ", "))

    from safetensors.torch import save_file

    from .model_card import render_model_card

    write_atomic(folder / WEIGHTS_FILE, lambda path: save_file(tensors, str(path), metadata))
    write_atomic(folder / CONFIG_FILE, lambda path: path.write_text(
        json.dumps(config, indent=2) + "\n", encoding="utf-8"))
    card_text = render_model_card(config, card, model)
    write_atomic(folder / CARD_FILE, lambda path: path.write_text(card_text, encoding="utf-8"))
    return folder


def model_config(model) -> dict[str, Any]:
    """The ``config.json`` content describing ``model``."""
    from . import __version__
    from .config import config_to_dict

    registered = model.variant or _find_registration(type(model))
    return {
        "ganzoo_version": __version__,
        "variant": registered.name,
        "task": model.task,  # the instance's: a gan trained on images is not a toy model
        "plugin": {"name": registered.plugin, "version": registered.plugin_version},
        "config": config_to_dict(model.config),
        "preprocessing": model.preprocessing(),
    }


def _find_registration(cls: type):
    """The catalog entry whose target is ``cls`` (for models built without `build_model`)."""
    from .plugins import get_catalog

    target = f"{cls.__module__}:{cls.__qualname__}"
    for registered in get_catalog().find("variant"):
        if registered.target == target:
            return registered
    raise GanzooError(f"{cls.__name__} is not a registered variant ({target}); build it with "
                      f"ganzoo.building.build_model(name) so it can be saved")


def network_state(model, *, include_discriminator: bool = True) -> dict[str, Any]:
    """The tensors saved for ``model``: each named network's persistent state, prefixed.

    Tensors are detached, moved to the CPU and made contiguous; a tensor sharing storage with
    one already taken is cloned, because safetensors stores each tensor once.
    """
    names = list(model.generator_names)
    if include_discriminator:
        names += list(model.discriminator_names)
    tensors: dict[str, Any] = {}
    seen_storage: set[int] = set()
    for name in names:
        network = getattr(model, name, None)
        if network is None:
            raise GanzooError(f"{type(model).__name__} has no network '{name}' although it lists "
                              f"it in generator_names/discriminator_names; fix the variant")
        for key, tensor in network.state_dict(prefix=f"{name}.").items():
            tensor = tensor.detach().cpu().contiguous()
            pointer = tensor.untyped_storage().data_ptr()
            if pointer in seen_storage:
                tensor = tensor.clone()
            seen_storage.add(tensor.untyped_storage().data_ptr())
            tensors[key] = tensor
    return tensors


def read_config(folder: str | os.PathLike) -> dict[str, Any]:
    """Read and check ``folder/config.json``."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise GanzooError(f"{folder} has no {CONFIG_FILE}; a ganzoo model folder holds "
                          f"{CONFIG_FILE} + {WEIGHTS_FILE} (write one with `ganzoo convert` "
                          f"or `ganzoo train`)")
    return read_config_file(path)


def read_config_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a ``config.json`` wherever it lies (a folder, the Hub cache)."""
    path = Path(path)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # ValueError also covers integers longer than Python's 4300-digit limit;
        # RecursionError, nesting thousands of levels deep.
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise GanzooError(f"{path} is not valid JSON ({detail}); re-download or re-export the "
                          f"model") from None
    if not isinstance(config, dict):
        raise GanzooError(f"{path} must hold a JSON object; re-download or re-export the model")
    missing = [k for k in _REQUIRED_CONFIG_KEYS if k not in config]
    if missing:
        raise GanzooError(f"{path} lacks {', '.join(missing)}; it was not written by ganzoo "
                          f"(convert the weights with `ganzoo convert`)")
    if not isinstance(config["config"], dict) or not isinstance(config["variant"], str):
        raise GanzooError(f"{path}: 'variant' must be a name and 'config' a mapping")
    return config


def build_from_config(config: dict[str, Any], *, where: str = CONFIG_FILE,
                      overrides: dict[str, Any] | None = None):
    """Build the (untrained) model a ``config.json`` describes, naming the plugin if missing."""
    from .building import build_model

    require_variant(config["variant"], where=where)
    values = {**config["config"], **(overrides or {})}
    return build_model(config["variant"], values, where=where)


def require_variant(name: str, *, where: str = CONFIG_FILE) -> None:
    """Raise an error naming the distribution to ``pip install`` if variant ``name`` is absent."""
    from .plugins import get_catalog

    catalog = get_catalog()
    if name in catalog.items["variant"] or ("variant", name) in catalog.conflicts:
        return  # present (a conflict raises its own message when built)
    from .registry import load_registry

    plugin = load_registry(catalog.pretrained_files).plugins.get(name)
    hint = (f"pip install {plugin}" if plugin else
            "install the plugin that provides it (see `ganzoo plugins`)")
    raise GanzooError(f"{where} names variant '{name}', which is not installed; {hint}")


def load_pretrained_folder(folder: str | os.PathLike, device: Any = None, *,
                           overrides: dict[str, Any] | None = None):
    """Build the model ``folder/config.json`` describes and load ``folder/model.safetensors``.

    The key check is strict for the generators; the discriminators are loaded when the file
    holds them and left freshly initialised when it holds none of their keys. Returns the
    model in eval mode on ``device`` (CPU by default).
    """
    folder = Path(folder)
    config = read_config(folder)
    weights = require_weights(folder)
    return load_pretrained(config, weights, device=device, overrides=overrides,
                           where=str(folder / CONFIG_FILE))


def require_weights(folder: Path) -> Path:
    """``folder/model.safetensors``; the error names any pickles there and how to convert them."""
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        pickles = sorted(p.name for p in folder.glob("*") if p.suffix in PICKLE_SUFFIXES)
        hint = (f" (found {', '.join(pickles)}: pickles are never loaded; convert with "
                f"`ganzoo convert CKPT --variant NAME --out DIR`)" if pickles else "")
        raise GanzooError(f"{folder} has no {WEIGHTS_FILE}{hint}")
    return weights


def load_pretrained(config: dict[str, Any], weights: str | os.PathLike, *, device: Any = None,
                    overrides: dict[str, Any] | None = None, where: str = CONFIG_FILE):
    """Build the model ``config`` (a config.json's content) describes and load ``weights``."""
    model = build_from_config(config, where=where, overrides=overrides)
    load_weights(model, weights)
    if device is not None:
        model.to(device)
    return model.eval()


def read_safetensors(path: str | os.PathLike) -> dict[str, Any]:
    """All tensors of a safetensors file on the CPU; a damaged file is a one-line error."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise GanzooError(f"{path} is truncated or not a safetensors file ({exc}); delete it "
                          f"and download or export it again") from None


def load_weights(model, path: str | os.PathLike) -> None:
    """Load ``path`` into ``model``'s networks with a strict, readable key check."""
    load_state(model, read_safetensors(path), where=str(path))


def load_state(model, tensors: dict[str, Any], *, where: str) -> None:
    """Load prefixed tensors (``generator.*`` ...) into ``model``'s networks, strictly."""
    check_state(model, tensors, where=where)
    for name in (*model.generator_names, *model.discriminator_names):
        prefix = f"{name}."
        part = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        if part:
            getattr(model, name).load_state_dict(part, strict=True)


def check_state(model, tensors: dict[str, Any], *, where: str) -> None:
    """Compare a state dict with ``model``'s networks; raise one line listing the differences."""
    expected: dict[str, tuple[int, ...]] = {}
    kinds: dict[str, str] = {}
    optional_prefixes = tuple(f"{n}." for n in model.discriminator_names)
    has_discriminator = any(k.startswith(optional_prefixes) for k in tensors)
    names = list(model.generator_names) + (list(model.discriminator_names)
                                           if has_discriminator else [])
    for name in names:
        for key, tensor in getattr(model, name).state_dict(prefix=f"{name}.").items():
            expected[key] = tuple(tensor.shape)
            kinds[key] = dtype_kind(tensor.dtype)
    problems = describe_key_mismatch(expected, tensors, kinds)
    if problems:
        variant = model.variant.name if model.variant is not None else type(model).__name__
        raise WeightsMismatchError(
            f"{where} does not match variant '{variant}' as configured: {problems}; "
            f"check config.json against the weights, or convert them with `ganzoo convert`")


