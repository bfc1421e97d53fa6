"""Run an exported ONNX file with onnxruntime through ganzoo's own image IO and tiling.

``ganzoo sample FILE.onnx --engine onnxruntime`` loads an `OnnxModel` instead of a ganzoo
model: it offers the same ``task``, ``conditioning``, ``translate``, ``sample`` and
``preprocessing`` the sample command uses, driven only by the file's metadata (written by
`ganzoo.onnx_export`). Image inputs are converted to the file's channels and value range and run
whole or in blended tiles (`ganzoo.tiling.tiled_apply`); noise inputs are drawn as the metadata's
``fill`` says, or set from ``--cond`` for inputs of the same name.
Needs the optional extra ``pip install 'ganzoo-core[onnx]'``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .catalog import IMAGE_TASKS
from .conditioning import ConditionKey
from .errors import GanzooError

#: Tile overlap (input pixels, at most a quarter of the tile) when the file records none, as
#: in the image plugins' own inference.
DEFAULT_OVERLAP = 64


class OnnxModel:
    """An exported generator behind the inference API of `ganzoo.GANModel`.

    Args:
        path: an ``.onnx`` file written by ``ganzoo export``.
        threads: onnxruntime intra-op threads (default: onnxruntime's choice).
    """

    def __init__(self, path: str | Path, threads: int | None = None):
        try:
            import onnxruntime
        except ImportError:
            raise GanzooError("--engine onnxruntime needs onnxruntime: "
                              "pip install 'ganzoo-core[onnx]'")
        path = Path(path).expanduser()
        if not path.is_file():
            raise GanzooError(f"{path}: no such ONNX file (write one with ganzoo export)")
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        try:
            self.session = onnxruntime.InferenceSession(str(path), options,
                                                        providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            raise GanzooError(f"{path}: onnxruntime cannot load it ({exc})") from None
        meta = self.session.get_modelmeta().custom_metadata_map
        if meta.get("producer") != "ganzoo":
            raise GanzooError(f"{path} was not written by ganzoo export (no ganzoo metadata); "
                              f"run it with onnxruntime directly")
        self.meta = meta
        self.task = meta["task"]
        self.value_range = tuple(json.loads(meta["value_range"]))
        self.inputs = json.loads(meta["inputs"])
        self.conditioning = tuple(ConditionKey(**{**key, "choices": tuple(key["choices"])})
                                  for key in json.loads(meta["conditioning"]))

    def preprocessing(self) -> dict[str, Any]:
        return json.loads(self.meta["preprocessing"])

    def sample_grid(self, columns: int, seed: int | None = None) -> None:
        return None  # a grid layout is the variant's knowledge; the file holds the network only

    def _run(self, feeds: dict[str, Any]):
        import torch

        return torch.from_numpy(self.session.run(None, feeds)[0])

    def _to_unit(self, x):
        low, high = self.value_range
        return ((x - low) / (high - low)).clamp(0.0, 1.0)

    def sample(self, n: int, seed: int | None = None, **conditioning: Any):
        """``n`` outputs in [0, 1] (points as they come); inputs drawn as declared."""
        import torch

        if self.task in IMAGE_TASKS:
            raise GanzooError(f"this ONNX file translates images ({self.task}); pass --input")
        generator = torch.Generator().manual_seed(seed if seed is not None else 0)
        feeds = {}
        for spec in self.inputs:
            shape = (n, *spec["shape"][1:])
            if spec["name"] in conditioning:
                value = self._condition_value(spec["name"], conditioning[spec["name"]])
                kind, _, bounds = spec["fill"].partition(":")
                if kind == "randint":  # an index the graph looks up: out of range is an error
                    low, high = (int(b) for b in bounds.split(":"))
                    if not bool(((value >= low) & (value < high)).all()):
                        raise GanzooError(f"--cond {spec['name']}={conditioning[spec['name']]}:"
                                          f" must be {low}..{high - 1} for this model")
                dtype = torch.int64 if spec["dtype"] == "int64" else torch.float32
                feeds[spec["name"]] = value.to(dtype).expand(shape).contiguous().numpy()
                continue
            kind, _, bounds = spec["fill"].partition(":")
            if kind == "normal":
                value = torch.randn(shape, generator=generator)
            elif kind == "randint":
                low, high = (int(b) for b in bounds.split(":"))
                value = torch.randint(low, high, shape, generator=generator)
            elif kind == "uniform":
                low, high = (float(b) for b in bounds.split(":"))
                value = torch.rand(shape, generator=generator) * (high - low) + low
            else:
                raise GanzooError(f"ONNX input {spec['name']!r} must be given: --cond "
                                  f"{spec['name']}=VALUE")
            feeds[spec["name"]] = value.numpy()
        out = self._run(feeds)
        return out if self.task == "toy" or out.dim() == 2 else self._to_unit(out)

    def _condition_value(self, name: str, value: Any):
        """A ``--cond`` value as a tensor; a name (e.g. a class name) is looked up in the
        file's ``<name>_names`` list."""
        import torch

        if isinstance(value, str):
            names = json.loads(self.meta.get(f"{name}_names", "[]"))
            if value not in names:
                raise GanzooError(f"--cond {name}={value}: not one of {', '.join(names) or 'no names'}")
            value = names.index(value)
        return torch.as_tensor(value)

    def translate(self, images, *, tile: int | None = None, progress: Any = None,
                  **options: Any):
        """Translate ``(N, C, H, W)`` images in [0, 1]; a 4th (alpha) channel passes through
        (resized for super-resolution). ``precision`` is ignored: the file runs in fp32, and
        what the export fixed (e.g. a direction) is in its metadata."""
        import torch
        import torch.nn.functional as F

        from .channels import match_channels
        from .tiling import tiled_apply, whole_image_tile

        meta = self.meta  # plain keys, set by the export (e.g. one direction's channels)
        channels = int(meta.get("in_channels", meta.get("channels", 3)))
        scale = int(meta.get("scale", 1))
        multiple, min_size = int(self.meta["size_multiple"]), int(self.meta["min_size"])
        low, high = self.value_range
        name = self.inputs[0]["name"]
        outputs = []
        for image in images.detach().to("cpu", torch.float32):
            alpha = image[3:4] if image.shape[0] == 4 else None
            gray = image.shape[0] == 1 and channels == 3 and scale > 1  # returned gray, as SR does
            x = match_channels(image[None, :3] if alpha is not None else image[None], channels)
            x = x * (high - low) + low
            height, width = x.shape[-2:]
            tile = tile or int(meta.get("tile", 0)) or None
            size = max(tile or whole_image_tile(height, width, multiple), multiple, min_size)
            overlap = (int(meta["tile_overlap"]) if "tile_overlap" in meta
                       else min(DEFAULT_OVERLAP, size // 4))
            y = tiled_apply(lambda t: self._run({name: t.contiguous().numpy()}), x, size,
                            min(overlap, size - 1), scale=scale, multiple=multiple,
                            min_size=min_size, progress=progress)
            y = self._to_unit(y)
            if gray:
                y = y.mean(1, keepdim=True)
            if alpha is not None:
                if scale > 1:
                    alpha = F.interpolate(alpha[None], scale_factor=scale, mode="bicubic",
                                          align_corners=False)[0].clamp(0, 1)
                y = torch.cat([y, alpha[None]], 1)
            outputs.append(y)
        return torch.cat(outputs)
