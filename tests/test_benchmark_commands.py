"""The benchmark commands are thin layers over `ganzoo_benchmarks`: they start (their imports
resolve without sys.path tricks) and keep their flags."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command, flags", [
    ("translation_quality.py", ["--minutes", "--task", "--grade", "--diagnose", "--splits"]),
    ("super_resolution.py", ["--quick", "--srresnet-steps", "--precision", "--json"]),
    ("cyclegan_speed.py", ["--device", "--weights", "--random-weights", "--compile"]),
    ("mode_collapse.py", ["--configs", "--datasets", "--seeds", "--jobs"]),
    ("digits_conditional.py", ["--variants", "--seeds", "--steps", "--set", "--tuned-seeds",
                               "--fid-n", "--merge"]),
    ("load_speed.py", ["--runs", "--threads"]),
    ("cold_start.py", ["--runs"]),
    ("data_workers.py", ["--quick", "--workers", "--repeats", "--keep"]),
])
def test_benchmark_command_starts_and_lists_its_flags(command, flags):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / command), "--help"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for flag in flags:
        assert flag in result.stdout, flag
