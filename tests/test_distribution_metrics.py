"""FID, KID, precision/recall/density/coverage against their formulas, prdc, and scipy.

Features here are synthetic (no network): the formulas are what is tested. The Inception
itself is tested in test_fid_inception.py.
"""

import itertools

import numpy as np
import pytest
import scipy.linalg
import torch
from PIL import Image

from ganzoo.errors import GanzooError
from ganzoo.metrics.feature_statistics import FeatureStatistics
from ganzoo.metrics.fid_preprocess import fid_pixels, quantize_rgb, resize_pixels
from ganzoo.metrics.frechet import fid, frechet_distance, frechet_distance_of_features
from ganzoo.metrics.kid import default_subset_size, kernel_inception_distance, mmd2_unbiased
from ganzoo.metrics.precision_recall import knn_radii, manifold_metrics


def features(seed, n, d=16, shift=0.0, scale=1.0):
    return np.random.default_rng(seed).normal(size=(n, d)) * scale + shift


def textbook_fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2)
                 - 2 * np.trace(scipy.linalg.sqrtm(s1 @ s2).real))


def test_streamed_statistics_equal_numpy_mean_and_cov():
    a = features(0, 101, d=7)
    stats = FeatureStatistics(7)
    for chunk in np.array_split(a, 6):
        stats.update(torch.from_numpy(chunk).float())
    a32 = a.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(stats.mean, a32.mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(a32, rowvar=False), atol=1e-12)
    assert stats.count == 101 and stats.outer.shape == (7, 7)  # memory: D x D, not N x D


@pytest.mark.parametrize("n1,n2", [(200, 150), (9, 12)])  # full rank, and fewer images than D
def test_fid_matches_the_textbook_formula_both_ways(n1, n2):
    a, b = features(1, n1), features(2, n2, shift=0.3, scale=1.4)
    expected = textbook_fid(a, b)
    by_covariance = frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0),
                                     np.cov(b, rowvar=False))
    assert by_covariance == pytest.approx(expected, rel=1e-6)
    assert frechet_distance_of_features(a, b) == pytest.approx(expected, rel=1e-6)
    stats = []
    for x in (a, b):
        s = FeatureStatistics(16)
        s.update(x)
        stats.append(s)
    assert fid(*stats) == pytest.approx(expected, rel=1e-6)
    assert fid(*stats, a, b) == pytest.approx(expected, rel=1e-6)


def test_fid_of_a_set_with_itself_is_zero_and_grows_with_the_shift():
    a = features(3, 300)
    assert abs(frechet_distance_of_features(a, a)) < 1e-9
    assert frechet_distance_of_features(a, a + 2.0) == pytest.approx(16 * 4.0, rel=1e-9)


def naive_kid_subset(x, y):
    """MMD^2 by explicit double sums over i != j (the definition, slowly)."""
    d = x.shape[1]

    def k(u, v):
        return (u @ v / d + 1) ** 3

    m = len(x)
    xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(m), 2))
    yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(m), 2))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return xx / (m * (m - 1)) + yy / (m * (m - 1)) - 2 * xy / m ** 2


def test_kid_is_the_unbiased_mmd_with_the_cubic_kernel():
    x, y = features(4, 12, d=5), features(5, 12, d=5, shift=0.5)
    assert mmd2_unbiased(x, y) == pytest.approx(naive_kid_subset(x, y), rel=1e-10)
    # One subset holding everything: mean is that MMD, std 0.
    whole = kernel_inception_distance(x, y, num_subsets=3, subset_size=12)
    assert whole["mean"] == pytest.approx(naive_kid_subset(x, y), rel=1e-10)
    assert whole["std"] == pytest.approx(0, abs=1e-12)
    # By default subsets are at most half the smaller set, so they differ and the std means
    # something (with whole-set subsets it is always 0).
    assert default_subset_size(12, 20) == 6 and default_subset_size(5000, 3000) == 1000
    assert default_subset_size(3, 3) == 2
    assert kernel_inception_distance(x, y, num_subsets=10)["std"] > 0


def test_kid_subsets_are_seeded_and_unbiased_near_zero_for_one_distribution():
    x, y = features(6, 400, d=8), features(7, 400, d=8)
    first = kernel_inception_distance(x, y, num_subsets=20, subset_size=50, seed=1)
    assert first == kernel_inception_distance(x, y, num_subsets=20, subset_size=50, seed=1)
    assert first["std"] > 0
    assert abs(first["mean"]) < 3 * first["std"]  # unbiased: centred on 0, may go negative
    shifted = kernel_inception_distance(x, y + 1.0, num_subsets=20, subset_size=50)
    assert shifted["mean"] > 10 * first["std"]
    with pytest.raises(GanzooError, match="at least 2"):
        kernel_inception_distance(x[:1], y)


