"""InfoGAN's latent codes: drawing them, checking user-given ones, and the MI lower bound.

The generator input is ``[z, one_hot(c_cat), c_cont]``: noise ``z ~ N(0, I)``, one categorical
code with ``num_categories`` values drawn uniformly, and ``num_continuous`` codes drawn from
Uniform(-1, 1) (as in the paper's MNIST setup).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.errors import GanzooError


@dataclass
class Codes:
    """One batch of latent codes: categorical indices ``(N,)`` and continuous values ``(N, K)``."""

    category: Tensor
    continuous: Tensor

    def generator_input(self, z: Tensor, num_categories: int) -> Tensor:
        one_hot = F.one_hot(self.category, num_categories).to(z.dtype)
        return torch.cat([z, one_hot, self.continuous.to(z.dtype)], dim=1)


def draw_codes(n: int, num_categories: int, num_continuous: int, *, device=None,
               generator: torch.Generator | None = None) -> Codes:
    """Codes from the prior: uniform categories, Uniform(-1, 1) continuous values."""
    category = torch.randint(num_categories, (n,), generator=generator)
    continuous = torch.rand(n, num_continuous, generator=generator) * 2 - 1
    return Codes(category.to(device), continuous.to(device))


def resolve_category(category: Any, n: int, num_categories: int) -> Tensor | None:
    """User-given ``category`` (int, list of one per sample, tensor) → long ``(n,)``; None stays."""
    if category is None:
        return None
    if hasattr(category, "reshape") and hasattr(category, "tolist"):
        values = category.reshape(-1).tolist()
    elif isinstance(category, (list, tuple)):
        values = list(category)
    else:
        values = [category]
    checked = []
    for value in values:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise GanzooError(f"category {value!r} must be an integer 0-{num_categories - 1}")
        if not 0 <= int(value) < num_categories:
            raise GanzooError(f"category {value} is out of range: this model has categories "
                              f"0-{num_categories - 1}; pass --cond category=K with K between 0 and "
                              f"{num_categories - 1}")
        checked.append(int(value))
    if len(checked) == 1:
        checked *= n
    if len(checked) != n:
        raise GanzooError(f"got {len(checked)} categories for {n} samples; pass one, or one per "
                          f"sample")
    return torch.tensor(checked, dtype=torch.long)


def resolve_continuous(continuous: Any, n: int, num_continuous: int) -> Tensor | None:
    """User-given continuous codes: a vector of ``num_continuous`` values for every sample, or
    ``(n, num_continuous)`` rows; a string ``"0.5,-1"`` is accepted (CLI). None stays."""
    if continuous is None:
        return None
    if isinstance(continuous, str):
        try:
            continuous = [float(v) for v in continuous.replace(" ", "").split(",") if v]
        except ValueError:
            raise GanzooError(f"continuous expects comma-separated numbers like 0.5,-1, got "
                              f"{continuous!r}") from None
    try:
        values = torch.as_tensor(continuous, dtype=torch.float32)
    except (TypeError, ValueError):
        raise GanzooError(f"continuous codes must be numbers, got {continuous!r}") from None
    if values.dim() <= 1:
        values = values.reshape(1, -1).expand(n, -1)
    if values.dim() != 2 or values.shape[1] != num_continuous or values.shape[0] != n:
        got = values.shape[-1] if values.dim() else 1
        raise GanzooError(f"this model has {num_continuous} continuous code(s), got a vector of "
                          f"length {got}; pass --cond continuous=V,V with {num_continuous} "
                          f"comma-separated values")
    if not torch.isfinite(values).all():
        raise GanzooError("continuous codes must be finite numbers")
    return values.clone()


def mutual_information_loss(category_logits: Tensor, mean: Tensor, log_std: Tensor,
                            codes: Codes) -> tuple[Tensor, Tensor]:
    """Negative MI lower bound terms (up to the constant prior entropy), to minimize.

    Returns ``(categorical, continuous)``: cross-entropy of the true category under Q, and the
    Gaussian negative log-likelihood of the true continuous codes under Q's (mean, std).
    """
    categorical = F.cross_entropy(category_logits, codes.category)
    target = codes.continuous.to(mean.dtype)
    nll = log_std + 0.5 * ((target - mean) / log_std.exp()) ** 2 + 0.5 * math.log(2 * math.pi)
    return categorical, nll.sum(1).mean()


def real_clustering_loss(category_logits: Tensor) -> Tensor:
    """Negative mutual information between real images and Q's category (RIM, Krause et al.
    2010): ``-(H(E[p(c|x)]) - E[H(p(c|x))])``. Low when Q assigns real images confidently to
    categories used equally often, so G's categories must match clusters of the real data."""
    p = F.softmax(category_logits.float(), dim=1)
    log_p = F.log_softmax(category_logits.float(), dim=1)
    marginal = p.mean(0)
    marginal_entropy = -(marginal * (marginal + 1e-12).log()).sum()
    conditional_entropy = -(p * log_p).sum(1).mean()
    return conditional_entropy - marginal_entropy


def invariant_clustering_loss(logits_a: Tensor, logits_b: Tensor, balance: float = 1.0) -> Tensor:
    """Negative mutual information between Q's categories of two views of the same images
    (IIC, Ji et al. 2019): ``-I(c_a; c_b)`` from the batch's joint ``P = E[p_a p_bᵀ]``.

    Minimal (``-ln K``) when both views get the same confident category and all ``K``
    categories are used equally, so categories must survive the style-changing views.
    ``balance`` > 1 (IIC's λ) adds ``(balance - 1) · 2 H(marginal)`` to the MI, against
    merged clusters.
    """
    p_a = F.softmax(logits_a.float(), dim=1)
    p_b = F.softmax(logits_b.float(), dim=1)
    joint = p_a.t() @ p_b / len(p_a)
    joint = ((joint + joint.t()) / 2).clamp_min(1e-12)  # the two views play the same role
    row, column = joint.sum(1, keepdim=True), joint.sum(0, keepdim=True)
    # balance > 1 weighs the marginals' entropy up: categories used equally often.
    return -(joint * (joint.log() - balance * (row.log() + column.log()))).sum()
