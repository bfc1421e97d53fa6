"""Scores of a zoo model, computed by the benchmarks' code so a shipped model is judged exactly
like a benchmark run (a recipe's ``evaluate`` names which); numbers rounded as its card shows them.
Every image model also gets KID and FID (`ganzoo_benchmarks.distribution_scores`, which says
against what); the toy 2-D mixtures are not images and keep their mode counts."""

from __future__ import annotations

import numpy as np

#: What a recipe's ``evaluate`` may name.
EVALUATIONS = ("grade", "deblur", "sr", "cgan", "infogan", "dcgan", "modes", "photo-crops")


def score(recipe: dict, model) -> dict:
    """The recipe's ``evaluate`` metrics for ``model``, on one torch thread."""
    import torch

    torch.set_num_threads(1)
    kind = recipe["evaluate"]
    if kind == "grade":
        return grade_scores(model, recipe["grade"])
    if kind == "deblur":
        return deblur_scores(model)
    if kind == "sr":
        return super_resolution_scores(model)
    if kind in ("cgan", "infogan", "dcgan"):
        return digits_scores(model, kind)
    if kind == "modes":
        return mixture_scores(model, recipe["data"])
    if kind == "photo-crops":
        return photo_crop_scores(model)
    raise ValueError(f"recipe names unknown evaluation {kind!r}; choose from "
                     f"{', '.join(EVALUATIONS)}")


def grade_scores(model, kind: str) -> dict:
    """The colour-grade task's test photos translated A→B, next to identity."""
    from .budget_training import translate_all
    from .colour_grades import grade
    from .distribution_scores import photo_distribution_scores
    from .image_scores import score as image_score
    from .photos import SPLITS, load_photo

    test = [load_photo(n) for n in SPLITS["test"]]
    truths = [grade(p, kind) for p in test]
    outputs = translate_all(model, test, direction="AtoB")
    ours = image_score(outputs, truths)
    base = image_score(test, truths)
    return {"psnr_db": round(ours["psnr"], 2), "ssim": round(ours["ssim"], 3),
            "identity_psnr_db": round(base["psnr"], 2),
            "test_photos": ", ".join(SPLITS["test"]),
            **photo_distribution_scores(outputs, truths, "the graded held-out photos")}


def deblur_scores(model) -> dict:
    """The deblur task's test photos, next to the blurred input."""
    from .budget_training import translate_all
    from .distribution_scores import photo_distribution_scores
    from .image_scores import score as image_score
    from .photos import SPLITS, load_photo
    from .translation_tasks import blur

    test = [load_photo(n) for n in SPLITS["test"]]
    inputs = [blur(p) for p in test]
    outputs = translate_all(model, inputs)
    ours = image_score(outputs, test)
    base = image_score(inputs, test)
    return {"psnr_db": round(ours["psnr"], 2), "ssim": round(ours["ssim"], 3),
            "sharpness": round(ours["sharpness"], 3),
            "blurred_input_psnr_db": round(base["psnr"], 2),
            "test_photos": ", ".join(SPLITS["test"]),
            **photo_distribution_scores(outputs, test, "the sharp held-out photos")}


def super_resolution_scores(model) -> dict:
    """The ×4 benchmark's held-out photos, next to bicubic."""
    from .distribution_scores import tile_distribution_scores
    from .super_resolution_eval import evaluate, interpolation, pair_scores, photos, upscaled

    _, test = photos()
    pairs = upscaled(model.translate, test)
    ours = pair_scores(pairs)
    base = evaluate(interpolation("bicubic"), test)
    return {"psnr_y_db": round(ours["psnr"], 2), "ssim_y": round(ours["ssim"], 3),
            "sharpness": round(ours["sharpness"], 4),
            "sharpness_ground_truth": round(ours["sharpness_gt"], 4),
            "bicubic_psnr_y_db": round(base["psnr"], 2),
            "test_photos": ", ".join(test),
            **tile_distribution_scores([sr[0] for sr, _ in pairs], [hr[0] for _, hr in pairs],
                                       "the held-out photos")}


def digits_scores(model, kind: str) -> dict:
    """Digits models judged by a classifier trained on real digits (``ceiling``: its accuracy
    on real test digits)."""
    from ganzoo.data.digits import Digits
    from ganzoo.metrics.classifier import (evaluate_label_conditional, fit_real_classifier,
                                           stratified_split)
    from ganzoo_infogan.code_accuracy import evaluate_categorical_code

    digits = Digits()
    split = stratified_split(digits.images, digits.labels, seed=0)
    judge = fit_real_classifier(split, seed=0)
    if kind == "cgan":
        found = evaluate_label_conditional(model, split, judge, seed=0)
    elif kind == "infogan":
        found = evaluate_categorical_code(model, judge, model.config.num_categories,
                                          n=1000, seed=0)
        found.pop("mapping", None)
    else:
        found = class_coverage(judge.predict(model.sample(1000, seed=0)))
    from .distribution_scores import digits_distribution_scores

    out = {k: v if isinstance(v, int) else round(float(v), 4) for k, v in found.items()
           if isinstance(v, (int, float))}
    out.setdefault("ceiling", round(float(judge.ceiling), 4))  # the judge on real test digits
    return {**out, **digits_distribution_scores(model)}


def photo_crop_scores(model, n: int = 500) -> dict:
    """A model of the small photo set: KID/FID of ``n`` samples against ``n`` held-out crops,
    exactly as ``benchmarks/small_data.py`` scores its runs."""
    import tempfile
    from pathlib import Path

    from .distribution_scores import folder_distribution_scores
    from .small_photo_set import reference_label, reference_set

    size = model.config.image_size
    with tempfile.TemporaryDirectory() as work:
        return folder_distribution_scores(model, reference_set(Path(work), size), n,
                                          reference_label(n, size))


def class_coverage(predicted: np.ndarray, classes: int = 10) -> dict:
    """How evenly unconditional samples cover the classes the judge ``predicted`` for them:
    classes holding at least 2 % of the samples, and the class-balance entropy (1.0 when all
    ``classes`` are equally frequent, near 0 for a collapsed generator)."""
    counts = np.bincount(predicted, minlength=classes) / len(predicted)
    present = counts[counts > 0]
    return {"classes_covered": int((counts >= 0.02).sum()),
            "class_balance_entropy": float(-(present * np.log(present)).sum() / np.log(classes))}


def mixture_scores(model, data: str) -> dict:
    """Toy 2-D mixtures: modes captured, % high-quality samples, reverse KL."""
    from ganzoo.data.spec import load_dataset
    from ganzoo.metrics.modes import evaluate_mixture_model

    found = evaluate_mixture_model(model, load_dataset(data), seed=0)
    return {"modes_captured": f"{found['modes']}/{found['total_modes']}",
            "high_quality_percent": round(float(found["high_quality"]), 2),
            "reverse_kl": round(float(found["reverse_kl"]), 4)}
