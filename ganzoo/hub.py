"""Files on the Hugging Face Hub: download through the real cache, verify, explain failures.

Everything goes through ``huggingface_hub.hf_hub_download``, so its cache, tokens and
``HF_ENDPOINT`` apply. ``HF_ENDPOINT``, ``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE`` are also read
when a download is asked for (not only when huggingface_hub was imported), so setting them in a
running process works too.

Every download has an overall deadline (``GANZOO_HUB_TIMEOUT``, `ganzoo.deadline`): a
stalling mirror, a connection dropped mid-file or a server error all count as "the Hub is
unavailable", which lets a registry entry fall back to its shipped copy. A file that fails
its pinned sha256 is evicted from the cache (`verify_sha256`), so bad bytes are never re-linked.

Every failure becomes one `GanzooError` line that says what to do. Importing this module must
stay cheap and torch-free: ``ganzoo list`` calls `weights_status`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sys
from pathlib import Path

from .errors import GanzooError
from .registry import ModelEntry

_TRUE = ("1", "true", "yes", "on")
_HASH_CHUNK = 1 << 22  # 4 MiB reads keep hashing fast without holding the file in memory


class HubUnavailableError(GanzooError):
    """The Hub (or mirror) cannot provide a file: offline, unreachable, or not there."""


class IntegrityError(GanzooError):
    """A file's sha256 is not the one pinned for it; it is never used."""


def hub_cache_dir() -> str | None:
    """``HF_HUB_CACHE`` as set now (None: huggingface_hub's own default)."""
    return os.environ.get("HF_HUB_CACHE") or None


def hub_endpoint(endpoint: str | None = None) -> str:
    """The endpoint to talk to: the argument, else ``HF_ENDPOINT`` as set now, else the Hub."""
    if endpoint:
        return endpoint.rstrip("/")
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def is_offline() -> bool:
    """``HF_HUB_OFFLINE`` as set now; if unset, as huggingface_hub read it at import."""
    if "HF_HUB_OFFLINE" in os.environ:
        return os.environ["HF_HUB_OFFLINE"].strip().lower() in _TRUE
    from huggingface_hub import constants

    return constants.is_offline_mode()


def cached_file(repo: str, filename: str, revision: str | None,
                cache_dir: str | None = None) -> str | None:
    """Path of ``filename`` of ``repo`` at ``revision`` in the local Hub cache, or None."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo, filename, revision=revision,
                                   cache_dir=cache_dir or hub_cache_dir())
    return found if isinstance(found, str) else None


def cached_weights(entry: ModelEntry) -> str | None:
    """Path of the entry's weights file in the local Hub cache at its pinned revision, or None."""
    if not entry.weights.repo:
        return None
    return cached_file(entry.weights.repo, entry.weights.file, entry.weights.revision)


def weights_status(entry: ModelEntry) -> str:
    """``cached`` (in the Hub cache), ``shipped`` (inside a plugin), or ``hub`` (to download)."""
    if cached_weights(entry):
        return "cached"
    if entry.weights.shipped:
        return "shipped"
    return "hub"


def download(repo: str, filename: str, revision: str | None = None, *,
             endpoint: str | None = None, cache_dir: str | None = None,
             token: str | bool | None = None, local_files_only: bool = False,
             force: bool = False) -> Path:
    """Fetch one file through the Hub cache and return its local path.

    Raises `HubUnavailableError` with a one-line message naming the fix when the file cannot
    be had: offline with an empty cache, server unreachable, stalled past the overall deadline
    (``GANZOO_HUB_TIMEOUT``), dropped mid-file, a server error, missing repo, revision or file.
    ``force`` downloads again even if the cache holds the file.
    """
    from .deadline import DeadlineExceeded, call_with_deadline, hub_timeout

    warn_if_token_sent_in_clear(endpoint, token)
    seconds = hub_timeout()
    try:
        return call_with_deadline(
            _download_unbounded, repo, filename, revision, endpoint=endpoint,
            cache_dir=cache_dir, token=token, local_files_only=local_files_only, force=force,
            seconds=seconds, what=f"downloading {filename} of {repo}")
    except DeadlineExceeded:
        raise HubUnavailableError(
            f"downloading {filename} of {repo}@{revision or 'main'} from "
            f"{hub_endpoint(endpoint)} did not finish within {seconds:g} s; the Hub or mirror "
            f"(HF_ENDPOINT) is stalling: retry, set HF_ENDPOINT to another mirror, or raise "
            f"GANZOO_HUB_TIMEOUT") from None


