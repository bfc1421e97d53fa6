"""The one training loop every ganzoo variant uses.

How a variant plugs in
----------------------
A variant is a `ganzoo.GANModel` subclass. The Trainer needs only:

* ``optimizers()`` → ``{role: torch.optim.Optimizer}``. The default builds Adam for the roles
  ``"generator"`` (networks in ``generator_names``) and ``"discriminator"``
  (``discriminator_names``) from ``config.lr_g`` / ``config.lr_d`` (or ``config.lr``) and
  ``config.betas``. Return any roles you need (e.g. put an InfoGAN Q head in ``"generator"``).
* ``training_steps()`` → a list of `ganzoo.TrainingStep(role, run, repeat)`. The default is
  ``discriminator_step`` × ``config.n_critic`` then ``generator_step`` × 1. For every step the
  Trainer zeroes the role's gradients, runs ``run(batch)`` under autocast, backpropagates the
  returned `StepOutput.loss` (under torchrun, through DistributedDataParallel, which averages
  the role's gradients across processes), and steps the role's
  optimizer. Parameters of the *other* roles are frozen (``requires_grad=False``) during a step,
  so a generator step never accumulates discriminator gradients; detach fakes in D steps.
* Batches: what the dataset yields, collated and moved to the device: a tensor ``(N, 2)`` for
  toy mixtures, ``[images (N, C, H, W) in [0, 1], labels (N,)]`` for ``digits``, whatever a
  paired/unpaired dataset yields (dicts are fine). Convert [0, 1] images with
  ``self.from_unit``. One iteration draws as many batches as the most-repeated step; a step
  repeated ``r`` times sees the last ``r`` of them, so the generator step sees the batch of the
  last critic step (image-to-image variants can cache their fakes between steps).
* Noise: draw it with the global torch RNG (``torch.randn``); the Trainer seeds it per process
  and saves every process's state in checkpoints, which is what makes resume bit-for-bit.
  Datasets draw their random crops from `ganzoo.data.item_rng` (seed, epoch, rank, index).
* ``StepOutput.logs``: floats to plot and log (``losses.png``, ``metrics.jsonl``, progress bar).
* Previews: ``preview_inputs(batch, n, generator)`` draws fixed inputs once; ``preview(fixed)``
  maps them to images in [0, 1] (a grid PNG) or to points ``(N, 2)`` (a scatter plot). Override
  both for image-to-image tasks. Previews and the saved model use the EMA generator weights.
* ``training_finished(folder)``: a hook for extra end-of-run figures (InfoGAN's traversal).
* ``recipes``: per-dataset overrides of Config/TrainConfig keys (see `GANModel.recipes`).

Everything else is the Trainer's: n_critic schedule, mixed precision (`TrainConfig.precision`),
EMA of the generators, linear LR decay (``lr_decay_start``), preview PNGs, the loss plot, a tqdm
bar with current losses, a NaN/Inf guard, seeding, atomic resumable checkpoints, Ctrl-C handling,
DiffAugment on every discriminator input (``diffaugment``, `ganzoo.train.discriminator_augment`)
and data parallelism under ``torchrun`` (only rank 0 writes files).

Output folder: the published-model layout (``config.json``, ``model.safetensors``, ``README.md``
via `ganzoo.layout.save_pretrained`, EMA weights) plus ``samples.png``, ``samples/step_*.png``,
``losses.png``, ``metrics.jsonl``, ``run.json`` and ``checkpoints/last.safetensors``.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import torch

from ..atomic_file import write_text_atomic
from ..data.item_rng import DrawKey
from ..data.training_data import as_training_data
from ..device import resolve_device
from ..errors import GanzooError
from ..interfaces import StepOutput
from ..thread_choice import usable_cpus
from . import batchnorm_sync, distributed
from .adaptive_augment import AdaptiveStrength
from .batches import BatchStream
from .checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from .compiled_networks import compile_networks, eager_forward
from .config import TrainConfig
from .discriminator_augment import augmented_discriminators, check_diffaugment
from .ema import EMA
from .interrupt import StopRequest
from .plots import save_loss_plot, save_preview
from .precision import autocast_context, make_scaler, resolve_precision
from .rank_state import gather_rank_states, restore_rank_state
from .rng import seed_everything, side_stream
from .standing_stats import recompute_batchnorm


#: Iterations timed (after the first) for the run-time estimate.
ESTIMATE_ITERATIONS = 3


class TrainingDiverged(GanzooError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


def to_device(batch: Any, device: torch.device, channels_last: bool = False) -> Any:
    """Every tensor in ``batch`` on ``device``; 4-D ones channels-last when asked."""
    if isinstance(batch, torch.Tensor):
        if channels_last and batch.dim() == 4:
            return batch.to(device, non_blocking=True, memory_format=torch.channels_last)
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(b, device, channels_last) for b in batch)
    if isinstance(batch, dict):
        return {k: to_device(v, device, channels_last) for k, v in batch.items()}
    return batch


class Trainer:
    """Trains one `GANModel` on one dataset.

    Args:
        model: the variant, freshly built (or loaded); trained in place (live weights).
        dataset: a ``torch.utils.data.Dataset``; a `ganzoo.data.training_data.TrainingData`
            may also batch at once, hint Config values, give preview reference points and
            score the final model (``evaluate``).
        config: engine settings (`TrainConfig`).
        out_dir: where to write the run (None: train in memory, write nothing).
        card: extra model-card fields for `ganzoo.layout.save_pretrained`.
        on_estimate: ``(seconds_per_iteration, iterations_left) -> None``, called once on
            rank 0 after the first few iterations (the first, which warms caches up, is not
            timed), e.g. to print how long the run will take.
        evaluate: ``final_model -> {name: number}`` run on rank 0 at the end (default: the
            dataset's own ``evaluate``); non-empty numbers go into the summary, ``run.json``
            and the model card's metrics.
    """

    def __init__(self, model, dataset, config: TrainConfig | None = None, *,
                 out_dir: str | os.PathLike | None = None, card: dict[str, Any] | None = None,
                 evaluate=None, on_estimate=None):
        self.model = model
        self.dataset = as_training_data(dataset)
        self.config = config or TrainConfig()
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.card = card
        self.evaluate = evaluate if evaluate is not None else self.dataset.evaluate
        self.on_estimate = on_estimate
        #: After `fit`: a copy of the model with the EMA generator weights, in eval mode.
        self.final_model = None
        #: The optimizers by role (set by `fit`).
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.history: list[dict[str, float]] = []
        #: The adaptive augmentation strength (`AdaptiveStrength`) while `fit` runs with
        #: ``ada_target``; None otherwise.
        self.ada: AdaptiveStrength | None = None
        #: After an interrupted `fit`: the signal that stopped it (SIGINT or SIGTERM).
        self.stopped_by: int | None = None

    # ------------------------------------------------------------------------------------
    def fit(self, resume: bool = False) -> dict[str, Any]:
        """Train to ``config.steps`` iterations (continuing a checkpoint if ``resume``).

        Returns a summary: ``steps`` done, ``interrupted``, ``wall_seconds``, last ``losses``.
        Raises `TrainingDiverged` on a NaN/Inf loss.
        """
        cfg = self.config
        if cfg.threads:
            # A recipe's thread count suits the machine it was measured on; on one with fewer
            # usable CPUs the extra threads would only wait on each other.
            torch.set_num_threads(min(cfg.threads, usable_cpus() or cfg.threads))
        check_diffaugment(self.model, cfg.diffaugment, cfg.ada_target, cfg.ada_kimg)  # early
        device = self.device = resolve_device(cfg.device)
        self.precision = resolve_precision(cfg.precision, device)
        rank, world = distributed.setup(device)
        self.is_writer = rank == 0 and self.out_dir is not None
        model = self.model.to(device)
        if cfg.channels_last:
            model = model.to(memory_format=torch.channels_last)
        model.train()
        self.batchnorm = batchnorm_sync.prepare(model, cfg.batchnorm_sync, world, device)
        if cfg.compile:  # after SyncBatchNorm swaps layers; state-dict keys stay eager ones
            compile_networks(model)
        if world > 1:
            distributed.broadcast_module(model)

        if not resume:  # a resumed run restores its own weights from the checkpoint
            model.load_initial_weights()
        optimizers = self.optimizers = model.optimizers()
        schedule = model.training_steps()
        unknown = sorted({s.role for s in schedule} - set(optimizers))
        if unknown:
            raise GanzooError(f"{type(model).__name__}.training_steps() uses role(s) "
                              f"{', '.join(unknown)} that optimizers() does not return; fix the "
                              f"variant so both name the same roles")
        role_params = {role: [p for g in opt.param_groups for p in g["params"]]
                       for role, opt in optimizers.items()}
        base_lrs = {role: [g["lr"] for g in opt.param_groups] for role, opt in optimizers.items()}
        synced = distributed.wrap_roles(role_params, device) if world > 1 else None
        ema = (EMA({n: getattr(model, n) for n in model.generator_names}, cfg.ema_decay)
               if cfg.ema_decay > 0 else None)
        if cfg.cache == "ram":
            self.dataset.cache_in_ram()  # before workers start: they would each decode again
        stream = BatchStream(self.dataset, cfg.batch_size, cfg.seed, rank, world,
                             workers=cfg.workers, pin_memory=device.type == "cuda")
        self.data_workers = stream.workers
        scaler = make_scaler(self.precision, device)
        # Adaptive augmentation strength; its controller reads D's verdicts on real images.
        self.ada = (AdaptiveStrength(cfg.ada_target, cfg.ada_kimg, cfg.batch_size, world)
                    if cfg.ada_target else None)
        seed_everything(cfg.seed + 1000 * rank)  # each process draws its own noise

        start = 0
        ckpt = checkpoint_path(self.out_dir) if self.out_dir is not None else None
        window_state: dict = {}  # a resumed run's open log window and earlier segments' times
        earlier: dict = {}
        if resume:
            if ckpt is None:
                raise GanzooError("resume needs an output folder holding checkpoints/last.safetensors")
            state = load_checkpoint(ckpt)
            model.load_state_dict(state["model"])
            for role, opt in optimizers.items():
                opt.load_state_dict(state["optimizers"][role])
            if ema is not None and state.get("ema") is not None:
                ema.load_state_dict(state["ema"])
            scaler.load_state_dict(state["scaler"])
            if self.ada is not None and state.get("ada") is not None:
                self.ada.load_state_dict(state["ada"])
            stream.load_state(state["data"])
            restore_rank_state(model, state, rank, world)
            self.history = list(state["history"])
            start = int(state["step"])
            window_state = state.get("log_window") or {}
            earlier = state.get("elapsed") or {}
            if (self.history and self.history[-1]["step"] == start
                    and start % cfg.log_every and window_state.get("count")):
                # The run ended mid-window (its last row was a partial one at its --steps):
                # continuing it reopens that window, as an uninterrupted run never closed it.
                self.history.pop()
            if self.is_writer:
                self._rewrite_metrics()

        with side_stream(cfg.seed):  # the same inputs, and no training draw, after a resume
            self.dataset.set_draw(DrawKey(cfg.seed, 0, 0))
            first = self.dataset.get_batch(torch.arange(min(len(self.dataset),
                                                            cfg.preview_count)))
            fixed = model.preview_inputs(first, cfg.preview_count,
                                         torch.Generator().manual_seed(cfg.seed))
        fixed = to_device(fixed, device)
        shard = stream.sampler  # first indices of this process's shard, for run.json
        shard.set_epoch(0)
        shard_head = list(iter(shard))[:16]

        def checkpoint(step: int) -> None:
            """Every rank calls this at the same iteration; rank 0 writes."""
            ranks = gather_rank_states(model, world)
            if self.is_writer:
                save_checkpoint({"step": step, "model": model.state_dict(),
                                 "optimizers": {r: o.state_dict() for r, o in optimizers.items()},
                                 "ema": ema.state_dict() if ema is not None else None,
                                 "scaler": scaler.state_dict(), "data": stream.state(),
                                 "ada": self.ada.state_dict() if self.ada is not None else None,
                                 **ranks, "history": self.history,
                                 "log_window": {"sums": sums, "count": count},
                                 "elapsed": {"wall": previous_wall + time.perf_counter() - began,
                                             "cpu": previous_cpu + time.process_time()
                                             - began_cpu}}, ckpt)

        from tqdm.auto import tqdm

        quiet = os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true", "yes")
        bar = tqdm(total=cfg.steps, initial=start, disable=rank != 0 or quiet, dynamic_ncols=True,
                   desc=f"train {type(model).__name__}")
        # The open log window (losses summed since the last logged row) is checkpointed, so a
        # resumed run logs exactly the rows an uninterrupted one does.
        sums: dict[str, float] = dict(window_state.get("sums", {}))
        count = int(window_state.get("count", 0))
        previous_wall = float(earlier.get("wall", 0.0))
        previous_cpu = float(earlier.get("cpu", 0.0))
        step = start
        interrupted = False
        board = self._tensorboard()
        began, began_cpu = time.perf_counter(), time.process_time()
        window = began
        stop = StopRequest()
        # closing: data workers stop with the loop; DiffAugment hooks on the discriminators,
        # only while the loop runs.
        with stop.installed(), closing(stream), \
                augmented_discriminators(model, cfg.diffaugment, self.ada) as augment:
            while step < cfg.steps:
                if distributed.any_process(stop.requested, world, device):
                    interrupted = True
                    break
                self._set_learning_rates(optimizers, base_lrs, step)
                logs = self._iteration(model, schedule, optimizers, role_params, stream, scaler,
                                       device, synced, step, ckpt)
                if augment is not None and step == start:
                    augment.check_used()
                if self.ada is not None:
                    if step == start:
                        self.ada.check_observed(type(model).__name__)
                    self.ada.end_iteration(step + 1)
                    logs["ada_p"] = self.ada.p
                if self.batchnorm and cfg.batchnorm_sync == "average":
                    batchnorm_sync.average_running_stats(model, world)
                if ema is not None:
                    ema.update(step)
                step += 1
                if step - start == 1:
                    after_first = time.perf_counter()
                elif step - start == 1 + ESTIMATE_ITERATIONS and self.on_estimate and rank == 0:
                    per_step = (time.perf_counter() - after_first) / ESTIMATE_ITERATIONS
                    self.on_estimate(per_step, cfg.steps - step)
                for k, v in logs.items():
                    sums[k] = sums.get(k, 0.0) + v
                count += 1
                if step % cfg.log_every == 0 or step == cfg.steps:
                    row = {"step": step, **{k: v / count for k, v in sums.items()}}
                    self.history.append(row)
                    if board is not None:
                        lrs = {role: opt.param_groups[0]["lr"] for role, opt in optimizers.items()}
                        board.scalars(step, row, lrs, (time.perf_counter() - window) / count)
                    window = time.perf_counter()
                    if step % cfg.log_every == 0:  # a final partial row leaves its window open
                        sums, count = {}, 0
                    if self.is_writer:
                        self._append_metrics(row)
                    bar.set_postfix({k: f"{v:.3g}" for k, v in row.items() if k != "step"})
                if self.is_writer and cfg.sample_every and step % cfg.sample_every == 0:
                    grid = self.out_dir / "samples" / f"step_{step:07d}.png"
                    self._preview(model, ema, fixed, grid)
                    if board is not None:
                        board.preview(step, grid)
                if ckpt is not None and cfg.checkpoint_every and step % cfg.checkpoint_every == 0:
                    checkpoint(step)
                bar.update(1)
        bar.close()
        self.stopped_by = stop.signum if interrupted else None
        wall = time.perf_counter() - began
        cpu = time.process_time() - began_cpu
        # Before anything else draws random numbers (the final model, an evaluation).
        if ckpt is not None and (interrupted or not cfg.checkpoint_every
                                 or step % cfg.checkpoint_every):
            checkpoint(step)
        for params in role_params.values():
            for p in params:
                p.requires_grad_(True)

        if ema is not None:
            with self._averaged(model, ema, device):
                final = copy.deepcopy(model)
        else:
            final = copy.deepcopy(model)
        final.eval()
        self.final_model = final
        in_sync = self._replicas_in_sync(model, world)
        shards = distributed.gather_objects(shard_head)
        # Times cover every segment of a resumed run; the rate is this segment's.
        summary = {"steps": step, "interrupted": interrupted,
                   "wall_seconds": round(previous_wall + wall, 3),
                   "cpu_seconds": round(previous_cpu + cpu, 3),
                   "segment_steps": step - start, "segment_wall_seconds": round(wall, 3),
                   "iterations_per_second": round((step - start) / wall, 2) if wall > 0 else None,
                   "losses": self.history[-1] if self.history else {}}
        if rank == 0:
            metrics = self.evaluate(final)
            if metrics:
                summary["metrics"] = metrics
        if self.is_writer:
            self._write_outputs(final, fixed, summary, world, shards, in_sync)
        if board is not None:
            board.preview(step, self.out_dir / "samples.png")
            board.final(step, summary.get("metrics", {}))
        # Drop the DDP wrappers first: a reducer destroyed after its process group, at
        # interpreter exit, aborted the process ("terminate called without an active exception").
        synced = None
        distributed.teardown()
        return summary

    # ------------------------------------------------------------------------------------
    def _iteration(self, model, schedule, optimizers, role_params, stream, scaler, device,
                   synced, step, ckpt) -> dict[str, float]:
        n = max(s.repeat for s in schedule)
        batches = [to_device(next(stream), device, self.config.channels_last) for _ in range(n)]
        all_params = [p for params in role_params.values() for p in params]
        logs: dict[str, float] = {}
        for entry in schedule:
            active = {id(p) for p in role_params[entry.role]}
            for p in all_params:
                p.requires_grad_(id(p) in active)
            optimizer = optimizers[entry.role]
            for k in range(entry.repeat):
                batch = batches[n - entry.repeat + k]
                optimizer.zero_grad(set_to_none=True)
                with autocast_context(self.precision, device):
                    if synced is not None:  # DistributedDataParallel all-reduces in backward
                        out = StepOutput(*synced[entry.role](entry.run, batch))
                    else:
                        out = entry.run(batch)
                if self.ada is not None:
                    self.ada.observe(out.judged_real)
                value = float(out.loss.detach().float())
                bad = {key: v for key, v in out.logs.items() if not math.isfinite(float(v))}
                if not math.isfinite(value) or bad:
                    kept = f"the last good checkpoint {ckpt} is kept" if ckpt is not None and \
                        ckpt.exists() else "no checkpoint was written yet"
                    raise TrainingDiverged(
                        f"training diverged at iteration {step + 1}: {entry.role} loss is "
                        f"{value}{' (' + ', '.join(bad) + ' not finite)' if bad else ''}; {kept}; "
                        f"lower the learning rate (--lr) or use precision fp32, then --resume")
                scaler.scale(out.loss).backward()
                scaler.step(optimizer)
                scaler.update()
            if out.logs:
                logs.update({key: float(v) for key, v in out.logs.items()})
            else:
                logs[f"{entry.role}_loss"] = value
        return logs

    def _set_learning_rates(self, optimizers, base_lrs, step: int) -> None:
        """Linear decay to 0 from ``lr_decay_start`` to ``steps``; stateless, so resume is exact."""
        start, total = self.config.lr_decay_start, self.config.steps
        if start is None:
            return
        factor = 1.0 if step < start else max(0.0, 1.0 - (step - start) / max(1, total - start))
        for role, opt in optimizers.items():
            for group, base in zip(opt.param_groups, base_lrs[role]):
                group["lr"] = base * factor

    def _tensorboard(self):
        """The run's `TensorBoardLog` with ``log=tensorboard`` (rank 0 with an --out), else None;
        TensorBoard is imported only then."""
        if self.config.log != "tensorboard" or not self.is_writer:
            return None
        from .tensorboard_log import TensorBoardLog

        return TensorBoardLog(self.out_dir)

    def _preview(self, model, ema, fixed, path: Path) -> None:
        was_training = model.training
        model.eval()
        # Only rank 0 previews: whatever it draws must not shift its training stream. (The
        # standing-statistics pass runs no collective, even with SyncBatchNorm layers.)
        # Eager even with compile=true: a few forwards in eval mode, not worth new graphs.
        with side_stream(self.config.seed), eager_forward():
            try:
                if ema is not None:
                    with self._averaged(model, ema, self.device):
                        output = model.preview(fixed)
                else:
                    output = model.preview(fixed)
            finally:
                model.train(was_training)
        save_preview(output.cpu(), path, self.dataset.preview_reference())

    @contextmanager
    def _averaged(self, model, ema, device):
        """The EMA generator weights in place, with BatchNorm statistics measured for them
        (`ganzoo.train.standing_stats`) on fixed inputs; the live state comes back after."""
        cfg = self.config

        def feed(k: int) -> None:
            indices = torch.arange(k * cfg.batch_size, (k + 1) * cfg.batch_size)
            indices = indices % len(self.dataset)
            self.dataset.set_draw(DrawKey(cfg.seed, 0, 0))
            batch = self.dataset.get_batch(indices)
            inputs = model.preview_inputs(batch, cfg.batch_size,
                                          torch.Generator().manual_seed(cfg.seed + 1 + k))
            model.preview(to_device(inputs, device))

        was_training = model.training
        with ema.applied():
            model.eval()  # dropout as when sampling; recompute_batchnorm trains only BN layers
            try:
                with side_stream(cfg.seed), eager_forward():  # hooks would recompile
                    recompute_batchnorm([getattr(model, n) for n in model.generator_names],
                                        feed, cfg.ema_bn_batches)
            finally:
                model.train(was_training)
            yield

    @staticmethod
    def _replicas_in_sync(model, world: int) -> bool:
        if world == 1:
            return True
        with torch.no_grad():
            checksum = float(sum(p.double().sum() for p in model.parameters()))
        values = distributed.gather_objects(checksum)
        return all(v == values[0] for v in values)

    def _append_metrics(self, row: dict[str, float]) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.out_dir / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps(row) + "\n")

    def _rewrite_metrics(self) -> None:
        # A resumed run drops lines logged after its checkpoint, so no iteration appears twice.
        path = self.out_dir / "metrics.jsonl"
        write_text_atomic(path, "".join(json.dumps(row) + "\n" for row in self.history))

    def _write_outputs(self, final, fixed, summary, world, shards, in_sync) -> None:
        from ..layout import save_pretrained

        out = self.out_dir
        card = {**(self.card or {}), "sample": "samples.png"}
        if summary.get("metrics"):
            card["metrics"] = {**card.get("metrics", {}), **summary["metrics"]}
        save_pretrained(final, out, overwrite=True, card=card)
        output = final.preview(fixed)
        save_preview(output.cpu(), out / "samples.png", self.dataset.preview_reference())
        save_loss_plot(self.history, out / "losses.png")
        run = {**summary, "train_config": dict(vars(self.config)), "precision": self.precision,
               "torch_threads": torch.get_num_threads(), "data_workers": self.data_workers,
               "world_size": world,
               "data_parallel": "DistributedDataParallel" if world > 1 else None,
               "batchnorm_across_processes": self.batchnorm,
               "replicas_in_sync": in_sync, "shard_heads": shards}
        write_text_atomic(out / "run.json", json.dumps(run, indent=2))
        final.training_finished(out)
