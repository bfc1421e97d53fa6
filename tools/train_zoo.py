"""Retrain a first-party zoo model from its recipe and print its metrics.

Each shipped model lives in ``plugins/<dist>/<package>/pretrained/<name>/`` with a
``recipe.yaml``: the exact ``ganzoo train`` arguments (variant, data, every ``--set`` value) plus
how its training data is prepared from bundled photos and how it is scored (the benchmarks' own
code, `ganzoo_benchmarks.zoo_data` and `ganzoo_benchmarks.zoo_scoring`). One command retrains one
model::

    .venv/bin/python tools/train_zoo.py cyclegan-grade-s        # train + score, prints metrics
    .venv/bin/python tools/train_zoo.py cyclegan-grade-s --install   # also refresh the shipped copy
    .venv/bin/python tools/train_zoo.py cyclegan-grade-s --check     # compare with the card
    .venv/bin/python tools/train_zoo.py --list
    .venv/bin/python tools/train_zoo.py --refresh-cards   # cards only, after a wording change

``--install`` replaces the shipped folder's weights (generator only, fp16 where the recipe says
so), card, sample image and ``metrics.json``, rewrites the recipe with every resolved setting
(so later changes of defaults cannot drift it), and prints the registry pin (sha256, size).
Training runs with the torch threads its recipe pins (``threads``: 1 for every model, so a busy
machine cannot stall it at OpenMP barriers): the thread count changes the floating-point order,
and so the result; at a fixed count a retrained model reproduces its card bit for bit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from ganzoo_benchmarks.zoo_recipes import compare_metrics, read_recipe, recipes

ROOT = Path(__file__).resolve().parent.parent
HUB_ORG = "ganzoo"  # where the models are meant to be published (not published yet)


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
    from ganzoo_benchmarks.zoo_data import prepare_data

    folder = prepare_data(recipe.get("prepare"), work, recipe.get("grade"), recipe.get("images"),
                          recipe["set"].get("image_size"))
    out = work / "runs" / recipe["name"]
    command = train_command(recipe, folder, out)
    print("$", " ".join(command), flush=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(command, check=True, env=env)
    return out


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
            from ganzoo_benchmarks.photos import load_photo

            photo = torch.from_numpy(load_photo("chelsea")).permute(2, 0, 1)[None]
            photo = photo[..., :128, :128]
            a, b = (m.translate(photo, precision="fp32") for m in (reference, stored))
        else:
            a, b = reference.sample(256, seed=0), stored.sample(256, seed=0)
    return float((a - b).abs().max())


def install(recipe: dict, recipe_path: Path, run: Path, metrics: dict, seconds: float) -> None:
    """Write the shipped folder from a finished run, then print the registry pin."""
    import torch
    from safetensors.torch import save_file

    from ganzoo.hub import sha256_of
    from ganzoo.layout import load_pretrained_folder, network_state
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
    write_card(target, frozen, config, record)
    del torch
    weights = target / "model.safetensors"
    print(f"installed {target}\n  sha256: {sha256_of(weights)}\n  config_sha256: "
          f"{sha256_of(target / 'config.json')}\n  size: {weights.stat().st_size}")


RECIPE_HEADER = ("# Written by tools/train_zoo.py --install: every setting is spelled out so\n"
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


def write_card(target: Path, recipe: dict, config: dict, record: dict) -> None:
    """The shipped folder's README.md (model card) from its recipe, config and metrics."""
    from ganzoo.model_card import render_model_card

    card = render_model_card(config, {
        "title": f"{recipe['name']} (ganzoo first-party)", "summary": recipe["summary"],
        "license": "apache-2.0", "datasets": recipe["dataset"], "metrics": record["metrics"],
        "recipe": f".venv/bin/python tools/train_zoo.py {recipe['name']}",
        "sample": "sample.png", "source": recipe["name"],
        "weights_description": f"the generator(s) only ({record['dtype']}, "
                               f"{record['params_generator']:,} parameters)"})
    (target / "README.md").write_text(card + about_section(recipe, record))


def refresh_card(recipe_path: Path) -> None:
    """Rewrite a shipped folder's card from the files already there (no training): for card
    wording changes, which must not touch weights, config or metrics."""
    target = recipe_path.parent
    write_card(target, read_recipe(recipe_path),
               json.loads((target / "config.json").read_text()),
               json.loads((target / "metrics.json").read_text()))


def about_section(recipe: dict, record: dict) -> str:
    difference = record["fp16_vs_fp32_max_abs_diff"]
    weights = (f"{record['dtype']}; largest output change from fp32 at export {difference:.5f} "
               f"(limit 2/255 = 0.00784, also checked by `tests/test_zoo.py`)"
               if difference is not None else f"{record['dtype']} (stored at full precision)")
    lines = [
        f"- Data: {recipe['dataset_description']}",
        f"- Architecture: {recipe['architecture_note']}",
        f"- Training: seed {recipe['set'].get('seed', 0)}, {record['train_seconds']} s wall, "
        f"{record['train_cpu_seconds']} CPU s, {record['threads']} torch "
        f"thread{'s' if record['threads'] != 1 else ''} on a shared 2-core machine; recipe "
        f"`recipe.yaml` in this folder.",
        *([] if "kid" in record["metrics"] else [
            "- FID/KID: not applicable. The samples are 2-D points, not images, so the card "
            "gives mode coverage instead."]),
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
         "dcgan": "unconditional", "r3gan": "unconditional", "gan": "toy", "wgan-gp": "toy"}


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
            "recipe": f".venv/bin/python tools/train_zoo.py {recipe['name']}",
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
    parser.add_argument("--refresh-cards", action="store_true",
                        help="rewrite every shipped card (README.md) from its recipe, config "
                             "and metrics; no training, weights untouched")
    parser.add_argument("--no-train", action="store_true",
                        help="score (and --install) the run already in --work; no training")
    args = parser.parse_args()
    found = recipes(ROOT)
    if args.print_registry:
        import yaml

        entries = [registry_entry(read_recipe(p), p.parent) for p in found.values()
                   if (p.parent / "metrics.json").exists()]
        print(yaml.safe_dump({"models": entries}, sort_keys=False, width=100))
        return
    if args.refresh_cards:
        for path in found.values():
            if (path.parent / "metrics.json").exists():
                refresh_card(path)
                print(f"rewrote {path.parent.relative_to(ROOT) / 'README.md'}")
        return
    if args.list or not args.name:
        for name, path in found.items():
            print(f"{name:24s} {path.relative_to(ROOT)}")
        return
    if args.name not in found:
        raise SystemExit(f"no recipe named {args.name}; choose from {', '.join(found)}")
    path = found[args.name]
    recipe = read_recipe(path)
    from ganzoo.layout import load_pretrained_folder
    from ganzoo_benchmarks.zoo_scoring import score

    try:
        if args.no_train:
            run = args.work.resolve() / "runs" / recipe["name"]
        else:
            run = train(recipe, args.work.resolve())
        seconds = json.loads((run / "run.json").read_text())["wall_seconds"]
        metrics = score(recipe, load_pretrained_folder(run))
    except ValueError as error:  # the recipe names an unknown `prepare` or `evaluate`
        raise SystemExit(f"{path}: {error}") from None
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
