"""Runs that locate what limits the colour-grade score (the translation benchmark's
``--diagnose`` and ``--splits``), some using what an unpaired method must not see. What they
found: ``docs/experiments/translation_quality.md``."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from .budget_training import translate_all
from .colour_grades import grade, ungrade
from .colour_transport import colour_distance, colour_matched_split, colour_transport, halves
from .image_scores import score
from .photos import SPLITS, load_photo
from .translation_tasks import GRADE_CYCLEGAN, cyclegan_row, trained_row, write_grade_photos

#: Paired L1 steps that pre-fit CycleGAN's generators to the hidden grade.
TRUTH_FIT_STEPS = 400
#: The colour-grade CycleGAN with a per-pixel discriminator, which judges colours only.
PIXEL_D = {**GRADE_CYCLEGAN, "netD": "pixel"}


def fit_to_truth(model, kind: str, steps: int = TRUTH_FIT_STEPS, side: int = 32,
                 batch: int = 8) -> None:
    """Pre-fit CycleGAN's generators to the hidden grade (A→B) and its inverse (B→A) with paired
    L1 on random crops of the training photos. Diagnostic only: it uses the ground truth that
    an unpaired method never sees, to ask whether CycleGAN's training keeps the true grade."""
    rng = np.random.default_rng(0)
    photos_a = [load_photo(n) for n in SPLITS["grade_train_A"]]
    graded_b = [grade(load_photo(n), kind) for n in SPLITS["grade_train_B"]]

    def crops(photos: list[np.ndarray]) -> np.ndarray:
        picked = []
        for _ in range(batch):
            photo = photos[rng.integers(len(photos))]
            top, left = rng.integers(photo.shape[0] - side), rng.integers(photo.shape[1] - side)
            picked.append(photo[top:top + side, left:left + side])
        return np.stack(picked)

    def tensor(images: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2) * 2 - 1

    generators = (model.generator_ab, model.generator_ba)
    optimizer = torch.optim.Adam([p for g in generators for p in g.parameters()], lr=1e-3)
    for _ in range(steps):
        a, b = crops(photos_a), crops(graded_b)
        loss = ((model.generator_ab(tensor(a)) - tensor(grade(a, kind))).abs().mean()
                + (model.generator_ba(tensor(b)) - tensor(ungrade(b, kind))).abs().mean())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def grade_diagnostics(root: Path, minutes: float, max_steps: int, data: str, test, truths,
                      kind: str):
    """Rows answering:

    * does CycleGAN's training keep the true grade when it starts there (paired L1 pre-fit)?
    * what can matching colour distributions alone recover (`colour_transport`, no network),
      on this split and on the colour-matched one (`colour_matched_split`)?
    * does CycleGAN find the grade when both collections hold the same photos (crops still
      drawn independently), with the benchmark's PatchGAN and with a per-pixel
      discriminator, for this split's A photos and for the matched split's?
    * does CycleGAN (pixel discriminator) recover it on the colour-matched split?
    """
    from ganzoo.building import build_model

    task = "grade, diag."
    torch.manual_seed(0)
    fitted = build_model("cyclegan", GRADE_CYCLEGAN)
    began, began_cpu = time.perf_counter(), time.process_time()
    fit_to_truth(fitted, kind)
    fit_wall, fit_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    rows = [trained_row(task, f"paired L1 fit to the truth ({TRUTH_FIT_STEPS})", TRUTH_FIT_STEPS,
                        fit_wall, fit_cpu, translate_all(fitted.eval(), test, direction="AtoB"),
                        truths)]
    rows.append(cyclegan_row(task, "CycleGAN started from that fit", GRADE_CYCLEGAN, data,
                             minutes, max_steps, test, truths,
                             start=lambda m: m.load_state_dict(fitted.state_dict())))
    rows.append(colour_transport_row(task, "colour transport", SPLITS["grade_train_A"],
                                     SPLITS["grade_train_B"], test, truths, kind))

    def run(method: str, values: dict, folder: str, a_names, b_names) -> dict:
        photos = write_grade_photos(root / folder, a_names, b_names, kind)
        return cyclegan_row(task, method, values, photos, minutes, max_steps, test, truths)

    a_names = SPLITS["grade_train_A"]
    rows.append(run("CycleGAN, B = the A photos graded", GRADE_CYCLEGAN, "same", a_names, a_names))
    rows.append(run("  same, pixel discriminator", PIXEL_D, "same", a_names, a_names))
    matched_a, matched_b = colour_matched_split({name: load_photo(name) for name in
                                                 SPLITS["grade_train_A"] + SPLITS["grade_train_B"]})
    rows.append(colour_transport_row(task, "colour transport, matched split", matched_a,
                                     matched_b, test, truths, kind))
    rows.append(run("CycleGAN pixel D, B = matched A", PIXEL_D, "same-matched", matched_a,
                    matched_a))
    rows.append(run("CycleGAN pixel D, matched split", PIXEL_D, "matched", matched_a, matched_b))
    return rows


def colour_transport_row(task: str, method: str, a_names: list[str], b_names: list[str],
                         test, truths, kind: str, seeds: int = 5) -> dict:
    """`colour_transport` from photos ``a_names`` to graded ``b_names``, scores averaged over
    ``seeds`` draws of pixels and colour bases (on the benchmark split they spread by ~4 dB)."""
    a = [load_photo(n) for n in a_names]
    b = [grade(load_photo(n), kind) for n in b_names]
    began, began_cpu = time.perf_counter(), time.process_time()
    scores = [score(colour_transport(a, b, test, seed=seed), truths) for seed in range(seeds)]
    row = {key: float(np.mean([s[key] for s in scores])) for key in scores[0]}
    psnrs = [s["psnr"] for s in scores]
    return {"task": task, "method": method, "steps": 0, "wall_s": time.perf_counter() - began,
            "cpu_s": time.process_time() - began_cpu, **row,
            "note": f"PSNR {min(psnrs):.2f}-{max(psnrs):.2f} dB over {seeds} seeds; "
                    f"A = {', '.join(a_names)}; B = {', '.join(b_names)}"}


def split_survey(kind: str) -> tuple[float, list[tuple[float, float, list[str]]]]:
    """Over every split of the colour-grade photos into two halves: the colour distance of the
    ungraded halves and colour transport's (seed 0) PSNR gain over identity on the test photos.
    Returns (identity PSNR, rows (distance, gain dB, A names) sorted by distance)."""
    names = SPLITS["grade_train_A"] + SPLITS["grade_train_B"]
    photos = {name: load_photo(name) for name in names}
    test = [load_photo(n) for n in SPLITS["test"]]
    truths = [grade(p, kind) for p in test]
    identity = score(test, truths)["psnr"]
    rows = []
    for a_names, b_names in halves(names):
        a, b = [photos[n] for n in a_names], [photos[n] for n in b_names]
        outputs = colour_transport(a, [grade(p, kind) for p in b], test)
        rows.append((colour_distance(a, b), score(outputs, truths)["psnr"] - identity, a_names))
    rows.sort()
    return identity, rows