def _download_unbounded(repo: str, filename: str, revision: str | None, *,
                        endpoint: str | None, cache_dir: str | None, token: str | bool | None,
                        local_files_only: bool, force: bool) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    revision = revision or "main"
    offline = local_files_only or is_offline()
    where = f"{repo}@{revision}"
    try:
        path = hf_hub_download(repo, filename, revision=revision,
                               endpoint=hub_endpoint(endpoint),
                               cache_dir=cache_dir or hub_cache_dir(), token=token,
                               local_files_only=offline, force_download=force and not offline,
                               library_name="ganzoo")
    except LocalEntryNotFoundError:
        if offline:
            raise HubUnavailableError(
                f"{filename} of {where} is not in the local Hugging Face cache and "
                f"HF_HUB_OFFLINE is set; connect and unset HF_HUB_OFFLINE, set HF_ENDPOINT to "
                f"a reachable mirror, or pass a local model folder") from None
        raise _diagnose(repo, filename, revision, endpoint, token) from None
    except EntryNotFoundError:
        raise _missing_file(repo, filename, revision,
                            _list_files(repo, revision, endpoint, token)) from None
    except RevisionNotFoundError:
        raise _missing_revision(repo, revision) from None
    except RepositoryNotFoundError:
        raise _diagnose(repo, filename, revision, endpoint, token) from None
    except HfHubHTTPError as exc:
        raise HubUnavailableError(f"downloading {filename} of {where} from "
                                  f"{hub_endpoint(endpoint)} failed ({_first_line(exc)}); "
                                  f"retry, or set HF_ENDPOINT to a mirror") from None
    except _transport_errors() as exc:  # dropped mid-file, read timeout, protocol errors
        raise _unreachable(repo, filename, revision, endpoint, exc) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise HubUnavailableError(
                f"no space left (or a size limit) on the device holding the Hugging Face cache "
                f"({cache_dir or hub_cache_dir() or 'HF_HUB_CACHE default'}) while downloading "
                f"{filename} of {where}; free space or point HF_HUB_CACHE elsewhere") from None
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise HubUnavailableError(
                f"cannot write the Hugging Face cache "
                f"({cache_dir or hub_cache_dir() or 'HF_HUB_CACHE default'}: "
                f"{exc.strerror or 'permission denied'}) while downloading {filename} of "
                f"{where}; point HF_HUB_CACHE (or HF_HOME) at a folder you can write to") from None
        # connection refused, DNS ...
        raise _unreachable(repo, filename, revision, endpoint, exc) from None
    return Path(path)


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The HTTP client's transport exceptions (huggingface_hub 1.x uses httpx, 2.x httpx2)."""
    import importlib

    found = []
    for name in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(name).HTTPError)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


_warned_clear_token = False


def warn_if_token_sent_in_clear(endpoint: str | None, token: str | bool | None) -> None:
    """One warning line when a Hub token would travel unencrypted to an http:// endpoint.

    huggingface_hub sends the token as a Bearer header to whatever ``HF_ENDPOINT`` names.
    """
    global _warned_clear_token
    url = hub_endpoint(endpoint)
    if _warned_clear_token or not url.lower().startswith("http://") or token is False:
        return
    if not isinstance(token, str):
        from huggingface_hub import get_token

        token = get_token()
    if token:
        _warned_clear_token = True
        print(f"ganzoo: warning: your Hugging Face token is sent unencrypted to {url} (plain "
              f"http); use an https:// HF_ENDPOINT or unset HF_TOKEN for this mirror",
              file=sys.stderr)


def _diagnose(repo: str, filename: str, revision: str, endpoint: str | None,
              token: str | bool | None) -> HubUnavailableError:
    """Work out which of repo / revision / file is missing, with cheap metadata calls.

    Some servers (and the Hub for private repos) answer every miss the same way, so the
    download error alone cannot tell a missing file from a missing repo.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError

    api = HfApi(endpoint=hub_endpoint(endpoint), token=token)
    try:
        info = api.model_info(repo, revision=revision)
    except Exception:  # missing repo or revision, or a server error on an unknown revision
        info = None
    if info is not None:
        files = sorted(s.rfilename for s in info.siblings or [])
        if filename not in files:
            return _missing_file(repo, filename, revision, files)
        return HubUnavailableError(f"{filename} of {repo}@{revision} is listed but could not be "
                                   f"downloaded from {hub_endpoint(endpoint)}; retry later")
    try:
        _model_info_retrying_once(api, repo, "main")
    except RepositoryNotFoundError:
        return HubUnavailableError(
            f"repository {repo} not found on {hub_endpoint(endpoint)} (or it is private: log in "
            f"with `hf auth login` or set HF_TOKEN); check the name")
    except Exception as exc:  # connection refused, timeouts, server errors
        return _unreachable(repo, filename, revision, endpoint, exc)
    return _missing_revision(repo, revision)


def _model_info_retrying_once(api, repo: str, revision: str):
    """``api.model_info``, retried once on a dropped connection.

    A server may close a kept-alive connection after answering an error; the next request on
    it then fails with a reset although the server is fine.
    """
    from huggingface_hub.errors import HfHubHTTPError

    try:
        return api.model_info(repo, revision=revision)
    except HfHubHTTPError:
        raise
    except Exception:  # transport-level: try once more on a fresh connection
        return api.model_info(repo, revision=revision)


def _list_files(repo: str, revision: str, endpoint: str | None,
                token: str | bool | None) -> list[str] | None:
    """The repo's files at ``revision`` (for messages), or None if that cannot be had."""
    from huggingface_hub import HfApi

    try:
        info = HfApi(endpoint=hub_endpoint(endpoint), token=token).model_info(
            repo, revision=revision)
    except Exception:  # only used to improve a message
        return None
    return sorted(s.rfilename for s in info.siblings or [])


