"""The recipes of the zoo's shipped first-party models: each lives in
``plugins/<dist>/<package>/pretrained/<name>/recipe.yaml`` next to its weights, card and
``metrics.json``. Read by ``tools/train_zoo.py``, which retrains, checks and installs them."""

from __future__ import annotations

from pathlib import Path


def recipes(root: Path) -> dict[str, Path]:
    """Model name -> its recipe.yaml, for every shipped first-party model under the repository
    ``root``."""
    found = sorted(root.glob("plugins/ganzoo-*/ganzoo_*/pretrained/*/recipe.yaml"))
    return {path.parent.name: path for path in found}


def read_recipe(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def compare_metrics(shipped: dict, now: dict, rel: float = 0.005) -> list[str]:
    """Lines naming each card metric that the new run did not reproduce (numbers within
    ``rel`` of the card's count as reproduced; anything else must be equal)."""
    lines = []
    for key, value in shipped.items():
        new = now.get(key)
        if isinstance(value, (int, float)) and isinstance(new, (int, float)):
            same = abs(new - value) <= rel * max(abs(value), 1e-9)
        else:
            same = new == value
        if not same:
            lines.append(f"{key}: card {value}, this run {new}")
    return lines
