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
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from ..errors import GanzooError

TRAIN_FILE = "train.json"
#: Data options that only follow the model when set explicitly; otherwise the data decides.
SHAPE_OPTIONS = ("image_size", "channels")
# Files a previous run left that --force replaces (never anything else in the folder).
RUN_OUTPUTS = ("config.json", "model.safetensors", "README.md", "samples.png", "losses.png",
               "metrics.jsonl", "run.json", TRAIN_FILE)
RUN_FOLDERS = ("checkpoints", "samples")


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))


def resolve_settings(variant: str, data: str | None, *, flags: dict[str, Any],
                     sets: dict[str, Any], preset: str | None = None) -> dict[str, Any]:
    """The variant, data spec, model values and train values of a new run (no torch import)."""
    from ..building import variant_class
    from ..data.spec import registered_dataset
    from ..train.config import TrainConfig

    registered, cls = variant_class(variant)
    data = data or registered.metadata.get("default_data")
    if not data:
        kinds = cls.data_kinds
        which = (f"it trains on {', '.join(kinds)}, e.g. --data {kinds[0]}:PATH" if kinds else
                 "e.g. --data digits or --data folder:PATH")
        raise GanzooError(f"variant '{variant}' has no default dataset; pass --data ({which}; "
                          f"layouts: ganzoo list --datasets)")
    kind = registered_dataset(data).name
    check_data_kind(variant, cls, kind)
    model_fields = {f.name for f in dataclasses.fields(cls.Config)}
    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}

    values: dict[str, Any] = dict(cls.recipes.get(kind, {}))
    if preset is not None:
        if preset not in cls.presets:
            have = ", ".join(sorted(cls.presets)) or "none"
            raise GanzooError(f"{variant} has no preset '{preset}' (its presets: {have}); see "
                              f"ganzoo info --variant {variant} --settings")
        values.update(cls.presets[preset])
    explicit = dict(flags)
    if "lr" in explicit:  # --lr sets every learning rate the variant declares
        lr = explicit.pop("lr")
        names = [n for n in ("lr", "lr_g", "lr_d") if n in model_fields]
        if not names:
            raise GanzooError(f"{variant} has no learning-rate setting; see its --set keys "
                              f"(ganzoo info --variant {variant} --settings)")
        explicit.update({n: lr for n in names})
    clashes = sorted(k for k in set(explicit) & set(sets) if explicit[k] != sets[k])
    if clashes:
        key = clashes[0]
        raise GanzooError(f"--{key.replace('_', '-')} {explicit[key]} and --set {key}={sets[key]} "
                          f"disagree; pass the value once")
    explicit.update(sets)
    unknown = sorted((set(values) | set(explicit)) - model_fields - train_fields)
    if unknown:
        from ..suggest import did_you_mean

        hint = did_you_mean(unknown[0], model_fields | train_fields) if len(unknown) == 1 else ""
        raise GanzooError(f"unknown setting(s) {', '.join(unknown)}{hint} for {variant}; valid: "
                          f"{', '.join(sorted(model_fields))} (model) and "
                          f"{', '.join(sorted(train_fields))} (training); defaults and notes: "
                          f"ganzoo info --variant {variant} --settings")
    return {"variant": variant, "data": data, "preset": preset, "recipe": values,
            "explicit": explicit,
            "model_fields": sorted(model_fields), "train_fields": sorted(train_fields)}


def check_data_kind(variant: str, cls, kind: str) -> None:
    """Refuse, before any work, a data kind the variant does not declare it trains on."""
    kinds = cls.data_kinds
    effective = cls.images_as if kind == "images" else kind
    if not kinds or kind in kinds or effective in kinds:
        return
    example = kinds[0] if kinds[0] in ("digits", "ring8", "grid25") else f"{kinds[0]}:PATH"
    raise GanzooError(f"{variant} trains on {', '.join(kinds)} data, not '{kind}'; pass e.g. "
                      f"--data {example} (layouts: ganzoo list --datasets)")


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
    # The data decides the image shape unless the run sets it (a colour folder trains a
    # colour model); the variant's other data options (e.g. an SR scale) always apply.
    for name in SHAPE_OPTIONS:
        if name not in chosen:
            options.pop(name, None)
    if parse_data_spec(settings["data"])[0] == "images":
        options["images_as"] = cls.images_as
    return options


#: Above this estimated wall time on a CPU, `ganzoo train` suggests a smaller preset.
SLOW_RUN_SECONDS = 3600


def preset_shrinks(preset: dict[str, Any], model_config: Any) -> bool:
    """Whether ``preset`` would make this run smaller: not when its image size is the run's
    or larger (a 32-px preset for 8×8 digits would upscale them)."""
    size, now = preset.get("image_size"), getattr(model_config, "image_size", None)
    return size is None or now is None or size < now


