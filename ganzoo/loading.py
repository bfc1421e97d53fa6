"""``ganzoo.load(source)``: turn a model source into files, verify them, build the model.

A source is one of:

- a local folder in the published layout (``config.json`` + ``model.safetensors``), or a
  ``.safetensors`` file inside such a folder;
- ``hf://org/name`` or ``hf://org/name@revision`` (a branch, tag or commit; default ``main``);
- a registry name or alias (``ganzoo list``).

Resolution order:

1. **local folder** — a source that names an existing folder or file is used as is; nothing
   is downloaded, nothing is pinned.
2. **cache** — for a registry entry, the files of its pinned revision already in the Hugging
   Face cache (``HF_HUB_CACHE``); works offline, no request is made.
3. **Hub** — ``hf_hub_download`` at the pinned revision (``HF_ENDPOINT``, tokens honoured).
4. **shipped** — ``weights.shipped: "package:relative/folder"``, a copy inside a plugin
   distribution, used when the cache and the Hub cannot provide the files (offline, unreachable,
   repo gone) or when the entry has no repo.

A registry entry's weights file (and its ``config.json``, when the entry pins
``config_sha256``) is checked against its pinned sha256 before a byte of it is read, whichever
of 2–4 provided it; a mismatch is refused (never "fixed" by falling back), and a file from the
Hugging Face cache that fails is removed from it, so the next run downloads it afresh. The
entry's ``variant`` must be the one ``config.json`` names.
``hf://`` sources are not pinned: they load whatever that revision holds. Only safetensors are
read; a pickle (``.bin``/``.pth``) source is refused with a pointer to ``ganzoo convert``.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import GanzooError
from .layout import CONFIG_FILE, PICKLE_SUFFIXES, WEIGHTS_FILE, require_weights

HF_SCHEME = "hf://"
#: Origins whose files live in the Hugging Face cache (evicted there when they fail a pin).
_HUB_CACHE_ORIGINS = ("cache", "hub")
_HF_SOURCE = re.compile(r"^hf://(?P<repo>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)"
                        r"(?:@(?P<revision>[\w./-]+))?$")


@dataclass
class Resolved:
    """Where a source's files are on disk, and how they got there.

    Attributes:
        config: path of ``config.json``.
        weights: path of the ``.safetensors`` file (sha256-verified for registry entries).
        origin: ``local``, ``cache``, ``hub`` or ``shipped``.
        description: the source in words, for messages.
        revision: the Hub commit the files come from (None for local and shipped files).
        overrides: config values the registry entry applies on top of ``config.json``.
        sha256: the pinned hash of ``weights`` (registry entries only).
        config_sha256: the pinned hash of ``config`` (registry entries that pin it).
        pinned_as: how messages name the pinned file.
        variant: the variant the registry entry says these files hold (None: unchecked).
    """

    config: Path
    weights: Path
    origin: str
    description: str
    revision: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    sha256: str | None = None
    config_sha256: str | None = None
    pinned_as: str = ""
    variant: str | None = None

    def verify(self) -> None:
        """Check config.json and the weights against the pins (no-op for unpinned sources)."""
        self.verify_config()
        self.verify_weights()

    def verify_config(self) -> None:
        """Check config.json against its pin; it decides what gets built, so it is checked
        before it is read. A file from the Hub cache that fails is evicted from the cache."""
        from .hub import verify_sha256

        if self.config_sha256:
            verify_sha256(self.config, self.config_sha256,
                          what=self.pinned_as.replace(self.weights.name, CONFIG_FILE),
                          in_hub_cache=self.origin in _HUB_CACHE_ORIGINS)

    def verify_weights(self) -> None:
        from .hub import verify_sha256

        if self.sha256:
            verify_sha256(self.weights, self.sha256, what=self.pinned_as,
                          in_hub_cache=self.origin in _HUB_CACHE_ORIGINS)

    def check_variant(self, config: dict[str, Any]) -> None:
        """The registry entry and config.json must name the same variant."""
        if self.variant is not None and config.get("variant") != self.variant:
            raise GanzooError(
                f"{self.pinned_as or self.description}: the registry entry says variant "
                f"'{self.variant}' but its {CONFIG_FILE} says {config.get('variant')!r}; fix the "
                f"entry's 'variant' or its pin")


def load(source: str | Path, device: Any = None, **options: Any):
    """Load a model from a registry name/alias, ``hf://org/name[@rev]`` or a local folder.

    Args:
        source: see the module docstring.
        device: where to put the model (default CPU).
        **options: ``endpoint``, ``cache_dir``, ``token``, ``local_files_only`` (Hub access).

    Returns:
        The variant's `ganzoo.GANModel`, in eval mode, with ``sample``/``translate``. It is
        built without the random initialisation its weights file overwrites anyway
        (`ganzoo.init_skipping`), so loading does not advance torch's global random state.
    """
    from .layout import build_from_config, load_state, read_config_file, read_safetensors

    resolved = resolve(source, verify=False, **options)
    resolved.verify_config()
    config = read_config_file(resolved.config)
    where = str(resolved.config)
    # The weights' sha256 check runs while the model is built (that needs only config.json),
    # so pinning costs little time; no byte of the weights is read before the check passes.
    with ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(resolved.verify_weights)
        try:
            resolved.check_variant(config)
            model, skipped = _build_without_random_init(config, where, resolved.overrides)
        except BaseException:
            check.result()  # a tampered file is the more important news
            raise
        check.result()
    tensors = read_safetensors(resolved.weights)
    load_state(model, tensors, where=str(resolved.weights))
    if skipped is not None and not skipped.replaced_by(_loaded_tensors(model, tensors)):
        # Something initialised at random is not in the file: build it the ordinary way.
        model = build_from_config(config, where=where, overrides=resolved.overrides)
        load_state(model, tensors, where=str(resolved.weights))
    if device is not None:
        model.to(device)
    return model.eval()


def _build_without_random_init(config: dict[str, Any], where: str, overrides: dict[str, Any]):
    """The model with its random fills skipped (`ganzoo.init_skipping`), and the record of
    them; ``(model, None)``, built the ordinary way, when its constructor cannot do without
    them."""
    from .init_skipping import SkippedRandomInit
    from .layout import build_from_config

    skipped = SkippedRandomInit()
    try:
        with skipped:
            return build_from_config(config, where=where, overrides=overrides), skipped
    except GanzooError:
        raise  # a bad config or a missing plugin: the ordinary build would say the same
    except Exception:  # e.g. a constructor computing on its uninitialised weights
        return build_from_config(config, where=where, overrides=overrides), None


def _loaded_tensors(model, tensors: dict[str, Any]):
    """The tensors of ``model`` that `load_state` just overwrote from ``tensors``."""
    for name in (*model.generator_names, *model.discriminator_names):
        if any(key.startswith(f"{name}.") for key in tensors):
            yield from getattr(model, name).state_dict().values()


def resolve(source: str | Path, *, endpoint: str | None = None, cache_dir: str | None = None,
            token: str | bool | None = None, local_files_only: bool = False,
            verify: bool = True, force: bool = False) -> Resolved:
    """Find (downloading if needed) and verify a source's files; see the module docstring.

    With ``verify=False`` the caller must call ``resolved.verify()`` before reading weights.
    ``force`` downloads Hub files again even when the cache holds them (``ganzoo pull --force``).
    """
    hub = {"endpoint": endpoint, "cache_dir": cache_dir, "token": token,
           "local_files_only": local_files_only, "force": force}
    text = str(source)
    local = _local_source(text)
    if local is not None:
        return local
    if text.startswith(HF_SCHEME):
        return _resolve_hf(text, **hub)
    from .plugins import get_catalog
    from .registry import load_registry

    entry = load_registry(get_catalog().pretrained_files).get(text)
    return resolve_entry(entry, verify=verify, **hub)


def _local_source(text: str) -> Resolved | None:
    """A local folder or file, or None when ``text`` is not a path that exists."""
    path = Path(text).expanduser()
    looks_like_path = any(sep in text for sep in ("/", "\\")) or text.startswith((".", "~"))
    if not path.exists():
        if looks_like_path and not text.startswith(HF_SCHEME):
            raise GanzooError(f"{text} does not exist; pass a model folder (config.json + "
                              f"{WEIGHTS_FILE}), hf://org/name, or a name from `ganzoo list`")
        return None
    if path.is_dir():
        if not (path / CONFIG_FILE).is_file() and not looks_like_path:
            return None  # a stray folder named like a registry entry: use the registry
        weights = require_weights(path)
        config = path / CONFIG_FILE
    elif path.suffix in PICKLE_SUFFIXES:
        raise GanzooError(f"{path} is a pickle checkpoint; ganzoo never loads pickles. Import it "
                          f"with `ganzoo convert {path} --variant NAME --out DIR`, then load DIR")
    elif path.suffix == ".safetensors":
        weights, config = path, path.parent / CONFIG_FILE
    else:
        raise GanzooError(f"{path} is neither a model folder nor a .safetensors file")
    if not config.is_file():
        raise GanzooError(f"{config.parent} has no {CONFIG_FILE}; a ganzoo model folder holds "
                          f"{CONFIG_FILE} + {WEIGHTS_FILE} (write one with `ganzoo convert`)")
    return Resolved(config, weights, "local", str(path))


def _resolve_hf(text: str, **hub: Any) -> Resolved:
    from .hub import download

    match = _HF_SOURCE.match(text)
    if not match:
        raise GanzooError(f"{text!r} is not a Hub source; write hf://org/name or "
                          f"hf://org/name@revision")
    repo, revision = match["repo"], match["revision"] or "main"
    config = download(repo, CONFIG_FILE, revision, **hub)
    # The snapshot folder is named by the commit: fetch the weights from that same commit,
    # even if the branch moves between the two downloads.
    commit = config.parent.name
    weights = download(repo, WEIGHTS_FILE, commit, **hub)
    # Not pinned, but the cache must not serve bytes the Hub never sent (a damaged blob).
    from .hub import verify_cached_blob

    verify_cached_blob(weights)
    return Resolved(config, weights, "hub", f"{repo}@{revision}", revision=commit)


def resolve_entry(entry, *, endpoint: str | None = None, cache_dir: str | None = None,
                  token: str | bool | None = None, local_files_only: bool = False,
                  verify: bool = True, force: bool = False) -> Resolved:
    """The verified files of a registry entry: cache, then Hub, then the shipped copy."""
    from .hub import HubUnavailableError

    pin = entry.weights
    found: Resolved | None = None
    hub_error: HubUnavailableError | None = None
    if pin.repo:
        found = None if force else _from_cache(entry, cache_dir)
        if found is None:
            try:
                found = _from_hub(entry, endpoint=endpoint, cache_dir=cache_dir, token=token,
                                  local_files_only=local_files_only, force=force)
            except HubUnavailableError as exc:
                if not pin.shipped:
                    raise
                hub_error = exc
    if found is None:
        found = _from_shipped(entry, hub_error)
    found.sha256 = pin.sha256
    found.config_sha256 = pin.config_sha256
    found.variant = entry.variant
    found.pinned_as = f"'{entry.name}' ({found.description}, {pin.file})"
    found.overrides = dict(entry.config)
    if verify:
        found.verify()
    return found


def _from_cache(entry, cache_dir: str | None) -> Resolved | None:
    from .hub import cached_file

    pin = entry.weights
    config = cached_file(pin.repo, CONFIG_FILE, pin.revision, cache_dir)
    weights = cached_file(pin.repo, pin.file, pin.revision, cache_dir)
    if config and weights:
        return Resolved(Path(config), Path(weights), "cache", f"{pin.repo}@{pin.revision}",
                        revision=pin.revision)
    return None


def _from_hub(entry, **hub: Any) -> Resolved:
    from .hub import download

    pin = entry.weights
    config = download(pin.repo, CONFIG_FILE, pin.revision, **hub)
    weights = download(pin.repo, pin.file, pin.revision, **hub)
    return Resolved(config, weights, "hub", f"{pin.repo}@{pin.revision}", revision=pin.revision)


def _from_shipped(entry, hub_error: Exception | None) -> Resolved:
    """The copy inside a plugin distribution, ``package:relative/folder``."""
    import importlib.resources

    package, _, relative = entry.weights.shipped.partition(":")
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        reason = f" (and the Hub failed: {hub_error})" if hub_error else ""
        raise GanzooError(f"'{entry.name}' ships its weights in package {package}, which is not "
                          f"installed{reason}; pip install the plugin that provides variant "
                          f"'{entry.variant}'") from None
    folder = Path(str(root / relative))
    config, weights = folder / CONFIG_FILE, folder / entry.weights.file
    if not (config.is_file() and weights.is_file()):
        raise GanzooError(f"'{entry.name}': shipped folder {folder} lacks {CONFIG_FILE} or "
                          f"{entry.weights.file}; reinstall the plugin that ships it")
    return Resolved(config, weights, "shipped", f"shipped in {package}")
