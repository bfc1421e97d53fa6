"""ganzoo.tiling: padding to a network's multiple and seamless tiled inference."""

import pytest
import torch
from torch import nn

from ganzoo.errors import GanzooError
from ganzoo.tiling import blend_ramp, crop_to, pad_to_multiple, tile_count, tile_starts, tiled_apply


def test_pad_to_multiple_and_crop_back():
    image = torch.rand(1, 3, 37, 50)
    padded, (h, w) = pad_to_multiple(image, 16)
    assert padded.shape == (1, 3, 48, 64) and (h, w) == (37, 50)
    assert torch.equal(crop_to(padded, h, w), image)
    # reflection: the row after the last mirrors the one before it
    assert torch.equal(padded[..., 37, :50], image[..., 35, :])
    tiny = torch.rand(1, 1, 5, 3)
    padded, _ = pad_to_multiple(tiny, 256)  # far larger than the image: replicate instead
    assert padded.shape == (1, 1, 256, 256) and torch.equal(padded[..., -1, -1], tiny[..., -1, -1])
    same, size = pad_to_multiple(image[..., :32, :48], 16)
    assert same.shape == (1, 3, 32, 48) and size == (32, 48)


def test_tile_starts_cover_with_overlap():
    for length, tile, overlap in [(100, 32, 8), (257, 64, 16), (64, 64, 8), (10, 64, 8), (65, 64, 8)]:
        starts = tile_starts(length, tile, overlap)
        assert starts[0] == 0 and min(length, starts[-1] + tile) == length
        assert all(b - a <= tile - overlap for a, b in zip(starts, starts[1:]))


def test_blend_ramp_is_positive_and_smooth():
    ramp = blend_ramp(20, 6, True, True)
    assert ramp.min() > 0 and ramp.max() == 1 and torch.equal(ramp, ramp.flip(0))
    assert torch.all(ramp[:6].diff() > 0)
    assert torch.equal(blend_ramp(20, 6, False, False), torch.ones(20))


def test_pointwise_network_is_reproduced_exactly_by_tiles():
    # A per-pixel network gives the same output whether tiled or not: blending must be exact.
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 1), nn.Tanh(), nn.Conv2d(8, 2, 1))
    image = torch.rand(1, 3, 70, 95)
    calls = []
    out = tiled_apply(lambda t: (calls.append(t.shape), net(t))[1], image, tile=32, overlap=8)
    assert out.shape == (1, 2, 70, 95)
    assert torch.allclose(out, net(image).detach(), atol=1e-6)
    assert len(calls) == tile_count(70, 95, 32, 8) > 1
    assert all(s[-1] <= 32 and s[-2] <= 32 for s in calls)  # never more than one tile at a time


def test_convolutional_network_tiles_agree_with_whole_image_away_from_seams():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 3, 3, padding=1))
    image = torch.rand(1, 3, 64, 64)
    whole = net(image).detach()
    tiled = tiled_apply(net, image, tile=40, overlap=16)
    # receptive field is 5x5: with a 16-pixel overlap blended smoothly the error stays tiny
    assert (tiled - whole).abs().max() < 0.05
    assert (tiled - whole).abs().mean() < 2e-3


def test_scale_and_multiple():
    image = torch.rand(1, 3, 45, 30)
    upsample = lambda t: torch.nn.functional.interpolate(t, scale_factor=2, mode="nearest")  # noqa: E731
    seen = []
    def strict(t):
        seen.append(tuple(t.shape[-2:]))
        assert t.shape[-1] % 8 == 0 and t.shape[-2] % 8 == 0
        return upsample(t)
    out = tiled_apply(strict, image, tile=20, overlap=4, scale=2, multiple=8)
    assert out.shape == (1, 3, 90, 60)
    assert torch.allclose(out, upsample(image))
    assert all(s == (16, 16) for s in seen)  # tile 20 rounded down to the multiple 8


def test_errors_are_clear():
    image = torch.rand(1, 3, 16, 16)
    with pytest.raises(GanzooError, match="--tile"):
        tiled_apply(lambda t: t, image, tile=4, multiple=8)
    with pytest.raises(GanzooError, match="overlap"):
        tiled_apply(lambda t: t, image, tile=8, overlap=8)
    with pytest.raises(GanzooError, match="scale"):
        tiled_apply(lambda t: t, image, tile=8, overlap=2, scale=2)
    with pytest.raises(GanzooError, match="one image"):
        tiled_apply(lambda t: t, torch.rand(2, 3, 8, 8), tile=8, overlap=2)


def test_min_size_and_whole_image_tile():
    from ganzoo.tiling import whole_image_tile

    padded, size = pad_to_multiple(torch.rand(1, 3, 3, 5), 4, min_size=8)
    assert padded.shape[-2:] == (8, 8) and size == (3, 5)
    seen = []
    image = torch.rand(1, 3, 5, 6)
    out = tiled_apply(lambda t: (seen.append(t.shape[-2:]), t * 2)[1], image,
                      tile=whole_image_tile(5, 6, 4), overlap=0, multiple=4, min_size=8)
    assert seen == [(8, 8)] and torch.allclose(out, image * 2)
    assert whole_image_tile(300, 200, 256) == 512