def test_precision_recall_density_coverage_agree_with_prdc():
    prdc = pytest.importorskip("prdc")
    real, fake = features(8, 120, d=10), features(9, 90, d=10, shift=0.4, scale=0.8)
    ours = manifold_metrics(real, fake, nearest_k=5)
    theirs = prdc.compute_prdc(real.astype(np.float32), fake.astype(np.float32), nearest_k=5)
    for name in ("precision", "recall", "density", "coverage"):
        assert ours[name] == pytest.approx(float(theirs[name]), abs=1e-12), name
    assert 0 < ours["precision"] < 1 and 0 < ours["recall"] < 1


def test_manifold_metrics_follow_their_definitions():
    real, fake = features(10, 30, d=3), features(11, 25, d=3, shift=0.5)
    k = 3
    distance = np.linalg.norm(real[:, None] - fake[None], axis=2)
    real_radii = np.sort(np.linalg.norm(real[:, None] - real[None], axis=2), axis=1)[:, k]
    fake_radii = np.sort(np.linalg.norm(fake[:, None] - fake[None], axis=2), axis=1)[:, k]
    np.testing.assert_allclose(knn_radii(real, k), real_radii, rtol=1e-9)
    inside = distance <= real_radii[:, None]
    expected = {"precision": inside.any(0).mean(),
                "recall": (distance <= fake_radii[None, :]).any(1).mean(),
                "density": inside.sum(0).mean() / k,
                "coverage": (distance.min(1) <= real_radii).mean()}
    assert manifold_metrics(real, fake, k) == pytest.approx(expected, abs=1e-12)
    same = manifold_metrics(real, real, k)
    assert same["precision"] == same["recall"] == same["coverage"] == 1.0
    with pytest.raises(GanzooError, match="more than 3"):
        manifold_metrics(real[:3], fake, k)


# ----- preprocessing ---------------------------------------------------------------------------

def test_quantized_like_a_png_so_float_output_and_its_file_score_the_same(tmp_path):
    from ganzoo.imageio import read_image

    image = torch.rand(3, 40, 30)
    saved = (image * 255).round().byte().permute(1, 2, 0).numpy()
    Image.fromarray(saved).save(tmp_path / "x.png")
    assert torch.equal(fid_pixels(image), fid_pixels(read_image(tmp_path / "x.png")))
    assert quantize_rgb(torch.tensor([[[0.5, 1.2, -0.1]]])).tolist()[0] == [[128, 255, 0]]


def test_gray_becomes_three_equal_channels_and_alpha_is_dropped():
    gray = torch.rand(1, 8, 8)
    rgb = quantize_rgb(gray)
    assert rgb.shape == (3, 8, 8) and torch.equal(rgb[0], rgb[2])
    colour = torch.rand(3, 8, 8)
    with_alpha = torch.cat([colour, torch.zeros(1, 8, 8)])  # fully transparent
    assert torch.equal(quantize_rgb(with_alpha), quantize_rgb(colour))
    assert torch.equal(quantize_rgb(torch.cat([gray, torch.ones(1, 8, 8)])), rgb)
    with pytest.raises(GanzooError, match="5 channels"):
        quantize_rgb(torch.rand(5, 8, 8))


def test_resize_is_pil_bicubic_antialiased_and_299_is_untouched():
    skimage_data = pytest.importorskip("skimage.data")
    rng = np.random.default_rng(0)
    photo = torch.from_numpy(skimage_data.astronaut()[100:220, 150:240].transpose(2, 0, 1).copy())
    ours = resize_pixels(photo, 299)
    assert ours.shape == (3, 299, 299) and ours.dtype == torch.float32
    assert 0 <= ours.min() and ours.max() <= 255 and not torch.equal(ours, ours.round())
    pil = np.asarray(Image.fromarray(photo.permute(1, 2, 0).numpy()).resize(
        (299, 299), Image.Resampling.BICUBIC)).transpose(2, 0, 1)
    # PIL's 8-bit bicubic, but for its rounding and clipping between its two passes (which
    # bite at edges and near 0/255).
    assert np.abs(ours.numpy() - pil).mean() < 0.5 and np.abs(ours.numpy() - pil).max() <= 5
    already = torch.from_numpy(rng.integers(0, 256, (3, 299, 299), dtype=np.uint8))
    assert torch.equal(resize_pixels(already, 299), already.float())
    # Antialiasing: shrinking one-pixel stripes by 3x gives mid-gray, not aliased stripes.
    stripes = torch.zeros(3, 897, 897, dtype=torch.uint8)
    stripes[:, :, ::2] = 255
    shrunk = resize_pixels(stripes, 299)
    assert (shrunk - 127.5).abs().max() < 45
    aliased = torch.nn.functional.interpolate(stripes[None].float(), size=299, mode="bilinear")
    assert (aliased - 127.5).abs().max() > 120
