"""``ganzoo train VARIANT --data SPEC``: train a variant with the one Trainer and write a folder
in the published-model layout (loadable with ``ganzoo.load(DIR)``, sampleable, publishable).

Settings are resolved in this order, later winning: the variant's Config defaults (its
recommended recipe) → the variant's per-dataset ``recipes`` entry → values implied by the data
(``config_hints``: data shape, channels, classes) → ``--steps/--batch-size/--lr/--seed`` →
``--set key=value``. Each key goes to the variant's Config or to `ganzoo.train.TrainConfig`,
whichever declares it. The resolved settings are saved in ``DIR/train.json``; ``--resume``
reuses them (only ``--steps`` may change).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import sys
import uuid
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
    """Options the data must follow from the model (image size, channels, SR scale and
    input rounding)."""
    from ..building import variant_class

    _, cls = variant_class(settings["variant"])
    defaults = cls.Config()
    chosen = {**settings["recipe"], **settings["explicit"]}
    return {k: chosen.get(k, getattr(defaults, k))
            for k in ("image_size", "channels", "scale", "quantize_lr") if hasattr(defaults, k)}


def prepare_out_dir(out: Path, *, resume: bool, force: bool) -> None:
    if resume:
        if not (out / TRAIN_FILE).is_file():
            raise GanzooError(f"{out} holds no run to resume ({TRAIN_FILE} missing); start a "
                              f"new run without --resume")
        return
    if out.exists() and not out.is_dir():
        raise GanzooError(f"--out {out} is a file; choose a folder")
    from ..train.run_lock import LOCK_FILE

    if out.is_dir() and any(p.name != LOCK_FILE for p in out.iterdir()):
        if not force:
            raise GanzooError(f"{out} is not empty; continue it with --resume, overwrite it with "
                              f"--force, or choose another --out")
        for name in RUN_OUTPUTS:
            (out / name).unlink(missing_ok=True)
        for name in RUN_FOLDERS:
            shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def mixture_evaluator(dataset):
    """Mode coverage for toy mixtures (datasets with ``centres``), else None."""
    if not hasattr(dataset, "centres"):
        return None

    def evaluate(model) -> dict[str, Any]:
        from ..metrics.modes import evaluate_mixture_model

        result = evaluate_mixture_model(model, dataset, seed=0)
        return {"modes_captured": f"{result['modes']}/{result['total_modes']}",
                "high_quality_percent": round(result["high_quality"], 2),
                "reverse_kl": round(result["reverse_kl"], 4)}

    return evaluate


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
    or SIGTERM (docker stop, Slurm, Kubernetes) saves a checkpoint; continue with --resume.
    One process at a time may write to --out (a second is refused); --resume first checks
    that the checkpoint belongs to this run and is intact.
    """
    locks: list = []
    try:
        _train(locks, variant, data, steps, batch_size, lr, seed, device, sets, out, resume,
               force)
    finally:
        for lock in locks:  # in-process callers (tests, notebooks) may train again
            lock.release()


def _train(locks, variant, data, steps, batch_size, lr, seed, device, sets, out, resume, force):
    from ..config import build_config, parse_set_options
    from ..train.checkpoint import checkpoint_path
    from ..train.resume_check import check_checkpoint, read_run_settings
    from ..train.run_lock import lock_run_folder, remove_stale_temp_files

    flags = {k: v for k, v in (("steps", steps), ("batch_size", batch_size), ("lr", lr),
                               ("seed", seed), ("device", device)) if v is not None}
    if resume and out is None:
        raise GanzooError("--resume needs --out DIR, the folder of the run to continue")
    if resume and force:
        raise GanzooError("--resume continues a run and --force replaces it; pass only one")
    lock = None
    if resume:
        extra = sorted(set(flags) - {"steps", "device"}) + (["--set"] if sets else []) + \
            (["--data"] if data else [])
        if extra:
            raise GanzooError(f"--resume continues with the run's saved settings; drop "
                              f"{', '.join(extra)} (only --steps and --device may change)")
        if not (out / TRAIN_FILE).is_file():
            raise GanzooError(f"{out} holds no run to resume ({TRAIN_FILE} missing); start a "
                              f"new run without --resume")
        if _rank() == 0:
            lock = lock_run_folder(out)
            locks.append(lock)
        settings = read_run_settings(out / TRAIN_FILE)
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
        if lock is None:
            lock = lock_run_folder(out)  # before anything in the folder is touched
            locks.append(lock)
        prepare_out_dir(out, resume=resume, force=force)
        remove_stale_temp_files(out)

    from ..building import build_model
    from ..data.spec import load_dataset
    from ..train.config import TrainConfig
    from ..train.rng import seed_everything
    from ..train.trainer import Trainer

    dataset = load_dataset(settings["data"], **dataset_options(settings))
    model_values, train_values = split_values(settings, getattr(dataset, "config_hints", {}))
    train_config = build_config(TrainConfig, train_values, where="--set")
    seed_everything(train_config.seed)
    model = build_model(variant, model_values, where="--set")
    if resume and not checkpoint_path(out).exists() and not (out / "model.safetensors").exists():
        # Stopped before its first checkpoint: resuming is starting over with its settings.
        click.echo(f"{out} has no checkpoint yet; starting the run from iteration 0", err=True)
        if _rank() == 0:
            (out / "metrics.jsonl").unlink(missing_ok=True)
        resume = False
    if resume:
        check_checkpoint(checkpoint_path(out), model, run_id=settings.get("run_id"),
                         steps=train_config.steps)
    if _rank() == 0 and not resume:
        # Checkpoints carry the run id, so --resume can tell this run's from another's.
        settings.setdefault("run_id", uuid.uuid4().hex)
        tmp = out / f".{TRAIN_FILE}.tmp"
        tmp.write_text(json.dumps(settings, indent=2) + "\n")
        os.replace(tmp, out / TRAIN_FILE)  # a kill mid-write never leaves half a train.json

    command_line = " ".join(["ganzoo train", variant, "--data", settings["data"]] +
                            [f"--set {k}={json.dumps(v)}" for k, v in
                             sorted(settings["explicit"].items())] + ["--out", str(out)])
    kind = settings["data"].split(":", 1)[0]
    trainer = Trainer(model, dataset, train_config, out_dir=out, evaluate=mixture_evaluator(dataset),
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
        sys.exit(128 + (trainer.stopped_by or signal.SIGINT))
