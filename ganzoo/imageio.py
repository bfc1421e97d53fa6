"""Read and write images the way users' files actually are.

`read_image` turns whatever a user points at (8/16-bit, grayscale, palette, RGBA, CMYK,
EXIF-rotated phone photos, multi-frame GIF/TIFF) into a float tensor ``(C, H, W)`` in [0, 1];
`write_image` saves a [0, 1] tensor atomically and never replaces an existing file unless asked.
Every failure is a `GanzooError` that names the file.

Precision: 16-bit grayscale keeps all 16 bits; Pillow decodes 16-bit-per-channel *colour* files
to 8 bits per channel, which is what they become here too.
"""

from __future__ import annotations

import os
from pathlib import Path
from struct import error as struct_error
from typing import TYPE_CHECKING

from .atomic_file import write_atomic
from .colour import LUMA
from .errors import GanzooError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image
    from torch import Tensor

#: Channel layouts `read_image` can return.
MODES = ("RGB", "L")

# Pillow modes that carry an alpha channel (``P``/``L``/``RGB`` may also carry one through a
# ``transparency`` entry in ``info``).
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_SIXTEEN_BIT_MODES = {"I;16", "I;16B", "I;16L", "I;16N"}
#: Encoder settings per Pillow format. PNG: zlib level 1 writes photos about 3x faster than
#: Pillow's default 6 for files 5-10 % larger (skimage astronaut 512x512: 19 vs 57 ms, 455 vs
#: 414 KiB), the same trade OpenCV makes by default; the pixels are identical.
SAVE_OPTIONS: dict[str, dict[str, object]] = {"PNG": {"compress_level": 1}}
#: Largest image (width x height) read without GANZOO_MAX_IMAGE_PIXELS raised.
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000


def read_image(path: str | os.PathLike, mode: str = "RGB") -> Tensor:
    """Read an image file as a float tensor ``(C, H, W)`` in [0, 1].

    Args:
        path: any format Pillow reads.
        mode: ``"RGB"`` (3 channels) or ``"L"`` (1 channel, ITU-R 601 luma).

    EXIF orientation is applied; an alpha channel is dropped (use `read_image_with_alpha` to
    keep it); the first frame of an animation is used.
    """
    image, _ = read_image_with_alpha(path, mode)
    return image


def read_image_with_alpha(path: str | os.PathLike, mode: str = "RGB") -> tuple[Tensor, Tensor | None]:
    """Like `read_image`, and also return the alpha channel ``(1, H, W)`` in [0, 1] or None."""
    import torch

    if mode not in MODES:
        raise GanzooError(f"read_image: mode must be one of {', '.join(MODES)}, got {mode!r}")
    pixels, alpha = _decode(Path(path))
    color = _to_mode(pixels, mode)
    image = torch.from_numpy(color).permute(2, 0, 1).contiguous()
    if alpha is not None:
        return image, torch.from_numpy(alpha)[None].contiguous()
    return image, None


def _decode(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Open, orient and convert to float32 ``(H, W, 1|3)`` plus alpha ``(H, W)`` or None."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not path.exists():
        raise GanzooError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise GanzooError(f"{path}: is a folder, not an image file")
    if not path.is_file():  # reading a named pipe would block for ever
        raise GanzooError(f"{path}: not a regular file (a named pipe, socket or device); "
                          f"pass an image file")
    try:
        with Image.open(path) as opened:
            _check_pixel_count(path, opened.size)  # from the header, before any decoding
            opened.seek(0)  # multi-frame files: the first frame
            image = ImageOps.exif_transpose(opened)
            image.load()
            return _pixels(image)
    except UnidentifiedImageError:
        raise GanzooError(f"{path}: not an image Pillow can read (unsupported format or not "
                          f"an image); convert it to PNG or JPEG") from None
    except Image.DecompressionBombError as exc:
        raise GanzooError(f"{path}: too large to decode safely ({exc}); downscale it "
                          f"first") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct_error,
            MemoryError) as exc:
        # Truncated or corrupt data surfaces from Pillow's decoders as one of these.
        raise GanzooError(f"{path}: corrupt or truncated image ({exc}); re-export the "
                          f"file") from None


def max_image_pixels() -> int:
    """``GANZOO_MAX_IMAGE_PIXELS`` as set now (default 50 million: a 8K frame is 33 million)."""
    raw = os.environ.get("GANZOO_MAX_IMAGE_PIXELS", "").strip()
    if not raw:
        return DEFAULT_MAX_IMAGE_PIXELS
    if not raw.isdigit() or int(raw) < 1:
        raise GanzooError(f"GANZOO_MAX_IMAGE_PIXELS must be a positive whole number, got {raw!r}")
    return int(raw)


def _check_pixel_count(path: Path, size: tuple[int, int]) -> None:
    """Refuse images whose header declares more pixels than allowed, before decoding.

    A few kilobytes of PNG can declare 9000x9000 pixels: decoding it would take minutes and
    gigabytes (a "decompression bomb"). Pillow's own limit (89 million pixels) only warns
    below twice that, so ganzoo checks first, with a limit users can raise.
    """
    width, height = size
    limit = max_image_pixels()
    if width * height > limit:
        raise GanzooError(f"{path}: declares {width}x{height} pixels, more than the "
                          f"{limit:,} allowed; downscale it, or raise GANZOO_MAX_IMAGE_PIXELS "
                          f"if the file is trusted")