def estimate_printer(variant: str, settings: dict[str, Any], train_config,
                     threads_note: str | None = None, model_config: Any = None):
    """What `Trainer` calls after its first iterations: the thread count a new run chose (if
    it chose one), one line with the measured seconds per iteration and the time left, plus a
    hint when a CPU run would take hours."""
    from ..building import variant_class

    _, cls = variant_class(variant)

    def report(per_step: float, left: int) -> None:
        if threads_note:
            click.echo(threads_note, err=True)
        total = per_step * left
        click.echo(f"{per_step:.2f} s per iteration; {left} more take about "
                   f"{format_duration(total)}", err=True)
        device = train_config.device
        on_cpu = device == "cpu" or (device == "auto" and not _cuda_available())
        if total > SLOW_RUN_SECONDS and on_cpu:
            if "small" in cls.presets and settings.get("preset") != "small" and \
                    preset_shrinks(cls.presets["small"], model_config):
                click.echo(f"hint: that is hours on a CPU; `--preset small` trains {variant}'s "
                           f"CPU-sized version in minutes (Ctrl-C keeps a checkpoint)", err=True)
            else:
                click.echo("hint: that is hours on a CPU; lower --steps or the image size "
                           "(--set image_size=...), or train on a GPU", err=True)

    return report


def pin_threads_to_idle_cores(train_config, settings: dict[str, Any]):
    """(config, note): a new CPU run with no thread count set gets one from the cores idle now,
    the way
    ``ganzoo sample`` chooses (`ganzoo.thread_choice`): on a busy machine torch's default ran
    12-30x slower than one thread. The count is recorded in ``train.json`` with the run's
    settings, so ``--resume`` keeps it: another count changes the floating-point summation
    order, and the resumed run would no longer match a straight one bit for bit."""
    import dataclasses

    device = train_config.device
    on_cpu = device == "cpu" or (device == "auto" and not _cuda_available())
    if train_config.threads or not on_cpu or int(os.environ.get("WORLD_SIZE", "1")) > 1:
        return train_config, None  # set by the run, or torchrun's processes share the machine
    from ..thread_choice import threads_and_load, usable_cpus

    threads, busy = threads_and_load()
    settings["explicit"]["threads"] = threads
    load = f"{busy:.0f} of {usable_cpus()} cores busy at the start" if busy is not None else \
        "the idle cores"
    # Said once training runs (with the time estimate), so a refused run stays one line.
    note = (f"training on {threads} torch thread{'s' if threads != 1 else ''} ({load}; "
            f"--set threads=N to choose; --resume keeps this count)")
    return dataclasses.replace(train_config, threads=threads), note


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def format_duration(seconds: float) -> str:
    """``"2 h 05 min"``, ``"7 min"``, ``"40 s"``."""
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
    if seconds >= 60:
        return f"{round(seconds / 60)} min"
    return f"{max(1, round(seconds))} s"


def check_out_dir(out: Path, *, resume: bool, force: bool) -> None:
    """Refuse, before anything is written, an --out this run cannot use."""
    if resume:
        if not (out / TRAIN_FILE).is_file():
            raise GanzooError(f"{out} holds no run to resume ({TRAIN_FILE} missing); start a "
                              f"new run without --resume")
        return
    if out.exists() and not out.is_dir():
        raise GanzooError(f"--out {out} is a file; choose a folder")
    from ..train.run_lock import LOCK_FILE

    if out.is_dir() and any(p.name != LOCK_FILE for p in out.iterdir()) and not force:
        raise GanzooError(f"{out} is not empty; continue it with --resume, overwrite it with "
                          f"--force, or choose another --out")
    existing = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise GanzooError(f"--out {out}: cannot write in {existing} (permission denied); "
                          f"choose a folder you can write to")


def clear_previous_run(out: Path, *, force: bool) -> None:
    """With ``force``, remove a previous run's files from --out (nothing else)."""
    if force:
        for name in RUN_OUTPUTS:
            (out / name).unlink(missing_ok=True)
        for name in RUN_FOLDERS:
            shutil.rmtree(out / name, ignore_errors=True)


def undo_unstarted_run(out: Path, created: bool) -> None:
    """A run that failed before its first checkpoint leaves --out as it found it, so the
    corrected command just works (no --force, no --resume of a run that never ran)."""
    if (out / "checkpoints").exists():
        return
    for name in RUN_OUTPUTS:
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "samples", ignore_errors=True)
    from ..train.run_lock import LOCK_FILE

    if created and out.is_dir() and all(p.name == LOCK_FILE for p in out.iterdir()):
        shutil.rmtree(out)  # the folder this run made, holding only its lock


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
@click.option("--preset", metavar="NAME",
              help="A named set of settings the variant offers, e.g. `small`: a CPU-sized "
                   "version that trains in minutes (ganzoo info --variant VARIANT --settings "
                   "lists them). Flags and --set still win.")
@click.option("--resume", is_flag=True, help="Continue the run in --out from its checkpoint.")
@click.option("--force", is_flag=True, help="Replace a previous run's files in --out.")
def command(variant, data, steps, batch_size, lr, seed, device, sets, out, preset, resume,
            force):
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
        _train(locks, variant, data, steps, batch_size, lr, seed, device, sets, out, preset,
               resume, force)
    finally:
        for lock in locks:  # in-process callers (tests, notebooks) may train again
            lock.release()


