"""Training throughput: ``ganzoo train`` against a plain hand-written PyTorch loop.

For DCGAN 64x64, CycleGAN 128x128 and SRResNet x4 (96-px HR crops), on a folder of >= 2,000
JPEG photos made from the bundled ones (`ganzoo_benchmarks.photo_folder`), each model trains
several ways in one run, in alternating order so a change of machine load hits every row alike:

* ``ganzoo`` -- ``ganzoo train`` itself (the CLI in this process: the Trainer with its EMA,
  logging, NaN guard and data stream), at the plain loop's settings (fp32, default layout);
* ``plain`` -- the loop below: the same networks (built by the variant), the same losses and
  Adam settings, batch size and precision, a ``DataLoader`` with worker processes over a
  hand-written PIL dataset, nothing else;
* ``ganzoo fast`` -- ganzoo's recommended settings: channels-last, ``precision=auto`` (bf16
  where the device computes it natively), and ``compile=true`` if it measured faster here
  (both are timed; ``--no-compile`` skips the compiled rows).

Images/s is the steady state: optimizer steps are time-stamped from outside
(`ganzoo_benchmarks.training_clocks`), the first ``--warmup`` iterations (caches, compilation)
are left out. Every ``ganzoo`` run writes one preview grid and one checkpoint inside its timed
window (``sample_every`` = ``checkpoint_every`` = ``--iterations``); their cost (the slowest
iteration less the median one) is printed, and ganzoo's images/s is given at the engine's
default cadence (one of each every 500 iterations), EMA and logging included. The data wait is the time spent in
``next(batches)`` inside the window. The data pipeline alone is ganzoo's dataset read through a
``DataLoader`` with 0, 1, 2, ... workers.

Reproduce:  .venv/bin/python benchmarks/train_throughput.py [--quick] [--models dcgan,cyclegan,srresnet]
            [--device cuda] [--out benchmarks/results/train_throughput.txt]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from ganzoo_benchmarks.photo_folder import make_photo_folder
from ganzoo_benchmarks.training_clocks import DataWaitClock, IterationClock
from ganzoo.train.config import TrainConfig
from ganzoo.train.data_workers import default_workers

#: The engine's default cadence of previews and checkpoints (iterations).
DEFAULT_EVERY = min(TrainConfig.sample_every, TrainConfig.checkpoint_every)

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class Case:
    """One model as both sides train it."""

    name: str
    variant: str
    data: str                 # the ganzoo data kind: folder | unpaired | sr
    batch_size: int
    settings: dict            # the variant's --set values (architecture)
    optimizer_steps: int      # optimizer steps per iteration (D and G: 2)


def cases(quick: bool, device: str = "cpu") -> dict[str, Case]:
    """The papers' networks (on a CPU: DCGAN at batch 16 and CycleGAN at half width, so the
    default run takes minutes, not hours), or tiny ones for a smoke run (``--quick``)."""
    if quick:
        return {
            "dcgan": Case("DCGAN 16x16 (quick)", "dcgan", "folder", 8,
                          {"channels": 3, "image_size": 16, "ngf": 8, "ndf": 8}, 2),
            "cyclegan": Case("CycleGAN 32x32 (quick)", "cyclegan", "unpaired", 1,
                             {"image_size": 32, "ngf": 4, "ndf": 4, "netG": "resnet_6blocks"}, 2),
            "srresnet": Case("SRResNet x4 32-px (quick)", "srresnet", "sr", 4,
                             {"image_size": 32, "features": 8, "blocks": 2}, 1)}
    gpu = device.startswith("cuda")
    width = 64 if gpu else 32
    return {
        "dcgan": Case(f"DCGAN 64x64 b{64 if gpu else 16}", "dcgan", "folder", 64 if gpu else 16,
                      {"channels": 3, "image_size": 64}, 2),
        "cyclegan": Case(f"CycleGAN 128x128 ngf{width}", "cyclegan", "unpaired", 1,
                         {"image_size": 128, "ngf": width, "ndf": width}, 2),
        "srresnet": Case("SRResNet x4 96-px b16", "srresnet", "sr", 16, {"image_size": 96}, 1)}


# ----- the plain loop ------------------------------------------------------------------------
class PlainPhotos(Dataset):
    """What a user writes: PIL decode, resize/crop, flip, to a float tensor in [0, 1]."""

    def __init__(self, root: Path, case: Case):
        self.files = sorted(str(p) for p in Path(root).rglob("*.jpg"))
        self.halves = [[f for f in self.files if "/trainA/" in f],
                       [f for f in self.files if "/trainB/" in f]]
        self.case = case
        self.size = case.settings["image_size"]

    def __len__(self):
        return len(self.halves[0]) if self.case.data == "unpaired" else len(self.files)

    def _open(self, path):
        from PIL import Image

        with Image.open(path) as image:
            return image.convert("RGB")

    def _tensor(self, image):
        import numpy as np

        return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)

    def _resized_crop(self, image, load: int, size: int, rng: random.Random):
        from PIL import Image

        scale = load / min(image.size)
        image = image.resize((max(load, round(image.width * scale)),
                              max(load, round(image.height * scale))), Image.BILINEAR)
        left, top = rng.randint(0, image.width - size), rng.randint(0, image.height - size)
        image = image.crop((left, top, left + size, top + size))
        return image.transpose(Image.FLIP_LEFT_RIGHT) if rng.random() < 0.5 else image

    def __getitem__(self, index):
        from PIL import Image

        rng = random.Random(index * 7919 + torch.initial_seed())
        if self.case.data == "folder":  # DCGAN: scale the short side, centre crop
            return self._tensor(self._resized_crop(self._open(self.files[index]), self.size,
                                                   self.size, random.Random(0)))
        if self.case.data == "unpaired":  # CycleGAN: load at 286/256 of the crop, random crop
            load = self.size * 286 // 256
            b = self.halves[1][rng.randrange(len(self.halves[1]))]
            return (self._tensor(self._resized_crop(self._open(self.halves[0][index]), load,
                                                    self.size, rng)),
                    self._tensor(self._resized_crop(self._open(b), load, self.size, rng)))
        image = self._open(self.files[index])  # SR: a random HR crop and its bicubic x4 reduction
        size, scale = self.size, 4
        left, top = rng.randint(0, image.width - size), rng.randint(0, image.height - size)
        hr = image.crop((left, top, left + size, top + size))
        lr = hr.resize((size // scale, size // scale), Image.BICUBIC)
        return self._tensor(lr), self._tensor(hr)


def plain_loop(case: Case, root: Path, iterations: int, workers: int, device: torch.device):
    """The hand-written loop: the variant's networks and Adam settings, its losses, nothing
    else (no EMA, no logging, no checks)."""
    from ganzoo.building import build_model

    torch.manual_seed(0)
    model = build_model(case.variant, case.settings).to(device).train()
    cfg = model.config
    loader = DataLoader(PlainPhotos(root, case), batch_size=case.batch_size, shuffle=True,
                        drop_last=True, num_workers=workers, persistent_workers=workers > 0,
                        pin_memory=device.type == "cuda")
    batches = iter(loader)

    def next_batch():
        nonlocal batches
        try:
            batch = next(batches)
        except StopIteration:
            batches = iter(loader)
            batch = next(batches)
        return [b.to(device, non_blocking=True) for b in batch] if isinstance(batch, list) \
            else batch.to(device, non_blocking=True)

    if case.variant == "dcgan":
        G, D = model.generator, model.discriminator
        opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=cfg.betas)
        opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=cfg.betas)
        for _ in range(iterations):
            real = next_batch() * 2 - 1
            with torch.no_grad():
                fake = G(torch.randn(real.shape[0], cfg.latent_dim, device=device))
            d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-D(G(torch.randn(real.shape[0], cfg.latent_dim,
                                                 device=device)))).mean()
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
    elif case.variant == "cyclegan":
        from ganzoo_cyclegan.image_pool import ImagePool  # the recipe's history of fakes

        G_ab, G_ba = model.generator_ab, model.generator_ba
        D_a, D_b = model.discriminator_a, model.discriminator_b
        opt_g = torch.optim.Adam([*G_ab.parameters(), *G_ba.parameters()], lr=cfg.lr,
                                 betas=cfg.betas)
        opt_d = torch.optim.Adam([*D_a.parameters(), *D_b.parameters()], lr=cfg.lr,
                                 betas=cfg.betas)
        pool_a, pool_b = ImagePool(cfg.pool_size), ImagePool(cfg.pool_size)
        weight_id = cfg.lambda_cycle * cfg.lambda_identity
        for _ in range(iterations):
            a, b = (x * 2 - 1 for x in next_batch())
            fake_b, fake_a = G_ab(a), G_ba(b)
            d_fb, d_fa = D_b(fake_b), D_a(fake_a)
            g_loss = (F.mse_loss(d_fb, torch.ones_like(d_fb)) +
                      F.mse_loss(d_fa, torch.ones_like(d_fa)) +
                      cfg.lambda_cycle * (F.l1_loss(G_ba(fake_b), a) + F.l1_loss(G_ab(fake_a), b)) +
                      weight_id * (F.l1_loss(G_ab(b), b) + F.l1_loss(G_ba(a), a)))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            fa, fb = pool_a.query(fake_a.detach()), pool_b.query(fake_b.detach())
            d_loss = 0.0
            for D, real, fake in ((D_a, a, fa), (D_b, b, fb)):
                sr, sf = D(real), D(fake)
                d_loss = d_loss + 0.5 * (F.mse_loss(sr, torch.ones_like(sr)) +
                                         F.mse_loss(sf, torch.zeros_like(sf)))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
    else:
        G = model.generator
        opt = torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=cfg.betas)
        for _ in range(iterations):
            lr, hr = next_batch()
            loss = F.mse_loss(G(lr), hr)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()


# ----- ganzoo's side -------------------------------------------------------------------------
def ganzoo_train(case: Case, root: Path, iterations: int, workers: int | None,
                 device: torch.device,
                 extra: dict, out: Path, every: int) -> None:
    """``ganzoo train`` in this process (so the clocks see its optimizer steps)."""
    from ganzoo.cli import _add_core_commands, cli

    _add_core_commands()
    # The plain loop's settings unless ``extra`` says otherwise: a variant's recipe may turn
    # channels-last or bf16 on for its data kind (SRResNet's does).
    same = {"precision": "fp32", "channels_last": False, "compile": False}
    settings = {**case.settings, **same, **extra, "sample_every": every, "checkpoint_every": every,
                "preview_count": min(8, case.batch_size), "ema_bn_batches": 2}
    if workers is not None:  # None: ganzoo's default for this machine
        settings["workers"] = workers
    args = ["train", case.variant, "--data", f"{case.data}:{root}", "--steps", str(iterations),
            "--batch-size", str(case.batch_size), "--device", str(device), "--out", str(out),
            "--force"]
    for key, value in settings.items():
        args += ["--set", f"{key}={str(value).lower() if isinstance(value, bool) else value}"]
    cli.main(args=args, standalone_mode=False)


def timed(run, case: Case, warmup: int, device: torch.device, periodic: bool = False) -> dict:
    """Run one side under both clocks; images/s and data-wait share of the steady state.

    ``periodic``: the window holds one preview + checkpoint (a ganzoo run). Its cost is the
    slowest iteration less the median one; images/s is then given at the engine's default
    cadence (one preview and one checkpoint every `DEFAULT_EVERY` iterations)."""
    clock, waits = IterationClock(case.optimizer_steps, device), DataWaitClock()
    with clock.running(), waits.running():
        run()
    start, end, n = clock.window(warmup)
    ends = clock.iteration_ends()[max(1, warmup) - 1:]
    gaps = [b - a for a, b in zip(ends, ends[1:])]
    event = max(0.0, max(gaps) - statistics.median(gaps)) if periodic and len(gaps) > 1 else 0.0
    per_iteration = (end - start - event) / n + event / DEFAULT_EVERY
    images = case.batch_size * (2 if case.data == "unpaired" else 1)
    return {"images_per_s": images / per_iteration, "seconds_per_iteration": per_iteration,
            "periodic_seconds": event if periodic else None,
            "data_wait": waits.waited(start, end) / (end - start),
            "data_path": "+".join(sorted(waits.sources)) or "none"}


def measure_case(key: str, case: Case, root: Path, args, device: torch.device,
                 scratch: Path) -> dict:
    """Every way of training ``case``, in ``args.rounds`` rounds of alternating order."""
    total = args.warmup + args.iterations
    fast = {"channels_last": True, "precision": "auto"}
    # One preview and one checkpoint fall inside each timed window (after iteration
    # ``--iterations``, which is past the warm-up whenever iterations > warmup).
    every = args.iterations
    ways = {"plain": lambda: plain_loop(case, root, total, args.workers, device),
            "ganzoo": lambda: ganzoo_train(case, root, total, args.workers, device, {},
                                           scratch / "same", every),
            "ganzoo fast": lambda: ganzoo_train(case, root, total, args.workers, device, fast,
                                                scratch / "fast", every)}
    if default_workers() != args.workers:  # the data wait a user gets without --set workers
        ways[f"ganzoo {default_workers()} workers"] = lambda: ganzoo_train(
            case, root, total, None, device, {}, scratch / "default-workers", every)
    if not args.no_compile and key in args.compile_models:
        ways["ganzoo fast+compile"] = lambda: ganzoo_train(
            case, root, total, args.workers, device, {**fast, "compile": True},
            scratch / "compiled", every)
    results: dict[str, list[dict]] = {name: [] for name in ways}
    names = list(ways)
    for round_index in range(args.rounds):
        for name in names if round_index % 2 == 0 else names[::-1]:
            print(f"  {case.name}: {name} (round {round_index + 1}/{args.rounds})", flush=True)
            results[name].append(timed(ways[name], case, args.warmup, device,
                                       periodic=name != "plain"))
    return {name: merge(runs) for name, runs in results.items()}


def periodic(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


def merge(runs: list[dict]) -> dict:
    """Rounds combined: total images over total time (a mean rate), mean data-wait share and
    mean cost of a preview + checkpoint."""
    seconds = sum(r["seconds_per_iteration"] for r in runs)
    rate = sum(r["images_per_s"] * r["seconds_per_iteration"] for r in runs) / seconds
    events = [r["periodic_seconds"] for r in runs if r["periodic_seconds"] is not None]
    return {"images_per_s": rate, "data_wait": sum(r["data_wait"] for r in runs) / len(runs),
            "periodic_seconds": statistics.mean(events) if events else None,
            "data_path": runs[0]["data_path"], "rounds": [r["images_per_s"] for r in runs]}


def pipeline_rates(case: Case, root: Path, batches: int, worker_counts) -> dict[int, float]:
    """ganzoo's dataset for ``case`` alone through a DataLoader: images decoded per second."""
    from ganzoo.cli.train import dataset_options, resolve_settings
    from ganzoo.data.spec import load_dataset

    settings = resolve_settings(case.variant, f"{case.data}:{root}", flags={},
                                sets=dict(case.settings))
    dataset = load_dataset(settings["data"], **dataset_options(settings))
    per_item = 2 if case.data == "unpaired" else 1
    rates = {}
    for workers in worker_counts:
        loader = DataLoader(dataset, batch_size=case.batch_size, shuffle=True, drop_last=True,
                            num_workers=workers)
        it = iter(loader)
        next(it)  # worker start-up is not decoding
        began = time.perf_counter()
        for _ in range(batches):
            next(it)
        rates[workers] = batches * case.batch_size * per_item / (time.perf_counter() - began)
        del it
    return rates


