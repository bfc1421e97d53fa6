"""``--set cache=ram``: whether a dataset's decoded items fit in memory.

Caching decodes every file once, before training, so later batches are an indexing op; it suits
small sets only. The check runs before a byte is decoded, so an oversized cache is a one-line
error instead of a machine that swaps.
"""

from __future__ import annotations

from ..errors import GanzooError

#: A cache may take at most this share of the memory available when training starts.
RAM_SHARE = 0.5


def available_memory() -> int | None:
    """Bytes the kernel could give this process without swapping (Linux), else None."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def check_fits_in_ram(needed: int, what: str, available: int | None = None) -> None:
    """A one-line error naming the fix if ``needed`` bytes exceed `RAM_SHARE` of ``available``
    (default: `available_memory`; unknown means no check)."""
    available = available_memory() if available is None else available
    if available is not None and needed > RAM_SHARE * available:
        raise GanzooError(f"cache=ram would hold {needed / 2**30:.1f} GiB of decoded {what}, "
                          f"more than half of the {available / 2**30:.1f} GiB of memory "
                          f"available; drop --set cache=ram (files are then read as needed) or "
                          f"lower the image size")
