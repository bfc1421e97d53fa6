"""The paired (pix2pix) and unpaired (CycleGAN) datasets: layouts, shared crops, clear errors."""

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.data.item_rng import DrawKey
from ganzoo_pix2pix.paired_data import PairedImages
from ganzoo.data.spec import load_dataset
from ganzoo_cyclegan.unpaired_data import UnpairedImages
from ganzoo.errors import GanzooError


def save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def coordinates(h, w):
    """An image whose pixels encode their own position: crops and flips are checkable."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 4 % 256, y * 4 % 256, np.full_like(x, 77)], -1).astype(np.uint8)


def test_side_by_side_pairs_share_crop_and_flip(tmp_path):
    a = coordinates(40, 48)
    b = 255 - a  # the target is the inverted input
    for i in range(3):
        save(tmp_path / "facades" / "train" / f"{i}.jpg", np.concatenate([a, b], 1))
    data = load_dataset(f"paired:{tmp_path / 'facades'}?image_size=24&preprocess=crop&flip=true")
    assert isinstance(data, PairedImages) and data.layout == "side-by-side" and len(data) == 3
    flips = 0
    for epoch in range(12):  # a fresh draw every epoch (`ganzoo.data.item_rng`)
        data.set_draw(DrawKey(seed=0, epoch=epoch, rank=0))
        item = data[0]
        assert item["A"].shape == item["B"].shape == (3, 24, 24)
        # same crop and flip on both sides: B stays the inverse of A (JPEG noise aside)
        assert (item["A"] + item["B"] - 1).abs().mean() < 0.03
        flips += bool(item["A"][0, 0, 0] > item["A"][0, 0, -1])
    assert 0 < flips < 12
    assert data.config_hints == {"channels_a": 3, "channels_b": 3, "image_size": 24}


def test_resize_and_crop_default_and_evaluation_crops(tmp_path):
    save(tmp_path / "p" / "x.png", np.concatenate([coordinates(64, 64), coordinates(64, 64)], 1))
    data = PairedImages(tmp_path / "p", image_size=32, augment=False)
    assert data.load_size == 36  # 286/256 of the crop, the reference ratio
    first, second = data[0], data[0]
    assert torch.equal(first["A"], second["A"]) and first["A"].shape == (3, 32, 32)
    resized = PairedImages(tmp_path / "p", image_size=16, preprocess="resize")[0]
    assert resized["B"].shape == (3, 16, 16)


def test_two_folders_matched_by_name_with_gray_side(tmp_path):
    for name in ("one", "two"):
        save(tmp_path / "A" / f"{name}.png", coordinates(20, 20))
        save(tmp_path / "B" / f"{name}.jpg", coordinates(20, 20)[..., 0])
    data = load_dataset(f"paired:{tmp_path}?image_size=16&channels_b=1")
    assert data.layout == "folders" and len(data) == 2
    item = data[1]
    assert item["A"].shape == (3, 16, 16) and item["B"].shape == (1, 16, 16)


def test_paired_errors_are_clear(tmp_path):
    save(tmp_path / "A" / "one.png", coordinates(8, 8))
    save(tmp_path / "A" / "two.png", coordinates(8, 8))
    save(tmp_path / "B" / "one.png", coordinates(8, 8))
    save(tmp_path / "B" / "three.png", coordinates(8, 8))
    with pytest.raises(GanzooError, match=r"unmatched pairs.*1 only in A/ \(e\.g\. two\).*three"):
        PairedImages(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(GanzooError, match="no images in .*empty"):
        PairedImages(tmp_path / "empty")
    (tmp_path / "splits" / "train").mkdir(parents=True)
    (tmp_path / "splits" / "val").mkdir()
    with pytest.raises(GanzooError, match="split"):
        PairedImages(tmp_path / "splits", split="test")
    with pytest.raises(GanzooError, match="no such folder"):
        PairedImages(tmp_path / "missing")
    save(tmp_path / "odd" / "x.png", coordinates(8, 9))
    with pytest.raises(GanzooError, match="not even"):
        PairedImages(tmp_path / "odd", image_size=4)[0]
    save(tmp_path / "sizes" / "A" / "x.png", coordinates(8, 8))
    save(tmp_path / "sizes" / "B" / "x.png", coordinates(9, 8))
    with pytest.raises(GanzooError, match="same size"):
        PairedImages(tmp_path / "sizes", image_size=4)[0]
    save(tmp_path / "small" / "x.png", coordinates(8, 16))
    with pytest.raises(GanzooError, match="smaller than the crop"):
        PairedImages(tmp_path / "small", image_size=16, preprocess="crop")[0]
    with pytest.raises(GanzooError, match="unknown option 'crop_size'"):
        load_dataset(f"paired:{tmp_path / 'small'}?crop_size=3")
    with pytest.raises(GanzooError, match="true or false"):
        load_dataset(f"paired:{tmp_path / 'small'}?flip=maybe")
    with pytest.raises(GanzooError, match="preprocess"):
        PairedImages(tmp_path / "small", preprocess="scale_width")


def test_unpaired_domains_are_drawn_independently(tmp_path):
    for i in range(5):
        save(tmp_path / "trainA" / f"a{i}.png", np.full((12, 14, 3), i * 10, np.uint8))
    for i in range(2):
        save(tmp_path / "trainB" / f"b{i}.png", np.full((12, 14), 200 + i * 10, np.uint8))
    save(tmp_path / "testA" / "t.png", np.zeros((12, 14, 3), np.uint8))
    save(tmp_path / "testB" / "t.png", np.zeros((12, 14, 3), np.uint8))
    data = load_dataset(f"unpaired:{tmp_path}?image_size=8&load_size=10&channels_b=1")
    assert isinstance(data, UnpairedImages) and len(data) == 5
    b_values = set()
    for epoch in range(20):
        data.set_draw(DrawKey(seed=0, epoch=epoch, rank=0))
        b_values.add(round(float(data[3]["B"].mean()) * 255))
    assert b_values == {200, 210}  # B is drawn at random, not tied to A's index
    assert round(float(data[3]["A"].mean()) * 255) == 30
    assert data[0]["B"].shape == (1, 8, 8)
    test = UnpairedImages(tmp_path, split="test", image_size=8, augment=False)
    assert len(test) == 1 and torch.equal(test[0]["A"], test[0]["A"])


def test_unpaired_errors_are_clear(tmp_path):
    with pytest.raises(GanzooError, match="trainA is missing"):
        UnpairedImages(tmp_path)
    (tmp_path / "trainA").mkdir()
    (tmp_path / "trainB").mkdir()
    save(tmp_path / "trainA" / "x.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(GanzooError, match="no images in .*trainB"):
        UnpairedImages(tmp_path)
    with pytest.raises(GanzooError, match="needs a folder"):
        load_dataset("unpaired")


def test_repeat_lists_each_image_several_times(tmp_path):
    save(tmp_path / "p" / "x.png", np.concatenate([coordinates(16, 16)] * 2, 1))
    data = load_dataset(f"paired:{tmp_path / 'p'}?image_size=8&preprocess=crop&repeat=5")
    assert len(data) == 5 and data[4]["A"].shape == (3, 8, 8)
    for side in ("trainA", "trainB"):
        save(tmp_path / "u" / side / "x.png", coordinates(16, 16))
    assert len(load_dataset(f"unpaired:{tmp_path / 'u'}?image_size=8&repeat=3")) == 3
    with pytest.raises(GanzooError, match="repeat"):
        PairedImages(tmp_path / "p", repeat=0)
