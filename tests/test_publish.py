"""``ganzoo publish``: folder checks, dry run, and the exact HfApi calls.

No writable Hub runs on loopback, so the HfApi used here is a small recording subclass: it
records every call and, for ``upload_folder``, commits the uploaded files into the loopback
olah server's git repo. The printed registry entry is then loaded through the real download
path, which proves the pin (revision + sha256) is right.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
import torch
import yaml
from click.testing import CliRunner
from huggingface_hub import HfApi
from huggingface_hub.hf_api import CommitInfo, RepoUrl
from hub_server import unique_repo

import ganzoo
import ganzoo.cli.publish as publish
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.layout import save_pretrained

_add_core_commands()


class RecordingApi(HfApi):
    """An HfApi whose write calls are recorded and land in a loopback olah repo."""

    def __init__(self, server):
        super().__init__(endpoint=server.endpoint)
        self.server = server
        self.calls: list[tuple[str, tuple, dict]] = []

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", (repo_id,), kwargs))
        return RepoUrl(f"{self.endpoint}/{repo_id}", endpoint=self.endpoint)

    def create_branch(self, repo_id, **kwargs):
        self.calls.append(("create_branch", (repo_id,), kwargs))

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", (), kwargs))
        files = {p.name: p.read_bytes() for p in Path(kwargs["folder_path"]).iterdir()
                 if any(fnmatch.fnmatch(p.name, pat) for pat in kwargs["allow_patterns"])}
        oid = self.server.publish(kwargs["repo_id"], files, kwargs["commit_message"])
        return CommitInfo(commit_url=f"{self.endpoint}/{kwargs['repo_id']}/commit/{oid}",
                          commit_message=kwargs["commit_message"], commit_description="",
                          oid=oid, _endpoint=self.endpoint)


@pytest.fixture
def model_folder(tiny_variant, tmp_path):
    torch.manual_seed(0)
    folder = save_pretrained(build_model("tiny"), tmp_path / "model",
                             card={"license": "mit", "datasets": "grid25"})
    (folder / "samples.png").write_bytes(b"\x89PNG fake but uploaded")
    (folder / "checkpoint.pt").write_bytes(b"never uploaded")
    return folder


def test_upload_patterns_keep_previews_and_checkpoints_local():
    from huggingface_hub.utils import filter_repo_objects

    files = ["config.json", "model.safetensors", "README.md", "samples.png", "losses.png",
             "samples/step_0000100.png", "checkpoints/last.safetensors", "metrics.jsonl"]
    kept = filter_repo_objects(files, allow_patterns=publish.UPLOAD_PATTERNS,
                               ignore_patterns=publish.IGNORE_PATTERNS)
    assert sorted(kept) == ["README.md", "config.json", "losses.png", "model.safetensors",
                            "samples.png"]


def test_dry_run_checks_and_shows_the_calls(model_folder, monkeypatch):
    monkeypatch.setattr(publish, "hub_api", lambda endpoint=None: pytest.fail("no API in dry run"))
    result = CliRunner().invoke(cli, ["publish", str(model_folder), "--repo", "me/tiny-demo",
                                      "--dry-run", "--revision", "v1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "loads as variant 'tiny', card ok" in out
    assert "files: README.md, config.json, model.safetensors, samples.png" in out
    assert ("dry run: would call create_repo('me/tiny-demo', repo_type='model', "
            "private=False, exist_ok=True)") in out
    assert "dry run: would call create_branch('me/tiny-demo', branch='v1', exist_ok=True)" in out
    assert (f"dry run: would call upload_folder(repo_id='me/tiny-demo', folder_path="
            f"'{model_folder}', repo_type='model', revision='v1', commit_message='Upload tiny "
            f"model with ganzoo', allow_patterns=['config.json', 'model.safetensors', "
            f"'README.md', '*.png', '*.jpg'], ignore_patterns=['*/*'])") in out
    snippet = yaml.safe_load(out.split("will print):\n", 1)[1])
    assert snippet[0]["weights"]["revision"] == "<commit id>"
    assert snippet[0]["license"] == "mit" and snippet[0]["dataset"] == "grid25"


def test_publish_makes_the_exact_calls_and_a_loadable_pin(model_folder, hub_server, hub_env,
                                                          monkeypatch, tmp_path):
    api = RecordingApi(hub_server)
    monkeypatch.setattr(publish, "hub_api", lambda endpoint=None: api)
    repo = unique_repo("published")
    result = CliRunner().invoke(cli, ["publish", str(model_folder), "--repo", repo,
                                      "--private", "--message", "first release"])
    assert result.exit_code == 0, result.output
    assert api.calls == [
        ("create_repo", (repo,), {"repo_type": "model", "private": True, "exist_ok": True}),
        ("upload_folder", (), {"repo_id": repo, "folder_path": str(model_folder),
                               "repo_type": "model", "revision": "main",
                               "commit_message": "first release",
                               "allow_patterns": publish.UPLOAD_PATTERNS,
                               "ignore_patterns": publish.IGNORE_PATTERNS}),
    ]
    uploaded = sorted(p.name for p in hub_server.repo_path(repo).iterdir() if p.name != ".git")
    assert uploaded == ["README.md", "config.json", "model.safetensors", "samples.png"]
    commit = result.output.split("commit: ", 1)[1].split()[0]
    assert f"uploaded: {hub_server.endpoint}/{repo}/commit/{commit}" in result.output
    # The printed entry, pasted into a registry, downloads and loads what was published.
    snippet = yaml.safe_load(result.output.split("(models:):\n", 1)[1])
    registry = tmp_path / "registry.yaml"
    registry.write_text(yaml.safe_dump({"schema": 1, "models": snippet}))
    monkeypatch.setenv("GANZOO_REGISTRY", str(registry))
    loaded = ganzoo.load(snippet[0]["name"])
    local = ganzoo.load(str(model_folder))
    assert torch.equal(loaded.generator.net[0].weight, local.generator.net[0].weight)


def test_unloadable_or_uncarded_folders_are_refused(model_folder, monkeypatch):
    monkeypatch.setattr(publish, "hub_api", lambda endpoint=None: pytest.fail("must not upload"))
    runner = CliRunner()
    (model_folder / "README.md").unlink()
    result = runner.invoke(cli, ["publish", str(model_folder), "--repo", "me/x"])
    assert result.exit_code == 1 and "no README.md model card" in result.output
    (model_folder / "model.safetensors").write_bytes(b"garbage")
    result = runner.invoke(cli, ["publish", str(model_folder), "--repo", "me/x"])
    assert result.exit_code == 1 and "truncated or not a safetensors file" in result.output
    result = runner.invoke(cli, ["publish", str(model_folder), "--repo", "not-a-repo-id"])
    assert result.exit_code == 1 and "--repo must be a Hub repo id" in result.output


def test_upload_failure_is_one_line(model_folder, hub_server, monkeypatch):
    class DeniedApi(RecordingApi):
        def create_repo(self, repo_id, **kwargs):
            raise PermissionError("403 Forbidden: you are not a member of org")

    monkeypatch.setattr(publish, "hub_api", lambda endpoint=None: DeniedApi(hub_server))
    result = CliRunner().invoke(cli, ["publish", str(model_folder), "--repo", "org/x"])
    assert result.exit_code == 1
    assert "Error: publishing to org/x failed (PermissionError: 403 Forbidden" in result.output
    assert "HF_TOKEN" in result.output