def _pixels(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    import numpy as np

    mode = image.mode
    if mode in _SIXTEEN_BIT_MODES or mode == "I":
        # 16-bit PNG/TIFF grayscale; ``I`` holds the same 0..65535 range after Pillow's decode.
        gray = np.asarray(image, dtype=np.float64).clip(0, 65535) / 65535.0
        return gray.astype(np.float32)[..., None], None
    if mode == "F":
        gray = np.asarray(image, dtype=np.float32)
        peak = float(np.nanmax(gray)) if gray.size else 0.0
        # Float files come in 0..1, 0..255 or 0..65535 conventions; pick the smallest that fits.
        scale = 1.0 if peak <= 1.0 else 255.0 if peak <= 255.0 else 65535.0
        return np.nan_to_num(gray / scale).clip(0, 1)[..., None], None
    has_alpha = mode in _ALPHA_MODES or "transparency" in image.info
    if mode in ("1", "L") and not has_alpha:
        return (np.asarray(image.convert("L"), dtype=np.float32) / 255.0)[..., None], None
    if has_alpha:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        return rgba[..., :3], rgba[..., 3]
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0, None


def _to_mode(pixels: np.ndarray, mode: str) -> np.ndarray:
    import numpy as np

    channels = pixels.shape[-1]
    if mode == "RGB":
        return np.repeat(pixels, 3, axis=-1) if channels == 1 else pixels
    if channels == 3:  # the same luma weights Pillow's convert("L") uses
        luma = pixels @ np.array(LUMA, dtype=np.float32)
        return luma[..., None].astype(np.float32)
    return pixels


def write_image(image: Tensor, path: str | os.PathLike, *, overwrite: bool = False,
                alpha: Tensor | None = None) -> Path:
    """Save a [0, 1] tensor ``(C, H, W)`` or ``(1, C, H, W)`` with C in {1, 3} as an image.

    The format follows the suffix (``.png``, ``.jpg``, ``.webp``, ``.tif``, ...). The file is
    written to a temporary name in the same folder and moved into place, so a crash never
    leaves half an image; an existing file is refused unless ``overwrite``.

    Args:
        image: values are clamped to [0, 1] and rounded to 8 bits.
        path: destination; missing parent folders are created.
        overwrite: replace an existing file.
        alpha: optional ``(1, H, W)`` alpha in [0, 1], kept where the format supports it.
    """
    import numpy as np
    from PIL import Image

    path = Path(path)
    fmt = image_format_for(path)
    if path.exists() and not overwrite:
        raise GanzooError(f"{path} already exists; pass --force (overwrite=True) to replace it")
    array = _to_uint8(image, "image")
    if array.shape[-1] not in (1, 3):
        raise GanzooError(f"write_image: expected 1 or 3 channels, got {array.shape[-1]}")
    if alpha is not None and fmt not in ("JPEG",):
        a = _to_uint8(alpha, "alpha")
        if a.shape[:2] != array.shape[:2]:
            raise GanzooError(f"write_image: alpha is {a.shape[1]}x{a.shape[0]} but the image "
                              f"is {array.shape[1]}x{array.shape[0]}")
        array = np.concatenate([array, a[..., :1]], axis=-1)
    # Pillow infers L / LA / RGB / RGBA from the uint8 array's last axis.
    picture = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    write_atomic(path, lambda temp: picture.save(temp, format=fmt, **SAVE_OPTIONS.get(fmt, {})),
                 overwrite=overwrite)
    return path


def image_format_for(path: Path) -> str:
    """The Pillow format that writes ``path``'s suffix, or a `GanzooError` naming good ones."""
    from PIL import Image

    suffix = path.suffix.lower()
    # Pillow's five common formats (PNG, JPEG, BMP, GIF, PPM) register cheaply; all formats
    # means importing some 40 plugin modules (~50 ms), only worth it for the other suffixes.
    Image.preinit()
    fmt = Image.EXTENSION.get(suffix)
    if fmt is None or fmt not in Image.SAVE:
        fmt = Image.registered_extensions().get(suffix)
    if fmt is None or fmt not in Image.SAVE:
        raise GanzooError(f"{path}: cannot write '{suffix or 'no suffix'}' images; use .png, "
                          f".jpg, .webp or .tif")
    return fmt


def _to_uint8(tensor: Tensor, what: str) -> np.ndarray:
    import numpy as np
    import torch

    if not isinstance(tensor, torch.Tensor):
        raise GanzooError(f"write_image: {what} must be a torch tensor, got {type(tensor).__name__}")
    t = tensor.detach().to("cpu", torch.float32)
    if t.dim() == 4 and t.shape[0] == 1:
        t = t[0]
    if t.dim() != 3:
        raise GanzooError(f"write_image: {what} must be (C, H, W) or (1, C, H, W), got shape "
                          f"{tuple(tensor.shape)}")
    t = torch.nan_to_num(t).clamp(0.0, 1.0).mul(255.0).round().to(torch.uint8)
    return np.ascontiguousarray(t.permute(1, 2, 0).numpy())
