"""Image sets drawn from a model and its dataset, for ``ganzoo evaluate MODEL --data SPEC``.

Generic over variants, through the public API only:

- **noise-driven** models (tasks ``unconditional``, ``conditional``): the generated set is
  ``model.sample(chunk, seed=seed + k)`` for chunk ``k`` of ``batch`` samples (default
  conditioning: a conditional model picks its own, e.g. every class in turn); the real set is the
  dataset's first ``n`` images (an item is an image, or a tuple whose first element is one).
- **image-to-image / super-resolution** models: each dataset item gives ``(input, target)``;
  the generated set is ``model.translate(input)``, the real set the targets. A variant whose
  items are not ``(input, target, ...)`` tuples says how to split them by overriding
  `ganzoo.GANModel.evaluation_pair`.

Images are produced one chunk at a time, so memory stays bounded at any ``n``.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..catalog import IMAGE_TASKS
from ..errors import GanzooError
from .image_sources import ImageSource

NOISE_TASKS = ("unconditional", "conditional")


def evaluation_dataset(model, spec: str):
    """The dataset of ``spec`` shaped for ``model`` (its size, channels, scale), unaugmented."""
    from ..data.spec import load_dataset, parse_data_spec
    from ..plugins import get_catalog

    # the options the variant declares its data needs, as `ganzoo train` passes them
    options: dict[str, Any] = type(model).data_options(model.config)
    options["augment"] = False  # evaluation sees the data as it is: no random flips/crops
    factory = get_catalog().get("dataset", parse_data_spec(spec)[0]).load()
    parameters = inspect.signature(factory).parameters.values()
    if not any(p.kind is p.VAR_KEYWORD for p in parameters):
        names = {p.name for p in parameters}
        options = {k: v for k, v in options.items() if k in names}
    return load_dataset(spec, **options)


def _image_of(item: Any, spec: str):
    if hasattr(item, "dim"):
        return item
    if isinstance(item, (tuple, list)) and item and hasattr(item[0], "dim"):
        return item[0]
    raise GanzooError(f"--data {spec}: items are {type(item).__name__}, not images; give a "
                      f"dataset of images for a noise-driven model")


def dataset_images(dataset, n: int, spec: str) -> ImageSource:
    """The first ``n`` images of a dataset of images (or ``(image, label)`` items)."""
    return ImageSource(n, lambda i: _image_of(dataset[i], spec).clamp(0, 1), f"--data {spec}")


class SampledImages(ImageSource):
    """``n`` samples of a noise-driven model, drawn ``chunk`` at a time (seed + chunk index)."""

    def __init__(self, model, n: int, *, seed: int, chunk: int, label: str):
        self.model, self.seed, self.chunk = model, seed, chunk
        self._cached: tuple[int, Any] | None = None
        super().__init__(n, self._sample, label)

    def _sample(self, index: int):
        import torch

        block = index // self.chunk
        if self._cached is None or self._cached[0] != block:
            size = min(self.chunk, self.count - block * self.chunk)
            with torch.no_grad():
                images = self.model.sample(size, seed=self.seed + block).detach().cpu()
            if images.dim() != 4:
                raise GanzooError(f"{self.label} draws {tuple(images.shape)[1:]}-shaped samples, "
                                  f"not images; FID/KID score image models")
            self._cached = (block, images)
        return self._cached[1][index - block * self.chunk]


def evaluation_pair(model, item: Any, spec: str):
    """``(input, target)`` of a dataset item for an image model (see the module docstring)."""
    pair = model.evaluation_pair(item)
    if pair is not None:
        return pair
    if (isinstance(item, (tuple, list)) and len(item) >= 2 and hasattr(item[0], "dim")
            and hasattr(item[1], "dim")):
        return item[0], item[1]
    raise GanzooError(f"--data {spec}: items are {type(item).__name__}; this model's variant "
                      f"does not say which part is the input and which the target (it needs "
                      f"to override GANModel.evaluation_pair); use a dataset of (input, target) pairs")


def translated_pairs(model, dataset, n: int, spec: str,
                     label: str) -> tuple[ImageSource, ImageSource]:
    """(targets, translated inputs) of the first ``n`` items, one image at a time."""
    import torch

    def target(i: int):
        return evaluation_pair(model, dataset[i], spec)[1].clamp(0, 1)

    def translated(i: int):
        source = evaluation_pair(model, dataset[i], spec)[0]
        with torch.no_grad():
            return model.translate(source[None].to(model.device))[0].detach().cpu()

    return (ImageSource(n, target, f"--data {spec} targets"),
            ImageSource(n, translated, label))


def model_sources(model, spec: str, *, n: int | None, seed: int, batch_size: int,
                  label: str, default_n: int) -> tuple[ImageSource, ImageSource]:
    """(real, generated) image sets for scoring ``model`` on ``--data spec``."""
    task = model.task
    if task not in NOISE_TASKS + IMAGE_TASKS:
        raise GanzooError(f"{label} is a {task} model; FID/KID score image models "
                          f"({', '.join(NOISE_TASKS + IMAGE_TASKS)})")
    dataset = evaluation_dataset(model, spec)
    available = len(dataset)
    count = min(n or default_n, available)
    if n is not None and n > available:
        raise GanzooError(f"--n {n}: --data {spec} holds only {available} items; use --n "
                          f"{available} or fewer")
    if task in IMAGE_TASKS:
        return translated_pairs(model, dataset, count, spec, label)
    return (dataset_images(dataset, count, spec),
            SampledImages(model, count, seed=seed, chunk=batch_size, label=label))
