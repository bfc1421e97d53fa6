"""Retrain a first-party zoo model from its recipe and print its metrics.

Each shipped model lives in ``plugins/<dist>/<package>/pretrained/<name>/`` with a
``recipe.yaml``: the exact ``ganzoo train`` arguments (variant, data, every ``--set`` value) plus
how its training data is prepared from bundled photos and how it is scored (the matching code of
``benchmarks/``). One command retrains one model::

    .venv/bin/python examples/train_zoo.py cyclegan-grade-s        # train + score, prints metrics
    .venv/bin/python examples/train_zoo.py cyclegan-grade-s --install   # also refresh the shipped copy
    .venv/bin/python examples/train_zoo.py cyclegan-grade-s --check     # compare with the card
    .venv/bin/python examples/train_zoo.py --list

``--install`` replaces the shipped folder's weights (generator only, fp16 where the recipe says
so), card, sample image and ``metrics.json``, rewrites the recipe with every resolved setting
(so later changes of defaults cannot drift it), and prints the registry pin (sha256, size).
Training runs with the torch threads its recipe pins (``threads``; 1 for all but
pix2pix-deblur-s): the thread count changes the floating-point order, and so the result.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Data and scoring live in the benchmarks, so a zoo model is judged exactly like a benchmark run.
BENCHMARKS = ROOT / "benchmarks"
HUB_ORG = "ganzoo"  # where the models are meant to be published (not published yet)
SR_TILE = 128  # side of the tiles the SR photos are cut into (see prepare_data)
#: The photos the shipped SR models were trained on (their recipes name them). The benchmark
#: has since moved to natural photos only (benchmarks/super_resolution.py TRAIN_PHOTOS).
SR_ZOO_PHOTOS = ("astronaut", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field",
                 "retina")


def recipes() -> dict[str, Path]:
    """Model name -> its recipe.yaml, for every shipped first-party model."""
    found = sorted(ROOT.glob("plugins/ganzoo-*/ganzoo_*/pretrained/*/recipe.yaml"))
    return {path.parent.name: path for path in found}


def read_recipe(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def benchmark(name: str):
    """Import ``benchmarks/<name>.py`` (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"zoo_bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----- training data, written from bundled photos ---------------------------------------------------
def prepare_data(kind: str | None, work: Path, grade: str | None = None) -> Path:
    """Write the files a recipe's ``--data`` points at under ``work``; returns the folder.
    ``grade``: the colour grade of ``grade`` data (benchmarks/translation_quality.py GRADES)."""
    folder = work / "data" / "-".join(filter(None, (kind or "none", grade)))
    if kind is None or (folder / ".done").exists():
        return folder
    if kind == "grade":  # CycleGAN: photos (A) and disjoint photos under a colour grade (B)
        bench = benchmark("translation_quality")
        for side, key in (("trainA", "grade_train_A"), ("trainB", "grade_train_B")):
            for name in bench.SPLITS[key]:
                photo = bench.load_photo(name)
                bench.save(photo if side == "trainA" else bench.grade(photo, grade),
                           folder / side / f"{name}.png")
    elif kind == "deblur":  # pix2pix: blurred | sharp pairs side by side
        bench = benchmark("translation_quality")
        for name in bench.SPLITS["deblur_train"]:
            photo = bench.load_photo(name)
            bench.save(bench.np.concatenate([bench.blur(photo), photo], axis=1),
                       folder / f"{name}.png")
    elif kind == "sr-photos":  # SRResNet/SRGAN: the benchmark's training photos, in tiles
        from PIL import Image

        bench = benchmark("super_resolution")
        folder.mkdir(parents=True, exist_ok=True)
        # 128-px tiles: the loader decodes one file per crop, and a whole 2-megapixel photo
        # per 64-px crop made data loading 10x slower than the network.
        for name in SR_ZOO_PHOTOS:
            array = bench.bundled_photo(name)
            if array.ndim == 2:
                array = bench.np.repeat(array[..., None], 3, axis=2)
            array = array[..., :3]
            for top in range(0, array.shape[0] - SR_TILE + 1, SR_TILE):
                for left in range(0, array.shape[1] - SR_TILE + 1, SR_TILE):
                    tile = array[top:top + SR_TILE, left:left + SR_TILE]
                    Image.fromarray(tile).save(folder / f"{name}-{top}-{left}.png")
    else:
        raise SystemExit(f"recipe names unknown data preparation {kind!r}")
    (folder / ".done").write_text("")
    return folder


# ----- training through the real CLI -----------------------------------------------------------------
def train_command(recipe: dict, data_folder: Path, out: Path) -> list[str]:
    data = recipe["data"].replace("{data}", str(data_folder))
    command = [str(Path(sys.executable).parent / "ganzoo"), "train", recipe["variant"],
               "--data", data, "--out", str(out), "--force"]
    for key, value in recipe["set"].items():
        if isinstance(value, str):  # e.g. SRGAN's init_from: the shipped SRResNet folder
            value = value.replace("{root}", str(ROOT))
        command += ["--set", f"{key}={json.dumps(value)}"]
    return command


def train(recipe: dict, work: Path) -> Path:
    folder = prepare_data(recipe.get("prepare"), work, recipe.get("grade"))
    out = work / "runs" / recipe["name"]
    command = train_command(recipe, folder, out)
    print("$", " ".join(command), flush=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(command, check=True, env=env)
    return out


# ----- scoring with the benchmarks' code --------------------------------------------------------------
def score(recipe: dict, model) -> dict:
    """The recipe's ``evaluate`` metrics for ``model`` (numbers rounded for the card)."""
    import torch

    torch.set_num_threads(1)
    kind = recipe["evaluate"]
    if kind == "grade":
        bench = benchmark("translation_quality")
        test = [bench.load_photo(n) for n in bench.SPLITS["test"]]
        truths = [bench.grade(p, recipe["grade"]) for p in test]
        ours = bench.score(bench.translate_all(model, test, direction="AtoB"), truths)
        base = bench.score(test, truths)
        return {"psnr_db": round(ours["psnr"], 2), "ssim": round(ours["ssim"], 3),
                "identity_psnr_db": round(base["psnr"], 2),
                "test_photos": ", ".join(bench.SPLITS["test"])}
    if kind == "deblur":
        bench = benchmark("translation_quality")
        test = [bench.load_photo(n) for n in bench.SPLITS["test"]]
        inputs = [bench.blur(p) for p in test]
        ours = bench.score(bench.translate_all(model, inputs), test)
        base = bench.score(inputs, test)
        return {"psnr_db": round(ours["psnr"], 2), "ssim": round(ours["ssim"], 3),
                "sharpness": round(ours["sharpness"], 3),
                "blurred_input_psnr_db": round(base["psnr"], 2),
                "test_photos": ", ".join(bench.SPLITS["test"])}
    if kind == "sr":
        bench = benchmark("super_resolution")
        _, test = bench.photos()
        ours = bench.evaluate(model.translate, test)
        base = bench.evaluate(bench.interpolation("bicubic"), test)
        return {"psnr_y_db": round(ours["psnr"], 2), "ssim_y": round(ours["ssim"], 3),
                "bicubic_psnr_y_db": round(base["psnr"], 2),
                "test_photos": ", ".join(test)}
    if kind in ("cgan", "infogan", "dcgan"):
        from ganzoo.data.digits import Digits
        from ganzoo.metrics.classifier import (evaluate_categorical_code,
                                               evaluate_label_conditional,
                                               fit_real_classifier, stratified_split)

        digits = Digits()
        split = stratified_split(digits.images, digits.labels, seed=0)
        judge = fit_real_classifier(split, seed=0)
        if kind == "cgan":
            found = evaluate_label_conditional(model, split, judge, seed=0)
        elif kind == "infogan":
            found = evaluate_categorical_code(model, judge, model.config.num_categories,
                                              n=1000, seed=0)
            found.pop("mapping", None)
        else:
            found = dcgan_scores(model, judge)
        out = {k: v if isinstance(v, int) else round(float(v), 4) for k, v in found.items()
               if isinstance(v, (int, float))}
        out.setdefault("ceiling", round(float(judge.ceiling), 4))  # the judge on real test digits
        return out
    if kind == "modes":
        from ganzoo.data.spec import load_dataset
        from ganzoo.metrics.modes import evaluate_mixture_model

        dataset = load_dataset(recipe["data"])
        found = evaluate_mixture_model(model, dataset, seed=0)
        return {"modes_captured": f"{found['modes']}/{found['total_modes']}",
                "high_quality_percent": round(float(found["high_quality"]), 2),
                "reverse_kl": round(float(found["reverse_kl"]), 4)}
    raise SystemExit(f"recipe names unknown evaluation {kind!r}")


def dcgan_scores(model, judge) -> dict:
    """Unconditional digits: the real-digit judge labels 1,000 samples; a G that covers all ten
    digits evenly scores 1.0 class-balance entropy, a collapsed one near 0."""
    import numpy as np

    predicted = judge.predict(model.sample(1000, seed=0))
    counts = np.bincount(predicted, minlength=10) / len(predicted)
    present = counts[counts > 0]
    return {"classes_covered": int((counts >= 0.02).sum()),
            "class_balance_entropy": float(-(present * np.log(present)).sum() / np.log(10))}


# ----- the shipped copy -----------------------------------------------------------------------------
def fp16_difference(run_folder: Path, tensors16: dict) -> float:
    """Largest output difference between the run's fp32 generator and the fp16-stored one."""
    import torch

    from ganzoo.layout import load_pretrained_folder

    reference = load_pretrained_folder(run_folder)
    stored = load_pretrained_folder(run_folder)
    for name in stored.generator_names:
        prefix = f"{name}."
        getattr(stored, name).load_state_dict(
            {k[len(prefix):]: v.float() for k, v in tensors16.items() if k.startswith(prefix)})
    with torch.no_grad():
        if reference.task in ("image-to-image", "super-resolution"):
            bench = benchmark("translation_quality")
            photo = torch.from_numpy(bench.load_photo("chelsea")).permute(2, 0, 1)[None]
            photo = photo[..., :128, :128]
            a, b = (m.translate(photo, precision="fp32") for m in (reference, stored))
        else:
            a, b = reference.sample(256, seed=0), stored.sample(256, seed=0)
    return float((a - b).abs().max())


def compare_metrics(shipped: dict, now: dict, rel: float = 0.005) -> list[str]:
    """Lines naming each card metric that the new run did not reproduce (within ``rel``)."""
    lines = []
    for key, value in shipped.items():
        new = now.get(key)
        if isinstance(value, (int, float)) and isinstance(new, (int, float)):
            same = abs(new - value) <= rel * max(abs(value), 1e-9)
        else:
            same = new == value
        if not same:
            lines.append(f"{key}: card {value}, this run {new}")
    return lines


def install(recipe: dict, recipe_path: Path, run: Path, metrics: dict, seconds: float) -> None:
    """Write the shipped folder from a finished run, then print the registry pin."""
    import torch
    from safetensors.torch import save_file

    from ganzoo.hub import sha256_of
    from ganzoo.layout import load_pretrained_folder, network_state
    from ganzoo.model_card import render_model_card

    target = recipe_path.parent
    config = json.loads((run / "config.json").read_text())
    model = load_pretrained_folder(run)
    if config["config"].get("init_from"):
        # Training-only (SRGAN's starting weights, already inside these weights): a shipped
        # config must not point at a path on the machine that trained it.
        config["config"]["init_from"] = ""
    tensors = network_state(model, include_discriminator=False)
    difference = None
    if recipe.get("fp16"):
        tensors = {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}
        difference = fp16_difference(run, tensors)
        if difference > 2 / 255:
            raise SystemExit(f"fp16 changes the output by {difference:.4f} > 2/255; set "
                             f"fp16: false in {recipe_path}")
    # One metadata key only: safetensors writes the metadata map in a per-process random
    # order, so more keys would make the sha256 differ between identical exports.
    save_file(tensors, str(target / "model.safetensors"), {"format": "pt"})
    os.chmod(target / "model.safetensors", 0o644)  # save_file keeps the umask; be readable
    (target / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_sample(recipe, target)
    settings = full_settings(run)
    settings.pop("init_from", None)  # an absolute path of this machine; the recipe keeps {root}
    frozen = {**recipe, "set": {**settings, **recipe["set"]}}
    import yaml

    recipe_path.write_text(RECIPE_HEADER + yaml.safe_dump(frozen, sort_keys=False))
    cpu = json.loads((run / "run.json").read_text()).get("cpu_seconds")
    record = {"metrics": metrics, "train_seconds": round(seconds, 1),
              "train_cpu_seconds": round(cpu, 1) if cpu else None,
              "threads": frozen["set"].get("threads"), "params_generator": sum(
                  t.numel() for t in tensors.values()),
              "dtype": "float16" if recipe.get("fp16") else "float32",
              "fp16_vs_fp32_max_abs_diff": difference}
    (target / "metrics.json").write_text(json.dumps(record, indent=2) + "\n")
    card = render_model_card(config, {
        "title": f"{recipe['name']} (ganzoo first-party)", "summary": recipe["summary"],
        "license": "apache-2.0", "datasets": recipe["dataset"], "metrics": metrics,
        "recipe": f".venv/bin/python examples/train_zoo.py {recipe['name']}",
        "sample": "sample.png", "source": recipe["name"],
        "weights_description": f"the generator(s) only ({record['dtype']}, "
                               f"{record['params_generator']:,} parameters)"})
    card += about_section(recipe, record)
    (target / "README.md").write_text(card)
    del torch
    weights = target / "model.safetensors"
    print(f"installed {target}\n  sha256: {sha256_of(weights)}\n  config_sha256: "
          f"{sha256_of(target / 'config.json')}\n  size: {weights.stat().st_size}")


RECIPE_HEADER = ("# Written by examples/train_zoo.py --install: every setting is spelled out so\n"
                 "# a change of defaults cannot change what this recipe trains.\n")


def full_settings(run: Path) -> dict:
    """Every model and training value the run used (model config + resolved train config)."""
    config = json.loads((run / "config.json").read_text())["config"]
    run_info = json.loads((run / "run.json").read_text()) if (run / "run.json").exists() else {}
    train = run_info.get("train_config") or run_info.get("train") or {}
    drop = {"device"}
    return {**{k: v for k, v in train.items() if k not in drop}, **config}


def write_sample(recipe: dict, target: Path) -> None:
    command = [str(Path(sys.executable).parent / "ganzoo"), "sample", str(target),
               "--out", str(target / "sample.png"), "--force"] + recipe.get("sample_args", [])
    command = [part.replace("{root}", str(ROOT)) for part in command]
    subprocess.run(command, check=True)


def about_section(recipe: dict, record: dict) -> str:
    difference = record["fp16_vs_fp32_max_abs_diff"]
    weights = (f"{record['dtype']}; largest output change from fp32 at export {difference:.5f} "
               f"(limit 2/255 = 0.00784, also checked by `tests/test_zoo.py`)"
               if difference is not None else f"{record['dtype']} (stored at full precision)")
    lines = [
        f"- Data: {recipe['dataset_description']}",
        f"- Architecture: {recipe['architecture_note']}",
        f"- Training: {record['train_seconds']} s wall, {record['train_cpu_seconds']} CPU s, "
        f"{record['threads']} torch thread{'s' if record['threads'] != 1 else ''} on a shared "
        f"2-core machine; recipe `recipe.yaml` in this folder.",
        f"- Weights: {weights}.",
        f"- Shipped inside the `{recipe['package']}` distribution and verified by sha256 like a "
        f"download. Meant to be published as `{HUB_ORG}/{recipe['name']}` on the Hugging Face "
        f"Hub; **not published yet**, so the registry pins no Hub repo.",
        "- License: Apache-2.0 (weights and code). Training photos come from scikit-image / "
        "scikit-learn's bundled samples; see their licences.",
    ]
    return "## About this copy\n\n" + "\n".join(lines) + "\n"


TASKS = {"cyclegan": "image-to-image", "pix2pix": "image-to-image", "srresnet": "super-resolution",
         "srgan": "super-resolution", "cgan": "conditional", "infogan": "conditional",
         "dcgan": "unconditional", "gan": "toy", "wgan-gp": "toy"}


def registry_entry(recipe: dict, folder: Path) -> dict:
    """The registry.yaml entry pinning a shipped folder (no Hub repo: nothing is published)."""
    from ganzoo.hub import sha256_of

    record = json.loads((folder / "metrics.json").read_text())
    package = folder.parent.parent.name
    weights = folder / "model.safetensors"
    aliases = recipe.get("aliases", [recipe["variant"]])
    return {"name": recipe["name"], "aliases": aliases, "variant": recipe["variant"],
            "task": json.loads((folder / "config.json").read_text()).get(
                "task", TASKS[recipe["variant"]]),
            "summary": recipe["summary"],
            "weights": {"shipped": f"{package}:pretrained/{recipe['name']}",
                        "sha256": sha256_of(weights),
                        "config_sha256": sha256_of(folder / "config.json"),
                        "size": weights.stat().st_size},
            "license": "apache-2.0", "dataset": recipe["dataset"],
            "recipe": f".venv/bin/python examples/train_zoo.py {recipe['name']}",
            "metrics": record["metrics"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="model name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the recipes")
    parser.add_argument("--print-registry", action="store_true",
                        help="print registry.yaml entries for every installed model")
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "zoo",
                        help="scratch folder for data and runs (default runs/zoo)")
    parser.add_argument("--install", action="store_true",
                        help="refresh the shipped copy from this run")
    parser.add_argument("--check", action="store_true",
                        help="compare the metrics with the shipped metrics.json; exit 1 if they "
                             "differ (CPU training is deterministic per thread count)")
    parser.add_argument("--no-train", action="store_true",
                        help="score (and --install) the run already in --work; no training")
    args = parser.parse_args()
    found = recipes()
    if args.print_registry:
        import yaml

        entries = [registry_entry(read_recipe(p), p.parent) for p in found.values()
                   if (p.parent / "metrics.json").exists()]
        print(yaml.safe_dump({"models": entries}, sort_keys=False, width=100))
        return
    if args.list or not args.name:
        for name, path in found.items():
            print(f"{name:24s} {path.relative_to(ROOT)}")
        return
    if args.name not in found:
        raise SystemExit(f"no recipe named {args.name}; choose from {', '.join(found)}")
    path = found[args.name]
    recipe = read_recipe(path)
    if args.no_train:
        run = args.work.resolve() / "runs" / recipe["name"]
    else:
        run = train(recipe, args.work.resolve())
    seconds = json.loads((run / "run.json").read_text())["wall_seconds"]
    from ganzoo.layout import load_pretrained_folder

    metrics = score(recipe, load_pretrained_folder(run))
    print(json.dumps({"model": args.name, "train_seconds": round(seconds, 1), **metrics}, indent=2))
    if args.check:
        shipped = json.loads((path.parent / "metrics.json").read_text())["metrics"]
        differ = compare_metrics(shipped, metrics)
        for line in differ or [f"{args.name}: every card metric reproduced ({len(shipped)})"]:
            print(line)
        if differ:
            raise SystemExit(1)
    if args.install:
        install(recipe, path, run, metrics, seconds)


if __name__ == "__main__":
    main()
