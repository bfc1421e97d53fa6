"""Datasets: toy mixtures, digits, image folders, the --data spec, and the batch stream."""

import math

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.data.digits import digits
from ganzoo.data.image_folder import image_folder
from ganzoo.data.spec import load_dataset, parse_data_spec
from ganzoo.data.toy import grid25, ring8
from ganzoo.errors import GanzooError, UnknownNameError
from ganzoo.train.batches import BatchStream


def test_ring8_has_eight_distinct_centres_at_k_two_pi_over_eight():
    data = ring8(points=8000)
    centres = data.centres
    assert centres.shape == (8, 2)
    angles = torch.atan2(centres[:, 1], centres[:, 0]) % (2 * math.pi)
    expected = torch.arange(8) * 2 * math.pi / 8
    assert torch.allclose(angles.sort().values, expected, atol=1e-6)
    assert torch.allclose(centres.norm(dim=1), torch.ones(8), atol=1e-6)
    assert torch.cdist(centres, centres).add(torch.eye(8) * 9).min() > 0.7  # none repeated
    assert data.std == 0.01
    offsets = data.points - centres[torch.cdist(data.points, centres).argmin(1)]
    assert offsets.std().item() == pytest.approx(0.01, rel=0.05)


def test_grid25_centres_and_spread():
    data = grid25(points=25_000)
    assert data.centres.shape == (25, 2)
    assert sorted(set(data.centres[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert data.std == 0.05
    nearest = torch.cdist(data.points, data.centres).argmin(1)
    counts = torch.bincount(nearest, minlength=25)
    assert counts.min() > 800  # equal weights: ~1000 each
    assert (data.points - data.centres[nearest]).std().item() == pytest.approx(0.05, rel=0.05)


def test_toy_data_is_reproducible_and_points_are_items():
    a, b = grid25(points=100), grid25(points=100)
    assert torch.equal(a.points, b.points)
    assert torch.equal(a[3], a.points[3])
    assert a.get_batch(torch.tensor([1, 2])).shape == (2, 2)


def test_digits_items_and_single_class():
    data = digits()
    assert len(data) == 1797
    image, label = data[0]
    assert image.shape == (1, 8, 8) and 0.0 <= image.min() and image.max() <= 1.0
    assert int(label) == 0
    threes = digits("3")
    assert len(threes) > 150 and set(threes.labels.tolist()) == {3}
    with pytest.raises(GanzooError, match="one class 0-9"):
        digits("12")


def write_png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_image_folder_recursive_resize_crop_and_grayscale(tmp_path):
    rng = np.random.default_rng(0)
    write_png(tmp_path / "a.png", rng.integers(0, 255, (40, 60, 3), dtype=np.uint8))
    write_png(tmp_path / "sub" / "deeper" / "b.jpg", rng.integers(0, 255, (30, 30, 3), dtype=np.uint8))
    write_png(tmp_path / "gray.png", rng.integers(0, 255, (16, 16), dtype=np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    write_png(tmp_path / ".hidden" / "c.png", np.zeros((8, 8, 3), dtype=np.uint8))
    data = image_folder(str(tmp_path), image_size=16)
    assert [p.name for p in data.files] == ["a.png", "gray.png", "b.jpg"]
    for i in range(len(data)):
        item = data[i]
        assert item.shape == (3, 16, 16) and 0.0 <= item.min() and item.max() <= 1.0
    assert image_folder(str(tmp_path), image_size=8, channels=1)[0].shape == (1, 8, 8)
    assert data.config_hints == {"data_shape": [3, 16, 16], "channels": 3, "image_size": 16}


def test_image_folder_centre_crop_keeps_the_middle(tmp_path):
    array = np.zeros((10, 30, 3), dtype=np.uint8)
    array[:, 10:20] = 255  # white middle third
    write_png(tmp_path / "wide.png", array)
    item = image_folder(str(tmp_path), image_size=10)[0]
    assert item.mean().item() == pytest.approx(1.0, abs=0.02)


def test_image_folder_errors_name_the_fix(tmp_path):
    with pytest.raises(GanzooError, match="needs a path"):
        image_folder(None)
    with pytest.raises(GanzooError, match="no such folder"):
        image_folder(str(tmp_path / "missing"))
    with pytest.raises(GanzooError, match="no images under"):
        image_folder(str(tmp_path))


def test_data_spec_parsing_and_lookup():
    assert parse_data_spec("grid25") == ("grid25", None)
    assert parse_data_spec("folder:/x/y:z") == ("folder", "/x/y:z")
    assert len(load_dataset("ring8")) == 100_000
    with pytest.raises(UnknownNameError, match="unknown dataset 'nope'.*grid25"):
        load_dataset("nope")
    with pytest.raises(GanzooError, match="takes no argument"):
        load_dataset("grid25:3")
    with pytest.raises(GanzooError, match="--data needs a dataset"):
        parse_data_spec("")


def test_batch_stream_is_deterministic_resumable_and_sharded():
    data = ring8(points=100)
    first = BatchStream(data, 16, seed=5)
    seen = [first.next_indices() for _ in range(14)]  # 6 batches per epoch → 3 epochs
    again = BatchStream(data, 16, seed=5)
    assert all(torch.equal(a, again.next_indices()) for a in seen)
    epoch0 = torch.cat(seen[:6])
    assert len(set(epoch0.tolist())) == 96  # no repeats within an epoch
    assert not torch.equal(torch.cat(seen[6:12]), epoch0)  # reshuffled next epoch

    resumed = BatchStream(data, 16, seed=5)
    resumed.load_state({"epoch": 1, "position": 2})
    assert torch.equal(resumed.next_indices(), seen[8])

    shards = [BatchStream(data, 8, seed=5, rank=r, world_size=2) for r in (0, 1)]
    a = torch.cat([shards[0].next_indices() for _ in range(6)])
    b = torch.cat([shards[1].next_indices() for _ in range(6)])
    assert not set(a.tolist()) & set(b.tolist())
