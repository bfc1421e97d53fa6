#!/usr/bin/env bash
# Wheels tested like a user installs them (issue #25). Builds an sdist of the core and of every
# first-party plugin, builds each wheel FROM its sdist (so both must be complete), checks that
# every file git tracks in a package is inside its wheel, installs the wheels into a fresh venv
# outside the repo (no -e), and from outside the repo runs what a new user runs: `ganzoo list`,
# the demo's samples, new-plugin -> pip install -> list, and train -> sample a published folder.
# Any failure fails CI.   Usage: bash .ci/wheels.sh   (after `make install`; uses pip's cache)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# The dev venv builds (setuptools is there; --no-build-isolation keeps the build off the network).
builder="${BUILDER_PYTHON:-$repo/.venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ganzoo-wheels.XXXXXX")"
trap 'rm -rf "$work"' EXIT
dist="$work/dist"
mkdir -p "$dist"
start=$SECONDS

step() { echo; echo "== wheels: $*"; }

step "sdists and wheels of the core and every first-party plugin"
for project in "$repo" "$repo"/plugins/ganzoo-*; do
  # A copy, so an in-tree build/ or egg-info from the editable install cannot leak into the sdist.
  copy="$work/src/$(basename "$project")"
  mkdir -p "$copy"
  git -C "$project" ls-files -z . | (cd "$project" && xargs -0 cp --parents -t "$copy")
  # setuptools' own PEP 517 hook (no `build` package needed); its chatter goes to a log.
  sdist="$(cd "$copy" && "$builder" -c '
import contextlib, sys
from setuptools import build_meta
with contextlib.redirect_stdout(sys.stderr):
    name = build_meta.build_sdist(sys.argv[1])
print(name)' "$dist" 2>>"$work/build.log")" || { cat "$work/build.log"; exit 1; }
  "$builder" -m pip wheel --quiet --no-deps --no-build-isolation -w "$dist" "$dist/$sdist" \
    2>>"$work/build.log" || { cat "$work/build.log"; exit 1; }
done
ls -1 "$dist"

step "every tracked file of each package is in its wheel"
"$builder" "$repo/.ci/check_wheel_contents.py" "$repo" "$dist"

step "a fresh venv outside the repo: pinned torch + the wheels (no -e)"
python3 -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip install --quiet -c "$repo/constraints.txt")
"${pip[@]}" torch
"${pip[@]}" --find-links "$dist" "$dist"/*.whl
bin="$work/venv/bin"
cd "$work"   # from here on nothing may come from the checkout
export HF_HUB_OFFLINE=1 HF_HOME="$work/hf-home"
where="$("$bin/python" -c 'import ganzoo; print(ganzoo.__file__)')"
case "$where" in "$work/venv/"*) ;; *) echo "ganzoo imported from $where, not the venv"; exit 1;; esac
"$bin/python" -c 'from importlib import metadata; print("ganzoo-core", metadata.version("ganzoo-core"))'

step "ganzoo list"
"$bin/ganzoo" list | tee "$work/list.txt"
for model in cyclegan cgan srresnet pix2pix infogan dcgan; do
  grep -q "$model" "$work/list.txt" || { echo "ganzoo list lacks $model"; exit 1; }
done

step "the demo's samples"
bash "$repo/examples/demo.sh" "$bin"
for file in chelsea_cyclegan.png cgan_digits.png flower_x4.png; do
  test -s "demo-out/$file" || { echo "demo did not write demo-out/$file"; exit 1; }
done

step "new-plugin -> pip install (not editable) -> ganzoo list"
"$bin/ganzoo" new-plugin wheelcheck --dir "$work"
"$bin/python" -m pip install --quiet -c "$repo/constraints.txt" --find-links "$dist" \
  "$work/ganzoo-wheelcheck"
"$bin/ganzoo" list wheelcheck | tee "$work/list-plugin.txt"
grep -q "ganzoo-wheelcheck 0.1.0" "$work/list-plugin.txt" || { echo "new plugin not listed"; exit 1; }

step "train a tiny model, then sample the published folder"
"$bin/ganzoo" train gan --data ring8 --steps 5 --out "$work/run-ring8"
"$bin/ganzoo" sample "$work/run-ring8" --n 64 --out "$work/ring8.png"
test -s "$work/ring8.png"

echo
echo "wheels: all checks passed in $((SECONDS - start)) s"