def _train(locks, variant, data, steps, batch_size, lr, seed, device, sets, out, preset, resume,
           force):
    from ..config import build_config, parse_set_options
    from ..train.checkpoint import checkpoint_path
    from ..train.resume_check import check_checkpoint, read_run_settings
    from ..train.run_lock import lock_run_folder, remove_stale_temp_files

    flags = {k: v for k, v in (("steps", steps), ("batch_size", batch_size), ("lr", lr),
                               ("seed", seed), ("device", device)) if v is not None}
    new_run = not resume
    if resume and out is None:
        raise GanzooError("--resume needs --out DIR, the folder of the run to continue")
    if resume and force:
        raise GanzooError("--resume continues a run and --force replaces it; pass only one")
    lock = None
    if resume:
        extra = sorted(set(flags) - {"steps", "device"}) + (["--set"] if sets else []) + \
            (["--data"] if data else []) + (["--preset"] if preset else [])
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
        settings = resolve_settings(variant, data, flags=flags, sets=parse_set_options(sets),
                                    preset=preset)
    if out is None:
        kind = settings["data"].split(":", 1)[0]
        seed_value = settings["explicit"].get("seed", 0)
        out = Path("runs") / f"{variant}-{kind}-seed{seed_value}"
    if _rank() == 0:
        check_out_dir(out, resume=resume, force=force)
        if lock is not None:
            remove_stale_temp_files(out)

    from ..building import build_model
    from ..data.spec import load_dataset
    from ..data.training_data import as_training_data
    from ..atomic_file import write_text_atomic
    from ..train.batches import check_batches_fit
    from ..train.config import TrainConfig
    from ..train.data_workers import check_workers
    from ..train.discriminator_augment import check_diffaugment
    from ..train.rng import seed_everything
    from ..train.trainer import Trainer

    dataset = as_training_data(load_dataset(settings["data"], **dataset_options(settings)))
    model_values, train_values = split_values(settings, dataset.config_hints)
    train_config = build_config(TrainConfig, train_values, where="--set")
    threads_note = None
    if new_run:
        train_config, threads_note = pin_threads_to_idle_cores(train_config, settings)
    seed_everything(train_config.seed)
    model = build_model(variant, model_values, where="--set")
    check_diffaugment(model, train_config.diffaugment, train_config.ada_target,
                      train_config.ada_kimg)
    check_batches_fit(dataset, train_config.batch_size, int(os.environ.get("WORLD_SIZE", "1")))
    check_workers(train_config.workers)
    if train_config.log == "tensorboard":
        from ..train.tensorboard_log import require_tensorboard

        require_tensorboard()
    if resume and not checkpoint_path(out).exists() and not (out / "model.safetensors").exists():
        # Stopped before its first checkpoint: resuming is starting over with its settings.
        click.echo(f"{out} has no checkpoint yet; starting the run from iteration 0", err=True)
        if _rank() == 0:
            (out / "metrics.jsonl").unlink(missing_ok=True)
        resume = False
    if resume:
        check_checkpoint(checkpoint_path(out), model, run_id=settings.get("run_id"),
                         steps=train_config.steps)
    # Everything is validated: only now is --out created (a new run) and written.
    created = False
    if _rank() == 0 and lock is None:
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        lock = lock_run_folder(out)  # before anything in the folder is touched
        locks.append(lock)
        check_out_dir(out, resume=resume, force=force)  # again, now that we hold the lock
        remove_stale_temp_files(out)
    if _rank() == 0 and not resume:
        clear_previous_run(out, force=force)
        # Checkpoints carry the run id, so --resume can tell this run's from another's.
        settings.setdefault("run_id", uuid.uuid4().hex)
        write_text_atomic(out / TRAIN_FILE, json.dumps(settings, indent=2) + "\n")

    command_line = " ".join(["ganzoo train", variant, "--data", settings["data"]] +
                            [f"--set {k}={json.dumps(v)}" for k, v in
                             sorted(settings["explicit"].items())] + ["--out", str(out)])
    kind = settings["data"].split(":", 1)[0]
    trainer = Trainer(model, dataset, train_config, out_dir=out,
                      card={"datasets": kind, "recipe": command_line},
                      on_estimate=estimate_printer(variant, settings, train_config,
                                                   threads_note, model.config))
    try:
        summary = trainer.fit(resume=resume)
    except BaseException:
        if _rank() == 0 and new_run:  # a --resume that restarts keeps its train.json
            undo_unstarted_run(out, created)
        raise
    if _rank() != 0:
        return
    rate = summary.get("iterations_per_second")
    click.echo(f"{summary['steps']} iterations, {summary['wall_seconds']:.1f} s"
               f"{f' ({rate} it/s)' if rate else ''}; wrote {out}")
    for name, value in (summary.get("metrics") or {}).items():
        click.echo(f"  {name}: {value}")
    if train_config.log == "tensorboard":
        click.echo(f"TensorBoard: tensorboard --logdir {out / 'tensorboard'}")
    if summary["interrupted"]:
        click.echo(f"Interrupted at iteration {summary['steps']}; checkpoint saved. Continue with "
                   f"`ganzoo train {variant} --resume --out {out}`.", err=True)
        sys.exit(128 + (trainer.stopped_by or signal.SIGINT))
