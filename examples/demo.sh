#!/usr/bin/env bash
# The offline demo `make demo` runs: list the zoo, then exercise what is installed.
# Usage: bash examples/demo.sh VENV_BIN_DIR
set -euo pipefail
bin="${1:-.venv/bin}"
out="demo-out"
mkdir -p "$out"
echo "== ganzoo list"
"$bin/ganzoo" list
echo
echo "== ganzoo plugins"
"$bin/ganzoo" plugins