def _unreachable(repo, filename, revision, endpoint, exc) -> HubUnavailableError:
    return HubUnavailableError(
        f"cannot download {filename} of {repo}@{revision} from {hub_endpoint(endpoint)} "
        f"({_first_line(exc)}); connect, set HF_ENDPOINT to a reachable mirror, or pass a local "
        f"model folder")


def _missing_file(repo: str, filename: str, revision: str,
                  files: list[str] | None = None) -> HubUnavailableError:
    listing = f" (it has: {', '.join(files)})" if files else ""
    if any(f.endswith((".bin", ".pth", ".pt", ".ckpt", ".pkl")) for f in files or []):
        return HubUnavailableError(
            f"{repo}@{revision} has no file {filename}{listing}; pickles are never loaded: "
            f"download the checkpoint and import it with `ganzoo convert CKPT --variant NAME "
            f"--out DIR`")
    return HubUnavailableError(f"{repo}@{revision} has no file {filename}{listing}; check the "
                               f"registry entry's weights.file or publish the file")


def _missing_revision(repo: str, revision: str) -> HubUnavailableError:
    return HubUnavailableError(f"revision {revision} not found in {repo}; check the registry "
                               f"entry's weights.revision (a commit of that repo)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in chunks."""
    with open(path, "rb") as handle:
        if hasattr(hashlib, "file_digest"):  # Python 3.11+: reads into one buffer, ~30% faster
            return hashlib.file_digest(handle, "sha256").hexdigest()
        digest = hashlib.sha256()
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: str | os.PathLike, expected: str, *, what: str,
                  in_hub_cache: bool = False) -> None:
    """Raise `IntegrityError` (naming both hashes) unless ``path`` hashes to ``expected``.

    With ``in_hub_cache`` a file that fails is removed from the Hugging Face cache first (the
    snapshot link and the blob it points at), so no later run re-links the bad bytes and the
    next run downloads the file afresh.
    """
    actual = sha256_of(path)
    if actual == expected.lower():
        return
    if in_hub_cache:
        evict_from_cache(path)
        raise IntegrityError(
            f"sha256 mismatch for {what}: expected {expected}, got {actual}; refusing to load "
            f"it and removed it from the Hugging Face cache, so the next run downloads it "
            f"again — if the mirror (HF_ENDPOINT) keeps serving these bytes, fix the mirror "
            f"or the registry pin")
    raise IntegrityError(
        f"sha256 mismatch for {what}: expected {expected}, got {actual} ({path}); refusing "
        f"to load it — reinstall the package that ships it, or fix the registry pin")


def verify_cached_blob(path: str | os.PathLike) -> None:
    """For unpinned (``hf://``) files: a cache blob named by a sha256 (how the Hub names large
    files) must hash to its name; one that does not is evicted and refused."""
    link = Path(path)
    if not link.is_symlink():
        return
    blob = link.resolve()
    if len(blob.name) != 64 or not all(c in "0123456789abcdef" for c in blob.name):
        return  # small files are named by their git hash, which is not a sha256
    actual = sha256_of(blob)
    if actual != blob.name:
        evict_from_cache(link)
        raise IntegrityError(
            f"the cached {link.name} is damaged (sha256 {actual}, the Hub named it {blob.name}); "
            f"removed it from the Hugging Face cache, so the next run downloads it again")


def evict_from_cache(path: str | os.PathLike) -> None:
    """Remove a cached file: the snapshot symlink and the blob behind it."""
    link = Path(path)
    blob = link.resolve() if link.is_symlink() else None
    link.unlink(missing_ok=True)
    if blob is not None:
        blob.unlink(missing_ok=True)
