"""Handing the memory a sweep's stages have freed back to the system, so that the
process's peak is that of its largest stage, not the sum of all of them."""

from __future__ import annotations

import ctypes
import functools
import sys


def release_freed_memory() -> None:
    """Return the heap's free pages to the system: glibc's `malloc_trim(0)`, as Dask's
    workers do (nothing where the C library has no such call), and Arrow's pool's unused
    memory. glibc keeps most of what numpy and pandas free (a report's columns of a
    million runs are 7 MB each) mapped for reuse, and the next stage's objects fragment
    it."""
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl)
        return None
