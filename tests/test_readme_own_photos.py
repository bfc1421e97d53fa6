"""README's "Train on your own photos" block runs verbatim on a folder of 30 photos (with
--steps 3 so it takes seconds), from a fresh working folder, as a new user would type it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def readme_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- own-photos:.*?```bash\n(.*?)```\n<!-- /own-photos -->", text, re.S)
    assert block, "README lost its own-photos block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()
            if line.split("#", 1)[0].strip()]


@pytest.mark.slow
def test_readme_own_photos_block_runs(tmp_path):
    from skimage import data

    photos = tmp_path / "my-photos"
    (photos / "holiday").mkdir(parents=True)
    rng = np.random.default_rng(0)
    sources = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    for i in range(30):
        image = sources[i % len(sources)]
        top, left = rng.integers(0, 150, 2)
        crop = image[top:top + 300, left:left + 260]
        folder = photos / "holiday" if i % 3 else photos
        Image.fromarray(crop).save(folder / f"photo{i:02d}.jpg")
    (tmp_path / ".venv").symlink_to(BIN.parent)  # `source .venv/bin/activate` as in the repo
    env = {**os.environ, "TQDM_DISABLE": "1", "HF_HUB_OFFLINE": "1"}
    for line in readme_block():
        if line.startswith("ganzoo train"):
            line += " --steps 3"
        done = subprocess.run(["bash", "-c", f"source .venv/bin/activate && {line}"
                               if not line.startswith("source") else line],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "runs" / "my-dcgan" / "model.safetensors").is_file()
    assert (tmp_path / "my-samples.png").stat().st_size > 0
