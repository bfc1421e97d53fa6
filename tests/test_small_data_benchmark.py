"""The small-data benchmark's pieces (`ganzoo_benchmarks.small_photo_set`, `recipe_runs`, the
table of ``benchmarks/small_data.py``): the photo crops, runs with the CLI's recipe, scoring."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganzoo_benchmarks.small_photo_set import (MARKER, REFERENCE_SEED, TRAIN_SEED,
                                               write_small_photo_set)

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _pixels(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p)) for p in sorted(folder.glob("crop_*.png"))]


def test_photo_set_is_count_crops_at_size_and_rebuilds_identically(tmp_path):
    first = write_small_photo_set(tmp_path / "a", 12, 16, TRAIN_SEED)
    again = write_small_photo_set(tmp_path / "b", 12, 16, TRAIN_SEED)
    crops = _pixels(first)
    assert len(crops) == 12 and all(c.shape == (16, 16, 3) and c.dtype == np.uint8 for c in crops)
    assert all((x == y).all() for x, y in zip(crops, _pixels(again)))
    assert len({c.tobytes() for c in crops}) == 12  # no crop twice


def test_reference_crops_are_not_training_crops(tmp_path):
    train = {c.tobytes() for c in _pixels(write_small_photo_set(tmp_path / "t", 40, 16,
                                                                TRAIN_SEED))}
    reference = {c.tobytes() for c in _pixels(write_small_photo_set(tmp_path / "r", 40, 16,
                                                                    REFERENCE_SEED))}
    assert not train & reference


def test_photo_set_is_reused_rewritten_or_refused_but_never_deletes_other_files(tmp_path):
    folder = write_small_photo_set(tmp_path / "set", 5, 8, 0)
    stamp = (folder / "crop_00000.png").stat().st_mtime_ns
    write_small_photo_set(folder, 5, 8, 0)  # the same set: reused, not rewritten
    assert (folder / "crop_00000.png").stat().st_mtime_ns == stamp
    write_small_photo_set(folder, 3, 8, 0)  # another set: the old crops go
    assert len(list(folder.glob("crop_*.png"))) == 3
    assert json.loads((folder / MARKER).read_text())["count"] == 3
    (folder / "mine.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="mine.txt"):
        write_small_photo_set(folder, 4, 8, 0)
    assert (folder / "mine.txt").read_text() == "keep"
    assert len(list(folder.glob("crop_*.png"))) == 3


def test_recipe_run_trains_what_the_cli_resolves_and_scores_against_a_folder(tmp_path):
    """A real (tiny) run: the preset, --set values and the data's shape reach the model, the
    step count is the one asked for, and the scores are KID/FID of the asked N."""
    from ganzoo_benchmarks.distribution_scores import folder_distribution_scores
    from ganzoo_benchmarks.recipe_runs import train_recipe

    data = write_small_photo_set(tmp_path / "train", 16, 16, TRAIN_SEED)
    model, timing = train_recipe("dcgan", f"folder:{data}", seed=3, threads=1, steps=3,
                                 preset="small", sets={"image_size": 16, "ngf": 8, "ndf": 8,
                                                       "batch_size": 4,
                                                       "diffaugment": "translation",
                                                       "ada_target": 0.6})
    assert timing["steps"] == 3 and timing["cpu_s"] > 0
    assert 0.0 <= timing["ada_p"] <= 1.0  # the '+ada' rows report where p ended
    config = model.config
    assert (config.image_size, config.channels, config.ngf) == (16, 3, 8)
    assert tuple(model.sample(2, seed=0).shape) == (2, 3, 16, 16)
    reference = write_small_photo_set(tmp_path / "reference", 10, 16, REFERENCE_SEED)
    scores = folder_distribution_scores(model, reference, 10, "ten crops")
    assert scores["fid_kid_n"] == 10 and scores["fid"] > 0
    assert scores["fid_kid_reference"] == "ten crops"


def test_small_data_table_marks_seeds_and_averages_each_setting():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from small_data import table
    finally:
        sys.path.remove(str(BENCHMARKS))
    rows = [{"variant": "dcgan", "images": 100, "augment": a, "seed": s, "steps": 10,
             "cpu_s": 1.0, "kid": k, "kid_std": 0.001, "fid": f}
            for a, s, k, f in [("none", 0, 0.10, 50.0), ("none", 5, 0.20, 70.0),
                               ("color", 0, 0.05, 40.0)]]
    text = table(rows, tuned={0})
    assert "0 tuned" in text and "5 unseen" in text
    summary = text.split("\n\n")[1].splitlines()
    assert summary[1].split()[:4] == ["dcgan", "100", "color", "1"]
    none = summary[2].split()
    assert none[:4] == ["dcgan", "100", "none", "2"]
    assert none[4] == "0.1500" and none[6] == "0.0500" and none[7] == "60.00"


def test_zoo_photo_crops_are_the_benchmarks_training_set(tmp_path):
    """dcgan-photos32's recipe trains on exactly the benchmark's crops (its card's numbers are
    a benchmark run's); without a count and size it is refused in one line."""
    from ganzoo_benchmarks.small_photo_set import training_set
    from ganzoo_benchmarks.zoo_data import prepare_data

    folder = prepare_data("photo-crops", tmp_path / "zoo", images=6, size=8)
    same = training_set(tmp_path / "bench", 6, 8)
    assert [c.tobytes() for c in _pixels(folder)] == [c.tobytes() for c in _pixels(same)]
    with pytest.raises(ValueError, match="images: and image_size:"):
        prepare_data("photo-crops", tmp_path / "zoo")
