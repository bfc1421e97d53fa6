"""The translation benchmark's two tasks, each a documented transformation of real photos with
its exact answer known:

* **deblur (pix2pix, paired)**: input = the photo under a Gaussian blur (`BLUR_SIGMA` px),
  target = the photo. pix2pix (residual U-Net-128 + conditional PatchGAN + 100·L1) next to the
  same U-Net trained with L1 only for the same number of steps (only the objective differs).
* **colour grade (CycleGAN, unpaired)**: B = photos under a hidden colour grade
  (`colour_grades`), A = *other* photos, so no training pair exists.

Why each setting of `DEBLUR_UNET` and `GRADE_CYCLEGAN`: ``docs/experiments/translation_quality.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .budget_training import train, translate_all
from .colour_grades import GRADES, grade
from .image_scores import score
from .photos import SPLITS, load_photo, save_photo

BLUR_SIGMA = 1.5
#: EMA of the generator weights used for evaluation (averages out the game's step-to-step jitter).
EMA_DECAY = 0.999
#: The U-Nets of the deblur task (pix2pix and its L1-only ablation).
DEBLUR_UNET = {"netG": "unet_128", "ngf": 16, "ndf": 16, "norm": "instance", "dropout": False,
               "image_size": 128, "lr": 5e-4, "residual": True, "lambda_gan": 0.03}
#: CycleGAN for the colour grade: the paper's objective without the identity term and with a
#: lighter cycle term, residual generators (logit space) without norm.
GRADE_CYCLEGAN = {"netG": "resnet_6blocks", "ngf": 16, "ndf": 32, "image_size": 32, "lr": 5e-4,
                  "lambda_identity": 0.0, "lambda_cycle": 3.0, "residual": True,
                  "residual_space": "logit", "norm": "none", "conv_bias": "always",
                  "init": "xavier", "init_gain": 1.0}


def blur(photo: np.ndarray) -> np.ndarray:
    """The deblur task's input: the photo under a Gaussian blur of `BLUR_SIGMA` pixels."""
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(photo, sigma=(BLUR_SIGMA, BLUR_SIGMA, 0), mode="reflect").astype(np.float32)


def trained_row(task: str, method: str, steps: int, wall: float, cpu: float, outputs,
                truths) -> dict:
    """One row of the benchmark's table: the run's size and the scores of its outputs (KID
    and FID on 128-px tiles of the held-out photos: `distribution_scores`)."""
    from .distribution_scores import photo_distribution_scores

    return {"task": task, "method": method, "steps": steps, "wall_s": wall, "cpu_s": cpu,
            **score(outputs, truths),
            **photo_distribution_scores(outputs, truths, "the held-out photos")}


def write_deblur_pairs(folder: Path) -> str:
    """Blurred | sharp training pairs side by side under ``folder``; the data spec to train on."""
    for name in SPLITS["deblur_train"]:
        photo = load_photo(name)
        save_photo(np.concatenate([blur(photo), photo], axis=1), folder / f"{name}.png")
    return f"paired:{folder}?image_size=128&preprocess=crop&repeat=16"


def deblur_task(root: Path, minutes: float, max_steps: int) -> list[dict]:
    """Identity, pix2pix and the L1-only U-Net on the deblur task's test photos."""
    data = write_deblur_pairs(root / "deblur")
    test = [load_photo(n) for n in SPLITS["test"]]
    inputs, truths = [blur(p) for p in test], test
    rows = [trained_row("deblur", "identity (blurred input)", 0, 0.0, 0.0, inputs, truths)]
    model, steps, wall, cpu = train("pix2pix", DEBLUR_UNET, data, minutes=minutes,
                                    max_steps=max_steps, batch_size=4, ema_decay=EMA_DECAY)
    rows.append(trained_row("deblur", "pix2pix (U-Net + 0.03 cGAN + 100 L1)", steps, wall, cpu,
                            translate_all(model, inputs), truths))
    model, steps, wall, cpu = train("pix2pix", {**DEBLUR_UNET, "lambda_gan": 0.0}, data,
                                    minutes=minutes, max_steps=max_steps, batch_size=4,
                                    steps=steps, ema_decay=EMA_DECAY)
    rows.append(trained_row("deblur", "U-Net, L1 only (baseline)", steps, wall, cpu,
                            translate_all(model, inputs), truths))
    return rows


def write_grade_photos(folder: Path, a_names: list[str], b_names: list[str],
                       kind: str = GRADES[0]) -> str:
    """trainA/ (photos) and trainB/ (photos under grade ``kind``) under ``folder``; the data
    spec to train on."""
    for side, names in (("trainA", a_names), ("trainB", b_names)):
        for name in names:
            photo = load_photo(name)
            save_photo(photo if side == "trainA" else grade(photo, kind),
                       folder / side / f"{name}.png")
    # 32-pixel crops: a per-pixel colour grade needs little context, and small crops buy steps.
    return f"unpaired:{folder}?image_size=32&preprocess=crop&repeat=16"


def cyclegan_row(task: str, method: str, values: dict, data: str, minutes: float,
                 max_steps: int, test, truths, start=None) -> dict:
    """Train the colour-grade CycleGAN ``values`` on ``data`` and score A→B on ``test``."""
    model, steps, wall, cpu = train("cyclegan", values, data, minutes=minutes, max_steps=max_steps,
                                    batch_size=2, ema_decay=EMA_DECAY, start=start)
    return trained_row(task, method, steps, wall, cpu,
                       translate_all(model, test, direction="AtoB"), truths)


def grade_task(root: Path, minutes: float, max_steps: int, diagnose: bool = False,
               kind: str = GRADES[0]) -> list[dict]:
    """Identity and CycleGAN on the colour-grade task's test photos (and, with ``diagnose``,
    the runs of `grade_diagnostics`)."""
    data = write_grade_photos(root / "grade", SPLITS["grade_train_A"], SPLITS["grade_train_B"],
                              kind)
    test = [load_photo(n) for n in SPLITS["test"]]
    truths = [grade(p, kind) for p in test]
    rows = [trained_row("colour grade", "identity (ungraded input)", 0, 0.0, 0.0, test, truths)]
    rows.append(cyclegan_row("colour grade", "CycleGAN (unpaired, ResNet-6)", GRADE_CYCLEGAN,
                             data, minutes, max_steps, test, truths))
    if diagnose:
        from .grade_diagnostics import grade_diagnostics

        rows += grade_diagnostics(root, minutes, max_steps, data, test, truths, kind)
    return rows
