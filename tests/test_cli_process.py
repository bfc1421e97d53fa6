"""The ``ganzoo`` process: what makes its start and exit cheap must not change its results.

`ganzoo.cli.garbage_collection` acts only when the CLI owns the process; the real console
script is run here as users run it and must write exactly what the Python API computes.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import ganzoo
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.cli.garbage_collection import freeze_before_exit, startup_without_collection
from ganzoo.imageio import read_image, write_image
from ganzoo.layout import save_pretrained

GANZOO = Path(sys.executable).with_name("ganzoo")


@pytest.fixture(scope="module")
def cyclegan_dir(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4})
    return save_pretrained(model, tmp_path_factory.mktemp("models") / "h2z")


@pytest.fixture
def photo(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (37, 50, 3), dtype=np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    return path


def test_collector_is_left_alone_inside_other_programs(cyclegan_dir, photo):
    frozen = gc.get_freeze_count()
    with startup_without_collection():
        assert gc.isenabled()
    freeze_before_exit()
    _add_core_commands()
    result = CliRunner().invoke(cli, ["sample", str(cyclegan_dir), "--input", str(photo),
                                      "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_owned_process_pauses_collection_at_start_then_freezes():
    code = """
import gc
from ganzoo.cli import garbage_collection as collection
collection.own_process()
with collection.startup_without_collection():
    assert not gc.isenabled()
    import torch
assert gc.isenabled() and gc.get_freeze_count() > 100_000, gc.get_freeze_count()
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_console_script_writes_what_the_api_computes(cyclegan_dir, photo, tmp_path):
    result = subprocess.run([str(GANZOO), "sample", str(cyclegan_dir), "--input", str(photo),
                             "--threads", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "wrote 1 image" in result.stdout
    written = np.asarray(Image.open(tmp_path / "photo_h2z.png"))

    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # the same thread count: the same summation order
    try:
        expected = ganzoo.load(str(cyclegan_dir)).translate(read_image(photo)[None])[0]
    finally:
        torch.set_num_threads(previous)
    reference = np.asarray(Image.open(write_image(expected, tmp_path / "api.png")))
    assert written.shape == (37, 50, 3)
    assert np.array_equal(written, reference)


def test_writing_common_formats_does_not_import_every_pillow_plugin(tmp_path):
    code = f"""
import sys, torch
from ganzoo.imageio import read_image, write_image
image = torch.rand(3, 8, 8)
for name in ("a.png", "b.jpg"):
    write_image(image, {str(tmp_path)!r} + "/" + name)
print("PIL.PdfImagePlugin" in sys.modules, end=" ")
write_image(image, {str(tmp_path)!r} + "/c.webp")  # a less common format still works
print(tuple(read_image({str(tmp_path)!r} + "/c.webp").shape))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "False (3, 8, 8)", result.stderr
