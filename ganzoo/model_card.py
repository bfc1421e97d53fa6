"""The model card (``README.md``) of a published model: huggingface_hub's `ModelCard`.

The YAML front matter is `ModelCardData` — what the Hugging Face Hub indexes (``library_name:
ganzoo``, tags, license, datasets, pipeline_tag, metrics as ``model-index`` evaluation
results); the body, from ``templates/model_card.md``, tells a reader how to load and sample the
model, which conditioning keys it takes, and what its plugin adds (`GANModel.card_sections`).
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


def render_model_card(config: dict[str, Any], card: dict[str, Any] | None = None,
                      model: Any = None) -> str:
    """The README.md text for a model whose ``config.json`` content is ``config``.

    Built with huggingface_hub's `ModelCard`/`ModelCardData`, so the front matter is the Hub's
    own schema (metrics as ``model-index`` evaluation results) and parses back without errors.

    Args:
        config: the dict written to ``config.json`` (variant, task, plugin, config, ...).
        card: optional extra fields: ``title``, ``summary``, ``license`` (default: the
            plugin distribution's license), ``datasets`` (a name or a list), ``metrics``
            (name → value), ``recipe`` (the command that reproduced the weights), ``sample``
            (file name of a sample image in the folder), ``source`` (the name users load it
            by, e.g. ``hf://org/name``), ``tags`` (extra tags), ``weights_description``.
        model: the `ganzoo.GANModel` saved, if at hand: its conditioning keys and its
            plugin's `card_sections` go into the card.
    """
    return str(build_model_card(config, card, model))


def build_model_card(config: dict[str, Any], card: dict[str, Any] | None = None,
                     model: Any = None):
    """The `huggingface_hub.ModelCard` `render_model_card` writes (see there)."""
    from huggingface_hub import ModelCard, ModelCardData

    card = dict(card or {})
    variant, task = config["variant"], config.get("task", "")
    datasets = card.get("datasets") or []
    if isinstance(datasets, str):
        datasets = [datasets]
    tags = ["ganzoo", "gan", variant, task, *card.get("tags", [])]
    plugin = config.get("plugin", {}).get("name", "?")
    pipeline_tag = PIPELINE_TAGS.get(task, "unconditional-image-generation")
    title = card.get("title") or f"ganzoo {variant}"
    metrics = card.get("metrics") or {}
    data = ModelCardData(
        library_name="ganzoo", tags=list(dict.fromkeys(t for t in tags if t)),
        license=card.get("license") or plugin_license(plugin), pipeline_tag=pipeline_tag,
        datasets=list(datasets) or None, model_name=title,
        eval_results=eval_results(metrics, datasets, pipeline_tag) or None)
    source = card.get("source") or "path/to/this/folder"
    noise_driven = task in ("unconditional", "conditional", "toy")
    keys = tuple(type(model).conditioning) if model is not None else ()
    values = {
        "title": title,
        "summary": card.get("summary") or "",
        "variant": variant,
        "task": task,
        "plugin_name": plugin,
        "plugin_version": config.get("plugin", {}).get("version", "?"),
        "source": source,
        "cli_usage": (f"ganzoo sample {source} --n 16 --out samples.png" if noise_driven
                      else f"ganzoo sample {source} --input photo.png --out result.png"),
        "python_usage": ("images = model.sample(16, seed=0)  # (16, C, H, W) in [0, 1]"
                         if noise_driven else
                         "outputs = model.translate(images)  # float (N, C, H, W) in [0, 1]"),
        "conditioning_section": _conditioning_section(keys, source, noise_driven),
        "sample_section": (f"## Samples\n\n![samples]({card['sample']})\n\n"
                           if card.get("sample") else ""),
        "config_rows": "\n".join(f"| `{k}` | `{json.dumps(v)}` |"
                                 for k, v in config.get("config", {}).items()),
        "preprocessing": json.dumps(config.get("preprocessing", {})),
        "metrics_section": _metrics_section(metrics),
        "plugin_sections": "".join(f"## {heading}\n\n{text.strip()}\n\n" for heading, text
                                   in (model.card_sections() if model is not None else {}).items()),
        "recipe_section": (f"## Training recipe\n\nReproduce these weights with:\n\n"
                           f"```bash\n{card['recipe']}\n```\n\n" if card.get("recipe") else ""),
        "ganzoo_version": config.get("ganzoo_version", "?"),
        "weights_description": card.get("weights_description") or "network weights",
    }
    template = (resources.files("ganzoo") / "templates" / "model_card.md").read_text("utf-8")
    body = Template(template).substitute(values)
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{body}", ignore_metadata_errors=False)


def plugin_license(distribution: str) -> str | None:
    """The Hub license id of an installed distribution (its ``License-Expression``, else its
    ``License``), e.g. ``Apache-2.0`` → ``apache-2.0``; None when it declares none or is
    not installed, so no card claims a license nobody chose."""
    from importlib import metadata

    try:
        meta = metadata.metadata(distribution)
    except metadata.PackageNotFoundError:
        return None
    text = (meta.get("License-Expression") or meta.get("License") or "").strip()
    # The Hub's ids are lower-case SPDX ids; an expression ("MIT OR Apache-2.0") or free text
    # is not one of them.
    return text.lower() if text and " " not in text and len(text) <= 40 else None


def eval_results(metrics: dict[str, Any], datasets: list[str], task_type: str) -> list:
    """Numeric metrics as Hub ``model-index`` results, scored on the (first) training dataset;
    none without a dataset (the Hub requires one)."""
    from huggingface_hub import EvalResult

    if not datasets:
        return []
    return [EvalResult(task_type=task_type, dataset_type=datasets[0], dataset_name=datasets[0],
                       metric_type=name.lower(), metric_name=name, metric_value=value)
            for name, value in metrics.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)]


def _metrics_section(metrics: dict[str, Any]) -> str:
    if not metrics:
        return ""
    rows = "\n".join(f"| {name} | {value} |" for name, value in metrics.items())
    return f"## Metrics\n\n| metric | value |\n| --- | --- |\n{rows}\n\n"


def _conditioning_section(keys: tuple, source: str, noise_driven: bool) -> str:
    if not keys:
        return ""
    rows = "\n".join(f"- `{key.signature()}`: {key.help}" for key in keys)
    first = keys[0]
    example = first.choices[0] if first.choices else ("0" if "int" in first.type else "0.5")
    call = "sample(16, " if noise_driven else "translate(images, "
    return (f"## Conditioning\n\nThis model takes these conditioning keys:\n\n{rows}\n\n"
            f"Pass them as `ganzoo sample {source} --cond {first.name}={example}` or "
            f"`model.{call}{first.name}=...)`.\n\n")


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