# ----- the table -----------------------------------------------------------------------------
def machine_line(device: torch.device) -> str:
    from ganzoo.native_bf16 import bf16_is_fast

    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = platform.processor() or platform.machine()
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (f"device {device} ({name}), {os.cpu_count()} CPUs, torch {torch.__version__} "
            f"threads {torch.get_num_threads()}, native bf16: {bf16_is_fast(device)}, "
            f"load average {', '.join(f'{x:.2f}' for x in load)}")


def table(results: dict, pipelines: dict, args, device, cases_run, ganzoo_path: str) -> str:
    lines = [machine_line(device),
             f"ganzoo data path: {ganzoo_path}; plain: DataLoader, {args.workers} workers; "
             f"warm-up {args.warmup} + {args.iterations} timed iterations x {args.rounds} "
             f"alternating rounds; images/s counts every image a step consumes (CycleGAN: A and B); "
             f"ganzoo's images/s: one preview + checkpoint every {DEFAULT_EVERY} iterations (the "
             f"default; their measured cost is the preview+ckpt column)",
             "",
             f"{'model':<26}{'way':<22}{'images/s':>10}{'vs plain':>10}{'data wait':>11}"
             f"{'preview+ckpt s':>16}  rounds (images/s)"]
    ratios = []
    for key, ways in results.items():
        case = cases_run[key]
        plain = ways["plain"]["images_per_s"]
        fast_names = [n for n in ways if n.startswith("ganzoo fast")]
        best_fast = max(fast_names, key=lambda n: ways[n]["images_per_s"])
        for name, row in ways.items():
            ratio = row["images_per_s"] / plain
            mark = " *" if name == best_fast and len(fast_names) > 1 else ""
            lines.append(f"{case.name:<26}{name + mark:<22}{row['images_per_s']:>10.1f}"
                         f"{ratio:>9.2f}x{row['data_wait']:>10.1%}"
                         f"{periodic(row['periodic_seconds']):>16}  "
                         f"{', '.join(f'{r:.1f}' for r in row['rounds'])}")
        default = next((ways[n] for n in ways if n.endswith(" workers")), ways["ganzoo"])
        ratios.append((case.name, ways["ganzoo"]["images_per_s"] / plain,
                       ways[best_fast]["images_per_s"] / plain, best_fast,
                       default["data_wait"]))
    lines += ["", "* the recommended settings' row used for (b): compile only where it measured "
                  "faster", "",
              f"{'model':<26}{'(a) same settings':>19}{'(b) recommended vs plain fp32':>31}"
              f"{f'data wait, default workers ({default_workers()})':>36}"]
    for name, same, recommended, which, wait in ratios:
        lines.append(f"{name:<26}{same:>18.2f}x{recommended:>30.2f}x{wait:>36.1%}  ({which})")
    lines += ["targets: (a) >= 0.95x, (b) >= 1.5x; data wait < 5% of step time", "",
              "data pipeline alone (ganzoo's dataset through a DataLoader), images/s decoded:",
              f"{'model':<26}" + "".join(f"{f'{w} workers':>12}" for w in args.pipeline_workers)]
    for key, rates in pipelines.items():
        lines.append(f"{cases_run[key].name:<26}" +
                     "".join(f"{rates[w]:>12.1f}" for w in args.pipeline_workers))
    lines += ["", "reproduce: " + " ".join(["python benchmarks/train_throughput.py",
                                            *map(shlex.quote, sys.argv[1:])])]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny networks, few photos and iterations: a smoke run (seconds)")
    parser.add_argument("--models", default="dcgan,cyclegan,srresnet",
                        help="comma list of dcgan, cyclegan, srresnet")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--photos", type=int, help="JPEGs to generate (default 2000; quick 64)")
    parser.add_argument("--folder", type=Path, default=ROOT / "runs" / "throughput-photos",
                        help="where the photos are generated (reused when already there)")
    parser.add_argument("--workers", type=int, default=None,
                        help="DataLoader workers of both sides (default: min(4, CPUs); quick 0)")
    parser.add_argument("--warmup", type=int, help="iterations left out of the timing")
    parser.add_argument("--iterations", type=int, help="timed iterations per run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per way")
    parser.add_argument("--pipeline-workers", default=None,
                        help="worker counts for the pipeline table (default 0,1,2)")
    parser.add_argument("--pipeline-batches", type=int, default=None)
    parser.add_argument("--no-compile", action="store_true",
                        help="skip the compile=true rows (always skipped with --quick)")
    parser.add_argument("--compile-models", default=None,
                        help="models that also get the compile=true rows (default: all on "
                             "CUDA; dcgan,srresnet on CPU, where compiling CycleGAN's four "
                             "networks takes many minutes)")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    quick = args.quick
    args.photos = args.photos or (64 if quick else 2000)
    args.workers = args.workers if args.workers is not None else (
        0 if quick else min(4, os.cpu_count() or 1))
    args.warmup = args.warmup or (1 if quick else 2)
    args.iterations = args.iterations or (2 if quick else 4)
    args.rounds = 1 if quick and args.rounds == 2 else args.rounds
    args.pipeline_workers = [int(w) for w in (args.pipeline_workers or
                                              ("0" if quick else "0,1,2")).split(",")]
    args.pipeline_batches = args.pipeline_batches or (2 if quick else 10)
    args.no_compile = args.no_compile or quick
    args.compile_models = (args.compile_models or (
        "dcgan,cyclegan,srresnet" if args.device.startswith("cuda") else "dcgan,srresnet")
    ).split(",")
    return args


