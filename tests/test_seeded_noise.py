"""`ganzoo.seeded_noise`: the latent draw behind the noise-driven variants' ``sample``."""

import pytest
import torch

from ganzoo.errors import GanzooError
from ganzoo.seeded_noise import seeded_normal


def test_a_seed_gives_the_same_vectors_and_none_a_fresh_draw():
    a, b = seeded_normal(5, 3, 7, "cpu"), seeded_normal(5, 3, 7, "cpu")
    assert a.shape == (5, 3) and torch.equal(a, b)
    assert not torch.equal(a, seeded_normal(5, 3, 8, "cpu"))
    assert not torch.equal(seeded_normal(5, 3, None, "cpu"), seeded_normal(5, 3, None, "cpu"))


@pytest.mark.parametrize("n", [0, -1, 2.0, True, "4"])
def test_a_count_that_is_not_a_positive_integer_is_refused(n):
    with pytest.raises(GanzooError, match="positive integer"):
        seeded_normal(n, 3, 0, "cpu")
