"""One training iteration through the one Trainer runs, trains every network, and is seeded."""

from __future__ import annotations

from .example_inputs import ExampleDataset
from .subject import Subject

_BATCH = 4


def train_one_iteration(model, seed: int = 0) -> dict:
    """One iteration of ``model``'s schedule with `ganzoo.train.Trainer`, in memory, on CPU."""
    from ..train import TrainConfig, Trainer

    config = TrainConfig(steps=1, batch_size=_BATCH, seed=seed, device="cpu", ema_decay=0.0,
                         sample_every=0, checkpoint_every=0, log_every=1, preview_count=_BATCH)
    return Trainer(model, ExampleDataset(model, 2 * _BATCH), config).fit()


def check_training_step(subject: Subject) -> None:
    """One Trainer iteration on a tiny batch gives finite losses and changes every network;
    the same seed gives the same weights; previews are images in [0, 1] (or points)."""
    import torch

    model = subject.build(seed=0)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    problems: list[str] = []
    hooks = [getattr(model, name).register_forward_hook(_output_watch(name, problems))
             for name in (*model.generator_names, *model.discriminator_names)]
    try:
        summary = train_one_iteration(model)
    except ValueError as exc:  # the kit cannot build an item: a declaration is missing
        raise subject.fail("check_training_step", str(exc), "declare it (see ganzoo.testing."
                           "example_inputs)") from None
    except Exception as exc:
        raise subject.fail("check_training_step", f"one Trainer iteration on a batch of {_BATCH} "
                           f"raised {type(exc).__name__}: {exc}",
                           "make the steps accept the batches the task's datasets yield, or "
                           "declare example_item() (see docs/plugins.md)") from None
    finally:
        for hook in hooks:
            hook.remove()
    if problems:
        raise subject.fail("check_training_step", problems[0], "return one float tensor per "
                           "input item (raw scores for discriminators, no sigmoid) and keep "
                           "the batch dimension first")
    bad = {k: v for k, v in summary["losses"].items()
           if k != "step" and not torch.isfinite(torch.tensor(float(v)))}
    if bad:
        raise subject.fail("check_training_step", f"non-finite logged loss(es) {bad}",
                           "check the losses on a fresh model (log of zero, division by zero)")
    after = model.state_dict()
    for name in (*model.generator_names, *model.discriminator_names):
        keys = [k for k in before if k.startswith(f"{name}.") and before[k].is_floating_point()]
        if keys and all(torch.equal(before[k], after[k]) for k in keys):
            raise subject.fail("check_training_step", f"network '{name}' did not change in one "
                               f"iteration", f"give the optimizer of its role the parameters of "
                               f"self.{name} and let that role's loss depend on them")
    again = subject.build(seed=0)
    train_one_iteration(again)
    for key, value in again.state_dict().items():
        if not torch.equal(value, after[key]):
            raise subject.fail("check_training_step", f"two runs with the same seed differ in "
                               f"{key} after one iteration", "draw training noise from torch's "
                               "global generator (the Trainer seeds it), never from time or "
                               "os.urandom")
    _check_preview(subject, model)
    if subject.task == "unconditional":
        _check_bare_image_batches(subject, model)


def _output_watch(name: str, problems: list[str]):
    """A forward hook recording outputs that are not finite float tensors batched like the
    input (a discriminator may pack several samples into one score, as PacGAN does)."""
    import torch

    def hook(module, inputs, output) -> None:
        first = next((x for x in inputs if isinstance(x, torch.Tensor)), None)
        for out in output if isinstance(output, (tuple, list)) else (output,):
            if not isinstance(out, torch.Tensor) or not out.is_floating_point():
                problems.append(f"network '{name}' returned {type(out).__name__} "
                                f"{getattr(out, 'dtype', '')}, not a float tensor")
            elif out.dim() == 0 or (first is not None and first.dim() > 0 and
                                    (out.shape[0] == 0 or first.shape[0] % out.shape[0])):
                problems.append(f"network '{name}' mapped a batch of "
                                f"{tuple(first.shape) if first is not None else '?'} to "
                                f"{tuple(out.shape)}: its first dimension is not the batch")
            elif not torch.isfinite(out.detach()).all():
                problems.append(f"network '{name}' returned NaN or Inf on a fresh model")

    return hook


def _check_preview(subject: Subject, model) -> None:
    import torch
    from torch.utils.data import default_collate

    dataset = ExampleDataset(model, _BATCH)
    first = default_collate([dataset[i] for i in range(len(dataset))])
    fixed = model.preview_inputs(first, _BATCH, torch.Generator().manual_seed(0))
    out = model.eval().preview(fixed)
    model.train()
    if subject.task == "toy":
        ok = out.dim() == 2 and out.shape[1] == 2
    else:
        ok = out.dim() == 4 and out.min() >= 0 and out.max() <= 1
    if not ok:
        raise subject.fail("check_training_step", f"preview(preview_inputs(...)) gave shape "
                           f"{tuple(out.shape)}, range [{out.min():.3g}, {out.max():.3g}]",
                           "override preview_inputs/preview to return images (N, C, H, W) in "
                           "[0, 1] (points (N, 2) for toy data)")


def _check_bare_image_batches(subject: Subject, model) -> None:
    """Unconditional variants also train on ``folder:PATH``, whose batches are bare images."""
    import torch

    images = torch.stack([ExampleDataset(model, _BATCH)[i][0] for i in range(_BATCH)])
    try:
        model.discriminator_step(images)
        model.generator_step(images)
    except Exception as exc:
        raise subject.fail("check_training_step", f"a batch of bare images (N, C, H, W), as "
                           f"`--data folder:PATH` yields, raised {type(exc).__name__}: {exc}",
                           "accept both [images, labels] and a bare image tensor") from None
