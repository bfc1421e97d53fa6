"""ganzoo.imageio: the image files users really have, read to [0, 1] tensors and written safely."""

import os
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.errors import GanzooError
from ganzoo.imageio import read_image, read_image_with_alpha, write_image


def gradient_rgb(h=12, w=17):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x + y) % 256], -1).astype(np.uint8)


def test_rgb_png_round_trip_is_exact(tmp_path):
    pixels = gradient_rgb()
    Image.fromarray(pixels).save(tmp_path / "a.png")
    image = read_image(tmp_path / "a.png")
    assert image.dtype == torch.float32 and image.shape == (3, 12, 17)
    assert torch.equal((image * 255).round().byte().permute(1, 2, 0), torch.from_numpy(pixels))
    write_image(image, tmp_path / "b.png")
    assert np.array_equal(np.asarray(Image.open(tmp_path / "b.png")), pixels)


def test_grayscale_file_as_rgb_and_rgb_file_as_gray(tmp_path):
    gray = gradient_rgb()[..., 0]
    Image.fromarray(gray).save(tmp_path / "g.png")
    rgb = read_image(tmp_path / "g.png")
    assert rgb.shape == (3, 12, 17)
    assert torch.equal(rgb[0], rgb[1]) and torch.equal(rgb[1], rgb[2])
    assert read_image(tmp_path / "g.png", mode="L").shape == (1, 12, 17)
    Image.fromarray(gradient_rgb()).save(tmp_path / "c.png")
    luma = read_image(tmp_path / "c.png", mode="L")
    expected = np.asarray(Image.open(tmp_path / "c.png").convert("L"), dtype=np.float32) / 255
    assert luma.shape == (1, 12, 17)
    assert np.abs(luma[0].numpy() - expected).max() <= 1 / 255 + 1e-6


def test_sixteen_bit_grayscale_keeps_full_precision(tmp_path):
    values = (np.arange(12 * 17).reshape(12, 17) * 301).astype(np.uint16)
    Image.fromarray(values).save(tmp_path / "g16.png")
    assert Image.open(tmp_path / "g16.png").mode == "I;16"
    image = read_image(tmp_path / "g16.png", mode="L")
    assert torch.allclose(image[0].double(), torch.from_numpy(values / 65535.0), atol=1e-6)
    assert image.max() <= 1 and image.min() >= 0


def write_png16_rgb(path, array):
    """A 48-bit RGB PNG written byte by byte (Pillow cannot write one)."""
    h, w, _ = array.shape
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    raw = b"".join(b"\x00" + array[i].astype(">u2").tobytes() for i in range(h))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_sixteen_bit_rgb_is_read_in_range(tmp_path):
    array = np.random.default_rng(0).integers(0, 65536, (6, 9, 3))
    write_png16_rgb(tmp_path / "rgb16.png", array)
    image = read_image(tmp_path / "rgb16.png")
    assert image.shape == (3, 6, 9)
    # 8-bit precision of the 16-bit values (Pillow decodes colour at 8 bits per channel).
    assert torch.allclose(image.permute(1, 2, 0).double(), torch.from_numpy(array / 65535.0),
                          atol=1.5 / 255)


def test_palette_with_transparency_and_rgba_alpha(tmp_path):
    palette_image = Image.new("P", (8, 5))
    palette_image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette_image.putdata([0, 1] * 20)
    palette_image.info["transparency"] = 1
    palette_image.save(tmp_path / "p.png", transparency=1)
    image, alpha = read_image_with_alpha(tmp_path / "p.png")
    assert image.shape == (3, 5, 8) and alpha.shape == (1, 5, 8)
    assert torch.allclose(image[:, 0, 0], torch.tensor([1.0, 0.0, 0.0]))
    assert alpha[0, 0, 0] == 1 and alpha[0, 0, 1] == 0

    rgba = np.zeros((4, 6, 4), np.uint8)
    rgba[..., 1] = 200
    rgba[..., 3] = np.arange(6) * 50
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    plain = read_image(tmp_path / "rgba.png")
    assert plain.shape == (3, 4, 6)
    _, alpha = read_image_with_alpha(tmp_path / "rgba.png")
    assert torch.allclose(alpha[0, 0], torch.arange(6) * 50 / 255.0)
    write_image(plain, tmp_path / "out.png", alpha=alpha)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out.png")), rgba)


