"""The adversarial objectives of the GAN literature, on raw discriminator outputs (logits).

Notation: ``D(x)`` is the raw score, σ the logistic sigmoid, so the seeds' probability
``D_prob(x) = σ(D(x))``. Every method returns a scalar to *minimize*, averaged over all
elements (so patch discriminators work unchanged). Log-sigmoids are computed with softplus,
which is exact and never takes ``log(0)``: ``-log σ(t) = softplus(-t)``.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from ..errors import GanzooError
from ..interfaces import Loss


class MinimaxLoss(Loss):
    """The original two-player game (Goodfellow et al. 2014, the seeds' eq. 1.5, saturating).

    D: ``-E[log σ(D(x))] - E[log(1 - σ(D(G(z))))]``;
    G: ``E[log(1 - σ(D(G(z))))]`` = ``-softplus(D(G(z)))``. Its gradient vanishes when D
    confidently rejects fakes, which is why non-saturating is the default.
    """

    name = "minimax"
    real_threshold = 0.0

    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        return F.softplus(-real).mean() + F.softplus(fake).mean()

    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        return -F.softplus(fake).mean()


class NonSaturatingLoss(Loss):
    """The seeds' eq. 1.4 heuristic: G maximizes ``log σ(D(G(z)))`` instead.

    D: same as minimax; G: ``-E[log σ(D(G(z)))]`` = ``softplus(-D(G(z)))``.
    """

    name = "non-saturating"
    real_threshold = 0.0

    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        return F.softplus(-real).mean() + F.softplus(fake).mean()

    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        return F.softplus(-fake).mean()


class WassersteinLoss(Loss):
    """WGAN (Arjovsky et al. 2017): the critic estimates the Wasserstein-1 distance.

    D: ``E[D(G(z))] - E[D(x)]``; G: ``-E[D(G(z))]``. Needs a Lipschitz constraint
    (``gradient-penalty``).
    """

    name = "wasserstein"

    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        return fake.mean() - real.mean()

    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        return -fake.mean()


class HingeLoss(Loss):
    """Hinge loss (Lim & Ye 2017; SAGAN/BigGAN).

    D: ``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]``; G: ``-E[D(G(z))]``.
    """

    name = "hinge"
    real_threshold = 0.0

    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()

    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        return -fake.mean()


class LeastSquaresLoss(Loss):
    """LSGAN (Mao et al. 2017) with targets a=0 (fake), b=1 (real), c=1.

    D: ``½E[(D(x) - 1)²] + ½E[D(G(z))²]``; G: ``½E[(D(G(z)) - 1)²]``.
    """

    name = "least-squares"
    real_threshold = 0.5

    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        return 0.5 * ((real - 1.0) ** 2).mean() + 0.5 * (fake ** 2).mean()

    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        return 0.5 * ((fake - 1.0) ** 2).mean()


class RelativisticPairingLoss(Loss):
    """RpGAN (Jolicoeur-Martineau 2018; Huang et al. 2024, R3GAN): each real sample is paired
    with a fake and D judges which of the two is more real.

    D: ``E[softplus(-(D(x) - D(G(z))))]``; G: ``E[softplus(-(D(G(z)) - D(x)))]``. Pairs are
    element-wise, so real and fake batches must have the same size. Its convergence analysis
    pairs it with both R1 and R2 penalties.
    """

    name = "relativistic-pairing"
    uses_real_scores = True

    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        return F.softplus(-(_paired(real, fake) - fake)).mean()

    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        if real is None:
            raise GanzooError("relativistic-pairing compares fakes with real samples, but this "
                              "variant passed no real scores to the generator loss; pick another "
                              "loss for it")
        return F.softplus(-(fake - _paired(real, fake))).mean()


def _paired(real: Tensor, fake: Tensor) -> Tensor:
    if real.shape != fake.shape:
        raise GanzooError(f"relativistic-pairing pairs each real score with a fake one, but got "
                          f"{tuple(real.shape)} real and {tuple(fake.shape)} fake scores; use "
                          f"equal batch sizes")
    return real
