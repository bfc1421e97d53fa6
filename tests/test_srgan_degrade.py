"""On-the-fly bicubic degradation: (LR, HR) pairs from HR crops, reproducible per index."""

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo_srgan.degrade import (DegradedPairs, bicubic_downscale, crop_to_multiple, degrade,
                                 round_to_8bit, sr_pairs)
from ganzoo.errors import GanzooError


def test_bicubic_downscale_shapes_constants_and_range():
    flat = torch.full((2, 3, 16, 24), 0.3)
    small = bicubic_downscale(flat, 4)
    assert small.shape == (2, 3, 4, 6)
    torch.testing.assert_close(small, torch.full_like(small, 0.3))
    edges = (torch.rand(3, 12, 12) > 0.5).float()
    out = bicubic_downscale(edges, 3)
    assert out.shape == (3, 4, 4) and out.min() >= 0 and out.max() <= 1
    with pytest.raises(ValueError, match="multiple"):
        bicubic_downscale(torch.rand(3, 10, 12), 4)


def test_antialiasing_matches_area_average_on_a_checkerboard():
    # A 1-pixel checkerboard has no content below Nyquist: an antialiased x2 reduction is
    # near its mean (0.5), where plain bicubic sampling would alias.
    board = (torch.arange(32)[:, None] + torch.arange(32)[None]) % 2
    small = bicubic_downscale(board.float()[None], 2)
    assert (small - 0.5).abs().max() < 0.1


def test_crop_to_multiple():
    assert crop_to_multiple(torch.rand(3, 13, 22), 4).shape == (3, 12, 20)


def test_pairs_are_crops_and_their_reductions():
    image = torch.rand(3, 50, 70)
    pairs = DegradedPairs([image], scale=4, patch_size=26, length=10, augment=False)
    assert pairs.patch_size == 24 and len(pairs) == 10
    lr, hr = pairs[3]
    assert hr.shape == (3, 24, 24) and lr.shape == (3, 6, 6)
    # The LR input is what an 8-bit file of the reduction would hold.
    torch.testing.assert_close(lr, round_to_8bit(bicubic_downscale(hr, 4)), rtol=0, atol=0)
    assert torch.equal(lr * 255, (lr * 255).round())
    # hr is a crop of the image: find it.
    found = any(torch.equal(image[:, t:t + 24, l:l + 24], hr)
                for t in range(50 - 23) for l in range(70 - 23))
    assert found


def test_unrounded_lr_on_request():
    image = torch.rand(3, 32, 32)
    exact = DegradedPairs([image], scale=4, patch_size=16, length=2, quantize=False)
    lr, hr = exact[0]
    torch.testing.assert_close(lr, bicubic_downscale(hr, 4), rtol=0, atol=0)
    assert not torch.equal(lr * 255, (lr * 255).round())
    assert torch.equal(degrade(hr, 4, quantize=False), lr)
    assert torch.equal(degrade(hr, 4), round_to_8bit(lr))


def test_round_to_8bit_clamps_and_rounds():
    values = torch.tensor([-0.2, 0.0, 0.5 / 255 + 1e-6, 0.3, 1.0, 1.7])
    expected = torch.tensor([0.0, 0.0, 1 / 255, 76 / 255, 1.0, 1.0])
    torch.testing.assert_close(round_to_8bit(values), expected, rtol=0, atol=1e-7)


def test_same_index_same_pair_and_indices_differ():
    images = [torch.rand(3, 40, 40), torch.rand(3, 48, 32)]
    a = DegradedPairs(images, scale=2, patch_size=16, seed=5)
    b = DegradedPairs(images, scale=2, patch_size=16, seed=5)
    assert len(a) == 400
    assert all(torch.equal(a[i][1], b[i][1]) for i in (0, 1, 17))
    assert not torch.equal(a[0][1], a[2][1])
    assert not torch.equal(a[0][1], DegradedPairs(images, 2, 16, seed=6)[0][1])
    with pytest.raises(IndexError):
        a[400]


def test_too_small_images_and_empty_inputs_are_errors(tmp_path):
    with pytest.raises(GanzooError, match=r"10x10, smaller than the 16-px training crop; crop smaller \(--set image_size=10"):
        DegradedPairs([torch.rand(3, 10, 10)], scale=2, patch_size=16)[0]
    with pytest.raises(GanzooError, match="no images"):
        DegradedPairs([], scale=2)
    with pytest.raises(GanzooError, match="no images found"):
        sr_pairs(str(tmp_path))
    with pytest.raises(GanzooError, match="no such folder"):
        sr_pairs(str(tmp_path / "absent"))


def test_folder_factory_reads_images_lazily(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("a.png", "sub/b.jpg"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8)).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    pairs = sr_pairs(str(tmp_path), scale=3, image_size=30, length=6)
    assert [p.name for p in pairs.images] == ["a.png", "b.jpg"]
    lr, hr = pairs[1]
    assert lr.shape == (3, 10, 10) and hr.shape == (3, 30, 30)
    gray = sr_pairs(str(tmp_path), scale=2, image_size=16, channels=1)
    assert gray[0][1].shape == (1, 16, 16)


def test_registered_as_sr_dataset(tmp_path):
    from ganzoo.data.spec import load_dataset

    Image.fromarray(np.zeros((32, 32, 3), dtype=np.uint8)).save(tmp_path / "x.png")
    pairs = load_dataset(f"sr:{tmp_path}", scale=2, image_size=16)
    assert pairs[0][0].shape == (3, 8, 8) and pairs.quantize
    assert not load_dataset(f"sr:{tmp_path}", scale=2, image_size=16, quantize_lr=False).quantize
