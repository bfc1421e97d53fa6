"""Settings of a training run that belong to the engine, not to a variant.

A variant's own `Config` holds its architecture and objective (losses, learning rates,
``n_critic``); `TrainConfig` holds how long and how the loop runs. ``ganzoo train --set k=v``
routes each key to whichever of the two declares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class TrainConfig:
    """Engine settings; the defaults suit small CPU runs.

    Args:
        steps: training iterations; one iteration runs the variant's whole schedule
            (e.g. ``n_critic`` discriminator steps, then one generator step).
        batch_size: samples per batch *per process* (global batch = batch_size × processes).
        seed: seeds weights, noise and data order; same seed → same weights on CPU.
        device: ``cpu``, ``cuda``, ``cuda:1`` or ``auto`` (CUDA when available).
        precision: ``fp32``; ``bf16`` autocast (CPU or CUDA); ``fp16`` autocast with a
            GradScaler (CUDA only); ``auto``: bf16 where the device computes it natively
            (AVX512-BF16/AMX CPUs, Ampere+ GPUs: about twice as fast), else fp32 (``run.json``
            records which ran). fp32 by default: reduced precision must be validated per
            recipe (gradient penalties and toy data can be sensitive to it).
        ema_decay: decay of the exponential moving average of the generator weights that is
            sampled and saved (warmed up as ``min(decay, (1+t)/(10+t))``); 0 turns EMA off.
        ema_bn_batches: before each preview and the final save, the EMA generator's BatchNorm
            statistics are recomputed for its averaged weights over this many batches of
            ``batch_size`` fixed inputs (standing statistics; the live ones belong to other
            weights); 0 keeps the live generator's statistics. Nothing runs without BatchNorm.
        lr_decay_start: iteration from which every learning rate decays linearly to 0 at
            ``steps`` (CycleGAN's schedule); None keeps them constant.
        sample_every: write a preview grid to ``samples/`` every this many iterations (0: only
            the final ``samples.png``).
        checkpoint_every: write ``checkpoints/last.safetensors`` every this many iterations.
        log_every: record losses (``metrics.jsonl``, progress bar) every this many iterations.
        log: ``jsonl`` (``metrics.jsonl`` only) or ``tensorboard``: also TensorBoard events in
            ``<out>/tensorboard/`` (losses, learning rates, step time, previews, final metrics;
            needs ``pip install 'ganzoo-core[tensorboard]'``).
        preview_count: how many fixed inputs the previews show.
        batchnorm_sync: BatchNorm across processes under torchrun: ``none`` (each keeps its
            own running statistics; rank 0's are saved), ``average`` (running statistics
            averaged over the processes every iteration; CPU or CUDA) or ``sync``
            (SyncBatchNorm: normalize with the global batch's statistics; CUDA only).
            ``run.json`` records which ran (`ganzoo.train.batchnorm_sync`).
        threads: torch CPU threads, at most the CPUs this process may use (None leaves torch's
            default).
        channels_last: keep 4-D weights and image batches in channels-last (NHWC) memory, the
            layout oneDNN's CPU convolutions and CUDA tensor cores prefer; the math is the same
            (SRResNet 8×48 at batch 16, bf16, 1 CPU thread: 92-95 ms per step vs 118-134).
        workers: DataLoader worker processes that read, decode and crop image files for the
            next batches while this process trains (per process under torchrun; each reads only
            its shard). None: one less than the process's share of the CPUs, at most 8 (0 on a
            share of 2 or fewer: measured slower there); 0: in the training process. Batches
            are identical for any count. In-memory data (toy, digits) is always in-process.
        cache: ``none`` (files are read as batches need them: memory stays flat however big
            the folder) or ``ram``: decode every image once before training and batch from
            memory, for small sets whose decoding is the bottleneck (``folder:``, ``images:``
            read as folder, ``labelled:``; a one-line error if it would take over half the
            available memory; other data kinds read as they go).
        diffaugment: differentiable augmentation for small datasets (DiffAugment, Zhao 2020),
            a comma list of ``color``, ``translation``, ``cutout`` (e.g.
            ``color,translation,cutout``); '' (default) is off. Random differentiable transforms
            are applied to every image a discriminator sees, real and generated, in D's and G's
            steps and inside gradient penalties, so D cannot memorise a few hundred images and G
            still learns through them; image data only. (Not ``augment``: ``paired:`` and
            ``unpaired:`` data take an ``augment`` option, their random crops and flips.)
        ada_target: adaptive augmentation strength (ADA, Karras et al. 2020) for
            ``diffaugment``: each transform applies to each image with a probability ``p`` that
            starts at 0 and rises while D calls more than this share of its real images real
            (``E[sign D(real)]`` above the target; the paper's 0.6), falls otherwise. 0
            (default) is off: every transform always applies. Needs a loss with a real/fake
            threshold (non-saturating, minimax, hinge, least-squares). ``p`` is logged as
            ``ada_p`` and kept in checkpoints.
        ada_kimg: how fast ``p`` moves: it could go from 0 to 1 in this many thousand real
            images (the paper's 500; short CPU runs see far fewer, so lower it for them).
        compile: run the variant's networks through ``torch.compile`` (inductor; on CPU it
            needs a C++ compiler). The first iterations compile (tens of seconds per network);
            gradient penalties run their discriminator call eagerly (compiled graphs cannot be
            differentiated twice); checkpoints and the saved model are an eager run's. Whether
            it pays depends on the networks and device: ``benchmarks/train_throughput.py``.
    """

    steps: int = 2000
    batch_size: int = 64
    seed: int = 0
    device: str = "auto"
    precision: Literal["fp32", "bf16", "fp16", "auto"] = "fp32"
    ema_decay: float = 0.999
    ema_bn_batches: int = 32
    lr_decay_start: int | None = None
    sample_every: int = 500
    checkpoint_every: int = 500
    log_every: int = 20
    log: Literal["jsonl", "tensorboard"] = "jsonl"
    preview_count: int = 64
    batchnorm_sync: Literal["none", "average", "sync"] = "none"
    threads: int | None = None
    channels_last: bool = False
    workers: int | None = None
    cache: Literal["none", "ram"] = "none"
    diffaugment: str = ""
    ada_target: float = 0.0
    ada_kimg: float = 500.0
    compile: bool = False
