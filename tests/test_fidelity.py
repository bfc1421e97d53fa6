"""PSNR/SSIM on Y with a border crop, cross-checked against scikit-image; sharpness."""

import math

import numpy as np
import pytest
import torch
from skimage import data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ganzoo.metrics.fidelity import psnr, rgb_to_y, sharpness, ssim


def photo(rows=96, cols=120):
    image = data.astronaut()[100:100 + rows, 150:150 + cols]
    return torch.from_numpy(image.copy()).permute(2, 0, 1).double() / 255


def degraded(image, seed=0):
    generator = torch.Generator().manual_seed(seed)
    noisy = image + 0.04 * torch.randn(image.shape, generator=generator, dtype=image.dtype)
    return (noisy.clamp(0, 1) * 255).round() / 255


def y_numpy(image, border):
    y = rgb_to_y(image[None])[0, 0].numpy()
    return y[border:-border, border:-border] if border else y


def skimage_ssim(a, b):
    return structural_similarity(a, b, data_range=255, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False)


@pytest.mark.parametrize("border", [0, 2, 4])
def test_psnr_and_ssim_match_scikit_image_on_y(border):
    hr = photo()
    sr = degraded(hr)
    a, b = y_numpy(sr, border), y_numpy(hr, border)
    assert psnr(sr, hr, border) == pytest.approx(peak_signal_noise_ratio(b, a, data_range=255),
                                                 abs=1e-9)
    assert ssim(sr, hr, border) == pytest.approx(skimage_ssim(a, b), abs=1e-9)


def test_rgb_mode_matches_scikit_image_on_all_channels():
    hr = photo(64, 64)
    sr = degraded(hr, seed=3)
    a = (sr.permute(1, 2, 0).numpy() * 255)
    b = (hr.permute(1, 2, 0).numpy() * 255)
    assert psnr(sr, hr, y_channel=False) == pytest.approx(
        peak_signal_noise_ratio(b, a, data_range=255), abs=1e-9)
    expected = np.mean([skimage_ssim(a[..., c], b[..., c]) for c in range(3)])
    assert ssim(sr, hr, y_channel=False) == pytest.approx(expected, abs=1e-9)


def test_luma_is_bt601_in_16_235():
    black, white = torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1)
    assert float(rgb_to_y(black)) == pytest.approx(16.0)
    assert float(rgb_to_y(white)) == pytest.approx(235.0)


def test_border_crop_ignores_errors_at_the_edges():
    hr = photo(64, 64)
    sr = hr.clone()
    sr[:, :3, :] = 0.0  # damage only the top 3 rows
    assert psnr(sr, hr, crop_border=0) < 30
    assert math.isinf(psnr(sr, hr, crop_border=4))
    assert ssim(sr, hr, crop_border=4) == pytest.approx(1.0)


def test_batch_gives_the_mean_of_per_image_values():
    hr = torch.stack([photo(48, 48), photo(48, 48).flip(-1)])
    sr = torch.stack([degraded(hr[0], 1), degraded(hr[1], 2)])
    each = [psnr(sr[i], hr[i], 4) for i in range(2)]
    assert psnr(sr, hr, 4) == pytest.approx(sum(each) / 2)
    each = [ssim(sr[i], hr[i], 4) for i in range(2)]
    assert ssim(sr, hr, 4) == pytest.approx(sum(each) / 2)


def test_shape_mismatch_and_tiny_images_are_errors():
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(torch.rand(3, 8, 8), torch.rand(3, 8, 9))
    with pytest.raises(ValueError, match="11x11"):
        ssim(torch.rand(3, 12, 12), torch.rand(3, 12, 12), crop_border=1)


def test_sharpness_drops_with_blur_and_matches_a_known_ramp():
    hr = photo()[None].float()
    blurred = torch.nn.functional.avg_pool2d(hr, 5, stride=1, padding=2,
                                             count_include_pad=False)
    assert sharpness(blurred, 4) < 0.8 * sharpness(hr, 4)
    # A horizontal gray ramp of slope 1/63 per pixel: every gradient is 1/63 in [0, 1] units
    # for a gray image (sharpness measures on 0-255 luma / 255).
    ramp = torch.linspace(0, 1, 64).expand(1, 1, 16, 64)
    assert sharpness(ramp) == pytest.approx(1 / 63, rel=1e-6)


def test_metrics_are_registered():
    from ganzoo.plugins import get_catalog

    catalog = get_catalog()
    assert catalog.get("metric", "psnr").load() is psnr
    assert catalog.get("metric", "ssim").load() is ssim
    assert catalog.get("metric", "sharpness").load() is sharpness
