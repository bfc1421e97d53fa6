"""With ``HF_TOKEN`` set, no file ganzoo writes and no line it prints contains the token; a
token about to travel over plain http is warned about."""

from __future__ import annotations

from pathlib import Path

from .conftest import TRAIN, ganzoo_cli
from .tally import DataLost, WrongResult

TOKEN = "hf_reliabilitySecretToken0123456789"


def files_with_token(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


def test_pull_over_plain_http_warns_and_writes_no_token(hub_model):
    result = ganzoo_cli("pull", "rel-hub", env={"HF_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    if "token is sent unencrypted" not in result.stderr:
        raise WrongResult("no warning about a token sent over plain http")
    if TOKEN in result.stdout + result.stderr:
        raise DataLost("the token was printed")
    if files_with_token(hub_model.cache):
        raise DataLost(f"the token was written to {files_with_token(hub_model.cache)}")


def test_training_and_sampling_write_no_token(launcher, tmp_path):
    out = tmp_path / "run"
    log = tmp_path / "log"
    env = {"HF_TOKEN": TOKEN}
    assert launcher.run([*TRAIN[:4], "--steps", "3", *TRAIN[6:], "--out", str(out)], tmp_path,
                        log, env=env) == 0
    assert launcher.run(["sample", str(out), "--n", "8", "--out", str(tmp_path / "s.png")],
                        tmp_path, tmp_path / "sample.log", env=env) == 0
    leaked = files_with_token(tmp_path)
    if leaked:
        raise DataLost(f"the token is in {leaked}")
