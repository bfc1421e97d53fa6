"""The proof that a third party can do what a first-party plugin does.

tests/plugins/ganzoo-spiral is written the way an outside author would write a plugin: only
ganzoo's public API, its own variant with a conditioning keyword none of ours uses (``turn``),
its own dataset kind (``spiral:K``), its own metric (``arm-distance``) and its own pretrained
model (tiny weights it ships, registered through ``register_pretrained``). It is built and
installed here with pip (a real wheel, into a folder put on PYTHONPATH, so the test environment
is untouched) and driven through the CLI like a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SOURCE = Path(__file__).parent / "plugins" / "ganzoo-spiral"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("third-party-plugin")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    # Build from a clean copy: setuptools writes build/ and *.egg-info next to the sources
    # (and would reuse a stale build/ left by a manual install).
    shutil.copytree(SOURCE, build / SOURCE.name,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
         "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target),
         str(build / SOURCE.name)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (target / "ganzoo_spiral" / "pretrained" / "spiral-2arms" / "model.safetensors").is_file()
    return target


def run(site: Path, *args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GANZOO_LOAD_PLUGINS", "GANZOO_STRICT_PLUGINS")}
    env.update(PYTHONPATH=str(site), TQDM_DISABLE="1", HF_HUB_OFFLINE="1")
    command = [str(a) for a in args]
    if command[0] != sys.executable:
        command = [str(BIN / "ganzoo"), *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd, env=env)


def python(site: Path, code: str) -> subprocess.CompletedProcess:
    return run(site, sys.executable, "-c", code)


def test_list_info_and_plugins_show_the_variant_dataset_metric_and_model(site):
    listed = run(site, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["spiralgan"]["kind"] == "variant"
    assert rows["spiral-2arms"]["kind"] == "model"
    assert "ganzoo-spiral" in listed.stdout
    strict = run(site, "plugins", "--strict")
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert "dataset:spiral" in strict.stdout and "metric:arm-distance" in strict.stdout
    info = run(site, "info", "spiral-2arms")
    assert info.returncode == 0, info.stderr
    assert "turn (float) [-360..360]" in info.stdout and "trains on (--data): spiral" in info.stdout
    assert "registry_file:" in info.stdout and "ganzoo_spiral" in info.stdout


def test_the_conformance_kit_passes_from_its_own_distribution(site):
    checked = python(site, "from ganzoo.testing import check_variant; "
                           "check_variant('spiralgan'); print('conformant')")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "conformant"


def test_train_on_its_own_dataset_scores_with_its_own_metric_and_publishes(site, tmp_path):
    out = tmp_path / "run"
    trained = run(site, "train", "spiralgan", "--data", "spiral:3", "--steps", "40", "--out", out)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "arm_distance:" in trained.stdout  # the dataset's evaluate() ran on the final model
    assert (out / "model.safetensors").is_file() and (out / "samples.png").is_file()
    assert "arm_distance" in json.loads((out / "run.json").read_text())["metrics"]
    refused = run(site, "train", "spiralgan", "--data", "grid25", "--out", tmp_path / "no")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "spiralgan trains on spiral data" in refused.stderr
    assert not (tmp_path / "no").exists() or not any((tmp_path / "no").iterdir())
    published = run(site, "publish", out, "--repo", "someone/spiral", "--dry-run")
    assert published.returncode == 0, published.stdout + published.stderr
    assert "someone/spiral" in published.stdout


def test_its_metric_is_found_through_the_catalog_and_scores_the_shipped_model(site):
    scored = python(site, "import ganzoo; from ganzoo.plugins import get_catalog; "
                          "metric = get_catalog().get('metric', 'arm-distance').load(); "
                          "print(metric(ganzoo.load('spiral-2arms'), arms=2))")
    assert scored.returncode == 0, scored.stderr
    # a random point in the spirals' disc lies ~0.2 from an arm; the trained model is closer
    assert float(scored.stdout.strip()) < 0.2


def test_sample_with_its_conditioning_keyword(site, tmp_path):
    png = tmp_path / "turned.png"
    sampled = run(site, "sample", "spiral-2arms", "--cond", "turn=90", "--out", png)
    assert sampled.returncode == 0, sampled.stdout + sampled.stderr
    assert png.stat().st_size > 0
    turned = python(site, "import ganzoo, torch; m = ganzoo.load('spiral-2arms'); "
                          "a = m.sample(64, seed=0); b = m.sample(64, seed=0, turn=90); "
                          "print(float((torch.stack([-a[:, 1], a[:, 0]], 1) - b).abs().max()))")
    assert turned.returncode == 0, turned.stderr
    assert float(turned.stdout) < 1e-5  # a quarter turn maps (x, y) to (-y, x)
    unknown = run(site, "sample", "spiral-2arms", "--cond", "angle=3", "--out", tmp_path / "a.png")
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr
    assert "valid keys: turn (float)" in unknown.stderr
    outside = run(site, "sample", "spiral-2arms", "--cond", "turn=400", "--out", tmp_path / "b.png")
    assert outside.returncode != 0 and "out of range" in outside.stderr
