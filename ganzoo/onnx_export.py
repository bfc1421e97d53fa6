"""Write a model's generator as a self-describing ONNX file (``ganzoo export --format onnx``).

The network comes from `GANModel.export_module` (an `ExportSpec`); it is exported in fp32 at a
pinned opset with the declared dynamic axes, checked with ``onnx.checker``, and the facts a
runtime needs without ganzoo go into the file's ``metadata_props``: the value range the network
speaks (map [0, 1] pixels to it and back), channels, scale, size multiple, the graph inputs
and how to fill them, the conditioning keys, the variant and the ganzoo version.
Needs the optional extra ``pip install 'ganzoo-core[onnx]'``.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

from .atomic_file import write_atomic
from .errors import GanzooError

#: The opset every export uses: the torch.export-based exporter's own (no version
#: conversion), run by onnxruntime >= 1.14 and every current runtime.
OPSET = 18
#: Preprocessing facts copied to their own metadata keys (the whole dict is under
#: ``preprocessing`` too), so a reader finds the common ones without parsing JSON.
PLAIN_KEYS = ("channels", "in_channels", "out_channels", "scale", "size_multiple", "output")
#: Config fields that set how translate() tiles, recorded when the variant declares them.
TILING_KEYS = ("tile", "tile_overlap")


def require_onnx() -> Any:
    """The onnx module, or a one-line error naming the extra to install (the exporter needs
    onnx and onnxscript)."""
    try:
        import onnx
        import onnxscript  # noqa: F401  (torch's exporter imports it)
    except ImportError:
        raise GanzooError("ONNX export needs the onnx package: pip install 'ganzoo-core[onnx]'")
    return onnx


def metadata_for(model: Any, spec: Any) -> dict[str, str]:
    """Key → text pairs stored in the file; everything a runtime needs to feed the graph."""
    from . import __version__

    facts = model.preprocessing()
    network = getattr(model, model.generator_names[0])
    inputs = {i.name for i in spec.inputs}
    conditioning = [dict(k.__dict__) for k in type(model).conditioning if k.name in inputs]
    for key in conditioning:
        key["choices"] = list(key["choices"])
    meta = {
        "producer": "ganzoo",
        "ganzoo_version": __version__,
        "variant": model.variant.name if model.variant is not None else type(model).__name__,
        "task": model.task,
        "value_range": json.dumps([float(v) for v in model.value_range]),
        "size_multiple": str(int(getattr(network, "size_multiple", 1))),
        "min_size": str(int(getattr(network, "min_size", 1))),
        "preprocessing": json.dumps(facts, default=str),
        "inputs": json.dumps([i.describe() for i in spec.inputs]),
        "output_name": spec.output,
        "conditioning": json.dumps(conditioning),
        "usage": ("inputs and outputs are in value_range (map [0, 1] pixels x to "
                  "lo + x * (hi - lo)); images are NCHW float32"),
    }
    meta.update({key: str(facts[key]) for key in PLAIN_KEYS if key in facts})
    # Tiling as the model's own translate() does it, so both give the same pixels.
    settings = model.config_dict() if hasattr(model.config, "__dataclass_fields__") else {}
    meta.update({key: str(settings[key]) for key in TILING_KEYS if settings.get(key)})
    meta.update(spec.metadata)
    return meta


def export_onnx(model: Any, out: str | Path, *, conditioning: dict[str, Any] | None = None,
                overwrite: bool = False) -> Path:
    """Export ``model``'s generator (as `GANModel.export_module` declares it) to ``out``."""
    onnx = require_onnx()
    import torch

    spec = model.export_module(**(conditioning or {}))
    module = spec.module.to("cpu", torch.float32).eval()
    # A dynamic axis is traced at size 2: torch.export specialises a size-1 axis to a constant.
    shapes = [tuple(2 if axis in i.dynamic and size == 1 else size
                    for axis, size in enumerate(i.shape)) for i in spec.inputs]
    examples = tuple(
        torch.zeros(shape, dtype=torch.int64) if i.dtype == "int64"
        else torch.randn(shape, generator=torch.Generator().manual_seed(0))
        for i, shape in zip(spec.inputs, shapes))
    dynamic_axes = {i.name: dict(i.dynamic) for i in spec.inputs}
    batch_axis = {0: "batch"} if any(0 in i.dynamic for i in spec.inputs) else {}
    dynamic_axes[spec.output] = {**batch_axis, **(
        {2: "out_height", 3: "out_width"} if any(2 in i.dynamic for i in spec.inputs) else {})}
    meta = metadata_for(model, spec)
    target = Path(out).expanduser()
    if target.exists() and not overwrite:
        raise GanzooError(f"{target} already exists; pass --force to overwrite it or choose "
                          f"another --out")

    def write(temp: Path) -> None:
        quiet = logging.getLogger("torch.onnx")  # "torchvision is not installed" is not news
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's internal deprecation chatter
            # torch.export-based exporter: it covers ops the TorchScript one lacks (atanh,
            # group_norm over a dynamic channel count) and checks the dynamic axes it is given.
            program = torch.onnx.export(module, examples, input_names=[i.name for i in spec.inputs],
                                        output_names=[spec.output], dynamic_axes=dynamic_axes,
                                        opset_version=OPSET, dynamo=True, verbose=False,
                                        optimize=True)
        quiet.setLevel(level)
        graph = program.model_proto
        onnx.helper.set_model_props(graph, meta)
        onnx.checker.check_model(graph)
        onnx.save(graph, str(temp))

    return write_atomic(target, write, overwrite=overwrite)


def read_metadata(path: str | Path) -> dict[str, str]:
    """The ``metadata_props`` of an ONNX file as a dict (needs only the onnx package)."""
    onnx = require_onnx()
    graph = onnx.load(str(path), load_external_data=False)
    return {prop.key: prop.value for prop in graph.metadata_props}
