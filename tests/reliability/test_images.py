"""Over 200 generated inputs to ``ganzoo sample`` and to the image-folder dataset: real files
of every kind users have (CMYK, 16-bit, palette with transparency, animated, EXIF rotations,
odd names) and hostile ones (random bytes behind real headers, truncations, bit flips, 0 bytes,
decompression bombs). Each is translated correctly or refused in one line, within a time bound,
with bounded memory. Policy for a folder: an unreadable file is skipped with a warning, the
others are written, and the command ends with an error counting the skipped ones."""

from __future__ import annotations

import io
import random
import resource
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .tally import Hang, Traceback, WrongResult

SEED = 28


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_declaring(width: int, height: int) -> bytes:
    """A few KB of valid PNG declaring ``width x height`` grey pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * ((width + 1) * min(height, 64)), 9)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows)
            + _png_chunk(b"IEND", b""))


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    array = np.random.default_rng(rng.randrange(1 << 30)).integers(
        0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(array, "RGB")


def make_cases(folder: Path) -> dict[str, tuple[str, tuple[int, int] | None]]:
    """Write the inputs; returns ``name -> (kind, expected output size or None if refused
    or either way)``. ``kind``: ``good`` (must translate), ``bad`` (must be refused),
    ``either`` (decodable damage: translated or refused)."""
    rng = random.Random(SEED)
    cases: dict[str, tuple[str, tuple[int, int] | None]] = {}

    def add(name: str, data: bytes, kind: str, size=None) -> None:
        (folder / name).write_bytes(data)
        cases[name] = (kind, size)

    sizes = [(1, 1), (7, 5), (33, 17), (64, 48), (16, 96)]
    for w, h in sizes:
        base = photo(rng, (w, h))
        for mode in ("RGB", "L", "RGBA", "LA", "P", "1"):
            add(f"png-{mode}-{w}x{h}.png", encoded(base.convert(mode), "PNG"), "good", (w, h))
        palette = base.convert("P")
        add(f"png-P-transparent-{w}x{h}.png", encoded(palette, "PNG", transparency=0), "good",
            (w, h))
        sixteen = Image.fromarray(np.asarray(base.convert("L"), np.uint16) * 257)
        add(f"png-16bit-{w}x{h}.png", encoded(sixteen, "PNG"), "good", (w, h))
        for mode in ("RGB", "L", "CMYK"):
            add(f"jpeg-{mode}-{w}x{h}.jpg", encoded(base.convert(mode), "JPEG"), "good", (w, h))
        add(f"webp-{w}x{h}.webp", encoded(base, "WEBP"), "good", (w, h))
        add(f"bmp-{w}x{h}.bmp", encoded(base, "BMP"), "good", (w, h))
        add(f"tiff-{w}x{h}.tif", encoded(base, "TIFF"), "good", (w, h))
        frames = [photo(rng, (w, h)) for _ in range(3)]
        add(f"gif-animated-{w}x{h}.gif", encoded(frames[0], "GIF", save_all=True,
                                                 append_images=frames[1:]), "good", (w, h))
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        size = (40, 24) if orientation < 5 else (24, 40)  # 5-8 swap width and height
        add(f"exif-{orientation}.jpg", encoded(photo(rng, (40, 24)), "JPEG", exif=exif), "good",
            size)
    good_png = encoded(photo(rng, (32, 24)), "PNG")
    good_jpeg = encoded(photo(rng, (32, 24)), "JPEG")
    for name in ("with space.png", "ünïcödé-名前.png", "-leading-dash.png", "many.dots.in.png",
                 "x" * 200 + ".png"):
        add(name, good_png, "good", (32, 24))
    for i in range(12):
        add(f"truncated-png-{i}.png", good_png[:rng.randrange(8, len(good_png) - 1)], "bad")
        add(f"truncated-jpeg-{i}.jpg", good_jpeg[:rng.randrange(2, len(good_jpeg) - 40)],
            "either")  # a JPEG cut late still decodes (Pillow pads it only if told to)
    headers = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff\xe0", "gif": b"GIF89a",
               "bmp": b"BM", "webp": b"RIFF\x00\x10\x00\x00WEBPVP8 ", "tif": b"II*\x00"}
    for suffix, header in headers.items():
        for i in range(10):
            noise = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))
            add(f"noise-{suffix}-{i}.{suffix}", header + noise, "either")
    for i in range(25):
        data = bytearray(good_png)
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(8, len(data))] ^= 1 << rng.randrange(8)
        add(f"bitflip-{i}.png", bytes(data), "either")
    add("empty-png.png", b"", "bad")
    add("empty-jpg.jpg", b"", "bad")
    add("text.png", b"this is not an image\n", "bad")
    add("bomb-9000x9000.png", png_declaring(9000, 9000), "bad")
    add("bomb-1x100000000.png", png_declaring(1, 100_000_000), "bad")
    add("bomb-100000000x1.png", png_declaring(100_000_000, 1), "bad")
    add("bomb-60000x60000.png", png_declaring(60000, 60000), "bad")
    return cases


def test_sample_translates_or_refuses_every_input(launcher, tmp_path, tally):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    cases = make_cases(inputs)
    assert len(cases) >= 200
    out = tmp_path / "out"
    log = tmp_path / "log"
    began = time.monotonic()
    pid = launcher.start(["sample", "cyclegan-grade-s", "--input", str(inputs), "--out",
                          str(out)], tmp_path, log)
    status = launcher.wait(pid, timeout=240)
    took = time.monotonic() - began
    if status is None:
        import os
        import signal

        os.kill(pid, signal.SIGKILL)
        launcher.wait(pid)
    text = log.read_text(errors="replace")
    warnings = [line.split("ganzoo: warning: skipped", 1)[1] for line in text.splitlines()
                if "ganzoo: warning: skipped" in line]

    for name, (kind, size) in cases.items():
        def case(name=name, kind=kind, size=size):
            if status is None:
                raise Hang(f"sample ran past 240 s ({took:.0f} s)")
            output = out / f"{Path(name).stem}_cyclegan-grade-s.png"
            warned = [w for w in warnings if f"/{name}: " in w]
            if output.exists() == bool(warned):
                raise WrongResult(f"{name}: written={output.exists()}, warned={bool(warned)}")
            if kind == "good" and not output.exists():
                raise WrongResult(f"{name}: a valid image was refused: {warned}")
            if kind == "bad" and output.exists():
                raise WrongResult(f"{name}: a broken image was translated")
            if output.exists() and size is not None:
                with Image.open(output) as written:
                    if written.size != size:
                        raise WrongResult(f"{name}: output {written.size}, expected {size}")

        tally.run(name, case)
    if "Traceback" in text or "unexpected" in text:
        tally.run("log", lambda: (_ for _ in ()).throw(Traceback(text[-600:])))
    errors = [line for line in text.splitlines() if line.startswith("Error:")]
    tally.assert_all_handled()
    assert status == 1 and len(errors) == 1 and "were skipped" in errors[0], text[-600:]


def test_dataset_reads_or_refuses_every_input_fast_with_bounded_memory(tmp_path, tally):
    from ganzoo.data.image_folder import ImageFolder
    from ganzoo.errors import GanzooError

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    cases = make_cases(inputs)
    dataset = ImageFolder(inputs, size=16)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    for index, path in enumerate(dataset.files):
        kind, _ = cases[path.name]

        def case(index=index, kind=kind, name=path.name):
            began = time.monotonic()
            try:
                item = dataset[index]
            except GanzooError as exc:
                if "\n" in str(exc):
                    raise Traceback(f"{name}: multi-line error") from None
                if kind == "good":
                    raise WrongResult(f"{name}: a valid image was refused: {exc}") from None
            else:
                if kind == "bad":
                    raise WrongResult(f"{name}: a broken image was read")
                if tuple(item.shape) != (3, 16, 16) or not 0 <= float(item.min()) <= \
                        float(item.max()) <= 1:
                    raise WrongResult(f"{name}: item {tuple(item.shape)} out of range")
            if time.monotonic() - began > 5:
                raise Hang(f"{name}: took {time.monotonic() - began:.1f} s")

        tally.run(path.name, case)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    tally.run("memory", lambda: None if grown_mib < 500 else (_ for _ in ()).throw(
        Hang(f"peak memory grew {grown_mib:.0f} MiB")))
    tally.assert_all_handled()


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no named pipes here")
def test_named_pipe_input_is_refused(tmp_path):
    import os

    from .conftest import ganzoo_cli

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    result = ganzoo_cli("sample", "cyclegan-grade-s", "--input", str(fifo), timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and "not a regular file" in lines[0]


def test_an_overlong_output_name_is_refused_before_any_work(tmp_path):
    from .conftest import ganzoo_cli

    source = tmp_path / ("n" * 240 + ".png")
    source.write_bytes(encoded(photo(random.Random(1), (16, 16)), "PNG"))
    result = ganzoo_cli("sample", "cyclegan-grade-s", "--input", str(source), timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and "characters" in lines[0]
    assert [p.name for p in tmp_path.iterdir()] == [source.name]


def test_training_on_a_folder_with_a_truncated_image_stops_in_one_line(launcher, tmp_path):
    """Training does not skip: a data set missing a file silently would train on other data.
    It stops, naming the file, before writing a model."""
    from .test_concurrency import one_line_error

    images = tmp_path / "images"
    images.mkdir()
    rng = random.Random(2)
    for i in range(12):
        (images / f"{i}.png").write_bytes(encoded(photo(rng, (16, 16)), "PNG"))
    (images / "5.png").write_bytes((images / "5.png").read_bytes()[:100])
    log = tmp_path / "log"
    status = launcher.run(["train", "dcgan", "--data", f"folder:{images}", "--steps", "3",
                           "--set", "image_size=8", "--batch-size", "4", "--set",
                           "sample_every=0", "--out", str(tmp_path / "run")], tmp_path, log)
    one_line_error(status, log, "5.png: corrupt or truncated image")
    assert not (tmp_path / "run" / "model.safetensors").exists()
