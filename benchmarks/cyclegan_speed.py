"""CycleGAN ResNet-9 inference speed on one 256x256 photo: ganzoo's sampling path vs a plain
eager fp32 PyTorch forward of the same architecture and weights.

Rows (all in one run, measurements interleaved so load changes hit every row alike; each time
is the median of ``--repeats`` runs after a warm-up):

* plain eager fp32 — the reference architecture written out with ``nn.Sequential``
  (`ganzoo_benchmarks.plain_resnet9`),
  the same weights loaded, ``torch.no_grad()``, default layout;
* ganzoo's sampling path — what ``ganzoo sample`` runs: its load-aware CPU thread choice
  (`ganzoo.thread_choice.choose_threads`) and ``model.translate`` ([0, 1] in/out, padding to the
  network multiple, inference mode, group-norm-backed instance norm, the upsampling layers
  channels-last on CPU, ``precision="auto"``: bf16, or else ``mixed`` (bf16 but the upsampling
  layers and output convolution), where the device has native bf16 and a probe shows these
  weights' output within 2/255 of fp32, see `ganzoo.nets.fast_inference`); and the same
  ``translate`` at plain's thread count;
* variants that help on some machines and not others: bf16 and mixed forced (each with its max
  error on the photo and on uniform noise, the worst case), ``torch.compile`` (``--compile``),
  and plain at one thread;
* the whole ``ganzoo sample`` process (start, load, read, translate, write) minus its model time.

GFLOP/s uses 99 GFLOP per 256² image (ResNet-9, ngf 64) and is compared with this machine's
measured fp32 matmul peak at the same thread count.

Targets: ganzoo's model time <= 0.6x the plain reference; the ``ganzoo sample`` process adds
<= 1.5 s over its model time.

Weights. bf16 rounding error depends on them: a random initialisation amplifies it to 8-14/255
(whole network and mixed alike), so ``auto`` rightly stays in fp32 there, while trained weights
are far tamer (bf16 3-4/255, mixed 1-1.3/255; `benchmarks/results/cyclegan_speed.txt`). No
trained ResNet-9 ships offline, so by default the benchmark trains one (once; later runs reuse
it) with ``ganzoo train cyclegan`` on the colour-grade photos of `translation_quality.py`
(`ganzoo_benchmarks.translation_tasks`) — the paper's objective and architecture (ResNet-9,
ngf 64, instance norm), 64-pixel crops, 2,500 steps, 1 thread (`TRAIN_ARGS`; ~35 CPU-minutes) — into
``runs/speed-resnet9``. ``--weights`` names another trained ResNet-9 CycleGAN (a folder or
zoo name, e.g. one made by ``ganzoo convert latest_net_G.pth --variant cyclegan --set
netG=resnet_9blocks``); ``--random-weights`` times a seeded random initialisation instead.

The photo is skimage's ``chelsea``, centre-cropped and scaled to 256x256.

Reproduce:  .venv/bin/python benchmarks/cyclegan_speed.py [--device cuda] [--compile] [--weights W | --random-weights]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from ganzoo_benchmarks.photos import centre_square
from ganzoo_benchmarks.plain_resnet9 import PlainResnet9
from ganzoo_benchmarks.timing import interleaved, matmul_peak

REPRODUCE = ".venv/bin/python benchmarks/cyclegan_speed.py"
GFLOP_PER_IMAGE = 99.0
SIZE = 256
TRAINED = Path(__file__).resolve().parents[1] / "runs" / "speed-resnet9"
#: `ganzoo train` arguments for the default trained weights ({data}: the photo folder).
TRAIN_ARGS = ["train", "cyclegan", "--data",
              "unpaired:{data}?image_size=64&preprocess=crop&repeat=16", "--steps", "2500",
              "--set", "image_size=64", "--set", "lr_decay_start=1250", "--set", "threads=1",
              "--seed", "0"]


# ----- weights and the photo ------------------------------------------------------------------------
def ganzoo_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("ganzoo")), *args]


def trained_weights(folder: Path) -> Path:
    """``folder``, trained first with `TRAIN_ARGS` if it holds no model yet (an interrupted
    earlier training there is continued with ``--resume``)."""
    if (folder / "model.safetensors").exists():
        return folder
    if (folder / "train.json").exists():
        command = ganzoo_command("train", "cyclegan", "--resume", "--out", str(folder))
    else:
        from ganzoo_benchmarks.photos import SPLITS
        from ganzoo_benchmarks.translation_tasks import write_grade_photos

        photos = folder.with_name(folder.name + "-photos")
        # The rotation grade: the one these weights were first trained and timed on.
        write_grade_photos(photos, SPLITS["grade_train_A"], SPLITS["grade_train_B"], "rotation")
        command = ganzoo_command(*(a.format(data=photos) for a in TRAIN_ARGS),
                                 "--out", str(folder))
    print("no trained ResNet-9 yet; training one (~35 CPU-minutes, once):\n  "
          + " ".join(command), flush=True)
    subprocess.run(command, check=True)
    return folder


def photo() -> torch.Tensor:
    """skimage's chelsea, centre-cropped to a square and scaled to SIZE, (1, 3, SIZE, SIZE)."""
    return torch.from_numpy(centre_square("chelsea", SIZE)).permute(2, 0, 1)[None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--compile", action="store_true", help="also time torch.compile")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads for every row (default: torch's own choice)")
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--weights", default=None,
                         help="a trained CycleGAN ResNet-9 (folder or name); default: "
                              "runs/speed-resnet9, trained first if missing")
    weights.add_argument("--random-weights", action="store_true",
                         help="a seeded random initialisation (no training; auto stays fp32)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    threads = torch.get_num_threads()

    from ganzoo.building import build_model
    from ganzoo.layout import save_pretrained

    torch.manual_seed(0)
    if args.random_weights:
        model = build_model("cyclegan", {"generators": "AtoB"}).eval().to(device)
        weights_label = "random initialisation (seed 0)"
    else:
        import ganzoo

        source = args.weights or str(trained_weights(TRAINED))
        model = ganzoo.load(source).eval().to(device)
        weights_label = source
    plain = PlainResnet9().eval().to(device)
    plain.load_state_dict(model.generator_ab.state_dict())  # same keys, same weights
    image = photo()
    noise = torch.rand(1, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(1))
    x = (image * 2 - 1).to(device)

    def plain_forward():
        with torch.no_grad():
            return plain(x)

    def ganzoo_translate():
        return model.translate(image)

    from ganzoo.thread_choice import choose_threads

    chosen = choose_threads(args.threads) if device.type == "cpu" else threads

    def ganzoo_sampling_path():  # what `ganzoo sample` runs: its thread choice + translate
        torch.set_num_threads(chosen)
        try:
            return model.translate(image)
        finally:
            torch.set_num_threads(threads)

    with torch.no_grad():
        reference = ((plain(x) + 1) / 2).clamp(0, 1).cpu()
    same = (ganzoo_translate() - reference).abs().max().item()

    from ganzoo.nets.fast_inference import fast_path

    # The verdict `translate` reached (cached per weights): the same call returns it.
    verdict = fast_path(model.generator_ab, channels=3, value_range=(-1.0, 1.0), size_multiple=4)
    probe = "no probe" if verdict.probe_error is None else f"probe {verdict.probe_error * 255:.1f}/255"
    sampling_row = (f"ganzoo sampling path ({chosen} thread{'s' if chosen > 1 else ''}, "
                    f"{verdict.precision}: {probe})")
    runs = {"plain eager fp32 (no_grad)": plain_forward,
            sampling_row: ganzoo_sampling_path,
            f"ganzoo translate, same {threads} threads as plain": ganzoo_translate}

    # Reduced precision: only worth keeping where it is both faster and within 2/255 of fp32.
    def max_errors(precision: str) -> tuple[float, float]:
        """Max |precision - fp32| in 1/255 units on the photo and on uniform noise."""
        errors = []
        for picture in (image, noise):
            with torch.no_grad():
                exact = ((plain(picture.to(device) * 2 - 1) + 1) / 2).clamp(0, 1).cpu()
            errors.append((model.translate(picture, precision=precision).float() - exact)
                          .abs().max().item() * 255)
        return errors[0], errors[1]

    errors = {precision: max_errors(precision) for precision in ("bf16", "mixed")}
    for precision, (on_photo, on_noise) in errors.items():
        def forced(precision=precision):
            return model.translate(image, precision=precision)

        runs[f"ganzoo translate, {precision} forced (err {on_photo:.1f}, noise {on_noise:.1f})"] = forced
    if args.compile:
        compiled = torch.compile(model.generator_ab)
        original = model.generator_ab

        def compiled_translate():
            model.generator_ab = compiled
            try:
                return model.translate(image)
            finally:
                model.generator_ab = original

        runs["ganzoo translate + torch.compile"] = compiled_translate
    if device.type == "cpu" and threads > 1:
        def one_thread(fn):
            def run():
                torch.set_num_threads(1)
                try:
                    return fn()
                finally:
                    torch.set_num_threads(threads)
            return run

        # Same thread count as the load-aware choice, so the gain can be attributed.
        runs["plain eager fp32, 1 thread"] = one_thread(plain_forward)
    medians = interleaved(runs, args.repeats, device)
    peak = matmul_peak(device)
    peaks = {threads: peak}
    if device.type == "cpu":  # every thread count a row ran with (the 1-thread rows too)
        for count in {chosen, 1} - {threads}:
            torch.set_num_threads(count)
            peaks[count] = matmul_peak(device)
        torch.set_num_threads(threads)

    # The whole `ganzoo sample` process, against its own model time measured above.
    folder = Path(tempfile.mkdtemp(prefix="ganzoo-speed-"))
    try:
        save_pretrained(model.cpu() if device.type != "cpu" else model, folder / "h2z")
        model.to(device)
        from ganzoo.imageio import write_image

        write_image(image[0], folder / "photo.png")
        command = ganzoo_command("sample", str(folder / "h2z"), "--input",
                                 str(folder / "photo.png"), "--device", args.device, "--force")
        environment = {**os.environ, "TQDM_DISABLE": "1"}
        if args.threads:
            environment["OMP_NUM_THREADS"] = str(args.threads)
        process_times = []
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=environment)
            process_times.append(time.perf_counter() - began)
        process = statistics.median(process_times)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cores = os.cpu_count()
    base = medians["plain eager fp32 (no_grad)"]
    ours = medians[sampling_row]
    print(f"\nCycleGAN ResNet-9, one {SIZE}x{SIZE} photo, device {device}, {threads} thread(s); "
          f"load average {load:.1f} on {cores} cores"
          f"{' (measured under load: other jobs share this CPU)' if load > 0.5 * (cores or 1) else ''}")
    header = f"{'path':58s} {'median s':>9s} {'vs plain':>9s} {'GFLOP/s':>8s} {'% peak':>7s}"
    print(header)
    print("-" * len(header))
    for name, seconds in medians.items():
        rate = GFLOP_PER_IMAGE / seconds
        row_threads = 1 if ("1 thread" in name and threads > 1) else threads
        row_peak = peaks.get(row_threads, peak)
        print(f"{name:58s} {seconds:9.3f} {seconds / base:8.2f}x {rate:8.1f} "
              f"{100 * rate / row_peak:6.1f}%")
    for count, value in sorted(peaks.items()):
        label = f"fp32 matmul peak (2048^3), {count} thread{'s' if count > 1 else ''}"
        print(f"{label:58s} {'':9s} {'':9s} {value:8.1f} {100.0:6.1f}%")
    reduced = {name for name in medians if "forced" in name
               or (verdict.precision != "fp32" and name.startswith("ganzoo"))}
    fastest_fp32 = GFLOP_PER_IMAGE / min(v for k, v in medians.items() if k not in reduced)
    if fastest_fp32 > max(peaks.values()):
        # Seen on AMD EPYC: torch.mm goes through MKL, whose AVX-512 path is not used on AMD
        # CPUs, while oneDNN's convolutions are; the "peak" is then a floor, not a ceiling.
        print("note: fp32 convolutions beat the matmul reference (% peak > 100): this BLAS's "
              "matmul is slower than oneDNN's convolutions here, so the reference is low, not "
              "the rows impossibly fast")
    print(f"\nweights: {weights_label}")
    print(f"ganzoo output vs plain reference: max |diff| = {same * 255:.4f}/255 on the photo "
          f"(the sampling path ran {verdict.precision}, {probe})")
    for precision, (on_photo, on_noise) in errors.items():
        print(f"{precision} max error vs fp32: {on_photo:.2f}/255 on the photo "
              f"({'within' if on_photo <= 2 else 'OUTSIDE'} the 2/255 budget), "
              f"{on_noise:.2f}/255 on uniform noise")
    overhead = process - ours
    print(f"`ganzoo sample` process: {process:.2f} s median of 3 = model {ours:.2f} s + "
          f"{overhead:.2f} s start/load/read/write")
    print("\nTargets:")
    print(f"  ganzoo model time <= 0.6x plain: {ours / base:.2f}x -> "
          f"{'MET' if ours <= 0.6 * base else 'NOT MET'}")
    print(f"  process overhead <= 1.5 s: {overhead:.2f} s -> {'MET' if overhead <= 1.5 else 'NOT MET'}")
    print(f"\nReproduce: {REPRODUCE} --device {args.device}"
          f"{' --compile' if args.compile else ''}{f' --threads {args.threads}' if args.threads else ''}"
          f"{f' --weights {args.weights}' if args.weights else ''}"
          f"{' --random-weights' if args.random_weights else ''}")


if __name__ == "__main__":
    main()
