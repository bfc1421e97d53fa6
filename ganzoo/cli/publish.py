"""``ganzoo publish DIR --repo org/name``: check a model folder, upload it, print its pin."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import click

#: What gets uploaded: the layout plus card images. Anything else (checkpoints, pickles,
#: training logs) stays local.
UPLOAD_PATTERNS = ["config.json", "model.safetensors", "README.md", "*.png", "*.jpg"]
#: Only top-level files: fnmatch's ``*`` also matches ``/``, so ``*.png`` alone would upload
#: every ``samples/step_*.png`` preview.
IGNORE_PATTERNS = ["*/*"]
#: The shape of the Hub's license ids (lower-case SPDX ids, ``other``).
_LICENSE_ID = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")


def hub_api(endpoint: str | None = None):
    """The `huggingface_hub.HfApi` publish talks to (token from HF_TOKEN or `hf auth login`)."""
    from huggingface_hub import HfApi

    from ..hub import hub_endpoint

    return HfApi(endpoint=hub_endpoint(endpoint))


def check_folder(folder: Path) -> dict[str, Any]:
    """Validate a folder before upload: it loads, and its card says ``library_name: ganzoo``.

    Returns the facts the registry snippet needs.
    """
    from ..errors import GanzooError
    from ..hub import sha256_of
    from ..layout import CARD_FILE, WEIGHTS_FILE, load_pretrained_folder, read_config
    from ..model_card import read_front_matter

    if not folder.is_dir():
        raise GanzooError(f"{folder} is not a folder; pass the folder written by `ganzoo train` "
                          f"or `ganzoo convert`")
    config = read_config(folder)
    load_pretrained_folder(folder)  # builds the variant and checks every key and shape
    card_path = folder / CARD_FILE
    if not card_path.is_file():
        raise GanzooError(f"{folder} has no {CARD_FILE} model card; re-save it with "
                          f"ganzoo.layout.save_pretrained (or write one) before publishing")
    card = read_front_matter(card_path.read_text(encoding="utf-8"))
    if card.get("library_name") != "ganzoo":
        raise GanzooError(f"{card_path} lacks the front matter 'library_name: ganzoo'; "
                          f"regenerate the card with ganzoo.layout.save_pretrained")
    weights = folder / WEIGHTS_FILE
    files = sorted(p.name for p in folder.iterdir()
                   if p.is_file() and any(fnmatch.fnmatch(p.name, pat) for pat in UPLOAD_PATTERNS))
    return {"config": config, "card": card, "files": files, "sha256": sha256_of(weights),
            "config_sha256": sha256_of(folder / "config.json"), "size": weights.stat().st_size}


def card_with_license(folder: Path, license: str) -> str:
    """The folder's card text with its front matter's license set to ``license``."""
    from huggingface_hub import ModelCard

    from ..errors import GanzooError
    from ..layout import CARD_FILE

    if not _LICENSE_ID.match(license):
        raise GanzooError(f"--license {license!r}: give a Hub license id such as mit, "
                          f"apache-2.0, bsd-3-clause, cc-by-4.0 or other")
    card = ModelCard((folder / CARD_FILE).read_text(encoding="utf-8"))
    card.data.license = license
    return str(card)


def registry_snippet(repo: str, revision: str, facts: dict[str, Any]) -> str:
    """The ``registry.yaml`` entry pinning this upload, ready to paste."""
    import yaml

    config, card = facts["config"], facts["card"]
    entry = {
        "name": repo.split("/", 1)[1].lower(),
        "variant": config["variant"],
        "task": config.get("task"),
        "summary": f"{config['variant']} published from ganzoo",
        "weights": {"repo": repo, "revision": revision, "file": "model.safetensors",
                    "sha256": facts["sha256"], "config_sha256": facts["config_sha256"],
                    "size": facts["size"]},
        "license": card.get("license"),
    }
    if card.get("datasets"):
        entry["dataset"] = ", ".join(card["datasets"])
    return yaml.safe_dump([{k: v for k, v in entry.items() if v is not None}],
                          sort_keys=False).rstrip()


def publish_folder(folder: str | Path, repo: str, *, private: bool = False,
                   revision: str | None = None, message: str | None = None,
                   dry_run: bool = False, api=None, endpoint: str | None = None,
                   license: str | None = None, echo=click.echo) -> str | None:
    """Check ``folder`` and upload it to ``repo``; returns the commit id (None for a dry run).

    ``api`` is an `HfApi` (default `hub_api(endpoint)`, made after the checks); the calls made are exactly
    ``create_repo(repo, private=..., exist_ok=True)``, ``create_branch`` for a non-main
    ``revision``, and ``upload_folder(...)`` with `UPLOAD_PATTERNS`. ``license`` (a Hub
    license id) replaces the card's license field (the rest of the card is kept); a dry run
    shows the card as it would be uploaded and writes nothing.
    """
    from ..errors import GanzooError
    from ..registry import _REPO

    if not _REPO.match(repo):
        raise GanzooError(f"--repo must be a Hub repo id 'org/name', got {repo!r}")
    folder = Path(folder)
    facts = check_folder(folder)
    card_text = card_with_license(folder, license) if license else None
    if license:
        facts["card"]["license"] = license
    message = message or f"Upload {facts['config']['variant']} model with ganzoo"
    branch = revision or "main"
    upload = {"repo_id": repo, "folder_path": str(folder), "repo_type": "model",
              "revision": branch, "commit_message": message,
              "allow_patterns": list(UPLOAD_PATTERNS), "ignore_patterns": list(IGNORE_PATTERNS)}
    echo(f"{folder}: loads as variant '{facts['config']['variant']}', card ok; "
         f"model.safetensors sha256 {facts['sha256']} ({facts['size']} bytes)")
    echo(f"files: {', '.join(facts['files'])}")
    if not facts["card"].get("license"):
        echo("note: the card names no license; pass --license ID (e.g. mit, apache-2.0)")
    if dry_run:
        from ..layout import CARD_FILE

        echo(f"--- {CARD_FILE} (the model card, as it would be uploaded) ---")
        echo(card_text or (folder / CARD_FILE).read_text(encoding="utf-8"))
        echo(f"--- end of {CARD_FILE} ---")
        echo(f"dry run: would call create_repo({repo!r}, repo_type='model', "
             f"private={private}, exist_ok=True)")
        if branch != "main":
            echo(f"dry run: would call create_branch({repo!r}, branch={branch!r}, "
                 f"exist_ok=True)")
        echo("dry run: would call upload_folder(" +
             ", ".join(f"{k}={v!r}" for k, v in upload.items()) + ")")
        echo("registry entry (revision is the commit id the upload will print):")
        echo(registry_snippet(repo, "<commit id>", facts))
        return None
    if card_text is not None:
        from ..atomic_file import write_text_atomic
        from ..layout import CARD_FILE

        write_text_atomic(folder / CARD_FILE, card_text)
    from ..deadline import DeadlineExceeded, call_with_deadline, hub_timeout
    from ..hub import hub_endpoint, warn_if_token_sent_in_clear

    api = api if api is not None else hub_api(endpoint)
    warn_if_token_sent_in_clear(endpoint, None)
    seconds = hub_timeout()  # one overall deadline for the whole publish

    def calls():
        api.create_repo(repo, repo_type="model", private=private, exist_ok=True)
        if branch != "main":
            api.create_branch(repo, branch=branch, repo_type="model", exist_ok=True)
        return api.upload_folder(**upload)

    try:
        commit = call_with_deadline(calls, seconds=seconds, what=f"publishing to {repo}")
    except DeadlineExceeded:
        raise GanzooError(f"publishing to {repo} on {hub_endpoint(endpoint)} did not finish "
                          f"within {seconds:g} s; the Hub or mirror (HF_ENDPOINT) is stalling: "
                          f"retry, or raise GANZOO_HUB_TIMEOUT") from None
    except GanzooError:
        raise
    except Exception as exc:  # HTTP errors, auth: one line with the fix
        text = str(exc).strip().splitlines()
        raise GanzooError(f"publishing to {repo} failed ({type(exc).__name__}: "
                          f"{text[0] if text else ''}); check HF_TOKEN / `hf auth login` and "
                          f"that you may write to {repo.split('/')[0]}") from None
    echo(f"uploaded: {commit.commit_url}")
    echo(f"commit: {commit.oid}")
    echo("registry entry to paste into registry.yaml (models:):")
    echo(registry_snippet(repo, commit.oid, facts))
    return commit.oid


@click.command("publish")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--repo", required=True, help="Hub repo id to upload to, e.g. my-org/dcgan-digits.")
@click.option("--private", is_flag=True, help="Create the repo as private.")
@click.option("--revision", help="Branch to commit to (created if missing; default main).")
@click.option("--message", help="Commit message.")
@click.option("--dry-run", is_flag=True, help="Check the folder and show the Hub calls and "
              "the registry entry, without uploading.")
@click.option("--license", "license_", metavar="ID",
              help="Set the card's license (a Hub license id, e.g. mit); default: the one the "
                   "card already names, which ganzoo takes from the variant's plugin.")
@click.option("--endpoint", envvar="HF_ENDPOINT", help="Hub URL (default: HF_ENDPOINT, else "
              "huggingface.co).")
def command(folder: str, repo: str, private: bool, revision: str | None, message: str | None,
            dry_run: bool, endpoint: str | None, license_: str | None) -> None:
    """Publish a model FOLDER (config.json, model.safetensors, README.md) to the Hub.

    The folder is checked first: it must load (variant installed, every weight key and shape
    right) and carry a model card. Then the repo is created if needed (create_repo
    exist_ok=True) and the folder uploaded in one commit (upload_folder); --dry-run shows the
    card and the calls instead. Prints the commit
    URL and the registry.yaml entry (repo, revision, sha256) that pins it. Authenticate with
    HF_TOKEN or `hf auth login`.
    """
    publish_folder(folder, repo, private=private, revision=revision, message=message,
                   dry_run=dry_run, endpoint=endpoint, license=license_)
