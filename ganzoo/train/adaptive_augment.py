"""Adaptive augmentation strength (ADA; Karras et al. 2020, "Training Generative Adversarial
Networks with Limited Data", section 3) for the Trainer's DiffAugment transforms.

With ``ada_target`` set, each transform of the ``diffaugment`` policy is applied to each image
with probability ``p`` instead of always. ``p`` starts at 0 and follows the paper's overfitting
heuristic ``r_t = E[sign(D(real))]``: the share of training images D calls real, mapped to
[-1, 1]. A discriminator that memorises its few images calls nearly all of them real
(``r_t`` → 1); every `INTERVAL` iterations ``p`` moves up when ``r_t`` is above the target
and down when below, by ``batch × INTERVAL / (ada_kimg × 1000)``, so it could cross [0, 1] in
``ada_kimg`` thousand real images. D's verdicts come from the variants
(`ganzoo.interfaces.StepOutput.judged_real`), through their loss's threshold
(`ganzoo.interfaces.Loss.judged_real`); no extra D pass is spent.

``p`` and the open interval's counts are part of the checkpoint, so a resumed run augments
exactly as an uninterrupted one.
"""

from __future__ import annotations

from typing import Any

import torch

from ..errors import GanzooError

#: Iterations between two adjustments of ``p`` (the paper's N = 4).
INTERVAL = 4


def check_settings(target: float, kimg: float) -> None:
    """Refuse, in one line, a target or speed the controller cannot use."""
    if not 0.0 < target < 1.0:
        raise GanzooError(f"ada_target must be between 0 and 1 (the paper uses 0.6; 0 turns "
                          f"adaptive augmentation off), got {target}")
    if kimg <= 0:
        raise GanzooError(f"ada_kimg must be positive (the paper uses 500), got {kimg}")


class AdaptiveStrength:
    """The augmentation probability ``p`` and the controller that moves it."""

    def __init__(self, target: float, kimg: float, batch_size: int, world: int = 1):
        check_settings(target, kimg)
        self.target = target
        self.step_size = batch_size * world * INTERVAL / (kimg * 1000.0)
        self.p = 0.0
        self.signs = 0.0   # sum of sign(D(real)) over the open interval
        self.count = 0     # real verdicts in it
        self.seen_verdicts = False

    def observe(self, judged_real: torch.Tensor | None) -> None:
        """Add one D step's verdicts on its real batch (bools)."""
        if judged_real is None:
            return
        if not isinstance(judged_real, torch.Tensor) or judged_real.dtype != torch.bool:
            kind = judged_real.dtype if isinstance(judged_real, torch.Tensor) else \
                type(judged_real).__name__
            raise GanzooError(f"StepOutput.judged_real must hold bools (one per real sample: "
                              f"did D call it real?), got {kind}; return "
                              f"loss.judged_real(real_scores), not the scores")
        self.seen_verdicts = True
        verdicts = judged_real.detach().flatten().float()
        self.signs += float((2.0 * verdicts - 1.0).sum())
        self.count += verdicts.numel()

    def check_observed(self, variant: str) -> None:
        """After the first iteration: refuse a variant that reports no verdicts."""
        if not self.seen_verdicts:
            raise GanzooError(f"ada_target adapts the augmentation to D's verdicts on real "
                              f"images, but {variant}'s discriminator step reports none (its "
                              f"loss has no real/fake threshold, or the variant does not return "
                              f"StepOutput.judged_real); use --set diffaugment=... without "
                              f"ada_target, or a loss such as non-saturating or hinge")

    def end_iteration(self, step: int) -> None:
        """After iteration ``step`` (counted from 1): every `INTERVAL` iterations, move ``p``
        by the sign of ``r_t - target`` (summed over every process's verdicts)."""
        if step % INTERVAL or self.count == 0:
            return
        signs, count = _summed_over_processes(self.signs, self.count)
        r_t = signs / count
        direction = (r_t > self.target) - (r_t < self.target)
        self.p = min(1.0, max(0.0, self.p + direction * self.step_size))
        self.signs, self.count = 0.0, 0

    def state_dict(self) -> dict[str, Any]:
        return {"p": self.p, "signs": self.signs, "count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.p = float(state["p"])
        self.signs = float(state["signs"])
        self.count = int(state["count"])
        self.seen_verdicts = True


def _summed_over_processes(signs: float, count: int) -> tuple[float, int]:
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return signs, count
    backend = dist.get_backend()
    device = torch.device("cuda", torch.cuda.current_device()) if backend == "nccl" else "cpu"
    both = torch.tensor([signs, float(count)], dtype=torch.float64, device=device)
    dist.all_reduce(both)
    return float(both[0]), int(both[1])
