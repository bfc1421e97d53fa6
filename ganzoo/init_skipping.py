"""Build a model without its random initialisation when loaded weights replace it anyway.

Building CycleGAN's ResNet-9 draws some 23 million random numbers (each layer's default init,
then the variant's own) that loading its weights overwrites at once: 0.09 of the 0.1 s that
`ganzoo.load` spent building it. `SkippedRandomInit` turns random in-place fills into no-ops
while a model is built and records the tensors they would have filled; after loading,
`SkippedRandomInit.replaced_by` says whether every one of them was overwritten. If one was not
(a randomly initialised tensor the weights file does not hold), the caller builds the model
again the ordinary way, so a loaded model is always fully initialised.

It is a torch-function mode, so it acts only on the thread that enters it: unlike patching
``torch.nn.init``, a model built meanwhile on another thread keeps its initialisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from torch import Tensor
from torch.nn import init
from torch.overrides import TorchFunctionMode

#: Random fills skipped; the ``torch.nn.init`` ones are caught whole, so none of their
#: arithmetic runs on the uninitialised memory.
RANDOM_FILLS = frozenset({
    Tensor.uniform_, Tensor.normal_,
    init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_, init.xavier_normal_,
    init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_, init.sparse_,
})


class SkippedRandomInit(TorchFunctionMode):
    """A ``with`` block in which random in-place fills do nothing.

    Attributes:
        skipped: the tensors whose fill was skipped (their memory is uninitialised).
    """

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None) -> Any:
        kwargs = kwargs or {}
        if func in RANDOM_FILLS:
            tensor = args[0] if args else kwargs["tensor"]
            self.skipped.append(tensor)
            return tensor
        return func(*args, **kwargs)

    def replaced_by(self, tensors: Iterable[Tensor]) -> bool:
        """Whether every skipped tensor shares its memory with one of ``tensors`` (the ones a
        weights file was loaded into)."""
        loaded = {tensor.untyped_storage().data_ptr() for tensor in tensors}
        return all(tensor.numel() == 0 or tensor.untyped_storage().data_ptr() in loaded
                   for tensor in self.skipped)