def main(argv=None) -> str:
    args = parse_args(argv)
    os.environ.setdefault("TQDM_DISABLE", "1")
    device = torch.device(args.device)
    chosen = cases(args.quick, args.device)
    keys = [k.strip() for k in args.models.split(",") if k.strip()]
    unknown = [k for k in keys if k not in chosen]
    if unknown:
        raise SystemExit(f"unknown model(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(chosen)}")
    folder = args.folder / f"{args.photos}"
    print(f"photos: {folder} ({args.photos} JPEGs)", flush=True)
    make_photo_folder(folder, args.photos)
    ganzoo_path = f"DataLoader with {args.workers} workers (--set workers={args.workers})"
    results, pipelines = {}, {}
    with tempfile.TemporaryDirectory(prefix="ganzoo-throughput-") as scratch:
        for key in keys:
            results[key] = measure_case(key, chosen[key], folder, args, device,
                                        Path(scratch) / key)
            pipelines[key] = pipeline_rates(chosen[key], folder, args.pipeline_batches,
                                            args.pipeline_workers)
            # The table so far after every model: a run cut short keeps what it measured.
            text = finished_table(results, pipelines, args, device, chosen, ganzoo_path)
            if args.out:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(text)
    print(text)
    return text


def finished_table(results, pipelines, args, device, chosen, ganzoo_path) -> str:
    text = table(results, pipelines, args, device, chosen, ganzoo_path)
    try:
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        text += f"uptime after the run: {uptime}\n"
    except OSError:
        pass
    return text


if __name__ == "__main__":
    main()
