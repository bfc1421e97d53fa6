"""Load time of a CycleGAN-sized generator: cached model.safetensors vs torch.load of a .pth.

Target (issue 3): loading from safetensors takes no longer than ``torch.load`` of the same
state dict, in the same run (ratio safetensors / pickle <= 1.0).

The generator is the CycleGAN ResNet-9-block generator (ngf=64, ~11.4 M parameters, ~45 MB
float32). Both files hold exactly the same tensors and sit on the same disk, read once before
timing so both come from the OS page cache. Rows, each as median seconds over ``--runs``
alternating runs:

1. read the state dict: ``safetensors.torch.load_file`` vs ``torch.load(weights_only=True)``;
2. read + ``load_state_dict`` into an already built generator;
3. ``ganzoo.load(NAME)`` of a registry entry from the Hugging Face cache (resolution, sha256
   check, config.json, model build, strict key check) vs building the same model + torch.load
   + load_state_dict; then the same against a pickle path that also checks the .pth's sha256
   (what a pinned .pth download would need);
4. ``ganzoo.load(FOLDER)`` of a local folder (no sha256 pin) vs the same pickle path.

Run: .venv/bin/python benchmarks/load_speed.py [--runs 9] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ganzoo_benchmarks.timing import median_pair

REVISION = "0123456789abcdef0123456789abcdef01234567"  # any 40-hex id: the cache is built here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()

    import torch
    import yaml
    from safetensors.torch import load_file

    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="ganzoo-load-speed-"))
    cache = work / "hf-cache"
    os.environ["HF_HUB_CACHE"] = str(cache)
    os.environ["GANZOO_REGISTRY"] = str(work / "registry.yaml")

    import ganzoo
    from ganzoo.building import build_model
    from ganzoo.hub import sha256_of
    from ganzoo.layout import save_pretrained

    values = {"generators": "AtoB"}  # one ResNet-9 generator, as a converted netG holds
    torch.manual_seed(0)
    model = build_model("cyclegan", values)
    names = model.generator_names
    params = sum(p.numel() for n in names for p in getattr(model, n).parameters())
    folder = save_pretrained(model, work / "folder", include_discriminator=False)
    state = {k: v for k, v in model.state_dict().items() if k.startswith(tuple(f"{n}." for n in names))}
    pth = work / "model.pth"
    torch.save(state, pth)

    # A real Hugging Face cache entry (snapshots/<revision>/...) and a registry pin for it.
    snapshot = cache / "models--bench--cyclegan" / "snapshots" / REVISION
    snapshot.mkdir(parents=True)
    for name in ("config.json", "model.safetensors"):
        (snapshot / name).write_bytes((folder / name).read_bytes())
    (work / "registry.yaml").write_text(yaml.safe_dump({"schema": 1, "models": [{
        "name": "bench-cyclegan", "variant": "cyclegan", "task": "image-to-image",
        "weights": {"repo": "bench/cyclegan", "revision": REVISION,
                    "sha256": sha256_of(folder / "model.safetensors")}}]}))

    target = build_model("cyclegan", values)

    def pickle_build_and_load():
        fresh = build_model("cyclegan", values)
        fresh.load_state_dict(torch.load(pth, map_location="cpu", weights_only=True),
                              strict=False)
        return fresh.eval()

    def pickle_verified_build_and_load():
        # The same integrity check a pinned .pth download would need before torch.load.
        sha256_of(pth)
        return pickle_build_and_load()

    rows = [
        ("read state dict",
         lambda: load_file(folder / "model.safetensors"),
         lambda: torch.load(pth, map_location="cpu", weights_only=True)),
        ("read + load_state_dict into built G",
         lambda: target.load_state_dict(load_file(folder / "model.safetensors"), strict=False),
         lambda: target.load_state_dict(torch.load(pth, map_location="cpu", weights_only=True),
                                        strict=False)),
        ("ganzoo.load(registry name, HF cache, sha256)",
         lambda: ganzoo.load("bench-cyclegan"), pickle_build_and_load),
        ("  same, .pth also sha256-checked",
         lambda: ganzoo.load("bench-cyclegan"), pickle_verified_build_and_load),
        ("ganzoo.load(local folder)", lambda: ganzoo.load(str(folder)), pickle_build_and_load),
    ]
    assert torch.equal(ganzoo.load("bench-cyclegan").state_dict()[next(iter(state))],
                       next(iter(state.values())))

    size_mb = (folder / "model.safetensors").stat().st_size / 1e6
    print(f"CycleGAN ResNet-9 generator: {params / 1e6:.2f} M parameters, "
          f"model.safetensors {size_mb:.1f} MB, .pth {pth.stat().st_size / 1e6:.1f} MB; "
          f"median of {args.runs} runs, torch threads {args.threads}, torch {torch.__version__}")
    print()
    header = ("path", "safetensors s", "torch.load .pth s", "ratio", "target <= 1.0")
    lines = [header]
    for label, ours, theirs in rows:
        a, b = median_pair(ours, theirs, args.runs)
        lines.append((label, f"{a:.4f}", f"{b:.4f}", f"{a / b:.2f}",
                      "met" if a / b <= 1.0 else "NOT met"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    print()
    print("reproduce: .venv/bin/python benchmarks/load_speed.py "
          f"--runs {args.runs} --threads {args.threads}")
    import shutil

    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
