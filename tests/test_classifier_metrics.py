"""Classifier-based metrics on the real digits: the judge, GAN-test, CAS, InfoGAN code accuracy."""

import numpy as np
import pytest
import torch

from ganzoo.errors import GanzooError
from ganzoo.metrics.classifier import (
    classification_accuracy_score,
    code_accuracy,
    fit_real_classifier,
    gan_test_accuracy,
    stratified_split,
)


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    images = torch.tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1)  # (N,1,8,8)
    return images, torch.tensor(data.target)


@pytest.fixture(scope="module")
def split(digits):
    return stratified_split(*digits, test_fraction=0.25, seed=0)


@pytest.fixture(scope="module")
def judge(split):
    return fit_real_classifier(split, seed=0)


def test_split_is_stratified_and_seeded(digits, split):
    assert len(split.train_x) + len(split.test_x) == len(digits[0])
    assert split.train_x.shape[1] == 64 and split.num_classes == 10
    counts = np.bincount(split.test_y, minlength=10) / len(split.test_y)
    assert np.all(np.abs(counts - 0.1) < 0.02)
    again = stratified_split(*digits, test_fraction=0.25, seed=0)
    other = stratified_split(*digits, test_fraction=0.25, seed=1)
    assert np.array_equal(again.test_y, split.test_y) and np.array_equal(again.test_x, split.test_x)
    assert not np.array_equal(other.test_x, split.test_x)


def test_real_classifier_ceiling_on_digits(judge):
    assert 0.96 <= judge.ceiling <= 1.0
    assert judge.num_classes == 10


def test_gan_test_accuracy_scores_requested_labels(judge, split):
    test_images = torch.tensor(split.test_x).view(-1, 1, 8, 8)
    assert gan_test_accuracy(judge, test_images, split.test_y) == pytest.approx(judge.ceiling)
    wrong = (split.test_y + 1) % 10  # every sample claims the next digit
    assert gan_test_accuracy(judge, test_images, wrong) < 0.05


def test_cas_penalises_missing_diversity(split, judge):
    # Real training images as "generated": CAS equals the ceiling.
    assert classification_accuracy_score(split.train_x, split.train_y, split) == pytest.approx(
        judge.ceiling)
    # A collapsed generator: one image per class, repeated. GAN-test is perfect, CAS drops.
    first = [np.flatnonzero(split.train_y == k)[0] for k in range(10)]
    collapsed_x = np.repeat(split.train_x[first], 50, axis=0)
    collapsed_y = np.repeat(np.arange(10), 50)
    assert gan_test_accuracy(judge, collapsed_x, collapsed_y) == 1.0
    assert classification_accuracy_score(collapsed_x, collapsed_y, split) < judge.ceiling - 0.05


def test_code_accuracy_recovers_a_permutation(judge, split):
    permutation = np.random.default_rng(0).permutation(10)
    codes = permutation[split.test_y]  # category c stands for digit argwhere(permutation == c)
    accuracy, mapping = code_accuracy(judge, split.test_x, codes, num_categories=10)
    assert accuracy == pytest.approx(judge.ceiling)
    assert all(permutation[digit] == category for category, digit in mapping.items())


def test_code_accuracy_of_uninformative_codes_is_low(judge, split):
    codes = np.random.default_rng(0).integers(0, 10, len(split.test_y))
    accuracy, _ = code_accuracy(judge, split.test_x, codes, num_categories=10)
    assert accuracy < 0.25


def test_code_accuracy_with_more_categories_than_classes(judge, split):
    # Twelve categories: two never used get no class; every used one maps to its digit.
    codes = split.test_y + 2
    accuracy, mapping = code_accuracy(judge, split.test_x, codes, num_categories=12)
    assert accuracy == pytest.approx(judge.ceiling)
    assert len(mapping) == 10 and all(mapping[c] == c - 2 for c in range(2, 12))


def test_bad_inputs_are_one_line_errors(judge, split):
    with pytest.raises(GanzooError, match="one per sample"):
        gan_test_accuracy(judge, split.test_x[:5], split.test_y[:4])
    with pytest.raises(GanzooError, match="at least two classes"):
        classification_accuracy_score(split.train_x[:5], np.zeros(5), split)
    with pytest.raises(GanzooError, match="unknown classifier"):
        fit_real_classifier(split, kind="resnet")


class RealDigitSampler:
    """A "generator" that returns real training digits of the requested label/category: what a
    perfect model would do, so the model-level evaluations must score it at the ceiling."""

    def __init__(self, split, permutation=None):
        self.split = split
        self.permutation = np.arange(10) if permutation is None else permutation

    def sample(self, n, seed=0, label=None, category=None):
        rng = np.random.default_rng(seed)
        wanted = np.asarray(label if label is not None else self.permutation[category])
        picks = [rng.choice(np.flatnonzero(self.split.train_y == k)) for k in wanted]
        return torch.tensor(self.split.train_x[picks]).view(n, 1, 8, 8)


def test_evaluate_label_conditional_on_a_perfect_and_an_untrained_model(split, judge):
    from ganzoo.building import build_model
    from ganzoo.metrics.classifier import evaluate_label_conditional

    perfect = evaluate_label_conditional(RealDigitSampler(split), split, judge, seed=0)
    assert perfect["gan_test"] > 0.99 and perfect["cas"] > judge.ceiling - 0.03
    assert perfect["ceiling"] == judge.ceiling
    torch.manual_seed(0)
    untrained = evaluate_label_conditional(build_model("cgan").eval(), split, judge, n=300)
    assert untrained["gan_test"] < 0.5 and untrained["cas"] < 0.5


def test_evaluate_categorical_code_undoes_the_category_permutation(split, judge):
    from ganzoo_infogan.code_accuracy import evaluate_categorical_code

    permutation = np.random.default_rng(1).permutation(10)
    result = evaluate_categorical_code(RealDigitSampler(split, permutation), judge, 10, n=500)
    assert result["code_accuracy"] > 0.99
    assert result["mapping"] == {int(c): int(permutation[c]) for c in range(10)}
