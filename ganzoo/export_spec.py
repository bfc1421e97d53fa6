"""What a variant hands ``ganzoo export``: the network to export and its graph inputs.

`GANModel.export_module` returns an `ExportSpec`. The default (`default_export_spec`) covers a
single-generator image model (input ``image``, dynamic batch/height/width, in the network's value
range) and a single-generator noise model (input ``z``, dynamic batch). A variant whose generator
takes more (a class label, codes, a direction) overrides ``export_module`` and wraps its
network(s) in a small module whose arguments are the graph inputs, one `ExportInput` each.

The spec travels into the ONNX file's metadata (`ganzoo.onnx_export`), so a runtime without
ganzoo knows how to fill every input: ``fill`` says how ganzoo's own onnxruntime sampler
draws an input the user does not give with ``--cond`` (``normal``: standard normal noise;
``randint:LOW:HIGH``: uniform integers in [LOW, HIGH); ``uniform:LOW:HIGH``; ``image``: the
picture being translated).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .catalog import IMAGE_TASKS
from .errors import GanzooError

if TYPE_CHECKING:
    from torch import nn

FILLS = ("image", "normal", "randint", "uniform")


@dataclass(frozen=True)
class ExportInput:
    """One graph input.

    Args:
        name: the input's name in the graph; a conditioning key of the same name
            (``--cond name=VALUE``) sets it when sampling.
        shape: the example shape traced (batch first).
        dtype: ``float32`` or ``int64``.
        dynamic: axis → symbolic name, e.g. ``{0: "batch", 2: "height", 3: "width"}``.
        fill: how a sampler draws it when not given (see the module docstring).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str = "float32"
    dynamic: dict[int, str] = field(default_factory=lambda: {0: "batch"})
    fill: str = "normal"

    def __post_init__(self) -> None:
        if self.dtype not in ("float32", "int64"):
            raise ValueError(f"export input {self.name!r}: dtype must be float32 or int64")
        if self.fill.split(":", 1)[0] not in FILLS:
            raise ValueError(f"export input {self.name!r}: fill must start with one of "
                             f"{', '.join(FILLS)}, got {self.fill!r}")

    def describe(self) -> dict[str, Any]:
        """JSON-ready description stored in the ONNX metadata."""
        return {**asdict(self), "shape": list(self.shape),
                "dynamic": {str(axis): name for axis, name in self.dynamic.items()}}


@dataclass
class ExportSpec:
    """A network ready for export: ``module(*inputs) -> output`` in the network's range.

    Args:
        module: an ``nn.Module`` whose forward takes the inputs in order.
        inputs: one `ExportInput` per forward argument.
        output: the output's name in the graph.
        metadata: extra key → text pairs for the file (e.g. the direction it translates).
    """

    module: nn.Module
    inputs: tuple[ExportInput, ...]
    output: str = "output"
    metadata: dict[str, str] = field(default_factory=dict)


def example_side(multiple: int, min_size: int) -> int:
    """An odd-looking example side the network accepts: exports must not bake in a size."""
    side = max(min_size, 3 * multiple, 24)
    return side + (-side) % multiple


def default_export_spec(model: Any, **conditioning: Any) -> ExportSpec:
    """The export of a single-generator model (see the module docstring)."""
    name = type(model).__name__
    if type(model).conditioning or conditioning:
        raise GanzooError(f"{name} takes conditioning ({', '.join(k.name for k in type(model).conditioning)})"
                          f" but its plugin does not say how to export it; the plugin must "
                          f"implement GANModel.export_module")
    network = getattr(model, model.generator_names[0])
    if model.task in IMAGE_TASKS:
        facts = model.preprocessing()
        channels = int(facts.get("in_channels", facts.get("channels", 3)))
        side = example_side(int(getattr(network, "size_multiple", 1)),
                            int(getattr(network, "min_size", 1)))
        image = ExportInput("image", (1, channels, side, side),
                            dynamic={0: "batch", 2: "height", 3: "width"}, fill="image")
        return ExportSpec(network, (image,))
    latent_dim = int(getattr(network, "latent_dim", 0))
    if latent_dim <= 0:
        raise GanzooError(f"{name}'s generator declares no latent_dim, so ganzoo cannot tell its "
                          f"input; the plugin must implement GANModel.export_module")
    return ExportSpec(network, (ExportInput("z", (1, latent_dim)),))
