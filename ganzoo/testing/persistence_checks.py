"""Save → published layout → load gives back the same model, outputs included."""

from __future__ import annotations

import tempfile

from .example_inputs import NOISE_TASKS, example_images
from .subject import Subject


def _perturb(model) -> None:
    """Move every float tensor away from its initial value, so a loader that silently keeps
    freshly initialised weights cannot pass."""
    import torch

    generator = torch.Generator().manual_seed(99)
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.is_floating_point():
                noise = torch.rand(tensor.shape, generator=generator, dtype=tensor.dtype)
                tensor.add_(0.01 * noise)


def check_save_load_round_trip(subject: Subject) -> None:
    """``save_pretrained`` then ``load_pretrained_folder`` reproduces weights and outputs."""
    import torch

    from ..layout import load_pretrained_folder, read_config, save_pretrained

    model = subject.build()
    _perturb(model)
    model.eval()
    with tempfile.TemporaryDirectory(prefix="ganzoo-conformance-") as folder:
        save_pretrained(model, folder, card={"license": "apache-2.0"})
        config = read_config(folder)
        if config["variant"] != subject.name or config.get("task") != subject.task:
            raise subject.fail("check_save_load_round_trip", f"config.json says variant "
                               f"{config['variant']!r}, task {config.get('task')!r}",
                               "build models with ganzoo.building.build_model")
        loaded = load_pretrained_folder(folder)
    if type(loaded) is not type(model):
        raise subject.fail("check_save_load_round_trip", f"loading gave a "
                           f"{type(loaded).__name__}", "register the class that is saved")
    original = model.state_dict()
    for name in (*model.generator_names, *model.discriminator_names):
        for key, value in getattr(loaded, name).state_dict(prefix=f"{name}.").items():
            if not torch.equal(value, original[key]):
                raise subject.fail("check_save_load_round_trip", f"{key} differs after "
                                   f"loading", "keep every weight in the listed networks' "
                                   "state dicts (parameters or persistent buffers)")
    if subject.task in NOISE_TASKS:
        same = torch.equal(model.sample(2, seed=5), loaded.sample(2, seed=5))
    else:
        x = example_images(model, 2)
        same = torch.equal(model.translate(x), loaded.translate(x))
    if not same:
        raise subject.fail("check_save_load_round_trip", "the loaded model's outputs differ "
                           "from the saved model's", "derive all state that affects outputs "
                           "from Config or from the saved networks")
