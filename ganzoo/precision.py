"""The one vocabulary of numeric precision, for training and for inference.

- ``fp32``: full precision.
- ``bf16``: bfloat16 autocast (fast where the CPU/GPU computes it natively).
- ``fp16``: float16 autocast with loss scaling; training on CUDA only.
- ``mixed``: inference only: bf16, but a generator's output stage in fp32
  (`ganzoo.interfaces.Generator.forward_staged`).
- ``auto``: training: bf16 where native, else fp32; inference: the fastest of bf16 / mixed whose
  output a probe shows within 2/255 of fp32, else fp32.
"""

from __future__ import annotations

from .errors import GanzooError

PRECISIONS = ("auto", "fp32", "bf16", "fp16", "mixed")
TRAINING_PRECISIONS = ("auto", "fp32", "bf16", "fp16")
INFERENCE_PRECISIONS = ("auto", "fp32", "bf16", "mixed")


def check_precision(value: str, allowed: tuple[str, ...], where: str = "precision") -> str:
    """``value`` if it is one of ``allowed``, else a one-line error that says why."""
    if value in allowed:
        return value
    if value in PRECISIONS:
        use = "training" if value not in TRAINING_PRECISIONS else "inference"
        raise GanzooError(f"{where} {value} is not available for {use}; use one of "
                          f"{', '.join(allowed)}")
    raise GanzooError(f"{where} must be one of {', '.join(allowed)}; got {value!r}")
