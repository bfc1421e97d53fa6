#!/usr/bin/env bash
# The CUDA check, for a machine with an NVIDIA GPU and a CUDA build of torch already installed
# (nothing is downloaded: ganzoo, its plugins and the benchmarks are installed editable with
# --no-deps, so their dependencies must be there already). About 8 minutes in all:
#   1. names the GPU (nvidia-smi, torch.cuda.get_device_name);
#   2. runs the CUDA-marked tests (pytest -m cuda: fp16 refused with a penalty and trained
#      without one, bf16 autocast, fused Adam, pinned memory, compiled networks, torchrun);
#   3. runs the training-throughput benchmark in a short CUDA mode, with and without compile.
# Tables and logs go to $OUT (default benchmarks/results/gpu). Each stage has its own time
# limit and the script goes on after a failure; the exit status is the first failure's.
#
#   OUT=/some/dir bash benchmarks/gpu_check.sh
# Rehearsal without a GPU (CUDA tests skip, a tiny CPU benchmark):
#   ALLOW_CPU=1 SKIP_INSTALL=1 PYTHON=.venv/bin/python bash benchmarks/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-benchmarks/results/gpu}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$OUT"
status=0
stage() {  # stage NAME SECONDS COMMAND...: run with a time limit, log under $OUT, keep going
    local name=$1 limit=$2
    shift 2
    echo "== $name (limit ${limit}s)"
    local began=$SECONDS
    timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
    local rc=$?
    echo "   exit $rc after $((SECONDS - began))s; log: $OUT/$name.log"
    tail -n 25 "$OUT/$name.log"
    if [ $rc -ne 0 ] && [ $status -eq 0 ]; then status=$rc; fi
    return 0
}

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(hostname), $(nproc) CPUs"
    if command -v nvidia-smi > /dev/null; then
        nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
    else
        echo "nvidia-smi: not found"
    fi
    "$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda,
"available", torch.cuda.is_available(),
"device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)'
} 2>&1 | tee "$OUT/gpu.txt"

DEVICE=cuda
SIZE=(--photos 2000)
if ! "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    if [ "${ALLOW_CPU:-0}" != 1 ]; then
        echo "no CUDA device visible to torch: nothing to check (see $OUT/gpu.txt)"
        exit 1
    fi
    # ALLOW_CPU=1: rehearse every stage on CPU (CUDA tests skip, tiny benchmark).
    echo "ALLOW_CPU=1: rehearsal on CPU"
    DEVICE=cpu
    SIZE=(--quick)
fi

editable=(-e . -e benchmarks)
for plugin in plugins/*/; do
    editable+=(-e "$plugin")
done
if [ "${SKIP_INSTALL:-0}" = 1 ]; then  # already installed (e.g. a rehearsal in a dev venv)
    echo "SKIP_INSTALL=1: using the installed ganzoo"
else
    stage install 180 "$PYTHON" -m pip install --no-deps --no-build-isolation "${editable[@]}"
fi
stage imports 60 "$PYTHON" -c 'import ganzoo, ganzoo_benchmarks, click, pluggy, safetensors, huggingface_hub, yaml, tqdm, PIL, skimage, sklearn; print("imports ok")'

export TQDM_DISABLE=1
# Only the files that hold CUDA-marked tests: collecting the whole suite would import what
# other tests need (e.g. the ONNX or TensorBoard extras), which this machine may lack.
mapfile -t cuda_files < <(grep -rlE "pytest\.mark\.cuda" tests --include='test_*.py' | sort)
stage cuda_tests 240 "$PYTHON" -m pytest -m cuda "${cuda_files[@]}" -q -rs \
    -p no:cacheprovider --junitxml="$OUT/cuda_tests.xml"

# The throughput benchmark with the paper-sized networks: a short run, then the compiled rows
# (compilation takes most of their time) for the two cheaper models.
stage throughput 200 "$PYTHON" benchmarks/train_throughput.py --device "$DEVICE" --no-compile \
    --warmup 3 --iterations 20 --rounds 2 "${SIZE[@]}" --folder "$OUT/photos" \
    --out "$OUT/train_throughput_$DEVICE.txt"
stage throughput_compile 200 "$PYTHON" benchmarks/train_throughput.py --device "$DEVICE" \
    --models dcgan,srresnet --warmup 4 --iterations 20 --rounds 1 "${SIZE[@]}" \
    --folder "$OUT/photos" --pipeline-workers 0,4 \
    --out "$OUT/train_throughput_${DEVICE}_compile.txt"
rm -rf "$OUT/photos"  # regenerated from the bundled photos on the next run

echo "== done (exit $status); tables: $OUT/train_throughput_$DEVICE*.txt, GPU: $OUT/gpu.txt"
exit $status
