"""Tiny inputs for the checks: what `sample`/`translate` are called with and what a training
batch looks like for each task.

Items follow the core datasets: a point ``(2,)`` for ``toy`` (the ring8/grid25 mixtures);
``(image (C, S, S) in [0, 1], label)`` for ``unconditional`` and ``conditional`` (like
``digits``); ``(input, target)`` images in [0, 1] for ``image-to-image`` and
``super-resolution`` (``sr:PATH`` yields ``(lr, hr)``). A variant trained on another item
format overrides `ganzoo.GANModel.example_item` to return one item.

Sizes: noise tasks read ``channels`` and ``image_size`` from ``preprocessing()`` or the Config.
Image tasks use the variant's ``test_input_size`` ClassVar when it declares one (e.g. a U-Net
that needs 256×256), else 32×32 (image-to-image) or 16×16 (super-resolution); their channels
come from ``preprocessing()`` (``in_channels`` or ``channels``), else 3.
"""

from __future__ import annotations

NOISE_TASKS = ("unconditional", "conditional", "toy")
DEFAULT_INPUT_SIZE = {"image-to-image": 32, "super-resolution": 16}


def _declared(model, *keys: str):
    pre = model.preprocessing()
    for key in keys:
        for source in (pre, vars(model.config) if hasattr(model.config, "__dict__") else {}):
            if source.get(key) is not None:
                return source[key]
    return None


def input_channels(model) -> int:
    return int(_declared(model, "in_channels", "channels") or 3)


def output_channels(model) -> int:
    return int(_declared(model, "out_channels", "channels") or 3)


def output_scale(model) -> int:
    return int(model.preprocessing().get("scale") or 1)


def input_size(model) -> int:
    return int(type(model).test_input_size or DEFAULT_INPUT_SIZE[model.task])


def image_shape(model) -> tuple[int, int, int]:
    """``(C, S, S)`` of a noise-driven variant's images, as it declares them."""
    channels, size = _declared(model, "channels"), _declared(model, "image_size")
    if channels is None or size is None:
        raise ValueError("preprocessing() (or Config) must declare 'channels' and 'image_size'")
    return int(channels), int(size), int(size)


def example_images(model, n: int = 2, seed: int = 0):
    """Random float32 inputs ``(n, C, S, S)`` in [0, 1] for an image-task ``model``."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    size = input_size(model)
    return torch.rand(n, input_channels(model), size, size, generator=generator)


def run_inference(model, n: int = 2, seed: int = 0, inputs=None):
    """The public inference call of the model's task: ``sample`` or ``translate``."""
    if model.task in NOISE_TASKS:
        return model.sample(n, seed=seed)
    return model.translate(example_images(model, n, seed) if inputs is None else inputs)


def example_item(model, index: int, generator):
    """One training item for ``model``'s task (see the module docstring)."""
    import torch

    custom = model.example_item(index, generator)
    if custom is not None:
        return custom
    if model.task == "toy":
        return torch.randn(2, generator=generator) * 2
    if model.task in ("unconditional", "conditional"):
        classes = int(_declared(model, "num_classes") or 10)
        return torch.rand(image_shape(model), generator=generator), torch.tensor(index % classes)
    size, scale = input_size(model), output_scale(model)
    source = torch.rand(input_channels(model), size, size, generator=generator)
    target = torch.rand(output_channels(model), size * scale, size * scale, generator=generator)
    return source, target


class ExampleDataset:
    """A map-style dataset of ``length`` seeded example items for ``model``."""

    def __init__(self, model, length: int = 8, seed: int = 0):
        import torch

        generator = torch.Generator().manual_seed(seed)
        self.items = [example_item(model, i, generator) for i in range(length)]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        return self.items[index]
