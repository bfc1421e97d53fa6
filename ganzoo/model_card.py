"""The model card (``README.md``) of a published model, rendered from ``templates/model_card.md``.

The YAML front matter is what the Hugging Face Hub indexes (``library_name: ganzoo``, tags,
license, datasets, pipeline_tag); the body tells a reader how to load and sample the model.
"""

from __future__ import annotations

import json
from importlib import resources
from string import Template
from typing import Any

# The Hub's pipeline tags closest to each ganzoo task.
PIPELINE_TAGS = {
    "unconditional": "unconditional-image-generation",
    "conditional": "unconditional-image-generation",
    "toy": "unconditional-image-generation",
    "image-to-image": "image-to-image",
    "super-resolution": "image-to-image",
}


def render_model_card(config: dict[str, Any], card: dict[str, Any] | None = None) -> str:
    """The README.md text for a model whose ``config.json`` content is ``config``.

    Args:
        config: the dict written to ``config.json`` (variant, task, plugin, config, ...).
        card: optional extra fields: ``title``, ``summary``, ``license``, ``datasets`` (a name
            or a list), ``metrics`` (name → value), ``recipe`` (the command that reproduced the
            weights), ``sample`` (file name of a sample image in the folder), ``source`` (the
            name users load it by, e.g. ``hf://org/name``), ``tags`` (extra tags),
            ``weights_description``.
    """
    import yaml

    card = dict(card or {})
    variant, task = config["variant"], config.get("task", "")
    datasets = card.get("datasets") or []
    if isinstance(datasets, str):
        datasets = [datasets]
    tags = ["ganzoo", "gan", variant, task, *card.get("tags", [])]
    front = {
        "library_name": "ganzoo",
        "tags": list(dict.fromkeys(t for t in tags if t)),
        "license": card.get("license") or "apache-2.0",
        "pipeline_tag": PIPELINE_TAGS.get(task, "unconditional-image-generation"),
    }
    if datasets:
        front["datasets"] = list(datasets)
    source = card.get("source") or "path/to/this/folder"
    noise_driven = task in ("unconditional", "conditional", "toy")
    values = {
        "front_matter": yaml.safe_dump(front, sort_keys=False).strip(),
        "title": card.get("title") or f"ganzoo {variant}",
        "summary": card.get("summary") or "",
        "variant": variant,
        "task": task,
        "plugin_name": config.get("plugin", {}).get("name", "?"),
        "plugin_version": config.get("plugin", {}).get("version", "?"),
        "source": source,
        "cli_usage": (f"ganzoo sample {source} --n 16 --out samples.png" if noise_driven
                      else f"ganzoo sample {source} --input photo.png --out result.png"),
        "python_usage": ("images = model.sample(16, seed=0)  # (16, C, H, W) in [0, 1]"
                         if noise_driven else
                         "outputs = model.translate(images)  # float (N, C, H, W) in [0, 1]"),
        "sample_section": (f"## Samples\n\n![samples]({card['sample']})\n\n"
                           if card.get("sample") else ""),
        "config_rows": "\n".join(f"| `{k}` | `{json.dumps(v)}` |"
                                 for k, v in config.get("config", {}).items()),
        "preprocessing": json.dumps(config.get("preprocessing", {})),
        "metrics_section": _metrics_section(card.get("metrics") or {}),
        "recipe_section": (f"## Training recipe\n\nReproduce these weights with:\n\n"
                           f"```bash\n{card['recipe']}\n```\n\n" if card.get("recipe") else ""),
        "ganzoo_version": config.get("ganzoo_version", "?"),
        "weights_description": card.get("weights_description") or "network weights",
    }
    template = (resources.files("ganzoo") / "templates" / "model_card.md").read_text("utf-8")
    return Template(template).substitute(values)


def _metrics_section(metrics: dict[str, Any]) -> str:
    if not metrics:
        return ""
    rows = "\n".join(f"| {name} | {value} |" for name, value in metrics.items())
    return f"## Metrics\n\n| metric | value |\n| --- | --- |\n{rows}\n\n"


def read_front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a model card (``{}`` when there is none)."""
    import yaml

    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    if end < 0:
        return {}
    from .errors import GanzooError
    from .registry_yaml import load_untrusted_yaml

    try:
        data = load_untrusted_yaml(text[4:end])
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise GanzooError(f"the model card's front matter is not valid YAML ({problem}); "
                          f"regenerate the card with ganzoo.layout.save_pretrained") from None
    return data if isinstance(data, dict) else {}
