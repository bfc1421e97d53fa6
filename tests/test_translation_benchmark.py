"""The colour-statistics helpers of benchmarks/translation_quality.py (its ``--diagnose``)."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import translation_quality as tq  # noqa: E402


def smooth_photo(seed: int, tint=(1.0, 1.0, 1.0), side: int = 48) -> np.ndarray:
    """A colourful smooth image in [0, 1]: upsampled random colours, times a per-channel tint."""
    from scipy.ndimage import zoom

    coarse = np.random.default_rng(seed).random((6, 6, 3))
    return np.clip(zoom(coarse, (side / 6, side / 6, 1), order=1), 0, 1).astype(np.float32) \
        * np.asarray(tint, np.float32)


def test_colour_transport_recovers_the_grade_from_collections_that_share_statistics():
    # The grade rotates channels (a map no monotone transport can make) and applies a gamma.
    # The channels' ranges differ (as in photos), otherwise no channel order could be told apart.
    warm = (1.0, 0.6, 0.3)
    a = [smooth_photo(seed, warm) for seed in range(8)]
    b = [tq.grade(smooth_photo(seed, warm), "rotation") for seed in range(8, 16)]
    held_out = [smooth_photo(seed, warm) for seed in (16, 17)]
    truths = [tq.grade(x, "rotation") for x in held_out]
    out = tq.colour_transport(a, b, held_out)
    identity = np.mean([tq.psnr(x, t) for x, t in zip(held_out, truths)])
    recovered = np.mean([tq.psnr(o, t) for o, t in zip(out, truths)])
    assert recovered > 28 and recovered > identity + 10, (identity, recovered)
    assert all(o.shape == x.shape and o.dtype == np.float32 for o, x in zip(out, held_out))


def test_colour_transport_is_deterministic_per_seed():
    a, b, x = [smooth_photo(0)], [tq.grade(smooth_photo(1), "rotation")], [smooth_photo(2)]
    first, again = tq.colour_transport(a, b, x, seed=3), tq.colour_transport(a, b, x, seed=3)
    assert np.array_equal(first[0], again[0])


def test_colour_distance_is_small_within_a_collection_and_grows_with_a_tint():
    photos = [smooth_photo(seed) for seed in range(4)]
    reddened = [smooth_photo(seed, tint=(1.0, 0.7, 0.7)) for seed in range(4)]
    same = tq.colour_distance(photos, photos)  # two pixel samples of one collection
    assert same < 0.01
    assert tq.colour_distance(photos, reddened) > 5 * same + 0.03
    assert tq.colour_distance(photos, reddened) == tq.colour_distance(photos, reddened)


def test_colour_matched_split_pairs_unlike_photos_so_the_halves_match():
    red, blue = (1.0, 0.4, 0.4), (0.4, 0.4, 1.0)
    photos = {"red1": smooth_photo(0, red), "red2": smooth_photo(1, red),
              "blue1": smooth_photo(2, blue), "blue2": smooth_photo(3, blue)}
    a, b = tq.colour_matched_split(photos)
    assert sorted(a + b) == sorted(photos) and not set(a) & set(b)
    assert {name[:-1] for name in a} == {"red", "blue"}, (a, b)


def test_each_grade_inverts_and_day_for_night_is_darker_and_bluer():
    photo = smooth_photo(0)
    for kind in tq.GRADES:
        graded = tq.grade(photo, kind)
        assert graded.shape == photo.shape and graded.dtype == np.float32
        assert np.abs(tq.ungrade(graded, kind) - photo).max() < 1e-5, kind
    night = tq.grade(photo, "day-for-night")
    luma = np.asarray(tq.LUMA, np.float32)
    assert (night @ luma).mean() < 0.7 * (photo @ luma).mean()
    red, _, blue = night.reshape(-1, 3).mean(axis=0)
    assert blue > red + 0.15
    with pytest.raises(ValueError, match="grade must be one of"):
        tq.grade(photo, "sepia")