def test_exif_orientation_is_applied(tmp_path):
    pixels = gradient_rgb(10, 20)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    Image.fromarray(pixels).save(tmp_path / "phone.jpg", exif=exif, quality=95)
    image = read_image(tmp_path / "phone.jpg")
    assert image.shape == (3, 20, 10)  # displayed portrait, as the user sees it
    upright = np.rot90(pixels, k=-1).astype(np.float32) / 255
    assert np.abs(image.permute(1, 2, 0).numpy() - upright).mean() < 0.03


def test_cmyk_bilevel_and_animation_first_frame(tmp_path):
    Image.new("CMYK", (4, 3), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg")
    red = read_image(tmp_path / "cmyk.jpg")
    assert red.shape == (3, 3, 4) and red[0].mean() > 0.9 and red[1].mean() < 0.1
    Image.new("1", (5, 5), 1).save(tmp_path / "bw.png")
    assert torch.all(read_image(tmp_path / "bw.png") == 1)
    frames = [Image.new("RGB", (4, 4), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert read_image(tmp_path / "anim.gif")[0].mean() > 0.9


def test_float_tiff_in_either_convention(tmp_path):
    Image.fromarray(np.full((3, 3), 0.5, np.float32)).save(tmp_path / "f1.tif")
    Image.fromarray(np.full((3, 3), 127.5, np.float32)).save(tmp_path / "f255.tif")
    assert torch.allclose(read_image(tmp_path / "f1.tif"), torch.tensor(0.5))
    assert torch.allclose(read_image(tmp_path / "f255.tif"), torch.tensor(0.5))


@pytest.mark.parametrize("content", [b"", b"not an image at all", None])
def test_corrupt_missing_and_truncated_files_name_the_file(tmp_path, content):
    path = tmp_path / "broken.png"
    if content is None:  # a real PNG cut in half
        noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(noise).save(path)
        path.write_bytes(path.read_bytes()[:2000])
    else:
        path.write_bytes(content)
    with pytest.raises(GanzooError, match="broken.png"):
        read_image(path)
    with pytest.raises(GanzooError, match="no such file"):
        read_image(tmp_path / "missing.png")
    with pytest.raises(GanzooError, match="folder"):
        read_image(tmp_path)


def test_write_refuses_to_overwrite_and_is_atomic(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"precious")
    with pytest.raises(GanzooError, match="--force"):
        write_image(torch.zeros(3, 4, 4), target)
    assert target.read_bytes() == b"precious"
    write_image(torch.ones(1, 3, 4, 4), target, overwrite=True)
    assert np.asarray(Image.open(target)).min() == 255
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no temp files left
    mask = os.umask(0o022)
    try:
        write_image(torch.ones(3, 2, 2), tmp_path / "shared.png")
    finally:
        os.umask(mask)
    assert (tmp_path / "shared.png").stat().st_mode & 0o777 == 0o644


def test_write_clamps_and_checks_inputs(tmp_path):
    write_image(torch.tensor([[[-1.0, 2.0, float("nan")]]]), tmp_path / "gray.png")
    assert np.asarray(Image.open(tmp_path / "gray.png")).tolist() == [[0, 255, 0]]
    with pytest.raises(GanzooError, match="cannot write"):
        write_image(torch.zeros(3, 2, 2), tmp_path / "x.unknown")
    with pytest.raises(GanzooError, match="shape"):
        write_image(torch.zeros(2, 3, 2, 2), tmp_path / "batch.png")
    write_image(torch.rand(3, 8, 8), tmp_path / "sub" / "dir" / "made.jpg")
    assert Image.open(tmp_path / "sub" / "dir" / "made.jpg").size == (8, 8)
