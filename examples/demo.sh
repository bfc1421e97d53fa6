#!/usr/bin/env bash
# The offline demo `make demo` runs: list the zoo, then sample the first-party models that ship
# inside the plugins (weights verified by sha256, no network needed).
# Usage: bash examples/demo.sh [VENV_BIN_DIR]     (reruns overwrite demo-out/ with --force)
set -euo pipefail
bin="${1:-.venv/bin}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="demo-out"
mkdir -p "$out"
# Everything below must work with no network: never ask the Hub.
export HF_HUB_OFFLINE=1

run() {
  echo "\$ ganzoo $*"
  "$bin/ganzoo" "$@"
}

echo "== the zoo"
run list
echo
echo "== CycleGAN: colour-grade a photo it never saw (examples/chelsea.png)"
run sample cyclegan --input "$here/chelsea.png" --out "$out/chelsea_cyclegan.png" --force
echo
echo "== cGAN: a digit grid, one row per class 0-9"
run sample cgan --out "$out/cgan_digits.png" --force
echo
echo "== SRResNet x4: upscale a small photo (examples/flower-small.png)"
run sample srresnet --input "$here/flower-small.png" --out "$out/flower_x4.png" --force
echo
echo "Outputs:"
for file in chelsea_cyclegan.png cgan_digits.png flower_x4.png; do
  echo "  $out/$file"
done
