"""Figures a run writes: preview grids or scatter plots, and the loss curves (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import torch

from ..atomic_file import write_atomic


def save_preview(output: torch.Tensor, path: Path, reference: torch.Tensor | None = None) -> Path:
    """Images ``(N, C, H, W)`` in [0, 1] → a PNG grid; points ``(N, 2)`` → a scatter plot
    (with ``reference`` points, e.g. the mixture's centres, drawn on top)."""
    if output.dim() == 4:
        from ..grid import save_grid

        upscale = max(1, 64 // max(output.shape[-2:]))  # keep 8×8 digits legible
        return save_grid(output, path, upscale=upscale, overwrite=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = output.detach().float().cpu().reshape(output.shape[0], -1)
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5, label="samples")
    if reference is not None:
        ax.scatter(reference[:, 0], reference[:, 1], s=25, marker="x", c="red", label="modes")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    return _save_figure(fig, path)


def save_loss_plot(history: list[dict[str, float]], path: Path) -> Path:
    """One curve per logged key (x = iteration)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    keys = sorted({k for row in history for k in row if k != "step"})
    for key in keys:
        rows = [row for row in history if key in row]
        ax.plot([r["step"] for r in rows], [r[key] for r in rows], label=key, linewidth=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    if keys:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return _save_figure(fig, path)


def _save_figure(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    try:
        return write_atomic(path, lambda temp: fig.savefig(temp, format="png"))
    finally:
        plt.close(fig)
