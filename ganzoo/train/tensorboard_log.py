"""TensorBoard event files for a training run (``ganzoo train --set log=tensorboard``).

`metrics.jsonl` stays the run's record; with ``log=tensorboard`` the Trainer also writes
``<out>/tensorboard/``: every logged loss under ``loss/``, each role's learning rate under
``lr/``, the mean seconds per iteration as ``time/step_seconds``, the preview grids as images,
and the final metrics under ``final/``. TensorBoard is an optional extra
(``pip install 'ganzoo-core[tensorboard]'``); it is imported only when asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import GanzooError

#: Sub-folder of the run's --out that holds the event files.
FOLDER = "tensorboard"


def require_tensorboard() -> None:
    """A one-line error naming the extra when TensorBoard is not installed (checked before a
    run writes anything)."""
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise GanzooError("--set log=tensorboard needs TensorBoard: "
                          "pip install 'ganzoo-core[tensorboard]' (or --set log=jsonl)")


class TensorBoardLog:
    """Writes one run's scalars, previews and final metrics as TensorBoard events."""

    def __init__(self, out_dir: str | Path):
        require_tensorboard()
        from torch.utils.tensorboard import SummaryWriter

        self.folder = Path(out_dir) / FOLDER
        self.writer = SummaryWriter(log_dir=str(self.folder))

    def scalars(self, step: int, row: dict[str, float], learning_rates: dict[str, float],
                step_seconds: float | None) -> None:
        """One logged row of `metrics.jsonl` (its ``step`` key is the x axis)."""
        for name, value in row.items():
            if name != "step":
                self.writer.add_scalar(f"loss/{name}", value, step)
        for role, value in learning_rates.items():
            self.writer.add_scalar(f"lr/{role}", value, step)
        if step_seconds is not None:
            self.writer.add_scalar("time/step_seconds", step_seconds, step)

    def preview(self, step: int, png: Path) -> None:
        """A preview grid (or scatter plot) as written to ``png``."""
        import numpy as np
        from PIL import Image

        with Image.open(png) as image:
            pixels = np.asarray(image.convert("RGB"))
        self.writer.add_image("preview", pixels, step, dataformats="HWC")

    def final(self, step: int, metrics: dict[str, Any]) -> None:
        """The final model's metrics (numbers only), then flush and close."""
        for name, value in (metrics or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.writer.add_scalar(f"final/{name}", value, step)
        self.close()

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
