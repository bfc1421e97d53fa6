"""The translation benchmark's code (`ganzoo_benchmarks`): the colour-statistics helpers of its
``--diagnose``, the hidden grades, the photo splits and the image scores."""

import numpy as np
import pytest

from ganzoo.colour import LUMA
from ganzoo_benchmarks.colour_grades import GRADES, grade, ungrade
from ganzoo_benchmarks.colour_transport import (colour_distance, colour_matched_split,
                                                colour_transport)
from ganzoo_benchmarks.image_scores import gradient_magnitude, psnr, score


def smooth_photo(seed: int, tint=(1.0, 1.0, 1.0), side: int = 48) -> np.ndarray:
    """A colourful smooth image in [0, 1]: upsampled random colours, times a per-channel tint."""
    from scipy.ndimage import zoom

    coarse = np.random.default_rng(seed).random((6, 6, 3))
    return np.clip(zoom(coarse, (side / 6, side / 6, 1), order=1), 0, 1).astype(np.float32) \
        * np.asarray(tint, np.float32)


def flat_photo(colour, side: int = 16) -> np.ndarray:
    return np.broadcast_to(np.asarray(colour, np.float32), (side, side, 3)).copy()


def test_colour_transport_recovers_the_grade_from_collections_that_share_statistics():
    # The grade rotates channels (a map no monotone transport can make) and applies a gamma.
    # The channels' ranges differ (as in photos), otherwise no channel order could be told apart.
    warm = (1.0, 0.6, 0.3)
    a = [smooth_photo(seed, warm) for seed in range(8)]
    b = [grade(smooth_photo(seed, warm), "rotation") for seed in range(8, 16)]
    held_out = [smooth_photo(seed, warm) for seed in (16, 17)]
    truths = [grade(x, "rotation") for x in held_out]
    out = colour_transport(a, b, held_out)
    identity = np.mean([psnr(x, t) for x, t in zip(held_out, truths)])
    recovered = np.mean([psnr(o, t) for o, t in zip(out, truths)])
    assert recovered > 28 and recovered > identity + 10, (identity, recovered)
    assert all(o.shape == x.shape and o.dtype == np.float32 for o, x in zip(out, held_out))


def test_colour_transport_is_deterministic_per_seed():
    a, b, x = [smooth_photo(0)], [grade(smooth_photo(1), "rotation")], [smooth_photo(2)]
    first, again = colour_transport(a, b, x, seed=3), colour_transport(a, b, x, seed=3)
    assert np.array_equal(first[0], again[0])


def test_colour_distance_is_small_within_a_collection_and_grows_with_a_tint():
    photos = [smooth_photo(seed) for seed in range(4)]
    reddened = [smooth_photo(seed, tint=(1.0, 0.7, 0.7)) for seed in range(4)]
    same = colour_distance(photos, photos)  # two pixel samples of one collection
    assert same < 0.01
    assert colour_distance(photos, reddened) > 5 * same + 0.03


def test_colour_distance_of_two_flat_colours_is_the_mean_projected_offset():
    # Sliced W1 between two single colours is |offset · u| averaged over the directions u. For
    # an offset d along one axis and uniformly random unit directions E|u_x| = 1/2, so d / 2;
    # the tolerance allows for 64 directions' sampling spread (sd of the mean 0.036).
    offset = 0.4
    distance = colour_distance([flat_photo((0.3, 0.5, 0.5))], [flat_photo((0.3 + offset, 0.5, 0.5))])
    assert distance == pytest.approx(offset / 2, abs=0.08 * offset)


def test_colour_matched_split_pairs_unlike_photos_so_the_halves_match():
    red, blue = (1.0, 0.4, 0.4), (0.4, 0.4, 1.0)
    photos = {"red1": smooth_photo(0, red), "red2": smooth_photo(1, red),
              "blue1": smooth_photo(2, blue), "blue2": smooth_photo(3, blue)}
    a, b = colour_matched_split(photos)
    assert sorted(a + b) == sorted(photos) and not set(a) & set(b)
    assert {name[:-1] for name in a} == {"red", "blue"}, (a, b)


def test_each_grade_inverts_and_day_for_night_is_darker_and_bluer():
    photo = smooth_photo(0)
    for kind in GRADES:
        graded = grade(photo, kind)
        assert graded.shape == photo.shape and graded.dtype == np.float32
        assert np.abs(ungrade(graded, kind) - photo).max() < 1e-5, kind
    night = grade(photo, "day-for-night")
    luma = np.asarray(LUMA, np.float32)
    assert (night @ luma).mean() < 0.7 * (photo @ luma).mean()
    red, _, blue = night.reshape(-1, 3).mean(axis=0)
    assert blue > red + 0.15
    with pytest.raises(ValueError, match="grade must be one of"):
        grade(photo, "sepia")


def test_grades_follow_their_documented_formulas_on_single_colours():
    # Rotation R->G->B->R then gamma 0.8: (r, g, b) becomes (b, r, g) ** 0.8.
    rotated = grade(flat_photo((0.25, 0.5, 1.0), side=1), "rotation")[0, 0]
    np.testing.assert_allclose(rotated, [1.0, 0.25 ** 0.8, 0.5 ** 0.8], rtol=1e-6)
    # Day for night on mid grey: black + (white - black) * 0.5 ** gamma per channel.
    night = grade(flat_photo((0.5, 0.5, 0.5), side=1), "day-for-night")[0, 0]
    np.testing.assert_allclose(night, [0.45 * 0.5 ** 1.6, 0.55 * 0.5 ** 1.4,
                                       0.08 + 0.77 * 0.5 ** 0.9], rtol=1e-5)


def test_psnr_and_sharpness_against_hand_computed_values():
    truth = smooth_photo(5)
    # A constant offset of 0.1 is an MSE of 0.01: 20 dB for a peak of 1.
    assert psnr(truth + 0.1, truth) == pytest.approx(20.0, abs=1e-4)
    assert psnr(truth, truth) == float("inf")
    # Sobel is linear: an image at half contrast has half the gradient magnitude.
    assert gradient_magnitude(truth * 0.5) == pytest.approx(gradient_magnitude(truth) / 2,
                                                            rel=1e-5)
    scores = score([truth * 0.5], [truth])
    assert scores["sharpness"] == pytest.approx(0.5, rel=1e-5)
    assert scores["ssim"] < 1.0 and score([truth], [truth])["ssim"] == pytest.approx(1.0)


def test_translation_photo_splits_keep_test_photos_unseen_and_grade_sides_disjoint():
    from ganzoo_benchmarks.photos import SPLITS

    trained = set(SPLITS["deblur_train"]) | set(SPLITS["grade_train_A"]) | set(SPLITS["grade_train_B"])
    assert not trained & set(SPLITS["test"])
    assert not set(SPLITS["grade_train_A"]) & set(SPLITS["grade_train_B"])


def test_a_bundled_photo_loads_at_the_short_side_in_unit_range():
    from ganzoo_benchmarks.photos import SHORT_SIDE, load_photo

    photo = load_photo("flower")  # scikit-learn's 427 x 640 sample
    assert photo.shape == (SHORT_SIDE, round(640 * SHORT_SIDE / 427), 3)
    assert photo.dtype == np.float32 and 0 <= photo.min() and photo.max() <= 1
