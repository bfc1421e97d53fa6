"""``ganzoo train VARIANT --data SPEC``: train a variant with the one Trainer and write a folder
in the published-model layout (loadable with ``ganzoo.load(DIR)``, sampleable, publishable).

Settings are resolved in this order, later winning: the variant's Config defaults (its
recommended recipe) → the variant's per-dataset ``recipes`` entry → values implied by the data
(`TrainingData.config_hints`: data shape, channels, classes) → ``--steps/--batch-size/--lr/--seed`` →
``--set key=value``. Each key goes to the variant's Config or to `ganzoo.train.TrainConfig`,
whichever declares it. The resolved settings are saved in ``DIR/train.json``; ``--resume``
reuses them (only ``--steps`` may change).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import GanzooError

TRAIN_FILE = "train.json"
# Files a previous run left that --force replaces (never anything else in the folder).
RUN_OUTPUTS = ("config.json", "model.safetensors", "README.md", "samples.png", "losses.png",
               "metrics.jsonl", "run.json", TRAIN_FILE)
RUN_FOLDERS = ("checkpoints", "samples")


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))


def resolve_settings(variant: str, data: str | None, *, flags: dict[str, Any],
                     sets: dict[str, Any]) -> dict[str, Any]:
    """The variant, data spec, model values and train values of a new run (no torch import)."""
    from ..building import variant_class
    from ..data.spec import parse_data_spec
    from ..train.config import TrainConfig

    registered, cls = variant_class(variant)
    data = data or registered.metadata.get("default_data")
    if not data:
        raise GanzooError(f"variant '{variant}' has no default dataset; pass --data "
                          f"(e.g. --data digits or --data folder:PATH)")
    kind, _ = parse_data_spec(data)
    check_data_kind(variant, cls, kind)
    model_fields = {f.name for f in dataclasses.fields(cls.Config)}
    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}

    values: dict[str, Any] = dict(cls.recipes.get(kind, {}))
    explicit = dict(flags)
    if "lr" in explicit:  # --lr sets every learning rate the variant declares
        lr = explicit.pop("lr")
        names = [n for n in ("lr", "lr_g", "lr_d") if n in model_fields]
        if not names:
            raise GanzooError(f"{variant} has no learning-rate setting; see its --set keys "
                              f"(ganzoo info --variant {variant} --settings)")
        explicit.update({n: lr for n in names})
    explicit.update(sets)
    unknown = sorted((set(values) | set(explicit)) - model_fields - train_fields)
    if unknown:
        raise GanzooError(f"unknown setting(s) {', '.join(unknown)} for {variant}; valid: "
                          f"{', '.join(sorted(model_fields))} (model) and "
                          f"{', '.join(sorted(train_fields))} (training); defaults and notes: "
                          f"ganzoo info --variant {variant} --settings")
    return {"variant": variant, "data": data, "recipe": values, "explicit": explicit,
            "model_fields": sorted(model_fields), "train_fields": sorted(train_fields)}


def check_data_kind(variant: str, cls, kind: str) -> None:
    """Refuse, before any work, a data kind the variant does not declare it trains on."""
    kinds = cls.data_kinds
    effective = cls.images_as if kind == "images" else kind
    if not kinds or kind in kinds or effective in kinds:
        return
    example = kinds[0] if kinds[0] in ("digits", "ring8", "grid25") else f"{kinds[0]}:PATH"
    raise GanzooError(f"{variant} trains on {', '.join(kinds)} data, not '{kind}'; pass e.g. "
                      f"--data {example} (layouts: ganzoo info --variant {variant})")


def split_values(settings: dict[str, Any], hints: dict[str, Any]) -> tuple[dict, dict]:
    """Model and train values: recipe → data hints (for declared fields) → explicit flags."""
    model_fields, train_fields = set(settings["model_fields"]), set(settings["train_fields"])
    merged = dict(settings["recipe"])
    merged.update({k: v for k, v in hints.items() if k in model_fields})
    merged.update(settings["explicit"])
    model = {k: v for k, v in merged.items() if k in model_fields}
    train = {k: v for k, v in merged.items() if k in train_fields and k not in model_fields}
    return model, train


def dataset_options(settings: dict[str, Any]) -> dict[str, Any]:
    """Options the data factory gets from the model's settings (the variant's
    ``data_options``: image size, channels, whatever its data kinds need), plus what
    ``images:PATH`` means for this variant."""
    from ..building import variant_class
    from ..config import build_config
    from ..data.spec import parse_data_spec

    _, cls = variant_class(settings["variant"])
    model_fields = {f.name for f in dataclasses.fields(cls.Config)}
    chosen = {k: v for k, v in {**settings["recipe"], **settings["explicit"]}.items()
              if k in model_fields}
    options = cls.data_options(build_config(cls.Config, chosen, where="--set"))
    if parse_data_spec(settings["data"])[0] == "images":
        options["images_as"] = cls.images_as
    return options


def prepare_out_dir(out: Path, *, resume: bool, force: bool) -> None:
    if resume:
        if not (out / TRAIN_FILE).is_file():
            raise GanzooError(f"{out} holds no run to resume ({TRAIN_FILE} missing); start a "
                              f"new run without --resume")
        return
    if out.exists() and not out.is_dir():
        raise GanzooError(f"--out {out} is a file; choose a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise GanzooError(f"{out} is not empty; continue it with --resume, overwrite it with "
                              f"--force, or choose another --out")
        for name in RUN_OUTPUTS:
            (out / name).unlink(missing_ok=True)
        for name in RUN_FOLDERS:
            shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


@click.command("train")
@click.argument("variant")
@click.option("--data", "data", metavar="SPEC",
              help="Dataset KIND[:ARG]: ring8, grid25, digits, digits:K, folder:PATH, ... "
                   "(default: the variant's default_data).")
@click.option("--steps", type=click.IntRange(min=1), help="Training iterations.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Batch size per process.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True),
              help="Learning rate for every optimizer of the variant.")
@click.option("--seed", type=int, help="Seed for weights, noise and data order (default 0).")
@click.option("--device", help="cpu, cuda, cuda:N or auto (default).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Any variant or training setting, e.g. --set pack=4 --set ema_decay=0.99 "
                   "(all of them, with defaults: ganzoo info --variant VARIANT --settings).")
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Output folder (default: runs/VARIANT-DATA-seedS).")
@click.option("--resume", is_flag=True, help="Continue the run in --out from its checkpoint.")
@click.option("--force", is_flag=True, help="Replace a previous run's files in --out.")
def command(variant, data, steps, batch_size, lr, seed, device, sets, out, resume, force):
    """Train VARIANT on --data and write a loadable model folder.

    The folder holds config.json, model.safetensors and README.md (the published layout, EMA
    weights), samples.png, losses.png, metrics.jsonl, run.json and checkpoints/ for --resume.
    With no flags but --data the variant's recommended recipe is used, e.g.

        ganzoo train gan --data grid25 --seed 1 --out runs/grid

    Under `torchrun --nproc_per_node K` the same command trains data-parallel with
    DistributedDataParallel (gloo on CPU, nccl on CUDA; only rank 0 writes files). Ctrl-C
    saves a checkpoint; continue with --resume.
    """
    from ..config import build_config, parse_set_options

    flags = {k: v for k, v in (("steps", steps), ("batch_size", batch_size), ("lr", lr),
                               ("seed", seed), ("device", device)) if v is not None}
    if resume and out is None:
        raise GanzooError("--resume needs --out DIR, the folder of the run to continue")
    if resume and force:
        raise GanzooError("--resume continues a run and --force replaces it; pass only one")
    if resume:
        extra = sorted(set(flags) - {"steps", "device"}) + (["--set"] if sets else []) + \
            (["--data"] if data else [])
        if extra:
            raise GanzooError(f"--resume continues with the run's saved settings; drop "
                              f"{', '.join(extra)} (only --steps and --device may change)")
        settings = json.loads((out / TRAIN_FILE).read_text()) if (out / TRAIN_FILE).is_file() \
            else None
        if settings is None:
            raise GanzooError(f"{out} holds no run to resume ({TRAIN_FILE} missing); start a "
                              f"new run without --resume")
        if settings["variant"] != variant:
            raise GanzooError(f"{out} is a run of '{settings['variant']}', not '{variant}'; "
                              f"run `ganzoo train {settings['variant']} --resume --out {out}`")
        settings["explicit"].update(flags)
    else:
        settings = resolve_settings(variant, data, flags=flags, sets=parse_set_options(sets))
    if out is None:
        kind = settings["data"].split(":", 1)[0]
        seed_value = settings["explicit"].get("seed", 0)
        out = Path("runs") / f"{variant}-{kind}-seed{seed_value}"
    if _rank() == 0:
        prepare_out_dir(out, resume=resume, force=force)

    from ..building import build_model
    from ..data.spec import load_dataset
    from ..data.training_data import as_training_data
    from ..train.config import TrainConfig
    from ..train.rng import seed_everything
    from ..train.trainer import Trainer

    dataset = as_training_data(load_dataset(settings["data"], **dataset_options(settings)))
    model_values, train_values = split_values(settings, dataset.config_hints)
    train_config = build_config(TrainConfig, train_values, where="--set")
    seed_everything(train_config.seed)
    model = build_model(variant, model_values, where="--set")
    if _rank() == 0 and not resume:
        (out / TRAIN_FILE).write_text(json.dumps(settings, indent=2) + "\n")

    command_line = " ".join(["ganzoo train", variant, "--data", settings["data"]] +
                            [f"--set {k}={json.dumps(v)}" for k, v in
                             sorted(settings["explicit"].items())] + ["--out", str(out)])
    kind = settings["data"].split(":", 1)[0]
    trainer = Trainer(model, dataset, train_config, out_dir=out,
                      card={"datasets": kind, "recipe": command_line})
    summary = trainer.fit(resume=resume)
    if _rank() != 0:
        return
    rate = summary.get("iterations_per_second")
    click.echo(f"{summary['steps']} iterations, {summary['wall_seconds']:.1f} s"
               f"{f' ({rate} it/s)' if rate else ''}; wrote {out}")
    for name, value in (summary.get("metrics") or {}).items():
        click.echo(f"  {name}: {value}")
    if summary["interrupted"]:
        click.echo(f"Interrupted at iteration {summary['steps']}; checkpoint saved. Continue with "
                   f"`ganzoo train {variant} --resume --out {out}`.", err=True)
        sys.exit(130)
